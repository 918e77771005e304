//! When to reconnect, and after how long: a pure state machine with no I/O and no clock.
//!
//! The feed task reports how each connection attempt ended and gets back a [`Decision`]. Jitter
//! comes in as a number in `[0, 1)`, so every delay is exact in tests.
//!
//! Policy (`docs/sse.md`): the reconnection time starts at the configured initial delay and
//! a server `retry:` replaces it. A clean end of stream waits exactly the reconnection time
//! (raised to a floor, no jitter). Failures back off exponentially from it with jitter up to a
//! cap. `Retry-After` may lengthen that attempt's delay but never shorten it: a `Retry-After: 0`
//! (or a date in the past) backs off exactly like a plain 503, so a server cannot talk a client
//! into a reconnect storm. A successful open resets the failure count.

use std::time::Duration;

/// When a feed reconnects at all (`reconnect.when` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    /// After a clean end of stream and after errors.
    #[default]
    Always,
    /// After errors only; a clean end of stream closes the feed.
    OnError,
    /// Never: a clean end closes the feed, an error fails it.
    Never,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub when: When,
    /// The reconnection time until a server `retry:` replaces it.
    pub initial: Duration,
    /// The longest wait after failures (a server's `retry:` or `Retry-After` may exceed it).
    pub max: Duration,
    /// Growth per consecutive failure.
    pub factor: f64,
    /// Fraction of a failure delay that is randomised away (0 = none, 1 = "full jitter").
    pub jitter: f64,
    /// The least a clean end of stream waits, against `retry: 0` reconnect storms.
    pub floor: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            when: When::Always,
            initial: Duration::from_millis(3000),
            max: Duration::from_secs(60),
            factor: 2.0,
            jitter: 0.3,
            floor: FLOOR,
        }
    }
}

/// The floor of a clean-end reconnect: within SSE.md's 250 ms to 1 s.
pub const FLOOR: Duration = Duration::from_millis(500);
/// The least any failure waits.
pub const MIN_FAILURE_DELAY: Duration = Duration::from_millis(100);
/// The longest `Retry-After` honoured (an hour).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// An HTTP status in words, the same everywhere: `HTTP 503 Service Unavailable`, followed by
/// what the response body said when it said something (`HTTP 401 Unauthorized: bad key`).
/// Raw text: the edge that shows it escapes it.
pub fn status_reason(status: u16, detail: Option<&str>) -> String {
    let phrase = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    let mut reason = match phrase {
        Some(phrase) => format!("HTTP {status} {phrase}"),
        None => format!("HTTP {status}"),
    };
    if let Some(detail) = detail.filter(|d| !d.is_empty()) {
        reason.push_str(": ");
        reason.push_str(detail);
    }
    reason
}

/// How one connection attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// The server ended the response cleanly.
    CleanEnd,
    /// Connection refused, reset, DNS failure, TLS error, a stall: worth trying again.
    NetworkError(String),
    /// An HTTP status that may get better (5xx, 408, 429), with its `Retry-After` and what the
    /// response body said (see [`status_reason`]).
    RetryableStatus {
        status: u16,
        retry_after: Option<Duration>,
        detail: Option<String>,
    },
    /// 204 No Content: the server says stop.
    NoContent,
    /// A configured stop event arrived.
    StopEvent(String),
    /// The feed's `stop_when` expression was true for an event.
    StopWhen,
    /// A status or Content-Type that will not get better, a redirect loop, a bad request.
    Fatal { status: Option<u16>, reason: String },
    /// The user disconnected the feed.
    UserDisconnect,
}

/// What the feed does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Wait, then make attempt number `attempt`.
    Retry {
        delay: Duration,
        attempt: u32,
        status: Option<u16>,
        reason: String,
    },
    /// Stop for good, normally (`closed`).
    Close { status: Option<u16>, reason: String },
    /// Stop for good with an error (`failed`).
    Fail { status: Option<u16>, reason: String },
}

#[derive(Debug, Clone)]
pub struct Reconnect {
    policy: Policy,
    reconnection_time: Duration,
    failures: u32,
    attempt: u32,
}

impl Reconnect {
    pub fn new(policy: Policy) -> Self {
        Reconnect {
            reconnection_time: policy.initial,
            policy,
            failures: 0,
            attempt: 1,
        }
    }

