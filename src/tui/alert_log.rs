//! Alerts in the dashboard: the engine fed from [`App::update`], the alert log (`!`), the
//! unseen count of the title bar, the flash marks of panes, and the actions to run at the edge
//! (bell, notification, command), which `update` only queues: it does no I/O.

use std::collections::VecDeque;
use std::time::{Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent};

use super::app::{App, Mode, View};
use crate::alert::command::{CommandDone, CommandJob};
use crate::alert::{AlertSpec, Cause, Edge, Engine, MAX_FIRINGS_PER_MINUTE, Output, StateName};
use crate::sse::Event;

/// Entries the alert log keeps (the oldest go first).
pub const LOG_ENTRIES: usize = 500;

/// One line of the alert log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub at: SystemTime,
    pub what: Entry,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// An alert fired or resolved on a feed; `seq` is the event that did it, if one did.
    Edge {
        alert: String,
        feed: usize,
        edge: Edge,
        cause: String,
        seq: Option<u64>,
    },
    /// A command's result, a storm notice, notifications being unavailable.
    Note {
        alert: Option<String>,
        feed: Option<String>,
        text: String,
    },
}

/// What the event loop must do for an alert (the edges own the terminal and processes).
#[derive(Debug, Clone)]
pub enum AlertJob {
    Bell,
    Notify { summary: String, body: String },
    Command(CommandJob),
}

/// The dashboard's alerts.
#[derive(Debug)]
pub struct Alerts {
    engine: Engine,
    pub log: VecDeque<LogEntry>,
    /// Firings since the log was last opened (the title bar's count).
    pub unseen: usize,
    /// Panes marked by a `flash` firing, until the log is opened.
    pub flashed: Vec<bool>,
    /// Actions for the event loop to run (taken with [`Alerts::take_jobs`]).
    jobs: Vec<AlertJob>,
    out: Vec<Output>,
    /// When the engine next needs the clock (kept here: the loop asks on every wake-up).
    due: Option<Instant>,
    notify_failed: bool,
    names: Vec<String>,
    /// An instant and the wall-clock time then: log times follow from the `now` the app is
    /// given, so they are exact in tests too.
    origin: (Instant, SystemTime),
    last_now: Instant,
}

impl Alerts {
    pub fn new(alerts: Vec<AlertSpec>, names: Vec<String>, now: Instant) -> Alerts {
        let engine = Engine::new(alerts, &names, now);
        let due = engine.next_due(now);
        Alerts {
            engine,
            log: VecDeque::new(),
            unseen: 0,
            flashed: vec![false; names.len()],
            jobs: Vec::new(),
            out: Vec::new(),
            due,
            notify_failed: false,
            names,
            origin: (now, SystemTime::now()),
            last_now: now,
        }
    }

    /// Sets which wall-clock time `at` is (log times are counted from it).
    pub fn set_wall_clock(&mut self, at: Instant, wall: SystemTime) {
        self.origin = (at, wall);
    }

    /// After a reload changed the feed list: the alerts start afresh on the new feeds (an
    /// alert's edges and `for` timers belong to feed positions that no longer mean the same);
    /// the log and the unseen count stay.
    pub fn follow_feeds(&mut self, names: Vec<String>, now: Instant) {
        let specs = self.engine.specs().to_vec();
        self.engine = Engine::new(specs, &names, now);
        self.due = self.engine.next_due(now);
        self.flashed = vec![false; names.len()];
        self.names = names;
    }

    pub fn is_empty(&self) -> bool {
        self.engine.is_empty()
    }

    pub fn next_due(&self) -> Option<Instant> {
        self.due
    }

    pub fn take_jobs(&mut self) -> Vec<AlertJob> {
        std::mem::take(&mut self.jobs)
    }

    pub(super) fn on_event(&mut self, feed: usize, seq: u64, event: &Event, now: Instant) {
        if self.engine.is_empty() {
            return;
        }
        self.engine.on_event(feed, seq, event, now, &mut self.out);
        self.apply(Some(feed), now);
    }

    pub(super) fn on_state(&mut self, feed: usize, state: StateName, now: Instant) {
        if self.engine.is_empty() {
            return;
        }
        self.engine.on_state(feed, state, now, &mut self.out);
        self.apply(None, now);
    }

    /// Judges the clock conditions when they are due; cheap otherwise.
    pub(super) fn tick(&mut self, now: Instant) -> bool {
        if self.due.is_none_or(|due| now < due) {
            return false;
        }
        self.engine.on_tick(now, &mut self.out);
        self.apply(None, now);
        true
    }

    pub(super) fn command_done(&mut self, done: CommandDone, now: Instant) {
        self.last_now = now;
        self.push(Entry::Note {
            alert: Some(done.alert.clone()),
            feed: Some(done.feed.clone()),
            text: done.summary(),
        });
    }

    /// A notification could not be shown: said once (there may be no notification service).
    pub(super) fn notify_failed(&mut self, why: String, now: Instant) {
        self.last_now = now;
        if !std::mem::replace(&mut self.notify_failed, true) {
            self.push(Entry::Note {
                alert: None,
                feed: None,
                text: format!("desktop notifications are not available here: {why}"),
            });
        }
    }

    fn push(&mut self, what: Entry) {
        if self.log.len() == LOG_ENTRIES {
            self.log.pop_front();
        }
        let (origin, wall) = self.origin;
        let at = match self.last_now.checked_duration_since(origin) {
            Some(after) => wall + after,
            None => wall - origin.duration_since(self.last_now),
        };
        self.log.push_back(LogEntry { at, what });
    }

