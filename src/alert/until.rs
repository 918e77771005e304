//! `tail --until EXPR`: the event that ends a run with exit 0. `type:NAME` matches the event
//! type; anything else is a jq expression on the event's data.

use crate::sse::Event;

#[derive(Debug, Clone)]
pub enum Until {
    /// `type:NAME`: an event of this type.
    Type(String),
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
        Err(format!(
            "--until '{}': jq expressions are not available in this build; use --until \
             type:NAME",
            crate::text::escape(text)
        ))
    }

    pub fn matches(&self, event: &Event) -> bool {
        match self {
            Until::Type(name) => *event.event_type == **name,
        }
    }

    /// As the user wrote it, for messages (not escaped).
    pub fn source(&self) -> String {
        match self {
            Until::Type(name) => format!("type:{name}"),
        }
    }
}
