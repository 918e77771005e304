//! Alerts in the dashboard at the `App::update` level (no terminal): each kind judged on
//! arrival or on the clock, the alert log, the unseen count, flash marks, the queued actions
//! and `Enter` on a log entry.

use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ssedash::alert::command::{CommandDone, CommandOutcome};
use ssedash::alert::{Actions, AlertSpec, Condition, Edge, StateName};
use ssedash::feed::{ConnState, FeedId, FeedMsg, FeedSpec, StateChange};
use ssedash::sse::Event;
use ssedash::tui::alert_log::{AlertJob, Entry};
use ssedash::tui::app::{App, Mode, Msg};
use ssedash::tui::theme;

const S: Duration = Duration::from_secs(1);

fn app(feeds: &[&str], alerts: Vec<AlertSpec>) -> (App, Instant) {
    let now = Instant::now();
    let specs: Vec<_> = feeds
        .iter()
        .map(|n| FeedSpec::new(*n, format!("http://127.0.0.1:1/{n}").parse().unwrap()))
        .collect();
    let themes = theme::load_all(None, false).unwrap();
    let mut app = App::new(&specs, themes, 0, now);
    app.set_alerts(alerts, now);
    app.update(Msg::Resize(160, 48), now);
    (app, now)
}

fn alert(name: &str, condition: Condition) -> AlertSpec {
    AlertSpec {
        name: name.into(),
        feeds: None,
        condition,
        cooldown: Duration::ZERO,
        actions: Actions::default(),
    }
}

fn event(app: &mut App, feed: usize, data: &str, id: &str, now: Instant) {
    let msg = FeedMsg::Event {
        event: Event::new("message", data, id),
        at: SystemTime::now(),
    };
    app.update(Msg::Feed(FeedId(feed), msg), now);
}

fn state(app: &mut App, feed: usize, state: ConnState, now: Instant) {
    let change = StateChange {
        state,
        attempt: 1,
        status: None,
        reason: None,
        at: SystemTime::now(),
    };
    app.update(Msg::Feed(FeedId(feed), FeedMsg::State(change)), now);
}

fn key(app: &mut App, code: KeyCode, now: Instant) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), now);
}

/// (alert, feed, edge) of the log's alert entries.
fn edges(app: &App) -> Vec<(String, usize, Edge)> {
    app.alerts
        .log
        .iter()
        .filter_map(|e| match &e.what {
            Entry::Edge {
                alert, feed, edge, ..
            } => Some((alert.clone(), *feed, *edge)),
            _ => None,
        })
        .collect()
}

fn fired(name: &str, feed: usize) -> (String, usize, Edge) {
    (name.into(), feed, Edge::Fired)
}

fn resolved(name: &str, feed: usize) -> (String, usize, Edge) {
    (name.into(), feed, Edge::Resolved)
}

#[test]
fn match_is_judged_as_events_arrive_and_logged_fired_then_resolved() {
    let (mut app, now) = app(
        &["log"],
        vec![alert("err", Condition::matching("ERROR").unwrap())],
    );
    event(&mut app, 0, "INFO", "1", now);
    event(&mut app, 0, "ERROR a", "2", now);
    event(&mut app, 0, "ERROR b", "3", now);
    assert_eq!(edges(&app), vec![fired("err", 0)]);
    event(&mut app, 0, "INFO", "4", now);
    assert_eq!(edges(&app), vec![fired("err", 0), resolved("err", 0)]);
    assert_eq!(
        app.alerts.unseen, 1,
        "firings count as unseen, resolutions do not"
    );
}

