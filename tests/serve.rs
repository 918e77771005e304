//! `ssedash serve`: a recording served as real SSE streams, checked by recording the demo
//! server through the real binary, serving that, and tailing it back.

mod support;

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use support::{TestServer, sleep_ms, sse_head, ssedash, tail, write};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// A running `ssedash serve`: its base URL; killed on drop.
struct Served {
    base: String,
    _child: tokio::process::Child,
}

async fn serve(file: &std::path::Path, args: &[&str]) -> Served {
    let mut cmd = tokio::process::Command::new(support::bin());
    cmd.arg("serve")
        .arg(file)
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("ssedash serve runs");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("serve says where it listens")
        .unwrap()
        .expect("a line");
    let base = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .map(|addr| format!("http://{addr}"))
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    // Keep reading stderr, so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Served {
        base,
        _child: child,
    }
}

/// The recording's events per feed, as (type, data, id).
fn recorded_events(path: &std::path::Path) -> BTreeMap<String, Vec<(String, String, String)>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        if v["kind"] == "event" {
            out.entry(v["feed"].as_str().unwrap().to_string())
                .or_default()
                .push((
                    v["type"].as_str().unwrap().to_string(),
                    v["data"].as_str().unwrap().to_string(),
                    v["id"].as_str().unwrap().to_string(),
                ));
        }
    }
    out
}

