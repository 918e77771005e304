//! `feeds.toml`: finding it, reading it, and turning it into [`FeedSpec`]s.
//!
//! # The format
//!
//! ```toml
//! # Top-level defaults: apply to every feed unless the feed sets its own.
//! theme = "dark"                 # dashboard theme name (only top level)
//! mouse = true                   # false: the terminal keeps the mouse (only top level)
//! read_timeout = "60s"           # stall detection: no byte (comments count) for this long
//! max_event_bytes = "1MiB"       # integer bytes, or "64KiB" / "1MiB" / "500KB" / "2MB"
//! buffer = 5000                  # events kept per pane
//! events = ["quote"]             # only show these event types (default: all)
//! stop_on = ["close"]            # event types after which a feed closes for good
//! headers = { "User-Agent" = "ssedash" }   # merged under each feed's own headers
//! proxy = "http://127.0.0.1:3128"          # instead of HTTPS_PROXY / HTTP_PROXY / ALL_PROXY
//! no_proxy = ["localhost", ".internal"]    # instead of NO_PROXY (or one "a,b" string)
//! [reconnect]
//! when = "always"                # always | on-error | never
//! initial = "3s"                 # reconnection time until the server sends retry:
//! max = "60s"                    # cap of the failure backoff
//! factor = 2.0
//! jitter = 0.3                   # 0..1
//! [tls]
//! insecure = false
//! ca_file = "certs/dev-ca.pem"   # relative to the config file's folder
//!
//! [[feed]]
//! name = "ticker"                # required, unique
//! url = "http://127.0.0.1:7878/ticker"   # required, http or https
//! method = "POST"                # default GET
//! body = '{"prompt":"hi"}'       # or body_file = "prompt.json" (relative to the config file); not both
//! headers = { Authorization = "Bearer ${API_TOKEN}" }
//! last_event_id = "42"
//! events = ["quote", "halt"]
//! stop_on = ["close"]
//! read_timeout = "30s"
//! max_event_bytes = 65536
//! buffer = 2000
//! [feed.reconnect]
//! when = "on-error"
//! [feed.tls]
//! insecure = true
//! ```
//!
//! Rules:
//! - Keys are snake_case exactly as above; an unknown key is an error (with a "did you mean").
//! - Durations are strings with a unit (`"500ms"`, `"3s"`, `"2m"`); a bare number is an error,
//!   since `3` could mean seconds or milliseconds.
//! - Sizes are integer bytes or strings with `B`, `KB`, `KiB`, `MB`, `MiB`. `max_event_bytes` is
//!   1 KiB to 256 MiB, `buffer` 1 to 10 000 000, `factor` 1 to 10, `jitter` 0 to 1.
//! - A feed's own setting replaces the top-level one; `headers` are merged instead (the feed's
//!   win, names compared ignoring case).
//! - A feed that is not GET reconnects `never` unless its own `[feed.reconnect]` sets `when`:
//!   re-sending a POST re-runs it. The top-level `when` applies to GET feeds.
//! - `${VAR}` in a header value is read from the environment when the feed connects, so tokens
//!   stay out of the file. Its syntax is checked at load; an unset variable fails only that feed
//!   (and `ssedash check` reports it, see [`missing_env`]).
//! - `body_file` is read and `ca_file` checked at load, both relative to the config file.
//! - At least one `[[feed]]`; names are unique.
//! - Names, event types (`events`, `stop_on`), `last_event_id` and `theme` hold no control or
//!   bidi character: they are shown on terminals.
//! - `reconnect.initial` is at most `reconnect.max` (failures back off from one to the other).
//! - Whether `theme` exists is checked where the themes are known (`ssedash check` and the
//!   dashboard), at the line kept in [`Config::theme_at`].
//!
//! Every error names the file, line and column, the key (and feed), and what to write instead,
//! with any text from the file escaped. All the problems of a file are reported (the first 20
//! listed), except after a TOML syntax error, which is reported alone.

mod alerts;
mod describe;
pub mod diff;
mod env;
mod errors;
mod headers;
mod highlights;
mod layer;
mod parse;
mod proxy;
mod schema;
mod starter;
mod value;
mod views;

