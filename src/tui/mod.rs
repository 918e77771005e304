//! The dashboard: the event loop that connects feed tasks and the terminal to [`App`] and
//! draws it.
//!
//! One `select!`, biased to input: keys are handled before any queued feed messages, and feed
//! messages are taken in batches per feed, so a flood never starves a key press. Feed messages
//! are taken when nothing waits to be drawn, at the frame slot, or at once under a backlog, not
//! on every feed's wake-up (see [`pace`]). The screen is
//! drawn only when something changed, at most 40 times a second (a key press is drawn at
//! once), and not at all when idle
//! (except when a countdown or an age on screen needs it: see [`App::next_wake`]).

mod alert_actions;
pub mod alert_log;
pub mod app;
pub mod board;
pub mod detail;
pub mod events;
pub mod export;
pub mod filter;
pub mod fmt;
pub mod help;
mod keys;
pub mod layout;
pub mod line_editor;
pub mod mouse;
pub mod overview;
mod overview_keys;
pub mod pace;
pub mod pane;
pub mod rate;
pub mod reload;
pub mod render;
pub mod replay;
pub mod theme;
pub mod transcript;
mod view_keys;
pub mod views;
pub mod visible;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::Event as TermEvent;
use tokio::signal::unix::SignalKind;
use tokio::time::Instant;

use self::app::{Action, App, Msg};
use self::reload::Live;
pub use self::replay::Extras;
use self::replay::Tape;
use self::theme::Theme;
use crate::feed::{self, FeedHandle, FeedId, FeedSpec, Inbox, Overflow, QueueOptions, Sender};

/// Copies each queue's byte and drop counters into the panes, and turns a feed task that
/// stopped (only a bug can do that while the dashboard runs) into a failed pane.
fn refresh_stats(
    app: &mut App,
    inbox: &Inbox,
    handles: &[FeedHandle],
    crashed: &mut [bool],
    now: std::time::Instant,
) {
    for (i, handle) in handles.iter().enumerate() {
        let feed = FeedId(i);
        app.update(
            Msg::Stats {
                feed,
                bytes: inbox.bytes(feed),
                dropped: inbox.dropped(feed),
                last_event_id: inbox.last_event_id(feed),
                retry_ms: inbox.retry_ms(feed),
                comments: inbox.comments(feed),
            },
            now,
        );
        if handle.task.is_finished() && !crashed[i] {
            crashed[i] = true;
            let change = feed::StateChange {
                state: feed::ConnState::Failed,
                attempt: app.panes[i].attempt,
                status: None,
                reason: Some(match WORKER_PANIC.lock().ok().and_then(|mut p| p.take()) {
                    Some(panic) => format!("internal error, please report it: {panic}"),
                    None => "the feed's task stopped unexpectedly (a bug; please report it)".into(),
                }),
                at: std::time::SystemTime::now(),
            };
            app.update(Msg::Feed(feed, feed::FeedMsg::State(change)), now);
        }
    }
}

/// A Unix signal as a stream of arrivals.
struct Signal(tokio::signal::unix::Signal);

impl Signal {
    fn new(kind: SignalKind) -> io::Result<Self> {
        tokio::signal::unix::signal(kind).map(Signal)
    }

    async fn recv(&mut self) {
        self.0.recv().await;
    }
}

/// How often a trickling feed is read at most: one slot of a grid shared by every feed, so 100
/// feeds of a few events a second cost a wake-up per slot rather than one per event. A quiet
/// feed's event is not held back (it comes after a long gap), and a busy one is read at once.
/// Ten reads a second: at 20, 100 feeds of 100 events a second took 9-10 % of a core, at 10,
/// 5-7 % (`benches/many_feeds.py`); a steady feed's list moves 10 times a second.
const READ_INTERVAL: Duration = Duration::from_millis(100);

/// The shortest time between two frames (40 fps): also the most a quiet feed's event waits
/// for a frame while another feed floods (33 ms left 40-50 ms of the 50 ms allowed).
pub const FRAME: Duration = Duration::from_millis(25);
/// Bytes all feeds' queues hold together before events are dropped (and counted): shared
/// evenly, but never less than [`MIN_QUEUE_BYTES`] a feed. A message costs its text plus
/// [`feed::MSG_OVERHEAD`], so a loopback burst of 100,000 small events fits with room to spare,
/// and only a flood the screen cannot keep up with for a while loses events.
const QUEUE_BYTES: usize = 64 << 20;
const MIN_QUEUE_BYTES: usize = 4 << 20;
/// Messages a feed's queue holds at most (the byte bound is usually reached first).
const QUEUE: usize = 1 << 20;
/// Messages taken from one feed per turn. A turn is applied before the loop looks at keys, the
/// frame slot and the other feeds again, so it is kept short: 512 messages of a flood take a
/// few ms, where 4096 took ~50 ms on a loaded machine and a quiet feed's event waited for them.
const PER_TURN: usize = 512;
/// How long turns are taken back to back while feeds have a backlog.
const BACKLOG_BUDGET: Duration = Duration::from_millis(4);
/// How often the queues' counters are copied into the panes while feed traffic flows.
const STATS: Duration = Duration::from_millis(250);

