//! The document walk: top-level keys, then each `[[feed]]`, into a [`Config`].
//!
//! The file is parsed into toml's spanned tree (`DeTable`) rather than straight into serde
//! structs, so every error, including "missing key" and "duplicate name", can point at a line.

use std::ops::Range;
use std::path::{Path, PathBuf};

use reqwest::Method;
use toml::Spanned;
use toml::de::{DeTable, DeValue};
use url::Url;

use super::errors::{Source, shown_path};
use super::layer::{Layer, entries, table_label, unknown_key};
use super::value::{Field, Scope};
use super::views::{FEED_VIEW_KEYS, FeedViews, read_highlights};
use super::{Config, ConfigError};
use crate::feed::FeedSpec;
use crate::text::{escape, has_controls};

pub(super) const TOP_KEYS: &[&str] = &[
    "theme",
    "mouse",
    "read_timeout",
    "max_event_bytes",
    "buffer",
    "events",
    "stop_on",
    "headers",
    "proxy",
    "no_proxy",
    "reconnect",
    "tls",
    "highlight",
    "feed",
    "alert",
];
pub(super) const FEED_KEYS: &[&str] = &[
    "name",
    "url",
    "method",
    "body",
    "body_file",
    "headers",
    "last_event_id",
    "events",
    "stop_on",
    "read_timeout",
    "max_event_bytes",
    "buffer",
    "proxy",
    "no_proxy",
    "reconnect",
    "tls",
    "preset",
    "type_from",
    "stop_when",
    "error_when",
    "view",
    "highlight",
];
const URL_HINT: &str = "write a full URL such as \"https://host/stream\"";

pub(super) fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let src = Source::new(path, text);
    // A syntax error can leave the rest of the file meaningless: it is reported alone.
    let doc = DeTable::parse(text).map_err(|e| src.syntax(&e))?;
    let base = base_dir(path);
    let scope = Scope {
        src: &src,
        who: String::new(),
        table: "",
    };
    let mut top = Layer::default();
    let mut theme = None;
    let mut mouse = None;
    let mut feeds = None;
    let mut alerts = Vec::new();
    let mut highlights = Vec::new();
    for (key, value) in entries(doc.get_ref()) {
        let name = key.get_ref().as_ref();
        let read = match name {
            "theme" => read_theme(&scope, value).map(|t| theme = Some(t)),
            "mouse" => scope.field("mouse", value).bool().map(|m| mouse = Some(m)),
            "highlight" => {
                highlights = read_highlights(&scope, value, "[[highlight]]");
                Ok(())
            }
            "feed" => read_feeds(&scope, value, &base).map(|f| feeds = Some(f)),
            "alert" => super::alerts::read_alerts(&scope, value).map(|a| alerts = a),
            _ => match top.read(&scope, name, value, &base, TOP_KEYS) {
                Ok(true) => Ok(()),
                Ok(false) if FEED_KEYS.contains(&name) => Err(scope.error(
                    &key.span(),
                    format!("`{name}` is set per feed: put it below a [[feed]] header"),
                )),
                Ok(false) => Err(unknown_key(&scope, key, TOP_KEYS, "the top level", None)),
                Err(e) => Err(e),
            },
        };
        src.keep(read);
    }
    let feeds = match feeds {
        Some(feeds) if !feeds.is_empty() => feeds,
        // A `feed` key of the wrong shape is reported as such, not also as missing.
        None if doc.get_ref().contains_key("feed") => Vec::new(),
        // No feed at all, or `feed = []`.
        _ => {
            src.report(ConfigError::new(format!(
                "no [[feed]] in {}: add one, e.g.\n\n[[feed]]\nname = \"ticker\"\n\
                 url = \"http://127.0.0.1:7878/ticker\"",
                src.name()
            )));
            Vec::new()
        }
    };
    // Every feed name written in the file, usable or not, so an alert is judged only on its own.
    let feed_names: Vec<String> = feeds.iter().filter_map(|f| f.name.clone()).collect();
    let feed_names: Vec<&str> = feed_names.iter().map(String::as_str).collect();
    let alerts = super::alerts::finish_alerts(&src, alerts, &feed_names);
    let feeds = feeds
        .into_iter()
        .filter_map(|feed| {
            let feed_scope = Scope {
                src: &src,
                who: feed.who,
                table: "",
            };
            // Checked once all is read: a top-level [reconnect] may come after the feeds.
            src.keep(feed.layer.check_delays(&top, &feed_scope, &scope));
            let exprs = feed.views.finish(&feed_scope, &highlights);
            let mut spec = feed.spec?;
            feed.layer.apply(&top, &mut spec);
            spec.exprs = exprs;
            Some(spec)
        })
        .collect();
    let theme_at = theme
        .as_ref()
        .map(|(_, span): &(String, Range<usize>)| crate::text::line_col(text, span.start));
    src.finish(Config {
        path: path.to_path_buf(),
        theme: theme.map(|(name, _)| name),
        theme_at,
        mouse,
        feeds,
        alerts,
    })
}

