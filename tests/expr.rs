//! jq through the public API as the views use it, and the cost of a derive per event.
//!
//! The cost is measured by an ignored test (speed is not asserted in tests):
//! `cargo test --release --test expr -- --ignored --nocapture derive_cost`

use std::time::Instant;

use ssedash::expr::{Expr, Input};
use ssedash::sse::Event;
use ssedash::view::{Column, FeedExprs, ViewKind, ViewSpec};

fn ticker_exprs() -> FeedExprs {
    let e = |s: &str| Expr::compile(s).unwrap();
    FeedExprs {
        view: ViewSpec {
            kind: ViewKind::Board,
            key: Some(e(".symbol")),
            columns: vec![
                Column::of(e(".price")),
                Column::of(e(".change")),
                Column::of(e(".volume")),
            ],
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    }
}

fn quote(i: u64) -> Event {
    let data = format!(
        r#"{{"symbol":"SYM{}","price":{}.25,"change":-0.{},"volume":{},"exchange":"XNAS","currency":"USD"}}"#,
        i % 8,
        100 + i % 50,
        i % 9 + 1,
        1000 + i
    );
    Event::new("quote", data, i.to_string())
}

#[test]
fn a_board_derive_reads_key_and_three_columns_from_one_quote() {
    let d = ticker_exprs().derive(&quote(3));
    assert_eq!(d.key.as_deref(), Some("SYM3"));
    let cells: Vec<_> = d.cells.iter().map(|c| c.text.as_deref().unwrap()).collect();
    assert_eq!(cells, ["103.25", "-0.4", "1003"]);
    assert_eq!(d.cells[1].number, Some(-0.4));
}

#[test]
fn an_expression_is_shared_across_threads() {
    let expr = Expr::compile(".n * 2").unwrap();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let expr = expr.clone();
            std::thread::spawn(move || {
                expr.first(&Input::from_data(&format!(r#"{{"n":{i}}}"#)))
                    .unwrap()
                    .unwrap()
            })
        })
        .collect();
    let out: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(out, [0, 2, 4, 6].map(serde_json::Value::from));
}

/// Prints the cost of parsing a quote and running a key and three columns on it.
#[test]
#[ignore]
fn derive_cost_per_event_of_a_key_and_three_columns() {
    let exprs = ticker_exprs();
    let events: Vec<Event> = (0..10_000).map(quote).collect();
    let mut sink = 0usize;
    for e in &events {
        sink += exprs.derive(e).cells.len();
    }
    let rounds = 20;
    let start = Instant::now();
    for _ in 0..rounds {
        for e in &events {
            sink += exprs.derive(e).cells.len();
        }
    }
    let per = start.elapsed().as_nanos() as f64 / (rounds * events.len()) as f64;
    let parse_start = Instant::now();
    for _ in 0..rounds {
        for e in &events {
            sink += usize::from(Input::from_data(&e.data).is_json());
        }
    }
    let parse = parse_start.elapsed().as_nanos() as f64 / (rounds * events.len()) as f64;
    println!(
        "derive (parse + key + 3 columns): {per:.0} ns/event ({:.0} events/s on one core); \
         of which parse: {parse:.0} ns [{sink}]",
        1e9 / per
    );
}
