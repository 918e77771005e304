//! The text filter of a pane (`/`): a regex with smart case, or plain text when the regex is
//! invalid (the error is shown, never a crash). `jq: EXPR` keeps the events for which the jq
//! expression is true on their data; one that does not compile is shown and not applied.

use regex::Regex;

use super::pane::StoredEvent;
use crate::expr::{Expr, Input};

/// The text filter of a pane.
#[derive(Debug, Clone)]
pub struct TextFilter {
    pub pattern: String,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// A valid regex (case-insensitive unless the pattern has upper case).
    Regex(Regex),
    /// An invalid regex: matched as plain text, and the error is shown.
    Plain { needle: String, error: String },
    /// `jq: EXPR`, true on the event's data.
    Jq(Expr),
    /// `jq: EXPR` that does not compile: every event passes, and the error is shown.
    BadJq(String),
}

/// What starts a jq filter.
pub const JQ_PREFIX: &str = "jq:";

impl TextFilter {
    pub fn new(pattern: &str) -> Self {
        if let Some(src) = pattern.strip_prefix(JQ_PREFIX) {
            let matcher = match Expr::compile(src.trim()) {
                Ok(expr) => Matcher::Jq(expr),
                Err(e) => Matcher::BadJq(e),
            };
            return TextFilter {
                pattern: pattern.to_string(),
                matcher,
            };
        }
        let smart_case = !pattern.chars().any(char::is_uppercase);
        let matcher = match regex::RegexBuilder::new(pattern)
            .case_insensitive(smart_case)
            .size_limit(1 << 20)
            .build()
        {
            Ok(re) => Matcher::Regex(re),
            Err(e) => Matcher::Plain {
                needle: pattern.to_string(),
                error: regex_error_line(&e),
            },
        };
        TextFilter {
            pattern: pattern.to_string(),
            matcher,
        }
    }

    /// A `jq:` filter: it is decided on an event's data, not found in text.
    pub fn is_jq(&self) -> bool {
        matches!(self.matcher, Matcher::Jq(_) | Matcher::BadJq(_))
    }

    /// The regex error, if the pattern is not a valid regex.
    pub fn error(&self) -> Option<&str> {
        match &self.matcher {
            Matcher::Plain { error, .. } | Matcher::BadJq(error) => Some(error),
            Matcher::Regex(_) | Matcher::Jq(_) => None,
        }
    }

    pub fn matches(&self, event: &StoredEvent) -> bool {
        match &self.matcher {
            Matcher::Regex(re) => {
                re.is_match(event.data) || re.is_match(event.event_type) || re.is_match(event.id)
            }
            Matcher::Plain { needle, .. } => {
                event.data.contains(needle.as_str())
                    || event.event_type.contains(needle.as_str())
                    || event.id.contains(needle.as_str())
            }
            Matcher::Jq(expr) => expr.truthy(&Input::from_data(event.data)).unwrap_or(false),
            Matcher::BadJq(_) => true,
        }
    }
}

impl TextFilter {
    /// Whether the filter matches `hay` (a feed name, in the overview).
    pub fn is_match(&self, hay: &str) -> bool {
        match &self.matcher {
            Matcher::Regex(re) => re.is_match(hay),
            Matcher::Plain { needle, .. } => hay.contains(needle.as_str()),
            // A feed name or a shown text is not an event's data.
            Matcher::Jq(_) | Matcher::BadJq(_) => true,
        }
    }

    /// Where the filter matches in `hay` (byte ranges, at most `max`), for highlighting.
    pub fn find_in(&self, hay: &str, max: usize) -> Vec<(usize, usize)> {
        match &self.matcher {
            Matcher::Regex(re) => re
                .find_iter(hay)
                .filter(|m| !m.is_empty())
                .take(max)
                .map(|m| (m.start(), m.end()))
                .collect(),
            Matcher::Plain { needle, .. } if !needle.is_empty() => hay
                .match_indices(needle.as_str())
                .take(max)
                .map(|(i, m)| (i, i + m.len()))
                .collect(),
            Matcher::Plain { .. } | Matcher::Jq(_) | Matcher::BadJq(_) => Vec::new(),
        }
    }
}

fn regex_error_line(e: &regex::Error) -> String {
    // The regex crate's message spans several lines with a caret diagram; keep the last line.
    let text = e.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    last.trim().trim_start_matches("error: ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn event(data: &str) -> StoredEvent<'_> {
        StoredEvent {
            seq: 0,
            at: UNIX_EPOCH,
            event_type: "quote",
            id: "",
            data,
            truncated: false,
            type_truncated: false,
            id_truncated: false,
            cached_line: None,
        }
    }

    #[test]
    fn a_jq_filter_keeps_the_events_for_which_it_is_true() {
        let f = TextFilter::new("jq: .price > 200");
        assert!(f.is_jq() && f.error().is_none());
        assert!(f.matches(&event(r#"{"price":250}"#)));
        assert!(!f.matches(&event(r#"{"price":150}"#)));
        // Indexing a string (data that is not JSON) is a runtime error: no match, no crash.
        assert!(!f.matches(&event("[DONE]")));
    }

    #[test]
    fn a_jq_filter_that_does_not_compile_says_why_and_hides_nothing() {
        let f = TextFilter::new("jq: .price >");
        assert!(f.error().is_some_and(|e| !e.is_empty()), "{:?}", f.error());
        assert!(f.matches(&event("anything")));
    }
}
