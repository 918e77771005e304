//! What the mouse does: the part of `App::update` that handles clicks and the wheel, and the
//! terminal modes that turn mouse reports on and off.
//!
//! A click focuses the pane under it and selects the event row (or board row) it is on; a
//! double click opens that event (the board row's latest event) in the detail view. The
//! wheel scrolls the pane under the pointer (the help and the detail view while they are
//! open). In the overview a click selects a feed's row and a double click opens its pane. Only clicks and the wheel are asked of the
//! terminal, not motion, so moving the mouse costs nothing.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::app::{Action, App, Mode, View};
use super::overview::table_rows;
use super::pane::{Pane, PaneView};

/// Two clicks this close in time, on the same spot, are a double click.
pub const DOUBLE_CLICK: Duration = Duration::from_millis(400);
/// Rows one notch of the wheel scrolls.
pub const WHEEL_ROWS: usize = 3;

/// Asks the terminal for clicks and the wheel (X10 button tracking, `?1000h`), reported as
/// SGR (`?1006h`), which has no column limit. Not motion tracking (`?1003h`): a moving mouse
/// would wake the dashboard for nothing.
pub struct EnableClicks;

impl crossterm::Command for EnableClicks {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str("\x1b[?1000h\x1b[?1006h")
    }
}

/// Gives the mouse back to the terminal: every tracking mode off, whichever was on.
pub use crossterm::event::DisableMouseCapture as DisableClicks;

/// Turns mouse reporting on or off, if it is not already.
pub fn set_reporting(on: &mut bool, want: bool) {
    if *on != want {
        let mut out = std::io::stdout();
        let _ = if want {
            crossterm::execute!(out, EnableClicks)
        } else {
            crossterm::execute!(out, DisableClicks)
        };
        *on = want;
    }
}

/// Whether the dashboard acts on this report: presses and the wheel (releases are ignored).
pub fn wanted(m: &MouseEvent) -> bool {
    matches!(
        m.kind,
        MouseEventKind::Down(MouseButton::Left)
            | MouseEventKind::ScrollUp
            | MouseEventKind::ScrollDown
    )
}

/// The last click, to tell a double click.
#[derive(Debug, Clone, Default)]
pub struct Clicks {
    last: Option<Click>,
}

#[derive(Debug, Clone, Copy)]
struct Click {
    at: Instant,
    column: u16,
    row: u16,
    /// The row it hit (pane, row), which the second click of a double click opens even if
    /// the first one's selection moved the list under the pointer.
    event: Option<(usize, Row)>,
}

/// A row of a pane that a click selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    /// An event of the list, by `seq`.
    Event(u64),
    /// A board row, by its index in the board's rows.
    Board(usize),
}

impl App {
    pub(super) fn on_mouse(&mut self, m: MouseEvent, now: Instant) -> Option<Action> {
        match m.kind {
            MouseEventKind::ScrollDown => self.wheel(m, true),
            MouseEventKind::ScrollUp => self.wheel(m, false),
            MouseEventKind::Down(MouseButton::Left) => self.click(m, now),
            _ => None,
        }
    }

    fn wheel(&mut self, m: MouseEvent, down: bool) -> Option<Action> {
        let key = KeyEvent::new(
            KeyCode::Char(if down { 'j' } else { 'k' }),
            KeyModifiers::NONE,
        );
        match self.mode {
            // The open overlay scrolls as its own keys do.
            Mode::Help { .. } | Mode::Detail(_) | Mode::Types { .. } | Mode::AlertLog { .. } => {
                for _ in 0..WHEEL_ROWS {
                    self.on_key(key);
                }
            }
            Mode::Filter { .. } => return None,
            Mode::Normal if self.view == View::Overview => {
                for _ in 0..WHEEL_ROWS {
                    self.on_key(key);
                }
            }
            Mode::Normal => {
                let idx = self.pane_at(m.column, m.row)?;
                let delta = WHEEL_ROWS as isize;
                self.panes[idx].scroll(if down { delta } else { -delta });
            }
        }
        self.dirty = true;
        None
    }

