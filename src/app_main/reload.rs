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
