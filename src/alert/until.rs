//! `tail --until EXPR`: the event that ends a run with exit 0. `type:NAME` matches the event
//! type; anything else is a jq expression on the event's data (the raw string when it is not
//! JSON), matched when its first output is truthy.

use crate::expr::{Expr, Input};
use crate::sse::Event;

#[derive(Debug, Clone)]
pub enum Until {
    /// `type:NAME`: an event of this type.
    Type(String),
    /// A jq expression, compiled once.
    Jq(Expr),
}

impl Until {
    /// Reads `--until`'s value; the error says what to write.
    pub fn parse(text: &str) -> Result<Until, String> {
        if let Some(name) = text.strip_prefix("type:") {
            if name.is_empty() {
                return Err("--until type: needs an event type, e.g. --until type:deploy".into());
            }
            return Ok(Until::Type(name.to_string()));
        }
        Expr::compile(text).map(Until::Jq).map_err(|e| {
            format!(
                "--until '{}': not a jq expression ({}); write e.g. --until '.status == \"done\"' \
                 or --until type:deploy",
                crate::text::escape(text),
                crate::text::escape(&e)
            )
        })
    }

    pub fn matches(&self, event: &Event) -> bool {
        match self {
            Until::Type(name) => *event.event_type == **name,
            Until::Jq(expr) => expr.truthy(&Input::from_data(&event.data)).unwrap_or(false),
        }
    }

    /// As the user wrote it, for messages (not escaped).
    pub fn source(&self) -> String {
        match self {
            Until::Type(name) => format!("type:{name}"),
            Until::Jq(expr) => expr.source().to_string(),
        }
    }
}
