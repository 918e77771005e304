//! The settings a feed can inherit: read at the top level and in each `[[feed]]`, then merged.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::ConfigError;
use super::env::{EnvError, expand_with};
use super::errors::did_you_mean;
use super::value::{MAX_BUFFER, MAX_EVENT_BYTES, MIN_EVENT_BYTES, Scope};
use crate::feed::FeedSpec;
use crate::feed::Tls;
use crate::feed::reconnect::{Policy, When};

const RECONNECT_KEYS: &[&str] = &["when", "initial", "max", "cap", "factor", "jitter"];
const TLS_KEYS: &[&str] = &["insecure", "ca_file"];
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
    initial: Option<Duration>,
    max: Option<Duration>,
    factor: Option<f64>,
    jitter: Option<f64>,
    insecure: Option<bool>,
    ca_file: Option<PathBuf>,
}

/// A table's entries in file order (the map itself is sorted by name).
pub(super) fn entries<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(&'t Spanned<DeString<'i>>, &'t Spanned<DeValue<'i>>)> {
    let mut all: Vec<_> = table.iter().collect();
    all.sort_by_key(|(key, _)| key.span().start);
    all
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
    let name = key.get_ref().as_ref();
    if let Some((header, parent_keys)) = parent
        && parent_keys.contains(&name)
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
    if let Some(close) = did_you_mean(name, known) {
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
                self.headers = read_headers(scope, table)?;
            }
            "reconnect" => {
                let table = f.table("{ when = \"on-error\" }")?;
                self.read_reconnect(&scope.sub("reconnect."), table, parent_keys)?;
            }
            "tls" => {
                let table = f.table("{ insecure = true }")?;
                self.read_tls(&scope.sub("tls."), table, base, parent_keys)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn read_reconnect(
        &mut self,
        scope: &Scope<'_>,
        table: &DeTable<'_>,
        parent_keys: &[&str],
    ) -> Result<(), ConfigError> {
        for (key, value) in entries(table) {
            let f = scope.field(key.get_ref(), value);
            match key.get_ref().as_ref() {
                "when" => {
                    let text =
                        f.string("one of \"always\", \"on-error\", \"never\"", "\"never\"")?;
                    self.when = Some(match text {
                        "always" => When::Always,
                        "on-error" => When::OnError,
                        "never" => When::Never,
                        other => {
                            let close = did_you_mean(other, WHEN_VALUES)
                                .map(|c| format!("did you mean \"{c}\"? "))
                                .unwrap_or_default();
                            return Err(f.fail(format!(
                                "`reconnect.when` = \"{other}\": {close}write \"always\", \
                                 \"on-error\" or \"never\""
                            )));
                        }
                    });
                }
                "initial" => self.initial = Some(f.duration("\"3s\"")?),
                // `cap` is the same key under the name the first design used.
                "max" | "cap" => self.max = Some(positive(&f, f.duration("\"60s\"")?)?),
                "factor" => self.factor = Some(f.number("a number", "2.0", 1.0, 10.0)?),
                "jitter" => self.jitter = Some(f.number("a fraction", "0.3", 0.0, 1.0)?),
                _ => {
                    let header = if scope.who.is_empty() {
                        "[reconnect]"
                    } else {
                        "[feed.reconnect]"
                    };
                    return Err(unknown_key(
                        scope,
                        key,
                        RECONNECT_KEYS,
                        header,
                        Some((header, parent_keys)),
                    ));
                }
            }
        }
        Ok(())
    }

    fn read_tls(
        &mut self,
        scope: &Scope<'_>,
        table: &DeTable<'_>,
        base: &Path,
        parent_keys: &[&str],
    ) -> Result<(), ConfigError> {
        for (key, value) in entries(table) {
            let f = scope.field(key.get_ref(), value);
            match key.get_ref().as_ref() {
                "insecure" => self.insecure = Some(f.bool()?),
                "ca_file" => {
                    let rel = f.string("a path to a PEM file", "\"certs/dev-ca.pem\"")?;
                    let path = base.join(rel);
                    if !path.is_file() {
                        let problem = if path.is_dir() {
                            "is a folder"
                        } else {
                            "does not exist"
                        };
                        return Err(f.fail(format!(
                            "`tls.ca_file` \"{rel}\": {} {problem}; write the path of a PEM \
                             certificate, relative to the config file's folder",
                            path.display()
                        )));
                    }
                    if let Err(problem) = crate::feed::load_ca_file(&path) {
                        return Err(f.fail(format!("`tls.ca_file` \"{rel}\": {problem}")));
                    }
                    self.ca_file = Some(path);
                }
                _ => {
                    let header = if scope.who.is_empty() {
                        "[tls]"
                    } else {
                        "[feed.tls]"
                    };
                    return Err(unknown_key(
                        scope,
                        key,
                        TLS_KEYS,
                        header,
                        Some((header, parent_keys)),
                    ));
                }
            }
        }
        Ok(())
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
            initial: self.initial.or(top.initial).unwrap_or(defaults.initial),
            max: self.max.or(top.max).unwrap_or(defaults.max),
            factor: self.factor.or(top.factor).unwrap_or(defaults.factor),
            jitter: self.jitter.or(top.jitter).unwrap_or(defaults.jitter),
            floor: defaults.floor,
        };
        spec.tls = Tls {
            insecure: self.insecure.or(top.insecure).unwrap_or(false),
            ca_file: self.ca_file.clone().or_else(|| top.ca_file.clone()),
        };
    }
}

