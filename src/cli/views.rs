//! The view options of the command line (`--view`, `--key`, `--column`, `--type-from`,
//! `--stop-when`, `--preset`, and `--text` for a transcript without a preset), shared by the
//! dashboard and `tail`.
//!
//! They are made for ad-hoc URLs. On the feeds of a config file (or the demo's) they apply to
//! every feed picked, over the feed's own settings: `--preset` replaces the feed's expressions
//! (its highlights stay), and each other option replaces that one setting.

use std::sync::Arc;

use clap::Args;

use super::UsageError;
use crate::expr::Expr;
use crate::feed::FeedSpec;
use crate::text;
use crate::view::{Column, ViewKind, preset};

/// The help heading of the view options. Set on each option, not as the struct's
/// `next_help_heading`, which would also put every option declared after the flatten (a
/// global `--log-file` among them) under it.
const HEADING: &str = "Views (jq expressions; on a config's feeds they replace the feed's own)";

#[derive(Debug, Args, Default, Clone)]
pub struct ViewArgs {
    /// How panes show events: list, board (latest value per --key) or transcript.
    #[arg(long, help_heading = HEADING, value_name = "KIND", value_parser = ["list", "board", "transcript"])]
    pub view: Option<String>,
    /// Board key, a jq expression: one row per distinct value, e.g. --key .symbol
    #[arg(long, help_heading = HEADING, value_name = "EXPR")]
    pub key: Option<String>,
    /// A column, a jq expression on the event's data (repeatable), e.g. --column .price or
    /// --column vol:.volume (TITLE:EXPR)
    #[arg(long = "column", help_heading = HEADING, value_name = "EXPR")]
    pub columns: Vec<String>,
    /// Transcript text, a jq expression appended per event (implies --view transcript), e.g.
    /// --text .choices[0].delta.content
    #[arg(long, help_heading = HEADING, value_name = "EXPR")]
    pub text: Option<String>,
    /// The type of events without an `event:` line, a jq expression, e.g. --type-from .type
    #[arg(long, help_heading = HEADING, value_name = "EXPR")]
    pub type_from: Option<String>,
    /// Close the feed for good when this jq expression is true, e.g. --stop-when '. == "[DONE]"'
    #[arg(long, help_heading = HEADING, value_name = "EXPR")]
    pub stop_when: Option<String>,
    /// Read an LLM stream: openai-chat, openai-responses, anthropic or gemini.
    #[arg(long, help_heading = HEADING, value_name = "NAME", value_parser = crate::view::PRESETS.to_vec())]
    pub preset: Option<String>,
}

impl ViewArgs {
    fn is_empty(&self) -> bool {
        self.view.is_none()
            && self.key.is_none()
            && self.columns.is_empty()
            && self.text.is_none()
            && self.type_from.is_none()
            && self.stop_when.is_none()
            && self.preset.is_none()
    }

    /// Sets the feed's expressions from the options; a feed is left alone when none is given.
    pub fn apply(&self, spec: &mut FeedSpec) -> Result<(), UsageError> {
        if self.is_empty() {
            return Ok(());
        }
        let mut exprs = (*spec.exprs).clone();
        if let Some(name) = &self.preset {
            let highlights = std::mem::take(&mut exprs.highlights);
            exprs = preset(name).map_err(|e| UsageError(format!("--preset: {e}")))?;
            exprs.highlights = highlights;
        }
        if let Some(src) = &self.type_from {
            exprs.type_from = Some(compile("--type-from", src)?);
        }
        if let Some(src) = &self.stop_when {
            exprs.stop_when = Some(compile("--stop-when", src)?);
        }
        if let Some(kind) = &self.view {
            exprs.view.kind = ViewKind::parse(kind).ok_or_else(|| {
                UsageError(format!(
                    "--view {}: write list, board or transcript",
                    text::escape(kind)
                ))
            })?;
        }
        if let Some(src) = &self.key {
            exprs.view.key = Some(compile("--key", src)?);
            // A key asks for a board unless a view was named.
            if self.view.is_none() {
                exprs.view.kind = ViewKind::Board;
            }
        }
        if let Some(src) = &self.text {
            exprs.view.text = Some(compile("--text", src)?);
            if self.view.is_none() {
                exprs.view.kind = ViewKind::Transcript;
            }
        }
        if !self.columns.is_empty() {
            exprs.view.columns = self
                .columns
                .iter()
                .map(|arg| {
                    Column::parse_arg(arg).map_err(|e| {
                        UsageError(format!(
                            "--column '{}': {}",
                            text::escape(arg),
                            text::escape(&e)
                        ))
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        spec.exprs = Arc::new(exprs);
        Ok(())
    }
}

fn compile(option: &str, src: &str) -> Result<Expr, UsageError> {
    Expr::compile(src).map_err(|e| {
        UsageError(format!(
            "{option} '{}': {}",
            text::escape(src),
            text::escape(&e)
        ))
    })
}

/// The views of the built-in demo (the repo's `feeds.toml` says the same in TOML):
/// - ticker: a board keyed by symbol with price, change and volume;
/// - news: a list of title and source;
/// - deploys: highlights (ERROR lines, live deploys) and failed deploys marked as errors;
/// - assistant: a POST answered in OpenAI chunks, as a transcript (preset openai-chat), asked
///   again after each answer so each connection is a new message.
pub(super) fn demo_views(
    ticker: &mut FeedSpec,
    news: &mut FeedSpec,
    deploys: &mut FeedSpec,
    assistant: &mut FeedSpec,
) {
    use crate::feed::reconnect::When;
    use crate::view::{Align, FeedExprs, HighlightMatch, HighlightRule, ViewSpec, parse_style};
    // Fixed text, compiled by the demo tests.
    let e = |src: &str| Expr::compile(src).expect("demo expression");
    let style = |s: &str| parse_style(s).expect("demo style");
    let right = |src: &str| Column {
        align: Align::Right,
        ..Column::of(e(src))
    };
    ticker.exprs = Arc::new(FeedExprs {
        view: ViewSpec {
            kind: ViewKind::Board,
            key: Some(e(".symbol")),
            columns: vec![right(".price"), right(".change"), right(".volume")],
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    });
    news.exprs = Arc::new(FeedExprs {
        view: ViewSpec {
            columns: vec![Column::of(e(".title")), Column::of(e(".source"))],
            ..ViewSpec::default()
        },
        ..FeedExprs::default()
    });
    deploys.exprs = Arc::new(FeedExprs {
        error_when: Some(e(r#".status? == "failed""#)),
        highlights: vec![
            HighlightRule {
                matcher: HighlightMatch::Regex(
                    regex::Regex::new(r"\bERROR\b.*").expect("demo regex"),
                ),
                style: style("red bold"),
            },
            HighlightRule {
                matcher: HighlightMatch::Jq(e(r#".status? == "live""#)),
                style: style("green bold"),
            },
        ],
        ..FeedExprs::default()
    });
    let mut exprs = preset("openai-chat").expect("a preset");
    // The demo asks again after every answer: the end marker must not close the feed.
    exprs.stop_when = Some(e("false"));
    assistant.exprs = Arc::new(exprs);
    assistant.method = "POST".into();
    assistant.headers = vec![("Content-Type".into(), "application/json".into())];
    assistant.body = Some(DEMO_REQUEST.as_bytes().to_vec());
    assistant.reconnect.when = When::Always;
}

/// What the demo feed asks the assistant (the demo server answers whatever is asked).
const DEMO_REQUEST: &str = r#"{"model":"demo-assistant","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Tell me about live feeds."}]}"#;
