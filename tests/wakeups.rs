//! The dashboard's feeds thread is woken by its own clock, not by every TCP segment, while many
//! events trickle in, and an idle dashboard's is left alone (issue 7: most of a 100-feed
//! dashboard's CPU time went on these wake-ups).
//!
//! The scripted loopback server of `support` sends 20 feeds an event every 5 ms each, every
//! event in a segment of its own (`TCP_NODELAY`, a write per event): about 4,000 segments a
//! second. The real binary shows them
//! in a pty; the feeds thread's voluntary context switches (Linux's count of the times it went
//! to sleep and was woken) are read from `/proc` over two seconds. Holding the thread
//! `tui::pace::HOLD` (5 ms) at a time gives about 200 a second; waiting in epoll gave one per
//! segment or two, thousands a second. A count, not a speed: a loaded machine coalesces
//! segments, which only lowers it.

#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use support::pty::Tui;
use support::{Step, TestServer, sleep_ms, sse_head, write};

const FEEDS: usize = 20;
const EVERY_MS: u64 = 5;
/// How long the trickling server goes on: longer than the test.
const EVENTS: u64 = 4000;

/// Voluntary context switches of the process's tokio worker threads.
fn worker_switches(pid: u32) -> u64 {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let dir = task.unwrap().path();
        let Ok(comm) = std::fs::read_to_string(dir.join("comm")) else {
            continue;
        };
        if comm.trim() != "tokio-rt-worker" {
            continue;
        }
        let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
        total += status
            .lines()
            .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
            .map_or(0, |n| n.trim().parse::<u64>().unwrap());
    }
    total
}

/// The dashboard on `feeds` feeds served by `steps` each, once all are open, and the server.
async fn dashboard(feeds: usize, steps: Vec<Step>) -> (Tui, TestServer) {
    let server = TestServer::always(steps).await;
    let urls: Vec<String> = (0..feeds)
        .map(|i| server.url(&format!("/trickle/{i}")))
        .collect();
    let tui = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = urls.iter().map(String::as_str).collect();
        let tui = Tui::start(&args, 30, 120);
        tui.wait_text(&format!("{feeds} open"), Duration::from_secs(20));
        tui
    })
    .await
    .unwrap();
    (tui, server)
}

/// The feeds thread's wake-ups over `window`, once the first reads and frames have settled and
/// the hold has seen the traffic.
async fn wakeups(tui: &Tui, window: Duration) -> u64 {
    tokio::time::sleep(Duration::from_millis(800)).await;
    let before = worker_switches(tui.pid());
    tokio::time::sleep(window).await;
    worker_switches(tui.pid()) - before
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_feeds_wake_the_dashboards_feeds_thread_by_its_clock_not_per_segment() {
    // An event every 5 ms, each in a segment of its own (the server sets TCP_NODELAY and
    // writes an event at a time).
    let mut steps = vec![sse_head()];
    for n in 0..EVENTS {
        steps.push(write(format!("id: {n}\ndata: {{\"n\":{n}}}\n\n")));
        steps.push(sleep_ms(EVERY_MS));
    }
    let (tui, _server) = dashboard(FEEDS, steps).await;
    let window = Duration::from_secs(2);
    let woken = wakeups(&tui, window).await;
    let segments = FEEDS as u64 * window.as_millis() as u64 / EVERY_MS;
    println!("feeds thread woken {woken} times while about {segments} segments arrived");
    // The clock gives 400 in two seconds; a wake-up per segment or two, 4,000 to 8,000.
    assert!(
        woken < 1000,
        "the feeds thread was woken {woken} times in {window:?} (about {segments} segments)"
    );
    // And the events were read all along: the title bar's rate (4,000 ev/s sent).
    let screen = tui.contents();
    let rate: u64 = screen
        .lines()
        .next()
        .and_then(|title| title.split('│').find(|part| part.contains("ev/s")))
        .and_then(|part| part.split_whitespace().next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no ev/s in the title bar:\n{screen}"));
    assert!(rate >= 500, "{rate} ev/s shown, 4,000 sent:\n{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_dashboards_feeds_thread_is_not_woken_by_the_hold() {
    // Connected, silent.
    let (tui, _server) = dashboard(5, vec![sse_head(), Step::Hold]).await;
    let window = Duration::from_secs(2);
    let woken = wakeups(&tui, window).await;
    println!("idle feeds thread woken {woken} times in {window:?}");
    // Holding would be 400 wake-ups in two seconds; looking at the traffic is 8, and the
    // screen's clock a few more.
    assert!(
        woken < 100,
        "an idle feeds thread was woken {woken} times in {window:?}"
    );
}
