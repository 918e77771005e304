//! `tail` for feeds with expressions (columns, `type_from`, `error_when`, a transcript):
//! - NDJSON: the event line gets the derived `type`, `"error":true`, `"key"` and `"columns"`;
//! - text: a tab-separated line of time, type, key and columns; on a transcript, the text as
//!   it streams (no newline per chunk), then a newline and a one-line summary on stderr;
//! - data: unchanged.
//!
//! A feed whose [`FeedExprs::is_empty`] never comes here: [`Printer::print`] checks one flag.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::SystemTime;

use super::{DIM, Printer, escape_json_for_terminal, json, paint};
use crate::feed::{ConnState, FeedMsg};
use crate::sse::Event;
use crate::text;
use crate::view::message::MessageStats;
use crate::view::{Derived, FeedExprs, ViewKind};

/// One feed's expressions and, on a transcript, the message being printed.
pub(in crate::tail) struct FeedView {
    exprs: Arc<FeedExprs>,
    message: Option<Message>,
}

struct Message {
    stats: MessageStats,
    /// The `message` expression's value the message started with.
    value: Option<String>,
    /// Text was printed, so the message ends with a newline.
    printed: bool,
    /// The last character printed was a newline.
    at_line_start: bool,
}

impl FeedView {
    /// `None` for a feed with nothing to compute.
    pub(in crate::tail) fn new(exprs: &Arc<FeedExprs>) -> Option<FeedView> {
        (!exprs.is_empty()).then(|| FeedView {
            exprs: exprs.clone(),
            message: None,
        })
    }

    fn is_transcript(&self) -> bool {
        self.exprs.view.kind == ViewKind::Transcript
    }
}

