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

use crate::feed::{FeedId, FeedMsg};

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
    fn a_full_turn_from_one_feed_is_a_backlog_and_many_short_turns_are_not() {
        assert!(!has_backlog(&[], 4));
        assert!(!has_backlog(&batch(&[(0, 3), (1, 3), (2, 3)]), 4));
        assert!(has_backlog(&batch(&[(0, 1), (1, 4), (2, 1)]), 4));
        assert!(has_backlog(&batch(&[(0, 3), (1, 2), (2, 4)]), 4));
        // Two feeds' runs side by side do not add up.
        assert!(!has_backlog(&batch(&[(0, 3), (1, 3)]), 4));
    }
}
