//! The alert machine, pure: events, states and the time in; firings and resolutions out.
//! Every kind of condition, its edges, cooldowns, `for` durations and the storm cap.

use std::time::{Duration, Instant};

use ssedash::alert::{
    Actions, AlertSpec, Cause, Condition, Edge, Engine, MAX_FIRINGS_PER_MINUTE, Output, StateName,
};
use ssedash::sse::Event;

const S: Duration = Duration::from_secs(1);

fn alert(name: &str, condition: Condition, cooldown: Duration) -> AlertSpec {
    AlertSpec {
        name: name.into(),
        feeds: None,
        condition,
        cooldown,
        actions: Actions::default(),
    }
}

fn matching(pattern: &str) -> Condition {
    Condition::matching(pattern).unwrap()
}

struct Run {
    engine: Engine,
    t0: Instant,
    seq: u64,
}

impl Run {
    fn new(alerts: Vec<AlertSpec>, feeds: &[&str]) -> Run {
        let t0 = Instant::now();
        let names: Vec<String> = feeds.iter().map(|s| s.to_string()).collect();
        Run {
            engine: Engine::new(alerts, &names, t0),
            t0,
            seq: 0,
        }
    }

    fn at(&self, secs: f64) -> Instant {
        self.t0 + Duration::from_secs_f64(secs)
    }

    fn event(&mut self, feed: usize, secs: f64, data: &str) -> Vec<Output> {
        let mut out = Vec::new();
        self.seq += 1;
        let event = Event::new("message", data, self.seq.to_string());
        let now = self.at(secs);
        self.engine.on_event(feed, self.seq, &event, now, &mut out);
        out
    }

    fn state(&mut self, feed: usize, secs: f64, state: StateName) -> Vec<Output> {
        let mut out = Vec::new();
        let now = self.at(secs);
        self.engine.on_state(feed, state, now, &mut out);
        out
    }

    fn tick(&mut self, secs: f64) -> Vec<Output> {
        let mut out = Vec::new();
        let now = self.at(secs);
        self.engine.on_tick(now, &mut out);
        out
    }
}

/// (alert, feed, edge) of each transition.
fn edges(out: &[Output]) -> Vec<(usize, usize, Edge)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Transition(t) => Some((t.alert, t.feed, t.edge)),
            _ => None,
        })
        .collect()
}

const FIRED: Edge = Edge::Fired;
const RESOLVED: Edge = Edge::Resolved;

#[test]
fn match_fires_once_while_events_keep_matching_and_resolves_on_the_first_miss() {
    let mut r = Run::new(
        vec![alert("err", matching("ERROR"), Duration::ZERO)],
        &["log"],
    );
    assert_eq!(edges(&r.event(0, 0.1, "INFO ok")), vec![]);
    assert_eq!(edges(&r.event(0, 0.2, "ERROR one")), vec![(0, 0, FIRED)]);
    assert_eq!(edges(&r.event(0, 0.3, "ERROR two")), vec![]);
    assert_eq!(edges(&r.event(0, 0.4, "ERROR three")), vec![]);
    assert_eq!(edges(&r.event(0, 0.5, "INFO back")), vec![(0, 0, RESOLVED)]);
    assert_eq!(edges(&r.event(0, 0.6, "ERROR again")), vec![(0, 0, FIRED)]);
}

#[test]
fn match_is_smart_case_and_also_looks_at_the_event_type() {
    let mut r = Run::new(
        vec![alert("err", matching("error"), Duration::ZERO)],
        &["log"],
    );
    assert_eq!(
        edges(&r.event(0, 0.1, "an Error here")),
        vec![(0, 0, FIRED)]
    );
    let mut r = Run::new(
        vec![alert("err", matching("Error"), Duration::ZERO)],
        &["log"],
    );
    assert_eq!(edges(&r.event(0, 0.1, "an error here")), vec![]);
    let mut r = Run::new(
        vec![alert("t", matching("^halt$"), Duration::ZERO)],
        &["ticker"],
    );
    let mut out = Vec::new();
    r.engine
        .on_event(0, 1, &Event::new("halt", "{}", ""), r.t0, &mut out);
    assert_eq!(edges(&out), vec![(0, 0, FIRED)]);
}

