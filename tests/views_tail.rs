//! `ssedash tail --format text` on a terminal highlights event data: the zero-config log
//! levels and the feed's `[[feed.highlight]]` rules, drawn by the real binary in a pty.

mod support;

use std::time::Duration;

use support::pty::Tui;
use support::*;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn tail_text_on_a_terminal_colours_levels_and_the_feeds_highlight_rules() {
    let server = TestServer::start(|_, _| {
        vec![
            sse_head(),
            write("data: 12:00:01 WARN deploy api-server slow\n\n"),
            Step::Hold,
        ]
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[[feed]]\nname = \"logs\"\nurl = \"{}\"\n\
             [[feed.highlight]]\nmatch = 'api-[a-z]+'\nstyle = \"magenta underlined\"\n",
            server.url("/")
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    let tui = tokio::task::spawn_blocking(move || {
        let tui = Tui::start(&["tail", "--config", &config, "--format", "text"], 24, 120);
        tui.wait_text("slow", WAIT);
        tui
    })
    .await
    .unwrap();
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    // The rule's style, SGR 4 (underlined) and 35 (magenta), then the built-in WARN colour.
    assert!(raw.contains("\x1b[4;35mapi-server\x1b[0m"), "{raw:?}");
    assert!(raw.contains("WARN\x1b[0m"), "{raw:?}");
    assert_eq!(tui.cell_fg_of("api-server"), vt100::Color::Idx(5));
}
