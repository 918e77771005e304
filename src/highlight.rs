//! Highlights in shown text: zero-config spans for log levels, HTTP status codes, numbers and
//! quoted strings, under the user's `[[highlight]]` rules. Pure: text in, marked byte ranges
//! out; the dashboard and `tail --format text` turn a [`Kind`] into their own style.
//!
//! Precedence, per byte: the user's rules in order (the first that matches wins), then log
//! levels, status codes, quoted strings, numbers. A lower-priority span only paints the bytes
//! nobody above it claimed, so `"level":"ERROR"` shows a red `ERROR` inside a string's quotes.

use std::sync::LazyLock;

use ratatui::style::{Color, Modifier, Style};
use regex::Regex;

use crate::tui::theme::Theme;

/// What a span of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// ERROR, FATAL, PANIC, CRITICAL.
    Error,
    /// WARN, WARNING.
    Warn,
    /// DEBUG, TRACE.
    Debug,
    /// An HTTP status code; the digit is its class (1-5).
    Status(u8),
    Number,
    Quoted,
    /// The user's rule with this index.
    Rule(usize),
}

/// One highlighted byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

static LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:(?P<e>ERROR|ERR|FATAL|PANIC|CRITICAL|CRIT)|(?P<w>WARN|WARNING)|(?P<d>DEBUG|TRACE))\b")
        .expect("valid regex")
});
/// A status code only where it reads as one: after `HTTP/1.1`, `status`, `code`, or before
/// a reason phrase. A bare `404` may be a price.
static STATUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?:HTTP/\d(?:\.\d)?\s+|\b(?i:status|status_code|statusCode|code)"?\s*[:=]\s*"?)(?P<a>[1-5]\d\d)\b"#,
        r"|\b(?P<b>[1-5]\d\d)\s+(?:OK|Created|Accepted|No Content|Moved|Found|See Other|Not Modified",
        r"|Bad Request|Unauthorized|Forbidden|Not Found|Method Not Allowed|Conflict|Gone|Too Many",
        r"|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b",
    ))
    .expect("valid regex")
});
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""(?:[^"\\]|\\.)*""#).expect("valid regex"));
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w.])(?P<n>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\b").expect("valid regex")
});

/// The marks of `text`, in order and not overlapping. `rules` are the user's regex rules with
/// their index; `whole` is the first user rule (a jq rule, decided on the event's data) that
/// claims all of the text.
pub fn marks<'r>(
    text: &str,
    rules: impl IntoIterator<Item = (usize, &'r Regex)>,
    whole: Option<usize>,
) -> Vec<Mark> {
    let mut paint: Vec<Option<Kind>> = vec![None; text.len()];
    let mut claim = |start: usize, end: usize, kind: Kind| {
        for slot in &mut paint[start..end] {
            slot.get_or_insert(kind);
        }
    };
    let mut rules: Vec<(usize, &Regex)> = rules.into_iter().collect();
    if let Some(w) = whole {
        // Rules before the jq one still win their spans; those after it lose to it.
        rules.retain(|(i, _)| *i < w);
    }
    for (i, re) in rules {
        for m in re.find_iter(text).filter(|m| !m.is_empty()) {
            claim(m.start(), m.end(), Kind::Rule(i));
        }
    }
    if let Some(w) = whole {
        claim(0, text.len(), Kind::Rule(w));
    }
    for c in LEVEL.captures_iter(text) {
        let (m, kind) = match (c.name("e"), c.name("w"), c.name("d")) {
            (Some(m), _, _) => (m, Kind::Error),
            (_, Some(m), _) => (m, Kind::Warn),
            (_, _, Some(m)) => (m, Kind::Debug),
            _ => continue,
        };
        claim(m.start(), m.end(), kind);
    }
    for c in STATUS.captures_iter(text) {
        if let Some(m) = c.name("a").or_else(|| c.name("b")) {
            let class = m.as_str().as_bytes()[0] - b'0';
            claim(m.start(), m.end(), Kind::Status(class));
        }
    }
    for m in QUOTED.find_iter(text) {
        claim(m.start(), m.end(), Kind::Quoted);
    }
    for c in NUMBER.captures_iter(text) {
        if let Some(m) = c.name("n") {
            claim(m.start(), m.end(), Kind::Number);
        }
    }
    runs(text, &paint)
}

