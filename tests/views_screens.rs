//! The pane views drawn to ratatui's `TestBackend` at a fixed time, compared with reviewed
//! snapshots: the list with columns, the board (trends, the `other` row, the frequency
//! table), the transcript (headers, wrapping, errors) and highlights.

#[path = "support/screen.rs"]
mod screen;

use std::sync::Arc;

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier, Style};
use screen::{Screen, row_with, text};
use ssedash::expr::Expr;
use ssedash::feed::{ConnState, FeedSpec};
use ssedash::view::{
    Align, BoardSort, Column, FeedExprs, HighlightMatch, HighlightRule, ViewKind, ViewSpec,
};

fn spec(name: &str, exprs: FeedExprs) -> FeedSpec {
    let mut s = FeedSpec::new(
        name,
        format!("http://127.0.0.1:7878/{name}").parse().unwrap(),
    );
    s.exprs = Arc::new(exprs);
    s
}

fn jq(src: &str) -> Expr {
    Expr::compile(src).unwrap()
}

fn col(title: &str, src: &str, align: Align) -> Column {
    Column {
        title: title.into(),
        expr: jq(src),
        align,
    }
}

fn ticker_board(max_rows: usize) -> FeedExprs {
    FeedExprs {
        view: ViewSpec {
            kind: ViewKind::Board,
            key: Some(jq(".symbol")),
            columns: vec![
                col("price", ".price", Align::Right),
                col("change", ".change", Align::Right),
            ],
            sort: BoardSort::Key,
            max_rows,
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    }
}

fn quote(s: &mut Screen, sym: &str, price: f64, change: f64, ms: u64) {
    let data = format!(r#"{{"symbol":"{sym}","price":{price},"change":{change}}}"#);
    s.event(0, "quote", &data, "", ms);
}

/// The style of the screen's cell at `x`, `y`.
fn style_at(b: &TestBackend, x: u16, y: u16) -> Style {
    b.buffer()[(x, y)].style()
}

/// Where `needle` starts on the screen: column and row.
fn find(b: &TestBackend, needle: &str) -> (u16, u16) {
    let screen = text(b);
    for (y, line) in screen.lines().enumerate() {
        // The backend's text is the row between quotes; cells are one character wide here.
        let line = line.trim_start_matches('"');
        if let Some(i) = line.find(needle) {
            let x = line[..i].chars().count();
            return (x as u16, y as u16);
        }
    }
    panic!("{needle:?} is not on the screen:\n{screen}");
}

#[test]
fn board_shows_one_row_per_key_with_its_latest_values_and_which_way_they_moved() {
    let mut s = Screen::with_specs(&[spec("ticker", ticker_board(1000))], 100, 14);
    s.open(0, 0);
    quote(&mut s, "GLOBX", 42.10, 0.0, 100);
    quote(&mut s, "ACME", 118.84, 0.5, 200);
    quote(&mut s, "INITECH", 7.25, -0.1, 300);
    quote(&mut s, "ACME", 119.02, 0.68, 1500);
    quote(&mut s, "GLOBX", 41.90, -0.2, 1600);
    let b = s.draw(3000);
    let screen = text(&b);
    assert!(row_with(&screen, "ACME").contains("119.02▲"), "{screen}");
    assert!(row_with(&screen, "GLOBX").contains("41.9▼"), "{screen}");
    assert!(
        !screen.contains("118.84"),
        "only the latest value shows:\n{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn a_board_key_with_zero_width_characters_shows_them_escaped_not_as_a_lookalike() {
    let mut s = Screen::with_specs(&[spec("ticker", ticker_board(1000))], 100, 14);
    s.open(0, 0);
    quote(&mut s, "ACME", 10.0, 0.0, 100);
    quote(&mut s, "AC\u{200b}ME", 99.0, 0.0, 200);
    quote(&mut s, "\u{feff}ACME\u{2060}", 98.0, 0.0, 300);
    let screen = text(&s.draw(1000));
    assert!(
        row_with(&screen, "AC\\u{200b}ME").contains("99"),
        "{screen}"
    );
    assert!(
        row_with(&screen, "\\u{feff}ACME\\u{2060}").contains("98"),
        "{screen}"
    );
    for c in ['\u{200b}', '\u{feff}', '\u{2060}'] {
        assert!(
            !screen.contains(c),
            "U+{:04X} reached the screen:\n{screen}",
            c as u32
        );
    }
}

#[test]
fn a_rise_and_a_fall_are_in_the_themes_up_and_down_colours_and_a_change_flashes() {
    let mut s = Screen::with_specs(&[spec("ticker", ticker_board(1000))], 100, 14);
    s.open(0, 0);
    quote(&mut s, "ACME", 10.0, 0.0, 100);
    quote(&mut s, "ZED", 10.0, 0.0, 100);
    quote(&mut s, "ACME", 11.0, 1.0, 1000);
    quote(&mut s, "ZED", 9.0, -1.0, 1000);
    let theme = s.app.theme().clone();
    let b = s.draw(1500);
    let (x, y) = find(&b, "11▲");
    assert_eq!(style_at(&b, x + 2, y).fg, Some(theme.up));
    let flashed = style_at(&b, x, y);
    assert_eq!(flashed.bg, Some(theme.selection), "a changed cell flashes");
    assert!(flashed.add_modifier.contains(Modifier::BOLD));
    let (x, y) = find(&b, "9▼");
    assert_eq!(style_at(&b, x + 1, y).fg, Some(theme.down));
    // A second later the flash is over; the trend stays.
    let b = s.draw(2100);
    let (x, y) = find(&b, "11▲");
    assert_ne!(style_at(&b, x, y).bg, Some(theme.selection));
}

#[test]
fn high_contrast_flashes_a_change_with_reverse_video_not_colour_alone() {
    let mut s = Screen::with_specs(&[spec("ticker", ticker_board(1000))], 100, 14);
    s.app.theme = 2;
    assert_eq!(s.app.theme().name, "high-contrast");
    s.open(0, 0);
    quote(&mut s, "ACME", 10.0, 0.0, 100);
    quote(&mut s, "ACME", 11.0, 1.0, 1000);
    let b = s.draw(1500);
    let (x, y) = find(&b, "11▲");
    assert!(style_at(&b, x, y).add_modifier.contains(Modifier::REVERSED));
}

#[test]
fn keys_past_max_rows_are_counted_in_the_other_row() {
    let mut s = Screen::with_specs(&[spec("ticker", ticker_board(2))], 100, 12);
    s.open(0, 0);
    for (i, sym) in ["ACME", "GLOBX", "INITECH", "UMBR", "ACME"]
        .iter()
        .enumerate()
    {
        quote(&mut s, sym, 10.0 + i as f64, 0.0, 100 * i as u64);
    }
    let screen = text(&s.draw(2000));
    assert!(
        !screen.contains("INITECH") && !screen.contains("UMBR"),
        "{screen}"
    );
    assert!(row_with(&screen, "other").contains(" 2 "), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn a_board_without_columns_is_a_frequency_table_with_counts_rates_and_sparklines() {
    let exprs = FeedExprs {
        view: ViewSpec {
            kind: ViewKind::Board,
            key: Some(jq(".level")),
            sort: BoardSort::Count,
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    };
    let mut s = Screen::with_specs(&[spec("logs", exprs)], 110, 12);
    s.open(0, 0);
    for i in 0..30u64 {
        let level = match i % 6 {
            0 => "error",
            1 | 2 => "warn",
            _ => "info",
        };
        s.event(0, "log", &format!(r#"{{"level":"{level}"}}"#), "", i * 200);
    }
    let screen = text(&s.draw(6100));
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("info") || l.contains("warn") || l.contains("error"))
        .collect();
    assert!(
        rows[0].contains("info") && rows[0].contains(" 15 "),
        "{screen}"
    );
    assert!(
        rows[1].contains("warn") && rows[1].contains(" 10 "),
        "{screen}"
    );
    assert!(screen.contains('▁') || screen.contains('█'), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn list_with_columns_shows_time_type_and_the_aligned_values_instead_of_the_data() {
    let exprs = FeedExprs {
        error_when: Some(jq(".error != null")),
        view: ViewSpec {
            columns: vec![
                col("title", ".title", Align::Left),
                col("source", ".source", Align::Left),
                col("words", ".words", Align::Right),
            ],
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    };
    let mut s = Screen::with_specs(&[spec("news", exprs)], 100, 12);
    s.open(0, 0);
    s.event(
        0,
        "headline",
        r#"{"title":"Harbour city opens a floating library","source":"Pebbleford Post","words":812}"#,
        "1",
        1000,
    );
    s.event(
        0,
        "headline",
        r#"{"title":"Robotic beekeepers pass their first winter","source":"Wire","words":95}"#,
        "2",
        2000,
    );
    s.event(0, "headline", r#"{"error":"feed overloaded"}"#, "3", 3000);
    let screen = text(&s.draw(3500));
    assert!(!screen.contains(r#"{"title""#), "{screen}");
    let first = row_with(&screen, "Harbour");
    assert!(
        first.contains("Pebbleford Post") && first.contains("812"),
        "{screen}"
    );
    // The error row is marked, and counted in the badge.
    assert!(row_with(&screen, "12:00:03.000").contains('✖'), "{screen}");
    assert!(screen.contains("✖ 1 error"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn log_levels_status_codes_and_rules_are_highlighted_in_list_rows() {
    let exprs = FeedExprs {
        highlights: vec![HighlightRule {
            matcher: HighlightMatch::Regex(regex::Regex::new("api-[a-z]+").unwrap()),
            style: Style::default()
                .fg(Color::Magenta)
                .add_modifier(Modifier::UNDERLINED),
        }],
        ..FeedExprs::default()
    };
    let mut s = Screen::with_specs(&[spec("deploys", exprs)], 100, 12);
    s.open(0, 0);
    s.event(0, "log", "12:00:01 ERROR api-server HTTP/1.1 503", "", 1000);
    s.event(0, "log", "12:00:02 WARN cache miss", "", 2000);
    let theme = s.app.theme().clone();
    let b = s.draw(2500);
    let (x, y) = find(&b, "ERROR");
    assert_eq!(style_at(&b, x, y).fg, Some(theme.failed));
    let (x, y) = find(&b, "WARN");
    assert_eq!(style_at(&b, x, y).fg, Some(theme.waiting));
    let (x, y) = find(&b, "api-server");
    assert_eq!(style_at(&b, x, y).fg, Some(Color::Magenta));
    assert!(
        style_at(&b, x, y)
            .add_modifier
            .contains(Modifier::UNDERLINED)
    );
    let (x, y) = find(&b, " 503");
    assert_eq!(style_at(&b, x + 1, y).fg, Some(theme.failed));
    insta::assert_snapshot!(text(&b));
}

fn chat() -> FeedExprs {
    FeedExprs {
        error_when: Some(jq(r#".type == "error""#)),
        view: ViewSpec {
            kind: ViewKind::Transcript,
            text: Some(jq(".text")),
            finish: Some(jq(".finish")),
            prompt_tokens: Some(jq(".usage.in")),
            completion_tokens: Some(jq(".usage.out")),
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    }
}

#[test]
fn transcript_joins_chunks_into_wrapped_text_under_a_header_with_its_figures() {
    let mut s = Screen::with_specs(&[spec("assistant", chat())], 60, 14);
    s.state(0, ConnState::Connecting, 1, None, None, 0);
    s.state(0, ConnState::Open, 1, Some(200), None, 100);
    let words = "The harbour library floats on twelve pontoons and lends books by boat.";
    let mut ms = 400;
    for w in words.split_inclusive(' ') {
        s.event(0, "message", &format!(r#"{{"text":"{w}"}}"#), "", ms);
        ms += 50;
    }
    s.event(
        0,
        "message",
        r#"{"finish":"stop","usage":{"in":12,"out":13}}"#,
        "",
        ms,
    );
    let screen = text(&s.draw(ms + 100));
    assert!(screen.contains("first token 0.40 s"), "{screen}");
    assert!(screen.contains("12 chunks"), "{screen}");
    assert!(screen.contains("tokens 12 in, 13 out"), "{screen}");
    assert!(screen.contains("stop"), "{screen}");
    // Whole words on a line, wrapped at the pane's width.
    assert!(
        row_with(&screen, "The harbour").contains("floats"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn transcript_shows_an_error_event_and_a_failed_request_inline_in_red() {
    let mut s = Screen::with_specs(&[spec("assistant", chat())], 70, 14);
    s.state(0, ConnState::Connecting, 1, None, None, 0);
    s.state(0, ConnState::Open, 1, Some(200), None, 100);
    s.event(0, "message", r#"{"text":"Partial answer"}"#, "", 300);
    s.event(
        0,
        "message",
        r#"{"type":"error","error":{"message":"Overloaded"}}"#,
        "",
        400,
    );
    s.state(0, ConnState::Connecting, 2, None, None, 2000);
    s.state(
        0,
        ConnState::Failed,
        2,
        Some(401),
        Some("HTTP 401 Unauthorized: Incorrect API key provided"),
        2100,
    );
    let theme = s.app.theme().clone();
    let b = s.draw(2500);
    let (x, y) = find(&b, "error: Overloaded");
    assert_eq!(style_at(&b, x, y).fg, Some(theme.failed));
    let (x, y) = find(&b, "HTTP 401 Unauthorized");
    assert_eq!(style_at(&b, x, y).fg, Some(theme.failed));
    insta::assert_snapshot!(text(&b));
}

#[test]
fn v_switches_a_board_to_its_raw_list_and_back() {
    let mut s = Screen::with_specs(&[spec("ticker", ticker_board(1000))], 100, 12);
    s.open(0, 0);
    quote(&mut s, "ACME", 10.0, 0.0, 100);
    let board = text(&s.draw(200));
    assert!(board.contains("price"), "{board}");
    assert!(board.lines().last().unwrap().contains("v view"), "{board}");
    s.key(KeyCode::Char('v'), 300);
    let list = text(&s.draw(400));
    // The list shows each event, with the board's columns.
    assert!(row_with(&list, "12:00:00.100").contains("quote"), "{list}");
    assert!(!list.contains("updated"), "{list}");
    s.key(KeyCode::Char('v'), 500);
    assert!(text(&s.draw(600)).contains("updated"));
}

#[test]
fn the_list_of_a_keyed_board_shows_each_events_key_before_its_columns() {
    let mut s = Screen::with_specs(&[spec("ticker", ticker_board(1000))], 100, 12);
    s.open(0, 0);
    quote(&mut s, "ACME", 118.84, 0.5, 100);
    quote(&mut s, "GLOBX", 42.1, -0.2, 200);
    s.event(
        0,
        "halt",
        r#"{"symbol":"ACME","reason":"volatility"}"#,
        "",
        300,
    );
    s.key(KeyCode::Char('v'), 400);
    let list = text(&s.draw(500));
    let header = row_with(&list, "price");
    assert!(header.contains("key"), "{list}");
    assert!(
        header.find("key").unwrap() < header.find("price").unwrap(),
        "{list}"
    );
    assert!(row_with(&list, "12:00:00.200").contains("GLOBX"), "{list}");
    assert!(row_with(&list, "12:00:00.300").contains("ACME"), "{list}");
    insta::assert_snapshot!(list);
}
