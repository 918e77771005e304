//! Getting events out of the dashboard: `e` writes the focused pane's events (the shown ones
//! when a filter or the type picker hides some) to an NDJSON file; in the detail view `y`
//! copies the event's data to the clipboard (OSC 52, which works over SSH and in tmux) and
//! `w` writes it to a file.
//!
//! The keys only ask (an [`Action`]); the event loop does the writing and reports the path
//! or the error in the footer. A pane holds at most its `buffer` events, so a write is bounded.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::app::{Action, App};
use super::pane::Pane;
use crate::feed::FeedId;
use crate::record::line::{EventLine, rfc3339};

/// The most data `y` puts on the clipboard: terminals refuse longer OSC 52 sequences (and
/// tmux caps them too); `w` writes any size.
pub const MAX_COPY: usize = 64 * 1024;

impl App {
    /// `e`: export the focused pane.
    pub(super) fn export_key(&mut self) -> Option<Action> {
        if self.focused().is_none_or(|p| p.shown_len() == 0) {
            self.notify("no events to export");
            return None;
        }
        Some(Action::Export(FeedId(self.focus)))
    }

    /// `y` / `w` in the detail view of event `seq`.
    pub(super) fn detail_save_key(&mut self, key: char, seq: u64) -> Option<Action> {
        let pane = self.focused()?;
        let Some(event) = pane.event(seq) else {
            self.notify("that event is no longer buffered");
            return None;
        };
        let data = event.data.to_string();
        if key == 'w' {
            let id = event.id.to_string();
            let feed = pane.name.clone();
            return Some(Action::SaveEvent { feed, id, data });
        }
        if data.len() > MAX_COPY {
            self.notify(&format!(
                "{} bytes is more than a terminal takes to copy; w writes it to a file",
                data.len()
            ));
            return None;
        }
        Some(Action::Copy(data))
    }
}

/// The shown events of `pane`, oldest first, as NDJSON lines like `tail`'s.
pub fn pane_lines(pane: &Pane) -> Vec<u8> {
    let mut out = Vec::new();
    for seq in pane.shown() {
        let Some(e) = pane.event(seq) else { continue };
        let at = rfc3339(e.at);
        let line = EventLine {
            kind: "event",
            feed: &pane.name,
            event_type: e.event_type,
            data: e.data,
            id: e.id,
            at: &at,
            truncated: e.truncated,
            type_truncated: e.type_truncated,
            id_truncated: e.id_truncated,
        };
        if serde_json::to_writer(&mut out, &line).is_ok() {
            out.push(b'\n');
        }
    }
    out
}

/// `ssedash-NAME-20261130T053000Z.EXT`: the feed name with anything but letters, digits,
/// `.`, `-` and `_` made `_`, so a name cannot climb out of the directory.
pub fn file_name(name: &str, extra: Option<&str>, now: SystemTime, ext: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .take(60)
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let stamp = jiff::Timestamp::try_from(now)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default();
    let extra = extra
        .filter(|e| !e.is_empty())
        .map(|e| format!("-{}", clean(e)))
        .unwrap_or_default();
    format!(
        "ssedash-{}{extra}-{stamp}.{ext}",
        clean(name).trim_start_matches('.')
    )
}

/// Writes `bytes` to a new file `name` in `dir` (`-2`, `-3`... before the extension when
/// it exists: an export never overwrites). Returns the path written.
pub fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..100 {
        let file = if n == 1 {
            name.to_string()
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(file);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                return f
                    .write_all(bytes)
                    .map(|()| path.clone())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot write {}: {e}", path.display())),
        }
    }
    Err(format!("cannot write {name}: too many files of that name"))
}

/// Exports pane `feed` of `app` into `dir`; the path written, or why not.
pub fn export_pane(app: &App, feed: usize, dir: &Path, now: SystemTime) -> Result<PathBuf, String> {
    let pane = app.panes.get(feed).ok_or("no such pane")?;
    let lines = pane_lines(pane);
    write_new(dir, &file_name(&pane.name, None, now, "ndjson"), &lines)
}

/// The OSC 52 sequence that puts `data` on the clipboard. BEL-terminated, which xterm,
/// kitty, iTerm2, WezTerm and tmux (`set-clipboard on`) all accept.
pub fn osc52(data: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(data.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_the_standard_alphabet_with_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar\xff"), "Zm9vYmFy/w==");
    }

    #[test]
    fn a_file_name_cannot_leave_the_directory() {
        let t = SystemTime::UNIX_EPOCH;
        assert_eq!(
            file_name("../api.example.com/v1 x", None, t, "ndjson"),
            "ssedash-_api.example.com_v1_x-19700101T000000Z.ndjson"
        );
        assert_eq!(
            file_name("t", Some("4/2"), t, "txt"),
            "ssedash-t-4_2-19700101T000000Z.txt"
        );
    }
}
