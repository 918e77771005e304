//! The way feed messages travel to the consumer (the dashboard or `tail`).
//!
//! Every feed has a queue of its own and the consumer drains them in turn, so a flooding feed
//! can fill only its own queue and never delays another feed's events or state changes. Events
//! beyond a queue's bound are either dropped and counted ([`Overflow::Drop`], the dashboard: the
//! view must stay live) or make that feed's task wait ([`Overflow::Wait`], `tail`: a script gets
//! every event and a slow pipe slows the server down, as with `curl`). State changes are never
//! dropped; they are rare by construction (at most one per connection attempt and delay).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use super::{FeedId, FeedMsg};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    Drop,
    Wait,
}

/// Bytes of event data one feed's queue holds at most (with `capacity` messages, this bounds
/// the queue when events are large).
pub const QUEUE_BYTES: usize = 32 << 20;

#[derive(Debug, Default)]
struct Queued {
    msgs: VecDeque<FeedMsg>,
    /// Bytes of event and comment text in `msgs`.
    bytes: usize,
}

#[derive(Debug)]
struct Slot {
    id: FeedId,
    queue: Mutex<Queued>,
    capacity: usize,
    overflow: Overflow,
    dropped: AtomicU64,
    bytes: AtomicU64,
    /// Wakes a waiting producer when the consumer made room.
    space: Notify,
}

/// The producer side, owned by one feed task.
#[derive(Debug, Clone)]
pub struct Sender {
    slot: Arc<Slot>,
    wake: Arc<Notify>,
}

impl Sender {
    pub fn id(&self) -> FeedId {
        self.slot.id
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
                    let full = queue.msgs.len() >= self.slot.capacity
                        || queue.bytes + msg.text_len() > QUEUE_BYTES;
                    // An empty queue takes anything, so one huge event still gets through.
                    if msg.is_droppable() && full && !queue.msgs.is_empty() {
                        if self.slot.overflow == Overflow::Wait {
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
                    queue.bytes += msg.text_len();
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

    pub async fn send(&self, msg: FeedMsg) {
        self.send_all(std::iter::once(msg)).await;
    }

    pub fn add_bytes(&self, n: u64) {
        self.slot.bytes.fetch_add(n, Ordering::Relaxed);
    }
}

/// The consumer side: every feed's queue.
#[derive(Debug)]
pub struct Inbox {
    slots: Vec<Arc<Slot>>,
    wake: Arc<Notify>,
    next: usize,
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
        }
    }

    /// A queue for one more feed, holding up to `capacity` events.
    pub fn add_feed(&mut self, capacity: usize, overflow: Overflow) -> Sender {
        let slot = Arc::new(Slot {
            id: FeedId(self.slots.len()),
            queue: Mutex::new(Queued::default()),
            capacity: capacity.max(1),
            overflow,
            dropped: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            space: Notify::new(),
        });
        self.slots.push(slot.clone());
        Sender {
            slot,
            wake: self.wake.clone(),
        }
    }

    /// Moves up to `per_feed` messages of every feed into `out`, feeds in turn, starting after
    /// the feed that went first last time. Returns whether anything was moved.
    pub fn try_recv(&mut self, out: &mut Vec<(FeedId, FeedMsg)>, per_feed: usize) -> bool {
        let n = self.slots.len();
        let before = out.len();
        for k in 0..n {
            let slot = &self.slots[(self.next + k) % n];
            let mut queue = slot.queue.lock().expect("feed queue poisoned");
            let take = queue.msgs.len().min(per_feed);
            if take > 0 {
                let taken: usize = queue.msgs.range(..take).map(FeedMsg::text_len).sum();
                queue.bytes -= taken;
                out.extend(queue.msgs.drain(..take).map(|m| (slot.id, m)));
                drop(queue);
                slot.space.notify_one();
            }
        }
        if n > 0 {
            self.next = (self.next + 1) % n;
        }
        out.len() > before
    }

    /// Waits until some feed has messages, then moves them as [`Inbox::try_recv`] does.
    pub async fn recv(&mut self, out: &mut Vec<(FeedId, FeedMsg)>, per_feed: usize) {
        loop {
            let wake = self.wake.clone();
            let notified = wake.notified();
            if self.try_recv(out, per_feed) {
                return;
            }
            notified.await;
        }
    }

    /// Events dropped so far because the feed's queue was full.
    pub fn dropped(&self, id: FeedId) -> u64 {
        self.slots[id.0].dropped.load(Ordering::Relaxed)
    }

    /// Response body bytes received so far.
    pub fn bytes(&self, id: FeedId) -> u64 {
        self.slots[id.0].bytes.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::feed::{ConnState, StateChange};
    use crate::sse::Event;

    fn event(data: &str) -> FeedMsg {
        FeedMsg::Event {
            event: Event {
                event_type: Arc::from("message"),
                data: data.to_string(),
                id: Arc::from(""),
                truncated: false,
            },
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
        let tx = inbox.add_feed(3, Overflow::Drop);
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
        let tx = inbox.add_feed(1000, Overflow::Drop);
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
        let tx = inbox.add_feed(4, Overflow::Wait);
        let producer = tokio::spawn(async move {
            for i in 0..100 {
                tx.send(event(&i.to_string())).await;
            }
        });
        let mut got = Vec::new();
        let mut out = Vec::new();
        while got.len() < 100 {
            tokio::time::timeout(Duration::from_secs(5), inbox.recv(&mut out, 3))
                .await
                .expect("the producer keeps going as room is made");
            for (_, msg) in out.drain(..) {
                if let FeedMsg::Event { event, .. } = msg {
                    got.push(event.data);
                }
            }
        }
        producer.await.unwrap();
        let want: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        assert_eq!(got, want);
    }

    #[tokio::test]
    async fn feeds_take_turns() {
        let mut inbox = Inbox::new();
        let flood = inbox.add_feed(10_000, Overflow::Drop);
        let quiet = inbox.add_feed(10, Overflow::Drop);
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
}
