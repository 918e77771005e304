use super::*;
use serde_json::json;

fn eval(src: &str, data: &str) -> Result<Option<serde_json::Value>, String> {
    Expr::compile(src).unwrap().first(&Input::from_data(data))
}

#[test]
fn expr_is_send_sync_and_cheap_to_clone() {
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<Expr>();
    send_sync::<Input>();
}

/// (expression, data, first output) — jq semantics through jaq.
const CASES: &[(&str, &str, Option<&str>)] = &[
    (".price", r#"{"price":12.5}"#, Some("12.5")),
    (".a.b", r#"{"a":{"b":"x"}}"#, Some(r#""x""#)),
    (".missing", r#"{"a":1}"#, Some("null")),
    (".[1]", "[1,2,3]", Some("2")),
    (".items | length", r#"{"items":[1,2]}"#, Some("2")),
    (". == \"[DONE]\"", "[DONE]", Some("true")),
    (". == \"[DONE]\"", r#"{"x":1}"#, Some("false")),
    ("select(.n > 2) | .n", r#"{"n":1}"#, None),
    ("empty", "{}", None),
    (".[]", "[7,8]", Some("7")),
    ("objects | .a", "[DONE]", None),
    (".price * 2", r#"{"price":3}"#, Some("6")),
    ("\"\\(.a)-\\(.b)\"", r#"{"a":1,"b":"z"}"#, Some(r#""1-z""#)),
    (".a // \"none\"", "{}", Some(r#""none""#)),
    ("test(\"ERR\")", "ERROR: disk", Some("true")),
    (".msg | ascii_upcase", r#"{"msg":"hi"}"#, Some(r#""HI""#)),
    ("type", "42", Some(r#""number""#)),
    ("type", "not json {", Some(r#""string""#)),
    ("type", "", Some(r#""string""#)),
    ("{a: .x}", r#"{"x":1}"#, Some(r#"{"a":1}"#)),
];

#[test]
fn table_of_jq_cases_gives_jq_first_outputs() {
    for (src, data, want) in CASES {
        let got = eval(src, data).unwrap_or_else(|e| panic!("{src} on {data}: {e}"));
        let want: Option<serde_json::Value> = want.map(|w| serde_json::from_str(w).unwrap());
        assert_eq!(got, want, "{src} on {data}");
    }
}

/// (expression, the compile error contains)
const COMPILE_ERRORS: &[(&str, &str)] = &[
    (".price |", "jq: expected"),
    ("nosuchfn", "undefined filter nosuchfn/0"),
    (".a | foo(1)", "undefined filter foo/1"),
    ("$x", "undefined variable"),
    ("(.a", "expected"),
    ("\"unterminated", "jq: expected"),
];

#[test]
fn compile_errors_are_jq_messages_on_one_line() {
    for (src, want) in COMPILE_ERRORS {
        let Err(err) = Expr::compile(src) else {
            panic!("{src} compiled")
        };
        assert!(err.contains(want), "{src}: {err}");
        assert!(!err.contains('\n'), "{src}: {err}");
    }
}

#[test]
fn compile_error_says_the_column() {
    let err = Expr::compile(".a | nosuch").unwrap_err();
    assert!(err.contains("at column 6"), "{err}");
}

/// (expression, data, runtime error contains)
const RUNTIME_ERRORS: &[(&str, &str, &str)] = &[
    (".price", "[DONE]", "cannot index"),
    (".a + 1", r#"{"a":"x"}"#, "cannot"),
    ("error(\"boom\")", "{}", "boom"),
    ("error({a: 1})", "{}", "{\"a\":1}"),
    ("halt", "{}", "halt(0) is not allowed"),
    ("\"x\" | halt_error", "{}", "halt"),
];

#[test]
fn runtime_errors_are_values_not_panics_or_exits() {
    for (src, data, want) in RUNTIME_ERRORS {
        let err = eval(src, data).expect_err(src);
        assert!(err.contains(want), "{src} on {data}: {err}");
    }
}

#[test]
fn truthy_follows_jq_false_null_and_no_output_are_false() {
    let t = |src: &str, data: &str| Expr::compile(src).unwrap().truthy(&Input::from_data(data));
    assert_eq!(t(".ok", r#"{"ok":0}"#), Ok(true));
    assert_eq!(t(".ok", r#"{"ok":""}"#), Ok(true));
    assert_eq!(t(".ok", r#"{"ok":false}"#), Ok(false));
    assert_eq!(t(".ok", r#"{}"#), Ok(false));
    assert_eq!(t("empty", r#"{}"#), Ok(false));
    assert!(t(".ok", "[DONE]").is_err());
}

#[test]
fn cell_text_unquotes_strings_only() {
    assert_eq!(cell_text(&json!("AAPL")), "AAPL");
    assert_eq!(cell_text(&json!(1.5)), "1.5");
    assert_eq!(cell_text(&json!(null)), "null");
    assert_eq!(cell_text(&json!({"a":[1,"b"]})), r#"{"a":[1,"b"]}"#);
}

#[test]
fn source_is_kept_and_equality_compares_it() {
    let a = Expr::compile(".a").unwrap();
    assert_eq!(a.source(), ".a");
    assert_eq!(a, Expr::compile(".a").unwrap());
    assert_ne!(a, Expr::compile(".b").unwrap());
}

#[test]
fn non_json_data_is_the_raw_string() {
    let input = Input::from_data("hello world");
    assert!(!input.is_json());
    assert_eq!(
        Expr::compile(".").unwrap().first(&input),
        Ok(Some(json!("hello world")))
    );
    assert!(Input::from_data(r#"{"a":1}"#).is_json());
}

#[test]
fn big_and_decimal_numbers_survive() {
    assert_eq!(
        eval(".n", r#"{"n":12345678901234567890}"#).unwrap(),
        Some(serde_json::from_str("12345678901234567890").unwrap())
    );
    assert_eq!(eval(".n", r#"{"n":0.1}"#).unwrap(), Some(json!(0.1)));
}

#[test]
fn error_with_a_string_says_the_string_unquoted() {
    assert_eq!(eval("error(\"boom\")", "{}"), Err("boom".to_owned()));
}

#[test]
fn deeply_nested_data_is_a_string_not_a_stack_overflow() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let input = Input::from_data(&deep);
    assert!(!input.is_json());
    assert_eq!(
        Expr::compile("length").unwrap().first(&input),
        Ok(Some(json!(200_000)))
    );
}
