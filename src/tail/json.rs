//! The NDJSON event line, written by hand: the hot path of `tail`.
//!
//! serde_json spent about a fifth of a flood's time escaping strings through `io::Write`, a
//! few bytes per call. Here a string is copied and tested eight bytes at a time, the clean run
//! before a byte to escape is kept whole (a JSON payload costs a step per quote, not one per
//! byte), and a line is written into room reserved once for it. Only `"`,
//! `\` and C0 controls are escaped, exactly as serde_json does (short forms for
//! `\b \t \n \f \r`, `\u00xx` in lower-case hex for the others; DEL, U+2028 and U+2029 stay
//! as they are). The property test below holds the two to the same bytes.

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` as a JSON string, quotes included, byte for byte as serde_json writes it.
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    write(out, str_room(s), |w| w.put_str(s));
}

/// The most bytes [`Writer::put_str`] writes for `s`: every byte a six-byte `\u00xx`, the
/// quotes, and a word of slack for the whole-word stores near the end.
fn str_room(s: &str) -> usize {
    s.len() * 6 + 2 + 8
}

/// Reserves `room` bytes in `out` and lets `f` write at most that many into it.
#[inline(always)]
fn write(out: &mut Vec<u8>, room: usize, f: impl FnOnce(&mut Writer)) {
    out.reserve(room);
    let mut w = Writer {
        spare: &mut out.spare_capacity_mut()[..room],
        at: 0,
    };
    f(&mut w);
    let written = w.at;
    // SAFETY: `Writer` initialised exactly `spare[..written]`, inside the reserved capacity.
    unsafe { out.set_len(out.len() + written) };
}

/// Writes into a vector's spare capacity, reserved beforehand for the worst case, so nothing
/// checks for room or grows the vector; a write past it panics (slice indexing) rather than
/// growing it.
struct Writer<'a> {
    spare: &'a mut [std::mem::MaybeUninit<u8>],
    at: usize,
}

impl Writer<'_> {
    #[inline(always)]
    fn put(&mut self, b: u8) {
        self.spare[self.at].write(b);
        self.at += 1;
    }

    #[inline(always)]
    fn put_all(&mut self, bytes: &[u8]) {
        let dst = &mut self.spare[self.at..self.at + bytes.len()];
        for (d, &b) in dst.iter_mut().zip(bytes) {
            d.write(b);
        }
        self.at += bytes.len();
    }

    /// Stores a whole word without moving on: the caller moves `at` by the bytes it keeps.
    #[inline(always)]
    fn store_word(&mut self, word: u64) {
        let dst = &mut self.spare[self.at..self.at + 8];
        for (d, b) in dst.iter_mut().zip(word.to_le_bytes()) {
            d.write(b);
        }
    }

    /// `s` as a JSON string, quotes included. Eight bytes are tested at a time and stored
    /// whole; the run before the first byte to escape is kept and that byte escaped, so a
    /// JSON payload full of `"` costs a step per quote, not one per byte.
    #[inline(always)]
    fn put_str(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.put(b'"');
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            let (word, len) = match rest.get(..8) {
                Some(word) => (u64::from_le_bytes(word.try_into().expect("8 bytes")), 8),
                None => (load_short(rest), rest.len()),
            };
            self.store_word(word);
            let special = special_bytes(word);
            if special == 0 {
                self.at += len;
                i += len;
            } else {
                let clean = special.trailing_zeros() as usize / 8;
                self.at += clean;
                // The byte is taken from the word in hand, not loaded again.
                self.put_escaped((word >> (clean * 8)) as u8);
                i += clean + 1;
            }
        }
        self.put(b'"');
    }

    #[inline(always)]
    fn put_escaped(&mut self, b: u8) {
        // The quotes inside a JSON payload are by far the most common.
        if b == b'"' {
            return self.put_all(b"\\\"");
        }
        match ESCAPE[usize::from(b)] {
            0 => self.put(b),
            b'u' => self.put_all(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
            short => self.put_all(&[b'\\', short]),
        }
    }
}

/// The last bytes of a string (fewer than eight) as a little-endian word padded with spaces,
/// which need no escape. Read in pieces of 4, 2 and 1 bytes: bytes copied into a padded array
/// and read back as a word would stall the read on the stores just made.
#[inline(always)]
fn load_short(rest: &[u8]) -> u64 {
    debug_assert!(rest.len() < 8);
    let n = rest.len();
    let mut word = 0u64;
    let mut at = 0;
    if n & 4 != 0 {
        word = u64::from(u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")));
        at = 4;
    }
    if n & 2 != 0 {
        let pair = u16::from_le_bytes(rest[at..at + 2].try_into().expect("2 bytes"));
        word |= u64::from(pair) << (at * 8);
        at += 2;
    }
    if n & 1 != 0 {
        word |= u64::from(rest[at]) << (at * 8);
    }
    word | (u64::from_le_bytes([b' '; 8]) << (n * 8))
}

/// How each byte is written in a JSON string: 0 as itself, `u` as `\u00xx`, any other as a
/// backslash and that letter (serde_json's short forms).
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// The high bit of every byte of `word` (little-endian) that is below 0x20, a `"` or a
/// backslash, and no other bit. Exact per byte: no sum below carries out of its byte.
fn special_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = ONES * 0x7f;
    // High bit set where the byte is zero.
    let zero = |v: u64| !(((v & LOW7) + LOW7) | v) & !LOW7;
    // (b & 0x7f) + 0x60 reaches 0x80 exactly when b & 0x7f >= 0x20.
    let below_space = !(((word & LOW7) + ONES * 0x60) | word) & !LOW7;
    below_space | zero(word ^ (ONES * u64::from(b'"'))) | zero(word ^ (ONES * u64::from(b'\\')))
}

