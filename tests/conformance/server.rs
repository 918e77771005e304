//! One raw HTTP/1.1 server on 127.0.0.1 that replays every vector under `/v/<name>`.
//!
//! The first request of a vector gets its `response`, the k-th later request (any path under
//! `/v/<name>`) gets `followups[k-1]`, later ones 204. `Location` headers are rewritten to land on
//! `/v/<name>/redirected` (absolute stays absolute, relative stays relative, empty stays empty).
//! Bodies end with the connection (`Connection: close`, no length), as the SSE servers of the
//! source suites do.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::{Instant, sleep, timeout};

use crate::vectors::{CHUNK_PAUSE, Class, Resp, Vector, is_placeholder};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub index: usize,
    pub method: String,
    pub target: String,
    /// The percent-decoded path, without the query.
    pub path: String,
    /// Names as sent, values as raw bytes (trimmed of spaces and tabs).
    pub headers: Vec<(String, Vec<u8>)>,
    pub status: u16,
    pub arrival: Instant,
    /// When the FIN of a response that ended went out (reconnection delays count from it).
    pub end: Option<Instant>,
}

/// Server side of one vector while its client runs.
pub struct Run {
    pub vector: Arc<Vector>,
    port: u16,
    requests: Mutex<Vec<Request>>,
    finished: watch::Sender<bool>,
    /// Held streams end at the latest here, whatever the client does.
    deadline: Instant,
}

impl Run {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.vector.path)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Ends the streams held open for this vector.
    pub fn finish(&self) {
        self.finished.send_replace(true);
    }

    fn location_for(&self, loc: &str) -> String {
        if loc.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
            return loc.to_owned();
        }
        if is_placeholder(loc) || has_scheme(loc) {
            format!("http://127.0.0.1:{}{}", self.port, self.vector.target_path)
        } else {
            self.vector.target_path.clone()
        }
    }
}

/// `scheme:` at the start, as RFC 3986 spells a scheme.
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
}

#[derive(Default)]
pub struct Routes {
    runs: Mutex<HashMap<String, Arc<Run>>>,
    /// Requests to paths outside `/v/<name>`: method and target.
    pub unrouted: Mutex<Vec<(String, String)>>,
}

pub struct Server {
    pub port: u16,
    pub routes: Arc<Routes>,
}

impl Server {
    pub async fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("local addr").port();
        let routes = Arc::new(Routes::default());
        let shared = routes.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(handle(sock, shared.clone()));
            }
        });
        Server { port, routes }
    }

    /// Serves `vector` from now on, for a client that runs at most its timeout.
    pub fn add(&self, vector: Arc<Vector>) -> Arc<Run> {
        let run = Arc::new(Run {
            // The client's timeout, its setup allowance, and some.
            deadline: Instant::now() + vector.timeout + Duration::from_secs(15),
            vector,
            port: self.port,
            requests: Mutex::new(Vec::new()),
            finished: watch::channel(false).0,
        });
        let mut runs = self.routes.runs.lock().unwrap();
        runs.insert(run.vector.name.clone(), run.clone());
        run
    }

    pub fn remove(&self, run: &Run) {
        run.finish();
        self.routes.runs.lock().unwrap().remove(&run.vector.name);
    }
}

