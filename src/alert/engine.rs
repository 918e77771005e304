//! The alert machine: pure, like the reconnect policy. Events, feed states and the time come
//! in; firings, resolutions and storm notices come out. No I/O, no clock of its own.
//!
//! - Edge-triggered: an alert fires when its condition becomes true for a feed, and resolves
//!   when it becomes false. For per-event conditions (`match`, `when`) that is an event that
//!   does not match, or the end of the cooldown.
//! - `cooldown`: at most one firing per alert per feed in that window. A clock condition
//!   (`silent_for`, `state`, rates) still true when its cooldown ends fires then; a matching
//!   event during the cooldown is let go.
//! - A global cap on firings per minute: past it, firings are not reported (one notice says
//!   so, and one more when the cap lifts, with how many were held back), so a broken feed
//!   cannot storm the screen, the bell or the shell.

use std::time::{Duration, Instant};

use super::spec::{AlertSpec, Condition, RATE_WINDOW, StateName};
use super::track::{BUCKET, BUCKETS, Cap, FeedTrack};
use crate::expr::Input;
use crate::sse::Event;

/// Firings per minute, all alerts and feeds together, before the cap holds them back.
pub const MAX_FIRINGS_PER_MINUTE: usize = 20;
const MINUTE: Duration = Duration::from_secs(60);

/// Fired or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Fired,
    Resolved,
}

impl Edge {
    pub fn name(self) -> &'static str {
        match self {
            Edge::Fired => "fired",
            Edge::Resolved => "resolved",
        }
    }
}

/// What made an alert fire or resolve.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// This event (`seq` is its number in the feed, as the caller counts them).
    Event { seq: u64, event: Event },
    /// The feed entered (or left) a state.
    State(StateName),
    /// No event for this long.
    Silent(Duration),
    /// Events per second over the last 10 s.
    Rate(f64),
    /// The cooldown after a per-event firing ended.
    CooldownOver,
}

impl Cause {
    /// A short phrase for the alert log and `tail`'s text lines (not escaped).
    pub fn describe(&self) -> String {
        match self {
            Cause::Event { event, .. } if event.id.is_empty() => {
                format!("event {}", event.event_type)
            }
            Cause::Event { event, .. } => format!("event {} #{}", event.event_type, event.id),
            Cause::State(s) => format!("state {}", s.name()),
            Cause::Silent(d) => format!("no event for {}", crate::text::duration(*d)),
            Cause::Rate(r) => format!("{} events/s", round_rate(*r)),
            Cause::CooldownOver => "cooldown over".into(),
        }
    }

    pub fn event(&self) -> Option<(u64, &Event)> {
        match self {
            Cause::Event { seq, event } => Some((*seq, event)),
            _ => None,
        }
    }
}

fn round_rate(r: f64) -> f64 {
    (r * 10.0).round() / 10.0
}

/// An alert fired or resolved on a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// Index into the engine's alerts.
    pub alert: usize,
    /// Index into the engine's feeds.
    pub feed: usize,
    pub edge: Edge,
    pub at: Instant,
    pub cause: Cause,
}

/// What the engine reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    Transition(Transition),
    /// The cap was reached: firings are held back from now on (said once).
    Capped {
        at: Instant,
    },
    /// The cap lifted; `held` firings were not reported meanwhile.
    CapLifted {
        at: Instant,
        held: u64,
    },
}

/// One alert on one feed.
#[derive(Debug, Clone, Default)]
struct Slot {
    /// The condition is (taken as) true and the firing happened, or was held by the cap.
    active: bool,
    /// The firing was held back by the cap: its resolution is not reported either.
    held: bool,
    fired_at: Option<Instant>,
    /// Since when a clock condition has been true (for `for`).
    true_since: Option<Instant>,
}

/// The alerts of a run over its feeds.
#[derive(Debug, Clone)]
pub struct Engine {
    alerts: Vec<AlertSpec>,
    /// `watches[alert][feed]`: the alert applies to that feed.
    watches: Vec<Vec<bool>>,
    feeds: Vec<FeedTrack>,
    /// `slots[alert * feeds + feed]`.
    slots: Vec<Slot>,
    start: Instant,
    cap: Cap,
}

impl Engine {
    /// The alerts this engine judges, as configured.
    pub fn specs(&self) -> &[AlertSpec] {
        &self.alerts
    }

