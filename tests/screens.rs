//! Whole screens rendered to ratatui's `TestBackend`, compared with reviewed snapshots in
//! `tests/snapshots/`. Time is fixed (UTC, a fixed instant) so the screens are stable.

#[path = "support/screen.rs"]
mod screen;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use screen::{Screen, row_with, text};
use ssedash::feed::ConnState;
use ssedash::tui::render;

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
    let mut s = Screen::new(&["ticker"], 100, 32);
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
    // ratatui drops control characters by itself, so their absence proves little: the
    // escaped forms must be on screen, as text.
    for shown in [
        r"evil\x1b]0;x\x07",
        r"ev\x1b[2Jil",
        r"#i\x07d",
        r"\x1b[31mred\x1b[0m\r\ttab\u{202e}rtl",
    ] {
        assert!(text.contains(shown), "{shown} on screen:\n{text}");
    }
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
    // More feeds than one page holds: the dashboard starts in the overview; `o` shows panes.
    s.key(KeyCode::Char('o'), 0);
    for i in 0..12 {
        s.open(i, 0);
    }
    for _ in 0..9 {
        s.key(KeyCode::Tab, 100);
    }
    insta::assert_snapshot!(s.draw(1000));
}

#[test]
fn queue_bytes_lost_and_dropped_old_events_are_shown() {
    let mut s = Screen::new(&["ticker"], 140, 12);
    s.app.panes[0].capacity = 4;
    s.open(0, 0);
    ticker(&mut s, 0, 10);
    // The counters the event loop copies from the feed's queue (`Msg::Stats`), set as it would.
    s.app.panes[0].bytes = 1_234_567;
    s.app.panes[0].dropped = 1_205;
    s.app.panes[0].retry_ms = Some(2500);
    s.app.panes[0].comments = 3;
    let backend = s.draw(4000);
    let screen = text(&backend);
    let counters = row_with(&screen, "events");
    for shown in [
        "lost 1,205",
        "dropped 6 old",
        "1.2 MiB",
        "retry 2.5 s",
        "3 comments",
    ] {
        assert!(counters.contains(shown), "{shown} in {counters}");
    }
    insta::assert_snapshot!(backend);
}

#[test]
fn a_narrow_pane_leaves_out_whole_counters_and_wraps_the_reason() {
    let mut s = Screen::new(&["orders"], 44, 11);
    s.app.panes[0].capacity = 2;
    s.open(0, 0);
    ticker(&mut s, 0, 3);
    s.app.panes[0].bytes = 1_234;
    s.app.panes[0].dropped = 17;
    s.app.panes[0].clear();
    s.state(
        0,
        ConnState::Failed,
        1,
        Some(401),
        Some("HTTP 401 Unauthorized: {\"error\":\"Incorrect API key provided\"}"),
        2000,
    );
    let backend = s.draw(2500);
    let screen = text(&backend);
    let counters = row_with(&screen, "events");
    // What shows is whole; what does not fit is left out, never cut to `1.2`.
    assert!(counters.contains("lost 17"), "{counters}");
    assert!(
        !counters.contains("1.2") || counters.contains("1.2 KiB"),
        "{counters}"
    );
    assert!(!counters.contains('…'), "{counters}");
    // So do the title bar and the footer: whole items or none.
    let title = screen.lines().next().unwrap();
    assert!(
        title.trim_end_matches([' ', '"']).ends_with("1 failed"),
        "{title}"
    );
    let footer = screen.lines().last().unwrap();
    assert!(
        footer.trim_end_matches([' ', '"']).ends_with("focus"),
        "{footer}"
    );
    // The reason wraps over rows rather than being cut at the pane's edge.
    assert!(screen.contains("Incorrect"), "{screen}");
    assert!(screen.contains("provided"), "{screen}");
    insta::assert_snapshot!(backend);
}

#[test]
fn help_on_a_small_screen_scrolls_to_every_key() {
    let mut s = Screen::new(&["ticker"], 44, 11);
    s.open(0, 0);
    s.key(KeyCode::Char('?'), 100);
    let first = text(&s.draw(100));
    assert!(first.contains("more (j scrolls)"), "{first}");
    assert!(!first.contains("Ctrl-C"), "{first}");
    // Scrolling down one line at a time shows every key, each meaning whole.
    let mut seen = first;
    for _ in 0..60 {
        s.key(KeyCode::Char('j'), 100);
        seen.push_str(&text(&s.draw(100)));
    }
    for (key, what) in ssedash::tui::help::KEYS {
        assert!(seen.contains(key) && seen.contains(what), "{key}: {what}");
    }
    let backend = s.draw(100);
    let screen = text(&backend);
    assert!(screen.contains("║ q, Ctrl-C   quit"), "{screen}");
    assert!(screen.contains("↑ "), "says there is more above: {screen}");
    insta::assert_snapshot!(backend);
}

