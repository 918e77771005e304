//! The overview (`o`): one row per feed, sorted and filtered by name. This is its state; the
//! row order is kept here by `App::update` (re-sorted when the order may have changed, at most
//! once a second for changes that come with every event), so drawing only reads it.

use std::cmp::Ordering;
use std::time::{Duration, Instant};

use super::filter::TextFilter;
use super::line_editor::History;
use super::pane::Pane;
use crate::feed::ConnState;

/// What the rows are sorted by (`s` goes to the next).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    /// Failed first, then waiting to retry, connecting, closed, open.
    State,
    /// The busiest first.
    Rate,
    /// The longest quiet first (a feed with no event yet before all).
    LastEvent,
}

impl SortBy {
    pub fn next(self) -> Self {
        match self {
            SortBy::Name => SortBy::State,
            SortBy::State => SortBy::Rate,
            SortBy::Rate => SortBy::LastEvent,
            SortBy::LastEvent => SortBy::Name,
        }
    }

    /// As the header and the help say it.
    pub fn label(self) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::State => "state",
            SortBy::Rate => "rate",
            SortBy::LastEvent => "last event",
        }
    }
}

/// Order changes that come with every event (rate, last event) are applied at most this
/// often: a table that re-sorts with each frame cannot be read.
pub const RESORT_EVERY: Duration = Duration::from_secs(1);

/// Rows of feeds the table shows on a screen `height` rows high (title bar, footer, the
/// table's border and its header taken off).
pub fn table_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(5)).max(1)
}

/// The overview's state.
#[derive(Debug, Clone)]
pub struct Overview {
    pub sort: SortBy,
    /// `S`: the sort's order turned round (ties stay by name).
    pub reversed: bool,
    /// The name filter (`/`): the pane filter's smart-case regex, over feed names.
    pub filter: Option<TextFilter>,
    /// Pane indices of the rows, in order: what passes the filter, sorted.
    pub rows: Vec<usize>,
    /// The selected row (an index into `rows`); the selected feed is `App::focus`.
    pub cursor: Option<usize>,
    /// The top row stays selected as rows move (at the start, and after `g`), the way a
    /// pane's list follows the newest event; otherwise the selected feed stays selected.
    pub follow_top: bool,
    /// The first row on screen.
    pub first: usize,
    /// When the rows were last sorted.
    pub sorted_at: Option<Instant>,
    /// Something that may change the order arrived since then.
    pub stale: bool,
    /// Name filters kept this session (Up/Down in the prompt).
    pub history: History,
    /// Set when `Enter` opened a pane from here: the zoom to restore when `Esc` comes back.
    pub return_zoom: Option<bool>,
    /// The widest feed name, as shown (escaped), in characters: the name column's width.
    pub name_width: usize,
}

impl Default for Overview {
    fn default() -> Self {
        Overview {
            sort: SortBy::State,
            reversed: false,
            filter: None,
            rows: Vec::new(),
            cursor: None,
            follow_top: true,
            first: 0,
            sorted_at: None,
            stale: true,
            history: History::default(),
            return_zoom: None,
            name_width: 0,
        }
    }
}

impl Overview {
    pub fn set_filter(&mut self, pattern: &str) {
        self.filter = (!pattern.is_empty()).then(|| TextFilter::new(pattern));
    }

    pub fn pattern(&self) -> &str {
        self.filter.as_ref().map_or("", |f| f.pattern.as_str())
    }

    /// Filters and sorts the rows again. The top row stays selected when following it; else
    /// `focus` stays selected when it is still a row (else the row at the same place).
    /// Returns the feed now selected.
    pub fn refresh(&mut self, panes: &[Pane], focus: usize, now: Instant) -> Option<usize> {
        let mut rows: Vec<usize> = (0..panes.len())
            .filter(|&i| {
                self.filter
                    .as_ref()
                    .is_none_or(|f| f.is_match(&panes[i].name))
            })
            .collect();
        // Keys computed once per feed, not once per comparison.
        let keys: Vec<f64> = match self.sort {
            SortBy::Rate => panes.iter().map(|p| p.rate.rate(now)).collect(),
            _ => Vec::new(),
        };
        let (sort, reversed) = (self.sort, self.reversed);
        rows.sort_by(|&a, &b| {
            let (pa, pb) = (&panes[a], &panes[b]);
            let primary = match sort {
                SortBy::Name => natural(&pa.name, &pb.name),
                SortBy::State => state_rank(&pa.state).cmp(&state_rank(&pb.state)),
                SortBy::Rate => keys[b].total_cmp(&keys[a]),
                // Oldest first; `None` (no event yet) is the oldest of all.
                SortBy::LastEvent => pa.last_event_at.cmp(&pb.last_event_at),
            };
            let primary = if reversed { primary.reverse() } else { primary };
            primary
                .then_with(|| natural(&pa.name, &pb.name))
                .then(a.cmp(&b))
        });
        self.rows = rows;
        self.name_width = panes
            .iter()
            .map(|p| crate::text::escape(&p.name).chars().count())
            .max()
            .unwrap_or(0);
        self.sorted_at = Some(now);
        self.stale = false;
        if self.follow_top {
            self.cursor = None;
            return self.select(None);
        }
        self.select(Some(focus))
    }

