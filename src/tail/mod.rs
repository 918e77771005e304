//! `ssedash tail`: the feeds, headless, as JSON lines (or text, or bare data) on stdout.
//!
//! Output is written as it arrives and flushed whenever no more is ready, so a quiet feed's
//! event shows at once and a flood costs one write per batch, not one per event. Queues are
//! lossless here ([`Overflow::Wait`]): a slow reader slows the server down instead of losing
//! events.

use std::collections::VecDeque;
use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

mod clock;
mod hangup;
pub(crate) mod json;
mod print;

use crate::feed::{self, ConnState, FeedId, FeedMsg, FeedSpec, Inbox, Overflow, QueueOptions};
use crate::tui::theme::Theme;

pub use hangup::stdout_hangup;
use print::Printer;
pub(crate) use print::sgr;

/// Messages a feed's queue holds before its task waits for the writer.
const QUEUE: usize = 32768;
/// Bytes a feed's queue holds before its task waits for the writer.
const QUEUE_BYTES: usize = 32 << 20;
/// Messages read from one feed per turn, so every feed gets its share of the output.
const PER_TURN: usize = 128;
/// Turns formatted before the loop looks at Ctrl-C and the deadline again.
const MAX_ROUNDS: usize = 64;
/// Formatted bytes handed to the writer in one piece under load. Output waiting for the
/// writer is at most `WRITER_QUEUE + 1` pieces, so a quiet feed's event printed during a
/// flood waits behind at most that much (a pipe's 64 KiB is the same order).
const HAND_OVER: usize = 64 * 1024;
/// Pieces waiting for the writer thread (besides the one it writes).
const WRITER_QUEUE: usize = 2;
/// How long a run stopped by --timeout or Ctrl-C waits for output still on its way.
const WRITE_GRACE: Duration = Duration::from_secs(1);

/// What `tail` writes for each message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// A readable line per event and state change.
    Text,
    /// Only each event's data; state changes that matter go to stderr.
    Data,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    /// Stop after this many events (all feeds together); at least 1.
    pub count: Option<u64>,
    pub timeout: Option<Duration>,
    pub comments: bool,
    /// stdout is a terminal: every format escapes what could act on it. To a pipe or a file,
    /// `ndjson` and `data` are byte-exact.
    pub terminal: bool,
    /// The colours of `--format text` (the dashboard's theme), or `None` for no colour.
    pub colors: Option<Theme>,
    /// `[[alert]]`s to judge and report (see [`crate::alert::tail`]).
    pub alerts: Vec<crate::alert::AlertSpec>,
    /// `--until`: end with exit 0 at the first event that matches.
    pub until: Option<crate::alert::Until>,
}

impl Options {
    /// Options for this process's stdout: the format when the user did not choose one (text on
    /// a terminal, NDJSON otherwise), and colour on a terminal unless `NO_COLOR` is set.
    pub fn for_stdout(chosen: Option<Format>, theme: impl FnOnce() -> Theme) -> Options {
        let terminal = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Options {
            format: chosen.unwrap_or(if terminal {
                Format::Text
            } else {
                Format::Ndjson
            }),
            count: None,
            timeout: None,
            comments: false,
            terminal,
            colors: (terminal && !no_color).then(theme),
            alerts: Vec::new(),
            until: None,
        }
    }
}

/// How a `tail` run ended; the process exit code follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `--count` reached, `--timeout` passed, or every feed closed: exit 0.
    Done,
    /// Some feed ended `failed`: exit 1.
    Failed,
    /// No feed ever got an answer (open, or a 204 close) before the run ended, e.g. `--timeout`
    /// while the server refused every connection: exit 1.
    NeverConnected,
    /// Ctrl-C: exit 130.
    Interrupted,
    /// The reader went away (`| head`): exit 0, quietly.
    PipeClosed,
    /// `--until` was given and the run ended (timeout, or every feed ended) before an event
    /// matched: exit 1. `timed_out`: it was the timeout.
    UntilMissed { timed_out: bool },
}

impl Outcome {
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Done | Outcome::PipeClosed => 0,
            Outcome::Failed | Outcome::NeverConnected | Outcome::UntilMissed { .. } => 1,
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
    /// The writer thread stopped (the reader went away, or stdout failed), or stdout hung up.
    WriterGone,
}

/// Formatted output for stdout and for stderr, in the order it was made.
type Chunk = (Vec<u8>, Vec<u8>);

/// Runs the feeds until the run is over; writes to `out` (and lines for people to `err`).
/// `hangup` resolves when the reader of `out` is gone (see [`stdout_hangup`]), so a quiet
/// feed does not keep a run alive whose output nobody reads.
///
/// Writing happens on a blocking thread fed through a small channel, so a reader that does
/// not keep up slows the feeds down (nothing is lost) but never keeps this loop from seeing
/// Ctrl-C or the deadline.
pub async fn run(
    feeds: Vec<FeedSpec>,
    opts: Options,
    out: impl Write + Send + 'static,
    err: impl Write + Send + 'static,
    hangup: impl std::future::Future<Output = ()>,
) -> io::Result<Outcome> {
    run_with(feeds, opts, Sources::default(), out, err, hangup).await
}

