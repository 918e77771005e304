//! Live reload of the config file.
//!
//! A watcher thread (off the UI thread) sees the file saved, waits until saves stop for a
//! moment, loads the file and reports the result. The event loop compares the new feed list
//! with the running one ([`crate::config::diff`]), hands the diff to `App::update`, which
//! rebuilds the panes (pure), and applies the same diff to the feed tasks: a changed feed
//! restarts, a new one starts, a removed one stops; the others run on untouched. A file that
//! does not load changes nothing: its error stays in a banner until a good save.

mod watcher;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use self::watcher::{DEBOUNCE, Watcher};
use super::app::{Action, App, Mode, Msg, View};
use super::pane::Pane;
use crate::config::diff::{Change, Diff, FeedConfig};
use crate::feed::{FeedHandle, FeedId, FeedSpec, Inbox, QueueOptions, Sender};

/// A config file as the dashboard runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The feeds, selected (`--feed`) and with the command line's options applied.
    pub feeds: Vec<FeedConfig>,
    /// The theme to switch to (`None` when `--theme` overrides the file, or it sets none).
    pub theme: Option<String>,
    /// Whether the file leaves the mouse to the terminal (`mouse = false`).
    pub mouse: Option<bool>,
}

/// Loads the config file: a message with file, line and key when it cannot be used.
pub type Load = Box<dyn Fn() -> Result<Loaded, String> + Send>;

/// What the dashboard needs to reload its config: the file, how to load it, and what was
/// loaded at the start.
pub struct Source {
    pub path: PathBuf,
    pub load: Load,
    pub first: Loaded,
}

/// What reloading did, for `App::update`.
#[derive(Debug, Clone)]
pub enum Reload {
    /// The file loaded: `specs` is the new feed list, `diff` how it maps onto the panes.
    Applied {
        diff: Diff,
        specs: Vec<FeedSpec>,
        theme: Option<String>,
    },
    /// The file did not load (its error, with file and line); nothing changed.
    Failed(String),
    /// Saves are not noticed (e.g. the system's watch limit); `Ctrl-L` still works.
    NotWatching(String),
}

/// Live reload's part of the dashboard's state.
#[derive(Debug, Clone, Default)]
pub struct ReloadState {
    /// The config file's name as shown, when the feeds came from one (else `Ctrl-L` has
    /// nothing to reload).
    pub file: Option<String>,
    /// Why the last save was not applied, until a good one.
    pub error: Option<String>,
}

/// Live reload's part of the event loop: the watcher, and the feeds as the file had them at
/// the last good load (what the next load is compared with).
#[derive(Default)]
pub struct Live {
    watcher: Option<Watcher>,
    running: Vec<FeedConfig>,
    mouse: Option<bool>,
}

impl Live {
    /// Starts watching the file the feeds came from, if they came from one.
    pub fn start(source: Option<Source>, app: &mut App, now: Instant) -> Live {
        let Some(source) = source else {
            return Live::default();
        };
        let name = source.path.file_name().unwrap_or(source.path.as_os_str());
        app.reload.file = Some(crate::text::escape(&name.to_string_lossy()).into_owned());
        let watcher = Watcher::start(&source.path, source.load);
        if let Some(why) = &watcher.not_watching {
            app.update(Msg::Reload(Reload::NotWatching(why.clone())), now);
        }
        Live {
            watcher: Some(watcher),
            running: source.first.feeds,
            mouse: source.first.mouse,
        }
    }

    /// The file's `mouse` setting, as last loaded.
    pub fn mouse(&self) -> Option<bool> {
        self.mouse
    }

    /// `Ctrl-L`.
    pub fn reload_now(&self) {
        if let Some(watcher) = &self.watcher {
            watcher.reload_now();
        }
    }

    /// The next load of the file; never, when there is no file.
    pub async fn next(&mut self) -> Result<Loaded, String> {
        if let Some(watcher) = &mut self.watcher
            && let Some(report) = watcher.reports.recv().await
        {
            return report;
        }
        self.watcher = None;
        std::future::pending().await
    }

    /// Turns a load into what `App::update` applies; a good one is compared with the feeds
    /// running now and `restart` applies the diff to their tasks first.
    pub fn apply(
        &mut self,
        loaded: Result<Loaded, String>,
        restart: impl FnOnce(&Diff, &[FeedSpec]),
    ) -> Reload {
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(error) => return Reload::Failed(error),
        };
        let diff = crate::config::diff::diff(&self.running, &loaded.feeds, FeedConfig::name);
        let specs: Vec<FeedSpec> = loaded.feeds.iter().map(|f| f.spec.clone()).collect();
        restart(&diff, &specs);
        self.running = loaded.feeds;
        self.mouse = loaded.mouse;
        Reload::Applied {
            diff,
            specs,
            theme: loaded.theme,
        }
    }
}

