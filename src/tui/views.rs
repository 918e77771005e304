//! What a pane keeps for its feed's views, besides the compact event ring: per kept event,
//! its column values and marks ([`Extras`], only for feeds that have expressions, so plain
//! list panes pay nothing), and the `v` cycle.

use std::collections::VecDeque;
use std::time::Instant;

use ratatui::style::Style;

use super::board::{Board, Sort, Update as BoardUpdate};
use super::events::reserve_up_to;
use super::pane::{Pane, PaneView, StoredEvent};
use super::transcript::Update as TranscriptUpdate;
use crate::feed::{ConnState, StateChange};
use crate::highlight::{self, Mark};
use crate::view::{Align, BoardSort, Derived, HighlightMatch, ViewKind};

/// The title of the list's first column when the feed has a key (as on the board).
pub const KEY_TITLE: &str = "key";

/// The most of a column value kept per event (a list row shows far less).
pub const CELL_CHARS: usize = 256;

/// A column of the list and the board: its title and alignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnHead {
    pub title: String,
    pub right: bool,
}

impl Pane {
    /// Sets up what the feed's expressions ask for: columns, a board or a transcript, and the
    /// per-event extras (none for a feed without expressions: its list costs what it did).
    pub(super) fn with_views(mut self, now: Instant) -> Pane {
        let exprs = self.exprs.clone();
        let view = &exprs.view;
        let heads: Vec<ColumnHead> = view
            .columns
            .iter()
            .map(|c| ColumnHead {
                title: c.title.clone(),
                right: c.align == Align::Right,
            })
            .collect();
        // The list names each event's row by its key first, as the board does.
        self.columns = view
            .key
            .iter()
            .map(|_| ColumnHead {
                title: KEY_TITLE.into(),
                right: false,
            })
            .chain(heads.iter().cloned())
            .collect();
        if !exprs.is_empty() {
            self.extras = Some(Box::new(Extras::new(self.next_seq)));
        }
        match view.kind {
            ViewKind::List => {}
            ViewKind::Board => {
                let sort = match view.sort {
                    BoardSort::Key => Sort::Key,
                    BoardSort::Last => Sort::Last,
                    BoardSort::Count => Sort::Count,
                    BoardSort::Column(c) => Sort::Column(c),
                };
                let titles = heads.iter().map(|c| c.title.clone()).collect();
                let right = heads.iter().map(|c| c.right).collect();
                self.board = Some(Box::new(Board::new(
                    titles,
                    right,
                    sort,
                    view.max_rows,
                    now,
                )));
                self.view = PaneView::Board;
                self.views = vec![PaneView::Board, PaneView::List];
            }
            ViewKind::Transcript => {
                self.transcript = Some(Box::default());
                self.view = PaneView::Transcript;
                self.views = vec![PaneView::Transcript, PaneView::List];
            }
        }
        self
    }

    /// Moves the selection of the board or the transcript shown; `false` for the list.
    pub(super) fn scroll_view(&mut self, delta: isize) -> bool {
        match self.view {
            PaneView::Board => self.board.as_mut().map(|b| b.move_by(delta)).is_some(),
            PaneView::Transcript => self.transcript.as_mut().map(|t| t.move_by(delta)).is_some(),
            PaneView::List => false,
        }
    }

    /// `g` (`last` false) / `G` on the board or the transcript shown; `false` for the list.
    pub(super) fn jump_view(&mut self, last: bool) -> bool {
        match self.view {
            // `G` / `Esc` on a board: no row selected (the top shows, nothing highlighted).
            PaneView::Board => self
                .board
                .as_mut()
                .map(|b| {
                    if last {
                        b.selected = None;
                    } else {
                        b.move_to(false);
                    }
                })
                .is_some(),
            PaneView::Transcript => self
                .transcript
                .as_mut()
                .map(|t| t.selected = if last { None } else { Some(0) })
                .is_some(),
            PaneView::List => false,
        }
    }

    /// `s` / `S` on a board: the next sort / the other way round.
    pub fn sort_board(&mut self, reverse: bool) -> bool {
        match (&mut self.board, self.view) {
            (Some(board), PaneView::Board) => {
                if reverse {
                    board.reverse_sort();
                } else {
                    board.next_sort();
                }
                true
            }
            _ => false,
        }
    }

