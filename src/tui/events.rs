//! The events a pane keeps, stored compactly: a dashboard with 100 feeds keeps half a million
//! of them, so each costs its text plus a fixed 32-byte slot.
//!
//! An event's id and data (and, rarely, its type and a cached list line) are appended to
//! 16 KiB chunks of text shared by the events that arrived together, freed when the last of
//! them leaves the ring: no allocation per event, no allocator overhead per event. A text
//! over 1 KiB has an exact-size allocation of its own instead (a chunk's unused end stays
//! under 1 KiB). The type
//! is an index into a small per-ring table; the time is in milliseconds; the position in the
//! feed (`seq`) is implied by the place in the ring. Anything shown is derived when drawn,
//! from a bounded head of the text.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::text;

/// Distinct types the ring stores as an index; the types of more are kept in the event's own
/// text. Bounded, so a feed that invents a type per event cannot grow the table.
const TABLE_TYPES: usize = 32;
/// `type_idx` of an event whose type is in its text.
const INLINE_TYPE: u8 = u8::MAX;

/// The widest a type / an id shows in a list row.
pub const TYPE_LABEL_CHARS: usize = 20;
pub const ID_LABEL_CHARS: usize = 16;
/// The longest line an event gets in the list (wider than any terminal).
pub const LINE_CHARS: usize = 1024;

const TRUNCATED: u8 = 1;
const TYPE_TRUNCATED: u8 = 2;
const ID_TRUNCATED: u8 = 4;
/// The text is in [`EventRing::own`], not in a shared chunk.
const OWN_TEXT: u8 = 8;

/// Bytes of a chunk of event text.
const CHUNK_BYTES: usize = 16 * 1024;
/// The longest text put in a shared chunk; a longer one has an allocation of its own.
const SHARED_MAX: usize = 1024;

/// One kept event.
#[derive(Debug, Clone)]
pub struct Slot {
    /// Arrival time in ms since the Unix epoch (the list and the detail show ms).
    at_ms: i64,
    /// Where its text is: `[type if not in the table][id][data][cached line]`: the number
    /// of its chunk, or of its own text when [`OWN_TEXT`].
    chunk: u32,
    offset: u32,
    len: u32,
    id_len: u32,
    type_len: u32,
    /// Bytes of the cached list line at the end of `text` (0: none cached).
    line_len: u16,
    type_idx: u8,
    flags: u8,
}

impl Slot {
    /// Bytes of text this event holds: what the pane's byte budget counts.
    pub fn text_len(&self) -> usize {
        self.len as usize
    }
}

/// One kept event, as read from the ring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredEvent<'a> {
    /// Position in the feed since the pane started, from 0.
    pub seq: u64,
    pub at: SystemTime,
    pub event_type: &'a str,
    pub id: &'a str,
    pub data: &'a str,
    pub truncated: bool,
    /// The type or the id was cut at its limit ([`crate::sse::MAX_TYPE_BYTES`], `MAX_ID_BYTES`).
    pub type_truncated: bool,
    pub id_truncated: bool,
    /// The list line, kept only when making it costs more than a bounded head of the data
    /// (JSON spread over lines, made compact).
    pub(crate) cached_line: Option<&'a str>,
}

impl<'a> StoredEvent<'a> {
    /// The data as one safe line of at most [`LINE_CHARS`] characters, as the list shows it
    /// (the same as [`text::one_line`]); the work is bounded by that length.
    pub fn line(&self) -> Cow<'a, str> {
        match self.cached_line {
            Some(line) => Cow::Borrowed(line),
            None => plain_line(self.data),
        }
    }

    /// The type as the list shows it: safe, one line, cut to [`TYPE_LABEL_CHARS`].
    pub fn type_label(&self) -> Cow<'a, str> {
        label(self.event_type, TYPE_LABEL_CHARS)
    }

    /// The id as the list shows it: safe, one line, cut to [`ID_LABEL_CHARS`].
    pub fn id_label(&self) -> Cow<'a, str> {
        label(self.id, ID_LABEL_CHARS)
    }
}

/// `s` as one safe line of at most `max` characters.
fn label(s: &str, max: usize) -> Cow<'_, str> {
    text::one_line(s, max).map_or(Cow::Borrowed(s), Cow::Owned)
}

/// What [`text::one_line`] makes of `data` without compacting JSON: only the first
/// `LINE_CHARS + 1` characters are looked at.
fn plain_line(data: &str) -> Cow<'_, str> {
    let head = data
        .char_indices()
        .nth(LINE_CHARS + 1)
        .map_or(data, |(i, _)| &data[..i]);
    match text::escape(head) {
        Cow::Borrowed(head) => text::clip(head, LINE_CHARS),
        Cow::Owned(escaped) => Cow::Owned(text::clip(&escaped, LINE_CHARS).into_owned()),
    }
}