/// The pieces of one event line, for [`push_event`].
pub(super) struct EventFields<'a> {
    /// `{"kind":"event","feed":"<name>","type":`, made once per feed.
    pub head: &'a [u8],
    /// The event type as a JSON string, made once per type.
    pub event_type: &'a [u8],
    pub data: &'a str,
    pub id: &'a str,
    pub at: &'a str,
    pub truncated: bool,
    pub type_truncated: bool,
    pub id_truncated: bool,
}

/// The start of every event line of one feed.
pub(super) fn event_head(feed: &str) -> Vec<u8> {
    let mut head = br#"{"kind":"event","feed":"#.to_vec();
    push_str(&mut head, feed);
    head.extend_from_slice(br#","type":"#);
    head
}

/// Appends one event line (without its newline), the same bytes as serde_json gives
/// `print::EventLine`.
pub(super) fn push_event(out: &mut Vec<u8>, e: &EventFields) {
    // One reservation for the whole line, then plain stores.
    let room = e.head.len() + e.event_type.len() + str_room(e.data) + str_room(e.id) + e.at.len();
    // The field names, quotes and flags around them.
    write(out, room + 128, |w| {
        w.put_all(e.head);
        w.put_all(e.event_type);
        w.put_all(br#","data":"#);
        w.put_str(e.data);
        w.put_all(br#","id":"#);
        w.put_str(e.id);
        w.put_all(br#","at":""#);
        // An RFC 3339 time of ours: digits, `-`, `:`, `T`, `.` and `Z`, nothing to escape.
        debug_assert!(!e.at.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'));
        w.put_all(e.at.as_bytes());
        w.put(b'"');
        if e.truncated {
            w.put_all(br#","truncated":true"#);
        }
        if e.type_truncated {
            w.put_all(br#","type_truncated":true"#);
        }
        if e.id_truncated {
            w.put_all(br#","id_truncated":true"#);
        }
        w.put(b'}');
    });
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn serde(s: &str) -> Vec<u8> {
        serde_json::to_vec(s).unwrap()
    }

    fn ours(s: &str) -> Vec<u8> {
        let mut out = Vec::new();
        push_str(&mut out, s);
        out
    }

    #[test]
    fn special_bytes_marks_exactly_the_bytes_to_escape_at_every_position() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut word = [b'a'; 8];
                word[pos] = b;
                let want = if b < 0x20 || b == b'"' || b == b'\\' {
                    0x80u64 << (8 * pos)
                } else {
                    0
                };
                assert_eq!(
                    special_bytes(u64::from_le_bytes(word)),
                    want,
                    "{b:#x} at {pos}"
                );
            }
        }
    }

    #[test]
    fn every_single_character_class_is_escaped_as_serde_json_does() {
        for c in (0u32..0x300).chain([0x2028, 0x2029, 0x202e, 0xfeff, 0xfffd, 0x1f600]) {
            let c = char::from_u32(c).unwrap();
            for s in [
                c.to_string(),
                format!("abcdefgh{c}ijklmnop"),
                format!("{c}{c}"),
            ] {
                assert_eq!(ours(&s), serde(&s), "for U+{:04X}", c as u32);
            }
        }
    }

    /// Strings made of the characters that matter to an escaper, among plain ones, so that
    /// clean runs of every length meet escapes at every offset of an eight-byte word.
    fn tricky() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            4 => prop::char::range('a', 'z'),
            1 => prop::char::range('\0', '\x1f'),
            1 => prop::sample::select(vec!['"', '\\', '\x7f', '\u{80}', '\u{9b}', '\u{2028}',
                '\u{2029}', '\u{202e}', '\u{fffd}', 'é', '😀']),
        ];
        prop::collection::vec(c, 0..64).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn push_str_writes_the_bytes_serde_json_writes(s in tricky()) {
            prop_assert_eq!(ours(&s), serde(&s));
        }

        #[test]
        fn push_str_matches_serde_json_on_any_string(s in any::<String>()) {
            prop_assert_eq!(ours(&s), serde(&s));
        }

        #[test]
        fn push_str_matches_serde_json_after_invalid_utf8_is_replaced(
            raw in prop::collection::vec(any::<u8>(), 0..64)
        ) {
            let s = String::from_utf8_lossy(&raw);
            prop_assert_eq!(ours(&s), serde(&s));
        }
    }
}
