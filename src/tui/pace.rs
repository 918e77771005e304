//! When the dashboard's loop takes feed messages.
//!
//! Every feed task wakes the loop whenever it queues something. With 100 feeds that is
//! thousands of wake-ups a second, each a thread switch, a poll of every `select!` branch and
//! a timer, for a handful of events that nobody sees before the next frame anyway. So the loop
//! listens to the feeds only while nothing waits to be drawn: the first message after a frame
//! wakes it, the rest queue up until the frame slot, where they are taken just before drawing.
//! A feed that gave a whole turn's worth has more queued: then the loop keeps reading at once,
//! so a flood drains as fast as before and never fills its queue while the loop waits.
//! Input is not affected: keys are always listened to, and answered at once.

use std::time::{Duration, Instant};

use crate::feed::{FeedId, FeedMsg, Traffic};

/// How long a frame waits after the first feed message that made it necessary. Trickling
/// feeds are read on one grid (`FeedSpec::read_interval`), so their messages come in a burst
/// a few ms long at each grid point (up to [`HOLD`] longer while the feeds' thread is held):
/// drawn at the first of them, a frame shows a handful and the next frame, a frame later, the
/// rest. Waiting this long puts the whole burst in one frame, one frame per grid slot instead
/// of about 1.5 (8 ms gave 28 frames a second on a 20-slot grid).
pub const SETTLE: Duration = Duration::from_millis(12);

/// When the next frame may be drawn: a frame after the last one, and, for feed traffic, not
/// before the burst that started at `traffic_since` has settled. A key is drawn at once.
pub fn frame_due(
    last_frame: Option<Instant>,
    frame: Duration,
    traffic_since: Option<Instant>,
    now: Instant,
) -> Instant {
    let slot = last_frame.map_or(now, |t| t + frame);
    match traffic_since {
        Some(t) => slot.max(t + SETTLE),
        None => slot,
    }
}

/// Whether the loop waits on the feeds' queues now, rather than only at the next frame slot.
pub fn listen_to_feeds(dirty: bool, backlog: bool) -> bool {
    !dirty || backlog
}

/// Whether a batch taken with `per_turn` messages a feed left some behind: some feed gave a
/// full turn. A batch holds each feed's messages together (the queues are drained in turn).
pub fn has_backlog(batch: &[(FeedId, FeedMsg)], per_turn: usize) -> bool {
    let mut run = 0;
    let mut last = None;
    for (id, _) in batch {
        run = if last == Some(*id) { run + 1 } else { 1 };
        last = Some(*id);
        if run >= per_turn {
            return true;
        }
    }
    false
}

/// How long the feeds' thread sleeps at a time while it holds back the kernel's wake-ups (see
/// [`hold_network_wakeups`]): the most a trickling feed's event, a timer or a key's command to
/// a feed waits for it.
pub const HOLD: Duration = Duration::from_millis(5);

/// How often the traffic is looked at to decide whether to hold.
const WINDOW: Duration = Duration::from_millis(250);

/// Keeps the feeds' runtime thread out of the kernel's wait for sockets while many events
/// trickle in and no feed is busy, so that it wakes [`HOLD`] by [`HOLD`] instead of at every
/// TCP segment.
///
/// A trickling feed pauses between reads (`FeedSpec::read_interval`), but its socket stays
/// registered with epoll: every segment that arrives wakes the thread waiting there, only for
/// it to find nothing to do. 100 feeds of 100 events a second made about 4,500 such wake-ups
/// a second, most of the dashboard's CPU time on a 2-core VM. While that goes on, this task
/// sleeps the thread instead, then yields, so that the runtime collects everything that
/// arrived in one poll and runs the feeds it woke. It holds only when it saves wake-ups:
/// while events come faster than one per [`HOLD`] (a server usually writes an event per
/// segment), and no feed is busy (one that reads again at once: a flood is read at full
/// speed). Otherwise it waits like any task and looks again every [`WINDOW`], so an idle
/// dashboard is woken 4 times a second by it, not 200.
///
/// Only for a runtime with one worker thread, which it is then the only one to hold.
pub async fn hold_network_wakeups(traffic: Traffic) {
    let mut window = Window::new(traffic.messages(), Instant::now());
    let mut holding = false;
    loop {
        if holding && traffic.busy() == 0 {
            std::thread::sleep(HOLD);
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(if holding { HOLD } else { WINDOW }).await;
        }
        if let Some(rate) = window.rate(traffic.messages(), Instant::now()) {
            holding = rate > 1.0 / HOLD.as_secs_f64();
        }
    }
}