/// Consecutive bytes of one kind, as marks (on character boundaries: every claim is).
fn runs(text: &str, paint: &[Option<Kind>]) -> Vec<Mark> {
    let mut out: Vec<Mark> = Vec::new();
    for (i, kind) in paint.iter().enumerate() {
        let Some(kind) = *kind else { continue };
        match out.last_mut() {
            Some(last) if last.end == i && last.kind == kind => last.end = i + 1,
            _ => out.push(Mark {
                start: i,
                end: i + 1,
                kind,
            }),
        }
    }
    out.retain(|m| text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
    out
}

/// The style of a built-in kind in `theme` (a rule's style is the rule's own). Subtle: the
/// theme's JSON colours for numbers and strings, bold only for errors and warnings.
pub fn style(theme: &Theme, kind: Kind) -> Style {
    match kind {
        Kind::Error => theme.error(),
        Kind::Warn => theme.color(theme.waiting).add_modifier(Modifier::BOLD),
        Kind::Debug => theme.dim(),
        Kind::Status(2) => theme.color(theme.open),
        Kind::Status(3) => theme.color(theme.connecting),
        Kind::Status(4) => theme.color(theme.waiting),
        Kind::Status(5) => theme.error(),
        Kind::Status(_) => theme.dim(),
        Kind::Number => theme.color(theme.json_number),
        Kind::Quoted => theme.color(theme.json_string),
        Kind::Rule(_) => Style::default(),
    }
}

/// `text` with SGR sequences around its marks, for a terminal (`tail --format text`).
/// `rule_style` gives a user rule's style. `text` must already be escaped for the terminal.
pub fn ansi(
    text: &str,
    marks: &[Mark],
    theme: &Theme,
    rule_style: impl Fn(usize) -> Style,
) -> String {
    let mut out = String::with_capacity(text.len() + marks.len() * 12);
    let mut at = 0;
    for m in marks {
        let style = match m.kind {
            Kind::Rule(i) => rule_style(i),
            kind => style(theme, kind),
        };
        let Some(sgr) = sgr_of(style) else { continue };
        out.push_str(&text[at..m.start]);
        out.push_str("\x1b[");
        out.push_str(&sgr);
        out.push('m');
        out.push_str(&text[m.start..m.end]);
        out.push_str("\x1b[0m");
        at = m.end;
    }
    out.push_str(&text[at..]);
    out
}

/// An event's data as `tail --format text` prints it: escaped for the terminal, and with
/// colours (`theme` is `None` off a terminal or under `NO_COLOR`) its highlights, the feed's
/// regex `rules` first.
pub fn terminal_text<'a>(
    data: &'a str,
    theme: Option<&Theme>,
    rules: &[crate::view::HighlightRule],
) -> std::borrow::Cow<'a, str> {
    let escaped = crate::text::escape_unambiguous(data);
    let Some(theme) = theme else { return escaped };
    let regexes = rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.matcher {
            crate::view::HighlightMatch::Regex(re) => Some((i, re)),
            crate::view::HighlightMatch::Jq(_) => None,
        });
    let found = marks(&escaped, regexes, None);
    if found.is_empty() {
        return escaped;
    }
    let style_of = |i: usize| rules.get(i).map_or_else(Style::default, |r| r.style);
    std::borrow::Cow::Owned(ansi(&escaped, &found, theme, style_of))
}