/// Where a run's messages come from besides live feeds, and where else they go.
#[derive(Debug, Default)]
pub struct Sources {
    /// Replay this recording instead of connecting (`feeds` are its [`Replay::specs`]).
    pub replay: Option<crate::record::Replay>,
    /// Also record everything to this file (`--record`).
    pub record: Option<std::path::PathBuf>,
}

/// [`run`], with a replay as the source and/or a recording as a second output.
pub async fn run_with(
    feeds: Vec<FeedSpec>,
    opts: Options,
    sources: Sources,
    out: impl Write + Send + 'static,
    err: impl Write + Send + 'static,
    hangup: impl std::future::Future<Output = ()>,
) -> io::Result<Outcome> {
    let mut inbox = Inbox::new();
    let names: Vec<String> = feeds.iter().map(|f| f.name.clone()).collect();
    let limits: Vec<usize> = feeds.iter().map(|f| f.max_event_bytes).collect();
    let exprs: Vec<_> = feeds.iter().map(|f| f.exprs.clone()).collect();
    let queue = QueueOptions::new(QUEUE, QUEUE_BYTES, Overflow::Wait).with_comments(opts.comments);
    let mut recorder = match &sources.record {
        Some(path) => Some(crate::record::Recorder::start(path, &feeds, opts.comments)?),
        None => None,
    };
    let handles: Vec<_> = match &sources.replay {
        Some(replay) => {
            let control = crate::record::replay::Control::new(replay.start(), replay.opts.speed);
            replay.spawn_feeds(&mut inbox, queue, control)
        }
        None => feeds
            .into_iter()
            .map(|spec| feed::spawn(Arc::new(spec), inbox.add_feed(queue)))
            .collect(),
    };
    let mut alerts = crate::alert::tail::TailAlerts::new(
        &opts.alerts,
        opts.until.as_ref(),
        &names,
        opts.format,
        opts.terminal,
    );
    let mut until_met = false;
    let mut printer = Printer::new(&opts, names, limits);
    printer.set_views(&exprs);
    let (tx, spare, writer) = start_writer(out, err);
    let deadline = opts.timeout.map(|t| tokio::time::Instant::now() + t);
    let mut finals = vec![None::<ConnState>; handles.len()];
    let mut answered = false;
    let mut events = 0u64;
    // Each feed's messages, taken from its queue in place and read from here in turns.
    let mut taken: Vec<VecDeque<FeedMsg>> = (0..finals.len()).map(|_| VecDeque::new()).collect();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    tokio::pin!(hangup);
    let stop = 'run: loop {
        let backlog = taken.iter().any(|msgs| !msgs.is_empty());
        tokio::select! {
            biased;
            _ = &mut ctrl_c => break 'run Stop::Interrupted,
            _ = &mut hangup => break 'run Stop::WriterGone,
            _ = sleep_until(deadline) => break 'run Stop::Deadline,
            () = std::future::ready(()), if backlog => {}
            _ = inbox.take(&mut taken) => {}
            wake = alert_wake(&mut alerts) => if let Some(a) = &mut alerts {
                let (out, err) = printer.buffers();
                a.on_wake(wake, out, err);
            },
        }
        let mut rounds = 0;
        let complete = loop {
            // Up to PER_TURN messages of each feed in turn, so that a quiet feed's event
            // waits behind at most a turn of a flood's.
            'feeds: for (feed, msgs) in taken.iter_mut().enumerate() {
                for _ in 0..PER_TURN {
                    let Some(msg) = msgs.pop_front() else {
                        break;
                    };
                    match &msg {
                        FeedMsg::Event { .. } => {
                            if opts.count.is_some_and(|n| events >= n) {
                                continue;
                            }
                            events += 1;
                        }
                        FeedMsg::State(change) => {
                            answered |= matches!(change.state, ConnState::Open | ConnState::Closed);
                            finals[feed] = change.state.is_final().then(|| change.state.clone());
                        }
                        _ => {}
                    }
                    if let Some(rec) = &mut recorder {
                        rec.record(feed, &msg, inbox.retry_ms(FeedId(feed)));
                    }
                    printer.print(feed, &msg)?;
                    if let Some(a) = &mut alerts {
                        let (out, err) = printer.buffers();
                        if a.on_msg(feed, &msg, out, err) {
                            until_met = true;
                            break 'feeds;
                        }
                    }
                }
            }
            if until_met {
                break true;
            }
            if opts.count.is_some_and(|n| events >= n) || finals.iter().all(Option::is_some) {
                break true;
            }
            // Keep formatting while more is ready, but hand it over, and look at Ctrl-C and
            // the deadline, now and then during a flood.
            rounds += 1;
            inbox.try_take(&mut taken);
            if rounds == MAX_ROUNDS
                || printer.pending() >= HAND_OVER
                || taken.iter().all(VecDeque::is_empty)
            {
                break false;
            }
        };
        // Output is handed over whenever no more is ready (so a quiet feed's event shows at
        // once), in big pieces under load.
        if printer.pending() > 0
            && let Err(stop) = hand_over(
                &mut printer,
                &spare,
                &tx,
                &mut ctrl_c,
                &mut hangup,
                deadline,
            )
            .await
        {
            break 'run stop;
        }
        if let Some(rec) = &mut recorder {
            tokio::select! {
                biased;
                _ = &mut ctrl_c => break 'run Stop::Interrupted,
                handed = rec.hand_over() => handed?,
            }
        }
        if complete {
            break 'run Stop::Complete;
        }
    };
    if let Some(rec) = recorder {
        rec.finish().await?;
    }
    for handle in &handles {
        handle.task.abort();
    }
    // A transcript's message cut short by the end of the run still ends its line.
    if !matches!(stop, Stop::WriterGone) {
        printer.finish_views()?;
        if printer.pending() > 0 {
            let last = printer.take(Vec::new());
            let _ = tokio::time::timeout(WRITE_GRACE, tx.send(last)).await;
        }
    }
    // Alert commands still running finish (each within its timeout) and are reported, unless
    // the user pressed Ctrl-C or nobody reads any more.
    if let Some(a) = &mut alerts
        && matches!(stop, Stop::Complete | Stop::Deadline)
    {
        a.finish(printer.buffers().1).await;
        if printer.pending() > 0 {
            let _ = tx.send(printer.take(Vec::new())).await;
        }
    }
    drop(tx);
    // A finished run waits for every byte; a deadline or Ctrl-C waits briefly, since the
    // reader may be the reason the output is stuck.
    let written = match stop {
        Stop::Complete => writer.await.unwrap_or(Ok(())),
        Stop::Deadline | Stop::Interrupted | Stop::WriterGone => {
            match tokio::time::timeout(WRITE_GRACE, writer).await {
                Ok(joined) => joined.unwrap_or(Ok(())),
                Err(_) => Ok(()),
            }
        }
    };
    match written {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
        Err(_) => return Ok(Outcome::PipeClosed),
        // Nobody reads any more (the hang-up was seen before a write failed).
        Ok(()) if matches!(stop, Stop::WriterGone) => return Ok(Outcome::PipeClosed),
        Ok(()) => {}
    }
    let failed = finals.iter().any(|s| s == &Some(ConnState::Failed));
    Ok(match stop {
        Stop::Interrupted => Outcome::Interrupted,
        _ if until_met => Outcome::Done,
        _ if opts.until.is_some() => Outcome::UntilMissed {
            timed_out: matches!(stop, Stop::Deadline),
        },
        _ if failed => Outcome::Failed,
        _ if !answered => Outcome::NeverConnected,
        _ => Outcome::Done,
    })
}

