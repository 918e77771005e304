//! The config loader as users meet it: files that load, and errors that say where and what to do.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use ssedash::config::*;
use ssedash::feed::reconnect::{Policy, When};
use ssedash::feed::{FeedSpec, Tls};
use url::Url;

/// Environment variables and the working directory are process-wide: tests touching them
/// take this lock.
static ENV_LOCK: Mutex<()> = Mutex::new(());

fn ok(text: &str) -> Config {
    parse(text, Path::new("feeds.toml")).unwrap_or_else(|e| panic!("should load:\n{e}"))
}

fn err(text: &str) -> String {
    match parse(text, Path::new("feeds.toml")) {
        Ok(config) => panic!("should fail, got {config:#?}"),
        Err(e) => e.to_string(),
    }
}

/// Asserts the message starts at `feeds.toml:LINE:` and contains every part.
#[track_caller]
fn assert_error(message: &str, line: usize, parts: &[&str]) {
    let at = format!("feeds.toml:{line}:");
    assert!(message.starts_with(&at), "expected {at} in:\n{message}");
    for part in parts {
        assert!(message.contains(part), "expected {part:?} in:\n{message}");
    }
}

const FEED: &str = "[[feed]]\nname = \"ticker\"\nurl = \"http://127.0.0.1:7878/ticker\"\n";

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

#[test]
fn the_full_example_sets_every_key() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config");
    let path = dir.join("full.toml");
    let config = load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.path, path);
    assert_eq!(config.theme.as_deref(), Some("dark"));
    let ca = Some(dir.join("dev-ca.pem"));
    let inherited = Policy {
        when: When::OnError,
        initial: Duration::from_secs(2),
        max: Duration::from_secs(90),
        factor: 1.5,
        jitter: 0.1,
        ..Policy::default()
    };
    let ticker = FeedSpec {
        method: "POST".into(),
        body: Some(br#"{"prompt":"hi"}"#.to_vec()),
        headers: vec![
            ("Accept-Language".into(), "en".into()),
            ("Authorization".into(), "Bearer ${API_TOKEN}".into()),
            ("user-agent".into(), "mine".into()),
        ],
        last_event_id: Some("42".into()),
        events: vec!["quote".into(), "halt".into()],
        stop_on: vec!["close".into(), "done".into()],
        reconnect: Policy {
            when: When::Always,
            ..inherited.clone()
        },
        read_timeout: Duration::from_secs(30),
        max_event_bytes: 65536,
        buffer: 2000,
        tls: Tls {
            insecure: true,
            ca_file: ca.clone(),
        },
        ..FeedSpec::new("ticker", url("http://127.0.0.1:7878/ticker"))
    };
    let plain = FeedSpec {
        headers: vec![
            ("User-Agent".into(), "ssedash".into()),
            ("Accept-Language".into(), "en".into()),
        ],
        events: vec!["quote".into()],
        stop_on: vec!["close".into()],
        reconnect: inherited,
        read_timeout: Duration::from_secs(60),
        max_event_bytes: 1 << 20,
        buffer: 5000,
        tls: Tls {
            insecure: false,
            ca_file: ca,
        },
        ..FeedSpec::new("plain", url("https://example.com/events"))
    };
    assert_eq!(config.feeds, vec![ticker, plain]);
}

#[test]
fn a_minimal_feed_gets_every_default() {
    let config = ok(FEED);
    assert_eq!(config.theme, None);
    assert_eq!(
        config.feeds,
        vec![FeedSpec::new("ticker", url("http://127.0.0.1:7878/ticker"))]
    );
}

#[test]
fn top_level_defaults_apply_unless_the_feed_sets_its_own() {
    let config = ok(&format!(
        "buffer = 10\nread_timeout = \"5s\"\nevents = [\"a\"]\n{FEED}\n\
         [[feed]]\nname = \"own\"\nurl = \"http://h/\"\nbuffer = 20\nevents = []\nread_timeout = \"500ms\"\n"
    ));
    let [inherits, own] = &config.feeds[..] else {
        panic!("two feeds")
    };
    assert_eq!(
        (inherits.buffer, inherits.read_timeout, &inherits.events[..]),
        (10, Duration::from_secs(5), &["a".to_string()][..])
    );
    assert_eq!(
        (own.buffer, own.read_timeout, own.events.len()),
        (20, Duration::from_millis(500), 0)
    );
}

