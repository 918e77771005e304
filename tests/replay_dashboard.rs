//! `ssedash replay` in a pseudo-terminal: the recorded feeds as panes, the replay badge,
//! Space pausing the replay, and → / ← stepping 10 s through the recording.

mod support;

use std::time::Duration;

use support::pty::Tui;

const WAIT: Duration = Duration::from_secs(20);

fn line(kind: &str, rest: &str, at_s: u64) -> String {
    let at = jiff::Timestamp::from_second(1_790_000_000 + at_s as i64).unwrap();
    format!("{{\"kind\":\"{kind}\",\"feed\":\"orders\",{rest},\"at\":\"{at}\"}}\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_shows_the_recorded_feed_with_a_badge_space_pauses_and_arrows_step_10_s() {
    let mut rec = String::new();
    rec += r#"{"kind":"meta","ssedash":"0.1.0","started":"x","feeds":[{"name":"orders","url":"http://127.0.0.1:1/o"}]}"#;
    rec += "\n";
    rec += &line(
        "state",
        r#""state":"open","attempt":1,"status":200,"reason":null,"retry_in_ms":null"#,
        0,
    );
    rec += &line(
        "event",
        r#""type":"order","data":"first order","id":"1""#,
        1,
    );
    rec += &line(
        "event",
        r#""type":"order","data":"late order","id":"2""#,
        25,
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.ndjson");
    std::fs::write(&file, rec).unwrap();
    let path = file.to_str().unwrap().to_string();
    tokio::task::spawn_blocking(move || {
        // TZ=UTC: the badge shows the recording's time of day.
        let mut tui = Tui::start(&["replay", &path], 24, 120);
        let screen = tui.wait_text("first order", WAIT);
        assert!(screen.contains("orders"), "{screen}");
        let screen = tui.wait_for("the replay badge", WAIT, |s| {
            s.contains("▶ ") && s.contains("×1")
        });
        assert!(
            !screen.contains("late order"),
            "25 s away at speed 1: {screen}"
        );
        tui.keys(" ");
        tui.wait_text("replay paused", WAIT);
        tui.wait_text("⏸", WAIT);
        // Three steps forward: 30 s in, past the late order, which is there at once.
        tui.keys("\x1b[C");
        tui.keys("\x1b[C");
        tui.keys("\x1b[C");
        let screen = tui.wait_text("late order", WAIT);
        assert!(
            screen.contains("first order"),
            "what came before is there too: {screen}"
        );
        // One step back: before the late order again.
        tui.keys("\x1b[D");
        tui.wait_for("the late order gone", WAIT, |s| {
            !s.contains("late order") && s.contains("first order")
        });
        tui.keys("q");
        assert_eq!(tui.wait_exit(WAIT), 0);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_with_a_config_shows_a_feed_in_the_views_of_the_config_feed_of_its_name() {
    let mut rec = String::new();
    rec += r#"{"kind":"meta","ssedash":"0.1.0","started":"x","feeds":[{"name":"chat","url":"http://127.0.0.1:1/c"}]}"#;
    rec += "\n";
    for (i, word) in ["Hello", " world"].iter().enumerate() {
        let data = format!(r#"{{"choices":[{{"index":0,"delta":{{"content":"{word}"}}}}]}}"#);
        let line = serde_json::json!({
            "kind": "event", "feed": "chat", "type": "message", "data": data, "id": "",
            "at": jiff::Timestamp::from_second(1_790_000_000 + i as i64).unwrap().to_string(),
        });
        rec += &format!("{line}\n");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.ndjson");
    std::fs::write(&file, rec).unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        "[[feed]]\nname = \"chat\"\nurl = \"http://127.0.0.1:1/c\"\npreset = \"openai-chat\"\n",
    )
    .unwrap();
    let path = file.to_str().unwrap().to_string();
    let config = config.to_str().unwrap().to_string();
    tokio::task::spawn_blocking(move || {
        let mut tui = Tui::start(
            &["replay", &path, "--speed", "0", "--config", &config],
            24,
            120,
        );
        let screen = tui.wait_text("Hello world", WAIT);
        assert!(!screen.contains("choices"), "a transcript: {screen}");
        tui.keys("q");
        assert_eq!(tui.wait_exit(WAIT), 0);
    })
    .await
    .unwrap();
}
