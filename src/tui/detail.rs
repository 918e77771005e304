//! The detail view of one event (`Enter`). Its content is built once, when the view opens, as
//! data: rows of text pieces, each of a [`Kind`] that drawing turns into a style. Rows are
//! wrapped to the screen's width here (again on a resize), so a frame only draws the rows it
//! shows, and a wrapped row is marked so it cannot be taken for a line break in the data.

use std::sync::Arc;

use jiff::tz::TimeZone;
use unicode_width::UnicodeWidthChar;

use super::fmt;
use super::pane::StoredEvent;
use crate::text;

/// The most of one event's raw data the detail view shows.
pub const DETAIL_MAX_BYTES: usize = 256 * 1024;
/// JSON larger than this is shown raw only.
pub const JSON_PRETTY_MAX: usize = 256 * 1024;
/// What starts a row that continues the one above (the data has no line break there).
pub const WRAP_MARK: &str = "↪";

/// What a piece of the detail view is, which decides how it looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Label,
    Value,
    /// The event type (coloured like the type is everywhere).
    EventType,
    Heading,
    Warning,
    Raw,
    JsonKey,
    JsonString,
    JsonNumber,
    JsonLiteral,
    /// Brackets, commas, colons and indentation.
    JsonPunct,
    /// The mark at the start of a wrapped row.
    Wrap,
}

/// One row of the view: pieces of text, already safe for the terminal.
pub type Row = Vec<(Kind, String)>;

/// One event, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailView {
    pub seq: u64,
    pub feed: String,
    pub event_type: Arc<str>,
    /// The content, one entry per line of it.
    lines: Arc<Vec<Row>>,
    /// `lines` wrapped at `width`.
    pub rows: Arc<Vec<Row>>,
    pub width: u16,
    /// The first row shown.
    pub scroll: usize,
}

impl DetailView {
    /// The view with what the feed's expressions failed with on this event, under the data.
    pub fn with_errors(mut self, errors: &[Box<str>]) -> Self {
        if errors.is_empty() {
            return self;
        }
        let mut lines = (*self.lines).clone();
        lines.push(Row::new());
        lines.push(vec![(Kind::Heading, "── expression errors ──".into())]);
        for e in errors {
            lines.push(vec![(Kind::Warning, e.to_string())]);
        }
        self.rows = Arc::new(wrap_all(&lines, self.width));
        self.lines = Arc::new(lines);
        self
    }

    /// The view of `event`, wrapped for a text area `width` cells wide.
    pub fn new(feed: &str, event: &StoredEvent, tz: &TimeZone, width: u16) -> Self {
        let lines = Arc::new(lines(event, tz));
        DetailView {
            seq: event.seq,
            feed: feed.to_string(),
            event_type: Arc::from(event.event_type),
            rows: Arc::new(wrap_all(&lines, width)),
            lines,
            width,
            scroll: 0,
        }
    }

    /// The same view for a text area `width` cells wide.
    pub fn rewrapped(&self, width: u16) -> Self {
        if width == self.width {
            return self.clone();
        }
        DetailView {
            rows: Arc::new(wrap_all(&self.lines, width)),
            width,
            scroll: 0,
            ..self.clone()
        }
    }

    /// Moves by `delta` rows, with `page` rows on screen: the last row never goes above the
    /// bottom of the screen.
    pub fn scrolled(&self, delta: i64, page: usize) -> Self {
        let last = self.rows.len().saturating_sub(page.max(1)) as i64;
        let scroll = (self.scroll as i64 + delta).clamp(0, last) as usize;
        DetailView {
            scroll,
            ..self.clone()
        }
    }
}

fn wrap_all(lines: &[Row], width: u16) -> Vec<Row> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        wrap(line, usize::from(width).max(8), &mut out);
    }
    out
}

/// Cuts `line` into rows of at most `width` cells, on character boundaries; every row after
/// the first starts with [`WRAP_MARK`].
fn wrap(line: &Row, width: usize, out: &mut Vec<Row>) {
    let mut row: Row = Vec::new();
    let mut used = 0;
    for (kind, piece) in line {
        let mut current = String::new();
        for c in piece.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                if !current.is_empty() {
                    row.push((*kind, std::mem::take(&mut current)));
                }
                out.push(std::mem::take(&mut row));
                row.push((Kind::Wrap, WRAP_MARK.to_string()));
                used = 1;
            }
            current.push(c);
            used += w;
        }
        if !current.is_empty() {
            row.push((*kind, current));
        }
    }
    out.push(row);
}

