//! A burst written back to back (a resume replaying its backlog, a loopback test server) reaches
//! the dashboard whole: its queue is bounded by bytes, not by a small count of messages.

mod support;

use std::time::Duration;

use support::pty::Tui;
use support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_100_000_small_events_loses_none_in_the_dashboard() {
    let burst: String = (0..100_000)
        .map(|i| format!("id: {i}\ndata: {{\"n\":{i}}}\n\n"))
        .collect();
    let server = TestServer::always(vec![sse_head(), write(burst), Step::Hold]).await;
    let url = server.url("/burst");
    let tui = tokio::task::spawn_blocking(move || Tui::start(&[&url], 30, 120))
        .await
        .unwrap();
    tokio::task::spawn_blocking(move || {
        // An event lost on the way is never counted, so the total reaches 100,000 only if
        // every one arrived.
        let screen = tui.wait_text("100,000 events", Duration::from_secs(60));
        assert!(screen.contains("{\"n\":99999}"), "{screen}");
        assert!(!screen.contains("lost"), "{screen}");
    })
    .await
    .unwrap();
}
