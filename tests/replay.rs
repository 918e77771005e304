//! Replays: `ssedash tail --replay` (the same replay the dashboard shows, headless) at full
//! speed and re-timed, with states as they were recorded, from a file, stdin or a point in it.

mod support;

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use support::ssedash;
use tokio::io::AsyncWriteExt;

const T0: i64 = 1_790_000_000_000; // ms since the epoch: 2026-09-21

fn at(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(T0 + ms)
        .unwrap()
        .to_string()
}

fn ms_of(v: &Value) -> i64 {
    let ts: jiff::Timestamp = v["at"].as_str().unwrap().parse().unwrap();
    ts.as_millisecond()
}

/// A recording of one feed `f`: open, then `data` events at the given ms, with a failure
/// countdown and a failure among them.
fn recording(events: &[(i64, &str)]) -> String {
    let mut out = String::new();
    out += r#"{"kind":"meta","ssedash":"0.1.0","started":"x","feeds":[{"name":"f","url":"http://127.0.0.1:1/f"}]}"#;
    out += "\n";
    out += &format!(
        "{{\"kind\":\"state\",\"feed\":\"f\",\"state\":\"open\",\"attempt\":1,\"status\":200,\"reason\":null,\"retry_in_ms\":null,\"at\":\"{}\"}}\n",
        at(0)
    );
    for (i, (t, data)) in events.iter().enumerate() {
        out += &format!(
            "{{\"kind\":\"event\",\"feed\":\"f\",\"type\":\"tick\",\"data\":\"{data}\",\"id\":\"{}\",\"at\":\"{}\"}}\n",
            i + 1,
            at(*t)
        );
    }
    out
}

fn with_trouble(mut rec: String, last: i64) -> String {
    rec += &format!(
        "{{\"kind\":\"state\",\"feed\":\"f\",\"state\":\"waiting\",\"attempt\":2,\"status\":503,\"reason\":\"HTTP 503 Service Unavailable\",\"retry_in_ms\":4000,\"at\":\"{}\"}}\n",
        at(last + 10)
    );
    rec += &format!(
        "{{\"kind\":\"state\",\"feed\":\"f\",\"state\":\"failed\",\"attempt\":2,\"status\":404,\"reason\":\"HTTP 404 Not Found\",\"retry_in_ms\":null,\"at\":\"{}\"}}\n",
        at(last + 20)
    );
    rec
}

