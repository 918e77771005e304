//! The binary's commands as a user meets them: `check`, `init`, `tail --demo`, `--theme`.

mod support;

use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(30);

fn repo_file(name: &str) -> String {
    format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn check_prints_the_example_config() {
    let run = ssedash(&["check", "--config", &repo_file("feeds.toml")], LIMIT).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for name in ["ticker", "news", "deploys", "hello"] {
        assert!(run.stdout.contains(name), "{}", run.stdout);
    }
    assert!(run.stdout.contains("OK"));
}

#[tokio::test]
async fn check_names_file_line_and_key_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(
        &path,
        "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\nbufer = 10\n",
    )
    .unwrap();
    let run = ssedash(&["check", "--config", path.to_str().unwrap()], LIMIT).await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("feeds.toml:4:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("`bufer`") && run.stderr.contains("`buffer`"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn check_reports_unset_variables_without_printing_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(
        &path,
        "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\n\
         headers = { Authorization = \"Bearer ${SSEDASH_UNSET_FOR_TEST}\", X-Api-Key = \"hunter2\" }\n",
    )
    .unwrap();
    let run = ssedash(&["check", "--config", path.to_str().unwrap()], LIMIT).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("SSEDASH_UNSET_FOR_TEST"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"));
}

#[tokio::test]
async fn init_writes_a_starter_once() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_str().unwrap();
    let env = [("HOME", h), ("XDG_CONFIG_HOME", h)];
    // With a path: a bare `init` would write ./feeds.toml in the shared temp dir.
    let written = home.path().join("ssedash/feeds.toml");
    let target = written.to_string_lossy().into_owned();
    let run = ssedash_with(&["init", &target], &env, LIMIT).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(written.is_file(), "{}", run.stdout);
    // The starter is a valid config as written.
    let check = ssedash_with(
        &["check", "--config", &written.to_string_lossy()],
        &env,
        LIMIT,
    )
    .await;
    assert_eq!(check.code, Some(0), "{}", check.stderr);
    std::fs::write(&written, "# mine\n").unwrap();
    let again = ssedash_with(&["init", &target], &env, LIMIT).await;
    assert_eq!(again.code, Some(2));
    assert!(again.stderr.contains("exists"), "{}", again.stderr);
    assert_eq!(
        std::fs::read_to_string(&written).unwrap(),
        "# mine\n",
        "never overwritten"
    );
}

#[tokio::test]
async fn init_with_a_missing_folder_ending_in_a_slash_makes_it_and_writes_feeds_toml_there() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_str().unwrap();
    let env = [("HOME", h), ("XDG_CONFIG_HOME", h)];
    let target = format!("{}/", home.path().join("y").to_string_lossy());
    let run = ssedash_with(&["init", &target], &env, LIMIT).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(home.path().join("y/feeds.toml").is_file(), "{}", run.stdout);
}

#[tokio::test]
async fn tail_demo_prints_the_demo_feeds() {
    let run = ssedash(
        &[
            "tail", "--demo", "--feed", "ticker", "--format", "ndjson", "--count", "3",
        ],
        LIMIT,
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let events = run.events();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e["feed"] == "ticker"));
    assert!(
        events
            .iter()
            .all(|e| e["id"].as_str().is_some_and(|id| !id.is_empty()))
    );
    let run = ssedash(&["tail", "--demo", "--feed", "nope"], LIMIT).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("ticker"),
        "lists the feeds there are: {}",
        run.stderr
    );
}

#[tokio::test]
async fn unknown_theme_is_an_error_listing_the_themes() {
    let run = ssedash(&["--demo", "--theme", "nope"], LIMIT).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("dark, light, high-contrast"),
        "{}",
        run.stderr
    );
}

#[test]
fn demo_feed_list_points_at_the_server() {
    let base = url::Url::parse("http://127.0.0.1:7878/").unwrap();
    let feeds = ssedash::cli::demo_feeds(&base);
    let names: Vec<_> = feeds.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["ticker", "news", "deploys", "hello", "assistant"]);
    for f in &feeds {
        assert_eq!(f.url.as_str(), format!("http://127.0.0.1:7878/{}", f.name));
    }
    assert_eq!(feeds[3].stop_on, ["close"]);
    assert!(feeds[..3].iter().all(|f| f.stop_on.is_empty()));
}

/// The help heading an option is listed under: the nearest unindented line above it.
fn heading_of<'a>(help: &'a str, option: &str) -> &'a str {
    let lines: Vec<&str> = help.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with(option) || l.contains(&format!(", {option}")))
        .unwrap_or_else(|| panic!("{option} is not in:\n{help}"));
    lines[..at]
        .iter()
        .rev()
        .find(|l| !l.is_empty() && !l.starts_with(' '))
        .copied()
        .unwrap_or("")
}

#[tokio::test]
async fn log_file_is_listed_under_options_not_the_views_heading_in_every_commands_help() {
    for command in [
        &["--help"][..],
        &["demo", "--help"],
        &["replay", "--help"],
        &["serve", "--help"],
        &["check", "--help"],
        &["tail", "--help"],
    ] {
        let run = ssedash(command, LIMIT).await;
        assert_eq!(run.code, Some(0), "{command:?}: {}", run.stderr);
        assert_eq!(
            heading_of(&run.stdout, "--log-file"),
            "Options:",
            "{command:?}:\n{}",
            run.stdout
        );
    }
    // The view options keep their own heading.
    let run = ssedash(&["tail", "--help"], LIMIT).await;
    assert!(
        heading_of(&run.stdout, "--column").starts_with("Views (jq expressions"),
        "{}",
        run.stdout
    );
}
