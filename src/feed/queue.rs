//! The way feed messages travel to the consumer (the dashboard or `tail`).
//!
//! Every feed has a queue of its own and the consumer drains them in turn, so a flooding feed
//! can fill only its own queue and never delays another feed's events or state changes. Events
//! beyond a queue's bound are either dropped and counted ([`Overflow::Drop`], the dashboard: the
//! view must stay live) or make that feed's task wait ([`Overflow::Wait`], `tail`: a script gets
//! every event and a slow pipe slows the server down, as with `curl`). State changes are never
//! dropped; they are rare by construction (at most one per connection attempt and delay).
//!
//! Every message is bounded by count and by bytes: a queue holds at most `messages` messages
//! and `bytes` bytes, where a message costs its text (data, type and id, or a comment) plus
//! [`MSG_OVERHEAD`], so a flood of tiny messages is bounded too. What the consumer only needs
//! the latest value of (the last event ID, the server's `retry:`) and what it only counts
//! (comments, unless it asked to see them) are cells beside the queue, not queue traffic.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use super::{FeedId, FeedMsg};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    Drop,
    Wait,
}

/// What a message costs in a queue's byte budget besides its text: its slot in the queue and
/// the allocations behind it, roughly.
pub const MSG_OVERHEAD: usize = std::mem::size_of::<FeedMsg>() + 32;

/// The bounds and behaviour of one feed's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueOptions {
    /// Messages held at most.
    pub messages: usize,
    /// Bytes held at most (see [`FeedMsg::cost`]).
    pub bytes: usize,
    pub overflow: Overflow,
    /// Whether comments travel to the consumer; otherwise they are only counted.
    pub comments: bool,
}

impl QueueOptions {
    pub fn new(messages: usize, bytes: usize, overflow: Overflow) -> Self {
        QueueOptions {
            messages,
            bytes,
            overflow,
            comments: false,
        }
    }

    pub fn with_comments(self, comments: bool) -> Self {
        QueueOptions { comments, ..self }
    }
}

#[derive(Debug, Default)]
struct Queued {
    msgs: VecDeque<FeedMsg>,
    /// What the messages in `msgs` cost, in bytes.
    bytes: usize,
}

#[derive(Debug)]
struct Slot {
    /// The feed's place in the run's list; it changes only when a reload reorders the feeds
    /// ([`Inbox::reorder`]).
    id: AtomicUsize,
    queue: Mutex<Queued>,
    opts: QueueOptions,
    dropped: AtomicU64,
    bytes: AtomicU64,
    comments: AtomicU64,
    /// The server's latest `retry:` in ms; `u64::MAX` until one arrives.
    retry_ms: AtomicU64,
    /// The latest last event ID, `None` until the stream changes it.
    last_event_id: Mutex<Option<crate::sse::FieldStr>>,
    /// Wakes a waiting producer when the consumer made room.
    space: Notify,
    /// The feed's last read was a big one: it reads again at once (see [`Sender::set_busy`]).
    busy: std::sync::atomic::AtomicBool,
}

const NO_RETRY: u64 = u64::MAX;

/// The producer side, owned by one feed task.
#[derive(Debug, Clone)]
pub struct Sender {
    slot: Arc<Slot>,
    wake: Arc<Notify>,
    traffic: Traffic,
}

impl Sender {
    pub fn id(&self) -> FeedId {
        FeedId(self.slot.id.load(Ordering::Relaxed))
    }

