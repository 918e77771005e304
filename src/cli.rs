//! The command line: what `ssedash`, `ssedash tail`, `check` and `demo` accept, and how the
//! options turn into the list of feeds to run.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use url::Url;

use crate::config::{self, Config};
use crate::feed::FeedSpec;
use crate::feed::reconnect::When;

#[derive(Debug, Parser)]
#[command(
    name = "ssedash",
    version,
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
    /// Write a commented starter feeds.toml (never overwrites): to PATH, else ./feeds.toml
    /// when there is none, else the user config dir.
    Init {
        /// Where to write it (a folder gets a feeds.toml in it).
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
    },
}

/// Which feeds to run and how: shared by the dashboard and `tail`.
#[derive(Debug, Args, Default)]
pub struct FeedArgs {
    /// Feed URLs for an ad-hoc run (each feed is named by its URL; no config file is read
    /// unless --config names one).
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
}

#[derive(Debug, Args)]
pub struct TailArgs {
    #[command(flatten)]
    pub feeds: FeedArgs,
    /// Exit after N events (all feeds together).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Exit after this many seconds (decimals allowed).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Also print comments (heartbeats).
    #[arg(long)]
    pub comments: bool,
    /// Output format (default: text on a terminal, ndjson otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// A readable line per event and state change.
    Text,
    /// Only each event's data.
    Data,
}

/// A usage or config problem: printed as is, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl From<config::ConfigError> for UsageError {
    fn from(e: config::ConfigError) -> Self {
        UsageError(e.to_string())
    }
}

/// Where the feeds come from, before they are started.
#[derive(Debug)]
pub enum FeedSource {
    /// The feeds are ready.
    Specs(Vec<FeedSpec>),
    /// `--demo`: the demo server must be started first.
    Demo,
    /// No config file was found and no URL given.
    Nothing,
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

impl FeedArgs {
    /// The feeds this run is about: ad-hoc URLs, `--demo`, or the config file's feeds,
    /// with the command-line options applied to each.
    pub fn source(&self) -> Result<(FeedSource, Option<Config>), UsageError> {
        if self.demo {
            if !self.urls.is_empty() {
                return Err(UsageError(
                    "--demo runs the built-in demo feeds; leave out the URLs, or drop --demo"
                        .into(),
                ));
            }
            return Ok((FeedSource::Demo, None));
        }
        if !self.urls.is_empty() {
            let config = match &self.config {
                Some(path) => Some(config::load(path)?),
                None => None,
            };
            let mut specs = Vec::new();
            for raw in &self.urls {
                let url = parse_feed_url(raw)?;
                // The same URL twice is two feeds; their names must tell them apart.
                let seen = specs.iter().filter(|s: &&FeedSpec| s.url == url).count();
                let name = match seen {
                    0 => raw.clone(),
                    n => format!("{raw} ({})", n + 1),
                };
                specs.push(self.apply(FeedSpec::new(name, url), true)?);
            }
            return Ok((FeedSource::Specs(specs), config));
        }
        let Some(path) = config::find(self.config.as_deref()) else {
            return Ok((FeedSource::Nothing, None));
        };
        let config = config::load(&path)?;
        let specs = self.select(config.feeds.clone())?;
        let specs = specs
            .into_iter()
            .map(|spec| self.apply(spec, false))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((FeedSource::Specs(specs), Some(config)))
    }

    /// The demo's feeds (served at `base`), picked by `--feed` and with the options applied.
    pub fn feeds_select_demo(&self, base: &Url) -> Result<Vec<FeedSpec>, UsageError> {
        self.select(crate::demo::feeds(base))?
            .into_iter()
            .map(|f| self.apply(f, false))
            .collect()
    }