/// `theme = "dark"`: only its form is checked here; whether it exists is for the code that
/// knows the themes (`check` and the dashboard), which reports it at this line.
fn read_theme(
    scope: &Scope<'_>,
    value: &Spanned<DeValue<'_>>,
) -> Result<(String, Range<usize>), ConfigError> {
    let f = scope.field("theme", value);
    let text = f.string("a theme name", "\"dark\"")?;
    if text.trim().is_empty() {
        return Err(f.fail("`theme` is empty; write a theme name, e.g. theme = \"dark\""));
    }
    if has_controls(text) {
        return Err(f.fail(format!(
            "`theme` = \"{}\" has a control or bidi character; write a theme name, \
             e.g. theme = \"dark\"",
            escape(text)
        )));
    }
    Ok((text.to_string(), value.span()))
}

/// Relative paths in the file (`body_file`, `ca_file`) are relative to its folder.
fn base_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
        }
        _ => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    }
}

/// One `[[feed]]` as read: its spec so far (none without a usable name and URL), its own
/// shared settings (merged over the top-level ones once all is read), and how messages
/// name it.
struct ReadFeed {
    spec: Option<FeedSpec>,
    layer: Layer,
    views: FeedViews,
    who: String,
    /// The name as written, even when the feed has other problems (alerts name feeds).
    name: Option<String>,
}

fn read_feeds(
    scope: &Scope<'_>,
    value: &Spanned<DeValue<'_>>,
    base: &Path,
) -> Result<Vec<ReadFeed>, ConfigError> {
    let items = match value.get_ref() {
        DeValue::Array(items) if items.iter().all(|item| item.get_ref().is_table()) => items,
        DeValue::Table(_) => {
            return Err(scope.error(
                &value.span(),
                "`[feed]` is a single table; write `[[feed]]` (two brackets) above each feed",
            ));
        }
        _ => {
            return Err(scope.error(
                &value.span(),
                "`feed` must be a list of tables: write a [[feed]] header above each feed's keys",
            ));
        }
    };
    let src = scope.src;
    let mut feeds = Vec::with_capacity(items.len());
    let mut names: Vec<(String, Range<usize>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let (feed, name) = read_feed(src, i + 1, item, base);
        // A feed with other problems still holds its name: a second one is reported too.
        if let Some((name, name_span)) = name {
            if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
                let shown = escape(&name);
                src.report(src.error(
                    &name_span,
                    format!(
                        "feed name \"{shown}\" is already used on line {}; names must be unique, \
                     e.g. name = \"{shown}-2\"",
                        src.line(first),
                    ),
                ));
            }
            names.push((name, name_span));
        }
        feeds.push(feed);
    }
    Ok(feeds)
}

