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
use crate::{tail, text};

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
    /// Write a commented starter feeds.toml to the user config dir (never overwrites).
    Init,
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
        let timeout = self
            .timeout
            .map(|t| seconds(t, "--timeout"))
            .transpose()?;
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
        self.check_text()?;
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
            if let Some(name) = self.feed.first() {
                return Err(UsageError(format!(
                    "--feed {}: --feed picks feeds of a config file, and URLs were given; \
                     leave out --feed, or the URLs",
                    text::escape(name)
                )));
            }
            let config = match &self.config {
                Some(path) => Some(config::load(path)?),
                None => None,
            };
            let urls = self
                .urls
                .iter()
                .map(|raw| parse_feed_url(raw))
                .collect::<Result<Vec<_>, _>>()?;
            let mut specs = Vec::new();
            for (url, name) in urls.iter().zip(ad_hoc_names(&urls)) {
                specs.push(self.apply(FeedSpec::new(name, url.clone()), true)?);
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
        self.select(demo_feeds(base))?
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
                    "--feed {}: no feed of that name (there are: {})",
                    text::escape(name),
                    text::escape(&names.join(", "))
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
                    "-H '{}': expected 'Name: value', e.g. -H 'Authorization: Bearer ${{API_TOKEN}}'",
                    text::escape(raw)
                ))
            })?;
            let name = name.trim();
            if name.is_empty() || reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
            {
                return Err(UsageError(format!(
                    "-H '{}': `{}` is not a header name",
                    text::escape(raw),
                    text::escape(name)
                )));
            }
            let value = value.trim().to_string();
            spec.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            spec.headers.push((name.to_string(), value));
        }
        if let Some(data) = &self.data {
            let body = read_body_arg(data)?;
            // Servers route on Content-Type (LLM APIs answer 415 without one); a header given
            // with -H or in the config wins.
            if !spec
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                spec.headers
                    .push(("Content-Type".into(), body_content_type(&body).into()));
            }
            spec.body = Some(body);
            if self.method.is_none() {
                spec.method = "POST".into();
            }
        }
        if let Some(method) = &self.method {
            let upper = method.to_ascii_uppercase();
            if reqwest::Method::from_bytes(upper.as_bytes()).is_err() {
                return Err(UsageError(format!(
                    "-X {}: not an HTTP method",
                    text::escape(method)
                )));
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
        if let Some(bytes) = self.max_event_bytes {
            if !(MIN_EVENT_BYTES..=MAX_EVENT_BYTES).contains(&bytes) {
                return Err(UsageError(format!(
                    "--max-event-bytes {bytes}: write {MIN_EVENT_BYTES} to {MAX_EVENT_BYTES} \
                     bytes, e.g. --max-event-bytes 65536"
                )));
            }
            spec.max_event_bytes = bytes;
        }
        if let Some(path) = &self.cacert {
            crate::feed::load_ca_file(path).map_err(|e| UsageError(format!("--cacert: {e}")))?;
            spec.tls.ca_file = Some(path.clone());
        }
        config::resolve_env(&mut spec);
        Ok(spec)
    }

    /// Names, event types, ids and headers from the command line end up on screen and in
    /// requests: a control or bidi character in one is a mistake (or an attack), not a value.
    fn check_text(&self) -> Result<(), UsageError> {
        let named = [
            ("--feed", &self.feed),
            ("--stop-on", &self.stop_on),
            ("-H", &self.header),
        ];
        let last_id = self.last_event_id.iter().map(|id| ("--last-event-id", id));
        let all = named
            .into_iter()
            .flat_map(|(option, values)| values.iter().map(move |v| (option, v)))
            .chain(last_id);
        for (option, value) in all {
            if let Some(c) = value.chars().find(|&c| text::is_unsafe(c)) {
                return Err(UsageError(format!(
                    "{option} '{}': has the control character {}; \
                     names, event types, ids and headers must be plain text",
                    text::escape(value),
                    text::escape(c.encode_utf8(&mut [0; 4]))
                )));
            }
        }
        Ok(())
    }
}

