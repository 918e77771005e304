//! A spec-exact, incremental parser for `text/event-stream` (WHATWG HTML, "Parsing an event
//! stream" and "Interpreting an event stream").
//!
//! Bytes go in as they arrive from the network, in any chunking; events, comments and retry
//! changes come out. Lines are split on raw bytes (CR, LF and CRLF, even when CR and LF arrive
//! in different reads) and each complete line is decoded as UTF-8 with replacement. Since CR and
//! LF never occur inside a multi-byte sequence, decoding whole lines is the same as decoding the
//! stream, and a character split across reads is never damaged.
//!
//! Memory is bounded: a line or an event's data longer than `max_event_bytes` is cut there
//! (the event is flagged `truncated`), so an endless line with no newline costs a fixed amount.
//! An event type is cut at [`MAX_TYPE_BYTES`] and an id at [`MAX_ID_BYTES`], on a character
//! boundary, and flagged (`type_truncated`, `id_truncated`). A cut id is what the feed
//! remembers and sends back as `Last-Event-ID`: an id past 1 KiB is not one a server can
//! expect back intact (a deliberate deviation, documented with the others).

use std::borrow::Cow;
use std::sync::Arc;

use bytes::Bytes;

use super::ends::LineEnds;
use super::line::{Line, valid_prefix};
use super::{Data, FieldStr};

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The longest event type kept, in bytes; a longer one is cut and flagged.
pub const MAX_TYPE_BYTES: usize = 256;
/// The longest event id kept, in bytes; a longer one is cut and flagged.
pub const MAX_ID_BYTES: usize = 1024;

/// The most capacity the buffer of multi-line data keeps between events.
const KEEP_DATA_BUFFER: usize = 16 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The `event:` field, `message` when the block had none.
    pub event_type: FieldStr,
    pub data: Data,
    /// The last event ID as the spec defines it at dispatch time (`""` when none).
    pub id: FieldStr,
    /// The data (or a line of it) went past `max_event_bytes` and was cut there.
    pub truncated: bool,
    /// The type went past [`MAX_TYPE_BYTES`] and was cut there.
    pub type_truncated: bool,
    /// The id went past [`MAX_ID_BYTES`] and was cut there.
    pub id_truncated: bool,
}

impl Event {
    /// A whole event: nothing in it was cut.
    pub fn new(
        event_type: impl Into<FieldStr>,
        data: impl Into<Data>,
        id: impl Into<FieldStr>,
    ) -> Self {
        Event {
            event_type: event_type.into(),
            data: data.into(),
            id: id.into(),
            truncated: false,
            type_truncated: false,
            id_truncated: false,
        }
    }

    /// Bytes of text the event holds (data, type and id): what byte budgets count.
    pub fn text_len(&self) -> usize {
        self.data.len() + self.event_type.len() + self.id.len()
    }
}

/// What the parser reports, in stream order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Event(Event),
    /// A `:` line (a heartbeat, usually), without the colon and one leading space.
    Comment(String),
    /// A valid `retry:` field: the new reconnection time in milliseconds (saturating).
    Retry(u64),
    /// The last event ID changed at a dispatch, with or without an event (an `id:`-only block).
    LastEventId(FieldStr),
}

#[derive(Debug)]
pub struct Parser {
    max_event_bytes: usize,
    /// Bytes of the current, unfinished line (only when it spans reads).
    line: Vec<u8>,
    /// The current line went past the limit; the rest of it is dropped.
    line_cut: bool,
    /// The previous read ended in CR: a LF at the start of the next one belongs to it.
    after_cr: bool,
    /// How many bytes of a leading BOM have been seen; `None` once the stream start is past.
    bom_seen: Option<usize>,
    data: String,
    /// The data of the event being read while it is one line of the current read, kept as a
    /// slice of that read instead of a copy in `data`.
    data_line: Option<Data>,
    data_cut: bool,
    /// The last `event:` value; it is the block's type when `has_type`.
    event_type: FieldStr,
    /// The block set a (non-empty) type; otherwise its type is `message`.
    has_type: bool,
    type_cut: bool,
    id_buffer: FieldStr,
    id_buffer_cut: bool,
    /// `id_buffer` changed since the last dispatch.
    id_set: bool,
    last_event_id: FieldStr,
    last_event_id_cut: bool,
    /// The read being parsed has no NUL byte, so its ids need no NUL check of their own.
    nul_free: bool,
    /// Lines ignored since last asked (unknown fields, invalid `retry:`), for the debug log.
    ignored_lines: u64,
    /// The first of them (its head), until taken: one small copy per connection at most.
    first_ignored: Option<String>,
}

