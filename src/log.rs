//! `--log-file PATH` / `$SSEDASH_LOG`: a debug log of what the feeds do, for bug reports.
//! Connection attempts, request and response headers (secrets masked), the delay chosen
//! before each reconnect and why, and what the parser skipped. It goes to the file only,
//! written by a background thread (tracing-appender), never to the terminal.
//!
//! The feed engine calls the small functions here, each of which returns at once when no log
//! is open (a cheap `enabled!` check), so nothing is formatted per event on the hot path.

use std::path::Path;
use std::time::Duration;

use tracing::Level;

use crate::config::mask_template;
use crate::feed::FeedSpec;
use crate::feed::reconnect::{Decision, Ending, Policy};
use crate::redact::{is_sensitive, masked_url};
use crate::text::escape;

/// Keeps the log's writer thread; dropping it writes what is still queued.
#[must_use]
pub struct LogGuard {
    _writer: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Opens the log (appending) when a path is given. ssedash's own events at debug level and
/// up; the libraries' only from warnings up (their debug output is noise here). `named_by`
/// (`--log-file` or `$SSEDASH_LOG`) is where the path came from, for the error.
pub fn init(path: Option<&Path>, named_by: &str) -> Result<LogGuard, String> {
    use tracing_subscriber::prelude::*;
    let Some(path) = path else {
        return Ok(LogGuard { _writer: None });
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            format!(
                "{named_by} {}: cannot open it: {e}",
                crate::config::shown_path(path)
            )
        })?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::filter::Targets::new()
        .with_default(Level::WARN)
        .with_target("ssedash", Level::DEBUG);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false);
    tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init()
        .map_err(|e| format!("{named_by}: {e}"))?;
    tracing::info!(version = crate::version::VERSION, "ssedash started");
    Ok(LogGuard {
        _writer: Some(guard),
    })
}

fn on() -> bool {
    tracing::enabled!(Level::DEBUG)
}

/// A header as the log shows it: as written (`${VAR}` kept, so values from the environment
/// never reach the file), and a sensitive header's literal parts masked.
fn shown_header(name: &str, value: &str) -> String {
    let value = if is_sensitive(name) || name.eq_ignore_ascii_case("set-cookie") {
        mask_template(value)
    } else {
        value.to_string()
    };
    format!("{}: {}", escape(name), escape(&value))
}

/// A connection attempt: method, URL (password and token parameters masked) and headers.
pub fn attempt(spec: &FeedSpec, attempt: u32, last_event_id: &str, proxy: Option<&url::Url>) {
    if !on() {
        return;
    }
    // Templates when the headers came through `${VAR}` expansion: the expanded values are
    // what must not be written.
    let headers = if spec.header_templates.is_empty() {
        &spec.headers
    } else {
        &spec.header_templates
    };
    let mut shown: Vec<String> = headers.iter().map(|(n, v)| shown_header(n, v)).collect();
    if !last_event_id.is_empty() {
        shown.push(format!("Last-Event-ID: {}", escape(last_event_id)));
    }
    tracing::debug!(
        feed = %escape(&spec.name),
        attempt,
        "connecting: {} {}{}; request headers: {}",
        escape(&spec.method),
        escape(&masked_url(&spec.url)),
        proxy.map_or_else(String::new, |p| format!(
            " via proxy {}",
            escape(&masked_url(p))
        )),
        if shown.is_empty() { "none".into() } else { shown.join("; ") }
    );
}

/// A response's status and headers.
pub fn response(spec: &FeedSpec, attempt: u32, response: &reqwest::Response) {
    if !on() {
        return;
    }
    let headers: Vec<String> = response
        .headers()
        .iter()
        .map(|(name, value)| {
            shown_header(name.as_str(), &String::from_utf8_lossy(value.as_bytes()))
        })
        .collect();
    tracing::debug!(
        feed = %escape(&spec.name),
        attempt,
        "response: {} {} from {}; headers: {}",
        response.status().as_u16(),
        response.status().canonical_reason().unwrap_or(""),
        escape(&masked_url(response.url())),
        headers.join("; ")
    );
}

