//! Writing feed messages as NDJSON, readable text, or bare data; and, for the formats a person
//! reads or that carry no states, the lines for stderr.

use std::io::{self, Write};
use std::sync::Arc;

use ratatui::style::Color;
use serde::Serialize;

use super::clock::Clock;
use super::json;
use super::{Format, Options};
use crate::feed::{ConnState, FeedMsg, StateChange};
use crate::text;
use crate::tui::theme::Theme;
use crate::view::FeedExprs;

mod views;

/// Formats messages in the chosen format, into buffers the writer thread takes.
pub(super) struct Printer {
    out: Vec<u8>,
    /// Lines for stderr (state changes that matter, a cut event), for the formats that do not
    /// show them to a person on stdout.
    err: Vec<u8>,
    format: Format,
    comments: bool,
    terminal: bool,
    colors: Option<Theme>,
    names: Vec<String>,
    /// Each feed's `max_event_bytes`, for the warning about a cut event.
    limits: Vec<usize>,
    /// Feeds whose cut event was already reported on stderr (once per feed is enough).
    cut_reported: Vec<bool>,
    /// The last timestamp formatted, reused while events arrive within the same millisecond.
    clock: Clock,
    /// Each feed's start of an NDJSON event line, escaped once.
    heads: Vec<Vec<u8>>,
    /// The last event type and its JSON string: a feed's types rarely change.
    last_type: Option<(crate::sse::FieldStr, Vec<u8>)>,
    /// Each feed's expressions (`None`: nothing to compute), and whether any feed has some.
    views: Vec<Option<views::FeedView>>,
    any_views: bool,
    /// Each feed's expressions, for its `[[highlight]]` rules in `--format text`.
    exprs: Vec<Arc<FeedExprs>>,
}

impl Printer {
    pub(super) fn new(opts: &Options, names: Vec<String>, limits: Vec<usize>) -> Self {
        Printer {
            out: Vec::with_capacity(64 * 1024),
            err: Vec::new(),
            format: opts.format,
            comments: opts.comments,
            terminal: opts.terminal,
            colors: opts.colors.clone(),
            cut_reported: vec![false; names.len()],
            heads: names.iter().map(|n| json::event_head(n)).collect(),
            last_type: None,
            names,
            limits,
            clock: Clock::default(),
            views: Vec::new(),
            any_views: false,
            exprs: Vec::new(),
        }
    }

    /// Gives each feed its expressions (see `views.rs`); feeds without any print as before.
    pub(super) fn set_views(&mut self, exprs: &[Arc<FeedExprs>]) {
        self.views = exprs.iter().map(views::FeedView::new).collect();
        self.any_views = self.views.iter().any(Option::is_some);
        self.exprs = exprs.to_vec();
    }

    /// The formatted bytes so far (stdout, stderr); formatting goes on in `spare` (an empty
    /// buffer the writer is done with, so a flood allocates no buffer per hand-over).
    pub(super) fn take(&mut self, spare: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
        (
            std::mem::replace(&mut self.out, spare),
            std::mem::take(&mut self.err),
        )
    }

    /// The stdout and stderr buffers, for lines made elsewhere (alerts).
    pub(super) fn buffers(&mut self) -> (&mut Vec<u8>, &mut Vec<u8>) {
        (&mut self.out, &mut self.err)
    }

    pub(super) fn pending(&self) -> usize {
        self.out.len() + self.err.len()
    }

    pub(super) fn print(&mut self, feed: usize, msg: &FeedMsg) -> io::Result<()> {
        if self.any_views && self.print_viewed(feed, msg)? {
            return Ok(());
        }
        match self.format {
            Format::Ndjson => self.print_json(feed, msg),
            Format::Text => {
                // On a terminal the text lines are in front of the user already.
                if let FeedMsg::State(change) = msg
                    && !self.terminal
                {
                    self.note_state(feed, change);
                }
                self.print_text(feed, msg)
            }
            Format::Data => {
                match msg {
                    FeedMsg::Event { event, .. } => {
                        if self.terminal {
                            let data = text::escape_keep_newlines(&event.data);
                            self.out.write_all(data.as_bytes())?;
                        } else {
                            self.out.write_all(event.data.as_bytes())?;
                        }
                        self.out.write_all(b"\n")?;
                        if event.truncated && !self.cut_reported[feed] {
                            self.cut_reported[feed] = true;
                            let name = text::escape(&self.names[feed]);
                            let limit = self.limits[feed];
                            writeln!(
                                self.err,
                                "ssedash: {name}: an event was cut at {limit} bytes and printed \
                                 cut (raise the limit with --max-event-bytes or max_event_bytes)"
                            )?;
                        }
                    }
                    FeedMsg::State(change) => self.note_state(feed, change),
                    _ => {}
                }
                Ok(())
            }
        }
    }

