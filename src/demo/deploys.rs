//! `/deploys`: a CI/CD pipeline's log. Each deploy is `building`, `testing`, `rolling-out`,
//! then `live` (or `failed`, about one in seven), told by `log` lines several a second and
//! `deploy` status events; then health checks, and a quiet 12 to 18 s until the next deploy,
//! in which the keep-alive comment shows.
//!
//! Every response starts with `retry: 2000` and ends after 22 to 40 s, as behind a proxy that
//! cuts long requests, so a client's reconnect and `Last-Event-ID` resume can be watched.

use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;

use super::stream::{Next, Script, event, json, millis, seeded};

/// Events per deploy, padded with health checks: whole deploys have a fixed length, so the
/// deploy and step of any id are found without replaying the ones before.
const RUN_LEN: u64 = 40;
/// How long the response lasts, in ms (before `?speed=`).
const LIFETIME_MS: std::ops::RangeInclusive<u64> = 22_000..=40_000;

const SEED_RUN: u64 = 0x6465_706C;
const SEED_PACE: u64 = 0x7061_6365;
const SEED_LIFE: u64 = 0x6C69_6665;

/// Service and major version.
const SERVICES: [(&str, u64); 5] = [
    ("api", 2),
    ("web", 4),
    ("worker", 1),
    ("billing", 3),
    ("search", 1),
];
const BUILD_STEPS: [&str; 7] = [
    "fetching sources",
    "restoring dependency cache",
    "compiling {service}-server",
    "running linters",
    "building image {service}:{version}",
    "scanning image for known vulnerabilities",
    "pushing image to registry.internal",
];
const TESTS: [&str; 5] = [
    "checkout::applies_coupon",
    "auth::refresh_token_rotates",
    "search::paginates_results",
    "billing::prorates_upgrade",
    "queue::retries_with_backoff",
];

pub struct Deploys {
    next_id: u64,
    /// Blocks sent on this connection; the first is `retry:`.
    sent: u64,
    /// Time since the response started, as the script counts it (before `?speed=`).
    elapsed: Duration,
    lifetime: Duration,
    /// The deploy the next id belongs to, kept so it is made once, not once per line.
    run: Option<(u64, Vec<Line>)>,
}

#[derive(Debug, Clone)]
enum Line {
    /// Level, stage, text.
    Log(&'static str, &'static str, String),
    /// The `deploy` event's JSON.
    Status(String),
}

impl Deploys {
    pub fn new(first_id: u64) -> Self {
        Deploys {
            next_id: first_id,
            sent: 0,
            elapsed: Duration::ZERO,
            lifetime: millis(&mut seeded(SEED_LIFE, first_id), LIFETIME_MS),
            run: None,
        }
    }

    fn line(&mut self, id: u64) -> Line {
        let (run, step) = ((id - 1) / RUN_LEN, (id - 1) % RUN_LEN);
        if self.run.as_ref().is_none_or(|(n, _)| *n != run) {
            self.run = Some((run, deploy(run)));
        }
        let lines = self.run.as_ref().map(|(_, lines)| lines.as_slice());
        match lines.and_then(|lines| lines.get(step as usize)) {
            Some(line) => line.clone(),
            // Not reached: `deploy` pads every run to RUN_LEN lines.
            None => Line::Log("DEBUG", "health", "ok".into()),
        }
    }
}

impl Script for Deploys {
    fn next(&mut self) -> Next {
        if self.sent < 2 {
            // `retry:` and the first event at once.
            return Next::Block(Duration::ZERO);
        }
        let id = self.next_id;
        let mut rng = seeded(SEED_PACE, id);
        let wait = match self.line(id) {
            // The quiet between deploys.
            _ if (id - 1).is_multiple_of(RUN_LEN) => millis(&mut rng, 12_000..=18_000),
            Line::Status(_) => millis(&mut rng, 300..=900),
            Line::Log(..) => millis(&mut rng, 100..=500),
        };
        let left = self.lifetime.saturating_sub(self.elapsed);
        if wait > left {
            return Next::End(left);
        }
        self.elapsed += wait;
        Next::Block(wait)
    }

    fn block(&mut self) -> Bytes {
        self.sent += 1;
        if self.sent == 1 {
            return Bytes::from_static(b"retry: 2000\n\n");
        }
        let id = self.next_id;
        self.next_id += 1;
        match self.line(id) {
            Line::Log(level, stage, text) => {
                let time = jiff::Zoned::now().strftime("%H:%M:%S").to_string();
                event(id, "log", &format!("{time} {level:<5} {stage:<7} {text}"))
            }
            Line::Status(json) => event(id, "deploy", &json),
        }
    }
}

/// The `deploy` event.
#[derive(Serialize)]
struct Status<'a> {
    service: &'a str,
    version: &'a str,
    status: &'a str,
}

