//! Per-feed `proxy` and `no_proxy`, over the environment's HTTP_PROXY / NO_PROXY, through a
//! real forwarding proxy on 127.0.0.1 that counts what it carries; `check` says which proxy
//! each feed uses.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Each forwarded request's first line and Proxy-Authorization.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A forwarding HTTP proxy on 127.0.0.1: each request's first line and Proxy-Authorization
/// are kept; it forwards only to 127.0.0.1 (anything else gets a 403).
struct Proxy {
    url: String,
    seen: Seen,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    async fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let _ = forward(sock, log).await;
                });
            }
        });
        Proxy { url, seen, task }
    }

    /// The request lines it forwarded, e.g. `GET http://127.0.0.1:4000/a HTTP/1.1`.
    fn requests(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(l, _)| l.clone())
            .collect()
    }

    fn authorizations(&self) -> Vec<Option<String>> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(_, a)| a.clone())
            .collect()
    }
}

async fn forward(mut client: TcpStream, log: Seen) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let first = head.lines().next().unwrap_or("").to_string();
    let auth = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("proxy-authorization: ")
                .or(l.strip_prefix("Proxy-Authorization: "))
        })
        .map(str::to_string);
    log.lock().unwrap().push((first.clone(), auth));
    // `GET http://127.0.0.1:PORT/path HTTP/1.1`: forwarded in origin form, loopback only.
    let mut parts = first.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let Some(rest) = target.strip_prefix("http://127.0.0.1:") else {
        client
            .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    let (port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut upstream = TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).await?;
    let headers = head.split_once("\r\n").map_or("", |(_, h)| h);
    let path = if path.is_empty() { "/" } else { path };
    upstream
        .write_all(format!("{method} {path} HTTP/1.1\r\n{headers}").as_bytes())
        .await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

async fn events_server() -> TestServer {
    TestServer::always(vec![sse_head(), write("data: through\n\n"), Step::Hold]).await
}

/// The environment of a run: these proxies, and nothing inherited from the machine's.
fn env(http_proxy: &str) -> Vec<(&str, &str)> {
    vec![
        ("HTTP_PROXY", http_proxy),
        ("http_proxy", ""),
        ("HTTPS_PROXY", ""),
        ("https_proxy", ""),
        ("ALL_PROXY", ""),
        ("all_proxy", ""),
        ("NO_PROXY", ""),
        ("no_proxy", ""),
    ]
}

async fn tail_config(config: &str, env: &[(&str, &str)], count: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, config).unwrap();
    let path = path.to_str().unwrap();
    ssedash_with(
        &[
            "tail", "--config", path, "--format", "ndjson", "--count", count,
        ],
        env,
        Duration::from_secs(30),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feeds_proxy_carries_its_requests_with_the_credentials_of_its_url() {
    let proxy = Proxy::start().await;
    let server = events_server().await;
    let proxy_url = proxy.url.replace("http://", "http://me:pw@");
    let config = format!(
        "[[feed]]\nname = \"via\"\nurl = \"{}\"\nproxy = \"{proxy_url}\"\n",
        server.url("/via")
    );
    let run = tail_config(&config, &env(""), "1").await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.events()[0]["data"], "through");
    assert_eq!(
        proxy.requests(),
        [format!("GET {} HTTP/1.1", server.url("/via"))]
    );
    // me:pw, as Basic.
    assert_eq!(proxy.authorizations(), [Some("Basic bWU6cHc=".to_string())]);
}

#[tokio::test(flavor = "multi_thread")]
async fn http_proxy_from_the_environment_is_used_unless_the_feeds_no_proxy_names_the_host() {
    let proxy = Proxy::start().await;
    let server = events_server().await;
    let config = format!(
        "[[feed]]\nname = \"env\"\nurl = \"{}\"\n\n\
         [[feed]]\nname = \"direct\"\nurl = \"{}\"\nno_proxy = [\"localhost\", \"127.0.0.1\"]\n",
        server.url("/env"),
        server.url("/direct")
    );
    let run = tail_config(&config, &env(&proxy.url), "2").await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        proxy.requests(),
        [format!("GET {} HTTP/1.1", server.url("/env"))]
    );
    let mut paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    paths.sort();
    assert_eq!(paths, ["/direct", "/env"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_top_level_proxy_applies_to_every_feed_and_replaces_the_environments() {
    let env_proxy = Proxy::start().await;
    let config_proxy = Proxy::start().await;
    let server = events_server().await;
    let config = format!(
        "proxy = \"{}\"\n\n[[feed]]\nname = \"a\"\nurl = \"{}\"\n",
        config_proxy.url,
        server.url("/a")
    );
    let run = tail_config(&config, &env(&env_proxy.url), "1").await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(config_proxy.requests().len(), 1);
    assert!(env_proxy.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn check_shows_which_proxy_each_feed_uses_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(
        &path,
        "[[feed]]\nname = \"own\"\nurl = \"http://127.0.0.1:9/a\"\n\
         proxy = \"http://me:secret@127.0.0.1:3128\"\n\n\
         [[feed]]\nname = \"env\"\nurl = \"http://127.0.0.1:9/b\"\n\n\
         [[feed]]\nname = \"direct\"\nurl = \"http://127.0.0.1:9/c\"\nno_proxy = \"127.0.0.0/8\"\n",
    )
    .unwrap();
    let run = ssedash_with(
        &["check", "--config", path.to_str().unwrap()],
        &env("http://127.0.0.1:8080"),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let proxy_lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("proxy"))
        .map(str::trim)
        .collect();
    assert_eq!(
        proxy_lines,
        [
            "proxy         http://me:••••@127.0.0.1:3128/ (proxy in the config)",
            "proxy         http://127.0.0.1:8080/ (from HTTP_PROXY)",
            "proxy         none (127.0.0.1 matches \"127.0.0.0/8\" in no_proxy)",
        ],
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("secret"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_that_is_not_http_is_a_config_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(
        &path,
        "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/a\"\nproxy = \"socks5://127.0.0.1:1080\"\nno_proxy = 3\n",
    )
    .unwrap();
    let run = ssedash(
        &["check", "--config", path.to_str().unwrap()],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("feeds.toml:4:9: feed \"a\": `proxy` \"socks5://127.0.0.1:1080\": `socks5` proxies are not supported"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("feeds.toml:5:12: feed \"a\": `no_proxy` must be a list of host names"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_all_proxy_that_is_not_http_fails_the_feed_once_naming_the_variable_and_check_says_it() {
    let server = events_server().await;
    let config = format!("[[feed]]\nname = \"a\"\nurl = \"{}\"\n", server.url("/a"));
    let mut vars = env("");
    vars.retain(|(name, _)| *name != "ALL_PROXY");
    vars.push(("ALL_PROXY", "socks5://me:pw@127.0.0.1:1080"));
    let said = "ALL_PROXY is socks5://me:••••@127.0.0.1:1080: `socks5` proxies are not supported";
    let run = tail_config(&config, &vars, "1").await;
    assert!(
        matches!(run.code, Some(c) if c != 0),
        "{:?} {}",
        run.code,
        run.stderr
    );
    // The feed's state lines: failed once, no retry.
    assert_eq!(run.stdout.matches(said).count(), 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("\"state\":\"failed\""),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("me:pw"), "{}", run.stdout);
    assert!(server.requests().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, &config).unwrap();
    let run = ssedash_with(
        &["check", "--config", path.to_str().unwrap()],
        &vars,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("feeds.toml: feed \"a\": {said}")),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_that_refuses_is_named_with_its_password_masked_in_the_reason_and_the_log() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    let log = dir.path().join("debug.log");
    std::fs::write(
        &path,
        format!(
            "[[feed]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/a\"\n\
             proxy = \"http://me:pw@127.0.0.1:{port}\"\n"
        ),
    )
    .unwrap();
    let run = ssedash_with(
        &[
            "tail",
            "--config",
            path.to_str().unwrap(),
            "--timeout",
            "1",
            "--log-file",
            log.to_str().unwrap(),
        ],
        &env(""),
        Duration::from_secs(30),
    )
    .await;
    let proxy = format!("http://me:••••@127.0.0.1:{port}/");
    // The reason of the feed's state line.
    assert!(
        run.stdout.contains(&format!(
            "cannot connect to proxy {proxy}: connection refused"
        )),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("me:pw"), "{}", run.stdout);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("via proxy") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        text.contains(&format!(
            "connecting: GET http://127.0.0.1:9/a via proxy {proxy}"
        )),
        "{text}"
    );
    assert!(!text.contains("me:pw"), "{text}");
}
