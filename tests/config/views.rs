//! The view keys: presets, jq expressions compiled at load, `[feed.view]`, highlights.

use ratatui::style::{Color, Modifier, Style};
use ssedash::view::{Align, BoardSort, HighlightMatch, ViewKind};

use super::{FEED, assert_error, err, ok};

#[test]
fn a_board_view_loads_with_string_and_table_columns() {
    let config = ok(&format!(
        "{FEED}type_from = '.type'\nerror_when = '.error != null'\n\
         [feed.view]\nkind = \"board\"\nkey = \".symbol\"\n\
         columns = [\".price\", {{ title = \"vol\", expr = \".volume\", align = \"right\" }}]\n\
         sort = \"vol\"\nmax_rows = 50\n"
    ));
    let exprs = &config.feeds[0].exprs;
    assert_eq!(exprs.type_from.as_ref().unwrap().source(), ".type");
    assert_eq!(
        exprs.error_when.as_ref().unwrap().source(),
        ".error != null"
    );
    let view = &exprs.view;
    assert_eq!(view.kind, ViewKind::Board);
    assert_eq!(view.key.as_ref().unwrap().source(), ".symbol");
    let titles: Vec<_> = view.columns.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["price", "vol"]);
    assert_eq!(view.columns[1].align, Align::Right);
    assert_eq!(view.sort, BoardSort::Column(1));
    assert_eq!(view.max_rows, 50);
}

#[test]
fn a_feed_without_view_keys_has_empty_exprs() {
    assert!(ok(FEED).feeds[0].exprs.is_empty());
}

#[test]
fn a_preset_fills_what_the_feed_leaves_unset() {
    let config = ok(&format!(
        "{FEED}preset = \"openai-chat\"\nerror_when = '.oops'\n"
    ));
    let exprs = &config.feeds[0].exprs;
    assert_eq!(exprs.preset.as_deref(), Some("openai-chat"));
    assert_eq!(exprs.view.kind, ViewKind::Transcript);
    assert_eq!(
        exprs.stop_when.as_ref().unwrap().source(),
        ". == \"[DONE]\""
    );
    assert_eq!(exprs.error_when.as_ref().unwrap().source(), ".oops");
    // The feed's own view kind wins over the preset's transcript.
    let config = ok(&format!(
        "{FEED}preset = \"anthropic\"\n[feed.view]\nkind = \"list\"\n"
    ));
    assert_eq!(config.feeds[0].exprs.view.kind, ViewKind::List);
    assert!(config.feeds[0].exprs.view.text.is_some());
}

#[test]
fn feed_highlights_come_before_top_level_ones() {
    let config = ok(&format!(
        "[[highlight]]\nmatch = \"ERROR|FATAL\"\nstyle = \"red bold\"\n\n{FEED}\
         [[feed.highlight]]\njq = '.level == \"warn\"'\nstyle = \"yellow\"\n"
    ));
    let rules = &config.feeds[0].exprs.highlights;
    assert_eq!(rules.len(), 2);
    assert!(
        matches!(&rules[0].matcher, HighlightMatch::Jq(e) if e.source() == ".level == \"warn\"")
    );
    assert!(matches!(&rules[1].matcher, HighlightMatch::Regex(r) if r.as_str() == "ERROR|FATAL"));
    assert_eq!(
        rules[1].style,
        Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
    );
}

#[test]
fn a_jq_compile_error_names_file_line_key_and_jq_message() {
    let message = err(&format!("{FEED}stop_when = '. == '\n"));
    assert_error(
        &message,
        4,
        &[
            "feed \"ticker\"",
            "`stop_when` = '. == ' does not compile: jq: expected term",
        ],
    );
    let message = err(&format!("{FEED}[feed.view]\nkey = \"nosuch\"\n"));
    assert_error(&message, 5, &["`view.key`", "undefined filter nosuch/0"]);
    let message = err(&format!(
        "{FEED}[feed.view]\ncolumns = [\".a\", {{ expr = \".b |\" }}]\n"
    ));
    assert_error(
        &message,
        5,
        &["`view.columns.expr` = '.b |' does not compile"],
    );
}

#[test]
fn a_column_table_whose_expr_does_not_compile_reports_only_the_compile_error() {
    let message = err(&format!(
        "{FEED}[feed.view]\ncolumns = [\".price\", {{ title = \"vol\", expr = \".volume |\" }}]\n"
    ));
    assert_error(
        &message,
        5,
        &["`view.columns.expr` = '.volume |' does not compile"],
    );
    assert!(!message.contains("needs `expr`"), "{message}");
}

#[test]
fn unknown_view_keys_are_rejected_with_a_suggestion() {
    let message = err(&format!("{FEED}[feed.view]\nkyes = \".a\"\n"));
    assert_error(
        &message,
        5,
        &[
            "unknown key `kyes`",
            "did you mean `key`?",
            "keys of [feed.view]",
        ],
    );
    let message = err(&format!(
        "{FEED}[feed.view]\nkind = \"board\"\nurl = \"http://x/\"\n"
    ));
    assert_error(&message, 6, &["`url` is not a key of [feed.view]"]);
    let message = err(&format!(
        "{FEED}[[feed.highlight]]\nmatch = \"x\"\nstyle = \"red\"\ncolour = \"red\"\n"
    ));
    assert_error(
        &message,
        7,
        &[
            "unknown key `colour`",
            "keys of [[feed.highlight]]: match, jq, style",
        ],
    );
    let message = err(&format!(
        "{FEED}[feed.view]\ncolumns = [{{ expr = \".a\", width = 3 }}]\n"
    ));
    assert_error(&message, 5, &["unknown key `width`"]);
}

