//! Test support: a scripted HTTP/1.1 server on 127.0.0.1 that answers each connection with
//! exact bytes (split however the test likes), and a runner for the real `ssedash` binary.
//!
//! The server is deliberately raw: tests need control no framework gives (a CR and its LF in
//! different writes, invalid UTF-8, a connection reset mid-event, a server that goes silent).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub mod pty;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lower case, values as raw bytes.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_slice())
    }

    pub fn header_str(&self, name: &str) -> Option<String> {
        self.header(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }
}

/// What the server does on a connection, in order.
#[derive(Debug, Clone)]
pub enum Step {
    /// Write these bytes (one write call; the peer may still read them in pieces).
    Write(Vec<u8>),
    Sleep(Duration),
    /// Keep the connection open, silent, until the client goes away.
    Hold,
    /// Close with a TCP reset, as a crashed server does.
    Reset,
    /// Write these bytes forever, as fast as the client reads (a flood).
    Flood(Vec<u8>),
}

pub fn write(bytes: impl AsRef<[u8]>) -> Step {
    Step::Write(bytes.as_ref().to_vec())
}

pub fn sleep_ms(ms: u64) -> Step {
    Step::Sleep(Duration::from_millis(ms))
}

/// A response head with this status line and headers, ending the head.
pub fn head(status: &str, headers: &[&str]) -> Step {
    let mut s = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for h in headers {
        s.push_str(h);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    Step::Write(s.into_bytes())
}

/// `200 OK` with `Content-Type: text/event-stream`.
pub fn sse_head() -> Step {
    head("200 OK", &["Content-Type: text/event-stream"])
}

type Script = dyn Fn(usize, &Request) -> Vec<Step> + Send + Sync;

pub struct TestServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    /// Numbers of the connections a [`Step::Hold`] holds now (until the client goes).
    held: Arc<Mutex<Vec<usize>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Starts a server whose `script(n, request)` says what to do on the n-th connection (from 0).
    pub async fn start(
        script: impl Fn(usize, &Request) -> Vec<Step> + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let held = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let reqs = requests.clone();
        let held_too = held.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let script = script.clone();
                let reqs = reqs.clone();
                let held = held_too.clone();
                tokio::spawn(async move {
                    let _ = serve_one(sock, script, reqs, held).await;
                });
            }
        });
        TestServer {
            addr,
            requests,
            held,
            task,
        }
    }

    /// Every connection gets the same steps.
    pub async fn always(steps: Vec<Step>) -> TestServer {
        TestServer::start(move |_, _| steps.clone()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Connections made to `path` so far.
    pub fn connects(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }

    /// Connections to `path` that a [`Step::Hold`] holds now: their client has not gone.
    pub fn held(&self, path: &str) -> usize {
        let held = self.held.lock().unwrap().clone();
        let requests = self.requests();
        held.iter().filter(|&&n| requests[n].path == path).count()
    }
}

async fn serve_one(
    mut sock: TcpStream,
    script: Arc<Script>,
    reqs: Arc<Mutex<Vec<Request>>>,
    held: Arc<Mutex<Vec<usize>>>,
) -> std::io::Result<()> {
    sock.set_nodelay(true)?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let path = first.next().unwrap_or("").to_string();
    // Header values keep their raw bytes (Last-Event-ID may be non-ASCII).
    let mut headers = Vec::new();
    for raw in buf[..head_end].split(|&b| b == b'\n').skip(1) {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if let Some(colon) = raw.iter().position(|&b| b == b':') {
            let name = String::from_utf8_lossy(&raw[..colon]).to_ascii_lowercase();
            let value = raw[colon + 1..].trim_ascii().to_vec();
            headers.push((name, value));
        }
    }
    let mut body = buf[head_end..].to_vec();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| String::from_utf8_lossy(v).parse().ok())
        .unwrap_or(0);
    while body.len() < length {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let request = Request {
        method,
        path,
        headers,
        body,
    };
    let n = {
        let mut reqs = reqs.lock().unwrap();
        reqs.push(request.clone());
        reqs.len() - 1
    };
    for step in script(n, &request) {
        match step {
            Step::Write(bytes) => {
                sock.write_all(&bytes).await?;
                sock.flush().await?;
            }
            Step::Sleep(d) => tokio::time::sleep(d).await,
            Step::Hold => {
                // Wait for the client to close its side (or reset it).
                held.lock().unwrap().push(n);
                while matches!(sock.read(&mut chunk).await, Ok(n) if n > 0) {}
                held.lock().unwrap().retain(|&k| k != n);
                return Ok(());
            }
            Step::Reset => {
                // Zero linger makes close() send RST; it does not block.
                #[allow(deprecated)]
                sock.set_linger(Some(Duration::ZERO))?;
                drop(sock);
                return Ok(());
            }
            Step::Flood(bytes) => loop {
                sock.write_all(&bytes).await?;
            },
        }
    }
    sock.shutdown().await?;
    Ok(())
}

/// What a `ssedash` run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as JSON lines.
    pub fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }

    pub fn events(&self) -> Vec<Value> {
        self.lines()
            .into_iter()
            .filter(|l| l["kind"] == "event")
            .collect()
    }

    /// (type, data, id) of every event.
    pub fn event_triples(&self) -> Vec<(String, String, String)> {
        self.events()
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap().to_string(),
                    e["data"].as_str().unwrap().to_string(),
                    e["id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    pub fn states(&self) -> Vec<Value> {
        self.lines()
            .into_iter()
            .filter(|l| l["kind"] == "state")
            .collect()
    }

    /// The sequence of state names, without `connecting`.
    pub fn state_names(&self) -> Vec<String> {
        self.states()
            .iter()
            .map(|s| s["state"].as_str().unwrap().to_string())
            .filter(|s| s != "connecting")
            .collect()
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_ssedash")
}

/// Runs `ssedash ARGS` with no config from the environment, killing it after `limit`.
pub async fn ssedash(args: &[&str], limit: Duration) -> Run {
    ssedash_with(args, &[], limit).await
}

pub async fn ssedash_with(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Run {
    let mut cmd = tokio::process::Command::new(bin());
    cmd.args(args)
        .env_remove("SSEDASH_CONFIG")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd.spawn().expect("ssedash runs");
    match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(out) => {
            let out = out.unwrap();
            Run {
                code: out.status.code(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        }
        Err(_) => panic!("ssedash {args:?} still running after {limit:?}"),
    }
}

/// `ssedash tail URL --format ndjson ARGS...`, with a generous kill limit.
pub async fn tail(url: &str, args: &[&str]) -> Run {
    let mut all = vec!["tail", url, "--format", "ndjson"];
    all.extend_from_slice(args);
    ssedash(&all, Duration::from_secs(30)).await
}