    /// `feed_names` in the run's order; an alert naming a feed that is not in the run (not
    /// picked with `--feed`) simply watches nothing there.
    pub fn new(alerts: Vec<AlertSpec>, feed_names: &[String], now: Instant) -> Engine {
        let watches = alerts
            .iter()
            .map(|a| {
                feed_names
                    .iter()
                    .map(|name| a.feeds.as_ref().is_none_or(|f| f.contains(name)))
                    .collect()
            })
            .collect();
        let track = FeedTrack {
            state: StateName::Connecting,
            state_since: now,
            last_event: now,
            buckets: [0; BUCKETS],
            newest: 0,
        };
        Engine {
            slots: vec![Slot::default(); alerts.len() * feed_names.len()],
            feeds: vec![track; feed_names.len()],
            watches,
            alerts,
            start: now,
            cap: Cap::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }

    pub fn alerts(&self) -> &[AlertSpec] {
        &self.alerts
    }

    fn bucket(&self, now: Instant) -> u64 {
        (now.saturating_duration_since(self.start).as_millis() / BUCKET.as_millis()) as u64
    }

    /// An event arrived on `feed`; `seq` is its number there (for "jump to the event").
    pub fn on_event(
        &mut self,
        feed: usize,
        seq: u64,
        event: &Event,
        now: Instant,
        out: &mut Vec<Output>,
    ) {
        if self.alerts.is_empty() || feed >= self.feeds.len() {
            return;
        }
        let bucket = self.bucket(now);
        let track = &mut self.feeds[feed];
        track.last_event = now;
        track.count(bucket);
        let cause = || Cause::Event {
            seq,
            event: event.clone(),
        };
        // The data is parsed once for all the `when`s of this feed, and only if there is one.
        let mut input = None;
        for a in 0..self.alerts.len() {
            if !self.watches[a][feed] {
                continue;
            }
            match &self.alerts[a].condition {
                Condition::When(expr) => {
                    let input = input.get_or_insert_with(|| Input::from_data(&event.data));
                    let hit = expr.truthy(input).unwrap_or(false);
                    self.edge_on_event(a, feed, hit, now, cause, out);
                }
                Condition::Match(re) => {
                    let hit = re.is_match(&event.data) || re.is_match(&event.event_type);
                    self.edge_on_event(a, feed, hit, now, cause, out);
                }
                // An event ends a silence at once.
                Condition::SilentFor(_) => self.set(a, feed, false, now, cause, out),
                _ => {}
            }
        }
    }

    /// The feed's connection state changed.
    pub fn on_state(&mut self, feed: usize, state: StateName, now: Instant, out: &mut Vec<Output>) {
        if self.alerts.is_empty() || feed >= self.feeds.len() {
            return;
        }
        let track = &mut self.feeds[feed];
        if track.state != state {
            track.state = state;
            track.state_since = now;
        }
        for a in 0..self.alerts.len() {
            if let Condition::State { state: wanted, .. } = self.alerts[a].condition
                && self.watches[a][feed]
                && wanted != state
            {
                self.set(a, feed, false, now, || Cause::State(state), out);
            }
        }
        self.on_tick(now, out);
    }

    /// Judges the clock conditions (silences, states held, rates, cooldowns ending).
    pub fn on_tick(&mut self, now: Instant, out: &mut Vec<Output>) {
        if self.alerts.is_empty() {
            return;
        }
        self.cap.lift(now, out);
        let bucket = self.bucket(now);
        // A rate is judged once a whole window has been seen.
        let window_full = now.saturating_duration_since(self.start) >= RATE_WINDOW + BUCKET;
        for a in 0..self.alerts.len() {
            for f in 0..self.feeds.len() {
                if !self.watches[a][f] {
                    continue;
                }
                let track = &mut self.feeds[f];
                let (truth, since, held, cause) = match self.alerts[a].condition {
                    Condition::Match(_) | Condition::When(_) => {
                        self.cooldown_over(a, f, now, out);
                        continue;
                    }
                    Condition::SilentFor(d) => {
                        let quiet = now.saturating_duration_since(track.last_event);
                        (quiet >= d, None, Duration::ZERO, Cause::Silent(quiet))
                    }
                    Condition::State { state, held } => (
                        track.state == state,
                        Some(track.state_since),
                        held,
                        Cause::State(state),
                    ),
                    Condition::RateAbove { per_sec, held } => {
                        let rate = track.rate(bucket);
                        (window_full && rate > per_sec, None, held, Cause::Rate(rate))
                    }
                    Condition::RateBelow { per_sec, held } => {
                        let rate = track.rate(bucket);
                        (window_full && rate < per_sec, None, held, Cause::Rate(rate))
                    }
                };
                let slot = &mut self.slots[a * self.feeds.len() + f];
                if !truth {
                    slot.true_since = None;
                    self.set(a, f, false, now, || cause.clone(), out);
                    continue;
                }
                // A state knows when it began; other conditions count from the first tick
                // that saw them true.
                let since = match since {
                    Some(since) => since,
                    None => *slot.true_since.get_or_insert(now),
                };
                if now.saturating_duration_since(since) >= held {
                    self.set(a, f, true, now, || cause.clone(), out);
                }
            }
        }
    }

    /// When [`Engine::on_tick`] has something to judge next; `None`: only events matter.
    pub fn next_due(&self, now: Instant) -> Option<Instant> {
        let mut due: Option<Instant> = None;
        let mut need = |t: Instant| due = Some(due.map_or(t, |d| d.min(t)));
        if self.cap.capped
            && let Some(first) = self.cap.recent.front()
        {
            need(*first + MINUTE);
        }
        let n = self.feeds.len();
        for (a, alert) in self.alerts.iter().enumerate() {
            for f in 0..n {
                if !self.watches[a][f] {
                    continue;
                }
                let slot = &self.slots[a * n + f];
                let track = &self.feeds[f];
                let cooldown_end = slot.fired_at.map(|t| t + alert.cooldown);
                match alert.condition {
                    Condition::Match(_) | Condition::When(_) => {
                        if slot.active && !alert.cooldown.is_zero() {
                            cooldown_end.map(&mut need);
                        }
                    }
                    Condition::SilentFor(d) => {
                        if !slot.active {
                            need((track.last_event + d).max(cooldown_end.unwrap_or(now)));
                        }
                    }
                    Condition::State { state, held } => {
                        if !slot.active && track.state == state {
                            need((track.state_since + held).max(cooldown_end.unwrap_or(now)));
                        }
                    }
                    // Rates change with every second.
                    Condition::RateAbove { .. } | Condition::RateBelow { .. } => {
                        let next = (self.bucket(now) + 1) as u32;
                        need(self.start + BUCKET * next);
                    }
                }
            }
        }
        due.map(|d| d.max(now))
    }

    /// Per-event conditions: a match fires (once, until resolved), a miss resolves.
    fn edge_on_event(
        &mut self,
        a: usize,
        feed: usize,
        hit: bool,
        now: Instant,
        cause: impl Fn() -> Cause,
        out: &mut Vec<Output>,
    ) {
        self.cooldown_over(a, feed, now, out);
        let slot = &self.slots[a * self.feeds.len() + feed];
        if hit && !slot.active && !self.in_cooldown(a, feed, now) {
            self.set(a, feed, true, now, cause, out);
        } else if !hit {
            self.set(a, feed, false, now, cause, out);
        }
    }

    /// A per-event firing resolves by itself when its cooldown ends.
    fn cooldown_over(&mut self, a: usize, feed: usize, now: Instant, out: &mut Vec<Output>) {
        let slot = &self.slots[a * self.feeds.len() + feed];
        if slot.active && !self.alerts[a].cooldown.is_zero() && !self.in_cooldown(a, feed, now) {
            self.set(a, feed, false, now, || Cause::CooldownOver, out);
        }
    }

    fn in_cooldown(&self, a: usize, feed: usize, now: Instant) -> bool {
        let slot = &self.slots[a * self.feeds.len() + feed];
        slot.fired_at
            .is_some_and(|t| now < t + self.alerts[a].cooldown)
    }

    /// Moves a slot to `truth`, reporting the edge (cooldown and cap permitting).
    fn set(
        &mut self,
        a: usize,
        feed: usize,
        truth: bool,
        now: Instant,
        cause: impl FnOnce() -> Cause,
        out: &mut Vec<Output>,
    ) {
        let in_cooldown = self.in_cooldown(a, feed, now);
        let i = a * self.feeds.len() + feed;
        let slot = &mut self.slots[i];
        if truth == slot.active {
            return;
        }
        if truth {
            if in_cooldown {
                return;
            }
            let allowed = self.cap.allow(now, out);
            let slot = &mut self.slots[i];
            slot.active = true;
            slot.held = !allowed;
            slot.fired_at = Some(now);
            if allowed {
                out.push(self.transition(a, feed, Edge::Fired, now, cause()));
            }
        } else {
            slot.active = false;
            if !std::mem::take(&mut slot.held) {
                out.push(self.transition(a, feed, Edge::Resolved, now, cause()));
            }
        }
    }

    fn transition(
        &self,
        alert: usize,
        feed: usize,
        edge: Edge,
        at: Instant,
        cause: Cause,
    ) -> Output {
        Output::Transition(Transition {
            alert,
            feed,
            edge,
            at,
            cause,
        })
    }
}
