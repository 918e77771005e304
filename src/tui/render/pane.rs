//! One feed's pane: title with the state badge, counters, type counts, filter or pause line,
//! and the event list.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::fmt;
use crate::feed::ConnState;
use crate::text;
use crate::tui::app::{App, Mode};
use crate::tui::pane::{Pane, TypeFilter};
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
    let room = area.width.saturating_sub(4) as usize;
    let main_len = badge_main.chars().count() + 2;
    let name_room = room.saturating_sub(main_len + number.len() + 2).max(6);
    let name = fit(&text::escape(&pane.name), name_room);
    let title_len = number.len() + name.chars().count() + 3;
    let badge_room = room.saturating_sub(title_len);
    let badge_text = match badge_reason {
        Some(reason) if badge_room > main_len + 8 => {
            format!(
                " {badge_main} — {} ",
                fit(&reason, badge_room - main_len - 3)
            )
        }
        _ => format!(" {} ", fit(&badge_main, badge_room.saturating_sub(2))),
    };
    let title = Line::from(vec![
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
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(theme.border(focused))
        .title(title)
        .title(Line::from(Span::styled(badge_text, badge_style)).right_aligned());
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
    event_list(frame, pane, app, theme, focused, list);
}

/// Cuts `s` to at most `max` characters, marking the cut with `…`.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The state at a glance, for the title's right corner: the state (with the countdown), the
/// reason, and the style.
fn badge(pane: &Pane, app: &App, theme: &Theme) -> (String, Option<String>, Style) {
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

fn counters<'a>(pane: &Pane, app: &App, theme: &Theme, width: u16) -> Line<'a> {
    let sep = || Span::styled(" · ", theme.dim());
    let mut spans = vec![
        Span::styled(
            fmt::count(pane.total),
            theme.text().add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            if pane.total == 1 { " event" } else { " events" },
            theme.dim(),
        ),
        sep(),
        Span::styled(fmt::rate(pane.rate.rate(app.now)), theme.text()),
        Span::styled("/s ", theme.dim()),
    ];
    // The sparkline always covers the last minute, a second or more per bar; the
    // counters that signal trouble (reconnects, drops) come before the id and byte count, so
    // a narrow pane cuts the least telling ones.
    if width >= 56 {
        let spark_width = (width as usize).saturating_sub(80).clamp(10, 60);
        let history = pane.rate.history(app.now);
        spans.push(Span::styled(
            fmt::sparkline(&fmt::squeeze(&history, spark_width)),
            theme.accent(),
        ));
    }
    spans.push(sep());
    let last = match pane.last_event_at {
        Some(at) => format!("last {}", fmt::ago(app.now.saturating_duration_since(at))),
        None => "no event yet".into(),
    };
    spans.push(Span::styled(last, theme.dim()));
    if pane.reconnects > 0 {
        spans.push(sep());
        spans.push(Span::styled(
            fmt::plural(pane.reconnects, "reconnect"),
            theme.color(theme.waiting),
        ));
    }
    // Events lost before reaching the pane (it could not keep up) are a warning; old events
    // rolled out of the pane's buffer are normal on a long run, and only counted.
    if pane.dropped > 0 {
        spans.push(sep());
        spans.push(Span::styled(
            format!("lost {}", fmt::count(pane.dropped)),
            theme.warning(),
        ));
    }
    if pane.evicted > 0 {
        spans.push(sep());
        spans.push(Span::styled(
            format!("dropped {} old", fmt::count(pane.evicted)),
            theme.dim(),
        ));
    }
    if !pane.last_event_id.is_empty() {
        spans.push(sep());
        spans.push(Span::styled("id ", theme.dim()));
        spans.push(Span::styled(
            fmt::preview(&pane.last_event_id, 24),
            theme.text(),
        ));
    }
    spans.push(sep());
    spans.push(Span::styled(fmt::bytes(pane.bytes), theme.dim()));
    Line::from(spans)
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
        spans.push(Span::styled(
            text::escape(&filter.pattern).into_owned(),
            theme.text(),
        ));
        if editing {
            spans.push(Span::styled("▏", theme.accent()));
        }
        match filter.error() {
            Some(err) => spans.push(Span::styled(
                format!("  invalid regex ({err}), matching as text"),
                theme.warning(),
            )),
            None => spans.push(Span::styled(
                format!(
                    "  {} of {}",
                    fmt::count(pane.visible.len() as u64),
                    fmt::count(pane.events.len() as u64)
                ),
                theme.dim(),
            )),
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

fn event_list(frame: &mut Frame, pane: &Pane, app: &App, theme: &Theme, focused: bool, area: Rect) {
    if area.height == 0 {
        return;
    }
    let n = pane.shown_len();
    if n == 0 {
        let msg = if pane.filter.is_some() || pane.types_shown != TypeFilter::All {
            if pane.events.is_empty() {
                "no events yet".to_string()
            } else {
                "no event matches the filter (Esc clears it, t shows types)".to_string()
            }
        } else {
            match &pane.state {
                ConnState::Failed => format!(
                    "failed: {} (r retries)",
                    text::escape(pane.reason.as_deref().unwrap_or("unknown error"))
                ),
                ConnState::Closed => format!(
                    "closed: {} (d connects again)",
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
        frame.render_widget(
            Paragraph::new(msg)
                .alignment(Alignment::Center)
                .style(theme.dim()),
            Rect::new(area.x, area.y + area.height / 2, area.width, 1),
        );
        return;
    }
    let rows = area.height as usize;
    let cursor = pane.cursor().unwrap_or(n - 1);
    let start = if pane.is_following() && pane.paused_at.is_none() {
        n.saturating_sub(rows)
    } else {
        cursor.saturating_sub(rows / 2).min(n.saturating_sub(rows))
    };
    let highlight = focused && !pane.is_following();
    let lines: Vec<Line> = pane
        .shown()
        .skip(start)
        .take(rows)
        .enumerate()
        .filter_map(|(k, seq)| {
            let e = pane.event(seq)?;
            let time = match jiff::Timestamp::try_from(e.at) {
                Ok(ts) => ts
                    .to_zoned(app.tz.clone())
                    .strftime("%H:%M:%S%.3f")
                    .to_string(),
                Err(_) => "--:--:--.---".into(),
            };
            let mut spans = vec![
                Span::styled(time, theme.dim()),
                Span::raw(" "),
                Span::styled(
                    fmt::preview(&e.event_type, 20),
                    theme.event_type(&e.event_type),
                ),
            ];
            if !e.id.is_empty() {
                spans.push(Span::styled(
                    format!(" #{}", fmt::preview(&e.id, 16)),
                    theme.dim(),
                ));
            }
            spans.push(Span::raw(" "));
            // The data gets the rest of the row, and says so with `…` when it is cut.
            let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
            let room = (area.width as usize).saturating_sub(used + usize::from(e.truncated) * 12);
            spans.push(Span::styled(
                text::clip(e.line.as_deref().unwrap_or(&e.data), room.max(1)),
                theme.text(),
            ));
            if e.truncated {
                spans.push(Span::styled(" [truncated]", theme.warning()));
            }
            let mut line = Line::from(spans);
            if highlight && start + k == cursor {
                line = line.style(theme.selected());
            }
            Some(line)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).style(Style::default()), area);
}
