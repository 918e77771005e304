//! `ssedash tail` against real HTTP servers on 127.0.0.1: each rule of `docs/sse.md`, as a
//! user of the NDJSON output sees it.

mod support;

use std::time::Duration;

use support::*;

fn triple(t: &str, d: &str, id: &str) -> (String, String, String) {
    (t.into(), d.into(), id.into())
}

/// The events a user sees from one response: `body` served once, read without reconnecting.
async fn tail_one_response(body: Vec<Step>) -> Run {
    let server = TestServer::always(body).await;
    tail(&server.url("/"), &["--no-reconnect", "--timeout", "5"]).await
}

#[tokio::test]
async fn line_endings_split_across_reads_count_once() {
    // CRLF with the CR and the LF in different reads, lone CR, LF, mixed. Each piece ends in a
    // CR and dispatches the event before it, so the client printed that event a pause before
    // the next piece was sent: the CR and its LF were in different reads.
    let run = tail_one_response(vec![
        sse_head(),
        write("data: zero\n\ndata: one\r"),
        sleep_ms(300),
        write("\n\r"),
        sleep_ms(300),
        write("\ndata: two\rdata: more\r\r"),
        sleep_ms(300),
        write("data: three\n\n"),
    ])
    .await;
    assert_eq!(
        run.event_triples(),
        vec![
            triple("message", "zero", ""),
            triple("message", "one", ""),
            triple("message", "two\nmore", ""),
            triple("message", "three", ""),
        ]
    );
    let at: Vec<jiff::Timestamp> = run
        .events()
        .iter()
        .map(|e| e["at"].as_str().unwrap().parse().unwrap())
        .collect();
    for pair in at.windows(2) {
        let gap = pair[1].duration_since(pair[0]);
        assert!(
            gap >= jiff::SignedDuration::from_millis(250),
            "events {at:?}: a split was read together"
        );
    }
    assert_eq!(run.state_names(), vec!["open", "closed"]);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
}

#[tokio::test]
async fn leading_bom_is_stripped_once_even_split_across_reads() {
    // The three bytes of the BOM take 1 s to arrive and the stall timeout is 0.8 s: the run
    // stays open only if the client read them in pieces (a read in between restarts the
    // timeout), so the BOM was split across reads.
    let server = TestServer::always(vec![
        sse_head(),
        write([0xEF]),
        sleep_ms(500),
        write([0xBB]),
        sleep_ms(500),
        write([0xBF]),
        write("data: a\n\n\u{FEFF}data: b\n\ndata: c\n\n"),
    ])
    .await;
    let run = tail(
        &server.url("/"),
        &["--no-reconnect", "--read-timeout", "0.8", "--timeout", "10"],
    )
    .await;
    assert_eq!(run.state_names(), vec!["open", "closed"], "{}", run.stdout);
    // The second BOM makes its line an unknown field, so `b` is never dispatched.
    assert_eq!(
        run.event_triples(),
        vec![triple("message", "a", ""), triple("message", "c", "")]
    );
}