#[test]
fn feeds_that_are_not_get_never_reconnect_unless_they_say_so() {
    let config = ok(r#"
[reconnect]
when = "on-error"
[[feed]]
name = "get"
url = "http://h/a"
[[feed]]
name = "post"
url = "http://h/b"
method = "POST"
[[feed]]
name = "post-again"
url = "http://h/c"
method = "POST"
reconnect = { when = "always" }
"#);
    let when: Vec<When> = config.feeds.iter().map(|f| f.reconnect.when).collect();
    assert_eq!(when, [When::OnError, When::Never, When::Always]);
}

#[test]
fn unknown_keys_are_errors_with_a_suggestion_and_the_key_list() {
    let msg = err(&format!("{FEED}reconect = {{ when = \"never\" }}\n"));
    assert_error(
        &msg,
        4,
        &[
            "feeds.toml:4:1: feed \"ticker\": unknown key `reconect`; did you mean `reconnect`?",
            "(keys of a feed: name, url, method",
        ],
    );
    let msg = err(&format!("thme = \"dark\"\n{FEED}"));
    assert_error(
        &msg,
        1,
        &["unknown key `thme`; did you mean `theme`?", "top level"],
    );
    let msg = err(&format!("colour = \"red\"\n{FEED}"));
    assert_error(
        &msg,
        1,
        &["unknown key `colour` (keys of the top level: theme,"],
    );
    assert!(!msg.contains("did you mean"), "{msg}");
    let msg = err(&format!("{FEED}[feed.reconnect]\nwhn = \"never\"\n"));
    assert_error(
        &msg,
        5,
        &["feed \"ticker\"", "`whn`", "did you mean `when`?"],
    );
}

#[test]
fn keys_below_a_table_header_are_pointed_back_up() {
    let msg = err(&format!(
        "[reconnect]\nwhen = \"always\"\nbuffer = 5\n{FEED}"
    ));
    assert_error(
        &msg,
        3,
        &[
            "`buffer` is not a key of [reconnect]",
            "move `buffer` above [reconnect]",
        ],
    );
    let msg = err(&format!("{FEED}theme = \"dark\"\n"));
    assert_error(&msg, 4, &["`theme` is set once, at the top level"]);
    let msg = err("url = \"http://h/\"\n");
    assert_error(&msg, 1, &["`url` is set per feed", "[[feed]]"]);
}

#[test]
fn durations_need_a_unit() {
    let msg = err(&format!("{FEED}read_timeout = 3\n"));
    assert_error(
        &msg,
        4,
        &[
            "feeds.toml:4:16:",
            "feed \"ticker\"",
            "`read_timeout`",
            "write \"3s\" or \"3000ms\"",
        ],
    );
    let msg = err(&format!("[reconnect]\ninitial = 0.5\n{FEED}"));
    assert_error(&msg, 2, &["`reconnect.initial`", "\"500ms\""]);
    let msg = err(&format!("{FEED}read_timeout = \"3 parsecs\"\n"));
    assert_error(
        &msg,
        4,
        &["`read_timeout` = \"3 parsecs\" is not a duration", "\"3s\""],
    );
    let msg = err(&format!("{FEED}read_timeout = \"0s\"\n"));
    assert_error(&msg, 4, &["must be more than 0"]);
}

#[test]
fn sizes_are_bytes_or_strings_with_a_unit() {
    assert_eq!(
        ok(&format!("max_event_bytes = \"64KiB\"\n{FEED}")).feeds[0].max_event_bytes,
        65536
    );
    assert_eq!(
        ok(&format!("max_event_bytes = \"2MB\"\n{FEED}")).feeds[0].max_event_bytes,
        2_000_000
    );
    let msg = err(&format!("{FEED}max_event_bytes = \"12 parsecs\"\n"));
    assert_error(
        &msg,
        4,
        &["feed \"ticker\"", "`max_event_bytes`", "\"64KiB\""],
    );
    let msg = err(&format!("{FEED}max_event_bytes = 10\n"));
    assert_error(
        &msg,
        4,
        &["`max_event_bytes` is 10 bytes", "1KiB to 256MiB"],
    );
    let msg = err(&format!("{FEED}max_event_bytes = true\n"));
    assert_error(
        &msg,
        4,
        &["`max_event_bytes` must be integer bytes", "found a boolean"],
    );
}

#[test]
fn wrong_types_and_ranges_say_what_to_write() {
    let msg = err(&format!("{FEED}buffer = \"2000\"\n"));
    assert_error(
        &msg,
        4,
        &[
            "feeds.toml:4:10: feed \"ticker\": `buffer` must be a whole number of events, e.g. buffer = 2000",
        ],
    );
    let msg = err(&format!("{FEED}buffer = 0\n"));
    assert_error(&msg, 4, &["`buffer` = 0 is out of range"]);
    let msg = err(&format!("{FEED}events = \"quote\"\n"));
    assert_error(
        &msg,
        4,
        &[
            "`events` must be a list of event types",
            "events = [\"quote\"",
        ],
    );
    let msg = err(&format!("[reconnect]\njitter = 1.5\n{FEED}"));
    assert_error(
        &msg,
        2,
        &["`reconnect.jitter` = 1.5 is out of range", "0 to 1"],
    );
    let msg = err(&format!("[reconnect]\nfactor = 0.5\n{FEED}"));
    assert_error(&msg, 2, &["`reconnect.factor`", "1 to 10"]);
    let msg = err(&format!("{FEED}[feed.reconnect]\nwhen = \"on_error\"\n"));
    assert_error(&msg, 5, &["feed \"ticker\"", "did you mean \"on-error\"?"]);
    let msg = err(&format!("{FEED}method = \"PO ST\"\n"));
    assert_error(&msg, 4, &["`method` \"PO ST\" is not an HTTP method"]);
}

#[test]
fn bad_urls_say_what_a_url_looks_like() {
    let msg = err("[[feed]]\nname = \"news\"\nurl = \"htp//x\"\n");
    assert_error(
        &msg,
        3,
        &[
            "feeds.toml:3:7: feed \"news\": url \"htp//x\": relative URL without a base; \
           write a full URL such as \"https://host/stream\"",
        ],
    );
    let msg = err("[[feed]]\nname = \"news\"\nurl = \"ftp://host/x\"\n");
    assert_error(
        &msg,
        3,
        &["`ftp` URLs are not supported, only http and https"],
    );
    let msg = err("[[feed]]\nname = \"news\"\nurl = \"localhost:7878/x\"\n");
    assert_error(&msg, 3, &["write e.g. \"http://localhost:7878/x\""]);
}

#[test]
fn feed_names_are_required_and_unique() {
    let msg = err(&format!(
        "{FEED}\n[[feed]]\nname = \"ticker\"\nurl = \"http://h/\"\n"
    ));
    assert_error(
        &msg,
        6,
        &["feed name \"ticker\" is already used on line 2", "unique"],
    );
    let msg = err(&format!("{FEED}\n[[feed]]\nurl = \"http://h/\"\n"));
    assert_error(
        &msg,
        5,
        &["[[feed]] #2: `name` is missing", "name = \"ticker\""],
    );
    let msg = err("[[feed]]\nname = \"news\"\n");
    assert_error(
        &msg,
        1,
        &["feed \"news\": `url` is missing", "https://host/stream"],
    );
}

#[test]
fn a_file_without_feeds_shows_one() {
    let msg = err("buffer = 10\n");
    assert!(
        msg.starts_with("no [[feed]] in feeds.toml: add one, e.g."),
        "{msg}"
    );
    assert!(
        msg.contains("url = \"http://127.0.0.1:7878/ticker\""),
        "{msg}"
    );
    let msg = err("[feed]\nname = \"x\"\nurl = \"http://h/\"\n");
    assert_error(&msg, 1, &["write `[[feed]]` (two brackets)"]);
}

#[test]
fn toml_syntax_errors_keep_the_position() {
    let msg = err("[[feed]]\nname = \"ticker\nurl = \"http://h/\"\n");
    assert_error(&msg, 2, &["TOML syntax: "]);
    let msg = err(&format!("{FEED}buffer = 1\nbuffer = 2\n"));
    assert_error(
        &msg,
        5,
        &["feeds.toml:5:1: TOML syntax: duplicate key `buffer`"],
    );
}

#[test]
fn body_and_body_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("prompts")).unwrap();
    std::fs::write(dir.path().join("prompts/hi.json"), b"{\"prompt\":\"hi\"}").unwrap();
    let path = dir.path().join("feeds.toml");
    let text = format!("{FEED}method = \"POST\"\nbody_file = \"prompts/hi.json\"\n");
    let config = parse(&text, &path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.feeds[0].body.as_deref(),
        Some(&b"{\"prompt\":\"hi\"}"[..])
    );

    let text = format!("{FEED}body_file = \"prompts/nope.json\"\n");
    let msg = parse(&text, &path).unwrap_err().to_string();
    let at = format!("{}:4:13:", path.display());
    assert!(msg.starts_with(&at), "{msg}");
    assert!(
        msg.contains("`body_file` \"prompts/nope.json\": cannot read"),
        "{msg}"
    );
    assert!(
        msg.contains("relative to the config file's folder"),
        "{msg}"
    );

    let msg = err(&format!("{FEED}body = \"x\"\nbody_file = \"y.json\"\n"));
    assert_error(
        &msg,
        5,
        &["`body` and `body_file` are both set (`body` on line 4); keep one"],
    );
}

