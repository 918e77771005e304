//! The dashboard's state and all its logic. `App::update` takes messages (feed messages, keys,
//! resizes, ticks) and changes state; it does no I/O. What must happen outside (a command to a
//! feed task, quitting) comes back as [`Action`]s.

use std::time::{Duration, Instant};

use crossterm::event::{KeyEvent, KeyEventKind, MouseEvent};
use ratatui::layout::Rect;

use super::alert_log::Alerts;
use super::detail::DetailView;
use super::layout::{self, PaneLayout};
use super::line_editor::{History, LineEditor};
use super::mouse::Clicks;
use super::overview::{Overview, RESORT_EVERY};
use super::pane::Pane;
use super::reload::{Reload, ReloadState};
use super::theme::Theme;
use crate::alert::AlertSpec;
use crate::alert::command::CommandDone;
use crate::feed::{Command, ConnState, FeedId, FeedMsg, FeedSpec};

/// What the user is doing, which decides what keys mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a filter (`/`); applied as it is typed.
    Filter {
        input: LineEditor,
        /// Which earlier filter Up/Down shows, if any.
        history_at: Option<usize>,
        /// What was typed before Up went into the history (Down past the newest returns it).
        draft: String,
    },
    /// Picking event types to show (`t`); `cursor` indexes the type list.
    Types {
        /// The types as listed when the picker opened: the order stays put while counts change.
        types: Vec<crate::sse::FieldStr>,
        cursor: usize,
    },
    /// One event in full (`Enter`).
    Detail(DetailView),
    /// The key list; `scroll` is its first line shown.
    Help {
        scroll: usize,
    },
    /// The alert log (`!`); `cursor` indexes its entries.
    AlertLog {
        cursor: usize,
    },
}

/// What the body of the screen shows (`o` switches).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The feeds' panes, paged when they do not all fit.
    Panes,
    /// One row per feed.
    Overview,
}

/// Something the event loop must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Feed(FeedId, Command),
    /// `Ctrl-L`: load the config file again now.
    Reload,
    Quit,
    /// `R`: start or stop recording every feed.
    ToggleRecord,
    /// Space in a replay: pause or resume it.
    ReplayPause,
    /// `←` / `→` in a replay: move by this many seconds.
    ReplaySeek(i64),
    /// `e`: write the pane's shown events to a file.
    Export(FeedId),
    /// `y` in the detail view: put this on the clipboard.
    Copy(String),
    /// `w` in the detail view: write this event's data to a file.
    SaveEvent {
        feed: String,
        id: String,
        data: String,
    },
}

/// Everything that can change the dashboard.
#[derive(Debug, Clone)]
pub enum Msg {
    Feed(FeedId, FeedMsg),
    /// A feed's counters and latest-value cells (see [`crate::feed::Inbox`]).
    Stats {
        feed: FeedId,
        bytes: u64,
        dropped: u64,
        /// `None` until the stream sets one (the pane starts from the configured one).
        last_event_id: Option<crate::sse::FieldStr>,
        retry_ms: Option<u64>,
        comments: u64,
    },
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// The config file was loaded again (see [`super::reload`]).
    Reload(Reload),
    Resize(u16, u16),
    Tick,
    /// An alert command finished.
    AlertCommand(CommandDone),
    /// A desktop notification could not be shown, and why.
    NotifyFailed(String),
    /// A line for the footer (what an export wrote, why a recording stopped).
    Notice(String),
    /// Recording to this file, or not.
    Recording(Option<String>),
    /// Where the replay is.
    Replay(crate::record::replay::Position),
}

#[derive(Debug)]
pub struct App {
    pub panes: Vec<Pane>,
    pub focus: usize,
    pub zoomed: bool,
    pub mode: Mode,
    pub themes: Vec<Theme>,
    pub theme: usize,
    /// Terminal size.
    pub width: u16,
    pub height: u16,
    /// The time of the last update; drawing uses it so a frame is a pure function of state.
    pub now: Instant,
    /// Time zone for event times (UTC in tests, so snapshots are stable).
    pub tz: jiff::tz::TimeZone,
    /// A short message in the footer (e.g. the theme just picked), until it expires.
    pub notice: Option<(String, Instant)>,
    /// Something changed since the last frame.
    pub dirty: bool,
    /// When the dashboard started: the origin of its redraw ticks.
    pub started: Instant,
    /// Filters kept this session, for Up/Down in the filter prompt.
    pub filter_history: History,
    pub view: View,
    pub overview: Overview,
    /// The starting view is picked at the first size the terminal reports.
    view_picked: bool,
    /// `[[alert]]`s: the engine, the log and the actions waiting for the event loop.
    pub alerts: Alerts,
    pub reload: ReloadState,
    pub clicks: Clicks,
    /// The file being recorded to (the title bar shows ● REC).
    pub recording: Option<String>,
    /// The position of a replay (the title bar shows it; Space and ← → steer it).
    pub replay: Option<crate::record::replay::Position>,
}

