//! Live reload: the real dashboard in a pty follows saves of its config file, against a
//! loopback server that counts connections per path and sees them close.

#[path = "support/screen.rs"]
mod screen;
mod support;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use screen::{Screen, text};
use ssedash::config::diff::diff;
use ssedash::feed::FeedSpec;
use ssedash::tui::app::{Action, Mode, Msg};
use ssedash::tui::reload::Reload;
use support::pty::Tui;
use support::*;

fn spec(name: &str) -> FeedSpec {
    FeedSpec::new(
        name,
        format!("http://127.0.0.1:7878/{name}").parse().unwrap(),
    )
}

/// The screen helper's feeds as specs (what the dashboard started with).
fn specs(names: &[&str]) -> Vec<FeedSpec> {
    names.iter().map(|n| spec(n)).collect()
}

/// `App::update` gets a reload from `old` to `new`, as the event loop hands it over.
fn reload(s: &mut Screen, old: &[FeedSpec], new: Vec<FeedSpec>, ms: u64) {
    let diff = diff(old, &new, |f: &FeedSpec| f.name.as_str());
    let msg = Reload::Applied {
        diff,
        specs: new,
        theme: None,
    };
    let now = s.at(ms);
    s.app.update(Msg::Reload(msg), now);
}

fn names(s: &Screen) -> Vec<String> {
    s.app.panes.iter().map(|p| p.name.clone()).collect()
}

#[test]
fn a_reload_keeps_unchanged_panes_as_they_are_and_starts_changed_and_new_ones_afresh() {
    let mut s = Screen::new(&["a", "b", "c"], 160, 48);
    for (feed, n) in [(0, 3), (1, 4), (2, 5)] {
        s.open(feed, 0);
        for i in 0..n {
            s.event(feed, "tick", &format!("{feed}-{i}"), "", 10 + i);
        }
    }
    s.app.panes[2].set_filter("2-4");
    let mut a = spec("a");
    a.buffer = 10;
    reload(
        &mut s,
        &specs(&["a", "b", "c"]),
        vec![spec("c"), a, spec("d")],
        100,
    );
    assert_eq!(names(&s), ["c", "a", "d"]);
    let c = &s.app.panes[0];
    assert_eq!((c.total, c.shown_len()), (5, 1), "c kept, filter and all");
    assert_eq!(c.state, ssedash::feed::ConnState::Open);
    let a = &s.app.panes[1];
    assert_eq!(
        (a.total, a.capacity),
        (0, 10),
        "a restarted with its new buffer"
    );
    assert_eq!(a.state, ssedash::feed::ConnState::Connecting);
    assert_eq!(s.app.panes[2].total, 0);
    let notice = &s.app.notice.as_ref().expect("a notice").0;
    assert!(notice.contains("1 new, 1 removed, 1 restarted"), "{notice}");
}

#[test]
fn the_focused_feed_stays_focused_where_it_moved_and_its_open_picker_stays() {
    let mut s = Screen::new(&["a", "b", "c"], 160, 48);
    s.open(2, 0);
    s.event(2, "tick", "x", "", 10);
    s.key(KeyCode::Char('3'), 20);
    s.key(KeyCode::Char('t'), 30);
    assert!(matches!(s.app.mode, Mode::Types { .. }));
    reload(&mut s, &specs(&["a", "b", "c"]), specs(&["c", "a"]), 100);
    assert_eq!(s.app.focus, 0, "c is now first");
    assert!(matches!(s.app.mode, Mode::Types { .. }), "c was kept");
    // When the focused feed itself restarts, what was open on it closes.
    let mut changed = spec("c");
    changed.buffer = 7;
    reload(&mut s, &specs(&["c", "a"]), vec![changed, spec("a")], 200);
    assert_eq!(s.app.mode, Mode::Normal);
    // When it goes, the focus stays in range.
    s.key(KeyCode::Char('2'), 300);
    reload(&mut s, &specs(&["c", "a"]), specs(&["c"]), 400);
    assert_eq!(s.app.focus, 0);
}

