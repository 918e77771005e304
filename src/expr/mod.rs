//! jq expressions (through jaq), compiled once at config load and run once per event.
//!
//! An expression runs on the event's data parsed as JSON; data that is not JSON is given to it
//! as the raw string, so `. == "[DONE]"` works on the OpenAI end marker. A runtime error is a
//! value (`Err(message)`), never a panic and never an exit: jaq's `halt` and `halt_error`, which
//! would end the process through `unwrap_valr`, are reported as errors instead.

mod value;

use std::fmt;
use std::sync::Arc;

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data};
use jaq_json::Val;

pub use value::cell_text;
pub(crate) use value::{val_number, val_text, val_to_json};

type Data = data::JustLut<Val>;
type Filter = jaq_core::Filter<Data>;

/// A compiled jq expression. Cheap to clone (an `Arc`), `Send + Sync`.
#[derive(Clone)]
pub struct Expr(Arc<Compiled>);

struct Compiled {
    source: String,
    filter: Filter,
}

/// The input an expression runs on: an event's data parsed as JSON once, or the raw string when
/// it is not JSON.
#[derive(Clone, Debug)]
pub struct Input {
    val: Val,
    json: bool,
}

impl Input {
    pub fn from_data(data: &str) -> Input {
        // serde_json, not jaq's own reader: it refuses nesting deeper than 128, where a
        // recursive parse (and the drop of its value) of hostile data would overflow the stack.
        match serde_json::from_str::<Val>(data) {
            Ok(val) => Input { val, json: true },
            Err(_) => Input {
                val: Val::utf8_str(data.as_bytes().to_vec()),
                json: false,
            },
        }
    }

    /// Whether the data parsed as JSON (otherwise the expression sees the raw string).
    pub fn is_json(&self) -> bool {
        self.json
    }
}

impl Expr {
    /// Compiles `src`; the error is jaq's message on one line, with the column where it applies.
    pub fn compile(src: &str) -> Result<Expr, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs::<Data>()
            .chain(jaq_std::funs::<Data>())
            .chain(jaq_json::funs::<Data>());
        let arena = Arena::default();
        let loader = Loader::new(defs);
        let program = File {
            code: src,
            path: (),
        };
        let modules = loader
            .load(&arena, program)
            .map_err(|errs| load_error(src, errs))?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errs| compile_error(src, errs))?;
        Ok(Expr(Arc::new(Compiled {
            source: src.to_owned(),
            filter,
        })))
    }

    pub fn source(&self) -> &str {
        &self.0.source
    }

    /// The first output, as JSON; `None` when the expression outputs nothing (`empty`, `select`).
    pub fn first(&self, input: &Input) -> Result<Option<serde_json::Value>, String> {
        Ok(self.first_val(input)?.as_ref().map(val_to_json))
    }

    /// jq truthiness of the first output (not `false` or `null`); no output is `false`.
    pub fn truthy(&self, input: &Input) -> Result<bool, String> {
        use jaq_core::ValT;
        Ok(self.first_val(input)?.is_some_and(|v| v.as_bool()))
    }

    /// The first output as jaq's value, for callers that format it themselves (cells).
    pub(crate) fn first_val(&self, input: &Input) -> Result<Option<Val>, String> {
        self.run(input, |outputs| outputs.next().transpose())
    }

    /// Every output's text (strings unquoted, `null`s skipped), stopping at the first error: for
    /// expressions such as Gemini's `.candidates[0].content.parts[].text`, whose outputs are
    /// joined.
    pub(crate) fn all_text(&self, input: &Input, max: usize) -> Result<Vec<String>, String> {
        self.run(input, |outputs| {
            outputs
                .take(max)
                .filter(|v| !matches!(v, Ok(Val::Null)))
                .map(|v| v.map(|v| val_text(&v)))
                .collect()
        })
    }

    fn run<T>(
        &self,
        input: &Input,
        take: impl FnOnce(&mut dyn Iterator<Item = Result<Val, String>>) -> Result<T, String>,
    ) -> Result<T, String> {
        let filter = &self.0.filter;
        let ctx = Ctx::<Data>::new(&filter.lut, Vars::new([]));
        let mut outputs = filter
            .id
            .run((ctx, input.val.clone()))
            .map(|out| out.map_err(exception_message));
        take(&mut outputs)
    }
}

/// A runtime exception's message. `halt` is not an error in jq, but here nothing may end the
/// process, so it is reported like one.
fn exception_message(exn: jaq_core::Exn<'_, Val>) -> String {
    match exn.get_err() {
        // `error("boom")` says boom, not "boom".
        Ok(err) => one_line(&val_text(&err.into_val())),
        Err(exn) => match exn.get_halt() {
            Ok(code) => format!("halt({code}) is not allowed here"),
            Err(_) => "internal jq error".to_owned(),
        },
    }
}

/// jq messages may quote multi-line values; a cell or a config error wants one line.
fn one_line(s: &str) -> String {
    const MAX: usize = 200;
    let mut out: String = s
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .take(MAX)
        .collect();
    if s.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// The column (from 1) of `part` within `src`, when `part` is a slice of it.
fn column(src: &str, part: &str) -> Option<usize> {
    let start = src.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    (at >= start && at <= start + src.len()).then(|| src[..at - start].chars().count() + 1)
}

fn at(src: &str, part: &str) -> String {
    match column(src, part) {
        Some(col) if part.is_empty() => format!(" at column {col} (end of expression)"),
        Some(col) => format!(" at column {col}"),
        None => String::new(),
    }
}

fn load_error(src: &str, errs: jaq_core::load::Errors<&str, ()>) -> String {
    use jaq_core::load::Error;
    let mut messages = Vec::new();
    for (_file, err) in errs {
        match err {
            Error::Io(items) => {
                for (path, msg) in items {
                    messages.push(format!("cannot load module {path}: {msg}"));
                }
            }
            Error::Lex(items) => {
                for (expect, found) in items {
                    messages.push(format!("expected {}{}", expect.as_str(), at(src, found)));
                }
            }
            Error::Parse(items) => {
                for (expect, found) in items {
                    let found_text = if found.is_empty() {
                        String::new()
                    } else {
                        format!(", found `{}`", one_line(found))
                    };
                    messages.push(format!(
                        "expected {}{found_text}{}",
                        expect.as_str(),
                        at(src, found)
                    ));
                }
            }
        }
    }
    if messages.is_empty() {
        messages.push("cannot parse".to_owned());
    }
    format!("jq: {}", messages.join("; "))
}

fn compile_error(src: &str, errs: jaq_core::compile::Errors<&str, ()>) -> String {
    use jaq_core::compile::Undefined;
    let mut messages = Vec::new();
    for (_file, items) in errs {
        for (name, undefined) in items {
            let what = match &undefined {
                Undefined::Filter(arity) => format!("{name}/{arity}"),
                _ => name.to_string(),
            };
            messages.push(format!(
                "undefined {} {what}{}",
                undefined.as_str(),
                at(src, name)
            ));
        }
    }
    if messages.is_empty() {
        messages.push("cannot compile".to_owned());
    }
    format!("jq: {}", messages.join("; "))
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expr({:?})", self.source())
    }
}

/// Two expressions are equal when their source is: what a config comparison means.
impl PartialEq for Expr {
    fn eq(&self, other: &Expr) -> bool {
        self.source() == other.source()
    }
}

#[cfg(test)]
mod tests;
