//! Parser throughput: ssedash's `Parser` against `eventsource-client` 0.18.0, on the same bytes,
//! in memory, in one run.
//!
//! `cargo bench -p ssedash-bench` (add `-- --quick` for fewer iterations).
//!
//! Both parsers get the same corpus in the same 64 KiB chunks and consume every event (counted,
//! data bytes summed, `black_box`ed); the counts are checked against what the corpus holds
//! before any figure is printed. `eventsource-client` keeps its parser private, so it is driven
//! the only public way: `ClientBuilder` with an in-memory `HttpTransport` that answers 200 with
//! the chunks (no HTTP, no socket), reconnect off, its stream polled to the end on a
//! current-thread tokio runtime. Its figures therefore include its `Stream` machinery (one poll
//! per item, never pending); ssedash's are the bare `Parser::push` loop the feed task runs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ssedash::feed::DEFAULT_MAX_EVENT_BYTES;
use ssedash::sse::{Item, Parser};

const CHUNK: usize = 64 * 1024;

struct Corpus {
    name: &'static str,
    body: Vec<u8>,
    events: usize,
    comments: usize,
}

/// (a) A ticker flood: small events, each with an id and a type.
fn ticker(n: usize) -> Corpus {
    let mut body = Vec::with_capacity(n * 64);
    for i in 0..n {
        body.extend_from_slice(
            format!("id: {i}\nevent: quote\ndata: {{\"symbol\":\"ACME\",\"price\":123.45}}\n\n")
                .as_bytes(),
        );
    }
    Corpus {
        name: "ticker",
        body,
        events: n,
        comments: 0,
    }
}

/// (b) A mix: multi-line data, comments (alone and inside events), CRLF and lone-CR line ends,
/// non-ASCII text, a retry field, and 4 KiB events (one line, and four CRLF lines).
fn mixed(cycles: usize) -> Corpus {
    let blob: String = (0..4096).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    let kib: String = blob[..1024].to_string();
    let mut body = String::new();
    for i in 0..cycles {
        body.push_str(&format!(
            "event: update\nid: {i}\ndata: {{\"a\":1,\ndata:  \"b\":[1,2,3],\ndata:  \"c\":\"caf\u{e9} \u{20AC}\"}}\n\n"
        ));
        body.push_str(&format!(
            "id: {i}\r\nevent: tick\r\ndata: crlf line one\r\ndata: crlf line two\r\n\r\n"
        ));
        body.push_str(&format!(": heartbeat {i}\n\ndata: after the heartbeat\n\n"));
        body.push_str(&format!("event: blob\ndata: {blob}\n\n"));
        body.push_str("data: lone cr\rdata: second line\r\r");
        body.push_str("retry: 3000\ndata: with a retry\n\n");
        body.push_str("data: x\n: a note inside an event\ndata: y\n\n");
        body.push_str(&format!(
            "event: blob4\r\ndata: {kib}\r\ndata: {kib}\r\ndata: {kib}\r\ndata: {kib}\r\n\r\n"
        ));
    }
    Corpus {
        name: "mixed",
        body: body.into_bytes(),
        events: cycles * 8,
        comments: cycles * 2,
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    events: usize,
    comments: usize,
    data_bytes: usize,
}

impl Tally {
    /// Counts one item of ssedash's parser, and consumes it.
    fn count(&mut self, item: Item) {
        match item {
            Item::Event(event) => {
                self.events += 1;
                self.data_bytes += event.data.len();
                black_box(event);
            }
            Item::Comment(text) => {
                self.comments += 1;
                black_box(text);
            }
            other => {
                black_box(other);
            }
        }
    }
}

fn run_ssedash(body: &[u8]) -> Tally {
    let mut parser = Parser::new(DEFAULT_MAX_EVENT_BYTES);
    let mut tally = Tally::default();
    for chunk in body.chunks(CHUNK) {
        parser.push(black_box(chunk), &mut |item| tally.count(item));
    }
    parser.end_of_stream();
    tally
}

/// The path the feed task takes on a flood: each read handed over as `Bytes`, so an event's
/// one data line is a slice of it rather than a copy.
fn run_ssedash_shared(chunks: &[bytes::Bytes]) -> Tally {
    let mut parser = Parser::new(DEFAULT_MAX_EVENT_BYTES);
    let mut tally = Tally::default();
    for chunk in chunks {
        parser.push_shared(black_box(chunk), &mut |item| tally.count(item));
    }
    parser.end_of_stream();
    tally
}

mod esc {
    //! `eventsource-client` 0.18.0 fed from memory through its public client.

    use std::hint::black_box;
    use std::sync::Arc;

    use bytes::Bytes;
    use eventsource_client::{Client, ClientBuilder, Error, ReconnectOptions, SSE};
    use futures_util::StreamExt;
    use launchdarkly_sdk_transport::{
        ByteStream, HttpTransport, Request, Response, ResponseFuture,
    };

    use super::{CHUNK, Tally};

    pub const PATH: &str = "ClientBuilder + in-memory HttpTransport (no HTTP, no socket)";

    /// Answers every request with status 200 and the corpus, chunk by chunk.
    #[derive(Clone)]
    struct Memory {
        chunks: Arc<Vec<Bytes>>,
    }

    impl HttpTransport for Memory {
        fn request(&self, _request: Request<Option<Bytes>>) -> ResponseFuture {
            let chunks = Arc::clone(&self.chunks);
            Box::pin(async move {
                let stream = futures_util::stream::iter(
                    (0..chunks.len()).map(move |i| Ok(chunks[i].clone())),
                );
                let body: ByteStream = Box::pin(stream);
                Ok(Response::builder()
                    .status(200)
                    .header("content-type", "text/event-stream")
                    .body(body)
                    .expect("a valid response"))
            })
        }
    }

    pub struct Runner {
        runtime: tokio::runtime::Runtime,
        transport: Memory,
    }

    impl Runner {
        pub fn new(body: &[u8]) -> Option<Runner> {
            let body = Bytes::copy_from_slice(body);
            let chunks = (0..body.len())
                .step_by(CHUNK)
                .map(|start| body.slice(start..(start + CHUNK).min(body.len())))
                .collect();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            Some(Runner {
                runtime,
                transport: Memory {
                    chunks: Arc::new(chunks),
                },
            })
        }

        pub fn run(&self) -> Tally {
            let client = ClientBuilder::for_url("http://memory.invalid/stream")
                .expect("a valid URL")
                .reconnect(ReconnectOptions::reconnect(false).build())
                .build_with_transport(self.transport.clone());
            self.runtime.block_on(async move {
                let mut stream = client.stream();
                let mut tally = Tally::default();
                while let Some(item) = stream.next().await {
                    match item {
                        Ok(SSE::Event(event)) => {
                            tally.events += 1;
                            tally.data_bytes += event.data.len();
                            black_box(event);
                        }
                        Ok(SSE::Comment(text)) => {
                            tally.comments += 1;
                            black_box(text);
                        }
                        Ok(SSE::Connected(details)) => {
                            black_box(details);
                        }
                        Err(Error::Eof) => {}
                        Err(err) => panic!("eventsource-client failed on the corpus: {err:?}"),
                    }
                }
                tally
            })
        }
    }
}

/// Runs `f` once to warm up, then `iterations` times; the median time and the last tally.
fn measure(iterations: usize, mut f: impl FnMut() -> Tally) -> (Duration, Tally) {
    let mut tally = f();
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        tally = black_box(f());
        times.push(start.elapsed());
    }
    times.sort_unstable();
    (times[times.len() / 2], tally)
}

