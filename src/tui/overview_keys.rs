//! What keys do in the overview (the panes' keys are in `keys`).

use crossterm::event::{KeyCode, KeyEvent};

use super::app::{Action, App, Mode, View};
use super::line_editor::LineEditor;
use super::overview;
use crate::feed::ConnState;

impl App {
    /// `o` from the panes; `Esc` in a pane that `Enter` opened from the overview.
    pub(super) fn show_overview(&mut self) {
        if let Some(zoomed) = self.overview.return_zoom.take() {
            self.zoomed = zoomed;
        }
        // The feed of the panes is the one selected.
        self.overview.follow_top = false;
        self.view = View::Overview;
        self.refresh_overview(self.now);
    }

    pub(super) fn on_key_overview(&mut self, key: KeyEvent) -> Option<Action> {
        let page = overview::table_rows(self.height) as isize;
        let selected = self.overview.cursor.is_some();
        match key.code {
            KeyCode::Char('q') => return Some(Action::Quit),
            KeyCode::Char('?') => self.mode = Mode::Help { scroll: 0 },
            KeyCode::Char('o') => self.view = View::Panes,
            KeyCode::Char('j') | KeyCode::Down => self.move_row(1),
            KeyCode::Char('k') | KeyCode::Up => self.move_row(-1),
            KeyCode::PageDown => self.move_row(page),
            KeyCode::PageUp => self.move_row(-page),
            KeyCode::Char('g') | KeyCode::Home => {
                self.move_row(isize::MIN / 2);
                self.overview.follow_top = true;
            }
            KeyCode::Char('G') | KeyCode::End => self.move_row(isize::MAX / 2),
            KeyCode::Char('s') => {
                // Each column starts in its own order (trouble, the busiest, the quietest).
                self.overview.sort = self.overview.sort.next();
                self.overview.reversed = false;
                self.refresh_overview(self.now);
            }
            KeyCode::Char('S') => {
                self.overview.reversed = !self.overview.reversed;
                self.refresh_overview(self.now);
            }
            KeyCode::Char('/') => {
                self.mode = Mode::Filter {
                    input: LineEditor::new(self.overview.pattern()),
                    history_at: None,
                    draft: String::new(),
                };
            }
            KeyCode::Esc if self.overview.filter.is_some() => self.set_filter_here(""),
            KeyCode::Char('f') => self.select_trouble(),
            KeyCode::Enter if selected => {
                self.overview.return_zoom = Some(self.zoomed);
                self.zoomed = true;
                self.view = View::Panes;
            }
            // The selected feed is the focused one, so these work as they do on a pane.
            KeyCode::Char('r' | 'd') if selected => return self.on_key_normal(key),
            KeyCode::Char('T') => return self.on_key_normal(key),
            _ => {}
        }
        None
    }

    /// `f` in the overview: the next row, after the selected one and round, of a feed that
    /// failed or waits to retry.
    fn select_trouble(&mut self) {
        let rows = &self.overview.rows;
        let n = rows.len();
        let from = self.overview.cursor.unwrap_or(0);
        let next = (1..=n).map(|k| (from + k) % n).find(|&i| {
            matches!(
                self.panes[rows[i]].state,
                ConnState::Failed | ConnState::Waiting { .. }
            )
        });
        match next {
            Some(i) => {
                let delta = i as isize - from as isize;
                self.move_row(delta);
            }
            None => self.notify("no feed has failed or waits to retry"),
        }
    }

    /// Moves the overview's selection by `delta` rows.
    fn move_row(&mut self, delta: isize) {
        self.overview.follow_top = false;
        if let Some(feed) = self.overview.move_by(delta) {
            self.focus = feed;
        }
        self.overview
            .scroll_into_view(overview::table_rows(self.height));
    }
}
