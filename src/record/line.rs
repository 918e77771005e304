//! The lines of a recording, as written and as read back.

use serde::{Deserialize, Serialize};

/// The first line of every recording session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    pub kind: String,
    pub ssedash: String,
    pub started: String,
    pub feeds: Vec<MetaFeed>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetaFeed {
    pub name: String,
    /// The URL with its password and credential query values masked.
    pub url: String,
}

/// Any line, as read back: the fields of every kind, the ones a kind lacks left out.
#[derive(Debug, Deserialize)]
pub struct AnyLine {
    pub kind: String,
    #[serde(default)]
    pub feed: Option<String>,
    #[serde(default, rename = "type")]
    pub event_type: Option<String>,
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub truncated: bool,
    #[serde(default)]
    pub type_truncated: bool,
    #[serde(default)]
    pub id_truncated: bool,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub attempt: Option<u32>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub retry_in_ms: Option<u64>,
    #[serde(default)]
    pub retry_ms: Option<u64>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub feeds: Option<Vec<MetaFeed>>,
}

/// An event line: the same fields, in the same order, as `tail`'s.
#[derive(Serialize)]
pub struct EventLine<'a> {
    pub kind: &'static str,
    pub feed: &'a str,
    #[serde(rename = "type")]
    pub event_type: &'a str,
    pub data: &'a str,
    pub id: &'a str,
    pub at: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub type_truncated: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub id_truncated: bool,
}

#[derive(Serialize)]
pub struct StateLine<'a> {
    pub kind: &'static str,
    pub feed: &'a str,
    pub state: &'static str,
    pub attempt: u32,
    pub status: Option<u16>,
    pub reason: Option<&'a str>,
    pub retry_in_ms: Option<u64>,
    pub at: &'a str,
}

#[derive(Serialize)]
pub struct CommentLine<'a> {
    pub kind: &'static str,
    pub feed: &'a str,
    pub text: &'a str,
    pub at: &'a str,
}

#[derive(Serialize)]
pub struct RetryLine<'a> {
    pub kind: &'static str,
    pub feed: &'a str,
    pub retry_ms: u64,
    pub at: &'a str,
}

/// `at` as the recording writes it: RFC 3339, UTC, milliseconds.
pub fn rfc3339(at: std::time::SystemTime) -> String {
    let ms = at
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => format!("{ts:.3}"),
        Err(_) => "1970-01-01T00:00:00.000Z".into(),
    }
}