    /// `Enter` on a board or a transcript: the event to show in full. On a board, the selected
    /// key's latest event; on a transcript, the list of raw events from the selected message's
    /// first (the pane switches to its list, selected there), and `None`.
    pub fn enter_view(&mut self) -> Option<StoredEvent<'_>> {
        match self.view {
            PaneView::Board => {
                let row = self.board.as_ref()?.current()?;
                // The copy the row keeps, or the ring's while it still has the event.
                match row.last.stored() {
                    Some(e) => Some(e),
                    None => self.events.get(row.last.seq),
                }
            }
            PaneView::Transcript => {
                let tr = self.transcript.as_ref()?;
                let first = tr.messages.get(tr.cursor()?)?.first_seq?;
                self.view = PaneView::List;
                let oldest = self.shown().next();
                self.selected = self.visible_from(first).or(oldest);
                None
            }
            PaneView::List => None,
        }
    }

    /// The first shown event at or after `seq`.
    fn visible_from(&self, seq: u64) -> Option<u64> {
        self.shown().find(|&s| s >= seq)
    }

    /// `v`: the next of the pane's views.
    pub fn cycle_view(&mut self) {
        self.view = next_view(&self.views, self.view);
    }

    /// Whether a new event passes the type and text filters.
    pub(super) fn passes_new(&self, event: &StoredEvent, _derived: Option<&Derived>) -> bool {
        self.passes(event)
    }

    /// What the views take of one event `seq`, which just went into the ring.
    pub(super) fn on_derived(&mut self, d: Derived, seq: u64, passes: bool, now: Instant) {
        if d.is_error {
            self.errors += 1;
        }
        if let Some(extras) = &mut self.extras {
            let key = self.exprs.view.key.is_some().then_some(&d.key);
            let extra = EventExtra {
                cells: key
                    .into_iter()
                    .chain(d.cells.iter().map(|c| &c.text))
                    .map(|t| t.as_deref().map_or_else(|| "".into(), cell_line))
                    .collect(),
                is_error: d.is_error,
                rule: d.highlight.and_then(|i| u16::try_from(i).ok()),
                errors: (!d.errors.is_empty()).then(|| {
                    d.errors
                        .iter()
                        .map(|e| crate::text::escape(e).into())
                        .collect()
                }),
            };
            extras.push(seq, extra, self.capacity);
        }
        if let Some(board) = &mut self.board
            && let Some(e) = self.events.get(seq)
        {
            let update = BoardUpdate {
                // Without a key expression, rows are keyed by the event type.
                key: if self.exprs.view.key.is_some() {
                    d.key
                } else {
                    Some(e.event_type.to_string())
                },
                cells: d.cells.into_iter().map(|c| (c.text, c.number)).collect(),
            };
            board.on_event(update, &e, passes, now);
            board.refresh(self.filter.as_ref(), now);
        }
        if let Some(tr) = &mut self.transcript
            && let Some(e) = self.events.get(seq)
        {
            let usage = d.usage.unwrap_or_default();
            let update = TranscriptUpdate {
                text: d.text,
                thinking: d.thinking,
                message: d.message,
                prompt_tokens: usage.prompt_tokens,
                completion_tokens: usage.completion_tokens,
                finish: d.finish,
                is_error: d.is_error,
                error_message: d.error_message,
            };
            tr.on_event(update, seq, e.data, now);
        }
    }

    /// A connection state change, as the transcript sees it: each attempt is a new message; a
    /// failed request is shown in it.
    pub(super) fn on_state_views(&mut self, change: &StateChange, now: Instant) {
        let Some(tr) = &mut self.transcript else {
            return;
        };
        let failed_request = match change.state {
            ConnState::Connecting => {
                tr.on_connecting(now);
                false
            }
            ConnState::Failed => true,
            ConnState::Waiting { .. } => change.status.is_some_and(|s| s != 200),
            _ => false,
        };
        if failed_request {
            let reason = change.reason.as_deref().unwrap_or("the request failed");
            tr.on_failure(reason, now);
        }
    }

    /// Board rows are reordered at most once a second: a tick brings a due reorder.
    pub fn refresh_views(&mut self, now: Instant) {
        if self.view == PaneView::Board
            && let Some(board) = &mut self.board
        {
            board.refresh(self.filter.as_ref(), now);
        }
    }

    /// The filter changed: the board's rows are filtered again at once.
    pub(super) fn refilter_views(&mut self) {
        if let Some(board) = &mut self.board {
            board.refilter(self.filter.as_ref());
        }
    }

    /// The highlights of `text` shown for an event (with its extra, if the feed has any).
    pub fn highlight_marks(&self, text: &str, extra: Option<&EventExtra>) -> Vec<Mark> {
        let whole = extra.and_then(|x| x.rule).map(usize::from);
        let rules = self
            .exprs
            .highlights
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match &r.matcher {
                HighlightMatch::Regex(re) => Some((i, re)),
                HighlightMatch::Jq(_) => None,
            });
        highlight::marks(text, rules, whole)
    }

    /// The style of the feed's highlight rule `i`.
    pub fn rule_style(&self, i: usize) -> Style {
        self.exprs
            .highlights
            .get(i)
            .map_or_else(Style::default, |r| r.style)
    }
}