/// `Ctrl-L` redraws the whole screen too, as terminal users expect. Not with
/// `Terminal::clear`, which asks the terminal where its cursor is and would race the input
/// stream for the answer: the screen is cleared, and the frame drawn last forgotten, so the
/// next one is drawn whole.
pub fn redraw_all(terminal: &mut super::Term) -> std::io::Result<()> {
    use crossterm::terminal::{Clear, ClearType};
    crossterm::execute!(std::io::stdout(), Clear(ClearType::All))?;
    terminal.swap_buffers();
    Ok(())
}

/// Applies `diff` to the running feed tasks, in the order of `specs` (the new list): kept
/// feeds keep their task and queue, changed and new ones get a new task, removed and
/// replaced ones are stopped (their connections closed). `handles` and `crashed` end up in
/// the new order, as the panes do in `App::update`.
pub fn restart_tasks(
    diff: &Diff,
    specs: &[FeedSpec],
    (inbox, handles, crashed): (&mut Inbox, &mut Vec<FeedHandle>, &mut Vec<bool>),
    queue: QueueOptions,
    start: impl Fn(&FeedSpec, Sender) -> FeedHandle,
) {
    let order: Vec<Option<FeedId>> = diff.kept().map(|k| k.map(FeedId)).collect();
    let senders = inbox.reorder(&order, queue);
    let mut old: Vec<Option<(FeedHandle, bool)>> = std::mem::take(handles)
        .into_iter()
        .zip(std::mem::take(crashed))
        .map(Some)
        .collect();
    for ((sender, keep), spec) in senders.into_iter().zip(&order).zip(specs) {
        let kept = keep.and_then(|FeedId(k)| old.get_mut(k)?.take());
        let (handle, has_crashed) = match (sender, kept) {
            (None, Some(kept)) => kept,
            (Some(tx), _) => (start(spec, tx), false),
            (None, None) => {
                unreachable!("Inbox::reorder gives a queue to every feed it does not keep")
            }
        };
        handles.push(handle);
        crashed.push(has_crashed);
    }
    for (handle, _) in old.into_iter().flatten() {
        handle.stop();
    }
}

impl App {
    /// `Ctrl-L`: reload, when the feeds came from a config file.
    pub(super) fn reload_key(&mut self) -> Option<Action> {
        if self.reload.file.is_none() {
            self.notify("no config file to reload: the feeds come from the command line");
            return None;
        }
        Some(Action::Reload)
    }

    /// A reload's outcome: the panes follow the new feed list (kept ones as they are,
    /// changed and new ones afresh), or the error is shown until a good save.
    pub(super) fn on_reload(&mut self, reload: Reload, now: Instant) {
        self.dirty = true;
        let file = self
            .reload
            .file
            .clone()
            .unwrap_or_else(|| "the config".into());
        let (diff, specs, theme) = match reload {
            Reload::Failed(error) => {
                self.reload.error = Some(error);
                return;
            }
            Reload::NotWatching(why) => {
                self.notice = Some((why, now + Duration::from_secs(10)));
                return;
            }
            Reload::Applied { diff, specs, theme } => (diff, specs, theme),
        };
        self.reload.error = None;
        let focused = self.focused().map(|p| p.name.clone());
        let focus_kept = diff.feeds.contains(&Change::Same { old: self.focus });
        let mut old: Vec<Option<Pane>> = std::mem::take(&mut self.panes)
            .into_iter()
            .map(Some)
            .collect();
        self.panes = diff
            .feeds
            .iter()
            .zip(&specs)
            .map(|(change, spec)| match change {
                Change::Same { old: k } => old[*k].take().unwrap_or_else(|| Pane::new(spec, now)),
                Change::Changed { .. } | Change::Added => Pane::new(spec, now),
            })
            .collect();
        self.focus = focused
            .and_then(|name| self.panes.iter().position(|p| p.name == name))
            .unwrap_or(self.focus)
            .min(self.panes.len().saturating_sub(1));
        // What was open on the focused feed's pane (its types, its filter prompt, one of its
        // events) has no meaning on a new one.
        if !focus_kept && !matches!(self.mode, Mode::Help { .. }) {
            self.mode = Mode::Normal;
        }
        if !diff.is_empty() {
            let names = self.panes.iter().map(|p| p.name.clone()).collect();
            self.alerts.follow_feeds(names, now);
        }
        if let Some(wanted) = theme
            && let Some(i) = self.themes.iter().position(|t| t.name == wanted)
        {
            self.theme = i;
        }
        if self.view == View::Overview {
            self.refresh_overview(now);
        }
        let summary = if diff.is_empty() {
            "no feed changed".to_string()
        } else {
            let mut parts = Vec::new();
            for (n, what) in [
                (diff.added(), "new"),
                (diff.removed.len(), "removed"),
                (diff.changed(), "restarted"),
            ] {
                if n > 0 {
                    parts.push(format!("{n} {what}"));
                }
            }
            if parts.is_empty() {
                "feeds reordered".into()
            } else {
                parts.join(", ")
            }
        };
        self.notice = Some((
            format!("{file} reloaded: {summary}"),
            now + super::app::NOTICE_FOR,
        ));
    }
}
