//! A board view's state: one row per distinct key, holding each column's latest value, its
//! count, rate and the time of its last update. Updated once per event on arrival; drawing
//! only reads the row order kept here.
//!
//! Rows are bounded (`max_rows`): the events of keys past that are counted in one `other`
//! row. A new row is sorted in at once; value changes reorder the rows at most once a second
//! (like the overview), so a board under a flood stays readable and cheap.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::filter::TextFilter;
use super::overview::natural;
use super::pane::StoredEvent;
use super::rate::RateHistory;

/// How long a changed cell flashes.
pub const FLASH: Duration = Duration::from_secs(1);
/// Reorder rows whose values changed at most this often.
const RESORT_EVERY: Duration = Duration::from_secs(1);
/// Keep a copy of a row's latest event up to this size (for `Enter`); bigger ones are looked
/// up in the pane's ring while it still has them.
const KEEP_EVENT_BYTES: usize = 16 * 1024;
/// The key shown for an event whose key expression gave nothing.
pub const NO_KEY: &str = "(no key)";

/// Which way a number last moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Flat,
    Up,
    Down,
}

/// A column's latest value in one row.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardCell {
    /// `None`: no event of this row has given a value yet (an event without one keeps it).
    pub text: Option<String>,
    pub number: Option<f64>,
    /// When the text last changed (it flashes for [`FLASH`]).
    pub changed_at: Option<Instant>,
    pub trend: Trend,
}

/// A row's latest event, kept for `Enter` (the ring may have let it go).
#[derive(Debug, Clone)]
pub struct LastEvent {
    pub seq: u64,
    pub at: SystemTime,
    pub event_type: Arc<str>,
    pub id: Arc<str>,
    /// `None` when it was bigger than [`KEEP_EVENT_BYTES`].
    pub data: Option<String>,
    pub truncated: bool,
}