fn write(rec: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.ndjson");
    std::fs::write(&path, rec).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_at_speed_0_gives_every_event_and_state_at_once_though_the_recording_spans_an_hour()
{
    let events: Vec<(i64, String)> = (0..50).map(|i| (i * 72_000, format!("e{i}"))).collect();
    let refs: Vec<(i64, &str)> = events.iter().map(|(t, d)| (*t, d.as_str())).collect();
    let (_dir, path) = write(&with_trouble(recording(&refs), 49 * 72_000));
    let run = ssedash(
        &[
            "tail", "--replay", &path, "--speed", "0", "--format", "ndjson",
        ],
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(
        run.code,
        Some(1),
        "the recorded feed ended failed: {}",
        run.stderr
    );
    let data: Vec<_> = run.event_triples().into_iter().map(|t| t.1).collect();
    assert_eq!(data, events.iter().map(|e| e.1.clone()).collect::<Vec<_>>());
    let states: Vec<_> = run
        .states()
        .iter()
        .map(|s| {
            (
                s["state"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap_or("").to_string(),
                s["retry_in_ms"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("open".into(), "".into(), None),
            (
                "waiting".into(),
                "HTTP 503 Service Unavailable".into(),
                Some(4000)
            ),
            ("failed".into(), "HTTP 404 Not Found".into(), None),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_at_speed_10_keeps_every_gap_within_10_percent_of_the_recorded_gap_divided_by_10() {
    // Recorded gaps of 3 to 6 s: 300 to 600 ms at ten times the speed.
    let times = [0, 3_000, 7_000, 12_000, 18_000, 22_000];
    let refs: Vec<(i64, &str)> = times.iter().map(|t| (*t, "x")).collect();
    let (_dir, path) = write(&recording(&refs));
    let run = ssedash(
        &[
            "tail", "--replay", &path, "--speed", "10", "--format", "ndjson",
        ],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // The replay's own timestamps: when each event was replayed.
    let got: Vec<i64> = run.events().iter().map(ms_of).collect();
    assert_eq!(got.len(), times.len());
    let mut report = Vec::new();
    for k in 1..times.len() {
        let want = (times[k] - times[k - 1]) as f64 / 10.0;
        let gap = (got[k] - got[k - 1]) as f64;
        report.push(format!("{want} ms -> {gap} ms"));
        assert!(
            (gap - want).abs() <= want * 0.10,
            "gap {k}: {gap} ms, want {want} ms ± 10 % ({report:?})"
        );
    }
    eprintln!("replay gaps at --speed 10: {report:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_reads_the_recording_from_stdin_as_dash() {
    let (_dir, _) = write("");
    let rec = recording(&[(0, "a"), (5, "b")]);
    let mut child = tokio::process::Command::new(support::bin())
        .args(["tail", "--replay", "-", "--speed", "0", "--format", "data"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(rec.as_bytes()).await.unwrap();
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a\nb\n");
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_from_a_point_starts_there_and_a_duration_counts_from_the_recordings_start() {
    let refs: Vec<(i64, &str)> = vec![(0, "a"), (60_000, "b"), (120_000, "c")];
    let (_dir, path) = write(&recording(&refs));
    for from in ["90s", &at(60_000)] {
        let run = ssedash(
            &[
                "tail", "--replay", &path, "--speed", "0", "--from", from, "--format", "data",
            ],
            Duration::from_secs(20),
        )
        .await;
        let want = if from == "90s" { "c\n" } else { "b\nc\n" };
        assert_eq!(run.stdout, want, "--from {from}: {}", run.stderr);
    }
    let bad = ssedash(
        &["tail", "--replay", &path, "--from", "yesterday-ish"],
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(bad.code, Some(2));
    assert!(
        bad.stderr.contains("--from yesterday-ish"),
        "{}",
        bad.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_recording_is_a_usage_error_naming_file_and_line() {
    let (_dir, path) = write(
        "{\"kind\":\"event\",\"feed\":\"f\",\"at\":\"2026-01-01T00:00:00Z\"}\nnot json\n{}\n",
    );
    let run = ssedash(&["tail", "--replay", &path], Duration::from_secs(20)).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("rec.ndjson:2: not a recording line"),
        "{}",
        run.stderr
    );
    let mixed = ssedash(
        &["tail", "--replay", &path, "http://127.0.0.1:1/"],
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(mixed.code, Some(2));
    assert!(
        mixed.stderr.contains("--replay plays the recorded feeds"),
        "{}",
        mixed.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_speed_outside_0_01_to_1000_is_a_usage_error_saying_the_range_in_replay_tail_and_serve() {
    let (_dir, path) = write(&recording(&[(0, "a"), (60_000, "b")]));
    for speed in ["1e-300", "1e308", "0.001", "-1", "NaN"] {
        let speed = format!("--speed={speed}");
        for args in [
            vec!["tail", "--replay", &path, &speed],
            vec!["replay", &path, &speed],
            vec!["serve", &path, "--addr", "127.0.0.1:0", &speed],
        ] {
            let run = ssedash(&args, Duration::from_secs(20)).await;
            assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
            assert!(
                run.stderr.contains("from 0.01 to 1000"),
                "{args:?}: {}",
                run.stderr
            );
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
            assert!(run.stderr.len() < 200, "no 309 digits: {}", run.stderr);
        }
    }
}

/// Two feeds: `chat`, an OpenAI chat stream that says "Hello world", and `plain`.
fn chat_recording() -> String {
    let mut out = String::new();
    out += r#"{"kind":"meta","ssedash":"0.1.0","started":"x","feeds":[{"name":"chat","url":"http://127.0.0.1:1/chat"},{"name":"plain","url":"http://127.0.0.1:1/plain"}]}"#;
    out += "\n";
    let chunks = [
        r#"{"choices":[{"index":0,"delta":{"content":"Hello"}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"content":" world"}}]}"#,
        r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        "[DONE]",
    ];
    for (i, data) in chunks.iter().enumerate() {
        let line = serde_json::json!({
            "kind": "event", "feed": "chat", "type": "message", "data": data,
            "id": "", "at": at(i as i64 * 10),
        });
        out += &format!("{line}\n");
    }
    out += &format!(
        "{{\"kind\":\"event\",\"feed\":\"plain\",\"type\":\"note\",\"data\":\"plain-1\",\"id\":\"\",\"at\":\"{}\"}}\n",
        at(50)
    );
    for feed in ["chat", "plain"] {
        out += &format!(
            "{{\"kind\":\"state\",\"feed\":\"{feed}\",\"state\":\"closed\",\"attempt\":1,\"status\":null,\"reason\":\"done\",\"retry_in_ms\":null,\"at\":\"{}\"}}\n",
            at(60)
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn tail_replay_with_preset_prints_the_assembled_answer_not_the_chunks() {
    let (_dir, path) = write(&chat_recording());
    let run = ssedash(
        &[
            "tail",
            "--replay",
            &path,
            "--speed",
            "0",
            "--preset",
            "openai-chat",
            "--format",
            "text",
        ],
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("Hello world"), "{}", run.stdout);
    assert!(!run.stdout.contains("choices"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_and_tail_replay_take_each_feeds_views_from_a_config_by_name() {
    let (dir, path) = write(&chat_recording());
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        "[[feed]]\nname = \"chat\"\nurl = \"http://127.0.0.1:1/chat\"\npreset = \"openai-chat\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let run = ssedash(
        &[
            "tail", "--replay", &path, "--speed", "0", "--config", config, "--format", "text",
        ],
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("Hello world"), "{}", run.stdout);
    assert!(!run.stdout.contains("choices"), "{}", run.stdout);
    assert!(
        run.stdout.contains("plain-1"),
        "a feed not in the config stays a list: {}",
        run.stdout
    );

    // `replay` takes the same options; a config naming none of the recorded feeds is a
    // mistake, said before the dashboard would need a terminal.
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        "[[feed]]\nname = \"x\"\nurl = \"http://127.0.0.1:1/x\"\n",
    )
    .unwrap();
    let run = ssedash(
        &["replay", &path, "--config", other.to_str().unwrap()],
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("none of its feeds (x) is in the recording (chat, plain)"),
        "{}",
        run.stderr
    );
    let run = ssedash(
        &[
            "replay",
            &path,
            "--config",
            config,
            "--preset",
            "openai-chat",
        ],
        Duration::from_secs(20),
    )
    .await;
    assert!(
        run.stderr.contains("the dashboard needs a terminal"),
        "the options are taken: {}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_recording_says_cannot_read_without_a_line_0_and_a_junk_line_names_its_own_line()
{
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nonexist.ndjson");
    let missing = missing.to_str().unwrap();
    let run = ssedash(&["tail", "--replay", missing], Duration::from_secs(20)).await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("{missing}: cannot read: No such file")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(":0:"), "{}", run.stderr);

    let (_dir, path) = write(&format!("{}{{oops\n", recording(&[(0, "a")])));
    let run = ssedash(&["tail", "--replay", &path], Duration::from_secs(20)).await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("rec.ndjson:4: not a recording line"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("line 1 column"), "{}", run.stderr);
}
