//! The dashboard's feeds thread is woken by its own clock, not by every TCP segment, while many
//! events trickle in, and an idle dashboard's is left alone (issue 7: most of a 100-feed dashboard's CPU time went on these wake-ups).
//!
//! A loopback server sends 20 feeds an event every 5 ms each, every event in a segment of its
//! own (`TCP_NODELAY`, a write per event): 4,000 segments a second. The real binary shows them
//! in a pty; the feeds thread's voluntary context switches (Linux's count of the times it went
//! to sleep and was woken) are read from `/proc` over two seconds. Holding the thread
//! `tui::pace::HOLD` (5 ms) at a time gives about 200 a second; waiting in epoll gave one per
//! segment or two, thousands a second. A count, not a speed: a loaded machine coalesces
//! segments, which only lowers it.

#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use support::pty::Tui;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const FEEDS: usize = 20;
const EVERY: Duration = Duration::from_millis(5);

/// Answers a stream request, then writes an event every `every` (never, for `Duration::MAX`).
async fn trickle(mut socket: TcpStream, every: Duration) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    socket.set_nodelay(true).unwrap();
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\r\n";
    if socket.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    if every == Duration::MAX {
        // Connected, silent: hold the socket until the client goes.
        let _ = socket.read(&mut buf).await;
        return;
    }
    let mut tick = tokio::time::interval(every);
    for n in 0u64.. {
        tick.tick().await;
        let event = format!("id: {n}\ndata: {{\"n\":{n}}}\n\n");
        if socket.write_all(event.as_bytes()).await.is_err() {
            return;
        }
    }
}

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

/// The dashboard on `feeds` feeds that each get an event every `every`, once all are open.
async fn dashboard(feeds: usize, every: Duration) -> Tui {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(trickle(socket, every));
        }
    });
    let urls: Vec<String> = (0..feeds)
        .map(|i| format!("http://{addr}/trickle/{i}"))
        .collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = urls.iter().map(String::as_str).collect();
        let tui = Tui::start(&args, 30, 120);
        tui.wait_text(&format!("{feeds} open"), Duration::from_secs(20));
        tui
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_feeds_wake_the_dashboards_feeds_thread_by_its_clock_not_per_segment() {
    let tui = dashboard(FEEDS, EVERY).await;
    // Let the first reads and frames settle, and the hold see the traffic.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let pid = tui.pid();
    let before = worker_switches(pid);
    let window = Duration::from_secs(2);
    tokio::time::sleep(window).await;
    let woken = worker_switches(pid) - before;
    let segments = FEEDS as f64 * window.as_secs_f64() / EVERY.as_secs_f64();
    println!("feeds thread woken {woken} times while about {segments:.0} segments arrived");
    // The clock gives 400 in two seconds; a wake-up per segment or two, 4,000 to 8,000.
    assert!(
        woken < 1000,
        "the feeds thread was woken {woken} times in {window:?} (about {segments:.0} segments)"
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
    let tui = dashboard(5, Duration::MAX).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let pid = tui.pid();
    let before = worker_switches(pid);
    let window = Duration::from_secs(2);
    tokio::time::sleep(window).await;
    let woken = worker_switches(pid) - before;
    println!("idle feeds thread woken {woken} times in {window:?}");
    // Holding would be 400 wake-ups in two seconds; looking at the traffic is 8, and the
    // screen's clock a few more.
    assert!(
        woken < 100,
        "an idle feeds thread was woken {woken} times in {window:?}"
    );
}
