//! A transcript view: each message's header (time to first token, duration, chunks, usage,
//! finish reason), then its text wrapped to the pane's width; thinking dimmed, errors in red,
//! the filter's matches marked. Only the messages that fill the pane are wrapped.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthChar;

use super::fmt;
use crate::text;
use crate::tui::filter::TextFilter;
use crate::tui::pane::Pane;
use crate::tui::theme::Theme;
use crate::tui::transcript::{Message, PartKind, Transcript};

pub fn render(
    frame: &mut Frame,
    pane: &Pane,
    tr: &Transcript,
    theme: &Theme,
    focused: bool,
    area: Rect,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let filter = pane.filter.as_ref().filter(|f| !f.is_jq());
    let shown: Vec<usize> = (0..tr.messages.len())
        .filter(|&i| filter.is_none_or(|f| tr.messages[i].contains(|t| f.is_match(t))))
        .collect();
    let height = area.height as usize;
    let width = area.width as usize;
    if shown.is_empty() {
        let msg = if tr.messages.is_empty() {
            "no message yet"
        } else {
            "no message matches the filter (Esc clears it)"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(msg, theme.dim())).centered(),
            Rect::new(area.x, area.y + area.height / 2, area.width, 1),
        );
        return;
    }
    let cursor = tr.cursor();
    let highlight = focused && tr.selected.is_some();
    let message_lines = |i: usize| {
        let m = &tr.messages[i];
        let number = tr.dropped + i as u64 + 1;
        let mut lines = header(m, number, theme, width, pane.state.is_final());
        if highlight && Some(i) == cursor {
            lines = lines
                .into_iter()
                .map(|l| l.style(theme.selected()))
                .collect();
        }
        lines.extend(body(m, filter, theme, width));
        lines
    };
    let lines: Vec<Line> = match tr.selected {
        // A selected message: from its header down.
        Some(_) => {
            let from = cursor
                .and_then(|c| shown.iter().position(|&i| i >= c))
                .unwrap_or(0);
            let mut lines = Vec::new();
            for &i in &shown[from..] {
                lines.extend(message_lines(i));
                if lines.len() >= height {
                    break;
                }
            }
            lines.truncate(height);
            lines
        }
        // Following: the newest text at the bottom.
        None => {
            let mut blocks = Vec::new();
            let mut total = 0;
            for &i in shown.iter().rev() {
                let block = message_lines(i);
                total += block.len();
                blocks.push(block);
                if total >= height {
                    break;
                }
            }
            let all: Vec<Line> = blocks.into_iter().rev().flatten().collect();
            let skip = all.len().saturating_sub(height);
            all.into_iter().skip(skip).collect()
        }
    };
    frame.render_widget(Paragraph::new(lines), area);
}

/// `── #3 · first token 0.41 s · 2.3 s · 57 chunks, 26/s · tokens 12 in, 57 out · stop ──`,
/// wrapped between its items on a narrow pane.
fn header<'a>(m: &Message, number: u64, theme: &Theme, width: usize, ended: bool) -> Vec<Line<'a>> {
    let mut items = vec![format!("#{number}")];
    match m.ttft() {
        Some(d) => items.push(format!("first token {}", seconds(d))),
        None if m.last_event_at.is_none() && !ended => items.push("waiting…".into()),
        None => {}
    }
    if let Some(d) = m.duration() {
        items.push(seconds(d));
    }
    let mut chunks = fmt::plural(m.chunks, "chunk");
    if let Some(r) = m.chunks_per_second() {
        chunks.push_str(&format!(", {}/s", fmt::rate(r)));
    }
    items.push(chunks);
    match (m.prompt_tokens, m.completion_tokens) {
        (None, None) => {}
        (p, c) => {
            let n = |v: Option<u64>| v.map_or("?".to_string(), fmt::count);
            items.push(format!("tokens {} in, {} out", n(p), n(c)));
        }
    }
    if let Some(f) = &m.finish {
        items.push(text::clip(&text::escape(f), 24).into_owned());
    }
    if m.cut {
        items.push("cut at 1 MiB".into());
    }
    let style = theme.dim().add_modifier(Modifier::BOLD);
    let mut rows: Vec<String> = vec!["──".into()];
    for (k, item) in items.iter().enumerate() {
        let sep = if k == 0 { " " } else { " · " };
        let last = rows.last_mut().expect("one row at least");
        if last.chars().count() + sep.len() + item.chars().count() + 1 > width && k > 0 {
            rows.push(format!("   {item}"));
        } else {
            last.push_str(sep);
            last.push_str(item);
        }
    }
    let n = rows.len();
    rows.into_iter()
        .enumerate()
        .map(|(k, row)| {
            let row = format!("{row} ");
            let fill = width.saturating_sub(Line::raw(row.as_str()).width());
            let mut spans = vec![Span::styled(row, style)];
            if k + 1 == n {
                spans.push(Span::styled("─".repeat(fill), theme.dim()));
            }
            Line::from(spans)
        })
        .collect()
}

