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
    // CRLF with the CR and the LF in different writes, lone CR, LF, mixed.
    let run = tail_one_response(vec![
        sse_head(),
        write("data: one\r"),
        sleep_ms(30),
        write("\n\r"),
        sleep_ms(30),
        write("\ndata: two\rdata: more\r\r"),
        sleep_ms(30),
        write("data: three\n\n"),
    ])
    .await;
    assert_eq!(
        run.event_triples(),
        vec![
            triple("message", "one", ""),
            triple("message", "two\nmore", ""),
            triple("message", "three", ""),
        ]
    );
    assert_eq!(run.state_names(), vec!["open", "closed"]);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
}

#[tokio::test]
async fn leading_bom_is_stripped_once_even_split() {
    let run = tail_one_response(vec![
        sse_head(),
        write([0xEF]),
        sleep_ms(20),
        write([0xBB, 0xBF]),
        write("data: a\n\n\u{FEFF}data: b\n\ndata: c\n\n"),
    ])
    .await;
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
async fn server_errors_back_off_then_recover() {
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
    assert_eq!(waits[0]["reason"], "HTTP 503");
    assert_eq!(waits[1]["status"], 500);
    assert_eq!(run.event_triples(), vec![triple("message", "up", "")]);
    assert_eq!(
        run.state_names(),
        vec!["waiting", "waiting", "open", "waiting", "closed"]
    );
    // Attempt numbers count up across the retries.
    let attempts: Vec<_> = states
        .iter()
        .map(|s| s["attempt"].as_u64().unwrap())
        .collect();
    assert!(attempts.windows(2).all(|w| w[0] <= w[1]), "{attempts:?}");
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

#[tokio::test]
async fn a_flooding_feed_does_not_starve_a_quiet_one() {
    let flood = TestServer::always(vec![
        sse_head(),
        Step::Flood(b"event: tick\ndata: 0123456789abcdef\n\n".repeat(64)),
    ])
    .await;
    let quiet = TestServer::always(vec![
        sse_head(),
        write("id: 1\ndata: q1\n\n"),
        sleep_ms(100),
        write("id: 2\ndata: q2\n\n"),
        sleep_ms(100),
        write("id: 3\ndata: q3\n\n"),
        Step::Hold,
    ])
    .await;
    let flood_url = flood.url("/flood");
    let quiet_url = quiet.url("/quiet");
    let run = ssedash(
        &[
            "tail",
            &flood_url,
            &quiet_url,
            "--format",
            "ndjson",
            "--timeout",
            "3",
        ],
        Duration::from_secs(30),
    )
    .await;
    // The output is large: parse only the quiet feed's lines.
    let raw: Vec<&str> = run.stdout.lines().collect();
    let is_quiet_event = |l: &str| {
        l.contains(&format!("\"feed\":\"{quiet_url}\"")) && l.contains("\"kind\":\"event\"")
    };
    let quiet_events: Vec<String> = raw
        .iter()
        .filter(|l| is_quiet_event(l))
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["data"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let flood_events = raw
        .iter()
        .filter(|l| {
            l.contains(&format!("\"feed\":\"{flood_url}\"")) && l.contains("\"kind\":\"event\"")
        })
        .count();
    assert_eq!(quiet_events, vec!["q1", "q2", "q3"]);
    assert!(
        flood_events > 1000,
        "the flood was read too: {flood_events}"
    );
    // The quiet feed's events are interleaved with the flood, not queued behind it.
    let last_quiet = raw.iter().rposition(|l| is_quiet_event(l)).unwrap();
    assert!(
        last_quiet < raw.len() - 1,
        "flood events follow the quiet feed's last event"
    );
    assert_eq!(run.code, Some(0));
}

#[tokio::test]
async fn huge_events_are_cut_and_flagged_with_bounded_memory() {
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
    let good_url = good.url("/good");
    let run = ssedash(
        &[
            "tail",
            &good_url,
            "http://127.0.0.1:9/never",
            "--format",
            "ndjson",
            "--no-reconnect",
            "-H",
            "Authorization: Bearer ${SSEDASH_SURELY_UNSET_VAR}",
            "--timeout",
            "10",
        ],
        Duration::from_secs(30),
    )
    .await;
    let failed: Vec<_> = run
        .states()
        .into_iter()
        .filter(|s| s["state"] == "failed")
        .collect();
    assert_eq!(failed.len(), 2, "both feeds use the header: {}", run.stdout);
    assert!(
        failed[0]["reason"]
            .as_str()
            .unwrap()
            .contains("SSEDASH_SURELY_UNSET_VAR")
    );
    assert_eq!(run.code, Some(1));
}

#[tokio::test]
async fn unreachable_host_retries_then_fails_under_no_reconnect() {
    // Port 9 (discard) on loopback: nothing listens there on a test machine.
    let run = tail(
        "http://127.0.0.1:9/",
        &["--no-reconnect", "--timeout", "10"],
    )
    .await;
    assert_eq!(run.state_names(), vec!["failed"]);
    assert_eq!(run.code, Some(1));
    let run = tail(
        "http://127.0.0.1:9/",
        &["--reconnect-delay", "100", "--timeout", "1.5"],
    )
    .await;
    let names = run.state_names();
    assert!(
        names.len() >= 2 && names.iter().all(|s| s == "waiting"),
        "{names:?}"
    );
    assert_eq!(run.code, Some(0), "--timeout ends the run with 0");
}

#[tokio::test]
async fn count_stops_after_n_events() {
    let server = TestServer::always(vec![
        sse_head(),
        write("data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n"),
        Step::Hold,
    ])
    .await;
    let run = tail(&server.url("/"), &["--count", "2", "--timeout", "10"]).await;
    assert_eq!(run.events().len(), 2);
    assert_eq!(run.code, Some(0));
}

#[tokio::test]
async fn data_format_prints_only_data_and_text_format_escapes_controls() {
    let server = TestServer::always(vec![
        sse_head(),
        write("data: {\"a\":1}\n\nevent: evil\ndata: \x1b]0;pwned\x07\x1b[2J\n\n"),
    ])
    .await;
    let url = server.url("/");
    let data = ssedash(
        &[
            "tail",
            &url,
            "--format",
            "data",
            "--no-reconnect",
            "--timeout",
            "5",
        ],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(data.stdout.lines().next(), Some("{\"a\":1}"));
    let text = ssedash(
        &[
            "tail",
            &url,
            "--format",
            "text",
            "--no-reconnect",
            "--timeout",
            "5",
        ],
        Duration::from_secs(30),
    )
    .await;
    assert!(
        !text.stdout.contains('\x1b'),
        "raw escape reached the output"
    );
    assert!(
        text.stdout.contains("\\x1b]0;pwned\\x07\\x1b[2J"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("evil"));
}

#[tokio::test]
async fn closed_pipe_ends_quietly() {
    let server =
        TestServer::always(vec![sse_head(), Step::Flood(b"data: line\n\n".repeat(100))]).await;
    let url = server.url("/");
    let mut child = std::process::Command::new(bin())
        .args(["tail", &url, "--format", "ndjson", "--timeout", "20"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then hang up, as `| head -1` does.
    {
        use std::io::BufRead;
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        assert!(line.contains("\"kind\":\"state\""));
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[tokio::test]
async fn bad_urls_and_options_are_usage_errors() {
    let run = ssedash(&["tail", "htp:/nope"], Duration::from_secs(10)).await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("htp:/nope"), "{}", run.stderr);
    let run = ssedash(&["tail", "example.com/stream"], Duration::from_secs(10)).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("did you mean http://example.com/stream"),
        "{}",
        run.stderr
    );
    let run = ssedash(
        &["tail", "http://127.0.0.1:9/", "-H", "NoColon"],
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("Name: value"), "{}", run.stderr);
    let run = ssedash(&["tail", "--bogus"], Duration::from_secs(10)).await;
    assert_eq!(run.code, Some(2));
}

#[tokio::test]
async fn ctrl_c_exits_130() {
    use tokio::io::AsyncBufReadExt;
    let server = TestServer::always(vec![sse_head(), write("data: x\n\n"), Step::Hold]).await;
    let url = server.url("/");
    let mut child = tokio::process::Command::new(bin())
        .args(["tail", &url, "--format", "ndjson", "--timeout", "20"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap().to_string();
    // Once the event is printed, the run is surely under way (and its handler installed).
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let wait_event = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("\"kind\":\"event\"") {
                return;
            }
        }
        panic!("output ended without the event");
    };
    tokio::time::timeout(Duration::from_secs(10), wait_event)
        .await
        .unwrap();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("ssedash exits on Ctrl-C")
        .unwrap();
    assert_eq!(status.code(), Some(130));
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
