//! The detail view of one event (`Enter`): its content is built once, when the view opens,
//! so frames only draw the visible part of it.

use std::sync::Arc;

use jiff::tz::TimeZone;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::pane::StoredEvent;
use super::render::{fmt, json};
use super::theme::Theme;
use crate::text;

/// The most of one event's raw data the detail view shows.
const DETAIL_MAX_BYTES: usize = 256 * 1024;
/// Raw data lines are cut into pieces of this many characters (each still wraps on screen).
const PIECE_CHARS: usize = 512;

/// One event, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailView {
    pub seq: u64,
    pub feed: String,
    pub lines: Arc<Vec<Line<'static>>>,
    /// The first line shown.
    pub scroll: u16,
}

impl DetailView {
    pub fn new(feed: &str, event: &StoredEvent, theme: &Theme, tz: &TimeZone) -> Self {
        DetailView {
            seq: event.seq,
            feed: feed.to_string(),
            lines: Arc::new(lines(event, theme, tz)),
            scroll: 0,
        }
    }

    /// Moves by `delta` lines, staying within the content.
    pub fn scrolled(&self, delta: i32) -> Self {
        let last = self.lines.len().saturating_sub(1).min(u16::MAX as usize) as i32;
        let scroll = (i32::from(self.scroll) + delta).clamp(0, last) as u16;
        DetailView {
            scroll,
            ..self.clone()
        }
    }
}

fn lines(event: &StoredEvent, theme: &Theme, tz: &TimeZone) -> Vec<Line<'static>> {
    let when = match jiff::Timestamp::try_from(event.at) {
        Ok(ts) => ts
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M:%S%.3f %Z")
            .to_string(),
        Err(_) => "?".into(),
    };
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<6}"), theme.dim()),
            Span::styled(v, theme.text()),
        ])
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{:<6}", "type"), theme.dim()),
            Span::styled(
                text::escape(&event.event_type).into_owned(),
                theme
                    .event_type(&event.event_type)
                    .add_modifier(Modifier::BOLD),
            ),
        ]),
        field(
            "id",
            if event.id.is_empty() {
                "(none)".into()
            } else {
                text::escape(&event.id).into_owned()
            },
        ),
        field("time", when),
        field("size", fmt::bytes(event.data.len() as u64)),
    ];
    if event.truncated {
        lines.push(Line::from(Span::styled(
            "cut at max_event_bytes: the server sent more than is shown",
            theme.warning(),
        )));
    }
    lines.push(Line::default());
    if let Some(pretty) = json::pretty(&event.data, theme) {
        lines.push(Line::from(Span::styled("── JSON ──", theme.accent())));
        lines.extend(pretty);
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled("── raw data ──", theme.accent())));
    // A huge event is shown up to a bound, in pieces no longer than a wide screen, so a
    // frame costs the same whatever the event.
    let mut shown = event.data.as_str();
    if shown.len() > DETAIL_MAX_BYTES {
        let mut end = DETAIL_MAX_BYTES;
        while !shown.is_char_boundary(end) {
            end -= 1;
        }
        shown = &shown[..end];
    }
    for line in text::escape_keep_newlines(shown).lines() {
        let chars: Vec<char> = line.chars().collect();
        if chars.is_empty() {
            lines.push(Line::default());
        }
        for piece in chars.chunks(PIECE_CHARS) {
            lines.push(Line::from(Span::styled(
                piece.iter().collect::<String>(),
                theme.text(),
            )));
        }
    }
    if shown.len() < event.data.len() {
        lines.push(Line::from(Span::styled(
            format!(
                "… {} more not shown here (`ssedash tail --format data` prints it all)",
                fmt::bytes((event.data.len() - shown.len()) as u64)
            ),
            theme.warning(),
        )));
    }
    lines
}
