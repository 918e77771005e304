//! The settings a feed can inherit: read at the top level and in each `[[feed]]`, then merged.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::ConfigError;
use super::errors::{did_you_mean, shown_path};
use super::headers::read_headers;
use super::value::{Field, MAX_BUFFER, MAX_EVENT_BYTES, MIN_EVENT_BYTES, Scope};
use crate::feed::FeedSpec;
use crate::feed::Tls;
use crate::feed::reconnect::{Policy, When};
use crate::text::escape;

pub(super) const RECONNECT_KEYS: &[&str] = &["when", "initial", "max", "cap", "factor", "jitter"];
pub(super) const TLS_KEYS: &[&str] = &["insecure", "ca_file"];
const WHEN_VALUES: &[&str] = &["always", "on-error", "never"];

/// One level of settings; `None` means "not set here".
#[derive(Debug, Default)]
pub(super) struct Layer {
    read_timeout: Option<Duration>,
    max_event_bytes: Option<usize>,
    buffer: Option<usize>,
    events: Option<Vec<String>>,
    stop_on: Option<Vec<String>>,
    headers: Vec<(String, String)>,
    when: Option<When>,
    initial: Option<At<Duration>>,
    max: Option<At<Duration>>,
    factor: Option<f64>,
    jitter: Option<f64>,
    insecure: Option<bool>,
    ca_file: Option<PathBuf>,
    proxy: Option<url::Url>,
    no_proxy: Option<Vec<String>>,
}

/// A value and where it was written, for messages that relate two keys.
#[derive(Debug, Clone)]
struct At<T> {
    value: T,
    span: Range<usize>,
}

/// A table's entries in file order (the map itself is sorted by name).
pub(super) fn entries<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(&'t Spanned<DeString<'i>>, &'t Spanned<DeValue<'i>>)> {
    let mut all: Vec<_> = table.iter().collect();
    all.sort_by_key(|(key, _)| key.span().start);
    all
}

/// How messages name the `[[kind]]` table numbered `number` with these entries: by its `name`
/// (`feed "ticker": `), even for keys written above it, else by its place (`[[feed]] #2: `).
pub(super) fn table_label(
    entries: &[(&Spanned<DeString<'_>>, &Spanned<DeValue<'_>>)],
    kind: &str,
    number: usize,
) -> String {
    entries
        .iter()
        .find(|(k, _)| k.get_ref() == "name")
        .and_then(|(_, v)| v.get_ref().as_str())
        .filter(|name| !name.trim().is_empty() && !crate::text::has_controls(name))
        .map_or_else(
            || format!("[[{kind}]] #{number}: "),
            |name| format!("{kind} \"{name}\": "),
        )
}

/// "unknown key `x`; did you mean `y`? (keys of a feed: ...)", with a hint when the key belongs
/// to the table above (a classic TOML slip: a key written below a `[table]` header).
pub(super) fn unknown_key(
    scope: &Scope<'_>,
    key: &Spanned<DeString<'_>>,
    known: &[&str],
    owner: &str,
    parent: Option<(&str, &[&str])>,
) -> ConfigError {
    let raw = key.get_ref().as_ref();
    let name = escape(raw);
    if let Some((header, parent_keys)) = parent
        && parent_keys.contains(&raw)
    {
        return scope.error(
            &key.span(),
            format!(
                "`{name}` is not a key of {header}: keys below a {header} header belong to it; \
                 move `{name}` above {header}"
            ),
        );
    }
    let mut message = format!("unknown key `{name}`");
    if let Some(close) = did_you_mean(raw, known) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    message.push_str(&format!(" (keys of {owner}: {})", known.join(", ")));
    scope.error(&key.span(), message)
}

