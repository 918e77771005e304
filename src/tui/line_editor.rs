//! A one-line text editor for the filter prompt: a cursor, the usual readline keys, and a
//! history of the session's filters. Small on purpose (no crate): the prompt needs no more.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Filters remembered for Up/Down, per session.
pub const HISTORY: usize = 50;
/// The longest line, in characters: a paste cannot make every key cost a megabyte.
pub const MAX_CHARS: usize = 1024;

/// The text being typed and where the cursor is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEditor {
    text: String,
    /// Cursor position, in characters from the start (0..=len).
    cursor: usize,
}

/// What a key did to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// Not an editing key.
    Ignored,
}

impl LineEditor {
    pub fn new(text: &str) -> Self {
        LineEditor {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Byte offset of character `n`.
    fn byte(&self, n: usize) -> usize {
        self.text
            .char_indices()
            .nth(n)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn remove(&mut self, from: usize, to: usize) -> Edit {
        if from >= to {
            return Edit::Moved;
        }
        let (a, b) = (self.byte(from), self.byte(to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
        Edit::Changed
    }

    /// The start of the word before the cursor (readline's Ctrl-W / Alt-B: skip spaces, then
    /// non-spaces).
    fn word_left(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut i = self.cursor;
        while i > 0 && chars[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !chars[i - 1].is_whitespace() {
            i -= 1;
        }
        i
    }

    /// The end of the word after the cursor (Alt-F).
    fn word_right(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut i = self.cursor;
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        i
    }

    /// Applies one key. Keys with modifiers other than the ones listed are ignored, so that
    /// Ctrl-X never types an `x`.
    pub fn on_key(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let plain = !ctrl && !alt;
        let old = self.cursor;
        let moved = |e: &Self| {
            if e.cursor == old {
                Edit::Ignored
            } else {
                Edit::Moved
            }
        };
        match key.code {
            KeyCode::Left if plain => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right if plain => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home if plain => self.cursor = 0,
            KeyCode::End if plain => self.cursor = self.len(),
            KeyCode::Char('a') if ctrl && !alt => self.cursor = 0,
            KeyCode::Char('e') if ctrl && !alt => self.cursor = self.len(),
            KeyCode::Char('b') if alt && !ctrl => self.cursor = self.word_left(),
            KeyCode::Char('f') if alt && !ctrl => self.cursor = self.word_right(),
            KeyCode::Left if ctrl || alt => self.cursor = self.word_left(),
            KeyCode::Right if ctrl || alt => self.cursor = self.word_right(),
            KeyCode::Char('w') if ctrl && !alt => return self.remove(self.word_left(), old),
            KeyCode::Backspace if alt || ctrl => return self.remove(self.word_left(), old),
            KeyCode::Char('u') if ctrl && !alt => return self.remove(0, old),
            KeyCode::Char('k') if ctrl && !alt => return self.remove(old, self.len()),
            KeyCode::Backspace => return self.remove(old.saturating_sub(1), old),
            KeyCode::Delete if plain => {
                return self.remove(old, (old + 1).min(self.len()));
            }
            KeyCode::Char(c) if plain && !c.is_control() => {
                if self.len() >= MAX_CHARS {
                    return Edit::Ignored;
                }
                let at = self.byte(old);
                self.text.insert(at, c);
                self.cursor += 1;
                return Edit::Changed;
            }
            _ => return Edit::Ignored,
        }
        moved(self)
    }
}

/// The filters typed this session, oldest first, and where Up/Down is in them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<String>,
}

impl History {
    /// Remembers a filter that was kept (Enter); an empty one or a repeat of the last is not.
    pub fn push(&mut self, text: &str) {
        if text.is_empty() || self.entries.last().is_some_and(|l| l == text) {
            return;
        }
        if self.entries.len() == HISTORY {
            self.entries.remove(0);
        }
        self.entries.push(text.to_string());
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        self.entries.get(i).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    fn alt(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)
    }
    fn typed(s: &str) -> LineEditor {
        let mut e = LineEditor::default();
        for c in s.chars() {
            e.on_key(k(KeyCode::Char(c)));
        }
        e
    }

    #[test]
    fn typing_inserts_at_the_cursor_and_arrows_move_it() {
        let mut e = typed("helo");
        e.on_key(k(KeyCode::Left));
        e.on_key(k(KeyCode::Char('l')));
        assert_eq!((e.text(), e.cursor()), ("hello", 4));
        e.on_key(k(KeyCode::Home));
        e.on_key(k(KeyCode::Char('>')));
        assert_eq!((e.text(), e.cursor()), (">hello", 1));
        e.on_key(k(KeyCode::End));
        assert_eq!(e.cursor(), 6);
        assert_eq!(e.on_key(k(KeyCode::Right)), Edit::Ignored);
    }

    #[test]
    fn backspace_and_delete_work_at_the_cursor() {
        let mut e = typed("abcd");
        e.on_key(k(KeyCode::Left));
        e.on_key(k(KeyCode::Left));
        e.on_key(k(KeyCode::Backspace));
        assert_eq!((e.text(), e.cursor()), ("acd", 1));
        e.on_key(k(KeyCode::Delete));
        assert_eq!((e.text(), e.cursor()), ("ad", 1));
        e.on_key(k(KeyCode::Home));
        assert_eq!(e.on_key(k(KeyCode::Backspace)), Edit::Moved);
        assert_eq!(e.text(), "ad");
    }

    #[test]
    fn control_keys_edit_and_never_type_letters() {
        let mut e = typed("error timeout 503");
        e.on_key(ctrl('w'));
        assert_eq!(e.text(), "error timeout ");
        e.on_key(ctrl('a'));
        assert_eq!(e.cursor(), 0);
        e.on_key(ctrl('e'));
        assert_eq!(e.cursor(), 14);
        e.on_key(alt('b'));
        assert_eq!(e.cursor(), 6);
        e.on_key(ctrl('k'));
        assert_eq!(e.text(), "error ");
        e.on_key(alt('b'));
        e.on_key(alt('f'));
        assert_eq!(e.cursor(), 5);
        e.on_key(ctrl('u'));
        assert_eq!((e.text(), e.cursor()), (" ", 0));
        assert_eq!(e.on_key(ctrl('x')), Edit::Ignored);
        assert_eq!(e.text(), " ");
    }

    #[test]
    fn multibyte_text_is_edited_by_characters() {
        let mut e = typed("héllo→x");
        e.on_key(k(KeyCode::Left));
        e.on_key(k(KeyCode::Backspace));
        assert_eq!(e.text(), "héllox");
        e.on_key(k(KeyCode::Home));
        e.on_key(k(KeyCode::Right));
        e.on_key(k(KeyCode::Delete));
        assert_eq!(e.text(), "hllox");
    }

    #[test]
    fn the_line_stops_growing_at_its_limit() {
        let mut e = typed(&"x".repeat(MAX_CHARS + 10));
        assert_eq!(e.text().chars().count(), MAX_CHARS);
        assert_eq!(e.on_key(k(KeyCode::Char('y'))), Edit::Ignored);
    }

    #[test]
    fn history_skips_empty_and_repeated_entries_and_is_bounded() {
        let mut h = History::default();
        h.push("a");
        h.push("a");
        h.push("");
        h.push("b");
        assert_eq!(h.len(), 2);
        for i in 0..100 {
            h.push(&i.to_string());
        }
        assert_eq!(h.len(), HISTORY);
        assert_eq!(h.get(HISTORY - 1), Some("99"));
    }
}