/// One `[[feed]]`: its own keys, with the shared ones left in a [`Layer`] to merge later.
/// Problems are recorded in `src`. Also returns the name and where it is written.
fn read_feed(
    src: &Source<'_>,
    number: usize,
    item: &Spanned<DeValue<'_>>,
    base: &Path,
) -> (ReadFeed, Option<(String, Range<usize>)>) {
    let Some(table) = item.get_ref().as_table() else {
        unreachable!("read_feeds checked that every item is a table");
    };
    let entries = entries(table);
    let who = table_label(&entries, "feed", number);
    let scope = Scope {
        src,
        who,
        table: "",
    };
    let mut name = None;
    let mut url = None;
    let mut method = None;
    let mut body: Option<(Vec<u8>, &str, Range<usize>)> = None;
    let mut last_event_id = None;
    let mut layer = Layer::default();
    let mut views = FeedViews::default();
    // A key that is there but wrong is reported as wrong, not also as missing.
    let has = |key: &str| entries.iter().any(|(k, _)| k.get_ref() == key);
    let (has_name, has_url) = (has("name"), has("url"));
    for (key, value) in &entries {
        let key_name = key.get_ref().as_ref();
        let f = scope.field(key_name, value);
        let read = match key_name {
            "name" => read_name(&f).map(|n| name = Some((n, value.span()))),
            "url" => read_url(&f).map(|u| url = Some(u)),
            "method" => read_method(&f).map(|m| method = Some(m)),
            "body" | "body_file" => {
                if let Some((_, other, span)) = &body {
                    Err(f.fail(format!(
                        "`body` and `body_file` are both set (`{other}` on line {}); keep one",
                        src.line(span)
                    )))
                } else {
                    let bytes = if key_name == "body" {
                        f.string("a string", "'{\"prompt\":\"hi\"}'")
                            .map(|s| s.as_bytes().to_vec())
                    } else {
                        read_body_file(&f, base)
                    };
                    bytes.map(|bytes| body = Some((bytes, key_name, value.span())))
                }
            }
            "last_event_id" => read_last_event_id(&f).map(|id| last_event_id = Some(id)),
            "theme" => Err(scope.error(
                &key.span(),
                "`theme` is set once, at the top level: move it above the first [[feed]]",
            )),
            _ if FEED_VIEW_KEYS.contains(&key_name) => {
                views.read(&scope, key_name, value, FEED_KEYS).map(|_| ())
            }
            _ => match layer.read(&scope, key_name, value, base, FEED_KEYS) {
                Ok(true) => Ok(()),
                Ok(false) => Err(unknown_key(&scope, key, FEED_KEYS, "a feed", None)),
                Err(e) => Err(e),
            },
        };
        src.keep(read);
    }
    let header = item.span();
    if !has_name {
        src.report(scope.error(
            &header,
            "`name` is missing: add one, e.g. name = \"ticker\"",
        ));
    }
    if !has_url {
        src.report(scope.error(&header, format!("`url` is missing: add one; {URL_HINT}")));
    }
    let spec = name.clone().zip(url).map(|((name, _), url)| {
        let mut spec = FeedSpec::new(name, url);
        if let Some(method) = method {
            spec.method = method;
        }
        spec.body = body.map(|(bytes, _, _)| bytes);
        spec.last_event_id = last_event_id;
        spec
    });
    let feed = ReadFeed {
        spec,
        layer,
        views,
        who: scope.who,
        name: name.as_ref().map(|(n, _)| n.clone()),
    };
    (feed, name)
}

/// A feed's name is shown on its pane and in every message about it: one line of plain text.
fn read_name(f: &Field<'_, '_>) -> Result<String, ConfigError> {
    let text = f.string("a string", "\"ticker\"")?;
    if text.trim().is_empty() {
        return Err(f.fail("`name` is empty; write a short label, e.g. name = \"ticker\""));
    }
    if has_controls(text) {
        return Err(f.fail(format!(
            "`name` = \"{}\" has a control or bidi character; write a short label on one \
             line, e.g. name = \"ticker\"",
            escape(text)
        )));
    }
    Ok(text.to_string())
}

fn read_method(f: &Field<'_, '_>) -> Result<String, ConfigError> {
    let written = f.string("an HTTP method", "\"POST\"")?;
    let text = written.trim().to_ascii_uppercase();
    if text.is_empty() || Method::from_bytes(text.as_bytes()).is_err() {
        return Err(f.fail(format!(
            "`method` \"{}\" is not an HTTP method; write e.g. method = \"POST\"",
            escape(written)
        )));
    }
    Ok(text)
}

/// Sent as `Last-Event-ID` and shown by `check`: one line of plain text.
fn read_last_event_id(f: &Field<'_, '_>) -> Result<String, ConfigError> {
    let text = f.string("a string", "\"42\"")?;
    if has_controls(text) {
        return Err(f.fail(format!(
            "`last_event_id` = \"{}\" has a control or bidi character (an SSE id is one line \
             of text); write the id as the server sends it, e.g. last_event_id = \"42\"",
            escape(text)
        )));
    }
    Ok(text.to_string())
}

fn read_url(f: &Field<'_, '_>) -> Result<Url, ConfigError> {
    let raw = f.string("a string", "\"https://host/stream\"")?;
    let text = escape(raw);
    let url =
        Url::parse(raw.trim()).map_err(|e| f.fail(format!("url \"{text}\": {e}; {URL_HINT}")))?;
    match url.scheme() {
        "http" | "https" => {}
        // `localhost:7878/x` parses with the scheme `localhost`.
        _ if !raw.contains("://") => {
            return Err(f.fail(format!(
                "url \"{text}\" has no http:// or https://; write e.g. \"http://{}\"",
                text.trim()
            )));
        }
        other => {
            return Err(f.fail(format!(
                "url \"{text}\": `{other}` URLs are not supported, only http and https; {URL_HINT}"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(f.fail(format!("url \"{text}\" has no host; {URL_HINT}")));
    }
    Ok(url)
}

fn read_body_file(f: &Field<'_, '_>, base: &Path) -> Result<Vec<u8>, ConfigError> {
    let rel = f.string("a path", "\"prompt.json\"")?;
    let path = base.join(rel);
    std::fs::read(&path).map_err(|e| {
        f.fail(format!(
            "`body_file` \"{}\": cannot read {}: {e}; the path is relative to the config \
             file's folder",
            escape(rel),
            shown_path(&path)
        ))
    })
}
