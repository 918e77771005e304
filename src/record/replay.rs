//! Replaying a recording as feeds: a task that sends what was recorded, with its timing
//! scaled, into the same [`Inbox`] queues the live feed tasks use, so the dashboard and
//! `tail` treat a replay as they treat a live feed.
//!
//! Messages carry the time they are replayed at (as a live feed's do); the position in the
//! recording is in [`Control`], for the dashboard's badge. A `waiting` state counts down its
//! delay divided by the speed. At the end of the recording every feed not closed or failed
//! is closed ("end of the recording"), unless the replay loops.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::{Item, Recording, What};
use crate::feed::{
    ConnState, FeedHandle, FeedMsg, FeedSpec, Inbox, QueueOptions, Sender, StateChange,
};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayOptions {
    /// 1 is the original timing, 4 four times as fast; 0 as fast as possible.
    pub speed: f64,
    /// Start here: what came before is sent at once (so states and counters are right).
    pub from: Option<SystemTime>,
    /// Start again at the end.
    pub looping: bool,
    /// Send what came before `from` at once (the dashboard: its counters and states are then
    /// what they were there) rather than leave it out (`tail`: output starts at `from`).
    pub catch_up: bool,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            speed: 1.0,
            from: None,
            looping: false,
            catch_up: false,
        }
    }
}

/// The longest wait a replay or `serve` schedules: no speed or recording can ask for more
/// (or overflow a clock with it).
const LONGEST: Duration = Duration::from_secs(30 * 365 * 86_400);

/// A recorded gap at `speed` (0: none), saturating at [`LONGEST`] instead of panicking.
pub(crate) fn scaled(gap: Duration, speed: f64) -> Duration {
    if speed > 0.0 {
        Duration::try_from_secs_f64(gap.as_secs_f64() / speed)
            .unwrap_or(LONGEST)
            .min(LONGEST)
    } else {
        Duration::ZERO
    }
}

/// A recording to replay, and how.
#[derive(Debug, Clone)]
pub struct Replay {
    pub recording: Arc<Recording>,
    pub opts: ReplayOptions,
}

/// Where a replay is: shared by its task and whoever shows or steers it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    /// The recording's time at `since`.
    pub at: SystemTime,
    pub since: Instant,
    pub speed: f64,
    pub paused: bool,
    /// The recording is over (and does not loop).
    pub ended: bool,
}

impl Position {
    /// The recording's time at `now`.
    pub fn at(&self, now: Instant) -> SystemTime {
        if self.paused || self.ended || self.speed <= 0.0 {
            self.at
        } else {
            let played = now.saturating_duration_since(self.since).as_secs_f64() * self.speed;
            let played = Duration::try_from_secs_f64(played).unwrap_or(LONGEST);
            self.at.checked_add(played).unwrap_or(self.at)
        }
    }
}

/// The shared position of a replay.
#[derive(Debug)]
pub struct Control {
    position: watch::Sender<Position>,
}

impl Control {
    pub fn new(start: SystemTime, speed: f64) -> Arc<Control> {
        let (position, _) = watch::channel(Position {
            at: start,
            since: Instant::now(),
            speed,
            paused: false,
            ended: false,
        });
        Arc::new(Control { position })
    }

    pub fn position(&self) -> Position {
        *self.position.borrow()
    }

    /// Pauses or resumes the replay; returns whether it is paused now.
    pub fn toggle_pause(&self, now: Instant) -> bool {
        let mut paused = false;
        self.position.send_modify(|p| {
            p.at = p.at(now);
            p.since = now;
            p.paused = !p.paused;
            paused = p.paused;
        });
        paused
    }

    fn rebase(&self, at: SystemTime, now: Instant) {
        self.position.send_modify(|p| {
            p.at = at;
            p.since = now;
            p.ended = false;
        });
    }
}

impl Replay {
    /// A feed spec per recorded feed (the name and URL the recording gives).
    pub fn specs(&self) -> Vec<FeedSpec> {
        self.recording
            .feeds
            .iter()
            .map(|f| {
                let url = url::Url::parse(&f.url)
                    .unwrap_or_else(|_| url::Url::parse("replay:recording").expect("valid"));
                FeedSpec::new(f.name.clone(), url)
            })
            .collect()
    }

    /// Where the replay starts: `--from`, else the first line.
    pub fn start(&self) -> SystemTime {
        self.opts
            .from
            .or_else(|| self.recording.start())
            .unwrap_or(SystemTime::UNIX_EPOCH)
    }

    /// Adds a queue per recorded feed to `inbox` and starts the replay into them. The handles
    /// stand in for feed tasks (they take no commands); aborting the first stops the replay.
    pub fn spawn_feeds(
        &self,
        inbox: &mut Inbox,
        queue: QueueOptions,
        control: Arc<Control>,
    ) -> Vec<FeedHandle> {
        let senders: Vec<Sender> = self
            .recording
            .feeds
            .iter()
            .map(|_| inbox.add_feed(queue))
            .collect();
        let task = self.spawn(senders, None, control);
        let mut handles = idle_handles(self.recording.feeds.len());
        if let Some(first) = handles.first_mut() {
            first.task.abort();
            // The replay ends when the recording does; a feed task ends only when aborted.
            first.task = tokio::spawn(async move {
                let _ = task.await;
                std::future::pending::<()>().await;
            });
        }
        handles
    }

