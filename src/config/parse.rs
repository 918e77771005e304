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

use super::errors::Source;
use super::layer::{Layer, entries, unknown_key};
use super::value::{Field, Scope};
use super::{Config, ConfigError};
use crate::feed::FeedSpec;

const TOP_KEYS: &[&str] = &[
    "theme",
    "read_timeout",
    "max_event_bytes",
    "buffer",
    "events",
    "stop_on",
    "headers",
    "reconnect",
    "tls",
    "feed",
];
const FEED_KEYS: &[&str] = &[
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
    "reconnect",
    "tls",
];
const URL_HINT: &str = "write a full URL such as \"https://host/stream\"";

pub(super) fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let src = Source { path, text };
    let doc = DeTable::parse(text).map_err(|e| src.syntax(&e))?;
    let base = base_dir(path);
    let scope = Scope {
        src: &src,
        who: String::new(),
        table: "",
    };
    let mut top = Layer::default();
    let mut theme = None;
    let mut feeds = Vec::new();
    for (key, value) in entries(doc.get_ref()) {
        let name = key.get_ref().as_ref();
        match name {
            "theme" => {
                let f = scope.field(name, value);
                let text = f.string("a theme name", "\"dark\"")?;
                if text.trim().is_empty() {
                    return Err(
                        f.fail("`theme` is empty; write a theme name, e.g. theme = \"dark\"")
                    );
                }
                theme = Some(text.to_string());
            }
            "feed" => feeds = read_feeds(&scope, value, &base)?,
            _ if top.read(&scope, name, value, &base, TOP_KEYS)? => {}
            _ if FEED_KEYS.contains(&name) => {
                return Err(scope.error(
                    &key.span(),
                    format!("`{name}` is set per feed: put it below a [[feed]] header"),
                ));
            }
            _ => return Err(unknown_key(&scope, key, TOP_KEYS, "the top level", None)),
        }
    }
    if feeds.is_empty() {
        return Err(ConfigError {
            message: format!(
                "no [[feed]] in {}: add one, e.g.\n\n[[feed]]\nname = \"ticker\"\n\
                 url = \"http://127.0.0.1:7878/ticker\"",
                path.display()
            ),
        });
    }
    let feeds = feeds
        .into_iter()
        .map(|(mut spec, layer)| {
            layer.apply(&top, &mut spec);
            spec
        })
        .collect();
    Ok(Config {
        path: path.to_path_buf(),
        theme,
        feeds,
    })
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

fn read_feeds(
    scope: &Scope<'_>,
    value: &Spanned<DeValue<'_>>,
    base: &Path,
) -> Result<Vec<(FeedSpec, Layer)>, ConfigError> {
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
    let mut feeds = Vec::with_capacity(items.len());
    let mut names: Vec<(String, Range<usize>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let (spec, layer, name_span) = read_feed(scope.src, i + 1, item, base)?;
        if let Some((_, first)) = names.iter().find(|(n, _)| *n == spec.name) {
            return Err(scope.src.error(
                &name_span,
                format!(
                    "feed name \"{}\" is already used on line {}; names must be unique, \
                     e.g. name = \"{}-2\"",
                    spec.name,
                    scope.src.line(first),
                    spec.name
                ),
            ));
        }
        names.push((spec.name.clone(), name_span));
        feeds.push((spec, layer));
    }
    Ok(feeds)
}

/// One `[[feed]]`: its own keys, with the shared ones left in a [`Layer`] to merge later.
fn read_feed(
    src: &Source<'_>,
    number: usize,
    item: &Spanned<DeValue<'_>>,
    base: &Path,
) -> Result<(FeedSpec, Layer, Range<usize>), ConfigError> {
    let Some(table) = item.get_ref().as_table() else {
        unreachable!("read_feeds checked that every item is a table");
    };
    let entries = entries(table);
    // Name the feed in every message, even for keys written above its `name`.
    let who = entries
        .iter()
        .find(|(k, _)| k.get_ref() == "name")
        .and_then(|(_, v)| v.get_ref().as_str())
        .filter(|name| !name.trim().is_empty())
        .map_or_else(
            || format!("[[feed]] #{number}: "),
            |name| format!("feed \"{name}\": "),
        );
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
    for (key, value) in entries {
        let key_name = key.get_ref().as_ref();
        let f = scope.field(key_name, value);
        match key_name {
            "name" => {
                let text = f.string("a string", "\"ticker\"")?;
                if text.trim().is_empty() || text.chars().any(char::is_control) {
                    return Err(
                        f.fail("`name` must be a short label on one line, e.g. name = \"ticker\"")
                    );
                }
                name = Some((text.to_string(), value.span()));
            }
            "url" => url = Some(read_url(&f)?),
            "method" => {
                let text = f
                    .string("an HTTP method", "\"POST\"")?
                    .trim()
                    .to_ascii_uppercase();
                if text.is_empty() || Method::from_bytes(text.as_bytes()).is_err() {
                    return Err(f.fail(format!(
                        "`method` \"{text}\" is not an HTTP method; write e.g. method = \"POST\""
                    )));
                }
                method = Some(text);
            }
            "body" | "body_file" => {
                if let Some((_, other, span)) = &body {
                    return Err(f.fail(format!(
                        "`body` and `body_file` are both set (`{other}` on line {}); keep one",
                        src.line(span)
                    )));
                }
                let bytes = if key_name == "body" {
                    f.string("a string", "'{\"prompt\":\"hi\"}'")?
                        .as_bytes()
                        .to_vec()
                } else {
                    read_body_file(&f, base)?
                };
                body = Some((bytes, key_name, value.span()));
            }
            "last_event_id" => {
                let text = f.string("a string", "\"42\"")?;
                if text.contains(['\0', '\n', '\r']) {
                    return Err(
                        f.fail("`last_event_id` cannot hold a line break or NUL (SSE ids cannot)")
                    );
                }
                last_event_id = Some(text.to_string());
            }
            "theme" => {
                return Err(scope.error(
                    &key.span(),
                    "`theme` is set once, at the top level: move it above the first [[feed]]",
                ));
            }
            _ if layer.read(&scope, key_name, value, base, FEED_KEYS)? => {}
            _ => return Err(unknown_key(&scope, key, FEED_KEYS, "a feed", None)),
        }
    }
    let header = item.span();
    let Some((name, name_span)) = name else {
        return Err(scope.error(
            &header,
            "`name` is missing: add one, e.g. name = \"ticker\"",
        ));
    };
    let Some(url) = url else {
        return Err(scope.error(&header, format!("`url` is missing: add one; {URL_HINT}")));
    };
    let mut spec = FeedSpec::new(name, url);
    if let Some(method) = method {
        spec.method = method;
    }
    spec.body = body.map(|(bytes, _, _)| bytes);
    spec.last_event_id = last_event_id;
    Ok((spec, layer, name_span))
}

fn read_url(f: &Field<'_, '_>) -> Result<Url, ConfigError> {
    let text = f.string("a string", "\"https://host/stream\"")?;
    let url =
        Url::parse(text.trim()).map_err(|e| f.fail(format!("url \"{text}\": {e}; {URL_HINT}")))?;
    match url.scheme() {
        "http" | "https" => {}
        // `localhost:7878/x` parses with the scheme `localhost`.
        _ if !text.contains("://") => {
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
            "`body_file` \"{rel}\": cannot read {}: {e}; the path is relative to the config \
             file's folder",
            path.display()
        ))
    })
}
