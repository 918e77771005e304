//! The state of one feed's pane: its events (a bounded ring), counters, filter and view.
//!
//! Everything a frame needs is kept up to date here as messages arrive, so drawing only reads:
//! the filtered list is maintained incrementally, counters are exact even after the ring has
//! dropped old events, and the rate history is a fixed 60-second ring.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::feed::{ConnState, FeedSpec, StateChange};
use crate::sse::Event;
use crate::view::FeedExprs;

use super::board::Board;
use super::events::EventRing;
pub use super::events::{ID_LABEL_CHARS, LINE_CHARS, StoredEvent, TYPE_LABEL_CHARS};
pub use super::filter::TextFilter;
pub use super::rate::{RATE_SECONDS, RateHistory};
use super::transcript::Transcript;
pub use super::views::{ColumnHead, EventExtra, Extras};
pub use super::visible::Visible;

/// Event data a pane keeps at most, in bytes (see [`Pane::capacity_bytes`]).
pub const PANE_BYTES: usize = 64 << 20;
/// Distinct event types counted by name; more go to an `other` bucket.
pub const MAX_TYPES: usize = 32;

/// Which event types a pane shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeFilter {
    All,
    /// All but these.
    Hide(Vec<Arc<str>>),
    /// These only: a type that arrives later stays hidden.
    Only(Vec<Arc<str>>),
}

impl TypeFilter {
    pub fn shows(&self, event_type: &str) -> bool {
        match self {
            TypeFilter::All => true,
            TypeFilter::Hide(list) => !list.iter().any(|t| &**t == event_type),
            TypeFilter::Only(list) => list.iter().any(|t| &**t == event_type),
        }
    }
}

/// What a pane draws: its event list or one of its feed's views (`v` cycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneView {
    List,
    Board,
    Transcript,
}

/// One feed's pane.
#[derive(Debug, Clone)]
pub struct Pane {
    pub name: String,
    pub url: String,
    /// Events kept at most.
    pub capacity: usize,
    /// Bytes of event data kept at most: `buffer` events of `max_event_bytes` each could be
    /// gigabytes, so the oldest also go when the kept data passes this.
    pub capacity_bytes: usize,
    /// Bytes of event text (id, data and what else an event keeps) held now.
    pub kept_bytes: usize,
    pub events: EventRing,
    /// `seq`s of the kept events that pass the filters, oldest first.
    pub visible: Visible,
    pub next_seq: u64,

    // Connection.
    pub state: ConnState,
    pub attempt: u32,
    pub status: Option<u16>,
    pub reason: Option<String>,
    /// When the current state began.
    pub since: Instant,
    /// Times the feed connected again after its first attempt.
    pub reconnects: u64,
    pub last_event_id: crate::sse::FieldStr,
    /// The server's `retry:` in ms, if it sent one.
    pub retry_ms: Option<u64>,
    /// The user disconnected this feed (`d`).
    pub user_disconnected: bool,

    // Counters (exact: they do not shrink when the ring drops events).
    pub total: u64,
    pub by_type: BTreeMap<crate::sse::FieldStr, u64>,
    pub other_types: u64,
    pub last_event_at: Option<Instant>,
    pub bytes: u64,
    /// Dropped from the ring buffer (the oldest, to make room).
    pub evicted: u64,
    /// Dropped before reaching the pane because the queue was full (a flood).
    pub dropped: u64,
    pub comments: u64,
    pub rate: RateHistory,

    // View.
    pub filter: Option<TextFilter>,
    /// Event types hidden with the type picker.
    pub types_shown: TypeFilter,
    /// `seq` of the selected event, or `None` to follow the newest.
    pub selected: Option<u64>,
    /// Paused: the list shows events before this `seq` only.
    pub paused_at: Option<u64>,
    /// Connection attempts seen (the first is not a reconnect).
    attempts_seen: u64,

