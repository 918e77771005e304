//! Reading one key's value: its type, its unit, its range, and what to write when it is wrong.

use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::ConfigError;
use super::errors::Source;
use crate::text::{escape, has_controls};

/// Where a key lives, for messages: `feed "ticker": ` and `reconnect.`.
pub(super) struct Scope<'a> {
    pub src: &'a Source<'a>,
    /// Empty at the top level, else `feed "name": `.
    pub who: String,
    /// Empty, or the sub-table with its dot: `reconnect.`.
    pub table: &'static str,
}

impl<'a> Scope<'a> {
    pub fn sub(&self, table: &'static str) -> Scope<'a> {
        Scope {
            src: self.src,
            who: self.who.clone(),
            table,
        }
    }

    pub fn error(
        &self,
        span: &std::ops::Range<usize>,
        message: impl std::fmt::Display,
    ) -> ConfigError {
        self.src.error(span, format!("{}{message}", self.who))
    }

    pub fn field<'v, 'i>(&'v self, key: &'v str, value: &'v Spanned<DeValue<'i>>) -> Field<'v, 'i> {
        Field {
            scope: self,
            key,
            value,
        }
    }
}

/// One `key = value` being read.
pub(super) struct Field<'v, 'i> {
    scope: &'v Scope<'v>,
    pub key: &'v str,
    pub value: &'v Spanned<DeValue<'i>>,
}

/// Sizes are bounded so one runaway event cannot take the memory of a 24/7 dashboard.
pub(super) const MIN_EVENT_BYTES: usize = 1024;
pub(super) const MAX_EVENT_BYTES: usize = 256 << 20;
pub(super) const MAX_BUFFER: usize = 10_000_000;
/// No sensible wait is longer than a day, and huge ones overflow `Instant` arithmetic.
const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

impl<'i> Field<'_, 'i> {
    /// `reconnect.initial` or `buffer`: the key as the user would find it.
    pub fn label(&self) -> String {
        format!("{}{}", self.scope.table, self.key)
    }

    pub fn fail(&self, message: impl std::fmt::Display) -> ConfigError {
        self.scope.error(&self.value.span(), message)
    }

    /// "`buffer` must be a whole number of events, e.g. buffer = 2000 (found a string)".
    fn wrong_type(&self, what: &str, example: &str) -> ConfigError {
        let found = self.value.get_ref().type_str();
        let article = if found.starts_with(['a', 'i']) {
            "an"
        } else {
            "a"
        };
        self.fail(format!(
            "`{}` must be {what}, e.g. {} = {example} (found {article} {found})",
            self.label(),
            self.key
        ))
    }

    pub fn string(&self, what: &str, example: &str) -> Result<&str, ConfigError> {
        match self.value.get_ref() {
            DeValue::String(s) => Ok(s),
            _ => Err(self.wrong_type(what, example)),
        }
    }

    pub fn bool(&self) -> Result<bool, ConfigError> {
        self.value
            .get_ref()
            .as_bool()
            .ok_or_else(|| self.wrong_type("true or false", "true"))
    }