#[test]
fn a_missing_ca_file_is_an_error() {
    let msg = err(&format!("[tls]\nca_file = \"certs/nope.pem\"\n{FEED}"));
    assert_error(
        &msg,
        2,
        &[
            "`tls.ca_file` \"certs/nope.pem\"",
            "does not exist",
            "relative to the config file's folder",
        ],
    );
}

#[test]
fn headers_are_checked_at_load() {
    let msg = err(&format!(
        "{FEED}headers = {{ Authorization = \"Bearer ${{API_TOKEN\" }}\n"
    ));
    assert_error(
        &msg,
        4,
        &[
            "feed \"ticker\"",
            "header \"Authorization\"",
            "`${` without a closing `}`",
            "${API_TOKEN}",
        ],
    );
    let msg = err(&format!("{FEED}headers = {{ \"Bad Name\" = \"x\" }}\n"));
    assert_error(&msg, 4, &["\"Bad Name\" is not a header name"]);
    let msg = err(&format!("{FEED}headers = {{ \"X-A\" = 1 }}\n"));
    assert_error(&msg, 4, &["header \"X-A\" must be a string"]);
    // An unset variable is not a load error: only that feed fails, when it connects.
    ok(&format!(
        "{FEED}headers = {{ X-Key = \"${{SSEDASH_TEST_SURELY_UNSET_VAR}}\" }}\n"
    ));
}