    // Views (see `views.rs`): only feeds with expressions have any of these.
    pub view: PaneView,
    /// The views `v` cycles through, the configured one first.
    pub views: Vec<PaneView>,
    pub board: Option<Box<Board>>,
    pub transcript: Option<Box<Transcript>>,
    /// What the list shows of each kept event besides its text (columns, error mark).
    pub extras: Option<Box<Extras>>,
    /// Events that matched `error_when`.
    pub errors: u64,
    /// The list's columns (and the board's), when the feed's view has any.
    pub columns: Vec<ColumnHead>,
    /// The feed's expressions (views, `type_from`, `error_when`, highlights).
    pub exprs: Arc<FeedExprs>,
}

impl Pane {
    pub fn new(spec: &FeedSpec, now: Instant) -> Self {
        Pane {
            name: spec.name.clone(),
            url: crate::redact::masked_url(&spec.url),
            capacity: spec.buffer.max(1),
            capacity_bytes: PANE_BYTES,
            kept_bytes: 0,
            events: EventRing::default(),
            visible: Visible::default(),
            next_seq: 0,
            state: ConnState::Connecting,
            attempt: 1,
            status: None,
            reason: None,
            since: now,
            reconnects: 0,
            last_event_id: spec.last_event_id.as_deref().unwrap_or("").into(),
            retry_ms: None,
            user_disconnected: false,
            total: 0,
            by_type: BTreeMap::new(),
            other_types: 0,
            last_event_at: None,
            bytes: 0,
            evicted: 0,
            dropped: 0,
            comments: 0,
            rate: RateHistory::new(now),
            filter: None,
            types_shown: TypeFilter::All,
            selected: None,
            paused_at: None,
            attempts_seen: 0,
            view: PaneView::List,
            views: vec![PaneView::List],
            board: None,
            transcript: None,
            extras: None,
            errors: 0,
            columns: Vec::new(),
            exprs: spec.exprs.clone(),
        }
        .with_views(now)
    }

    pub fn on_state(&mut self, change: &StateChange, now: Instant) {
        if change.state == ConnState::Connecting {
            if self.attempts_seen > 0 {
                self.reconnects += 1;
            }
            self.attempts_seen += 1;
        }
        if change.state != ConnState::Connecting || self.state != ConnState::Connecting {
            self.since = now;
        }
        if change.state == ConnState::Connecting {
            self.user_disconnected = false;
        }
        self.on_state_views(change, now);
        self.state = change.state.clone();
        self.attempt = change.attempt;
        self.status = change.status;
        self.reason = change.reason.clone();
    }

