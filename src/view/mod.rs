//! What a feed's config asks to compute per event (columns, a board key, transcript text,
//! usage, highlights), and the computing of it. Pure: no I/O, no screen, no clock.
//!
//! [`FeedExprs::derive`] parses an event's data once and runs each expression once; callers
//! (`tail`, and the dashboard's `update` on arrival) skip it when [`FeedExprs::is_empty`].
//! `stop_when` is also run by the feed task, which closes the feed on it as on `stop_on`.
//!
//! Additions to the agreed interface: [`ViewSpec`]'s `thinking`, `finish`, `prompt_tokens`,
//! `completion_tokens` and `error_text`; [`Derived`]'s `error_message` and `highlight`;
//! [`Usage::merge`]; [`message::Message`], which assembles a transcript message.

mod derive;
pub mod message;
mod presets;
mod style;

use std::fmt;

use crate::expr::Expr;

pub use presets::{PRESETS, Preset, preset};
pub use style::parse_style;

/// Default `max_rows` of a board.
pub const DEFAULT_MAX_ROWS: usize = 1000;
/// The longest text a cell, key or message value keeps, in bytes (cut on a character).
pub const MAX_CELL_BYTES: usize = 1024;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ViewKind {
    #[default]
    List,
    Board,
    Transcript,
}

impl ViewKind {
    pub const NAMES: &'static [&'static str] = &["list", "board", "transcript"];

    pub fn parse(s: &str) -> Option<ViewKind> {
        match s {
            "list" => Some(ViewKind::List),
            "board" => Some(ViewKind::Board),
            "transcript" => Some(ViewKind::Transcript),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ViewKind::List => "list",
            ViewKind::Board => "board",
            ViewKind::Transcript => "transcript",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub expr: Expr,
    pub align: Align,
}

impl Column {
    /// A column from an expression alone, titled by [`default_title`], aligned left.
    pub fn of(expr: Expr) -> Column {
        Column {
            title: default_title(expr.source()),
            expr,
            align: Align::Left,
        }
    }

    /// A command-line column: `EXPR`, or `TITLE:EXPR` like k9s's custom columns
    /// (`price:.quote.price`), when the part before the first `:` is a plain word.
    pub fn parse_arg(arg: &str) -> Result<Column, String> {
        if let Some((title, expr)) = arg.split_once(':')
            && !title.is_empty()
            && title
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return Ok(Column {
                title: title.to_owned(),
                expr: Expr::compile(expr)?,
                align: Align::Left,
            });
        }
        Expr::compile(arg).map(Column::of)
    }
}

