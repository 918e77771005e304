//! The overview (`o`): one row per feed, sorted and filtered in `App::update`, drawn to
//! ratatui's `TestBackend` and compared with reviewed snapshots.

#[path = "support/screen.rs"]
mod screen;

use std::time::Duration;

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use screen::{Screen, row_with, text};
use ssedash::feed::ConnState;
use ssedash::tui::app::{Msg, View};
use ssedash::tui::overview::SortBy;

fn names(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("feed-{i}")).collect()
}

fn screen(n: usize, w: u16, h: u16) -> Screen {
    let names = names(n);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    Screen::new(&refs, w, h)
}

/// The names of the rows, in order.
fn rows(s: &Screen) -> Vec<String> {
    s.app
        .overview
        .rows
        .iter()
        .map(|&i| s.app.panes[i].name.clone())
        .collect()
}

fn selected(s: &Screen) -> String {
    s.app.panes[s.app.focus].name.clone()
}

fn waiting(s: &mut Screen, feed: usize, attempt: u32, retry_in_ms: u64, ms: u64) {
    let retry_at = s.at(ms + retry_in_ms);
    s.state(
        feed,
        ConnState::Waiting {
            retry_at,
            delay: Duration::from_millis(retry_in_ms),
        },
        attempt,
        Some(503),
        Some("HTTP 503 Service Unavailable"),
        ms,
    );
}

fn failed(s: &mut Screen, feed: usize, reason: &str, ms: u64) {
    s.state(feed, ConnState::Failed, 1, Some(404), Some(reason), ms);
}

/// The foreground colour of the screen cell at (x, y).
fn fg(backend: &TestBackend, x: u16, y: u16) -> ratatui::style::Color {
    backend.buffer()[(x, y)].fg
}

/// The screen row holding `needle`.
fn row_index(screen: &str, needle: &str) -> u16 {
    screen
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?} in\n{screen}")) as u16
}

/// 100 feeds: three failed, three waiting to retry (with countdowns), the rest open, with
/// events at different rates.
fn hundred_feeds(w: u16, h: u16) -> Screen {
    let mut s = screen(100, w, h);
    for i in 0..100 {
        s.open(i, 0);
    }
    for i in 0..100 {
        // Feed i gets i % 7 events a second over the last few seconds.
        for sec in 1..5u64 {
            for k in 0..(i % 7) as u64 {
                let n = sec * 10 + k;
                let data = format!(
                    r#"{{"feed":{},"n":{n},"price":{}.{:02}}}"#,
                    i + 1,
                    90 + k,
                    n
                );
                s.event(i, "quote", &data, &n.to_string(), sec * 1000 + k * 100);
            }
        }
    }
    failed(&mut s, 60, "HTTP 404 Not Found", 4000);
    failed(&mut s, 6, "HTTP 401 Unauthorized: Incorrect API key", 4100);
    failed(&mut s, 22, "text/html is not text/event-stream", 4200);
    waiting(&mut s, 87, 2, 1200, 4300);
    waiting(&mut s, 11, 3, 4000, 4400);
    waiting(&mut s, 44, 5, 30_000, 4500);
    s
}

#[test]
fn a_hundred_feeds_start_in_the_overview_sorted_by_state_failed_and_waiting_first() {
    let mut s = hundred_feeds(160, 48);
    assert_eq!(s.app.view, View::Overview, "100 feeds do not fit one page");
    assert_eq!(s.app.overview.sort, SortBy::State);
    assert_eq!(
        rows(&s)[..7],
        [
            "feed-7", "feed-23", "feed-61", "feed-12", "feed-45", "feed-88", "feed-1"
        ]
    );
    // The top row stays selected while feeds connect and fail (so the table is not scrolled
    // to wherever feed-1 went): the first failed feed, its reason under the table.
    assert_eq!(selected(&s), "feed-7");
    assert_eq!(s.app.overview.first, 0);
    let backend = s.draw(5000);
    let screen = text(&backend);
    let title = screen.lines().next().unwrap();
    assert!(title.contains("o panes"), "{title}");
    assert!(screen.contains("sorted by state ▲"), "{screen}");
    assert!(row_with(&screen, "NAME").contains("STATE▲"), "{screen}");
    assert!(
        row_with(&screen, "feed-12 ").contains("↻ retry 3 in 3.4 s"),
        "the countdown: {screen}"
    );
    assert!(
        screen.contains("feed-7 http://127.0.0.1:7878/feed-7 — HTTP 401 Unauthorized"),
        "{screen}"
    );
    // Failed rows in the theme's failed colour, waiting rows in its waiting colour.
    let theme = s.app.theme().clone();
    let name_x = 1;
    assert_eq!(
        fg(&backend, name_x, row_index(&screen, "feed-23 ")),
        theme.failed
    );
    assert_eq!(
        fg(&backend, name_x, row_index(&screen, "feed-45 ")),
        theme.waiting
    );
    assert_eq!(
        fg(&backend, name_x, row_index(&screen, "feed-2 ")),
        theme.text
    );
    // The selected row is highlighted across the table.
    let top = row_index(&screen, "│feed-7 ");
    for x in [1, 80, 158] {
        assert_eq!(backend.buffer()[(x, top)].bg, theme.selection, "x {x}");
    }
    assert_ne!(backend.buffer()[(80, top + 1)].bg, theme.selection);
    insta::assert_snapshot!(backend);
}

