//! The banner of a config save that could not be applied: its error (file, line, key) stays
//! on screen, above the footer, until a save that loads. It takes its rows from the layout
//! (the panes are laid out above it), so it hides no event.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};
use unicode_width::UnicodeWidthChar;

use crate::text;
use crate::tui::app::App;

/// Rows of text the banner shows at most (its top border, with the title, is one more):
/// more errors are counted, and `ssedash check` lists them all.
pub const MAX_TEXT_ROWS: usize = 4;

/// Rows the banner takes from the bottom of `body` (0 without an error).
pub fn height(app: &App, body: Rect) -> u16 {
    if app.reload.error.is_none() || body.height < 3 {
        return 0;
    }
    let rows = text_rows(app, body.width).len() as u16 + 1;
    rows.min(body.height / 2)
}

/// `body` less the banner's rows: where the panes go.
pub fn above(app: &App, body: Rect) -> Rect {
    Rect {
        height: body.height - height(app, body),
        ..body
    }
}

pub fn render(frame: &mut Frame, app: &App, body: Rect) {
    let height = height(app, body);
    if height == 0 {
        return;
    }
    let theme = app.theme();
    let lines: Vec<Line> = text_rows(app, body.width)
        .into_iter()
        .map(|(row, is_error)| {
            let style = if is_error { theme.error() } else { theme.dim() };
            Line::from(Span::styled(row, style))
        })
        .collect();
    let area = Rect::new(body.x, body.bottom() - height, body.width, height);
    let block = Block::default()
        .borders(Borders::TOP)
        .border_type(BorderType::Thick)
        .border_style(theme.error())
        .title(Span::styled(" config not reloaded ", theme.error()));
    frame.render_widget(Paragraph::new(lines).style(theme.base()).block(block), area);
}

/// The banner's rows of text, wrapped to `width` and cut to [`MAX_TEXT_ROWS`]; `true` marks
/// an error row.
fn text_rows(app: &App, width: u16) -> Vec<(String, bool)> {
    let Some(error) = &app.reload.error else {
        return Vec::new();
    };
    let width = usize::from(width.max(1));
    let file = app.reload.file.as_deref().unwrap_or("the config");
    let mut rows: Vec<(String, bool)> = wrap(
        &format!("{file} was not reloaded: the feeds run as before. Fix it and save (or Ctrl-L)."),
        width,
    )
    .into_iter()
    .take(MAX_TEXT_ROWS - 1)
    .map(|r| (r, false))
    .collect();
    // Config errors come escaped; escaping again keeps any other text from acting on the
    // terminal (a backslash is left as it is, so nothing is escaped twice).
    let errors: Vec<Vec<String>> = error
        .lines()
        .map(|l| wrap(&text::escape(l), width))
        .collect();
    let room = MAX_TEXT_ROWS - rows.len();
    if errors.iter().map(Vec::len).sum::<usize>() <= room {
        rows.extend(errors.into_iter().flatten().map(|r| (r, true)));
        return rows;
    }
    // One row is kept to say how many errors do not show.
    let mut shown = 0;
    for error in &errors {
        let left = MAX_TEXT_ROWS - 1 - rows.len();
        if left == 0 {
            break;
        }
        rows.extend(error.iter().take(left).map(|r| (r.clone(), true)));
        if error.len() <= left {
            shown += 1;
        }
    }
    let more = format!("… and {} more (ssedash check)", errors.len() - shown);
    rows.extend(wrap(&more, width).into_iter().take(1).map(|r| (r, false)));
    rows
}

/// `s` cut into rows of at most `width` columns (at least one row).
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut rows = vec![String::new()];
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            rows.push(String::new());
            used = 0;
        }
        rows.last_mut().expect("a row").push(c);
        used += w;
    }
    rows
}
