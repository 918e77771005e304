//! `ssedash tail`: the feeds, headless, as JSON lines (or text, or bare data) on stdout.
//!
//! Output is written as it arrives and flushed whenever no more is ready, so a quiet feed's
//! event shows at once and a flood costs one write per batch, not one per event. Queues are
//! lossless here ([`Overflow::Wait`]): a slow reader slows the server down instead of losing
//! events.

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::cli::Format;
use crate::feed::{self, ConnState, FeedMsg, FeedSpec, Inbox, Overflow, StateChange};
use crate::text;

/// Messages a feed's queue holds before its task waits for the writer.
const QUEUE: usize = 4096;
/// Messages taken from one feed per turn, so every feed gets its share of the output.
const PER_TURN: usize = 512;
/// Turns written before the loop looks at Ctrl-C and the deadline again.
const MAX_ROUNDS: usize = 64;

#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    pub count: Option<u64>,
    pub timeout: Option<Duration>,
    pub comments: bool,
    pub color: bool,
}

impl Options {
    /// The format and colour for this stdout when the user did not choose.
    pub fn resolve_format(chosen: Option<Format>) -> (Format, bool) {
        let tty = io::stdout().is_terminal();
        let format = chosen.unwrap_or(if tty { Format::Text } else { Format::Ndjson });
        let color = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        (format, color)
    }
}

/// How a `tail` run ended; the process exit code follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `--count` reached, `--timeout` passed, or every feed closed: exit 0.
    Done,
    /// Some feed ended `failed`: exit 1.
    Failed,
    /// Ctrl-C: exit 130.
    Interrupted,
    /// The reader went away (`| head`): exit 0, quietly.
    PipeClosed,
}

impl Outcome {
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Done | Outcome::PipeClosed => 0,
            Outcome::Failed => 1,
            Outcome::Interrupted => 130,
        }
    }
}

/// Runs the feeds until the run is over; writes to `out`.
pub async fn run(feeds: Vec<FeedSpec>, opts: Options, out: impl Write) -> io::Result<Outcome> {
    let mut inbox = Inbox::new();
    let names: Vec<String> = feeds.iter().map(|f| f.name.clone()).collect();
    let handles: Vec<_> = feeds
        .into_iter()
        .map(|spec| feed::spawn(Arc::new(spec), inbox.add_feed(QUEUE, Overflow::Wait)))
        .collect();
    let mut printer = Printer::new(out, &opts, names);
    let deadline = opts.timeout.map(|t| tokio::time::Instant::now() + t);
    let mut finals = vec![None::<ConnState>; handles.len()];
    let mut events = 0u64;
    let mut batch = Vec::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let outcome = 'run: loop {
        tokio::select! {
            biased;
            _ = &mut ctrl_c => break 'run Outcome::Interrupted,
            _ = sleep_until(deadline) => break 'run Outcome::Done,
            _ = inbox.recv(&mut batch, PER_TURN) => {}
        }
        let mut rounds = 0;
        loop {
            for (id, msg) in batch.drain(..) {
                match &msg {
                    FeedMsg::Event { .. } => {
                        if opts.count.is_some_and(|n| events >= n) {
                            continue;
                        }
                        events += 1;
                    }
                    FeedMsg::State(change) => {
                        finals[id.0] = change.state.is_final().then(|| change.state.clone());
                    }
                    _ => {}
                }
                if let Err(e) = printer.print(id.0, &msg) {
                    break 'run pipe_outcome(e)?;
                }
            }
            if opts.count.is_some_and(|n| events >= n) {
                break 'run Outcome::Done;
            }
            if finals.iter().all(Option::is_some) {
                let failed = finals.iter().any(|s| s == &Some(ConnState::Failed));
                break 'run if failed {
                    Outcome::Failed
                } else {
                    Outcome::Done
                };
            }
            // Keep writing while more is ready, but go back to the select now and then, so
            // Ctrl-C and --timeout are seen during a flood.
            rounds += 1;
            if rounds == MAX_ROUNDS || !inbox.try_recv(&mut batch, PER_TURN) {
                break;
            }
        }
        if rounds == MAX_ROUNDS {
            continue;
        }
        if let Err(e) = printer.flush() {
            break 'run pipe_outcome(e)?;
        }
    };
    for handle in &handles {
        handle.task.abort();
    }
    match printer.flush() {
        Ok(()) => Ok(outcome),
        Err(e) => pipe_outcome(e),
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn pipe_outcome(e: io::Error) -> io::Result<Outcome> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(Outcome::PipeClosed)
    } else {
        Err(e)
    }
}

/// Formats messages in the chosen format.
struct Printer<W: Write> {
    out: io::BufWriter<W>,
    format: Format,
    comments: bool,
    color: bool,
    names: Vec<String>,
    /// The last timestamp formatted, reused while events arrive within the same millisecond.
    clock: Clock,
}

impl<W: Write> Printer<W> {
    fn new(out: W, opts: &Options, names: Vec<String>) -> Self {
        Printer {
            out: io::BufWriter::with_capacity(64 * 1024, out),
            format: opts.format,
            comments: opts.comments,
            color: opts.color,
            names,
            clock: Clock::default(),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn print(&mut self, feed: usize, msg: &FeedMsg) -> io::Result<()> {
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
