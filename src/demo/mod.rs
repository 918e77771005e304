//! The embedded demo server: feeds like the ones people watch (stock quotes, headlines,
//! deployment logs, the tutorial "hello", an LLM assistant), with no server of your own.
//!
//! Every stream but the assistant's numbers its events and resumes after a `Last-Event-ID`, and
//! its content is a function of the event id, so a reconnect continues the very same sequence
//! (the assistant, like an LLM API, answers anew on each request). `?speed=` divides
//! every interval, which lets tests run minutes of behaviour in milliseconds.

mod assistant;
mod deploys;
mod hello;
mod news;
pub(crate) mod stream;
mod ticker;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use url::Url;

use stream::{Params, Script};

/// Served at `/`: what is here, for someone who opens the server in a browser or with curl.
const INDEX: &str = "\
ssedash demo server: Server-Sent Events streams with made-up data.

  /ticker    event: quote  {\"symbol\",\"price\",\"change\",\"volume\"} for 6 symbols every
             150-400 ms (change: since the previous close); now and then event: halt
             {\"symbol\",\"reason\"} and, some seconds later, event: resume {\"symbol\"}
  /news      event: headline  {\"title\",\"source\",\"section\"} every 2-5 s, cycling
  /deploys   retry: 2000, then event: log lines (\"12:00:01 INFO  build   step 3/7: ...\")
             every 100-500 ms and event: deploy {\"service\",\"version\",\"status\"}
             (building, testing, rolling-out, live or failed); 12-18 s quiet between deploys;
             the response ends after 22-40 s, to show reconnecting and resuming
  /hello     data: Hello World every 2 s; after 10 s event: close, data: bye, and the end
  /assistant POST (or GET): an answer in OpenAI chat-completion chunks, a word or two every
             20-80 ms, then a usage chunk, data: [DONE] and the end (retry: 3000); each
             connection gets the next answer

Every event has an id; reconnect with Last-Event-ID: N to resume at N+1.
A `: keep-alive` comment follows 10 s of silence.
?speed=X divides every interval (0.1 to 1000, default 1): /hello?speed=10

Try: curl -N http://HOST/ticker    or    ssedash tail URL
";

/// Serves the demo feeds on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/", get(|| async { INDEX }))
        .route("/ticker", get(ticker))
        .route("/news", get(news))
        .route("/deploys", get(deploys))
        .route("/hello", get(hello))
        .route("/assistant", get(assistant).post(assistant))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "not found; the streams are listed at /\n",
            )
        });
    // Events are small writes; without TCP_NODELAY, Nagle holds each one back until the
    // previous one is acknowledged.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await
}

async fn ticker(RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    play(query, &headers, ticker::Ticker::new)
}

async fn news(RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    play(query, &headers, news::News::new)
}

async fn deploys(RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    play(query, &headers, deploys::Deploys::new)
}

async fn hello(RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    play(query, &headers, hello::Hello::new)
}

async fn assistant(RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    play(query, &headers, assistant::Assistant::new)
}

/// Answers a stream request with the script `start` makes from the first event id.
fn play<S: Script>(query: Option<String>, headers: &HeaderMap, start: fn(u64) -> S) -> Response {
    match Params::from_request(query.as_deref(), headers) {
        Ok(params) => stream::respond(start(params.first_id), params),
        Err(why) => (StatusCode::BAD_REQUEST, why).into_response(),
    }
}

/// Starts the demo server in-process on a free loopback port; returns its base URL.
pub async fn start() -> std::io::Result<Url> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve(listener));
    Ok(Url::parse(&format!("http://{addr}/")).expect("a loopback URL parses"))
}
