//! The alert log (`!`): one row per firing, resolution or note, newest at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use crate::alert::Edge;
use crate::text;
use crate::tui::alert_log::{Entry, LogEntry};
use crate::tui::app::App;

pub fn render(frame: &mut Frame, app: &App, cursor: usize, area: Rect) {
    let theme = app.theme();
    let w = area.width.saturating_sub(4).max(20);
    let h = area.height.saturating_sub(2).max(5);
    let rect = Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w.min(area.width),
        h.min(area.height),
    );
    frame.render_widget(Clear, rect);
    let log = &app.alerts.log;
    let rows = usize::from(rect.height.saturating_sub(2)).max(1);
    // The cursor stays in view, the newest rows at the bottom.
    let first = cursor
        .saturating_sub(rows - 1)
        .min(log.len().saturating_sub(rows));
    let width = usize::from(rect.width.saturating_sub(2));
    // The alert and feed columns line up over the rows shown.
    let mut columns = (0, 0);
    for entry in log.iter().skip(first).take(rows) {
        if let Entry::Edge { alert, feed, .. } = &entry.what {
            let feed = app.alerts.feed_name(*feed);
            columns.0 = columns.0.max(shown(alert, ALERT_CHARS).chars().count());
            columns.1 = columns.1.max(shown(feed, FEED_CHARS).chars().count());
        }
    }
    let mut lines: Vec<Line> = log
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, entry)| {
            let mut line = row(app, entry, width, columns);
            if i == cursor {
                line = line.style(theme.selected());
            }
            line
        })
        .collect();
    if log.is_empty() {
        let none = if app.alerts.is_empty() {
            "No alerts configured: add [[alert]] tables to feeds.toml (see the README, \"Alerts\")."
        } else {
            "Nothing has fired yet."
        };
        lines.push(Line::from(Span::styled(none, theme.dim())));
    }
    let title = Line::from(vec![
        Span::styled(" Alerts ", theme.accent()),
        Span::styled(format!("{} ", log.len()), theme.dim()),
    ]);
    let hint = Line::from(Span::styled(
        " Enter: the event · j k g G move · Esc closes ",
        theme.dim(),
    ))
    .right_aligned();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .title(title)
        .title_bottom(hint)
        .style(theme.base());
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// `12:03:41  fired     deploy failed  deploys  event deploy #55`.
const ALERT_CHARS: usize = 32;
const FEED_CHARS: usize = 24;

/// Text from the config or a feed, escaped and clipped for a column.
fn shown(text: &str, max: usize) -> String {
    text::clip(&text::escape(text), max).into_owned()
}

fn row<'a>(app: &App, entry: &LogEntry, width: usize, columns: (usize, usize)) -> Line<'a> {
    let theme = app.theme();
    let time = jiff::Timestamp::try_from(entry.at)
        .map(|ts| ts.to_zoned(app.tz.clone()).strftime("%H:%M:%S").to_string())
        .unwrap_or_else(|_| "--:--:--".into());
    let mut spans = vec![Span::styled(format!("{time}  "), theme.dim())];
    match &entry.what {
        Entry::Edge {
            alert,
            feed,
            edge,
            cause,
            seq,
        } => {
            let (word, style) = match edge {
                Edge::Fired => ("fired   ", theme.warning()),
                Edge::Resolved => ("resolved", theme.dim()),
            };
            spans.push(Span::styled(format!("{word}  "), style));
            let (alert_w, feed_w) = columns;
            spans.push(Span::styled(
                format!("{:alert_w$}  ", shown(alert, ALERT_CHARS)),
                theme.text(),
            ));
            spans.push(Span::styled(
                format!(
                    "{:feed_w$}  ",
                    shown(app.alerts.feed_name(*feed), FEED_CHARS)
                ),
                theme.accent(),
            ));
            let gone =
                seq.is_some_and(|s| app.panes.get(*feed).is_none_or(|p| p.event(s).is_none()));
            spans.push(Span::styled(text::escape(cause).into_owned(), theme.text()));
            if gone {
                spans.push(Span::styled(" (no longer buffered)", theme.dim()));
            }
        }
        Entry::Note {
            alert,
            feed,
            text: note,
        } => {
            let mut who = String::new();
            if let Some(alert) = alert {
                who.push_str(&format!("{}  ", shown(alert, ALERT_CHARS)));
            }
            if let Some(feed) = feed {
                who.push_str(&format!("{}  ", shown(feed, FEED_CHARS)));
            }
            spans.push(Span::styled("note      ", theme.dim()));
            spans.push(Span::styled(who, theme.text()));
            spans.push(Span::styled(text::escape(note).into_owned(), theme.dim()));
        }
    }
    // One row per entry: cut at the box's width.
    let mut used = 0;
    let mut fitted = Vec::new();
    for span in spans {
        let w = span.width();
        if used + w <= width {
            used += w;
            fitted.push(span);
        } else {
            let room = width.saturating_sub(used);
            if room > 1 {
                let cut = text::clip(&span.content, room).into_owned();
                fitted.push(Span::styled(cut, span.style));
            }
            break;
        }
    }
    Line::from(fitted)
}
