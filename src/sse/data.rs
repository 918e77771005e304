//! An event's data: text that may share the bytes of the read it came in.

use std::fmt;
use std::ops::Deref;

use bytes::Bytes;

/// An event's data, always valid UTF-8. In a flood an event's one data line is a slice of the
/// network read it arrived in (no copy, no allocation); otherwise it owns its bytes. Read it
/// as `&str` through [`Data::as_str`] or `Deref`; a consumer that keeps events for long
/// copies it (`String::from`, or `&str` into its own storage), so no read buffer stays pinned.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Data(Bytes);

impl Data {
    /// `text`, which must lie inside `read`, as a slice of `read`.
    pub(crate) fn shared(read: &Bytes, text: &str) -> Data {
        Data(read.slice_ref(text.as_bytes()))
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: every constructor takes its bytes from a `&str` or a `String` (`shared`,
        // the `From` impls), and the bytes are never changed afterwards.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }

    /// The same text in bytes of its own, so it no longer keeps a read buffer alive.
    pub(crate) fn unshare(&mut self) {
        self.0 = Bytes::copy_from_slice(&self.0);
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
        Data(Bytes::from(text))
    }
}

impl From<&str> for Data {
    fn from(text: &str) -> Data {
        Data(Bytes::copy_from_slice(text.as_bytes()))
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