    /// `--feed NAME` picks feeds of a list (the config's or the demo's).
    pub fn select(&self, feeds: Vec<FeedSpec>) -> Result<Vec<FeedSpec>, UsageError> {
        if self.feed.is_empty() {
            return Ok(feeds);
        }
        for name in &self.feed {
            if !feeds.iter().any(|f| &f.name == name) {
                let names: Vec<&str> = feeds.iter().map(|f| f.name.as_str()).collect();
                return Err(UsageError(format!(
                    "--feed {name}: no feed of that name (there are: {})",
                    names.join(", ")
                )));
            }
        }
        Ok(feeds
            .into_iter()
            .filter(|f| self.feed.contains(&f.name))
            .collect())
    }

    /// Applies the command-line options to one feed. `ad_hoc` feeds take the method and body
    /// from the command line; config feeds keep their own unless overridden.
    /// The feed leaves resolved: header `${VAR}`s are expanded (see [`config::resolve_env`]).
    pub fn apply(&self, mut spec: FeedSpec, ad_hoc: bool) -> Result<FeedSpec, UsageError> {
        for raw in &self.header {
            let (name, value) = raw.split_once(':').ok_or_else(|| {
                UsageError(format!(
                    "-H {raw:?}: expected 'Name: value', e.g. -H 'Authorization: Bearer ${{API_TOKEN}}'"
                ))
            })?;
            let name = name.trim();
            if name.is_empty() || reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
            {
                return Err(UsageError(format!(
                    "-H {raw:?}: `{name}` is not a header name"
                )));
            }
            let value = value.trim().to_string();
            spec.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            spec.headers.push((name.to_string(), value));
        }
        if let Some(data) = &self.data {
            spec.body = Some(read_body_arg(data)?);
            if self.method.is_none() {
                spec.method = "POST".into();
            }
        }
        if let Some(method) = &self.method {
            let upper = method.to_ascii_uppercase();
            if reqwest::Method::from_bytes(upper.as_bytes()).is_err() {
                return Err(UsageError(format!("-X {method}: not an HTTP method")));
            }
            spec.method = upper;
        }
        if ad_hoc || self.method.is_some() || self.data.is_some() {
            spec.reconnect.when = FeedSpec::default_when(&spec.method);
        }
        if let Some(id) = &self.last_event_id {
            spec.last_event_id = Some(id.clone());
        }
        if let Some(ms) = self.reconnect_delay {
            spec.reconnect.initial = Duration::from_millis(ms);
        }
        if let Some(secs) = self.read_timeout {
            let d = seconds(secs, "--read-timeout")?;
            if d.is_zero() {
                return Err(UsageError(
                    "--read-timeout 0: the stall timeout must be more than 0 seconds".into(),
                ));
            }
            spec.read_timeout = d;
        }
        if self.no_reconnect {
            spec.reconnect.when = When::Never;
        }
        for kind in &self.stop_on {
            if !spec.stop_on.contains(kind) {
                spec.stop_on.push(kind.clone());
            }
        }
        if self.insecure {
            spec.tls.insecure = true;
        }
        if let Some(path) = &self.cacert {
            crate::feed::load_ca_file(path).map_err(|e| UsageError(format!("--cacert: {e}")))?;
            spec.tls.ca_file = Some(path.clone());
        }
        config::resolve_env(&mut spec);
        Ok(spec)
    }
}

/// An ad-hoc feed URL: absolute http(s), or a clear error naming it.
pub fn parse_feed_url(raw: &str) -> Result<Url, UsageError> {
    let url = Url::parse(raw).map_err(|e| {
        let hint = if !raw.contains("://") {
            format!(" (did you mean http://{raw} ?)")
        } else {
            String::new()
        };
        UsageError(format!("feed URL {raw:?}: {e}{hint}"))
    })?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(UsageError(format!(
            "feed URL {raw:?}: scheme `{other}` is not supported; use http:// or https://"
        ))),
    }
}

fn read_body_arg(data: &str) -> Result<Vec<u8>, UsageError> {
    match data.strip_prefix('@') {
        Some(path) => std::fs::read(path)
            .map_err(|e| UsageError(format!("-d @{path}: cannot read the file: {e}"))),
        None => Ok(data.as_bytes().to_vec()),
    }
}