#[test]
fn slash_filters_the_rows_by_name_as_it_is_typed() {
    let mut s = hundred_feeds(80, 24);
    s.key(KeyCode::Char('/'), 4800);
    for c in "feed-4".chars() {
        s.key(KeyCode::Char(c), 4800);
    }
    let expected: Vec<String> = std::iter::once("feed-4".to_string())
        .chain((40..=49).map(|i| format!("feed-{i}")))
        .collect();
    let mut got = rows(&s);
    got.sort_by(|a, b| ssedash::tui::overview::natural(a, b));
    assert_eq!(got, expected);
    // Still sorted by state: the waiting feed-45 first, and selected (feed-1, selected
    // before, no longer matches).
    assert_eq!(rows(&s)[0], "feed-45");
    assert_eq!(selected(&s), "feed-45");
    let backend = s.draw(5000);
    let screen = text(&backend);
    assert!(screen.contains("11 of 100 feed names match"), "{screen}");
    assert!(screen.contains("Feeds 11 of 100 /feed-4"), "{screen}");
    insta::assert_snapshot!(backend);
    // Enter keeps the filter; Esc clears it.
    s.key(KeyCode::Enter, 4900);
    assert_eq!(rows(&s).len(), 11);
    s.key(KeyCode::Esc, 4900);
    assert_eq!(rows(&s).len(), 100);
}

#[test]
fn a_filter_that_matches_no_name_says_so() {
    let mut s = screen(20, 100, 30);
    s.key(KeyCode::Char('/'), 0);
    for c in "nope".chars() {
        s.key(KeyCode::Char(c), 0);
    }
    assert!(s.app.overview.rows.is_empty());
    assert_eq!(s.app.overview.cursor, None);
    let screen = text(&s.draw(0));
    assert!(
        screen.contains("no feed name matches /nope (Esc clears the filter)"),
        "{screen}"
    );
    // Enter with no row selected opens nothing.
    s.key(KeyCode::Enter, 0);
    s.key(KeyCode::Enter, 0);
    assert_eq!(s.app.view, View::Overview);
}

/// Four feeds: a idle, b busy, c failed, d waiting; a's last event is the oldest.
fn four(ms: u64) -> Screen {
    // Two panes fit a page of 120×12: the dashboard starts in the overview.
    let mut s = screen(4, 120, 12);
    assert_eq!(s.app.view, View::Overview);
    for (i, name) in ["delta", "alpha", "charlie", "bravo"].iter().enumerate() {
        s.app.panes[i].name = name.to_string();
    }
    for i in 0..4 {
        s.open(i, 0);
    }
    // bravo: 1 event; alpha: 6; delta: 3 (the last at 1,900 ms); charlie: none.
    s.event(3, "m", "b", "", 1000);
    for k in 0..6 {
        s.event(1, "m", "a", "", 1000 + k * 100);
    }
    for k in 0..3 {
        s.event(0, "m", "d", "", 1100 + k * 400);
    }
    failed(&mut s, 2, "gone", 1500);
    waiting(&mut s, 0, 2, 5000, 1950);
    s.app.update(Msg::Tick, s.at(ms));
    s
}