#[test]
fn the_firing_carries_the_event_that_did_it_and_its_number() {
    let mut r = Run::new(
        vec![alert("err", matching("ERROR"), Duration::ZERO)],
        &["log"],
    );
    r.event(0, 0.1, "fine");
    let out = r.event(0, 0.2, "ERROR disk full");
    let Output::Transition(t) = &out[0] else {
        panic!("{out:?}")
    };
    let (seq, event) = t.cause.event().expect("an event cause");
    assert_eq!(seq, 2);
    assert_eq!(event.data.as_str(), "ERROR disk full");
    assert_eq!(t.at, r.at(0.2));
}

#[test]
fn match_cooldown_allows_one_firing_per_window_and_resolves_when_it_ends() {
    let mut r = Run::new(vec![alert("err", matching("ERROR"), 60 * S)], &["log"]);
    assert_eq!(edges(&r.event(0, 1.0, "ERROR")), vec![(0, 0, FIRED)]);
    assert_eq!(edges(&r.event(0, 2.0, "ok")), vec![(0, 0, RESOLVED)]);
    // Within the cooldown a new match is let go, and nothing is pending.
    assert_eq!(edges(&r.event(0, 3.0, "ERROR")), vec![]);
    assert_eq!(edges(&r.event(0, 4.0, "ok")), vec![]);
    assert_eq!(edges(&r.tick(61.5)), vec![]);
    assert_eq!(edges(&r.event(0, 62.0, "ERROR")), vec![(0, 0, FIRED)]);
    // Still matching when the cooldown ends: resolved by the clock, then the next match fires.
    assert_eq!(r.engine.next_due(r.at(63.0)), Some(r.at(122.0)));
    assert_eq!(edges(&r.tick(121.0)), vec![]);
    let out = r.tick(122.0);
    assert_eq!(edges(&out), vec![(0, 0, RESOLVED)]);
    let Output::Transition(t) = &out[0] else {
        panic!()
    };
    assert_eq!(t.cause, Cause::CooldownOver);
    assert_eq!(edges(&r.event(0, 123.0, "ERROR")), vec![(0, 0, FIRED)]);
}

#[test]
fn cooldown_is_per_feed() {
    let mut r = Run::new(vec![alert("err", matching("ERROR"), 60 * S)], &["a", "b"]);
    assert_eq!(edges(&r.event(0, 1.0, "ERROR")), vec![(0, 0, FIRED)]);
    assert_eq!(edges(&r.event(1, 2.0, "ERROR")), vec![(0, 1, FIRED)]);
}

#[test]
fn an_alert_watches_only_the_feeds_it_names() {
    let mut spec = alert("err", matching("ERROR"), Duration::ZERO);
    spec.feeds = Some(vec!["b".into()]);
    let mut r = Run::new(vec![spec], &["a", "b"]);
    assert_eq!(edges(&r.event(0, 1.0, "ERROR")), vec![]);
    assert_eq!(edges(&r.event(1, 1.0, "ERROR")), vec![(0, 1, FIRED)]);
}

#[test]
fn silent_for_fires_after_the_silence_and_resolves_on_the_next_event() {
    let mut r = Run::new(
        vec![alert("quiet", Condition::SilentFor(30 * S), Duration::ZERO)],
        &["f"],
    );
    r.event(0, 5.0, "x");
    assert_eq!(r.engine.next_due(r.at(6.0)), Some(r.at(35.0)));
    assert_eq!(edges(&r.tick(34.9)), vec![]);
    let out = r.tick(35.0);
    assert_eq!(edges(&out), vec![(0, 0, FIRED)]);
    let Output::Transition(t) = &out[0] else {
        panic!()
    };
    assert_eq!(t.cause, Cause::Silent(30 * S));
    // Fired once: later ticks of the same silence say nothing.
    assert_eq!(edges(&r.tick(40.0)), vec![]);
    assert_eq!(edges(&r.tick(100.0)), vec![]);
    assert_eq!(edges(&r.event(0, 101.0, "back")), vec![(0, 0, RESOLVED)]);
    assert_eq!(edges(&r.tick(130.0)), vec![]);
    assert_eq!(edges(&r.tick(131.0)), vec![(0, 0, FIRED)]);
}

