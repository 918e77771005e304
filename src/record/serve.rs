//! `ssedash serve`: a recording as a mock SSE server. Each recorded feed is a stream at
//! `/feeds/NAME` with its ids, types, `retry:` lines, comments and timing; a recorded
//! disconnect ends the response; `Last-Event-ID` resumes right after that id. The streaming
//! body is the demo server's ([`crate::demo::stream`]).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use bytes::Bytes;
use tokio::net::TcpListener;

use super::{Recording, What};
use crate::demo::stream::{self, Next, Params, Script};

/// How `serve` plays its recording.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServeOptions {
    /// 1 is the original timing; 0 as fast as possible.
    pub speed: f64,
    /// Start again at the end of the recording instead of ending.
    pub looping: bool,
}

/// One step of a recorded feed as a server sends it.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// An event: its type, data and the last event ID at its dispatch.
    Event {
        event_type: Arc<str>,
        data: String,
        id: Arc<str>,
    },
    Retry(u64),
    Comment(String),
    /// The connection opened: nothing is sent, it only sets the time.
    Open,
    /// The recorded connection ended (a state other than `open` after it was open).
    Drop,
}

/// A feed as served: its steps and when each happened.
#[derive(Debug)]
struct Feed {
    name: String,
    steps: Vec<(SystemTime, Step)>,
}

struct Served {
    feeds: Vec<Feed>,
    opts: ServeOptions,
}

/// The feeds of `recording`, in the order of its first lines.
fn feeds(recording: &Recording) -> Vec<Feed> {
    let mut feeds: Vec<Feed> = recording
        .feeds
        .iter()
        .map(|f| Feed {
            name: f.name.clone(),
            steps: Vec::new(),
        })
        .collect();
    let mut open = vec![false; feeds.len()];
    for item in &recording.items {
        let step = match &item.what {
            What::Event(e) => Step::Event {
                event_type: e.event_type.clone().into(),
                data: e.data.to_string(),
                id: e.id.clone().into(),
            },
            What::Retry(ms) => Step::Retry(*ms),
            What::Comment(text) => Step::Comment(text.clone()),
            What::State { state, .. } if state == "open" => {
                open[item.feed] = true;
                Step::Open
            }
            What::State { .. } if open[item.feed] => {
                open[item.feed] = false;
                Step::Drop
            }
            What::State { .. } => continue,
        };
        feeds[item.feed].steps.push((item.at, step));
    }
    feeds
}

/// Where a request starts: right after the event with id `last_id` (after the last of the
/// events that share it, as a client that saw them all sends it), or at the start.
fn resume_at(steps: &[(SystemTime, Step)], last_id: Option<&str>) -> usize {
    let Some(last_id) = last_id.filter(|id| !id.is_empty()) else {
        return 0;
    };
    let is_it = |s: &Step| matches!(s, Step::Event { id, .. } if &**id == last_id);
    let Some(first) = steps.iter().position(|(_, s)| is_it(s)) else {
        return 0;
    };
    let mut at = first + 1;
    while let Some((_, s)) = steps.get(at) {
        match s {
            Step::Event { .. } if !is_it(s) => break,
            _ => at += 1,
        }
    }
    // What followed the resumed event up to the next event (a retry, a drop) still counts.
    let mut back = at;
    while back > first + 1 && !matches!(steps[back - 1].1, Step::Event { .. }) {
        back -= 1;
    }
    back
}

/// Plays a feed's steps from `at` to the next recorded disconnect.
struct Player {
    served: Arc<Served>,
    feed: usize,
    at: usize,
    /// The time of the step before `at` (the first step is sent at once).
    prev: Option<SystemTime>,
    /// The last event ID the client has from this response, to send `id:` only on a change.
    last_id: Arc<str>,
    /// Ids of the block to write next.
    pending: Option<Bytes>,
    started: bool,
}

impl Player {
    fn steps(&self) -> &[(SystemTime, Step)] {
        &self.served.feeds[self.feed].steps
    }

    fn gap(&self, at: SystemTime) -> Duration {
        let gap = self
            .prev
            .and_then(|p| at.duration_since(p).ok())
            .unwrap_or_default();
        super::replay::scaled(gap, self.served.opts.speed)
    }
}

