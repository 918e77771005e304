//! What `ssedash check` prints about each feed.

use super::*;

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