/// Why the next delay is what it is, worked out from the ending before the reconnect machine
/// takes it. `None` when no log is open.
pub fn why(ending: &Ending, policy: &Policy, reconnection_time: Duration) -> Option<String> {
    if !on() {
        return None;
    }
    let backoff = || {
        format!(
            "a failure: backoff from the reconnection time {} ×{} per failure in a row, up to \
             {}, less up to {:.0} % jitter",
            plain(reconnection_time),
            policy.factor,
            plain(policy.max),
            policy.jitter * 100.0
        )
    };
    Some(match ending {
        Ending::CleanEnd => format!(
            "a clean end: the reconnection time {} (at least {})",
            plain(reconnection_time),
            plain(policy.floor)
        ),
        Ending::NetworkError(_) => backoff(),
        Ending::RetryableStatus {
            retry_after: Some(after),
            ..
        } => format!(
            "{}; Retry-After {} (used only when longer)",
            backoff(),
            plain(*after)
        ),
        Ending::RetryableStatus { .. } => backoff(),
        // These close or fail the feed: no delay to explain.
        _ => return None,
    })
}

/// What the feed does after an attempt, with [`why`]'s explanation for a wait.
pub fn decision(spec: &FeedSpec, decision: &Decision, why: Option<String>) {
    if !on() {
        return;
    }
    let feed = escape(&spec.name);
    match decision {
        Decision::Retry {
            delay,
            attempt,
            reason,
            ..
        } => tracing::debug!(
            feed = %feed,
            "attempt {attempt} in {}, after: {}; delay chosen for {}",
            plain(*delay),
            escape(reason),
            why.unwrap_or_default()
        ),
        Decision::Close { reason, .. } => {
            tracing::debug!(feed = %feed, "closed: {}", escape(reason))
        }
        Decision::Fail { reason, .. } => {
            tracing::debug!(feed = %feed, "failed: {}", escape(reason))
        }
    }
}

/// The first bytes of a response body: a byte order mark there is skipped, as the spec says.
pub fn body_start(spec: &FeedSpec, bytes: &[u8]) {
    if on() && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        tracing::debug!(feed = %escape(&spec.name), "the stream starts with a UTF-8 BOM (skipped)");
    }
}

/// An event cut at `max_event_bytes`.
pub fn cut_event(spec: &FeedSpec, event_type: &str, id: &str) {
    if on() {
        tracing::debug!(
            feed = %escape(&spec.name),
            "event cut at max_event_bytes = {} bytes (type \"{}\", id \"{}\")",
            spec.max_event_bytes,
            escape(event_type),
            escape(id)
        );
    }
}

/// The first line the parser ignored in a connection, when it comes (escaped; the parser
/// keeps only its head).
pub fn first_ignored_line(spec: &FeedSpec, line: &str) {
    if on() {
        tracing::debug!(
            feed = %escape(&spec.name),
            "line ignored (unknown field, or a retry: or id: value that is not allowed): \"{}\"",
            escape(line)
        );
    }
}

/// Lines the parser ignored during a connection (a field name it does not know, a `retry:`
/// that is not a number, an `id:` with NUL), counted by the parser.
pub fn ignored_lines(spec: &FeedSpec, count: u64) {
    if on() && count > 0 {
        tracing::debug!(
            feed = %escape(&spec.name),
            "{count} line(s) ignored in this connection (unknown field, or a retry: or id: \
             value that is not allowed)"
        );
    }
}

fn plain(d: Duration) -> String {
    crate::feed::plain_duration(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::MASK;

    #[test]
    fn logged_headers_keep_variable_references_and_mask_secrets() {
        assert_eq!(
            shown_header("Authorization", "Bearer ${TOKEN}"),
            "Authorization: Bearer ${TOKEN}"
        );
        assert_eq!(
            shown_header("Set-Cookie", "sid=abc"),
            format!("Set-Cookie: {MASK}")
        );
        assert_eq!(
            shown_header("Accept", "text/event-stream"),
            "Accept: text/event-stream"
        );
    }
}
