//! `ssedash tail` as a script sees it: what goes to stderr, exit codes, usage errors,
//! `--count`, a reader that goes away, Ctrl-C.

mod support;

use std::time::{Duration, Instant};

use support::*;

const LIMIT: Duration = Duration::from_secs(30);

/// `ssedash tail ARGS` (stdout and stderr are pipes).
async fn tail_args(args: &[&str]) -> Run {
    let mut all = vec!["tail"];
    all.extend_from_slice(args);
    ssedash(&all, LIMIT).await
}
// ---- data and text formats say on stderr what went wrong ----------------------------

/// The lines of `run`'s stderr.
fn stderr_lines(run: &Run) -> Vec<&str> {
    run.stderr.lines().collect()
}

#[tokio::test]
async fn data_and_text_formats_report_a_404_on_stderr_once() {
    let server = TestServer::always(vec![head("404 Not Found", &[])]).await;
    let url = server.url("/missing");
    let name = format!("{}/missing", server.addr);
    for format in ["data", "text"] {
        let run = tail_args(&[&url, "--format", format, "--timeout", "10"]).await;
        assert_eq!(run.code, Some(1));
        assert_eq!(
            stderr_lines(&run),
            [format!("ssedash: {name}: failed (HTTP 404 Not Found)")],
            "{format}"
        );
    }
}

#[tokio::test]
async fn data_format_reports_a_refused_connection_on_stderr() {
    // Port 9 (discard) on loopback: nothing listens there on a test machine.
    let run = tail_args(&[
        "http://127.0.0.1:9/",
        "--format",
        "data",
        "--no-reconnect",
        "--timeout",
        "10",
    ])
    .await;
    assert_eq!(run.code, Some(1));
    let lines = stderr_lines(&run);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with("ssedash: 127.0.0.1:9: failed (cannot connect"),
        "{}",
        run.stderr
    );
    // While it retries, each wait is one line with its reason.
    let run = tail_args(&[
        "http://127.0.0.1:9/",
        "--format",
        "data",
        "--reconnect-delay",
        "100",
        "--timeout",
        "1.5",
    ])
    .await;
    let lines = stderr_lines(&run);
    assert!(lines.len() >= 2, "{}", run.stderr);
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("ssedash: 127.0.0.1:9: waiting: attempt ")
                && l.contains("(cannot connect")),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn data_format_reports_a_close_the_server_asked_for_but_not_a_normal_end() {
    let server = TestServer::start(|_, req| {
        if req.path == "/stop" {
            vec![head("204 No Content", &[])]
        } else {
            vec![sse_head(), write("event: close\ndata: bye\n\n"), Step::Hold]
        }
    })
    .await;
    let run = tail_args(&[
        &server.url("/stop"),
        &server.url("/tutorial"),
        "--stop-on",
        "close",
        "--format",
        "data",
        "--timeout",
        "10",
    ])
    .await;
    assert_eq!(run.code, Some(0));
    assert_eq!(run.stdout, "bye\n");
    // The stop event is the normal end of the second feed: nothing to say about it.
    assert_eq!(
        stderr_lines(&run),
        [format!(
            "ssedash: {}/stop: closed (HTTP 204 No Content: the server asked to stop)",
            server.addr
        )]
    );
}

#[tokio::test]
async fn data_format_reports_a_missing_variable_on_stderr() {
    let server = TestServer::always(vec![sse_head(), write("data: x\n\n")]).await;
    let run = tail_args(&[
        &server.url("/s"),
        "--format",
        "data",
        "-H",
        "Authorization: Bearer ${SSEDASH_SURELY_UNSET_VAR}",
        "--timeout",
        "10",
    ])
    .await;
    assert_eq!(run.code, Some(1));
    let lines = stderr_lines(&run);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with(&format!("ssedash: {}/s: failed (", server.addr))
            && lines[0].contains("SSEDASH_SURELY_UNSET_VAR"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[tokio::test]
async fn data_format_warns_once_when_events_were_cut() {
    let big = "x".repeat(3000);
    let server = TestServer::always(vec![
        sse_head(),
        write(format!("data: {big}\n\ndata: {big}\n\ndata: small\n\n")),
    ])
    .await;
    let run = tail_args(&[
        &server.url("/big"),
        "--format",
        "data",
        "--max-event-bytes",
        "2048",
        "--no-reconnect",
        "--timeout",
        "10",
    ])
    .await;
    let out: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(out.len(), 3);
    assert!(out[0].len() <= 2048 && out[1].len() <= 2048);
    assert_eq!(out[2], "small");
    let lines = stderr_lines(&run);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].contains("cut at 2048 bytes"), "{}", run.stderr);
}

#[tokio::test]
async fn max_event_bytes_applies_to_ad_hoc_urls() {
    let server = TestServer::always(vec![
        sse_head(),
        write(format!("data: {}\n\n", "y".repeat(5000))),
    ])
    .await;
    let run = tail(
        &server.url("/"),
        &[
            "--max-event-bytes",
            "2048",
            "--no-reconnect",
            "--timeout",
            "10",
        ],
    )
    .await;
    let events = run.events();
    assert_eq!(events[0]["truncated"], true);
    assert!(events[0]["data"].as_str().unwrap().len() <= 2048);
    let run = tail_args(&["http://127.0.0.1:9/", "--max-event-bytes", "0"]).await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
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

// ---- a closed pipe is noticed while the feed is quiet -------------------------------

#[tokio::test]
async fn a_closed_pipe_ends_the_run_while_the_feed_is_quiet() {
    let server = TestServer::always(vec![sse_head(), write("data: one\n\n"), Step::Hold]).await;
    let url = server.url("/");
    let mut child = std::process::Command::new(bin())
        .args(["tail", &url, "--format", "data", "--timeout", "120"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then hang up, as `| head -1` does; the feed sends nothing more. (On a
    // blocking thread: the server runs on this test's runtime.)
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        line
    })
    .await
    .unwrap();
    assert_eq!(line, "one\n");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("tail still runs after its reader went away");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0));
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

// ---- usage errors and exit codes ----------------------------------------------------

#[tokio::test]
async fn count_0_is_a_usage_error() {
    let run = tail_args(&["http://127.0.0.1:9/", "--count", "0"]).await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--count 0"), "{}", run.stderr);
}

#[tokio::test]
async fn feed_with_urls_is_a_usage_error() {
    let run = tail_args(&["http://127.0.0.1:9/", "--feed", "x"]).await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--feed x"), "{}", run.stderr);
    let run = ssedash(&["http://127.0.0.1:9/", "--feed", "x"], LIMIT).await;
    assert_eq!(run.code, Some(2), "the dashboard too: {}", run.stderr);
}

#[tokio::test]
async fn a_run_that_never_connected_exits_1_at_its_timeout() {
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
    assert_eq!(run.code, Some(1));
    // A feed that opened is enough for a run that ends at its timeout to exit 0.
    let server = TestServer::always(vec![sse_head(), write("data: x\n\n"), Step::Hold]).await;
    let run = tail(&server.url("/"), &["--timeout", "1"]).await;
    assert_eq!(run.code, Some(0));
}
