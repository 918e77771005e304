//! The vector file as the runner reads it: each response a vector serves, classified by what the
//! client must do with it, and the timeline budget a correct client needs.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value};

use crate::timing;

/// Pause before each listed chunk, so the client sees separate reads.
pub const CHUNK_PAUSE: Duration = Duration::from_millis(10);
const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];
const HTTP_WS: &[char] = &[' ', '\t', '\r', '\n'];

/// What the client must do with a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A stream that ends with the body: open, then wait and reconnect (or not, per the vector).
    Eof,
    /// A stream the server keeps open after the body.
    Hold,
    /// 204: closed, no reconnect.
    Closed,
    /// Any other status, a 3xx without Location or a wrong Content-Type: failed, no reconnect.
    Failed,
    /// 5xx, 408, 429: waiting, reconnect with backoff (a deliberate deviation from browsers).
    Backoff,
    Redirect,
    /// A 3xx with an empty Location: the client must report an error and never open.
    BadRedirect,
}

/// What the request that received a response must look like.
#[derive(Debug, Clone, Default)]
pub struct RequestExpect {
    pub method: Option<String>,
    /// Name and exact value (`Name_b64` in the file: raw bytes).
    pub headers: Vec<(String, Vec<u8>)>,
    pub headers_absent: Vec<String>,
    /// The request must have gone to the redirect target.
    pub url_path: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub chunks: Option<Vec<Vec<u8>>>,
    pub headers: Vec<(String, String)>,
    pub events: Vec<(String, String, String)>,
    pub expect_reconnect: Option<bool>,
    pub request_expect: RequestExpect,
    pub after_delay_ms: Option<u64>,
    /// Why the runner made this response up.
    pub synthetic: Option<&'static str>,
    pub location: Option<String>,
    pub class: Class,
    /// Valid `retry:` values in the body, in order.
    pub retry_values: Vec<u64>,
}