    /// One stderr line for a state change that matters to someone who sees no state lines.
    fn note_state(&mut self, feed: usize, change: &StateChange) {
        if matters(change) {
            let name = text::escape(&self.names[feed]);
            let _ = writeln!(self.err, "ssedash: {name}: {}", state_words(change));
        }
    }

    fn print_json(&mut self, feed: usize, msg: &FeedMsg) -> io::Result<()> {
        let start = self.out.len();
        let name = &self.names[feed];
        match msg {
            FeedMsg::Event { event, at } => {
                let cached = self
                    .last_type
                    .as_ref()
                    .is_some_and(|(t, _)| *t == event.event_type);
                if !cached {
                    let mut quoted = Vec::new();
                    json::push_str(&mut quoted, &event.event_type);
                    self.last_type = Some((event.event_type.clone(), quoted));
                }
                let (_, event_type) = self.last_type.as_ref().expect("just set");
                let fields = json::EventFields {
                    head: &self.heads[feed],
                    event_type,
                    data: &event.data,
                    id: &event.id,
                    at: self.clock.rfc3339(*at),
                    truncated: event.truncated,
                    type_truncated: event.type_truncated,
                    id_truncated: event.id_truncated,
                };
                json::push_event(&mut self.out, &fields);
            }
            FeedMsg::State(change) => {
                let line = StateLine::new(name, change, self.clock.rfc3339(change.at));
                serde_json::to_writer(&mut self.out, &line)?;
            }
            FeedMsg::Comment { text, at } if self.comments => {
                let line = CommentLine {
                    kind: "comment",
                    feed: name,
                    text,
                    at: self.clock.rfc3339(*at),
                };
                serde_json::to_writer(&mut self.out, &line)?;
            }
            _ => return Ok(()),
        }
        if self.terminal {
            escape_json_for_terminal(&mut self.out, start);
        }
        self.out.write_all(b"\n")
    }

    fn print_text(&mut self, feed: usize, msg: &FeedMsg) -> io::Result<()> {
        let prefix = if self.names.len() > 1 {
            let accent = self.ink(|t| t.accent);
            format!("{} ", paint(&accent, &text::escape(&self.names[feed])))
        } else {
            String::new()
        };
        let dim = self.colors.as_ref().map(|_| DIM.to_string());
        match msg {
            FeedMsg::Event { event, at } => {
                let time = paint(&dim, &self.clock.local_time(*at));
                let kind = paint(
                    &self.ink(|t| t.event_type_color(&event.event_type)),
                    &text::escape_unambiguous(&event.event_type),
                );
                let id = if event.id.is_empty() {
                    String::new()
                } else {
                    let id = format!("#{}", text::escape_unambiguous(&event.id));
                    format!(" {}", paint(&dim, &id))
                };
                let cut = if event.truncated {
                    paint(&self.ink(|t| t.warning), " [truncated]")
                } else {
                    String::new()
                };
                let rules = self.exprs.get(feed).map_or(&[][..], |x| &x.highlights[..]);
                let data =
                    crate::highlight::terminal_text(&event.data, self.colors.as_ref(), rules);
                writeln!(self.out, "{time} {prefix}{kind}{id} {data}{cut}")
            }
            FeedMsg::State(change) => {
                let time = paint(&dim, &self.clock.local_time(change.at));
                let ink = self.ink(|t| match change.state {
                    ConnState::Connecting => t.connecting,
                    ConnState::Open => t.open,
                    ConnState::Waiting { .. } => t.waiting,
                    ConnState::Closed => t.closed,
                    ConnState::Failed => t.failed,
                });
                let words = state_words(change);
                writeln!(self.out, "{time} {prefix}{}", paint(&ink, &words))
            }
            FeedMsg::Comment { text: comment, at } if self.comments => {
                let time = paint(&dim, &self.clock.local_time(*at));
                let line = format!(": {}", text::escape_unambiguous(comment));
                writeln!(self.out, "{time} {prefix}{}", paint(&dim, &line))
            }
            _ => Ok(()),
        }
    }

    /// The SGR parameters of a theme colour, or `None` without colours.
    fn ink(&self, pick: impl FnOnce(&Theme) -> Color) -> Option<String> {
        self.colors.as_ref().and_then(|theme| sgr(pick(theme)))
    }
}

