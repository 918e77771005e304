//! Whole screens rendered to ratatui's `TestBackend`, compared with reviewed snapshots in
//! `tests/snapshots/`. Time is fixed (UTC, a fixed instant) so the screens are stable.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ssedash::feed::{ConnState, FeedId, FeedMsg, FeedSpec, StateChange};
use ssedash::sse::Event;
use ssedash::tui::app::{App, Msg};
use ssedash::tui::{render, theme};

/// 2026-11-24 12:00:00 UTC.
fn base_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_521_600)
}

struct Screen {
    app: App,
    t0: Instant,
}

impl Screen {
    fn new(feeds: &[&str], w: u16, h: u16) -> Screen {
        let t0 = Instant::now();
        let specs: Vec<FeedSpec> = feeds
            .iter()
            .map(|n| FeedSpec::new(*n, format!("http://127.0.0.1:7878/{n}").parse().unwrap()))
            .collect();
        let mut app = App::new(&specs, theme::load_all(None, false).unwrap(), 0, t0);
        app.tz = jiff::tz::TimeZone::UTC;
        app.update(Msg::Resize(w, h), t0);
        Screen { app, t0 }
    }

    fn at(&self, ms: u64) -> Instant {
        self.t0 + Duration::from_millis(ms)
    }

    fn state(
        &mut self,
        feed: usize,
        state: ConnState,
        attempt: u32,
        status: Option<u16>,
        reason: Option<&str>,
        ms: u64,
    ) {
        let change = StateChange {
            state,
            attempt,
            status,
            reason: reason.map(String::from),
            at: base_time() + Duration::from_millis(ms),
        };
        let now = self.at(ms);
        self.app
            .update(Msg::Feed(FeedId(feed), FeedMsg::State(change)), now);
    }

    fn open(&mut self, feed: usize, ms: u64) {
        self.state(feed, ConnState::Connecting, 1, None, None, ms);
        self.state(feed, ConnState::Open, 1, Some(200), None, ms);
    }

    fn event(&mut self, feed: usize, kind: &str, data: &str, id: &str, ms: u64) {
        let msg = FeedMsg::Event {
            event: Event {
                event_type: Arc::from(kind),
                data: data.into(),
                id: Arc::from(id),
                truncated: false,
                type_truncated: false,
                id_truncated: false,
            },
            at: base_time() + Duration::from_millis(ms),
        };
        let now = self.at(ms);
        self.app.update(Msg::Feed(FeedId(feed), msg), now);
    }

    fn key(&mut self, code: KeyCode, ms: u64) {
        let now = self.at(ms);
        self.app
            .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), now);
    }

    fn draw(&mut self, ms: u64) -> TestBackend {
        self.app.now = self.at(ms);
        let mut terminal =
            Terminal::new(TestBackend::new(self.app.width, self.app.height)).unwrap();
        terminal.draw(|f| render::render(f, &self.app)).unwrap();
        terminal.backend().clone()
    }
}

fn ticker(s: &mut Screen, feed: usize, n: u64) {
    let symbols = ["ACME", "GLOBX", "INITech", "UMBR"];
    for i in 0..n {
        let sym = symbols[(i % 4) as usize];
        let data = format!(
            r#"{{"symbol":"{sym}","price":{}.{:02},"volume":{}}}"#,
            100 + i,
            i % 100,
            1000 + i * 7
        );
        s.event(feed, "quote", &data, &(i + 1).to_string(), 1000 + i * 250);
    }
}

#[test]
fn one_feed() {
    let mut s = Screen::new(&["ticker"], 100, 20);
    s.open(0, 0);
    ticker(&mut s, 0, 12);
    s.event(
        0,
        "halt",
        r#"{"symbol":"UMBR","reason":"volatility"}"#,
        "13",
        4200,
    );
    insta::assert_snapshot!(s.draw(4500));
}

