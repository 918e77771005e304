//! The view keys of a feed (`type_from`, `stop_when`, `error_when`, `preset`, `[feed.view]`,
//! `[[feed.highlight]]`) and the top-level `[[highlight]]` rules, compiled into a
//! [`FeedExprs`]. Every jq expression is compiled here, once; a compile error is a config error
//! at the expression's line, with jq's message.
//!
//! ```toml
//! [[highlight]]                  # every feed; after the feed's own rules
//! match = "ERROR|FATAL"          # a regex on the shown text, or jq = '.level == "error"'
//! style = "red bold"
//!
//! [[feed]]
//! preset = "openai-chat"         # openai-chat | openai-responses | anthropic | gemini
//! type_from = ".type"            # the type of events without an `event:` line
//! stop_when = '. == "[DONE]"'    # true closes the feed for good, like stop_on
//! error_when = '.error != null'  # true marks the event as an error
//! [feed.view]
//! kind = "board"                 # list (default) | board | transcript
//! key = ".symbol"                # board: one row per distinct value
//! columns = [".price", { title = "vol", expr = ".volume", align = "right" }]
//! sort = "key"                   # board: key | last | count | a column's title
//! max_rows = 1000                # board: rows kept; later keys count in an `other` row
//! text = ".choices[0].delta.content"   # transcript: appended to the message
//! message = ".id"                # transcript: a new message when this value changes
//! [[feed.highlight]]
//! match = "WARN"
//! style = "yellow"
//! ```
//!
//! A preset fills what the feed does not set itself: `preset = "anthropic"` with its own
//! `[feed.view] kind = "list"` shows the preset's stream as a list.

use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::ConfigError;
use super::layer::{entries, unknown_key};
use super::value::{Field, Scope};
use crate::expr::Expr;
use crate::text::escape;
use crate::view::{Align, BoardSort, Column, FeedExprs, HighlightRule, ViewKind, preset};

pub(super) use super::highlights::read_highlights;

/// The keys of a `[[feed]]` read here.
pub(super) const FEED_VIEW_KEYS: &[&str] = &[
    "preset",
    "type_from",
    "stop_when",
    "error_when",
    "view",
    "highlight",
];
const VIEW_KEYS: &[&str] = &[
    "kind", "key", "columns", "sort", "max_rows", "text", "message",
];
const COLUMN_KEYS: &[&str] = &["title", "expr", "align"];
const MAX_ROWS: usize = 100_000;

/// A feed's view keys as read; `None` is "not set here" (a preset may fill it).
#[derive(Debug, Default)]
pub(super) struct FeedViews {
    preset: Option<FeedExprs>,
    type_from: Option<Expr>,
    stop_when: Option<Expr>,
    error_when: Option<Expr>,
    kind: Option<ViewKind>,
    key: Option<Expr>,
    columns: Option<Vec<Column>>,
    /// The sort as written, and where: a column's title is checked once columns are read.
    sort: Option<(String, std::ops::Range<usize>)>,
    max_rows: Option<usize>,
    text: Option<Expr>,
    message: Option<Expr>,
    highlights: Vec<HighlightRule>,
}

/// Compiles a jq expression written as the value of `f`.
pub(super) fn expr(f: &Field<'_, '_>, example: &str) -> Result<Expr, ConfigError> {
    let src = f.string("a jq expression", example)?;
    if src.trim().is_empty() {
        return Err(f.fail(format!(
            "`{}` is empty; write a jq expression, e.g. {} = {example}",
            f.label(),
            f.key
        )));
    }
    Expr::compile(src).map_err(|e| {
        f.fail(format!(
            "`{}` = '{}' does not compile: {}",
            f.label(),
            escape(src),
            escape(&e)
        ))
    })
}

