//! How the dashboard loads its config file again (live reload): as at the start, with the
//! command line's `--feed` and options applied, so a reload runs what a restart would.

use std::path::PathBuf;

use crate::cli::FeedArgs;
use crate::config::diff::{FeedConfig, feed_tables};
use crate::config::{self, Config};
use crate::tui::reload::{Load, Loaded};

/// Loads `path` the way the dashboard started from it. `theme_flag`: `--theme` was given, so
/// the file's `theme` does not apply.
pub(super) fn config_loader(args: FeedArgs, path: PathBuf, theme_flag: bool) -> Load {
    Box::new(move || {
        let config = config::load(&path).map_err(|e| e.to_string())?;
        // The text again, for the tables compared key by key (a save in between is noticed
        // and loaded next).
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        loaded(&args, &config, &text, theme_flag)
    })
}

fn loaded(
    args: &FeedArgs,
    config: &Config,
    text: &str,
    theme_flag: bool,
) -> Result<Loaded, String> {
    let specs = args
        .select(config.feeds.clone())
        .and_then(|specs| {
            specs
                .into_iter()
                .map(|spec| args.apply(spec, false))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| format!("{}: {}", config::shown_path(&config.path), e.0))?;
    // A theme that does not exist is an error at its line, as at the start.
    let theme = match (&config.theme, theme_flag) {
        (Some(name), false) => {
            super::pick_theme(None, Some(config)).map_err(|e| e.0)?;
            Some(name.clone())
        }
        _ => None,
    };
    let mut tables = feed_tables(text);
    let feeds = specs
        .into_iter()
        .map(|spec| FeedConfig {
            text: tables.remove(&spec.name).unwrap_or_default(),
            spec,
        })
        .collect();
    Ok(Loaded {
        feeds,
        theme,
        mouse: config.mouse,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const FILE: &str = "theme = \"light\"\n\
        [[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/a\"\n\
        [[feed]]\nname = \"b\"\nurl = \"http://127.0.0.1:1/b\"\n";

    fn load(args: &FeedArgs, text: &str, theme_flag: bool) -> Result<Loaded, String> {
        let config = config::parse(text, Path::new("feeds.toml")).unwrap();
        loaded(args, &config, text, theme_flag)
    }

    #[test]
    fn a_reload_applies_the_command_lines_feed_choice_and_options_again() {
        let args = FeedArgs {
            feed: vec!["b".into()],
            header: vec!["X-Run: 1".into()],
            ..FeedArgs::default()
        };
        let got = load(&args, FILE, false).unwrap();
        let names: Vec<&str> = got.feeds.iter().map(|f| f.name()).collect();
        assert_eq!(names, ["b"]);
        let headers = &got.feeds[0].spec.headers;
        assert!(
            headers.contains(&("X-Run".into(), "1".into())),
            "{headers:?}"
        );
        assert!(
            got.feeds[0].text.contains("name = \"b\""),
            "{}",
            got.feeds[0].text
        );
        assert_eq!(got.theme.as_deref(), Some("light"));
        // `--theme` on the command line wins over the file's, at every reload.
        assert_eq!(load(&args, FILE, true).unwrap().theme, None);
    }

    #[test]
    fn a_feed_chosen_on_the_command_line_that_left_the_file_is_an_error_naming_the_file() {
        let args = FeedArgs {
            feed: vec!["c".into()],
            ..FeedArgs::default()
        };
        let error = load(&args, FILE, false).unwrap_err();
        assert!(error.starts_with("feeds.toml: --feed c"), "{error}");
    }

    #[test]
    fn a_theme_that_does_not_exist_is_an_error_at_its_line() {
        let text = FILE.replace("light", "no-such-theme");
        let error = load(&FeedArgs::default(), &text, false).unwrap_err();
        assert!(error.starts_with("feeds.toml:1:9"), "{error}");
    }
}
