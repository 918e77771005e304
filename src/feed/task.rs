//! The task behind one feed: connect, read, parse, report, and reconnect as the state machine
//! in [`super::reconnect`] decides. It does I/O and nothing else.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::http::{build_client, check_response, classify_error, plain_duration};
use super::reconnect::{Decision, Ending, Reconnect};
use super::{ConnState, FeedMsg, FeedSpec, Sender, StateChange};
use crate::sse::{Item, Parser};

/// What the user can ask a running feed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Reconnect now: drop the current connection or skip the countdown.
    ReconnectNow,
    /// Close the connection and stay closed.
    Disconnect,
    /// Connect again after a disconnect, a close or a failure.
    Connect,
}

/// A running feed: its task and the way to give it commands.
#[derive(Debug)]
pub struct FeedHandle {
    pub commands: mpsc::Sender<Command>,
    pub task: JoinHandle<()>,
}

impl FeedHandle {
    /// Stops the feed for good (a feed removed from the config): the task is cancelled at its
    /// next await, which drops its connection, so the server sees the client go. Unlike
    /// dropping the handle, nothing more is reported (not even `closed`).
    pub fn stop(self) {
        self.task.abort();
    }
}

/// Stands in for a delay too long to add to an `Instant` (about 30 years).
const FOREVER: Duration = Duration::from_secs(60 * 60 * 24 * 365 * 30);

/// Starts the task of one feed. It ends once the feed is closed or failed and the command
/// channel is dropped (so `tail` ends), or waits for [`Command::Connect`] while it is held.
pub fn spawn(spec: Arc<FeedSpec>, tx: Sender) -> FeedHandle {
    let (commands, rx) = mpsc::channel(8);
    let task = tokio::spawn(run(spec, tx, rx));
    FeedHandle { commands, task }
}

async fn run(spec: Arc<FeedSpec>, tx: Sender, mut commands: mpsc::Receiver<Command>) {
    let mut feed = Feed {
        parser: Parser::new(spec.max_event_bytes)
            .with_last_event_id(spec.last_event_id.as_deref().unwrap_or("")),
        reconnect: Reconnect::new(spec.reconnect.clone()),
        client: build_client(&spec),
        spec,
        tx,
    };
    loop {
        let ending = {
            let attempt = feed.attempt();
            tokio::pin!(attempt);
            loop {
                tokio::select! {
                    ending = &mut attempt => break Some(ending),
                    cmd = commands.recv() => match cmd {
                        Some(Command::ReconnectNow) => break None,
                        Some(Command::Connect) => {} // already connecting or connected
                        Some(Command::Disconnect) | None => break Some(Ending::UserDisconnect),
                    },
                }
            }
        };
        let Some(ending) = ending else {
            feed.parser.end_of_stream();
            feed.reconnect.restart();
            continue;
        };
        feed.parser.end_of_stream();
        crate::log::ignored_lines(&feed.spec, feed.parser.take_ignored_lines());
        let why = crate::log::why(
            &ending,
            &feed.spec.reconnect,
            feed.reconnect.reconnection_time(),
        );
        let decision = feed.reconnect.decide(ending, fastrand::f64());
        crate::log::decision(&feed.spec, &decision, why);
        let attempt = feed.reconnect.attempt();
        match decision {
            Decision::Retry {
                delay,
                attempt,
                status,
                reason,
            } => {
                // A server's `retry:` may be 20 digits long: far beyond any Instant.
                let now = Instant::now();
                let retry_at = now.checked_add(delay).unwrap_or_else(|| now + FOREVER);
                feed.state(
                    ConnState::Waiting { retry_at, delay },
                    attempt,
                    status,
                    Some(reason),
                )
                .await;
                tokio::select! {
                    _ = tokio::time::sleep_until(retry_at.into()) => {}
                    cmd = wait_for_command(&mut commands) => match cmd {
                        Some(Command::Disconnect) => {
                            if !feed.stay_closed("disconnected".into(), &mut commands).await {
                                return;
                            }
                        }
                        // The attempt waited for is made now, under the same number.
                        Some(_) => feed.reconnect.skip_wait(),
                        None => return,
                    },
                }
            }
            Decision::Close { status, reason } => {
                feed.state(ConnState::Closed, attempt, status, Some(reason))
                    .await;
                if !feed.idle_until_connect(&mut commands).await {
                    return;
                }
            }
            Decision::Fail { status, reason } => {
                feed.state(ConnState::Failed, attempt, status, Some(reason))
                    .await;
                if !feed.idle_until_connect(&mut commands).await {
                    return;
                }
            }
        }
    }
}