    /// Logs what the engine said and queues the firings' actions.
    fn apply(&mut self, _feed: Option<usize>, now: Instant) {
        self.last_now = now;
        for output in std::mem::take(&mut self.out) {
            match output {
                Output::Transition(t) => {
                    let spec = &self.engine.alerts()[t.alert];
                    let (name, actions) = (spec.name.clone(), spec.actions.clone());
                    let feed_name = self.names[t.feed].clone();
                    if t.edge == Edge::Fired {
                        self.unseen += 1;
                        if actions.flash {
                            self.flashed[t.feed] = true;
                        }
                        if actions.bell {
                            self.jobs.push(AlertJob::Bell);
                        }
                        if actions.notify {
                            self.jobs.push(AlertJob::Notify {
                                summary: format!("ssedash: {name}"),
                                body: format!("{feed_name}: {}", t.cause.describe()),
                            });
                        }
                        if let Some(command) = &actions.command {
                            self.jobs
                                .push(AlertJob::Command(job(&name, &feed_name, command, &t.cause)));
                        }
                    }
                    self.push(Entry::Edge {
                        alert: name,
                        feed: t.feed,
                        edge: t.edge,
                        cause: t.cause.describe(),
                        seq: t.cause.event().map(|(seq, _)| seq),
                    });
                }
                Output::Capped { .. } => self.push(Entry::Note {
                    alert: None,
                    feed: None,
                    text: format!(
                        "more than {MAX_FIRINGS_PER_MINUTE} firings in a minute: further \
                         firings are held back until the rate drops"
                    ),
                }),
                Output::CapLifted { held, .. } => self.push(Entry::Note {
                    alert: None,
                    feed: None,
                    text: format!("firings resume; {held} were held back"),
                }),
            }
        }
        self.due = self.engine.next_due(now);
    }

    pub fn feed_name(&self, feed: usize) -> &str {
        self.names.get(feed).map_or("", String::as_str)
    }
}

fn job(alert: &str, feed: &str, command: &str, cause: &Cause) -> CommandJob {
    let (event_type, data, stdin) = match cause.event() {
        Some((_, event)) => {
            let line = serde_json::json!({
                "kind": "event",
                "feed": feed,
                "type": &*event.event_type,
                "data": event.data.as_str(),
                "id": &*event.id,
            });
            (
                event.event_type.to_string(),
                event.data.to_string(),
                line.to_string(),
            )
        }
        None => {
            let line = serde_json::json!({
                "kind": "alert", "alert": alert, "feed": feed, "state": "fired",
                "cause": cause.describe(),
            });
            (String::new(), String::new(), line.to_string())
        }
    };
    CommandJob {
        alert: alert.into(),
        feed: feed.into(),
        command: command.into(),
        event_type,
        data,
        stdin: stdin + "\n",
    }
}

impl App {
    /// `!`: the alert log, newest at the bottom and selected; opening it marks all seen.
    pub(super) fn open_alert_log(&mut self) {
        self.alerts.unseen = 0;
        self.alerts.flashed.iter_mut().for_each(|f| *f = false);
        self.mode = Mode::AlertLog {
            cursor: self.alerts.log.len().saturating_sub(1),
        };
    }

    pub(super) fn on_key_alert_log(&mut self, key: KeyEvent, cursor: usize) {
        let n = self.alerts.log.len();
        let page = usize::from(self.height.saturating_sub(6)).max(1);
        let cursor = match key.code {
            KeyCode::Esc | KeyCode::Char('!' | 'q') => {
                self.mode = Mode::Normal;
                return;
            }
            KeyCode::Char('j') | KeyCode::Down => cursor + 1,
            KeyCode::Char('k') | KeyCode::Up => cursor.saturating_sub(1),
            KeyCode::PageDown => cursor + page,
            KeyCode::PageUp => cursor.saturating_sub(page),
            KeyCode::Char('g') | KeyCode::Home => 0,
            KeyCode::Char('G') | KeyCode::End => n,
            KeyCode::Enter => {
                self.jump_to_alert_event(cursor);
                return;
            }
            _ => cursor,
        };
        self.mode = Mode::AlertLog {
            cursor: cursor.min(n.saturating_sub(1)),
        };
    }

    /// Opens the event an entry names, when its pane still holds it; else says why not.
    fn jump_to_alert_event(&mut self, cursor: usize) {
        let Some(LogEntry {
            what: Entry::Edge { feed, seq, .. },
            ..
        }) = self.alerts.log.get(cursor)
        else {
            return;
        };
        let (feed, seq) = (*feed, *seq);
        let Some(seq) = seq else {
            self.say("this entry has no event (a state, a silence or a rate did it)");
            return;
        };
        let Some(pane) = self.panes.get_mut(feed) else {
            return;
        };
        if pane.event(seq).is_none() {
            self.say("that event is no longer in the pane's buffer");
            return;
        }
        pane.selected = Some(seq);
        self.focus = feed;
        self.view = View::Panes;
        let pane = &self.panes[feed];
        let event = pane.event(seq).expect("checked above");
        let view = pane.detail_view(&event, &self.tz, self.detail_width());
        self.mode = Mode::Detail(view);
    }

    fn say(&mut self, text: &str) {
        self.notice = Some((text.to_string(), self.now + super::app::NOTICE_FOR));
    }
}
