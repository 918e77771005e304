//! The public SSE conformance vectors of `tests/conformance/` (168 of them, from WPT, LaunchDarkly's
//! contract tests, two npm parsers, Chromium, WebKit and undici), each served from one loopback
//! HTTP server and read by the feed engine in process, as `ssedash tail URL --reconnect-delay 100`
//! would. What is judged, and the one skipped vector: `tests/conformance/README.md`.
//!
//! `cargo test --test conformance -- --nocapture` prints the tally and every failure in detail;
//! `CONFORMANCE_ONLY=SUBSTRING` runs only the vectors whose name contains it.

#[path = "conformance/judge.rs"]
mod judge;
#[path = "conformance/server.rs"]
mod server;
#[path = "conformance/timing.rs"]
mod timing;
#[path = "conformance/vectors.rs"]
mod vectors;

use std::sync::Arc;
use std::time::Duration;

use ssedash::feed::{self, ConnState, FeedMsg, FeedSpec, Inbox, Overflow, QueueOptions};
use tokio::sync::Semaphore;
use tokio::time::{Instant, sleep, sleep_until};

use judge::{Seen, State};
use server::{Request, Run, Server};
use timing::INITIAL_DELAY_MS;
use vectors::Vector;

const VECTORS: &str = include_str!("conformance/sse-vectors.json");
/// Vectors run at the same time. Each feed builds its own HTTP client, which costs CPU (tens of
/// milliseconds in a debug build, more when the platform's trust store is read); hundreds at
/// once on a two-core machine would starve the server and stretch every timeline.
const AT_ONCE: usize = 16;
/// What a feed may spend setting itself up before its first attempt, beyond its timeline.
const SETUP: Duration = Duration::from_secs(10);
/// The vectors every build must pass, and the one documented skip.
const WANT_PASSED: usize = 167;
const WANT_SKIPPED: &[&str] = &["chromium-retry-empty-resets-default"];
/// The runs of the vectors that list `chunk_sizes_to_test`, one per size.
const WANT_PASSED_IN_SMALL_READS: usize = 40;

enum Verdict {
    Pass,
    Skip(String),
    Fail {
        reasons: Vec<String>,
        seen: Seen,
        requests: Vec<Request>,
    },
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_sse_vectors_pass_except_the_one_implementation_specific() {
    let tally = run_all("conformance", vectors::load(VECTORS, false)).await;
    assert!(
        tally.failed.is_empty(),
        "failed vectors: {}",
        tally.failed.join(", ")
    );
    if !tally.filtered {
        assert_eq!(tally.passed, WANT_PASSED);
        assert_eq!(tally.skipped, WANT_SKIPPED);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vectors_pass_when_their_bodies_arrive_in_1_and_2_byte_reads() {
    let tally = run_all(
        "conformance, 1- and 2-byte reads",
        vectors::load(VECTORS, true),
    )
    .await;
    assert!(
        tally.failed.is_empty(),
        "failed vectors: {}",
        tally.failed.join(", ")
    );
    if !tally.filtered {
        assert_eq!(tally.passed, WANT_PASSED_IN_SMALL_READS);
    }
}

struct Tally {
    passed: usize,
    failed: Vec<String>,
    skipped: Vec<String>,
    /// Only some vectors ran (`CONFORMANCE_ONLY`).
    filtered: bool,
}

/// Runs every vector at once, prints the failures in detail and the tally.
async fn run_all(label: &str, vectors: Vec<Vector>) -> Tally {
    let only = std::env::var("CONFORMANCE_ONLY")
        .ok()
        .filter(|s| !s.is_empty());
    let vectors: Vec<Arc<Vector>> = vectors
        .into_iter()
        .filter(|v| only.as_deref().is_none_or(|o| v.name.contains(o)))
        .map(Arc::new)
        .collect();
    let server = Arc::new(Server::start().await);
    let slots = Arc::new(Semaphore::new(AT_ONCE));
    let runs: Vec<_> = vectors
        .iter()
        .map(|v| {
            let (server, v, slots) = (server.clone(), v.clone(), slots.clone());
            tokio::spawn(async move {
                let _slot = slots
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                verdict(server, v).await
            })
        })
        .collect();
    let mut tally = Tally {
        passed: 0,
        failed: Vec::new(),
        skipped: Vec::new(),
        filtered: only.is_some(),
    };
    // Printed in one piece, so that the two tests' reports do not interleave.
    let mut report = String::new();
    for (v, run) in vectors.iter().zip(runs) {
        match run.await.expect("a vector's run panicked") {
            Verdict::Pass => tally.passed += 1,
            Verdict::Skip(why) => {
                report += &format!("SKIP {}: {why}\n", v.name);
                tally.skipped.push(v.name.clone());
            }
            Verdict::Fail {
                reasons,
                seen,
                requests,
            } => {
                report += &format!("FAIL {}: {}\n", v.name, reasons.join("; "));
                report += &details(v, &seen, &requests);
                tally.failed.push(v.name.clone());
            }
        }
    }
    let unrouted = server.routes.unrouted.lock().unwrap().clone();
    if let Some((method, target)) = unrouted.first() {
        report += &format!(
            "note: {} request(s) to paths outside /v/<name>, e.g. {method} {target}\n",
            unrouted.len()
        );
    }
    report += &format!(
        "{label}: {} passed, {} failed, {} skipped",
        tally.passed,
        tally.failed.len(),
        tally.skipped.len()
    );
    println!("{report}");
    tally
}

async fn verdict(server: Arc<Server>, vector: Arc<Vector>) -> Verdict {
    if let Some(why) = &vector.skip {
        return Verdict::Skip(why.clone());
    }
    let run = server.add(vector.clone());
    // Each client on a thread and runtime of its own, so that what a feed does before its
    // first request (building its HTTP client, reading the platform's trust store) holds up
    // only itself, never the server or another vector's timeline.
    let client_run = run.clone();
    let seen = tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the client")
            .block_on(run_client(&client_run))
    })
    .await
    .expect("the client's thread panicked");
    // Let the handler of a last request record its end, then end the streams still held open.
    sleep(Duration::from_millis(50)).await;
    run.finish();
    let requests = run.requests();
    server.remove(&run);
    let reasons = judge::judge(&vector, &seen, &requests);
    if reasons.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail {
            reasons,
            seen,
            requests,
        }
    }
}