    /// Starts the replay task from `from` (else where the options say).
    pub fn spawn(
        &self,
        senders: Vec<Sender>,
        from: Option<SystemTime>,
        control: Arc<Control>,
    ) -> JoinHandle<()> {
        let recording = self.recording.clone();
        let opts = ReplayOptions {
            from: from.or(self.opts.from),
            ..self.opts
        };
        tokio::spawn(run(recording, senders, opts, control))
    }
}

/// Handles for feeds with no task behind them: they take no commands and never end.
pub fn idle_handles(n: usize) -> Vec<FeedHandle> {
    (0..n)
        .map(|_| {
            let (commands, _) = mpsc::channel(1);
            FeedHandle {
                commands,
                task: tokio::spawn(std::future::pending()),
            }
        })
        .collect()
}

async fn run(
    recording: Arc<Recording>,
    senders: Vec<Sender>,
    opts: ReplayOptions,
    control: Arc<Control>,
) {
    let mut watch = control.position.subscribe();
    let mut from = opts.from;
    loop {
        let start = from.or_else(|| recording.start());
        control.rebase(start.unwrap_or(SystemTime::UNIX_EPOCH), Instant::now());
        let mut finals = vec![false; senders.len()];
        for item in &recording.items {
            let catching_up = start.is_some_and(|s| item.at < s);
            if catching_up && !opts.catch_up {
                if let (What::Retry(ms), Some(tx)) = (&item.what, senders.get(item.feed)) {
                    tx.set_retry_ms(*ms);
                }
                continue;
            }
            if !catching_up && opts.speed > 0.0 {
                wait_for(item.at, &mut watch).await;
            } else if !catching_up {
                // As fast as possible, but paused still means paused.
                while watch.borrow_and_update().paused {
                    if watch.changed().await.is_err() {
                        return;
                    }
                }
                control.position.send_modify(|p| p.at = item.at);
            }
            let speed = if catching_up { 0.0 } else { opts.speed };
            if let Some(done) = send(item, &senders, speed).await {
                finals[item.feed] = done;
            }
        }
        if opts.looping && !recording.items.is_empty() {
            from = None;
            continue;
        }
        control.position.send_modify(|p| {
            p.ended = true;
            p.at = recording.items.last().map_or(p.at, |i| i.at);
        });
        for (feed, tx) in senders.iter().enumerate() {
            if !finals[feed] {
                tx.send(FeedMsg::State(StateChange {
                    state: ConnState::Closed,
                    attempt: 1,
                    status: None,
                    reason: Some("end of the recording".into()),
                    at: SystemTime::now(),
                }))
                .await;
            }
        }
        return;
    }
}

/// Waits until the recording's time reaches `at`, following pauses and speed as they change.
async fn wait_for(at: SystemTime, watch: &mut watch::Receiver<Position>) {
    loop {
        let p = *watch.borrow_and_update();
        if p.paused {
            if watch.changed().await.is_err() {
                return;
            }
            continue;
        }
        let ahead = at.duration_since(p.at).unwrap_or(Duration::ZERO);
        let due = p.since + scaled(ahead, p.speed.max(f64::MIN_POSITIVE));
        tokio::select! {
            _ = tokio::time::sleep_until(due.into()) => return,
            changed = watch.changed() => if changed.is_err() { return },
        }
    }
}

/// Sends one recorded item to its feed's queue; for a state, whether it is final.
async fn send(item: &Item, senders: &[Sender], speed: f64) -> Option<bool> {
    let tx = senders.get(item.feed)?;
    let now = SystemTime::now();
    match &item.what {
        What::Event(event) => {
            tx.set_last_event_id(event.id.clone());
            tx.send(FeedMsg::Event {
                event: event.clone(),
                at: now,
            })
            .await;
            None
        }
        What::Comment(text) => {
            if tx.count_comment() {
                tx.send(FeedMsg::Comment {
                    text: text.clone(),
                    at: now,
                })
                .await;
            }
            None
        }
        What::Retry(ms) => {
            tx.set_retry_ms(*ms);
            None
        }
        What::State {
            state,
            attempt,
            status,
            reason,
            retry_in_ms,
        } => {
            let state = match state.as_str() {
                "connecting" => ConnState::Connecting,
                "open" => ConnState::Open,
                "closed" => ConnState::Closed,
                "failed" => ConnState::Failed,
                _ => {
                    let delay = Duration::from_millis(retry_in_ms.unwrap_or(0));
                    // The countdown runs at the replay's speed.
                    let left = scaled(delay, speed);
                    ConnState::Waiting {
                        retry_at: Instant::now() + left,
                        delay,
                    }
                }
            };
            let done = state.is_final();
            tx.send(FeedMsg::State(StateChange {
                state,
                attempt: *attempt,
                status: *status,
                reason: reason.clone(),
                at: now,
            }))
            .await;
            Some(done)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_at_any_speed_saturates_instead_of_panicking() {
        let hour = Duration::from_secs(3600);
        assert_eq!(scaled(hour, 4.0), Duration::from_secs(900));
        assert_eq!(scaled(hour, 0.0), Duration::ZERO);
        assert_eq!(scaled(hour, 1e-300), LONGEST);
        assert_eq!(scaled(Duration::MAX, f64::MIN_POSITIVE), LONGEST);
        let p = Position {
            at: SystemTime::UNIX_EPOCH,
            since: Instant::now(),
            speed: 1e300,
            paused: false,
            ended: false,
        };
        // A second at 1e300 is past any clock: the position stays put rather than panic.
        assert!(p.at(p.since + Duration::from_secs(1)) >= SystemTime::UNIX_EPOCH);
    }
}
