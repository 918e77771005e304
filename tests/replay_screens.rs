//! The title bar's badges, drawn: `● REC` while recording, the replay's position and speed.

#[path = "support/screen.rs"]
mod screen;

use std::time::Duration;

use crossterm::event::KeyCode;
use screen::{Screen, base_time, row_with, text};
use ssedash::record::replay::Position;
use ssedash::tui::app::{Action, Msg};

fn replay_at(s: &Screen, seconds: u64, paused: bool, speed: f64) -> Position {
    Position {
        at: base_time() + Duration::from_secs(seconds),
        since: s.t0,
        speed,
        paused,
        ended: false,
    }
}

#[test]
fn the_title_bar_shows_the_replay_position_and_speed_and_rec_while_recording() {
    let mut s = Screen::new(&["ticker"], 100, 12);
    s.open(0, 0);
    s.event(0, "quote", "{\"p\":1}", "1", 10);
    let position = replay_at(&s, 3 * 60 + 41, false, 4.0);
    s.app.update(Msg::Replay(position), s.t0);
    s.app
        .update(Msg::Recording(Some("rec.ndjson".into())), s.t0);
    // Two seconds later at ×4 the recording is eight seconds further.
    let backend = s.draw(2000);
    let screen = text(&backend);
    let title = row_with(&screen, "ssedash");
    assert!(title.contains("▶ 12:03:49 ×4"), "{title}");
    assert!(title.contains("● REC"), "{title}");
    insta::assert_snapshot!(backend);
}

#[test]
fn a_paused_replay_shows_a_pause_mark_and_stands_still() {
    let mut s = Screen::new(&["ticker"], 100, 12);
    let position = replay_at(&s, 5, true, 1.0);
    s.app.update(Msg::Replay(position), s.t0);
    let screen = text(&s.draw(9000));
    assert!(
        row_with(&screen, "ssedash").contains("⏸ 12:00:05 ×1"),
        "{screen}"
    );
}

#[test]
fn during_a_replay_space_and_the_arrows_steer_the_replay_not_the_pane() {
    let mut s = Screen::new(&["ticker"], 100, 12);
    let position = replay_at(&s, 0, false, 1.0);
    s.app.update(Msg::Replay(position), s.t0);
    let key = |s: &mut Screen, code| {
        s.app.update(
            Msg::Key(crossterm::event::KeyEvent::new(
                code,
                crossterm::event::KeyModifiers::NONE,
            )),
            s.t0,
        )
    };
    assert_eq!(key(&mut s, KeyCode::Char(' ')), Some(Action::ReplayPause));
    assert_eq!(key(&mut s, KeyCode::Left), Some(Action::ReplaySeek(-10)));
    assert_eq!(key(&mut s, KeyCode::Right), Some(Action::ReplaySeek(10)));
    assert!(
        s.app.panes[0].paused_at.is_none(),
        "the pane's view is not paused"
    );
    // Without a replay, R and e still ask for recording and export.
    let mut live = Screen::new(&["ticker"], 100, 12);
    assert_eq!(
        key(&mut live, KeyCode::Char('R')),
        Some(Action::ToggleRecord)
    );
}