/// The list line to cache for `data`: only one that [`plain_line`] would not make.
fn line_to_cache(data: &str) -> Option<String> {
    let line = text::one_line(data, LINE_CHARS)?;
    (line != plain_line(data)).then_some(line)
}

/// The events of one pane, oldest first.
#[derive(Debug, Clone, Default)]
pub struct EventRing {
    slots: VecDeque<Slot>,
    /// The events' text, in arrival order; the first holds the oldest event's text.
    chunks: VecDeque<String>,
    /// Number of the first chunk (numbers wrap; fewer than 2^32 chunks are ever kept).
    first_chunk: u32,
    /// The texts over [`SHARED_MAX`], in arrival order, and the number of the first.
    own: VecDeque<Box<str>>,
    first_own: u32,
    /// `seq` of the oldest slot (of the next one, when empty).
    first_seq: u64,
    /// Types stored as an index, in the order they first came.
    types: Vec<crate::sse::FieldStr>,
}

impl EventRing {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The event `seq` will be, as a slot (not yet in the ring).
    pub fn slot(
        &mut self,
        event_type: &crate::sse::FieldStr,
        id: &str,
        data: &str,
        flags: (bool, bool, bool),
        at: SystemTime,
    ) -> Slot {
        let known = self.types.iter().position(|t| t == event_type);
        let type_idx = match known {
            Some(i) => i as u8,
            None if self.types.len() < TABLE_TYPES => {
                self.types.push(event_type.clone());
                (self.types.len() - 1) as u8
            }
            None => INLINE_TYPE,
        };
        let inline_type = if type_idx == INLINE_TYPE {
            &**event_type
        } else {
            ""
        };
        let line = line_to_cache(data).filter(|l| u16::try_from(l.len()).is_ok());
        let line = line.as_deref().unwrap_or("");
        let len = inline_type.len() + id.len() + data.len() + line.len();
        let parts = [inline_type, id, data, line];
        let (chunk, offset, own) = if len > SHARED_MAX {
            let mut text = String::with_capacity(len);
            parts.iter().for_each(|p| text.push_str(p));
            self.own.push_back(text.into_boxed_str());
            let n = self.own.len() - 1;
            (self.first_own.wrapping_add(n as u32), 0, OWN_TEXT)
        } else {
            let (chunk, offset) = self.room(len);
            let text = self.chunks.back_mut().expect("room made a chunk");
            parts.iter().for_each(|p| text.push_str(p));
            (chunk, offset, 0)
        };
        let (truncated, type_truncated, id_truncated) = flags;
        Slot {
            at_ms: millis(at),
            chunk,
            offset: offset as u32,
            // One event is cut far below 4 GiB by `max_event_bytes`.
            len: u32::try_from(len).expect("an event under 4 GiB"),
            // Types and ids are cut far below 4 GiB by the parser (256 B, 1 KiB).
            id_len: u32::try_from(id.len()).expect("an id under 4 GiB"),
            type_len: u32::try_from(inline_type.len()).expect("a type under 4 GiB"),
            line_len: line.len() as u16,
            type_idx,
            flags: [
                (true, own),
                (truncated, TRUNCATED),
                (type_truncated, TYPE_TRUNCATED),
                (id_truncated, ID_TRUNCATED),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .fold(0, |flags, (_, bit)| flags | bit),
        }
    }

    /// A chunk with room for `len` more bytes of text, at the back: its number, and where
    /// the text will start in it.
    fn room(&mut self, len: usize) -> (u32, usize) {
        match self.chunks.back() {
            Some(last) if CHUNK_BYTES - last.len() >= len => {}
            _ => self.chunks.push_back(String::with_capacity(CHUNK_BYTES)),
        }
        let n = self.chunks.len() - 1;
        (
            self.first_chunk.wrapping_add(n as u32),
            self.chunks[n].len(),
        )
    }

    /// `slot` read as the event `seq`.
    pub fn view<'a>(&'a self, slot: &'a Slot, seq: u64) -> StoredEvent<'a> {
        let text = if slot.flags & OWN_TEXT != 0 {
            &*self.own[slot.chunk.wrapping_sub(self.first_own) as usize]
        } else {
            let chunk = &self.chunks[slot.chunk.wrapping_sub(self.first_chunk) as usize];
            let start = slot.offset as usize;
            &chunk[start..start + slot.len as usize]
        };
        let type_end = slot.type_len as usize;
        let id_end = type_end + slot.id_len as usize;
        let data_end = text.len() - slot.line_len as usize;
        let event_type = match self.types.get(usize::from(slot.type_idx)) {
            Some(t) => &**t,
            None => &text[..type_end],
        };
        StoredEvent {
            seq,
            at: system_time(slot.at_ms),
            event_type,
            id: &text[type_end..id_end],
            data: &text[id_end..data_end],
            truncated: slot.flags & TRUNCATED != 0,
            type_truncated: slot.flags & TYPE_TRUNCATED != 0,
            id_truncated: slot.flags & ID_TRUNCATED != 0,
            cached_line: (slot.line_len > 0).then(|| &text[data_end..]),
        }
    }

    /// `seq` of the next event pushed.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.slots.len() as u64
    }

