//! The help overlay's content and size: shared by the keys that scroll it and by drawing.

/// Every key of the dashboard, as the help overlay lists it.
pub const KEYS: &[(&str, &str)] = &[
    (
        "Tab / Shift-Tab, 1-9",
        "focus the next / previous / n-th pane",
    ),
    ("[  ]", "previous / next page of panes"),
    ("f", "focus the next failed or waiting feed"),
    ("j k, ↓ ↑", "select the next / previous event"),
    ("PgDn PgUp", "a page down / up"),
    ("g  G", "oldest event / follow the newest"),
    ("Space", "pause the view (events keep counting)"),
    ("/", "filter by text or regex (Esc clears)"),
    ("  ← → Home End", "move in the filter (also Ctrl-A Ctrl-E)"),
    ("  Ctrl-W Ctrl-U Ctrl-K", "delete a word / to start / to end"),
    ("  Alt-B Alt-F", "a word back / forward"),
    ("  ↑ ↓", "earlier filters of this session"),
    ("t", "pick event types to show"),
    ("Enter", "inspect the selected event"),
    ("z", "zoom the pane"),
    ("r", "reconnect now"),
    ("d", "disconnect / connect"),
    ("c", "clear the pane's events"),
    ("T", "next theme"),
    ("?", "this help (j k scroll it)"),
    ("q, Ctrl-C", "quit"),
];

/// Lines under the keys.
pub const NOTES: &[&str] = &[
    "Feeds reconnect by themselves; 5xx, 408 and 429 back off.",
    "Esc or ? closes this help.",
];

/// Lines of the help: the keys, a blank line and the notes.
pub fn lines() -> usize {
    KEYS.len() + 1 + NOTES.len()
}

/// Rows of help a screen `height` rows high shows at once (the box has a border).
pub fn rows_shown(height: u16) -> usize {
    (lines() + 2).min(usize::from(height)).saturating_sub(2)
}

/// The furthest the help scrolls on a screen `height` rows high.
pub fn max_scroll(height: u16) -> usize {
    lines().saturating_sub(rows_shown(height))
}