use std::path::{Path, PathBuf};

pub use describe::describe;
pub use env::{EnvError, expand_env, expand_with, referenced_vars, resolve_env};
pub use errors::{ConfigError, MAX_LISTED};
pub use schema::{SCHEMA, SCHEMA_DIRECTIVE, SCHEMA_FILE, write_schema_beside};
pub use starter::{starter_config, write_starter, write_starter_to};

use crate::feed::FeedSpec;
pub(crate) use describe::mask_template;
pub(crate) use errors::{shell_word, shown_path};

/// A loaded config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// `theme = "..."` at the top level, if set.
    pub theme: Option<String>,
    /// Line and column (from 1) of the `theme` value, so a theme that turns out not to exist
    /// (themes are checked by the dashboard's code, not here) can be reported at its line.
    pub theme_at: Option<(usize, usize)>,
    /// `mouse = false` at the top level: the dashboard leaves the mouse to the terminal.
    pub mouse: Option<bool>,
    pub feeds: Vec<FeedSpec>,
    /// `[[alert]]` tables, in file order (see `src/config/alerts.rs`).
    pub alerts: Vec<crate::alert::AlertSpec>,
}

impl Config {
    /// `file:line:col` of the `theme` value, escaped for a terminal; `None` when not set.
    pub fn theme_location(&self) -> Option<String> {
        let (line, col) = self.theme_at?;
        Some(format!("{}:{line}:{col}", shown_path(&self.path)))
    }
}

/// Reads and validates a config file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            // `init` with this very path writes it; a bare `init` would write elsewhere.
            format!(
                " (`ssedash init {}` writes a starter config there)",
                shell_word(path)
            )
        } else {
            String::new()
        };
        ConfigError::new(format!("{}: cannot read: {e}{hint}", shown_path(path)))
    })?;
    parse(&text, path)
}

/// Parses config text; `path` names the file in errors and anchors relative paths.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    parse::parse(text, path)
}

/// The config file to use: `explicit` (`--config`), else `$SSEDASH_CONFIG`, else `./feeds.toml`,
/// else `feeds.toml` in [`user_config_dir`]. `None` when none of them exists.
///
/// An explicit or `$SSEDASH_CONFIG` path is returned even if missing, so the error names it.
pub fn find(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os("SSEDASH_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let local = PathBuf::from("feeds.toml");
    if local.is_file() {
        return Some(local);
    }
    let user = user_config_dir()?.join("feeds.toml");
    user.is_file().then_some(user)
}

/// The per-user config folder (`feeds.toml` lives here, themes in `themes/`): the platform's
/// config dir, except on macOS `~/.config/ssedash` when `~/.config` exists, because that is
/// where terminal users look.
pub fn user_config_dir() -> Option<PathBuf> {
    if cfg!(target_os = "macos")
        && let Some(base) = directories::BaseDirs::new()
    {
        let dot_config = base.home_dir().join(".config");
        if dot_config.is_dir() {
            return Some(dot_config.join("ssedash"));
        }
    }
    directories::ProjectDirs::from("", "", "ssedash").map(|dirs| dirs.config_dir().to_path_buf())
}

/// One message per feed header whose `${VAR}`s are not set in the environment. Not a load error
/// (only that feed fails, when it connects); `ssedash check` reports these.
pub fn missing_env(config: &Config) -> Vec<String> {
    let mut problems = Vec::new();
    for feed in &config.feeds {
        for (name, template) in &feed.headers {
            let missing: Vec<String> = referenced_vars(template)
                .into_iter()
                .filter(|var| std::env::var_os(var).is_none())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let (vars, verb) = if missing.len() == 1 {
                ("variable", "is")
            } else {
                ("variables", "are")
            };
            let list = missing
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ");
            problems.push(format!(
                "{}: feed \"{}\": header \"{}\" uses environment {vars} {list}, which {verb} \
                 not set; export {}=... before starting ssedash, or write the value directly",
                shown_path(&config.path),
                crate::text::escape(&feed.name),
                crate::text::escape(name),
                missing[0]
            ));
        }
    }
    problems
}
