//! Reading recordings back: one or more files (or stdin as `-`) into one timeline of feeds.

use std::io::{self, BufRead};
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::line::AnyLine;
use crate::sse::Event;

/// What happened at one moment of a recorded feed.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    Event(Event),
    State {
        state: String,
        attempt: u32,
        status: Option<u16>,
        reason: Option<String>,
        retry_in_ms: Option<u64>,
    },
    Comment(String),
    Retry(u64),
}

/// One line of a recording: which feed, when, what.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub feed: usize,
    pub at: SystemTime,
    pub what: What,
}

/// A recorded feed.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedFeed {
    pub name: String,
    /// As recorded (password masked), or empty when the recording did not say.
    pub url: String,
}

/// Every feed of the recordings read, and everything they said in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recording {
    pub feeds: Vec<RecordedFeed>,
    pub items: Vec<Item>,
}

/// Why a recording cannot be read: the file and line (0: the file as a whole).
#[derive(Debug, thiserror::Error)]
pub struct ReadError {
    pub file: String,
    pub line: usize,
    pub why: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file, self.why),
            line => write!(f, "{}:{line}: {}", self.file, self.why),
        }
    }
}

impl Recording {
    /// Reads `paths` in order (`-` is stdin). Feeds of the same name in several files are the
    /// same feed. A last line without its newline (a crash while writing) is left out.
    pub fn read(paths: &[impl AsRef<Path>]) -> Result<Recording, ReadError> {
        let mut rec = Recording::default();
        for path in paths {
            let path = path.as_ref();
            let shown = path.display().to_string();
            let open_error = |e: io::Error| ReadError {
                file: shown.clone(),
                line: 0,
                why: format!("cannot read: {e}"),
            };
            if path == Path::new("-") {
                rec.read_from(io::stdin().lock(), "stdin")?;
            } else {
                let file = std::fs::File::open(path).map_err(open_error)?;
                rec.read_from(io::BufReader::new(file), &shown)?;
            }
        }
        // Several files, or sessions appended to one, may interleave: one timeline.
        rec.items.sort_by_key(|i| i.at);
        Ok(rec)
    }

    /// Reads one recording from `input`; `file` names it in errors.
    pub fn read_from(&mut self, mut input: impl BufRead, file: &str) -> Result<(), ReadError> {
        let mut buf = Vec::new();
        let mut number = 0;
        loop {
            buf.clear();
            let n = input.read_until(b'\n', &mut buf).map_err(|e| ReadError {
                file: file.into(),
                line: number + 1,
                why: e.to_string(),
            })?;
            if n == 0 {
                return Ok(());
            }
            number += 1;
            let whole = buf.last() == Some(&b'\n');
            let text = String::from_utf8_lossy(&buf);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match serde_json::from_str::<AnyLine>(text) {
                Ok(line) => self.add(line).map_err(|why| ReadError {
                    file: file.into(),
                    line: number,
                    why,
                })?,
                // Cut by a crash: the last line, or one a later session followed.
                Err(_) if !whole || (text.starts_with("{\"kind\":") && !text.ends_with('}')) => {}
                Err(e) => {
                    // serde says "at line 1 column 2" of the one line it was given: the
                    // column is the useful part, the line is ours.
                    let what = e.to_string();
                    let what = what.rsplit_once(" at line ").map_or(&*what, |(w, _)| w);
                    return Err(ReadError {
                        file: file.into(),
                        line: number,
                        why: format!("not a recording line ({what}, column {})", e.column()),
                    });
                }
            }
        }
    }

    fn feed_index(&mut self, name: &str, url: Option<&str>) -> usize {
        match self.feeds.iter().position(|f| f.name == name) {
            Some(i) => {
                if let Some(url) = url
                    && self.feeds[i].url.is_empty()
                {
                    self.feeds[i].url = url.to_string();
                }
                i
            }
            None => {
                self.feeds.push(RecordedFeed {
                    name: name.to_string(),
                    url: url.unwrap_or_default().to_string(),
                });
                self.feeds.len() - 1
            }
        }
    }

