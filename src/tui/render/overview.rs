//! The overview table: one row per feed, in the order `App::update` keeps. Only the rows on
//! screen are drawn, and each costs a bounded amount of work (its rate history, its newest
//! event's one-line form cut to the column), whatever the feeds' traffic.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::fmt;
use crate::feed::ConnState;
use crate::text;
use crate::tui::app::App;
use crate::tui::overview::{SortBy, table_rows};
use crate::tui::pane::Pane;
use crate::tui::theme::Theme;

/// The table's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Name,
    State,
    Events,
    Rate,
    Spark,
    Last,
    Reconnects,
    Lost,
    Data,
}

/// Spaces between two columns.
const GAP: usize = 2;
/// Bars of the rate sparkline (the last minute, 5 s a bar).
const SPARK_BARS: usize = 12;
/// The data column is left out rather than shown narrower than this.
const MIN_DATA: usize = 12;
/// The widest the name column gets.
pub const MAX_NAME: usize = 28;

/// The columns that fit in `width` with their widths. Narrow screens leave out the
/// sparkline, then reconnects, then the event count, then the data, then lost and the last
/// event's age; the name gets at most a quarter of the width (12 at least).
fn columns(width: usize, name: usize) -> Vec<(Col, usize)> {
    let state = if width >= 100 { 24 } else { 20 };
    let name = name.min((width / 4).max(12));
    let mut cols = vec![
        (Col::Name, name),
        (Col::State, state),
        (Col::Events, 9),
        (Col::Rate, 7),
        (Col::Spark, SPARK_BARS),
        (Col::Last, 14),
        (Col::Reconnects, 6),
        (Col::Lost, 7),
    ];
    let used = |cols: &[(Col, usize)]| -> usize {
        cols.iter().map(|(_, w)| w).sum::<usize>() + GAP * cols.len().saturating_sub(1)
    };
    for drop in [Col::Spark, Col::Reconnects, Col::Events] {
        if used(&cols) + GAP + MIN_DATA <= width {
            break;
        }
        cols.retain(|(c, _)| *c != drop);
    }
    let rest = width.saturating_sub(used(&cols) + GAP);
    if rest >= MIN_DATA {
        cols.push((Col::Data, rest));
    }
    for drop in [Col::Lost, Col::Last, Col::Rate] {
        if used(&cols) <= width {
            break;
        }
        cols.retain(|(c, _)| *c != drop);
    }
    cols
}

