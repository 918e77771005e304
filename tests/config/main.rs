//! The config loader as users meet it: files that load, and errors that say where and what to do.
//! Loading and merging are here; errors, escaping and `check`'s description in the modules.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use ssedash::config::*;
use ssedash::feed::reconnect::{Policy, When};
use ssedash::feed::{FeedSpec, Tls};
use url::Url;

mod describe;
mod errors;
mod escaping;
mod views;

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
    let mut config = ok(starter_config());
    // The starter's feed is a board (tests/config/views.rs); everything else is default.
    assert!(!config.feeds[0].exprs.is_empty());
    config.feeds[0].exprs = Default::default();
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
fn reconnect_cap_is_another_name_for_max() {
    let text =
        "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\n[feed.reconnect]\ncap = \"10s\"\n";
    let config = parse(text, std::path::Path::new("feeds.toml")).unwrap();
    assert_eq!(
        config.feeds[0].reconnect.max,
        std::time::Duration::from_secs(10)
    );
}

#[test]
fn the_theme_keeps_its_line_and_column() {
    let config = ok(&format!("# mine\ntheme = \"neon\"\n{FEED}"));
    assert_eq!(config.theme.as_deref(), Some("neon"));
    assert_eq!(config.theme_at, Some((2, 9)));
    assert_eq!(config.theme_location().as_deref(), Some("feeds.toml:2:9"));
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