pub(super) const NOTICE_FOR: Duration = Duration::from_secs(3);

impl App {
    pub fn new(specs: &[FeedSpec], themes: Vec<Theme>, theme: usize, now: Instant) -> Self {
        App {
            panes: specs.iter().map(|s| Pane::new(s, now)).collect(),
            focus: 0,
            zoomed: false,
            mode: Mode::Normal,
            theme: theme.min(themes.len().saturating_sub(1)),
            themes,
            width: 80,
            height: 24,
            now,
            tz: jiff::tz::TimeZone::system(),
            notice: None,
            dirty: true,
            started: now,
            filter_history: History::default(),
            view: View::Panes,
            overview: Overview::default(),
            view_picked: false,
            alerts: Alerts::new(
                Vec::new(),
                specs.iter().map(|s| s.name.clone()).collect(),
                now,
            ),
            reload: ReloadState::default(),
            clicks: Clicks::default(),
            recording: None,
            replay: None,
        }
    }

    /// Watches these alerts from now on.
    pub fn set_alerts(&mut self, alerts: Vec<AlertSpec>, now: Instant) {
        let names = self.panes.iter().map(|p| p.name.clone()).collect();
        self.alerts = Alerts::new(alerts, names, now);
    }

    pub fn theme(&self) -> &Theme {
        &self.themes[self.theme]
    }

    pub fn focused(&self) -> Option<&Pane> {
        self.panes.get(self.focus)
    }

    pub(super) fn focused_mut(&mut self) -> Option<&mut Pane> {
        self.panes.get_mut(self.focus)
    }

    /// Applies one message; returns what the event loop must do.
    pub fn update(&mut self, msg: Msg, now: Instant) -> Option<Action> {
        // A state change or a new size is applied to the overview at once; event traffic
        // and ticks only make its order stale.
        let at_once = matches!(msg, Msg::Resize(..) | Msg::Feed(_, FeedMsg::State(_)));
        let traffic = matches!(msg, Msg::Feed(..) | Msg::Stats { .. } | Msg::Tick);
        let first_size = !self.view_picked && matches!(msg, Msg::Resize(..));
        let views_due = matches!(msg, Msg::Key(_) | Msg::Tick);
        let action = self.apply(msg, now);
        if views_due {
            // A key may have changed a board's sort or filter; a tick brings a due reorder.
            self.panes.iter_mut().for_each(|p| p.refresh_views(now));
        }
        if first_size {
            self.pick_view(now);
        }
        self.overview.stale |= traffic || at_once;
        if self.view == View::Overview
            && (at_once
                || (self.overview.stale
                    && self
                        .overview
                        .sorted_at
                        .is_none_or(|t| now >= t + RESORT_EVERY)))
        {
            self.refresh_overview(now);
        }
        action
    }

    /// The dashboard starts in the overview when the feeds do not all fit on one page of
    /// panes, else in the panes.
    fn pick_view(&mut self, now: Instant) {
        self.view_picked = true;
        let body = self.body();
        if self.panes.len() > layout::per_page(self.panes.len(), body) {
            self.view = View::Overview;
            self.refresh_overview(now);
        }
    }

    /// Sorts and filters the overview's rows again, keeping the focused feed selected.
    pub(super) fn refresh_overview(&mut self, now: Instant) {
        if let Some(focus) = self.overview.refresh(&self.panes, self.focus, now) {
            self.focus = focus;
        }
        self.overview
            .scroll_into_view(super::overview::table_rows(self.height));
    }

    fn apply(&mut self, msg: Msg, now: Instant) -> Option<Action> {
        self.now = now;
        // Silences, states held and rates are judged when due, whatever woke the loop.
        self.dirty |= self.alerts.tick(now);
        match msg {
            Msg::AlertCommand(done) => {
                self.alerts.command_done(done, now);
                self.dirty = true;
                None
            }
            Msg::NotifyFailed(why) => {
                self.alerts.notify_failed(why, now);
                self.dirty = true;
                None
            }
            Msg::Feed(id, feed_msg) => {
                self.on_feed(id, feed_msg, now);
                None
            }
            Msg::Stats {
                feed,
                bytes,
                dropped,
                last_event_id,
                retry_ms,
                comments,
            } => {
                if let Some(p) = self.panes.get_mut(feed.0) {
                    let id = last_event_id.unwrap_or_else(|| p.last_event_id.clone());
                    let retry_ms = retry_ms.or(p.retry_ms);
                    if p.bytes != bytes
                        || p.dropped != dropped
                        || p.last_event_id != id
                        || p.retry_ms != retry_ms
                        || p.comments != comments
                    {
                        p.bytes = bytes;
                        p.dropped = dropped;
                        p.last_event_id = id;
                        p.retry_ms = retry_ms;
                        p.comments = comments;
                        self.dirty = true;
                    }
                }
                None
            }
            Msg::Key(key) => {
                if key.kind == KeyEventKind::Release {
                    return None;
                }
                self.dirty = true;
                self.on_key(key)
            }
            Msg::Mouse(m) => self.on_mouse(m, now),
            Msg::Reload(reload) => {
                self.on_reload(reload, now);
                None
            }
            Msg::Resize(w, h) => {
                self.width = w;
                self.height = h;
                if let Mode::Detail(view) = &self.mode {
                    self.mode = Mode::Detail(view.rewrapped(self.detail_width()));
                }
                self.dirty = true;
                None
            }
            Msg::Notice(text) => {
                self.notify(&text);
                self.dirty = true;
                None
            }
            Msg::Recording(path) => {
                self.recording = path;
                self.dirty = true;
                None
            }
            Msg::Replay(position) => {
                self.replay = Some(position);
                self.dirty = true;
                None
            }
            Msg::Tick => {
                if self.notice.as_ref().is_some_and(|(_, until)| *until <= now) {
                    self.notice = None;
                }
                self.dirty = true;
                None
            }
        }
    }