/// The lines of deploy number `run` (from 0), exactly [`RUN_LEN`] of them.
fn deploy(run: u64) -> Vec<Line> {
    let mut rng = seeded(SEED_RUN, run);
    let (service, major) = SERVICES[rng.usize(..SERVICES.len())];
    // One release number for all services keeps versions rising from deploy to deploy.
    let release = 100 + run;
    let version = format!("v{major}.{}.{}", release / 8, release % 8);
    let previous = format!("v{major}.{}.{}", (release - 1) / 8, (release - 1) % 8);
    let status = |status| {
        Line::Status(json(&Status {
            service,
            version: &version,
            status,
        }))
    };
    let log = |level, stage, text: String| Line::Log(level, stage, text);
    let mut out = Vec::with_capacity(RUN_LEN as usize);

    out.push(status("building"));
    let pr = 1000 + run * 3 + rng.u64(..3);
    let sha: String = (0..7).map(|_| rng.digit(16)).collect();
    out.push(log(
        "INFO",
        "build",
        format!("deploy of {service} {version}: merge of PR #{pr} ({sha})"),
    ));
    for (i, step) in BUILD_STEPS.iter().enumerate() {
        let step = step
            .replace("{service}", service)
            .replace("{version}", &version);
        out.push(log(
            "INFO",
            "build",
            format!("step {}/{}: {step}", i + 1, BUILD_STEPS.len()),
        ));
        if matches!(i, 1 | 4) && rng.bool() {
            let layer: String = (0..12).map(|_| rng.digit(16)).collect();
            out.push(log(
                "DEBUG",
                "build",
                format!("cache hit: layer sha256:{layer}"),
            ));
        }
    }

    // About one deploy in seven fails, half in tests and half in the rollout.
    let failure = rng.u8(..14);
    out.push(status("testing"));
    let shards = 4;
    out.push(log(
        "INFO",
        "test",
        format!("running {} tests in {shards} shards", rng.u32(180..=260)),
    ));
    for shard in 1..=shards {
        let name = TESTS[rng.usize(..TESTS.len())];
        if failure == 0 && shard == 3 {
            out.push(log(
                "ERROR",
                "test",
                format!("shard {shard}/{shards}: {name} failed: assertion `left == right` failed"),
            ));
            out.push(status("failed"));
            out.push(log(
                "INFO",
                "test",
                format!("deploy stopped; {service} {previous} keeps serving"),
            ));
            return pad(out, &mut rng, service, &previous);
        }
        if rng.u8(..5) == 0 {
            out.push(log(
                "WARN",
                "test",
                format!("flaky test {name} passed on retry 2/3"),
            ));
        }
        let secs = rng.u32(30..=90);
        out.push(log(
            "INFO",
            "test",
            format!(
                "shard {shard}/{shards} passed in {}.{} s",
                secs / 10,
                secs % 10
            ),
        ));
    }

    out.push(status("rolling-out"));
    let replicas = rng.u32(3..=5);
    for r in 1..=replicas {
        if failure == 1 && r == replicas {
            out.push(log(
                "ERROR",
                "rollout",
                format!("replica {r}/{replicas} crash-looping: exit code 137 (out of memory)"),
            ));
            out.push(log(
                "WARN",
                "rollout",
                format!("rolling back to {previous}"),
            ));
            out.push(status("failed"));
            return pad(out, &mut rng, service, &previous);
        }
        if rng.u8(..4) == 0 {
            let ms = rng.u32(1200..=2900);
            out.push(log(
                "WARN",
                "rollout",
                format!("replica {r}/{replicas} slow to pass readiness ({ms} ms)"),
            ));
        }
        out.push(log(
            "INFO",
            "rollout",
            format!("replica {r}/{replicas} ready on {version}"),
        ));
    }
    out.push(status("live"));
    out.push(log(
        "INFO",
        "rollout",
        format!("{service} {version} is live on {replicas} replicas"),
    ));
    pad(out, &mut rng, service, &version)
}

/// Health checks of the version now serving, up to [`RUN_LEN`] lines.
fn pad(mut out: Vec<Line>, rng: &mut fastrand::Rng, service: &str, serving: &str) -> Vec<Line> {
    while out.len() < RUN_LEN as usize {
        let p99 = rng.u32(60..=260);
        let level = if p99 > 240 { "WARN" } else { "DEBUG" };
        let errors = rng.u32(0..=30);
        let text = format!(
            "{service} {serving}: p99 {p99} ms, errors {}.{:02} %, {} req/s",
            errors / 100,
            errors % 100,
            rng.u32(400..=1600)
        );
        out.push(Line::Log(level, "health", text));
    }
    out.truncate(RUN_LEN as usize);
    out
}