    /// Adds the newest event; the ring grows by doubling up to `capacity` slots, never past.
    pub fn push(&mut self, slot: Slot, capacity: usize) {
        reserve_up_to(&mut self.slots, capacity);
        self.slots.push_back(slot);
    }

    /// Drops the oldest event: its `seq` and the text bytes it held.
    pub fn pop_front(&mut self) -> Option<(u64, usize)> {
        let slot = self.slots.pop_front()?;
        self.first_seq += 1;
        if slot.flags & OWN_TEXT != 0 {
            self.own.pop_front();
            self.first_own = self.first_own.wrapping_add(1);
        } else {
            // The chunks before this event's hold only older events' text. (Its own chunk may
            // hold newer ones, and the text of a slot made but not yet pushed.)
            let dead = slot.chunk.wrapping_sub(self.first_chunk) as usize;
            self.chunks.drain(..dead);
            self.first_chunk = self.first_chunk.wrapping_add(dead as u32);
        }
        Some((self.first_seq - 1, slot.text_len()))
    }

    /// Forgets every event; the next one pushed is `next_seq`.
    pub fn clear(&mut self, next_seq: u64) {
        self.slots.clear();
        self.first_chunk = self.first_chunk.wrapping_add(self.chunks.len() as u32);
        self.chunks.clear();
        self.first_own = self.first_own.wrapping_add(self.own.len() as u32);
        self.own.clear();
        self.first_seq = next_seq;
    }

    pub fn get(&self, seq: u64) -> Option<StoredEvent<'_>> {
        let idx = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        self.slots.get(idx).map(|s| self.view(s, seq))
    }

    pub fn back(&self) -> Option<StoredEvent<'_>> {
        self.get(self.next_seq().checked_sub(1)?)
    }

    pub fn iter(&self) -> impl Iterator<Item = StoredEvent<'_>> + '_ {
        (self.first_seq..)
            .zip(&self.slots)
            .map(|(seq, s)| self.view(s, seq))
    }
}

/// Makes room for one more element, doubling but never past `capacity` (a `VecDeque` left to
/// itself would round 5,000 up to 8,192).
pub fn reserve_up_to<T>(deque: &mut VecDeque<T>, capacity: usize) {
    let len = deque.len();
    if len == deque.capacity() {
        let room = capacity.saturating_sub(len).clamp(1, len.max(8));
        deque.reserve_exact(room);
    }
}

fn millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        // Before 1970: rounded down too, so it shows the same millisecond.
        Err(e) => {
            i64::try_from(e.duration().as_nanos().div_ceil(1_000_000)).map_or(i64::MIN, |ms| -ms)
        }
    }
}