fn lines(event: &StoredEvent, tz: &TimeZone) -> Vec<Row> {
    let when = match jiff::Timestamp::try_from(event.at) {
        Ok(ts) => ts
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M:%S%.3f %Z")
            .to_string(),
        Err(_) => "?".into(),
    };
    let field = |k: &str, kind: Kind, v: String| vec![(Kind::Label, format!("{k:<6}")), (kind, v)];
    let mut lines = vec![
        field(
            "type",
            Kind::EventType,
            text::escape(event.event_type).into_owned(),
        ),
        field(
            "id",
            Kind::Value,
            if event.id.is_empty() {
                "(none)".into()
            } else {
                text::escape(event.id).into_owned()
            },
        ),
        field("time", Kind::Value, when),
        field("size", Kind::Value, fmt::bytes(event.data.len() as u64)),
    ];
    if event.truncated {
        lines.push(vec![(
            Kind::Warning,
            "cut at max_event_bytes: the server sent more than is shown".into(),
        )]);
    }
    lines.push(Row::new());
    match json(event.data) {
        Json::Pretty(pretty) => {
            lines.push(vec![(Kind::Heading, "── JSON ──".into())]);
            lines.extend(pretty);
            lines.push(Row::new());
        }
        Json::TooLarge(size) => {
            lines.push(vec![(
                Kind::Warning,
                format!(
                    "JSON of {} is not pretty-printed: over the limit of {}",
                    fmt::bytes(size as u64),
                    fmt::bytes(JSON_PRETTY_MAX as u64)
                ),
            )]);
            lines.push(Row::new());
        }
        Json::No => {}
    }
    lines.push(vec![(Kind::Heading, "── raw data ──".into())]);
    // A huge event is shown up to a bound, so opening it costs the same whatever its size.
    let mut shown = event.data;
    if shown.len() > DETAIL_MAX_BYTES {
        let mut end = DETAIL_MAX_BYTES;
        while !shown.is_char_boundary(end) {
            end -= 1;
        }
        shown = &shown[..end];
    }
    for line in text::escape_keep_newlines(shown).split('\n') {
        lines.push(if line.is_empty() {
            Row::new()
        } else {
            vec![(Kind::Raw, line.to_string())]
        });
    }
    if shown.len() < event.data.len() {
        lines.push(vec![(
            Kind::Warning,
            format!(
                "… {} more not shown here (`ssedash tail --format data` prints it all)",
                fmt::bytes((event.data.len() - shown.len()) as u64)
            ),
        )]);
    }
    lines
}

enum Json {
    Pretty(Vec<Row>),
    /// Valid JSON of this many bytes, too large to pretty-print.
    TooLarge(usize),
    No,
}

fn json(data: &str) -> Json {
    let trimmed = data.trim();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return Json::No;
    }
    if trimmed.len() > JSON_PRETTY_MAX {
        // Checking it is JSON at all costs a pass over it, once, without building it.
        return match serde_json::from_str::<serde::de::IgnoredAny>(trimmed) {
            Ok(_) => Json::TooLarge(trimmed.len()),
            Err(_) => Json::No,
        };
    }
    match serde_json::from_str::<serde_json::Value>(trimmed) {
        Ok(value) => {
            let mut rows = Vec::new();
            walk(&value, 0, Row::new(), false, &mut rows);
            Json::Pretty(rows)
        }
        Err(_) => Json::No,
    }
}