#[tokio::test]
async fn comments_are_heartbeats_shown_with_comments_flag() {
    let server = TestServer::always(vec![
        sse_head(),
        write(": keep-alive\n\n:no space\ndata: x\n\n"),
    ])
    .await;
    let run = tail(
        &server.url("/"),
        &["--no-reconnect", "--comments", "--timeout", "5"],
    )
    .await;
    let comments: Vec<_> = run
        .lines()
        .into_iter()
        .filter(|l| l["kind"] == "comment")
        .map(|l| l["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(comments, vec!["keep-alive", "no space"]);
    assert_eq!(run.event_triples(), vec![triple("message", "x", "")]);

    let quiet = tail(&server.url("/"), &["--no-reconnect", "--timeout", "5"]).await;
    assert!(quiet.lines().iter().all(|l| l["kind"] != "comment"));
}

#[tokio::test]
async fn id_with_nul_is_ignored_and_id_persists() {
    let run = tail_one_response(vec![
        sse_head(),
        write("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\ndata: c\n\nid\ndata: d\n\n"),
    ])
    .await;
    assert_eq!(
        run.event_triples(),
        vec![
            triple("message", "a", "1"),
            triple("message", "b", "1"),
            triple("message", "c", "1"),
            triple("message", "d", ""),
        ]
    );
}

#[tokio::test]
async fn retry_only_and_id_only_blocks_take_effect() {
    // The first connection only sets retry and id; the reconnect must wait the new time and
    // resume from that id.
    let server = TestServer::start(|n, _| match n {
        0 => vec![sse_head(), write("retry: 700\n\nid: 41\n\n")],
        1 => vec![sse_head(), write("id: 42\ndata: back\n\n")],
        _ => vec![head("204 No Content", &[])],
    })
    .await;
    let run = tail(&server.url("/feed"), &["--timeout", "10"]).await;
    let waiting = run
        .states()
        .into_iter()
        .find(|s| s["state"] == "waiting")
        .expect("a waiting state");
    assert_eq!(waiting["retry_in_ms"], 700);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[1].header_str("last-event-id").as_deref(), Some("41"));
    assert_eq!(reqs[2].header_str("last-event-id").as_deref(), Some("42"));
    assert_eq!(run.event_triples(), vec![triple("message", "back", "42")]);
    assert_eq!(
        run.state_names(),
        vec!["open", "waiting", "open", "waiting", "closed"]
    );
    assert_eq!(run.code, Some(0));
}

#[tokio::test]
async fn invalid_utf8_is_replaced_and_the_connection_kept() {
    let run = tail_one_response(vec![
        sse_head(),
        write(b"data: caf\xc3"),
        sleep_ms(20),
        write(b"\xa9 \xff ok\n\n: bad \xfe comment\ndata: still here\n\n"),
    ])
    .await;
    assert_eq!(
        run.event_triples(),
        vec![
            triple("message", "café \u{FFFD} ok", ""),
            triple("message", "still here", ""),
        ]
    );
    assert_eq!(run.state_names(), vec!["open", "closed"]);
}

#[tokio::test]
async fn status_204_closes_for_good() {
    let server = TestServer::always(vec![head("204 No Content", &[])]).await;
    let run = tail(&server.url("/"), &["--timeout", "10"]).await;
    assert_eq!(run.state_names(), vec!["closed"]);
    assert_eq!(run.states().last().unwrap()["status"], 204);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(run.code, Some(0));
}

#[tokio::test]
async fn server_errors_back_off_then_recover_with_attempt_numbers_counting_up() {
    let server = TestServer::start(|n, _| match n {
        0 => vec![head("503 Service Unavailable", &["Retry-After: 1"])],
        1 => vec![head("500 Internal Server Error", &[])],
        2 => vec![sse_head(), write("data: up\n\n")],
        _ => vec![head("204 No Content", &[])],
    })
    .await;
    let run = tail(
        &server.url("/"),
        &["--reconnect-delay", "100", "--timeout", "15"],
    )
    .await;
    let states = run.states();
    let waits: Vec<_> = states.iter().filter(|s| s["state"] == "waiting").collect();
    assert_eq!(waits[0]["status"], 503);
    assert_eq!(waits[0]["retry_in_ms"], 1000, "Retry-After: 1 is honoured");
    assert_eq!(waits[0]["reason"], "HTTP 503 Service Unavailable");
    assert_eq!(waits[1]["status"], 500);
    assert_eq!(run.event_triples(), vec![triple("message", "up", "")]);
    assert_eq!(
        run.state_names(),
        vec!["waiting", "waiting", "open", "waiting", "closed"]
    );
    // Attempt numbers count up across the retries: each wait names the attempt to come, and
    // that attempt connects under the same number.
    let attempts: Vec<_> = states
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["state"].as_str().unwrap(),
                s["attempt"].as_u64().unwrap()
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            "connecting 1",
            "waiting 2",
            "connecting 2",
            "waiting 3",
            "connecting 3",
            "open 3",
            "waiting 4",
            "connecting 4",
            "closed 4"
        ]
    );
    assert_eq!(run.code, Some(0));
}

