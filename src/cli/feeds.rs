//! How the command line turns into the list of feeds to run: ad-hoc URLs, `--demo` or the
//! config's feeds, with the options applied and checked.

use std::time::Duration;

use url::Url;

use super::adhoc::{ad_hoc_names, mask_raw_url};
use super::{FeedArgs, UsageError, seconds};
use crate::config::{self, Config};
use crate::feed::FeedSpec;
use crate::feed::reconnect::When;
use crate::text;

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
        self.views.apply(&mut spec)?;
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
    let mut ticker = feed("ticker");
    let mut news = feed("news");
    let mut deploys = feed("deploys");
    let mut assistant = feed("assistant");
    super::views::demo_views(&mut ticker, &mut news, &mut deploys, &mut assistant);
    vec![ticker, news, deploys, hello, assistant]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_bodies_get_a_content_type_by_what_they_hold() {
        assert_eq!(body_content_type(br#"{"a":[1,2]}"#), "application/json");
        assert_eq!(body_content_type(b" 42 "), "application/json");
        assert_eq!(body_content_type(b"hello"), "text/plain");
        assert_eq!(body_content_type(b""), "text/plain");
    }
}
