//! `--log-file` / `$SSEDASH_LOG`: the real binary logs its connection attempts, the headers
//! with secrets masked, the delay it chose and why, and the parser's oddities, to the file
//! only.

mod support;

use std::time::{Duration, Instant};

use support::pty::Tui;
use support::*;

/// Connection 1: 503 with Retry-After and a cookie. Connection 2: a BOM, a line the parser
/// ignores, an event, one cut at max_event_bytes, then a clean end. Connection 3: one event.
async fn server() -> TestServer {
    TestServer::start(|n, _| match n {
        0 => vec![head(
            "503 Service Unavailable",
            &[
                "Retry-After: 1",
                "Set-Cookie: sid=cookie-secret",
                "Content-Length: 0",
            ],
        )],
        1 => vec![
            head(
                "200 OK",
                &["Content-Type: text/event-stream", "X-Request-Id: r-42"],
            ),
            write(b"\xEF\xBB\xBFfoo: bar\ndata: hi\n\n"),
            write(format!("data: {}\n\n", "x".repeat(3000))),
        ],
        _ => vec![sse_head(), write("data: last\n\n"), Step::Hold],
    })
    .await
}

fn read_log(path: &std::path::Path) -> String {
    // The writer thread may finish just after the process: wait for the last line.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.contains("attempt=3") || Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_log_file_has_attempts_masked_headers_delays_with_reasons_and_parse_oddities() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("ssedash.log");
    let url = server.url("/events");
    let run = ssedash_with(
        &[
            "tail",
            &url,
            "--format",
            "ndjson",
            "--count",
            "3",
            "--max-event-bytes",
            "1024",
            "--reconnect-delay",
            "100",
            "-H",
            "Authorization: Bearer ${LOG_TEST_TOKEN}",
            "-H",
            "X-Tenant: ${LOG_TEST_TENANT}",
            "--log-file",
            log.to_str().unwrap(),
        ],
        &[
            ("LOG_TEST_TOKEN", "token-secret"),
            ("LOG_TEST_TENANT", "tenant-secret"),
        ],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // The variables reached the server...
    assert_eq!(
        server.requests()[0].header_str("authorization").as_deref(),
        Some("Bearer token-secret")
    );
    let text = read_log(&log);
    // ...but not the log: the headers are there as written.
    for secret in ["token-secret", "tenant-secret", "cookie-secret"] {
        assert!(!text.contains(secret), "{secret} in the log:\n{text}");
    }
    let expect = [
        // Each attempt, with the request and its headers.
        "attempt=1",
        "attempt=2",
        "attempt=3",
        &format!("connecting: GET {url}"),
        "Authorization: Bearer ${LOG_TEST_TOKEN}",
        "X-Tenant: ${LOG_TEST_TENANT}",
        // Responses with their headers, a cookie masked.
        "response: 503 Service Unavailable",
        "set-cookie: ••••",
        "response: 200 OK",
        "x-request-id: r-42",
        // The delays and why.
        "attempt 2 in 1 s, after: HTTP 503 Service Unavailable",
        "Retry-After 1 s",
        "attempt 3 in 500 ms, after: end of stream; delay chosen for a clean end",
        // What the parser met.
        "starts with a UTF-8 BOM",
        "1 line(s) ignored",
        "event cut at max_event_bytes = 1024",
    ];
    for needle in expect {
        assert!(text.contains(needle), "{needle:?} not in the log:\n{text}");
    }
    // None of it on the terminal's streams.
    for stream in [&run.stderr, &run.stdout] {
        assert!(
            !stream.contains("DEBUG") && !stream.contains("connecting:"),
            "{stream}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ssedash_log_names_the_log_file_and_a_run_without_it_writes_none() {
    let server = TestServer::always(vec![sse_head(), write("data: one\n\n"), Step::Hold]).await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("from-env.log");
    let url = server.url("/s");
    let args = ["tail", &url, "--format", "ndjson", "--count", "1"];
    let run = ssedash_with(
        &args,
        &[("SSEDASH_LOG", log.to_str().unwrap())],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("connecting: GET"), "{text}");

    let cwd_before: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    let run = ssedash_with(&args, &[], Duration::from_secs(30)).await;
    assert_eq!(run.code, Some(0));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        cwd_before.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_log_file_that_cannot_be_opened_is_a_usage_error() {
    let run = ssedash(
        &["tail", "--demo", "--log-file", "/nonexistent-dir/x.log"],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("--log-file /nonexistent-dir/x.log: cannot open it"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_logs_to_the_file_and_never_to_the_terminal() {
    let server = TestServer::always(vec![sse_head(), write("data: shown\n\n"), Step::Hold]).await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("dash.log");
    let (url, log_arg) = (server.url("/s"), log.to_str().unwrap().to_string());
    let mut tui =
        tokio::task::spawn_blocking(move || Tui::start(&[&url, "--log-file", &log_arg], 24, 100))
            .await
            .unwrap();
    let raw = tokio::task::spawn_blocking(move || {
        tui.wait_text("shown", Duration::from_secs(20));
        tui.keys("q");
        tui.wait_exit(Duration::from_secs(10));
        tui.raw()
    })
    .await
    .unwrap();
    let raw = String::from_utf8_lossy(&raw);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("response: 200 OK"), "{text}");
    for needle in ["connecting:", "response:", "DEBUG"] {
        assert!(!raw.contains(needle), "{needle} on the terminal");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_ssedash_log_breaks_no_command_that_never_logs_and_is_named_as_the_variable() {
    let stale = [("SSEDASH_LOG", "/nonexistent-dir/x.log")];
    for args in [
        &["schema"][..],
        &["man"],
        &["completions", "bash"],
        &["__feed-names"],
    ] {
        let run = ssedash_with(args, &stale, Duration::from_secs(30)).await;
        assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
    }
    let run = ssedash_with(&["tail", "--demo"], &stale, Duration::from_secs(30)).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("$SSEDASH_LOG /nonexistent-dir/x.log: cannot open it"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_ignored_line_of_a_connection_is_logged_when_it_comes_escaped() {
    let server = TestServer::always(vec![
        sse_head(),
        write("bogus: \u{1b}[31mred\n\ndata: one\n\n"),
        Step::Hold,
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("ssedash.log");
    let url = server.url("/s");
    let run = ssedash_with(
        &[
            "tail",
            &url,
            "--format",
            "ndjson",
            "--count",
            "1",
            "--log-file",
            log.to_str().unwrap(),
        ],
        &[],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // The connection is still open when the run ends: this line came when the line did.
    let deadline = Instant::now() + Duration::from_secs(5);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("line ignored") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(text.contains("): \"bogus: \\x1b[31mred\""), "{text}");
}
