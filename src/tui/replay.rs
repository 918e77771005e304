//! The event loop's side of recordings: recording what the feeds say (`--record`, `R`),
//! steering a replay (Space, `←` `→`), and carrying out the actions of `e`, `y` and `w`.
//! The App only asks, through [`Action`]s; the work (channels, files, the terminal) is here.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::task::JoinHandle;

use super::app::{Action, App, Msg};
use super::pane::Pane;
use crate::feed::{FeedHandle, FeedId, FeedMsg, FeedSpec, Inbox, QueueOptions, Sender};
use crate::record::replay::{Control, Position, idle_handles};
use crate::record::{Recorder, Replay};

/// How far `←` and `→` step in a replay.
pub const STEP: Duration = Duration::from_secs(10);

/// Extra sources and sinks of a dashboard run.
#[derive(Debug, Default)]
pub struct Extras {
    /// Record from the start to this file (`R` then toggles to and from the same file).
    pub record: Option<PathBuf>,
    /// Show this replay instead of live feeds.
    pub replay: Option<Replay>,
    /// The replay was read from stdin (`-`), so keys come from the terminal device.
    pub replay_from_stdin: bool,
}

/// A replay under way.
struct Replayer {
    replay: Replay,
    senders: Vec<Sender>,
    control: Arc<Control>,
    task: JoinHandle<()>,
}

/// Recording and replaying, for the event loop.
pub struct Tape {
    specs: Vec<FeedSpec>,
    recorder: Option<Recorder>,
    /// Where `R` records: `--record`, else a new file in the current directory.
    record_path: Option<PathBuf>,
    replayer: Option<Replayer>,
    /// The replay position last copied into the App.
    shown: Option<Position>,
    /// The thread that owns the display's clipboard (X11 serves a selection only while its
    /// owner lives), once `y` was used where a display exists.
    clipboard: Option<std::sync::mpsc::SyncSender<String>>,
}

impl App {
    /// Space, `←`, `→` during a replay.
    pub(super) fn replay_key(&mut self, code: crossterm::event::KeyCode) -> Option<Action> {
        use crossterm::event::KeyCode;
        match code {
            KeyCode::Char(' ') => Some(Action::ReplayPause),
            KeyCode::Left => Some(Action::ReplaySeek(-(STEP.as_secs() as i64))),
            KeyCode::Right => Some(Action::ReplaySeek(STEP.as_secs() as i64)),
            _ => None,
        }
    }

    /// Back to empty panes, for a replay that starts again from an earlier point.
    pub(super) fn restart_panes(&mut self, specs: &[FeedSpec], now: Instant) {
        for (pane, spec) in self.panes.iter_mut().zip(specs) {
            let filter = pane.filter.as_ref().map(|f| f.pattern.clone());
            *pane = Pane::new(spec, now);
            if let Some(filter) = filter {
                pane.set_filter(&filter);
            }
        }
        self.dirty = true;
    }
}

impl Tape {
    /// Whether the feeds come from a replay rather than the network.
    pub fn replaying(&self) -> bool {
        self.replayer.is_some()
    }

    /// Starts the feeds' sources: the feed tasks, or the replay. Returns their handles.
    pub fn start(
        specs: &[FeedSpec],
        extras: Extras,
        inbox: &mut Inbox,
        queue: QueueOptions,
        spawn_live: impl FnMut(&FeedSpec, &mut Inbox) -> FeedHandle,
    ) -> (Tape, Vec<FeedHandle>) {
        let mut spawn_live = spawn_live;
        let (replayer, handles) = match extras.replay {
            Some(mut replay) => {
                replay.opts.catch_up = true;
                // A replay loses nothing: its task waits for room, as `tail`'s feeds do.
                let queue = QueueOptions {
                    overflow: crate::feed::Overflow::Wait,
                    ..queue
                };
                let senders: Vec<Sender> = specs.iter().map(|_| inbox.add_feed(queue)).collect();
                let control = Control::new(replay.start(), replay.opts.speed);
                let task = replay.spawn(senders.clone(), None, control.clone());
                let replayer = Replayer {
                    replay,
                    senders,
                    control,
                    task,
                };
                (Some(replayer), idle_handles(specs.len()))
            }
            None => (None, specs.iter().map(|s| spawn_live(s, inbox)).collect()),
        };
        let tape = Tape {
            specs: specs.to_vec(),
            recorder: None,
            record_path: extras.record,
            replayer,
            shown: None,
            clipboard: None,
        };
        (tape, handles)
    }