/// A column's title when none is given: the last name of a plain path (`.quote.price` is
/// `price`), else the expression itself.
pub fn default_title(src: &str) -> String {
    let s = src.trim();
    let plain = s.starts_with('.')
        && s.len() > 1
        && s[1..].split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if plain {
        s.rsplit('.').next().unwrap_or(s).to_owned()
    } else {
        s.to_owned()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BoardSort {
    #[default]
    Key,
    Last,
    Count,
    /// Index into [`ViewSpec::columns`].
    Column(usize),
}

impl BoardSort {
    /// `key`, `last`, `count`, or a column's title.
    pub fn parse(s: &str, columns: &[Column]) -> Option<BoardSort> {
        match s {
            "key" => Some(BoardSort::Key),
            "last" => Some(BoardSort::Last),
            "count" => Some(BoardSort::Count),
            title => columns
                .iter()
                .position(|c| c.title == title)
                .map(BoardSort::Column),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ViewSpec {
    pub kind: ViewKind,
    /// Board: one row per distinct value. `None`: rows are keyed by the event type.
    pub key: Option<Expr>,
    pub columns: Vec<Column>,
    pub sort: BoardSort,
    pub max_rows: usize,
    /// Transcript: each event's text, appended to the message (all outputs joined).
    pub text: Option<Expr>,
    /// Transcript: a new message starts when this value changes.
    pub message: Option<Expr>,
    /// Transcript: text shown dimmed (a model's thinking), when `text` gives none.
    pub thinking: Option<Expr>,
    /// Transcript: the finish reason (`stop`, `end_turn`, `STOP`, ...).
    pub finish: Option<Expr>,
    pub prompt_tokens: Option<Expr>,
    /// A running total or a final count: the latest value replaces the previous one.
    pub completion_tokens: Option<Expr>,
    /// The message of an error event (shown inline in red).
    pub error_text: Option<Expr>,
}

impl Default for ViewSpec {
    fn default() -> Self {
        ViewSpec {
            kind: ViewKind::List,
            key: None,
            columns: Vec::new(),
            sort: BoardSort::Key,
            max_rows: DEFAULT_MAX_ROWS,
            text: None,
            message: None,
            thinking: None,
            finish: None,
            prompt_tokens: None,
            completion_tokens: None,
            error_text: None,
        }
    }
}

impl ViewSpec {
    fn exprs(&self) -> impl Iterator<Item = &Expr> {
        [
            &self.key,
            &self.text,
            &self.message,
            &self.thinking,
            &self.finish,
            &self.prompt_tokens,
            &self.completion_tokens,
            &self.error_text,
        ]
        .into_iter()
        .flatten()
        .chain(self.columns.iter().map(|c| &c.expr))
    }
}

pub struct HighlightRule {
    pub matcher: HighlightMatch,
    pub style: ratatui::style::Style,
}

pub enum HighlightMatch {
    /// On the shown text: the matching spans are styled.
    Regex(regex::Regex),
    /// On the event's data: a true result styles the whole row.
    Jq(Expr),
}

impl Clone for HighlightRule {
    fn clone(&self) -> Self {
        HighlightRule {
            matcher: match &self.matcher {
                HighlightMatch::Regex(re) => HighlightMatch::Regex(re.clone()),
                HighlightMatch::Jq(e) => HighlightMatch::Jq(e.clone()),
            },
            style: self.style,
        }
    }
}

impl fmt::Debug for HighlightRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.matcher {
            HighlightMatch::Regex(re) => write!(f, "match {:?}", re.as_str())?,
            HighlightMatch::Jq(e) => write!(f, "jq {:?}", e.source())?,
        }
        write!(f, " => {:?}", self.style)
    }
}

impl PartialEq for HighlightRule {
    fn eq(&self, other: &Self) -> bool {
        let same = match (&self.matcher, &other.matcher) {
            (HighlightMatch::Regex(a), HighlightMatch::Regex(b)) => a.as_str() == b.as_str(),
            (HighlightMatch::Jq(a), HighlightMatch::Jq(b)) => a == b,
            _ => false,
        };
        same && self.style == other.style
    }
}

/// Everything a feed computes per event. Carried by [`crate::feed::FeedSpec::exprs`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedExprs {
    /// The event's type when it had no `event:` line (its type is `message`).
    pub type_from: Option<Expr>,
    /// True closes the feed for good, like `stop_on` (the feed task runs it).
    pub stop_when: Option<Expr>,
    /// True marks the event as an error.
    pub error_when: Option<Expr>,
    pub view: ViewSpec,
    /// The feed's rules, then the top-level ones; the first matching rule wins per span.
    pub highlights: Vec<HighlightRule>,
    /// The preset these came from, if any (`openai-chat`, ...).
    pub preset: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// `None`: the expression gave no output or `null`, or failed (the error is in
    /// [`Derived::errors`]).
    pub text: Option<String>,
    /// The value, when it is a number.
    pub number: Option<f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
}

impl Usage {
    /// Takes each count `newer` reports, replacing the one before: providers report totals
    /// (Anthropic's output count is a running total), never increments, so nothing is summed.
    pub fn merge(&mut self, newer: &Usage) {
        if newer.prompt_tokens.is_some() {
            self.prompt_tokens = newer.prompt_tokens;
        }
        if newer.completion_tokens.is_some() {
            self.completion_tokens = newer.completion_tokens;
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Derived {
    /// From `type_from`, when the event had no `event:` line.
    pub event_type: Option<crate::sse::FieldStr>,
    pub key: Option<String>,
    /// One per column, in order.
    pub cells: Vec<Cell>,
    pub text: Option<String>,
    /// `text` is the model's thinking (from the view's `thinking` expression).
    pub thinking: bool,
    pub message: Option<String>,
    pub usage: Option<Usage>,
    pub finish: Option<String>,
    pub is_error: bool,
    /// From `error_text`: what an error event says.
    pub error_message: Option<String>,
    pub stop: bool,
    /// Index into [`FeedExprs::highlights`] of the first `jq` rule that is true for the event.
    pub highlight: Option<usize>,
    /// Runtime errors, e.g. "column price: cannot index number with \"price\"".
    pub errors: Vec<String>,
}

#[cfg(test)]
mod tests;