#[test]
fn silent_for_counts_from_the_start_when_no_event_ever_came() {
    let mut r = Run::new(
        vec![alert("quiet", Condition::SilentFor(10 * S), Duration::ZERO)],
        &["f"],
    );
    assert_eq!(edges(&r.tick(9.0)), vec![]);
    assert_eq!(edges(&r.tick(10.0)), vec![(0, 0, FIRED)]);
}

#[test]
fn silent_for_with_a_cooldown_fires_when_the_cooldown_ends_if_still_silent() {
    let mut r = Run::new(
        vec![alert("quiet", Condition::SilentFor(10 * S), 60 * S)],
        &["f"],
    );
    assert_eq!(edges(&r.tick(10.0)), vec![(0, 0, FIRED)]);
    assert_eq!(edges(&r.event(0, 11.0, "x")), vec![(0, 0, RESOLVED)]);
    // Silent again from 21 s, but the cooldown runs to 70 s.
    assert_eq!(edges(&r.tick(21.0)), vec![]);
    assert_eq!(r.engine.next_due(r.at(22.0)), Some(r.at(70.0)));
    assert_eq!(edges(&r.tick(69.0)), vec![]);
    assert_eq!(edges(&r.tick(70.0)), vec![(0, 0, FIRED)]);
}

#[test]
fn state_fires_at_once_without_for_and_resolves_when_the_state_changes() {
    let failed = Condition::State {
        state: StateName::Failed,
        held: Duration::ZERO,
    };
    let mut r = Run::new(vec![alert("down", failed, Duration::ZERO)], &["f"]);
    assert_eq!(edges(&r.state(0, 0.1, StateName::Open)), vec![]);
    assert_eq!(
        edges(&r.state(0, 2.0, StateName::Failed)),
        vec![(0, 0, FIRED)]
    );
    assert_eq!(edges(&r.tick(3.0)), vec![]);
    assert_eq!(
        edges(&r.state(0, 4.0, StateName::Connecting)),
        vec![(0, 0, RESOLVED)]
    );
}

#[test]
fn state_with_for_fires_only_once_the_state_has_lasted_that_long() {
    let waiting = Condition::State {
        state: StateName::Waiting,
        held: 60 * S,
    };
    let mut r = Run::new(vec![alert("stuck", waiting, Duration::ZERO)], &["f"]);
    assert_eq!(edges(&r.state(0, 10.0, StateName::Waiting)), vec![]);
    assert_eq!(r.engine.next_due(r.at(11.0)), Some(r.at(70.0)));
    assert_eq!(edges(&r.tick(69.9)), vec![]);
    assert_eq!(edges(&r.tick(70.0)), vec![(0, 0, FIRED)]);
    assert_eq!(
        edges(&r.state(0, 75.0, StateName::Open)),
        vec![(0, 0, RESOLVED)]
    );
    // A short wait that ends before the minute never fires, and the next one counts afresh.
    assert_eq!(edges(&r.state(0, 80.0, StateName::Waiting)), vec![]);
    assert_eq!(edges(&r.state(0, 100.0, StateName::Connecting)), vec![]);
    assert_eq!(edges(&r.state(0, 101.0, StateName::Waiting)), vec![]);
    assert_eq!(edges(&r.tick(150.0)), vec![]);
    assert_eq!(edges(&r.tick(161.0)), vec![(0, 0, FIRED)]);
}

/// `n` events spread evenly over `from..to` seconds.
fn events_over(r: &mut Run, feed: usize, from: f64, to: f64, n: usize) {
    for i in 0..n {
        r.event(feed, from + (to - from) * i as f64 / n as f64, "x");
    }
}

