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

#[derive(Debug)]
struct Slot {
    id: FeedId,
    queue: Mutex<VecDeque<FeedMsg>>,
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
                    if msg.is_droppable() && queue.len() >= self.slot.capacity {
                        if self.slot.overflow == Overflow::Wait {
                            must_wait = true;
                            break;
                        }
                        self.slot.dropped.fetch_add(1, Ordering::Relaxed);
                        pending.next();
                        continue;
                    }
                    queue.push_back(pending.next().expect("peeked"));
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
            queue: Mutex::new(VecDeque::new()),
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
            let take = queue.len().min(per_feed);
            if take > 0 {
                out.extend(queue.drain(..take).map(|m| (slot.id, m)));
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
