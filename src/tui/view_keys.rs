//! The keys of the pane views (`v`, a board's `s` `S`, `Enter` on a board or a transcript):
//! the App side, kept out of `keys.rs`.

use super::app::{App, Mode};

impl App {
    /// `v`: the focused pane's next view (list, board, transcript: those its feed has).
    pub(super) fn cycle_view(&mut self) {
        let Some(p) = self.focused_mut() else { return };
        if p.views.len() < 2 {
            self.notify("this feed has no other view (configure [feed.view])");
            return;
        }
        p.cycle_view();
        let name = match p.view {
            super::pane::PaneView::List => "list",
            super::pane::PaneView::Board => "board",
            super::pane::PaneView::Transcript => "transcript",
        };
        self.notify(&format!("view: {name}"));
    }

    /// `s` / `S` on a board.
    pub(super) fn sort_board(&mut self, reverse: bool) {
        let now = self.now;
        if let Some(p) = self.focused_mut()
            && p.sort_board(reverse)
        {
            p.refresh_views(now);
        }
    }

    /// `Enter` on a board (the key's latest event in full) or a transcript (its raw events).
    pub(super) fn enter_view(&mut self) {
        let width = self.detail_width();
        let tz = self.tz.clone();
        let Some(p) = self.panes.get_mut(self.focus) else {
            return;
        };
        let gone = p.board.is_some() && p.view == super::pane::PaneView::Board;
        let name = p.name.clone();
        match p.enter_view() {
            Some(event) => {
                // The event may be the board row's own copy, gone from the ring.
                let view = super::detail::DetailView::new(&name, &event, &tz, width);
                let view = p.with_expr_errors(view);
                self.mode = Mode::Detail(view);
            }
            None if gone => self.notify("no row selected, or its event has left the buffer"),
            None => {}
        }
    }
}