impl Layer {
    /// Reads `key` if it is a shared one; `Ok(false)` when it is not.
    pub fn read(
        &mut self,
        scope: &Scope<'_>,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        base: &Path,
        parent_keys: &[&str],
    ) -> Result<bool, ConfigError> {
        let f = scope.field(key, value);
        match key {
            "read_timeout" => self.read_timeout = Some(positive(&f, f.duration("\"60s\"")?)?),
            "max_event_bytes" => {
                self.max_event_bytes = Some(f.size("\"1MiB\"", MIN_EVENT_BYTES, MAX_EVENT_BYTES)?)
            }
            "buffer" => {
                self.buffer = Some(f.count("a whole number of events", "2000", 1, MAX_BUFFER)?)
            }
            "events" => self.events = Some(f.string_list("[\"quote\", \"halt\"]")?),
            "stop_on" => self.stop_on = Some(f.string_list("[\"close\"]")?),
            "headers" => {
                let table = f.table("{ \"User-Agent\" = \"ssedash\" }")?;
                self.headers = read_headers(scope, table);
            }
            "reconnect" => {
                let table = f.table("{ when = \"on-error\" }")?;
                self.read_reconnect(&scope.sub("reconnect."), table, parent_keys);
            }
            "tls" => {
                let table = f.table("{ insecure = true }")?;
                self.read_tls(&scope.sub("tls."), table, base, parent_keys);
            }
            "proxy" => self.proxy = Some(super::proxy::read_proxy(&f)?),
            "no_proxy" => self.no_proxy = Some(super::proxy::read_no_proxy(&f)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `[reconnect]`: each key's problem is recorded, and the others are still read.
    fn read_reconnect(&mut self, scope: &Scope<'_>, table: &DeTable<'_>, parent_keys: &[&str]) {
        for (key, value) in entries(table) {
            let f = scope.field(key.get_ref(), value);
            let at = |value| At {
                value,
                span: f.value.span(),
            };
            let read = match key.get_ref().as_ref() {
                "when" => read_when(&f).map(|w| self.when = Some(w)),
                "initial" => f.duration("\"3s\"").map(|d| self.initial = Some(at(d))),
                // `cap` is the same key under the name the first design used.
                "max" | "cap" => f
                    .duration("\"60s\"")
                    .and_then(|d| positive(&f, d))
                    .map(|d| self.max = Some(at(d))),
                "factor" => f
                    .number("a number", "2.0", 1.0, 10.0)
                    .map(|n| self.factor = Some(n)),
                "jitter" => f
                    .number("a fraction", "0.3", 0.0, 1.0)
                    .map(|n| self.jitter = Some(n)),
                _ => {
                    let header = if scope.who.is_empty() {
                        "[reconnect]"
                    } else {
                        "[feed.reconnect]"
                    };
                    Err(unknown_key(
                        scope,
                        key,
                        RECONNECT_KEYS,
                        header,
                        Some((header, parent_keys)),
                    ))
                }
            };
            scope.src.keep(read);
        }
    }

    /// `[tls]`: each key's problem is recorded, and the others are still read.
    fn read_tls(
        &mut self,
        scope: &Scope<'_>,
        table: &DeTable<'_>,
        base: &Path,
        parent_keys: &[&str],
    ) {
        for (key, value) in entries(table) {
            let f = scope.field(key.get_ref(), value);
            let read = match key.get_ref().as_ref() {
                "insecure" => f.bool().map(|b| self.insecure = Some(b)),
                "ca_file" => read_ca_file(&f, base).map(|p| self.ca_file = Some(p)),
                _ => {
                    let header = if scope.who.is_empty() {
                        "[tls]"
                    } else {
                        "[feed.tls]"
                    };
                    Err(unknown_key(
                        scope,
                        key,
                        TLS_KEYS,
                        header,
                        Some((header, parent_keys)),
                    ))
                }
            };
            scope.src.keep(read);
        }
    }

    /// Fills `spec` from this feed's layer over the top-level one.
    pub fn apply(&self, top: &Layer, spec: &mut FeedSpec) {
        let defaults = Policy::default();
        spec.read_timeout = self
            .read_timeout
            .or(top.read_timeout)
            .unwrap_or(spec.read_timeout);
        spec.max_event_bytes = self
            .max_event_bytes
            .or(top.max_event_bytes)
            .unwrap_or(spec.max_event_bytes);
        spec.buffer = self.buffer.or(top.buffer).unwrap_or(spec.buffer);
        spec.events = self
            .events
            .clone()
            .or_else(|| top.events.clone())
            .unwrap_or_default();
        spec.stop_on = self
            .stop_on
            .clone()
            .or_else(|| top.stop_on.clone())
            .unwrap_or_default();
        spec.headers = top
            .headers
            .iter()
            .filter(|(name, _)| {
                !self
                    .headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(name))
            })
            .chain(&self.headers)
            .cloned()
            .collect();
        // A top-level `when` is for GET feeds: re-sending a POST re-runs it, so only the
        // feed itself can ask for that.
        let when = match self.when {
            Some(when) => when,
            None if spec.method == "GET" => top.when.unwrap_or(When::Always),
            None => FeedSpec::default_when(&spec.method),
        };
        spec.reconnect = Policy {
            when,
            initial: pick(&self.initial, &top.initial).map_or(defaults.initial, |a| a.value),
            max: pick(&self.max, &top.max).map_or(defaults.max, |a| a.value),
            factor: self.factor.or(top.factor).unwrap_or(defaults.factor),
            jitter: self.jitter.or(top.jitter).unwrap_or(defaults.jitter),
            floor: defaults.floor,
        };
        spec.tls = Tls {
            insecure: self.insecure.or(top.insecure).unwrap_or(false),
            ca_file: self.ca_file.clone().or_else(|| top.ca_file.clone()),
        };
        spec.proxy = crate::feed::proxy::ProxySettings {
            proxy: self.proxy.clone().or_else(|| top.proxy.clone()),
            no_proxy: self.no_proxy.clone().or_else(|| top.no_proxy.clone()),
        };
    }
}

/// The first wait of the backoff cannot be longer than its cap: `initial = "10s"` with
/// `max = "1s"` contradicts itself. This layer's own value, else the top level's.
fn pick<'a, T>(own: &'a Option<At<T>>, top: &'a Option<At<T>>) -> Option<&'a At<T>> {
    own.as_ref().or(top.as_ref())
}

impl Layer {
    /// Rejects an initial delay longer than the cap (`initial = "10s", max = "1s"`) for a
    /// feed with this layer over `top`, at the nearest key that set one of the two: the feed's
    /// own, else the top level's (reported once however many feeds inherit it).
    pub fn check_delays(
        &self,
        top: &Layer,
        feed: &Scope<'_>,
        top_scope: &Scope<'_>,
    ) -> Result<(), ConfigError> {
        let defaults = Policy::default();
        let (initial, max) = (pick(&self.initial, &top.initial), pick(&self.max, &top.max));
        let initial_value = initial.map_or(defaults.initial, |a| a.value);
        let max_value = max.map_or(defaults.max, |a| a.value);
        if initial_value <= max_value {
            return Ok(());
        }
        let (scope, at, is_initial) = match (&self.initial, &self.max, &top.initial, &top.max) {
            (Some(at), ..) => (feed, at, true),
            (None, Some(at), ..) => (feed, at, false),
            (None, None, Some(at), _) => (top_scope, at, true),
            (None, None, None, Some(at)) => (top_scope, at, false),
            // The defaults agree with each other.
            (None, None, None, None) => return Ok(()),
        };
        let src = scope.src;
        let origin = |at: Option<&At<Duration>>, default: Duration| match at {
            Some(a) => format!("{} (line {})", src.written(&a.span), src.line(&a.span)),
            None => format!("\"{}\" (the default)", toml_duration(default)),
        };
        let why = "failures back off from initial up to max";
        let message = if is_initial {
            format!(
                "`reconnect.initial` = {} is longer than `reconnect.max` = {}: {why}; \
                 write initial = \"{}\" or less, or raise max",
                src.written(&at.span),
                origin(max, defaults.max),
                toml_duration(max_value)
            )
        } else {
            format!(
                "`reconnect.max` = {} is shorter than `reconnect.initial` = {}: {why}; \
                 write max = \"{}\" or more, or lower initial",
                src.written(&at.span),
                origin(initial, defaults.initial),
                toml_duration(initial_value)
            )
        };
        Err(scope.error(&at.span, message))
    }
}

/// A duration as a user would write it in the file: `"1s"`, `"1500ms"`.
fn toml_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

fn read_when(f: &Field<'_, '_>) -> Result<When, ConfigError> {
    let text = f.string("one of \"always\", \"on-error\", \"never\"", "\"never\"")?;
    match text {
        "always" => Ok(When::Always),
        "on-error" => Ok(When::OnError),
        "never" => Ok(When::Never),
        other => {
            let close = did_you_mean(other, WHEN_VALUES)
                .map(|c| format!("did you mean \"{c}\"? "))
                .unwrap_or_default();
            Err(f.fail(format!(
                "`reconnect.when` = \"{}\": {close}write \"always\", \"on-error\" or \"never\"",
                escape(other)
            )))
        }
    }
}

/// `ca_file`, relative to the config file's folder: it must be a readable PEM certificate.
fn read_ca_file(f: &Field<'_, '_>, base: &Path) -> Result<PathBuf, ConfigError> {
    let rel = f.string("a path to a PEM file", "\"certs/dev-ca.pem\"")?;
    let shown = escape(rel);
    let path = base.join(rel);
    if !path.is_file() {
        let problem = if path.is_dir() {
            "is a folder"
        } else {
            "does not exist"
        };
        return Err(f.fail(format!(
            "`tls.ca_file` \"{shown}\": {} {problem}; write the path of a PEM certificate, \
             relative to the config file's folder",
            shown_path(&path)
        )));
    }
    if let Err(problem) = crate::feed::load_ca_file(&path) {
        return Err(f.fail(format!("`tls.ca_file` \"{shown}\": {problem}")));
    }
    Ok(path)
}

fn positive(f: &Field<'_, '_>, d: Duration) -> Result<Duration, ConfigError> {
    if d.is_zero() {
        return Err(f.fail(format!(
            "`{}` must be more than 0, e.g. {} = \"60s\"",
            f.label(),
            f.key
        )));
    }
    Ok(d)
}