/// Messages a second over windows of at least [`WINDOW`].
struct Window {
    messages: u64,
    since: Instant,
}

impl Window {
    fn new(messages: u64, now: Instant) -> Self {
        Window {
            messages,
            since: now,
        }
    }

    /// The rate since the window began, once it is [`WINDOW`] long (and a new one begins).
    fn rate(&mut self, messages: u64, now: Instant) -> Option<f64> {
        let span = now.saturating_duration_since(self.since);
        if span < WINDOW {
            return None;
        }
        let rate = messages.saturating_sub(self.messages) as f64 / span.as_secs_f64();
        *self = Window::new(messages, now);
        Some(rate)
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::feed::{ConnState, StateChange};

    fn msg() -> FeedMsg {
        FeedMsg::State(StateChange {
            state: ConnState::Open,
            attempt: 1,
            status: Some(200),
            reason: None,
            at: SystemTime::UNIX_EPOCH,
        })
    }

    fn batch(runs: &[(usize, usize)]) -> Vec<(FeedId, FeedMsg)> {
        runs.iter()
            .flat_map(|&(feed, n)| (0..n).map(move |_| (FeedId(feed), msg())))
            .collect()
    }

    #[test]
    fn the_rate_is_given_once_a_window_is_long_enough_and_then_starts_again() {
        let t0 = Instant::now();
        let mut window = Window::new(1000, t0);
        assert_eq!(window.rate(1010, t0 + WINDOW / 2), None);
        // 250 messages in 250 ms.
        assert_eq!(window.rate(1250, t0 + WINDOW), Some(1000.0));
        // The next window starts where that one ended.
        assert_eq!(window.rate(1250, t0 + WINDOW * 3 / 2), None);
        assert_eq!(window.rate(1250, t0 + WINDOW * 2), Some(0.0));
    }

    #[test]
    fn feeds_are_listened_to_only_while_nothing_waits_to_be_drawn_or_a_feed_has_a_backlog() {
        assert!(
            listen_to_feeds(false, false),
            "idle: the first message wakes the loop"
        );
        assert!(
            !listen_to_feeds(true, false),
            "a frame is pending: messages wait for it"
        );
        assert!(listen_to_feeds(true, true), "a backlog is drained at once");
        assert!(listen_to_feeds(false, true));
    }

    #[test]
    fn a_frame_for_feed_traffic_waits_for_the_burst_to_settle_but_never_less_than_a_frame() {
        let t0 = Instant::now();
        let frame = Duration::from_millis(33);
        // Long after the last frame, the first message of a burst: drawn once it settled.
        let last = Some(t0);
        let burst = t0 + Duration::from_millis(100);
        assert_eq!(frame_due(last, frame, Some(burst), burst), burst + SETTLE);
        // Soon after the last frame, the frame slot comes later than the settling.
        let soon = t0 + Duration::from_millis(2);
        assert_eq!(frame_due(last, frame, Some(soon), soon), t0 + frame);
        // Nothing from the feeds (a key, a tick): the frame slot alone.
        assert_eq!(frame_due(last, frame, None, burst), t0 + frame);
        assert_eq!(frame_due(None, frame, None, burst), burst);
    }

    #[test]
    fn a_full_turn_from_one_feed_is_a_backlog_and_many_short_turns_are_not() {
        assert!(!has_backlog(&[], 4));
        assert!(!has_backlog(&batch(&[(0, 3), (1, 3), (2, 3)]), 4));
        assert!(has_backlog(&batch(&[(0, 1), (1, 4), (2, 1)]), 4));
        assert!(has_backlog(&batch(&[(0, 3), (1, 2), (2, 4)]), 4));
        // Two feeds' runs side by side do not add up.
        assert!(!has_backlog(&batch(&[(0, 3), (1, 3)]), 4));
    }
}
