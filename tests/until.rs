//! `ssedash tail --until EXPR --timeout N`: exit 0 at the first matching event, 1 when none
//! came in time (saying so on stderr). The real binary against loopback servers.

mod support;

use std::time::{Duration, Instant};

use support::{Step, TestServer, sleep_ms, sse_head, tail, write};

fn ticks_then(then: Vec<Step>) -> Vec<Step> {
    let mut steps = vec![
        sse_head(),
        write("event: tick\ndata: 1\nid: 1\n\n"),
        write("event: tick\ndata: 2\nid: 2\n\n"),
    ];
    steps.extend(then);
    steps
}

#[tokio::test]
async fn until_type_exits_0_at_the_first_event_of_that_type_and_prints_nothing_after_it() {
    let server = TestServer::always(ticks_then(vec![
        sleep_ms(200),
        write("event: deploy\ndata: {\"status\":\"finished\"}\nid: 3\n\n"),
        // Had the run not ended at the deploy, it would print this and wait for --timeout.
        sleep_ms(3000),
        write("event: tick\ndata: late\nid: 4\n\n"),
        Step::Hold,
    ]))
    .await;
    let started = Instant::now();
    let run = tail(
        &server.url("/"),
        &["--until", "type:deploy", "--timeout", "20"],
    )
    .await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "ended at the deploy, not the timeout"
    );
    let events = run.event_triples();
    assert_eq!(events.last().unwrap().0, "deploy", "{events:?}");
    assert!(!run.stdout.contains("late"), "{}", run.stdout);
    assert_eq!(run.stderr, "");
}

#[tokio::test]
async fn until_exits_1_at_the_timeout_when_no_event_matches_and_says_so() {
    let server = TestServer::always(ticks_then(vec![Step::Hold])).await;
    let run = tail(
        &server.url("/"),
        &["--until", "type:deploy", "--timeout", "1"],
    )
    .await;
    assert_eq!(run.code, Some(1), "stdout: {}", run.stdout);
    assert_eq!(run.events().len(), 2, "the ticks were printed");
    assert!(
        run.stderr
            .contains("--until type:deploy: no event matched within 1 s"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn until_exits_1_when_every_feed_ends_before_a_match() {
    let server = TestServer::always(ticks_then(vec![])).await;
    let run = tail(
        &server.url("/"),
        &[
            "--until",
            "type:deploy",
            "--no-reconnect",
            "--timeout",
            "20",
        ],
    )
    .await;
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("no event matched before the feeds ended"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn until_with_an_empty_type_is_a_usage_error() {
    let run = support::ssedash(
        &["tail", "http://127.0.0.1:9/", "--until", "type:"],
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("--until type: needs an event type"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn until_jq_exits_0_at_the_first_event_whose_data_makes_it_true() {
    let server = TestServer::always(vec![
        sse_head(),
        write("event: deploy\ndata: {\"type\":\"deploy\",\"status\":\"building\"}\nid: 1\n\n"),
        write("data: not json at all\nid: 2\n\n"),
        write("event: deploy\ndata: {\"type\":\"deploy\",\"status\":\"finished\"}\nid: 3\n\n"),
        sleep_ms(3000),
        write("data: {\"late\":true}\nid: 4\n\n"),
        Step::Hold,
    ])
    .await;
    let expr = r#"select(.type=="deploy") | .status == "finished""#;
    let run = tail(&server.url("/"), &["--until", expr, "--timeout", "20"]).await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let ids: Vec<String> = run
        .event_triples()
        .into_iter()
        .map(|(_, _, id)| id)
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
}

#[tokio::test]
async fn until_jq_exits_1_at_the_timeout_when_it_never_holds() {
    let server = TestServer::always(ticks_then(vec![Step::Hold])).await;
    let run = tail(&server.url("/"), &["--until", ". > 5", "--timeout", "1"]).await;
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("--until . > 5: no event matched within 1 s"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn until_with_invalid_jq_is_a_usage_error() {
    let run = support::ssedash(
        &["tail", "http://127.0.0.1:9/", "--until", ".status =="],
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("--until '.status ==': not a jq expression"),
        "{}",
        run.stderr
    );
}
