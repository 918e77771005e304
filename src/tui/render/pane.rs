//! One feed's pane: title with the state badge, counters, type counts and the filter or pause
//! line; the event list below them is drawn by `list`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::fmt;
use crate::feed::ConnState;
use crate::text;
use crate::tui::app::{App, Mode};
use crate::tui::pane::Pane;
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, app: &App, idx: usize, area: Rect) {
    let pane = &app.panes[idx];
    let theme = app.theme();
    let focused = idx == app.focus;
    let number = if idx < 9 {
        format!("{} ", idx + 1)
    } else {
        String::new()
    };
    // The badge's first part (state and countdown) always shows; the name gives way first,
    // then the badge's reason.
    let (badge_main, badge_reason, badge_style) = badge(pane, app, theme);
    let errors_w = badge_spans(pane, String::new(), Style::default(), theme)
        .iter()
        .map(Span::width)
        .sum::<usize>();
    let room = (area.width.saturating_sub(4) as usize).saturating_sub(errors_w);
    let main_len = badge_main.chars().count() + 2;
    let name_room = room.saturating_sub(main_len + number.len() + 2).max(6);
    let name = text::clip(&text::escape(&pane.name), name_room).into_owned();
    let title_len = number.len() + name.chars().count() + 3;
    let badge_room = room.saturating_sub(title_len);
    let badge_text = match badge_reason {
        Some(reason) if badge_room > main_len + 8 => {
            format!(
                " {badge_main} — {} ",
                text::clip(&reason, badge_room - main_len - 3)
            )
        }
        _ => format!(
            " {} ",
            text::clip(&badge_main, badge_room.saturating_sub(2))
        ),
    };
    // An alert with `flash` fired here and the alert log (`!`) has not been opened since.
    let flashed = app.alerts.flashed.get(idx).copied().unwrap_or(false);
    let mut title = Line::from(vec![
        Span::styled(format!(" {number}"), theme.dim()),
        Span::styled(
            format!("{name} "),
            if focused {
                theme.accent()
            } else {
                theme.text().add_modifier(Modifier::BOLD)
            },
        ),
    ]);
    if flashed {
        title.spans.insert(
            1,
            Span::styled("!", theme.warning().add_modifier(Modifier::REVERSED)),
        );
        title.spans.insert(2, Span::raw(" "));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(if flashed {
            theme.warning()
        } else {
            theme.border(focused)
        })
        .title(title)
        .title(Line::from(badge_spans(pane, badge_text, badge_style, theme)).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let mut lines = vec![
        counters(pane, app, theme, inner.width),
        types_line(pane, theme),
    ];
    if let Some(line) = view_line(pane, app, theme) {
        lines.push(line);
    }
    let head = (lines.len() as u16).min(inner.height);
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y, inner.width, head),
    );
    let list = Rect::new(inner.x, inner.y + head, inner.width, inner.height - head);
    super::list::render(frame, pane, app, theme, focused, list);
}

/// The badge, after the count of events that matched the feed's `error_when`, if any.
fn badge_spans<'a>(pane: &Pane, badge: String, style: Style, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    if pane.errors > 0 {
        spans.push(Span::styled(
            format!(" ✖ {} ", fmt::plural(pane.errors, "error")),
            theme.error(),
        ));
    }
    spans.push(Span::styled(badge, style));
    spans
}

/// The state at a glance, for the title's right corner: the state (with the countdown), the
/// reason, and the style.
pub(super) fn badge(pane: &Pane, app: &App, theme: &Theme) -> (String, Option<String>, Style) {
    let since = app.now.saturating_duration_since(pane.since);
    let reason = pane.reason.as_deref().map(|r| text::escape(r).into_owned());
    match &pane.state {
        ConnState::Connecting => (
            if pane.attempt > 1 {
                format!("◌ connecting (attempt {})", pane.attempt)
            } else {
                "◌ connecting".into()
            },
            None,
            theme.color(theme.connecting),
        ),
        ConnState::Open => (
            format!("● open {}", fmt::whole(since)),
            None,
            theme.color(theme.open).add_modifier(Modifier::BOLD),
        ),
        ConnState::Waiting { .. } => {
            let left = pane.countdown(app.now).unwrap_or_default();
            (
                format!("↻ retry {} in {}", pane.attempt, fmt::countdown(left)),
                reason,
                theme.color(theme.waiting).add_modifier(Modifier::BOLD),
            )
        }
        ConnState::Closed => ("■ closed".into(), reason, theme.color(theme.closed)),
        ConnState::Failed => ("✖ failed".into(), reason, theme.error()),
    }
}

/// The counter line. Items that do not fit are left out whole, least telling first (the
/// sparkline, the server's retry and comments, the id, the last-event age), never cut in the
/// middle: a narrow pane shows `1.2 KiB` or nothing, not `1.2`.
/// The sparkline's rank among the counters: the first to go.
const SPARK: u8 = 7;

