//! Drawing: a pure function of the [`App`] state. Nothing here changes state or does I/O.

pub(crate) use super::fmt;
mod alert_log;
pub(crate) mod banner;
mod board;
mod list;
mod overlay;
mod overview;
mod pane;
mod transcript;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use ratatui::style::Modifier;

use super::app::{App, Mode, View};
use super::layout;
use super::line_editor::LineEditor;
use super::theme::Theme;
use crate::feed::ConnState;

pub use fmt::preview;

/// Draws the whole screen.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let theme = app.theme();
    frame.render_widget(Block::default().style(theme.base()), area);
    if layout::too_small(area.width, area.height) {
        let msg = format!(
            "Terminal too small: {}×{}\nssedash needs at least {}×{}.\nMake the window larger, or press q to quit.",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        );
        let y = area.height.saturating_sub(3) / 2;
        frame.render_widget(
            Paragraph::new(msg)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true })
                .style(theme.warning()),
            Rect::new(area.x, area.y + y, area.width, area.height - y),
        );
        return;
    }
    let pane_layout = app.layout();
    title_bar(
        frame,
        app,
        &pane_layout,
        Rect::new(area.x, area.y, area.width, 1),
    );
    if app.panes.is_empty() {
        let body = layout::body(area);
        frame.render_widget(
            Paragraph::new("No feeds.")
                .alignment(Alignment::Center)
                .style(theme.dim()),
            body,
        );
    }
    match app.view {
        View::Panes => {
            for (idx, rect) in &pane_layout.slots {
                pane::render(frame, app, *idx, *rect);
            }
        }
        View::Overview if !app.panes.is_empty() => {
            overview::render(frame, app, banner::above(app, layout::body(area)));
        }
        View::Overview => {}
    }
    footer(
        frame,
        app,
        Rect::new(area.x, area.bottom() - 1, area.width, 1),
    );
    banner::render(frame, app, layout::body(area));
    match &app.mode {
        Mode::Help { scroll } => overlay::help(frame, app, *scroll, area),
        Mode::Types { cursor, types } => overlay::types(frame, app, *cursor, types, area),
        Mode::Detail(view) => overlay::detail(frame, app, view, area),
        Mode::AlertLog { cursor } => alert_log::render(frame, app, *cursor, area),
        Mode::Normal | Mode::Filter { .. } => {}
    }
}

fn title_bar(frame: &mut Frame, app: &App, pane_layout: &layout::PaneLayout, area: Rect) {
    let theme = app.theme();
    let mut counts = [0usize; 5]; // open, connecting, waiting, failed, closed
    let mut rate = 0.0;
    for p in &app.panes {
        let slot = match p.state {
            ConnState::Open => 0,
            ConnState::Connecting => 1,
            ConnState::Waiting { .. } => 2,
            ConnState::Failed => 3,
            ConnState::Closed => 4,
        };
        counts[slot] += 1;
        rate += p.rate.rate(app.now);
    }
    // The feed counts stay; the failed feed's name, then the rate, give way on a narrow screen.
    let mut states = vec![
        Span::styled(fmt::plural(app.panes.len() as u64, "feed"), theme.text()),
        Span::styled(": ", theme.dim()),
    ];
    let labels = [
        ("open", theme.color(theme.open)),
        ("connecting", theme.color(theme.connecting)),
        ("waiting to retry", theme.color(theme.waiting)),
        ("failed", theme.error()),
        ("closed", theme.color(theme.closed)),
    ];
    let mut first = true;
    for (n, (label, style)) in counts.iter().zip(labels) {
        if *n == 0 && !(first && label == "open") {
            continue;
        }
        if !first {
            states.push(Span::styled(", ", theme.dim()));
        }
        first = false;
        states.push(Span::styled(format!("{n} {label}"), style));
    }
    let mut items = vec![
        (0, vec![Span::styled(" ssedash", theme.accent())]),
        (0, states),
        (
            2,
            vec![Span::styled(
                format!("{} ev/s", fmt::rate(rate)),
                theme.text(),
            )],
        ),
    ];
    // The first failed feed by name (`f` goes to it), so trouble on another page is seen.
    if let Some(failed) = app.panes.iter().find(|p| p.state == ConnState::Failed) {
        let mut spans = vec![Span::styled(
            format!(
                "✖ {} failed",
                crate::text::clip(&crate::text::escape(&failed.name), 24)
            ),
            theme.error(),
        )];
        if counts[3] > 1 {
            spans.push(Span::styled(
                format!(" (+{} more)", counts[3] - 1),
                theme.error(),
            ));
        }
        spans.push(Span::styled(" (", theme.dim()));
        spans.push(Span::styled("f", theme.accent()));
        spans.push(Span::styled(")", theme.dim()));
        items.push((1, spans));
    }
    // Firings not seen yet (`!` opens the log); they stay on a narrow screen.
    if app.alerts.unseen > 0 {
        let n = app.alerts.unseen as u64;
        items.insert(
            1,
            (
                0,
                vec![
                    Span::styled(format!("! {}", fmt::plural(n, "alert")), theme.warning()),
                    Span::styled(" (!)", theme.dim()),
                ],
            ),
        );
    }
    let spans = fit_items(items, area.width as usize, |_| {
        Span::styled(" │ ", theme.dim())
    });
    let left = Line::from(spans);
    let left_width = left.width() as u16;
    frame.render_widget(Paragraph::new(left), area);

    let mut right = super::replay::badges(app);
    let panes = app.view == View::Panes;
    if panes && pane_layout.pages > 1 {
        right.push(Span::styled(
            format!("page {}/{} ", pane_layout.page + 1, pane_layout.pages),
            theme.accent(),
        ));
    }
    if panes && app.zoomed {
        right.push(Span::styled("zoomed ", theme.accent()));
    }
    // The way to the other view.
    right.push(Span::styled("o ", theme.accent()));
    right.push(Span::styled(
        if panes { "overview " } else { "panes " },
        theme.dim(),
    ));
    // On a narrow screen the theme name gives way first, then the rest, rather than
    // overwrite the left-hand side.
    let fits = |line: &Line| (left_width as usize + line.width()) < area.width as usize;
    let mut with_theme = right.clone();
    with_theme.push(Span::styled(
        format!("theme {} ", crate::text::escape(&theme.name)),
        theme.dim(),
    ));
    let line = [Line::from(with_theme), Line::from(right)]
        .into_iter()
        .find(|l| fits(l) && l.width() > 0);
    if let Some(line) = line {
        frame.render_widget(Paragraph::new(line).alignment(Alignment::Right), area);
    }
}