/// Per feed, how many events its first recorded connection brought (all, if it never
/// reconnected).
fn first_connection_lengths(path: &std::path::Path) -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut opens: BTreeMap<String, usize> = BTreeMap::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let Some(feed) = v["feed"].as_str() else {
            continue;
        };
        let opened = opens.entry(feed.to_string()).or_default();
        if v["kind"] == "state" && v["state"] == "open" {
            *opened += 1;
        } else if v["kind"] == "event" && *opened <= 1 {
            *counts.entry(feed.to_string()).or_default() += 1;
        }
    }
    counts
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recording_of_the_demo_served_and_tailed_back_gives_the_same_events_and_a_resume_has_no_gap_or_duplicate()
 {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.ndjson");
    let file_arg = file.to_str().unwrap();
    // Ten seconds of the real demo feeds, recorded through the real binary.
    let run = ssedash(
        &[
            "tail",
            "--demo",
            "--timeout",
            "10",
            "--format",
            "data",
            "--record",
            file_arg,
        ],
        Duration::from_secs(40),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let recorded = recorded_events(&file);
    assert!(
        recorded.get("ticker").is_some_and(|e| e.len() >= 10),
        "ten seconds of ticker: {recorded:?}"
    );
    let served = serve(&file, &["--speed", "0"]).await;
    let first_connections = first_connection_lengths(&file);
    for (feed, events) in &recorded {
        let url = format!("{}/feeds/{feed}", served.base);
        if events.iter().all(|e| e.2.is_empty()) && first_connections[feed] < events.len() {
            // A feed without ids that was reconnected (the demo assistant, a new answer per
            // connection): a reconnect without Last-Event-ID cannot say where it was, so it
            // plays from the start again. The first connection must come back whole.
            let n = first_connections[feed];
            let back = tail(&url, &["--count", &n.to_string(), "--timeout", "20"]).await;
            assert_eq!(
                back.event_triples(),
                events[..n],
                "feed {feed}: {}",
                back.stderr
            );
            continue;
        }
        // The stream ends where the recording does; the resume that follows gets a 204.
        let back = tail(&url, &["--timeout", "20"]).await;
        assert_eq!(
            &back.event_triples(),
            events,
            "feed {feed}: {}",
            back.stderr
        );
        assert_eq!(
            back.state_names().last().map(String::as_str),
            Some("closed")
        );
    }
    // A resume from the middle: everything after that id, nothing before it, no gap.
    let ticker = &recorded["ticker"];
    let middle = ticker.len() / 2;
    let resume_id = &ticker[middle].2;
    let url = format!("{}/feeds/ticker", served.base);
    let resumed = tail(&url, &["--last-event-id", resume_id, "--timeout", "20"]).await;
    assert_eq!(resumed.event_triples(), ticker[middle + 1..].to_vec());
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_sends_the_recorded_retry_line_ids_and_types_as_sse() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.ndjson");
    std::fs::write(
        &file,
        concat!(
            r#"{"kind":"meta","ssedash":"0.1.0","started":"2026-01-01T00:00:00.000Z","feeds":[{"name":"logs","url":"http://h/logs"}]}"#, "\n",
            r#"{"kind":"state","feed":"logs","state":"open","attempt":1,"status":200,"reason":null,"retry_in_ms":null,"at":"2026-01-01T00:00:00.000Z"}"#, "\n",
            r#"{"kind":"retry","feed":"logs","retry_ms":2500,"at":"2026-01-01T00:00:00.010Z"}"#, "\n",
            r#"{"kind":"event","feed":"logs","type":"log","data":"a\nb","id":"7","at":"2026-01-01T00:00:00.020Z"}"#, "\n",
            r#"{"kind":"comment","feed":"logs","text":"keep-alive","at":"2026-01-01T00:00:00.030Z"}"#, "\n",
            r#"{"kind":"event","feed":"logs","type":"message","data":"c","id":"7","at":"2026-01-01T00:00:00.040Z"}"#, "\n",
        ),
    )
    .unwrap();
    let served = serve(&file, &["--speed", "0"]).await;
    let addr = served.base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    sock.write_all(b"GET /feeds/logs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut body = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), sock.read_to_end(&mut body))
        .await
        .expect("the recorded stream ends")
        .unwrap();
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("content-type: text/event-stream"), "{body}");
    let stream = body.split("\r\n\r\n").nth(1).unwrap();
    // Chunked framing aside, the blocks in order; the second event shares the id, so no
    // `id:` line is repeated, and `message` needs no `event:` line.
    let blocks = [
        "retry: 2500\n\n",
        "id: 7\nevent: log\ndata: a\ndata: b\n\n",
        ": keep-alive\n\n",
        "data: c\n\n",
    ];
    let mut at = 0;
    for block in blocks {
        let found = stream[at..]
            .find(block)
            .unwrap_or_else(|| panic!("{block:?} in {stream:?}"));
        at += found + block.len();
    }
    let index = reqwest_get(&format!("{}/", served.base)).await;
    assert!(index.contains("/feeds/logs"), "{index}");
}

async fn reqwest_get(url: &str) -> String {
    let run = tokio::process::Command::new("curl")
        .args(["-s", "-m", "5", url])
        .output()
        .await;
    match run {
        Ok(out) => String::from_utf8_lossy(&out.stdout).into_owned(),
        Err(_) => {
            // No curl: ask by hand.
            let addr = url.trim_start_matches("http://").trim_end_matches('/');
            let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
            sock.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut body = Vec::new();
            sock.read_to_end(&mut body).await.unwrap();
            String::from_utf8_lossy(&body).into_owned()
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recorded_disconnect_is_served_as_a_dropped_connection_and_the_client_resumes_after_it() {
    // A live server that ends its first response after two events.
    let live = TestServer::start(|n, _| match n {
        0 => vec![
            sse_head(),
            write("retry: 1500\n\nid: 1\ndata: one\n\nid: 2\ndata: two\n\n"),
            sleep_ms(200),
        ],
        _ => vec![
            sse_head(),
            write("id: 3\ndata: three\n\nid: 4\ndata: four\n\n"),
            support::Step::Hold,
        ],
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("drop.ndjson");
    let rec = tail(
        &live.url("/s"),
        &["--count", "4", "--record", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(rec.code, Some(0), "{}", rec.stderr);
    let served = serve(&file, &["--speed", "1"]).await;
    let feed = recorded_events(&file).into_keys().next().unwrap();
    let back = tail(&format!("{}/feeds/{feed}", served.base), &["--count", "4"]).await;
    let data: Vec<_> = back.event_triples().into_iter().map(|t| t.1).collect();
    assert_eq!(data, ["one", "two", "three", "four"]);
    // The recorded end of the first response is an end here too: the client waited the
    // recorded retry and reconnected.
    let states: Vec<_> = back
        .states()
        .iter()
        .map(|s| {
            (
                s["state"].as_str().unwrap().to_string(),
                s["retry_in_ms"].clone(),
            )
        })
        .collect();
    assert!(
        states.contains(&("waiting".to_string(), Value::from(1500))),
        "{states:?}"
    );
    let events_before_wait = back
        .lines()
        .iter()
        .take_while(|l| l["state"] != "waiting")
        .filter(|l| l["kind"] == "event")
        .count();
    assert_eq!(
        events_before_wait, 2,
        "the connection dropped where it was recorded to"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resume_past_the_end_gets_204_and_with_loop_the_recording_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.ndjson");
    std::fs::write(
        &file,
        concat!(
            r#"{"kind":"state","feed":"f","state":"open","attempt":1,"status":200,"reason":null,"retry_in_ms":null,"at":"2026-01-01T00:00:00.000Z"}"#, "\n",
            r#"{"kind":"event","feed":"f","type":"message","data":"a","id":"1","at":"2026-01-01T00:00:00.010Z"}"#, "\n",
            r#"{"kind":"event","feed":"f","type":"message","data":"b","id":"2","at":"2026-01-01T00:00:00.020Z"}"#, "\n",
        ),
    )
    .unwrap();
    let once = serve(&file, &["--speed", "0"]).await;
    let url = format!("{}/feeds/f", once.base);
    let past = tail(&url, &["--last-event-id", "2", "--timeout", "10"]).await;
    assert_eq!(past.event_triples(), vec![]);
    let states = past.states();
    let closed = states
        .iter()
        .find(|s| s["state"] == "closed")
        .expect("closed");
    assert_eq!(closed["status"], 204, "{states:?}");
    drop(once);
    let looping = serve(&file, &["--speed", "0", "--loop"]).await;
    let url = format!("{}/feeds/f", looping.base);
    let again = tail(&url, &["--last-event-id", "2", "--count", "3"]).await;
    let data: Vec<_> = again.event_triples().into_iter().map(|t| t.1).collect();
    assert_eq!(data, ["a", "b", "a"]);
}
