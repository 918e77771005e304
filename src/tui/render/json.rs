//! Pretty-printed JSON with colour for the detail view.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::text;
use crate::tui::theme::Theme;

/// The event data as coloured, pretty-printed JSON, or `None` when it is not JSON.
pub fn pretty(data: &str, theme: &Theme) -> Option<Vec<Line<'static>>> {
    let trimmed = data.trim();
    if trimmed.len() > 256 * 1024 || !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(trimmed).ok()?;
    let pretty = serde_json::to_string_pretty(&value).ok()?;
    Some(pretty.lines().map(|l| colour_line(l, theme)).collect())
}

/// Colours one line of `to_string_pretty` output: keys, strings, numbers, literals.
fn colour_line(line: &str, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut plain_start = 0;
    let flush = |spans: &mut Vec<Span<'static>>, from: usize, to: usize, style: Style| {
        if from < to {
            spans.push(Span::styled(
                text::escape(&line[from..to]).into_owned(),
                style,
            ));
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' {
            flush(&mut spans, plain_start, i, theme.dim());
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            let is_key = line[i..].trim_start().starts_with(':');
            let style = if is_key {
                theme.color(theme.json_key)
            } else {
                theme.color(theme.json_string)
            };
            flush(&mut spans, start, i, style);
            plain_start = i;
        } else if b == b'-' || b.is_ascii_digit() {
            flush(&mut spans, plain_start, i, theme.dim());
            let start = i;
            while i < bytes.len()
                && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
            {
                i += 1;
            }
            flush(&mut spans, start, i, theme.color(theme.json_number));
            plain_start = i;
        } else if line[i..].starts_with("true")
            || line[i..].starts_with("null")
            || line[i..].starts_with("false")
        {
            flush(&mut spans, plain_start, i, theme.dim());
            let len = if line[i..].starts_with("false") { 5 } else { 4 };
            flush(&mut spans, i, i + len, theme.color(theme.json_literal));
            i += len;
            plain_start = i;
        } else {
            i += 1;
        }
    }
    flush(&mut spans, plain_start, bytes.len(), theme.dim());
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_keys_and_values_and_keeps_order() {
        let theme = &crate::tui::theme::load_all(None, false).unwrap()[0];
        let lines = pretty(r#"{"z":1,"a":"x:\"y","t":true,"n":null,"f":-1.5e3}"#, theme).unwrap();
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text[1], r#"  "z": 1,"#);
        assert_eq!(text[2], r#"  "a": "x:\"y","#);
        let key = &lines[1].spans[1];
        assert_eq!(key.content, "\"z\"");
        assert_eq!(key.style.fg, Some(theme.json_key));
        let string = lines[2]
            .spans
            .iter()
            .find(|s| s.content.starts_with("\"x"))
            .unwrap();
        assert_eq!(string.style.fg, Some(theme.json_string));
        assert!(pretty("not json", theme).is_none());
        assert!(pretty("{broken", theme).is_none());
    }
}
