//! The HTTP side of a connection attempt: the client, and what a response or an error means
//! for the reconnect state machine.

use std::time::{Duration, SystemTime};

use super::FeedSpec;
use super::reconnect::Ending;
use crate::sse;

/// How many redirects one attempt follows before it is a redirect loop.
pub const MAX_REDIRECTS: usize = 10;

/// What the response head says, before any body is read: `None` to go on reading.
pub fn check_response(response: &reqwest::Response) -> Option<Ending> {
    let status = response.status().as_u16();
    match status {
        200 => {
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            match content_type {
                Some(ct) if sse::is_event_stream(&ct) => None,
                Some(ct) => Some(Ending::Fatal {
                    status: Some(200),
                    reason: format!(
                        "{} is not text/event-stream",
                        crate::text::escape(ct.split(';').next().unwrap_or("").trim())
                    ),
                }),
                None => Some(Ending::Fatal {
                    status: Some(200),
                    reason: "no Content-Type (expected text/event-stream)".into(),
                }),
            }
        }
        204 => Some(Ending::NoContent),
        408 | 429 | 500..=599 => {
            let retry_after = if matches!(status, 429 | 503) {
                response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, SystemTime::now()))
            } else {
                None
            };
            Some(Ending::RetryableStatus {
                status,
                retry_after,
            })
        }
        300..=399 => Some(Ending::Fatal {
            status: Some(status),
            reason: format!("HTTP {status} redirect without a usable Location"),
        }),
        _ => Some(Ending::Fatal {
            status: Some(status),
            reason: match response.status().canonical_reason() {
                Some(phrase) => format!("HTTP {status} {phrase}"),
                None => format!("HTTP {status}"),
            },
        }),
    }
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

pub fn classify_error(err: &reqwest::Error) -> Ending {
    if err.is_redirect() {
        return Ending::Fatal {
            status: None,
            reason: format!("redirect loop (more than {MAX_REDIRECTS} redirects)"),
        };
    }
    if err.is_builder() {
        return Ending::Fatal {
            status: None,
            reason: root_cause(err),
        };
    }
    let what = if err.is_connect() {
        "cannot connect"
    } else if err.is_timeout() {
        "timed out"
    } else if err.is_body() || err.is_decode() {
        "connection lost"
    } else {
        "request failed"
    };
    Ending::NetworkError(format!("{what}: {}", root_cause(err)))
}

/// The innermost cause, which is where reqwest keeps the part people understand
/// ("connection refused", "invalid peer certificate: Expired"), without the OS error number.
fn root_cause(err: &dyn std::error::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    let text = match text.rfind(" (os error ") {
        Some(pos) if text.ends_with(')') => text[..pos].to_string(),
        _ => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "unknown error".into(),
    }
}

/// The certificates of a PEM file (`--cacert`, `tls.ca_file`), or why it cannot be used.
pub fn load_ca_file(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let hint = "expected a PEM file with -----BEGIN CERTIFICATE----- blocks";
    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        return Err(format!("{} has no certificate: {hint}", path.display()));
    }
    match reqwest::Certificate::from_pem_bundle(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(certs),
        Ok(_) => Err(format!("{} has no certificate: {hint}", path.display())),
        Err(e) => Err(format!("{}: {e}; {hint}", path.display())),
    }
}

pub fn build_client(spec: &FeedSpec) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .connect_timeout(spec.read_timeout.min(Duration::from_secs(30)))
        .tcp_nodelay(true)
        .danger_accept_invalid_certs(spec.tls.insecure);
    if let Some(path) = &spec.tls.ca_file {
        for cert in load_ca_file(path)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| root_cause(&e))
}
