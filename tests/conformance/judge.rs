//! What a vector's run is judged on: the events, the requests, whether and where the client
//! reconnected, the sequence of states and how the feed ended. The reconnection time is judged
//! in `timing.rs`.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::server::Request;
use crate::timing;
use crate::vectors::{Class, Resp, Vector, is_placeholder, json_object};

/// An event as (type, data, last event ID).
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

/// A request and the response it got.
pub type Served<'a> = (&'a Request, Resp);

/// One connection attempt: a request, and the requests that followed its redirects.
pub struct Attempt<'a>(pub Vec<&'a Served<'a>>);

impl Attempt<'_> {
    pub fn first(&self) -> &Request {
        self.0[0].0
    }

    /// The request that ended the attempt, and its response.
    pub fn last(&self) -> &Served<'_> {
        self.0.last().expect("an attempt has a request")
    }
}

/// Why the run does not conform; empty when it does.
pub fn judge(vec: &Vector, seen: &Seen, reqs: &[Request]) -> Vec<String> {
    if reqs.is_empty() {
        return vec!["client made no request".to_owned()];
    }
    let served: Vec<Served> = reqs
        .iter()
        .map(|q| (q, vec.response_for(q.index)))
        .collect();
    let mut reasons = check_events(&served, &seen.events);
    for (k, (q, r)) in served.iter().enumerate() {
        let label = match k {
            0 => "first request".to_owned(),
            _ => format!("request {}", k + 1),
        };
        reasons.extend(check_request(vec, q, r, &label));
    }
    let states: Vec<&State> = seen
        .states
        .iter()
        .filter(|s| s.name != "connecting")
        .collect();
    if vec.repeat_last {
        reasons.extend(check_bad_redirect(&states));
        return reasons;
    }
    let attempts = group_attempts(vec, &served, &mut reasons);
    let last = &attempts.last().expect("an attempt").last().1;
    if last.class == Class::Redirect {
        reasons.push(format!(
            "redirect {} to {} was not followed",
            last.status,
            last.location.as_deref().unwrap_or("")
        ));
    }
    reasons.extend(check_reconnects(&attempts));
    if last.class == Class::Redirect {
        return reasons;
    }
    let in_order = check_states(vec, seen, &states, &attempts, &mut reasons);
    reasons.extend(timing::check(&attempts, &states, in_order));
    reasons
}

fn check_events(served: &[Served], got: &[Ev]) -> Vec<String> {
    let want: Vec<Ev> = served.iter().flat_map(|(_, r)| r.events.clone()).collect();
    let same = want.len() == got.len() && got.iter().zip(&want).all(|(g, w)| event_matches(g, w));
    if same {
        return Vec::new();
    }
    vec![format!(
        "events: expected {}, got {}",
        fmt_events(&want),
        fmt_events(got)
    )]
}

/// A 3xx with an empty Location: the client must report an error, never open or close.
fn check_bad_redirect(states: &[&State]) -> Option<String> {
    let names: Vec<&str> = states.iter().map(|s| s.name).collect();
    let list = names.join(",");
    match names.first() {
        Some(&("failed" | "waiting")) => names
            .iter()
            .any(|s| matches!(*s, "open" | "closed"))
            .then(|| format!("3xx with empty Location: states {list} include open/closed")),
        _ => Some(format!(
            "3xx with empty Location: expected an error report (failed or waiting), got states {}",
            or_none(&list)
        )),
    }
}

