//! One feed's pane: title with the state badge, counters, type counts, filter or pause line,
//! and the event list.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use super::fmt;
use crate::feed::ConnState;
use crate::text;
use crate::tui::app::{App, Mode};
use crate::tui::pane::{Pane, StoredEvent, TypeFilter};
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
            Some(err) => spans.push(Span::styled(
                format!("  invalid regex ({}), matching as text", text::escape(err)),
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
        empty_list(frame, pane, app, theme, area);
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
            let mut line = Line::from(row(e, pane, app, theme, area.width as usize));
            if highlight && start + k == cursor {
                line = line.style(theme.selected());
            }
            Some(line)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).style(Style::default()), area);
}

/// Matches highlighted in one row at most (a frame's work per row stays bounded).
const MARKS_PER_ROW: usize = 16;
/// Characters kept before a match when a row's data scrolls to show it.
const MATCH_CONTEXT: usize = 8;

/// One event's row: time, type, id and as much of the data as fits. With a text filter on,
/// its matches are highlighted; a match past the right edge scrolls the data to it, and a
/// match the row cannot show (further into the data than a row holds) is said to be hidden.
fn row<'a>(
    e: &'a StoredEvent,
    pane: &Pane,
    app: &App,
    theme: &Theme,
    width: usize,
) -> Vec<Span<'a>> {
    let time = match jiff::Timestamp::try_from(e.at) {
        Ok(ts) => ts
            .to_zoned(app.tz.clone())
            .strftime("%H:%M:%S%.3f")
            .to_string(),
        Err(_) => "--:--:--.---".into(),
    };
    let filter = pane.filter.as_ref();
    let mark = theme.accent().add_modifier(Modifier::REVERSED);
    let marks = |s: &str| filter.map_or_else(Vec::new, |f| f.find_in(s, MARKS_PER_ROW));
    let mut seen = false;
    let mut spans = vec![Span::styled(time, theme.dim()), Span::raw(" ")];
    let type_marks = marks(&e.type_label);
    seen |= !type_marks.is_empty();
    spans.extend(marked(
        &e.type_label,
        &type_marks,
        theme.event_type(&e.event_type),
        mark,
    ));
    if !e.id.is_empty() {
        spans.push(Span::styled(" #", theme.dim()));
        let id_marks = marks(&e.id_label);
        seen |= !id_marks.is_empty();
        spans.extend(marked(&e.id_label, &id_marks, theme.dim(), mark));
    }
    spans.push(Span::raw(" "));
    let data: &str = e.line.as_deref().unwrap_or(&e.data);
    let data_marks = marks(data);
    seen |= !data_marks.is_empty();
    let hidden = filter.is_some() && !seen;
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
    spans.extend(
        marked(&shown, &in_view, theme.text(), mark)
            .into_iter()
            .map(|s| Span::styled(s.content.into_owned(), s.style)),
    );
    if e.truncated {
        spans.push(Span::styled(tail, theme.warning()));
    }
    if hidden {
        spans.push(Span::styled(hidden_note, theme.accent()));
    }
    spans
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
