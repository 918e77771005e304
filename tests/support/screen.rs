//! A dashboard drawn to ratatui's `TestBackend` at a fixed time (UTC, a fixed instant), so
//! screens are stable: shared by the screen and overview tests.
#![allow(dead_code)]

use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ssedash::feed::{ConnState, FeedId, FeedMsg, FeedSpec, StateChange};
use ssedash::sse::Event;
use ssedash::tui::app::{App, Msg};
use ssedash::tui::{render, theme};

/// 2026-11-24 12:00:00 UTC.
pub fn base_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_521_600)
}

pub struct Screen {
    pub app: App,
    pub t0: Instant,
}

impl Screen {
    pub fn new(feeds: &[&str], w: u16, h: u16) -> Screen {
        let specs: Vec<FeedSpec> = feeds
            .iter()
            .map(|n| FeedSpec::new(*n, format!("http://127.0.0.1:7878/{n}").parse().unwrap()))
            .collect();
        Screen::with_specs(&specs, w, h)
    }

    /// A dashboard of these feeds (with their views and expressions).
    pub fn with_specs(specs: &[FeedSpec], w: u16, h: u16) -> Screen {
        let t0 = Instant::now();
        let mut app = App::new(specs, theme::load_all(None, false).unwrap(), 0, t0);
        app.tz = jiff::tz::TimeZone::UTC;
        app.update(Msg::Resize(w, h), t0);
        Screen { app, t0 }
    }

    pub fn at(&self, ms: u64) -> Instant {
        self.t0 + Duration::from_millis(ms)
    }

    pub fn state(
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

    pub fn open(&mut self, feed: usize, ms: u64) {
        self.state(feed, ConnState::Connecting, 1, None, None, ms);
        self.state(feed, ConnState::Open, 1, Some(200), None, ms);
    }

    pub fn event(&mut self, feed: usize, kind: &str, data: &str, id: &str, ms: u64) {
        let msg = FeedMsg::Event {
            event: Event::new(kind, data, id),
            at: base_time() + Duration::from_millis(ms),
        };
        let now = self.at(ms);
        self.app.update(Msg::Feed(FeedId(feed), msg), now);
    }

    pub fn key(&mut self, code: KeyCode, ms: u64) {
        let now = self.at(ms);
        self.app
            .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), now);
    }

    pub fn key_with(&mut self, code: KeyCode, mods: KeyModifiers, ms: u64) {
        let now = self.at(ms);
        self.app.update(Msg::Key(KeyEvent::new(code, mods)), now);
    }

    pub fn draw(&mut self, ms: u64) -> TestBackend {
        self.app.now = self.at(ms);
        let mut terminal =
            Terminal::new(TestBackend::new(self.app.width, self.app.height)).unwrap();
        terminal.draw(|f| render::render(f, &self.app)).unwrap();
        terminal.backend().clone()
    }
}

/// The screen's text, one string.
pub fn text(backend: &TestBackend) -> String {
    format!("{backend}")
}

/// The row of the screen holding `needle`.
pub fn row_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?} in\n{screen}"))
}
