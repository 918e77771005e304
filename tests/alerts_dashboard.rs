//! Alerts in the real dashboard, in a pseudo-terminal: a firing runs its command once, rings
//! the bell, counts in the title bar, and `!` shows it in the alert log.

mod support;

use std::time::Duration;

use support::pty::Tui;
use support::{Step, TestServer, sleep_ms, sse_head, write};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_firing_runs_its_command_once_rings_the_bell_and_shows_in_the_alert_log() {
    let server = TestServer::always(vec![
        sse_head(),
        write("data: INFO start\nid: 1\n\n"),
        sleep_ms(300),
        write("data: ERROR disk full\nid: 2\n\n"),
        write("data: ERROR still full\nid: 3\n\n"),
        sleep_ms(300),
        write("data: INFO ok\nid: 4\n\n"),
        sleep_ms(300),
        write("data: ERROR again\nid: 5\n\n"),
        Step::Hold,
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fired.txt");
    let cfg = dir.path().join("feeds.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[feed]]\nname = \"log\"\nurl = \"{}\"\n\n[[alert]]\nname = \"errors\"\n\
             match = \"ERROR\"\ndo = [\"flash\", \"bell\"]\n\
             command = 'echo \"$SSEDASH_DATA\" >> {}'\n",
            server.url("/"),
            out.display()
        ),
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap().to_string();
    let mut tui = tokio::task::spawn_blocking(move || Tui::start(&["--config", &cfg], 30, 120))
        .await
        .unwrap();
    tokio::task::spawn_blocking(move || {
        let screen = tui.wait_text("ERROR again", WAIT);
        let screen = if screen.contains("! 2 alerts") {
            screen
        } else {
            tui.wait_text("! 2 alerts", WAIT)
        };
        assert!(screen.contains("! log"), "the pane is flashed: {screen}");
        // One line per firing, written by the command.
        let deadline = std::time::Instant::now() + WAIT;
        let lines = loop {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            if text.lines().count() >= 2 || std::time::Instant::now() > deadline {
                break text;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut lines: Vec<&str> = lines.lines().collect();
        lines.sort();
        assert_eq!(lines, ["ERROR again", "ERROR disk full"]);
        let bells = tui.raw().iter().filter(|b| **b == 0x07).count();
        assert_eq!(bells, 2, "one bell per firing");
        tui.keys("!");
        let log = tui.wait_text("resolved", WAIT);
        assert!(
            log.contains("fired     errors  log  event message #2"),
            "{log}"
        );
        assert!(log.contains("command done"), "{log}");
        // `q` closes the log, as it closes the help; a second one quits.
        tui.keys("q");
        tui.wait_for("the log closed", WAIT, |s| !s.contains("Esc closes"));
        tui.keys("q");
        tui.wait_exit(WAIT);
    })
    .await
    .unwrap();
}
