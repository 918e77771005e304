//! Alerts in `ssedash tail`: the engine run over the feed messages as they are printed, its
//! transitions printed as lines of their own, commands run, and `--until` watched.
//!
//! - `--format ndjson`: `{"kind":"alert","alert":A,"feed":F,"state":"fired"|"resolved",
//!   "at":T,"cause":C}` on stdout (plus `"type"` and `"id"` when an event did it), and
//!   `{"kind":"alert_notice","message":M,"at":T}` when the storm cap holds firings back or lifts.
//! - `--format text`: a readable line on stdout, among the events.
//! - `--format data`: stdout is only data, so a readable line goes to stderr.
//! - A command's result is a line on stderr, in every format (it is for people).

use std::io::Write;
use std::time::{Instant, SystemTime};

use serde::Serialize;
use tokio::sync::mpsc;

use super::command::{CommandDone, CommandJob, Commands, MAX_RUNNING};
use super::engine::{Cause, Edge, Engine, MAX_FIRINGS_PER_MINUTE, Output};
use super::spec::{AlertSpec, StateName};
use super::until::Until;
use crate::feed::FeedMsg;
use crate::sse::Event;
use crate::tail::Format;
use crate::text;

/// What woke the run for the alerts.
pub enum Wake {
    Tick,
    Done(CommandDone),
}

pub struct TailAlerts {
    engine: Engine,
    names: Vec<String>,
    /// Events seen per feed (the `seq` of the engine's causes).
    seqs: Vec<u64>,
    commands: Commands,
    done: mpsc::Receiver<CommandDone>,
    until: Option<Until>,
    format: Format,
    terminal: bool,
    out: Vec<Output>,
    tz: jiff::tz::TimeZone,
}

impl TailAlerts {
    /// `None` when there is nothing to watch: no alert and no `--until`, so a plain run pays
    /// nothing per event.
    pub fn new(
        alerts: &[AlertSpec],
        until: Option<&Until>,
        names: &[String],
        format: Format,
        terminal: bool,
    ) -> Option<TailAlerts> {
        if alerts.is_empty() && until.is_none() {
            return None;
        }
        let (tx, done) = mpsc::channel(MAX_RUNNING * 4);
        Some(TailAlerts {
            engine: Engine::new(alerts.to_vec(), names, Instant::now()),
            names: names.to_vec(),
            seqs: vec![0; names.len()],
            commands: Commands::new(tx),
            done,
            until: until.cloned(),
            format,
            terminal,
            out: Vec::new(),
            tz: jiff::tz::TimeZone::system(),
        })
    }

