use super::*;
use crate::sse::Event;

fn ev(event_type: &str, data: &str) -> Event {
    Event::new(event_type, data, "")
}

fn e(src: &str) -> Expr {
    Expr::compile(src).unwrap()
}

#[test]
fn empty_exprs_derive_nothing() {
    let exprs = FeedExprs::default();
    assert!(exprs.is_empty());
    assert_eq!(
        exprs.derive(&ev("message", r#"{"a":1}"#)),
        Derived::default()
    );
}

#[test]
fn regex_highlights_alone_keep_exprs_empty_but_jq_ones_do_not() {
    let mut exprs = FeedExprs::default();
    exprs.highlights.push(HighlightRule {
        matcher: HighlightMatch::Regex(regex::Regex::new("ERROR").unwrap()),
        style: ratatui::style::Style::default(),
    });
    assert!(exprs.is_empty());
    exprs.highlights.push(HighlightRule {
        matcher: HighlightMatch::Jq(e(".level == \"error\"")),
        style: ratatui::style::Style::default(),
    });
    assert!(!exprs.is_empty());
    let d = exprs.derive(&ev("log", r#"{"level":"error"}"#));
    assert_eq!(d.highlight, Some(1));
}

#[test]
fn board_key_and_columns_come_from_one_event() {
    let exprs = FeedExprs {
        view: ViewSpec {
            kind: ViewKind::Board,
            key: Some(e(".symbol")),
            columns: vec![Column::of(e(".price")), Column::of(e(".change"))],
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    };
    let d = exprs.derive(&ev(
        "quote",
        r#"{"symbol":"ACME","price":101.5,"change":-0.25}"#,
    ));
    assert_eq!(d.key.as_deref(), Some("ACME"));
    assert_eq!(d.cells[0].text.as_deref(), Some("101.5"));
    assert_eq!(d.cells[0].number, Some(101.5));
    assert_eq!(d.cells[1].number, Some(-0.25));
    assert!(d.errors.is_empty());
}

#[test]
fn runtime_error_is_an_empty_cell_with_its_message() {
    let exprs = FeedExprs {
        view: ViewSpec {
            columns: vec![Column::of(e(".price"))],
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    };
    let d = exprs.derive(&ev("message", "[1,2]"));
    assert_eq!(d.cells, vec![Cell::default()]);
    assert_eq!(d.errors.len(), 1);
    assert!(
        d.errors[0].starts_with("column price: cannot index"),
        "{:?}",
        d.errors
    );
}

#[test]
fn type_from_applies_only_to_events_without_an_event_line() {
    let exprs = FeedExprs {
        type_from: Some(e(".kind")),
        ..FeedExprs::default()
    };
    let d = exprs.derive(&ev("message", r#"{"kind":"trade"}"#));
    assert_eq!(d.event_type.as_deref(), Some("trade"));
    let d = exprs.derive(&ev("quote", r#"{"kind":"trade"}"#));
    assert_eq!(d.event_type, None);
    // No output, null or "" leave the type alone.
    let d = exprs.derive(&ev("message", r#"{"other":1}"#));
    assert_eq!(d.event_type, None);
}

#[test]
fn stop_when_and_error_when_are_flags() {
    let exprs = FeedExprs {
        stop_when: Some(e(r#". == "[DONE]""#)),
        error_when: Some(e(r#"type == "object" and .error != null"#)),
        ..FeedExprs::default()
    };
    let d = exprs.derive(&ev("message", "[DONE]"));
    assert!(d.stop && !d.is_error);
    let d = exprs.derive(&ev("message", r#"{"error":{"message":"quota"}}"#));
    assert!(!d.stop && d.is_error);
}

#[test]
fn transcript_text_joins_outputs_and_falls_back_to_thinking() {
    let exprs = FeedExprs {
        view: ViewSpec {
            kind: ViewKind::Transcript,
            text: Some(e(".parts[] | select(.thought != true) | .text")),
            thinking: Some(e(".parts[] | select(.thought == true) | .text")),
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    };
    let d = exprs.derive(&ev(
        "message",
        r#"{"parts":[{"text":"Hel"},{"text":"lo"}]}"#,
    ));
    assert_eq!((d.text.as_deref(), d.thinking), (Some("Hello"), false));
    let d = exprs.derive(&ev(
        "message",
        r#"{"parts":[{"text":"hmm","thought":true}]}"#,
    ));
    assert_eq!((d.text.as_deref(), d.thinking), (Some("hmm"), true));
}

#[test]
fn default_titles_are_the_last_path_name() {
    assert_eq!(default_title(".price"), "price");
    assert_eq!(default_title(".quote.last_price"), "last_price");
    assert_eq!(default_title(".a | length"), ".a | length");
    assert_eq!(default_title("."), ".");
}

#[test]
fn column_arg_takes_an_optional_title() {
    let c = Column::parse_arg("vol:.volume").unwrap();
    assert_eq!((c.title.as_str(), c.expr.source()), ("vol", ".volume"));
    let c = Column::parse_arg(".volume").unwrap();
    assert_eq!((c.title.as_str(), c.expr.source()), ("volume", ".volume"));
    let c = Column::parse_arg(r#"if .a then "x:y" else 1 end"#).unwrap();
    assert_eq!(c.title, r#"if .a then "x:y" else 1 end"#);
    assert!(Column::parse_arg("p:.price |").is_err());
}

#[test]
fn sort_names_a_column_by_title() {
    let cols = vec![Column::of(e(".price"))];
    assert_eq!(BoardSort::parse("price", &cols), Some(BoardSort::Column(0)));
    assert_eq!(BoardSort::parse("count", &cols), Some(BoardSort::Count));
    assert_eq!(BoardSort::parse("volume", &cols), None);
}

#[test]
fn every_preset_compiles() {
    for name in PRESETS {
        let exprs = preset(name).unwrap();
        assert_eq!(exprs.view.kind, ViewKind::Transcript);
        assert_eq!(exprs.preset.as_deref(), Some(*name));
    }
    assert!(preset("openai").unwrap_err().contains("openai-chat"));
}

#[test]
fn long_values_are_cut_on_a_character() {
    let exprs = FeedExprs {
        view: ViewSpec {
            key: Some(e(".k")),
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    };
    let long = "é".repeat(MAX_CELL_BYTES);
    let d = exprs.derive(&ev("m", &format!(r#"{{"k":"{long}"}}"#)));
    assert_eq!(d.key.unwrap().len(), MAX_CELL_BYTES);
}
