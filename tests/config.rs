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
        "read timeout  1m",
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
