//! A line of the stream as bytes, and as text when the bytes are already known to be UTF-8.
//!
//! A read is validated once, as a whole; its lines (and their fields) are then slices of that
//! text, so a flood of short lines does not pay for a validator call per field. Lines from
//! a read with a bad byte, or split across reads, are decoded on their own, with replacement.

use std::borrow::Cow;

#[derive(Debug, Clone, Copy)]
pub(super) struct Line<'a> {
    pub bytes: &'a [u8],
    /// The same bytes as text, when they are known to be valid UTF-8.
    text: Option<&'a str>,
}

impl<'a> Line<'a> {
    /// A line not known to be valid UTF-8.
    pub fn raw(bytes: &'a [u8]) -> Self {
        Line { bytes, text: None }
    }

    /// A line already known to be text.
    pub fn from_text(text: &'a str) -> Self {
        Line {
            bytes: text.as_bytes(),
            text: Some(text),
        }
    }

    /// `bytes[start..end]`, as text when that range lies in `valid` (the read's valid prefix).
    pub fn within(bytes: &'a [u8], valid: &'a str, start: usize, end: usize) -> Self {
        Line {
            bytes: &bytes[start..end],
            text: valid.get(start..end),
        }
    }

    /// The line as text, when it is known to be valid UTF-8.
    pub fn text(&self) -> Option<&'a str> {
        self.text
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Bytes `start..end` of the line (text stays known only on character boundaries).
    pub fn slice(&self, start: usize, end: usize) -> Self {
        Line {
            bytes: &self.bytes[start..end],
            text: self.text.and_then(|t| t.get(start..end)),
        }
    }

    pub fn from(&self, start: usize) -> Self {
        self.slice(start, self.len())
    }

    pub fn to(&self, end: usize) -> Self {
        self.slice(0, end)
    }

    /// The line as text, invalid sequences replaced by U+FFFD.
    pub fn lossy(&self) -> Cow<'a, str> {
        match self.text {
            Some(text) => Cow::Borrowed(text),
            None => match std::str::from_utf8(self.bytes) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(self.bytes),
            },
        }
    }
}

/// The longest prefix of `bytes` that is valid UTF-8 (a read may end inside a character).
pub(super) fn valid_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    }
}