impl Parser {
    pub fn new(max_event_bytes: usize) -> Self {
        let empty = FieldStr::default();
        Parser {
            max_event_bytes: max_event_bytes.max(1),
            line: Vec::new(),
            line_cut: false,
            after_cr: false,
            bom_seen: Some(0),
            data: String::new(),
            data_line: None,
            data_cut: false,
            event_type: FieldStr::default(),
            has_type: false,
            type_cut: false,
            id_buffer: empty.clone(),
            id_buffer_cut: false,
            id_set: false,
            last_event_id: empty,
            last_event_id_cut: false,
            nul_free: false,
            ignored_lines: 0,
            first_ignored: None,
        }
    }

    /// Starts from a known last event ID (`--last-event-id`, `last_event_id` in the config).
    pub fn with_last_event_id(mut self, id: &str) -> Self {
        let (kept, cut) = cut_at(id, MAX_ID_BYTES);
        let id = FieldStr::new(kept);
        self.id_buffer = id.clone();
        self.id_buffer_cut = cut;
        self.last_event_id = id;
        self.last_event_id_cut = cut;
        self
    }

    pub fn last_event_id(&self) -> &FieldStr {
        &self.last_event_id
    }

    /// Feeds the next bytes of the response body.
    pub fn push(&mut self, bytes: &[u8], out: &mut impl FnMut(Item)) {
        self.push_from(bytes, None, out);
    }

    /// Feeds the next read of the response body; an event whose data is one line of this read
    /// gets a slice of it as its data rather than a copy.
    pub fn push_shared(&mut self, read: &Bytes, out: &mut impl FnMut(Item)) {
        let read = Arc::new(read.clone());
        self.push_from(&read, Some(&read), out);
    }

    fn push_from(
        &mut self,
        mut bytes: &[u8],
        read: Option<&Arc<Bytes>>,
        out: &mut impl FnMut(Item),
    ) {
        if bytes.is_empty() {
            // A read with no bytes must not end a pending CR's wait for its LF.
            return;
        }
        if let Some(seen) = self.bom_seen {
            // Only the very first bytes of a stream may be a BOM; they can arrive one by one.
            let mut seen = seen;
            while seen < 3 {
                match bytes.first() {
                    None => {
                        self.bom_seen = Some(seen);
                        return;
                    }
                    Some(&b) if b == BOM[seen] => {
                        seen += 1;
                        bytes = &bytes[1..];
                    }
                    Some(_) => {
                        // Not a BOM after all: what looked like one is ordinary data.
                        self.bom_seen = None;
                        self.push_lines(&BOM[..seen], None, out);
                        break;
                    }
                }
            }
            self.bom_seen = None;
        }
        self.push_lines(bytes, read, out);
    }

    /// The first line ignored since [`Parser::take_ignored_lines`] was last called, once.
    pub fn take_first_ignored(&mut self) -> Option<String> {
        self.first_ignored.take()
    }

    /// How many lines were ignored since the last call (see `ignored_lines`).
    pub fn take_ignored_lines(&mut self) -> u64 {
        std::mem::take(&mut self.ignored_lines)
    }

    /// The response ended (cleanly or not). An unfinished event is discarded, as the spec says;
    /// the last event ID and the reconnection time carry over to the next connection.
    pub fn end_of_stream(&mut self) {
        self.line.clear();
        self.line_cut = false;
        self.after_cr = false;
        self.bom_seen = Some(0);
        self.data.clear();
        self.data_line = None;
        self.data_cut = false;
        self.has_type = false;
        self.type_cut = false;
        self.id_buffer = self.last_event_id.clone();
        self.id_buffer_cut = self.last_event_id_cut;
        self.id_set = false;
    }