#[test]
fn bad_view_values_say_what_to_write() {
    let message = err(&format!("{FEED}[feed.view]\nkind = \"table\"\n"));
    assert_error(
        &message,
        5,
        &["\"table\" is not a view; write one of list, board, transcript"],
    );
    let message = err(&format!(
        "{FEED}[feed.view]\ncolumns = [\".price\"]\nsort = \"volume\"\n"
    ));
    assert_error(
        &message,
        6,
        &[
            "`view.sort` = \"volume\"",
            "key, last, count, or a column's title: \"price\"",
        ],
    );
    let message = err(&format!("{FEED}preset = \"openai\"\n"));
    assert_error(
        &message,
        4,
        &[
            "unknown preset `openai`",
            "openai-chat, openai-responses, anthropic, gemini",
        ],
    );
    let message = err(&format!("{FEED}[feed.view]\nmax_rows = 0\n"));
    assert_error(&message, 5, &["`view.max_rows` = 0 is out of range"]);
}

#[test]
fn bad_highlights_name_their_line() {
    let message = err(
        "[[highlight]]\nmatch = \"(unclosed\"\nstyle = \"red\"\n[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\n",
    );
    assert_error(
        &message,
        2,
        &[
            "`highlight.match` = \"(unclosed\" is not a regex",
            "unclosed group",
        ],
    );
    assert_eq!(message.lines().count(), 1, "{message}");
    let message = err(&format!(
        "{FEED}[[feed.highlight]]\nmatch = \"x\"\nstyle = \"red blinking\"\n"
    ));
    assert_error(
        &message,
        6,
        &["`blinking` is neither a colour nor a modifier"],
    );
    let message = err(&format!("{FEED}[[feed.highlight]]\nstyle = \"red\"\n"));
    assert_error(&message, 4, &["needs `match` (a regex) or `jq`"]);
    let message = err(&format!(
        "{FEED}[[feed.highlight]]\nmatch = \"x\"\njq = \".a\"\nstyle = \"red\"\n"
    ));
    assert_error(&message, 6, &["either `match`", "not both"]);
}

#[test]
fn a_view_key_at_the_top_level_is_pointed_into_a_feed() {
    let message = err(&format!("preset = \"gemini\"\n{FEED}"));
    assert_error(&message, 1, &["`preset` is set per feed"]);
}

#[test]
fn check_describes_the_view_keys() {
    let config = ok(&format!(
        "{FEED}preset = \"openai-chat\"\n[[feed.highlight]]\nmatch = \"ERROR\"\nstyle = \"red\"\n\
         [[feed]]\nname = \"board\"\nurl = \"http://127.0.0.1:1/\"\n[feed.view]\nkind = \"board\"\n\
         key = \".symbol\"\ncolumns = [\".price\", \".a | length\"]\nsort = \"count\"\n"
    ));
    let text = ssedash::config::describe(&config);
    for line in [
        "  preset        openai-chat\n",
        "  stop when     . == \"[DONE]\"\n",
        "  view          transcript of objects | .choices[0]?.delta.content\n",
        "  highlights    1 rule\n",
        "  view          board by .symbol: price, .a | length; sort count; at most 1000 rows\n",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
}

#[test]
fn the_starter_feed_is_a_ticker_board_and_its_commented_view_keys_parse() {
    let config = ok(ssedash::config::starter_config());
    let view = &config.feeds[0].exprs.view;
    assert_eq!(view.kind, ViewKind::Board);
    assert_eq!(view.key.as_ref().unwrap().source(), ".symbol");
    assert_eq!(view.columns.len(), 3);
}

#[test]
fn the_repo_feeds_toml_has_the_views_of_the_built_in_demo() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml");
    let config = ssedash::config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let base = url::Url::parse("http://127.0.0.1:7878/").unwrap();
    let demo = ssedash::cli::demo_feeds(&base);
    let names = |feeds: &[ssedash::feed::FeedSpec]| -> Vec<String> {
        feeds.iter().map(|f| f.name.clone()).collect()
    };
    assert_eq!(names(&config.feeds), names(&demo));
    for (file, built_in) in config.feeds.iter().zip(&demo) {
        assert_eq!(file.exprs, built_in.exprs, "feed {}", file.name);
        assert_eq!(file.url, built_in.url);
        assert_eq!(file.method, built_in.method, "feed {}", file.name);
        assert_eq!(file.body, built_in.body, "feed {}", file.name);
        assert_eq!(
            file.reconnect.when, built_in.reconnect.when,
            "feed {}",
            file.name
        );
    }
    assert_eq!(demo[2].exprs.highlights.len(), 2);
    assert_eq!(demo[4].exprs.view.kind, ViewKind::Transcript);
}
