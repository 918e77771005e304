//! An event's data: text that may share the bytes of the read it came in.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use bytes::Bytes;

/// An event's data, always valid UTF-8. In a flood an event's one data line is a slice of the
/// network read it arrived in (no copy, no allocation); otherwise it owns its bytes. Read it
/// as `&str` through [`Data::as_str`] or `Deref`; a consumer that keeps events for long
/// copies it (`String::from`, or `&str` into its own storage), so no read buffer stays pinned.
#[derive(Clone)]
pub struct Data(Repr);

#[derive(Clone)]
enum Repr {
    /// `len` bytes at `start` of a read, shared by the events that came in it. The read is an
    /// `Arc` of our own, not a `Bytes` slice: cloning one is an inlined count increment, where
    /// a `Bytes` slice went through a call that returned it through memory, and the copy out
    /// of that memory stalled on the stores just made (`perf annotate`).
    Read {
        read: Arc<Bytes>,
        start: u32,
        len: u32,
    },
    Own(Arc<str>),
}

impl Data {
    /// `text`, which must lie inside `read`, as a slice of `read`.
    #[inline]
    pub(crate) fn shared(read: &Arc<Bytes>, text: &str) -> Data {
        let start = (text.as_ptr() as usize).wrapping_sub(read.as_ptr() as usize);
        assert!(
            start <= read.len() && text.len() <= read.len() - start,
            "the text lies inside the read"
        );
        match (u32::try_from(start), u32::try_from(text.len())) {
            (Ok(start), Ok(len)) => Data(Repr::Read {
                read: Arc::clone(read),
                start,
                len,
            }),
            // A read past 4 GiB: never from the network, but not worth a wrong slice.
            _ => Data::from(text),
        }
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Read { read, start, len } => {
                let (start, len) = (*start as usize, *len as usize);
                // SAFETY: `shared` checked that the range lies inside the read and took it
                // from a `&str`, so it is valid UTF-8; the read's bytes never change.
                unsafe { std::str::from_utf8_unchecked(read.get_unchecked(start..start + len)) }
            }
            Repr::Own(text) => text,
        }
    }

    /// The same text in bytes of its own, so it no longer keeps a read buffer alive.
    pub(crate) fn unshare(&mut self) {
        if matches!(self.0, Repr::Read { .. }) {
            self.0 = Repr::Own(Arc::from(self.as_str()));
        }
    }
}

impl Default for Data {
    fn default() -> Self {
        Data(Repr::Own(Arc::from("")))
    }
}

impl PartialEq for Data {
    fn eq(&self, other: &Data) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Data {}

impl Hash for Data {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Data {
    fn partial_cmp(&self, other: &Data) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Data {
    fn cmp(&self, other: &Data) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Deref for Data {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Data {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Data {
    fn from(text: String) -> Data {
        Data(Repr::Own(Arc::from(text)))
    }
}

impl From<&str> for Data {
    fn from(text: &str) -> Data {
        Data(Repr::Own(Arc::from(text)))
    }
}

impl From<Data> for String {
    fn from(data: Data) -> String {
        data.as_str().to_owned()
    }
}

impl PartialEq<str> for Data {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Data {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Data {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl fmt::Debug for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_line_reads_as_its_slice_and_unsharing_it_lets_the_read_go() {
        let read = Arc::new(Bytes::from_static(b"data: first\ndata: second\n"));
        let text = std::str::from_utf8(&read[18..24]).unwrap();
        let mut data = Data::shared(&read, text);
        assert_eq!(data.as_str(), "second");
        assert_eq!(Arc::strong_count(&read), 2, "the data holds the read");
        let copy = data.clone();
        data.unshare();
        assert_eq!(data, copy);
        drop(copy);
        assert_eq!(
            Arc::strong_count(&read),
            1,
            "nothing holds the read any more"
        );
        assert_eq!(data.as_str(), "second");
    }

    #[test]
    #[should_panic(expected = "the text lies inside the read")]
    fn text_from_elsewhere_is_refused() {
        let read = Arc::new(Bytes::from_static(b"data: x\n"));
        let _ = Data::shared(&read, "elsewhere");
    }
}