    fn add(&mut self, line: AnyLine) -> Result<(), String> {
        if line.kind == "meta" {
            for f in line.feeds.unwrap_or_default() {
                self.feed_index(&f.name, Some(&f.url));
            }
            return Ok(());
        }
        // Lines of other kinds (say, an alert) are not part of what a feed said.
        if !matches!(line.kind.as_str(), "event" | "state" | "comment" | "retry") {
            return Ok(());
        }
        let feed = line.feed.as_deref().ok_or("a line without \"feed\"")?;
        let at = line.at.as_deref().ok_or("a line without \"at\"")?;
        let at = parse_time(at).ok_or_else(|| format!("\"at\": {at:?} is not an RFC 3339 time"))?;
        let what = match line.kind.as_str() {
            "event" => {
                let mut event = Event::new(
                    line.event_type.unwrap_or_else(|| "message".into()),
                    line.data.unwrap_or_default(),
                    line.id.unwrap_or_default(),
                );
                event.truncated = line.truncated;
                event.type_truncated = line.type_truncated;
                event.id_truncated = line.id_truncated;
                What::Event(event)
            }
            "state" => {
                let state = line.state.ok_or("a state line without \"state\"")?;
                if !matches!(
                    state.as_str(),
                    "connecting" | "open" | "waiting" | "closed" | "failed"
                ) {
                    return Err(format!("unknown state {state:?}"));
                }
                What::State {
                    state,
                    attempt: line.attempt.unwrap_or(1),
                    status: line.status,
                    reason: line.reason,
                    retry_in_ms: line.retry_in_ms,
                }
            }
            "comment" => What::Comment(line.text.unwrap_or_default()),
            _ => What::Retry(line.retry_ms.ok_or("a retry line without \"retry_ms\"")?),
        };
        let feed = self.feed_index(feed, None);
        self.items.push(Item { feed, at, what });
        Ok(())
    }

    /// When the recording starts (its first line), if it has any.
    pub fn start(&self) -> Option<SystemTime> {
        self.items.first().map(|i| i.at)
    }
}

/// An RFC 3339 time as a `SystemTime`.
pub fn parse_time(s: &str) -> Option<SystemTime> {
    let ts: jiff::Timestamp = s.parse().ok()?;
    let ms = ts.as_millisecond();
    if ms >= 0 {
        Some(SystemTime::UNIX_EPOCH + Duration::from_millis(ms as u64))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_cut_by_a_crash_is_left_out_and_the_rest_is_read() {
        let text = concat!(
            r#"{"kind":"meta","ssedash":"0.1.0","started":"2026-01-01T00:00:00.000Z","feeds":[{"name":"a","url":"http://h/"}]}"#,
            "\n",
            r#"{"kind":"event","feed":"a","type":"t","data":"1","id":"1","at":"2026-01-01T00:00:01.000Z"}"#,
            "\n",
            r#"{"kind":"event","feed":"a","type":"t","data":"2","id"#,
            "\n",
            r#"{"kind":"retry","feed":"a","retry_ms":2000,"at":"2026-01-01T00:00:02.000Z"}"#,
            "\n",
            r#"{"kind":"event","feed":"a","type":"t","da"#,
        );
        let mut rec = Recording::default();
        rec.read_from(text.as_bytes(), "x").unwrap();
        assert_eq!(rec.feeds.len(), 1);
        assert_eq!(rec.feeds[0].url, "http://h/");
        assert_eq!(rec.items.len(), 2);
        assert_eq!(rec.items[1].what, What::Retry(2000));
    }

    #[test]
    fn a_broken_line_in_the_middle_is_an_error_with_file_and_line() {
        let text = "{\"kind\":\"event\",\"feed\":\"a\",\"at\":\"nope\"}\n";
        let mut rec = Recording::default();
        let e = rec.read_from(text.as_bytes(), "rec.ndjson").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.to_string().starts_with("rec.ndjson:1: \"at\""), "{e}");
    }

    #[test]
    fn a_junk_line_is_named_by_its_line_in_the_file_not_serdes_line_1() {
        let text = "\n{\"kind\":\"comment\",\"feed\":\"a\",\"text\":\"\",\"at\":\"2026-01-01T00:00:00Z\"}\nxy\n";
        let mut rec = Recording::default();
        let e = rec.read_from(text.as_bytes(), "rec.ndjson").unwrap_err();
        assert_eq!(
            e.to_string(),
            "rec.ndjson:3: not a recording line (expected value, column 1)"
        );
    }
}
