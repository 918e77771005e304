//! Text for people: escaping untrusted feed text and short human durations.

use std::fmt::Write;
use std::time::Duration;

/// Makes untrusted text safe for a terminal: control characters (C0, DEL, C1), and the
/// characters that reorder or hide text (bidi controls, zero-width and other invisible format
/// characters) are shown escaped (`\x1b`, `\u{202e}`),
/// so a hostile feed cannot repaint, retitle or reorder the user's screen. Tabs and newlines are
/// escaped too (`\t`, `\n`): a line of output is one line on screen.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if printable_ascii(text) || !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

/// Like [`escape`], but keeps newlines as they are (for multi-line views of one event).
pub fn escape_keep_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && needs_escape(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\n' {
            out.push('\n');
        } else {
            push_escaped(&mut out, c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Printable ASCII only (space to `~`): nothing to escape, and a character per byte. Most feed
/// text is, and this test runs many bytes at a time, where `needs_escape` goes by character.
fn printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Format characters a terminal draws as nothing (or as a line break), so text holding them
/// looks like other text: the soft hyphen, zero-width spaces and joiners, word joiner and
/// invisible operators, the byte order mark, and the line and paragraph separators.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206a}'..='\u{206f}'
            | '\u{feff}'
    )
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 && needs_escape(c) => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if needs_escape(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// `data` made into one safe line of at most `max_chars` characters, or `None` when it is one
/// already (no line break, control or bidi character) and short enough to use as it is.
/// JSON spread over lines is made compact; other line breaks and controls are escaped; a cut
/// ends in `…`, which counts. The work is bounded by what shows: only the first
/// `max_chars + 1` characters are looked at (what lies beyond cannot change the line), except
/// that JSON up to 64 KiB whose head needs escaping is parsed whole to be made compact.
pub fn one_line(data: &str, max_chars: usize) -> Option<String> {
    const COMPACT_UP_TO: usize = 64 * 1024;
    // The common case, decided without going through the text by character.
    if data.len() <= max_chars && printable_ascii(data) {
        return None;
    }
    // One character more than can show: enough to know whether a cut is needed.
    let head = head_chars(data, max_chars + 1);
    let safe = !head.chars().any(needs_escape);
    if safe && head.len() == data.len() && head.chars().count() <= max_chars {
        return None;
    }
    let trimmed = head.trim_start();
    let compacted;
    let mut head = head;
    if !safe
        && data.len() <= COMPACT_UP_TO
        && (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(data)
    {
        compacted = value.to_string();
        head = head_chars(&compacted, max_chars + 1);
    }
    Some(clip(&escape(head), max_chars).into_owned())
}

/// The first `n` characters of `s` (all of it when shorter), looking at no more than those.
fn head_chars(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// At most `max_chars` characters of `s`, ending in `…` (which counts) when cut.
pub fn clip(s: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max_chars) {
        None => std::borrow::Cow::Borrowed(s),
        Some(_) => {
            let end = s
                .char_indices()
                .nth(max_chars.saturating_sub(1))
                .map_or(s.len(), |(i, _)| i);
            std::borrow::Cow::Owned(format!("{}…", &s[..end]))
        }
    }
}

/// A short duration for people: `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`.
pub fn duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 10_000 {
        format!("{:.1} s", d.as_secs_f64())
    } else if ms < 60_000 {
        format!("{} s", d.as_secs())
    } else if ms < 3_600_000 {
        let s = d.as_secs();
        if s.is_multiple_of(60) {
            format!("{} min", s / 60)
        } else {
            format!("{} min {} s", s / 60, s % 60)
        }
    } else {
        let m = d.as_secs() / 60;
        format!("{} h {} min", m / 60, m % 60)
    }
}

/// Whether `text` holds a character [`escape`] would escape: a control (C0, DEL, C1, tab,
/// line break) or a bidi control. Names, event types and ids from a config must not.
pub fn has_controls(text: &str) -> bool {
    text.chars().any(needs_escape)
}

/// Line and column (both from 1, the column in characters) of a byte offset in `text`, for
/// `file:line:col` in error messages. An offset past the end, or inside a character, counts
/// from the last character boundary before it.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Whether [`escape`] shows this character escaped (a control or bidi character).
pub fn is_unsafe(c: char) -> bool {
    needs_escape(c)
}

/// Like [`escape`], and a literal backslash is doubled, so that text holding the four
/// characters `\x1b` (shown `\\x1b`) cannot be taken for an escaped ESC (shown `\x1b`).
pub fn escape_unambiguous(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\\') {
        return escape(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else {
            push_escaped(&mut out, c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_is_exactly_the_ascii_that_needs_no_escape() {
        for b in 0..128u8 {
            let c = char::from(b);
            assert_eq!(printable_ascii(&c.to_string()), !needs_escape(c), "{b:#x}");
        }
        assert!(!printable_ascii("caf\u{e9}"));
        assert!(printable_ascii(r#"{"a":[1,2]} ~"#));
    }

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("\x1b[31mred\x07"), "\\x1b[31mred\\x07");
        assert_eq!(escape("a\nb\tc\r"), "a\\nb\\tc\\r");
        assert_eq!(escape("\u{9b}2J"), "\\x9b2J");
        assert_eq!(escape("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(escape_keep_newlines("a\nb\x1b"), "a\nb\\x1b");
    }

    #[test]
    fn unambiguous_escaping_tells_a_backslash_from_an_escape() {
        assert_eq!(escape_unambiguous("\x1b"), "\\x1b");
        assert_eq!(escape_unambiguous("\\x1b"), "\\\\x1b");
        assert_eq!(escape_unambiguous("a\\b\n"), "a\\\\b\\n");
        assert_eq!(escape_unambiguous("plain"), "plain");
        assert!(has_controls("a\u{202e}") && !has_controls("a\\b"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Duration::from_millis(850)), "850 ms");
        assert_eq!(duration(Duration::from_millis(4200)), "4.2 s");
        assert_eq!(duration(Duration::from_secs(42)), "42 s");
        assert_eq!(duration(Duration::from_secs(185)), "3 min 5 s");
        assert_eq!(duration(Duration::from_secs(120)), "2 min");
        assert_eq!(duration(Duration::from_secs(7800)), "2 h 10 min");
    }

    #[test]
    fn positions_count_lines_and_characters() {
        assert_eq!(line_col("a = 1\nbé = 2\n", 0), (1, 1));
        assert_eq!(line_col("a = 1\nbé = 2\n", 6), (2, 1));
        assert_eq!(line_col("a = 1\nbé = 2\n", 10), (2, 4));
        // Inside `é`, and past the end: no panic, the nearest boundary before.
        assert_eq!(line_col("a = 1\nbé = 2\n", 8), (2, 2));
        assert_eq!(line_col("ab", 99), (1, 3));
    }

    #[test]
    fn controls_and_bidi_are_found() {
        assert!(!has_controls("ticker-1 é"));
        assert!(has_controls("a\tb"));
        assert!(has_controls("n\u{1b}]0;x"));
        assert!(has_controls("abc\u{202e}"));
        assert!(has_controls("\u{85}"));
    }

    #[test]
    fn zero_width_and_invisible_format_characters_are_escaped() {
        for (c, shown) in [
            ('\u{200b}', "\\u{200b}"),
            ('\u{200c}', "\\u{200c}"),
            ('\u{200d}', "\\u{200d}"),
            ('\u{2060}', "\\u{2060}"),
            ('\u{2064}', "\\u{2064}"),
            ('\u{feff}', "\\u{feff}"),
            ('\u{180e}', "\\u{180e}"),
            ('\u{2028}', "\\u{2028}"),
            ('\u{2029}', "\\u{2029}"),
            ('\u{61c}', "\\u{61c}"),
            ('\u{ad}', "\\xad"),
        ] {
            assert_eq!(escape(&format!("AC{c}ME")), format!("AC{shown}ME"));
            assert_eq!(
                escape_keep_newlines(&format!("a{c}\nb")),
                format!("a{shown}\nb")
            );
            assert!(
                has_controls(&c.to_string()) && is_unsafe(c),
                "U+{:04X}",
                c as u32
            );
            assert_eq!(one_line(&format!("{c}"), 20).as_deref(), Some(shown));
        }
        // Visible neighbours are left alone.
        assert_eq!(escape("café ‐ “x” 😀"), "café ‐ “x” 😀");
    }
}
