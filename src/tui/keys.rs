//! What keys do: the part of `App::update` that handles key presses, mode by mode.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, App, Mode, NOTICE_FOR, View};
use super::detail::DetailView;
use super::line_editor::{Edit, History, LineEditor};
use super::pane::PaneView;
use super::{help, layout};
use crate::feed::{Command, ConnState, FeedId};

/// Whether `key` comes with no modifier but the Shift that an upper-case letter, a symbol
/// or Shift-Tab implies: only such keys fire the dashboard's bindings, so Ctrl-D is not `d`.
fn bare(key: &KeyEvent) -> bool {
    let shift_implied = matches!(key.code, KeyCode::Char(_) | KeyCode::BackTab);
    let allowed = if shift_implied {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    allowed.contains(key.modifiers)
}

impl App {
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

    pub(super) fn on_key(&mut self, key: KeyEvent) -> Option<Action> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(key.code, KeyCode::Char('c')) {
            return Some(Action::Quit);
        }
        // The "terminal too small" screen shows nothing a key could act on: `q` quits (as it
        // says), `?` still toggles help; the rest would act unseen.
        if layout::too_small(self.width, self.height) {
            match key.code {
                KeyCode::Char('q') if bare(&key) => return Some(Action::Quit),
                KeyCode::Char('?') if bare(&key) => {}
                _ => return None,
            }
        }
        if ctrl && matches!(key.code, KeyCode::Char('l')) {
            return self.reload_key();
        }
        let mode = self.mode.clone();
        if let Mode::Filter {
            input,
            history_at,
            draft,
        } = mode
        {
            self.on_key_filter(key, input, history_at, draft);
            return None;
        }
        if !bare(&key) {
            return None;
        }
        match mode {
            Mode::Normal if key.code == KeyCode::Char('!') => {
                self.open_alert_log();
                None
            }
            Mode::AlertLog { cursor } => {
                self.on_key_alert_log(key, cursor);
                None
            }
            Mode::Normal if self.view == View::Overview => self.on_key_overview(key),
            Mode::Normal => self.on_key_normal(key),
            Mode::Filter { .. } => None,
            Mode::Types { cursor, types } => {
                self.on_key_types(key, cursor, types);
                None
            }
            Mode::Detail(view) => self.on_key_detail(key, view),
            Mode::Help { scroll } => {
                self.on_key_help(key, scroll);
                None
            }
        }
    }

    pub(super) fn on_key_normal(&mut self, key: KeyEvent) -> Option<Action> {
        let page = self.page_rows();
        let n = self.panes.len();
        match key.code {
            KeyCode::Char('q') => return Some(Action::Quit),
            KeyCode::Char('?') => self.mode = Mode::Help { scroll: 0 },
            KeyCode::Char('o') => self.show_overview(),
            KeyCode::Tab if n > 0 => self.focus = (self.focus + 1) % n,
            KeyCode::BackTab if n > 0 => self.focus = (self.focus + n - 1) % n,
            KeyCode::Char(c @ '1'..='9') => {
                let idx = c as usize - '1' as usize;
                if idx < n {
                    self.focus = idx;
                }
            }
            KeyCode::Char(c @ ('[' | ']')) if n > 0 => self.turn_page(c == ']'),
            KeyCode::Char('f') => self.focus_trouble(),
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
            KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right if self.replay.is_some() => {
                return self.replay_key(key.code);
            }
            KeyCode::Char('R') => return Some(Action::ToggleRecord),
            KeyCode::Char('e') => return self.export_key(),
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
                self.mode = Mode::Filter {
                    input: LineEditor::new(&input),
                    history_at: None,
                    draft: String::new(),
                };
            }
            KeyCode::Esc => {
                let opened_from_overview = self.overview.return_zoom.is_some();
                if let Some(p) = self.focused_mut() {
                    if p.filter.is_some() {
                        p.set_filter("");
                    } else if opened_from_overview {
                        self.show_overview();
                    } else {
                        p.follow();
                    }
                }
            }
            KeyCode::Char('t') => {
                if self.focused().is_some_and(|p| !p.by_type.is_empty()) {
                    let types = self
                        .focused()
                        .map(|p| p.type_counts().into_iter().map(|(t, _)| t).collect())
                        .unwrap_or_default();
                    self.mode = Mode::Types { cursor: 0, types };
                } else {
                    self.notify("no event types yet");
                }
            }
            KeyCode::Enter if self.focused().is_some_and(|p| p.view != PaneView::List) => {
                self.enter_view();
            }
            KeyCode::Char('v') => self.cycle_view(),
            KeyCode::Char(c @ ('s' | 'S')) => self.sort_board(c == 'S'),
            KeyCode::Enter => {
                if let Some(pane) = self.focused()
                    && let Some(event) = pane.current_event()
                {
                    let view = pane.detail_view(&event, &self.tz, self.detail_width());
                    self.mode = Mode::Detail(view);
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
            _ => {}
        }
        None
    }

    fn scroll(&mut self, delta: isize) {
        if let Some(p) = self.focused_mut() {
            p.scroll(delta);
        }
    }

    pub(super) fn notify(&mut self, text: &str) {
        self.notice = Some((text.to_string(), self.now + NOTICE_FOR));
    }

    fn on_key_filter(
        &mut self,
        key: KeyEvent,
        mut input: LineEditor,
        mut history_at: Option<usize>,
        mut draft: String,
    ) {
        let plain = key.modifiers.is_empty();
        match key.code {
            KeyCode::Enter if plain => {
                self.history_mut().push(input.text());
                self.mode = Mode::Normal;
                return;
            }
            KeyCode::Esc if plain => {
                self.mode = Mode::Normal;
                self.set_filter_here("");
                return;
            }
            // Up goes back through the filters kept this session; Down comes forward, and
            // past the newest gives back what was being typed.
            KeyCode::Up if plain && !self.history().is_empty() => {
                let at = match history_at {
                    None => {
                        draft = input.text().to_string();
                        self.history().len() - 1
                    }
                    Some(at) => at.saturating_sub(1),
                };
                history_at = Some(at);
                input = LineEditor::new(self.history().get(at).unwrap_or_default());
            }
            KeyCode::Down if plain && history_at.is_some() => {
                let next = history_at.map_or(0, |at| at + 1);
                if next < self.history().len() {
                    history_at = Some(next);
                    input = LineEditor::new(self.history().get(next).unwrap_or_default());
                } else {
                    history_at = None;
                    input = LineEditor::new(&std::mem::take(&mut draft));
                }
            }
            _ => match input.on_key(key) {
                Edit::Changed => history_at = None,
                Edit::Moved => {}
                Edit::Ignored => return,
            },
        }
        if self.filter_here() != input.text() {
            self.set_filter_here(input.text());
        }
        self.mode = Mode::Filter {
            input,
            history_at,
            draft,
        };
    }

    /// The filters kept this session for the prompt of this view: event filters in the
    /// panes, name filters in the overview.
    fn history(&self) -> &History {
        match self.view {
            View::Panes => &self.filter_history,
            View::Overview => &self.overview.history,
        }
    }

    fn history_mut(&mut self) -> &mut History {
        match self.view {
            View::Panes => &mut self.filter_history,
            View::Overview => &mut self.overview.history,
        }
    }

    /// The filter the prompt edits: the focused pane's, or the overview's name filter.
    fn filter_here(&self) -> &str {
        match self.view {
            View::Panes => self
                .focused()
                .and_then(|p| p.filter.as_ref())
                .map_or("", |f| f.pattern.as_str()),
            View::Overview => self.overview.pattern(),
        }
    }

    pub(super) fn set_filter_here(&mut self, pattern: &str) {
        match self.view {
            View::Panes => {
                if let Some(p) = self.focused_mut() {
                    p.set_filter(pattern);
                }
            }
            View::Overview => {
                // The selected feed stays selected while it matches; else the top row.
                self.overview.set_filter(pattern);
                self.overview.cursor = Some(0);
                self.refresh_overview(self.now);
            }
        }
    }

    fn on_key_help(&mut self, key: KeyEvent, scroll: usize) {
        let page = help::rows_shown(self.width, self.height).max(1) as isize;
        let delta = match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?' | 'q') => {
                self.mode = Mode::Normal;
                return;
            }
            KeyCode::Char('j') | KeyCode::Down => 1,
            KeyCode::Char('k') | KeyCode::Up => -1,
            KeyCode::PageDown | KeyCode::Char(' ') => page,
            KeyCode::PageUp => -page,
            KeyCode::Char('g') | KeyCode::Home => isize::MIN / 2,
            KeyCode::Char('G') | KeyCode::End => isize::MAX / 2,
            _ => return,
        };
        let scroll = scroll
            .saturating_add_signed(delta)
            .min(help::max_scroll(self.width, self.height));
        self.mode = Mode::Help { scroll };
    }

    /// `]` / `[`: the first pane of the next / previous page, round the end.
    fn turn_page(&mut self, forward: bool) {
        let n = self.panes.len();
        let body = self.body();
        let per_page = layout::per_page(n, body);
        let pages = n.div_ceil(per_page);
        let page = self.focus / per_page;
        let page = if forward {
            (page + 1) % pages
        } else {
            (page + pages - 1) % pages
        };
        self.focus = page * per_page;
    }

    /// `f`: the next feed, after the focused one and round, that failed or waits to retry.
    fn focus_trouble(&mut self) {
        let n = self.panes.len();
        let next = (1..=n).map(|k| (self.focus + k) % n).find(|&i| {
            matches!(
                self.panes[i].state,
                ConnState::Failed | ConnState::Waiting { .. }
            )
        });
        match next {
            Some(i) => self.focus = i,
            None => self.notify("no feed has failed or waits to retry"),
        }
    }

    fn on_key_types(&mut self, key: KeyEvent, cursor: usize, types: Vec<crate::sse::FieldStr>) {
        let n = types.len();
        let picked = types.get(cursor).cloned();
        let mut cursor = cursor;
        match key.code {
            KeyCode::Char('j') | KeyCode::Down if n > 0 => cursor = (cursor + 1).min(n - 1),
            KeyCode::Char('k') | KeyCode::Up => cursor = cursor.saturating_sub(1),
            KeyCode::Char(' ' | 'x') => {
                if let (Some(t), Some(p)) = (picked, self.focused_mut()) {
                    p.toggle_type(&t);
                }
            }
            KeyCode::Char('o') => {
                if let (Some(t), Some(p)) = (picked, self.focused_mut()) {
                    p.only_type(&t);
                }
            }
            KeyCode::Char('a') => {
                if let Some(p) = self.focused_mut() {
                    p.show_all_types();
                }
            }
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('t' | 'q') => {
                self.mode = Mode::Normal;
                return;
            }
            _ => {}
        }
        self.mode = Mode::Types { cursor, types };
    }

    fn on_key_detail(&mut self, key: KeyEvent, view: DetailView) -> Option<Action> {
        let page = self.detail_rows();
        let step = page as i64;
        let view = match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
                self.mode = Mode::Normal;
                return None;
            }
            KeyCode::Char(c @ ('y' | 'w')) => return self.detail_save_key(c, view.seq),
            KeyCode::Char('j') | KeyCode::Down => view.scrolled(1, page),
            KeyCode::Char('k') | KeyCode::Up => view.scrolled(-1, page),
            KeyCode::PageDown | KeyCode::Char(' ') => view.scrolled(step, page),
            KeyCode::PageUp => view.scrolled(-step, page),
            KeyCode::Char('g') | KeyCode::Home => view.scrolled(i64::MIN / 2, page),
            KeyCode::Char('G') | KeyCode::End => view.scrolled(i64::MAX / 2, page),
            KeyCode::Char(c @ ('n' | 'p')) => {
                // The next / previous event of the list, staying in the detail view.
                let pane = self.focused()?;
                let shown: Vec<u64> = pane.shown().collect();
                let Ok(pos) = shown.binary_search(&view.seq) else {
                    return None;
                };
                let next = if c == 'n' {
                    shown.get(pos + 1)
                } else {
                    pos.checked_sub(1).and_then(|p| shown.get(p))
                };
                let event = next.and_then(|&seq| pane.event(seq))?;
                let next = pane.detail_view(&event, &self.tz, self.detail_width());
                if let Some(p) = self.focused_mut() {
                    p.selected = Some(next.seq);
                }
                next
            }
            _ => return None,
        };
        self.mode = Mode::Detail(view);
        None
    }
}