#[test]
fn a_failed_reload_changes_nothing_and_its_banner_stays_until_a_good_one() {
    let mut s = Screen::new(&["ticker", "news"], 100, 24);
    s.app.reload.file = Some("feeds.toml".into());
    s.open(0, 0);
    s.event(0, "quote", "{\"price\":1}", "1", 10);
    let error = "/home/u/feeds.toml:7:1: feed \"news\": unknown key `reconect`; did you mean \
                 `reconnect`?";
    s.app
        .update(Msg::Reload(Reload::Failed(error.into())), s.at(100));
    assert_eq!(names(&s), ["ticker", "news"]);
    assert_eq!(s.app.panes[0].total, 1);
    let backend = s.draw(200);
    let screen = text(&backend);
    assert!(screen.contains("config not reloaded"), "{screen}");
    assert!(
        screen.contains("feeds.toml:7:1: feed \"news\": unknown key `reconect`"),
        "{screen}"
    );
    insta::assert_snapshot!(backend);
    // Still there later, and gone after a good reload.
    s.app.update(Msg::Tick, s.at(60_000));
    assert!(text(&s.draw(60_000)).contains("config not reloaded"));
    reload(
        &mut s,
        &specs(&["ticker", "news"]),
        specs(&["ticker", "news"]),
        61_000,
    );
    let screen = text(&s.draw(61_000));
    assert!(!screen.contains("config not reloaded"), "{screen}");
    assert!(
        screen.contains("feeds.toml reloaded: no feed changed"),
        "{screen}"
    );
    assert_eq!(s.app.panes[0].total, 1);
}

#[test]
fn the_banner_takes_rows_below_the_panes_so_the_newest_event_of_the_bottom_pane_shows() {
    let mut s = Screen::new(&["top", "bottom"], 100, 24);
    s.app.reload.file = Some("feeds.toml".into());
    for feed in 0..2 {
        s.open(feed, 0);
        for i in 0..30 {
            s.event(feed, "tick", &format!("event-{feed}-{i:02}"), "", 10 + i);
        }
    }
    let errors: Vec<String> = (1..=12)
        .map(|n| format!("feeds.toml:{n}:1: unknown key `k{n}`"))
        .collect();
    s.app
        .update(Msg::Reload(Reload::Failed(errors.join("\n"))), s.at(100));
    let backend = s.draw(200);
    let screen = text(&backend);
    assert!(screen.contains("config not reloaded"), "{screen}");
    assert!(screen.contains("event-1-29"), "{screen}");
    assert!(screen.contains("feeds.toml:2:1"), "{screen}");
    assert!(!screen.contains("feeds.toml:3:1"), "{screen}");
    assert!(screen.contains("… and 10 more (ssedash check)"), "{screen}");
    // The bottom pane ends right above the banner, which is at most 5 rows.
    let layout = s.app.layout();
    let bottom = layout.slots.iter().map(|(_, r)| r.bottom()).max().unwrap();
    assert!(bottom >= 24 - 1 - 5, "{layout:?}");
    assert_eq!(s.app.body().bottom(), bottom);
    insta::assert_snapshot!(backend);
}

#[test]
fn a_hostile_error_text_is_shown_escaped_in_the_banner() {
    let mut s = Screen::new(&["ticker"], 100, 24);
    let error = "feeds.toml:1:1: bad \u{1b}[2J\u{202e}name";
    s.app
        .update(Msg::Reload(Reload::Failed(error.into())), s.at(0));
    let screen = text(&s.draw(0));
    assert!(screen.contains("bad \\x1b[2J\\u{202e}name"), "{screen}");
}

#[test]
fn a_reload_switches_to_the_files_theme() {
    let mut s = Screen::new(&["a"], 100, 24);
    let msg = Reload::Applied {
        diff: diff(&specs(&["a"]), &specs(&["a"]), |f: &FeedSpec| {
            f.name.as_str()
        }),
        specs: specs(&["a"]),
        theme: Some("light".into()),
    };
    s.app.update(Msg::Reload(msg), s.at(0));
    assert_eq!(s.app.theme().name, "light");
}

#[test]
fn ctrl_l_asks_for_a_reload_only_when_the_feeds_come_from_a_file() {
    let mut s = Screen::new(&["a"], 100, 24);
    let ctrl_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
    assert_eq!(s.app.update(Msg::Key(ctrl_l), s.at(0)), None);
    let notice = &s.app.notice.as_ref().expect("a notice").0;
    assert!(notice.contains("no config file to reload"), "{notice}");
    s.app.reload.file = Some("feeds.toml".into());
    assert_eq!(
        s.app.update(Msg::Key(ctrl_l), s.at(10)),
        Some(Action::Reload)
    );
    // Also while typing a filter.
    s.key(KeyCode::Char('/'), 20);
    assert_eq!(
        s.app.update(Msg::Key(ctrl_l), s.at(30)),
        Some(Action::Reload)
    );
}

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
async fn ctrl_l_reloads_by_hand_a_saved_mouse_false_frees_the_mouse_and_urls_have_no_file() {
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
        // `mouse = false` saved: the mouse goes back to the terminal at once.
        let raw = || String::from_utf8_lossy(&tui.raw()).into_owned();
        assert!(raw().contains("\x1b[?1000h") && !raw().contains("\x1b[?1000l"));
        let text = std::fs::read_to_string(&p).unwrap();
        save_by_rename(&p, &format!("mouse = false\n{text}"));
        wait_until("mouse reporting off", || raw().contains("\x1b[?1000l"));
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