/// `1.23 s` under ten seconds, else whole units.
fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(10) {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        fmt::whole(d)
    }
}

/// The message's text, wrapped at `width` between words.
fn body<'a>(
    m: &Message,
    filter: Option<&TextFilter>,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'a>> {
    let mark = theme.accent().add_modifier(Modifier::REVERSED);
    let mut pieces: Vec<(String, Style)> = Vec::new();
    for part in &m.parts {
        let style = match part.kind {
            PartKind::Text => theme.text(),
            PartKind::Thinking => theme.dim().add_modifier(Modifier::ITALIC),
            PartKind::Error => theme.error(),
        };
        let safe = text::escape_keep_newlines(&part.text);
        let marks = filter.map_or_else(Vec::new, |f| f.find_in(&safe, 64));
        let mut at = 0;
        for (a, b) in marks {
            if a < at {
                continue;
            }
            pieces.push((safe[at..a].to_string(), style));
            pieces.push((safe[a..b].to_string(), style.patch(mark)));
            at = b;
        }
        pieces.push((safe[at..].to_string(), style));
    }
    wrap(&pieces, width.max(1))
}

/// Styled text wrapped at `width` columns: lines break at `\n` and between words; a word
/// longer than a line is broken where the line ends.
pub fn wrap<'a>(pieces: &[(String, Style)], width: usize) -> Vec<Line<'a>> {
    let mut w = Wrapper {
        width,
        lines: Vec::new(),
        line: Vec::new(),
        line_w: 0,
        word: Vec::new(),
        word_w: 0,
    };
    for (text, style) in pieces {
        for ch in text.chars() {
            match ch {
                '\n' => {
                    w.flush_word();
                    w.end_line();
                }
                ' ' => {
                    w.flush_word();
                    if w.line_w < width {
                        w.line.push((' ', *style));
                        w.line_w += 1;
                    }
                }
                _ => {
                    let cw = ch.width().unwrap_or(0);
                    if w.word_w + cw > width {
                        // A word longer than a whole line: break it here.
                        w.flush_word();
                    }
                    w.word.push((ch, *style));
                    w.word_w += cw;
                }
            }
        }
    }
    w.flush_word();
    if !w.line.is_empty() || w.lines.is_empty() {
        w.end_line();
    }
    w.lines
}

/// The state of [`wrap`]: the lines made, the line being filled and the word being read.
struct Wrapper<'a> {
    width: usize,
    lines: Vec<Line<'a>>,
    line: Vec<(char, Style)>,
    line_w: usize,
    word: Vec<(char, Style)>,
    word_w: usize,
}

impl Wrapper<'_> {
    fn end_line(&mut self) {
        self.lines.push(to_line(&self.line));
        self.line.clear();
        self.line_w = 0;
    }

    /// Puts the word read so far on the line, or on a new line if it does not fit.
    fn flush_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        if self.line_w + self.word_w > self.width && self.line_w > 0 {
            // Spaces at the end of a full line are not carried over.
            while self.line.last().is_some_and(|(c, _)| *c == ' ') {
                self.line.pop();
            }
            self.end_line();
        }
        self.line.append(&mut self.word);
        self.line_w += self.word_w;
        self.word_w = 0;
    }
}

/// Characters with styles as a line of spans, one span per run of one style.
fn to_line<'a>(chars: &[(char, Style)]) -> Line<'a> {
    let mut spans: Vec<Span<'a>> = Vec::new();
    let mut run = String::new();
    let mut style = None;
    for (c, s) in chars {
        if style != Some(*s) {
            if let Some(st) = style {
                spans.push(Span::styled(std::mem::take(&mut run), st));
            }
            style = Some(*s);
        }
        run.push(*c);
    }
    if let Some(st) = style {
        spans.push(Span::styled(run, st));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn text_wraps_between_words_at_the_width_and_breaks_at_newlines() {
        let p = |s: &str| vec![(s.to_string(), Style::default())];
        assert_eq!(
            plain(&wrap(&p("The quick brown fox jumps over"), 10)),
            ["The quick", "brown fox", "jumps over"]
        );
        assert_eq!(plain(&wrap(&p("ab\ncd"), 10)), ["ab", "cd"]);
        assert_eq!(
            plain(&wrap(&p("abcdefghijkl"), 5)),
            ["abcde", "fghij", "kl"]
        );
        assert_eq!(plain(&wrap(&p(""), 5)), [""]);
    }

    #[test]
    fn a_word_made_of_two_styles_stays_whole_and_keeps_both() {
        let pieces = vec![
            ("one tw".to_string(), Style::default()),
            (
                "o three".to_string(),
                Style::default().add_modifier(Modifier::BOLD),
            ),
        ];
        let lines = wrap(&pieces, 7);
        assert_eq!(plain(&lines), ["one two", "three"]);
        assert_eq!(lines[0].spans.len(), 2);
    }
}