/// Faint, for times and ids: readable on any background, whatever the theme.
const DIM: &str = "2";

fn paint(ink: &Option<String>, s: &str) -> String {
    match ink {
        Some(code) => format!("\x1b[{code}m{s}\x1b[0m"),
        None => s.to_string(),
    }
}

/// The SGR parameters that set a ratatui colour as the foreground, as a terminal backend
/// would write them; `None` for the terminal's default colour.
pub(crate) fn sgr(color: Color) -> Option<String> {
    let named = |n: u8| Some(n.to_string());
    match color {
        Color::Reset => None,
        Color::Black => named(30),
        Color::Red => named(31),
        Color::Green => named(32),
        Color::Yellow => named(33),
        Color::Blue => named(34),
        Color::Magenta => named(35),
        Color::Cyan => named(36),
        Color::Gray => named(37),
        Color::DarkGray => named(90),
        Color::LightRed => named(91),
        Color::LightGreen => named(92),
        Color::LightYellow => named(93),
        Color::LightBlue => named(94),
        Color::LightMagenta => named(95),
        Color::LightCyan => named(96),
        Color::White => named(97),
        Color::Indexed(i) => Some(format!("38;5;{i}")),
        Color::Rgb(r, g, b) => Some(format!("38;2;{r};{g};{b}")),
    }
}

/// State changes worth a line on stderr when no state lines are shown: a failure, a wait
/// (with its reason), and a close the server asked for (204). A stop event or the end of a
/// stream that is not reconnected is the normal end and says nothing.
fn matters(change: &StateChange) -> bool {
    match change.state {
        ConnState::Failed | ConnState::Waiting { .. } => true,
        ConnState::Closed => change.status.is_some(),
        ConnState::Connecting | ConnState::Open => false,
    }
}

/// Rewrites the JSON written since `start` so a terminal shows it and is not driven by it:
/// serde_json escapes C0 controls already; DEL, C1 controls and bidi controls become `\uXXXX`
/// too (all in the BMP, and only possible inside strings), so the line stays the same JSON.
fn escape_json_for_terminal(out: &mut Vec<u8>, start: usize) {
    let Ok(line) = std::str::from_utf8(&out[start..]) else {
        return;
    };
    if !text::has_controls(line) {
        return;
    }
    let mut fixed = String::with_capacity(line.len() + 16);
    for c in line.chars() {
        if text::is_unsafe(c) {
            use std::fmt::Write as _;
            let _ = write!(fixed, "\\u{:04x}", c as u32);
        } else {
            fixed.push(c);
        }
    }
    out.truncate(start);
    out.extend_from_slice(fixed.as_bytes());
}

/// The words of a state line, e.g. `waiting: attempt 3 in 4.0 s (HTTP 503)`, escaped.
pub fn state_words(change: &StateChange) -> String {
    let reason = change
        .reason
        .as_deref()
        .map(|r| format!(" ({})", text::escape(r)))
        .unwrap_or_default();
    match &change.state {
        ConnState::Connecting => format!("connecting (attempt {})", change.attempt),
        ConnState::Open => "open".to_string(),
        ConnState::Waiting { delay, .. } => format!(
            "waiting: attempt {} in {}{reason}",
            change.attempt,
            text::duration(*delay)
        ),
        ConnState::Closed => format!("closed{reason}"),
        ConnState::Failed => format!("failed{reason}"),
    }
}

/// The contract of an NDJSON event line; [`json::push_event`] writes the same bytes faster.
#[cfg(test)]
#[derive(Serialize)]
struct EventLine<'a> {
    kind: &'static str,
    feed: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    data: &'a str,
    id: &'a str,
    at: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    type_truncated: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    id_truncated: bool,
}

#[derive(Serialize)]
struct StateLine<'a> {
    kind: &'static str,
    feed: &'a str,
    state: &'static str,
    attempt: u32,
    status: Option<u16>,
    reason: Option<&'a str>,
    retry_in_ms: Option<u64>,
    at: &'a str,
}

impl<'a> StateLine<'a> {
    fn new(feed: &'a str, change: &'a StateChange, at: &'a str) -> Self {
        let retry_in_ms = match &change.state {
            ConnState::Waiting { delay, .. } => Some(delay.as_millis() as u64),
            _ => None,
        };
        StateLine {
            kind: "state",
            feed,
            state: change.state.name(),
            attempt: change.attempt,
            status: change.status,
            reason: change.reason.as_deref(),
            retry_in_ms,
            at,
        }
    }
}

