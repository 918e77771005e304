//! One transcript message's figures: time to first token, duration, chunks, usage, finish.
//! Pure: the caller gives every time (the request's, each event's arrival).

use std::time::{Duration, SystemTime};

use super::{Derived, Usage};

#[derive(Debug, Clone, PartialEq)]
pub struct MessageStats {
    /// When the request was sent (the feed's `connecting` state), or the first event's time
    /// when a message starts on a `message` value change.
    pub started: SystemTime,
    pub first_text: Option<SystemTime>,
    pub last_text: Option<SystemTime>,
    pub last_event: Option<SystemTime>,
    /// Events that added text (thinking included).
    pub chunks: u64,
    pub events: u64,
    pub usage: Usage,
    pub finish: Option<String>,
    /// The last error event's message (or a failed request's reason, set by the caller).
    pub error: Option<String>,
}

impl MessageStats {
    pub fn new(started: SystemTime) -> MessageStats {
        MessageStats {
            started,
            first_text: None,
            last_text: None,
            last_event: None,
            chunks: 0,
            events: 0,
            usage: Usage::default(),
            finish: None,
            error: None,
        }
    }

    /// Counts one event that arrived at `at`.
    pub fn add(&mut self, d: &Derived, at: SystemTime) {
        self.events += 1;
        self.last_event = Some(at);
        if d.text.as_deref().is_some_and(|t| !t.is_empty()) {
            self.chunks += 1;
            self.first_text.get_or_insert(at);
            self.last_text = Some(at);
        }
        if let Some(usage) = &d.usage {
            self.usage.merge(usage);
        }
        if d.finish.is_some() {
            self.finish.clone_from(&d.finish);
        }
        if d.is_error {
            self.error = Some(
                d.error_message
                    .clone()
                    .unwrap_or_else(|| "error event".to_owned()),
            );
        }
    }

    /// From the request to the first non-empty text.
    pub fn ttft(&self) -> Option<Duration> {
        since(self.started, self.first_text?)
    }

    /// From the request to the last event.
    pub fn duration(&self) -> Option<Duration> {
        since(self.started, self.last_event?)
    }

    /// Chunks per second between the first and the last text (see [`chunks_per_sec`]).
    pub fn chunks_per_sec(&self) -> Option<f64> {
        chunks_per_sec(self.chunks, since(self.first_text?, self.last_text?)?)
    }

    /// One line: `ttft 312 ms · 2.4 s · 37 chunks · 15.4 chunks/s · tokens 25 in, 37 out ·
    /// finish stop`; parts not known are left out.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = self.ttft() {
            parts.push(format!("ttft {}", crate::text::duration(t)));
        }
        if let Some(d) = self.duration() {
            parts.push(crate::text::duration(d));
        }
        parts.push(format!(
            "{} chunk{}",
            self.chunks,
            if self.chunks == 1 { "" } else { "s" }
        ));
        if let Some(rate) = self.chunks_per_sec() {
            parts.push(format!("{rate:.1} chunks/s"));
        }
        match (self.usage.prompt_tokens, self.usage.completion_tokens) {
            (None, None) => {}
            (p, c) => {
                let n = |v: Option<u64>| v.map_or("?".to_owned(), |v| v.to_string());
                parts.push(format!("tokens {} in, {} out", n(p), n(c)));
            }
        }
        if let Some(finish) = &self.finish {
            parts.push(format!("finish {}", crate::text::escape(finish)));
        }
        if let Some(error) = &self.error {
            parts.push(format!("error: {}", crate::text::escape(error)));
        }
        parts.join(" · ")
    }
}

/// The rate of a message's text: `chunks` text events, the first and the last `span` apart,
/// are `chunks - 1` gaps in `span` (`None` under two chunks or with no time between them).
/// `tail`'s summary and the dashboard's transcript header both use it, so they agree.
pub fn chunks_per_sec(chunks: u64, span: Duration) -> Option<f64> {
    let span = span.as_secs_f64();
    (chunks >= 2 && span > 0.0).then(|| (chunks - 1) as f64 / span)
}

fn since(from: SystemTime, to: SystemTime) -> Option<Duration> {
    to.duration_since(from).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
    }

    fn text(t: &str) -> Derived {
        Derived {
            text: Some(t.into()),
            ..Derived::default()
        }
    }

    #[test]
    fn ttft_duration_and_rate_come_from_the_text_events() {
        let mut m = MessageStats::new(at(1000));
        m.add(&Derived::default(), at(1100)); // role chunk, no text
        m.add(&text("Hel"), at(1300));
        m.add(&text("lo"), at(1800));
        m.add(&text("!"), at(2300));
        assert_eq!(m.ttft(), Some(Duration::from_millis(300)));
        assert_eq!(m.duration(), Some(Duration::from_millis(1300)));
        assert_eq!(m.chunks, 3);
        assert_eq!(m.chunks_per_sec(), Some(2.0));
        assert_eq!(m.summary(), "ttft 300 ms · 1.3 s · 3 chunks · 2.0 chunks/s");
    }

    #[test]
    fn running_total_usage_is_replaced_not_summed() {
        let mut m = MessageStats::new(at(0));
        for out in [1, 10, 25] {
            m.add(
                &Derived {
                    usage: Some(Usage {
                        prompt_tokens: None,
                        completion_tokens: Some(out),
                    }),
                    ..Derived::default()
                },
                at(5),
            );
        }
        assert_eq!(m.usage.completion_tokens, Some(25));
    }

    #[test]
    fn error_event_message_and_finish_are_in_the_summary() {
        let mut m = MessageStats::new(at(0));
        m.add(
            &Derived {
                is_error: true,
                error_message: Some("Overloaded".into()),
                finish: Some("error".into()),
                ..Derived::default()
            },
            at(40),
        );
        assert_eq!(
            m.summary(),
            "40 ms · 0 chunks · finish error · error: Overloaded"
        );
    }
}
