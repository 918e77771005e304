//! What the alert engine keeps between calls: each feed's state and event rate, and the global
//! cap on firings per minute.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::engine::{MAX_FIRINGS_PER_MINUTE, Output};
use super::spec::{RATE_WINDOW, StateName};

const MINUTE: Duration = Duration::from_secs(60);
/// Rates are counted in buckets of this size.
pub(super) const BUCKET: Duration = Duration::from_secs(1);
pub(super) const BUCKETS: usize = 10;

/// What the engine knows of one feed.
#[derive(Debug, Clone)]
pub(super) struct FeedTrack {
    pub state: StateName,
    pub state_since: Instant,
    /// The last event, or the start when there was none.
    pub last_event: Instant,
    /// Events per [`BUCKET`], the newest at `newest`.
    pub buckets: [u32; BUCKETS],
    /// The bucket number (since the start) of `buckets[newest % BUCKETS]`.
    pub newest: u64,
}

impl FeedTrack {
    pub fn count(&mut self, bucket: u64) {
        self.roll(bucket);
        let i = (bucket % BUCKETS as u64) as usize;
        self.buckets[i] = self.buckets[i].saturating_add(1);
    }

    /// Moves the window on to `bucket`, emptying the buckets it passed.
    fn roll(&mut self, bucket: u64) {
        if bucket <= self.newest {
            return;
        }
        let passed = (bucket - self.newest).min(BUCKETS as u64);
        for b in (bucket + 1 - passed)..=bucket {
            self.buckets[(b % BUCKETS as u64) as usize] = 0;
        }
        self.newest = bucket;
    }

    /// Events per second over the last [`RATE_WINDOW`] of whole buckets before `bucket`.
    pub fn rate(&mut self, bucket: u64) -> f64 {
        self.roll(bucket);
        let done: u32 = (1..=BUCKETS as u64)
            .filter(|back| *back <= bucket)
            .map(|back| self.buckets[((bucket - back) % BUCKETS as u64) as usize])
            .sum();
        f64::from(done) / RATE_WINDOW.as_secs_f64()
    }
}

/// The global cap on firings per minute.
#[derive(Debug, Clone, Default)]
pub(super) struct Cap {
    pub recent: VecDeque<Instant>,
    pub capped: bool,
    held: u64,
}

impl Cap {
    fn prune(&mut self, now: Instant) {
        while self
            .recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= MINUTE)
        {
            self.recent.pop_front();
        }
    }

    /// Whether a firing now may be reported.
    pub fn allow(&mut self, now: Instant, out: &mut Vec<Output>) -> bool {
        self.lift(now, out);
        if self.recent.len() < MAX_FIRINGS_PER_MINUTE {
            self.recent.push_back(now);
            return true;
        }
        if !self.capped {
            self.capped = true;
            out.push(Output::Capped { at: now });
        }
        self.held += 1;
        false
    }

    pub fn lift(&mut self, now: Instant, out: &mut Vec<Output>) {
        self.prune(now);
        if self.capped && self.recent.len() < MAX_FIRINGS_PER_MINUTE {
            self.capped = false;
            out.push(Output::CapLifted {
                at: now,
                held: std::mem::take(&mut self.held),
            });
        }
    }
}