/// One feed against the vector's URL, configured as `ssedash tail URL --reconnect-delay 100`
/// (plus `--last-event-id` and `-H` where the vector asks), until it closes or fails or the
/// vector's timeout passes. The timeout counts from the first connection attempt.
async fn run_client(run: &Run) -> Seen {
    let vector = &run.vector;
    let url = url::Url::parse(&run.url()).expect("a loopback URL");
    let mut spec = FeedSpec::new(run.url(), url);
    spec.reconnect.initial = Duration::from_millis(INITIAL_DELAY_MS);
    spec.last_event_id = vector.last_event_id.clone();
    spec.headers = vector.headers.clone();
    let mut inbox = Inbox::new();
    let mut handle = feed::spawn(
        Arc::new(spec),
        inbox.add_feed(QueueOptions::new(4096, 32 << 20, Overflow::Wait)),
    );
    let start = Instant::now();
    // Until the first attempt: the time a feed may take to set itself up.
    let mut deadline = start + vector.timeout + SETUP;
    let mut attempting = false;
    let mut seen = Seen::default();
    let mut batch = Vec::new();
    let mut task_ended = false;
    loop {
        tokio::select! {
            biased;
            _ = sleep_until(deadline) => {
                seen.ran_to_timeout = true;
                break;
            }
            _ = &mut handle.task, if !task_ended => {
                // Take what it sent before it ended.
                task_ended = true;
                inbox.try_recv(&mut batch, usize::MAX);
            }
            _ = inbox.recv(&mut batch, 512) => {}
        }
        let mut done = task_ended;
        for (_, msg) in batch.drain(..) {
            match msg {
                FeedMsg::Event { event, .. } => seen.events.push((
                    event.event_type.to_string(),
                    event.data.to_string(),
                    event.id.to_string(),
                )),
                FeedMsg::State(change) => {
                    if !attempting {
                        attempting = true;
                        deadline = Instant::now() + vector.timeout;
                    }
                    done |= change.state.is_final();
                    seen.states.push(State {
                        name: change.state.name(),
                        retry_in_ms: match change.state {
                            ConnState::Waiting { delay, .. } => Some(delay.as_millis() as u64),
                            _ => None,
                        },
                        status: change.status,
                        reason: change.reason,
                    });
                }
                _ => {}
            }
        }
        if done {
            break;
        }
    }
    seen.task_ended = task_ended;
    handle.task.abort();
    seen.exit = Some(Instant::now());
    seen.elapsed = start.elapsed();
    seen
}

/// What the client did and what the server saw, for a failed vector.
fn details(v: &Vector, seen: &Seen, requests: &[Request]) -> String {
    let mut out = format!(
        "    timeout {:.2} s, ran {:.2} s{}\n",
        v.timeout.as_secs_f64(),
        seen.elapsed.as_secs_f64(),
        if seen.ran_to_timeout {
            " (to the timeout)"
        } else {
            ""
        }
    );
    for q in requests {
        let headers: Vec<String> = q
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {}", judge::bytes(v)))
            .collect();
        out += &format!(
            "    request {}: {} {} -> {}  {}\n",
            q.index + 1,
            q.method,
            q.target,
            q.status,
            headers.join("; ")
        );
    }
    for s in &seen.states {
        out += &format!(
            "    | state {} status {:?} retry_in_ms {:?} reason {:?}\n",
            s.name, s.status, s.retry_in_ms, s.reason
        );
    }
    out + &format!("    | events {}\n", judge::fmt_events(&seen.events))
}
