//! Alerts in `ssedash tail`, end to end: the real binary, a loopback server, a config file with
//! `[[alert]]`s, and commands that write to files.

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use support::{Step, TestServer, sse_head, write};

/// A config with one feed at `url` and the given alert tables.
fn config(dir: &Path, url: &str, alerts: &str) -> String {
    let path = dir.join("feeds.toml");
    std::fs::write(
        &path,
        format!("[[feed]]\nname = \"log\"\nurl = \"{url}\"\n[feed.reconnect]\nwhen = \"never\"\n\n{alerts}"),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn events(lines: &[&str]) -> Vec<Step> {
    let mut steps = vec![sse_head()];
    for (i, data) in lines.iter().enumerate() {
        steps.push(write(format!("data: {data}\nid: {}\n\n", i + 1)));
    }
    steps
}

async fn tail_config(config: &str, format: &str) -> support::Run {
    support::ssedash(
        &[
            "tail",
            "--config",
            config,
            "--format",
            format,
            "--timeout",
            "20",
        ],
        Duration::from_secs(40),
    )
    .await
}

fn alert_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["kind"] == "alert")
        .collect()
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn a_command_action_writes_exactly_one_line_per_firing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fired.txt");
    let server = TestServer::always(events(&[
        "INFO start",
        "ERROR disk full",
        "ERROR disk still full",
        "INFO recovered",
        "ERROR again",
        "ERROR and again",
        "INFO fine",
    ]))
    .await;
    let alerts = format!(
        "[[alert]]\nname = \"errors\"\nmatch = \"ERROR\"\n\
         command = 'echo \"$SSEDASH_ALERT|$SSEDASH_FEED|$SSEDASH_TYPE|$SSEDASH_DATA\" >> {}'\n",
        out.display()
    );
    let cfg = config(dir.path(), &server.url("/"), &alerts);
    let run = tail_config(&cfg, "ndjson").await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    // Commands run side by side: their lines may come in either order.
    let mut lines = read_lines(&out);
    lines.sort();
    assert_eq!(
        lines,
        vec![
            "errors|log|message|ERROR again",
            "errors|log|message|ERROR disk full"
        ]
    );
    let states: Vec<(String, String)> = alert_lines(&run.stdout)
        .iter()
        .map(|v| {
            (
                v["state"].as_str().unwrap().into(),
                v["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("fired", "2"),
        ("resolved", "4"),
        ("fired", "5"),
        ("resolved", "7"),
    ];
    assert_eq!(
        states,
        expected
            .map(|(s, i)| (s.to_string(), i.to_string()))
            .to_vec()
    );
    let first = &alert_lines(&run.stdout)[0];
    assert_eq!(first["alert"], "errors");
    assert_eq!(first["feed"], "log");
    assert!(first["at"].as_str().unwrap().ends_with('Z'));
    assert!(
        run.stderr
            .contains("ssedash: alert \"errors\" on log: command done"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_command_gets_the_event_ndjson_line_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stdin.txt");
    let server = TestServer::always(events(&["{\"level\":\"ERROR\",\"msg\":\"boom\"}"])).await;
    let alerts = format!(
        "[[alert]]\nname = \"e\"\nmatch = \"ERROR\"\ncommand = 'cat >> {}'\n",
        out.display()
    );
    let cfg = config(dir.path(), &server.url("/"), &alerts);
    let run = tail_config(&cfg, "ndjson").await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines = read_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(line["kind"], "event");
    assert_eq!(line["feed"], "log");
    assert_eq!(line["data"], "{\"level\":\"ERROR\",\"msg\":\"boom\"}");
    assert_eq!(line["id"], "1");
}

#[tokio::test]
async fn feed_data_reaches_the_command_as_a_value_and_is_never_run_by_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data.txt");
    let pwned = dir.path().join("pwned");
    let hostile = format!(
        "ERROR $(touch {p}) `touch {p}` \"; touch {p}; \" '; touch {p}; '",
        p = pwned.display()
    );
    let server = TestServer::always(events(&[&hostile])).await;
    let alerts = format!(
        "[[alert]]\nname = \"e\"\nmatch = \"ERROR\"\n\
         command = 'printf \"%s\\n\" \"$SSEDASH_DATA\" >> {}'\n",
        out.display()
    );
    let cfg = config(dir.path(), &server.url("/"), &alerts);
    let run = tail_config(&cfg, "ndjson").await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(read_lines(&out), vec![hostile]);
    assert!(!pwned.exists(), "the shell ran feed data");
}

#[tokio::test]
async fn a_command_that_runs_too_long_is_killed_after_10_s_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::always(events(&["ERROR"])).await;
    let alerts = "[[alert]]\nname = \"slow\"\nmatch = \"ERROR\"\ncommand = 'sleep 60'\n";
    let cfg = config(dir.path(), &server.url("/"), alerts);
    let run = tail_config(&cfg, "ndjson").await;
    assert_eq!(run.code, Some(0));
    assert!(
        run.stderr
            .contains("alert \"slow\" on log: command killed after 10 s (timeout)"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn text_format_prints_alerts_among_events_and_data_format_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::always(events(&["ERROR x", "ok"])).await;
    let alerts = "[[alert]]\nname = \"errors\"\nmatch = \"ERROR\"\n";
    let cfg = config(dir.path(), &server.url("/"), alerts);
    let text = tail_config(&cfg, "text").await;
    assert!(
        text.stdout
            .contains("ALERT \"errors\" fired on log (event message #1)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("ALERT \"errors\" resolved on log (event message #2)")
    );
    let data = tail_config(&cfg, "data").await;
    assert_eq!(data.stdout, "ERROR x\nok\n");
    assert!(
        data.stderr
            .contains("ssedash: ALERT \"errors\" fired on log (event message #1)"),
        "{}",
        data.stderr
    );
}

#[tokio::test]
async fn state_alerts_fire_in_tail_when_a_feed_fails() {
    let dir = tempfile::tempdir().unwrap();
    let server =
        TestServer::always(vec![support::head("404 Not Found", &["Content-Length: 0"])]).await;
    let alerts = "[[alert]]\nname = \"down\"\nstate = \"failed\"\n";
    let cfg = config(dir.path(), &server.url("/"), alerts);
    let run = tail_config(&cfg, "ndjson").await;
    let lines = alert_lines(&run.stdout);
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert_eq!(lines[0]["state"], "fired");
    assert_eq!(lines[0]["cause"], "state failed");
}

#[tokio::test]
async fn past_20_firings_a_minute_tail_says_so_once_and_reports_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fired.txt");
    let data: Vec<&str> = (0..30).flat_map(|_| ["ERROR", "ok"]).collect();
    let server = TestServer::always(events(&data)).await;
    let alerts = format!(
        "[[alert]]\nname = \"errors\"\nmatch = \"ERROR\"\ncommand = 'echo x >> {}'\n",
        out.display()
    );
    let cfg = config(dir.path(), &server.url("/"), &alerts);
    let run = tail_config(&cfg, "ndjson").await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines = alert_lines(&run.stdout);
    let fired = lines.iter().filter(|v| v["state"] == "fired").count();
    assert_eq!(fired, 20, "30 firings, 20 reported");
    let notices: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["kind"] == "alert_notice")
        .collect();
    assert_eq!(notices.len(), 1, "said once: {notices:?}");
    assert!(
        notices[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("more than 20 alert firings in a minute")
    );
    // Commands ran for the reported firings only (at most 4 at once: the rest say so).
    let ran = read_lines(&out).len();
    let busy = run
        .stderr
        .matches("alert commands are running already")
        .count();
    assert_eq!(ran + busy, 20, "stderr: {}", run.stderr);
}
