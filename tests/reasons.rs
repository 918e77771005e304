//! Why a feed waits or failed, end to end through `ssedash tail`: `Retry-After` cannot make a
//! client storm a server, HTTP reasons read one way (`HTTP 503 Service Unavailable`), an error
//! response's body says what went wrong, and reasons travel raw until the edge that shows them.

mod support;

use std::time::Duration;

use support::{TestServer, head, ssedash, tail, write};

/// A 503 with `Retry-After`, and nothing else, on every connection.
async fn unavailable(retry_after: &str) -> TestServer {
    let header = format!("Retry-After: {retry_after}");
    TestServer::start(move |_, _| vec![head("503 Service Unavailable", &[&header])]).await
}

async fn connections_in_3_s(retry_after: &str) -> (usize, Vec<u64>) {
    let server = unavailable(retry_after).await;
    let run = tail(
        &server.url("/"),
        &["--reconnect-delay", "500", "--timeout", "3"],
    )
    .await;
    let waits: Vec<u64> = run
        .states()
        .iter()
        .filter(|s| s["state"] == "waiting")
        .map(|s| s["retry_in_ms"].as_u64().unwrap())
        .collect();
    (server.requests().len(), waits)
}

#[tokio::test]
async fn retry_after_zero_backs_off_exponentially_instead_of_storming() {
    // 500 ms doubling with at most 30 % jitter: attempts at 0, >= 0.35 s, >= 1.05 s, >= 2.45 s,
    // so at most four in three seconds (the old 100 ms floor made about thirty).
    let (connections, waits) = connections_in_3_s("0").await;
    assert!(
        (2..=4).contains(&connections),
        "{connections} connections in 3 s"
    );
    for (i, wait) in waits.iter().enumerate() {
        let backoff = 500 << i;
        assert!(
            *wait >= backoff * 7 / 10 && *wait <= backoff,
            "wait {i} is {wait} ms, not the backoff's {backoff} ms less jitter: {waits:?}"
        );
    }
}

#[tokio::test]
async fn a_retry_after_date_in_the_past_backs_off_exponentially_too() {
    let (connections, waits) = connections_in_3_s("Thu, 01 Jan 1970 00:00:00 GMT").await;
    assert!(
        (2..=4).contains(&connections),
        "{connections} connections in 3 s"
    );
    assert!(waits.first().is_some_and(|w| *w >= 350), "{waits:?}");
}

#[tokio::test]
async fn a_longer_retry_after_is_honoured() {
    let server = unavailable("2").await;
    let run = tail(
        &server.url("/"),
        &["--reconnect-delay", "100", "--timeout", "1"],
    )
    .await;
    let wait = &run.states()[1];
    assert_eq!(wait["state"], "waiting");
    assert_eq!(wait["retry_in_ms"], 2000);
    assert_eq!(wait["reason"], "HTTP 503 Service Unavailable");
}

#[tokio::test]
async fn retryable_and_fatal_statuses_are_worded_with_their_phrase() {
    for (status, reason) in [
        (
            "500 Internal Server Error",
            "HTTP 500 Internal Server Error",
        ),
        ("429 Too Many Requests", "HTTP 429 Too Many Requests"),
        ("403 Forbidden", "HTTP 403 Forbidden"),
    ] {
        let server = TestServer::always(vec![head(status, &["Content-Length: 0"])]).await;
        let run = tail(
            &server.url("/"),
            &["--reconnect-delay", "5000", "--timeout", "1"],
        )
        .await;
        let state = run
            .states()
            .into_iter()
            .find(|s| s["state"] != "connecting")
            .expect("a waiting or failed state");
        assert_eq!(state["reason"], reason);
    }
}

/// A response with this status, content type and body, then the end of the connection.
fn error_response(status: &str, content_type: &str, body: &[u8]) -> Vec<support::Step> {
    let mut bytes = format!(
        "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    vec![write(bytes)]
}

#[tokio::test]
async fn a_401_shows_the_error_message_of_its_json_body() {
    let server = TestServer::always(error_response(
        "401 Unauthorized",
        "application/json",
        br#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#,
    ))
    .await;
    let run = tail(&server.url("/"), &["--timeout", "10"]).await;
    assert_eq!(run.state_names(), vec!["failed"]);
    assert_eq!(
        run.states().pop().unwrap()["reason"],
        "HTTP 401 Unauthorized: Incorrect API key provided"
    );
    assert_eq!(run.code, Some(1));
}

#[tokio::test]
async fn json_without_a_message_field_and_plain_text_are_shown_compact_and_cut_at_200_bytes() {
    let server = TestServer::always(error_response(
        "400 Bad Request",
        "application/json",
        b"{\n  \"code\": 17,\n  \"ok\": false\n}",
    ))
    .await;
    let run = tail(&server.url("/"), &["--timeout", "10"]).await;
    assert_eq!(
        run.states().pop().unwrap()["reason"],
        r#"HTTP 400 Bad Request: {"code":17,"ok":false}"#
    );

    let long = format!("quota exceeded\n{}", "é".repeat(500));
    let server = TestServer::always(error_response(
        "429 Too Many Requests",
        "text/plain",
        long.as_bytes(),
    ))
    .await;
    let run = tail(
        &server.url("/"),
        &["--reconnect-delay", "5000", "--timeout", "1"],
    )
    .await;
    let reason = run.states()[1]["reason"].as_str().unwrap().to_string();
    let detail = reason
        .strip_prefix("HTTP 429 Too Many Requests: quota exceeded ")
        .unwrap_or_else(|| panic!("{reason}"));
    // 200 bytes of detail in all, cut between two-byte characters.
    assert_eq!(detail, "é".repeat((200 - "quota exceeded ".len()) / 2));
}

#[tokio::test]
async fn a_body_that_never_arrives_does_not_hold_the_feed_up() {
    // A head that promises a body, then silence: the reason comes without it, promptly.
    let server = TestServer::always(vec![
        head("401 Unauthorized", &["Content-Length: 100000"]),
        support::Step::Hold,
    ])
    .await;
    let run = tail(&server.url("/"), &["--timeout", "20"]).await;
    // Had reading the body hung, the run would end at --timeout with no `failed` at all.
    assert_eq!(run.state_names(), vec!["failed"]);
    assert_eq!(
        run.states().pop().unwrap()["reason"],
        "HTTP 401 Unauthorized"
    );
}

#[tokio::test]
async fn a_reason_is_raw_in_ndjson_and_escaped_in_text() {
    let body = b"bad key \x1b]0;PWNED\x07\x1b[2J";
    let server = TestServer::always(error_response("401 Unauthorized", "text/plain", body)).await;
    let run = tail(&server.url("/"), &["--timeout", "10"]).await;
    assert_eq!(
        run.states().pop().unwrap()["reason"],
        "HTTP 401 Unauthorized: bad key \x1b]0;PWNED\x07\x1b[2J",
        "NDJSON carries the text as the server sent it (JSON-escaped, not display-escaped)"
    );

    let run = ssedash(
        &[
            "tail",
            &server.url("/"),
            "--format",
            "text",
            "--timeout",
            "10",
        ],
        Duration::from_secs(30),
    )
    .await;
    // Wherever the text format puts state lines (stdout or stderr), they are escaped once.
    let shown = format!("{}{}", run.stdout, run.stderr);
    assert!(
        shown.contains(r"bad key \x1b]0;PWNED\x07\x1b[2J"),
        "escaped once: {shown}"
    );
    assert!(!shown.contains('\x1b'), "no raw ESC reaches the terminal");
    assert!(!shown.contains(r"\\x1b"), "not escaped twice");
}