/// `s` cut or padded to exactly `w` cells, on the left or the right.
fn cell(s: &str, w: usize, right: bool) -> String {
    let s = text::clip(s, w);
    if right {
        format!("{s:>w$}")
    } else {
        format!("{s:<w$}")
    }
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let ov = &app.overview;
    let total = app.panes.len();
    let mut title = vec![
        Span::styled(" Feeds ", theme.accent()),
        Span::styled(
            if ov.filter.is_some() {
                format!(
                    "{} of {} ",
                    fmt::count(ov.rows.len() as u64),
                    fmt::count(total as u64)
                )
            } else {
                format!("{} ", fmt::count(total as u64))
            },
            theme.text(),
        ),
    ];
    if let Some(filter) = &ov.filter {
        title.push(Span::styled(
            format!("/{} ", text::escape(&filter.pattern)),
            theme.accent(),
        ));
        if let Some(err) = filter.error() {
            title.push(Span::styled(
                format!("(invalid regex: {}, matching as text) ", text::escape(err)),
                theme.warning(),
            ));
        }
    }
    let arrow = arrow(ov.sort, ov.reversed);
    let sort = Line::from(vec![
        Span::styled(" sorted by ", theme.dim()),
        Span::styled(format!("{} {arrow} ", ov.sort.label()), theme.accent()),
    ])
    .right_aligned();
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(Line::from(title))
        .title(sort);
    if let Some(line) = selected_line(app, theme) {
        block = block.title_bottom(line);
    }
    if let Some(cursor) = ov.cursor {
        block = block.title_bottom(
            Line::from(Span::styled(
                format!(" {}/{} ", cursor + 1, ov.rows.len()),
                theme.dim(),
            ))
            .right_aligned(),
        );
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let cols = columns(inner.width as usize, ov.name_width.clamp(4, MAX_NAME));
    frame.render_widget(
        Paragraph::new(header(&cols, ov.sort, arrow, theme)),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let body = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    if ov.rows.is_empty() {
        let msg = if total == 0 {
            "No feeds.".to_string()
        } else {
            format!(
                "no feed name matches /{} (Esc clears the filter)",
                text::escape(ov.pattern())
            )
        };
        let y = body.y + body.height / 2;
        frame.render_widget(
            Paragraph::new(msg)
                .alignment(Alignment::Center)
                .style(theme.dim()),
            Rect::new(body.x, y, body.width, 1),
        );
        return;
    }
    let shown = table_rows(app.height).min(body.height as usize);
    let first = ov.first.min(ov.rows.len().saturating_sub(shown));
    // Rows are written straight into the buffer: a table row needs no wrapping, and a
    // paragraph's line layout was most of a frame's cost.
    let buf = frame.buffer_mut();
    for (y, (k, &idx)) in (body.y..).zip(ov.rows.iter().enumerate().skip(first).take(shown)) {
        let mut line = row(&app.panes[idx], app, theme, &cols);
        if ov.cursor == Some(k) {
            let selected = theme.selected();
            buf.set_style(Rect::new(body.x, y, body.width, 1), selected);
            line = line.style(selected);
        }
        buf.set_line(body.x, y, &line, body.width);
    }
}

/// The sort's direction as the column's values go down the table.
fn arrow(sort: SortBy, reversed: bool) -> &'static str {
    // Name and state read down in their natural order; rate and last event (its age)
    // put the largest first.
    let down = matches!(sort, SortBy::Rate | SortBy::LastEvent);
    if down != reversed { "▼" } else { "▲" }
}

fn header<'a>(cols: &[(Col, usize)], sort: SortBy, arrow: &str, theme: &Theme) -> Line<'a> {
    let plain = theme.dim().add_modifier(Modifier::BOLD);
    let mut spans = Vec::new();
    for (i, &(col, w)) in cols.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" ".repeat(GAP)));
        }
        let (label, right) = match col {
            Col::Name => ("NAME", false),
            Col::State => ("STATE", false),
            Col::Events => ("EVENTS", true),
            Col::Rate => ("EV/S", true),
            Col::Spark => ("LAST MINUTE", false),
            Col::Last => ("LAST EVENT", false),
            Col::Reconnects => ("RECONN", true),
            Col::Lost => ("LOST", true),
            Col::Data => ("LAST DATA", false),
        };
        let sorted = matches!(
            (col, sort),
            (Col::Name, SortBy::Name)
                | (Col::State, SortBy::State)
                | (Col::Rate, SortBy::Rate)
                | (Col::Last, SortBy::LastEvent)
        );
        if sorted {
            spans.push(Span::styled(
                cell(&format!("{label}{arrow}"), w, right),
                theme.accent(),
            ));
        } else {
            spans.push(Span::styled(cell(label, w, right), plain));
        }
    }
    Line::from(spans)
}