    /// `read`, when given, holds `bytes`.
    fn push_lines(&mut self, bytes: &[u8], read: Option<&Arc<Bytes>>, out: &mut impl FnMut(Item)) {
        let valid = valid_prefix(bytes);
        // One search over the whole read instead of one per id.
        self.nul_free = memchr::memchr(0, bytes).is_none();
        let mut at = 0;
        if self.after_cr {
            self.after_cr = false;
            if bytes.first() == Some(&b'\n') {
                at = 1;
            }
        }
        let mut ends = LineEnds::new(bytes);
        while let Some(pos) = ends.find(at) {
            let whole_line = self.line.is_empty() && !self.line_cut;
            if whole_line && pos <= valid.len() && pos - at <= self.line_limit() {
                // The common case, a whole valid line of this read: `at` and `pos` are at
                // ASCII bytes (or the ends), so the slice is on character boundaries.
                self.text_line(&valid[at..pos], read, out);
            } else if whole_line {
                let head = Line::within(bytes, valid, at, pos);
                // Cut a long line where a chunked read would have cut it, so that the
                // result does not depend on how the bytes arrived.
                let limit = self.line_limit();
                if head.len() > limit {
                    self.line_cut = true;
                    self.process_line(head.to(limit), read, out);
                    self.line_cut = false;
                } else {
                    self.process_line(head, read, out);
                }
            } else {
                self.append_to_line(&bytes[at..pos]);
                let line = std::mem::take(&mut self.line);
                // Part of this line came in an earlier read.
                let nul_free = std::mem::replace(&mut self.nul_free, false);
                self.process_line(Line::raw(&line), None, out);
                self.nul_free = nul_free;
                self.line = line;
                self.line.clear();
                self.line_cut = false;
            }
            if bytes[pos] == b'\r' {
                if pos + 1 == bytes.len() {
                    self.after_cr = true;
                    return;
                }
                at = if bytes[pos + 1] == b'\n' {
                    pos + 2
                } else {
                    pos + 1
                };
            } else {
                at = pos + 1;
            }
        }
        self.append_to_line(&bytes[at..]);
    }

    /// The longest line kept: room for a field name and its colon on top of the data limit.
    fn line_limit(&self) -> usize {
        self.max_event_bytes.saturating_add(64)
    }

    fn append_to_line(&mut self, bytes: &[u8]) {
        let limit = self.line_limit();
        let room = limit.saturating_sub(self.line.len());
        if bytes.len() > room {
            self.line.extend_from_slice(&bytes[..room]);
            self.line_cut = true;
        } else {
            self.line.extend_from_slice(bytes);
        }
    }

    /// A whole line known to be valid UTF-8: the lines of a flood (`data:`, `id:`, `event:`,
    /// the blank line) are told apart in place and handled without the general path's steps.
    #[inline(always)]
    fn text_line(&mut self, line: &str, read: Option<&Arc<Bytes>>, out: &mut impl FnMut(Item)) {
        let b = line.as_bytes();
        if b.is_empty() {
            self.dispatch(out);
        } else if b.starts_with(b"data:") {
            let value = strip_space(&line[5..]);
            if let Some(read) = read
                && self.data.is_empty()
                && self.data_line.is_none()
                && value.len() <= self.max_event_bytes
            {
                // The first line of the event's data: a slice of the read, no copy.
                self.data_line = Some(Data::shared(read, value));
            } else {
                self.append_data(Line::from_text(value), read);
            }
        } else if b.starts_with(b"id:") {
            self.set_id(Line::from_text(strip_space(&line[3..])));
        } else if b.starts_with(b"event:") {
            self.set_type(Line::from_text(strip_space(&line[6..])));
        } else {
            self.process_line(Line::from_text(line), read, out);
        }
    }

    fn process_line(&mut self, line: Line, read: Option<&Arc<Bytes>>, out: &mut impl FnMut(Item)) {
        let Some(&first) = line.bytes.first() else {
            self.dispatch(out);
            return;
        };
        if first == b':' {
            let text = strip_one_space(line.from(1));
            out(Item::Comment(text.lossy().into_owned()));
            return;
        }
        let whole = line.bytes;
        let (field, value) = match memchr::memchr(b':', whole) {
            Some(colon) => (&whole[..colon], strip_one_space(line.from(colon + 1))),
            None => (whole, line.from(line.len())),
        };
        match field {
            b"data" => self.append_data(value, read),
            b"event" => self.set_type(value),
            b"id" => self.set_id(value),
            b"retry" if !value.is_empty() && value.bytes.iter().all(u8::is_ascii_digit) => {
                let ms = value.bytes.iter().fold(0u64, |acc, d| {
                    acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
                });
                out(Item::Retry(ms));
            }
            _ => {
                if self.ignored_lines == 0 {
                    const SHOWN: usize = 200;
                    let head = String::from_utf8_lossy(&whole[..whole.len().min(SHOWN)]);
                    let more = if whole.len() > SHOWN { "…" } else { "" };
                    self.first_ignored = Some(format!("{head}{more}"));
                }
                self.ignored_lines += 1;
            }
        }
    }

    fn set_type(&mut self, value: Line) {
        let (kept, cut) = field_text(value, MAX_TYPE_BYTES);
        self.type_cut = cut;
        self.has_type = !kept.is_empty();
        self.event_type.set(&kept);
    }