fn system_time(ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    let t = if ms >= 0 {
        UNIX_EPOCH.checked_add(d)
    } else {
        UNIX_EPOCH.checked_sub(d)
    };
    t.unwrap_or(UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring_with(data: &str) -> EventRing {
        let mut ring = EventRing::default();
        let slot = ring.slot(&"m".into(), "1", data, (false, false, false), UNIX_EPOCH);
        ring.push(slot, 10);
        ring
    }

    #[test]
    fn the_list_line_is_what_one_line_makes_of_the_data() {
        let long = "x".repeat(3000);
        let pretty = "{\n  \"a\": [1,\n 2]\n}";
        let mut spread = "[1,\n2]".to_string();
        spread.push_str(&" ".repeat(2000));
        for data in [
            "plain",
            "",
            "a\nb\x1b[2J",
            long.as_str(),
            pretty,
            spread.as_str(),
            "{\"a\":\n",
            "\u{202e}rtl",
        ] {
            let ring = ring_with(data);
            let e = ring.back().unwrap();
            let want = text::one_line(data, LINE_CHARS).unwrap_or_else(|| data.to_string());
            assert_eq!(e.line(), want, "for {data:?}");
            assert_eq!(e.data, data);
        }
    }

    #[test]
    fn only_a_compacted_json_line_is_cached() {
        assert_eq!(
            ring_with("{\n\"a\": 1}").back().unwrap().cached_line,
            Some("{\"a\":1}")
        );
        assert_eq!(ring_with("a\nb").back().unwrap().cached_line, None);
        assert_eq!(
            ring_with(&"y".repeat(2000)).back().unwrap().cached_line,
            None
        );
    }

    #[test]
    fn types_past_the_table_are_kept_exactly_in_the_event() {
        let mut ring = EventRing::default();
        for i in 0..40 {
            let slot = ring.slot(
                &format!("type-{i}").into(),
                "",
                "d",
                (i % 2 == 0, false, i % 3 == 0),
                UNIX_EPOCH,
            );
            ring.push(slot, 100);
        }
        assert_eq!(ring.types.len(), TABLE_TYPES);
        for (i, e) in ring.iter().enumerate() {
            assert_eq!(e.event_type, format!("type-{i}"));
            assert_eq!(e.seq, i as u64);
            assert_eq!((e.truncated, e.id_truncated), (i % 2 == 0, i % 3 == 0));
        }
    }

    #[test]
    fn times_keep_their_millisecond_before_and_after_1970() {
        for t in [
            UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456),
            UNIX_EPOCH - Duration::from_micros(1_500),
        ] {
            let back = system_time(millis(t));
            let ms = |t: SystemTime| {
                jiff::Timestamp::try_from(t)
                    .unwrap()
                    .strftime("%T%.3f")
                    .to_string()
            };
            assert_eq!(ms(back), ms(t));
        }
    }

    #[test]
    fn the_ring_grows_to_its_capacity_and_no_further() {
        let mut ring = EventRing::default();
        for _ in 0..5000 {
            let slot = ring.slot(&"m".into(), "", "d", (false, false, false), UNIX_EPOCH);
            ring.push(slot, 5000);
        }
        assert_eq!(ring.slots.capacity(), 5000);
    }

    #[test]
    fn chunks_are_freed_with_the_last_event_in_them_and_text_survives_eviction() {
        let mut ring = EventRing::default();
        let data = "z".repeat(1000);
        for i in 0..200u64 {
            let slot = ring.slot(
                &"m".into(),
                &i.to_string(),
                &data,
                (false, false, false),
                UNIX_EPOCH,
            );
            // A ring of 20: make room first, as a pane does.
            if ring.len() >= 20 {
                ring.pop_front();
            }
            ring.push(slot, 20);
            let newest = ring.back().unwrap();
            assert_eq!(
                (newest.seq, newest.id, newest.data),
                (i, &*i.to_string(), &*data)
            );
        }
        // 20 events of about 1 KB: two 16 KiB chunks, and one whose events have all gone.
        assert!(ring.chunks.len() <= 3, "{} chunks", ring.chunks.len());
        // A ring of one, emptied to make room: the new text is kept.
        let mut one = EventRing::default();
        for i in 0..3u64 {
            let slot = one.slot(
                &"m".into(),
                "",
                &"w".repeat(20_000),
                (false, false, false),
                UNIX_EPOCH,
            );
            one.pop_front();
            one.push(slot, 1);
            assert_eq!(one.back().unwrap().data.len(), 20_000);
            assert_eq!(one.back().unwrap().seq, i);
            assert_eq!((one.own.len(), one.chunks.len()), (1, 0));
        }
    }

    #[test]
    fn events_of_every_size_keep_their_text_and_a_few_chunks_at_most() {
        let mut ring = EventRing::default();
        let sizes = [3usize, 900, 5000, 40, 1025, 1024, 0, 20_000, 7];
        for i in 0..300usize {
            let data = char::from(b'a' + (i % 26) as u8)
                .to_string()
                .repeat(sizes[i % sizes.len()]);
            let id = format!("id-{i}");
            let slot = ring.slot(&"m".into(), &id, &data, (false, false, false), UNIX_EPOCH);
            if ring.len() >= 50 {
                ring.pop_front();
            }
            ring.push(slot, 50);
            for e in ring.iter() {
                let k = e.seq as usize;
                assert_eq!(e.id, format!("id-{k}"));
                assert_eq!(e.data.len(), sizes[k % sizes.len()]);
                assert!(e.data.bytes().all(|b| b == b'a' + (k % 26) as u8));
            }
        }
        // 50 events, a third of them small: one or two chunks of those, and a dead one.
        assert!(ring.chunks.len() <= 3, "{} chunks", ring.chunks.len());
    }
}