/// One feed's row. A failed or waiting feed's row is drawn in its state's colour.
fn row<'a>(pane: &Pane, app: &App, theme: &Theme, cols: &[(Col, usize)]) -> Line<'a> {
    let trouble = match pane.state {
        ConnState::Failed => Some(theme.error()),
        ConnState::Waiting { .. } => Some(theme.color(theme.waiting).add_modifier(Modifier::BOLD)),
        _ => None,
    };
    let text_style = trouble.unwrap_or_else(|| theme.text());
    let quiet = trouble.unwrap_or_else(|| theme.dim());
    let mut spans = Vec::with_capacity(cols.len() * 2);
    for (i, &(col, w)) in cols.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" ".repeat(GAP)));
        }
        let span = match col {
            Col::Name => Span::styled(
                cell(&text::escape(&pane.name), w, false),
                text_style.add_modifier(Modifier::BOLD),
            ),
            Col::State => {
                let (main, _, style) = super::pane::badge(pane, app, theme);
                Span::styled(cell(&main, w, false), style)
            }
            Col::Events => Span::styled(cell(&fmt::count(pane.total), w, true), text_style),
            Col::Rate => Span::styled(
                cell(&fmt::rate(pane.rate.rate(app.now)), w, true),
                text_style,
            ),
            Col::Spark => {
                let history = pane.rate.history(app.now);
                Span::styled(
                    cell(&fmt::sparkline(&fmt::squeeze(&history, w)), w, false),
                    trouble.unwrap_or_else(|| theme.accent()),
                )
            }
            Col::Last => match pane.last_event_at {
                Some(at) => Span::styled(
                    cell(&fmt::ago(app.now.saturating_duration_since(at)), w, false),
                    text_style,
                ),
                None => Span::styled(cell("never", w, false), quiet),
            },
            Col::Reconnects => Span::styled(
                cell(&fmt::count(pane.reconnects), w, true),
                match (trouble, pane.reconnects) {
                    (Some(style), _) => style,
                    (None, 0) => theme.dim(),
                    (None, _) => theme.color(theme.waiting),
                },
            ),
            Col::Lost => Span::styled(
                cell(&fmt::count(pane.dropped), w, true),
                match (trouble, pane.dropped) {
                    (Some(style), _) => style,
                    (None, 0) => theme.dim(),
                    (None, _) => theme.warning(),
                },
            ),
            Col::Data => match pane.events.back() {
                // Its one-line form costs at most a line's length; only what shows is kept.
                Some(e) => Span::styled(text::clip(&e.line(), w).into_owned(), text_style),
                None => Span::styled("", quiet),
            },
        };
        spans.push(span);
    }
    Line::from(spans)
}

/// Under the table: the selected feed's address and, when it is in trouble, why.
fn selected_line<'a>(app: &App, theme: &Theme) -> Option<Line<'a>> {
    app.overview.cursor?;
    let pane = app.focused()?;
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(
            format!("{} ", text::clip(&text::escape(&pane.name), 32)),
            theme.accent(),
        ),
    ];
    if pane.url != pane.name {
        spans.push(Span::styled(
            format!("{} ", text::escape(&pane.url)),
            theme.dim(),
        ));
    }
    if let Some(reason) = &pane.reason
        && matches!(
            pane.state,
            ConnState::Failed | ConnState::Waiting { .. } | ConnState::Closed
        )
    {
        let style: Style = match pane.state {
            ConnState::Failed => theme.error(),
            ConnState::Waiting { .. } => theme.color(theme.waiting),
            _ => theme.dim(),
        };
        spans.push(Span::styled(format!("— {} ", text::escape(reason)), style));
    }
    Some(Line::from(spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_tables_leave_out_the_sparkline_then_reconnects_then_events() {
        let names = |cols: Vec<(Col, usize)>| cols.into_iter().map(|(c, _)| c).collect::<Vec<_>>();
        let all = names(columns(158, 8));
        assert_eq!(all.len(), 9, "{all:?}");
        let narrow = names(columns(78, 8));
        assert_eq!(
            narrow,
            [
                Col::Name,
                Col::State,
                Col::Rate,
                Col::Last,
                Col::Lost,
                Col::Data
            ]
        );
        // A long name gets a quarter of a narrow table, and the data goes before lost.
        let long = columns(78, 40);
        assert_eq!(long[0], (Col::Name, 19));
        assert_eq!(
            names(long),
            [Col::Name, Col::State, Col::Rate, Col::Last, Col::Lost]
        );
        for width in [42, 60, 78, 120, 158, 300] {
            for name in [4, 20, 28] {
                let cols = columns(width, name);
                let used: usize =
                    cols.iter().map(|(_, w)| w).sum::<usize>() + GAP * (cols.len() - 1);
                assert!(used <= width, "{width}: {cols:?}");
            }
        }
    }
}
