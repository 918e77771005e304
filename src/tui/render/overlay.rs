//! What opens over the panes: help, the type picker, and one event in full.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use std::sync::Arc;

use super::fmt;
use crate::text;
use crate::tui::app::App;
use crate::tui::detail::DetailView;
use crate::tui::pane::TypeFilter;

/// A centred rectangle of at most `w`×`h` inside `area`.
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn frame_block<'a>(app: &App, title: Line<'a>) -> Block<'a> {
    let theme = app.theme();
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .title(title)
        .style(theme.base())
}

const KEYS: &[(&str, &str)] = &[
    (
        "Tab / Shift-Tab, 1-9",
        "focus the next / previous / n-th pane",
    ),
    ("j k, ↓ ↑", "select the next / previous event"),
    ("PgDn PgUp", "a page down / up"),
    ("g  G", "oldest event / follow the newest"),
    ("Space", "pause the view (events keep counting)"),
    ("/", "filter by text or regex (Esc clears)"),
    ("t", "pick event types to show"),
    ("Enter", "inspect the selected event"),
    ("z", "zoom the pane"),
    ("r", "reconnect now"),
    ("d", "disconnect / connect"),
    ("c", "clear the pane's events"),
    ("T", "next theme"),
    ("?", "this help"),
    ("q, Ctrl-C", "quit"),
];

pub fn help(frame: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let rect = centred(area, 64, KEYS.len() as u16 + 5);
    frame.render_widget(Clear, rect);
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<22}"), theme.accent()),
                Span::styled(*what, theme.text()),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        " Feeds reconnect by themselves; 5xx, 408 and 429 back off.",
        theme.dim(),
    )));
    lines.push(Line::from(Span::styled(
        " Esc or ? closes this help.",
        theme.dim(),
    )));
    let block = frame_block(app, Line::from(Span::styled(" Keys ", theme.accent())));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

pub fn types(frame: &mut Frame, app: &App, cursor: usize, types: &[Arc<str>], area: Rect) {
    let Some(pane) = app.focused() else {
        return;
    };
    let theme = app.theme();
    let rect = centred(area, 52, types.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    // A long list scrolls so the cursor stays in view.
    let rows = rect.height.saturating_sub(2) as usize;
    let first = cursor.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = types
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, name)| {
            let shown = pane.types_shown.shows(name);
            let n = pane.by_type.get(name).copied().unwrap_or(0);
            let mut line = Line::from(vec![
                Span::styled(if shown { " [x] " } else { " [ ] " }, theme.accent()),
                Span::styled(
                    format!("{:<32}", fmt::preview(name, 32)),
                    theme.event_type(name),
                ),
                Span::styled(format!("{:>12}", fmt::count(n)), theme.dim()),
            ]);
            if i == cursor {
                line = line.style(theme.selected());
            }
            line
        })
        .collect();
    let title = Line::from(vec![
        Span::styled(" Event types of ", theme.text()),
        Span::styled(format!("{} ", text::escape(&pane.name)), theme.accent()),
    ]);
    let mut block = frame_block(app, title);
    let mut notes = Vec::new();
    if matches!(pane.types_shown, TypeFilter::Only(_)) {
        notes.push("only the checked types, also later ones".to_string());
    }
    if pane.other_types > 0 {
        notes.push(format!("+ {} of other types", fmt::count(pane.other_types)));
    }
    if !notes.is_empty() {
        block = block.title_bottom(Line::from(Span::styled(
            format!(" {} ", notes.join(" · ")),
            theme.dim(),
        )));
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

pub fn detail(frame: &mut Frame, app: &App, view: &DetailView, area: Rect) {
    let theme = app.theme();
    // The whole body: a narrower box would leave slivers of the panes beside it.
    let rect = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let title = Line::from(vec![
        Span::styled(" Event ", theme.text()),
        Span::styled(format!("{} ", fmt::count(view.seq + 1)), theme.accent()),
        Span::styled(format!("of {} ", text::escape(&view.feed)), theme.text()),
    ]);
    let block = frame_block(app, title);
    // Only what can show is handed to the widget: each line takes at least one row.
    let rows = rect.height.saturating_sub(2) as usize;
    let visible: Vec<Line> = view
        .lines
        .iter()
        .skip(view.scroll as usize)
        .take(rows)
        .cloned()
        .collect();
    frame.render_widget(
        Paragraph::new(visible)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}
