//! `feeds.toml`: finding it, reading it, and turning it into [`FeedSpec`]s.
//!
//! (Skeleton: the full loader with file/line/key errors lands in its own commit.)

mod env;

use std::path::{Path, PathBuf};

pub use env::{EnvError, expand_env};

use crate::feed::FeedSpec;

/// A loaded config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// `theme = "..."` at the top level, if set.
    pub theme: Option<String>,
    pub feeds: Vec<FeedSpec>,
}

/// A config error for people: says which file, line and key, and what to write instead.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    pub message: String,
}

/// Reads and validates a config file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        message: format!("{}: cannot read: {e}", path.display()),
    })?;
    parse(&text, path)
}

/// Parses config text; `path` names the file in errors and anchors relative paths.
pub fn parse(_text: &str, path: &Path) -> Result<Config, ConfigError> {
    Err(ConfigError {
        message: format!("{}: config files are not supported yet", path.display()),
    })
}

/// The user's ssedash config dir (themes live in its `themes/`).
pub fn user_config_dir() -> Option<PathBuf> {
    None
}

/// The config file to use: `explicit` (`--config`), else `$SSEDASH_CONFIG`, else `./feeds.toml`,
/// else the user config dir. `None` when none of them exists.
pub fn find(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    None
}
