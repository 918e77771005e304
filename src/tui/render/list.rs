//! A pane's event list: one row per event (time, type, id, data), the text filter's matches
//! marked, or why the list is empty.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::fmt;
use crate::feed::ConnState;
use crate::text;
use crate::tui::app::App;
use crate::tui::pane::{Pane, StoredEvent, TypeFilter};
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, pane: &Pane, app: &App, theme: &Theme, focused: bool, area: Rect) {
    if area.height == 0 {
        return;
    }
    let n = pane.shown_len();
    if n == 0 {
        empty_list(frame, pane, app, theme, area);
        return;
    }
    let rows = area.height as usize;
    let cursor = pane.cursor().unwrap_or(n - 1);
    let start = pane.first_shown(rows);
    let highlight = focused && !pane.is_following();
    let lines: Vec<Line> = pane
        .shown()
        .skip(start)
        .take(rows)
        .enumerate()
        .filter_map(|(k, seq)| {
            let e = pane.event(seq)?;
            let mut line = Line::from(row(&e, pane, app, theme, area.width as usize));
            if highlight && start + k == cursor {
                line = line.style(theme.selected());
            }
            Some(line)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).style(Style::default()), area);
}

/// Matches highlighted in one row at most (a frame's work per row stays bounded).
const MARKS_PER_ROW: usize = 16;
/// Characters kept before a match when a row's data scrolls to show it.
const MATCH_CONTEXT: usize = 8;

/// One event's row: time, type, id and as much of the data as fits. With a text filter on,
/// its matches are highlighted; a match past the right edge scrolls the data to it, and a
/// match the row cannot show (further into the data than a row holds) is said to be hidden.
fn row(e: &StoredEvent, pane: &Pane, app: &App, theme: &Theme, width: usize) -> Vec<Span<'static>> {
    let time = match jiff::Timestamp::try_from(e.at) {
        Ok(ts) => ts
            .to_zoned(app.tz.clone())
            .strftime("%H:%M:%S%.3f")
            .to_string(),
        Err(_) => "--:--:--.---".into(),
    };
    let filter = pane.filter.as_ref();
    let mark = theme.accent().add_modifier(Modifier::REVERSED);
    let marks = |s: &str| filter.map_or_else(Vec::new, |f| f.find_in(s, MARKS_PER_ROW));
    let mut seen = false;
    let mut spans = vec![Span::styled(time, theme.dim()), Span::raw(" ")];
    // Labels and the line are made here, from bounded heads of the text (see `StoredEvent`).
    let type_label = e.type_label();
    let type_marks = marks(&type_label);
    seen |= !type_marks.is_empty();
    spans.extend(owned(marked(
        &type_label,
        &type_marks,
        theme.event_type(e.event_type),
        mark,
    )));
    if !e.id.is_empty() {
        spans.push(Span::styled(" #", theme.dim()));
        let id_label = e.id_label();
        let id_marks = marks(&id_label);
        seen |= !id_marks.is_empty();
        spans.extend(owned(marked(&id_label, &id_marks, theme.dim(), mark)));
    }
    spans.push(Span::raw(" "));
    let line = e.line();
    let data: &str = &line;
    let data_marks = marks(data);
    seen |= !data_marks.is_empty();
    let hidden = filter.is_some() && !seen;
    // The data gets the rest of the row, and says so with `…` when it is cut.
    let used: usize = spans.iter().map(Span::width).sum();
    let tail = if e.truncated { " [truncated]" } else { "" };
    let hidden_note = if hidden { " [match hidden]" } else { "" };
    let room = width
        .saturating_sub(used + tail.chars().count() + hidden_note.chars().count())
        .max(1);
    // Scroll to the first match when it would end past the right edge.
    let mut from = 0;
    if let Some(&(a, b)) = data_marks.first()
        && data[..b].chars().count() > room
    {
        from = data[..a].chars().count().saturating_sub(MATCH_CONTEXT);
    }
    let (shown, offset, lead) = if from > 0 {
        let at = data.char_indices().nth(from).map_or(data.len(), |(i, _)| i);
        (
            text::clip(&data[at..], room.saturating_sub(1).max(1)),
            at,
            true,
        )
    } else {
        (text::clip(data, room), 0, false)
    };
    if lead {
        spans.push(Span::styled("…", theme.dim()));
    }
    // Marks that fall in what shows, moved to its offsets (the `…` of a cut is not data).
    let visible_end = if shown.ends_with('…') && shown.len() < data.len() - offset {
        shown.len() - '…'.len_utf8()
    } else {
        shown.len()
    };
    let in_view: Vec<(usize, usize)> = data_marks
        .iter()
        .filter(|(a, _)| *a >= offset && *a < offset + visible_end)
        .map(|(a, b)| (a - offset, (b - offset).min(visible_end)))
        .collect();
    spans.extend(owned(marked(&shown, &in_view, theme.text(), mark)));
    if e.truncated {
        spans.push(Span::styled(tail, theme.warning()));
    }
    if hidden {
        spans.push(Span::styled(hidden_note, theme.accent()));
    }
    spans
}