    /// Starts recording if `--record` asked for it.
    pub fn record_from_start(&mut self, app: &mut App, now: Instant) -> std::io::Result<()> {
        if let Some(path) = self.record_path.clone() {
            let rec = Recorder::start(&path, &self.specs, false)?;
            app.update(Msg::Recording(Some(rec.path().display().to_string())), now);
            self.recorder = Some(rec);
        }
        Ok(())
    }

    /// Formats the lines of a batch about to be applied.
    pub fn record(&mut self, batch: &[(FeedId, FeedMsg)], inbox: &Inbox) {
        if let Some(rec) = &mut self.recorder {
            for (id, msg) in batch {
                rec.record(id.0, msg, inbox.retry_ms(*id));
            }
        }
    }

    /// Hands formatted lines to the recording's thread (never waits), and copies the replay's
    /// position into the App when it changed.
    pub fn refresh(&mut self, app: &mut App, now: Instant) {
        if let Some(rec) = &mut self.recorder
            && let Err(e) = rec.try_hand_over()
        {
            self.recorder = None;
            app.update(Msg::Recording(None), now);
            app.update(Msg::Notice(format!("recording stopped: {e}")), now);
        }
        if let Some(r) = &self.replayer {
            let position = r.control.position();
            if self.shown != Some(position) {
                self.shown = Some(position);
                app.update(Msg::Replay(position), now);
            }
        }
    }

    /// Whether formatted lines wait for the recording thread.
    pub fn waiting(&self) -> bool {
        self.recorder.as_ref().is_some_and(|r| r.pending() > 0)
    }

    /// Carries out what a key asked for (all but quitting and feed commands).
    pub async fn act(
        &mut self,
        action: Action,
        app: &mut App,
        inbox: &mut Inbox,
        terminal: &mut impl Write,
        now: Instant,
    ) {
        let notice = match action {
            Action::ToggleRecord => self.toggle_recording(app, now).await,
            Action::ReplayPause => self.replayer.as_ref().map(|r| {
                if r.control.toggle_pause(now) {
                    "replay paused (Space resumes)".to_string()
                } else {
                    "replay resumed".to_string()
                }
            }),
            Action::ReplaySeek(secs) => self.seek(secs, app, inbox, now).await,
            Action::Export(FeedId(i)) => {
                let dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
                Some(
                    match super::export::export_pane(app, i, &dir, SystemTime::now()) {
                        Ok(path) => format!("exported to {}", path.display()),
                        Err(e) => e,
                    },
                )
            }
            Action::SaveEvent { feed, id, data } => {
                let dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
                let name = super::export::file_name(&feed, Some(&id), SystemTime::now(), "txt");
                Some(
                    match super::export::write_new(&dir, &name, data.as_bytes()) {
                        Ok(path) => format!("wrote {}", path.display()),
                        Err(e) => e,
                    },
                )
            }
            Action::Copy(data) => {
                // Through the terminal backend, between frames, so no frame is cut in two.
                let sent = terminal
                    .write_all(super::export::osc52(&data).as_bytes())
                    .and_then(|()| terminal.flush());
                let len = data.len();
                let display = self.copy_to_display(data);
                Some(match sent {
                    Ok(()) if display => format!("copied {len} bytes (OSC 52 and the display)"),
                    Ok(()) => format!("copied {len} bytes (OSC 52)"),
                    Err(e) => format!("cannot copy: {e}"),
                })
            }
            Action::Quit | Action::Feed(..) | Action::Reload => None,
        };
        if let Some(text) = notice {
            app.update(Msg::Notice(text), now);
        }
        self.refresh(app, now);
    }

