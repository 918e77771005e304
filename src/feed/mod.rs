//! Feeds: one tokio task per feed, talking to the rest of the program only through messages.

mod http;
pub mod proxy;
mod queue;
pub mod reconnect;
mod spec;
mod task;

use std::time::{Duration, Instant, SystemTime};

pub use http::{ERROR_DETAIL_BYTES, load_ca_file, plain_duration, trust_description};
pub use queue::{BusyMark, Inbox, MSG_OVERHEAD, Overflow, QueueOptions, Sender, Traffic};
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
    /// Sent only to a consumer that asked for comments ([`QueueOptions::comments`]); the
    /// others read the count ([`Inbox::comments`]). The last event ID and the server's `retry:`
    /// are not messages at all but cells ([`Inbox::last_event_id`], [`Inbox::retry_ms`]).
    Comment {
        text: String,
        at: SystemTime,
    },
}

impl FeedMsg {
    /// Bytes of text the message carries: an event's data, type and id; a comment; a reason.
    pub fn text_len(&self) -> usize {
        match self {
            FeedMsg::Event { event, .. } => event.text_len(),
            FeedMsg::Comment { text, .. } => text.len(),
            FeedMsg::State(change) => change.reason.as_ref().map_or(0, String::len),
        }
    }

    /// What the message costs in a queue's byte budget: its text and [`MSG_OVERHEAD`].
    pub fn cost(&self) -> usize {
        self.text_len() + MSG_OVERHEAD
    }

    /// Events and comments may be dropped under overload; state changes never are.
    pub fn is_droppable(&self) -> bool {
        matches!(self, FeedMsg::Event { .. } | FeedMsg::Comment { .. })
    }
}