    pub fn on_event(&mut self, mut event: Event, at: SystemTime, now: Instant) {
        // The feed's expressions run once, here, on arrival (never when drawing).
        // (A pane has extras exactly when its feed has expressions to run.)
        let derived = self.extras.is_some().then(|| self.exprs.derive(&event));
        if let Some(t) = derived.as_ref().and_then(|d| d.event_type.clone()) {
            event.event_type = t;
        }
        self.total += 1;
        self.last_event_at = Some(now);
        self.last_event_id = event.id.clone();
        self.rate.add(now, 1);
        if let Some(n) = self.by_type.get_mut(&*event.event_type) {
            *n += 1;
        } else if self.by_type.len() < MAX_TYPES {
            self.by_type.insert(event.event_type.clone(), 1);
        } else {
            self.other_types += 1;
        }
        let slot = self.events.slot(
            &event.event_type,
            &event.id,
            &event.data,
            (event.truncated, event.type_truncated, event.id_truncated),
            at,
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.events.len() >= self.capacity {
            self.evict_oldest();
        }
        self.kept_bytes += slot.text_len();
        while self.kept_bytes > self.capacity_bytes && !self.events.is_empty() {
            self.evict_oldest();
        }
        let passes = self.passes_new(&self.events.view(&slot, seq), derived.as_ref());
        if passes {
            self.visible.push_back(seq, self.capacity);
        }
        self.events.push(slot, self.capacity);
        if let Some(d) = derived {
            self.on_derived(d, seq, passes, now);
        }
    }

    fn evict_oldest(&mut self) {
        if let Some((seq, text_len)) = self.events.pop_front() {
            self.evicted += 1;
            self.kept_bytes -= text_len;
            if let Some(extras) = &mut self.extras {
                extras.pop_front(seq);
            }
            if self.visible.front() == Some(seq) {
                self.visible.pop_front();
            }
            if self.selected == Some(seq) {
                self.selected = self.visible.front();
            }
        }
    }

    /// Whether an event passes the type and text filters.
    pub fn passes(&self, event: &StoredEvent) -> bool {
        if !self.types_shown.shows(event.event_type) {
            return false;
        }
        self.filter.as_ref().is_none_or(|f| f.matches(event))
    }

    /// Rebuilds the filtered list after a filter change.
    pub fn refilter(&mut self) {
        self.refilter_views();
        self.visible = if self.filter.is_none() && self.types_shown == TypeFilter::All {
            Visible::All {
                first: self.next_seq - self.events.len() as u64,
                end: self.next_seq,
            }
        } else {
            Visible::List(
                self.events
                    .iter()
                    .filter(|e| self.passes(e))
                    .map(|e| e.seq)
                    .collect(),
            )
        };
        if let Some(sel) = self.selected
            && !self.visible.contains(sel)
        {
            // Keep the selection near where it was.
            let pos = self.visible.partition_point(|s| s < sel);
            self.selected = self
                .visible
                .get(pos.min(self.visible.len().saturating_sub(1)));
        }
    }

    pub fn set_filter(&mut self, pattern: &str) {
        self.filter = if pattern.is_empty() {
            None
        } else {
            Some(TextFilter::new(pattern))
        };
        self.refilter();
    }

    /// Shows or hides one type (Space in the type picker).
    pub fn toggle_type(&mut self, event_type: &str) {
        let toggle = |list: &mut Vec<Arc<str>>| match list.iter().position(|t| **t == *event_type) {
            Some(pos) => {
                list.remove(pos);
            }
            None => list.push(Arc::from(event_type)),
        };
        match &mut self.types_shown {
            TypeFilter::All => self.types_shown = TypeFilter::Hide(vec![Arc::from(event_type)]),
            TypeFilter::Hide(list) => {
                toggle(list);
                if list.is_empty() {
                    self.types_shown = TypeFilter::All;
                }
            }
            TypeFilter::Only(list) => toggle(list),
        }
        self.refilter();
    }

    /// Shows this type only, including types that have not arrived yet (`o`).
    pub fn only_type(&mut self, event_type: &str) {
        self.types_shown = TypeFilter::Only(vec![Arc::from(event_type)]);
        self.refilter();
    }

    /// Shows every type again (`a`).
    pub fn show_all_types(&mut self) {
        self.types_shown = TypeFilter::All;
        self.refilter();
    }

    pub fn event(&self, seq: u64) -> Option<StoredEvent<'_>> {
        self.events.get(seq)
    }

    /// The newest kept event's data as the list shows it: one safe line of at most
    /// [`LINE_CHARS`] characters, made from a bounded head of the data.
    pub fn last_line(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.events.back().map(|e| e.line())
    }

