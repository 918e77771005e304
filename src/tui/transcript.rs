//! A transcript view's state: the running text of a streamed answer (an LLM's tokens), one
//! message per connection or per value of the feed's `message` expression, with the figures
//! of its header (time to first token, duration, chunks, usage, finish reason). Updated once
//! per event on arrival; wrapping to the pane's width happens when drawn, for the rows shown.
//!
//! Bounded: the oldest messages go past [`MAX_MESSAGES`], and a message stops growing at
//! [`MAX_MESSAGE_BYTES`] (it says so).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Messages kept at most.
pub const MAX_MESSAGES: usize = 200;
/// Text one message keeps at most.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// What a piece of a message's text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Text,
    /// The model's thinking (shown dimmed).
    Thinking,
    /// An error event or a failed request (shown in red).
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub kind: PartKind,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Message {
    /// When the request that brought it was sent (the connection attempt), else its first
    /// event: where the time to first token counts from.
    pub requested_at: Instant,
    pub first_event_at: Option<Instant>,
    pub first_text_at: Option<Instant>,
    pub last_text_at: Option<Instant>,
    pub last_event_at: Option<Instant>,
    /// Events that added text.
    pub chunks: u64,
    pub events: u64,
    pub parts: Vec<Part>,
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub finish: Option<String>,
    /// The `message` expression's value that started it.
    pub key: Option<String>,
    /// `seq` of its first event (`Enter` shows its raw events from there).
    pub first_seq: Option<u64>,
    pub bytes: usize,
    /// Text past [`MAX_MESSAGE_BYTES`] was left out.
    pub cut: bool,
}

impl Message {
    fn new(requested_at: Instant, key: Option<String>) -> Message {
        Message {
            requested_at,
            first_event_at: None,
            first_text_at: None,
            last_text_at: None,
            last_event_at: None,
            chunks: 0,
            events: 0,
            parts: Vec::new(),
            prompt_tokens: None,
            completion_tokens: None,
            finish: None,
            key,
            first_seq: None,
            bytes: 0,
            cut: false,
        }
    }

    /// Time to first token: from the request to the first non-empty text.
    pub fn ttft(&self) -> Option<Duration> {
        Some(
            self.first_text_at?
                .saturating_duration_since(self.requested_at),
        )
    }

    /// From the request to the last event.
    pub fn duration(&self) -> Option<Duration> {
        Some(
            self.last_event_at?
                .saturating_duration_since(self.requested_at),
        )
    }

    /// Chunks per second, from the first text to the last text (as `tail` counts them).
    pub fn chunks_per_second(&self) -> Option<f64> {
        let span = self
            .last_text_at?
            .saturating_duration_since(self.first_text_at?);
        crate::view::message::chunks_per_sec(self.chunks, span)
    }

    fn push(&mut self, kind: PartKind, text: &str) {
        if self.bytes + text.len() > MAX_MESSAGE_BYTES {
            self.cut = true;
            return;
        }
        self.bytes += text.len();
        match self.parts.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(text),
            _ => self.parts.push(Part {
                kind,
                text: text.to_string(),
            }),
        }
    }

    /// All the text, for search.
    pub fn contains(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.parts.iter().any(|p| pred(&p.text)) || self.finish.as_deref().is_some_and(&pred)
    }
}

/// One event's contribution to a transcript, from the feed's expressions.
#[derive(Debug, Clone, Default)]
pub struct Update {
    pub text: Option<String>,
    pub thinking: bool,
    pub message: Option<String>,
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub finish: Option<String>,
    pub is_error: bool,
    /// What an error event says, from the feed's `error_text` expression.
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Transcript {
    pub messages: VecDeque<Message>,
    /// A connection attempt began: the next event starts a new message, timed from here.
    pending_request: Option<Instant>,
    /// The selected message (index in `messages`), or `None` to follow the newest.
    pub selected: Option<usize>,
    /// Messages dropped from the front (so a selection can follow its message).
    pub dropped: u64,
}

impl Transcript {
    /// A connection attempt: its request is sent now.
    pub fn on_connecting(&mut self, now: Instant) {
        self.pending_request = Some(now);
    }

