//! What a vector's run is judged on: the events, the requests, whether and where the client
//! reconnected, the sequence of states, how the feed ended, and the reconnection time.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::server::Request;
use crate::vectors::{
    Class, FLOOR_MAX_MS, INITIAL_DELAY_MS, RETRY_TOLERANCE, Resp, Vector, is_placeholder,
    json_object,
};

pub type Ev = (String, String, String);

/// A state the feed reported (`connecting` included).
#[derive(Debug, Clone)]
pub struct State {
    pub name: &'static str,
    pub retry_in_ms: Option<u64>,
    pub status: Option<u16>,
    pub reason: Option<String>,
}

/// What the client did, as the feed engine reported it.
#[derive(Debug, Default)]
pub struct Seen {
    pub events: Vec<Ev>,
    pub states: Vec<State>,
    /// Stopped by the vector's timeout (no `closed` or `failed` came).
    pub ran_to_timeout: bool,
    /// The feed task ended without reporting `closed` or `failed`.
    pub task_ended: bool,
    pub elapsed: Duration,
    pub exit: Option<Instant>,
}

pub fn judge(vec: &Vector, seen: &Seen, reqs: &[Request]) -> Vec<String> {
    let mut reasons = Vec::new();
    if reqs.is_empty() {
        reasons.push("client made no request".to_owned());
        return reasons;
    }
    let served: Vec<(&Request, Resp)> = reqs
        .iter()
        .map(|q| (q, vec.response_for(q.index)))
        .collect();

    // events
    let want: Vec<Ev> = served.iter().flat_map(|(_, r)| r.events.clone()).collect();
    if want.len() != seen.events.len()
        || !seen
            .events
            .iter()
            .zip(&want)
            .all(|(g, w)| event_matches(g, w))
    {
        reasons.push(format!(
            "events: expected {}, got {}",
            fmt_events(&want),
            fmt_events(&seen.events)
        ));
    }

    // request expectations
    for (k, (q, r)) in served.iter().enumerate() {
        let label = if k == 0 {
            "first request".to_owned()
        } else {
            format!("request {}", k + 1)
        };
        reasons.extend(check_request(vec, q, r, &label));
    }

    let non_connecting: Vec<&State> = seen
        .states
        .iter()
        .filter(|s| s.name != "connecting")
        .collect();
    if vec.repeat_last {
        // 3xx with an empty Location: the client must report an error, never open or close.
        let names: Vec<&str> = non_connecting.iter().map(|s| s.name).collect();
        match names.first() {
            Some(&("failed" | "waiting")) if !names.iter().any(|s| matches!(*s, "open" | "closed")) => {}
            Some(&("failed" | "waiting")) => {
                reasons.push(format!("3xx with empty Location: states {} include open/closed", names.join(",")))
            }
            _ => reasons.push(format!(
                "3xx with empty Location: expected an error report (failed or waiting), got states {}",
                or_none(&names.join(","))
            )),
        }
        return reasons;
    }

    // Group requests into connection attempts (a redirect hop and its follow are one attempt).
    let mut attempts: Vec<Vec<&(&Request, Resp)>> = Vec::new();
    let mut follows_redirect = false;
    for served_one in &served {
        let q = served_one.0;
        if follows_redirect {
            attempts.last_mut().expect("an attempt").push(served_one);
            if q.path != vec.target_path {
                reasons.push(format!(
                    "request {} after a redirect went to {}, not the Location target {}",
                    q.index + 1,
                    q.path,
                    vec.target_path
                ));
            }
        } else {
            attempts.push(vec![served_one]);
            if q.path != vec.path {
                reasons.push(format!(
                    "request {} (a new connection) went to {}, expected the original URL {}",
                    q.index + 1,
                    q.path,
                    vec.path
                ));
            }
        }
        follows_redirect = served_one.1.class == Class::Redirect;
    }
    let final_of =
        |att: &Vec<&(&Request, Resp)>| -> Resp { att.last().expect("a request").1.clone() };
    let last_resp = final_of(attempts.last().expect("an attempt"));
    if last_resp.class == Class::Redirect {
        reasons.push(format!(
            "redirect {} to {} was not followed",
            last_resp.status,
            last_resp.location.as_deref().unwrap_or("")
        ));
    }

    let mut bad_reconnect = Vec::new();
    for (i, att) in attempts.iter().enumerate() {
        let fin = final_of(att);
        let mut rec = fin.reconnect();
        if rec.is_none() {
            rec = att[..att.len() - 1]
                .iter()
                .rev()
                .find_map(|(_, r)| r.expect_reconnect);
        }
        let is_last = i == attempts.len() - 1;
        if rec == Some(true) && is_last && fin.class != Class::Redirect {
            bad_reconnect.push(format!(
                "no reconnect after response {} (attempt {}); expected one",
                fin.describe(),
                i + 1
            ));
        }
        if rec == Some(false) && !is_last {
            let all = if attempts.len() > i + 2 {
                format!(" ({} attempts in all)", attempts.len())
            } else {
                String::new()
            };
            bad_reconnect.push(format!(
                "reconnected after response {} (attempt {}); must not{all}",
                fin.describe(),
                i + 1
            ));
        }
    }
    reasons.extend(bad_reconnect.into_iter().take(1));
    if last_resp.class == Class::Redirect {
        return reasons;
    }

    // state sequence
    let mut want_states: Vec<&str> = Vec::new();
    let mut slots: Vec<(usize, Resp)> = Vec::new(); // the attempt and final response of each wanted state
    for (i, att) in attempts.iter().enumerate() {
        let fin = final_of(att);
        let st = expected_states(fin.class, i + 1 < attempts.len());
        want_states.extend(&st);
        slots.extend(std::iter::repeat_n((i, fin.clone()), st.len()));
        if matches!(fin.class, Class::Closed | Class::Failed) {
            break; // a correct client stops here
        }
    }
    let got_names: Vec<&str> = non_connecting.iter().map(|s| s.name).collect();
    let last_start = attempts.last().expect("an attempt")[0].0.arrival;
    // The last attempt began just before the timeout ended the run.
    let raced = seen.ran_to_timeout
        && seen.exit.is_some_and(|exit| {
            exit.saturating_duration_since(last_start) < Duration::from_millis(500)
        });
    let mut ok = got_names == want_states;
    if !ok && raced {
        let n_before: usize = attempts[..attempts.len() - 1]
            .iter()
            .map(|a| expected_states(final_of(a).class, true).len())
            .sum();
        ok = got_names.len() >= n_before
            && got_names[..n_before] == want_states[..n_before.min(want_states.len())]
            && want_states[n_before.min(want_states.len())..]
                .iter()
                .take(got_names.len() - n_before)
                .eq(got_names[n_before..].iter());
    }
    if !ok {
        reasons.push(format!(
            "states: expected {}, got {}",
            or_none(&want_states.join(",")),
            or_none(&got_names.join(","))
        ));
    }

    // How the run ended: `tail` exits 1 after `failed`, 0 otherwise.
    let terminal = matches!(last_resp.class, Class::Closed | Class::Failed);
    let got_failed = got_names.contains(&"failed");
    let want_failed = last_resp.class == Class::Failed;
    // Cut by the timeout just as the last attempt began: it had no time to fail.
    let excused = raced && !got_failed;
    if got_failed != want_failed && !excused {
        reasons.push(format!(
            "the feed {}, expected it {}",
            if got_failed { "failed" } else { "did not fail" },
            if want_failed {
                "to fail"
            } else if terminal {
                "to close"
            } else {
                "to run until the timeout"
            }
        ));
    }
    if !terminal && !got_failed && !seen.ran_to_timeout {
        reasons.push(format!(
            "the run ended after {:.2} s ({}), before its timeout {:.2} s",
            seen.elapsed.as_secs_f64(),
            if seen.task_ended {
                "the feed task ended"
            } else {
                "the feed closed"
            },
            vec.timeout.as_secs_f64()
        ));
    }

    // Reconnection time: retry_in_ms of each `waiting` after a clean end of stream, and the gap.
    let mut delay = INITIAL_DELAY_MS;
    let mut delays_after = Vec::new();
    for att in &attempts {
        for (_, r) in att.iter().map(|x| (x.0, &x.1)) {
            if let Some(&last) = r.retry_values.last() {
                delay = last;
            }
        }
        delays_after.push(delay);
    }
    if ok {
        for (s, (i, fin)) in non_connecting.iter().zip(&slots) {
            if s.name != "waiting" {
                continue;
            }
            if fin.class == Class::Eof && !delay_ok(s.retry_in_ms, delays_after[*i]) {
                reasons.push(format!(
                    "waiting after attempt {}: retry_in_ms {:?}, but the reconnection time is {} (accepted: {})",
                    i + 1,
                    s.retry_in_ms,
                    delays_after[*i],
                    delay_range(delays_after[*i])
                ));
            } else if fin.class == Class::Backoff && s.retry_in_ms.is_none() {
                reasons.push(format!(
                    "waiting after HTTP {}: retry_in_ms is not a delay",
                    fin.status
                ));
            }
        }
    }
    for i in 0..attempts.len().saturating_sub(1) {
        let (fq, fin) = (
            attempts[i].last().expect("a request").0,
            &attempts[i].last().expect("a request").1,
        );
        let (nq, next) = (attempts[i + 1][0].0, &attempts[i + 1][0].1);
        let Some(end) = fq.end else { continue };
        if fin.class != Class::Eof {
            continue;
        }
        let want_ms = delays_after[i].max(next.after_delay_ms.unwrap_or(0));
        let gap_ms = nq.arrival.saturating_duration_since(end).as_secs_f64() * 1000.0;
        if gap_ms < 0.75 * want_ms as f64 - 5.0 {
            reasons.push(format!(
                "reconnected {gap_ms:.0} ms after the end of stream {}; reconnection time is {want_ms} ms",
                i + 1
            ));
        }
    }
    reasons
}