    fn set_id(&mut self, value: Line) {
        // An id with a NUL is ignored, as the spec says.
        if !self.nul_free && memchr::memchr(0, value.bytes).is_some() {
            return;
        }
        let (kept, cut) = field_text(value, MAX_ID_BYTES);
        self.id_buffer.set(&kept);
        self.id_buffer_cut = cut;
        self.id_set = true;
    }

    fn append_data(&mut self, value: Line, read: Option<&Arc<Bytes>>) {
        if self.line_cut {
            self.data_cut = true;
        }
        if self.data.is_empty() {
            match self.data_line.take() {
                // The first line, whole and valid, in the read at hand: share it.
                None => {
                    if let (Some(read), Some(text)) = (read, value.text())
                        && text.len() <= self.max_event_bytes
                    {
                        self.data_line = Some(Data::shared(read, text));
                        return;
                    }
                }
                // A second line: from here on the data is built up in `data`.
                Some(first) => {
                    self.data.reserve(first.len() + value.len() + 2);
                    self.data.push_str(&first);
                    self.data.push('\n');
                }
            }
        }
        // The event's data is this buffer without its last LF, so the buffer may hold
        // `max_event_bytes` of data plus that LF.
        if self.data.len() > self.max_event_bytes {
            self.data_cut = true;
            return;
        }
        let room = self.max_event_bytes - self.data.len();
        let text = value.lossy();
        if self.data.capacity() == 0 {
            // Most events have one data line: one allocation of the right size, with room
            // for the LF that is popped again at dispatch.
            self.data.reserve_exact(text.len().min(room) + 1);
        }
        if text.len() <= room {
            self.data.push_str(&text);
        } else {
            let mut end = room;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            self.data.push_str(&text[..end]);
            self.data_cut = true;
        }
        self.data.push('\n');
    }

    #[inline(always)]
    fn dispatch(&mut self, out: &mut impl FnMut(Item)) {
        if std::mem::take(&mut self.id_set) {
            if self.id_buffer != self.last_event_id {
                out(Item::LastEventId(self.id_buffer.clone()));
            }
            self.last_event_id = self.id_buffer.clone();
            self.last_event_id_cut = self.id_buffer_cut;
        }
        let data = match self.data_line.take() {
            Some(line) => line,
            None if self.data.is_empty() => {
                self.has_type = false;
                self.type_cut = false;
                self.data_cut = false;
                return;
            }
            None => {
                self.data.pop(); // the LF after the last data line
                let data = Data::from(self.data.as_str());
                // The buffer is kept for the next event, unless a big event made it big.
                if self.data.capacity() > KEEP_DATA_BUFFER {
                    self.data = String::new();
                } else {
                    self.data.clear();
                }
                data
            }
        };
        let event_type = if std::mem::take(&mut self.has_type) {
            self.event_type.clone()
        } else {
            FieldStr::new("message")
        };
        out(Item::Event(Event {
            event_type,
            data,
            id: self.last_event_id.clone(),
            truncated: self.data_cut,
            type_truncated: self.type_cut,
            id_truncated: self.last_event_id_cut,
        }));
        self.type_cut = false;
        self.data_cut = false;
    }
}

/// A field's value as text, cut at `max` bytes, and whether it was cut. Only a value that is
/// long or not valid UTF-8 is copied.
fn field_text<'a>(value: Line<'a>, max: usize) -> (Cow<'a, str>, bool) {
    match value.text() {
        Some(text) if text.len() <= max => (Cow::Borrowed(text), false),
        _ => {
            // Decode a little past the limit only: the value is cut there anyway.
            let head = value.to(value.len().min(max + 4));
            let text = head.lossy();
            let (kept, cut) = cut_at(&text, max);
            (Cow::Owned(kept.to_owned()), cut || head.len() < value.len())
        }
    }
}

/// At most `max` bytes of `s`, cut on a character boundary, and whether it was cut.
fn cut_at(s: &str, max: usize) -> (&str, bool) {
    if s.len() <= max {
        return (s, false);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    (&s[..end], true)
}

fn strip_space(value: &str) -> &str {
    value.strip_prefix(' ').unwrap_or(value)
}

fn strip_one_space(value: Line) -> Line {
    if value.bytes.first() == Some(&b' ') {
        value.from(1)
    } else {
        value
    }
}

/// Parses a whole body in one go; for tests and the benchmark.
pub fn parse_all(body: &[u8], max_event_bytes: usize) -> Vec<Item> {
    let mut parser = Parser::new(max_event_bytes);
    let mut items = Vec::new();
    parser.push(body, &mut |item| items.push(item));
    items
}
