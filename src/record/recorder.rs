//! Writing a recording. The dashboard's loop and `tail`'s loop only hand messages over (a
//! clone of a message shares its text); a thread of the recording's own formats them into
//! whole lines and appends each piece to the file with one write. So recording costs the
//! loops next to nothing, the dashboard never waits on the disk, and a crash leaves whole
//! lines behind. Only [`Recorder::hand_over`] waits, and `tail` awaits it on purpose (a
//! recording loses nothing there, as `tail`'s output does not).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tokio::sync::mpsc;

use super::line::{self, CommentLine, Meta, MetaFeed, RetryLine, StateLine};
use crate::feed::{ConnState, FeedMsg, FeedSpec};

/// Pieces waiting for the writer thread.
const PIECES: usize = 8;
/// Bytes of messages the dashboard keeps waiting for a writer that does not keep up, before
/// it drops them (and counts them) rather than grow without bound.
const MAX_PENDING: usize = 32 << 20;

/// One message to record: feed, message, the feed's `retry:` cell when it was taken.
type Entry = (usize, FeedMsg, Option<u64>);

/// A recording being written.
pub struct Recorder {
    path: PathBuf,
    entries: Vec<Entry>,
    /// What `entries` cost (text and overhead), for the dashboard's bound.
    entry_bytes: usize,
    tx: Option<mpsc::Sender<Vec<Entry>>>,
    writer: Option<std::thread::JoinHandle<io::Result<()>>>,
    /// Messages dropped because the writer fell too far behind (dashboard only).
    pub lost: u64,
    /// Messages handed to the writer so far.
    pub messages: u64,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("path", &self.path)
            .finish()
    }
}

