//! Writing a recording: lines are formatted where the messages are (the dashboard's loop,
//! `tail`'s loop) and handed, in pieces of whole lines, to a thread that appends them to the
//! file. Nothing here blocks on the disk except [`Recorder::hand_over`], which `tail` awaits
//! on purpose (a recording loses nothing there, as `tail`'s output does not).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tokio::sync::mpsc;

use super::line::{self, CommentLine, EventLine, Meta, MetaFeed, RetryLine, StateLine};
use crate::feed::{ConnState, FeedMsg, FeedSpec};

/// Pieces waiting for the writer thread.
const PIECES: usize = 8;
/// Bytes the dashboard keeps waiting for a writer that does not keep up, before it drops
/// lines (and counts them) rather than grow without bound.
const MAX_PENDING: usize = 32 << 20;
/// A piece is handed over once it is this big, even while more is ready.
pub const PIECE: usize = 64 * 1024;

/// A recording being written.
pub struct Recorder {
    path: PathBuf,
    names: Vec<String>,
    comments: bool,
    /// The `retry:` last written per feed.
    retry: Vec<Option<u64>>,
    buf: Vec<u8>,
    tx: Option<mpsc::Sender<Vec<u8>>>,
    writer: Option<std::thread::JoinHandle<io::Result<()>>>,
    /// Lines dropped because the writer fell too far behind (dashboard only).
    pub lost: u64,
    /// Lines written so far (handed over).
    pub lines: u64,
    pending_lines: u64,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").field("path", &self.path).finish()
    }
}

impl Recorder {
    /// Opens `path` for appending (created if need be) and starts the session with its `meta`
    /// line. `comments`: whether comments are recorded (only when they are asked for).
    pub fn start(path: &Path, feeds: &[FeedSpec], comments: bool) -> io::Result<Recorder> {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot record to {}: {e}", path.display())))?;
        // A line cut by a crash ends here, so the new session starts on a line of its own.
        let mut buf = Vec::with_capacity(PIECE);
        if ends_mid_line(&mut file)? {
            buf.push(b'\n');
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
        serde_json::to_writer(&mut buf, &meta)?;
        buf.push(b'\n');
        let (tx, mut rx) = mpsc::channel::<Vec<u8>>(PIECES);
        let writer = std::thread::Builder::new()
            .name("ssedash-record".into())
            .spawn(move || {
                // One write per piece of whole lines, straight to the file (no buffer of
                // ours): what was handed over is in the file at once.
                while let Some(piece) = rx.blocking_recv() {
                    file.write_all(&piece)?;
                }
                file.flush()
            })?;
        Ok(Recorder {
            path: path.to_path_buf(),
            names: feeds.iter().map(|f| f.name.clone()).collect(),
            comments,
            retry: vec![None; feeds.len()],
            buf,
            tx: Some(tx),
            writer: Some(writer),
            lost: 0,
            lines: 0,
            pending_lines: 1,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes formatted and not yet handed over.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Formats one message of feed `feed`. `retry_ms` is the feed's latest `retry:` (a cell of
    /// the inbox, not a message): a change is written as a `retry` line before the message.
    pub fn record(&mut self, feed: usize, msg: &FeedMsg, retry_ms: Option<u64>) {
        let Some(name) = self.names.get(feed) else {
            return;
        };
        let at_of = match msg {
            FeedMsg::Event { at, .. } | FeedMsg::Comment { at, .. } => *at,
            FeedMsg::State(change) => change.at,
        };
        let at = line::rfc3339(at_of);
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
            push(&mut self.buf, &retry);
            self.pending_lines += 1;
        }
        match msg {
            FeedMsg::Event { event, .. } => push(
                &mut self.buf,
                &EventLine {
                    kind: "event",
                    feed: name,
                    event_type: &event.event_type,
                    data: &event.data,
                    id: &event.id,
                    at: &at,
                    truncated: event.truncated,
                    type_truncated: event.type_truncated,
                    id_truncated: event.id_truncated,
                },
            ),
            FeedMsg::State(change) => push(
                &mut self.buf,
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
                &mut self.buf,
                &CommentLine {
                    kind: "comment",
                    feed: name,
                    text,
                    at: &at,
                },
            ),
            FeedMsg::Comment { .. } => return,
        }
        self.pending_lines += 1;
    }

    /// Hands what is formatted to the writer, waiting for room (`tail`: nothing is lost).
    pub async fn hand_over(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE));
        let sent = match &self.tx {
            Some(tx) => tx.send(piece).await.is_ok(),
            None => false,
        };
        if !sent {
            return Err(self.writer_error());
        }
        self.lines += std::mem::take(&mut self.pending_lines);
        Ok(())
    }

    /// Hands what is formatted to the writer if it has room, else keeps it for the next time
    /// (the dashboard, which must never wait). Past [`MAX_PENDING`] the lines are dropped and
    /// counted in [`Recorder::lost`]. An error of the writer comes back once.
    pub fn try_hand_over(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let Some(tx) = &self.tx else {
            return Ok(());
        };
        let piece = std::mem::take(&mut self.buf);
        match tx.try_send(piece) {
            Ok(()) => {
                self.lines += std::mem::take(&mut self.pending_lines);
                self.buf = Vec::with_capacity(PIECE);
                Ok(())
            }
            Err(mpsc::error::TrySendError::Full(piece)) => {
                self.buf = piece;
                if self.buf.len() > MAX_PENDING {
                    self.lost += std::mem::take(&mut self.pending_lines);
                    self.buf.clear();
                }
                Ok(())
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.tx = None;
                Err(self.writer_error())
            }
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
