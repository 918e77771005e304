//! Config errors: every problem of a file, each at its `file:line:col`, with a suggestion for
//! a mistyped key.

use std::cell::RefCell;
use std::ops::Range;
use std::path::Path;

use crate::text::{escape, escape_keep_newlines, line_col};

/// At most this many problems are listed; the rest are counted ("and 3 more").
pub const MAX_LISTED: usize = 20;

/// What a config file got wrong, for people: each problem says which file, line and key, and
/// what to write instead. A file with several problems reports them all, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq)]
struct Problem {
    /// Byte offset in the file, to list problems in file order (0 for the whole file).
    offset: usize,
    message: String,
}

impl ConfigError {
    /// One problem about the whole file (or no file at all).
    pub fn new(message: impl Into<String>) -> Self {
        Self::at(0, message)
    }

    fn at(offset: usize, message: impl Into<String>) -> Self {
        ConfigError {
            problems: vec![Problem {
                offset,
                message: message.into(),
            }],
        }
    }

    /// Every problem, in file order. Text from the file in them is escaped already;
    /// [`Display`](std::fmt::Display) escapes once more whatever a message may have missed.
    pub fn messages(&self) -> Vec<&str> {
        self.problems.iter().map(|p| p.message.as_str()).collect()
    }

    /// Several errors as one, in file order.
    fn merge(errors: Vec<ConfigError>) -> ConfigError {
        let mut problems: Vec<Problem> = errors.into_iter().flat_map(|e| e.problems).collect();
        problems.sort_by_key(|p| p.offset);
        // A top-level value wrong for every feed that inherits it is reported once.
        problems.dedup();
        ConfigError { problems }
    }
}

/// One problem a line (an example to copy may add a few), at most [`MAX_LISTED`] of them.
impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, problem) in self.problems.iter().take(MAX_LISTED).enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&escape_keep_newlines(&problem.message))?;
        }
        let more = self.problems.len().saturating_sub(MAX_LISTED);
        if more > 0 {
            write!(f, "\nand {more} more")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// A path for a message: as given, with anything a terminal would act on escaped.
pub(crate) fn shown_path(path: &Path) -> String {
    escape(&path.display().to_string()).into_owned()
}

/// A path as a shell word to paste: quoted when it holds anything but plain characters.
pub(crate) fn shell_word(path: &Path) -> String {
    let text = shown_path(path);
    let plain = |c: char| c.is_alphanumeric() || "/._-+,:@%~=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The text being parsed and the file it came from, so every error can say where; it also
/// collects the problems found so far, so one run reports them all.
pub(super) struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    problems: RefCell<Vec<ConfigError>>,
}

impl<'a> Source<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Source {
            path,
            text,
            problems: RefCell::default(),
        }
    }

    /// The file's name for messages, escaped.
    pub fn name(&self) -> String {
        shown_path(self.path)
    }

    /// `file:line:col` of a byte offset (line and column from 1, the column in characters).
    pub fn at(&self, offset: usize) -> String {
        let (line, col) = line_col(self.text, offset);
        format!("{}:{line}:{col}", self.name())
    }

    /// The line (from 1) a span starts on.
    pub fn line(&self, span: &Range<usize>) -> usize {
        line_col(self.text, span.start).0
    }

    /// The text of a span as written in the file (quotes included), escaped.
    pub fn written(&self, span: &Range<usize>) -> String {
        escape(self.text.get(span.clone()).unwrap_or("").trim()).into_owned()
    }

    /// An error located at the start of `span`.
    pub fn error(&self, span: &Range<usize>, message: impl std::fmt::Display) -> ConfigError {
        ConfigError::at(span.start, format!("{}: {message}", self.at(span.start)))
    }

    /// An error about the whole file, with no useful position.
    pub fn file_error(&self, message: impl std::fmt::Display) -> ConfigError {
        ConfigError::new(format!("{}: {message}", self.name()))
    }

    /// A TOML syntax error, positioned by its span when it has one.
    pub fn syntax(&self, error: &toml::de::Error) -> ConfigError {
        let mut message = format!("TOML syntax: {}", error.message().trim());
        let Some(span) = error.span() else {
            return self.file_error(message);
        };
        // toml says only "duplicate key"; naming the key saves a look at the file.
        let offending = self.text.get(span.clone()).unwrap_or("");
        if error.message() == "duplicate key" && !offending.is_empty() && offending.len() < 60 {
            message.push_str(&format!(
                " `{}` (each key may be set once per table)",
                escape(offending)
            ));
        }
        self.error(&span, message)
    }

    /// Records a problem and carries on, so one run reports every problem in the file.
    pub fn report(&self, error: ConfigError) {
        self.problems.borrow_mut().push(error);
    }

    /// The value of `result`, or `None` with its problem recorded.
    pub fn keep<T>(&self, result: Result<T, ConfigError>) -> Option<T> {
        result.map_err(|e| self.report(e)).ok()
    }

    /// `value` when no problem was recorded, else all of them.
    pub fn finish<T>(self, value: T) -> Result<T, ConfigError> {
        let problems = self.problems.into_inner();
        if problems.is_empty() {
            Ok(value)
        } else {
            Err(ConfigError::merge(problems))
        }
    }
}

/// The candidate closest to `word` (at most 2 edits away, ignoring case and `-` vs `_`; an
/// adjacent swap, as in `bufefr`, is one edit).
pub(super) fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let word = norm(word);
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(&word, &norm(c)), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn problems_are_listed_in_file_order_up_to_the_limit() {
        let errors = (0..25)
            .rev()
            .map(|i| ConfigError::at(i * 10, format!("problem at {i}")))
            .collect();
        let all = ConfigError::merge(errors);
        assert_eq!(all.messages().len(), 25);
        let shown = all.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), MAX_LISTED + 1, "{shown}");
        assert_eq!(lines[0], "problem at 0");
        assert_eq!(lines[19], "problem at 19");
        assert_eq!(lines[20], "and 5 more");
    }

    #[test]
    fn display_escapes_what_a_message_missed() {
        let e = ConfigError::new("feeds.toml: name \"\u{1b}]0;PWN\u{7}\u{202e}\"");
        assert_eq!(
            e.to_string(),
            "feeds.toml: name \"\\x1b]0;PWN\\x07\\u{202e}\""
        );
    }
}