/// What a feed's rules make of an event: whether it ends the feed, and whether it is kept
/// (`events`). Out of line and cold: a flood's path, on a feed without rules, never calls it.
#[cold]
#[inline(never)]
fn event_rules(spec: &FeedSpec, event: &crate::sse::Event) -> (Option<Ending>, bool) {
    if event.truncated {
        crate::log::cut_event(spec, &event.event_type, &event.id);
    }
    let ending = if spec.stop_on.iter().any(|t| **t == *event.event_type) {
        Some(Ending::StopEvent(event.event_type.to_string()))
    } else if stop_when(spec, event) {
        Some(Ending::StopWhen)
    } else {
        None
    };
    let keep = spec.events.is_empty() || spec.events.iter().any(|t| **t == *event.event_type);
    (ending, keep)
}

/// Whether `stop_when` is true for the event. Run here, like `stop_on`, so that `tail` and
/// the dashboard stop at the same event; a feed without it pays nothing.
fn stop_when(spec: &FeedSpec, event: &crate::sse::Event) -> bool {
    let Some(expr) = spec.exprs.stop_when.as_ref() else {
        return false;
    };
    let input = crate::expr::Input::from_data(&event.data);
    expr.truthy(&input).unwrap_or(false)
}

/// Reads at least this long are shared by their events' data (see [`unshare_if_sparse`]).
const SHARE_READS_FROM: usize = 16 * 1024;

/// Events keep a shared read alive only while their data is at least a quarter of it, so what
/// a queue holds stays within four times what its byte bound counts; otherwise (a big read of
/// mostly comments or filtered events) their data is copied out.
fn unshare_if_sparse(batch: &mut std::collections::VecDeque<FeedMsg>, data: usize, read: usize) {
    if data * 4 < read {
        for msg in batch {
            if let FeedMsg::Event { event, .. } = msg {
                event.data.unshare();
            }
        }
    }
}

/// A read smaller than this is a trickle, worth pausing after (see `FeedSpec::read_interval`).
const COALESCE_BELOW: usize = 2 * 1024;

/// `at`, moved on to the next multiple of `step` since the process started: feeds that pause
/// between reads all wake at the same instants, one wake-up of the runtime for all of them
/// instead of one each.
fn on_grid(at: tokio::time::Instant, step: Duration) -> tokio::time::Instant {
    static ORIGIN: std::sync::OnceLock<tokio::time::Instant> = std::sync::OnceLock::new();
    let origin = *ORIGIN.get_or_init(tokio::time::Instant::now);
    let step_ns = step.as_nanos().max(1);
    let since = at.saturating_duration_since(origin).as_nanos();
    let steps = since.div_ceil(step_ns);
    origin + Duration::from_nanos((steps * step_ns).min(u64::MAX as u128) as u64)
}

async fn wait_for_command(commands: &mut mpsc::Receiver<Command>) -> Option<Command> {
    commands.recv().await
}

struct Feed {
    spec: Arc<FeedSpec>,
    tx: Sender,
    parser: Parser,
    reconnect: Reconnect,
    client: Result<reqwest::Client, String>,
}

impl Feed {
    async fn state(
        &self,
        state: ConnState,
        attempt: u32,
        status: Option<u16>,
        reason: Option<String>,
    ) {
        let change = StateChange {
            state,
            attempt,
            status,
            reason,
            at: SystemTime::now(),
        };
        self.tx.send(FeedMsg::State(change)).await;
    }