#[tokio::test]
async fn wrong_content_type_fails_and_says_why() {
    let server = TestServer::always(vec![
        head("200 OK", &["Content-Type: text/html; charset=utf-8"]),
        write("<html>data: no</html>\n\n"),
    ])
    .await;
    let run = tail(&server.url("/"), &["--timeout", "10"]).await;
    assert!(run.events().is_empty());
    assert_eq!(run.state_names(), vec!["failed"]);
    let failed = run.states().pop().unwrap();
    assert_eq!(failed["reason"], "text/html is not text/event-stream");
    assert_eq!(
        server.requests().len(),
        1,
        "no retry after a wrong Content-Type"
    );
    assert_eq!(run.code, Some(1));
}

#[tokio::test]
async fn client_errors_fail_without_retry() {
    let server = TestServer::always(vec![head("404 Not Found", &[])]).await;
    let run = tail(&server.url("/missing"), &["--timeout", "10"]).await;
    assert_eq!(run.state_names(), vec!["failed"]);
    assert_eq!(run.states().pop().unwrap()["reason"], "HTTP 404 Not Found");
    assert_eq!(run.code, Some(1));
}

#[tokio::test]
async fn every_redirect_code_is_followed_and_reconnects_go_to_the_original_url() {
    for code in [
        "301 Moved Permanently",
        "302 Found",
        "303 See Other",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let server = TestServer::start(move |n, req| {
            if req.path == "/a/start" && n < 3 {
                vec![head(code, &["Location: moved/here"])]
            } else if req.path == "/a/moved/here" && n < 3 {
                vec![sse_head(), write("id: 7\ndata: arrived\n\n")]
            } else {
                vec![head("204 No Content", &[])]
            }
        })
        .await;
        let run = tail(
            &server.url("/a/start"),
            &["--reconnect-delay", "100", "--timeout", "10"],
        )
        .await;
        let reqs = server.requests();
        let paths: Vec<_> = reqs.iter().map(|r| r.path.as_str()).collect();
        // The relative Location resolves against /a/start; the reconnect starts over at /a/start.
        assert_eq!(
            paths[..3],
            ["/a/start", "/a/moved/here", "/a/start"],
            "{code}"
        );
        assert_eq!(
            run.event_triples(),
            vec![triple("message", "arrived", "7")],
            "{code}"
        );
        assert_eq!(
            reqs[2].header_str("last-event-id").as_deref(),
            Some("7"),
            "{code}"
        );
    }
}

#[tokio::test]
async fn redirect_loop_fails() {
    let server = TestServer::always(vec![head("302 Found", &["Location: /loop"])]).await;
    let run = tail(&server.url("/loop"), &["--timeout", "10"]).await;
    assert_eq!(run.state_names(), vec!["failed"]);
    assert!(
        run.states().pop().unwrap()["reason"]
            .as_str()
            .unwrap()
            .contains("redirect loop")
    );
    assert_eq!(run.code, Some(1));
}

#[tokio::test]
async fn resume_sends_last_event_id_raw_bytes_and_standard_headers() {
    let server = TestServer::start(|n, _| match n {
        0 => vec![sse_head(), write("id: caf\u{e9}-9\ndata: a\n\n")],
        _ => vec![head("204 No Content", &[])],
    })
    .await;
    let run = tail(
        &server.url("/"),
        &[
            "--reconnect-delay",
            "100",
            "--timeout",
            "10",
            "-H",
            "X-Extra: yes",
        ],
    )
    .await;
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{}", run.stdout);
    assert_eq!(reqs[0].header("last-event-id"), None);
    assert_eq!(reqs[1].header("last-event-id"), Some("café-9".as_bytes()));
    for req in &reqs {
        assert_eq!(
            req.header_str("accept").as_deref(),
            Some("text/event-stream")
        );
        assert_eq!(req.header_str("cache-control").as_deref(), Some("no-cache"));
        assert_eq!(req.header_str("x-extra").as_deref(), Some("yes"));
    }
}

