//! The dashboard's state and all its logic. `App::update` takes messages (feed messages, keys,
//! resizes, ticks) and changes state; it does no I/O. What must happen outside (a command to a
//! feed task, quitting) comes back as [`Action`]s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

use super::layout::{self, PaneLayout};
use super::pane::Pane;
use super::theme::Theme;
use crate::feed::{Command, ConnState, FeedId, FeedMsg, FeedSpec};

/// What the user is doing, which decides what keys mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a filter (`/`); applied as it is typed.
    Filter {
        input: String,
    },
    /// Picking event types to show (`t`); `cursor` indexes the type list.
    Types {
        cursor: usize,
    },
    /// One event in full (`Enter`).
    Detail {
        seq: u64,
        scroll: u16,
    },
    Help,
}

/// Something the event loop must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Feed(FeedId, Command),
    Quit,
}

/// Everything that can change the dashboard.
#[derive(Debug, Clone)]
pub enum Msg {
    Feed(FeedId, FeedMsg),
    /// Byte and drop counters of a feed's queue.
    Stats {
        feed: FeedId,
        bytes: u64,
        dropped: u64,
    },
    Key(KeyEvent),
    Resize(u16, u16),
    Tick,
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
}

const NOTICE_FOR: Duration = Duration::from_secs(3);

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
        }
    }

    pub fn theme(&self) -> &Theme {
        &self.themes[self.theme]
    }

    pub fn focused(&self) -> Option<&Pane> {
        self.panes.get(self.focus)
    }

    fn focused_mut(&mut self) -> Option<&mut Pane> {
        self.panes.get_mut(self.focus)
    }

    /// Applies one message; returns what the event loop must do.
    pub fn update(&mut self, msg: Msg, now: Instant) -> Option<Action> {
        self.now = now;
        match msg {
            Msg::Feed(id, feed_msg) => {
                self.on_feed(id, feed_msg, now);
                None
            }
            Msg::Stats {
                feed,
                bytes,
                dropped,
            } => {
                if let Some(p) = self.panes.get_mut(feed.0)
                    && (p.bytes != bytes || p.dropped != dropped)
                {
                    p.bytes = bytes;
                    p.dropped = dropped;
                    self.dirty = true;
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
            Msg::Resize(w, h) => {
                self.width = w;
                self.height = h;
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
            FeedMsg::State(change) => pane.on_state(&change, now),
            FeedMsg::Event { event, at } => pane.on_event(event, at, now),
            FeedMsg::Comment { .. } => pane.comments += 1,
            FeedMsg::Retry(ms) => pane.retry_ms = Some(ms),
            FeedMsg::LastEventId(id) => pane.last_event_id = id,
        }
        self.dirty = true;
    }

    /// Where the panes are on screen now.
    pub fn layout(&self) -> PaneLayout {
        layout::panes(
            self.panes.len(),
            self.focus,
            self.zoomed,
            layout::body(Rect::new(0, 0, self.width, self.height)),
        )
    }

    /// Rows of the focused pane's event list (for PgUp/PgDn).
    fn page_rows(&self) -> isize {
        let layout = self.layout();
        let rows = layout
            .slots
            .iter()
            .find(|(i, _)| *i == self.focus)
            .map(|(_, r)| layout::list_rows(*r))
            .unwrap_or(10);
        rows.max(1) as isize
    }

    fn on_key(&mut self, key: KeyEvent) -> Option<Action> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(key.code, KeyCode::Char('c')) {
            return Some(Action::Quit);
        }
        match self.mode.clone() {
            Mode::Normal => self.on_key_normal(key),
            Mode::Filter { input } => {
                self.on_key_filter(key, input);
                None
            }
            Mode::Types { cursor } => {
                self.on_key_types(key, cursor);
                None
            }
            Mode::Detail { seq, scroll } => {
                self.on_key_detail(key, seq, scroll);
                None
            }
            Mode::Help => {
                if matches!(
                    key.code,
                    KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::Enter
                ) {
                    self.mode = Mode::Normal;
                }
                None
            }
        }
    }

    fn on_key_normal(&mut self, key: KeyEvent) -> Option<Action> {
        let page = self.page_rows();
        let n = self.panes.len();
        match key.code {
            KeyCode::Char('q') => return Some(Action::Quit),
            KeyCode::Char('?') => self.mode = Mode::Help,
            KeyCode::Tab if n > 0 => self.focus = (self.focus + 1) % n,
            KeyCode::BackTab if n > 0 => self.focus = (self.focus + n - 1) % n,
            KeyCode::Char(c @ '1'..='9') => {
                let idx = c as usize - '1' as usize;
                if idx < n {
                    self.focus = idx;
                }
            }
            KeyCode::Char('j') | KeyCode::Down => self.scroll(1),
            KeyCode::Char('k') | KeyCode::Up => self.scroll(-1),
            KeyCode::PageDown => self.scroll(page),
            KeyCode::PageUp => self.scroll(-page),
            KeyCode::Char('g') | KeyCode::Home => {
                if let Some(p) = self.focused_mut() {
                    p.scroll_to_top();
                }
            }
            KeyCode::Char('G') | KeyCode::End => {
                if let Some(p) = self.focused_mut() {
                    p.follow();
                }
            }
            KeyCode::Char(' ') => {
                if let Some(p) = self.focused_mut() {
                    p.toggle_pause();
                }
            }
            KeyCode::Char('/') => {
                let input = self
                    .focused()
                    .and_then(|p| p.filter.as_ref())
                    .map(|f| f.pattern.clone())
                    .unwrap_or_default();
                self.mode = Mode::Filter { input };
            }
            KeyCode::Esc => {
                if let Some(p) = self.focused_mut() {
                    if p.filter.is_some() {
                        p.set_filter("");
                    } else {
                        p.follow();
                    }
                }
            }
            KeyCode::Char('t') => {
                if self.focused().is_some_and(|p| !p.by_type.is_empty()) {
                    self.mode = Mode::Types { cursor: 0 };
                } else {
                    self.notify("no event types yet");
                }
            }
            KeyCode::Enter => {
                if let Some(seq) = self
                    .focused()
                    .and_then(|p| p.current_event())
                    .map(|e| e.seq)
                {
                    self.mode = Mode::Detail { seq, scroll: 0 };
                }
            }
            KeyCode::Char('z') => self.zoomed = !self.zoomed,
            KeyCode::Char('r') if n > 0 => {
                return Some(Action::Feed(FeedId(self.focus), Command::ReconnectNow));
            }
            KeyCode::Char('d') if n > 0 => {
                let pane = &mut self.panes[self.focus];
                let command = if pane.user_disconnected || pane.state.is_final() {
                    Command::Connect
                } else {
                    pane.user_disconnected = true;
                    Command::Disconnect
                };
                return Some(Action::Feed(FeedId(self.focus), command));
            }
            KeyCode::Char('c') => {
                if let Some(p) = self.focused_mut() {
                    p.clear();
                }
            }
            KeyCode::Char('T') => {
                self.theme = (self.theme + 1) % self.themes.len().max(1);
                let name = self.theme().name.clone();
                self.notify(&format!("theme: {name}"));
            }
            _ => self.dirty = false,
        }
        None
    }

    fn scroll(&mut self, delta: isize) {
        if let Some(p) = self.focused_mut() {
            p.scroll(delta);
        }
    }

    fn notify(&mut self, text: &str) {
        self.notice = Some((text.to_string(), self.now + NOTICE_FOR));
    }

    fn on_key_filter(&mut self, key: KeyEvent, mut input: String) {
        match key.code {
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                return;
            }
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                if let Some(p) = self.focused_mut() {
                    p.set_filter("");
                }
                return;
            }
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => input.clear(),
            KeyCode::Char(c) if !c.is_control() => input.push(c),
            _ => return,
        }
        if let Some(p) = self.focused_mut() {
            p.set_filter(&input);
        }
        self.mode = Mode::Filter { input };
    }

    fn on_key_types(&mut self, key: KeyEvent, cursor: usize) {
        let types: Vec<Arc<str>> = self
            .focused()
            .map(|p| p.type_counts().into_iter().map(|(t, _)| t).collect())
            .unwrap_or_default();
        let n = types.len();
        match key.code {
            KeyCode::Char('j') | KeyCode::Down if n > 0 => {
                self.mode = Mode::Types {
                    cursor: (cursor + 1).min(n - 1),
                };
            }
            KeyCode::Char('k') | KeyCode::Up => {
                self.mode = Mode::Types {
                    cursor: cursor.saturating_sub(1),
                };
            }
            KeyCode::Char(' ') | KeyCode::Char('x') => {
                if let Some(t) = types.get(cursor)
                    && let Some(p) = self.focused_mut()
                {
                    p.toggle_type(t);
                }
            }
            KeyCode::Char('a') => {
                if let Some(p) = self.focused_mut() {
                    p.hidden_types.clear();
                    p.refilter();
                }
            }
            KeyCode::Char('o') => {
                // Only this type.
                if let Some(t) = types.get(cursor)
                    && let Some(p) = self.focused_mut()
                {
                    p.hidden_types = types.iter().filter(|x| *x != t).cloned().collect();
                    p.refilter();
                }
            }
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('t' | 'q') => self.mode = Mode::Normal,
            _ => {}
        }
    }

    fn on_key_detail(&mut self, key: KeyEvent, seq: u64, scroll: u16) {
        let page = (self.height.saturating_sub(8)).max(1);
        let scroll = match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
                self.mode = Mode::Normal;
                return;
            }
            KeyCode::Char('j') | KeyCode::Down => scroll.saturating_add(1),
            KeyCode::Char('k') | KeyCode::Up => scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => scroll.saturating_add(page),
            KeyCode::PageUp => scroll.saturating_sub(page),
            KeyCode::Char('g') | KeyCode::Home => 0,
            KeyCode::Char('n') | KeyCode::Char('p') => {
                // Next / previous event of the list, staying in the detail view.
                if let Some(pane) = self.focused() {
                    let shown: Vec<u64> = pane.shown().collect();
                    if let Ok(pos) = shown.binary_search(&seq) {
                        let next = if key.code == KeyCode::Char('n') {
                            shown.get(pos + 1)
                        } else {
                            pos.checked_sub(1).and_then(|p| shown.get(p))
                        };
                        if let Some(&next) = next {
                            self.mode = Mode::Detail {
                                seq: next,
                                scroll: 0,
                            };
                            if let Some(p) = self.focused_mut() {
                                p.selected = Some(next);
                            }
                        }
                    }
                }
                return;
            }
            _ => return,
        };
        self.mode = Mode::Detail { seq, scroll };
    }

    /// When the screen must be redrawn even if nothing arrives: a countdown (tenths of a
    /// second) or an age / uptime (whole seconds) on screen. `None`: nothing time-based shows.
    pub fn next_wake(&self, now: Instant) -> Option<Instant> {
        // Every pane's clock ticks on one grid from the start, so panes whose seconds began
        // at different moments still share one redraw a second.
        let mut step: Option<Duration> = None;
        let mut need = |d: Duration| step = Some(step.map_or(d, |s| s.min(d)));
        for (idx, _) in &self.layout().slots {
            let pane = &self.panes[*idx];
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
        match (tick, notice) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The first multiple of `step` after `now`, counted from the dashboard's start.
    fn next_on_grid(&self, now: Instant, step: Duration) -> Instant {
        let elapsed = now.saturating_duration_since(self.started).as_nanos();
        let step_ns = step.as_nanos().max(1);
        let next = (elapsed / step_ns + 1) * step_ns;
        self.started + Duration::from_nanos(next as u64)
    }
}