    /// Selects feed `focus` if it is a row, else keeps the cursor's place. Returns the feed
    /// now selected.
    pub fn select(&mut self, focus: Option<usize>) -> Option<usize> {
        if self.rows.is_empty() {
            self.cursor = None;
            return None;
        }
        let at = focus.and_then(|f| self.rows.iter().position(|&r| r == f));
        let cursor = at.unwrap_or_else(|| self.cursor.unwrap_or(0).min(self.rows.len() - 1));
        self.cursor = Some(cursor);
        Some(self.rows[cursor])
    }

    /// Moves the cursor by `delta` rows (clamped). Returns the feed now selected.
    pub fn move_by(&mut self, delta: isize) -> Option<usize> {
        let last = self.rows.len().checked_sub(1)?;
        let cursor = self
            .cursor
            .unwrap_or(0)
            .saturating_add_signed(delta)
            .min(last);
        self.cursor = Some(cursor);
        Some(self.rows[cursor])
    }

    /// Scrolls just enough that the cursor is among the `visible` rows shown.
    pub fn scroll_into_view(&mut self, visible: usize) {
        let visible = visible.max(1);
        let cursor = self.cursor.unwrap_or(0);
        if cursor < self.first {
            self.first = cursor;
        } else if cursor >= self.first + visible {
            self.first = cursor + 1 - visible;
        }
        // No empty space below the last row while rows are scrolled off the top.
        self.first = self.first.min(self.rows.len().saturating_sub(visible));
    }
}

/// Where a state sorts: trouble first.
fn state_rank(state: &ConnState) -> u8 {
    match state {
        ConnState::Failed => 0,
        ConnState::Waiting { .. } => 1,
        ConnState::Connecting => 2,
        ConnState::Closed => 3,
        ConnState::Open => 4,
    }
}

/// Names in the order people expect: runs of digits by their value, so `feed-2` comes before
/// `feed-10`; letters without regard to case first, then with it (so the order is total).
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let (dx, rx) = split_digits(x);
                let (dy, ry) = split_digits(y);
                // Without leading zeros, a longer run is a larger number.
                let (tx, ty) = (trim_zeros(dx), trim_zeros(dy));
                let by_value = tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                (x, y) = (rx, ry);
            }
            (Some(c), Some(d)) => {
                let by_letter = c.to_ascii_lowercase().cmp(&d.to_ascii_lowercase());
                if by_letter != Ordering::Equal {
                    return by_letter;
                }
                (x, y) = (&x[1..], &y[1..]);
            }
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    s.split_at(n)
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_reads_numbers_as_numbers_and_ignores_case_first() {
        let mut names = vec![
            "feed-10", "feed-2", "Feed-3", "feed-1", "alpha", "feed-02", "feed-100",
        ];
        names.sort_by(|a, b| natural(a, b));
        assert_eq!(
            names,
            [
                "alpha", "feed-1", "feed-02", "feed-2", "Feed-3", "feed-10", "feed-100"
            ]
        );
        assert_eq!(natural("a", "A"), "a".cmp("A"));
        assert_eq!(natural("x9", "x10"), Ordering::Less);
    }

    #[test]
    fn scrolling_keeps_the_cursor_in_view_with_no_gap_below() {
        let mut o = Overview {
            rows: (0..50).collect(),
            ..Overview::default()
        };
        o.move_by(30);
        o.scroll_into_view(10);
        assert_eq!(o.first, 21);
        o.move_by(-25);
        o.scroll_into_view(10);
        assert_eq!(o.first, 5);
        o.move_by(100);
        o.scroll_into_view(10);
        assert_eq!((o.cursor, o.first), (Some(49), 40));
        o.rows.truncate(45);
        o.select(None);
        o.scroll_into_view(10);
        assert_eq!((o.cursor, o.first), (Some(44), 35));
    }
}