    /// The request failed (`reason` says why, with the error body's message): shown inline.
    pub fn on_failure(&mut self, reason: &str, now: Instant) {
        if let Some(at) = self.pending_request.take() {
            self.start(at, None);
        } else if self.messages.is_empty() {
            self.start(now, None);
        }
        if let Some(m) = self.messages.back_mut() {
            let sep = if m.parts.is_empty() { "" } else { "\n" };
            m.push(PartKind::Error, &format!("{sep}{reason}"));
            m.last_event_at.get_or_insert(now);
        }
    }

    /// One event; `data` is its raw data (for the message of an error event).
    pub fn on_event(&mut self, update: Update, seq: u64, data: &str, now: Instant) {
        let new_key = update.message.is_some()
            && self
                .messages
                .back()
                .is_some_and(|m| m.key != update.message);
        if let Some(at) = self.pending_request.take() {
            self.start(at, update.message.clone());
        } else if self.messages.is_empty() || new_key {
            self.start(now, update.message.clone());
        }
        let m = self.messages.back_mut().expect("a message was started");
        if m.key.is_none() {
            m.key = update.message;
        }
        m.events += 1;
        m.first_seq.get_or_insert(seq);
        m.first_event_at.get_or_insert(now);
        m.last_event_at = Some(now);
        if let Some(text) = update.text.filter(|t| !t.is_empty()) {
            m.chunks += 1;
            m.first_text_at.get_or_insert(now);
            m.last_text_at = Some(now);
            let kind = if update.thinking {
                PartKind::Thinking
            } else {
                PartKind::Text
            };
            m.push(kind, &text);
        }
        if update.is_error {
            let sep = if m.parts.is_empty() { "" } else { "\n" };
            let msg = match update.error_message {
                Some(msg) => format!("error: {msg}"),
                None => error_message(data),
            };
            m.push(PartKind::Error, &format!("{sep}{msg}"));
        }
        // Usage figures are the stream's latest report, not a sum (Anthropic sends a running
        // total of output tokens).
        if update.prompt_tokens.is_some() {
            m.prompt_tokens = update.prompt_tokens;
        }
        if update.completion_tokens.is_some() {
            m.completion_tokens = update.completion_tokens;
        }
        if update.finish.is_some() {
            m.finish = update.finish;
        }
    }

    fn start(&mut self, at: Instant, key: Option<String>) {
        if self.messages.len() >= MAX_MESSAGES {
            self.messages.pop_front();
            self.dropped += 1;
            self.selected = self.selected.and_then(|s| s.checked_sub(1));
        }
        self.messages.push_back(Message::new(at, key));
    }

    /// Index of the highlighted message.
    pub fn cursor(&self) -> Option<usize> {
        let n = self.messages.len();
        (n > 0).then(|| self.selected.unwrap_or(n - 1).min(n - 1))
    }

    /// Moves the selection by `delta` messages; past the newest follows again.
    pub fn move_by(&mut self, delta: isize) {
        let n = self.messages.len();
        let Some(cur) = self.cursor() else { return };
        let to = cur.saturating_add_signed(delta);
        self.selected = if to + 1 >= n && delta > 0 {
            None
        } else {
            Some(to.min(n - 1))
        };
    }

    pub fn clear(&mut self) {
        self.messages.clear();
        self.selected = None;
    }
}

/// What an error event says: its JSON's `error.message`, `error` or `message`, else the data.
pub fn error_message(data: &str) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .and_then(|v| {
            [
                v.pointer("/error/message"),
                v.get("error"),
                v.get("message"),
            ]
            .into_iter()
            .flatten()
            .find_map(|x| x.as_str().map(String::from))
        });
    let msg = from_json.unwrap_or_else(|| data.to_string());
    format!("error: {msg}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Update {
        Update {
            text: Some(t.into()),
            ..Update::default()
        }
    }

