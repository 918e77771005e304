//! The NDJSON event line, written by hand: the hot path of `tail`.
//!
//! serde_json spent about a fifth of a flood's time escaping strings through `io::Write`, a
//! few bytes per call. Here a string is copied and tested eight bytes at a time; only `"`,
//! `\` and C0 controls are escaped, exactly as serde_json does (short forms for
//! `\b \t \n \f \r`, `\u00xx` in lower-case hex for the others; DEL, U+2028 and U+2029 stay
//! as they are). The property test below holds the two to the same bytes.

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` as a JSON string, quotes included, byte for byte as serde_json writes it.
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Room for the worst case (every byte a six-byte `\u00xx`), so nothing below checks for
    // room or grows the vector: bytes are written straight into its spare capacity.
    out.reserve(bytes.len() * 6 + 2);
    let spare = out.spare_capacity_mut();
    let mut w = Writer { spare, at: 0 };
    w.put(b'"');
    let mut i = 0;
    // Eight bytes at a time: a clean word is copied whole; a word with a byte to escape is
    // copied byte by byte, escapes included.
    while let Some(word) = bytes.get(i..i + 8) {
        let word: [u8; 8] = word.try_into().expect("8 bytes");
        if special_bytes(u64::from_le_bytes(word)) == 0 {
            w.put_all(&word);
        } else {
            word.iter().for_each(|&b| w.put_escaped(b));
        }
        i += 8;
    }
    bytes[i..].iter().for_each(|&b| w.put_escaped(b));
    w.put(b'"');
    let written = w.at;
    // SAFETY: `Writer` initialised exactly `spare[..written]`, inside the reserved capacity.
    unsafe { out.set_len(out.len() + written) };
}

/// Writes into a vector's spare capacity, reserved beforehand for the worst case; a write past
/// it panics (slice indexing) rather than growing the vector.
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
    fn put_all(&mut self, bytes: &[u8; 8]) {
        let dst = &mut self.spare[self.at..self.at + 8];
        for (d, &b) in dst.iter_mut().zip(bytes) {
            d.write(b);
        }
        self.at += 8;
    }

    #[inline(always)]
    fn put_escaped(&mut self, b: u8) {
        match ESCAPE[usize::from(b)] {
            0 => self.put(b),
            b'u' => {
                for c in [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ] {
                    self.put(c);
                }
            }
            short => {
                self.put(b'\\');
                self.put(short);
            }
        }
    }
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
    out.extend_from_slice(e.head);
    out.extend_from_slice(e.event_type);
    out.extend_from_slice(br#","data":"#);
    push_str(out, e.data);
    out.extend_from_slice(br#","id":"#);
    push_str(out, e.id);
    out.extend_from_slice(br#","at":""#);
    // An RFC 3339 time of ours: digits, `-`, `:`, `T`, `.` and `Z`, nothing to escape.
    debug_assert!(!e.at.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'));
    out.extend_from_slice(e.at.as_bytes());
    out.push(b'"');
    if e.truncated {
        out.extend_from_slice(br#","truncated":true"#);
    }
    if e.type_truncated {
        out.extend_from_slice(br#","type_truncated":true"#);
    }
    if e.id_truncated {
        out.extend_from_slice(br#","id_truncated":true"#);
    }
    out.push(b'}');
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
