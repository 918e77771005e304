//! The SSE wire format: our own incremental parser (see `docs/sse.md` for why).

mod data;
mod ends;
mod field;
mod line;
mod parser;

pub use data::Data;
pub use field::FieldStr;
pub use parser::{Event, Item, MAX_ID_BYTES, MAX_TYPE_BYTES, Parser, parse_all};

/// Whether a `Content-Type` header value has the MIME essence `text/event-stream`
/// (parameters such as `; charset=utf-8` are allowed; case-insensitive).
pub fn is_event_stream(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("");
    essence
        .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
        .eq_ignore_ascii_case("text/event-stream")
}