#[tokio::test]
async fn last_event_id_option_is_sent_on_the_first_request() {
    let server = TestServer::always(vec![head("204 No Content", &[])]).await;
    tail(
        &server.url("/"),
        &["--last-event-id", "99", "--timeout", "10"],
    )
    .await;
    assert_eq!(
        server.requests()[0].header_str("last-event-id").as_deref(),
        Some("99")
    );
}

#[tokio::test]
async fn stalled_connection_is_detected_and_reconnected() {
    let server = TestServer::start(|n, _| match n {
        0 => vec![
            sse_head(),
            write("id: 1\ndata: then silence\n\n"),
            Step::Hold,
        ],
        1 => vec![sse_head(), write("data: alive again\n\n")],
        _ => vec![head("204 No Content", &[])],
    })
    .await;
    let run = tail(
        &server.url("/"),
        &[
            "--read-timeout",
            "0.5",
            "--reconnect-delay",
            "100",
            "--timeout",
            "15",
        ],
    )
    .await;
    let waiting = run
        .states()
        .into_iter()
        .find(|s| s["state"] == "waiting")
        .unwrap();
    assert!(
        waiting["reason"].as_str().unwrap().starts_with("stalled"),
        "{waiting}"
    );
    assert_eq!(
        run.event_triples(),
        vec![
            triple("message", "then silence", "1"),
            triple("message", "alive again", "1")
        ]
    );
    assert_eq!(
        server.requests()[1].header_str("last-event-id").as_deref(),
        Some("1")
    );
}

#[tokio::test]
async fn server_killed_mid_stream_reconnects_and_discards_the_partial_event() {
    let server = TestServer::start(|n, _| match n {
        0 => vec![
            sse_head(),
            write("id: 5\ndata: complete\n\nid: 6\ndata: half"),
            sleep_ms(50),
            Step::Reset,
        ],
        1 => vec![sse_head(), write("id: 6\ndata: resent\n\n")],
        _ => vec![head("204 No Content", &[])],
    })
    .await;
    let run = tail(
        &server.url("/"),
        &["--reconnect-delay", "100", "--timeout", "15"],
    )
    .await;
    assert_eq!(
        run.event_triples(),
        vec![
            triple("message", "complete", "5"),
            triple("message", "resent", "6")
        ]
    );
    assert_eq!(
        server.requests()[1].header_str("last-event-id").as_deref(),
        Some("5"),
        "the id of the discarded partial event is not sent"
    );
    assert_eq!(run.state_names()[..3], ["open", "waiting", "open"]);
}

#[tokio::test]
async fn stop_event_closes_the_feed_for_good() {
    let server = TestServer::always(vec![
        sse_head(),
        write("data: Hello World\n\nevent: close\ndata: bye\n\ndata: never seen\n\n"),
        Step::Hold,
    ])
    .await;
    let run = tail(&server.url("/"), &["--stop-on", "close", "--timeout", "10"]).await;
    assert_eq!(
        run.event_triples(),
        vec![
            triple("message", "Hello World", ""),
            triple("close", "bye", "")
        ]
    );
    assert_eq!(run.state_names(), vec!["open", "closed"]);
    assert_eq!(
        run.states().pop().unwrap()["reason"],
        "stop event \"close\""
    );
    assert_eq!(server.requests().len(), 1);
    assert_eq!(run.code, Some(0));
}

/// Milliseconds since the epoch, the clock both this test and `ssedash` read.
fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A feed that sends `n` events, one every `every`, each holding the time it was written.
async fn stamped_feed(n: usize, every: Duration) -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/quiet", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = sock.read(&mut buf).await;
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";
        sock.write_all(head.as_bytes()).await.unwrap();
        for _ in 0..n {
            tokio::time::sleep(every).await;
            let event = format!("data: {}\n\n", epoch_ms());
            if sock.write_all(event.as_bytes()).await.is_err() {
                return;
            }
        }
        let _ = sock.read(&mut buf).await;
    });
    (url, task)
}