impl Script for Player {
    fn next(&mut self) -> Next {
        loop {
            if self.at >= self.steps().len() {
                if self.served.opts.looping && !self.steps().is_empty() {
                    self.at = 0;
                    self.prev = None;
                    continue;
                }
                return Next::End(Duration::ZERO);
            }
            let (at, step) = self.steps()[self.at].clone();
            let gap = self.gap(at);
            self.prev = Some(at);
            self.at += 1;
            let block = match step {
                // A disconnect right where the client resumes is not for this connection.
                Step::Drop if !self.started => continue,
                Step::Drop => return Next::End(gap),
                Step::Open => continue,
                Step::Retry(ms) => format!("retry: {ms}\n\n").into(),
                Step::Comment(text) => format!(": {text}\n\n").into(),
                Step::Event {
                    event_type,
                    data,
                    id,
                } => {
                    let mut block = String::with_capacity(data.len() + 32);
                    if id != self.last_id {
                        block.push_str("id: ");
                        block.push_str(&id);
                        block.push('\n');
                        self.last_id = id;
                    }
                    if &*event_type != "message" {
                        block.push_str("event: ");
                        block.push_str(&event_type);
                        block.push('\n');
                    }
                    for line in data.split('\n') {
                        block.push_str("data: ");
                        block.push_str(line);
                        block.push('\n');
                    }
                    block.push('\n');
                    block.into()
                }
            };
            self.started = true;
            self.pending = Some(block);
            return Next::Block(gap);
        }
    }

    fn block(&mut self) -> Bytes {
        self.pending.take().unwrap_or_default()
    }
}

const INDEX_HEAD: &str = "ssedash serve: recorded Server-Sent Events feeds.\n\n";

/// Serves `recording` on `listener` until the task is dropped.
pub async fn serve(
    listener: TcpListener,
    recording: &Recording,
    opts: ServeOptions,
) -> std::io::Result<()> {
    let served = Arc::new(Served {
        feeds: feeds(recording),
        opts,
    });
    let app = Router::new()
        .route("/", get(index))
        .route("/feeds/{*name}", get(feed))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "not found; the feeds are listed at /\n",
            )
        })
        .with_state(served);
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await
}

async fn index(State(served): State<Arc<Served>>) -> String {
    let mut out = INDEX_HEAD.to_string();
    for f in &served.feeds {
        let events = f
            .steps
            .iter()
            .filter(|(_, s)| matches!(s, Step::Event { .. }))
            .count();
        out.push_str(&format!(
            "  /feeds/{}    {events} events\n",
            url_path(&f.name)
        ));
    }
    out.push_str("\nLast-Event-ID resumes right after that id.\n");
    out
}

/// A feed name as a URL path (names may hold `/` and spaces).
pub(crate) fn url_path(name: &str) -> String {
    name.split('/')
        .map(|part| url::form_urlencoded::byte_serialize(part.as_bytes()).collect::<String>())
        .collect::<Vec<_>>()
        .join("/")
        .replace('+', "%20")
}

async fn feed(
    State(served): State<Arc<Served>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(feed) = served.feeds.iter().position(|f| f.name == name) else {
        return (
            StatusCode::NOT_FOUND,
            "no such feed in the recording; the feeds are listed at /\n",
        )
            .into_response();
    };
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok());
    let steps = &served.feeds[feed].steps;
    let at = resume_at(steps, last_id);
    let rest = steps[at..]
        .iter()
        .any(|(_, s)| !matches!(s, Step::Drop | Step::Open));
    if at > 0 && !rest && !served.opts.looping {
        // Resumed past the end: nothing more will come, and a 204 says so.
        return StatusCode::NO_CONTENT.into_response();
    }
    let player = Player {
        prev: at.checked_sub(1).map(|i| steps[i].0),
        served: served.clone(),
        feed,
        at,
        last_id: Arc::from(last_id.unwrap_or("")),
        pending: None,
        started: false,
    };
    stream::respond(
        player,
        Params {
            speed: 1.0,
            first_id: 0,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str) -> Step {
        Step::Event {
            event_type: Arc::from("t"),
            data: id.into(),
            id: Arc::from(id),
        }
    }

    #[test]
    fn a_resume_starts_after_the_last_event_with_that_id() {
        let t = SystemTime::UNIX_EPOCH;
        let steps: Vec<_> = [
            Step::Open,
            ev("1"),
            ev("2"),
            ev("2"),
            Step::Retry(5),
            ev("3"),
        ]
        .into_iter()
        .map(|s| (t, s))
        .collect();
        assert_eq!(resume_at(&steps, Some("1")), 2);
        assert_eq!(
            resume_at(&steps, Some("2")),
            4,
            "the retry after it is kept"
        );
        assert_eq!(
            resume_at(&steps, Some("9")),
            0,
            "an unknown id starts afresh"
        );
        assert_eq!(resume_at(&steps, None), 0);
    }
}