impl LastEvent {
    pub fn stored(&self) -> Option<StoredEvent<'_>> {
        Some(StoredEvent {
            seq: self.seq,
            at: self.at,
            event_type: &self.event_type,
            id: &self.id,
            data: self.data.as_deref()?,
            truncated: self.truncated,
            type_truncated: false,
            id_truncated: false,
            cached_line: None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct BoardRow {
    pub key: String,
    pub cells: Vec<BoardCell>,
    pub count: u64,
    pub rate: RateHistory,
    pub last_at: Instant,
    pub last: LastEvent,
    /// The latest event passed the pane's filter (a jq filter is decided on arrival).
    pub passes: bool,
}

/// The events of keys past `max_rows`.
#[derive(Debug, Clone)]
pub struct OtherRow {
    pub count: u64,
    pub rate: RateHistory,
    pub last_at: Instant,
}

/// What the rows are sorted by (`s` cycles, `S` reverses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Key,
    /// The latest update first.
    Last,
    /// The most events first.
    Count,
    /// A column's value: numbers before text, numbers high first, text in natural order.
    Column(usize),
}

/// One event's contribution to a board, from the feed's expressions.
#[derive(Debug, Clone, Default)]
pub struct Update {
    pub key: Option<String>,
    /// Each column's value: text (`None`: no output or an error) and its number, if numeric.
    pub cells: Vec<(Option<String>, Option<f64>)>,
}

#[derive(Debug, Clone)]
pub struct Board {
    pub titles: Vec<String>,
    /// Per column: aligned right.
    pub right: Vec<bool>,
    pub max_rows: usize,
    pub rows: Vec<BoardRow>,
    index: HashMap<String, usize>,
    pub other: Option<OtherRow>,
    pub sort: Sort,
    pub reverse: bool,
    /// Row indices in the order shown: filtered and sorted.
    pub order: Vec<usize>,
    sorted_at: Option<Instant>,
    stale: bool,
    /// The selected row's index in `rows`, or `None` for the first shown.
    pub selected: Option<usize>,
    origin: Instant,
}

impl Board {
    pub fn new(
        titles: Vec<String>,
        right: Vec<bool>,
        sort: Sort,
        max_rows: usize,
        now: Instant,
    ) -> Board {
        Board {
            titles,
            right,
            max_rows: max_rows.max(1),
            rows: Vec::new(),
            index: HashMap::new(),
            other: None,
            sort,
            reverse: false,
            order: Vec::new(),
            sorted_at: None,
            stale: false,
            selected: None,
            origin: now,
        }
    }

    /// A frequency table: a board with no columns.
    pub fn is_frequency_table(&self) -> bool {
        self.titles.is_empty()
    }

    /// Takes one event. `passes`: whether it passes the pane's filter.
    pub fn on_event(&mut self, update: Update, event: &StoredEvent, passes: bool, now: Instant) {
        let key = update.key.unwrap_or_else(|| NO_KEY.to_string());
        let idx = match self.index.get(&key) {
            Some(&i) => i,
            None if self.rows.len() < self.max_rows => {
                let n = self.titles.len();
                self.rows.push(BoardRow {
                    key: key.clone(),
                    cells: vec![
                        BoardCell {
                            text: None,
                            number: None,
                            changed_at: None,
                            trend: Trend::Flat,
                        };
                        n
                    ],
                    count: 0,
                    rate: RateHistory::new(self.origin),
                    last_at: now,
                    last: LastEvent {
                        seq: event.seq,
                        at: event.at,
                        event_type: Arc::from(""),
                        id: Arc::from(""),
                        data: None,
                        truncated: false,
                    },
                    passes,
                });
                let i = self.rows.len() - 1;
                self.index.insert(key, i);
                // A new row is sorted in at once (new keys are few: at most `max_rows`).
                self.stale = true;
                self.sorted_at = None;
                i
            }
            None => {
                let other = self.other.get_or_insert_with(|| OtherRow {
                    count: 0,
                    rate: RateHistory::new(self.origin),
                    last_at: now,
                });
                other.count += 1;
                other.rate.add(now, 1);
                other.last_at = now;
                return;
            }
        };
        let row = &mut self.rows[idx];
        row.count += 1;
        row.rate.add(now, 1);
        row.last_at = now;
        if row.passes != passes {
            row.passes = passes;
            self.sorted_at = None;
        }
        set_last(&mut row.last, event);
        for (cell, (text, number)) in row.cells.iter_mut().zip(update.cells) {
            // A cell holds its column's latest value: an event without one (no output, null,
            // an error) keeps the value, its trend and no flash.
            if text.is_some() && cell.text != text {
                // The first value is not a change.
                if cell.text.is_some() {
                    cell.changed_at = Some(now);
                }
                match (cell.number, number) {
                    (Some(old), Some(new)) if new > old => cell.trend = Trend::Up,
                    (Some(old), Some(new)) if new < old => cell.trend = Trend::Down,
                    (_, None) => cell.trend = Trend::Flat,
                    _ => {}
                }
                cell.text = text;
                cell.number = number;
            }
        }
        self.stale = true;
    }

    /// Sorts and filters the rows again when they changed, at most once a second (at once
    /// after a new row, a sort or a filter change). Returns whether the order was redone.
    pub fn refresh(&mut self, filter: Option<&TextFilter>, now: Instant) -> bool {
        let due = self.sorted_at.is_none_or(|t| now >= t + RESORT_EVERY);
        if !(self.stale || self.sorted_at.is_none()) || !due {
            return false;
        }
        self.resort(filter, now);
        true
    }

    /// Sorts and filters now.
    pub fn resort(&mut self, filter: Option<&TextFilter>, now: Instant) {
        let rows = &self.rows;
        let mut order: Vec<usize> = (0..rows.len())
            .filter(|&i| row_passes(&rows[i], filter))
            .collect();
        let sort = self.sort;
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&rows[a], &rows[b]);
            let by = match sort {
                Sort::Key => natural(&ra.key, &rb.key),
                Sort::Last => rb.last_at.cmp(&ra.last_at),
                Sort::Count => rb.count.cmp(&ra.count),
                Sort::Column(c) => by_cell(ra.cells.get(c), rb.cells.get(c)),
            };
            by.then_with(|| natural(&ra.key, &rb.key))
        });
        if self.reverse {
            order.reverse();
        }
        self.order = order;
        self.sorted_at = Some(now);
        self.stale = false;
    }

    /// The filter changed: each row passes by its latest event again (a jq filter is run on
    /// it once here), and the rows are filtered at the next refresh.
    pub fn refilter(&mut self, filter: Option<&TextFilter>) {
        for row in &mut self.rows {
            row.passes = match (filter, row.last.stored()) {
                (Some(f), Some(e)) => f.matches(&e),
                _ => true,
            };
        }
        self.sorted_at = None;
    }

    /// `s`: the next sort (key, last update, count, then each column).
    pub fn next_sort(&mut self) {
        self.sort = match self.sort {
            Sort::Key => Sort::Last,
            Sort::Last => Sort::Count,
            Sort::Count if !self.titles.is_empty() => Sort::Column(0),
            Sort::Column(c) if c + 1 < self.titles.len() => Sort::Column(c + 1),
            Sort::Count | Sort::Column(_) => Sort::Key,
        };
        self.reverse = false;
        self.sorted_at = None;
    }

    /// `S`: the other way round.
    pub fn reverse_sort(&mut self) {
        self.reverse = !self.reverse;
        self.sorted_at = None;
    }

    /// Whether the rows are shown highest (or newest) first: keys and text go A to Z, counts,
    /// numbers and updates high or new first, unless `S` reversed it.
    pub fn descending(&self) -> bool {
        let high_first = match self.sort {
            Sort::Key => false,
            Sort::Last | Sort::Count => true,
            // Numbers come first, high first; a column of text alone goes A to Z.
            Sort::Column(c) => self
                .rows
                .iter()
                .any(|r| r.cells.get(c).is_some_and(|cell| cell.number.is_some())),
        };
        high_first != self.reverse
    }

    /// The sort's arrow: `▲` ascending, `▼` descending.
    pub fn sort_arrow(&self) -> &'static str {
        if self.descending() { "▼" } else { "▲" }
    }

    /// What the rows are sorted by, for the header.
    pub fn sort_label(&self) -> String {
        let what = match self.sort {
            Sort::Key => "key",
            Sort::Last => "last update",
            Sort::Count => "count",
            Sort::Column(c) => self.titles.get(c).map_or("?", String::as_str),
        };
        format!("{what} {}", self.sort_arrow())
    }

    /// Position of the selected row in `order` (the first when none is or it is filtered out).
    pub fn cursor(&self) -> Option<usize> {
        if self.order.is_empty() {
            return None;
        }
        Some(
            self.selected
                .and_then(|sel| self.order.iter().position(|&i| i == sel))
                .unwrap_or(0),
        )
    }

    /// The first row (a position in `order`) a board with room for `rows` rows shows: the
    /// top while nothing is selected, else a page around the selection. Drawing and mouse
    /// clicks agree through it.
    pub fn first_shown(&self, rows: usize) -> usize {
        match (self.cursor(), self.selected) {
            (Some(c), Some(_)) => c
                .saturating_sub(rows / 2)
                .min(self.order.len().saturating_sub(rows)),
            _ => 0,
        }
    }

    /// Rows a board drawn `height` rows high shows: its header and the `other` row taken off.
    pub fn rows_in(&self, height: u16) -> usize {
        (height as usize).saturating_sub(1 + usize::from(self.other.is_some()))
    }

    pub fn move_by(&mut self, delta: isize) {
        if let Some(cur) = self.cursor() {
            let to = cur
                .saturating_add_signed(delta)
                .min(self.order.len().saturating_sub(1));
            self.selected = Some(self.order[to]);
        }
    }

    pub fn move_to(&mut self, last: bool) {
        self.selected = if last {
            self.order.last().copied()
        } else {
            self.order.first().copied()
        };
    }

    /// The selected row.
    pub fn current(&self) -> Option<&BoardRow> {
        self.cursor().map(|c| &self.rows[self.order[c]])
    }

    /// Forgets every row (`c`).
    pub fn clear(&mut self) {
        self.rows.clear();
        self.index.clear();
        self.other = None;
        self.order.clear();
        self.selected = None;
        self.sorted_at = None;
    }
}