#[test]
fn long_raw_data_wraps_at_the_width_with_a_mark_in_the_detail_view() {
    let mut s = Screen::new(&["logs"], 60, 16);
    s.open(0, 0);
    let data = format!("{}END\nsecond line", "0123456789".repeat(15));
    s.event(0, "log", &data, "1", 100);
    s.key(KeyCode::Enter, 200);
    s.key(KeyCode::Char('G'), 200);
    let backend = s.draw(200);
    let screen = text(&backend);
    // 153 characters at 58 a row: three rows, the second and third marked as continued; the
    // real line break starts a row with no mark.
    assert!(
        screen.contains(&format!("║{}║", &"0123456789".repeat(6)[..58])),
        "{screen}"
    );
    assert!(row_with(&screen, "END").contains("║↪"), "{screen}");
    assert!(
        row_with(&screen, "second line").contains("║second line"),
        "{screen}"
    );
    insta::assert_snapshot!(backend);
}

#[test]
fn json_too_large_to_pretty_print_says_so_with_its_size_and_the_limit() {
    let mut s = Screen::new(&["big"], 100, 16);
    s.open(0, 0);
    let big = format!("[{}0]", "1234567,".repeat(40_000));
    s.event(0, "dump", &big, "", 100);
    s.key(KeyCode::Enter, 200);
    let screen = text(&s.draw(200));
    assert!(
        screen.contains("JSON of 313 KiB is not pretty-printed: over the limit of 256 KiB"),
        "{screen}"
    );
}

#[test]
fn filter_matches_are_highlighted_and_a_far_match_scrolls_into_view() {
    let mut s = Screen::new(&["logs"], 80, 12);
    s.open(0, 0);
    s.event(0, "log", "alpha needle beta", "1", 100);
    let far = format!("{} needle at the end", "x".repeat(200));
    s.event(0, "log", &far, "2", 200);
    s.event(0, "log", "nothing here", "needle-id", 300);
    let mut long = "y".repeat(1100);
    long.push_str(" needle");
    s.event(0, "log", &long, "4", 400);
    s.key(KeyCode::Char('/'), 500);
    for c in "needle".chars() {
        s.key(KeyCode::Char(c), 500);
    }
    s.key(KeyCode::Enter, 500);
    let backend = s.draw(500);
    let screen = text(&backend);
    // The far match is scrolled to, with `…` for what is left of it.
    let far_row = row_with(&screen, "at the end");
    assert!(
        far_row.contains("#2 …xxxxxxx needle at the end"),
        "{far_row}"
    );
    // A match in the id is highlighted in the id.
    assert!(screen.contains("#needle-id nothing here"), "{screen}");
    // A match past what a row holds at all is said to be hidden.
    assert!(
        row_with(&screen, "#4 ").contains("[match hidden]"),
        "{screen}"
    );
    // Every `needle` in the list is drawn reversed.
    let buf = backend.buffer();
    let mut marked = 0;
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if !line.contains("12:00:00.") {
            continue;
        }
        let mut from = 0;
        while let Some(at) = line[from..].find("needle") {
            let col = line[..from + at].chars().count() as u16;
            for dx in 0..6 {
                let cell = &buf[(col + dx, y)];
                assert!(
                    cell.modifier.contains(ratatui::style::Modifier::REVERSED),
                    "row {y} col {}: {line}",
                    col + dx
                );
            }
            marked += 1;
            from += at + 6;
        }
    }
    assert_eq!(
        marked, 3,
        "the three matches on screen are marked:\n{screen}"
    );
    insta::assert_snapshot!(backend);
}