    fn on_feed(&mut self, id: FeedId, msg: FeedMsg, now: Instant) {
        let Some(pane) = self.panes.get_mut(id.0) else {
            return;
        };
        match msg {
            FeedMsg::State(change) => {
                pane.on_state(&change, now);
                let state = crate::alert::StateName::of(&change.state);
                self.alerts.on_state(id.0, state, now);
            }
            FeedMsg::Event { event, at } => {
                let seq = pane.next_seq;
                if self.alerts.is_empty() {
                    pane.on_event(event, at, now);
                } else {
                    pane.on_event(event.clone(), at, now);
                    self.alerts.on_event(id.0, seq, &event, now);
                }
            }
            // Counted by the queue (Msg::Stats); the dashboard does not ask for comments.
            FeedMsg::Comment { .. } => {}
        }
        self.dirty = true;
    }

    /// Text columns of the detail view (the screen less its border).
    pub fn detail_width(&self) -> u16 {
        self.width.saturating_sub(2)
    }

    /// Rows of text the detail view shows at once (title bar, footer and border taken off).
    pub fn detail_rows(&self) -> usize {
        usize::from(self.height.saturating_sub(4)).max(1)
    }

    /// Where the panes are on screen now.
    pub fn layout(&self) -> PaneLayout {
        layout::panes(self.panes.len(), self.focus, self.zoomed, self.body())
    }

    /// Where the panes (or the overview) go: below the title bar, above the footer and the
    /// banner of a config that was not reloaded.
    pub fn body(&self) -> Rect {
        super::render::banner::above(self, layout::body(Rect::new(0, 0, self.width, self.height)))
    }

    /// When the screen must be redrawn even if nothing arrives: a countdown (tenths of a
    /// second) or an age / uptime (whole seconds) on screen. `None`: nothing time-based shows.
    pub fn next_wake(&self, now: Instant) -> Option<Instant> {
        // Every pane's clock ticks on one grid from the start, so panes whose seconds began
        // at different moments still share one redraw a second.
        let mut step: Option<Duration> = None;
        let mut need = |d: Duration| step = Some(step.map_or(d, |s| s.min(d)));
        let shown: Vec<usize> = match self.view {
            View::Panes => self.layout().slots.iter().map(|(i, _)| *i).collect(),
            View::Overview => self
                .overview
                .rows
                .iter()
                .skip(self.overview.first)
                .take(super::overview::table_rows(self.height))
                .copied()
                .collect(),
        };
        if self.replay.is_some_and(|p| !p.paused && !p.ended) {
            need(Duration::from_secs(1));
        }
        for idx in shown {
            let pane = &self.panes[idx];
            match &pane.state {
                ConnState::Waiting { retry_at, .. } => {
                    let left = retry_at.saturating_duration_since(now);
                    // Below ten seconds the countdown shows tenths.
                    need(if left < Duration::from_secs(10) {
                        Duration::from_millis(100)
                    } else {
                        Duration::from_secs(1)
                    });
                }
                ConnState::Open | ConnState::Connecting => need(Duration::from_secs(1)),
                ConnState::Closed | ConnState::Failed => {
                    if pane.last_event_at.is_some_and(|at| {
                        now.saturating_duration_since(at) < Duration::from_secs(3600)
                    }) {
                        need(Duration::from_secs(1));
                    }
                }
            }
        }
        let tick = step.map(|step| self.next_on_grid(now, step));
        let notice = self.notice.as_ref().map(|(_, until)| *until);
        [tick, notice, self.alerts.next_due()]
            .into_iter()
            .flatten()
            .min()
    }

    /// The first multiple of `step` after `now`, counted from the dashboard's start.
    fn next_on_grid(&self, now: Instant, step: Duration) -> Instant {
        let elapsed = now.saturating_duration_since(self.started).as_nanos();
        let step_ns = step.as_nanos().max(1);
        let next = (elapsed / step_ns + 1) * step_ns;
        self.started + Duration::from_nanos(next as u64)
    }
}