/// Ranked items (a lower rank stays longer) joined by `sep(rank)`. Whole items are left out,
/// the highest rank first (of equals, the last), until the line fits in `width`: nothing is
/// cut in the middle.
pub(super) fn fit_items<'a>(
    mut items: Vec<(u8, Vec<Span<'a>>)>,
    width: usize,
    sep: impl Fn(u8) -> Span<'a>,
) -> Vec<Span<'a>> {
    let total = |items: &[(u8, Vec<Span<'a>>)]| {
        items
            .iter()
            .enumerate()
            .map(|(i, (rank, spans))| {
                let sep = if i > 0 { sep(*rank).width() } else { 0 };
                sep + spans.iter().map(Span::width).sum::<usize>()
            })
            .sum::<usize>()
    };
    while items.len() > 1 && total(&items) > width {
        let worst = items
            .iter()
            .enumerate()
            .max_by_key(|(i, (rank, _))| (*rank, *i))
            .map_or(0, |(i, _)| i);
        items.remove(worst);
    }
    let mut spans = Vec::new();
    for (i, (rank, item)) in items.into_iter().enumerate() {
        if i > 0 {
            spans.push(sep(rank));
        }
        spans.extend(item);
    }
    spans
}

/// The line being edited, with the character under the cursor (a space at the end) shown
/// reversed: the cursor is where typing goes.
pub(super) fn editor_spans(input: &LineEditor, theme: &Theme) -> Vec<Span<'static>> {
    let text = input.text();
    let at = text
        .char_indices()
        .nth(input.cursor())
        .map_or(text.len(), |(i, _)| i);
    let (before, rest) = text.split_at(at);
    let mut chars = rest.chars();
    let under = chars.next().map_or(" ".to_string(), |c| {
        crate::text::escape(&c.to_string()).into_owned()
    });
    vec![
        Span::styled(crate::text::escape(before).into_owned(), theme.text()),
        Span::styled(under, theme.text().add_modifier(Modifier::REVERSED)),
        Span::styled(
            crate::text::escape(chars.as_str()).into_owned(),
            theme.text(),
        ),
    ]
}

