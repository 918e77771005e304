//! The text of an event's type or id: short, repeated on every event of a flood, and cloned
//! into every message and view that holds the event.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// Bytes held in place; longer text is shared.
const INLINE: usize = 23;

/// An event type or id. Up to 23 bytes (`quote`, `message`, a counter, a timestamp) it is held
/// in place, so making, cloning and dropping one touches no allocator and no shared counter; a
/// longer one (a UUID, a cursor) is an `Arc<str>`, so a clone never copies it. Reads as `&str`.
#[derive(Clone)]
pub struct FieldStr(Repr);

#[derive(Clone)]
enum Repr {
    Inline(InPlace),
    Shared(Arc<str>),
}

/// `bytes[..len]` is the text, valid UTF-8; the bytes past it are zero. Whole and aligned,
/// so that a copy is a few word moves (a packed layout made copies stall on partial stores).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C, align(8))]
struct InPlace {
    bytes: [u8; INLINE],
    len: u8,
}

impl FieldStr {
    pub fn new(text: &str) -> FieldStr {
        if text.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            FieldStr(Repr::Inline(InPlace {
                bytes,
                len: text.len() as u8,
            }))
        } else {
            FieldStr(Repr::Shared(Arc::from(text)))
        }
    }

    /// Becomes `text`: written in place when both are short (no new value moved in: a value
    /// made and at once copied stalls the copy on the writes just made); long text equal to
    /// the current one is kept, so a stream repeating a long type or id allocates it once.
    pub fn set(&mut self, text: &str) {
        match &mut self.0 {
            Repr::Inline(held) if text.len() <= INLINE => {
                held.bytes = [0; INLINE];
                held.bytes[..text.len()].copy_from_slice(text.as_bytes());
                held.len = text.len() as u8;
            }
            Repr::Shared(held) if **held == *text => {}
            _ => *self = FieldStr::new(text),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(held) => {
                // SAFETY: `new` copied these bytes whole from a `&str` and they never change.
                unsafe { std::str::from_utf8_unchecked(&held.bytes[..usize::from(held.len)]) }
            }
            Repr::Shared(text) => text,
        }
    }
}

impl Default for FieldStr {
    fn default() -> Self {
        FieldStr::new("")
    }
}

impl Deref for FieldStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for FieldStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for FieldStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for FieldStr {
    fn from(text: &str) -> Self {
        FieldStr::new(text)
    }
}

impl From<&String> for FieldStr {
    fn from(text: &String) -> Self {
        FieldStr::new(text)
    }
}

impl From<String> for FieldStr {
    fn from(text: String) -> Self {
        FieldStr::new(&text)
    }
}

impl From<Arc<str>> for FieldStr {
    fn from(text: Arc<str>) -> Self {
        if text.len() <= INLINE {
            FieldStr::new(&text)
        } else {
            FieldStr(Repr::Shared(text))
        }
    }
}

impl From<&FieldStr> for FieldStr {
    fn from(text: &FieldStr) -> Self {
        text.clone()
    }
}

impl From<FieldStr> for String {
    fn from(text: FieldStr) -> Self {
        text.as_str().to_owned()
    }
}

impl From<FieldStr> for Arc<str> {
    fn from(text: FieldStr) -> Self {
        match text.0 {
            Repr::Shared(text) => text,
            Repr::Inline { .. } => Arc::from(text.as_str()),
        }
    }
}

impl PartialEq for FieldStr {
    fn eq(&self, other: &Self) -> bool {
        // Text is held in place exactly when it is short, so the two forms never hold equal
        // text; in place, the bytes past `len` are zero, so whole arrays compare (no call).
        match (&self.0, &other.0) {
            (Repr::Inline(a), Repr::Inline(b)) => a == b,
            (Repr::Shared(a), Repr::Shared(b)) => Arc::ptr_eq(a, b) || a == b,
            _ => false,
        }
    }
}

impl Eq for FieldStr {}

impl PartialEq<str> for FieldStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for FieldStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for FieldStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<FieldStr> for str {
    fn eq(&self, other: &FieldStr) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<FieldStr> for &str {
    fn eq(&self, other: &FieldStr) -> bool {
        *self == other.as_str()
    }
}

impl PartialOrd for FieldStr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FieldStr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for FieldStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for FieldStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for FieldStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_any_length_reads_back_the_same_in_place_up_to_23_bytes_and_shared_beyond() {
        for len in 0..=40 {
            let text: String = "é0123456789abcdefghijklmnopqrstuvwxyz"
                .chars()
                .cycle()
                .take(len)
                .collect();
            let field = FieldStr::new(&text);
            assert_eq!(field.as_str(), text);
            assert_eq!(field.clone(), field);
            let shared = matches!(field.0, Repr::Shared(_));
            assert_eq!(shared, text.len() > INLINE, "{text:?}");
            assert_eq!(FieldStr::from(Arc::<str>::from(text.as_str())), field);
            assert_eq!(&*Arc::<str>::from(field), text);
        }
    }

    #[test]
    fn equality_is_equality_of_the_text_whatever_the_form() {
        let texts = [
            "",
            "a",
            "ab",
            &"x".repeat(23),
            &"x".repeat(24),
            &"y".repeat(24),
        ];
        for a in texts {
            for b in texts {
                let (x, y) = (FieldStr::new(a), FieldStr::new(b));
                assert_eq!(x == y, a == b, "{a:?} {b:?}");
                assert_eq!(x == FieldStr::from(Arc::<str>::from(b)), a == b);
            }
        }
    }

    #[test]
    fn set_gives_the_text_in_either_form_and_keeps_equal_long_text_shared() {
        let long = "x".repeat(40);
        let mut field = FieldStr::new("short");
        for text in ["", "ab", &long, &long, "again short", &"y".repeat(30)] {
            let before = field.as_ptr();
            let was = field.as_str().to_owned();
            field.set(text);
            assert_eq!(field.as_str(), text);
            if text.len() > INLINE && was == text {
                assert!(
                    std::ptr::eq(before, field.as_ptr()),
                    "equal long text is kept"
                );
            }
        }
    }

    #[test]
    fn a_clone_of_long_text_shares_it() {
        let field = FieldStr::new(&"x".repeat(100));
        let clone = field.clone();
        assert!(std::ptr::eq(field.as_ptr(), clone.as_ptr()));
    }

    #[test]
    fn the_type_is_four_words() {
        assert_eq!(std::mem::size_of::<FieldStr>(), 32);
    }
}