impl Resp {
    fn new(r: &Value, expect: &Value, request_expect: &Value, after_delay_ms: Option<u64>) -> Self {
        let status = r["status"].as_u64().expect("status") as u16;
        let content_type = r["content_type"].as_str().map(str::to_owned);
        let body = b64(r["body_b64"].as_str().unwrap_or(""));
        let chunks = r["chunks_b64"]
            .as_array()
            .filter(|c| !c.is_empty())
            .map(|c| c.iter().map(|c| b64(c.as_str().expect("chunk"))).collect());
        let headers: Vec<(String, String)> = r["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().expect("header").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let hold = r["connection_stays_open_after_body"].as_bool() == Some(true);
        let events = expect["events"]
            .as_array()
            .map(|evs| {
                evs.iter()
                    .map(|e| (string(&e["type"]), string(&e["data"]), string(&e["id"])))
                    .collect()
            })
            .unwrap_or_default();
        let location = headers
            .iter()
            .find(|(k, _)| k == "Location")
            .map(|(_, v)| v.clone());
        let class = match status {
            200 if mime_essence(content_type.as_deref()).as_deref()
                == Some("text/event-stream") =>
            {
                if hold {
                    Class::Hold
                } else {
                    Class::Eof
                }
            }
            200 => Class::Failed,
            204 => Class::Closed,
            s if REDIRECTS.contains(&s) => match &location {
                None => Class::Failed,
                Some(l) if l.trim_matches(HTTP_WS).is_empty() => Class::BadRedirect,
                Some(_) => Class::Redirect,
            },
            s if s >= 500 || s == 408 || s == 429 => Class::Backoff,
            _ => Class::Failed,
        };
        let retry_values = if matches!(class, Class::Eof | Class::Hold) {
            retry_fields(&body)
        } else {
            Vec::new()
        };
        Resp {
            status,
            content_type,
            body,
            chunks,
            headers,
            events,
            expect_reconnect: expect["reconnect"].as_bool(),
            request_expect: request_expect_from(request_expect),
            after_delay_ms,
            synthetic: None,
            location,
            class,
            retry_values,
        }
    }

    /// The runner's 204 after the last listed response.
    fn final_204() -> Self {
        let mut r = Resp::new(
            &serde_json::json!({"status": 204}),
            &serde_json::json!({"events": [], "reconnect": false}),
            &Value::Null,
            None,
        );
        r.synthetic = Some("runner's 204 after the last followup");
        r
    }

    /// Must another connection attempt follow? `None`: not judged.
    pub fn reconnect(&self) -> Option<bool> {
        match self.class {
            Class::Backoff => Some(true),
            Class::Closed | Class::Failed => Some(false),
            _ => self.expect_reconnect,
        }
    }

    pub fn describe(&self) -> String {
        match self.synthetic {
            Some(why) => format!("{} ({why})", self.status),
            None => self.status.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Vector {
    pub name: String,
    /// Why the vector is not run.
    pub skip: Option<String>,
    pub path: String,
    pub target_path: String,
    pub responses: Vec<Resp>,
    /// A 3xx with an empty Location is answered for every request (see [`Class::BadRedirect`]).
    pub repeat_last: bool,
    /// What the client is configured with, as `--last-event-id` and `-H` would.
    pub last_event_id: Option<String>,
    pub headers: Vec<(String, String)>,
    /// How long the client runs at most.
    pub timeout: Duration,
}

impl Vector {
    /// The vector `v`; with `chunk`, its bodies are re-sent in reads of that many bytes.
    fn new(v: &Value, chunk: Option<usize>) -> Self {
        let name = match chunk {
            Some(n) => format!("{}~chunk{n}", string(&v["name"])),
            None => string(&v["name"]),
        };
        let expect = &v["expect"];
        let skip = (expect["implementation_specific"].as_bool() == Some(true)).then(|| {
            let notes: String = expect["notes"]
                .as_str()
                .unwrap_or("")
                .chars()
                .take(80)
                .collect();
            format!("implementation_specific ({notes})")
        });
        let mut responses = vec![Resp::new(
            &v["response"],
            expect,
            &v["request_expect"],
            None,
        )];
        for f in v["followups"].as_array().into_iter().flatten() {
            responses.push(Resp::new(
                &f["response"],
                &f["expect"],
                &f["request_expect"],
                f["after_delay_ms"].as_u64(),
            ));
        }
        if let Some(n) = chunk {
            for r in responses
                .iter_mut()
                .filter(|r| r.chunks.is_none() && !r.body.is_empty())
            {
                r.chunks = Some(r.body.chunks(n).map(<[u8]>::to_vec).collect());
            }
        }
        let repeat_last = responses.last().expect("a response").class == Class::BadRedirect;
        let last_event_id = v["request_expect"]["client_config"]["lastEventId"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        // es-redirect-* echo the Authorization header into the data ("auth":"Bearer foo"): the
        // client sends it, and the request that received that body must carry it (it has to
        // survive a same-origin redirect).
        let mut headers = Vec::new();
        for r in &mut responses {
            let auths: Vec<String> = r
                .events
                .iter()
                .filter_map(|(_, data, _)| json_object(data))
                .filter_map(|obj| obj.get("auth").and_then(Value::as_str).map(str::to_owned))
                .filter(|auth| !is_placeholder(auth))
                .collect();
            for auth in auths {
                let header = ("Authorization".to_owned(), auth.clone());
                if headers.last() != Some(&header) {
                    headers.push(header);
                }
                let expected = &mut r.request_expect.headers;
                expected.retain(|(n, _)| n != "Authorization");
                expected.push(("Authorization".to_owned(), auth.into_bytes()));
            }
        }
        let path = format!("/v/{name}");
        let mut vector = Vector {
            target_path: format!("{path}/redirected"),
            path,
            name,
            skip,
            responses,
            repeat_last,
            last_event_id,
            headers,
            timeout: Duration::ZERO,
        };
        vector.timeout = timing::budget(&vector.responses);
        vector
    }

    /// The response the `index`-th request (from 0) gets.
    pub fn response_for(&self, index: usize) -> Resp {
        match self.responses.get(index) {
            Some(r) => r.clone(),
            None if self.repeat_last => self.responses.last().expect("a response").clone(),
            None => Resp::final_204(),
        }
    }
}

/// Every vector of the file, in order; or, with `chunk_variants`, a run of each vector per size
/// in its `chunk_sizes_to_test` (the bodies in 1- or 2-byte reads).
pub fn load(json: &str, chunk_variants: bool) -> Vec<Vector> {
    let doc: Value = serde_json::from_str(json).expect("the vector file is JSON");
    assert_eq!(doc["format"], "sse-vectors/1", "unknown vector file format");
    let vectors = doc["vectors"].as_array().expect("vectors");
    if !chunk_variants {
        return vectors.iter().map(|v| Vector::new(v, None)).collect();
    }
    let mut out = Vec::new();
    for v in vectors {
        let followups = v["followups"].as_array().into_iter().flatten();
        let mut sizes: Vec<usize> = std::iter::once(&v["response"])
            .chain(followups.map(|f| &f["response"]))
            .flat_map(|r| r["chunk_sizes_to_test"].as_array().into_iter().flatten())
            .filter_map(|s| s.as_u64().filter(|&s| s > 0).map(|s| s as usize))
            .collect();
        sizes.sort_unstable();
        sizes.dedup();
        out.extend(sizes.into_iter().map(|n| Vector::new(v, Some(n))));
    }
    out
}

/// The MIME essence of a Content-Type (type/subtype, lower case), if it is a valid one.
pub fn mime_essence(ct: Option<&str>) -> Option<String> {
    let s = ct?.trim_matches(HTTP_WS);
    let (t, rest) = s.split_once('/')?;
    let sub = rest
        .split(';')
        .next()
        .unwrap_or("")
        .trim_end_matches(HTTP_WS);
    let token = |x: &str| !x.is_empty() && x.chars().all(is_token_char);
    (token(t) && token(sub)).then(|| format!("{t}/{sub}").to_ascii_lowercase())
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Valid `retry:` values of an event-stream body, in order, read the WHATWG way (one BOM at the
/// start, CR / LF / CRLF line ends, one space after the colon, ASCII digits only). A retry field
/// takes effect without a dispatch, so no event handling is needed.
pub fn retry_fields(body: &[u8]) -> Vec<u64> {
    let text = String::from_utf8_lossy(body);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.split('\n')
        .filter_map(|line| {
            let (name, value) = match line.split_once(':') {
                Some((n, v)) => (n, v.strip_prefix(' ').unwrap_or(v)),
                None => (line, ""),
            };
            let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
            (name == "retry" && digits).then(|| value.parse().unwrap_or(u64::MAX))
        })
        .collect()
}

/// A value like `<origin>` that stands for something the source test filled in.
pub fn is_placeholder(s: &str) -> bool {
    s.len() > 2 && s.starts_with('<') && s.ends_with('>') && !s[1..s.len() - 1].contains(['<', '>'])
}

pub fn json_object(s: &str) -> Option<Map<String, Value>> {
    if !s.starts_with('{') {
        return None;
    }
    serde_json::from_str(s).ok()
}

fn request_expect_from(rq: &Value) -> RequestExpect {
    let headers = rq["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(name, want)| {
                    let want = want.as_str().expect("header value");
                    match name.strip_suffix("_b64") {
                        Some(name) => (name.to_owned(), b64(want)),
                        None => (name.clone(), want.as_bytes().to_vec()),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    RequestExpect {
        method: rq["method"].as_str().map(str::to_owned),
        headers,
        headers_absent: rq["headers_absent"]
            .as_array()
            .map(|a| a.iter().map(string).collect())
            .unwrap_or_default(),
        url_path: rq["url_path"].as_str().map(str::to_owned),
    }
}

fn b64(s: &str) -> Vec<u8> {
    B64.decode(s).expect("valid base64 in the vector file")
}

fn string(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}
