//! What keys do: the part of `App::update` that handles key presses, mode by mode.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, App, Mode, NOTICE_FOR};
use super::detail::DetailView;
use super::layout;
use crate::feed::{Command, FeedId};

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
        match self.mode.clone() {
            Mode::Normal => self.on_key_normal(key),
            Mode::Filter { input } => {
                self.on_key_filter(key, input);
                None
            }
            Mode::Types { cursor, types } => {
                self.on_key_types(key, cursor, types);
                None
            }
            Mode::Detail(view) => {
                self.on_key_detail(key, view);
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
                    let types = self
                        .focused()
                        .map(|p| p.type_counts().into_iter().map(|(t, _)| t).collect())
                        .unwrap_or_default();
                    self.mode = Mode::Types { cursor: 0, types };
                } else {
                    self.notify("no event types yet");
                }
            }
            KeyCode::Enter => {
                if let Some(pane) = self.focused()
                    && let Some(event) = pane.current_event()
                {
                    let view = DetailView::new(&pane.name, event, self.theme(), &self.tz);
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

    fn on_key_types(&mut self, key: KeyEvent, cursor: usize, types: Vec<Arc<str>>) {
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

    fn on_key_detail(&mut self, key: KeyEvent, view: DetailView) {
        let page = i32::from(self.height.saturating_sub(8)).max(1);
        let view = match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
                self.mode = Mode::Normal;
                return;
            }
            KeyCode::Char('j') | KeyCode::Down => view.scrolled(1),
            KeyCode::Char('k') | KeyCode::Up => view.scrolled(-1),
            KeyCode::PageDown | KeyCode::Char(' ') => view.scrolled(page),
            KeyCode::PageUp => view.scrolled(-page),
            KeyCode::Char('g') | KeyCode::Home => view.scrolled(i32::MIN / 2),
            KeyCode::Char('G') | KeyCode::End => view.scrolled(i32::MAX / 2),
            KeyCode::Char(c @ ('n' | 'p')) => {
                // The next / previous event of the list, staying in the detail view.
                let Some(pane) = self.focused() else {
                    return;
                };
                let shown: Vec<u64> = pane.shown().collect();
                let Ok(pos) = shown.binary_search(&view.seq) else {
                    return;
                };
                let next = if c == 'n' {
                    shown.get(pos + 1)
                } else {
                    pos.checked_sub(1).and_then(|p| shown.get(p))
                };
                let Some(event) = next.and_then(|&seq| pane.event(seq)) else {
                    return;
                };
                let next = DetailView::new(&pane.name, event, self.theme(), &self.tz);
                if let Some(p) = self.focused_mut() {
                    p.selected = Some(next.seq);
                }
                next
            }
            _ => return,
        };
        self.mode = Mode::Detail(view);
    }
}
