//! Feeds: one tokio task per feed, talking to the rest of the program only through messages.

mod http;
mod queue;
pub mod reconnect;
mod spec;
mod task;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

pub use http::load_ca_file;
pub use queue::{Inbox, Overflow, Sender};
pub use spec::{DEFAULT_BUFFER, DEFAULT_MAX_EVENT_BYTES, DEFAULT_READ_TIMEOUT, FeedSpec, Tls};
pub use task::{Command, FeedHandle, spawn};

use crate::sse::Event;

/// Index of a feed in the run's feed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FeedId(pub usize);

/// The connection state of a feed, as the user sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnState {
    Connecting,
    /// Status 200 and a valid Content-Type.
    Open,
    /// Waiting to make the next attempt at `retry_at`.
    Waiting {
        retry_at: Instant,
        delay: Duration,
    },
    /// Stopped for good, normally (204, stop event, end of stream without reconnect).
    Closed,
    /// Stopped for good by an error that will not get better.
    Failed,
}

impl ConnState {
    pub fn name(&self) -> &'static str {
        match self {
            ConnState::Connecting => "connecting",
            ConnState::Open => "open",
            ConnState::Waiting { .. } => "waiting",
            ConnState::Closed => "closed",
            ConnState::Failed => "failed",
        }
    }

    /// Closed or failed: nothing more happens unless the user reconnects.
    pub fn is_final(&self) -> bool {
        matches!(self, ConnState::Closed | ConnState::Failed)
    }
}

/// A change of connection state with its context.
#[derive(Debug, Clone, PartialEq)]
pub struct StateChange {
    pub state: ConnState,
    /// The connection attempt this state belongs to (for `waiting`: the one to come), from 1.
    pub attempt: u32,
    pub status: Option<u16>,
    pub reason: Option<String>,
    pub at: SystemTime,
}

/// What a feed task reports.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedMsg {
    State(StateChange),
    Event {
        event: Event,
        at: SystemTime,
    },
    Comment {
        text: String,
        at: SystemTime,
    },
    /// The server changed the reconnection time (`retry:`), in ms.
    Retry(u64),
    /// The last event ID changed (with or without an event).
    LastEventId(Arc<str>),
}

impl FeedMsg {
    /// Bytes of text the message carries (what bounds a queue besides its length).
    pub fn text_len(&self) -> usize {
        match self {
            FeedMsg::Event { event, .. } => event.data.len(),
            FeedMsg::Comment { text, .. } => text.len(),
            _ => 0,
        }
    }

    /// Events and comments may be dropped under overload; state changes never are.
    pub fn is_droppable(&self) -> bool {
        matches!(self, FeedMsg::Event { .. } | FeedMsg::Comment { .. })
    }
}