impl FeedViews {
    /// Reads `key` if it is one of [`FEED_VIEW_KEYS`]; `Ok(false)` when it is not.
    /// Problems inside tables are recorded in the source and reading goes on.
    pub fn read(
        &mut self,
        scope: &Scope<'_>,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        feed_keys: &[&str],
    ) -> Result<bool, ConfigError> {
        let f = scope.field(key, value);
        match key {
            "preset" => {
                let name = f.string("a preset name", "\"openai-chat\"")?;
                self.preset = Some(
                    preset(name)
                        .map_err(|e| f.fail(format!("`preset` = \"{}\": {e}", escape(name))))?,
                );
            }
            "type_from" => self.type_from = Some(expr(&f, "'.type'")?),
            "stop_when" => self.stop_when = Some(expr(&f, "'. == \"[DONE]\"'")?),
            "error_when" => self.error_when = Some(expr(&f, "'.error != null'")?),
            "view" => {
                let table = f.table("{ kind = \"board\", key = \".symbol\" }")?;
                self.read_view(&scope.sub("view."), table, feed_keys);
            }
            "highlight" => self.highlights = read_highlights(scope, value, "[[feed.highlight]]"),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn read_view(&mut self, scope: &Scope<'_>, table: &DeTable<'_>, feed_keys: &[&str]) {
        for (key, value) in entries(table) {
            let name = key.get_ref().as_ref();
            let f = scope.field(name, value);
            let read = match name {
                "kind" => f
                    .string("a view kind", "\"board\"")
                    .and_then(|k| {
                        ViewKind::parse(k).ok_or_else(|| {
                            f.fail(format!(
                                "`view.kind` = \"{}\" is not a view; write one of {}",
                                escape(k),
                                ViewKind::NAMES.join(", ")
                            ))
                        })
                    })
                    .map(|k| self.kind = Some(k)),
                "key" => expr(&f, "'.symbol'").map(|e| self.key = Some(e)),
                "text" => expr(&f, "'.choices[0].delta.content'").map(|e| self.text = Some(e)),
                "message" => expr(&f, "'.id'").map(|e| self.message = Some(e)),
                "columns" => read_columns(scope, &f).map(|c| self.columns = Some(c)),
                "sort" => f
                    .string("key, last, count or a column's title", "\"count\"")
                    .map(|s| self.sort = Some((s.to_owned(), value.span()))),
                "max_rows" => f
                    .count("a whole number of rows", "1000", 1, MAX_ROWS)
                    .map(|n| self.max_rows = Some(n)),
                _ => Err(unknown_key(
                    scope,
                    key,
                    VIEW_KEYS,
                    "[feed.view]",
                    Some(("[feed.view]", feed_keys)),
                )),
            };
            scope.src.keep(read);
        }
    }

    /// The feed's expressions: its own keys over its preset's, then the top-level highlights.
    pub fn finish(self, scope: &Scope<'_>, top_highlights: &[HighlightRule]) -> Arc<FeedExprs> {
        let mut exprs = self.preset.unwrap_or_default();
        let set = |slot: &mut Option<Expr>, own: Option<Expr>| {
            if own.is_some() {
                *slot = own;
            }
        };
        set(&mut exprs.type_from, self.type_from);
        set(&mut exprs.stop_when, self.stop_when);
        set(&mut exprs.error_when, self.error_when);
        let view = &mut exprs.view;
        if let Some(kind) = self.kind {
            view.kind = kind;
        }
        set(&mut view.key, self.key);
        set(&mut view.text, self.text);
        set(&mut view.message, self.message);
        if let Some(columns) = self.columns {
            view.columns = columns;
        }
        if let Some(max_rows) = self.max_rows {
            view.max_rows = max_rows;
        }
        if let Some((sort, span)) = self.sort {
            match BoardSort::parse(&sort, &view.columns) {
                Some(s) => view.sort = s,
                None => {
                    let titles: Vec<String> = view
                        .columns
                        .iter()
                        .map(|c| format!("\"{}\"", escape(&c.title)))
                        .collect();
                    let columns = if titles.is_empty() {
                        String::new()
                    } else {
                        format!(", or a column's title: {}", titles.join(", "))
                    };
                    scope.src.report(scope.error(
                        &span,
                        format!(
                            "`view.sort` = \"{}\" is not a sort; write key, last, count{columns}",
                            escape(&sort)
                        ),
                    ));
                }
            }
        }
        exprs.highlights = self.highlights;
        exprs.highlights.extend(top_highlights.iter().cloned());
        Arc::new(exprs)
    }
}

/// `columns = [".price", { title = "vol", expr = ".volume", align = "right" }]`.
fn read_columns(scope: &Scope<'_>, f: &Field<'_, '_>) -> Result<Vec<Column>, ConfigError> {
    let example = "[\".price\", { title = \"vol\", expr = \".volume\", align = \"right\" }]";
    let DeValue::Array(items) = f.value.get_ref() else {
        return Err(f.fail(format!(
            "`view.columns` must be a list of jq expressions or tables, e.g. columns = {example}"
        )));
    };
    let mut columns = Vec::with_capacity(items.len());
    for item in items.iter() {
        let column = match item.get_ref() {
            DeValue::String(_) => expr(&scope.field("columns", item), "'.price'").map(Column::of),
            DeValue::Table(table) => read_column(&scope.sub("view.columns."), item, table),
            _ => Err(scope.error(
                &item.span(),
                format!(
                    "each of `view.columns` is a jq expression or a table, e.g. columns = {example}"
                ),
            )),
        };
        if let Some(column) = scope.src.keep(column) {
            columns.push(column);
        }
    }
    Ok(columns)
}

fn read_column(
    scope: &Scope<'_>,
    item: &Spanned<DeValue<'_>>,
    table: &DeTable<'_>,
) -> Result<Column, ConfigError> {
    let mut title = None;
    let mut expression = None;
    let mut align = Align::Left;
    for (key, value) in entries(table) {
        let name = key.get_ref().as_ref();
        let f = scope.field(name, value);
        let read = match name {
            "title" => f.string("a string", "\"vol\"").map(|t| {
                title = Some(t.to_owned());
            }),
            // A compile error is the column's only error, not also "needs `expr`".
            "expr" => {
                expression = Some(expr(&f, "'.volume'"));
                Ok(())
            }
            "align" => f
                .string("left or right", "\"right\"")
                .and_then(|a| match a {
                    "left" => Ok(Align::Left),
                    "right" => Ok(Align::Right),
                    other => Err(f.fail(format!(
                        "`align` = \"{}\": write \"left\" or \"right\"",
                        escape(other)
                    ))),
                })
                .map(|a| align = a),
            _ => Err(unknown_key(scope, key, COLUMN_KEYS, "a column", None)),
        };
        scope.src.keep(read);
    }
    let Some(expr) = expression else {
        return Err(scope.error(
            &item.span(),
            "a column table needs `expr`, e.g. { title = \"vol\", expr = \".volume\" }",
        ));
    };
    let expr = expr?;
    let mut column = Column::of(expr);
    if let Some(title) = title {
        column.title = title;
    }
    column.align = align;
    Ok(column)
}

/// `check`'s lines for a feed's views (none for a feed that sets no view key).
pub(super) fn describe_rows(exprs: &FeedExprs) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    let src = |e: &Expr| escape(e.source()).into_owned();
    if let Some(name) = &exprs.preset {
        rows.push(("preset", escape(name).into_owned()));
    }
    for (label, e) in [
        ("type from", &exprs.type_from),
        ("stop when", &exprs.stop_when),
        ("error when", &exprs.error_when),
    ] {
        if let Some(e) = e {
            rows.push((label, src(e)));
        }
    }
    let view = &exprs.view;
    let columns = view
        .columns
        .iter()
        .map(|c| {
            let title = escape(&c.title);
            if c.title == c.expr.source() || c.title == crate::view::default_title(c.expr.source())
            {
                title.into_owned()
            } else {
                format!("{title} = {}", src(&c.expr))
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let shown = match view.kind {
        ViewKind::List if columns.is_empty() => None,
        ViewKind::List => Some(format!("list: {columns}")),
        ViewKind::Board => {
            let key = view.key.as_ref().map_or("the event type".into(), src);
            let sort = match view.sort {
                BoardSort::Key => "key".to_owned(),
                BoardSort::Last => "last".to_owned(),
                BoardSort::Count => "count".to_owned(),
                BoardSort::Column(i) => escape(&view.columns[i].title).into_owned(),
            };
            let columns = if columns.is_empty() {
                "counts".to_owned()
            } else {
                columns
            };
            Some(format!(
                "board by {key}: {columns}; sort {sort}; at most {} rows",
                view.max_rows
            ))
        }
        ViewKind::Transcript => Some(format!(
            "transcript of {}",
            view.text.as_ref().map_or("nothing (no `text`)".into(), src)
        )),
    };
    if let Some(shown) = shown {
        rows.push(("view", shown));
    }
    if !exprs.highlights.is_empty() {
        let n = exprs.highlights.len();
        rows.push((
            "highlights",
            format!("{n} rule{}", if n == 1 { "" } else { "s" }),
        ));
    }
    rows
}