    /// After `closed` or `failed`: waits for [`Command::Connect`] (or `ReconnectNow`). Returns
    /// false when the command channel is gone, i.e. nobody can ask any more.
    async fn idle_until_connect(&mut self, commands: &mut mpsc::Receiver<Command>) -> bool {
        loop {
            match commands.recv().await {
                Some(Command::Connect | Command::ReconnectNow) => {
                    self.reconnect.restart();
                    return true;
                }
                Some(Command::Disconnect) => continue,
                None => return false,
            }
        }
    }

    async fn stay_closed(
        &mut self,
        reason: String,
        commands: &mut mpsc::Receiver<Command>,
    ) -> bool {
        let attempt = self.reconnect.attempt();
        self.state(ConnState::Closed, attempt, None, Some(reason))
            .await;
        self.idle_until_connect(commands).await
    }

    /// One connection attempt, from request to the end of the response.
    async fn attempt(&mut self) -> Ending {
        let attempt = self.reconnect.attempt();
        self.state(ConnState::Connecting, attempt, None, None).await;
        let client = match &self.client {
            Ok(client) => client.clone(),
            Err(reason) => {
                return Ending::Fatal {
                    status: None,
                    reason: reason.clone(),
                };
            }
        };
        if let Some(reason) = &self.spec.setup_error {
            return Ending::Fatal {
                status: None,
                reason: reason.clone(),
            };
        }
        let request = match self.build_request(&client) {
            Ok(request) => request,
            Err(reason) => {
                return Ending::Fatal {
                    status: None,
                    reason,
                };
            }
        };
        let proxy = match super::proxy::route(
            &self.spec.proxy,
            &super::proxy::ProxyEnv::from_env(),
            &self.spec.url,
        ) {
            super::proxy::Route::Proxy { url, .. } => Some(url),
            _ => None,
        };
        crate::log::attempt(
            &self.spec,
            attempt,
            self.parser.last_event_id(),
            proxy.as_ref(),
        );
        let read_timeout = self.spec.read_timeout;
        let response = match tokio::time::timeout(read_timeout, client.execute(request)).await {
            Err(_) => {
                return Ending::NetworkError(format!(
                    "no response in {}",
                    plain_duration(read_timeout)
                ));
            }
            Ok(Err(err)) => return super::http::classify_error_via(&err, proxy.as_ref()),
            Ok(Ok(response)) => response,
        };
        crate::log::response(&self.spec, attempt, &response);
        let response = match check_response(response).await {
            Ok(response) => response,
            Err(ending) => return ending,
        };
        self.reconnect.opened();
        self.state(ConnState::Open, attempt, Some(200), None).await;
        self.read_body(response.bytes_stream(), classify_error)
            .await
    }

