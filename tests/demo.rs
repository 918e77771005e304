//! The demo server on loopback, watched through ssedash's own feed engine (and plain HTTP
//! where the engine would hide what is checked).

use std::sync::Arc;
use std::time::Duration;

use ssedash::feed::{
    self, ConnState, FeedHandle, FeedId, FeedMsg, FeedSpec, Inbox, Overflow, QueueOptions,
};
use ssedash::sse::{Event, Item, Parser};
use url::Url;

/// Generous: the machine is shared, and nothing here asserts on speed.
const PATIENCE: Duration = Duration::from_secs(30);

/// One feed running against the demo server, with everything it reports kept in order.
struct Watch {
    inbox: Inbox,
    _feed: FeedHandle,
    seen: Vec<FeedMsg>,
}

impl Watch {
    fn start(spec: FeedSpec) -> Watch {
        let mut inbox = Inbox::new();
        let tx =
            inbox.add_feed(QueueOptions::new(10_000, 64 << 20, Overflow::Wait).with_comments(true));
        let handle = feed::spawn(Arc::new(spec), tx);
        Watch {
            inbox,
            _feed: handle,
            seen: Vec::new(),
        }
    }

    /// Receives until `done` holds for everything seen so far; fails after [`PATIENCE`].
    async fn until(&mut self, what: &str, done: impl Fn(&[FeedMsg]) -> bool) {
        let wait = async {
            let mut batch = Vec::new();
            while !done(&self.seen) {
                self.inbox.recv(&mut batch, 1000).await;
                self.seen.extend(batch.drain(..).map(|(_, msg)| msg));
            }
        };
        if tokio::time::timeout(PATIENCE, wait).await.is_err() {
            panic!("timed out waiting for {what}; seen: {:#?}", self.seen);
        }
    }

    async fn events(&mut self, n: usize) -> Vec<Event> {
        self.until(&format!("{n} events"), |seen| events(seen).len() >= n)
            .await;
        events(&self.seen)
    }
}

fn events(seen: &[FeedMsg]) -> Vec<Event> {
    seen.iter()
        .filter_map(|msg| match msg {
            FeedMsg::Event { event, .. } => Some(event.clone()),
            _ => None,
        })
        .collect()
}

fn states(seen: &[FeedMsg]) -> Vec<&ConnState> {
    seen.iter()
        .filter_map(|msg| match msg {
            FeedMsg::State(change) => Some(&change.state),
            _ => None,
        })
        .collect()
}

fn id(event: &Event) -> u64 {
    event
        .id
        .parse()
        .unwrap_or_else(|_| panic!("event id {:?} is not a number", event.id))
}

fn json(event: &Event) -> serde_json::Value {
    serde_json::from_str(&event.data).unwrap_or_else(|e| {
        panic!(
            "{} data is not JSON ({e}): {}",
            event.event_type, event.data
        )
    })
}

/// The demo feed `name`, at `speed`.
async fn demo_feed(name: &str, speed: u32) -> FeedSpec {
    let base = ssedash::demo::start().await.expect("demo server starts");
    let mut spec = ssedash::cli::demo_feeds(&base)
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no demo feed {name}"));
    spec.url.set_query(Some(&format!("speed={speed}")));
    spec
}

