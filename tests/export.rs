//! Getting events out of the dashboard: `e` exports the focused pane (only what a filter
//! shows), `y` copies an event's data by OSC 52, `w` writes it to a file.

mod support;

use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use ssedash::feed::{FeedId, FeedMsg, FeedSpec};
use ssedash::sse::Event;
use ssedash::tui::app::{Action, App, Msg};
use ssedash::tui::{export, theme};
use support::pty::Tui;
use support::{Step, TestServer, sse_head, write};

fn app() -> (App, Instant) {
    let now = Instant::now();
    let spec = FeedSpec::new("orders", "http://127.0.0.1:1/o".parse().unwrap());
    let mut app = App::new(&[spec], theme::load_all(None, false).unwrap(), 0, now);
    app.update(Msg::Resize(120, 40), now);
    for (i, data) in ["apple 1", "pear 2", "apple 3"].iter().enumerate() {
        let msg = FeedMsg::Event {
            event: Event::new("fruit", *data, (i + 1).to_string()),
            at: SystemTime::UNIX_EPOCH + Duration::from_secs(60 * i as u64),
        };
        app.update(Msg::Feed(FeedId(0), msg), now);
    }
    (app, now)
}

fn key(app: &mut App, c: KeyCode, now: Instant) -> Option<Action> {
    app.update(Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)), now)
}

fn parse(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn e_asks_to_export_the_focused_pane_and_with_a_filter_only_the_shown_events_are_written() {
    let (mut app, now) = app();
    assert_eq!(
        key(&mut app, KeyCode::Char('e'), now),
        Some(Action::Export(FeedId(0)))
    );
    let all = parse(&export::pane_lines(&app.panes[0]));
    assert_eq!(all.len(), 3);
    assert_eq!(all[0]["kind"], "event");
    assert_eq!(all[0]["feed"], "orders");
    assert_eq!(all[0]["type"], "fruit");
    assert_eq!(all[0]["id"], "1");
    assert_eq!(all[1]["at"], "1970-01-01T00:01:00.000Z");
    key(&mut app, KeyCode::Char('/'), now);
    for c in "apple".chars() {
        key(&mut app, KeyCode::Char(c), now);
    }
    key(&mut app, KeyCode::Enter, now);
    let dir = tempfile::tempdir().unwrap();
    let path = export::export_pane(&app, 0, dir.path(), SystemTime::UNIX_EPOCH).unwrap();
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        "ssedash-orders-19700101T000000Z.ndjson"
    );
    let shown: Vec<_> = parse(&std::fs::read(&path).unwrap())
        .iter()
        .map(|l| l["data"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(shown, ["apple 1", "apple 3"]);
    // A second export in the same second does not overwrite the first.
    let again = export::export_pane(&app, 0, dir.path(), SystemTime::UNIX_EPOCH).unwrap();
    assert_ne!(again, path);
    assert!(path.exists());
}

#[test]
fn e_on_an_empty_pane_says_there_is_nothing_to_export() {
    let now = Instant::now();
    let spec = FeedSpec::new("empty", "http://127.0.0.1:1/".parse().unwrap());
    let mut app = App::new(&[spec], theme::load_all(None, false).unwrap(), 0, now);
    assert_eq!(key(&mut app, KeyCode::Char('e'), now), None);
    assert_eq!(app.notice.as_ref().unwrap().0, "no events to export");
}

#[test]
fn in_the_detail_view_y_copies_the_events_data_and_w_writes_it() {
    let (mut app, now) = app();
    key(&mut app, KeyCode::Enter, now);
    assert_eq!(
        key(&mut app, KeyCode::Char('y'), now),
        Some(Action::Copy("apple 3".into()))
    );
    assert_eq!(
        key(&mut app, KeyCode::Char('w'), now),
        Some(Action::SaveEvent {
            feed: "orders".into(),
            id: "3".into(),
            data: "apple 3".into()
        })
    );
    assert!(
        matches!(app.mode, ssedash::tui::app::Mode::Detail(_)),
        "still in the event"
    );
}

#[test]
fn the_clipboard_sequence_is_osc_52_with_the_data_in_base64() {
    assert_eq!(export::osc52("apple 3"), "\x1b]52;c;YXBwbGUgMw==\x07");
}

#[test]
fn y_on_data_too_big_for_a_terminal_says_to_use_w() {
    let now = Instant::now();
    let spec = FeedSpec::new("big", "http://127.0.0.1:1/".parse().unwrap());
    let mut app = App::new(&[spec], theme::load_all(None, false).unwrap(), 0, now);
    app.update(Msg::Resize(120, 40), now);
    let big = "x".repeat(export::MAX_COPY + 1);
    let msg = FeedMsg::Event {
        event: Event::new("m", big, ""),
        at: SystemTime::now(),
    };
    app.update(Msg::Feed(FeedId(0), msg), now);
    key(&mut app, KeyCode::Enter, now);
    assert_eq!(key(&mut app, KeyCode::Char('y'), now), None);
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .0
            .contains("w writes it to a file")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn e_in_the_dashboard_writes_the_pane_to_the_current_directory_and_shows_the_path() {
    let server = TestServer::always(vec![
        sse_head(),
        write("id: 1\ndata: first\n\nid: 2\ndata: second\n\n"),
        Step::Hold,
    ])
    .await;
    let url = server.url("/exported");
    let port = server.addr.port().to_string();
    tokio::task::spawn_blocking(move || {
        let mut tui = Tui::start(&[&url], 24, 160);
        tui.wait_text("second", Duration::from_secs(20));
        tui.keys("e");
        let screen = tui.wait_text("exported to", Duration::from_secs(20));
        // The pty runs in the temp dir; the file is named after the feed (host, port, path).
        let tmp = std::env::temp_dir();
        let file = std::fs::read_dir(&tmp)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with(&format!("ssedash-127.0.0.1_{port}_exported-"))
                    && name.ends_with(".ndjson")
            })
            .unwrap_or_else(|| panic!("no export in {}; the screen:\n{screen}", tmp.display()));
        assert!(screen.contains("ssedash-127.0.0.1_"), "{screen}");
        let lines = parse(&std::fs::read(&file).unwrap());
        let _ = std::fs::remove_file(&file);
        let data: Vec<_> = lines.iter().map(|l| l["data"].as_str().unwrap()).collect();
        assert_eq!(data, ["first", "second"]);
        // The newest event in full: y puts its data on the clipboard through the terminal,
        // w writes it next to the export.
        tui.keys("\r");
        tui.keys("y");
        tui.wait_text("copied 6 bytes", Duration::from_secs(20));
        let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
        assert!(
            raw.contains("\x1b]52;c;c2Vjb25k\x07"),
            "OSC 52 with base64 of 'second'"
        );
        tui.keys("w");
        let screen = tui.wait_text("wrote", Duration::from_secs(20));
        let saved = std::fs::read_dir(&tmp)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with(&format!("ssedash-127.0.0.1_{port}_exported-2-"))
                    && name.ends_with(".txt")
            })
            .unwrap_or_else(|| panic!("no saved event; the screen:\n{screen}"));
        assert_eq!(std::fs::read_to_string(&saved).unwrap(), "second");
        let _ = std::fs::remove_file(&saved);
        // The first q closes the event, the second quits.
        tui.keys("q");
        tui.wait_for("the panes", Duration::from_secs(20), |s| {
            !s.contains("wrote")
        });
        tui.keys("q");
        tui.wait_exit(Duration::from_secs(10));
    })
    .await
    .unwrap();
}