    pub fn table(&self, example: &str) -> Result<&DeTable<'i>, ConfigError> {
        self.value
            .get_ref()
            .as_table()
            .ok_or_else(|| self.wrong_type("a table", example))
    }

    fn integer(&self) -> Option<i128> {
        let int = self.value.get_ref().as_integer()?;
        i128::from_str_radix(int.as_str(), int.radix()).ok()
    }

    /// A whole number in `min..=max`.
    pub fn count(
        &self,
        what: &str,
        example: &str,
        min: usize,
        max: usize,
    ) -> Result<usize, ConfigError> {
        let n = self
            .integer()
            .ok_or_else(|| self.wrong_type(what, example))?;
        if n < min as i128 || n > max as i128 {
            return Err(self.fail(format!(
                "`{}` = {n} is out of range: write {min} to {max}, e.g. {} = {example}",
                self.label(),
                self.key
            )));
        }
        Ok(n as usize)
    }

    /// A float (or integer) in `min..=max`.
    pub fn number(
        &self,
        what: &str,
        example: &str,
        min: f64,
        max: f64,
    ) -> Result<f64, ConfigError> {
        let n = match self.value.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            DeValue::Integer(_) => self.integer().map(|i| i as f64),
            _ => None,
        };
        let n = n.ok_or_else(|| self.wrong_type(what, example))?;
        if !(min..=max).contains(&n) {
            return Err(self.fail(format!(
                "`{}` = {n} is out of range: write {min} to {max}, e.g. {} = {example}",
                self.label(),
                self.key
            )));
        }
        Ok(n)
    }

    /// A string with a unit: `"3s"`, `"500ms"`, `"2m"`.
    pub fn duration(&self, example: &str) -> Result<Duration, ConfigError> {
        let label = self.label();
        let text = match self.value.get_ref() {
            DeValue::String(s) => s.trim(),
            DeValue::Integer(_) | DeValue::Float(_) => {
                return Err(self.fail(format!(
                    "`{label}` needs a unit: write {}",
                    unit_hint(self.value.get_ref())
                )));
            }
            _ => return Err(self.wrong_type("a duration with a unit", example)),
        };
        let shown = escape(text);
        if let Ok(bare) = text.parse::<f64>() {
            return Err(self.fail(format!(
                "`{label}` = \"{shown}\" needs a unit: write {}",
                seconds_hint(bare)
            )));
        }
        let d = humantime::parse_duration(text).map_err(|e| {
            self.fail(format!(
                "`{label}` = \"{shown}\" is not a duration ({e}); write e.g. \"500ms\", \"3s\" or \"2m\""
            ))
        })?;
        if d > MAX_DURATION {
            return Err(self.fail(format!(
                "`{label}` = \"{shown}\" is too long: at most a day (\"24h\"), e.g. {} = {example}",
                self.key
            )));
        }
        Ok(d)
    }

    /// Integer bytes, or a string with a unit: `"64KiB"`, `"1MiB"`, `"500KB"`.
    pub fn size(&self, example: &str, min: usize, max: usize) -> Result<usize, ConfigError> {
        let label = self.label();
        let hint = "integer bytes, or a string such as \"64KiB\", \"1MiB\" or \"500KB\"";
        let bytes = match self.value.get_ref() {
            DeValue::Integer(_) => self
                .integer()
                .ok_or_else(|| self.fail("integer too large"))?,
            DeValue::String(s) => parse_size(s).ok_or_else(|| {
                self.fail(format!(
                    "`{label}` = \"{}\" is not a size: write {hint}",
                    escape(s)
                ))
            })?,
            _ => return Err(self.wrong_type(hint, example)),
        };
        if bytes < min as i128 || bytes > max as i128 {
            return Err(self.fail(format!(
                "`{label}` is {bytes} bytes: write {} to {}, e.g. {} = {example}",
                describe_size(min),
                describe_size(max),
                self.key
            )));
        }
        Ok(bytes as usize)
    }

    /// A list of event types: non-empty strings without control or bidi characters (an event
    /// type is one word on one line; anything else would be echoed to terminals).
    pub fn string_list(&self, example: &str) -> Result<Vec<String>, ConfigError> {
        let what = "a list of event types";
        let DeValue::Array(items) = self.value.get_ref() else {
            return Err(self.wrong_type(what, example));
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            let problem = match item.get_ref() {
                DeValue::String(s) if has_controls(s) => format!(
                    "`{}`: \"{}\" has a control or bidi character; an event type is one \
                     word on one line, e.g. {} = {example}",
                    self.label(),
                    escape(s),
                    self.key
                ),
                DeValue::String(s) if !s.trim().is_empty() => {
                    out.push(s.to_string());
                    continue;
                }
                _ => format!(
                    "`{}` must list non-empty strings, e.g. {} = {example}",
                    self.label(),
                    self.key
                ),
            };
            return Err(self.scope.error(&item.span(), problem));
        }
        Ok(out)
    }
}

/// What to write instead of a bare number of seconds.
fn unit_hint(value: &DeValue<'_>) -> String {
    match value {
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => seconds_hint(n as f64),
            Err(_) => "\"3s\" or \"3000ms\"".into(),
        },
        DeValue::Float(f) => seconds_hint(f.as_str().parse().unwrap_or(3.0)),
        _ => "\"3s\" or \"3000ms\"".into(),
    }
}

/// `3` -> `"3s" or "3000ms"`; `0.5` -> `"500ms"`.
fn seconds_hint(seconds: f64) -> String {
    if seconds.fract() == 0.0 && seconds.abs() < 1e9 {
        format!("\"{seconds}s\" or \"{}ms\"", seconds * 1000.0)
    } else if seconds.is_finite() && seconds.abs() < 1e6 {
        format!("\"{}ms\"", (seconds * 1000.0).round())
    } else {
        "\"3s\" or \"3000ms\"".into()
    }
}

/// `"64KiB"` -> 65536. Decimal (KB, MB) and binary (KiB, MiB) units, any case.
pub(super) fn parse_size(text: &str) -> Option<i128> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let number: i128 = text[..digits].parse().ok()?;
    let unit: i128 = match text[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "kib" => 1 << 10,
        "mb" => 1_000_000,
        "mib" => 1 << 20,
        "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(unit)
}

/// 65536 -> "64KiB", 1000 -> "1000 bytes": for messages and `describe`.
pub(super) fn describe_size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{}MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{}KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_decimal_and_binary_units() {
        assert_eq!(parse_size("64KiB"), Some(65536));
        assert_eq!(parse_size("1 MiB"), Some(1 << 20));
        assert_eq!(parse_size("500KB"), Some(500_000));
        assert_eq!(parse_size("2mb"), Some(2_000_000));
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("4096B"), Some(4096));
        assert_eq!(parse_size("1.5MiB"), None);
        assert_eq!(parse_size("MiB"), None);
        assert_eq!(parse_size("12 parsecs"), None);
        assert_eq!(describe_size(65536), "64KiB");
        assert_eq!(describe_size(1 << 20), "1MiB");
        assert_eq!(describe_size(1000), "1000 bytes");
    }

    #[test]
    fn bare_seconds_get_a_unit_hint() {
        assert_eq!(seconds_hint(3.0), "\"3s\" or \"3000ms\"");
        assert_eq!(seconds_hint(0.5), "\"500ms\"");
    }
}