#[test]
fn four_feeds() {
    let mut s = Screen::new(&["ticker", "news", "deploys", "hello"], 140, 32);
    s.open(0, 0);
    ticker(&mut s, 0, 10);
    s.open(1, 0);
    s.event(
        1,
        "headline",
        r#"{"title":"Harbour city opens its first floating library","section":"culture"}"#,
        "1",
        1500,
    );
    s.event(
        1,
        "headline",
        r#"{"title":"Robotic beekeepers pass their first winter","section":"science"}"#,
        "2",
        3500,
    );
    s.open(2, 0);
    s.event(
        2,
        "log",
        "12:00:01 INFO  build  step 3/7: compiling api-server",
        "40",
        1000,
    );
    s.event(
        2,
        "log",
        "12:00:02 WARN  build  cache miss for layer 5",
        "41",
        2000,
    );
    s.event(
        2,
        "deploy",
        r#"{"service":"api","version":"v2.14.3","status":"rolling-out"}"#,
        "42",
        3000,
    );
    s.open(3, 0);
    s.event(3, "message", "Hello World", "", 2000);
    s.event(3, "message", "Hello World", "", 4000);
    s.event(3, "close", "bye", "", 10_000);
    s.state(
        3,
        ConnState::Closed,
        1,
        None,
        Some("stop event \"close\""),
        10_000,
    );
    s.key(KeyCode::Tab, 10_000);
    insta::assert_snapshot!(s.draw(10_400));
}

#[test]
fn waiting_feed_with_countdown() {
    let mut s = Screen::new(&["orders"], 100, 14);
    s.open(0, 0);
    s.event(0, "order", r#"{"id":17,"total":"12.50"}"#, "17", 500);
    let retry_at = s.at(6000);
    s.state(
        0,
        ConnState::Waiting {
            retry_at,
            delay: Duration::from_millis(5000),
        },
        3,
        Some(503),
        Some("HTTP 503"),
        1000,
    );
    insta::assert_snapshot!(s.draw(1800));
}

#[test]
fn failed_feed() {
    let mut s = Screen::new(&["status"], 100, 12);
    s.state(0, ConnState::Connecting, 1, None, None, 0);
    s.state(
        0,
        ConnState::Failed,
        1,
        Some(200),
        Some("text/html is not text/event-stream"),
        40,
    );
    insta::assert_snapshot!(s.draw(2000));
}

#[test]
fn help_overlay() {
    let mut s = Screen::new(&["ticker"], 100, 28);
    s.open(0, 0);
    ticker(&mut s, 0, 5);
    s.key(KeyCode::Char('?'), 2000);
    insta::assert_snapshot!(s.draw(2000));
}

#[test]
fn detail_view() {
    let mut s = Screen::new(&["ticker"], 100, 30);
    s.open(0, 0);
    ticker(&mut s, 0, 3);
    s.event(
        0,
        "order",
        r#"{"id":17,"items":[{"sku":"A-1","qty":2}],"paid":true,"note":null}"#,
        "99",
        2000,
    );
    s.event(0, "quote", "plain", "100", 2100);
    s.key(KeyCode::Char('k'), 2200);
    s.key(KeyCode::Enter, 2200);
    insta::assert_snapshot!(s.draw(2500));
}

#[test]
fn filter_with_no_match() {
    let mut s = Screen::new(&["ticker"], 100, 14);
    s.open(0, 0);
    ticker(&mut s, 0, 6);
    s.key(KeyCode::Char('/'), 3000);
    for c in "nothing-like-this".chars() {
        s.key(KeyCode::Char(c), 3000);
    }
    insta::assert_snapshot!(s.draw(3000));
}

#[test]
fn hostile_feed_text_is_escaped() {
    let mut s = Screen::new(&["evil\x1b]0;x\x07"], 100, 12);
    s.open(0, 0);
    s.event(
        0,
        "ev\x1b[2Jil",
        "\x1b[31mred\x1b[0m\r\ttab\u{202e}rtl",
        "i\x07d",
        100,
    );
    let backend = s.draw(200);
    let text = format!("{backend}");
    assert!(!text.contains('\x1b') && !text.contains('\x07') && !text.contains('\u{202e}'));
    insta::assert_snapshot!(backend);
}

#[test]
fn tiny_terminal() {
    let mut s = Screen::new(&["ticker"], 30, 8);
    s.open(0, 0);
    insta::assert_snapshot!(s.draw(0));
}

#[test]
fn many_feeds_are_paged() {
    let names: Vec<String> = (1..=12).map(|i| format!("feed-{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut s = Screen::new(&refs, 100, 30);
    for i in 0..12 {
        s.open(i, 0);
    }
    for _ in 0..9 {
        s.key(KeyCode::Tab, 100);
    }
    insta::assert_snapshot!(s.draw(1000));
}