#[tokio::test]
async fn a_flooding_feed_does_not_delay_a_quiet_feeds_events_past_2s() {
    let flood = TestServer::always(vec![
        sse_head(),
        Step::Flood(b"event: tick\ndata: 0123456789abcdef\n\n".repeat(64)),
    ])
    .await;
    let (quiet_url, _quiet) = stamped_feed(5, Duration::from_millis(300)).await;
    let flood_url = flood.url("/flood");
    // The flood is the first feed, so a consumer that always drained the first busy queue
    // would never get to the quiet one.
    let mut child = tokio::process::Command::new(bin())
        .args([
            "tail",
            &flood_url,
            &quiet_url,
            "--format",
            "ndjson",
            "--timeout",
            "4",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let quiet_name = format!("\"feed\":\"{}\"", quiet_url.trim_start_matches("http://"));
    let flood_name = format!("\"feed\":\"{}\"", flood_url.trim_start_matches("http://"));
    // Each quiet event's delay: from the server's write to the line read here. The pipe and
    // the writer's queue hold at most about a megabyte of flood ahead of it.
    let read = async move {
        use tokio::io::AsyncBufReadExt;
        let mut lines = tokio::io::BufReader::with_capacity(1 << 20, stdout).lines();
        let (mut delays, mut flood_events) = (Vec::new(), 0u64);
        while let Some(line) = lines.next_line().await.unwrap() {
            if !line.contains("\"kind\":\"event\"") {
                continue;
            }
            if line.contains(&quiet_name) {
                let event: serde_json::Value = serde_json::from_str(&line).unwrap();
                let sent: u64 = event["data"].as_str().unwrap().parse().unwrap();
                delays.push(epoch_ms().saturating_sub(sent));
            } else if line.contains(&flood_name) {
                flood_events += 1;
            }
        }
        (delays, flood_events)
    };
    let (delays, flood_events) = tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("tail ends at its --timeout");
    assert_eq!(delays.len(), 5, "every quiet event was printed: {delays:?}");
    assert!(
        delays.iter().all(|&ms| ms < 2000),
        "quiet events waited behind the flood (ms): {delays:?}"
    );
    assert!(
        flood_events > 1000,
        "the flood was read too: {flood_events}"
    );
    assert_eq!(child.wait().await.unwrap().code(), Some(0));
}

#[tokio::test]
async fn huge_events_are_cut_at_max_event_bytes_and_flagged() {
    let mut body = b"data: ".to_vec();
    body.extend(std::iter::repeat_n(b'x', 3 << 20));
    body.extend_from_slice(b"\n\ndata: small\n\n");
    let server = TestServer::always(vec![sse_head(), Step::Write(body)]).await;
    let run = tail(&server.url("/"), &["--no-reconnect", "--timeout", "10"]).await;
    let events = run.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["truncated"], true);
    assert!(events[0]["data"].as_str().unwrap().len() <= 1 << 20);
    assert_eq!(events[1]["data"], "small");
    assert!(events[1].get("truncated").is_none());
}

#[tokio::test]
async fn post_with_body_and_env_header_never_reconnects() {
    let server =
        TestServer::always(vec![sse_head(), write("data: token 1\n\ndata: [DONE]\n\n")]).await;
    let url = server.url("/v1/chat");
    let run = ssedash_with(
        &[
            "tail",
            &url,
            "--format",
            "ndjson",
            "-d",
            "{\"prompt\":\"hi\"}",
            "-H",
            "Authorization: Bearer ${SSEDASH_TEST_TOKEN}",
            "--timeout",
            "10",
        ],
        &[("SSEDASH_TEST_TOKEN", "s3cret")],
        Duration::from_secs(30),
    )
    .await;
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "a POST is not re-sent");
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].body, b"{\"prompt\":\"hi\"}");
    assert_eq!(
        reqs[0].header_str("authorization").as_deref(),
        Some("Bearer s3cret")
    );
    assert_eq!(run.state_names(), vec!["open", "closed"]);
    assert!(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"));
    assert_eq!(run.code, Some(0));
}

