//! Presets for LLM streaming APIs: the expressions that read each provider's wire format.
//!
//! Every expression starts with `objects |` or guards with `type`, so the non-JSON end marker
//! (`[DONE]`) gives no output instead of a runtime error.

use super::{FeedExprs, ViewKind, ViewSpec};
use crate::expr::Expr;

/// A preset's expressions, as jq source.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    /// What the preset reads, for `--help` and errors.
    pub about: &'static str,
    pub type_from: Option<&'static str>,
    pub stop_when: Option<&'static str>,
    pub error_when: Option<&'static str>,
    pub text: &'static str,
    pub thinking: Option<&'static str>,
    pub finish: &'static str,
    pub prompt_tokens: &'static str,
    pub completion_tokens: &'static str,
    pub error_text: &'static str,
}

/// The presets' names, for errors and completions.
pub const PRESETS: &[&str] = &["openai-chat", "openai-responses", "anthropic", "gemini"];

const TABLE: &[Preset] = &[
    Preset {
        name: "openai-chat",
        about: "OpenAI Chat Completions (and compatible servers): unnamed chunks, data: [DONE]",
        type_from: Some(
            r#"if type != "object" then "done" elif .error then "error" elif (.choices // []) == [] then "usage" elif .choices[0].finish_reason then "finish" else "delta" end"#,
        ),
        stop_when: Some(r#". == "[DONE]""#),
        error_when: Some(r#"type == "object" and .error != null"#),
        text: r#"objects | .choices[0]?.delta.content"#,
        // DeepSeek-style and OpenRouter reasoning deltas.
        thinking: Some(
            r#"objects | .choices[0]?.delta | objects | .reasoning_content // .reasoning"#,
        ),
        finish: r#"objects | .choices[0]?.finish_reason"#,
        prompt_tokens: r#"objects | .usage?.prompt_tokens"#,
        completion_tokens: r#"objects | .usage?.completion_tokens"#,
        error_text: r#"objects | .error | objects | .message"#,
    },
    Preset {
        name: "openai-responses",
        about: "OpenAI Responses API: response.output_text.delta events",
        type_from: Some(r#"objects | .type"#),
        stop_when: Some(
            r#"objects | .type == "response.completed" or .type == "response.incomplete" or .type == "response.failed""#,
        ),
        error_when: Some(r#"objects | .type == "error" or .type == "response.failed""#),
        text: r#"objects | select(.type == "response.output_text.delta") | .delta"#,
        thinking: Some(
            r#"objects | select(.type == "response.reasoning_summary_text.delta") | .delta"#,
        ),
        finish: r#"objects | select(.type == "response.completed" or .type == "response.incomplete" or .type == "response.failed") | .response.incomplete_details.reason? // .response.status"#,
        prompt_tokens: r#"objects | .response?.usage?.input_tokens"#,
        completion_tokens: r#"objects | .response?.usage?.output_tokens"#,
        error_text: r#"objects | if .type == "error" then .message else .response?.error?.message end"#,
    },
    Preset {
        name: "anthropic",
        about: "Anthropic Messages API: content_block_delta events, message_stop",
        type_from: Some(r#"objects | .type"#),
        stop_when: Some(r#"objects | .type == "message_stop""#),
        error_when: Some(r#"objects | .type == "error""#),
        text: r#"objects | select(.type == "content_block_delta" and .delta.type == "text_delta") | .delta.text"#,
        thinking: Some(
            r#"objects | select(.type == "content_block_delta" and .delta.type == "thinking_delta") | .delta.thinking"#,
        ),
        finish: r#"objects | select(.type == "message_delta") | .delta.stop_reason"#,
        prompt_tokens: r#"objects | select(.type == "message_start") | .message.usage.input_tokens"#,
        // A running total: each message_delta reports the count so far (never summed).
        completion_tokens: r#"objects | select(.type == "message_delta") | .usage.output_tokens"#,
        error_text: r#"objects | select(.type == "error") | .error.message"#,
    },
    Preset {
        name: "gemini",
        about: "Google Gemini streamGenerateContent?alt=sse: candidates[0].content.parts[].text",
        type_from: Some(
            r#"objects | if .error then "error" elif .candidates[0]?.finishReason then "finish" else "chunk" end"#,
        ),
        // The stream simply ends.
        stop_when: None,
        error_when: Some(r#"objects | .error != null"#),
        text: r#"objects | .candidates[0]?.content.parts[]? | select(.thought != true) | .text"#,
        thinking: Some(
            r#"objects | .candidates[0]?.content.parts[]? | select(.thought == true) | .text"#,
        ),
        finish: r#"objects | .candidates[0]?.finishReason"#,
        prompt_tokens: r#"objects | .usageMetadata?.promptTokenCount"#,
        completion_tokens: r#"objects | .usageMetadata?.candidatesTokenCount"#,
        error_text: r#"objects | .error | objects | .message"#,
    },
];

impl Preset {
    pub fn find(name: &str) -> Option<&'static Preset> {
        TABLE.iter().find(|p| p.name == name)
    }

    pub fn all() -> &'static [Preset] {
        TABLE
    }

    /// The preset compiled: a transcript view with its text, usage and finish expressions.
    pub fn exprs(&self) -> FeedExprs {
        // The table is fixed and every entry is compiled by a unit test.
        let c = |src: &str| {
            Expr::compile(src).unwrap_or_else(|e| panic!("preset {}: {src}: {e}", self.name))
        };
        FeedExprs {
            type_from: self.type_from.map(c),
            stop_when: self.stop_when.map(c),
            error_when: self.error_when.map(c),
            view: ViewSpec {
                kind: ViewKind::Transcript,
                text: Some(c(self.text)),
                thinking: self.thinking.map(c),
                finish: Some(c(self.finish)),
                prompt_tokens: Some(c(self.prompt_tokens)),
                completion_tokens: Some(c(self.completion_tokens)),
                error_text: Some(c(self.error_text)),
                ..ViewSpec::default()
            },
            highlights: Vec::new(),
            preset: Some(self.name.to_owned()),
        }
    }
}

/// The named preset's expressions; `Err` lists the names.
pub fn preset(name: &str) -> Result<FeedExprs, String> {
    Preset::find(name).map(Preset::exprs).ok_or_else(|| {
        format!(
            "unknown preset `{}`; use one of {}",
            crate::text::escape(name),
            PRESETS.join(", ")
        )
    })
}