    /// Sends a batch in order. Droppable messages beyond the bound are dropped or waited for,
    /// as the queue's [`Overflow`] says; the others always go through.
    pub async fn send_all(&self, msgs: impl IntoIterator<Item = FeedMsg>) {
        let mut pending = msgs.into_iter().peekable();
        while pending.peek().is_some() {
            let notified = self.slot.space.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let must_wait = {
                let mut queue = self.slot.queue.lock().expect("feed queue poisoned");
                let mut must_wait = false;
                while let Some(msg) = pending.peek() {
                    let full = queue.msgs.len() >= self.slot.opts.messages
                        || queue.bytes + msg.cost() > self.slot.opts.bytes;
                    // An empty queue takes anything, so one huge event still gets through.
                    if msg.is_droppable() && full && !queue.msgs.is_empty() {
                        if self.slot.opts.overflow == Overflow::Wait {
                            must_wait = true;
                            break;
                        }
                        // Heartbeats dropped under load are not worth a warning; events are.
                        if matches!(msg, FeedMsg::Event { .. }) {
                            self.slot.dropped.fetch_add(1, Ordering::Relaxed);
                        }
                        pending.next();
                        continue;
                    }
                    let msg = pending.next().expect("peeked");
                    queue.bytes += msg.cost();
                    queue.msgs.push_back(msg);
                }
                must_wait
            };
            self.wake.notify_one();
            if must_wait {
                notified.await;
            }
        }
    }

    /// Sends `batch` as [`Sender::send_all`] does, and leaves it empty. When the queue is
    /// empty (the consumer keeps up) and the batch fits, the two change places: a flood's
    /// read of thousands of events is queued without moving one of them.
    /// `cost` is what the batch's messages cost ([`FeedMsg::cost`]), counted by the caller as
    /// it made them.
    pub async fn send_batch(&self, batch: &mut VecDeque<FeedMsg>, cost: usize) {
        debug_assert_eq!(cost, batch.iter().map(FeedMsg::cost).sum::<usize>());
        self.traffic
            .0
            .messages
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        if batch.is_empty() {
            return;
        }
        {
            let mut queue = self.slot.queue.lock().expect("feed queue poisoned");
            if queue.msgs.is_empty()
                && batch.len() <= self.slot.opts.messages
                && cost <= self.slot.opts.bytes
            {
                std::mem::swap(&mut queue.msgs, batch);
                queue.bytes = cost;
                drop(queue);
                self.wake.notify_one();
                return;
            }
        }
        self.send_all(batch.drain(..)).await;
    }

    pub async fn send(&self, msg: FeedMsg) {
        self.send_all(std::iter::once(msg)).await;
    }

