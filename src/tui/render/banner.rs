//! The banner of a config save that could not be applied: its error (file, line, key) stays
//! on screen, above the footer, until a save that loads.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::text;
use crate::tui::app::App;
use crate::tui::layout;

pub fn render(frame: &mut Frame, app: &App, screen: Rect) {
    let Some(error) = &app.reload.error else {
        return;
    };
    let theme = app.theme();
    let body = layout::body(screen);
    let file = app.reload.file.as_deref().unwrap_or("the config");
    let mut lines = vec![Line::from(Span::styled(
        format!("{file} was not reloaded: the feeds run as before. Fix it and save (or Ctrl-L)."),
        theme.dim(),
    ))];
    // Config errors come escaped; escaping again keeps any other text from acting on the
    // terminal (a backslash is left as it is, so nothing is escaped twice).
    lines.extend(
        error
            .lines()
            .map(|l| Line::from(Span::styled(text::escape(l).into_owned(), theme.error()))),
    );
    let inner_width = body.width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1))
        .sum();
    let height = (rows as u16 + 2)
        .min(body.height / 2)
        .max(3.min(body.height));
    let area = Rect::new(body.x, body.bottom() - height, body.width, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme.error())
        .title(Span::styled(" config not reloaded ", theme.error()));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(theme.base())
            .block(block),
        area,
    );
}
