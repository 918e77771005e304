//! `tail` with expressions: columns, `--type-from`, `--stop-when`, error marks, and a
//! transcript's text as it streams, against loopback servers.

mod support;

use std::time::Duration;

use serde_json::json;
use support::*;

const LIMIT: Duration = Duration::from_secs(30);

async fn tail_args(args: &[&str]) -> Run {
    let mut all = vec!["tail"];
    all.extend_from_slice(args);
    ssedash(&all, LIMIT).await
}

/// Quotes, then the OpenAI end marker, then an event that must never be printed, then silence.
async fn quotes_server() -> TestServer {
    TestServer::always(vec![
        sse_head(),
        write(
            "data: {\"kind\":\"quote\",\"symbol\":\"ACME\",\"price\":101.5,\"volume\":200}\n\n\
             data: {\"kind\":\"quote\",\"symbol\":\"INIT\",\"price\":\"n/a\"}\n\n\
             event: halt\ndata: {\"kind\":\"ignored\",\"symbol\":\"ACME\"}\n\n\
             data: [DONE]\n\n\
             data: {\"kind\":\"late\"}\n\n",
        ),
        Step::Hold,
    ])
    .await
}

#[tokio::test]
async fn columns_are_added_to_each_ndjson_line_numbers_as_numbers() {
    let server = quotes_server().await;
    let run = tail(
        &server.url("/q"),
        &[
            "--column",
            ".price",
            "--column",
            "vol:.volume",
            "--count",
            "2",
        ],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let events = run.events();
    assert_eq!(events[0]["columns"], json!([101.5, 200]));
    assert_eq!(events[1]["columns"], json!(["n/a", null]));
}

#[tokio::test]
async fn stop_when_closes_the_feed_for_good_at_the_done_marker() {
    let server = quotes_server().await;
    let run = tail(
        &server.url("/q"),
        &["--stop-when", ". == \"[DONE]\"", "--type-from", ".kind"],
    )
    .await;
    // The run ends by itself: the feed closed at [DONE] and did not reconnect.
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let types: Vec<_> = run.events().iter().map(|e| e["type"].clone()).collect();
    // type_from names data-only events; `event: halt` keeps its own type; [DONE] has no
    // `.kind` (a runtime error on a string) and keeps `message`.
    assert_eq!(
        types,
        [
            json!("quote"),
            json!("quote"),
            json!("halt"),
            json!("message")
        ]
    );
    let states = run.states();
    let last = states.last().unwrap();
    assert_eq!(last["state"], "closed");
    assert_eq!(last["reason"], "stop_when matched");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn format_text_prints_time_type_and_columns_tab_separated() {
    let server = quotes_server().await;
    let run = tail_args(&[
        &server.url("/q"),
        "--format",
        "text",
        "--key",
        ".symbol",
        "--column",
        ".price",
        "--count",
        "2",
    ])
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let rows: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .filter(|l| l.contains('\t'))
        .map(|l| l.split('\t').skip(1).collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec!["message", "ACME", "101.5"],
            vec!["message", "INIT", "n/a"]
        ]
    );
}

#[tokio::test]
async fn a_bad_expression_on_the_command_line_is_a_usage_error_with_jqs_message() {
    let run = tail_args(&["http://127.0.0.1:9/x", "--column", ".price |"]).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("--column '.price |': jq: expected term at column 9"),
        "{}",
        run.stderr
    );
    let run = tail_args(&["http://127.0.0.1:9/x", "--stop-when", "nosuch"]).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("undefined filter nosuch/0"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn error_when_marks_the_ndjson_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::always(vec![
        sse_head(),
        write("data: {\"ok\":1}\n\ndata: {\"error\":{\"message\":\"quota\"}}\n\n"),
        Step::Hold,
    ])
    .await;
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[[feed]]\nname = \"f\"\nurl = \"{}\"\nerror_when = '.error != null'\n",
            server.url("/e")
        ),
    )
    .unwrap();
    let run = tail_args(&[
        "--config",
        config.to_str().unwrap(),
        "--format",
        "ndjson",
        "--count",
        "2",
    ])
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let events = run.events();
    assert_eq!(events[0].get("error"), None);
    assert_eq!(events[1]["error"], json!(true));
}

