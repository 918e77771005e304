//! The commented `feeds.toml` that `ssedash init` writes.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::ConfigError;
use super::errors::shown_path;

const STARTER: &str = r#"#:schema ./ssedash.schema.json
# ssedash feeds: one [[feed]] table per Server-Sent Events stream.
# Try it: run `ssedash demo` in one terminal and `ssedash` in another.
# `ssedash check` validates this file and shows what each feed will do.

# Defaults for every feed; a feed's own setting wins. Uncomment to change.
# theme = "dark"                  # dashboard theme (top level only)
# mouse = true                    # false leaves the mouse to the terminal (text selection)
# read_timeout = "60s"            # reconnect when nothing (not even a comment) arrives this long
# max_event_bytes = "1MiB"        # longer events are cut: bytes, or "64KiB", "1MiB", "500KB"
# buffer = 5000                   # events kept per pane
# events = ["quote"]              # only show these event types (default: all)
# stop_on = ["close"]             # event types after which a feed closes for good
# headers = { "User-Agent" = "ssedash" }   # sent by every feed, under its own headers
# proxy = "http://127.0.0.1:3128" # HTTP proxy (default: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY)
# no_proxy = ["localhost", ".internal", "10.0.0.0/8"]   # reached directly (default: NO_PROXY)

# [reconnect]
# when = "always"                 # always | on-error | never (feeds that are not GET: never)
# initial = "3s"                  # wait before reconnecting, until the server sends retry:
# max = "60s"                     # longest wait after repeated failures (at least initial)
# factor = 2.0                    # backoff growth per failure
# jitter = 0.3                    # 0..1: the part of each wait that is randomised

# [tls]
# insecure = false                # true accepts any certificate (for testing only)
# ca_file = "certs/dev-ca.pem"    # extra root certificate, relative to this file's folder

# Highlights for every feed (after each feed's own [[feed.highlight]] rules):
# [[highlight]]
# match = "ERROR|FATAL"           # a regex on the shown text, or jq = '.level == "error"'
# style = "red bold"              # colours (names, #rrggbb), `on COLOUR`, bold, dim, italic...

[[feed]]
name = "ticker"                   # shown on the pane; unique
url = "http://127.0.0.1:7878/ticker"
# method = "POST"                 # default GET
# body = '{"prompt":"hi"}'        # request body; or body_file = "prompt.json" (not both)
# headers = { Authorization = "Bearer ${API_TOKEN}" }   # ${VAR} comes from the environment
# last_event_id = "42"            # sent as Last-Event-ID on the first connection
# events = ["quote", "halt"]
# stop_on = ["close"]
# read_timeout = "30s"
# max_event_bytes = 65536
# buffer = 2000
# Expressions are jq, run on each event's data (on the raw text when it is not JSON):
# type_from = ".type"             # the type of events that have no `event:` line
# stop_when = '.done == true'     # true closes the feed for good, like stop_on
# error_when = '.error != null'   # true marks the event as an error (counted, coloured)
# preset = "openai-chat"          # LLM streams: openai-chat, openai-responses, anthropic, gemini
# no_proxy = ["*"]                # this feed goes direct, whatever the proxy settings say
# [feed.reconnect]
# when = "on-error"
# [feed.tls]
# insecure = true
[feed.view]                       # how the pane shows events (`v` switches to the raw list)
kind = "board"                    # list (default) | board | transcript
key = ".symbol"                   # board: one row per distinct value, with its latest columns
columns = [".price", ".change", { title = "vol", expr = ".volume", align = "right" }]
# sort = "key"                    # board: key | last | count | a column's title
# max_rows = 1000                 # board: rows kept; later keys are counted in an `other` row
# text = '.choices[0].delta.content'   # transcript: the text each event adds
# message = '.id'                 # transcript: a new message when this value changes
# [[feed.highlight]]
# jq = '.change < -1'             # or match = "regex"
# style = "red"

# Alerts: fire when a condition becomes true, resolve when it turns false (README, "Alerts").
# [[alert]]
# name = "ticker stuck"           # unique
# feeds = ["ticker"]              # default: every feed
# state = "waiting"               # one condition: state = "failed" | silent_for = "30s" |
#                                 # match = "ERROR" | when = '.price > 240' | rate_above = 500
# for = "1m"                      # with state / rate_above / rate_below: how long it lasts
# cooldown = "1m"                 # at most one firing per feed in this window
# do = ["flash", "bell", "notify"]
# command = 'notify-send ssedash "$SSEDASH_ALERT"'   # event on stdin, SSEDASH_* in the env
"#;

/// A commented starter `feeds.toml` showing every key, with one feed for `ssedash demo`.
pub fn starter_config() -> &'static str {
    STARTER
}

/// Writes the starter as `dir/feeds.toml`, creating `dir`; never replaces an existing file.
pub fn write_starter(dir: &Path) -> Result<PathBuf, ConfigError> {
    let path = dir.join("feeds.toml");
    write_starter_to(&path)?;
    Ok(path)
}

/// Writes the starter at `path`, creating its folder; never replaces an existing file.
pub fn write_starter_to(path: &Path) -> Result<(), ConfigError> {
    let shown = shown_path(path);
    let fail =
        |what: &str, e: std::io::Error| ConfigError::new(format!("{shown}: cannot {what}: {e}"));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail("create its folder", e))?;
    }
    // `create_new` makes "does it exist?" and "create it" one step, so nothing is overwritten.
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(ConfigError::new(format!(
                "{shown} already exists; not overwriting it (edit it, or give another path: \
                 ssedash init PATH)"
            )));
        }
        Err(e) => return Err(fail("create it", e)),
    };
    // The starter's `#:schema` line names this file, for editors. Written first, so that a
    // problem with it leaves nothing behind.
    if let Err(e) = super::write_schema_beside(path) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    file.write_all(STARTER.as_bytes())
        .map_err(|e| fail("write it", e))
}
