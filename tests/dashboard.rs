//! The real dashboard in a pseudo-terminal against loopback servers: events appear, `/`
//! filters, a killed server counts down and reconnects, and `q` gives the terminal back.

mod support;

use std::time::Duration;

use support::pty::Tui;
use support::*;

const WAIT: Duration = Duration::from_secs(20);

fn ticks(from: u32, n: u32, every_ms: u64) -> Vec<Step> {
    let mut steps = vec![sse_head()];
    for i in from..from + n {
        let kind = if i % 3 == 0 { "alert" } else { "tick" };
        steps.push(write(format!(
            "id: {i}\nevent: {kind}\ndata: tick number {i}\n\n"
        )));
        steps.push(sleep_ms(every_ms));
    }
    steps
}

#[tokio::test(flavor = "multi_thread")]
async fn events_filter_reconnect_countdown_and_quit() {
    // Connection 1: ten events, then the server dies (reset). Connection 2: more events.
    let server = TestServer::start(|n, _| match n {
        0 => {
            let mut s = ticks(1, 10, 30);
            s.push(Step::Reset);
            s
        }
        _ => {
            let mut s = ticks(100, 5, 30);
            s.push(Step::Hold);
            s
        }
    })
    .await;
    let quiet = TestServer::always(vec![sse_head(), write(": hi\n\n"), Step::Hold]).await;
    let url = server.url("/ticks");
    let quiet_url = quiet.url("/quiet");
    let mut tui = tokio::task::spawn_blocking(move || {
        Tui::start(&[&url, &quiet_url, "--reconnect-delay", "3000"], 30, 120)
    })
    .await
    .unwrap();

    tokio::task::spawn_blocking(move || {
        // Events appear, with their types counted.
        tui.wait_text("tick number 10", WAIT);
        let screen = tui.wait_text("tick 7", WAIT);
        assert!(screen.contains("alert 3"), "{screen}");

        // The server died: the pane counts down to the next attempt...
        let screen = tui.wait_for("a countdown", WAIT, |s| s.contains("↻ retry 2 in"));
        assert!(screen.contains(" s"), "{screen}");
        // ...and reconnects by itself, resuming.
        let screen = tui.wait_text("tick number 104", WAIT);
        assert!(screen.contains("● open"), "{screen}");
        assert!(
            screen.contains("1 reconnect"),
            "one reconnect counted: {screen}"
        );

        // `/` filters the focused pane as you type.
        tui.keys("/number 10[34]");
        let screen = tui.wait_text("2 of 15", WAIT);
        assert!(screen.contains("tick number 103") && screen.contains("tick number 104"));
        assert!(!screen.contains("tick number 5 "), "{screen}");
        tui.keys("\r");
        // Esc clears it.
        tui.keys("\x1b");
        tui.wait_text("tick number 5", WAIT);

        // `q` quits and gives the terminal back: alternate screen left, cursor shown.
        tui.keys("q");
        assert_eq!(tui.wait_exit(WAIT), 0);
        let raw = tui.raw();
        let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(200)..]).into_owned();
        assert!(
            tail.contains("\x1b[?1049l"),
            "alternate screen left: {tail:?}"
        );
        assert!(tail.contains("\x1b[?25h"), "cursor shown: {tail:?}");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn without_feeds_it_says_how_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().to_str().unwrap().to_string();
    let run = ssedash_with(
        &[],
        &[("HOME", &home), ("XDG_CONFIG_HOME", &home)],
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("ssedash --demo"), "{}", run.stderr);
    assert!(run.stderr.contains("ssedash init"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn hup_int_quit_and_term_end_the_dashboard_with_128_plus_n_and_the_terminal_restored() {
    let server = TestServer::always(vec![sse_head(), write("data: hello\n\n"), Step::Hold]).await;
    let url = server.url("/s");
    tokio::task::spawn_blocking(move || {
        // 128 + the signal's number: HUP 1, INT 2, QUIT 3, TERM 15.
        for (signal, code) in [("-HUP", 129), ("-INT", 130), ("-QUIT", 131), ("-TERM", 143)] {
            let mut tui = Tui::start(&[&url], 20, 100);
            tui.wait_text("hello", WAIT);
            let sent = std::process::Command::new("kill")
                .args([signal, &tui.pid().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            assert_eq!(tui.wait_exit(WAIT), code, "{signal}");
            let raw = tui.raw();
            let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(200)..]).into_owned();
            assert!(
                tail.contains("\x1b[?1049l"),
                "{signal}: alternate screen left: {tail:?}"
            );
            assert!(
                tail.contains("\x1b[?25h"),
                "{signal}: cursor shown: {tail:?}"
            );
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_keys_from_a_real_terminal_fire_no_binding_and_edit_the_filter() {
    let server = TestServer::always(vec![
        sse_head(),
        write("data: alpha one\n\ndata: beta two\n\n"),
        Step::Hold,
    ])
    .await;
    let url = server.url("/s");
    tokio::task::spawn_blocking(move || {
        let mut tui = Tui::start(&[&url, &url], 24, 120);
        tui.wait_for("both feeds open", WAIT, |s| {
            s.matches("● open").count() == 2 && s.matches("beta two").count() == 2
        });
        // Ctrl-D, Ctrl-R and Ctrl-Z, then `/` and a filter: keys are handled in order, so
        // once the filter shows, the control keys have been handled too.
        tui.keys("\x04\x12\x1a/beta");
        let screen = tui.wait_text("1 of 2", WAIT);
        assert!(!screen.contains("zoomed"), "Ctrl-Z zoomed: {screen}");
        assert_eq!(
            screen.matches("● open").count(),
            2,
            "Ctrl-D or Ctrl-R touched a feed: {screen}"
        );
        // Ctrl-W deletes the word; Ctrl-A goes to the start, where typing goes.
        tui.keys("\x17");
        tui.wait_text("2 of 2", WAIT);
        tui.keys("x\x01^");
        let screen = tui.wait_text("/ ^x", WAIT);
        assert!(screen.contains("0 of 2"), "{screen}");
        // (Esc and `q` in one write would read as Alt-q.)
        tui.keys("\x1b");
        tui.wait_for("the filter cleared", WAIT, |s| !s.contains("0 of 2"));
        tui.keys("q");
        assert_eq!(tui.wait_exit(WAIT), 0);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn o_opens_the_overview_slash_filters_it_enter_opens_a_pane_and_esc_comes_back() {
    // One server; each feed's path names it, and its one event says which feed it is.
    let server = TestServer::start(|_, req| {
        let name = req.path.trim_start_matches('/').to_string();
        vec![
            sse_head(),
            write(format!("data: hello from {name}\n\n")),
            Step::Hold,
        ]
    })
    .await;
    let urls: Vec<String> = ["alpha", "beta", "gamma"]
        .iter()
        .map(|n| server.url(&format!("/{n}")))
        .collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = urls.iter().map(String::as_str).collect();
        // Three feeds fit one page of 120×30: the dashboard starts in the panes.
        let mut tui = Tui::start(&args, 30, 120);
        let screen = tui.wait_text("hello from gamma", WAIT);
        assert!(screen.contains("o overview"), "{screen}");
        assert!(!screen.contains("sorted by"), "{screen}");

        // A frame is written top to bottom: waiting for its footer waits for all of it.
        tui.keys("o");
        let screen = tui.wait_text("/ filter names", WAIT);
        assert!(screen.contains("sorted by state"), "{screen}");
        assert!(screen.contains("Feeds 3"), "{screen}");
        assert!(screen.contains("o panes"), "{screen}");
        assert_eq!(screen.matches("● open").count(), 3, "{screen}");

        tui.keys("/bet");
        let screen = tui.wait_text("1 of 3 feed names match", WAIT);
        assert!(screen.contains("hello from beta"), "{screen}");
        assert!(!screen.contains("hello from alpha"), "{screen}");
        // Enter keeps the filter; Enter again opens beta's pane, zoomed.
        tui.keys("\r");
        tui.wait_for("the prompt closed", WAIT, |s| {
            !s.contains("feed names match") && s.contains("Feeds 1 of 3")
        });
        tui.keys("\r");
        let screen = tui.wait_text("Esc overview", WAIT);
        assert!(screen.contains("zoomed"), "{screen}");
        assert!(screen.contains("hello from beta"), "{screen}");
        assert!(!screen.contains("hello from gamma"), "{screen}");

        // Esc comes back to the overview, still filtered, beta still selected.
        tui.keys("\x1b");
        let screen = tui.wait_text("/ filter names", WAIT);
        assert!(screen.contains("sorted by state"), "{screen}");
        assert!(screen.contains("Feeds 1 of 3 /bet"), "{screen}");
        assert!(screen.contains("1/1"), "{screen}");
        assert!(!screen.contains("zoomed"), "{screen}");
        tui.keys("q");
        assert_eq!(tui.wait_exit(WAIT), 0);
    })
    .await
    .unwrap();
}
