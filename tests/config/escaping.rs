//! Text from a config file never reaches a terminal raw.

use super::*;

/// The raw characters a hostile string uses to act on a terminal.
const RAW: [char; 3] = ['\u{1b}', '\u{7}', '\u{202e}'];
/// A feed name that would retitle (OSC 0), reorder (U+202E) and clear (CSI 2J) a terminal.
const HOSTILE: &str = "n\\u001b]0;PWN\\u0007\\u202e\\u001b[2J";
const ESCAPED: &str = "n\\x1b]0;PWN\\x07\\u{202e}\\x1b[2J";

#[track_caller]
fn assert_escaped(message: &str, line: usize) {
    assert!(!message.contains(RAW), "raw control in:\n{message:?}");
    assert!(
        message.contains(ESCAPED),
        "escaped form missing in:\n{message}"
    );
    assert!(
        message.contains(&format!("feeds.toml:{line}:")),
        "line {line} missing in:\n{message}"
    );
}

#[test]
fn names_event_types_ids_and_theme_with_controls_are_rejected_and_echoed_escaped() {
    let feed = |extra: &str| format!("{FEED}{extra}\n");
    for (text, line, key) in [
        (
            format!("[[feed]]\nname = \"{HOSTILE}\"\nurl = \"http://h/\"\n"),
            2,
            "`name`",
        ),
        (feed(&format!("events = [\"{HOSTILE}\"]")), 4, "`events`"),
        (
            feed(&format!("stop_on = [\"ok\", \"{HOSTILE}\"]")),
            4,
            "`stop_on`",
        ),
        (
            feed(&format!("last_event_id = \"{HOSTILE}\"")),
            4,
            "`last_event_id`",
        ),
        (format!("theme = \"{HOSTILE}\"\n{FEED}"), 1, "`theme`"),
        (format!("stop_on = [\"{HOSTILE}\"]\n{FEED}"), 1, "`stop_on`"),
    ] {
        let msg = err(&text);
        assert_escaped(&msg, line);
        assert!(msg.contains(key), "{key} missing in:\n{msg}");
        assert!(msg.contains("control or bidi character"), "{msg}");
    }
    // Tabs and line breaks are controls too; an id with a NUL was rejected before and still is.
    err(&format!("{FEED}events = [\"a\\tb\"]\n"));
    err(&format!("{FEED}last_event_id = \"4\\u0000\"\n"));
}

#[test]
fn method_url_when_keys_paths_and_headers_are_echoed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    for (extra, line) in [
        (format!("method = \"{HOSTILE}\""), 4),
        (format!("[feed.reconnect]\nwhen = \"{HOSTILE}\""), 5),
        (format!("\"{HOSTILE}\" = 1"), 4),
        (format!("[feed.tls]\n\"{HOSTILE}\" = 1"), 5),
        (format!("body_file = \"{HOSTILE}\""), 4),
        (format!("[feed.tls]\nca_file = \"{HOSTILE}\""), 5),
        (format!("headers = {{ \"{HOSTILE}\" = \"x\" }}"), 4),
        (format!("read_timeout = \"{HOSTILE}\""), 4),
        (format!("max_event_bytes = \"{HOSTILE}\""), 4),
    ] {
        let msg = parse(&format!("{FEED}{extra}\n"), &path)
            .unwrap_err()
            .to_string();
        assert_escaped(&msg, line);
    }
    let msg = err(&format!(
        "[[feed]]\nname = \"a\"\nurl = \"http://{HOSTILE}\"\n"
    ));
    assert!(!msg.contains(RAW), "{msg:?}");
    assert!(msg.contains("http://n\\x1b]0;PWN"), "{msg}");
    let msg = err(&format!("\"{HOSTILE}\" = 1\n{FEED}"));
    assert_escaped(&msg, 1);
}

#[test]
fn describe_escapes_every_piece_of_config_text() {
    let hostile = "n\u{1b}]0;PWN\u{7}\u{202e}\u{1b}[2J";
    let escaped = "n\\x1b]0;PWN\\x07\\u{202e}\\x1b[2J";
    let feed = FeedSpec {
        events: vec![hostile.into()],
        stop_on: vec![hostile.into()],
        last_event_id: Some(hostile.into()),
        headers: vec![("X-Note".into(), hostile.into())],
        ..FeedSpec::new(hostile, url("http://127.0.0.1:1/"))
    };
    let config = Config {
        path: PathBuf::from(format!("{hostile}.toml")),
        theme: Some(hostile.into()),
        theme_at: Some((1, 9)),
        mouse: None,
        feeds: vec![feed],
        alerts: vec![],
    };
    let text = describe(&config);
    assert!(!text.contains(RAW), "raw control in:\n{text:?}");
    for shown in [
        format!("{escaped}.toml: 1 feed, theme \"{escaped}\""),
        format!("\n{escaped}\n"),
        format!("events        {escaped}"),
        format!("stop on       {escaped}"),
        format!("last event id {escaped}"),
        format!("X-Note: {escaped}"),
    ] {
        assert!(text.contains(&shown), "{shown:?} missing:\n{text}");
    }
    assert_eq!(
        config.theme_location().as_deref(),
        Some(&*format!("{escaped}.toml:1:9"))
    );
}

#[test]
fn syntax_errors_around_raw_controls_print_no_raw_control() {
    let raw = "\u{1b}]0;PWN\u{7}\u{202e}";
    for text in [
        format!("# {raw}\n{FEED}"),
        format!("name{raw} = 1\n{FEED}"),
        format!("{FEED}events = [\"{raw}\"]\n"),
        format!("'{raw}' = 1\n'{raw}' = 2\n{FEED}"),
    ] {
        let msg = err(&text);
        assert!(!msg.contains(RAW), "raw control in:\n{msg:?}");
        assert!(msg.starts_with("feeds.toml:"), "{msg}");
    }
}