fn owned(spans: Vec<Span<'_>>) -> impl Iterator<Item = Span<'static>> {
    spans
        .into_iter()
        .map(|s| Span::styled(s.content.into_owned(), s.style))
}

/// `s` as spans, the byte ranges `marks` (sorted, inside `s`) in `mark` style.
fn marked<'a>(s: &'a str, marks: &[(usize, usize)], base: Style, mark: Style) -> Vec<Span<'a>> {
    let mut spans = Vec::with_capacity(marks.len() * 2 + 1);
    let mut at = 0;
    for &(a, b) in marks {
        if a < at || b > s.len() || !s.is_char_boundary(a) || !s.is_char_boundary(b) {
            continue;
        }
        if a > at {
            spans.push(Span::styled(&s[at..a], base));
        }
        spans.push(Span::styled(&s[a..b], mark));
        at = b;
    }
    if at < s.len() || spans.is_empty() {
        spans.push(Span::styled(&s[at..], base));
    }
    spans
}

/// What an empty list says: why it is empty, wrapped over as many rows as it needs.
fn empty_list(frame: &mut Frame, pane: &Pane, app: &App, theme: &Theme, area: Rect) {
    let msg = if pane.filter.is_some() || pane.types_shown != TypeFilter::All {
        if pane.events.is_empty() {
            "no events yet".to_string()
        } else {
            "no event matches the filter (Esc clears it, t shows types)".to_string()
        }
    } else {
        match &pane.state {
            ConnState::Failed => format!(
                // No-break spaces keep a hint whole when the line wraps.
                "failed: {} (r\u{a0}retries)",
                text::escape(pane.reason.as_deref().unwrap_or("unknown error"))
            ),
            ConnState::Closed => format!(
                "closed: {} (d\u{a0}connects\u{a0}again)",
                text::escape(pane.reason.as_deref().unwrap_or("by the server"))
            ),
            ConnState::Waiting { .. } => format!(
                "{}: retrying in {}",
                text::escape(pane.reason.as_deref().unwrap_or("disconnected")),
                fmt::countdown(pane.countdown(app.now).unwrap_or_default())
            ),
            ConnState::Connecting => format!("connecting to {}…", text::escape(&pane.url)),
            ConnState::Open => "connected, waiting for events…".to_string(),
        }
    };
    // Centred on the rows it needs (one more when words wrap unevenly).
    let width = Line::raw(msg.as_str()).width().max(1);
    let needed = if width <= area.width as usize {
        1
    } else {
        (width.div_ceil(area.width.max(1) as usize) + 1) as u16
    };
    let y = area.y + area.height.saturating_sub(needed).div_ceil(2);
    frame.render_widget(
        Paragraph::new(msg)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .style(theme.dim()),
        Rect::new(area.x, y, area.width, area.bottom() - y),
    );
}