fn set_last(last: &mut LastEvent, e: &StoredEvent) {
    last.seq = e.seq;
    last.at = e.at;
    if *last.event_type != *e.event_type {
        last.event_type = Arc::from(e.event_type);
    }
    if *last.id != *e.id {
        last.id = Arc::from(e.id);
    }
    last.truncated = e.truncated;
    if e.data.len() <= KEEP_EVENT_BYTES {
        // The buffer is reused: no allocation per event once a row has seen its size.
        let data = last.data.get_or_insert_with(String::new);
        data.clear();
        data.push_str(e.data);
    } else {
        last.data = None;
    }
}

fn row_passes(row: &BoardRow, filter: Option<&TextFilter>) -> bool {
    let Some(f) = filter else { return true };
    if f.is_jq() {
        return row.passes;
    }
    f.is_match(&row.key)
        || row
            .cells
            .iter()
            .flat_map(|c| &c.text)
            .any(|t| f.is_match(t))
}

fn by_cell(a: Option<&BoardCell>, b: Option<&BoardCell>) -> Ordering {
    let num = |c: Option<&BoardCell>| c.and_then(|c| c.number);
    let text = |c: Option<&BoardCell>| c.and_then(|c| c.text.clone()).unwrap_or_default();
    match (num(a), num(b)) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => natural(&text(a), &text(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn event(seq: u64, data: &str) -> StoredEvent<'_> {
        StoredEvent {
            seq,
            at: UNIX_EPOCH,
            event_type: "quote",
            id: "",
            data,
            truncated: false,
            type_truncated: false,
            id_truncated: false,
            cached_line: None,
        }
    }

    fn quote(board: &mut Board, seq: u64, sym: &str, price: f64, now: Instant) {
        let update = Update {
            key: Some(sym.into()),
            cells: vec![(Some(price.to_string()), Some(price))],
        };
        board.on_event(update, &event(seq, "{}"), true, now);
    }

    #[test]
    fn one_row_per_key_holds_the_latest_value_its_count_and_which_way_it_moved() {
        let t0 = Instant::now();
        let mut b = Board::new(vec!["price".into()], vec![true], Sort::Key, 10, t0);
        quote(&mut b, 0, "ZED", 10.0, t0);
        quote(&mut b, 1, "ACME", 5.0, t0);
        quote(&mut b, 2, "ACME", 6.5, t0 + Duration::from_millis(300));
        quote(&mut b, 3, "ZED", 9.0, t0 + Duration::from_millis(400));
        b.refresh(None, t0 + Duration::from_millis(400));
        let keys: Vec<&str> = b.order.iter().map(|&i| b.rows[i].key.as_str()).collect();
        assert_eq!(keys, ["ACME", "ZED"]);
        let acme = &b.rows[b.order[0]];
        assert_eq!(acme.count, 2);
        assert_eq!(acme.cells[0].text.as_deref(), Some("6.5"));
        assert_eq!(acme.cells[0].trend, Trend::Up);
        assert_eq!(
            acme.cells[0].changed_at,
            Some(t0 + Duration::from_millis(300))
        );
        assert_eq!(b.rows[b.order[1]].cells[0].trend, Trend::Down);
        assert_eq!(acme.last.seq, 2);
    }

    #[test]
    fn keys_past_max_rows_are_counted_in_the_other_row() {
        let t0 = Instant::now();
        let mut b = Board::new(vec![], vec![], Sort::Count, 2, t0);
        for (i, k) in ["a", "b", "c", "d", "a", "c"].iter().enumerate() {
            let update = Update {
                key: Some(k.to_string()),
                cells: vec![],
            };
            b.on_event(update, &event(i as u64, "x"), true, t0);
        }
        assert_eq!(b.rows.len(), 2);
        assert_eq!(b.other.as_ref().map(|o| o.count), Some(3));
        assert!(b.is_frequency_table());
    }

    #[test]
    fn value_changes_reorder_at_most_once_a_second_and_new_rows_at_once() {
        let t0 = Instant::now();
        let mut b = Board::new(vec!["price".into()], vec![true], Sort::Column(0), 10, t0);
        quote(&mut b, 0, "A", 1.0, t0);
        quote(&mut b, 1, "B", 2.0, t0);
        assert!(b.refresh(None, t0));
        quote(&mut b, 2, "A", 3.0, t0 + Duration::from_millis(100));
        assert!(!b.refresh(None, t0 + Duration::from_millis(100)));
        assert!(b.refresh(None, t0 + Duration::from_millis(1000)));
        assert_eq!(b.rows[b.order[0]].key, "A");
        b.reverse_sort();
        b.refresh(None, t0 + Duration::from_millis(1001));
        assert_eq!(b.rows[b.order[0]].key, "B");
    }

    #[test]
    fn s_cycles_key_last_count_and_each_column_then_back() {
        let mut b = Board::new(
            vec!["a".into(), "b".into()],
            vec![false, false],
            Sort::Key,
            10,
            Instant::now(),
        );
        let mut seen = vec![];
        for _ in 0..5 {
            b.next_sort();
            seen.push(b.sort);
        }
        assert_eq!(
            seen,
            [
                Sort::Last,
                Sort::Count,
                Sort::Column(0),
                Sort::Column(1),
                Sort::Key
            ]
        );
    }

    #[test]
    fn a_text_filter_keeps_rows_whose_key_or_a_value_matches() {
        let t0 = Instant::now();
        let mut b = Board::new(vec!["price".into()], vec![true], Sort::Key, 10, t0);
        quote(&mut b, 0, "ACME", 118.5, t0);
        quote(&mut b, 1, "GLOBX", 42.0, t0);
        b.resort(Some(&TextFilter::new("glo")), t0);
        assert_eq!(b.order.len(), 1);
        b.resort(Some(&TextFilter::new("118")), t0);
        assert_eq!(b.rows[b.order[0]].key, "ACME");
    }
}
