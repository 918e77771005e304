//! Everything on the feed path is bounded, measured on the real binary: a server floods
//! `ssedash tail` with messages that carry no event while nobody reads its output, and its
//! resident memory stays small.

mod support;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A `VmRSS`-style line of /proc/PID/status, in KiB.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Writes `body` in pieces, as a server streaming it would.
async fn write_all_in_pieces(sock: &mut tokio::net::TcpStream, body: &[u8]) -> std::io::Result<()> {
    for piece in body.chunks(64 * 1024) {
        sock.write_all(piece).await?;
    }
    Ok(())
}

const LIMIT_KIB: u64 = 30 * 1024;

#[tokio::test]
async fn a_million_id_only_blocks_and_a_million_retry_lines_keep_tail_under_30_mb() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let server_done = done.clone();
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await?;
        let mut buf = vec![0u8; 8192];
        let mut head = Vec::new();
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = sock.read(&mut buf).await?;
            if n == 0 {
                return Ok(());
            }
            head.extend_from_slice(&buf[..n]);
        }
        sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
            .await?;
        // First, more output than the pipe and tail's writer can hold, in separate pieces
        // (tail writes what it has whenever no more is ready): from here on `tail` cannot write,
        // so whatever its feed task queues stays queued. Control characters take six bytes
        // each in JSON, so little memory fills the pipe.
        let data = "\u{1}".repeat(4096);
        for i in 0..40 {
            sock.write_all(format!("id: e{i}\ndata: {data}\n\n").as_bytes())
                .await?;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let ids: String = (0..1_000_000).map(|i| format!("id: {i}\n\n")).collect();
        write_all_in_pieces(&mut sock, ids.as_bytes()).await?;
        let retries: String = (0..1_000_000).map(|i| format!("retry: {i}\n")).collect();
        write_all_in_pieces(&mut sock, retries.as_bytes()).await?;
        // More than every socket buffer on the way can hold: once this is written, the client
        // has read all the ids and retries before it.
        let comment = format!(": {}\n", "c".repeat(1000));
        let padding = comment.repeat(16 * 1024);
        write_all_in_pieces(&mut sock, padding.as_bytes()).await?;
        server_done.store(true, Ordering::SeqCst);
        // Hold the connection until the client goes.
        while sock.read(&mut buf).await? > 0 {}
        Ok::<_, std::io::Error>(())
    });

    let mut child = tokio::process::Command::new(support::bin())
        .args(["tail", &format!("http://{addr}/"), "--format", "ndjson"])
        .env_remove("SSEDASH_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped()) // never read
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();

    let deadline = Instant::now() + Duration::from_secs(120);
    let mut peak = 0;
    while !done.load(Ordering::SeqCst) && Instant::now() < deadline && peak <= LIMIT_KIB {
        peak = peak.max(status_kib(pid, "VmRSS:").unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let finished = done.load(Ordering::SeqCst);
    // The last of it is parsed a moment after the server wrote it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss = status_kib(pid, "VmRSS:").unwrap_or(0);
    let high_water = status_kib(pid, "VmHWM:").unwrap_or(0);
    child.kill().await.unwrap();
    server.abort();
    eprintln!("VmRSS {rss} KiB, VmHWM {high_water} KiB, sampled peak {peak} KiB");
    assert!(
        peak.max(rss).max(high_water) < LIMIT_KIB,
        "tail grew to {} KiB (VmRSS {rss}, VmHWM {high_water})",
        peak.max(high_water)
    );
    assert!(
        finished,
        "the server could not write everything: tail stopped reading"
    );
}

#[tokio::test]
async fn a_long_type_and_id_are_cut_flagged_and_the_cut_id_is_sent_back() {
    let long_type = "t".repeat(300);
    let long_id = "i".repeat(5000);
    let body = format!("event: {long_type}\nid: {long_id}\ndata: x\n\n");
    let server = support::TestServer::start(move |n, _| match n {
        0 => vec![support::sse_head(), support::write(&body)],
        _ => vec![support::head("204 No Content", &[])],
    })
    .await;
    let run = support::tail(
        &server.url("/"),
        &["--reconnect-delay", "100", "--timeout", "10"],
    )
    .await;
    let events = run.events();
    assert_eq!(events.len(), 1, "{}", run.stdout);
    assert_eq!(events[0]["type"], "t".repeat(256));
    assert_eq!(events[0]["id"], "i".repeat(1024));
    assert_eq!(events[0]["type_truncated"], true);
    assert_eq!(events[0]["id_truncated"], true);
    assert!(events[0].get("truncated").is_none(), "the data was whole");
    let resumed = &server.requests()[1];
    assert_eq!(
        resumed.header_str("last-event-id").as_deref(),
        Some(&*"i".repeat(1024))
    );
}
