//! The help overlay's content and size: shared by the keys that scroll it and by drawing.

/// Every key of the dashboard, as the help overlay lists it.
pub const KEYS: &[(&str, &str)] = &[
    (
        "Tab / Shift-Tab, 1-9",
        "focus the next / previous / n-th pane",
    ),
    ("[ ]", "previous / next page of panes"),
    ("o", "overview: a row per feed / the panes"),
    ("  s  S", "next sort column / reverse the order"),
    ("  /", "filter the feeds by name (Esc clears)"),
    ("  Enter, Esc", "open the feed zoomed / come back"),
    ("f", "go to the next failed or waiting feed"),
    ("j k, ↓ ↑", "select the next / previous event"),
    ("PgDn PgUp", "a page down / up"),
    ("g  G", "oldest event / follow the newest"),
    ("Space", "pause the view (events keep counting)"),
    ("/", "filter by text or regex (Esc clears)"),
    ("  jq: EXPR", "events where the jq expr is true"),
    ("  ← → Home End", "move in it (also Ctrl-A, Ctrl-E)"),
    (
        "  Ctrl-W / -U / -K",
        "delete a word / to the start / to end",
    ),
    ("  Alt-B Alt-F", "a word back / forward"),
    ("  ↑ ↓", "earlier filters of this session"),
    ("t", "pick event types to show"),
    ("v", "next view: list, board, transcript"),
    ("  s  S", "board: next sort / reverse it"),
    ("  Enter", "board row's event / message's events"),
    ("Enter", "inspect an event (y copy, w save)"),
    ("z", "zoom the pane"),
    ("r", "reconnect now"),
    ("d", "disconnect / connect"),
    ("c", "clear the pane's events"),
    ("T", "next theme"),
    ("!", "alert log; Enter opens its event"),
    ("Ctrl-L", "reload the config file now"),
    ("mouse", "click focuses; double click opens"),
    ("R", "record all feeds to a file / stop"),
    ("e", "export the pane's shown events"),
    ("Space ← → (replay)", "pause / step back, forward 10 s"),
    ("?", "this help (j k scroll it)"),
    ("q, Ctrl-C", "quit"),
];

/// Lines under the keys.
pub const NOTES: &[&str] = &[
    "Feeds reconnect by themselves; 5xx, 408 and 429 back off.",
    "Esc or ? closes this help.",
];

/// The widest the help box gets.
pub const BOX_WIDTH: u16 = 64;
/// The key column: wide enough for every key, or on a narrow screen for the short ones.
const KEY_COLUMN: usize = 22;
const NARROW_KEY_COLUMN: usize = 12;

/// What a piece of the help is, which decides how it looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Key,
    What,
    Note,
}

/// The help's lines for a screen `screen_width` wide: key and meaning side by side when they
/// fit, else the meaning under its key (never cut); notes wrap at words.
pub fn content(screen_width: u16) -> Vec<Vec<(Part, String)>> {
    let inner = usize::from(BOX_WIDTH.min(screen_width).saturating_sub(2));
    let widest = KEYS
        .iter()
        .map(|(_, w)| w.chars().count())
        .max()
        .unwrap_or(0);
    let column = if 1 + KEY_COLUMN + widest <= inner {
        KEY_COLUMN
    } else {
        NARROW_KEY_COLUMN
    };
    let mut lines = Vec::new();
    for (key, what) in KEYS {
        if key.chars().count() < column && 1 + column + what.chars().count() <= inner {
            lines.push(vec![
                (Part::Key, format!(" {key:<column$}")),
                (Part::What, what.to_string()),
            ]);
        } else {
            lines.push(vec![(Part::Key, format!(" {key}"))]);
            lines.push(vec![(Part::What, format!("     {what}"))]);
        }
    }
    lines.push(Vec::new());
    for note in NOTES {
        for line in wrap_words(note, inner.saturating_sub(1).max(10)) {
            lines.push(vec![(Part::Note, format!(" {line}"))]);
        }
    }
    lines
}

/// `text` in lines of at most `width` characters, broken between words.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().expect("one line at least");
        let len = last.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if len > 0 {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// Lines of the help on a screen of this size.
pub fn lines(width: u16) -> usize {
    content(width).len()
}

/// Rows of help a screen shows at once (the box has a border).
pub fn rows_shown(width: u16, height: u16) -> usize {
    (lines(width) + 2)
        .min(usize::from(height))
        .saturating_sub(2)
}

/// The furthest the help scrolls on a screen of this size.
pub fn max_scroll(width: u16, height: u16) -> usize {
    lines(width).saturating_sub(rows_shown(width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_help_puts_each_meaning_under_its_key_whole() {
        let wide = content(100);
        assert_eq!(wide.len(), KEYS.len() + 1 + NOTES.len());
        let narrow = content(44);
        for line in &narrow {
            let text: String = line.iter().map(|(_, s)| s.as_str()).collect();
            assert!(text.chars().count() <= 42, "{text:?}");
        }
        let text: Vec<String> = narrow
            .iter()
            .map(|l| l.iter().map(|(_, s)| s.as_str()).collect())
            .collect();
        assert!(
            text.contains(&format!(" {:<12}disconnect / connect", "d")),
            "{text:?}"
        );
        assert!(
            text.contains(&" Tab / Shift-Tab, 1-9".to_string()),
            "{text:?}"
        );
    }
}