/// Requests as connection attempts (a redirect hop and its follow are one attempt); a follow
/// must go to the Location target, a new attempt to the original URL.
fn group_attempts<'a>(
    vec: &Vector,
    served: &'a [Served<'a>],
    reasons: &mut Vec<String>,
) -> Vec<Attempt<'a>> {
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut follows_redirect = false;
    for one in served {
        let q = one.0;
        if follows_redirect {
            attempts.last_mut().expect("an attempt").0.push(one);
            if q.path != vec.target_path {
                reasons.push(format!(
                    "request {} after a redirect went to {}, not the Location target {}",
                    q.index + 1,
                    q.path,
                    vec.target_path
                ));
            }
        } else {
            attempts.push(Attempt(vec![one]));
            if q.path != vec.path {
                reasons.push(format!(
                    "request {} (a new connection) went to {}, expected the original URL {}",
                    q.index + 1,
                    q.path,
                    vec.path
                ));
            }
        }
        follows_redirect = one.1.class == Class::Redirect;
    }
    attempts
}

/// Another attempt follows exactly where one must; the first mistake is reported.
fn check_reconnects(attempts: &[Attempt]) -> Option<String> {
    for (i, att) in attempts.iter().enumerate() {
        let fin = &att.last().1;
        // A redirect's target may leave it open; then what the redirect said counts.
        let rec = fin.reconnect().or_else(|| {
            att.0[..att.0.len() - 1]
                .iter()
                .rev()
                .find_map(|(_, r)| r.expect_reconnect)
        });
        let is_last = i == attempts.len() - 1;
        if rec == Some(true) && is_last && fin.class != Class::Redirect {
            return Some(format!(
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
            return Some(format!(
                "reconnected after response {} (attempt {}); must not{all}",
                fin.describe(),
                i + 1
            ));
        }
    }
    None
}

/// The states the responses imply, in order, and how the run ended (`tail` exits 1 after
/// `failed`). Returns whether the states came in the expected order.
fn check_states(
    vec: &Vector,
    seen: &Seen,
    states: &[&State],
    attempts: &[Attempt],
    reasons: &mut Vec<String>,
) -> bool {
    let want = timing::expected_states(attempts);
    let got: Vec<&str> = states.iter().map(|s| s.name).collect();
    let last_start = attempts.last().expect("an attempt").first().arrival;
    // The last attempt began just before the timeout ended the run: it may be unfinished.
    let raced = seen.ran_to_timeout
        && seen.exit.is_some_and(|exit| {
            exit.saturating_duration_since(last_start) < Duration::from_millis(500)
        });
    let mut in_order = got == want;
    if !in_order && raced {
        let before: usize = attempts[..attempts.len() - 1]
            .iter()
            .map(|a| timing::states_of(a.last().1.class, true).len())
            .sum();
        let split = before.min(want.len());
        in_order = got.len() >= before
            && got[..before] == want[..split]
            && want[split..]
                .iter()
                .take(got.len() - before)
                .eq(got[before..].iter());
    }
    if !in_order {
        reasons.push(format!(
            "states: expected {}, got {}",
            or_none(&want.join(",")),
            or_none(&got.join(","))
        ));
    }
    let last = &attempts.last().expect("an attempt").last().1;
    let terminal = matches!(last.class, Class::Closed | Class::Failed);
    let got_failed = got.contains(&"failed");
    let want_failed = last.class == Class::Failed;
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
    in_order
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
    let list = |got: &[&[u8]]| got.iter().map(|g| bytes(g)).collect::<Vec<_>>().join(" / ");
    for (name, want) in &rq.headers {
        let got = values(name);
        if got.is_empty() {
            out.push(format!(
                "{label}: header {name} missing (expected {})",
                bytes(want)
            ));
        } else if got.iter().any(|g| g != want) {
            let (got, want) = (list(&got), bytes(want));
            out.push(format!("{label}: header {name} is {got}, expected {want}"));
        }
    }
    for name in &rq.headers_absent {
        let got = values(name);
        if !got.is_empty() {
            out.push(format!(
                "{label}: header {name} must be absent, got {}",
                list(&got)
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

/// Header bytes for a message: printable ASCII as it is, other bytes escaped.
pub fn bytes(b: &[u8]) -> String {
    format!("b\"{}\"", b.escape_ascii())
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "none" } else { s }
}