/// A transcript streamed by a server in pieces: the text comes out whole, without a newline per
/// chunk; the summary goes to stderr.
#[tokio::test]
async fn transcript_text_streams_without_a_newline_per_chunk_and_sums_up_on_stderr() {
    let server = TestServer::always(vec![
        sse_head(),
        write("data: {\"t\":\"Hello\"}\n\n"),
        sleep_ms(30),
        write("data: {\"t\":\", wor\"}\n\n"),
        sleep_ms(30),
        write("data: {\"t\":\"ld.\"}\n\ndata: {\"fin\":\"stop\"}\n\n"),
    ])
    .await;
    let run = tail_args(&[
        &server.url("/t"),
        "--text",
        ".t",
        "--format",
        "text",
        "--no-reconnect",
    ])
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "Hello, world.\n");
    let summary = run
        .stderr
        .lines()
        .find(|l| l.contains("chunks"))
        .unwrap_or_else(|| panic!("no summary in {}", run.stderr));
    assert!(summary.starts_with("ssedash: 127.0.0.1:"), "{summary}");
    assert!(summary.contains(" · 3 chunks · "), "{summary}");
    assert!(summary.contains("ttft "), "{summary}");
}

#[tokio::test]
async fn demo_ticker_is_a_board_keyed_by_symbol_with_price_change_and_volume() {
    let run = tail_args(&[
        "--demo", "--feed", "ticker", "--format", "ndjson", "--count", "3",
    ])
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for event in run.events().iter().filter(|e| e["type"] == "quote") {
        let data: serde_json::Value =
            serde_json::from_str(event["data"].as_str().unwrap()).unwrap();
        assert_eq!(event["key"], data["symbol"]);
        assert_eq!(
            event["columns"],
            json!([data["price"], data["change"], data["volume"]])
        );
    }
}

/// Each connection is a new message: the first ends (newline, summary) when its stream ends.
#[tokio::test]
async fn transcript_text_starts_a_new_message_on_each_connection() {
    let server = TestServer::start(|n, _| {
        let mut steps = vec![
            sse_head(),
            write(format!(
                "retry: 50\ndata: {{\"t\":\"answer {}\"}}\n\n",
                n + 1
            )),
        ];
        if n > 0 {
            steps.push(Step::Hold);
        }
        steps
    })
    .await;
    let run = tail_args(&[
        &server.url("/t"),
        "--text",
        ".t",
        "--format",
        "text",
        "--timeout",
        "3",
    ])
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // The second message, cut short by --timeout, ends its line and is summed up too.
    assert_eq!(run.stdout, "answer 1\nanswer 2\n");
    let summaries = run.stderr.lines().filter(|l| l.contains("1 chunk")).count();
    assert_eq!(summaries, 2, "one summary per message: {}", run.stderr);
}

/// A run stopped by --count in the middle of a message still ends the line and sums it up.
#[tokio::test]
async fn transcript_text_cut_short_by_count_ends_with_a_newline_and_its_summary() {
    let server = TestServer::always(vec![
        sse_head(),
        write("data: {\"t\":\"Hello\"}\n\ndata: {\"t\":\", wor\"}\n\n"),
        Step::Hold,
    ])
    .await;
    let run = tail_args(&[
        &server.url("/t"),
        "--text",
        ".t",
        "--format",
        "text",
        "--count",
        "2",
    ])
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "Hello, wor\n");
    assert!(
        run.stderr.lines().any(|l| l.contains(" · 2 chunks")),
        "no summary in {}",
        run.stderr
    );
}
