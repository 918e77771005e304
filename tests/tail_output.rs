//! What `ssedash tail` prints and how it ends, as a script or a person at a terminal meets it:
//! escaping on a terminal and byte-exact output to a pipe, the lines on stderr, feed names,
//! usage errors and exit codes.

mod support;

use std::time::Duration;

use support::pty::Tui;
use support::*;

const LIMIT: Duration = Duration::from_secs(30);

/// Text that retitles and clears a terminal and reverses what follows, if printed raw.
const EVIL: &str = "\u{1b}]0;PWN\u{7}\u{202e}\u{1b}[2J";
/// How [`EVIL`] reads once escaped.
const EVIL_ESCAPED: &str = "\\x1b]0;PWN\\x07\\u{202e}\\x1b[2J";

fn assert_no_raw_controls(what: &str, text: &str) {
    for c in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'] {
        assert!(!text.contains(c), "{what} holds a raw {c:?}: {text:?}");
    }
}

/// `ssedash tail ARGS` (stdout and stderr are pipes).
async fn tail_args(args: &[&str]) -> Run {
    let mut all = vec!["tail"];
    all.extend_from_slice(args);
    ssedash(&all, LIMIT).await
}

// ---- config and command-line text is escaped on its way out -------------------------

#[tokio::test]
async fn hostile_names_urls_and_methods_reach_stderr_escaped() {
    let url = "http://127.0.0.1:9/x";
    let header = format!("X-Test: {EVIL}");
    let bad_url = format!("{EVIL}://host/");
    let runs = [
        tail_args(&["--demo", "--feed", EVIL]).await,
        tail_args(&[url, "--stop-on", EVIL]).await,
        tail_args(&[url, "--last-event-id", EVIL]).await,
        tail_args(&[url, "-H", &header]).await,
        tail_args(&[url, "-X", EVIL]).await,
        tail_args(&[&bad_url]).await,
    ];
    for run in runs {
        assert_eq!(run.code, Some(2), "{}", run.stderr);
        assert_no_raw_controls("stderr", &run.stderr);
        assert!(run.stderr.contains(EVIL_ESCAPED), "{}", run.stderr);
    }
    // clap's own messages quote the command line too; clap drops the escape sequences from
    // them, and what is left is escaped.
    let run = tail_args(&[url, "--format", EVIL]).await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_no_raw_controls("stderr", &run.stderr);
    assert!(
        run.stderr.contains("invalid value '\\u{202e}"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_hostile_feed_name_in_a_config_file_reaches_stderr_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    let name = EVIL
        .replace('\u{1b}', "\\u001b")
        .replace('\u{7}', "\\u0007");
    std::fs::write(
        &path,
        format!("[[feed]]\nname = \"n{name}\"\nurl = \"http://127.0.0.1:9/\"\n"),
    )
    .unwrap();
    for args in [
        vec!["tail", "--config", path.to_str().unwrap()],
        vec!["check", "--config", path.to_str().unwrap()],
    ] {
        let run = ssedash(&args, LIMIT).await;
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert_no_raw_controls("stderr", &run.stderr);
        assert_no_raw_controls("stdout", &run.stdout);
        assert!(run.stderr.contains("\\x1b]0;PWN"), "{}", run.stderr);
    }
}

// ---- on a terminal every format escapes; to a pipe, data and ndjson are exact --------

/// An event whose data would retitle the terminal, move the cursor with a C1 CSI, and reverse
/// the line, if printed raw.
const HOSTILE_DATA: &str = "\u{1b}]0;PWNED\u{7} \u{9b}2J \u{202e}desrever";

async fn hostile_server() -> TestServer {
    TestServer::always(vec![
        sse_head(),
        write(format!("event: evil\ndata: {HOSTILE_DATA}\n\n")),
    ])
    .await
}

/// Runs `tail URL --format FORMAT` in a terminal; everything it wrote there.
fn tail_in_terminal(url: &str, format: &str, until: &str) -> (String, Vec<u8>) {
    let mut tui = Tui::start(
        &[
            "tail",
            url,
            "--format",
            format,
            "--no-reconnect",
            "--timeout",
            "10",
        ],
        24,
        160,
    );
    let screen = tui.wait_text(until, LIMIT);
    assert_eq!(tui.wait_exit(LIMIT), 0, "{screen}");
    (screen, tui.raw())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn on_a_terminal_data_and_ndjson_escape_controls_c1_and_bidi() {
    let server = hostile_server().await;
    let url = server.url("/");
    for (format, shown) in [
        ("data", "\\x1b]0;PWNED\\x07 \\x9b2J \\u{202e}desrever"),
        ("ndjson", "\\u001b]0;PWNED\\u0007 \\u009b2J \\u202edesrever"),
        ("text", "\\x1b]0;PWNED\\x07 \\x9b2J \\u{202e}desrever"),
    ] {
        let url = url.clone();
        let (screen, raw) =
            tokio::task::spawn_blocking(move || tail_in_terminal(&url, format, "desrever"))
                .await
                .unwrap();
        assert!(screen.contains(shown), "{format}: {screen}");
        // Colours (text format) are the only escape sequences written: no OSC, BEL, C1 or
        // bidi control from the feed.
        for bad in [
            &b"\x1b]"[..],
            b"\x07",
            "\u{9b}".as_bytes(),
            "\u{202e}".as_bytes(),
        ] {
            assert!(
                !contains(&raw, bad),
                "{format}: raw {bad:?} reached the terminal"
            );
        }
        if format != "text" {
            assert!(
                !raw.contains(&0x1b),
                "{format}: an ESC reached the terminal"
            );
        }
    }
}

#[tokio::test]
async fn to_a_pipe_data_and_ndjson_are_byte_exact() {
    let server = hostile_server().await;
    let url = server.url("/");
    let data = tail_args(&[
        &url,
        "--format",
        "data",
        "--no-reconnect",
        "--timeout",
        "10",
    ])
    .await;
    assert_eq!(data.stdout, format!("{HOSTILE_DATA}\n"));
    let ndjson = tail_args(&[
        &url,
        "--format",
        "ndjson",
        "--no-reconnect",
        "--timeout",
        "10",
    ])
    .await;
    assert_eq!(ndjson.events()[0]["data"], HOSTILE_DATA);
    // JSON itself escapes C0 controls; C1 and bidi controls pass as the UTF-8 they were.
    assert!(
        ndjson.stdout.contains("\u{9b}2J \u{202e}desrever"),
        "{}",
        ndjson.stdout
    );
}

#[tokio::test]
async fn text_format_escapes_a_backslash_so_it_differs_from_an_escaped_control() {
    let server = TestServer::always(vec![
        sse_head(),
        write("data: literal \\x1b here\n\ndata: real \x1b here\n\n"),
    ])
    .await;
    let run = tail_args(&[
        &server.url("/"),
        "--format",
        "text",
        "--no-reconnect",
        "--timeout",
        "10",
    ])
    .await;
    assert!(
        run.stdout.contains("literal \\\\x1b here"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("real \\x1b here"), "{}", run.stdout);
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

// ---- names of ad-hoc feeds, and no credentials on screen ----------------------------

#[tokio::test]
async fn ad_hoc_feeds_are_named_by_host_and_path_without_credentials() {
    let server = TestServer::start(|_, req| {
        if req.path.contains("room=2") {
            vec![head("404 Not Found", &[])]
        } else {
            vec![sse_head(), write("data: hi\n\n")]
        }
    })
    .await;
    let secret = format!("http://user:s3cret@{}/s?token=t0ken", server.addr);
    let other = format!("http://{}/s?room=2", server.addr);
    let name = format!("{}/s", server.addr);
    for format in ["ndjson", "text", "data"] {
        let run = tail_args(&[
            &secret,
            &other,
            "--format",
            format,
            "--no-reconnect",
            "--timeout",
            "10",
        ])
        .await;
        for leak in ["s3cret", "t0ken", "user"] {
            assert!(
                !run.stdout.contains(leak) && !run.stderr.contains(leak),
                "{format}: {leak} shown:\n{}\n{}",
                run.stdout,
                run.stderr
            );
        }
        match format {
            "ndjson" => {
                let feeds: Vec<_> = run.events().iter().map(|e| e["feed"].clone()).collect();
                assert_eq!(feeds, [name.as_str()]);
                let failed = run.states().into_iter().find(|s| s["state"] == "failed");
                assert_eq!(failed.unwrap()["feed"], format!("{name} (2)"));
            }
            "text" => assert!(run.stdout.contains(&format!(" {name} message hi"))),
            _ => assert_eq!(
                run.stderr.lines().collect::<Vec<_>>(),
                [format!("ssedash: {name} (2): failed (HTTP 404 Not Found)")]
            ),
        }
    }
}

#[tokio::test]
async fn an_unparsable_url_is_quoted_with_its_password_masked() {
    let run = tail_args(&["http://me:s3cret@127.0.0.1:99999/"]).await;
    assert_eq!(run.code, Some(2));
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
    assert!(
        run.stderr.contains("http://me:••••@127.0.0.1:99999/"),
        "{}",
        run.stderr
    );
}

// ---- -d sends a Content-Type ---------------------------------------------------------

#[tokio::test]
async fn data_body_sends_a_content_type_unless_a_header_sets_one() {
    let cases = [
        (vec!["-d", "{\"prompt\":\"hi\"}"], "application/json"),
        (vec!["-d", "hello there"], "text/plain"),
        (
            vec![
                "-d",
                "{\"a\":1}",
                "-H",
                "content-type: application/x-ndjson",
            ],
            "application/x-ndjson",
        ),
    ];
    for (args, want) in cases {
        let server = TestServer::always(vec![head("204 No Content", &[])]).await;
        let url = server.url("/");
        let mut all = vec![url.as_str(), "--timeout", "10"];
        all.extend(args.iter().copied());
        let run = tail_args(&all).await;
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let reqs = server.requests();
        let types: Vec<_> = reqs[0]
            .headers
            .iter()
            .filter(|(n, _)| n == "content-type")
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect();
        assert_eq!(types, [want], "{args:?}");
    }
}

// ---- one colour per event type, in tail and in the dashboard ------------------------

/// The foreground colour of every place `word` is shown on the screen `raw` draws.
fn colours_of(raw: &[u8], rows: u16, cols: u16, word: &str) -> Vec<vt100::Color> {
    let mut parser = vt100::Parser::new(rows, cols, 0);
    parser.process(raw);
    let screen = parser.screen();
    let mut found = Vec::new();
    for row in 0..rows {
        let cells: Vec<_> = (0..cols).filter_map(|c| screen.cell(row, c)).collect();
        let line: Vec<&str> = cells.iter().map(|c| c.contents()).collect();
        for start in 0..cells.len() {
            let fits = word
                .chars()
                .enumerate()
                .all(|(i, ch)| line.get(start + i).is_some_and(|s| *s == ch.to_string()));
            let whole = start == 0 || line[start - 1].is_empty() || line[start - 1] == " ";
            if fits && whole {
                found.push(cells[start].fgcolor());
            }
        }
    }
    found
}

#[tokio::test]
async fn tail_text_colours_each_type_as_the_dashboard_does() {
    let server = TestServer::always(vec![
        sse_head(),
        write("event: alpha\ndata: a\n\nevent: beta\ndata: b\n\nevent: gamma-ray\ndata: c\n\n"),
        Step::Hold,
    ])
    .await;
    let url = server.url("/");
    tokio::task::spawn_blocking(move || {
        let (rows, cols) = (30, 140);
        let tail = Tui::start(
            &["tail", &url, "--format", "text", "--timeout", "20"],
            rows,
            cols,
        );
        tail.wait_text("gamma-ray c", LIMIT);
        let tail_raw = tail.raw();
        drop(tail);
        let dashboard = Tui::start(&[&url], rows, cols);
        dashboard.wait_text(" c", LIMIT);
        dashboard.wait_text("gamma-ray", LIMIT);
        let dashboard_raw = dashboard.raw();
        drop(dashboard);
        let mut seen = Vec::new();
        for kind in ["alpha", "beta", "gamma-ray"] {
            let in_tail = colours_of(&tail_raw, rows, cols, kind);
            let in_dashboard = colours_of(&dashboard_raw, rows, cols, kind);
            assert_eq!(in_tail.len(), 1, "{kind} once in tail's output");
            assert!(!in_dashboard.is_empty(), "{kind} on the dashboard");
            assert_ne!(in_tail[0], vt100::Color::Default, "{kind} is coloured");
            assert!(
                in_dashboard.iter().all(|c| *c == in_tail[0]),
                "{kind}: tail {:?}, dashboard {in_dashboard:?}",
                in_tail[0]
            );
            seen.push(in_tail[0]);
        }
        seen.dedup();
        assert!(seen.len() > 1, "types get different colours: {seen:?}");
    })
    .await
    .unwrap();
}