#[tokio::test]
async fn ticker_sends_json_quotes_with_increasing_ids() {
    let mut watch = Watch::start(demo_feed("ticker", 20).await);
    let events = watch.events(30).await;
    assert!(events.iter().any(|e| &*e.event_type == "quote"));
    for e in &events {
        let data = json(e);
        let symbol = data["symbol"].as_str().expect("a symbol");
        assert!(!symbol.is_empty());
        match &*e.event_type {
            "quote" => {
                assert!(data["price"].as_f64().expect("a price") > 0.0, "{data}");
                assert!(
                    data["change"].is_number() && data["volume"].is_u64(),
                    "{data}"
                );
            }
            "halt" => assert_eq!(data["reason"], "volatility"),
            "resume" => {}
            other => panic!("unexpected event type {other}"),
        }
    }
    let ids: Vec<u64> = events.iter().map(id).collect();
    let expected: Vec<u64> = (1..=ids.len() as u64).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn ticker_halts_and_resumes_a_symbol() {
    // A halt comes every ~160 events; at this speed that is well under a second.
    let mut watch = Watch::start(demo_feed("ticker", 1000).await);
    watch
        .until("a halt and its resume", |seen| {
            events(seen).iter().any(|e| &*e.event_type == "resume")
        })
        .await;
    let events = events(&watch.seen);
    let halt = events
        .iter()
        .position(|e| &*e.event_type == "halt")
        .expect("a halt first");
    let resume = events
        .iter()
        .position(|e| &*e.event_type == "resume")
        .unwrap();
    assert!(halt < resume);
    let symbol = json(&events[halt])["symbol"].clone();
    assert_eq!(json(&events[resume])["symbol"], symbol);
    // No quotes for a symbol while its trading is halted.
    assert!(
        events[halt + 1..resume]
            .iter()
            .all(|e| json(e)["symbol"] != symbol)
    );
}

#[tokio::test]
async fn ticker_resumes_after_last_event_id_with_the_same_sequence() {
    let mut spec = demo_feed("ticker", 20).await;
    spec.last_event_id = Some("41".into());
    let first = Watch::start(spec.clone()).events(5).await;
    assert_eq!(
        first.iter().map(id).collect::<Vec<_>>(),
        [42, 43, 44, 45, 46]
    );
    // A second client resuming at the same place sees the very same events.
    let again = Watch::start(spec).events(5).await;
    let data = |events: &[Event]| events.iter().map(|e| e.data.clone()).collect::<Vec<_>>();
    assert_eq!(data(&first), data(&again));
}

#[tokio::test]
async fn news_sends_json_headlines_in_a_cycle_of_many() {
    let mut watch = Watch::start(demo_feed("news", 1000).await);
    let events = watch.events(81).await;
    let titles: Vec<String> = events
        .iter()
        .map(|e| {
            assert_eq!(&*e.event_type, "headline");
            let data = json(e);
            assert!(
                data["source"].is_string() && data["section"].is_string(),
                "{data}"
            );
            data["title"].as_str().expect("a title").to_owned()
        })
        .collect();
    assert!(titles.iter().all(|t| !t.is_empty()));
    let cycle = 1 + titles[1..]
        .iter()
        .position(|t| *t == titles[0])
        .expect("headlines cycle");
    assert!(cycle >= 40, "only {cycle} headlines");
    assert_eq!(
        titles[cycle..],
        titles[..titles.len() - cycle],
        "the same order again"
    );
    assert_eq!(
        events.iter().map(id).collect::<Vec<_>>(),
        (1..=81).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn deploys_end_the_response_and_the_client_resumes_without_a_gap() {
    let mut watch = Watch::start(demo_feed("deploys", 50).await);
    // The response ends after 22-40 s / 50; the client waits the server's 2 s and comes back.
    watch
        .until("a reconnect and an event after it", |seen| {
            let opens = seen.iter().rposition(
                |m| matches!(m, FeedMsg::State(c) if c.state == ConnState::Open && c.attempt == 2),
            );
            opens.is_some_and(|at| !events(&seen[at..]).is_empty())
        })
        .await;
    assert_eq!(watch.inbox.retry_ms(FeedId(0)), Some(2000));
    let names: Vec<_> = states(&watch.seen).iter().map(|s| s.name()).collect();
    assert_eq!(
        names,
        ["connecting", "open", "waiting", "connecting", "open"]
    );
    let waiting = watch.seen.iter().find_map(|m| match m {
        FeedMsg::State(c) if c.state.name() == "waiting" => Some(c.clone()),
        _ => None,
    });
    let waiting = waiting.unwrap();
    assert_eq!(waiting.reason.as_deref(), Some("end of stream"));
    assert!(
        matches!(waiting.state, ConnState::Waiting { delay, .. } if delay == Duration::from_millis(2000))
    );

    let events = events(&watch.seen);
    let ids: Vec<u64> = events.iter().map(id).collect();
    assert_eq!(
        ids,
        (1..=ids.len() as u64).collect::<Vec<_>>(),
        "ids across the reconnect"
    );
    for e in &events {
        match &*e.event_type {
            "log" => {
                let level = e.data.split_whitespace().nth(1).unwrap_or("");
                assert!(
                    ["DEBUG", "INFO", "WARN", "ERROR"].contains(&level),
                    "{}",
                    e.data
                );
            }
            "deploy" => {
                let data = json(e);
                assert!(data["service"].is_string() && data["version"].is_string());
                let status = data["status"].as_str().unwrap();
                assert!(
                    ["building", "testing", "rolling-out", "live", "failed"].contains(&status),
                    "{status}"
                );
            }
            other => panic!("unexpected event type {other}"),
        }
    }
    assert_eq!(
        &*events[0].event_type, "deploy",
        "a deploy starts the stream"
    );
}

#[tokio::test]
async fn deploys_send_keep_alives_while_quiet() {
    // 12-18 s of quiet between deploys, 10 s keep-alive, all divided by 1000.
    let mut watch = Watch::start(demo_feed("deploys", 1000).await);
    watch
        .until("a keep-alive comment", |seen| {
            seen.iter()
                .any(|m| matches!(m, FeedMsg::Comment { text, .. } if text == "keep-alive"))
        })
        .await;
}

#[tokio::test]
async fn hello_says_goodbye_and_the_feed_closes_for_good() {
    let mut watch = Watch::start(demo_feed("hello", 50).await);
    watch
        .until("closed", |seen| states(seen).iter().any(|s| s.is_final()))
        .await;
    let events = events(&watch.seen);
    let hellos = &events[..events.len() - 1];
    assert_eq!(hellos.len(), 5);
    assert!(
        hellos
            .iter()
            .all(|e| &*e.event_type == "message" && e.data == "Hello World")
    );
    let close = events.last().unwrap();
    assert_eq!((&*close.event_type, close.data.as_str()), ("close", "bye"));
    assert_eq!(
        events.iter().map(id).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    let last = states(&watch.seen).into_iter().last().unwrap();
    assert_eq!(last, &ConnState::Closed);
}

/// The head and the first `n` parsed items of a GET with the given `Last-Event-ID`.
async fn get(url: Url, last_event_id: Option<&str>, n: usize) -> (reqwest::Response, Vec<Item>) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id);
    }
    let mut response = request.send().await.expect("the server answers");
    let mut items = Vec::new();
    let mut parser = Parser::new(1 << 20);
    let read = async {
        while items.len() < n {
            let Some(chunk) = response.chunk().await.expect("the body reads") else {
                break;
            };
            parser.push(&chunk, &mut |item| items.push(item));
        }
    };
    tokio::time::timeout(PATIENCE, read)
        .await
        .expect("items in time");
    (response, items)
}

fn first_event_id(items: &[Item]) -> Option<&str> {
    items.iter().find_map(|item| match item {
        Item::Event(e) => Some(&*e.id),
        _ => None,
    })
}

#[tokio::test]
async fn streams_answer_as_event_streams_and_shrug_off_odd_requests() {
    let base = ssedash::demo::start().await.unwrap();
    for name in ["ticker", "news", "deploys", "hello"] {
        let (response, items) = get(base.join(name).unwrap(), None, 1).await;
        assert_eq!(response.status(), 200, "{name}");
        let header = |h: &str| response.headers()[h].to_str().unwrap().to_owned();
        assert_eq!(header("content-type"), "text/event-stream", "{name}");
        assert_eq!(header("cache-control"), "no-cache", "{name}");
        assert!(!items.is_empty(), "{name} sends at once");
    }
    // A Last-Event-ID that is not ours starts afresh; one that is resumes.
    let ticker = base.join("ticker").unwrap();
    for odd in [
        "banana",
        "-3",
        "18446744073709551615",
        "99999999999999999999999",
    ] {
        let (response, items) = get(ticker.clone(), Some(odd), 1).await;
        assert_eq!(response.status(), 200);
        assert_eq!(first_event_id(&items), Some("1"), "Last-Event-ID {odd}");
    }
    let (_, items) = get(ticker.clone(), Some(" 7 "), 1).await;
    assert_eq!(first_event_id(&items), Some("8"));
    // Speeds out of range are clamped; one that is not a number says so.
    for speed in ["0", "-1", "1e300", "inf"] {
        let mut url = ticker.clone();
        url.set_query(Some(&format!("speed={speed}")));
        let (response, _) = get(url, None, 1).await;
        assert_eq!(response.status(), 200, "speed={speed}");
    }
    for speed in ["fast", "NaN", ""] {
        let mut url = ticker.clone();
        url.set_query(Some(&format!("speed={speed}")));
        let response = reqwest::get(url).await.unwrap();
        assert_eq!(response.status(), 400, "speed={speed}");
        assert!(response.text().await.unwrap().contains("speed"));
    }
}

#[tokio::test]
async fn the_index_lists_the_streams_and_unknown_paths_are_404() {
    let base = ssedash::demo::start().await.unwrap();
    let index = reqwest::get(base.clone()).await.unwrap();
    assert_eq!(index.status(), 200);
    assert!(
        index.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = index.text().await.unwrap();
    for path in ["/ticker", "/news", "/deploys", "/hello", "speed"] {
        assert!(text.contains(path), "index mentions {path}");
    }
    for path in ["nope", "ticker/extra", "hello.txt"] {
        let response = reqwest::get(base.join(path).unwrap()).await.unwrap();
        assert_eq!(response.status(), 404, "/{path}");
    }
}

#[tokio::test]
async fn a_client_that_leaves_leaves_nothing_running() {
    let base = ssedash::demo::start().await.unwrap();
    let tasks = || {
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
    };
    let idle = tasks();
    // Slow enough that nothing is written for a long time after the first event: the server
    // must notice the client is gone without a write failing.
    let mut url = base.join("hello").unwrap();
    url.set_query(Some("speed=0.1"));
    let (response, items) = get(url, None, 1).await;
    assert!(!items.is_empty());
    assert!(tasks() > idle, "a connection is being served");
    drop(response);
    let gone = async {
        while tasks() > idle {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(PATIENCE, gone)
        .await
        .expect("the server's connection task ends after the client leaves");
}

#[tokio::test]
async fn demo_on_port_0_prints_the_port_it_really_listens_on() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_ssedash"))
        .args(["demo", "--addr", "127.0.0.1:0"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("ssedash demo runs");
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let first = tokio::time::timeout(PATIENCE, lines.next_line())
        .await
        .expect("the demo says where it listens")
        .unwrap()
        .expect("a line");
    assert!(!first.contains(":0/"), "{first}");
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"));
    let index = reqwest::get(base).await.expect("the printed URL answers");
    assert_eq!(index.status(), 200, "{base}");
}
