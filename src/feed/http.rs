//! The HTTP side of a connection attempt: the client, and what a response or an error means
//! for the reconnect state machine.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;

use super::FeedSpec;
use super::reconnect::{self, Ending};
use crate::sse;

/// How many redirects one attempt follows before it is a redirect loop.
pub const MAX_REDIRECTS: usize = 10;

/// How much of an error response's body is read, at most, to find what it says.
const ERROR_BODY_READ: usize = 8 * 1024;
/// How long reading that body may take: a server that sends a head and then stalls must not
/// hold the feed up.
const ERROR_BODY_TIME: Duration = Duration::from_secs(2);
/// The longest part of an error body that goes into a reason, in bytes.
pub const ERROR_DETAIL_BYTES: usize = 200;

/// What the response says before any event is read: `None` to go on reading the body. An
/// error status reads a little of its body, bounded in size and time, for the reason.
pub async fn check_response(response: reqwest::Response) -> Result<reqwest::Response, Ending> {
    let status = response.status().as_u16();
    match status {
        200 => {
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            match content_type {
                Some(ct) if sse::is_event_stream(&ct) => Ok(response),
                Some(ct) => Err(Ending::Fatal {
                    status: Some(200),
                    reason: format!(
                        "{} is not text/event-stream",
                        ct.split(';').next().unwrap_or("").trim()
                    ),
                }),
                None => Err(Ending::Fatal {
                    status: Some(200),
                    reason: "no Content-Type (expected text/event-stream)".into(),
                }),
            }
        }
        204 => Err(Ending::NoContent),
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
            Err(Ending::RetryableStatus {
                status,
                retry_after,
                detail: error_detail(response).await,
            })
        }
        300..=399 => Err(Ending::Fatal {
            status: Some(status),
            reason: format!(
                "{} without a usable Location",
                reconnect::status_reason(status, None)
            ),
        }),
        _ => {
            let detail = error_detail(response).await;
            Err(Ending::Fatal {
                status: Some(status),
                reason: reconnect::status_reason(status, detail.as_deref()),
            })
        }
    }
}

/// What an error response's body says, in at most [`ERROR_DETAIL_BYTES`]: for JSON, its error
/// message (`.error.message`, `.error`, `.message`, `.detail`) or else the JSON made compact;
/// for text, the text on one line. `None` for an empty body, one that is not text, or one
/// that does not arrive in time. Raw text: the edge that shows it escapes it.
async fn error_detail(response: reqwest::Response) -> Option<String> {
    let is_text = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| {
            let essence = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence.starts_with("text/") || essence.contains("json") || essence.contains("xml")
        });
    if !is_text {
        return None;
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    let read = async {
        while body.len() < ERROR_BODY_READ {
            match stream.next().await {
                Some(Ok(chunk)) => {
                    let room = ERROR_BODY_READ - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                _ => break,
            }
        }
    };
    // What arrived in time is used; a body that never ends is cut off.
    let _ = tokio::time::timeout(ERROR_BODY_TIME, read).await;
    detail_of(&body)
}

/// The part of an error body worth showing (see [`error_detail`]).
pub fn detail_of(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let message = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .map(|json| json_message(&json).unwrap_or_else(|| json.to_string()));
    let message = message.unwrap_or_else(|| text.split_whitespace().collect::<Vec<_>>().join(" "));
    Some(cut(&message, ERROR_DETAIL_BYTES).to_string())
}

fn json_message(json: &serde_json::Value) -> Option<String> {
    let error = json.get("error");
    let found = [
        error.and_then(|e| e.get("message")),
        error,
        json.get("message"),
        json.get("detail"),
    ];
    found.into_iter().flatten().find_map(|v| match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    })
}

/// At most `max` bytes of `s`, cut on a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A duration in the engine's own plain words (`250 ms`, `60 s`): reasons are data, and the
/// engine does not borrow the display module's wording.
pub fn plain_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
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
    classify_error_via(err, None)
}

/// [`classify_error`] for a request that went through `proxy`: a failure to connect names
/// the proxy (its password masked), so it is not taken for the origin's.
pub fn classify_error_via(err: &reqwest::Error, proxy: Option<&url::Url>) -> Ending {
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
    let to_proxy;
    let what = if let Some(proxy) = proxy.filter(|_| err.is_connect()) {
        to_proxy = format!(
            "cannot connect to proxy {}",
            crate::redact::masked_url(proxy)
        );
        to_proxy.as_str()
    } else if err.is_connect() {
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

/// The HTTP client for a feed. Feeds with the same connection settings share one client:
/// building one reads the whole platform trust store (tens of milliseconds), which a
/// dashboard of 100 feeds must not pay 100 times on its runtime.
pub fn build_client(spec: &FeedSpec) -> Result<reqwest::Client, String> {
    use super::proxy::{ProxyEnv, ProxySettings, reqwest_proxy};
    type Key = (
        Duration,
        bool,
        Option<std::path::PathBuf>,
        ProxySettings,
        ProxyEnv,
    );
    static CLIENTS: Mutex<Vec<(Key, reqwest::Client)>> = Mutex::new(Vec::new());
    let connect_timeout = spec.read_timeout.min(Duration::from_secs(30));
    let key: Key = (
        connect_timeout,
        spec.tls.insecure,
        spec.tls.ca_file.clone(),
        spec.proxy.clone(),
        ProxyEnv::from_env(),
    );
    // A proxy from the environment the client cannot use fails the feed once, here.
    if let super::proxy::Route::Unusable { why, .. } =
        super::proxy::route(&key.3, &key.4, &spec.url)
    {
        return Err(why);
    }
    let mut clients = CLIENTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, client)) = clients.iter().find(|(k, _)| *k == key) {
        return Ok(client.clone());
    }
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true)
        .danger_accept_invalid_certs(spec.tls.insecure)
        // One rule for every request (redirects too), the one `check` describes.
        .no_proxy()
        .proxy(reqwest_proxy(key.3.clone(), key.4.clone()));
    if let Some(path) = &spec.tls.ca_file {
        for cert in load_ca_file(path)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    let client = builder.build().map_err(|e| root_cause(&e))?;
    clients.push((key, client.clone()));
    Ok(client)
}

/// What a feed with these settings trusts, in words (for `check`). The system roots are the
/// platform's store (on Linux the distribution's CA bundle, found as OpenSSL finds it), or,
/// when `SSL_CERT_FILE` or `SSL_CERT_DIR` is set, what those name instead.
pub fn trust_description(tls: &super::Tls) -> String {
    if tls.insecure {
        return "insecure: any certificate is accepted".into();
    }
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let mut sources = Vec::new();
    if let Some(file) = env("SSL_CERT_FILE") {
        sources.push(format!("SSL_CERT_FILE {}", file.to_string_lossy()));
    }
    if let Some(dir) = env("SSL_CERT_DIR") {
        sources.push(format!("SSL_CERT_DIR {}", dir.to_string_lossy()));
    }
    // The same loader reqwest uses, so the count is what a connection will trust.
    let found = rustls_native_certs::load_native_certs().certs.len();
    let certs = match found {
        0 => "no certificates found".to_string(),
        1 => "1 certificate".to_string(),
        n => format!("{n} certificates"),
    };
    let mut text = if sources.is_empty() {
        format!("system roots ({certs})")
    } else {
        format!("system roots from {} ({certs})", sources.join(", "))
    };
    if let Some(ca) = &tls.ca_file {
        text = format!("{text} + {}", ca.display());
    }
    text
}