#[test]
fn s_cycles_the_sort_through_name_state_rate_and_last_event_and_shift_s_reverses_it() {
    let mut s = four(2500);
    assert_eq!(rows(&s), ["charlie", "delta", "alpha", "bravo"], "state");
    s.key(KeyCode::Char('s'), 2500);
    assert_eq!(s.app.overview.sort, SortBy::Rate);
    assert_eq!(
        rows(&s),
        ["alpha", "delta", "bravo", "charlie"],
        "busiest first"
    );
    let screen = text(&s.draw(2500));
    assert!(screen.contains("sorted by rate ▼"), "{screen}");
    assert!(row_with(&screen, "NAME").contains("EV/S▼"), "{screen}");
    s.key(KeyCode::Char('S'), 2500);
    assert_eq!(rows(&s), ["charlie", "bravo", "delta", "alpha"], "reversed");
    assert!(text(&s.draw(2500)).contains("sorted by rate ▲"));
    s.key(KeyCode::Char('s'), 2500);
    assert_eq!(s.app.overview.sort, SortBy::LastEvent);
    assert!(
        !s.app.overview.reversed,
        "a new column starts in its own order"
    );
    assert_eq!(
        rows(&s),
        ["charlie", "bravo", "alpha", "delta"],
        "quietest first, never before all"
    );
    s.key(KeyCode::Char('S'), 2500);
    assert_eq!(rows(&s), ["delta", "alpha", "bravo", "charlie"]);
    s.key(KeyCode::Char('s'), 2500);
    assert_eq!(s.app.overview.sort, SortBy::Name);
    assert_eq!(rows(&s), ["alpha", "bravo", "charlie", "delta"]);
    assert!(text(&s.draw(2500)).contains("sorted by name ▲"));
    s.key(KeyCode::Char('S'), 2500);
    assert_eq!(rows(&s), ["delta", "charlie", "bravo", "alpha"]);
    s.key(KeyCode::Char('s'), 2500);
    assert_eq!(s.app.overview.sort, SortBy::State);
    assert_eq!(rows(&s), ["charlie", "delta", "alpha", "bravo"]);
}

#[test]
fn a_state_change_reorders_at_once_and_event_traffic_at_most_once_a_second() {
    let mut s = four(2500);
    s.key(KeyCode::Char('s'), 2500); // rate
    assert_eq!(rows(&s)[0], "alpha");
    // bravo floods, but the order holds until a second after the last sort...
    for k in 0..50 {
        s.event(3, "m", "b", "", 2600 + k);
    }
    s.app.update(Msg::Tick, s.at(3100));
    assert_eq!(rows(&s)[0], "alpha", "re-sorted within a second");
    // ...and then follows.
    s.app.update(Msg::Tick, s.at(3600));
    assert_eq!(rows(&s)[0], "bravo");
    // In the state order, a feed that fails goes to the top with the next message.
    for _ in 0..3 {
        s.key(KeyCode::Char('s'), 3600);
    }
    assert_eq!(s.app.overview.sort, SortBy::State);
    assert_eq!(rows(&s)[0], "charlie");
    failed(&mut s, 1, "HTTP 410 Gone", 3700);
    assert_eq!(rows(&s)[..2], ["alpha", "charlie"]);
}

#[test]
fn the_selection_moves_with_j_k_pages_and_g_and_stays_on_its_feed_when_rows_move() {
    let mut s = screen(100, 100, 20);
    for i in 0..100 {
        s.open(i, 0);
    }
    assert_eq!(selected(&s), "feed-1");
    s.key(KeyCode::Char('j'), 0);
    s.key(KeyCode::Down, 0);
    assert_eq!(selected(&s), "feed-3");
    s.key(KeyCode::Char('k'), 0);
    assert_eq!(selected(&s), "feed-2");
    // 20 rows of screen: title bar, footer, border, header leave 15 rows of feeds.
    s.key(KeyCode::PageDown, 0);
    assert_eq!(selected(&s), "feed-17");
    assert_eq!(s.app.overview.first, 2, "scrolled just enough");
    s.key(KeyCode::PageUp, 0);
    assert_eq!(selected(&s), "feed-2");
    s.key(KeyCode::Char('G'), 0);
    assert_eq!(selected(&s), "feed-100");
    assert_eq!(s.app.overview.first, 85);
    let screen = text(&s.draw(0));
    assert!(screen.contains("100/100"), "{screen}");
    // `g` selects the top row and keeps it selected as rows move.
    s.key(KeyCode::Char('g'), 0);
    assert_eq!(selected(&s), "feed-1");
    failed(&mut s, 98, "gone", 50);
    assert_eq!(selected(&s), "feed-99");
    s.state(98, ConnState::Open, 1, Some(200), None, 60);
    assert_eq!(selected(&s), "feed-1");
    // feed-50 fails: it moves to the top, and stays selected.
    for _ in 0..49 {
        s.key(KeyCode::Char('j'), 0);
    }
    assert_eq!(selected(&s), "feed-50");
    failed(&mut s, 49, "gone", 100);
    assert_eq!(rows(&s)[0], "feed-50");
    assert_eq!(
        (selected(&s).as_str(), s.app.overview.cursor),
        ("feed-50", Some(0))
    );
    // f: the next feed in trouble, round the end.
    failed(&mut s, 9, "gone", 100);
    s.key(KeyCode::Char('f'), 100);
    assert_eq!(selected(&s), "feed-10");
    s.key(KeyCode::Char('f'), 100);
    assert_eq!(selected(&s), "feed-50");
}

