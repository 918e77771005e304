//! Errors: every problem of a file, each at its line and column, saying what to write.

use super::*;

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
    assert_eq!(msg.lines().count(), 1, "reported once: {msg}");
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
fn a_missing_file_suggests_init_with_that_very_path() {
    let e = load(Path::new("/nonexistent/my feeds.toml")).unwrap_err();
    assert!(
        e.to_string()
            .contains("`ssedash init '/nonexistent/my feeds.toml'` writes a starter config there"),
        "{e}"
    );
}

#[test]
fn an_empty_feed_list_is_the_same_error_as_a_file_without_feeds() {
    let msg = err("feed = []\n");
    assert!(
        msg.starts_with("no [[feed]] in feeds.toml: add one, e.g."),
        "{msg}"
    );
}

#[test]
fn no_proxy_entries_that_are_not_hosts_addresses_or_ranges_and_a_proxy_with_a_variable_are_errors()
{
    for bad in ["bad host!!", "10.0.0.0/33"] {
        let msg = err(&format!("{FEED}no_proxy = [\"localhost\", \"{bad}\"]\n"));
        assert_error(
            &msg,
            4,
            &[&format!(
                "`no_proxy` \"{bad}\" is not a host name, IP address or CIDR range"
            )],
        );
    }
    let msg = err(&format!("{FEED}proxy = \"http://${{PROXY_HOST}}:3128\"\n"));
    assert_error(
        &msg,
        4,
        &["`proxy` \"http://${PROXY_HOST}:3128\": `${VAR}` is not expanded in `proxy`"],
    );
}