    /// Hands `text` to the display's clipboard (arboard) where a display exists; whether it
    /// did. The clipboard lives on a thread of its own: talking to the display server is I/O.
    fn copy_to_display(&mut self, text: String) -> bool {
        let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
        if !has_display {
            return false;
        }
        let tx = self.clipboard.get_or_insert_with(|| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<String>(1);
            let _ = std::thread::Builder::new()
                .name("ssedash-clipboard".into())
                .spawn(move || {
                    let Ok(mut clipboard) = arboard::Clipboard::new() else {
                        return;
                    };
                    while let Ok(text) = rx.recv() {
                        let _ = clipboard.set_text(text);
                    }
                });
            tx
        });
        tx.try_send(text).is_ok()
    }

    /// A reload changed the feed list: a recording under way goes on as a new session of the
    /// same file, with a meta line naming the new feeds (its lines name feeds by position).
    pub async fn feeds_changed(&mut self, specs: &[FeedSpec], app: &mut App, now: Instant) {
        self.specs = specs.to_vec();
        if self.recorder.is_some() {
            self.toggle_recording(app, now).await;
            let notice = self.toggle_recording(app, now).await;
            if let Some(n) = notice {
                app.update(Msg::Notice(format!("feeds changed: {n}")), now);
            }
        }
    }

    async fn toggle_recording(&mut self, app: &mut App, now: Instant) -> Option<String> {
        if let Some(rec) = self.recorder.take() {
            let path = rec.path().display().to_string();
            let messages = rec.messages;
            let lost = rec.lost;
            app.update(Msg::Recording(None), now);
            let lost = if lost > 0 {
                format!(", {lost} lost: the disk was too slow")
            } else {
                String::new()
            };
            return Some(match rec.finish().await {
                Ok(()) => format!("recording stopped: {path} ({messages} messages{lost})"),
                Err(e) => format!("recording stopped: {e}"),
            });
        }
        let path = self.record_path.clone().unwrap_or_else(|| {
            PathBuf::from(super::export::file_name(
                "recording",
                None,
                SystemTime::now(),
                "ndjson",
            ))
        });
        Some(match Recorder::start(&path, &self.specs, false) {
            Ok(mut rec) => {
                // Started mid-run: each feed's state now, so the recording stands on its own
                // (a replay or `serve` knows which feeds are open).
                for (i, pane) in app.panes.iter().enumerate() {
                    let change = crate::feed::StateChange {
                        state: pane.state.clone(),
                        attempt: pane.attempt,
                        status: pane.status,
                        reason: pane.reason.clone(),
                        at: SystemTime::now(),
                    };
                    rec.record(i, &FeedMsg::State(change), pane.retry_ms);
                }
                let shown = rec.path().display().to_string();
                app.update(Msg::Recording(Some(shown.clone())), now);
                self.recorder = Some(rec);
                self.record_path = Some(path);
                format!("recording to {shown}")
            }
            Err(e) => e.to_string(),
        })
    }

    /// Moves the replay `secs` seconds: the replay starts again from there, what came before
    /// it applied at once (so counters and states are what they were at that point).
    async fn seek(
        &mut self,
        secs: i64,
        app: &mut App,
        inbox: &mut Inbox,
        now: Instant,
    ) -> Option<String> {
        let r = self.replayer.as_mut()?;
        let here = r.control.position().at(now);
        let step = Duration::from_secs(secs.unsigned_abs());
        let first = r.replay.recording.start().unwrap_or(here);
        let target = if secs < 0 {
            here.checked_sub(step).unwrap_or(first).max(first)
        } else {
            here + step
        };
        r.task.abort();
        let _ = (&mut r.task).await;
        // What the stopped replay had queued belongs to the old position.
        let mut stale = Vec::new();
        while inbox.try_recv(&mut stale, 4096) {
            stale.clear();
        }
        app.restart_panes(&self.specs, now);
        r.task = r
            .replay
            .spawn(r.senders.clone(), Some(target), r.control.clone());
        let t = jiff::Timestamp::try_from(target)
            .map(|t| t.to_zoned(app.tz.clone()).strftime("%H:%M:%S").to_string())
            .unwrap_or_default();
        Some(format!("replay at {t}"))
    }

    /// Stops the replay and closes the recording, everything handed over written.
    pub async fn finish(mut self) {
        if let Some(r) = self.replayer.take() {
            r.task.abort();
        }
        if let Some(rec) = self.recorder.take() {
            let _ = rec.finish().await;
        }
    }
}

/// The title bar's badges: `● REC` while recording, and a replay's position (`▶ 12:03:41 ×4`,
/// `⏸` paused, `■` at the end).
pub fn badges(app: &App) -> Vec<ratatui::text::Span<'static>> {
    use ratatui::text::Span;
    let theme = app.theme();
    let mut out = Vec::new();
    if let Some(p) = &app.replay {
        let mark = if p.ended {
            "■"
        } else if p.paused {
            "⏸"
        } else {
            "▶"
        };
        let at = jiff::Timestamp::try_from(p.at(app.now))
            .map(|t| t.to_zoned(app.tz.clone()).strftime("%H:%M:%S").to_string())
            .unwrap_or_default();
        let speed = if p.speed <= 0.0 {
            "max".to_string()
        } else {
            format!("×{}", super::fmt::rate(p.speed))
        };
        out.push(Span::styled(
            format!("{mark} {at} {speed} "),
            theme.accent(),
        ));
    }
    if app.recording.is_some() {
        out.push(Span::styled("● REC ", theme.error()));
    }
    out
}
