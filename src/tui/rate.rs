//! Events per second: a fixed ring of per-second counts (bounded, whatever the uptime).

use std::time::Instant;

/// Seconds of event-rate history (the sparkline).
pub const RATE_SECONDS: usize = 60;

/// Events per second over the last minute, one bucket per second.
#[derive(Debug, Clone)]
pub struct RateHistory {
    buckets: [u32; RATE_SECONDS],
    /// The second (since `origin`) that `buckets[current]` counts.
    second: u64,
    origin: Instant,
}

impl RateHistory {
    pub fn new(origin: Instant) -> Self {
        RateHistory {
            buckets: [0; RATE_SECONDS],
            second: 0,
            origin,
        }
    }

    fn advance(&mut self, now: Instant) {
        let second = now.saturating_duration_since(self.origin).as_secs();
        if second > self.second {
            let gap = (second - self.second).min(RATE_SECONDS as u64);
            for k in 1..=gap {
                self.buckets[((self.second + k) % RATE_SECONDS as u64) as usize] = 0;
            }
            self.second = second;
        }
    }

    pub fn add(&mut self, now: Instant, n: u32) {
        self.advance(now);
        let slot = (self.second % RATE_SECONDS as u64) as usize;
        self.buckets[slot] = self.buckets[slot].saturating_add(n);
    }

    /// The last `RATE_SECONDS` whole seconds, oldest first (the current, partial second is
    /// left out so the line does not dip at the start of every second).
    pub fn history(&self, now: Instant) -> Vec<u32> {
        let second = now.saturating_duration_since(self.origin).as_secs();
        (0..RATE_SECONDS as u64)
            .rev()
            .map(|back| {
                let s = second.checked_sub(back + 1);
                match s {
                    Some(s) if s <= self.second && self.second - s < RATE_SECONDS as u64 => {
                        self.buckets[(s % RATE_SECONDS as u64) as usize]
                    }
                    _ => 0,
                }
            })
            .collect()
    }

    /// Events per second, averaged over the last 5 whole seconds.
    pub fn rate(&self, now: Instant) -> f64 {
        let h = self.history(now);
        h[RATE_SECONDS - 5..]
            .iter()
            .map(|&n| f64::from(n))
            .sum::<f64>()
            / 5.0
    }
}