    #[test]
    fn chunks_join_into_one_message_per_connection_with_its_timings() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut tr = Transcript::default();
        tr.on_connecting(t0);
        tr.on_event(Update::default(), 0, "{}", ms(100));
        tr.on_event(text("Hello"), 1, "", ms(250));
        tr.on_event(text(", world."), 2, "", ms(450));
        tr.on_event(
            Update {
                finish: Some("stop".into()),
                prompt_tokens: Some(12),
                completion_tokens: Some(3),
                ..Update::default()
            },
            3,
            "",
            ms(500),
        );
        tr.on_connecting(ms(2000));
        tr.on_event(text("Again"), 4, "", ms(2300));
        assert_eq!(tr.messages.len(), 2);
        let m = &tr.messages[0];
        assert_eq!(m.parts[0].text, "Hello, world.");
        assert_eq!(m.ttft(), Some(Duration::from_millis(250)));
        assert_eq!(m.duration(), Some(Duration::from_millis(500)));
        assert_eq!((m.chunks, m.events), (2, 4));
        // One gap between the first and the last text, 200 ms apart.
        assert_eq!(m.chunks_per_second(), Some(5.0));
        assert_eq!((m.prompt_tokens, m.completion_tokens), (Some(12), Some(3)));
        assert_eq!(m.finish.as_deref(), Some("stop"));
        assert_eq!(tr.messages[1].ttft(), Some(Duration::from_millis(300)));
        assert_eq!(tr.messages[1].first_seq, Some(4));
    }

    #[test]
    fn a_new_message_value_starts_a_new_message_and_usage_is_the_latest_not_a_sum() {
        let t0 = Instant::now();
        let mut tr = Transcript::default();
        let msg = |id: &str, t: &str, out: u64| Update {
            text: Some(t.into()),
            message: Some(id.into()),
            completion_tokens: Some(out),
            ..Update::default()
        };
        tr.on_event(msg("a", "one ", 1), 0, "", t0);
        tr.on_event(msg("a", "two", 5), 1, "", t0);
        tr.on_event(msg("b", "three", 2), 2, "", t0);
        assert_eq!(tr.messages.len(), 2);
        assert_eq!(tr.messages[0].parts[0].text, "one two");
        assert_eq!(tr.messages[0].completion_tokens, Some(5));
    }

    #[test]
    fn thinking_and_errors_are_parts_of_their_own_kind_with_the_error_bodys_message() {
        let t0 = Instant::now();
        let mut tr = Transcript::default();
        tr.on_event(
            Update {
                text: Some("hmm".into()),
                thinking: true,
                ..Update::default()
            },
            0,
            "",
            t0,
        );
        tr.on_event(text("Yes."), 1, "", t0);
        tr.on_event(
            Update {
                is_error: true,
                ..Update::default()
            },
            2,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            t0,
        );
        tr.on_connecting(t0);
        tr.on_failure("HTTP 401 Unauthorized: Incorrect API key provided", t0);
        let kinds: Vec<(PartKind, &str)> = tr.messages[0]
            .parts
            .iter()
            .map(|p| (p.kind, p.text.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (PartKind::Thinking, "hmm"),
                (PartKind::Text, "Yes."),
                (PartKind::Error, "\nerror: Overloaded")
            ]
        );
        assert_eq!(
            tr.messages[1].parts[0].text,
            "HTTP 401 Unauthorized: Incorrect API key provided"
        );
    }

    #[test]
    fn messages_are_bounded() {
        let t0 = Instant::now();
        let mut tr = Transcript::default();
        for i in 0..(MAX_MESSAGES as u64 + 5) {
            tr.on_connecting(t0);
            tr.on_event(text("x"), i, "", t0);
        }
        assert_eq!(tr.messages.len(), MAX_MESSAGES);
        assert_eq!(tr.dropped, 5);
    }
}
