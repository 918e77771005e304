//! What a pane keeps for its feed's views, besides the compact event ring: per kept event,
//! its column values and marks ([`Extras`], only for feeds that have expressions, so plain
//! list panes pay nothing), and the `v` cycle.

use std::collections::VecDeque;

use ratatui::style::Style;

use super::events::reserve_up_to;
use super::pane::{Pane, PaneView};
use crate::highlight::{self, Mark};

/// A column of the list and the board: its title and alignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnHead {
    pub title: String,
    pub right: bool,
}

impl Pane {
    /// The highlights of `text` shown for an event (with its extra, if the feed has any).
    pub fn highlight_marks(&self, text: &str, extra: Option<&EventExtra>) -> Vec<Mark> {
        let whole = extra.and_then(|x| x.rule).map(usize::from);
        highlight::marks(text, [], whole)
    }

    /// The style of the feed's highlight rule `i`.
    pub fn rule_style(&self, _i: usize) -> Style {
        Style::default()
    }
}

/// The most of a column value kept per event (a list row shows far less).
pub const CELL_CHARS: usize = 256;

/// What the list shows of one event besides its text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventExtra {
    /// Each column's value, one safe line (empty: no value).
    pub cells: Box<[Box<str>]>,
    /// It matched the feed's `error_when`.
    pub is_error: bool,
    /// The first `[[highlight]]` jq rule that matched its data (its index in the feed's rules).
    pub rule: Option<u16>,
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
    views.get((at + 1) % views.len().max(1)).copied().unwrap_or(PaneView::List)
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