#[test]
fn missing_env_names_the_feed_header_and_variable() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let config = ok(&format!(
        "{FEED}headers = {{ Authorization = \"Bearer ${{SSEDASH_TEST_SURELY_UNSET_VAR}}\", X-Path = \"${{PATH}}\" }}\n\
         [[feed]]\nname = \"fine\"\nurl = \"http://h/\"\nheaders = {{ X-Path = \"${{PATH}}\" }}\n"
    ));
    let problems = missing_env(&config);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    for part in [
        "feed \"ticker\"",
        "header \"Authorization\"",
        "`SSEDASH_TEST_SURELY_UNSET_VAR`",
        "not set",
    ] {
        assert!(problems[0].contains(part), "{part:?} in {}", problems[0]);
    }
}

#[test]
fn describe_shows_templates_and_masks_secrets() {
    let config = ok(r#"
theme = "dark"
[[feed]]
name = "llm"
url = "https://me:hunter2@api.example.com/v1/stream?model=x&api_key=sk-live-123"
method = "POST"
body = '{"prompt":"hi"}'
headers = { Authorization = "Bearer sk-literal-secret", X-Api-Key = "k-literal-999", Cookie = "${COOKIE}", User-Agent = "ssedash/1", X-Token = "Bearer ${TOKEN}" }
events = ["delta"]
stop_on = ["done"]
"#);
    let text = describe(&config);
    for secret in [
        "hunter2",
        "sk-live-123",
        "sk-literal-secret",
        "k-literal-999",
    ] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    for shown in [
        "feeds.toml: 1 feed, theme \"dark\"",
        "llm",
        "POST https://me:••••@api.example.com/v1/stream?model=x&api_key=••••",
        "(body: 15 bytes)",
        "Authorization: Bearer ••••",
        "X-Api-Key:     ••••",
        "Cookie:        ${COOKIE}",
        "X-Token:       Bearer ${TOKEN}",
        "User-Agent:    ssedash/1",
        "events        delta",
        "stop on       done",
        "reconnect     never",
        "read timeout  1 min",
        "buffer        5000 events",
        "max event     1MiB",
        "tls           system roots",
    ] {
        assert!(text.contains(shown), "{shown:?} missing:\n{text}");
    }
}

#[test]
fn find_prefers_the_flag_then_the_variable_then_local_then_user_dir() {
    let _env = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("named.toml");
    let from_env = dir.path().join("from-env.toml");
    let old_cwd = std::env::current_dir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let saved: Vec<(&str, Option<std::ffi::OsString>)> = ["SSEDASH_CONFIG", "XDG_CONFIG_HOME"]
        .into_iter()
        .map(|k| (k, std::env::var_os(k)))
        .collect();
    // SAFETY: every test that reads or writes the environment holds ENV_LOCK.
    unsafe { std::env::set_var("SSEDASH_CONFIG", &from_env) };
    // Missing paths are still returned, so the error names them.
    assert_eq!(find(Some(&named)), Some(named.clone()));
    assert_eq!(find(None), Some(from_env));

    unsafe { std::env::remove_var("SSEDASH_CONFIG") };
    std::env::set_current_dir(&work).unwrap();
    let outcome = std::panic::catch_unwind(|| {
        if cfg!(target_os = "linux") {
            let xdg = dir.path().join("xdg");
            unsafe { std::env::set_var("XDG_CONFIG_HOME", &xdg) };
            assert_eq!(user_config_dir(), Some(xdg.join("ssedash")));
            assert_eq!(find(None), None);
            let user = write_starter(&xdg.join("ssedash")).unwrap();
            assert_eq!(find(None), Some(user));
        }
        std::fs::write(work.join("feeds.toml"), FEED).unwrap();
        assert_eq!(find(None), Some(PathBuf::from("feeds.toml")));
    });
    std::env::set_current_dir(old_cwd).unwrap();
    for (key, value) in saved {
        match value {
            Some(v) => unsafe { std::env::set_var(key, v) },
            None => unsafe { std::env::remove_var(key) },
        }
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn the_starter_parses_and_so_does_every_key_it_shows() {
    let config = ok(starter_config());
    assert_eq!(
        config.feeds,
        vec![FeedSpec::new("ticker", url("http://127.0.0.1:7878/ticker"))]
    );
    // Uncommenting every `# key = ...` line must give a valid file too.
    let uncommented: String = starter_config()
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest)
                if rest.starts_with('[')
                    || rest.split_once(" = ").is_some_and(|(k, _)| {
                        k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    }) =>
            {
                rest
            }
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("certs")).unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/config/dev-ca.pem"
        ),
        dir.path().join("certs/dev-ca.pem"),
    )
    .unwrap();
    let config = parse(&uncommented, &dir.path().join("feeds.toml"))
        .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
    let feed = &config.feeds[0];
    assert_eq!(
        (feed.method.as_str(), feed.buffer, feed.tls.insecure),
        ("POST", 2000, true)
    );
    assert_eq!(feed.reconnect.when, When::OnError);
}

