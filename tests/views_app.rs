//! The pane views at the level of `App::update`: what arriving events and keys do to a pane's
//! state (type counters from `type_from`, error counts, board sorting and filtering, `Enter`,
//! `v`, the `jq:` filter), without drawing.

#[path = "support/screen.rs"]
mod screen;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use screen::{Screen, text};
use ssedash::expr::Expr;
use ssedash::feed::FeedSpec;
use ssedash::sse::Event;
use ssedash::tui::app::{Action, Mode, Msg};
use ssedash::tui::board::Trend;
use ssedash::tui::pane::PaneView;
use ssedash::view::message::MessageStats;
use ssedash::view::{Align, BoardSort, Column, FeedExprs, ViewKind, ViewSpec};

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

fn board() -> FeedExprs {
    FeedExprs {
        view: ViewSpec {
            kind: ViewKind::Board,
            key: Some(jq(".symbol")),
            columns: vec![Column {
                title: "price".into(),
                expr: jq(".price"),
                align: Align::Right,
            }],
            sort: BoardSort::Key,
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    }
}

fn quote(s: &mut Screen, sym: &str, price: f64, ms: u64) {
    let data = format!(r#"{{"symbol":"{sym}","price":{price}}}"#);
    s.event(0, "quote", &data, &ms.to_string(), ms);
}

fn type_text(s: &mut Screen, text: &str, ms: u64) {
    for c in text.chars() {
        s.key(KeyCode::Char(c), ms);
    }
}

fn board_keys(s: &Screen) -> Vec<String> {
    let b = s.app.panes[0].board.as_ref().unwrap();
    b.order.iter().map(|&i| b.rows[i].key.clone()).collect()
}

#[test]
fn type_from_names_data_only_events_in_the_type_counters() {
    let exprs = FeedExprs {
        type_from: Some(jq(".type")),
        ..FeedExprs::default()
    };
    let mut s = Screen::with_specs(&[spec("llm", exprs)], 100, 20);
    s.open(0, 0);
    s.event(0, "message", r#"{"type":"delta","t":"a"}"#, "", 100);
    s.event(0, "message", r#"{"type":"delta","t":"b"}"#, "", 200);
    s.event(0, "message", r#"{"type":"done"}"#, "", 300);
    s.event(0, "status", r#"{"type":"ignored: has event:"}"#, "", 400);
    let counts = s.app.panes[0].type_counts();
    let counts: Vec<(&str, u64)> = counts.iter().map(|(t, n)| (&**t, *n)).collect();
    assert_eq!(counts, [("delta", 2), ("done", 1), ("status", 1)]);
    assert_eq!(s.app.panes[0].events.back().unwrap().event_type, "status");
}

#[test]
fn error_when_counts_the_events_it_matches() {
    let exprs = FeedExprs {
        error_when: Some(jq(r#".level == "error""#)),
        ..FeedExprs::default()
    };
    let mut s = Screen::with_specs(&[spec("logs", exprs)], 100, 20);
    s.open(0, 0);
    for (i, level) in ["info", "error", "warn", "error"].iter().enumerate() {
        s.event(
            0,
            "log",
            &format!(r#"{{"level":"{level}"}}"#),
            "",
            i as u64 * 10,
        );
    }
    let pane = &s.app.panes[0];
    assert_eq!(pane.errors, 2);
    let marked: Vec<bool> = pane
        .events
        .iter()
        .map(|e| pane.extras.as_ref().unwrap().get(e.seq).unwrap().is_error)
        .collect();
    assert_eq!(marked, [false, true, false, true]);
}

#[test]
fn a_feed_without_expressions_keeps_nothing_besides_its_events() {
    let mut s = Screen::new(&["plain"], 100, 20);
    s.open(0, 0);
    s.event(0, "m", r#"{"price":1}"#, "", 10);
    let pane = &s.app.panes[0];
    assert!(pane.extras.is_none() && pane.board.is_none() && pane.transcript.is_none());
    assert_eq!(pane.views, [PaneView::List]);
}

#[test]
fn extras_leave_with_the_events_the_ring_drops() {
    let mut spec = spec("ticker", board());
    spec.buffer = 3;
    let mut s = Screen::with_specs(&[spec], 100, 20);
    s.open(0, 0);
    for i in 0..10u32 {
        quote(&mut s, "ACME", f64::from(i), u64::from(i));
    }
    let pane = &s.app.panes[0];
    let extras = pane.extras.as_ref().unwrap();
    assert!(extras.get(6).is_none());
    assert_eq!(&*extras.get(9).unwrap().cells[1], "9");
    // The board keeps the latest value whatever the ring dropped.
    assert_eq!(pane.board.as_ref().unwrap().rows[0].count, 10);
}

#[test]
fn an_event_without_a_columns_value_keeps_the_previous_value_its_trend_and_no_flash() {
    let mut s = Screen::with_specs(&[spec("ticker", board())], 100, 20);
    s.open(0, 0);
    quote(&mut s, "ACME", 5.0, 100);
    quote(&mut s, "ACME", 6.5, 200);
    // Past the flash of the change to 6.5.
    s.event(
        0,
        "halt",
        r#"{"symbol":"ACME","reason":"volatility"}"#,
        "",
        5000,
    );
    s.event(0, "halt", r#"{"symbol":"ACME","price":null}"#, "", 5100);
    let b = s.app.panes[0].board.as_ref().unwrap();
    let row = &b.rows[0];
    assert_eq!(row.count, 4);
    let cell = &row.cells[0];
    assert_eq!(cell.text.as_deref(), Some("6.5"));
    assert_eq!(cell.trend, Trend::Up);
    // It last changed (and flashed) at 6.5, not at either halt.
    assert_eq!(cell.changed_at, Some(s.at(200)));
    let screen = text(&s.draw(5200));
    assert!(screen.contains("6.5"), "{screen}");
}

#[test]
fn s_cycles_the_board_sort_and_capital_s_reverses_it() {
    let mut s = Screen::with_specs(&[spec("ticker", board())], 100, 20);
    s.open(0, 0);
    quote(&mut s, "B", 5.0, 100);
    quote(&mut s, "A", 1.0, 200);
    quote(&mut s, "C", 9.0, 300);
    quote(&mut s, "A", 2.0, 400);
    assert_eq!(board_keys(&s), ["A", "B", "C"]);
    s.key(KeyCode::Char('s'), 500); // last update
    assert_eq!(board_keys(&s), ["A", "C", "B"]);
    s.key(KeyCode::Char('s'), 600); // count
    assert_eq!(board_keys(&s)[0], "A");
    s.key(KeyCode::Char('s'), 700); // price, high first
    assert_eq!(board_keys(&s), ["C", "B", "A"]);
    s.key(KeyCode::Char('S'), 800);
    assert_eq!(board_keys(&s), ["A", "B", "C"]);
    let screen = text(&s.draw(900));
    assert!(screen.contains("price▲"), "{screen}");
}

#[test]
fn the_sort_arrow_points_up_for_ascending_and_down_for_descending_and_capital_s_flips_it() {
    let mut s = Screen::with_specs(&[spec("ticker", board())], 100, 20);
    s.open(0, 0);
    quote(&mut s, "BRAVO", 5.0, 100);
    quote(&mut s, "ALPHA", 1.0, 200);
    let header = |s: &mut Screen, ms| {
        let screen = text(&s.draw(ms));
        screen_row_with_key(&screen)
    };
    // Keys A to Z; updates, counts and prices high (or new) first.
    let first = header(&mut s, 300);
    assert!(first.contains("key▲"), "{first}");
    s.key(KeyCode::Char('s'), 400);
    assert!(header(&mut s, 500).contains("updated▼"));
    s.key(KeyCode::Char('s'), 600);
    assert!(header(&mut s, 700).contains("count▼"));
    s.key(KeyCode::Char('s'), 800);
    assert_eq!(board_keys(&s), ["BRAVO", "ALPHA"]);
    assert!(header(&mut s, 900).contains("price▼"));
    s.key(KeyCode::Char('S'), 1000);
    assert_eq!(board_keys(&s), ["ALPHA", "BRAVO"]);
    assert!(header(&mut s, 1100).contains("price▲"));
    s.key(KeyCode::Char('s'), 1200);
    s.key(KeyCode::Char('S'), 1300);
    assert_eq!(board_keys(&s), ["BRAVO", "ALPHA"]);
    assert!(header(&mut s, 1400).contains("key▼"));
}

/// The board's header row (the one with the `rate` title).
fn screen_row_with_key(screen: &str) -> String {
    screen::row_with(screen, " rate ").to_string()
}

#[test]
fn slash_filters_the_board_rows_and_esc_brings_them_back() {
    let mut s = Screen::with_specs(&[spec("ticker", board())], 100, 20);
    s.open(0, 0);
    quote(&mut s, "ACME", 118.0, 100);
    quote(&mut s, "GLOBX", 42.0, 200);
    s.key(KeyCode::Char('/'), 300);
    type_text(&mut s, "glo", 300);
    assert_eq!(board_keys(&s), ["GLOBX"]);
    let screen = text(&s.draw(300));
    assert!(screen.contains(" 1 of 2"), "rows, not events:\n{screen}");
    s.key(KeyCode::Esc, 400);
    assert_eq!(board_keys(&s), ["ACME", "GLOBX"]);
    // A jq filter keeps the rows whose latest event passes it.
    s.key(KeyCode::Char('/'), 500);
    type_text(&mut s, "jq: .price > 100", 500);
    s.key(KeyCode::Enter, 500);
    assert_eq!(board_keys(&s), ["ACME"]);
    quote(&mut s, "GLOBX", 142.0, 600);
    s.key(KeyCode::Char('j'), 1700);
    assert_eq!(board_keys(&s), ["ACME", "GLOBX"]);
}

#[test]
fn enter_on_a_board_row_opens_its_keys_latest_event() {
    let mut s = Screen::with_specs(&[spec("ticker", board())], 100, 20);
    s.open(0, 0);
    quote(&mut s, "ACME", 1.0, 100);
    quote(&mut s, "GLOBX", 2.0, 200);
    quote(&mut s, "GLOBX", 3.0, 300);
    s.key(KeyCode::Char('j'), 400);
    s.key(KeyCode::Enter, 400);
    let Mode::Detail(view) = &s.app.mode else {
        panic!("no detail view: {:?}", s.app.mode);
    };
    assert_eq!(view.seq, 2);
    let screen = text(&s.draw(500));
    assert!(screen.contains("\"price\": 3"), "{screen}");
}

#[test]
fn a_jq_filter_shows_the_events_for_which_it_is_true_and_a_bad_one_says_why() {
    let mut s = Screen::new(&["ticker"], 100, 20);
    s.open(0, 0);
    for (i, p) in [150, 250, 300].iter().enumerate() {
        s.event(0, "quote", &format!(r#"{{"price":{p}}}"#), "", i as u64);
    }
    s.key(KeyCode::Char('/'), 10);
    type_text(&mut s, "jq: .price > 200", 10);
    assert_eq!(s.app.panes[0].visible.len(), 2);
    let screen = text(&s.draw(20));
    assert!(!screen.contains("match hidden"), "{screen}");
    type_text(&mut s, " and", 30);
    let screen = text(&s.draw(40));
    assert!(screen.contains("invalid jq ("), "{screen}");
    assert_eq!(s.app.panes[0].visible.len(), 3);
}

#[test]
fn v_cycles_a_board_pane_through_its_views_and_a_plain_pane_says_it_has_none() {
    let mut s = Screen::with_specs(
        &[
            spec("ticker", board()),
            FeedSpec::new("plain", "http://127.0.0.1:7878/p".parse().unwrap()),
        ],
        100,
        30,
    );
    assert_eq!(s.app.panes[0].view, PaneView::Board);
    s.key(KeyCode::Char('v'), 0);
    assert_eq!(s.app.panes[0].view, PaneView::List);
    s.key(KeyCode::Char('v'), 0);
    assert_eq!(s.app.panes[0].view, PaneView::Board);
    s.key(KeyCode::Tab, 0);
    s.key(KeyCode::Char('v'), 0);
    assert_eq!(s.app.panes[1].view, PaneView::List);
    assert!(s.app.notice.as_ref().unwrap().0.contains("no other view"));
}

#[test]
fn enter_on_a_transcript_message_shows_its_raw_events_in_the_list() {
    let exprs = FeedExprs {
        view: ViewSpec {
            kind: ViewKind::Transcript,
            text: Some(jq(".t")),
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    };
    let mut s = Screen::with_specs(&[spec("llm", exprs)], 100, 20);
    s.open(0, 0);
    s.event(0, "message", r#"{"t":"one"}"#, "", 100);
    s.open(0, 1000);
    s.event(0, "message", r#"{"t":"two"}"#, "", 1100);
    s.event(0, "message", r#"{"t":" more"}"#, "", 1200);
    let tr = s.app.panes[0].transcript.as_ref().unwrap();
    assert_eq!(tr.messages.len(), 2);
    s.key(KeyCode::Char('k'), 1300); // the first message
    s.key(KeyCode::Enter, 1300);
    let pane = &s.app.panes[0];
    assert_eq!(pane.view, PaneView::List);
    assert_eq!(pane.selected, Some(0));
}

#[test]
fn an_expression_that_fails_on_an_event_leaves_its_cell_empty_and_says_why_in_the_detail_view() {
    let exprs = FeedExprs {
        view: ViewSpec {
            columns: vec![Column {
                title: "inner".into(),
                expr: jq(".a.b"),
                align: Align::Left,
            }],
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    };
    let mut s = Screen::with_specs(&[spec("jobs", exprs)], 100, 20);
    s.open(0, 0);
    s.event(0, "job", r#"{"a":5}"#, "1", 100);
    s.key(KeyCode::Enter, 200);
    let Mode::Detail(_) = &s.app.mode else {
        panic!("no detail view: {:?}", s.app.mode);
    };
    let screen = text(&s.draw(300));
    assert!(screen.contains("expression errors"), "{screen}");
    assert!(screen.contains("cannot index"), "{screen}");
    // Enter on a board row opens the row's latest event, with its errors too.
    let mut exprs = board();
    exprs.view.columns[0].expr = jq(".price.cents");
    let mut b = Screen::with_specs(&[spec("ticker", exprs)], 100, 20);
    b.open(0, 0);
    b.event(
        0,
        "quote",
        r#"{"symbol":"ACME","price":{"cents":100}}"#,
        "1",
        100,
    );
    b.event(0, "quote", r#"{"symbol":"ACME","price":7}"#, "2", 200);
    b.key(KeyCode::Enter, 300);
    let Mode::Detail(view) = &b.app.mode else {
        panic!("no detail view: {:?}", b.app.mode);
    };
    assert_eq!(view.seq, 1);
    let screen = text(&b.draw(400));
    assert!(screen.contains("expression errors"), "{screen}");
    assert!(screen.contains("cannot index"), "{screen}");
}

#[test]
fn the_dashboard_and_tail_give_one_chunk_rate_from_the_first_to_the_last_text() {
    let exprs = FeedExprs {
        view: ViewSpec {
            kind: ViewKind::Transcript,
            text: Some(jq(".t")),
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    };
    // Three chunks a second apart in all, then a long wait for the closing usage event.
    let fixture = [
        (r#"{"t":"Hel"}"#, 100),
        (r#"{"t":"lo"}"#, 600),
        (r#"{"t":"!"}"#, 1100),
        (r#"{"usage":{"output_tokens":3}}"#, 4100),
    ];
    let mut s = Screen::with_specs(&[spec("llm", exprs.clone())], 100, 20);
    s.open(0, 0);
    let mut stats = MessageStats::new(screen::base_time());
    for (data, ms) in fixture {
        s.event(0, "message", data, "", ms);
        let event = Event::new("message", data, "");
        stats.add(
            &exprs.derive(&event),
            screen::base_time() + Duration::from_millis(ms),
        );
    }
    let transcript = s.app.panes[0].transcript.as_ref().unwrap();
    let dashboard = transcript.messages[0].chunks_per_second();
    assert_eq!(dashboard, Some(2.0));
    assert_eq!(stats.chunks_per_sec(), dashboard);
}

#[test]
fn on_the_terminal_too_small_screen_only_q_ctrl_c_and_help_act() {
    let mut s = Screen::with_specs(&[spec("ticker", board())], 30, 8);
    s.open(0, 0);
    quote(&mut s, "ACME", 1.0, 100);
    let screen = text(&s.draw(200));
    assert!(screen.contains("too small"), "{screen}");
    for c in ['v', '!', 's', 'o', 'c'] {
        s.key(KeyCode::Char(c), 300);
    }
    let pane = &s.app.panes[0];
    assert_eq!(pane.view, PaneView::Board, "v acted unseen");
    assert_eq!(pane.board.as_ref().unwrap().rows.len(), 1, "c acted unseen");
    assert!(matches!(s.app.mode, Mode::Normal), "{:?}", s.app.mode);
    s.key(KeyCode::Char('?'), 400);
    assert!(matches!(s.app.mode, Mode::Help { .. }), "{:?}", s.app.mode);
    let now = s.at(500);
    let mut quit = |code, mods| s.app.update(Msg::Key(KeyEvent::new(code, mods)), now);
    assert_eq!(
        quit(KeyCode::Char('q'), KeyModifiers::NONE),
        Some(Action::Quit)
    );
    assert_eq!(
        quit(KeyCode::Char('c'), KeyModifiers::CONTROL),
        Some(Action::Quit)
    );
}