#[test]
fn rate_above_fires_when_the_ten_second_rate_passes_it() {
    let above = Condition::RateAbove {
        per_sec: 5.0,
        held: Duration::ZERO,
    };
    let mut r = Run::new(vec![alert("flood", above, Duration::ZERO)], &["f"]);
    // 3 events/s for 20 s: below.
    events_over(&mut r, 0, 0.0, 20.0, 60);
    assert_eq!(edges(&r.tick(20.0)), vec![]);
    // 10 events/s from 20 s: the 10-second window passes 5/s during the next 10 s.
    let mut fired_at = None;
    let mut out_all = Vec::new();
    for t in 21..=40 {
        events_over(&mut r, 0, (t - 1) as f64, t as f64, 10);
        let out = r.tick(t as f64);
        if !edges(&out).is_empty() && fired_at.is_none() {
            fired_at = Some(t);
        }
        out_all.extend(out);
    }
    // The flood stops: the rate falls below and the alert resolves.
    let mut resolved = Vec::new();
    for t in 41..=60 {
        resolved.extend(r.tick(t as f64));
    }
    assert_eq!(edges(&resolved), vec![(0, 0, RESOLVED)]);
}

#[test]
fn rate_below_waits_for_a_whole_window_and_for_its_for() {
    let below = Condition::RateBelow {
        per_sec: 1.0,
        held: 30 * S,
    };
    let mut r = Run::new(vec![alert("slow", below, Duration::ZERO)], &["f"]);
    // Nothing at all: not judged before the first 10 s window is complete, then held 30 s.
    let mut out = Vec::new();
    for t in 1..=40 {
        out.extend(r.tick(t as f64));
    }
    assert_eq!(edges(&out), vec![], "judged from 11 s, fires at 41 s");
    assert_eq!(edges(&r.tick(41.0)), vec![(0, 0, FIRED)]);
    // Busy again: resolved once the window's rate is 1/s or more.
    let mut out = Vec::new();
    for t in 42..=61 {
        events_over(&mut r, 0, (t - 1) as f64, t as f64, 5);
        out.extend(r.tick(t as f64));
    }
    assert_eq!(edges(&out), vec![(0, 0, RESOLVED)]);
}

#[test]
fn a_rate_that_dips_before_its_for_is_up_does_not_fire() {
    let above = Condition::RateAbove {
        per_sec: 5.0,
        held: 20 * S,
    };
    let mut r = Run::new(vec![alert("flood", above, Duration::ZERO)], &["f"]);
    let mut out = Vec::new();
    for t in 1..=45 {
        // 10/s for 25 s, then nothing.
        if t <= 25 {
            events_over(&mut r, 0, (t - 1) as f64, t as f64, 10);
        }
        out.extend(r.tick(t as f64));
    }
    // Above 5/s from 11 s to about 30 s: 19 s, short of 20.
    assert_eq!(edges(&out), vec![]);
}

#[test]
fn the_storm_cap_holds_firings_back_says_so_once_and_says_when_it_lifts() {
    let alerts = vec![alert("err", matching("ERROR"), Duration::ZERO)];
    let feeds: Vec<String> = (0..100).map(|i| format!("f{i}")).collect();
    let names: Vec<&str> = feeds.iter().map(String::as_str).collect();
    let mut r = Run::new(alerts, &names);
    let mut out = Vec::new();
    for f in 0..100 {
        out.extend(r.event(f, 1.0, "ERROR"));
    }
    let fired = edges(&out).len();
    assert_eq!(fired, MAX_FIRINGS_PER_MINUTE);
    let capped = out
        .iter()
        .filter(|o| matches!(o, Output::Capped { .. }))
        .count();
    assert_eq!(capped, 1, "said once");
    // The held firings resolve silently: no resolution without its firing.
    let mut out = Vec::new();
    for f in 0..100 {
        out.extend(r.event(f, 2.0, "ok"));
    }
    assert_eq!(edges(&out).len(), MAX_FIRINGS_PER_MINUTE);
    assert!(
        edges(&out)
            .iter()
            .all(|(_, f, e)| *e == RESOLVED && *f < 20)
    );
    // A minute after the first firings, the cap lifts, with the count of what it held.
    assert_eq!(r.engine.next_due(r.at(3.0)), Some(r.at(61.0)));
    let out = r.tick(61.0);
    assert_eq!(
        out,
        vec![Output::CapLifted {
            at: r.at(61.0),
            held: 80
        }]
    );
    assert_eq!(edges(&r.event(50, 62.0, "ERROR")), vec![(0, 50, FIRED)]);
}

