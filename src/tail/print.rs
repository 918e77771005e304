//! Writing feed messages as NDJSON, readable text, or bare data.

use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::Options;
use crate::cli::Format;
use crate::feed::{ConnState, FeedMsg, StateChange};
use crate::text;

/// Formats messages in the chosen format, into a buffer the writer thread takes.
pub(super) struct Printer {
    out: Vec<u8>,
    format: Format,
    comments: bool,
    color: bool,
    names: Vec<String>,
    /// The last timestamp formatted, reused while events arrive within the same millisecond.
    clock: Clock,
}

impl Printer {
    pub(super) fn new(opts: &Options, names: Vec<String>) -> Self {
        Printer {
            out: Vec::with_capacity(64 * 1024),
            format: opts.format,
            comments: opts.comments,
            color: opts.color,
            names,
            clock: Clock::default(),
        }
    }

    /// The formatted bytes so far, leaving the buffer empty.
    pub(super) fn take(&mut self) -> Vec<u8> {
        std::mem::replace(&mut self.out, Vec::with_capacity(64 * 1024))
    }

    pub(super) fn pending(&self) -> usize {
        self.out.len()
    }

    pub(super) fn print(&mut self, feed: usize, msg: &FeedMsg) -> io::Result<()> {
        match self.format {
            Format::Ndjson => self.print_json(feed, msg),
            Format::Text => self.print_text(feed, msg),
            Format::Data => match msg {
                FeedMsg::Event { event, .. } => {
                    self.out.write_all(event.data.as_bytes())?;
                    self.out.write_all(b"\n")
                }
                _ => Ok(()),
            },
        }
    }

    fn print_json(&mut self, feed: usize, msg: &FeedMsg) -> io::Result<()> {
        let name = &self.names[feed];
        match msg {
            FeedMsg::Event { event, at } => {
                let line = EventLine {
                    kind: "event",
                    feed: name,
                    event_type: &event.event_type,
                    data: &event.data,
                    id: &event.id,
                    at: self.clock.rfc3339(*at),
                    truncated: event.truncated,
                    type_truncated: event.type_truncated,
                    id_truncated: event.id_truncated,
                };
                serde_json::to_writer(&mut self.out, &line)?;
            }
            FeedMsg::State(change) => {
                let line = StateLine::new(name, change, self.clock.rfc3339(change.at));
                serde_json::to_writer(&mut self.out, &line)?;
            }
            FeedMsg::Comment { text, at } if self.comments => {
                let line = CommentLine {
                    kind: "comment",
                    feed: name,
                    text,
                    at: self.clock.rfc3339(*at),
                };
                serde_json::to_writer(&mut self.out, &line)?;
            }
            _ => return Ok(()),
        }
        self.out.write_all(b"\n")
    }

    fn print_text(&mut self, feed: usize, msg: &FeedMsg) -> io::Result<()> {
        let prefix = if self.names.len() > 1 {
            format!("{} ", self.paint(CYAN, &text::escape(&self.names[feed])))
        } else {
            String::new()
        };
        match msg {
            FeedMsg::Event { event, at } => {
                let time = self.clock.local_time(*at);
                let time = self.paint(DIM, &time);
                let kind = self.paint(
                    type_color(&event.event_type),
                    &text::escape(&event.event_type),
                );
                let id = if event.id.is_empty() {
                    String::new()
                } else {
                    format!(
                        " {}",
                        self.paint(DIM, &format!("#{}", text::escape(&event.id)))
                    )
                };
                let cut = if event.truncated {
                    self.paint(YELLOW, " [truncated]")
                } else {
                    String::new()
                };
                writeln!(
                    self.out,
                    "{time} {prefix}{kind}{id} {}{cut}",
                    text::escape(&event.data)
                )
            }
            FeedMsg::State(change) => {
                let time = self.clock.local_time(change.at);
                let time = self.paint(DIM, &time);
                let (color, words) = state_words(change);
                writeln!(self.out, "{time} {prefix}{}", self.paint(color, &words))
            }
            FeedMsg::Comment { text: comment, at } if self.comments => {
                let time = self.clock.local_time(*at);
                let time = self.paint(DIM, &time);
                let line = format!(": {}", text::escape(comment));
                writeln!(self.out, "{time} {prefix}{}", self.paint(DIM, &line))
            }
            _ => Ok(()),
        }
    }