/// Pretty-prints `value` (two-space indent, keys in their order) as rows of kinds; `prefix` is
/// what goes before the value on its first row (indentation and key).
fn walk(value: &serde_json::Value, depth: usize, mut prefix: Row, comma: bool, out: &mut Vec<Row>) {
    use serde_json::Value;
    let punct = |s: &str| (Kind::JsonPunct, s.to_string());
    let close = |row: &mut Row| {
        if comma {
            row.push(punct(","));
        }
    };
    let indent = |d: usize| (Kind::JsonPunct, "  ".repeat(d));
    let quoted = |s: &str| text::escape(&serde_json::to_string(s).unwrap_or_default()).into_owned();
    let (open, close_with, items): (&str, &str, Vec<(Option<&String>, &Value)>) = match value {
        Value::Array(a) => ("[", "]", a.iter().map(|v| (None, v)).collect()),
        Value::Object(o) => ("{", "}", o.iter().map(|(k, v)| (Some(k), v)).collect()),
        scalar => {
            prefix.push(match scalar {
                Value::String(s) => (Kind::JsonString, quoted(s)),
                Value::Number(n) => (Kind::JsonNumber, n.to_string()),
                other => (Kind::JsonLiteral, other.to_string()),
            });
            close(&mut prefix);
            out.push(prefix);
            return;
        }
    };
    if items.is_empty() {
        prefix.push(punct(&format!("{open}{close_with}")));
        close(&mut prefix);
        out.push(prefix);
        return;
    }
    prefix.push(punct(open));
    out.push(prefix);
    let n = items.len();
    for (i, (key, item)) in items.into_iter().enumerate() {
        let mut row = vec![indent(depth + 1)];
        if let Some(key) = key {
            row.push((Kind::JsonKey, quoted(key)));
            row.push(punct(": "));
        }
        walk(item, depth + 1, row, i + 1 < n, out);
    }
    let mut last = vec![indent(depth), punct(close_with)];
    close(&mut last);
    out.push(last);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(row: &Row) -> String {
        row.iter().map(|(_, s)| s.as_str()).collect()
    }

    fn pretty(data: &str) -> Vec<Row> {
        match json(data) {
            Json::Pretty(rows) => rows,
            _ => panic!("not pretty-printed: {data}"),
        }
    }

    #[test]
    fn json_is_pretty_printed_from_the_value_with_kinds_and_order_kept() {
        let rows =
            pretty(r#"{"z":1,"a":"x:\"y","t":true,"n":null,"e":[],"f":[-1.5e3,{"k":"\u001b"}]}"#);
        let text: Vec<String> = rows.iter().map(text_of).collect();
        assert_eq!(
            text,
            [
                "{",
                r#"  "z": 1,"#,
                r#"  "a": "x:\"y","#,
                r#"  "t": true,"#,
                r#"  "n": null,"#,
                r#"  "e": [],"#,
                r#"  "f": ["#,
                "    -1500.0,",
                "    {",
                r#"      "k": "\u001b""#,
                "    }",
                "  ]",
                "}",
            ]
        );
        assert_eq!(rows[1][1], (Kind::JsonKey, "\"z\"".into()));
        assert_eq!(rows[1][3], (Kind::JsonNumber, "1".into()));
        assert_eq!(rows[2][3], (Kind::JsonString, r#""x:\"y""#.into()));
        assert_eq!(rows[3][3], (Kind::JsonLiteral, "true".into()));
        assert!(matches!(json("not json"), Json::No));
        assert!(matches!(json("{broken"), Json::No));
    }

    #[test]
    fn bidi_controls_in_json_strings_are_escaped() {
        let rows = pretty("[\"a\u{202e}b\"]");
        assert_eq!(text_of(&rows[1]), r#"  "a\u{202e}b""#);
    }

    #[test]
    fn valid_json_over_the_limit_says_so_and_broken_json_does_not() {
        let big = format!("[{}1]", "1,".repeat(JSON_PRETTY_MAX / 2));
        assert!(matches!(json(&big), Json::TooLarge(n) if n == big.len()));
        let broken = format!("[{}", "1,".repeat(JSON_PRETTY_MAX / 2));
        assert!(matches!(json(&broken), Json::No));
    }

    #[test]
    fn wrapping_is_by_display_width_and_marks_continuations() {
        let mut out = Vec::new();
        let line = vec![(Kind::Raw, "abcdefghij".to_string())];
        wrap(&line, 8, &mut out);
        let text: Vec<String> = out.iter().map(text_of).collect();
        assert_eq!(text, ["abcdefgh", "↪ij"]);
        assert_eq!(out[1][0].0, Kind::Wrap);
        // Wide characters never straddle the edge.
        out.clear();
        wrap(&vec![(Kind::Raw, "ab日本語cd".to_string())], 8, &mut out);
        let text: Vec<String> = out.iter().map(text_of).collect();
        assert_eq!(text, ["ab日本語", "↪cd"]);
    }
}