/// Applies a batch of feed messages, in order (recorded first, when recording).
fn take_batch(
    app: &mut App,
    batch: &mut Vec<(FeedId, feed::FeedMsg)>,
    now: std::time::Instant,
    tape: &mut Tape,
    inbox: &Inbox,
) {
    tape.record(batch, inbox);
    for (id, msg) in batch.drain(..) {
        app.update(Msg::Feed(id, msg), now);
    }
}

/// What the dashboard does besides showing its feeds.
#[derive(Default)]
pub struct Options {
    /// Whether the mouse is the dashboard's (else the terminal keeps it, for selecting text):
    /// false with `--no-mouse`, which a config file cannot turn back on.
    pub mouse: bool,
    /// The config file the feeds came from, reloaded when it is saved.
    pub config: Option<reload::Source>,
}

/// Starts [`pace::hold_network_wakeups`] when the feeds have a thread of their own (the
/// runtime `ssedash` itself starts for the dashboard); stops it when dropped.
fn hold_network_wakeups(inbox: &Inbox) -> Option<AbortOnDrop> {
    let runtime = tokio::runtime::Handle::current();
    let own_thread = runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        && runtime.metrics().num_workers() == 1;
    own_thread.then(|| AbortOnDrop(tokio::spawn(pace::hold_network_wakeups(inbox.traffic()))))
}

/// Aborts its task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the task of one feed, with the dashboard's read pacing.
fn start_feed(spec: &FeedSpec, tx: Sender) -> FeedHandle {
    let mut spec = spec.clone();
    spec.read_interval = READ_INTERVAL;
    feed::spawn(Arc::new(spec), tx)
}

/// Runs the dashboard until the user quits. The terminal is restored on return, on error and
/// on panic (ratatui's hook), mouse reporting included.
/// With a recording from the start, or on a replay instead of live feeds (`extras`).
/// Returns the exit code: 0 after `q`, 128 + the signal's number after a signal.
pub async fn run_with(
    specs: Vec<FeedSpec>,
    themes: Vec<Theme>,
    theme: usize,
    alerts: Vec<crate::alert::AlertSpec>,
    options: Options,
    extras: Extras,
) -> io::Result<i32> {
    let mut terminal = init_terminal()?;
    catch_worker_panics();
    let result = event_loop(&mut terminal, specs, themes, theme, alerts, options, extras).await;
    let _ = crossterm::execute!(io::stdout(), mouse::DisableClicks);
    ratatui::restore();
    // Back to the default hook: the terminal is ours no more.
    let _ = std::panic::take_hook();
    result
}

/// The dashboard's terminal: stdout through a buffer, so that a frame goes out in one write
/// (unbuffered, a frame of a 100-feed overview took some 30 writes).
pub type Term = ratatui::Terminal<ratatui::backend::CrosstermBackend<io::BufWriter<io::Stdout>>>;

/// What `ratatui::try_init` does (a panic hook that restores the terminal, raw mode, the
/// alternate screen), with stdout buffered. The backend flushes at the end of every frame,
/// so nothing drawn waits in the buffer.
fn init_terminal() -> io::Result<Term> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        ratatui::restore();
        hook(info);
    }));
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    let out = io::BufWriter::with_capacity(1 << 16, io::stdout());
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(out))
}

/// Terminal input, read by a thread of its own and handed over through a channel. crossterm's
/// `EventStream` checks its reader again at every poll of the loop, and that check spins
/// (a dozen `sched_yield` calls) on a lock its own reader thread holds while it waits: some
/// 600 system calls a second on the main thread with 100 busy feeds. The thread ends when the
/// loop is gone or input fails (the process ends with the dashboard).
fn read_input() -> tokio::sync::mpsc::Receiver<io::Result<TermEvent>> {
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let reader = move || {
        loop {
            let ev = crossterm::event::read();
            let failed = ev.is_err();
            if tx.blocking_send(ev).is_err() || failed {
                return;
            }
        }
    };
    if let Err(e) = std::thread::Builder::new()
        .name("input".into())
        .spawn(reader)
    {
        // Without input the dashboard could not be quit: better to say so and end.
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let _ = tx.try_send(Err(e));
        return rx;
    }
    rx
}

