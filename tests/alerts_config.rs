//! `[[alert]]` in feeds.toml: what loads, and errors that name file, line and key.

use std::path::Path;
use std::time::Duration;

use ssedash::alert::{Condition, StateName};
use ssedash::config::{Config, parse};

const FEEDS: &str = "[[feed]]\nname = \"ticker\"\nurl = \"http://127.0.0.1:7878/ticker\"\n\
                     [[feed]]\nname = \"deploys\"\nurl = \"http://127.0.0.1:7878/deploys\"\n";

fn ok(alerts: &str) -> Config {
    let text = format!("{FEEDS}{alerts}");
    parse(&text, Path::new("feeds.toml")).unwrap_or_else(|e| panic!("should load:\n{e}"))
}

/// The error text, for alerts written from line 7 on.
fn err(alerts: &str) -> String {
    let text = format!("{FEEDS}{alerts}");
    match parse(&text, Path::new("feeds.toml")) {
        Ok(c) => panic!("should fail, got {:#?}", c.alerts),
        Err(e) => e.to_string(),
    }
}

#[track_caller]
fn assert_error(message: &str, line: usize, parts: &[&str]) {
    let at = format!("feeds.toml:{line}:");
    assert!(message.contains(&at), "expected {at} in:\n{message}");
    for part in parts {
        assert!(message.contains(part), "expected {part:?} in:\n{message}");
    }
}

#[test]
fn every_condition_kind_and_action_loads() {
    let config = ok(r#"
[[alert]]
name = "deploy failed"
feeds = ["deploys"]
match = '"status":"failed"'
cooldown = "1m"
do = ["flash", "bell", "notify"]
command = "echo \"$SSEDASH_ALERT\" >> alerts.log"

[[alert]]
name = "quiet"
silent_for = "30s"

[[alert]]
name = "down"
state = "waiting"
for = "1m"

[[alert]]
name = "flood"
rate_above = 500
for = "30s"

[[alert]]
name = "slow"
rate_below = 0.5
"#);
    let a = &config.alerts;
    assert_eq!(a.len(), 5);
    assert_eq!(a[0].name, "deploy failed");
    assert_eq!(a[0].feeds, Some(vec!["deploys".to_string()]));
    assert_eq!(
        a[0].condition,
        Condition::matching("\"status\":\"failed\"").unwrap()
    );
    assert_eq!(a[0].cooldown, Duration::from_secs(60));
    assert!(a[0].actions.flash && a[0].actions.bell && a[0].actions.notify);
    assert_eq!(
        a[0].actions.command.as_deref(),
        Some("echo \"$SSEDASH_ALERT\" >> alerts.log")
    );
    assert_eq!(a[1].feeds, None, "default: every feed");
    assert_eq!(
        a[1].condition,
        Condition::SilentFor(Duration::from_secs(30))
    );
    assert_eq!(a[1].cooldown, Duration::ZERO);
    assert_eq!(
        a[2].condition,
        Condition::State {
            state: StateName::Waiting,
            held: Duration::from_secs(60)
        }
    );
    assert_eq!(
        a[3].condition,
        Condition::RateAbove {
            per_sec: 500.0,
            held: Duration::from_secs(30)
        }
    );
    assert_eq!(
        a[4].condition,
        Condition::RateBelow {
            per_sec: 0.5,
            held: Duration::ZERO
        }
    );
}

#[test]
fn an_unknown_feed_name_is_an_error_at_its_line_with_the_feeds_listed() {
    let e = err("[[alert]]\nname = \"x\"\nfeeds = [\"tickr\"]\nmatch = \"a\"\n");
    assert_error(
        &e,
        9,
        &[
            "alert \"x\": `feeds`: there is no feed \"tickr\"",
            "did you mean \"ticker\"?",
            "ticker, deploys",
        ],
    );
}

#[test]
fn two_conditions_are_an_error_naming_both() {
    let e = err("[[alert]]\nname = \"x\"\nmatch = \"a\"\nsilent_for = \"3s\"\n");
    assert_error(
        &e,
        10,
        &["`silent_for` and `match` (line 9) are both set; an alert has one condition"],
    );
}

#[test]
fn no_condition_is_an_error_at_the_alert_header() {
    let e = err("[[alert]]\nname = \"x\"\ndo = [\"bell\"]\n");
    assert_error(
        &e,
        7,
        &["alert \"x\": no condition: add one of when, match"],
    );
}

#[test]
fn for_with_an_event_condition_is_an_error() {
    let e = err("[[alert]]\nname = \"x\"\nmatch = \"a\"\nfor = \"3s\"\n");
    assert_error(
        &e,
        10,
        &["`for` goes with `state`, `rate_above` or `rate_below`"],
    );
}

#[test]
fn bad_values_say_what_to_write() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "state = \"faild\"",
            9,
            "`state` = \"faild\": did you mean \"failed\"?",
        ),
        (
            "silent_for = 30",
            9,
            "`silent_for` needs a unit: write \"30s\"",
        ),
        ("match = \"(\"", 9, "`match` = \"(\" is not a valid regex"),
        ("rate_below = 0", 9, "`rate_below` = 0 can never be true"),
        (
            "match = \"a\"\ndo = [\"flsh\"]",
            10,
            "\"flsh\" is not an action; did you mean \"flash\"?",
        ),
        (
            "match = \"a\"\ncooldown = \"soon\"",
            10,
            "`cooldown` = \"soon\" is not a duration",
        ),
        (
            "match = \"a\"\ncomand = \"x\"",
            10,
            "unknown key `comand`; did you mean `command`?",
        ),
        ("match = \"a\"\ncommand = \"\"", 10, "`command` is empty"),
    ];
    for (body, line, part) in cases {
        let e = err(&format!("[[alert]]\nname = \"x\"\n{body}\n"));
        assert_error(&e, *line, &[part]);
    }
}