#[test]
fn write_starter_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("nested/ssedash");
    let path = write_starter(&target).unwrap();
    assert_eq!(path, target.join("feeds.toml"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), starter_config());
    std::fs::write(&path, "# mine\n").unwrap();
    let e = write_starter(&target).unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
}

#[test]
fn a_missing_file_is_named() {
    let e = load(Path::new("/nonexistent/ssedash/feeds.toml")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/ssedash/feeds.toml: cannot read"),
        "{e}"
    );
    assert!(e.to_string().contains("ssedash init"), "{e}");
}

#[test]
fn a_ca_file_that_is_not_a_certificate_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("junk.pem"), "not a certificate\n").unwrap();
    let text = "[[feed]]\nname = \"a\"\nurl = \"https://127.0.0.1:1/\"\n[feed.tls]\nca_file = \"junk.pem\"\n";
    let err = parse(text, &dir.path().join("feeds.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("feeds.toml:5:"), "{err}");
    assert!(
        err.contains("ca_file") && err.contains("BEGIN CERTIFICATE"),
        "{err}"
    );
}

#[test]
fn reconnect_cap_is_another_name_for_max() {
    let text =
        "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\n[feed.reconnect]\ncap = \"10s\"\n";
    let config = parse(text, std::path::Path::new("feeds.toml")).unwrap();
    assert_eq!(
        config.feeds[0].reconnect.max,
        std::time::Duration::from_secs(10)
    );
}

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
        feeds: vec![feed],
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
fn every_semantic_problem_of_a_file_is_listed_with_file_line_and_column() {
    let e = parse(
        "bufer = 1\n\
         [[feed]]\nname = \"a\"\nurl = \"ftp://h/\"\nbuffer = 0\n\
         [[feed]]\nname = \"b\"\nurl = \"http://h/\"\nread_timeout = 3\n\
         [feed.reconnect]\nwhen = \"sometimes\"\njitter = 2.0\n\
         [[feed]]\nname = \"a\"\nurl = \"http://h/\"\n\
         [[feed]]\nname = \"c\"\n",
        Path::new("feeds.toml"),
    )
    .unwrap_err();
    let found: Vec<(usize, &str)> = e
        .messages()
        .into_iter()
        .map(|m| {
            let line = m.split(':').nth(1).unwrap().parse().unwrap();
            (line, m)
        })
        .collect();
    let lines: Vec<usize> = found.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [1, 4, 5, 9, 11, 12, 14, 16], "{e}");
    for (part, (_, message)) in [
        "unknown key `bufer`",
        "feed \"a\": url \"ftp://h/\"",
        "feed \"a\": `buffer` = 0 is out of range",
        "feed \"b\": `read_timeout` needs a unit",
        "feed \"b\": `reconnect.when` = \"sometimes\"",
        "feed \"b\": `reconnect.jitter` = 2 is out of range",
        "feed name \"a\" is already used on line 3",
        "feed \"c\": `url` is missing",
    ]
    .iter()
    .zip(&found)
    {
        assert!(message.contains(part), "{part:?} not in {message:?}");
        let column = message.split(':').nth(2).unwrap();
        assert!(column.parse::<usize>().is_ok(), "no column in {message:?}");
    }
    // Display: one problem a line, in file order.
    assert_eq!(e.to_string().lines().count(), 8, "{e}");
}

