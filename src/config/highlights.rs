//! Highlight rules: `[[highlight]]` (every feed) and `[[feed.highlight]]`, each a regex on the
//! shown text (`match`) or a jq expression on the data (`jq`), and a `style`.

use toml::Spanned;
use toml::de::DeValue;

use super::ConfigError;
use super::layer::{entries, unknown_key};
use super::value::Scope;
use super::views::expr;
use crate::text::escape;
use crate::view::{HighlightMatch, HighlightRule, parse_style};

const HIGHLIGHT_KEYS: &[&str] = &["match", "jq", "style"];

/// `[[highlight]]` or `[[feed.highlight]]`: a list of `{ match | jq, style }` tables.
pub(super) fn read_highlights(
    scope: &Scope<'_>,
    value: &Spanned<DeValue<'_>>,
    header: &str,
) -> Vec<HighlightRule> {
    let items = match value.get_ref() {
        DeValue::Array(items) => items,
        _ => {
            scope.src.report(scope.error(
                &value.span(),
                format!(
                    "`highlight` must be a list of tables: write {header} above each rule's \
                     `match` (or `jq`) and `style`"
                ),
            ));
            return Vec::new();
        }
    };
    let scope = scope.sub("highlight.");
    items
        .iter()
        .filter_map(|item| {
            scope
                .src
                .keep(read_highlight(&scope, item, header))
                .flatten()
        })
        .collect()
}

fn read_highlight(
    scope: &Scope<'_>,
    item: &Spanned<DeValue<'_>>,
    header: &str,
) -> Result<Option<HighlightRule>, ConfigError> {
    let Some(table) = item.get_ref().as_table() else {
        return Err(scope.error(
            &item.span(),
            format!("each {header} is a table with `match` (or `jq`) and `style`"),
        ));
    };
    let mut matcher: Option<HighlightMatch> = None;
    let mut style = None;
    let entries = entries(table);
    // A key that is there but wrong is reported as wrong, not also as missing.
    let has = |names: &[&str]| {
        entries
            .iter()
            .any(|(k, _)| names.contains(&k.get_ref().as_ref()))
    };
    let (has_matcher, has_style) = (has(&["match", "jq"]), has(&["style"]));
    for (key, value) in entries.iter().copied() {
        let name = key.get_ref().as_ref();
        let f = scope.field(name, value);
        let read = match name {
            "match" | "jq" if matcher.is_some() => Err(f.fail(
                "a rule has either `match` (a regex on the shown text) or `jq` (on the data), \
                 not both",
            )),
            "match" => f.string("a regex", "\"ERROR|FATAL\"").and_then(|re| {
                regex::Regex::new(re)
                    .map(|re| matcher = Some(HighlightMatch::Regex(re)))
                    .map_err(|e| {
                        f.fail(format!(
                            "`highlight.match` = \"{}\" is not a regex: {}",
                            escape(re),
                            // regex's message draws a caret over several lines: keep the last.
                            escape(e.to_string().lines().last().unwrap_or(""))
                        ))
                    })
            }),
            "jq" => {
                expr(&f, "'.level == \"error\"'").map(|e| matcher = Some(HighlightMatch::Jq(e)))
            }
            "style" => f.string("a style", "\"red bold\"").and_then(|s| {
                parse_style(s)
                    .map(|s| style = Some(s))
                    .map_err(|e| f.fail(format!("`highlight.style` = \"{}\": {e}", escape(s))))
            }),
            _ => Err(unknown_key(scope, key, HIGHLIGHT_KEYS, header, None)),
        };
        scope.src.keep(read);
    }
    match (matcher, style) {
        (Some(matcher), Some(style)) => Ok(Some(HighlightRule { matcher, style })),
        // Already reported as wrong.
        (None, _) if has_matcher => Ok(None),
        (_, None) if has_style => Ok(None),
        (None, _) => Err(scope.error(
            &item.span(),
            format!("{header} needs `match` (a regex) or `jq`, e.g. match = \"ERROR|FATAL\""),
        )),
        (_, None) => Err(scope.error(
            &item.span(),
            format!("{header} needs `style`, e.g. style = \"red bold\""),
        )),
    }
}