#[derive(Serialize)]
struct CommentLine<'a> {
    kind: &'static str,
    feed: &'a str,
    text: &'a str,
    at: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_for_a_terminal_escapes_c1_del_and_bidi_and_stays_the_same_json() {
        let data = "a\u{1b}b\u{7f}c\u{9b}d\u{202e}e\u{2066}f";
        let mut out = b"x".to_vec();
        serde_json::to_writer(&mut out, &serde_json::json!({ "data": data })).unwrap();
        escape_json_for_terminal(&mut out, 1);
        let line = std::str::from_utf8(&out[1..]).unwrap();
        assert_eq!(line, r#"{"data":"a\u001bb\u007fc\u009bd\u202ee\u2066f"}"#);
        let back: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(back["data"], data);
        assert_eq!(out[0], b'x', "what came before is kept");
    }

    fn printer(terminal: bool) -> Printer {
        let opts = Options {
            format: Format::Ndjson,
            count: None,
            timeout: None,
            comments: false,
            terminal,
            colors: None,
            alerts: Vec::new(),
            until: None,
        };
        Printer::new(&opts, vec!["feed \u{1b}\"x\"".into()], vec![1 << 20])
    }

    fn event_msg(kind: &str, data: &str, id: &str, flags: [bool; 3]) -> FeedMsg {
        FeedMsg::Event {
            event: crate::sse::Event {
                event_type: kind.into(),
                data: data.into(),
                id: id.into(),
                truncated: flags[0],
                type_truncated: flags[1],
                id_truncated: flags[2],
            },
            at: std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_234_567),
        }
    }

    /// What the line was before the fast path: serde_json, then the terminal pass.
    fn serde_line(p: &mut Printer, msg: &FeedMsg) -> Vec<u8> {
        let FeedMsg::Event { event, at } = msg else {
            unreachable!()
        };
        let line = EventLine {
            kind: "event",
            feed: &p.names[0],
            event_type: &event.event_type,
            data: &event.data,
            id: &event.id,
            at: p.clock.rfc3339(*at),
            truncated: event.truncated,
            type_truncated: event.type_truncated,
            id_truncated: event.id_truncated,
        };
        let mut out = serde_json::to_vec(&line).unwrap();
        if p.terminal {
            escape_json_for_terminal(&mut out, 0);
        }
        out.push(b'\n');
        out
    }

    proptest::proptest! {
        #[test]
        fn event_lines_are_the_bytes_serde_json_wrote_on_a_pipe_and_on_a_terminal(
            kind in "[a-z\u{0}-\u{1f}\u{7f}-\u{9f}\u{2028}\u{202e}\"\\\\]{0,12}",
            data in proptest::prelude::any::<String>(),
            raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..32),
            flags in proptest::prelude::any::<[bool; 3]>(),
            terminal in proptest::prelude::any::<bool>(),
        ) {
            let id = String::from_utf8_lossy(&raw);
            let data = format!("{data}\u{2028}\u{2029}\u{7f}{id}");
            let msg = event_msg(&kind, &data, &id, flags);
            let mut p = printer(terminal);
            // Twice: the second line takes the cached type.
            p.print(0, &msg).unwrap();
            p.print(0, &msg).unwrap();
            let want = serde_line(&mut p, &msg).repeat(2);
            let (out, _) = p.take(Vec::new());
            proptest::prop_assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&want));
        }
    }

    #[test]
    fn on_a_terminal_an_event_line_has_no_control_bidi_or_del_left_and_is_the_same_json() {
        let data = "a\u{1b}[31mb\u{7f}c\u{9b}d\u{202e}e\u{2028}f\n";
        let mut p = printer(true);
        p.print(0, &event_msg("t\u{9b}", data, "i\u{1b}", [false; 3]))
            .unwrap();
        let (out, _) = p.take(Vec::new());
        let line = std::str::from_utf8(&out).unwrap().trim_end();
        assert!(
            !line.chars().any(|c| c.is_control() || text::is_unsafe(c)),
            "{line}"
        );
        let back: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(back["data"], data);
        assert_eq!(back["type"], "t\u{9b}");
        assert_eq!(back["feed"], "feed \u{1b}\"x\"");
    }

    #[test]
    fn theme_colours_become_the_sgr_a_terminal_backend_writes() {
        assert_eq!(sgr(Color::Rgb(122, 162, 247)).unwrap(), "38;2;122;162;247");
        assert_eq!(sgr(Color::Indexed(208)).unwrap(), "38;5;208");
        assert_eq!(sgr(Color::LightBlue).unwrap(), "94");
        assert_eq!(sgr(Color::Reset), None);
    }
}