/// The SGR parameters of a style's colour and emphasis (`None`: nothing to set).
fn sgr_of(style: Style) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if style.add_modifier.contains(Modifier::BOLD) {
        parts.push("1".into());
    }
    if style.add_modifier.contains(Modifier::DIM) {
        parts.push("2".into());
    }
    if style.add_modifier.contains(Modifier::ITALIC) {
        parts.push("3".into());
    }
    if style.add_modifier.contains(Modifier::UNDERLINED) {
        parts.push("4".into());
    }
    if style.add_modifier.contains(Modifier::REVERSED) {
        parts.push("7".into());
    }
    if let Some(fg) = style.fg.filter(|c| *c != Color::Reset) {
        parts.extend(crate::tail::sgr(fg));
    }
    (!parts.is_empty()).then(|| parts.join(";"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&str, Kind)> {
        marks(text, [], None)
            .into_iter()
            .map(|m| (&text[m.start..m.end], m.kind))
            .collect()
    }

    #[test]
    fn log_levels_are_marked_by_severity_and_only_as_whole_upper_case_words() {
        assert_eq!(
            kinds("12:00 ERROR db down, WARN slow, DEBUG x, TRACE y, FATAL z"),
            vec![
                ("12", Kind::Number),
                ("00", Kind::Number),
                ("ERROR", Kind::Error),
                ("WARN", Kind::Warn),
                ("DEBUG", Kind::Debug),
                ("TRACE", Kind::Debug),
                ("FATAL", Kind::Error),
            ]
        );
        assert_eq!(kinds("terrors and warnings"), vec![]);
    }

    #[test]
    fn status_codes_are_marked_by_class_where_they_read_as_status_codes_only() {
        assert_eq!(
            kinds("HTTP/1.1 503 then status=404 and 201 Created"),
            vec![
                ("1.1", Kind::Number),
                ("503", Kind::Status(5)),
                ("404", Kind::Status(4)),
                ("201", Kind::Status(2)),
            ]
        );
        assert_eq!(kinds("price 404"), vec![("404", Kind::Number)]);
        assert_eq!(
            kinds(r#"{"status":302}"#),
            vec![("\"status\"", Kind::Quoted), ("302", Kind::Status(3))]
        );
    }

    #[test]
    fn strings_and_numbers_are_marked_and_a_level_inside_a_string_wins_its_bytes() {
        assert_eq!(
            kinds(r#"{"price":118.84,"level":"ERROR","v":"a\"b"}"#),
            vec![
                ("\"price\"", Kind::Quoted),
                ("118.84", Kind::Number),
                ("\"level\"", Kind::Quoted),
                ("\"", Kind::Quoted),
                ("ERROR", Kind::Error),
                ("\"", Kind::Quoted),
                ("\"v\"", Kind::Quoted),
                ("\"a\\\"b\"", Kind::Quoted),
            ]
        );
        // Digits inside a word or a version are not numbers of their own.
        assert_eq!(kinds("api-v2 x1"), vec![]);
        assert_eq!(kinds("-3.5e2"), vec![("-3.5e2", Kind::Number)]);
    }

    #[test]
    fn the_first_matching_rule_wins_a_span_over_later_rules_and_built_ins() {
        let a = Regex::new("deploy [a-z]+").unwrap();
        let b = Regex::new("api").unwrap();
        let text = "ERROR deploy api failed";
        let got: Vec<(&str, Kind)> = marks(text, [(0, &a), (1, &b)], None)
            .into_iter()
            .map(|m| (&text[m.start..m.end], m.kind))
            .collect();
        assert_eq!(
            got,
            vec![("ERROR", Kind::Error), ("deploy api", Kind::Rule(0))]
        );
        // A jq rule (index 1) claims the whole text, except what an earlier rule took.
        let got: Vec<(&str, Kind)> = marks(text, [(0, &a), (2, &b)], Some(1))
            .into_iter()
            .map(|m| (&text[m.start..m.end], m.kind))
            .collect();
        assert_eq!(
            got,
            vec![
                ("ERROR ", Kind::Rule(1)),
                ("deploy api", Kind::Rule(0)),
                (" failed", Kind::Rule(1))
            ]
        );
    }

    #[test]
    fn marks_fall_on_character_boundaries_of_any_text() {
        let text = "é\"ü\" 3€ ERROR ✓";
        for m in marks(text, [], None) {
            assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        }
    }

    #[test]
    fn tail_text_is_coloured_only_with_a_theme_and_stays_escaped() {
        let theme = crate::tui::theme::load_all(None, false).unwrap().remove(2);
        let data = "ERROR \x1b[2J boom";
        assert_eq!(terminal_text(data, None, &[]), "ERROR \\x1b[2J boom");
        let coloured = terminal_text(data, Some(&theme), &[]);
        assert!(
            coloured.starts_with("\x1b[1;91mERROR\x1b[0m"),
            "{coloured:?}"
        );
        // The feed's own escape sequence is still shown escaped, never sent.
        assert!(coloured.contains("\\x1b[2J"), "{coloured:?}");
    }

    #[test]
    fn ansi_wraps_each_mark_in_its_colour_and_resets_after_it() {
        let theme = crate::tui::theme::load_all(None, false).unwrap().remove(2);
        let text = "WARN 7";
        let out = ansi(text, &marks(text, [], None), &theme, |_| Style::default());
        assert_eq!(out, "\x1b[1;93mWARN\x1b[0m \x1b[93m7\x1b[0m");
        let no_color = crate::tui::theme::load_all(None, true).unwrap().remove(2);
        let out = ansi(text, &marks(text, [], None), &no_color, |_| {
            Style::default()
        });
        assert_eq!(out, "\x1b[1mWARN\x1b[0m 7");
    }
}