    /// Reads and reports a response body (generic over the stream so tests can feed one).
    async fn read_body<E>(
        &mut self,
        body: impl futures_util::Stream<Item = Result<bytes::Bytes, E>>,
        classify: impl Fn(&E) -> Ending,
    ) -> Ending {
        let read_timeout = self.spec.read_timeout;
        tokio::pin!(body);
        // A deque, so that it can change places with the queue's (see `Sender::send_batch`).
        let mut batch = std::collections::VecDeque::new();
        // One stall timer for the whole response, moved on only when it fires: re-arming a
        // timer on every read costs more than the read itself on a feed of small events.
        let stall = tokio::time::sleep(read_timeout);
        tokio::pin!(stall);
        let mut last_read = tokio::time::Instant::now();
        let read_interval = self.spec.read_interval;
        let mut last_len = 0;
        let mut first_read = true;
        let pause = tokio::time::sleep(Duration::ZERO);
        tokio::pin!(pause);
        // Not busy once this response ends, however it ends.
        let _busy = self.tx.busy_mark();
        loop {
            // The grid point after the one this read followed: one read per slot.
            let resume = on_grid(last_read + read_interval / 2, read_interval);
            // Only a trickle waits: a read that brought a lot is a busy feed, read at once again
            // so the pause never caps how fast a feed can go.
            if !read_interval.is_zero()
                && last_len < COALESCE_BELOW
                && resume > tokio::time::Instant::now()
            {
                // Not polling the body leaves new bytes in the socket, so the next read takes
                // everything that arrived during the pause at once.
                pause.as_mut().reset(resume);
                pause.as_mut().await;
            }
            let next = tokio::select! {
                biased;
                next = body.next() => next,
                () = &mut stall => {
                    let due = last_read + read_timeout;
                    if due > tokio::time::Instant::now() {
                        stall.as_mut().reset(due);
                        continue;
                    }
                    return Ending::NetworkError(format!(
                        "stalled: nothing received for {}",
                        plain_duration(read_timeout)
                    ));
                }
            };
            let chunk = match next {
                None => return Ending::CleanEnd,
                Some(Err(err)) => return classify(&err),
                Some(Ok(chunk)) => chunk,
            };
            if std::mem::take(&mut first_read) {
                crate::log::body_start(&self.spec, &chunk);
            }
            last_read = tokio::time::Instant::now();
            last_len = chunk.len();
            self.tx.set_busy(last_len >= COALESCE_BELOW);
            self.tx.add_bytes(chunk.len() as u64);
            let at = SystemTime::now();
            let spec = &self.spec;
            let reconnect = &mut self.reconnect;
            let tx = &self.tx;
            let mut stop = None;
            // A latest-value cell: set once per read, not once per event of a flood.
            let mut last_id = None;
            // What the batch costs in the queue, and its events' data bytes, counted as it is made
            // (a pass over a flood's batch afterwards would read it all from memory again).
            let (mut cost, mut data_bytes) = (0, 0);
            let plain =
                spec.stop_on.is_empty() && spec.exprs.stop_when.is_none() && spec.events.is_empty();
            let mut push = |item| {
                if stop.is_some() {
                    return;
                }
                match item {
                    Item::Event(event) => {
                        // A flood's events skip the checks that have nothing to check.
                        let keep = if plain && !event.truncated {
                            true
                        } else {
                            let (ending, keep) = event_rules(spec, &event);
                            stop = ending;
                            keep
                        };
                        if keep {
                            data_bytes += event.data.len();
                            let msg = FeedMsg::Event { event, at };
                            cost += msg.cost();
                            batch.push_back(msg);
                        }
                    }
                    // Comments travel only to a consumer that shows them; the rest are counted.
                    Item::Comment(text) => {
                        if tx.count_comment() {
                            let msg = FeedMsg::Comment { text, at };
                            cost += msg.cost();
                            batch.push_back(msg);
                        }
                    }
                    // Latest-value cells, not queue traffic: a million `retry:` lines cost
                    // what one does.
                    Item::Retry(ms) => {
                        reconnect.set_retry(ms);
                        tx.set_retry_ms(ms);
                    }
                    Item::LastEventId(id) => last_id = Some(id),
                }
            };
            // A flood's events share the read's bytes (no copy per event). A small read is
            // copied: its buffer may be far larger than it, and a quiet feed's event must
            // not pin it while it waits in a queue.
            let shared = chunk.len() >= SHARE_READS_FROM;
            if shared {
                self.parser.push_shared(&chunk, &mut push);
            } else {
                self.parser.push(&chunk, &mut push);
            }
            if shared {
                unshare_if_sparse(&mut batch, data_bytes, chunk.len());
            }
            if let Some(line) = self.parser.take_first_ignored() {
                crate::log::first_ignored_line(&self.spec, &line);
            }
            if let Some(id) = last_id {
                self.tx.set_last_event_id(id);
            }
            self.tx.send_batch(&mut batch, cost).await;
            if let Some(ending) = stop {
                return ending;
            }
            if last_len >= COALESCE_BELOW {
                // A busy feed's next read is ready at once, and a queue that drops never
                // makes it wait: give the other feeds' tasks on this thread their turn first.
                // (Tokio's own budget lets a task keep going for 128 reads, which for big
                // reads is a tenth of a second.)
                tokio::task::yield_now().await;
            }
        }
    }