    fn click(&mut self, m: MouseEvent, now: Instant) -> Option<Action> {
        if self.mode != Mode::Normal {
            return None;
        }
        let previous = self.clicks.last.take();
        let double = previous.filter(|p| {
            now.saturating_duration_since(p.at) <= DOUBLE_CLICK
                && p.row == m.row
                && p.column.abs_diff(m.column) <= 1
        });
        self.dirty = true;
        if self.view == View::Overview {
            let feed = self.overview_row_at(m.column, m.row)?;
            self.focus = self.overview.rows[feed];
            self.overview.cursor = Some(feed);
            self.overview.follow_top = false;
            if double.is_some() {
                return self.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
            }
            self.clicks.last = Some(Click {
                at: now,
                column: m.column,
                row: m.row,
                event: None,
            });
            return None;
        }
        let idx = self.pane_at(m.column, m.row)?;
        let was_focused = idx == self.focus;
        self.focus = idx;
        // The second click of a double click opens what the first one hit.
        let hit = match double {
            Some(Click {
                event: Some(event), ..
            }) => Some(event),
            _ => self.row_at(idx, m.column, m.row).map(|row| (idx, row)),
        };
        if let Some((pane, row)) = hit
            && (was_focused || double.is_some())
        {
            self.focus = pane;
            let pane = &mut self.panes[pane];
            match row {
                Row::Event(seq) => pane.selected = Some(seq),
                Row::Board(i) => {
                    if let Some(board) = &mut pane.board {
                        board.selected = Some(i);
                    }
                }
            }
        }
        if double.is_some() && hit.is_some() {
            return self.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        }
        self.clicks.last = Some(Click {
            at: now,
            column: m.column,
            row: m.row,
            event: hit,
        });
        None
    }

    /// The pane drawn at this cell, if any.
    fn pane_at(&self, column: u16, row: u16) -> Option<usize> {
        let at = Position::new(column, row);
        self.layout()
            .slots
            .iter()
            .find(|(_, rect)| rect.contains(at))
            .map(|(idx, _)| *idx)
    }

    /// The event row, or the board row, at this cell of pane `idx` (a transcript has none:
    /// a click on it only focuses the pane).
    fn row_at(&self, idx: usize, column: u16, row: u16) -> Option<Row> {
        let (_, rect) = self.layout().slots.into_iter().find(|(i, _)| *i == idx)?;
        let pane = &self.panes[idx];
        let list = list_area(pane, rect);
        if !list.contains(Position::new(column, row)) {
            return None;
        }
        let y = usize::from(row - list.y);
        match (pane.view, &pane.board) {
            (PaneView::Board, Some(board)) => {
                // The header first; `render::board` draws the same rows.
                let rows = board.rows_in(list.height);
                let k = y.checked_sub(1).filter(|k| *k < rows)?;
                board
                    .order
                    .get(board.first_shown(rows) + k)
                    .map(|&i| Row::Board(i))
            }
            (PaneView::Transcript, _) => None,
            _ => {
                // With columns, the list's first row is their header (see `render::list`).
                let header = usize::from(!pane.columns.is_empty() && pane.extras.is_some());
                let rows = usize::from(list.height).saturating_sub(header);
                let k = y.checked_sub(header).filter(|k| *k < rows)?;
                pane.shown().nth(pane.first_shown(rows) + k).map(Row::Event)
            }
        }
    }

    /// The overview row (an index into its rows) at this cell.
    fn overview_row_at(&self, column: u16, row: u16) -> Option<usize> {
        let body = self.body();
        // The table's border, then its header line.
        let inner = Rect::new(
            body.x + 1,
            body.y + 1,
            body.width.saturating_sub(2),
            body.height.saturating_sub(2),
        );
        let rows = &self.overview.rows;
        let shown = table_rows(self.height).min(usize::from(inner.height.saturating_sub(1)));
        let top = inner.y + 1;
        if row < top || !(inner.x..inner.right()).contains(&column) {
            return None;
        }
        let k = usize::from(row - top);
        let first = self.overview.first.min(rows.len().saturating_sub(shown));
        (k < shown && first + k < rows.len()).then_some(first + k)
    }
}

/// Where a pane drawn in `rect` shows its event list: inside the border, under the counters,
/// the type counts and (when it shows) the filter / pause / scrolled line, as
/// `render::pane` draws them.
fn list_area(pane: &Pane, rect: Rect) -> Rect {
    let inner = Rect::new(
        rect.x + 1,
        rect.y + 1,
        rect.width.saturating_sub(2),
        rect.height.saturating_sub(2),
    );
    let status_line = pane.filter.is_some()
        || pane.paused_at.is_some()
        || (!pane.is_following() && pane.shown_len() > 0);
    let head = (2 + u16::from(status_line)).min(inner.height);
    Rect::new(inner.x, inner.y + head, inner.width, inner.height - head)
}