fn expected_states(class: Class, has_next: bool) -> Vec<&'static str> {
    match class {
        Class::Eof => vec!["open", "waiting"],
        Class::Hold if has_next => vec!["open", "waiting"],
        Class::Hold => vec!["open"],
        Class::Closed => vec!["closed"],
        Class::Failed => vec!["failed"],
        Class::Backoff => vec!["waiting"],
        Class::Redirect | Class::BadRedirect => vec![],
    }
}

fn check_request(vec: &Vector, req: &Request, resp: &Resp, label: &str) -> Vec<String> {
    let rq = &resp.request_expect;
    let mut out = Vec::new();
    if let Some(method) = &rq.method
        && &req.method != method
    {
        out.push(format!("{label}: method {}, expected {method}", req.method));
    }
    let values = |name: &str| -> Vec<&[u8]> {
        req.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .collect()
    };
    for (name, want) in &rq.headers {
        let got = values(name);
        if got.is_empty() {
            out.push(format!(
                "{label}: header {name} missing (expected {})",
                bytes(want)
            ));
        } else if got.iter().any(|g| g != want) {
            let got: Vec<String> = got.iter().map(|g| bytes(g)).collect();
            out.push(format!(
                "{label}: header {name} is {}, expected {}",
                got.join(" / "),
                bytes(want)
            ));
        }
    }
    for name in &rq.headers_absent {
        let got = values(name);
        if !got.is_empty() {
            let got: Vec<String> = got.iter().map(|g| bytes(g)).collect();
            out.push(format!(
                "{label}: header {name} must be absent, got {}",
                got.join(" / ")
            ));
        }
    }
    if let Some(url_path) = &rq.url_path
        && req.path != vec.target_path
    {
        out.push(format!(
            "{label}: path {}, expected the redirect target {} (vector: {url_path})",
            req.path, vec.target_path
        ));
    }
    out
}