#[test]
fn more_than_twenty_problems_show_twenty_and_count_the_rest() {
    let bad: String = (1..=25).map(|i| format!("bad{i} = 1\n")).collect();
    let e = parse(&format!("{bad}{FEED}"), Path::new("feeds.toml")).unwrap_err();
    assert_eq!(e.messages().len(), 25);
    let shown = e.to_string();
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), MAX_LISTED + 1, "{shown}");
    assert!(
        lines[0].starts_with("feeds.toml:1:1: unknown key `bad1`"),
        "{shown}"
    );
    assert!(
        lines[19].starts_with("feeds.toml:20:1: unknown key `bad20`"),
        "{shown}"
    );
    assert_eq!(lines[20], "and 5 more");
}

#[test]
fn an_initial_delay_above_the_cap_is_rejected_at_the_key_that_set_it() {
    let msg = err(&format!(
        "[reconnect]\ninitial = \"10s\"\nmax = \"1s\"\n{FEED}[[feed]]\nname = \"b\"\nurl = \"http://h/\"\n"
    ));
    assert_error(
        &msg,
        2,
        &[
            "`reconnect.initial` = \"10s\" is longer than `reconnect.max` = \"1s\" (line 3)",
            "write initial = \"1s\" or less, or raise max",
        ],
    );
    // Reported once, at the top level, not again for each feed that inherits both.
    assert_eq!(msg.lines().count(), 1, "{msg}");
    let msg = err(&format!("{FEED}reconnect = {{ initial = \"2m\" }}\n"));
    assert_error(
        &msg,
        4,
        &[
            "feed \"ticker\": `reconnect.initial` = \"2m\"",
            "`reconnect.max` = \"60s\" (the default)",
        ],
    );
    let msg = err(&format!(
        "[reconnect]\ninitial = \"5s\"\n{FEED}[feed.reconnect]\nmax = \"2s\"\n"
    ));
    assert_error(
        &msg,
        7,
        &[
            "feed \"ticker\": `reconnect.max` = \"2s\" is shorter than `reconnect.initial` = \"5s\" (line 2)",
            "write max = \"5s\" or more",
        ],
    );
    // Equal is fine, and so is a feed that fixes what the top level set.
    ok(&format!(
        "[reconnect]\ninitial = \"2s\"\nmax = \"2s\"\n{FEED}"
    ));
    ok(&format!(
        "[reconnect]\nmax = \"1s\"\n{FEED}[feed.reconnect]\ninitial = \"1s\"\n"
    ));
}