#[test]
fn enter_opens_the_selected_feed_zoomed_and_esc_comes_back_with_the_same_selection() {
    let mut s = screen(30, 160, 48);
    for i in 0..30 {
        s.open(i, 0);
    }
    s.event(4, "m", "hello from five", "", 100);
    for _ in 0..4 {
        s.key(KeyCode::Char('j'), 200);
    }
    assert_eq!(selected(&s), "feed-5");
    s.key(KeyCode::Enter, 200);
    assert_eq!(s.app.view, View::Panes);
    assert!(s.app.zoomed);
    assert_eq!(s.app.focus, 4);
    let screen = text(&s.draw(300));
    assert!(screen.contains("hello from five"), "{screen}");
    assert!(screen.contains("Esc overview"), "{screen}");
    // Esc clears the pane's filter first, then comes back.
    s.key(KeyCode::Char('/'), 300);
    s.key(KeyCode::Char('x'), 300);
    s.key(KeyCode::Enter, 300);
    s.key(KeyCode::Esc, 300);
    assert_eq!(s.app.view, View::Panes);
    assert!(s.app.panes[4].filter.is_none());
    s.key(KeyCode::Esc, 300);
    assert_eq!(s.app.view, View::Overview);
    assert!(!s.app.zoomed, "the zoom from before Enter");
    assert_eq!(selected(&s), "feed-5");
    assert_eq!(s.app.overview.cursor, Some(4));
    // Esc in the panes reached with `o` does not switch views.
    s.key(KeyCode::Char('o'), 400);
    assert_eq!(s.app.view, View::Panes);
    assert!(!s.app.zoomed);
    s.key(KeyCode::Esc, 400);
    assert_eq!(s.app.view, View::Panes);
    assert_eq!(
        s.app.focus, 4,
        "the panes show the feed selected in the overview"
    );
}

#[test]
fn the_dashboard_starts_in_the_overview_only_when_the_feeds_do_not_fit_one_page() {
    // 160×48 holds 15 panes a page (3 across, 5 down).
    let s = screen(15, 160, 48);
    assert_eq!(s.app.view, View::Panes);
    let s = screen(16, 160, 48);
    assert_eq!(s.app.view, View::Overview);
    // 80×24 holds two.
    let mut s = screen(3, 80, 24);
    assert_eq!(s.app.view, View::Overview);
    let title = text(&s.draw(0)).lines().next().unwrap().to_string();
    assert!(title.contains("o panes"), "{title}");
    s.key(KeyCode::Char('o'), 0);
    assert_eq!(s.app.view, View::Panes);
    let title = text(&s.draw(0)).lines().next().unwrap().to_string();
    assert!(title.contains("o overview"), "{title}");
    // A later resize does not switch views under the user.
    s.app.update(Msg::Resize(300, 100), s.at(0));
    s.app.update(Msg::Resize(60, 20), s.at(0));
    assert_eq!(s.app.view, View::Panes);
}

#[test]
fn the_overview_wakes_for_the_countdowns_it_shows() {
    let mut s = screen(20, 100, 30);
    waiting(&mut s, 3, 2, 5000, 0);
    let wake = s.app.next_wake(s.at(100)).expect("a countdown on screen");
    assert!(wake <= s.at(200), "tenths of a second: {wake:?}");
}