    fn build_request(&self, client: &reqwest::Client) -> Result<reqwest::Request, String> {
        let spec = &self.spec;
        let method = reqwest::Method::from_bytes(spec.method.as_bytes())
            .map_err(|_| format!("`{}` is not an HTTP method", spec.method))?;
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("text/event-stream"),
        );
        headers.insert(
            reqwest::header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        );
        let id = self.parser.last_event_id();
        if !id.is_empty() {
            // The id's raw bytes: ids may be non-ASCII. One with other control characters
            // cannot be sent as a header at all and is left out.
            if let Ok(value) = HeaderValue::from_bytes(id.as_bytes()) {
                headers.insert(HeaderName::from_static("last-event-id"), value);
            }
        }
        for (name, value) in &spec.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("`{name}` is not a valid header name"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("header `{name}` has a character not allowed in headers"))?;
            headers.insert(name, value);
        }
        let mut request = client.request(method, spec.url.clone()).headers(headers);
        if let Some(body) = &spec.body {
            request = request.body(body.clone());
        }
        request.build().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::task::Poll;

    use super::*;
    use crate::feed::{Inbox, Overflow, QueueOptions};

    /// A flooding feed's next read is always ready and a dropping queue never makes it wait,
    /// so only a yield lets the other feeds' tasks on its thread run: without one, tokio lets
    /// it go on for 128 reads, a tenth of a second of big reads, while a quiet feed's event
    /// waits in its socket.
    #[tokio::test(flavor = "current_thread")]
    async fn a_flooding_feed_gives_up_its_thread_after_every_read() {
        let mut inbox = Inbox::new();
        let tx = inbox.add_feed(QueueOptions::new(1 << 20, 1 << 30, Overflow::Drop));
        let spec = FeedSpec::new("flood", "http://127.0.0.1:9/".parse().unwrap());
        let mut feed = Feed {
            parser: Parser::new(spec.max_event_bytes),
            reconnect: Reconnect::new(spec.reconnect.clone()),
            client: Err("not used".into()),
            spec: Arc::new(spec),
            tx,
        };
        let per_read = COALESCE_BELOW / 9 + 1;
        let read = bytes::Bytes::from("data: x\n\n".repeat(per_read));
        let reads = 10;
        let body = futures_util::stream::iter((0..reads).map(|_| Ok::<_, ()>(read.clone())));
        let reading = feed.read_body(body, |_| unreachable!("no errors in this body"));
        tokio::pin!(reading);
        let mut per_poll = Vec::new();
        let mut out = Vec::new();
        let ending = loop {
            let polled = futures_util::poll!(reading.as_mut());
            inbox.try_recv(&mut out, usize::MAX);
            per_poll.push(out.len());
            out.clear();
            if let Poll::Ready(ending) = polled {
                break ending;
            }
        };
        assert_eq!(ending, Ending::CleanEnd);
        // Every read's events, then one poll that finds the end of the body.
        let mut want = vec![per_read; reads];
        want.push(0);
        assert_eq!(per_poll, want, "events queued per poll of the feed's task");
    }

    #[test]
    fn pauses_end_on_one_grid_so_feeds_wake_together() {
        let step = Duration::from_millis(25);
        // A point on the grid stays where it is.
        let g = on_grid(tokio::time::Instant::now(), step);
        assert_eq!(on_grid(g, step), g);
        // Two feeds that read at different moments within a step resume at the same instant:
        // the next grid point, no earlier than asked.
        let a = on_grid(g + Duration::from_millis(3), step);
        let b = on_grid(g + Duration::from_millis(11), step);
        assert_eq!(a, g + step);
        assert_eq!(b, g + step);
    }
}