/// The bounds of `--max-event-bytes` (the same as the config's `max_event_bytes`).
const MIN_EVENT_BYTES: usize = 1024;
const MAX_EVENT_BYTES: usize = 256 << 20;

/// Longest ad-hoc feed name: it must fit a pane title next to the state badge.
pub const NAME_MAX: usize = 40;

/// The names of ad-hoc feeds: host (with a port that is not the default) and path, never the
/// user, password, query or fragment, which may hold credentials; at most [`NAME_MAX`]
/// characters, cut in the middle so the end of the path stays. URLs that would get the same
/// name are told apart by ` (2)`, ` (3)`, in order.
pub fn ad_hoc_names(urls: &[Url]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(urls.len());
    for url in urls {
        let mut base = url.host_str().unwrap_or("").to_string();
        if let Some(port) = url.port() {
            base.push_str(&format!(":{port}"));
        }
        if url.path() != "/" {
            base.push_str(url.path());
        }
        let base = clip_middle(&base, NAME_MAX);
        let mut name = base.clone();
        let mut n = 1;
        while names.contains(&name) {
            n += 1;
            name = format!("{base} ({n})");
        }
        names.push(name);
    }
    names
}

/// `s` in at most `max` characters: the start, `…`, and the end (which gets the larger part).
fn clip_middle(s: &str, max: usize) -> String {
    let count = s.chars().count();
    if count <= max {
        return s.to_string();
    }
    let head = (max - 1) / 3;
    let tail = max - 1 - head;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

/// The Content-Type of a `-d` body: JSON when it parses as JSON, plain text otherwise.
fn body_content_type(body: &[u8]) -> &'static str {
    if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        "application/json"
    } else {
        "text/plain"
    }
}

/// The built-in feed list of `--demo`, pointing at a demo server at `base`. It lives here, with
/// the command line, so that the demo server knows nothing of the client.
pub fn demo_feeds(base: &Url) -> Vec<FeedSpec> {
    let feed = |name: &str| FeedSpec::new(name, base.join(name).expect("relative path"));
    let mut hello = feed("hello");
    // The tutorial demo says goodbye with `event: close`; stop there instead of starting over.
    hello.stop_on = vec!["close".into()];
    vec![feed("ticker"), feed("news"), feed("deploys"), hello]
}

/// An ad-hoc feed URL: absolute http(s), or a clear error naming it (its password masked).
pub fn parse_feed_url(raw: &str) -> Result<Url, UsageError> {
    let shown = text::escape(&mask_raw_url(raw)).into_owned();
    let url = Url::parse(raw).map_err(|e| {
        let hint = if !raw.contains("://") {
            format!(" (did you mean http://{shown} ?)")
        } else {
            String::new()
        };
        UsageError(format!("feed URL '{shown}': {e}{hint}"))
    })?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(UsageError(format!(
            "feed URL '{}': scheme `{}` is not supported; use http:// or https://",
            text::escape(&crate::redact::masked_url(&url)),
            text::escape(other)
        ))),
    }
}

/// A URL as typed, perhaps unparsable, with the password of `scheme://user:password@` masked,
/// for messages about a URL that could not be parsed.
fn mask_raw_url(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://").map(|i| i + 3) else {
        return raw.to_string();
    };
    let authority_end = raw[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(raw.len(), |i| scheme_end + i);
    let authority = &raw[scheme_end..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}{}{}",
            &raw[..scheme_end + colon + 1],
            crate::redact::MASK,
            &raw[scheme_end + at..authority_end],
            &raw[authority_end..]
        ),
        _ => raw.to_string(),
    }
}

fn read_body_arg(data: &str) -> Result<Vec<u8>, UsageError> {
    match data.strip_prefix('@') {
        Some(path) => std::fs::read(path).map_err(|e| {
            UsageError(format!(
                "-d @{}: cannot read the file: {e}",
                text::escape(path)
            ))
        }),
        None => Ok(data.as_bytes().to_vec()),
    }
}