/// The thread that writes to `out` and `err`, the channel to it, and the channel on which it
/// gives emptied buffers back for reuse.
fn start_writer(
    out: impl Write + Send + 'static,
    err: impl Write + Send + 'static,
) -> (
    mpsc::Sender<Chunk>,
    std::sync::mpsc::Receiver<Vec<u8>>,
    tokio::task::JoinHandle<io::Result<()>>,
) {
    let (tx, mut rx) = mpsc::channel::<Chunk>(WRITER_QUEUE);
    // As many buffers as can be on their way, so none is dropped while a flood lasts.
    let (spare_tx, spare) = std::sync::mpsc::sync_channel::<Vec<u8>>(WRITER_QUEUE + 2);
    let writer = tokio::task::spawn_blocking(move || {
        let (mut out, mut err) = (out, err);
        while let Some((mut bytes, note)) = rx.blocking_recv() {
            out.write_all(&bytes)?;
            out.flush()?;
            if !note.is_empty() {
                // stderr is for people; a failure to write there is not worth ending on.
                let _ = err.write_all(&note).and_then(|()| err.flush());
            }
            bytes.clear();
            let _ = spare_tx.try_send(bytes);
        }
        Ok(())
    });
    (tx, spare, writer)
}

/// The alerts' next wake-up; never, when the run has none.
async fn alert_wake(
    alerts: &mut Option<crate::alert::tail::TailAlerts>,
) -> crate::alert::tail::Wake {
    match alerts {
        Some(a) => a.wait().await,
        None => std::future::pending().await,
    }
}

/// Hands the output formatted so far to the writer thread, unless Ctrl-C, stdout's hang-up or
/// the deadline comes first: then why the run stops.
async fn hand_over(
    printer: &mut Printer,
    spare: &std::sync::mpsc::Receiver<Vec<u8>>,
    tx: &mpsc::Sender<Chunk>,
    ctrl_c: &mut (impl std::future::Future + Unpin),
    hangup: &mut (impl std::future::Future + Unpin),
    deadline: Option<tokio::time::Instant>,
) -> Result<(), Stop> {
    let chunk = printer.take(
        spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(HAND_OVER)),
    );
    tokio::select! {
        biased;
        _ = ctrl_c => Err(Stop::Interrupted),
        _ = hangup => Err(Stop::WriterGone),
        _ = sleep_until(deadline) => Err(Stop::Deadline),
        sent = tx.send(chunk) => sent.map_err(|_| Stop::WriterGone),
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