#[test]
fn when_jq_is_judged_on_arrival() {
    let expr = ssedash::expr::Expr::compile(".price > 240").unwrap();
    let (mut app, now) = app(&["ticker"], vec![alert("high", Condition::When(expr))]);
    event(&mut app, 0, r#"{"price":200}"#, "1", now);
    assert_eq!(edges(&app), vec![]);
    event(&mut app, 0, r#"{"price":241}"#, "2", now);
    assert_eq!(edges(&app), vec![fired("high", 0)]);
}

#[test]
fn silent_for_is_judged_on_the_clock_and_the_app_asks_to_wake_for_it() {
    let (mut app, now) = app(&["f"], vec![alert("quiet", Condition::SilentFor(30 * S))]);
    event(&mut app, 0, "x", "1", now);
    let wake = app.next_wake(now).unwrap();
    assert!(wake <= now + 30 * S, "wakes by the silence's end");
    app.update(Msg::Tick, now + 29 * S);
    assert_eq!(edges(&app), vec![]);
    app.update(Msg::Tick, now + 30 * S);
    assert_eq!(edges(&app), vec![fired("quiet", 0)]);
    event(&mut app, 0, "back", "2", now + 31 * S);
    assert_eq!(edges(&app), vec![fired("quiet", 0), resolved("quiet", 0)]);
}

#[test]
fn state_with_for_fires_once_the_state_lasted_and_resolves_when_it_changes() {
    let cond = Condition::State {
        state: StateName::Failed,
        held: 60 * S,
    };
    let (mut app, now) = app(&["a", "b"], vec![alert("down", cond)]);
    state(&mut app, 1, ConnState::Failed, now);
    app.update(Msg::Tick, now + 59 * S);
    assert_eq!(edges(&app), vec![]);
    app.update(Msg::Tick, now + 60 * S);
    assert_eq!(edges(&app), vec![fired("down", 1)]);
    state(&mut app, 1, ConnState::Connecting, now + 61 * S);
    assert_eq!(edges(&app), vec![fired("down", 1), resolved("down", 1)]);
}

#[test]
fn rate_above_is_judged_on_the_clock() {
    let cond = Condition::RateAbove {
        per_sec: 5.0,
        held: Duration::ZERO,
    };
    let (mut app, now) = app(&["f"], vec![alert("flood", cond)]);
    for t in 0..12u32 {
        for i in 0..10u32 {
            event(
                &mut app,
                0,
                "x",
                &i.to_string(),
                now + t * S + Duration::from_millis(u64::from(i) * 90),
            );
        }
        app.update(Msg::Tick, now + (t + 1) * S);
    }
    assert_eq!(edges(&app), vec![fired("flood", 0)]);
}

#[test]
fn a_firing_queues_its_actions_for_the_event_loop_and_flashes_the_pane() {
    let mut spec = alert("err", Condition::matching("ERROR").unwrap());
    spec.actions = Actions {
        flash: true,
        bell: true,
        notify: true,
        command: Some("true".into()),
    };
    let (mut app, now) = app(&["a", "b"], vec![spec]);
    event(&mut app, 1, "ERROR", "7", now);
    let jobs = app.alerts.take_jobs();
    assert!(matches!(jobs[0], AlertJob::Bell), "{jobs:?}");
    assert!(matches!(&jobs[1], AlertJob::Notify { summary, .. } if summary == "ssedash: err"));
    let AlertJob::Command(job) = &jobs[2] else {
        panic!("{jobs:?}")
    };
    assert_eq!((job.alert.as_str(), job.feed.as_str()), ("err", "b"));
    assert_eq!(job.data, "ERROR");
    assert_eq!(app.alerts.flashed, vec![false, true]);
    assert!(app.alerts.take_jobs().is_empty(), "taken once");
    // Resolving runs nothing.
    event(&mut app, 1, "ok", "8", now);
    assert!(app.alerts.take_jobs().is_empty());
}

#[test]
fn bang_opens_the_log_marks_all_seen_and_clears_the_flash() {
    let mut spec = alert("err", Condition::matching("ERROR").unwrap());
    spec.actions.flash = true;
    let (mut app, now) = app(&["a"], vec![spec]);
    event(&mut app, 0, "ERROR", "1", now);
    event(&mut app, 0, "ok", "2", now);
    event(&mut app, 0, "ERROR", "3", now);
    assert_eq!(app.alerts.unseen, 2);
    key(&mut app, KeyCode::Char('!'), now);
    assert_eq!(
        app.mode,
        Mode::AlertLog { cursor: 2 },
        "the newest entry selected"
    );
    assert_eq!(app.alerts.unseen, 0);
    assert_eq!(app.alerts.flashed, vec![false]);
    key(&mut app, KeyCode::Esc, now);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn enter_on_a_log_entry_opens_the_event_that_did_it_in_its_pane() {
    let (mut app, now) = app(
        &["a", "b"],
        vec![alert("err", Condition::matching("ERROR").unwrap())],
    );
    event(&mut app, 1, "INFO one", "1", now);
    event(&mut app, 1, "ERROR the one", "2", now);
    event(&mut app, 1, "INFO three", "3", now);
    key(&mut app, KeyCode::Char('!'), now);
    key(&mut app, KeyCode::Char('k'), now); // from "resolved" up to "fired"
    key(&mut app, KeyCode::Enter, now);
    assert_eq!(app.focus, 1);
    let Mode::Detail(view) = &app.mode else {
        panic!("{:?}", app.mode)
    };
    assert!(format!("{view:?}").contains("ERROR the one"), "{view:?}");
    assert_eq!(app.panes[1].current_event().unwrap().data, "ERROR the one");
}

#[test]
fn enter_on_an_event_no_longer_buffered_says_so() {
    let (mut app, now) = app(
        &["a"],
        vec![alert("err", Condition::matching("ERROR").unwrap())],
    );
    app.panes[0].capacity = 2;
    event(&mut app, 0, "ERROR", "1", now);
    for i in 2..6 {
        event(&mut app, 0, "ERROR still", &i.to_string(), now);
    }
    key(&mut app, KeyCode::Char('!'), now);
    key(&mut app, KeyCode::Enter, now);
    assert!(matches!(app.mode, Mode::AlertLog { .. }));
    let (notice, _) = app.notice.clone().unwrap();
    assert_eq!(notice, "that event is no longer in the pane's buffer");
}

#[test]
fn command_results_and_unavailable_notifications_go_to_the_log_once() {
    let (mut app, now) = app(
        &["a"],
        vec![alert("err", Condition::matching("ERROR").unwrap())],
    );
    let done = CommandDone {
        alert: "err".into(),
        feed: "a".into(),
        outcome: CommandOutcome::Exited(Some(3)),
        output: "oops\n".into(),
    };
    app.update(Msg::AlertCommand(done), now);
    app.update(Msg::NotifyFailed("no D-Bus session".into()), now);
    app.update(Msg::NotifyFailed("no D-Bus session".into()), now);
    let notes: Vec<String> = app
        .alerts
        .log
        .iter()
        .filter_map(|e| match &e.what {
            Entry::Note { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes,
        vec![
            "command exited 3: oops".to_string(),
            "desktop notifications are not available here: no D-Bus session".to_string()
        ]
    );
}

#[test]
fn the_log_keeps_a_bounded_number_of_entries() {
    let (mut app, now) = app(
        &["a"],
        vec![alert("err", Condition::matching("ERROR").unwrap())],
    );
    for i in 0..2000 {
        // 20 firings a minute pass the cap: a minute apart each pair.
        let t = now + Duration::from_secs(4 * i);
        event(&mut app, 0, "ERROR", "1", t);
        event(&mut app, 0, "ok", "2", t);
    }
    assert_eq!(app.alerts.log.len(), ssedash::tui::alert_log::LOG_ENTRIES);
}