    pub fn add_bytes(&self, n: u64) {
        self.slot.bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts a comment; whether the consumer wants it queued as well.
    pub fn count_comment(&self) -> bool {
        self.slot.comments.fetch_add(1, Ordering::Relaxed);
        self.slot.opts.comments
    }

    /// The server's `retry:` changed the reconnection time.
    pub fn set_retry_ms(&self, ms: u64) {
        // u64::MAX stands for "none": a saturated `retry:` is shown one ms short.
        self.slot
            .retry_ms
            .store(ms.min(NO_RETRY - 1), Ordering::Relaxed);
    }

    /// Whether the feed is busy: its last read was big, and it reads again at once rather than
    /// pausing. Counted in [`Traffic::busy`]; a busy feed must say when it stops (a
    /// [`BusyMark`] does, even when its task ends).
    pub fn set_busy(&self, busy: bool) {
        if self.slot.busy.load(Ordering::Relaxed) != busy
            && self.slot.busy.swap(busy, Ordering::Relaxed) != busy
        {
            if busy {
                self.traffic.0.busy.fetch_add(1, Ordering::Relaxed);
            } else {
                self.traffic.0.busy.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }

    /// A mark that sets the feed not busy when dropped.
    pub fn busy_mark(&self) -> BusyMark {
        BusyMark(self.clone())
    }

    /// The last event ID changed (with or without an event).
    pub fn set_last_event_id(&self, id: crate::sse::FieldStr) {
        *self.slot.last_event_id.lock().expect("feed cell poisoned") = Some(id);
    }
}

/// What a run's feeds are reading: how many are busy (see [`Sender::set_busy`]), and how many
/// messages their reads have brought, for whoever paces the runtime.
#[derive(Debug, Clone, Default)]
pub struct Traffic(Arc<TrafficCounts>);

#[derive(Debug, Default)]
struct TrafficCounts {
    busy: AtomicUsize,
    messages: AtomicU64,
}

impl Traffic {
    /// Feeds busy now.
    pub fn busy(&self) -> usize {
        self.0.busy.load(Ordering::Relaxed)
    }

    /// Messages the feeds have sent in batches (one per read) so far, all feeds together.
    pub fn messages(&self) -> u64 {
        self.0.messages.load(Ordering::Relaxed)
    }
}

/// Sets its feed not busy when dropped: at the end of a response, however it ends.
#[derive(Debug)]
pub struct BusyMark(Sender);

impl Drop for BusyMark {
    fn drop(&mut self) {
        self.0.set_busy(false);
    }
}

/// The consumer side: every feed's queue.
#[derive(Debug)]
pub struct Inbox {
    slots: Vec<Arc<Slot>>,
    wake: Arc<Notify>,
    next: usize,
    traffic: Traffic,
}

impl Default for Inbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Inbox {
    pub fn new() -> Self {
        Inbox {
            slots: Vec::new(),
            wake: Arc::new(Notify::new()),
            next: 0,
            traffic: Traffic::default(),
        }
    }

    /// A queue for one more feed.
    pub fn add_feed(&mut self, opts: QueueOptions) -> Sender {
        let slot = Arc::new(Slot {
            id: AtomicUsize::new(self.slots.len()),
            queue: Mutex::new(Queued::default()),
            opts: QueueOptions {
                messages: opts.messages.max(1),
                ..opts
            },
            dropped: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            comments: AtomicU64::new(0),
            retry_ms: AtomicU64::new(NO_RETRY),
            last_event_id: Mutex::new(None),
            space: Notify::new(),
            busy: std::sync::atomic::AtomicBool::new(false),
        });
        self.slots.push(slot.clone());
        Sender {
            slot,
            wake: self.wake.clone(),
            traffic: self.traffic.clone(),
        }
    }

    /// Rearranges the queues for a new list of feeds (a config reload): feed `i` of the new
    /// list keeps the queue of old feed `order[i]`, counters and queued messages included, or
    /// gets a new queue when `order[i]` is `None` (its sender is at `i` of the result). The
    /// queues of the old feeds left out are dropped with what they hold; whatever their tasks
    /// still send goes nowhere. Messages already taken carry the old numbers: apply them first.
    pub fn reorder(&mut self, order: &[Option<FeedId>], opts: QueueOptions) -> Vec<Option<Sender>> {
        let old = std::mem::take(&mut self.slots);
        let mut senders = Vec::with_capacity(order.len());
        for (i, keep) in order.iter().enumerate() {
            match keep.and_then(|FeedId(k)| old.get(k)) {
                Some(slot) => {
                    slot.id.store(i, Ordering::Relaxed);
                    self.slots.push(slot.clone());
                    senders.push(None);
                }
                None => senders.push(Some(self.add_feed(opts))),
            }
        }
        self.next = 0;
        senders
    }

    /// Moves up to `per_feed` messages of every feed into `out`, feeds in turn, starting after
    /// the feed that went first last time. Returns whether anything was moved.
    pub fn try_recv(&mut self, out: &mut Vec<(FeedId, FeedMsg)>, per_feed: usize) -> bool {
        let before = out.len();
        self.each_queue(|id, queue| {
            let take = queue.msgs.len().min(per_feed);
            let mut taken = 0;
            out.extend(queue.msgs.drain(..take).map(|m| {
                taken += m.cost();
                (id, m)
            }));
            queue.bytes -= taken;
        });
        out.len() > before
    }

    /// Takes messages in place, for a consumer that keeps a queue per feed (`locals`, indexed
    /// by feed): every feed's queue whose local queue is empty changes places with it, so a
    /// flood's messages are read where its task made them and never moved. A feed whose local
    /// queue still holds messages keeps its own until they are read. Returns whether anything
    /// was taken.
    pub fn try_take(&mut self, locals: &mut [VecDeque<FeedMsg>]) -> bool {
        let mut taken = false;
        self.each_queue(|FeedId(id), queue| {
            let local = &mut locals[id];
            if local.is_empty() {
                std::mem::swap(&mut queue.msgs, local);
                queue.bytes = 0;
                taken = true;
            }
        });
        taken
    }

    /// Calls `take` on every feed's queue that holds messages, feeds in turn, starting after
    /// the feed that went first last time, and wakes producers that now have room.
    fn each_queue(&mut self, mut take: impl FnMut(FeedId, &mut Queued)) {
        let n = self.slots.len();
        for k in 0..n {
            let slot = &self.slots[(self.next + k) % n];
            let mut queue = slot.queue.lock().expect("feed queue poisoned");
            if queue.msgs.is_empty() {
                continue;
            }
            take(FeedId(slot.id.load(Ordering::Relaxed)), &mut queue);
            // A waiting producer is woken once the queue is down to half, not at every
            // take: it then fills half a queue in one go, instead of the two threads
            // trading a wake-up for every few messages.
            let half =
                queue.msgs.len() <= slot.opts.messages / 2 && queue.bytes <= slot.opts.bytes / 2;
            drop(queue);
            if half {
                slot.space.notify_one();
            }
        }
        if n > 0 {
            self.next = (self.next + 1) % n;
        }
    }

    /// Waits until some feed has messages, then moves them as [`Inbox::try_recv`] does.
    pub async fn recv(&mut self, out: &mut Vec<(FeedId, FeedMsg)>, per_feed: usize) {
        self.wait_for(|inbox| inbox.try_recv(out, per_feed)).await;
    }

    /// Waits until some feed has messages, then takes them as [`Inbox::try_take`] does.
    pub async fn take(&mut self, locals: &mut [VecDeque<FeedMsg>]) {
        self.wait_for(|inbox| inbox.try_take(locals)).await;
    }

    async fn wait_for(&mut self, mut got: impl FnMut(&mut Self) -> bool) {
        loop {
            let wake = self.wake.clone();
            let notified = wake.notified();
            if got(self) {
                return;
            }
            notified.await;
        }
    }

    /// What the feeds are reading, shared with whoever paces the runtime.
    pub fn traffic(&self) -> Traffic {
        self.traffic.clone()
    }

    /// Events dropped so far because the feed's queue was full.
    pub fn dropped(&self, id: FeedId) -> u64 {
        self.slots[id.0].dropped.load(Ordering::Relaxed)
    }

    /// Response body bytes received so far.
    pub fn bytes(&self, id: FeedId) -> u64 {
        self.slots[id.0].bytes.load(Ordering::Relaxed)
    }

    /// Comments received so far (queued or not).
    pub fn comments(&self, id: FeedId) -> u64 {
        self.slots[id.0].comments.load(Ordering::Relaxed)
    }

    /// The server's latest `retry:` in ms, if it sent one.
    pub fn retry_ms(&self, id: FeedId) -> Option<u64> {
        let ms = self.slots[id.0].retry_ms.load(Ordering::Relaxed);
        (ms != NO_RETRY).then_some(ms)
    }

    /// The latest last event ID the stream set, if it set one (the one a feed starts from is
    /// in its spec).
    pub fn last_event_id(&self, id: FeedId) -> Option<crate::sse::FieldStr> {
        self.slots[id.0]
            .last_event_id
            .lock()
            .expect("feed cell poisoned")
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::feed::{ConnState, StateChange};
    use crate::sse::Event;

    #[test]
    fn reorder_keeps_kept_queues_with_their_counters_under_new_numbers_and_drops_the_rest() {
        let mut inbox = Inbox::new();
        let opts = QueueOptions::new(100, 1 << 20, Overflow::Drop);
        let (a, b, c) = (
            inbox.add_feed(opts),
            inbox.add_feed(opts),
            inbox.add_feed(opts),
        );
        a.add_bytes(10);
        c.add_bytes(30);
        let send = |tx: &Sender, data: &str| {
            futures_util::FutureExt::now_or_never(tx.send(event(data))).expect("room")
        };
        send(&c, "from c");
        send(&b, "from b");
        // New list: c, a, a new feed; b is gone.
        let senders = inbox.reorder(&[Some(FeedId(2)), Some(FeedId(0)), None], opts);
        assert!(senders[0].is_none() && senders[1].is_none());
        let fresh = senders[2].clone().expect("a new queue");
        assert_eq!(
            (c.id(), a.id(), fresh.id()),
            (FeedId(0), FeedId(1), FeedId(2))
        );
        assert_eq!((inbox.bytes(FeedId(0)), inbox.bytes(FeedId(1))), (30, 10));
        assert_eq!(inbox.bytes(FeedId(2)), 0);
        send(&b, "after removal");
        send(&fresh, "fresh");
        let mut out = Vec::new();
        inbox.try_recv(&mut out, 10);
        let got: Vec<(usize, String)> = out
            .iter()
            .map(|(id, m)| match m {
                FeedMsg::Event { event, .. } => (id.0, event.data.to_string()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(got, vec![(0, "from c".into()), (2, "fresh".into())]);
    }

    /// Sends events `0`, `1`, ... `n - 1`, each as soon as the queue takes it.
    async fn send_numbers(tx: Sender, n: usize) {
        for i in 0..n {
            tx.send(event(&i.to_string())).await;
        }
    }

    fn numbers(n: usize) -> Vec<String> {
        (0..n).map(|i| i.to_string()).collect()
    }

    fn event(data: &str) -> FeedMsg {
        FeedMsg::Event {
            event: Event::new("message", data, ""),
            at: SystemTime::UNIX_EPOCH,
        }
    }

    fn state() -> FeedMsg {
        FeedMsg::State(StateChange {
            state: ConnState::Open,
            attempt: 1,
            status: Some(200),
            reason: None,
            at: SystemTime::UNIX_EPOCH,
        })
    }

    #[tokio::test]
    async fn drop_mode_counts_drops_but_never_drops_states() {
        let mut inbox = Inbox::new();
        let tx = inbox.add_feed(QueueOptions::new(3, 1 << 20, Overflow::Drop));
        tx.send_all((0..10).map(|i| event(&i.to_string()))).await;
        tx.send(state()).await;
        let mut out = Vec::new();
        inbox.try_recv(&mut out, 100);
        assert_eq!(out.len(), 4, "three events and the state change");
        assert!(matches!(out[3].1, FeedMsg::State(_)));
        assert_eq!(inbox.dropped(tx.id()), 7);
    }

    #[tokio::test]
    async fn the_byte_bound_holds_but_one_huge_event_passes() {
        let mut inbox = Inbox::new();
        const QUEUE_BYTES: usize = 1 << 20;
        let tx = inbox.add_feed(QueueOptions::new(1000, QUEUE_BYTES, Overflow::Drop));
        let big = "x".repeat(QUEUE_BYTES / 2 + 1);
        tx.send_all([event(&big), event(&big), event("small")])
            .await;
        let mut out = Vec::new();
        inbox.try_recv(&mut out, 100);
        // The second big event does not fit beside the first; the small one does.
        assert_eq!(out.len(), 2);
        assert!(matches!(&out[1].1, FeedMsg::Event { event, .. } if event.data == "small"));
        assert_eq!(inbox.dropped(tx.id()), 1);
        let huge = "y".repeat(QUEUE_BYTES * 2);
        tx.send(event(&huge)).await;
        out.clear();
        inbox.try_recv(&mut out, 100);
        assert_eq!(out.len(), 1, "an empty queue takes an event of any size");
    }

    #[tokio::test]
    async fn wait_mode_loses_nothing() {
        let mut inbox = Inbox::new();
        let tx = inbox.add_feed(QueueOptions::new(4, 1 << 20, Overflow::Wait));
        let producer = tokio::spawn(send_numbers(tx, 100));
        let mut got = Vec::new();
        let mut out = Vec::new();
        while got.len() < 100 {
            tokio::time::timeout(Duration::from_secs(5), inbox.recv(&mut out, 3))
                .await
                .expect("the producer keeps going as room is made");
            for (_, msg) in out.drain(..) {
                if let FeedMsg::Event { event, .. } = msg {
                    got.push(String::from(event.data));
                }
            }
        }
        producer.await.unwrap();
        assert_eq!(got, numbers(100));
    }

    fn data_of(msgs: &VecDeque<FeedMsg>) -> Vec<String> {
        msgs.iter()
            .map(|m| match m {
                FeedMsg::Event { event, .. } => event.data.to_string(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn try_take_moves_no_message_and_leaves_feeds_whose_taken_messages_are_unread() {
        let mut inbox = Inbox::new();
        let opts = QueueOptions::new(100, 1 << 20, Overflow::Drop);
        let (a, b) = (inbox.add_feed(opts), inbox.add_feed(opts));
        a.send_all(["a1", "a2", "a3"].map(event)).await;
        b.send_all(["b1", "b2"].map(event)).await;
        let queued_at = inbox.slots[0]
            .queue
            .lock()
            .unwrap()
            .msgs
            .as_slices()
            .0
            .as_ptr();
        // Feed b still has a message taken earlier and not yet read.
        let mut locals = vec![VecDeque::new(), VecDeque::from([event("b0")])];
        assert!(inbox.try_take(&mut locals));
        assert_eq!(data_of(&locals[0]), ["a1", "a2", "a3"]);
        // The very messages the feed queued, where it queued them.
        assert_eq!(locals[0].as_slices().0.as_ptr(), queued_at);
        assert_eq!(inbox.slots[0].queue.lock().unwrap().bytes, 0);
        assert_eq!(data_of(&locals[1]), ["b0"]);
        locals[1].clear();
        assert!(inbox.try_take(&mut locals));
        assert_eq!(data_of(&locals[1]), ["b1", "b2"]);
        locals.iter_mut().for_each(VecDeque::clear);
        assert!(!inbox.try_take(&mut locals), "nothing is left");
    }

    #[tokio::test]
    async fn take_wakes_a_waiting_producer_and_loses_nothing() {
        let mut inbox = Inbox::new();
        let tx = inbox.add_feed(QueueOptions::new(4, 1 << 20, Overflow::Wait));
        let producer = tokio::spawn(send_numbers(tx, 100));
        let mut got = Vec::new();
        let mut locals = vec![VecDeque::new()];
        while got.len() < 100 {
            tokio::time::timeout(Duration::from_secs(5), inbox.take(&mut locals))
                .await
                .expect("the producer keeps going as queues are taken");
            got.extend(data_of(&locals[0]));
            locals[0].clear();
        }
        producer.await.unwrap();
        assert_eq!(got, numbers(100));
    }

    #[test]
    fn busy_feeds_are_counted_once_each_until_they_say_so_or_their_mark_is_dropped() {
        let mut inbox = Inbox::new();
        let opts = QueueOptions::new(10, 1 << 20, Overflow::Drop);
        let (a, b) = (inbox.add_feed(opts), inbox.add_feed(opts));
        let traffic = inbox.traffic();
        let mark = a.busy_mark();
        a.set_busy(true);
        a.set_busy(true);
        assert_eq!(traffic.busy(), 1, "a feed said busy twice counts once");
        b.set_busy(true);
        assert_eq!(traffic.busy(), 2);
        b.set_busy(false);
        b.set_busy(false);
        assert_eq!(traffic.busy(), 1);
        drop(mark);
        assert_eq!(traffic.busy(), 0, "a's response ended");
    }

    #[tokio::test]
    async fn traffic_counts_the_messages_of_every_feeds_batches() {
        let mut inbox = Inbox::new();
        let opts = QueueOptions::new(100, 1 << 20, Overflow::Drop);
        let (a, b) = (inbox.add_feed(opts), inbox.add_feed(opts));
        let traffic = inbox.traffic();
        let mut batch: VecDeque<FeedMsg> = ["1", "2", "3"].map(event).into();
        let cost = batch.iter().map(FeedMsg::cost).sum();
        a.send_batch(&mut batch, cost).await;
        let mut batch: VecDeque<FeedMsg> = [event("4")].into();
        let cost = batch.iter().map(FeedMsg::cost).sum();
        b.send_batch(&mut batch, cost).await;
        assert_eq!(traffic.messages(), 4);
    }

    #[tokio::test]
    async fn feeds_take_turns() {
        let mut inbox = Inbox::new();
        let flood = inbox.add_feed(QueueOptions::new(10_000, 64 << 20, Overflow::Drop));
        let quiet = inbox.add_feed(QueueOptions::new(10, 1 << 20, Overflow::Drop));
        flood.send_all((0..5000).map(|_| event("f"))).await;
        quiet.send(event("q")).await;
        let mut out = Vec::new();
        inbox.try_recv(&mut out, 100);
        assert!(
            out.iter().any(|(id, _)| *id == quiet.id()),
            "the quiet feed's event comes in the first batch"
        );
        assert_eq!(out.len(), 101);
    }

    #[tokio::test]
    async fn tiny_messages_are_bounded_by_bytes_through_their_overhead() {
        let mut inbox = Inbox::new();
        // Room for 100 empty events by bytes, though the count bound would take a million.
        let tx = inbox.add_feed(QueueOptions::new(
            1_000_000,
            100 * event("").cost(),
            Overflow::Drop,
        ));
        tx.send_all((0..1000).map(|_| event(""))).await;
        let mut out = Vec::new();
        inbox.try_recv(&mut out, 10_000);
        assert_eq!(out.len(), 100);
        assert_eq!(inbox.dropped(tx.id()), 900);
    }

    #[tokio::test]
    async fn a_burst_of_100_000_small_events_fits_a_byte_bounded_queue_whole() {
        let mut inbox = Inbox::new();
        let tx = inbox.add_feed(QueueOptions::new(1 << 20, 64 << 20, Overflow::Drop));
        tx.send_all((0..100_000).map(|i| event(&format!("{{\"n\":{i}}}"))))
            .await;
        let mut out = Vec::new();
        while inbox.try_recv(&mut out, 4096) {}
        assert_eq!(out.len(), 100_000);
        assert_eq!(inbox.dropped(tx.id()), 0);
    }

    #[tokio::test]
    async fn ids_retries_and_unwanted_comments_are_cells_not_messages() {
        let mut inbox = Inbox::new();
        let quiet = inbox.add_feed(QueueOptions::new(10, 1 << 20, Overflow::Wait));
        let chatty =
            inbox.add_feed(QueueOptions::new(10, 1 << 20, Overflow::Wait).with_comments(true));
        for i in 0..1_000_000u64 {
            quiet.set_last_event_id(i.to_string().into());
            quiet.set_retry_ms(i);
            assert!(!quiet.count_comment(), "nobody asked for comments");
        }
        assert!(chatty.count_comment(), "this consumer asked for comments");
        let mut out = Vec::new();
        assert!(!inbox.try_recv(&mut out, 100), "nothing was queued");
        assert_eq!(inbox.last_event_id(quiet.id()).as_deref(), Some("999999"));
        assert_eq!(inbox.retry_ms(quiet.id()), Some(999_999));
        assert_eq!(inbox.comments(quiet.id()), 1_000_000);
        assert_eq!(inbox.retry_ms(chatty.id()), None);
        assert_eq!(inbox.last_event_id(chatty.id()), None);
    }

    #[test]
    fn an_events_type_and_id_count_in_its_cost() {
        let mut msg = event("data");
        let plain = msg.cost();
        if let FeedMsg::Event { event, .. } = &mut msg {
            event.event_type = "t".repeat(256).into();
            event.id = "i".repeat(1024).into();
        }
        assert_eq!(msg.cost(), plain - "message".len() + 256 + 1024);
    }
}
