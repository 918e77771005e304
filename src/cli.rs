//! The command line: what `ssedash`, `ssedash tail`, `check` and `demo` accept, and how the
//! options turn into the list of feeds to run.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::{config, tail};

mod adhoc;
mod feeds;
mod views;

pub use adhoc::{NAME_MAX, ad_hoc_names};
pub use feeds::{FeedSource, demo_feeds, parse_feed_url};
pub use views::ViewArgs;

#[derive(Debug, Parser)]
#[command(
    name = "ssedash",
    version = crate::version::VERSION,
    about = "A terminal dashboard for live Server-Sent Events feeds",
    long_about = "A terminal dashboard for live Server-Sent Events feeds.\n\n\
        `ssedash` opens the dashboard on the feeds of feeds.toml, `ssedash URL...` on ad-hoc URLs \
        and `ssedash --demo` on the built-in demo feeds. `ssedash tail` prints the same feeds \
        as JSON lines for scripts.",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub feeds: FeedArgs,
    /// Colour theme (dark, light, high-contrast, or a file name in the user themes dir).
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Write a debug log to this file (connections, headers with secrets masked, delays,
    /// parse oddities); never to the terminal.
    #[arg(long, value_name = "PATH", env = "SSEDASH_LOG", global = true)]
    pub log_file: Option<PathBuf>,
    /// Leave the mouse to the terminal (to select text); also `mouse = false` in the config.
    #[arg(long)]
    pub no_mouse: bool,
    /// Record every feed to this file from the start (NDJSON, appended; `R` toggles).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print events as they arrive, one JSON object per line (or text), for scripts and tests.
    Tail(Box<TailArgs>),
    /// Validate a config file and print its feeds.
    Check {
        /// Config file (default: $SSEDASH_CONFIG, ./feeds.toml, then the user config dir).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Run the demo SSE server standalone (the example feeds.toml points at it).
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7878")]
        addr: SocketAddr,
    },
    /// Replay recordings in the dashboard (FILE `-` is stdin).
    Replay {
        /// Recordings made with --record (several are merged into one timeline).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        play: crate::record::args::PlayArgs,
        /// Colour theme.
        #[arg(long, value_name = "NAME")]
        theme: Option<String>,
        /// Show each recorded feed with the views of this config's feed of the same name.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        views: ViewArgs,
    },
    /// Serve a recording as a mock SSE server: each feed at /feeds/NAME.
    Serve {
        /// A recording made with --record (`-` is stdin).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7879")]
        addr: SocketAddr,
        #[command(flatten)]
        play: crate::record::args::PlayArgs,
    },
    /// Write a commented starter feeds.toml (never overwrites): to PATH, else ./feeds.toml
    /// when there is none, else the user config dir.
    Init {
        /// Where to write it (a folder gets a feeds.toml in it).
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `ssedash man | man -l -`.
    Man,
    /// Print the JSON Schema of feeds.toml, for editors (Taplo, Even Better TOML).
    Schema,
    /// The feed names of the config, one a line: what completion offers after --feed.
    #[command(name = "__feed-names", hide = true)]
    FeedNames {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

/// Which feeds to run and how: shared by the dashboard and `tail`.
#[derive(Debug, Args, Default)]
pub struct FeedArgs {
    /// Feed URLs for an ad-hoc run (each feed is named by its host and path; no config file is
    /// read unless --config names one).
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
    /// Config file (default: $SSEDASH_CONFIG, ./feeds.toml, then the user config dir).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only these feeds of the config (repeatable).
    #[arg(long = "feed", value_name = "NAME")]
    pub feed: Vec<String>,
    /// Run on the built-in demo feeds, served in-process.
    #[arg(long)]
    pub demo: bool,
    /// Extra request header, e.g. 'Authorization: Bearer ${API_TOKEN}' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub header: Vec<String>,
    /// HTTP method (default GET, or POST with --data).
    #[arg(short = 'X', long = "method", value_name = "METHOD")]
    pub method: Option<String>,
    /// Request body; @FILE reads it from a file. Implies POST unless -X says otherwise.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// Last-Event-ID to resume from on the first request.
    #[arg(long, value_name = "ID")]
    pub last_event_id: Option<String>,
    /// Initial reconnection time in ms, until the server sends `retry:` (default 3000).
    #[arg(long, value_name = "MS")]
    pub reconnect_delay: Option<u64>,
    /// Seconds without a byte (not even a comment) before a connection counts as stalled.
    #[arg(long, value_name = "SECS")]
    pub read_timeout: Option<f64>,
    /// Never reconnect: a clean end closes the feed, an error fails it.
    #[arg(long)]
    pub no_reconnect: bool,
    /// Close the feed for good after an event of this type (repeatable).
    #[arg(long, value_name = "TYPE")]
    pub stop_on: Vec<String>,
    /// Accept invalid TLS certificates.
    #[arg(short = 'k', long)]
    pub insecure: bool,
    /// Extra CA certificate (PEM) to trust.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Events longer than this many bytes are cut and flagged (default 1 MiB).
    #[arg(long, value_name = "BYTES")]
    pub max_event_bytes: Option<usize>,
    #[command(flatten)]
    pub views: ViewArgs,
}

#[derive(Debug, Args)]
pub struct TailArgs {
    #[command(flatten)]
    pub feeds: FeedArgs,
    /// Exit after N events (all feeds together; at least 1).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Exit after this many seconds (decimals allowed).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Exit 0 at the first event that matches (`type:NAME`), 1 if none did by --timeout or
    /// the end of every feed.
    #[arg(long, value_name = "EXPR")]
    pub until: Option<String>,
    /// Also print comments (heartbeats).
    #[arg(long)]
    pub comments: bool,
    /// Output format (default: text on a terminal, ndjson otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Also record everything, full fidelity, to this file (NDJSON, appended).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Replay a recording instead of connecting (`-` is stdin; repeatable).
    #[arg(long, value_name = "FILE")]
    pub replay: Vec<PathBuf>,
    #[command(flatten)]
    pub play: crate::record::args::PlayArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// A readable line per event and state change.
    Text,
    /// Only each event's data (state changes that matter go to stderr).
    Data,
}

impl From<Format> for tail::Format {
    fn from(format: Format) -> Self {
        match format {
            Format::Ndjson => tail::Format::Ndjson,
            Format::Text => tail::Format::Text,
            Format::Data => tail::Format::Data,
        }
    }
}

impl TailArgs {
    /// The run's limits, checked: `--count 0` would print nothing and is a mistake.
    pub fn limits(&self) -> Result<(Option<u64>, Option<Duration>), UsageError> {
        if self.count == Some(0) {
            return Err(UsageError(
                "--count 0: nothing would be printed; give --count 1 or more, or leave it out"
                    .into(),
            ));
        }
        let timeout = self.timeout.map(|t| seconds(t, "--timeout")).transpose()?;
        Ok((self.count, timeout))
    }
}

/// A usage or config problem: printed (escaped) as it is, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl From<config::ConfigError> for UsageError {
    fn from(e: config::ConfigError) -> Self {
        UsageError(e.to_string())
    }
}

/// Seconds from the command line (`--timeout 2.5`) as a duration, rejecting nonsense.
pub fn seconds(value: f64, option: &str) -> Result<Duration, UsageError> {
    if (0.0..1e9).contains(&value) {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(UsageError(format!(
            "{option} {value}: expected a number of seconds, e.g. {option} 2.5"
        )))
    }
}
