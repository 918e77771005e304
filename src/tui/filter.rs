//! The text filter of a pane (`/`): a regex with smart case, or plain text when the regex is
//! invalid (the error is shown, never a crash).

use regex::Regex;

use super::pane::StoredEvent;

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
}

impl TextFilter {
    pub fn new(pattern: &str) -> Self {
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
        false
    }

    /// The regex error, if the pattern is not a valid regex.
    pub fn error(&self) -> Option<&str> {
        match &self.matcher {
            Matcher::Plain { error, .. } => Some(error),
            Matcher::Regex(_) => None,
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
        }
    }
}

impl TextFilter {
    /// Whether the filter matches `hay` (a feed name, in the overview).
    pub fn is_match(&self, hay: &str) -> bool {
        match &self.matcher {
            Matcher::Regex(re) => re.is_match(hay),
            Matcher::Plain { needle, .. } => hay.contains(needle.as_str()),
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
            Matcher::Plain { .. } => Vec::new(),
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
