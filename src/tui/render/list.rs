//! A pane's event list: one row per event (time, type, id, data), the text filter's matches
//! marked, or why the list is empty.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::fmt;
use crate::feed::ConnState;
use crate::highlight::{self, Kind, Mark};
use crate::text;
use crate::tui::app::App;
use crate::tui::pane::{EventExtra, Pane, PaneView, StoredEvent, TypeFilter};
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, pane: &Pane, app: &App, theme: &Theme, focused: bool, area: Rect) {
    if area.height == 0 {
        return;
    }
    match (pane.view, &pane.board, &pane.transcript) {
        (PaneView::Board, Some(board), _) => {
            return super::board::render(frame, board, app, theme, focused, area);
        }
        (PaneView::Transcript, _, Some(transcript)) => {
            return super::transcript::render(frame, pane, transcript, theme, focused, area);
        }
        _ => {}
    }
    let n = pane.shown_len();
    if n == 0 {
        empty_list(frame, pane, app, theme, area);
        return;
    }
    // With columns, the first row is their header.
    let columns = !pane.columns.is_empty() && pane.extras.is_some();
    let rows = (area.height as usize).saturating_sub(usize::from(columns));
    if rows == 0 {
        return;
    }
    let cursor = pane.cursor().unwrap_or(n - 1);
    let start = pane.first_shown(rows);
    let highlight = focused && !pane.is_following();
    let seqs: Vec<u64> = pane.shown().skip(start).take(rows).collect();
    let mut lines: Vec<Line> = Vec::with_capacity(rows + 1);
    let layout = columns.then(|| column_layout(pane, &seqs));
    if let Some(layout) = &layout {
        lines.push(column_header(pane, layout, theme));
    }
    lines.extend(seqs.iter().enumerate().filter_map(|(k, &seq)| {
        let e = pane.event(seq)?;
        let spans = match &layout {
            Some(layout) => column_row(&e, pane, layout, app, theme),
            None => row(&e, pane, app, theme, area.width as usize),
        };
        let mut line = Line::from(spans);
        if highlight && start + k == cursor {
            line = line.style(theme.selected());
        }
        Some(line)
    }));
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
    let extra = pane.extras.as_ref().and_then(|x| x.get(e.seq));
    let filter = pane.filter.as_ref();
    let mark = theme.accent().add_modifier(Modifier::REVERSED);
    let marks = |s: &str| filter.map_or_else(Vec::new, |f| f.find_in(s, MARKS_PER_ROW));
    let mut seen = false;
    let mut spans = time_spans(e, extra, app, theme);
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
    let hidden = filter.is_some_and(|f| !f.is_jq()) && !seen;
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
    let lights = pane.highlight_marks(&shown, extra);
    spans.extend(painted(&shown, &lights, &in_view, pane, theme, mark));
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

/// The time, then a space, or `✖` when the event matched the feed's `error_when`.
fn time_spans(
    e: &StoredEvent,
    extra: Option<&EventExtra>,
    app: &App,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let time = match jiff::Timestamp::try_from(e.at) {
        Ok(ts) => ts
            .to_zoned(app.tz.clone())
            .strftime("%H:%M:%S%.3f")
            .to_string(),
        Err(_) => "--:--:--.---".into(),
    };
    if extra.is_some_and(|x| x.is_error) {
        vec![
            Span::styled(time, theme.error()),
            Span::styled("✖", theme.error()),
        ]
    } else {
        vec![Span::styled(time, theme.dim()), Span::raw(" ")]
    }
}

/// `s` as spans: its highlights in their styles, the filter's matches (byte ranges) marked
/// over them.
fn painted(
    s: &str,
    lights: &[Mark],
    matches: &[(usize, usize)],
    pane: &Pane,
    theme: &Theme,
    mark: Style,
) -> Vec<Span<'static>> {
    let mut cuts: Vec<usize> = vec![0, s.len()];
    cuts.extend(lights.iter().flat_map(|m| [m.start, m.end]));
    cuts.extend(matches.iter().flat_map(|&(a, b)| [a, b]));
    cuts.retain(|&c| c <= s.len() && s.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut spans = Vec::with_capacity(cuts.len());
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut style = theme.text();
        if let Some(m) = lights.iter().find(|m| m.start <= a && a < m.end) {
            style = style.patch(match m.kind {
                Kind::Rule(i) => pane.rule_style(i),
                kind => highlight::style(theme, kind),
            });
        }
        if matches.iter().any(|&(x, y)| x <= a && a < y) {
            style = style.patch(mark);
        }
        spans.push(Span::styled(s[a..b].to_string(), style));
    }
    spans
}

/// Column widths for the rows shown: the type's, then each column's (at least its title's).
struct ColumnLayout {
    type_w: usize,
    widths: Vec<usize>,
}

/// The widest a column gets in the list.
const COLUMN_MAX: usize = 40;

fn column_layout(pane: &Pane, seqs: &[u64]) -> ColumnLayout {
    let mut type_w = 4;
    let mut widths: Vec<usize> = pane
        .columns
        .iter()
        .map(|c| text::escape(&c.title).width())
        .collect();
    for &seq in seqs {
        if let Some(e) = pane.event(seq) {
            type_w = type_w.max(e.type_label().width());
        }
        if let Some(x) = pane.extras.as_ref().and_then(|x| x.get(seq)) {
            for (w, cell) in widths.iter_mut().zip(x.cells.iter()) {
                *w = (*w).max(cell.width());
            }
        }
    }
    ColumnLayout {
        type_w,
        widths: widths.into_iter().map(|w| w.min(COLUMN_MAX)).collect(),
    }
}

fn column_header(pane: &Pane, layout: &ColumnLayout, theme: &Theme) -> Line<'static> {
    let style = theme.dim().add_modifier(Modifier::BOLD);
    let mut spans = vec![
        Span::styled(format!("{:<13}", "time"), style),
        Span::styled(pad("type", layout.type_w, false), style),
    ];
    for (c, w) in pane.columns.iter().zip(&layout.widths) {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            pad(&text::escape(&c.title), *w, c.right),
            style,
        ));
    }
    Line::from(spans)
}

/// An event's row with columns: time, type, then each column's value, aligned.
fn column_row(
    e: &StoredEvent,
    pane: &Pane,
    layout: &ColumnLayout,
    app: &App,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let extra = pane.extras.as_ref().and_then(|x| x.get(e.seq));
    let mut spans = time_spans(e, extra, app, theme);
    spans.push(Span::styled(
        pad(&e.type_label(), layout.type_w, false),
        theme.event_type(e.event_type),
    ));
    let filter = pane.filter.as_ref().filter(|f| !f.is_jq());
    let mark = theme.accent().add_modifier(Modifier::REVERSED);
    let cells = extra.map_or(&[][..], |x| &x.cells[..]);
    for (c, (col, w)) in pane.columns.iter().zip(&layout.widths).enumerate() {
        spans.push(Span::raw("  "));
        let value = cells.get(c).map_or("", |v| &**v);
        let shown = pad(&text::clip(value, *w), *w, col.right);
        let matches = filter.map_or_else(Vec::new, |f| f.find_in(&shown, MARKS_PER_ROW));
        let lights = pane.highlight_marks(&shown, extra);
        spans.extend(painted(&shown, &lights, &matches, pane, theme, mark));
    }
    spans
}

/// `s` padded with spaces to `width` columns.
fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(s.width()));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
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
