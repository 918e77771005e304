//! Turning byte spans into `file:line:col` and unknown keys into suggestions.

use std::ops::Range;
use std::path::Path;

use super::ConfigError;

/// The text being parsed and the file it came from, so every error can say where.
pub(super) struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Source<'_> {
    /// `file:line:col` of a byte offset (line and column from 1, the column in characters).
    pub fn at(&self, offset: usize) -> String {
        let (line, col) = line_col(self.text, offset);
        format!("{}:{line}:{col}", self.path.display())
    }

    /// The line (from 1) a span starts on.
    pub fn line(&self, span: &Range<usize>) -> usize {
        line_col(self.text, span.start).0
    }

    /// An error located at the start of `span`.
    pub fn error(&self, span: &Range<usize>, message: impl std::fmt::Display) -> ConfigError {
        ConfigError {
            message: format!("{}: {message}", self.at(span.start)),
        }
    }

    /// An error about the whole file, with no useful position.
    pub fn file_error(&self, message: impl std::fmt::Display) -> ConfigError {
        ConfigError {
            message: format!("{}: {message}", self.path.display()),
        }
    }

    /// A TOML syntax error, positioned by its span when it has one.
    pub fn syntax(&self, error: &toml::de::Error) -> ConfigError {
        let mut message = format!("TOML syntax: {}", error.message());
        let Some(span) = error.span() else {
            return self.file_error(message);
        };
        // toml says only "duplicate key"; naming the key saves a look at the file.
        let offending = self.text.get(span.clone()).unwrap_or("");
        if error.message() == "duplicate key" && !offending.is_empty() && offending.len() < 60 {
            message.push_str(&format!(
                " `{offending}` (each key may be set once per table)"
            ));
        }
        self.error(&span, message)
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// The candidate closest to `word` (at most 2 edits away, ignoring case and `-` vs `_`).
pub(super) fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let word = norm(word);
    candidates
        .iter()
        .map(|c| (edit_distance(&word, &norm(c)), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, counting an adjacent swap as one edit (typos like `bufefr`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        assert_eq!(line_col("a = 1\nbé = 2\n", 0), (1, 1));
        assert_eq!(line_col("a = 1\nbé = 2\n", 6), (2, 1));
        assert_eq!(line_col("a = 1\nbé = 2\n", 10), (2, 4));
    }

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["reconnect", "read_timeout", "buffer", "url"];
        assert_eq!(did_you_mean("reconect", &keys), Some("reconnect"));
        assert_eq!(did_you_mean("read-timeout", &keys), Some("read_timeout"));
        assert_eq!(did_you_mean("bufefr", &keys), Some("buffer"));
        assert_eq!(did_you_mean("URL", &keys), Some("url"));
        assert_eq!(did_you_mean("colour", &keys), None);
        assert_eq!(did_you_mean("x", &keys), None);
    }
}
