//! The embedded demo server: realistic feeds with no server of your own.
//!
//! (Skeleton: the real feeds land in their own commit.)

use std::net::SocketAddr;

use tokio::net::TcpListener;
use url::Url;

use crate::feed::FeedSpec;

/// Serves the demo feeds on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    let app = axum::Router::new();
    axum::serve(listener, app).await
}

/// Starts the demo server in-process on a free loopback port; returns its base URL.
pub async fn start() -> std::io::Result<Url> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve(listener));
    Ok(Url::parse(&format!("http://{addr}/")).expect("a loopback URL parses"))
}

/// The built-in feed list of `--demo`, pointing at a demo server at `base`.
pub fn feeds(base: &Url) -> Vec<FeedSpec> {
    vec![FeedSpec::new(
        "hello",
        base.join("hello").expect("relative path"),
    )]
}
