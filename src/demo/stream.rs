//! What every demo stream shares: request parameters, SSE framing, the paced response body.
//!
//! A stream is a [`Script`]: it says how long to wait before its next block and writes that
//! block when it is due. [`respond`] turns a script into a response body that pulls from it, so
//! there is no producer task: when the client goes away, hyper drops the body, and with it the
//! script and its pending timer. Nothing outlives the connection.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::time::Instant;

/// A `: keep-alive` comment goes out after this much silence, so proxies and clients with a
/// read timeout see that the connection is alive.
pub const KEEP_ALIVE: Duration = Duration::from_secs(10);

/// The range of `?speed=`; 1000 turns seconds into milliseconds, enough for tests.
pub const MIN_SPEED: f64 = 0.1;
pub const MAX_SPEED: f64 = 1000.0;

/// Ids stay below 2^53 so that they are exact in JavaScript too; a larger `Last-Event-ID`
/// cannot have come from us and is ignored.
const MAX_RESUME_ID: u64 = (1 << 53) - 2;

/// One demo stream, as a sequence of timed blocks.
pub trait Script: Send + 'static {
    /// What comes next, and after how long since the previous block (before `?speed=`
    /// divides it).
    fn next(&mut self) -> Next;

    /// The block that is due now. Written at send time, so wall-clock stamps are current.
    fn block(&mut self) -> Bytes;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Write [`Script::block`] after this long.
    Block(Duration),
    /// End the response after this long.
    End(Duration),
}

/// What a stream request asks for.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Divides every interval (`?speed=`).
    pub speed: f64,
    /// The id of the first event: one after a valid `Last-Event-ID`, else 1.
    pub first_id: u64,
}

impl Params {
    /// Reads `?speed=` and `Last-Event-ID`. An unreadable speed is an error, to be answered
    /// with a 400 that says why.
    pub fn from_request(query: Option<&str>, headers: &HeaderMap) -> Result<Params, String> {
        let mut speed = 1.0;
        let pairs = url::form_urlencoded::parse(query.unwrap_or("").as_bytes());
        for (key, value) in pairs {
            if key == "speed" {
                speed = match value.trim().parse::<f64>() {
                    Ok(s) if !s.is_nan() => s.clamp(MIN_SPEED, MAX_SPEED),
                    _ => {
                        return Err(format!(
                            "speed must be a number ({MIN_SPEED} to {MAX_SPEED}, default 1)\n"
                        ));
                    }
                };
            }
        }
        // An id we cannot read (not ours, or from another stream) starts the stream afresh,
        // as a server that no longer has the history would.
        let first_id = headers
            .get("last-event-id")
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|&n| n <= MAX_RESUME_ID)
            .map_or(1, |n| n + 1);
        Ok(Params { speed, first_id })
    }

    fn scale(&self, d: Duration) -> Duration {
        // `speed` is finite and at least MIN_SPEED, so this cannot overflow or go negative.
        d.div_f64(self.speed)
    }
}

/// A `text/event-stream` response that plays `script` at `params.speed`.
pub fn respond(script: impl Script, params: Params) -> Response {
    let now = Instant::now();
    let player = Player {
        script,
        params,
        due: None,
        last_block: now,
        last_write: now,
    };
    let body = futures_util::stream::unfold(player, |mut player| async move {
        let bytes = player.next_write().await?;
        Some((Ok::<_, Infallible>(bytes), player))
    });
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        // nginx buffers responses unless told not to; harmless elsewhere.
        (
            HeaderName::from_static("x-accel-buffering"),
            HeaderValue::from_static("no"),
        ),
    ];
    (headers, Body::from_stream(body)).into_response()
}

struct Player<S> {
    script: S,
    params: Params,
    /// What the script said comes next, and when, once asked.
    due: Option<(Instant, Next)>,
    last_block: Instant,
    /// Blocks and keep-alives alike.
    last_write: Instant,
}

impl<S: Script> Player<S> {
    /// The next bytes to send, when it is time; `None` ends the response.
    async fn next_write(&mut self) -> Option<Bytes> {
        let (due, next) = match self.due {
            Some(due) => due,
            None => {
                let next = self.script.next();
                let (Next::Block(wait) | Next::End(wait)) = next;
                // Timed from the previous block as actually sent: a client that reads slowly
                // gets a slower stream, not a burst of catching up.
                let due = (self.last_block + self.params.scale(wait), next);
                self.due = Some(due);
                due
            }
        };
        let keep_alive_at = self.last_write + self.params.scale(KEEP_ALIVE);
        if keep_alive_at < due {
            tokio::time::sleep_until(keep_alive_at).await;
            self.last_write = Instant::now();
            return Some(Bytes::from_static(b": keep-alive\n\n"));
        }
        tokio::time::sleep_until(due).await;
        self.due = None;
        if let Next::End(_) = next {
            return None;
        }
        let now = Instant::now();
        self.last_block = now;
        self.last_write = now;
        Some(self.script.block())
    }
}

/// One event block: `id`, `event` (left out for `message`) and `data`, one `data:` line per
/// line of `data`.
pub fn event(id: u64, kind: &str, data: &str) -> Bytes {
    let mut out = format!("id: {id}\n");
    if kind != "message" {
        out.push_str("event: ");
        out.push_str(kind);
        out.push('\n');
    }
    for line in data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    Bytes::from(out)
}

/// `value` as JSON, fields in declaration order (a `json!` map would sort them).
pub fn json(value: &impl serde::Serialize) -> String {
    // Our plain structs of strings and numbers cannot fail to serialize.
    serde_json::to_string(value).unwrap_or_default()
}

/// A generator of pseudo-random values that depend only on `(stream, n)`: the same event id
/// always gets the same content, so a resumed stream continues the very same sequence.
pub fn seeded(stream: u64, n: u64) -> fastrand::Rng {
    fastrand::Rng::with_seed(mix(stream ^ mix(n)))
}

/// SplitMix64's finaliser: neighbouring inputs give unrelated seeds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A duration of a random number of milliseconds in `range`.
pub fn millis(rng: &mut fastrand::Rng, range: std::ops::RangeInclusive<u64>) -> Duration {
    Duration::from_millis(rng.u64(range))
}
