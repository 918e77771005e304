//! Live reload: the real dashboard in a pty follows saves of its config file, against a
//! loopback server that counts connections per path and sees them close.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::pty::Tui;
use support::*;

const WAIT: Duration = Duration::from_secs(20);

/// Every path's first connection sends 3 events, later ones 1: a pane that was restarted
/// (instead of kept) shows `1 event`, not `3 events`.
async fn server() -> TestServer {
    let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    TestServer::start(move |_, req| {
        let name = req.path.trim_start_matches('/').to_string();
        let nth = {
            let mut seen = seen.lock().unwrap();
            let n = seen.entry(name.clone()).or_default();
            *n += 1;
            *n
        };
        let events = if nth == 1 { 3 } else { 1 };
        let mut steps = vec![sse_head()];
        for i in 1..=events {
            steps.push(write(format!(
                "data: {name} connection {nth} event {i}\n\n"
            )));
        }
        steps.push(Step::Hold);
        steps
    })
    .await
}

fn config(server: &TestServer, feeds: &[&str]) -> String {
    let mut text = String::from("# feeds for the reload test\nread_timeout = \"60s\"\n");
    for name in feeds {
        text.push_str(&format!(
            "\n[[feed]]\nname = \"{name}\"\nurl = \"{}\"\n",
            server.url(&format!("/{name}"))
        ));
    }
    text
}

/// Saves as most editors do: a new file renamed over the old one.
fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_extension("toml.swp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Waits (polling, with a limit) until the server sees `what`.
fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The pane whose title names `feed`, as the lines below its title row: the part of the
/// screen between its title and the next pane's.
fn pane_text(screen: &str, feed: &str) -> Option<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains(&format!(" {feed} ")))?;
    let col = lines[top].find(&format!(" {feed} "))?;
    // Panes are side by side or stacked: take the column band of this pane, a few rows down.
    let band = |l: &str| -> String {
        let chars: Vec<char> = l.chars().collect();
        let start = lines[top][..col].chars().count().saturating_sub(6);
        chars.iter().skip(start).take(50).collect()
    };
    Some(
        lines[top..(top + 8).min(lines.len())]
            .iter()
            .map(|l| band(l))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn saves_add_restart_and_remove_feeds_and_a_broken_save_changes_nothing() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, config(&server, &["alpha", "bravo"])).unwrap();
    let server = Arc::new(server);
    let s = server.clone();
    tokio::task::spawn_blocking(move || {
        let server = s;
        let mut tui = Tui::start(&["--config", path.to_str().unwrap()], 40, 160);
        tui.wait_text("alpha connection 1 event 3", WAIT);
        tui.wait_text("bravo connection 1 event 3", WAIT);
        assert_eq!(
            (server.connects("/alpha"), server.connects("/bravo")),
            (1, 1)
        );

        // A new feed gets a pane and a connection; the others keep theirs and their events.
        save_by_rename(&path, &config(&server, &["alpha", "bravo", "charlie"]));
        let screen = tui.wait_text("charlie connection 1 event 3", WAIT);
        assert!(
            screen.contains("feeds.toml reloaded: 1 new"),
            "the reload is reported:\n{screen}"
        );
        assert_eq!(server.connects("/charlie"), 1);
        assert_eq!(
            (server.connects("/alpha"), server.connects("/bravo")),
            (1, 1)
        );
        let alpha = pane_text(&screen, "alpha").expect("alpha's pane");
        assert!(
            alpha.contains("3 events"),
            "alpha's counters kept:\n{alpha}"
        );
        assert!(screen.contains("alpha connection 1 event 1"), "{screen}");

        // A broken save changes nothing and says where the problem is, until a good save.
        let broken = config(&server, &["alpha", "bravo", "charlie"])
            .replace("name = \"bravo\"", "name = \"bravo\"\nreconect = \"oops\"");
        let line = 1 + broken.lines().position(|l| l.contains("reconect")).unwrap();
        std::fs::write(&path, broken).unwrap();
        let screen = tui.wait_text("config not reloaded", WAIT);
        assert!(
            screen.contains(&format!("feeds.toml:{line}:1")) && screen.contains("reconect"),
            "the banner names file, line and key:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(500));
        let counts = ["/alpha", "/bravo", "/charlie"].map(|p| server.connects(p));
        assert_eq!(counts, [1, 1, 1], "nothing restarted");
        let screen = tui.contents();
        for feed in ["alpha", "bravo", "charlie"] {
            assert!(
                screen.contains(&format!("{feed} connection 1 event 3")),
                "{screen}"
            );
        }

        // The fix removes bravo and changes charlie: bravo's pane goes and its connection
        // closes; charlie restarts afresh; alpha runs on.
        let fixed = config(&server, &["alpha", "charlie"])
            .replace("name = \"charlie\"", "name = \"charlie\"\nbuffer = 100");
        save_by_rename(&path, &fixed);
        let screen = tui.wait_for("the fixed file applied", WAIT, |s| {
            s.contains("charlie connection 2 event 1") && !s.contains("config not reloaded")
        });
        assert!(
            screen.contains("feeds.toml reloaded: 1 removed, 1 restarted"),
            "{screen}"
        );
        assert!(!screen.contains("bravo"), "bravo's pane is gone:\n{screen}");
        wait_until("bravo's connection to close", || server.held("/bravo") == 0);
        assert_eq!(server.connects("/bravo"), 1);
        assert_eq!(
            (server.connects("/alpha"), server.connects("/charlie")),
            (1, 2)
        );
        let charlie = pane_text(&screen, "charlie").expect("charlie's pane");
        assert!(
            charlie.contains("1 event "),
            "charlie counts afresh:\n{charlie}"
        );
        let alpha = pane_text(&screen, "alpha").expect("alpha's pane");
        assert!(
            alpha.contains("3 events"),
            "alpha's counters kept:\n{alpha}"
        );
        assert_eq!(server.held("/alpha"), 1, "alpha's connection still open");

        tui.keys("q");
        assert_eq!(tui.wait_exit(WAIT), 0);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_l_reloads_by_hand_and_says_so_without_a_config_file() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, config(&server, &["alpha"])).unwrap();
    let url = server.url("/adhoc");
    let p = path.clone();
    tokio::task::spawn_blocking(move || {
        let mut tui = Tui::start(&["--config", p.to_str().unwrap()], 30, 120);
        tui.wait_text("alpha connection 1 event 3", WAIT);
        tui.keys("\x0c");
        let screen = tui.wait_text("feeds.toml reloaded: no feed changed", WAIT);
        assert!(screen.contains("alpha connection 1 event 3"), "{screen}");
        tui.keys("q");
        assert_eq!(tui.wait_exit(WAIT), 0);

        // Ad-hoc URLs have no file to reload.
        let mut tui = Tui::start(&[&url], 30, 120);
        tui.wait_text("adhoc connection 1 event 3", WAIT);
        tui.keys("\x0c");
        tui.wait_text("no config file to reload", WAIT);
        tui.keys("q");
        assert_eq!(tui.wait_exit(WAIT), 0);
    })
    .await
    .unwrap();
    assert_eq!(server.connects("/alpha"), 1, "Ctrl-L restarted nothing");
}