fn counters<'a>(pane: &Pane, app: &App, theme: &Theme, width: u16) -> Line<'a> {
    // (rank: lower stays longer, spans); the sparkline (rank 7) joins the rate without a dot.
    let mut items: Vec<(u8, Vec<Span<'a>>)> = vec![
        (
            0,
            vec![
                Span::styled(
                    fmt::count(pane.total),
                    theme.text().add_modifier(Modifier::BOLD),
                ),
                Span::styled(
                    if pane.total == 1 { " event" } else { " events" },
                    theme.dim(),
                ),
            ],
        ),
        (
            2,
            vec![
                Span::styled(fmt::rate(pane.rate.rate(app.now)), theme.text()),
                Span::styled("/s", theme.dim()),
            ],
        ),
    ];
    // The sparkline always covers the last minute, a second or more per bar.
    if width >= 56 {
        let spark_width = (width as usize).saturating_sub(80).clamp(10, 60);
        let history = pane.rate.history(app.now);
        items.push((
            SPARK,
            vec![Span::styled(
                fmt::sparkline(&fmt::squeeze(&history, spark_width)),
                theme.accent(),
            )],
        ));
    }
    let last = match pane.last_event_at {
        Some(at) => format!("last {}", fmt::ago(app.now.saturating_duration_since(at))),
        None => "no event yet".into(),
    };
    items.push((4, vec![Span::styled(last, theme.dim())]));
    if pane.reconnects > 0 {
        items.push((
            1,
            vec![Span::styled(
                fmt::plural(pane.reconnects, "reconnect"),
                theme.color(theme.waiting),
            )],
        ));
    }
    // Events lost before reaching the pane (it could not keep up) are a warning; old events
    // rolled out of the pane's buffer are normal on a long run, and only counted.
    if pane.dropped > 0 {
        items.push((
            1,
            vec![Span::styled(
                format!("lost {}", fmt::count(pane.dropped)),
                theme.warning(),
            )],
        ));
    }
    if pane.evicted > 0 {
        items.push((
            3,
            vec![Span::styled(
                format!("dropped {} old", fmt::count(pane.evicted)),
                theme.dim(),
            )],
        ));
    }
    if !pane.last_event_id.is_empty() {
        items.push((
            5,
            vec![
                Span::styled("id ", theme.dim()),
                Span::styled(fmt::preview(&pane.last_event_id, 24), theme.text()),
            ],
        ));
    }
    if let Some(ms) = pane.retry_ms {
        items.push((
            6,
            vec![
                Span::styled("retry ", theme.dim()),
                Span::styled(
                    crate::text::duration(std::time::Duration::from_millis(ms)),
                    theme.text(),
                ),
            ],
        ));
    }
    if pane.comments > 0 {
        items.push((
            6,
            vec![Span::styled(
                fmt::plural(pane.comments, "comment"),
                theme.dim(),
            )],
        ));
    }
    items.push((3, vec![Span::styled(fmt::bytes(pane.bytes), theme.dim())]));
    Line::from(super::fit_items(items, width as usize, |rank| {
        Span::styled(if rank == SPARK { " " } else { " · " }, theme.dim())
    }))
}

fn types_line<'a>(pane: &Pane, theme: &Theme) -> Line<'a> {
    if pane.by_type.is_empty() {
        return Line::from(Span::styled("no event types yet", theme.dim()));
    }
    let mut spans = Vec::new();
    for (i, (name, n)) in pane.type_counts().into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        let hidden = !pane.types_shown.shows(&name);
        let style = if hidden {
            theme.dim().add_modifier(Modifier::CROSSED_OUT)
        } else {
            theme.event_type(&name)
        };
        spans.push(Span::styled(text::escape(&name).into_owned(), style));
        spans.push(Span::styled(format!(" {}", fmt::count(n)), theme.dim()));
    }
    if pane.other_types > 0 {
        spans.push(Span::styled(
            format!(" · other {}", fmt::count(pane.other_types)),
            theme.dim(),
        ));
    }
    Line::from(spans)
}

/// The filter or pause line, when either is on.
fn view_line<'a>(pane: &Pane, app: &App, theme: &Theme) -> Option<Line<'a>> {
    let mut spans = Vec::new();
    if let Some(filter) = &pane.filter {
        let editing = matches!(app.mode, Mode::Filter { .. })
            && app
                .panes
                .get(app.focus)
                .is_some_and(|p| std::ptr::eq(p, pane));
        spans.push(Span::styled("/", theme.accent()));
        match &app.mode {
            Mode::Filter { input, .. } if editing => {
                spans.extend(super::editor_spans(input, theme));
            }
            _ => spans.push(Span::styled(
                text::escape(&filter.pattern).into_owned(),
                theme.text(),
            )),
        }
        match filter.error() {
            Some(err) if filter.is_jq() => spans.push(Span::styled(
                format!("  invalid jq ({}), not applied", text::escape(err)),
                theme.warning(),
            )),
            Some(err) => spans.push(Span::styled(
                format!("  invalid regex ({}), matching as text", text::escape(err)),
                theme.warning(),
            )),
            None => {
                // On a board the filter keeps rows, not events.
                let (shown, of) = match (&pane.board, pane.view) {
                    (Some(b), crate::tui::pane::PaneView::Board) => (b.order.len(), b.rows.len()),
                    _ => (pane.visible.len(), pane.events.len()),
                };
                spans.push(Span::styled(
                    format!(
                        "  {} of {}",
                        fmt::count(shown as u64),
                        fmt::count(of as u64)
                    ),
                    theme.dim(),
                ));
            }
        }
    }
    if pane.paused_at.is_some() {
        if !spans.is_empty() {
            spans.push(Span::styled("  ", theme.dim()));
        }
        spans.push(Span::styled("⏸ paused", theme.warning()));
        spans.push(Span::styled(
            format!(
                " — {} new (␣ resumes)",
                fmt::count(pane.waiting_while_paused() as u64)
            ),
            theme.dim(),
        ));
    } else if !pane.is_following() && pane.shown_len() > 0 {
        if !spans.is_empty() {
            spans.push(Span::styled("  ", theme.dim()));
        }
        spans.push(Span::styled("scrolled (G follows)", theme.dim()));
    }
    (!spans.is_empty()).then(|| Line::from(spans))
}