#[test]
fn alert_names_are_required_and_unique() {
    let e = err("[[alert]]\nmatch = \"a\"\n");
    assert_error(&e, 7, &["[[alert]] #1: `name` is missing"]);
    let e = err("[[alert]]\nname = \"x\"\nmatch = \"a\"\n[[alert]]\nname = \"x\"\nmatch = \"b\"\n");
    assert_error(&e, 11, &["alert name \"x\" is already used on line 8"]);
}

#[test]
fn a_single_alert_table_is_an_error_that_says_to_use_two_brackets() {
    let e = err("[alert]\nname = \"x\"\nmatch = \"a\"\n");
    assert_error(&e, 7, &["write an [[alert]] header (two brackets)"]);
}

#[test]
fn when_is_compiled_at_load_and_bad_jq_is_an_error_at_its_line() {
    let config =
        ok("[[alert]]\nname = \"x\"\nwhen = 'select(.symbol == \"NMBS\") | .price > 240'\n");
    assert_eq!(
        config.alerts[0].condition.describe(),
        "when select(.symbol == \"NMBS\") | .price > 240"
    );
    let e = err("[[alert]]\nname = \"x\"\nwhen = '.price >'\n");
    assert_error(
        &e,
        9,
        &["alert \"x\": `when` = '.price >' is not a valid jq expression"],
    );
}

#[test]
fn check_lists_each_alert_with_what_it_watches_fires_on_and_does() {
    let config = ok(
        "[[alert]]\nname = \"deploy failed\"\nfeeds = [\"deploys\"]\nstate = \"failed\"\n\
         for = \"1m\"\ncooldown = \"5m\"\ndo = [\"bell\"]\ncommand = \"echo hi\"\n\
         [[alert]]\nname = \"quiet\"\nsilent_for = \"30s\"\n",
    );
    let text = ssedash::config::describe(&config);
    assert!(
        text.contains(
            "alert deploy failed\n  watches       deploys\n  fires on      state failed for 1 min\n  \
             cooldown      5 min\n  does          bell, command echo hi\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("alert quiet\n  watches       every feed\n  fires on      silent for 30 s\n"),
        "{text}"
    );
}