#[tokio::test]
async fn missing_env_var_fails_that_feed_and_names_it() {
    let good = TestServer::always(vec![sse_head(), write("data: fine\n\n")]).await;
    let secret = TestServer::always(vec![sse_head(), write("data: never\n\n")]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[[feed]]\nname = \"good\"\nurl = \"{}\"\n\n\
             [[feed]]\nname = \"secret\"\nurl = \"{}\"\n\
             headers = {{ Authorization = \"Bearer ${{SSEDASH_SURELY_UNSET_VAR}}\" }}\n",
            good.url("/good"),
            secret.url("/secret")
        ),
    )
    .unwrap();
    let run = ssedash(
        &[
            "tail",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "ndjson",
            "--no-reconnect",
            "--timeout",
            "10",
        ],
        Duration::from_secs(30),
    )
    .await;
    let of = |feed: &str, kind: &str| -> Vec<serde_json::Value> {
        run.lines()
            .into_iter()
            .filter(|l| l["feed"] == feed && l["kind"] == kind)
            .collect()
    };
    let secret_states: Vec<_> = of("secret", "state")
        .into_iter()
        .filter(|s| s["state"] != "connecting")
        .collect();
    assert_eq!(secret_states.len(), 1, "{}", run.stdout);
    assert_eq!(secret_states[0]["state"], "failed");
    let reason = secret_states[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("SSEDASH_SURELY_UNSET_VAR") && reason.contains("Authorization"),
        "{reason}"
    );
    assert!(secret.requests().is_empty(), "the failed feed sent nothing");
    // The other feed of the same file streams on.
    let good_events: Vec<_> = of("good", "event")
        .iter()
        .map(|e| e["data"].clone())
        .collect();
    assert_eq!(good_events, ["fine"]);
    let good_states: Vec<_> = of("good", "state")
        .iter()
        .map(|s| s["state"].clone())
        .collect();
    assert_eq!(good_states, ["connecting", "open", "closed"]);
    assert_eq!(run.code, Some(1));
}

#[tokio::test]
async fn unreachable_host_fails_at_once_under_no_reconnect() {
    // Port 9 (discard) on loopback: nothing listens there on a test machine.
    let run = tail(
        "http://127.0.0.1:9/",
        &["--no-reconnect", "--timeout", "10"],
    )
    .await;
    assert_eq!(run.state_names(), vec!["failed"]);
    assert_eq!(run.code, Some(1));
    // Retrying it and exiting 1 is tail_scripts::a_run_that_never_connected_exits_1_at_its_timeout.
}

#[tokio::test]
async fn an_absurd_retry_value_waits_instead_of_crashing() {
    let server = TestServer::always(vec![
        sse_head(),
        write("retry: 99999999999999999999\ndata: x\n\n"),
    ])
    .await;
    let run = tail(&server.url("/"), &["--timeout", "1.5"]).await;
    let waiting = run
        .states()
        .into_iter()
        .find(|s| s["state"] == "waiting")
        .unwrap();
    assert_eq!(waiting["retry_in_ms"], u64::MAX);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_failed_feed_means_exit_1_even_when_the_timeout_ends_the_run() {
    let good = TestServer::always(vec![sse_head(), write("data: fine\n\n"), Step::Hold]).await;
    let bad = TestServer::always(vec![head("404 Not Found", &[])]).await;
    let (good_url, bad_url) = (good.url("/ok"), bad.url("/nope"));
    let run = ssedash(
        &[
            "tail",
            &good_url,
            &bad_url,
            "--format",
            "ndjson",
            "--timeout",
            "1.5",
        ],
        Duration::from_secs(30),
    )
    .await;
    assert!(run.stdout.contains("\"state\":\"failed\""));
    assert_eq!(run.code, Some(1));
}

#[tokio::test]
async fn a_reader_that_never_reads_cannot_hold_the_run_past_its_timeout() {
    let server = TestServer::always(vec![
        sse_head(),
        Step::Flood(b"data: 0123456789abcdef0123456789abcdef\n\n".repeat(100)),
    ])
    .await;
    let url = server.url("/");
    // stdout is a pipe nobody reads: it fills up and every write blocks.
    let mut child = tokio::process::Command::new(bin())
        .args(["tail", &url, "--format", "ndjson", "--timeout", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .expect("ssedash ends at its --timeout although its stdout is stuck")
        .unwrap();
    assert_eq!(status.code(), Some(0));
}