    /// Resolves when a clock condition is due or a command finished.
    pub async fn wait(&mut self) -> Wake {
        let due = self.engine.next_due(Instant::now());
        let sleep = async {
            match due {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            done = self.done.recv() => match done {
                Some(done) => Wake::Done(done),
                None => std::future::pending().await,
            },
            () = sleep => Wake::Tick,
        }
    }

    pub fn on_wake(&mut self, wake: Wake, out: &mut Vec<u8>, err: &mut Vec<u8>) {
        match wake {
            Wake::Tick => {
                self.engine.on_tick(Instant::now(), &mut self.out);
                self.report(None, SystemTime::now(), out, err);
            }
            Wake::Done(done) => self.command_done(&done, err),
        }
    }

    /// Judges one feed message (after it was printed). True when it is the `--until` event.
    pub fn on_msg(
        &mut self,
        feed: usize,
        msg: &FeedMsg,
        out: &mut Vec<u8>,
        err: &mut Vec<u8>,
    ) -> bool {
        let now = Instant::now();
        match msg {
            FeedMsg::Event { event, at } => {
                self.seqs[feed] += 1;
                self.engine
                    .on_event(feed, self.seqs[feed], event, now, &mut self.out);
                self.report(Some((feed, *at)), *at, out, err);
                self.until.as_ref().is_some_and(|u| u.matches(event))
            }
            FeedMsg::State(change) => {
                self.engine
                    .on_state(feed, StateName::of(&change.state), now, &mut self.out);
                self.report(None, change.at, out, err);
                false
            }
            FeedMsg::Comment { .. } => false,
        }
    }

    /// Waits for the commands still running (each at most 10 s), writing their results.
    pub async fn finish(&mut self, err: &mut Vec<u8>) {
        // Results are read while waiting: a command reports before it gives its slot back.
        let commands = self.commands.clone();
        let idle = commands.idle();
        tokio::pin!(idle);
        loop {
            tokio::select! {
                () = &mut idle => break,
                Some(done) = self.done.recv() => self.command_done(&done, err),
            }
        }
        while let Ok(done) = self.done.try_recv() {
            self.command_done(&done, err);
        }
    }

    fn command_done(&mut self, done: &CommandDone, err: &mut Vec<u8>) {
        let _ = writeln!(
            err,
            "ssedash: alert \"{}\" on {}: {}",
            text::escape(&done.alert),
            text::escape(&done.feed),
            text::escape(&done.summary())
        );
    }

    /// Prints what the engine reported and starts the commands of the firings.
    /// `event_at`: the feed and time of the event being judged, for the command's stdin.
    fn report(
        &mut self,
        event_at: Option<(usize, SystemTime)>,
        at: SystemTime,
        out: &mut Vec<u8>,
        err: &mut Vec<u8>,
    ) {
        for output in std::mem::take(&mut self.out) {
            let stamp = rfc3339(at);
            match output {
                Output::Transition(t) => {
                    let alert = &self.engine.alerts()[t.alert];
                    let feed = &self.names[t.feed];
                    let line = AlertLine {
                        kind: "alert",
                        alert: &alert.name,
                        feed,
                        state: t.edge.name(),
                        at: &stamp,
                        cause: t.cause.describe(),
                        event_type: t.cause.event().map(|(_, e)| &*e.event_type),
                        id: t.cause.event().map(|(_, e)| &*e.id),
                    };
                    let json = serde_json::to_string(&line).unwrap_or_default();
                    self.write_line(&json, &readable(&line), at, out, err);
                    if t.edge == Edge::Fired
                        && let Some(command) = &alert.actions.command
                    {
                        let (event_type, data, stdin) = match (&t.cause, event_at) {
                            (Cause::Event { event, .. }, Some((_, at))) => (
                                event.event_type.to_string(),
                                event.data.to_string(),
                                event_line(feed, event, &rfc3339(at)),
                            ),
                            _ => (String::new(), String::new(), json.clone()),
                        };
                        self.commands.run(CommandJob {
                            alert: alert.name.clone(),
                            feed: feed.clone(),
                            command: command.clone(),
                            event_type,
                            data,
                            stdin: stdin + "\n",
                        });
                    }
                }
                Output::Capped { .. } => {
                    let message = format!(
                        "more than {MAX_FIRINGS_PER_MINUTE} alert firings in a minute: further \
                         firings are held back until the rate drops"
                    );
                    self.notice(&message, at, out, err);
                }
                Output::CapLifted { held, .. } => {
                    let message = format!("alert firings resume; {held} were held back");
                    self.notice(&message, at, out, err);
                }
            }
        }
    }

    fn notice(&self, message: &str, at: SystemTime, out: &mut Vec<u8>, err: &mut Vec<u8>) {
        let json =
            serde_json::json!({"kind": "alert_notice", "message": message, "at": rfc3339(at)});
        self.write_line(
            &json.to_string(),
            &format!("alerts: {message}"),
            at,
            out,
            err,
        );
    }

    fn write_line(
        &self,
        json: &str,
        readable: &str,
        at: SystemTime,
        out: &mut Vec<u8>,
        err: &mut Vec<u8>,
    ) {
        match self.format {
            Format::Ndjson => {
                // Names come from the config; JSON escapes controls, and a terminal gets
                // the rest escaped too.
                let json = if self.terminal {
                    json_for_terminal(json)
                } else {
                    json.to_string()
                };
                let _ = writeln!(out, "{json}");
            }
            Format::Text => {
                // Timed like the event lines around it.
                let time = jiff::Timestamp::try_from(at)
                    .map(|ts| {
                        ts.to_zoned(self.tz.clone())
                            .strftime("%H:%M:%S%.3f")
                            .to_string()
                    })
                    .unwrap_or_default();
                let _ = writeln!(out, "{time} {}", text::escape(readable));
            }
            Format::Data => {
                let _ = writeln!(err, "ssedash: {}", text::escape(readable));
            }
        }
    }
}

#[derive(Serialize)]
struct AlertLine<'a> {
    kind: &'static str,
    alert: &'a str,
    feed: &'a str,
    state: &'static str,
    at: &'a str,
    cause: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    event_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

/// `ALERT "deploy failed" fired on deploys (event deploy #55)`.
fn readable(line: &AlertLine<'_>) -> String {
    format!(
        "ALERT \"{}\" {} on {} ({})",
        line.alert, line.state, line.feed, line.cause
    )
}

/// The event as `tail --format ndjson` prints it: a command's stdin.
fn event_line(feed: &str, event: &Event, at: &str) -> String {
    let mut line = serde_json::json!({
        "kind": "event",
        "feed": feed,
        "type": &*event.event_type,
        "data": event.data.as_str(),
        "id": &*event.id,
        "at": at,
    });
    if event.truncated {
        line["truncated"] = true.into();
    }
    line.to_string()
}

fn rfc3339(at: SystemTime) -> String {
    match jiff::Timestamp::try_from(at) {
        Ok(ts) => format!("{ts:.3}"),
        Err(_) => "1970-01-01T00:00:00.000Z".into(),
    }
}

/// JSON with every character a terminal would act on (C1 controls, DEL, bidi controls) written
/// as a `\uXXXX` escape: the same JSON, inert on a screen. serde_json escapes C0 already.
fn json_for_terminal(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if text::is_unsafe(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_for_a_terminal_is_the_same_json_without_bidi_or_c1() {
        let json = serde_json::json!({"a": "x\u{202e}y\u{9b}z\u{7f}"}).to_string();
        let safe = json_for_terminal(&json);
        assert!(!safe.chars().any(text::is_unsafe), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["a"], "x\u{202e}y\u{9b}z\u{7f}");
    }
}