struct Row {
    events_per_s: f64,
    mb_per_s: f64,
    median: Duration,
}

fn row(corpus: &Corpus, median: Duration) -> Row {
    let secs = median.as_secs_f64();
    Row {
        events_per_s: corpus.events as f64 / secs,
        mb_per_s: corpus.body.len() as f64 / 1e6 / secs,
        median,
    }
}

fn check(who: &str, corpus: &Corpus, tally: Tally) {
    assert_eq!(
        (tally.events, tally.comments),
        (corpus.events, corpus.comments),
        "{who} on {}: events and comments counted differ from the corpus",
        corpus.name
    );
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let iterations = if quick { 3 } else { 11 };

    let corpora = [ticker(200_000), mixed(2_000)];
    println!(
        "ssedash Parser vs eventsource-client 0.18.0, same bytes in {} KiB chunks, median of {iterations} runs{}",
        CHUNK / 1024,
        if quick { " (--quick)" } else { "" }
    );
    println!("  ssedash:            Parser::push loop, max_event_bytes {DEFAULT_MAX_EVENT_BYTES}");
    println!(
        "  ssedash shared:     Parser::push_shared on Bytes reads (the feed task's flood path)"
    );
    println!("  eventsource-client: {}", esc::PATH);
    println!();
    println!(
        "{:<8} {:>9} {:>8}  {:<19} {:>9} {:>10} {:>9}",
        "corpus", "events", "MB", "parser", "median", "events/s", "MB/s"
    );

    for corpus in &corpora {
        let (median, ours) = measure(iterations, || run_ssedash(&corpus.body));
        check("ssedash", corpus, ours);
        let ours_row = row(corpus, median);
        let size = format!("{:.1}", corpus.body.len() as f64 / 1e6);
        print_row(corpus.name, corpus.events, &size, "ssedash", &ours_row);
        let chunks: Vec<bytes::Bytes> = corpus
            .body
            .chunks(CHUNK)
            .map(bytes::Bytes::copy_from_slice)
            .collect();
        let (median, shared) = measure(iterations, || run_ssedash_shared(&chunks));
        check("ssedash (shared reads)", corpus, shared);
        assert_eq!(
            ours, shared,
            "shared reads must parse the same as copied ones"
        );
        print_row(
            "",
            corpus.events,
            "",
            "ssedash shared",
            &row(corpus, median),
        );

        match esc::Runner::new(&corpus.body) {
            Some(runner) => {
                let (median, theirs) = measure(iterations, || runner.run());
                check("eventsource-client", corpus, theirs);
                assert_eq!(
                    ours.data_bytes, theirs.data_bytes,
                    "the parsers disagree on the data of {}",
                    corpus.name
                );
                let theirs_row = row(corpus, median);
                print_row("", corpus.events, "", "eventsource-client", &theirs_row);
                println!(
                    "{:<8} {:>9} {:>8}  {:<19} {:>9} {:>10} {:>9}",
                    "",
                    "",
                    "",
                    "ratio",
                    "",
                    format!("{:.1}x", ours_row.events_per_s / theirs_row.events_per_s),
                    format!("{:.1}x", ours_row.mb_per_s / theirs_row.mb_per_s),
                );
            }
            None => println!(
                "{:<8} {:>9} {:>8}  eventsource-client: not built",
                "", "", ""
            ),
        }
    }
}

fn print_row(corpus: &str, events: usize, size: &str, parser: &str, row: &Row) {
    println!(
        "{:<8} {:>9} {:>8}  {:<19} {:>9} {:>10} {:>9}",
        corpus,
        events,
        size,
        parser,
        format!("{:.2} ms", row.median.as_secs_f64() * 1e3),
        format!("{:.2} M", row.events_per_s / 1e6),
        format!("{:.0}", row.mb_per_s),
    );
}
