//! A board view: a header, one row per key (its latest values, count, rate and the age of its
//! last update), and the `other` row. Reads the order the board keeps; sizes the columns to
//! the rows shown.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::fmt;
use crate::text;
use crate::tui::app::App;
use crate::tui::board::{Board, BoardCell, BoardRow, FLASH, Sort, Trend};
use crate::tui::theme::Theme;

/// The widest a key or a value column gets.
const MAX_COLUMN: usize = 28;
const COUNT_W: usize = 8;
const RATE_W: usize = 8;
const AGE_W: usize = 9;

pub fn render(
    frame: &mut Frame,
    board: &Board,
    app: &App,
    theme: &Theme,
    focused: bool,
    area: Rect,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let rows = board.rows_in(area.height);
    let n = board.order.len();
    let cursor = board.cursor();
    let start = board.first_shown(rows);
    let shown: Vec<&BoardRow> = board.order[start..]
        .iter()
        .take(rows)
        .map(|&i| &board.rows[i])
        .collect();
    let keys: Vec<String> = shown
        .iter()
        .map(|r| text::escape(&r.key).into_owned())
        .collect();
    let key_w = keys
        .iter()
        .map(|k| k.width())
        .chain([3, if board.other.is_some() { 5 } else { 0 }])
        .max()
        .unwrap_or(3)
        .min(MAX_COLUMN);
    let cells: Vec<Vec<String>> = shown
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .map(|c| {
                    c.text
                        .as_deref()
                        .map_or_else(String::new, |t| fmt::preview(t, MAX_COLUMN))
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..board.titles.len())
        .map(|c| {
            let title = text::escape(&board.titles[c]).width();
            cells
                .iter()
                .map(|r| r[c].width())
                .chain([title])
                .max()
                .unwrap_or(0)
                .min(MAX_COLUMN)
        })
        .collect();

    let mut lines = Vec::with_capacity(area.height as usize);
    lines.push(header(board, theme, key_w, &widths));
    let now = app.now;
    let highlight = focused && board.selected.is_some();
    for (k, row) in shown.iter().enumerate() {
        let mut spans = vec![Span::styled(pad(&keys[k], key_w, false), theme.accent())];
        for (c, cell) in row.cells.iter().enumerate() {
            spans.push(Span::raw("  "));
            spans.extend(cell_spans(
                cell,
                &cells[k][c],
                widths[c],
                board.right[c],
                now,
                theme,
            ));
        }
        spans.extend(tail(
            row.count,
            row.rate.rate(now),
            now.saturating_duration_since(row.last_at),
            theme,
        ));
        if board.is_frequency_table() {
            spans.extend(spark(row, now, area.width as usize, theme));
        }
        let mut line = Line::from(spans);
        if highlight && Some(start + k) == cursor {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
    if n == 0 {
        let msg = if board.rows.is_empty() {
            "no rows yet"
        } else {
            "no row matches the filter (Esc clears it)"
        };
        lines.push(Line::from(Span::styled(msg, theme.dim())).alignment(Alignment::Center));
    }
    frame.render_widget(Paragraph::new(lines), area);
    if let Some(other) = &board.other {
        let mut spans = vec![Span::styled(
            pad("other", key_w, false),
            theme.dim().add_modifier(Modifier::ITALIC),
        )];
        for w in &widths {
            spans.push(Span::raw(" ".repeat(w + 4)));
        }
        spans.extend(tail(
            other.count,
            other.rate.rate(now),
            now.saturating_duration_since(other.last_at),
            theme,
        ));
        spans.push(Span::styled(
            format!(
                "  keys past the first {}",
                fmt::count(board.max_rows as u64)
            ),
            theme.dim(),
        ));
        let y = area.bottom() - 1;
        frame.render_widget(
            Paragraph::new(Line::from(spans)),
            Rect::new(area.x, y, area.width, 1),
        );
    }
}

fn header<'a>(board: &Board, theme: &Theme, key_w: usize, widths: &[usize]) -> Line<'a> {
    let arrow = board.sort_arrow();
    let title = |name: &str, sorted: bool| {
        if sorted {
            format!("{name}{arrow}")
        } else {
            name.to_string()
        }
    };
    let style = theme.dim().add_modifier(Modifier::BOLD);
    let sorted_style = theme.accent();
    let styled =
        |s: String, sorted: bool| Span::styled(s, if sorted { sorted_style } else { style });
    let mut spans = vec![styled(
        pad(&title("key", board.sort == Sort::Key), key_w, false),
        board.sort == Sort::Key,
    )];
    for (c, w) in widths.iter().enumerate() {
        let sorted = board.sort == Sort::Column(c);
        spans.push(Span::raw("  "));
        let name = title(&text::escape(&board.titles[c]), sorted);
        // Room for the trend glyph after the value.
        spans.push(styled(pad(&name, w + 2, board.right[c]), sorted));
    }
    let count = board.sort == Sort::Count;
    let last = board.sort == Sort::Last;
    spans.push(styled(
        pad(&title("count", count), COUNT_W + 2, true),
        count,
    ));
    spans.push(styled(pad("rate", RATE_W + 2, true), false));
    spans.push(styled(pad(&title("updated", last), AGE_W + 2, true), last));
    Line::from(spans)
}

/// A value, aligned, then its trend: `▲` in the theme's up colour, `▼` in its down colour.
fn cell_spans<'a>(
    cell: &BoardCell,
    shown: &str,
    width: usize,
    right: bool,
    now: std::time::Instant,
    theme: &Theme,
) -> Vec<Span<'a>> {
    let flashing = cell
        .changed_at
        .is_some_and(|at| now.saturating_duration_since(at) < FLASH);
    let mut style = match cell.text {
        Some(_) => theme.text(),
        None => theme.dim(),
    };
    if flashing {
        style = style.patch(theme.flash());
    }
    let value = text::clip(shown, width);
    let (glyph, glyph_style) = match cell.trend {
        Trend::Up => ("▲", theme.up()),
        Trend::Down => ("▼", theme.down()),
        Trend::Flat => (" ", Style::default()),
    };
    vec![
        Span::styled(pad(&value, width, right), style),
        Span::styled(glyph, glyph_style),
        Span::raw(" "),
    ]
}

fn tail<'a>(count: u64, rate: f64, age: std::time::Duration, theme: &Theme) -> Vec<Span<'a>> {
    vec![
        Span::raw("  "),
        Span::styled(pad(&fmt::count(count), COUNT_W, true), theme.text()),
        Span::raw("  "),
        Span::styled(
            pad(&format!("{}/s", fmt::rate(rate)), RATE_W, true),
            theme.text(),
        ),
        Span::raw("  "),
        Span::styled(pad(&fmt::ago(age), AGE_W, true), theme.dim()),
    ]
}

/// A frequency table's sparkline of the row's last minute.
fn spark<'a>(
    row: &BoardRow,
    now: std::time::Instant,
    width: usize,
    theme: &Theme,
) -> Vec<Span<'a>> {
    let room = width.saturating_sub(MAX_COLUMN + COUNT_W + RATE_W + AGE_W + 8);
    if room < 8 {
        return Vec::new();
    }
    let history = row.rate.history(now);
    vec![
        Span::raw("  "),
        Span::styled(
            fmt::sparkline(&fmt::squeeze(&history, room.min(30))),
            theme.accent(),
        ),
    ]
}

/// `s` padded with spaces to `width` columns (it is never longer: clipped before).
fn pad(s: &str, width: usize, right: bool) -> String {
    let s = text::clip(s, width);
    let fill = " ".repeat(width.saturating_sub(s.width()));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}
