//! The dashboard's alerts as drawn: the alert log overlay, the unseen count in the title bar
//! and the flash mark of a pane (TestBackend, reviewed snapshots in tests/snapshots/).

#[path = "support/screen.rs"]
mod screen;

use std::time::Duration;

use crossterm::event::KeyCode;
use screen::{Screen, base_time, row_with, text};
use ssedash::alert::{Actions, AlertSpec, Condition};

fn with_alerts(feeds: &[&str], w: u16, h: u16) -> Screen {
    let mut s = Screen::new(feeds, w, h);
    let flash = Actions {
        flash: true,
        ..Actions::default()
    };
    let alerts = vec![
        AlertSpec {
            name: "deploy failed".into(),
            feeds: Some(vec!["deploys".into()]),
            condition: Condition::matching(r#""status":"failed""#).unwrap(),
            cooldown: Duration::ZERO,
            actions: flash,
        },
        AlertSpec {
            name: "quiet news".into(),
            feeds: Some(vec!["news".into()]),
            condition: Condition::SilentFor(Duration::from_secs(30)),
            cooldown: Duration::ZERO,
            actions: Actions::default(),
        },
    ];
    let t0 = s.t0;
    s.app.set_alerts(alerts, t0);
    s.app.alerts.set_wall_clock(t0, base_time());
    s
}

fn failed_deploy(s: &mut Screen) {
    s.open(0, 0);
    s.open(1, 0);
    s.event(1, "log", "12:00:01 INFO  build   step 1/7", "1", 1000);
    s.event(
        1,
        "deploy",
        r#"{"service":"api","status":"failed"}"#,
        "2",
        2000,
    );
    s.event(1, "log", "12:00:03 ERROR rollback", "3", 3000);
    // The news feed has said nothing for 30 s.
    let at = s.at(31_000);
    s.app.update(ssedash::tui::app::Msg::Tick, at);
}

#[test]
fn a_flash_firing_marks_the_pane_and_the_title_bar_counts_unseen_alerts() {
    let mut s = with_alerts(&["news", "deploys"], 120, 16);
    failed_deploy(&mut s);
    let screen = text(&s.draw(31_000));
    let title = screen.lines().next().unwrap();
    assert!(title.contains("! 2 alerts (!)"), "{title}");
    assert!(
        row_with(&screen, "deploys").contains("! deploys"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn the_alert_log_lists_firings_and_resolutions_with_their_cause() {
    let mut s = with_alerts(&["news", "deploys"], 120, 16);
    failed_deploy(&mut s);
    s.key(KeyCode::Char('!'), 31_000);
    let screen = text(&s.draw(31_000));
    assert!(
        !screen.lines().next().unwrap().contains("alerts (!)"),
        "seen now"
    );
    insta::assert_snapshot!(screen);
}