impl Printer {
    /// Prints `msg` of a feed with expressions; `Ok(false)` leaves it to the usual printing.
    pub(super) fn print_viewed(&mut self, feed: usize, msg: &FeedMsg) -> io::Result<bool> {
        use super::Format;
        let Some(view) = self.views.get(feed).and_then(Option::as_ref) else {
            return Ok(false);
        };
        let transcript_text = view.is_transcript() && self.format == Format::Text;
        match msg {
            FeedMsg::Event { event, at } => {
                let d = view.exprs.derive(event);
                match self.format {
                    Format::Ndjson => self.print_json_derived(feed, event, *at, &d)?,
                    Format::Text if transcript_text => self.print_transcript(feed, *at, &d)?,
                    Format::Text => self.print_text_derived(feed, event, *at, &d)?,
                    Format::Data => return Ok(false),
                }
                Ok(true)
            }
            FeedMsg::State(change) if transcript_text => {
                match change.state {
                    ConnState::Connecting => {
                        self.end_message(feed)?;
                        self.start_message(feed, change.at, None);
                    }
                    ConnState::Open => {}
                    ConnState::Waiting { .. } | ConnState::Closed | ConnState::Failed => {
                        if change.state == ConnState::Failed
                            && let Some(m) = self.message_mut(feed)
                        {
                            m.stats.error = change.reason.clone();
                        }
                        self.end_message(feed)?;
                        self.note_state(feed, change);
                    }
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The run is over (`--count`, `--timeout`, the end of the feeds, Ctrl-C): a message still
    /// open ends as a closed connection ends it, with a newline and its summary.
    pub(in crate::tail) fn finish_views(&mut self) -> io::Result<()> {
        for feed in 0..self.views.len() {
            self.end_message(feed)?;
        }
        Ok(())
    }

    fn view(&self, feed: usize) -> &FeedView {
        self.views[feed].as_ref().expect("a feed with a view")
    }

    fn message_mut(&mut self, feed: usize) -> Option<&mut Message> {
        self.views[feed].as_mut()?.message.as_mut()
    }

    fn print_json_derived(
        &mut self,
        feed: usize,
        event: &Event,
        at: SystemTime,
        d: &Derived,
    ) -> io::Result<()> {
        let start = self.out.len();
        let msg = FeedMsg::Event {
            event: match &d.event_type {
                Some(t) => Event {
                    event_type: t.clone(),
                    ..event.clone()
                },
                None => event.clone(),
            },
            at,
        };
        self.print_json(feed, &msg)?;
        // The line ends `}\n`: the derived fields go before the brace.
        debug_assert!(self.out.ends_with(b"}\n"));
        self.out.truncate(self.out.len() - 2);
        let out = &mut self.out;
        if d.is_error {
            out.extend_from_slice(br#","error":true"#);
        }
        let view = &self.views[feed]
            .as_ref()
            .expect("a feed with a view")
            .exprs
            .view;
        if view.key.is_some() {
            out.extend_from_slice(br#","key":"#);
            match &d.key {
                Some(key) => json::push_str(out, key),
                None => out.extend_from_slice(b"null"),
            }
        }
        if !view.columns.is_empty() {
            out.extend_from_slice(br#","columns":["#);
            for (i, cell) in d.cells.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                match (&cell.text, cell.number) {
                    // A number as the number it is, so `jq '.columns[0] > 100'` works.
                    (Some(text), Some(n)) if n.is_finite() => {
                        out.extend_from_slice(text.as_bytes())
                    }
                    (Some(text), _) => json::push_str(out, text),
                    (None, _) => out.extend_from_slice(b"null"),
                }
            }
            out.push(b']');
        }
        out.extend_from_slice(b"}\n");
        if self.terminal {
            escape_json_for_terminal(&mut self.out, start);
        }
        Ok(())
    }

    /// `time <tab> type <tab> key <tab> column...`, each escaped (a tab in a value is `\t`).
    fn print_text_derived(
        &mut self,
        feed: usize,
        event: &Event,
        at: SystemTime,
        d: &Derived,
    ) -> io::Result<()> {
        let view = &self.view(feed).exprs.view;
        let has_key = view.key.is_some();
        if view.columns.is_empty() && !has_key {
            // Only the type or the error mark changes: the usual line, with the derived type.
            let shown = match &d.event_type {
                Some(t) => Event {
                    event_type: t.clone(),
                    ..event.clone()
                },
                None => event.clone(),
            };
            self.print_text(feed, &FeedMsg::Event { event: shown, at })?;
        } else {
            let mut fields = Vec::with_capacity(d.cells.len() + 3);
            let dim = self.colors.as_ref().map(|_| DIM.to_string());
            fields.push(paint(&dim, &self.clock.local_time(at)));
            if self.names.len() > 1 {
                let accent = self.ink(|t| t.accent);
                fields.push(paint(&accent, &text::escape(&self.names[feed])));
            }
            let kind = d.event_type.as_ref().unwrap_or(&event.event_type);
            fields.push(paint(
                &self.ink(|t| t.event_type_color(kind)),
                &text::escape_unambiguous(kind),
            ));
            if has_key {
                fields.push(cell(d.key.as_deref()));
            }
            fields.extend(d.cells.iter().map(|c| cell(c.text.as_deref())));
            writeln!(self.out, "{}", fields.join("\t"))?;
        }
        if d.is_error {
            // The line is already written: the mark goes at its end.
            self.out.pop();
            let mark = paint(&self.ink(|t| t.failed), " [error]");
            writeln!(self.out, "{mark}")?;
        }
        Ok(())
    }

    fn start_message(&mut self, feed: usize, at: SystemTime, value: Option<String>) {
        if let Some(view) = self.views[feed].as_mut() {
            view.message = Some(Message {
                stats: MessageStats::new(at),
                value,
                printed: false,
                at_line_start: true,
            });
        }
    }

    /// Ends the feed's message: a newline after its text, its summary on stderr.
    fn end_message(&mut self, feed: usize) -> io::Result<()> {
        let Some(message) = self.views[feed].as_mut().and_then(|v| v.message.take()) else {
            return Ok(());
        };
        if message.printed && !message.at_line_start {
            self.out.push(b'\n');
        }
        if message.stats.events > 0 || message.stats.error.is_some() {
            let name = text::escape(&self.names[feed]);
            writeln!(self.err, "ssedash: {name}: {}", message.stats.summary())?;
        }
        Ok(())
    }

    fn print_transcript(&mut self, feed: usize, at: SystemTime, d: &Derived) -> io::Result<()> {
        let has_message_expr = self.view(feed).exprs.view.message.is_some();
        let changed = has_message_expr
            && d.message.is_some()
            && self.views[feed]
                .as_ref()
                .and_then(|v| v.message.as_ref())
                .is_some_and(|m| m.value != d.message);
        if changed {
            self.end_message(feed)?;
        }
        if self.message_mut(feed).is_none() {
            self.start_message(feed, at, d.message.clone());
        }
        let colors = self.colors.is_some();
        let terminal = self.terminal;
        let failed = self.ink(|t| t.failed);
        let message = self.message_mut(feed).expect("just started");
        message.stats.add(d, at);
        if message.value.is_none() {
            message.value.clone_from(&d.message);
        }
        let mut piece = String::new();
        if let Some(t) = &d.text {
            // Thinking is for a person watching; a script reading the answer gets none of it.
            if !d.thinking || terminal {
                let shown = text::escape_keep_newlines(t);
                piece = if d.thinking && colors {
                    paint(&Some(DIM.into()), &shown)
                } else {
                    shown.into_owned()
                };
            }
        }
        if d.is_error {
            let words = d.error_message.as_deref().unwrap_or("error event");
            let line = format!("[error: {}]", text::escape(words));
            let sep = if message.at_line_start { "" } else { "\n" };
            piece.push_str(&format!("{sep}{}\n", paint(&failed, &line)));
        }
        if !piece.is_empty() {
            message.printed = true;
            message.at_line_start = piece.ends_with('\n');
            self.out.extend_from_slice(piece.as_bytes());
        }
        Ok(())
    }
}

/// A cell for a tab-separated line: escaped so that a tab or a newline in it cannot split it.
fn cell(text: Option<&str>) -> String {
    text.map(|t| text::escape_unambiguous(t).into_owned())
        .unwrap_or_default()
}