#[test]
fn describe_prints_the_waits_the_reconnect_machine_really_uses() {
    let reconnect = |extra: &str| {
        let text = describe(&ok(&format!("{extra}\n{FEED}")));
        text.lines()
            .find_map(|l| l.trim().strip_prefix("reconnect"))
            .unwrap_or_else(|| panic!("no reconnect row:\n{text}"))
            .trim()
            .to_string()
    };
    assert_eq!(
        reconnect("[reconnect]\ninitial = \"0s\""),
        "always: waits 500 ms after a clean end (initial 0 ms raised to the floor); \
         failures back off ×2 from 100 ms up to 1 min, jitter 30 %"
    );
    assert_eq!(
        reconnect("[reconnect]\ninitial = \"20s\"\nmax = \"90s\"\nfactor = 1.5\njitter = 0.0"),
        "always: waits 20 s after a clean end; failures back off ×1.5 from 20 s up to 1 min 30 s, \
         no jitter"
    );
    assert_eq!(
        reconnect("[reconnect]\nwhen = \"on-error\"\nfactor = 1.0"),
        "on errors only: a clean end closes the feed; failures wait 3.0 s, jitter 30 %"
    );
    assert_eq!(reconnect("[reconnect]\nwhen = \"never\""), "never");
}

#[test]
fn the_theme_keeps_its_line_and_column() {
    let config = ok(&format!("# mine\ntheme = \"neon\"\n{FEED}"));
    assert_eq!(config.theme.as_deref(), Some("neon"));
    assert_eq!(config.theme_at, Some((2, 9)));
    assert_eq!(config.theme_location().as_deref(), Some("feeds.toml:2:9"));
}

#[test]
fn a_missing_file_suggests_init_with_that_very_path() {
    let e = load(Path::new("/nonexistent/my feeds.toml")).unwrap_err();
    assert!(
        e.to_string()
            .contains("`ssedash init '/nonexistent/my feeds.toml'` writes a starter config there"),
        "{e}"
    );
}

#[test]
fn write_starter_to_creates_folders_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/work.toml");
    write_starter_to(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), starter_config());
    std::fs::write(&path, "# mine\n").unwrap();
    let e = write_starter_to(&path).unwrap_err().to_string();
    assert!(e.contains("already exists"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
}
