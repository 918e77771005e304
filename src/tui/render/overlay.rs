//! What opens over the panes: help, the type picker, and one event in full.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::fmt;
use crate::text;
use crate::tui::app::App;
use crate::tui::detail::{DetailView, Kind};
use crate::tui::help;
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

/// The key list; when it does not fit, it scrolls (`j`/`k`) and its border says what is
/// above and below.
pub fn help(frame: &mut Frame, app: &App, scroll: usize, area: Rect) {
    let theme = app.theme();
    let content = help::content(area.width);
    let rect = centred(area, help::BOX_WIDTH, content.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    let lines: Vec<Line> = content
        .into_iter()
        .map(|parts| {
            Line::from(
                parts
                    .into_iter()
                    .map(|(part, text)| {
                        let style = match part {
                            help::Part::Key => theme.accent(),
                            help::Part::What => theme.text(),
                            help::Part::Note => theme.dim(),
                        };
                        Span::styled(text, style)
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let rows = help::rows_shown(area.width, area.height);
    let scroll = scroll.min(help::max_scroll(area.width, area.height));
    let below = lines.len().saturating_sub(scroll + rows);
    let mut title = vec![Span::styled(" Keys ", theme.accent())];
    if scroll > 0 {
        title.push(Span::styled(format!("↑ {scroll} more "), theme.dim()));
    }
    let mut block = frame_block(app, Line::from(title));
    if below > 0 {
        block = block.title_bottom(
            Line::from(Span::styled(
                format!(" ↓ {below} more (j scrolls) "),
                theme.accent(),
            ))
            .right_aligned(),
        );
    }
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(rows).collect();
    frame.render_widget(Paragraph::new(shown).block(block), rect);
}

pub fn types(
    frame: &mut Frame,
    app: &App,
    cursor: usize,
    types: &[crate::sse::FieldStr],
    area: Rect,
) {
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
            let n = pane.by_type.get(&**name).copied().unwrap_or(0);
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
    // Rows come wrapped to this width; only the ones that show are drawn.
    let rows = rect.height.saturating_sub(2) as usize;
    let style = |kind: Kind| match kind {
        Kind::Label | Kind::JsonPunct => theme.dim(),
        Kind::Value | Kind::Raw => theme.text(),
        Kind::EventType => theme
            .event_type(&view.event_type)
            .add_modifier(Modifier::BOLD),
        Kind::Heading => theme.accent(),
        Kind::Warning => theme.warning(),
        Kind::JsonKey => theme.color(theme.json_key),
        Kind::JsonString => theme.color(theme.json_string),
        Kind::JsonNumber => theme.color(theme.json_number),
        Kind::JsonLiteral => theme.color(theme.json_literal),
        Kind::Wrap => theme.dim(),
    };
    let visible: Vec<Line> = view
        .rows
        .iter()
        .skip(view.scroll)
        .take(rows)
        .map(|row| {
            Line::from(
                row.iter()
                    .map(|(kind, text)| Span::styled(text.as_str(), style(*kind)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let mut block = block;
    let below = view.rows.len().saturating_sub(view.scroll + rows);
    if below > 0 {
        block = block.title_bottom(
            Line::from(Span::styled(format!(" ↓ {below} more "), theme.dim())).right_aligned(),
        );
    }
    frame.render_widget(Paragraph::new(visible).block(block), rect);
}