/// The message of a panic on a worker thread (a feed task, the demo server), for its pane.
static WORKER_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// ratatui's hook restores the terminal on any panic. That is right for the thread that
/// draws, but a feed task that panics on a worker thread ends only that task: the dashboard
/// goes on (showing the feed as failed), so that panic must neither restore the terminal under
/// it nor print over the screen.
fn catch_worker_panics() {
    let ui_thread = std::thread::current().id();
    let restore_and_report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui_thread {
            let _ = crossterm::execute!(io::stdout(), mouse::DisableClicks);
            restore_and_report(info);
        } else if let Ok(mut slot) = WORKER_PANIC.lock() {
            *slot = Some(info.to_string().replace('\n', " "));
        }
    }));
}

async fn event_loop(
    terminal: &mut Term,
    specs: Vec<FeedSpec>,
    themes: Vec<Theme>,
    theme: usize,
    alerts: Vec<crate::alert::AlertSpec>,
    options: Options,
    extras: Extras,
) -> io::Result<i32> {
    let mut inbox = Inbox::new();
    let per_feed = (QUEUE_BYTES / specs.len().max(1)).max(MIN_QUEUE_BYTES);
    let queue = QueueOptions::new(QUEUE, per_feed, Overflow::Drop);
    let (mut tape, mut handles): (Tape, Vec<FeedHandle>) =
        Tape::start(&specs, extras, &mut inbox, queue, |spec, inbox| {
            start_feed(spec, inbox.add_feed(queue))
        });
    // A replay has no sockets to wait for, and its speed must not be held back.
    let _hold = if tape.replaying() {
        None
    } else {
        hold_network_wakeups(&inbox)
    };
    let start = Instant::now();
    let mut app = App::new(&specs, themes, theme, start.into_std());
    tape.record_from_start(&mut app, start.into_std())?;
    app.set_alerts(alerts, start.into_std());
    let mut alert_edge = alert_actions::Edge::new();
    let mut live = Live::start(options.config, &mut app, start.into_std());
    let mut mouse_on = false;
    mouse::set_reporting(&mut mouse_on, options.mouse && live.mouse() != Some(false));
    let size = terminal.size()?;
    app.update(Msg::Resize(size.width, size.height), start.into_std());
    let mut input = read_input();
    let mut batch = Vec::new();
    let mut last_frame: Option<Instant> = None;
    let mut key_pressed = false;
    let mut crashed = vec![false; handles.len()];
    let mut stats_due = start;
    // `kill` and a closed terminal window end the dashboard cleanly, terminal restored.
    let mut terminate = Signal::new(SignalKind::terminate())?;
    let mut hangup = Signal::new(SignalKind::hangup())?;
    let mut interrupt = Signal::new(SignalKind::interrupt())?;
    let mut quit = Signal::new(SignalKind::quit())?;

    // Fed and reset, not rebuilt, each time round: one timer for the whole run.
    let sleep = tokio::time::sleep_until(start);
    tokio::pin!(sleep);
    let mut backlog = false;
    // When the feed messages waiting to be drawn began to come (see `pace::frame_due`).
    let mut traffic_since: Option<std::time::Instant> = None;
    let frame_due = |last: Option<Instant>, traffic: Option<std::time::Instant>, now: Instant| {
        Instant::from_std(pace::frame_due(
            last.map(Instant::into_std),
            FRAME,
            traffic,
            now.into_std(),
        ))
    };

    let result = loop {
        // What alerts asked for since the last time round (bell, notification, command).
        alert_edge.run(app.alerts.take_jobs(), terminal);
        // Draw when something changed and the frame budget allows it.
        let mut now = Instant::now();
        if app.dirty {
            // A key is answered at once; feed traffic waits for the next frame slot.
            let due = frame_due(last_frame, traffic_since, now);
            if now >= due || key_pressed {
                if !key_pressed {
                    // What queued up since the last frame goes into this one (see `pace`).
                    if inbox.try_recv(&mut batch, PER_TURN) {
                        backlog = pace::has_backlog(&batch, PER_TURN);
                        take_batch(&mut app, &mut batch, now.into_std(), &mut tape, &inbox);
                        tape.refresh(&mut app, now.into_std());
                    }
                    if now >= stats_due {
                        refresh_stats(&mut app, &inbox, &handles, &mut crashed, now.into_std());
                        stats_due = now + STATS;
                    }
                    now = Instant::now();
                }
                key_pressed = false;
                app.now = now.into_std();
                terminal.draw(|f| render::render(f, &app))?;
                app.dirty = false;
                last_frame = Some(now);
                traffic_since = None;
            }
        }
        let wake = if app.dirty {
            frame_due(last_frame, traffic_since, now)
        } else {
            match app.next_wake(now.into_std()) {
                Some(at) => Instant::from_std(at),
                None => now + Duration::from_secs(3600),
            }
        };
        // Lines a busy recording thread could not take yet are offered again within a second.
        let wake = match tape.waiting() {
            true => wake.min(now + Duration::from_secs(1)),
            false => wake,
        };
        if sleep.deadline() != wake {
            sleep.as_mut().reset(wake);
        }
        let listen = pace::listen_to_feeds(app.dirty, backlog);
        tokio::select! {
            biased;
            ev = input.recv() => match ev {
                Some(Ok(ev)) => {
                    let now = Instant::now().into_std();
                    let msg = match ev {
                        TermEvent::Key(key) => {
                            key_pressed = true;
                            Msg::Key(key)
                        }
                        TermEvent::Resize(w, h) => Msg::Resize(w, h),
                        TermEvent::Mouse(m) if mouse_on && mouse::wanted(&m) => {
                            key_pressed = true;
                            Msg::Mouse(m)
                        }
                        _ => continue,
                    };
                    match app.update(msg, now) {
                        Some(Action::Quit) => break Ok(0),
                        Some(Action::Reload) => {
                            live.reload_now();
                            reload::redraw_all(terminal)?;
                        }
                        Some(Action::Feed(FeedId(i), command)) => {
                            // A full command queue means the task has commands to do already.
                            let _ = handles[i].commands.try_send(command);
                        }
                        Some(action) => {
                            let backend = terminal.backend_mut();
                            tape.act(action, &mut app, &mut inbox, backend, now).await;
                        }
                        None => {}
                    }
                }
                Some(Err(e)) => break Err(e),
                None => break Ok(0),
            },
            _ = inbox.recv(&mut batch, PER_TURN), if listen => {
                let now = Instant::now();
                traffic_since.get_or_insert(now.into_std());
                backlog = pace::has_backlog(&batch, PER_TURN);
                take_batch(&mut app, &mut batch, now.into_std(), &mut tape, &inbox);
                // A backlog is drained turn after turn for a few ms before keys and the frame
                // slot get a look again: one trip round the loop per short turn costs more
                // than the turn.
                while backlog && now.elapsed() < BACKLOG_BUDGET {
                    backlog = inbox.try_recv(&mut batch, PER_TURN)
                        && pace::has_backlog(&batch, PER_TURN);
                    take_batch(&mut app, &mut batch, Instant::now().into_std(), &mut tape, &inbox);
                }
                tape.refresh(&mut app, now.into_std());
                if now >= stats_due {
                    refresh_stats(&mut app, &inbox, &handles, &mut crashed, now.into_std());
                    stats_due = now + STATS;
                }
            }
            msg = alert_edge.recv() => {
                app.update(msg, Instant::now().into_std());
            }
            loaded = live.next() => {
                let reload = live.apply(loaded, |diff, specs| {
                    let tasks = (&mut inbox, &mut handles, &mut crashed);
                    reload::restart_tasks(diff, specs, tasks, queue, start_feed);
                });
                mouse::set_reporting(&mut mouse_on, options.mouse && live.mouse() != Some(false));
                let changed = match &reload {
                    reload::Reload::Applied { diff, specs, .. } if !diff.is_empty() => {
                        Some(specs.clone())
                    }
                    _ => None,
                };
                app.update(Msg::Reload(reload), Instant::now().into_std());
                if let Some(specs) = changed {
                    tape.feeds_changed(&specs, &mut app, Instant::now().into_std()).await;
                }
            }
            _ = terminate.recv() => break Ok(128 + 15),
            _ = hangup.recv() => break Ok(128 + 1),
            _ = interrupt.recv() => break Ok(128 + 2),
            _ = quit.recv() => break Ok(128 + 3),
            _ = &mut sleep => {
                let now = Instant::now().into_std();
                tape.refresh(&mut app, now);
                if !app.dirty {
                    refresh_stats(&mut app, &inbox, &handles, &mut crashed, now);
                    app.update(Msg::Tick, now);
                }
                // Dirty: this is the frame slot, and the top of the loop takes what queued.
            }
        }
    };
    for handle in &handles {
        handle.task.abort();
    }
    tape.finish().await;
    result
}