/// The event as expected, or equal but for the keys of JSON data whose expected value is a
/// placeholder such as `<origin>`.
fn event_matches(got: &Ev, want: &Ev) -> bool {
    if got == want {
        return true;
    }
    if got.0 != want.0 || got.2 != want.2 {
        return false;
    }
    let placeholder = |v: &Value| v.as_str().is_some_and(is_placeholder);
    let Some(w) = json_object(&want.1).filter(|w| w.values().any(placeholder)) else {
        return false;
    };
    let Some(g) = json_object(&got.1) else {
        return false;
    };
    g.len() == w.len()
        && w.keys().all(|k| g.contains_key(k))
        && w.iter().all(|(k, v)| placeholder(v) || g.get(k) == Some(v))
}

/// `retry_in_ms` after a clean end of stream: the reconnection time within WPT's 25 %, or a
/// client floor of at most 1 s above it.
fn delay_ok(got: Option<u64>, want: u64) -> bool {
    let Some(got) = got else { return false };
    let (lo, hi) = delay_bounds(want);
    (lo..=hi).contains(&got) || (want < got && got <= FLOOR_MAX_MS)
}

/// ±25 %, and 5 ms either way for clients that print the time left, rounded.
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

pub fn fmt_events(evs: &[Ev]) -> String {
    const LIMIT: usize = 6;
    let shown: Vec<String> = evs
        .iter()
        .take(LIMIT)
        .map(|e| format!("({:?}, {:?}, {:?})", e.0, e.1, e.2))
        .collect();
    let more = if evs.len() > LIMIT {
        format!(", ...{} more", evs.len() - LIMIT)
    } else {
        String::new()
    };
    format!("[{}{more}]", shown.join(", "))
}

/// Header bytes for a message: text where it is printable ASCII, escaped elsewhere.
pub fn bytes(b: &[u8]) -> String {
    format!("b\"{}\"", b.escape_ascii())
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "none" } else { s }
}
