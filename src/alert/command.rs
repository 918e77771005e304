//! Alert commands: `sh -c COMMAND`, detached, with the event on stdin and `SSEDASH_*` in the
//! environment. Each runs in a task of its own, at most [`MAX_RUNNING`] at once, killed after
//! [`TIMEOUT`]; what it printed comes back as a [`CommandDone`] message, so neither the UI
//! nor a feed ever waits for one.
//!
//! Values from a feed are untrusted: they reach the shell only as environment variables and
//! stdin, never as part of the command's text.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Semaphore, mpsc};

/// Commands running at once; a firing beyond that is reported, not queued.
pub const MAX_RUNNING: usize = 4;
/// A command still running after this is killed.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Output kept from a command (stdout and stderr together), for the alert log.
const OUTPUT_BYTES: usize = 4096;
/// `SSEDASH_DATA` is cut here (on a character boundary): Linux refuses a single environment
/// string over 128 KiB. The whole event is on stdin.
const ENV_DATA_BYTES: usize = 64 * 1024;

/// One command to run for one firing.
#[derive(Debug, Clone)]
pub struct CommandJob {
    pub alert: String,
    pub feed: String,
    pub command: String,
    /// The event's type and data (`SSEDASH_TYPE`, `SSEDASH_DATA`); empty when the firing had
    /// no event (a silence, a state, a rate).
    pub event_type: String,
    pub data: String,
    /// The event's NDJSON line, as `tail` prints it, with its newline (stdin).
    pub stdin: String,
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandDone {
    pub alert: String,
    pub feed: String,
    pub outcome: CommandOutcome,
    /// stdout then stderr, at most 4 KiB, lossily decoded (escape it before showing it).
    pub output: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CommandOutcome {
    /// Exited with this code (`None`: killed by a signal).
    Exited(Option<i32>),
    /// Killed after [`TIMEOUT`].
    TimedOut,
    /// Could not be started (no `sh`?).
    NotStarted(String),
    /// [`MAX_RUNNING`] commands were running already.
    Busy,
}

impl CommandDone {
    /// One line for the alert log and `tail`'s stderr (not escaped).
    pub fn summary(&self) -> String {
        let what = match &self.outcome {
            CommandOutcome::Exited(Some(0)) => "command done".to_string(),
            CommandOutcome::Exited(Some(code)) => format!("command exited {code}"),
            CommandOutcome::Exited(None) => "command killed by a signal".into(),
            CommandOutcome::TimedOut => {
                format!("command killed after {} s (timeout)", TIMEOUT.as_secs())
            }
            CommandOutcome::NotStarted(e) => format!("command not started: {e}"),
            CommandOutcome::Busy => {
                format!("command not run: {MAX_RUNNING} alert commands are running already")
            }
        };
        let output = self.output.trim_end();
        if output.is_empty() {
            what
        } else {
            format!("{what}: {}", output.replace('\n', " ⏎ "))
        }
    }
}

/// Starts commands and sends their results to a channel.
#[derive(Debug, Clone)]
pub struct Commands {
    slots: Arc<Semaphore>,
    done: mpsc::Sender<CommandDone>,
}

impl Commands {
    /// Results go to `done`; make it hold at least [`MAX_RUNNING`] + 1 so a busy report
    /// never waits.
    pub fn new(done: mpsc::Sender<CommandDone>) -> Commands {
        Commands {
            slots: Arc::new(Semaphore::new(MAX_RUNNING)),
            done,
        }
    }

    /// Commands running now.
    pub fn running(&self) -> usize {
        MAX_RUNNING - self.slots.available_permits()
    }

    /// Starts `job` in a task of its own (needs a tokio runtime); returns at once. With
    /// [`MAX_RUNNING`] running already, reports [`CommandOutcome::Busy`] instead.
    pub fn run(&self, job: CommandJob) {
        let done = self.done.clone();
        let Ok(permit) = self.slots.clone().try_acquire_owned() else {
            let _ = done.try_send(CommandDone {
                alert: job.alert,
                feed: job.feed,
                outcome: CommandOutcome::Busy,
                output: String::new(),
            });
            return;
        };
        tokio::spawn(async move {
            let (outcome, output) = run_one(&job).await;
            // Reported before the slot is given back, so `idle` sees every result sent.
            let _ = done
                .send(CommandDone {
                    alert: job.alert,
                    feed: job.feed,
                    outcome,
                    output,
                })
                .await;
            drop(permit);
        });
    }

    /// Waits until no command runs (each is bounded by [`TIMEOUT`]).
    pub async fn idle(&self) {
        let _all = self.slots.acquire_many(MAX_RUNNING as u32).await;
    }
}

async fn run_one(job: &CommandJob) -> (CommandOutcome, String) {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(&job.command)
        .env("SSEDASH_ALERT", env_value(&job.alert, usize::MAX))
        .env("SSEDASH_FEED", env_value(&job.feed, usize::MAX))
        .env("SSEDASH_TYPE", env_value(&job.event_type, usize::MAX))
        .env("SSEDASH_DATA", env_value(&job.data, ENV_DATA_BYTES))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Its own process group: Ctrl-C in the terminal is for ssedash, not for alert commands.
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => return (CommandOutcome::NotStarted(e.to_string()), String::new()),
    };
    let stdin = child.stdin.take();
    let line = job.stdin.clone();
    // A command that does not read stdin must not block on it (nor fail us with EPIPE).
    let feed_stdin = async move {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(line.as_bytes()).await;
        }
    };
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let read = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let a = read_capped(stdout.as_mut(), &mut out);
        let b = read_capped(stderr.as_mut(), &mut err);
        tokio::join!(a, b);
        out.extend_from_slice(&err);
        out.truncate(OUTPUT_BYTES);
        String::from_utf8_lossy(&out).into_owned()
    };
    let run = async {
        let ((), output, status) = tokio::join!(feed_stdin, read, child.wait());
        (status, output)
    };
    match tokio::time::timeout(TIMEOUT, run).await {
        Ok((Ok(status), output)) => (CommandOutcome::Exited(status.code()), output),
        Ok((Err(e), output)) => (CommandOutcome::NotStarted(e.to_string()), output),
        Err(_) => {
            let _ = child.start_kill();
            let _ = child.wait().await;
            (CommandOutcome::TimedOut, String::new())
        }
    }
}

/// Reads all of a pipe, keeping at most [`OUTPUT_BYTES`] (the rest is read and dropped, so
/// a chatty command does not block on a full pipe).
async fn read_capped<R: tokio::io::AsyncRead + Unpin>(pipe: Option<&mut R>, keep: &mut Vec<u8>) {
    let Some(pipe) = pipe else { return };
    let mut buf = [0u8; 4096];
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let room = OUTPUT_BYTES.saturating_sub(keep.len());
                keep.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
}

/// An environment value: no NUL (the OS cannot pass one), at most `max` bytes.
fn env_value(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].replace('\0', "\u{fffd}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_lose_nul_and_are_cut_on_a_character_boundary() {
        assert_eq!(env_value("a\0b", 10), "a\u{fffd}b");
        assert_eq!(env_value("ééé", 3), "é");
    }
}