/// What the list shows of one event besides its text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventExtra {
    /// Each list column's value (the key first, when the feed has one), one safe line
    /// (empty: no value).
    pub cells: Box<[Box<str>]>,
    /// It matched the feed's `error_when`.
    pub is_error: bool,
    /// The first `[[highlight]]` jq rule that matched its data (its index in the feed's rules).
    pub rule: Option<u16>,
    /// What the feed's expressions failed with on this event (shown in the detail view; an
    /// empty cell alone would not say why). None when all ran.
    pub errors: Option<Box<[Box<str>]>>,
}

/// [`EventExtra`]s of a pane's kept events, in step with its ring (same `seq`s).
#[derive(Debug, Clone, Default)]
pub struct Extras {
    first_seq: u64,
    items: VecDeque<EventExtra>,
}

impl Extras {
    pub fn new(first_seq: u64) -> Extras {
        Extras {
            first_seq,
            items: VecDeque::new(),
        }
    }

    /// Adds the extra of event `seq` (the next one).
    pub fn push(&mut self, seq: u64, extra: EventExtra, capacity: usize) {
        debug_assert_eq!(seq, self.first_seq + self.items.len() as u64);
        reserve_up_to(&mut self.items, capacity);
        self.items.push_back(extra);
    }

    /// Drops the oldest, as the ring drops event `seq`.
    pub fn pop_front(&mut self, seq: u64) {
        if seq == self.first_seq && self.items.pop_front().is_some() {
            self.first_seq += 1;
        }
    }

    pub fn clear(&mut self, next_seq: u64) {
        self.items.clear();
        self.first_seq = next_seq;
    }

    pub fn get(&self, seq: u64) -> Option<&EventExtra> {
        let idx = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        self.items.get(idx)
    }
}

/// A column value as a list row keeps it: one safe line of at most [`CELL_CHARS`].
pub fn cell_line(text: &str) -> Box<str> {
    crate::tui::fmt::preview(text, CELL_CHARS).into_boxed_str()
}

/// The view after `current` in `views` (round).
pub fn next_view(views: &[PaneView], current: PaneView) -> PaneView {
    let at = views.iter().position(|v| *v == current).unwrap_or(0);
    views
        .get((at + 1) % views.len().max(1))
        .copied()
        .unwrap_or(PaneView::List)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extras_follow_the_ring_by_seq() {
        let mut x = Extras::new(5);
        for seq in 5..10 {
            let extra = EventExtra {
                is_error: seq == 7,
                ..EventExtra::default()
            };
            x.push(seq, extra, 100);
        }
        x.pop_front(5);
        assert!(x.get(5).is_none());
        assert!(x.get(7).unwrap().is_error);
        assert!(!x.get(9).unwrap().is_error);
        x.clear(10);
        assert!(x.get(9).is_none());
    }

    #[test]
    fn v_cycles_through_the_views_and_back() {
        let views = [PaneView::Board, PaneView::List];
        assert_eq!(next_view(&views, PaneView::Board), PaneView::List);
        assert_eq!(next_view(&views, PaneView::List), PaneView::Board);
        assert_eq!(next_view(&[PaneView::List], PaneView::List), PaneView::List);
    }
}
