//! TLS: a loopback HTTPS server with a certificate from a test CA. Without trust the feed fails
//! and says why; `--cacert` with that CA, or `-k`, gets the events.

mod support;

use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

use support::*;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/tls/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Serves one SSE event over TLS to every connection; returns the port.
async fn https_server() -> u16 {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture("server.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return; // the client refused our certificate
                };
                let mut buf = vec![0u8; 4096];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let response = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                                Connection: close\r\n\r\nid: 1\ndata: secure hello\n\n";
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

async fn tail_https(port: u16, extra: &[&str]) -> Run {
    let url = format!("https://127.0.0.1:{port}/events");
    let mut args = vec![
        "tail",
        &url,
        "--format",
        "ndjson",
        "--no-reconnect",
        "--timeout",
        "10",
    ];
    args.extend_from_slice(extra);
    ssedash(&args, Duration::from_secs(30)).await
}

#[tokio::test]
async fn an_untrusted_certificate_fails_the_feed_and_says_why() {
    let port = https_server().await;
    let run = tail_https(port, &[]).await;
    assert!(run.events().is_empty());
    assert_eq!(run.state_names(), vec!["failed"]);
    let reason = run.states().pop().unwrap()["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("certificate"), "{reason}");
    assert_eq!(run.code, Some(1));
}

#[tokio::test]
async fn cacert_trusts_the_test_ca() {
    let port = https_server().await;
    let ca = fixture("ca.pem");
    let run = tail_https(port, &["--cacert", &ca]).await;
    assert_eq!(run.events().len(), 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.events()[0]["data"], "secure hello");
    assert_eq!(run.code, Some(0));
}

#[tokio::test]
async fn insecure_accepts_any_certificate() {
    let port = https_server().await;
    let run = tail_https(port, &["-k"]).await;
    assert_eq!(run.events().len(), 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, Some(0));
}

#[tokio::test]
async fn tls_settings_from_the_config_file_apply() {
    let port = https_server().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("ca.pem"), dir.path().join("ca.pem")).unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[[feed]]\nname = \"secure\"\nurl = \"https://127.0.0.1:{port}/events\"\n\
             [feed.tls]\nca_file = \"ca.pem\"\n[feed.reconnect]\nwhen = \"never\"\n"
        ),
    )
    .unwrap();
    let run = ssedash(
        &[
            "tail",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "ndjson",
            "--timeout",
            "10",
        ],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(run.events().len(), 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.events()[0]["feed"], "secure");
}

async fn tail_https_with_env(port: u16, env: &[(&str, &str)]) -> Run {
    let url = format!("https://127.0.0.1:{port}/events");
    let args = [
        "tail",
        &url,
        "--format",
        "ndjson",
        "--no-reconnect",
        "--timeout",
        "10",
    ];
    ssedash_with(&args, env, Duration::from_secs(30)).await
}

#[tokio::test]
async fn ssl_cert_file_makes_the_system_trust_store_trust_the_test_ca() {
    let port = https_server().await;
    // Without the test CA in SSL_CERT_FILE (here: the machine's own bundle, if it names one,
    // and an empty SSL_CERT_DIR) the server is not trusted.
    let empty = tempfile::tempdir().unwrap();
    let without =
        tail_https_with_env(port, &[("SSL_CERT_DIR", empty.path().to_str().unwrap())]).await;
    assert_eq!(without.state_names(), vec!["failed"], "{}", without.stderr);
    assert!(without.events().is_empty());

    let ca = fixture("ca.pem");
    let with = tail_https_with_env(port, &[("SSL_CERT_FILE", &ca)]).await;
    assert_eq!(with.events().len(), 1, "{}{}", with.stdout, with.stderr);
    assert_eq!(with.events()[0]["data"], "secure hello");
    assert_eq!(with.code, Some(0));
}

#[tokio::test]
async fn ssl_cert_dir_makes_the_system_trust_store_trust_the_test_ca() {
    let port = https_server().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("ca.pem"), dir.path().join("test-ca.pem")).unwrap();
    let run = tail_https_with_env(port, &[("SSL_CERT_DIR", dir.path().to_str().unwrap())]).await;
    assert_eq!(run.events().len(), 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, Some(0));
}

#[tokio::test]
async fn check_says_what_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        "[[feed]]\nname = \"secure\"\nurl = \"https://127.0.0.1:1/events\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let tls_row = |run: &Run| {
        run.stdout
            .lines()
            .find(|l| l.trim_start().starts_with("tls "))
            .unwrap_or_else(|| panic!("no tls row: {}", run.stdout))
            .split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let ca = fixture("ca.pem");
    let run = ssedash_with(
        &["check", "--config", config],
        &[("SSL_CERT_FILE", &ca), ("SSL_CERT_DIR", "")],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        tls_row(&run),
        format!("system roots from SSL_CERT_FILE {ca} (1 certificate)")
    );
    // A CA file of the feed's own comes on top.
    let with_ca = dir.path().join("with-ca.toml");
    std::fs::write(
        &with_ca,
        format!(
            "[[feed]]\nname = \"secure\"\nurl = \"https://127.0.0.1:1/events\"\n\
             [feed.tls]\nca_file = \"{ca}\"\n"
        ),
    )
    .unwrap();
    let run = ssedash_with(
        &["check", "--config", with_ca.to_str().unwrap()],
        &[("SSL_CERT_FILE", &ca), ("SSL_CERT_DIR", "")],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        tls_row(&run),
        format!("system roots from SSL_CERT_FILE {ca} (1 certificate) + {ca}")
    );
    // A trust store with nothing in it is named as such, not as "system roots".
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let run = ssedash_with(
        &["check", "--config", config],
        &[
            ("SSL_CERT_FILE", empty.to_str().unwrap()),
            ("SSL_CERT_DIR", ""),
        ],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        tls_row(&run),
        format!(
            "system roots from SSL_CERT_FILE {} (no certificates found)",
            empty.display()
        )
    );
}