fn positive(f: &super::value::Field<'_, '_>, d: Duration) -> Result<Duration, ConfigError> {
    if d.is_zero() {
        return Err(f.fail(format!(
            "`{}` must be more than 0, e.g. {} = \"60s\"",
            f.label(),
            f.key
        )));
    }
    Ok(d)
}

/// `headers = { Name = "value ${VAR}" }`: names checked, `${...}` syntax checked, values kept
/// as templates (variables are read when the feed connects).
fn read_headers(
    scope: &Scope<'_>,
    table: &DeTable<'_>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for (key, value) in entries(table) {
        let name = key.get_ref().as_ref();
        if HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(scope.error(
                &key.span(),
                format!(
                    "`headers`: \"{name}\" is not a header name (letters, digits and `-`, \
                     no spaces or `:`), e.g. \"X-Api-Key\" = \"${{API_KEY}}\""
                ),
            ));
        }
        if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Err(scope.error(
                &key.span(),
                format!("`headers`: \"{name}\" is set twice (header names ignore case); keep one"),
            ));
        }
        let DeValue::String(template) = value.get_ref() else {
            return Err(scope.error(
                &value.span(),
                format!(
                    "header \"{name}\" must be a string, e.g. \"{name}\" = \"value\" (found {})",
                    value.get_ref().type_str()
                ),
            ));
        };
        // Any variable will do here: a missing one only fails its feed, at connect time.
        let expanded = expand_with(template, |_| Some("x".into())).map_err(|e| {
            let fix = match e {
                EnvError::Unclosed => "close it, as in ${API_TOKEN}, or write $$ for a literal $",
                EnvError::BadName(_) => "write e.g. ${API_TOKEN}, or $$ for a literal $",
                EnvError::Missing(_) => unreachable!("the lookup above knows every name"),
            };
            scope.error(&value.span(), format!("header \"{name}\": {e}; {fix}"))
        })?;
        if HeaderValue::from_str(&expanded).is_err() {
            return Err(scope.error(
                &value.span(),
                format!(
                    "header \"{name}\": the value has a line break or control character, \
                     which HTTP headers cannot carry; write it on one line"
                ),
            ));
        }
        headers.push((name.to_string(), template.to_string()));
    }
    Ok(headers)
}