fn footer(frame: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let line = match &app.mode {
        Mode::Filter { input, .. } => {
            let mut spans = vec![Span::styled(" / ", theme.accent())];
            spans.extend(editor_spans(input, theme));
            // The filter's state: its regex error, or how much it lets through.
            let state = if app.view == View::Overview {
                let error = app.overview.filter.as_ref().and_then(|f| f.error());
                let matched = format!(
                    "  {} of {} feed names match",
                    fmt::count(app.overview.rows.len() as u64),
                    fmt::count(app.panes.len() as u64)
                );
                Some((error, matched))
            } else {
                app.focused().map(|p| {
                    let error = p.filter.as_ref().and_then(|f| f.error());
                    let matched = format!(
                        "  {} of {} match",
                        fmt::count(p.visible.len() as u64),
                        fmt::count(p.events.len() as u64)
                    );
                    (error, matched)
                })
            };
            match state {
                Some((Some(err), _)) => spans.push(Span::styled(
                    format!(
                        "  invalid regex ({}): matching as text",
                        crate::text::escape(err)
                    ),
                    theme.warning(),
                )),
                Some((None, matched)) => spans.push(Span::styled(matched, theme.dim())),
                None => {}
            }
            spans.push(Span::styled(
                "   ⏎ keep · Esc clear · ↑ earlier",
                theme.dim(),
            ));
            Line::from(spans)
        }
        _ => {
            let keys: &[(&str, &str)] = match app.mode {
                Mode::Detail { .. } => &[
                    ("j/k", "scroll"),
                    ("g/G", "top/end"),
                    ("n/p", "next/prev event"),
                    ("Esc", "back"),
                ],
                Mode::Help { .. } => &[("j/k", "scroll"), ("Esc", "close")],
                _ if app.view == View::Overview => &[
                    ("q", "quit"),
                    ("?", "help"),
                    ("o", "panes"),
                    ("j/k", "select"),
                    ("f", "next failed"),
                    ("⏎", "open"),
                    ("/", "filter names"),
                    ("s", "sort"),
                    ("S", "reverse"),
                    ("r", "reconnect"),
                    ("d", "disconnect"),
                    ("T", "theme"),
                ],
                Mode::Types { .. } => &[
                    ("j/k", "move"),
                    ("␣", "show/hide"),
                    ("o", "only"),
                    ("a", "all"),
                    ("Esc", "done"),
                ],
                _ => &[
                    ("q", "quit"),
                    ("?", "help"),
                    ("Esc", "overview"),
                    ("o", "overview"),
                    ("Tab/1-9", "focus"),
                    ("[ ]", "page"),
                    ("f", "next failed"),
                    ("j/k", "move"),
                    ("/", "filter"),
                    ("v", "view"),
                    ("t", "types"),
                    ("␣", "pause"),
                    ("⏎", "inspect"),
                    ("z", "zoom"),
                    ("r", "reconnect"),
                    ("d", "disconnect"),
                    ("T", "theme"),
                ],
            };
            // `[ ]` only with pages to turn, `f` only with a feed in trouble.
            let paged = app.view == View::Panes && app.layout().pages > 1;
            let trouble = app
                .panes
                .iter()
                .any(|p| matches!(p.state, ConnState::Failed | ConnState::Waiting { .. }));
            // A pane opened from the overview: `Esc` goes back (`o` says the same).
            let opened = app.view == View::Panes && app.overview.return_zoom.is_some();
            let mut spans = vec![Span::raw(" ")];
            let mut used = 1;
            for (key, what) in keys.iter().filter(|(k, w)| match (*k, *w) {
                ("[ ]", _) => paged,
                ("f", _) => trouble,
                ("Esc", "overview") => opened,
                // `v` only on a pane that has another view.
                ("v", _) => app.focused().is_some_and(|p| p.views.len() > 1),
                ("o", "overview") => !opened,
                _ => true,
            }) {
                // Whole keys only: one that does not fit is left out with those after it.
                let what = format!(" {what}  ");
                used += Line::raw(*key).width() + Line::raw(what.as_str()).width();
                if used > area.width as usize + 2 {
                    break;
                }
                spans.push(Span::styled(*key, theme.accent()));
                spans.push(Span::styled(what, theme.dim()));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line), area);
    // The terminal's own cursor goes where typing goes, too.
    if let Mode::Filter { input, .. } = &app.mode {
        let before: String = input.text().chars().take(input.cursor()).collect();
        let x = 3 + Line::raw(crate::text::escape(&before)).width();
        if x < area.width as usize {
            frame.set_cursor_position((area.x + x as u16, area.y));
        }
    }
    if let Some((notice, _)) = &app.notice {
        let text = format!(" {} ", crate::text::escape(notice));
        let w = (text.chars().count() as u16).min(area.width);
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.selected().patch(theme.accent()))),
            Rect::new(area.right() - w, area.y, w, 1),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(items: Vec<(u8, &'static str)>, width: usize) -> String {
        let items = items
            .into_iter()
            .map(|(rank, s)| (rank, vec![Span::raw(s)]))
            .collect();
        fit_items(items, width, |_| Span::raw(" · "))
            .iter()
            .map(|s| s.content.as_ref())
            .collect()
    }

    #[test]
    fn items_that_do_not_fit_are_left_out_whole_least_telling_first() {
        let items = || vec![(0, "12 events"), (2, "3/s"), (1, "lost 5"), (3, "1.2 KiB")];
        assert_eq!(line(items(), 80), "12 events · 3/s · lost 5 · 1.2 KiB");
        assert_eq!(line(items(), 30), "12 events · 3/s · lost 5");
        assert_eq!(line(items(), 20), "12 events · lost 5");
        assert_eq!(line(items(), 5), "12 events");
    }
}