impl Recorder {
    /// Opens `path` for appending (created if need be) and starts the session with its `meta`
    /// line. `comments`: whether comments are recorded (only when they are asked for).
    pub fn start(path: &Path, feeds: &[FeedSpec], comments: bool) -> io::Result<Recorder> {
        let cannot = |e: io::Error| {
            io::Error::new(
                e.kind(),
                format!("cannot record to {}: {e}", path.display()),
            )
        };
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .map_err(cannot)?;
        // A line cut by a crash ends here, so the new session starts on a line of its own.
        let mut head = Vec::new();
        if ends_mid_line(&mut file).unwrap_or(false) {
            head.push(b'\n');
        }
        let meta = Meta {
            kind: "meta".into(),
            ssedash: env!("CARGO_PKG_VERSION").into(),
            started: line::rfc3339(SystemTime::now()),
            feeds: feeds
                .iter()
                .map(|f| MetaFeed {
                    name: f.name.clone(),
                    url: crate::redact::masked_url(&f.url),
                })
                .collect(),
        };
        serde_json::to_writer(&mut head, &meta)?;
        head.push(b'\n');
        // The session's first line is in the file before anything else happens.
        file.write_all(&head).map_err(cannot)?;
        let mut lines = Lines {
            names: feeds.iter().map(|f| f.name.clone()).collect(),
            comments,
            retry: vec![None; feeds.len()],
            clock: None,
        };
        let (tx, mut rx) = mpsc::channel::<Vec<Entry>>(PIECES);
        let writer = std::thread::Builder::new()
            .name("ssedash-record".into())
            .spawn(move || {
                let mut out = Vec::with_capacity(64 * 1024);
                while let Some(piece) = rx.blocking_recv() {
                    out.clear();
                    for (feed, msg, retry) in &piece {
                        lines.push(&mut out, *feed, msg, *retry);
                    }
                    // One write per piece of whole lines, with no buffer of ours after it:
                    // what was handed over is in the file at once.
                    file.write_all(&out)?;
                }
                file.flush()
            })?;
        Ok(Recorder {
            path: path.to_path_buf(),
            entries: Vec::new(),
            entry_bytes: 0,
            tx: Some(tx),
            writer: Some(writer),
            lost: 0,
            messages: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Messages taken and not yet handed over.
    pub fn pending(&self) -> usize {
        self.entries.len()
    }

    /// Takes one message of feed `feed` to record. `retry_ms` is the feed's latest `retry:` (a
    /// cell of the inbox, not a message): a change is written as a `retry` line.
    pub fn record(&mut self, feed: usize, msg: &FeedMsg, retry_ms: Option<u64>) {
        self.entry_bytes += msg.cost();
        self.entries.push((feed, msg.clone(), retry_ms));
    }

    /// Hands what was taken to the writer, waiting for room (`tail`: nothing is lost).
    pub async fn hand_over(&mut self) -> io::Result<()> {
        if self.entries.is_empty() {
            return Ok(());
        }
        let piece = std::mem::take(&mut self.entries);
        let n = piece.len() as u64;
        self.entry_bytes = 0;
        let sent = match &self.tx {
            Some(tx) => tx.send(piece).await.is_ok(),
            None => false,
        };
        if !sent {
            return Err(self.writer_error());
        }
        self.messages += n;
        Ok(())
    }

    /// Hands what was taken to the writer if it has room, else keeps it for the next time
    /// (the dashboard, which must never wait). Past [`MAX_PENDING`] the messages are dropped
    /// and counted in [`Recorder::lost`]. An error of the writer comes back once.
    pub fn try_hand_over(&mut self) -> io::Result<()> {
        if self.entries.is_empty() {
            return Ok(());
        }
        let Some(tx) = &self.tx else {
            return Ok(());
        };
        let piece = std::mem::take(&mut self.entries);
        let n = piece.len() as u64;
        match tx.try_send(piece) {
            Ok(()) => {
                self.messages += n;
                self.entry_bytes = 0;
                Ok(())
            }
            Err(mpsc::error::TrySendError::Full(piece)) => {
                self.entries = piece;
                if self.entry_bytes > MAX_PENDING {
                    self.lost += n;
                    self.entries.clear();
                    self.entry_bytes = 0;
                }
                Ok(())
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(self.writer_error()),
        }
    }

    /// Hands over the rest and waits until it is in the file.
    pub async fn finish(mut self) -> io::Result<()> {
        self.hand_over().await?;
        self.tx = None;
        let writer = self.writer.take();
        let joined = tokio::task::spawn_blocking(move || writer.map(|w| w.join()))
            .await
            .map_err(io::Error::other)?;
        match joined {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the recording thread panicked")),
            None => Ok(()),
        }
    }

    /// Why the writer stopped (it only stops on an error while the sender lives).
    fn writer_error(&mut self) -> io::Error {
        self.tx = None;
        let why = match self.writer.take().map(|w| w.join()) {
            Some(Ok(Err(e))) => e.to_string(),
            _ => "the recording thread stopped".into(),
        };
        io::Error::other(format!("recording to {}: {why}", self.path.display()))
    }
}

/// Formats recording lines: on the writer thread.
struct Lines {
    names: Vec<String>,
    comments: bool,
    /// The `retry:` last written per feed.
    retry: Vec<Option<u64>>,
    /// The last `at` formatted, reused while lines come within the same millisecond.
    clock: Option<(u128, String)>,
}

impl Lines {
    fn at(&mut self, at: SystemTime) -> String {
        let ms = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        match &self.clock {
            Some((last, text)) if *last == ms => text.clone(),
            _ => {
                let text = line::rfc3339(at);
                self.clock = Some((ms, text.clone()));
                text
            }
        }
    }

    fn push(&mut self, out: &mut Vec<u8>, feed: usize, msg: &FeedMsg, retry_ms: Option<u64>) {
        if feed >= self.names.len() {
            return;
        }
        let at_of = match msg {
            FeedMsg::Event { at, .. } | FeedMsg::Comment { at, .. } => *at,
            FeedMsg::State(change) => change.at,
        };
        let at = self.at(at_of);
        let name = &self.names[feed];
        // The cell may already hold a `retry:` of the connection being opened: it is written
        // with what that connection says, not before the states that open it.
        let opening = matches!(
            msg,
            FeedMsg::State(c) if matches!(c.state, ConnState::Connecting | ConnState::Open)
        );
        if !opening && retry_ms.is_some() && retry_ms != self.retry[feed] {
            self.retry[feed] = retry_ms;
            let retry = RetryLine {
                kind: "retry",
                feed: name,
                retry_ms: retry_ms.unwrap_or_default(),
                at: &at,
            };
            push(out, &retry);
        }
        match msg {
            FeedMsg::Event { event, .. } => {
                // `tail`'s escaper (serde_json's bytes, faster): events are most of a recording.
                let json = crate::tail::json::push_str;
                out.extend_from_slice(br#"{"kind":"event","feed":"#);
                json(out, name);
                out.extend_from_slice(br#","type":"#);
                json(out, &event.event_type);
                out.extend_from_slice(br#","data":"#);
                json(out, &event.data);
                out.extend_from_slice(br#","id":"#);
                json(out, &event.id);
                out.extend_from_slice(br#","at":"#);
                json(out, &at);
                for (flag, field) in [
                    (event.truncated, &br#","truncated":true"#[..]),
                    (event.type_truncated, br#","type_truncated":true"#),
                    (event.id_truncated, br#","id_truncated":true"#),
                ] {
                    if flag {
                        out.extend_from_slice(field);
                    }
                }
                out.extend_from_slice(b"}\n");
            }
            FeedMsg::State(change) => push(
                out,
                &StateLine {
                    kind: "state",
                    feed: name,
                    state: change.state.name(),
                    attempt: change.attempt,
                    status: change.status,
                    reason: change.reason.as_deref(),
                    retry_in_ms: match &change.state {
                        ConnState::Waiting { delay, .. } => Some(delay.as_millis() as u64),
                        _ => None,
                    },
                    at: &at,
                },
            ),
            FeedMsg::Comment { text, .. } if self.comments => push(
                out,
                &CommentLine {
                    kind: "comment",
                    feed: name,
                    text,
                    at: &at,
                },
            ),
            FeedMsg::Comment { .. } => {}
        }
    }
}

fn push(buf: &mut Vec<u8>, line: &impl serde::Serialize) {
    // Our line structs of strings and numbers cannot fail to serialize into a Vec.
    if serde_json::to_writer(&mut *buf, line).is_ok() {
        buf.push(b'\n');
    }
}

/// Whether the file's last byte is not a newline (an earlier session was cut mid-line).
fn ends_mid_line(file: &mut File) -> io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::Event;

    #[test]
    fn an_event_line_is_the_bytes_serde_json_writes_for_the_event_line_struct() {
        let mut lines = Lines {
            names: vec!["f \"x\"".into()],
            comments: false,
            retry: vec![None],
            clock: None,
        };
        let mut event = Event::new("t\u{1b}", "a\"b\\c\nd\u{202e}", "i\u{0}d");
        for flags in [[false; 3], [true; 3], [false, true, false]] {
            [event.truncated, event.type_truncated, event.id_truncated] = flags;
            let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_234_567);
            let mut out = Vec::new();
            let msg = FeedMsg::Event {
                event: event.clone(),
                at,
            };
            lines.push(&mut out, 0, &msg, None);
            let mut want = Vec::new();
            push(
                &mut want,
                &line::EventLine {
                    kind: "event",
                    feed: "f \"x\"",
                    event_type: &event.event_type,
                    data: &event.data,
                    id: &event.id,
                    at: "1970-01-01T00:20:34.567Z",
                    truncated: flags[0],
                    type_truncated: flags[1],
                    id_truncated: flags[2],
                },
            );
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }
}