    /// The number of the attempt being made (or waited for), from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    pub fn reconnection_time(&self) -> Duration {
        self.reconnection_time
    }

    /// A server `retry:` field.
    pub fn set_retry(&mut self, ms: u64) {
        self.reconnection_time = Duration::from_millis(ms);
    }

    /// Status 200 with a valid Content-Type: the server is healthy again.
    pub fn opened(&mut self) {
        self.failures = 0;
    }

    /// The user asked to connect now: a fresh start of the failure count.
    pub fn restart(&mut self) {
        self.failures = 0;
        self.attempt += 1;
    }

    /// The user asked to skip the wait: the coming attempt is made now, with a fresh start
    /// of the failure count.
    pub fn skip_wait(&mut self) {
        self.failures = 0;
    }

    /// Decides what follows an attempt's `ending`; `jitter_sample` is uniform in `[0, 1)`.
    pub fn decide(&mut self, ending: Ending, jitter_sample: f64) -> Decision {
        let when = self.policy.when;
        match ending {
            Ending::CleanEnd => match when {
                When::Always => self.retry(self.clean_delay(), None, "end of stream".into()),
                When::OnError | When::Never => Decision::Close {
                    status: None,
                    reason: "end of stream".into(),
                },
            },
            Ending::NetworkError(reason) => {
                if when == When::Never {
                    return Decision::Fail {
                        status: None,
                        reason,
                    };
                }
                self.failures = self.failures.saturating_add(1);
                let delay = self.backoff(jitter_sample);
                self.retry(delay, None, reason)
            }
            Ending::RetryableStatus {
                status,
                retry_after,
                detail,
            } => {
                let reason = status_reason(status, detail.as_deref());
                if when == When::Never {
                    return Decision::Fail {
                        status: Some(status),
                        reason,
                    };
                }
                self.failures = self.failures.saturating_add(1);
                // Retry-After only ever lengthens the backoff it would replace.
                let backoff = self.backoff(jitter_sample);
                let delay = match retry_after {
                    Some(after) => after.min(MAX_RETRY_AFTER).max(backoff),
                    None => backoff,
                };
                self.retry(delay, Some(status), reason)
            }
            Ending::NoContent => Decision::Close {
                status: Some(204),
                reason: format!("{}: the server asked to stop", status_reason(204, None)),
            },
            Ending::StopEvent(kind) => Decision::Close {
                status: None,
                reason: format!("stop event \"{kind}\""),
            },
            Ending::StopWhen => Decision::Close {
                status: None,
                reason: "stop_when matched".into(),
            },
            Ending::Fatal { status, reason } => Decision::Fail { status, reason },
            Ending::UserDisconnect => Decision::Close {
                status: None,
                reason: "disconnected".into(),
            },
        }
    }

    fn retry(&mut self, delay: Duration, status: Option<u16>, reason: String) -> Decision {
        self.attempt = self.attempt.saturating_add(1);
        Decision::Retry {
            delay,
            attempt: self.attempt,
            status,
            reason,
        }
    }

    /// A clean end waits exactly the reconnection time, but never less than the floor.
    fn clean_delay(&self) -> Duration {
        self.reconnection_time.max(self.policy.floor)
    }

    /// The delay after the `failures`-th failure in a row: the reconnection time grown by
    /// `factor` per earlier failure, capped, then shortened by up to `jitter` of itself.
    fn backoff(&self, jitter_sample: f64) -> Duration {
        // A server's `retry: 0` cannot push failures below the floor, nor can a configured
        // initial delay of 0 turn failures into a busy loop.
        let base = self
            .reconnection_time
            .max(self.policy.floor.min(self.policy.initial))
            .max(MIN_FAILURE_DELAY);
        let cap = self.policy.max.max(base);
        let growth = self
            .policy
            .factor
            .max(1.0)
            .powi(self.failures.saturating_sub(1).min(64) as i32);
        let grown = base.as_secs_f64() * growth;
        let capped = if grown.is_finite() {
            grown.min(cap.as_secs_f64())
        } else {
            cap.as_secs_f64()
        };
        let jitter = self.policy.jitter.clamp(0.0, 1.0) * jitter_sample.clamp(0.0, 1.0);
        // Jitter shortens the delay, but never below the least any failure waits.
        Duration::from_secs_f64(capped * (1.0 - jitter)).max(MIN_FAILURE_DELAY)
    }
}