    /// The `seq`s the list shows: the visible ones, up to the pause point.
    pub fn shown(&self) -> impl DoubleEndedIterator<Item = u64> + ExactSizeIterator + '_ {
        let end = match self.paused_at {
            Some(p) => self.visible.partition_point(|s| s < p),
            None => self.visible.len(),
        };
        self.visible.head(end)
    }

    pub fn shown_len(&self) -> usize {
        self.shown().len()
    }

    /// Events that arrived (and pass the filters) since the view was paused.
    pub fn waiting_while_paused(&self) -> usize {
        match self.paused_at {
            Some(_) => self.visible.len() - self.shown_len(),
            None => 0,
        }
    }

    /// Index (within `shown`) of the highlighted row: the selection, or the newest when following.
    pub fn cursor(&self) -> Option<usize> {
        let n = self.shown_len();
        if n == 0 {
            return None;
        }
        match self.selected {
            Some(sel) => {
                let pos = self.visible.partition_point(|s| s < sel);
                Some(pos.min(n - 1))
            }
            None => Some(n - 1),
        }
    }

    /// The selected event (or the newest one shown).
    pub fn current_event(&self) -> Option<StoredEvent<'_>> {
        let idx = self.cursor()?;
        let seq = self.shown().nth(idx)?;
        self.event(seq)
    }

    /// Moves the selection by `delta` rows; reaching the newest row follows again.
    pub fn scroll(&mut self, delta: isize) {
        if self.scroll_view(delta) {
            return;
        }
        let n = self.shown_len();
        let Some(cur) = self.cursor() else {
            return;
        };
        let target = cur.saturating_add_signed(delta).min(n - 1);
        if target + 1 >= n && delta > 0 && self.paused_at.is_none() {
            self.selected = None;
        } else {
            let seq = self.shown().nth(target);
            self.selected = seq;
        }
    }

    /// The first of the shown events a list `rows` high starts at: the newest page while
    /// following, else a page around the selection. Drawing and mouse clicks agree through it.
    pub fn first_shown(&self, rows: usize) -> usize {
        let n = self.shown_len();
        let cursor = self.cursor().unwrap_or(n.saturating_sub(1));
        if self.is_following() && self.paused_at.is_none() {
            n.saturating_sub(rows)
        } else {
            cursor.saturating_sub(rows / 2).min(n.saturating_sub(rows))
        }
    }

    pub fn scroll_to_top(&mut self) {
        if self.jump_view(false) {
            return;
        }
        let first = self.shown().next();
        self.selected = first;
    }

    pub fn follow(&mut self) {
        if self.jump_view(true) {
            return;
        }
        self.selected = None;
    }

    pub fn is_following(&self) -> bool {
        self.selected.is_none()
    }

    pub fn toggle_pause(&mut self) {
        if self.paused_at.is_some() {
            self.paused_at = None;
        } else {
            self.paused_at = Some(self.next_seq);
        }
    }

    /// `c`: forgets the kept events (counters stay: they describe the feed, not the view).
    pub fn clear(&mut self) {
        self.events.clear(self.next_seq);
        self.kept_bytes = 0;
        if let Some(extras) = &mut self.extras {
            extras.clear(self.next_seq);
        }
        if let Some(board) = &mut self.board {
            board.clear();
        }
        if let Some(transcript) = &mut self.transcript {
            transcript.clear();
        }
        self.visible = match self.visible {
            Visible::All { .. } => Visible::All {
                first: self.next_seq,
                end: self.next_seq,
            },
            Visible::List(_) => Visible::List(VecDeque::new()),
        };
        self.selected = None;
        if self.paused_at.is_some() {
            self.paused_at = Some(self.next_seq);
        }
    }

    /// Types with their counts, most frequent first.
    pub fn type_counts(&self) -> Vec<(crate::sse::FieldStr, u64)> {
        let mut v: Vec<_> = self.by_type.iter().map(|(k, n)| (k.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// How long until the next attempt, while waiting.
    pub fn countdown(&self, now: Instant) -> Option<Duration> {
        match &self.state {
            ConnState::Waiting { retry_at, .. } => Some(retry_at.saturating_duration_since(now)),
            _ => None,
        }
    }
}

impl Pane {
    /// The detail view of one of this pane's events, with its expressions' errors if any.
    pub fn detail_view(
        &self,
        event: &StoredEvent,
        tz: &jiff::tz::TimeZone,
        width: u16,
    ) -> super::detail::DetailView {
        self.with_expr_errors(super::detail::DetailView::new(&self.name, event, tz, width))
    }

    /// `view` with what the feed's expressions failed with on its event, if anything.
    pub fn with_expr_errors(&self, view: super::detail::DetailView) -> super::detail::DetailView {
        match self
            .extras
            .as_ref()
            .and_then(|x| x.get(view.seq))
            .and_then(|x| x.errors.as_deref())
        {
            Some(errors) => view.with_errors(errors),
            None => view,
        }
    }
}
