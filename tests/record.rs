//! Recording: `tail --record` and the dashboard's `--record` / `R` write the full-fidelity
//! NDJSON (a `meta` line, events, states, `retry:` values, comments when asked for) to a
//! file, appended and flushed as it goes, while stdout keeps its own format.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::pty::Tui;
use support::{Step, TestServer, sse_head, tail, write};

const WAIT: Duration = Duration::from_secs(20);

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn tail_record_writes_meta_retry_comments_states_and_events_while_stdout_gets_its_format() {
    let server = TestServer::always(vec![
        sse_head(),
        write("retry: 2500\n\n: beat\n\nid: 1\nevent: quote\ndata: {\"p\":1}\n\n"),
        write("id: 2\ndata: line one\ndata: line two\n\n"),
        Step::Hold,
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.ndjson");
    let url = format!("http://user:hunter2@{}/s", server.addr);
    let run = support::ssedash(
        &[
            "tail",
            &url,
            "--count",
            "2",
            "--comments",
            "--format",
            "data",
            "--record",
            file.to_str().unwrap(),
        ],
        WAIT,
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout, "{\"p\":1}\nline one\nline two\n",
        "stdout keeps --format data"
    );
    let rec = lines(&file);
    let meta = &rec[0];
    assert_eq!(meta["kind"], "meta");
    assert_eq!(meta["ssedash"], env!("CARGO_PKG_VERSION"));
    assert!(meta["started"].as_str().unwrap().ends_with('Z'));
    let recorded_url = meta["feeds"][0]["url"].as_str().unwrap();
    assert!(!recorded_url.contains("hunter2"), "{recorded_url}");
    assert!(recorded_url.contains("user:••••@"), "{recorded_url}");
    let kinds: Vec<String> = rec[1..]
        .iter()
        .map(|l| match l["kind"].as_str().unwrap() {
            "state" => format!("state:{}", l["state"].as_str().unwrap()),
            k => k.to_string(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "state:connecting",
            "state:open",
            "retry",
            "comment",
            "event",
            "event"
        ]
    );
    assert_eq!(rec[3]["retry_ms"], 2500);
    assert_eq!(rec[4]["text"], "beat");
    assert_eq!(rec[5]["type"], "quote");
    assert_eq!(rec[6]["data"], "line one\nline two");
    assert_eq!(rec[6]["id"], "2");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_comments_a_recording_has_none_and_a_second_run_appends_a_new_session() {
    let server =
        TestServer::always(vec![sse_head(), write(": beat\n\ndata: x\n\n"), Step::Hold]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.ndjson");
    for _ in 0..2 {
        let run = tail(
            &server.url("/s"),
            &["--count", "1", "--record", file.to_str().unwrap()],
        )
        .await;
        assert_eq!(run.code, Some(0), "{}", run.stderr);
    }
    let rec = lines(&file);
    assert_eq!(rec.iter().filter(|l| l["kind"] == "meta").count(), 2);
    assert_eq!(rec.iter().filter(|l| l["kind"] == "event").count(), 2);
    assert!(rec.iter().all(|l| l["kind"] != "comment"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recorded_event_is_in_the_file_while_tail_still_runs() {
    let server =
        TestServer::always(vec![sse_head(), write("id: 1\ndata: now\n\n"), Step::Hold]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.ndjson");
    let url = server.url("/s");
    let path = file.to_str().unwrap().to_string();
    let running = tokio::spawn(async move {
        support::ssedash(&["tail", &url, "--timeout", "8", "--record", &path], WAIT).await
    });
    // The server sends at once; once the event is in, the file has it while tail runs on.
    let start = Instant::now();
    loop {
        if lines(&file).iter().any(|l| l["data"] == "now") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(6),
            "not in the file: {:?}",
            lines(&file)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!running.is_finished(), "tail is still running");
    let run = running.await.unwrap();
    assert_eq!(run.code, Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_records_with_a_rec_badge_and_r_stops_and_starts_again() {
    let server = TestServer::start(|_, _| {
        let mut steps = vec![sse_head()];
        for i in 1..=400 {
            steps.push(write(format!("id: {i}\ndata: tick {i}\n\n")));
            steps.push(support::sleep_ms(50));
        }
        steps.push(Step::Hold);
        steps
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dash.ndjson");
    let url = server.url("/ticks");
    let path = file.to_str().unwrap().to_string();
    let check = file.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = Tui::start(&[&url, "--record", &path], 24, 120);
        tui.wait_text("● REC", WAIT);
        tui.wait_text("tick 5", WAIT);
        // While the dashboard runs, the file fills.
        let start = Instant::now();
        while !lines(&check).iter().any(|l| l["data"] == "tick 3") {
            assert!(start.elapsed() < WAIT, "{:?}", lines(&check));
            std::thread::sleep(Duration::from_millis(20));
        }
        tui.keys("R");
        let screen = tui.wait_text("recording stopped", WAIT);
        assert!(!screen.contains("● REC"), "{screen}");
        let stopped = lines(&check).len();
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(
            lines(&check).len(),
            stopped,
            "nothing is written once stopped"
        );
        tui.keys("R");
        tui.wait_text("● REC", WAIT);
        tui.keys("q");
        assert_eq!(tui.wait_exit(WAIT), 0);
        let rec = lines(&check);
        assert_eq!(rec[0]["kind"], "meta");
        assert_eq!(
            rec.iter().filter(|l| l["kind"] == "meta").count(),
            2,
            "R appended a session"
        );
        let ids: Vec<u64> = rec
            .iter()
            .filter(|l| l["kind"] == "event")
            .map(|l| l["id"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "in order, no repeats: {ids:?}"
        );
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn record_into_a_folder_that_does_not_exist_is_a_usage_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ndjson");
    std::fs::write(
        &rec,
        concat!(
            r#"{"kind":"meta","ssedash":"0.1.0","started":"x","feeds":[{"name":"f","url":"http://127.0.0.1:1/f"}]}"#,
            "\n",
            r#"{"kind":"event","feed":"f","type":"t","data":"1","id":"1","at":"2026-01-01T00:00:01.000Z"}"#,
            "\n",
        ),
    )
    .unwrap();
    let target = dir.path().join("nonexistent").join("x.ndjson");
    let target = target.to_str().unwrap();
    let run = support::ssedash(
        &[
            "tail",
            "--replay",
            rec.to_str().unwrap(),
            "--speed",
            "0",
            "--record",
            target,
        ],
        WAIT,
    )
    .await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("--record {target}: cannot write to it")),
        "{}",
        run.stderr
    );
}