#[test]
fn the_filter_prompt_draws_its_cursor_where_it_is() {
    let mut s = Screen::new(&["ticker"], 80, 12);
    s.open(0, 0);
    s.key(KeyCode::Char('/'), 100);
    for c in "ACME".chars() {
        s.key(KeyCode::Char(c), 100);
    }
    s.key(KeyCode::Left, 100);
    s.key(KeyCode::Left, 100);
    s.key_with(KeyCode::Char('w'), KeyModifiers::CONTROL, 100);
    let backend = s.draw(100);
    let buf = backend.buffer();
    let y = buf.area.height - 1;
    let footer: String = (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect();
    assert!(
        footer.starts_with(" / ME "),
        "Ctrl-W deleted the word before the cursor: {footer}"
    );
    // The cursor is on the `M`: that cell is reversed, its neighbours are not.
    assert!(
        buf[(3, y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
    assert!(
        !buf[(4, y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
}

#[test]
fn the_title_bar_names_a_failed_feed_on_another_page() {
    let names: Vec<String> = (1..=12).map(|i| format!("feed-{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut s = Screen::new(&refs, 100, 30);
    s.key(KeyCode::Char('o'), 0);
    for i in 0..12 {
        s.open(i, 0);
    }
    s.state(
        10,
        ConnState::Failed,
        1,
        Some(404),
        Some("HTTP 404 Not Found"),
        500,
    );
    let backend = s.draw(1000);
    let screen = text(&backend);
    let title = screen.lines().next().unwrap();
    assert!(title.contains("✖ feed-11 failed (f)"), "{title}");
    assert!(title.contains("page 1/2"), "{title}");
    let footer = screen.lines().last().unwrap();
    assert!(
        footer.contains("[ ] page") && footer.contains("f next failed"),
        "{footer}"
    );
    insta::assert_snapshot!(backend);
    s.key(KeyCode::Char('f'), 1000);
    assert_eq!(s.app.focus, 10);
}

#[test]
fn hostile_reasons_names_and_event_fields_are_escaped_wherever_they_are_drawn() {
    let mut s = Screen::new(&["ok", "n\x1b]0;PWN\x07\u{202e}"], 140, 16);
    s.app.themes[0].name = "th\x1b[2Jeme".into();
    s.open(0, 0);
    s.event(0, "t\x1b[2Jype", "d\u{202e}ata", "i\u{9b}d", 100);
    s.state(1, ConnState::Connecting, 1, None, None, 0);
    s.state(
        1,
        ConnState::Failed,
        1,
        Some(500),
        Some("HTTP 500 Internal Server Error: \x1b[2J\u{202e}boom"),
        100,
    );
    s.key(KeyCode::Char('2'), 200);
    let screen = text(&s.draw(200));
    let title = screen.lines().next().unwrap();
    assert!(
        title.contains(r"✖ n\x1b]0;PWN\x07\u{202e} failed"),
        "{title}"
    );
    assert!(title.contains(r"theme th\x1b[2Jeme"), "{title}");
    // The reason in the badge and in the empty list.
    assert!(
        screen.contains(r"failed: HTTP 500 Internal Server Error: \x1b[2J\u{202e}boom"),
        "{screen}"
    );
    assert!(screen.contains(r"✖ failed — HTTP 500"), "{screen}");
    // Type and id in the list, the type counts and the counter line.
    assert!(
        screen.contains(r"t\x1b[2Jype #i\x9bd d\u{202e}ata"),
        "{screen}"
    );
    assert!(screen.contains(r"t\x1b[2Jype 1"), "{screen}");
    assert!(screen.contains(r"id i\x9bd"), "{screen}");
    // The detail view of the event.
    s.key(KeyCode::Char('1'), 300);
    s.key(KeyCode::Char('k'), 300);
    s.key(KeyCode::Enter, 300);
    let detail = text(&s.draw(300));
    for shown in [r"type  t\x1b[2Jype", r"id    i\x9bd", r"d\u{202e}ata"] {
        assert!(detail.contains(shown), "{shown} in\n{detail}");
    }
    for raw in ['\x1b', '\x07', '\u{9b}', '\u{202e}'] {
        assert!(!screen.contains(raw) && !detail.contains(raw));
    }
}

#[test]
fn the_terminal_cursor_sits_where_typing_goes_in_the_filter() {
    let mut s = Screen::new(&["ticker"], 80, 12);
    s.open(0, 0);
    s.key(KeyCode::Char('/'), 100);
    for c in "a→bc".chars() {
        s.key(KeyCode::Char(c), 100);
    }
    s.key(KeyCode::Left, 100);
    s.app.now = s.at(100);
    let mut terminal = Terminal::new(TestBackend::new(80, 12)).unwrap();
    terminal.draw(|f| render::render(f, &s.app)).unwrap();
    // " / a→b" is six cells: the cursor is on the seventh, the `c`, on the bottom row.
    let pos = terminal.get_cursor_position().unwrap();
    assert_eq!((pos.x, pos.y), (6, 11));
}