#[test]
fn several_alerts_on_one_feed_are_independent() {
    let alerts = vec![
        alert("err", matching("ERROR"), Duration::ZERO),
        alert("warn", matching("WARN|ERROR"), Duration::ZERO),
    ];
    let mut r = Run::new(alerts, &["log"]);
    assert_eq!(edges(&r.event(0, 1.0, "WARN")), vec![(1, 0, FIRED)]);
    assert_eq!(
        edges(&r.event(0, 2.0, "ERROR")),
        vec![(0, 0, FIRED)],
        "warn is still on"
    );
    assert_eq!(
        edges(&r.event(0, 3.0, "INFO")),
        vec![(0, 0, RESOLVED), (1, 0, RESOLVED)]
    );
}

#[test]
fn no_alerts_means_no_work_and_no_wake_ups() {
    let mut r = Run::new(vec![], &["f"]);
    assert!(r.engine.is_empty());
    assert_eq!(r.event(0, 1.0, "ERROR"), vec![]);
    assert_eq!(r.engine.next_due(r.at(1.0)), None);
}

fn when(src: &str) -> Condition {
    Condition::When(ssedash::expr::Expr::compile(src).unwrap())
}

#[test]
fn when_fires_as_the_jq_condition_becomes_true_and_resolves_when_it_turns_false() {
    let spec = alert(
        "nmbs",
        when(r#"select(.symbol == "NMBS") | .price > 240"#),
        Duration::ZERO,
    );
    let mut r = Run::new(vec![spec], &["ticker"]);
    assert_eq!(
        edges(&r.event(0, 0.1, r#"{"symbol":"NMBS","price":239}"#)),
        vec![]
    );
    assert_eq!(
        edges(&r.event(0, 0.2, r#"{"symbol":"NMBS","price":241}"#)),
        vec![(0, 0, FIRED)]
    );
    assert_eq!(
        edges(&r.event(0, 0.3, r#"{"symbol":"NMBS","price":245}"#)),
        vec![]
    );
    // Another symbol gives no output (select): not true, so the alert resolves.
    assert_eq!(
        edges(&r.event(0, 0.4, r#"{"symbol":"ACME","price":300}"#)),
        vec![(0, 0, RESOLVED)]
    );
    // Data that is not JSON, or a runtime error, is not a match.
    assert_eq!(edges(&r.event(0, 0.5, "[DONE]")), vec![]);
    assert_eq!(
        edges(&r.event(0, 0.6, "5")),
        vec![],
        "cannot index a number"
    );
}

#[test]
fn when_with_a_cooldown_fires_at_most_once_per_window() {
    let mut r = Run::new(vec![alert("big", when(".n > 10"), 30 * S)], &["f"]);
    assert_eq!(edges(&r.event(0, 1.0, r#"{"n":11}"#)), vec![(0, 0, FIRED)]);
    assert_eq!(
        edges(&r.event(0, 2.0, r#"{"n":1}"#)),
        vec![(0, 0, RESOLVED)]
    );
    assert_eq!(edges(&r.event(0, 3.0, r#"{"n":12}"#)), vec![]);
    assert_eq!(edges(&r.event(0, 4.0, r#"{"n":1}"#)), vec![]);
    assert_eq!(edges(&r.event(0, 31.0, r#"{"n":13}"#)), vec![(0, 0, FIRED)]);
}
