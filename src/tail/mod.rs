//! `ssedash tail`: the feeds, headless, as JSON lines (or text, or bare data) on stdout.
//!
//! Output is written as it arrives and flushed whenever no more is ready, so a quiet feed's
//! event shows at once and a flood costs one write per batch, not one per event. Queues are
//! lossless here ([`Overflow::Wait`]): a slow reader slows the server down instead of losing
//! events.

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::cli::Format;
mod print;

use crate::feed::{self, ConnState, FeedMsg, FeedSpec, Inbox, Overflow, QueueOptions};

use print::Printer;
pub use print::state_words;

/// Messages a feed's queue holds before its task waits for the writer.
const QUEUE: usize = 4096;
/// Bytes a feed's queue holds before its task waits for the writer.
const QUEUE_BYTES: usize = 32 << 20;
/// Messages taken from one feed per turn, so every feed gets its share of the output.
const PER_TURN: usize = 512;
/// Turns formatted before the loop looks at Ctrl-C and the deadline again.
const MAX_ROUNDS: usize = 64;
/// Formatted bytes handed to the writer in one piece under load.
const HAND_OVER: usize = 256 * 1024;
/// How long a run stopped by --timeout or Ctrl-C waits for output still on its way.
const WRITE_GRACE: Duration = Duration::from_secs(1);

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

/// How the loop stopped.
enum Stop {
    /// Every feed closed or failed, or `--count` was reached.
    Complete,
    Deadline,
    Interrupted,
    /// The writer thread stopped: the reader went away, or stdout failed.
    WriterGone,
}

/// Runs the feeds until the run is over; writes to `out`.
///
/// Writing happens on a blocking thread fed through a small channel, so a reader that does
/// not keep up slows the feeds down (nothing is lost) but never keeps this loop from seeing
/// Ctrl-C or the deadline.
pub async fn run(
    feeds: Vec<FeedSpec>,
    opts: Options,
    out: impl Write + Send + 'static,
) -> io::Result<Outcome> {
    let mut inbox = Inbox::new();
    let names: Vec<String> = feeds.iter().map(|f| f.name.clone()).collect();
    let handles: Vec<_> = feeds
        .into_iter()
        .map(|spec| {
            let queue =
                QueueOptions::new(QUEUE, QUEUE_BYTES, Overflow::Wait).with_comments(opts.comments);
            feed::spawn(Arc::new(spec), inbox.add_feed(queue))
        })
        .collect();
    let mut printer = Printer::new(&opts, names);
    let (tx, writer) = start_writer(out);
    let deadline = opts.timeout.map(|t| tokio::time::Instant::now() + t);
    let mut finals = vec![None::<ConnState>; handles.len()];
    let mut events = 0u64;
    let mut batch = Vec::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let stop = 'run: loop {
        tokio::select! {
            biased;
            _ = &mut ctrl_c => break 'run Stop::Interrupted,
            _ = sleep_until(deadline) => break 'run Stop::Deadline,
            _ = inbox.recv(&mut batch, PER_TURN) => {}
        }
        let mut rounds = 0;
        let complete = loop {
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
                printer.print(id.0, &msg)?;
            }
            if opts.count.is_some_and(|n| events >= n) || finals.iter().all(Option::is_some) {
                break true;
            }
            // Keep formatting while more is ready, but hand it over and look at Ctrl-C and
            // the deadline now and then during a flood.
            rounds += 1;
            if rounds == MAX_ROUNDS
                || printer.pending() >= HAND_OVER
                || !inbox.try_recv(&mut batch, PER_TURN)
            {
                break false;
            }
        };
        // Output is handed over whenever no more is ready (so a quiet feed's event shows at
        // once), in big pieces under load.
        if printer.pending() > 0 {
            let bytes = printer.take();
            tokio::select! {
                biased;
                _ = &mut ctrl_c => break 'run Stop::Interrupted,
                _ = sleep_until(deadline) => break 'run Stop::Deadline,
                sent = tx.send(bytes) => if sent.is_err() { break 'run Stop::WriterGone },
            }
        }
        if complete {
            break 'run Stop::Complete;
        }
    };
    for handle in &handles {
        handle.task.abort();
    }
    drop(tx);
    // A finished run waits for every byte; a deadline or Ctrl-C waits briefly, since the
    // reader may be the reason the output is stuck.
    let written = match stop {
        Stop::Complete | Stop::WriterGone => writer.await.unwrap_or(Ok(())),
        Stop::Deadline | Stop::Interrupted => {
            match tokio::time::timeout(WRITE_GRACE, writer).await {
                Ok(joined) => joined.unwrap_or(Ok(())),
                Err(_) => Ok(()),
            }
        }
    };
    if let Err(e) = written {
        return if e.kind() == io::ErrorKind::BrokenPipe {
            Ok(Outcome::PipeClosed)
        } else {
            Err(e)
        };
    }
    let failed = finals.iter().any(|s| s == &Some(ConnState::Failed));
    Ok(match stop {
        Stop::Interrupted => Outcome::Interrupted,
        _ if failed => Outcome::Failed,
        _ => Outcome::Done,
    })
}

/// The thread that writes to `out`, and the channel to it.
fn start_writer(
    out: impl Write + Send + 'static,
) -> (
    mpsc::Sender<Vec<u8>>,
    tokio::task::JoinHandle<io::Result<()>>,
) {
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(4);
    let writer = tokio::task::spawn_blocking(move || {
        let mut out = out;
        while let Some(bytes) = rx.blocking_recv() {
            out.write_all(&bytes)?;
            out.flush()?;
        }
        Ok(())
    });
    (tx, writer)
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
