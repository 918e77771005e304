//! What one feed is: everything the feed task needs, resolved from the config or the command line.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::reconnect::{Policy, When};

/// Default `read_timeout`: a feed silent this long (not even a comment) is treated as stalled.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Default `max_event_bytes`: longer events are cut and flagged.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 1 << 20;
/// Default `buffer`: events a pane keeps.
pub const DEFAULT_BUFFER: usize = 5000;

#[derive(Debug, Clone, PartialEq)]
pub struct FeedSpec {
    /// Shown on the pane and in `tail` output; unique within a run.
    pub name: String,
    pub url: Url,
    /// HTTP method, upper case (`GET` unless configured).
    pub method: String,
    pub body: Option<Vec<u8>>,
    /// Header names and values, sent as they are. From a config file they are templates
    /// (`${VAR}`) until [`crate::config::resolve_env`] expands them; the feed task never reads
    /// the environment.
    pub headers: Vec<(String, String)>,
    /// Why this feed cannot start (e.g. a header's `${VAR}` is not set): the feed task reports
    /// it as `failed` at once, and the other feeds run on.
    pub setup_error: Option<String>,
    pub last_event_id: Option<String>,
    /// Only events of these types are shown (empty: all).
    pub events: Vec<String>,
    /// Event types after which the feed closes for good.
    pub stop_on: Vec<String>,
    pub reconnect: Policy,
    pub read_timeout: Duration,
    pub max_event_bytes: usize,
    pub buffer: usize,
    /// The least time between two reads of the response body (zero: read as soon as bytes
    /// arrive). Events that arrive in between wait in the socket and are read together, which
    /// saves a read, a wake-up and a queue message per event on busy feeds: the dashboard sets
    /// it; `tail` does not.
    pub read_interval: Duration,
    pub tls: Tls,
    /// The jq expressions this feed runs per event (views, type_from, stop_when, ...); empty by
    /// default. The task reads only `stop_when`, which closes the feed like `stop_on`.
    pub exprs: std::sync::Arc<crate::view::FeedExprs>,
    /// The feed's own `proxy` and `no_proxy` (unset: the environment's).
    pub proxy: super::proxy::ProxySettings,
    /// The headers as written, `${VAR}`s unexpanded, for the debug log (set where they are
    /// expanded; empty when nothing was).
    pub header_templates: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tls {
    /// Accept any certificate (`-k`).
    pub insecure: bool,
    /// Extra root certificate (PEM).
    pub ca_file: Option<PathBuf>,
}

impl FeedSpec {
    /// A GET feed with every default.
    pub fn new(name: impl Into<String>, url: Url) -> Self {
        FeedSpec {
            name: name.into(),
            url,
            method: "GET".into(),
            body: None,
            headers: Vec::new(),
            last_event_id: None,
            events: Vec::new(),
            stop_on: Vec::new(),
            reconnect: Policy::default(),
            read_timeout: DEFAULT_READ_TIMEOUT,
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
            buffer: DEFAULT_BUFFER,
            tls: Tls::default(),
            setup_error: None,
            read_interval: Duration::ZERO,
            exprs: Default::default(),
            proxy: Default::default(),
            header_templates: Vec::new(),
        }
    }

    /// Re-sending a POST re-runs it (and LLM APIs bill per request): feeds that are not GET
    /// default to never reconnecting.
    pub fn default_when(method: &str) -> When {
        if method.eq_ignore_ascii_case("GET") {
            When::Always
        } else {
            When::Never
        }
    }
}
