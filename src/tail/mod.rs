//! `ssedash tail`: the feeds, headless, as JSON lines (or text, or bare data) on stdout.
//!
//! Output is written as it arrives and flushed whenever no more is ready, so a quiet feed's
//! event shows at once and a flood costs one write per batch, not one per event. Queues are
//! lossless here ([`Overflow::Wait`]): a slow reader slows the server down instead of losing
//! events.

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use crate::cli::Format;
mod print;

use crate::feed::{self, ConnState, FeedMsg, FeedSpec, Inbox, Overflow};

use print::Printer;
pub use print::state_words;

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
