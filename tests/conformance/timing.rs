//! Time: how long a vector's run may take, and the reconnection time it is judged on.
//!
//! The reconnection time: after a clean end of stream the `waiting` state's delay is the
//! reconnection time (100 ms, or the last valid `retry:` so far) within WPT's 25 %, or raised to
//! a floor of at most 1 s (against `retry: 0` storms); and the next request comes no sooner than
//! 0.75 times that reconnection time after the server ended the stream.

use std::time::Duration;

use crate::judge::{Attempt, State};
use crate::vectors::{CHUNK_PAUSE, Class, Resp};

/// `--reconnect-delay 100`: the reconnection time before any `retry:` field.
pub const INITIAL_DELAY_MS: u64 = 100;
/// A client may raise short reconnection times to a floor of at most this (`retry: 0` storms).
const FLOOR_MAX_MS: u64 = 1000;
/// WPT's tolerance on the reconnection time.
const RETRY_TOLERANCE: f64 = 0.25;
/// Time allowed for one 5xx/408/429 backoff.
const BACKOFF_BUDGET_S: f64 = 3.0;
/// Slack on top of a vector's expected timeline.
const MARGIN_S: f64 = 1.5;
/// The least time a vector's client runs (the Python runner's default `--timeout`).
const BASE_TIMEOUT_S: f64 = 2.5;

/// How long a vector's run may last: the time a correct client needs to get through every
/// listed response (reconnection delays from retry fields and `after_delay_ms`, backoffs, chunk
/// pauses), plus a margin; never less than 2.5 s.
pub fn budget(responses: &[Resp]) -> Duration {
    let mut delay = INITIAL_DELAY_MS as f64;
    let mut t = 0.0;
    for (i, r) in responses.iter().enumerate() {
        let chunks = r.chunks.as_ref().map_or(0, Vec::len) as f64;
        t += 0.05 + chunks * CHUNK_PAUSE.as_secs_f64() * 1.5;
        if let Some(&last) = r.retry_values.last() {
            delay = last as f64;
        }
        if !(i + 1 < responses.len() || r.reconnect() == Some(true)) {
            continue;
        }
        match r.class {
            Class::Eof => {
                let next = responses.get(i + 1).and_then(|n| n.after_delay_ms);
                let want = delay.max(next.unwrap_or(0) as f64);
                t += (want * (1.0 + RETRY_TOLERANCE)).max(FLOOR_MAX_MS as f64) / 1000.0;
            }
            Class::Backoff => t += BACKOFF_BUDGET_S,
            _ => {}
        }
    }
    let secs = BASE_TIMEOUT_S.max(t + MARGIN_S);
    Duration::from_secs_f64((secs * 100.0).round() / 100.0)
}

/// The states a correct client reports for these attempts, in order (`connecting` aside).
pub fn expected_states(attempts: &[Attempt]) -> Vec<&'static str> {
    slots(attempts)
        .into_iter()
        .map(|(name, _, _)| name)
        .collect()
}

/// The states a response's class leads to; `has_next`: another attempt follows.
pub fn states_of(class: Class, has_next: bool) -> &'static [&'static str] {
    match class {
        Class::Eof => &["open", "waiting"],
        Class::Hold if has_next => &["open", "waiting"],
        Class::Hold => &["open"],
        Class::Closed => &["closed"],
        Class::Failed => &["failed"],
        Class::Backoff => &["waiting"],
        Class::Redirect | Class::BadRedirect => &[],
    }
}

/// Each expected state with the attempt it belongs to and the class of that attempt's end.
fn slots(attempts: &[Attempt]) -> Vec<(&'static str, usize, Class)> {
    let mut out = Vec::new();
    for (i, att) in attempts.iter().enumerate() {
        let class = att.last().1.class;
        let names = states_of(class, i + 1 < attempts.len());
        out.extend(names.iter().map(|&name| (name, i, class)));
        if matches!(class, Class::Closed | Class::Failed) {
            break; // a correct client stops here
        }
    }
    out
}

/// `states`: the reported ones, `connecting` aside; `in_order`: they are the expected ones,
/// so each can be matched with its attempt.
pub fn check(attempts: &[Attempt], states: &[&State], in_order: bool) -> Vec<String> {
    let mut reasons = Vec::new();
    // The reconnection time in force after each attempt.
    let mut delay = INITIAL_DELAY_MS;
    let delays_after: Vec<u64> = attempts
        .iter()
        .map(|att| {
            for (_, r) in &att.0 {
                delay = r.retry_values.last().copied().unwrap_or(delay);
            }
            delay
        })
        .collect();
    if in_order {
        for (s, (_, i, class)) in states.iter().zip(slots(attempts)) {
            if s.name != "waiting" {
                continue;
            }
            if class == Class::Eof && !delay_ok(s.retry_in_ms, delays_after[i]) {
                reasons.push(format!(
                    "waiting after attempt {}: retry_in_ms {:?}, but the reconnection time is {} (accepted: {})",
                    i + 1,
                    s.retry_in_ms,
                    delays_after[i],
                    delay_range(delays_after[i])
                ));
            } else if class == Class::Backoff && s.retry_in_ms.is_none() {
                let status = attempts[i].last().1.status;
                reasons.push(format!(
                    "waiting after HTTP {status}: retry_in_ms is not a delay"
                ));
            }
        }
    }
    for (i, pair) in attempts.windows(2).enumerate() {
        let (ended, fin) = pair[0].last();
        let (next, next_resp) = pair[1].0[0];
        let Some(end) = ended.end else { continue };
        if fin.class != Class::Eof {
            continue;
        }
        let want_ms = delays_after[i].max(next_resp.after_delay_ms.unwrap_or(0));
        let gap_ms = next.arrival.saturating_duration_since(end).as_secs_f64() * 1000.0;
        if gap_ms < 0.75 * want_ms as f64 - 5.0 {
            reasons.push(format!(
                "reconnected {gap_ms:.0} ms after the end of stream {}; reconnection time is {want_ms} ms",
                i + 1
            ));
        }
    }
    reasons
}

/// `retry_in_ms` after a clean end of stream: the reconnection time within 25 %, or a client
/// floor of at most 1 s above it.
fn delay_ok(got: Option<u64>, want: u64) -> bool {
    let Some(got) = got else { return false };
    let (lo, hi) = delay_bounds(want);
    (lo..=hi).contains(&got) || (want < got && got <= FLOOR_MAX_MS)
}

/// ±25 %, and 5 ms either way for clients that report the time left, rounded.
fn delay_bounds(want: u64) -> (u64, u64) {
    let w = want as f64;
    let lo = (w * (1.0 - RETRY_TOLERANCE) - 5.0 + 0.999).max(0.0) as u64;
    let hi = (w * (1.0 + RETRY_TOLERANCE) + 5.0) as u64;
    (lo, hi)
}

fn delay_range(want: u64) -> String {
    let (lo, hi) = delay_bounds(want);
    if want < FLOOR_MAX_MS {
        format!("{lo}..{} ms", hi.max(FLOOR_MAX_MS))
    } else {
        format!("{lo}..{hi} ms")
    }
}
