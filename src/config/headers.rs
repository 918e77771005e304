//! `headers = { ... }`: header names and `${VAR}` templates, checked at load.

use reqwest::header::{HeaderName, HeaderValue};
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::ConfigError;
use super::env::{EnvError, expand_with};
use super::layer::entries;
use super::value::Scope;
use crate::text::escape;

/// `headers = { Name = "value ${VAR}" }`: names checked, `${...}` syntax checked, values kept
/// as templates (variables are read when the feed connects). A header with a problem is
/// recorded and left out; the others are still read.
pub(super) fn read_headers(scope: &Scope<'_>, table: &DeTable<'_>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for (key, value) in entries(table) {
        if let Some(header) = scope.src.keep(read_header(scope, key, value, &headers)) {
            headers.push(header);
        }
    }
    headers
}

fn read_header(
    scope: &Scope<'_>,
    key: &Spanned<DeString<'_>>,
    value: &Spanned<DeValue<'_>>,
    earlier: &[(String, String)],
) -> Result<(String, String), ConfigError> {
    let name = key.get_ref().as_ref();
    let shown = escape(name);
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(scope.error(
            &key.span(),
            format!(
                "`headers`: \"{shown}\" is not a header name (letters, digits and `-`, \
                 no spaces or `:`), e.g. \"X-Api-Key\" = \"${{API_KEY}}\""
            ),
        ));
    }
    if earlier.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Err(scope.error(
            &key.span(),
            format!("`headers`: \"{shown}\" is set twice (header names ignore case); keep one"),
        ));
    }
    let DeValue::String(template) = value.get_ref() else {
        return Err(scope.error(
            &value.span(),
            format!(
                "header \"{shown}\" must be a string, e.g. \"{shown}\" = \"value\" (found {})",
                value.get_ref().type_str()
            ),
        ));
    };
    // Any variable will do here: a missing one only fails its feed, at connect time.
    let expanded = expand_with(template, |_| Some("x".into())).map_err(|e| {
        let fix = match e {
            EnvError::Unclosed => "close it, as in ${API_TOKEN}, or write $$ for a literal $",
            EnvError::BadName(_) => "write e.g. ${API_TOKEN}, or $$ for a literal $",
            EnvError::Missing(_) => unreachable!("the lookup above knows every name"),
        };
        let e = escape(&e.to_string()).into_owned();
        scope.error(&value.span(), format!("header \"{shown}\": {e}; {fix}"))
    })?;
    if HeaderValue::from_str(&expanded).is_err() {
        return Err(scope.error(
            &value.span(),
            format!(
                "header \"{shown}\": the value has a line break or control character, \
                 which HTTP headers cannot carry; write it on one line"
            ),
        ));
    }
    Ok((name.to_string(), template.to_string()))
}