    fn paint(&self, color: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{color}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

const DIM: &str = "2";
const CYAN: &str = "36";
const YELLOW: &str = "33";

fn type_color(kind: &str) -> &'static str {
    const COLORS: [&str; 6] = ["32", "34", "35", "36", "33", "94"];
    let hash = kind
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
    COLORS[hash as usize % COLORS.len()]
}

/// The words of a state line in the text format, e.g. `waiting: retry 3 in 4.0 s (HTTP 503)`.
pub fn state_words(change: &StateChange) -> (&'static str, String) {
    let reason = change
        .reason
        .as_deref()
        .map(|r| format!(" ({})", text::escape(r)))
        .unwrap_or_default();
    match &change.state {
        ConnState::Connecting => (DIM, format!("connecting (attempt {})", change.attempt)),
        ConnState::Open => ("32", "open".to_string()),
        ConnState::Waiting { delay, .. } => (
            YELLOW,
            format!(
                "waiting: attempt {} in {}{reason}",
                change.attempt,
                text::duration(*delay)
            ),
        ),
        ConnState::Closed => (CYAN, format!("closed{reason}")),
        ConnState::Failed => ("31", format!("failed{reason}")),
    }
}

#[derive(Serialize)]
struct EventLine<'a> {
    kind: &'static str,
    feed: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    data: &'a str,
    id: &'a str,
    at: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    type_truncated: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    id_truncated: bool,
}

#[derive(Serialize)]
struct StateLine<'a> {
    kind: &'static str,
    feed: &'a str,
    state: &'static str,
    attempt: u32,
    status: Option<u16>,
    reason: Option<&'a str>,
    retry_in_ms: Option<u64>,
    at: &'a str,
}

impl<'a> StateLine<'a> {
    fn new(feed: &'a str, change: &'a StateChange, at: &'a str) -> Self {
        let retry_in_ms = match &change.state {
            ConnState::Waiting { delay, .. } => Some(delay.as_millis() as u64),
            _ => None,
        };
        StateLine {
            kind: "state",
            feed,
            state: change.state.name(),
            attempt: change.attempt,
            status: change.status,
            reason: change.reason.as_deref(),
            retry_in_ms,
            at,
        }
    }
}

#[derive(Serialize)]
struct CommentLine<'a> {
    kind: &'static str,
    feed: &'a str,
    text: &'a str,
    at: &'a str,
}

/// Timestamps formatted once per millisecond, not once per event.
#[derive(Default)]
struct Clock {
    last: Option<SystemTime>,
    rfc3339: String,
    local_last: Option<SystemTime>,
    local: String,
    tz: Option<jiff::tz::TimeZone>,
}

impl Clock {
    fn rfc3339(&mut self, at: SystemTime) -> &str {
        let at = truncate_ms(at);
        if self.last != Some(at) {
            self.last = Some(at);
            self.rfc3339 = match jiff::Timestamp::try_from(at) {
                Ok(ts) => format!("{ts:.3}"),
                Err(_) => "1970-01-01T00:00:00.000Z".into(),
            };
        }
        &self.rfc3339
    }

    fn local_time(&mut self, at: SystemTime) -> String {
        let at = truncate_ms(at);
        if self.local_last != Some(at) {
            self.local_last = Some(at);
            let tz = self.tz.get_or_insert_with(jiff::tz::TimeZone::system);
            self.local = match jiff::Timestamp::try_from(at) {
                Ok(ts) => ts.to_zoned(tz.clone()).strftime("%H:%M:%S%.3f").to_string(),
                Err(_) => "--:--:--".into(),
            };
        }
        self.local.clone()
    }
}

fn truncate_ms(at: SystemTime) -> SystemTime {
    match at.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => SystemTime::UNIX_EPOCH + Duration::from_millis(d.as_millis() as u64),
        Err(_) => at,
    }
}