async fn handle(mut sock: TcpStream, routes: Arc<Routes>) {
    let _ = sock.set_nodelay(true);
    let Ok(Some(head)) = timeout(Duration::from_secs(10), read_head(&mut sock)).await else {
        return;
    };
    let arrival = Instant::now();
    let Some((method, target, headers)) = parse_head(&head) else {
        return;
    };
    // A request in proxy form: keep only the path and query.
    let target = match target.split_once("://") {
        Some((_, rest)) if target.starts_with("http") => rest
            .find('/')
            .map_or("/".to_owned(), |i| rest[i..].to_owned()),
        _ => target,
    };
    let path = percent_decode(target.split('?').next().unwrap_or(""));
    let run = path.strip_prefix("/v/").and_then(|rest| {
        let name = rest.split('/').next().unwrap_or("");
        routes.runs.lock().unwrap().get(name).cloned()
    });
    let Some(run) = run else {
        routes.unrouted.lock().unwrap().push((method, target));
        let _ = sock
            .write_all(b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
            .await;
        finish(&mut sock).await;
        return;
    };
    let index = {
        let mut requests = run.requests.lock().unwrap();
        let index = requests.len();
        requests.push(Request {
            index,
            method,
            target,
            path,
            headers,
            status: run.vector.response_for(index).status,
            arrival,
            end: None,
        });
        index
    };
    let resp = run.vector.response_for(index);
    if send(&mut sock, &run, &resp).await.is_err() {
        return; // the client went away; what it saw is judged from what it reported
    }
    if resp.class == Class::Hold {
        hold(&mut sock, &run).await;
    } else {
        let end = finish(&mut sock).await;
        run.requests.lock().unwrap()[index].end = Some(end);
    }
}

/// Reads up to the blank line that ends the request head (1 MiB at most).
async fn read_head(sock: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    while !contains(&buf, b"\r\n\r\n") && !contains(&buf, b"\n\n") {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 1 << 20 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf)
}

type Head = (String, String, Vec<(String, Vec<u8>)>);

fn parse_head(buf: &[u8]) -> Option<Head> {
    let end = [&b"\r\n\r\n"[..], b"\n\n", b"\r\n\n", b"\n\r\n"]
        .iter()
        .filter_map(|sep| find(buf, sep))
        .min()?;
    let mut lines = buf[..end]
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = latin1(lines.next()?);
    let parts: Vec<&str> = request_line.split(' ').collect();
    let [method, target, _version] = parts[..] else {
        return None;
    };
    let headers = lines
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let name = latin1(&line[..colon]).trim().to_owned();
            let value = trim_sp_tab(&line[colon + 1..]);
            Some((name, value.to_vec()))
        })
        .collect();
    Some((method.to_owned(), target.to_owned(), headers))
}

fn trim_sp_tab(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

async fn send(sock: &mut TcpStream, run: &Run, resp: &Resp) -> std::io::Result<()> {
    let reason = reqwest::StatusCode::from_u16(resp.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map_or_else(|| format!("Status {}", resp.status), str::to_owned);
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", resp.status);
    if let Some(ct) = &resp.content_type {
        head += &format!("Content-Type: {ct}\r\n");
    }
    for (name, value) in &resp.headers {
        let value = if name.eq_ignore_ascii_case("location") {
            run.location_for(value)
        } else {
            value.clone()
        };
        head += &format!("{name}: {value}\r\n");
    }
    head += "Connection: close\r\n\r\n";
    sock.write_all(head.as_bytes()).await?;
    match &resp.chunks {
        Some(chunks) => {
            for chunk in chunks {
                sleep(CHUNK_PAUSE).await;
                sock.write_all(chunk).await?;
            }
        }
        None => sock.write_all(&resp.body).await?,
    }
    sock.flush().await
}

/// A clean end of the response: FIN, then drain, so that closing does not turn into a reset.
/// Returns when the FIN went out.
async fn finish(sock: &mut TcpStream) -> Instant {
    let _ = sock.shutdown().await;
    let end = Instant::now();
    let until = end + Duration::from_secs(2);
    let mut sink = [0u8; 65536];
    while let Ok(Ok(n)) = timeout(Duration::from_millis(500), sock.read(&mut sink)).await {
        if n == 0 || Instant::now() >= until {
            break;
        }
    }
    end
}

/// Keeps a stream open until the client closes it, its vector is over, or the deadline.
async fn hold(sock: &mut TcpStream, run: &Run) {
    let mut finished = run.finished.subscribe();
    let mut sink = [0u8; 65536];
    loop {
        tokio::select! {
            read = sock.read(&mut sink) => match read {
                Ok(0) | Err(_) => return, // the client closed its side
                Ok(_) => {}
            },
            _ = finished.wait_for(|done| *done) => break,
            _ = tokio::time::sleep_until(run.deadline) => break,
        }
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}
