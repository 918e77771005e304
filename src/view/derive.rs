//! [`FeedExprs::derive`]: one event's data parsed once, each expression run once.

use super::{Cell, Derived, FeedExprs, HighlightMatch, MAX_CELL_BYTES, Usage};
use crate::expr::{Expr, Input, val_number, val_text};
use crate::sse::Event;

/// Outputs of a `text` expression joined at most (Gemini's `parts[].text` is several).
const MAX_TEXT_OUTPUTS: usize = 64;

impl FeedExprs {
    /// Nothing to compute per event: callers skip [`FeedExprs::derive`] altogether.
    /// (Regex highlights need no derive: they apply to the shown text.)
    pub fn is_empty(&self) -> bool {
        self.type_from.is_none()
            && self.stop_when.is_none()
            && self.error_when.is_none()
            && self.view.exprs().next().is_none()
            && !self.has_jq_highlights()
    }

    fn has_jq_highlights(&self) -> bool {
        self.highlights
            .iter()
            .any(|h| matches!(h.matcher, HighlightMatch::Jq(_)))
    }

    /// Runs every expression once on the event's data, parsed once.
    pub fn derive(&self, event: &Event) -> Derived {
        let mut d = Derived::default();
        if self.is_empty() {
            return d;
        }
        let input = Input::from_data(&event.data);
        let errors = &mut d.errors;
        if let Some(expr) = &self.type_from
            && &*event.event_type == "message"
            && let Some(t) = run_text(expr, &input, "type_from", errors)
            && !t.is_empty()
        {
            d.event_type = Some(cut(&t, crate::sse::MAX_TYPE_BYTES).into());
        }
        if let Some(expr) = &self.stop_when {
            d.stop = run_truthy(expr, &input, "stop_when", errors);
        }
        if let Some(expr) = &self.error_when {
            d.is_error = run_truthy(expr, &input, "error_when", errors);
        }
        let view = &self.view;
        if let Some(expr) = &view.key {
            d.key = run_text(expr, &input, "key", errors).map(|k| cut(&k, MAX_CELL_BYTES).into());
        }
        d.cells = view
            .columns
            .iter()
            .map(|col| match col.expr.first_val(&input) {
                // A missing field is an empty cell, not the word "null".
                Ok(Some(jaq_json::Val::Null)) | Ok(None) => Cell::default(),
                Ok(Some(v)) => Cell {
                    text: Some(cut(&val_text(&v), MAX_CELL_BYTES).to_owned()),
                    number: val_number(&v),
                },
                Err(e) => {
                    errors.push(format!("column {}: {e}", col.title));
                    Cell::default()
                }
            })
            .collect();
        if let Some(expr) = &view.text {
            d.text = run_joined(expr, &input, "text", errors);
        }
        if d.text.is_none()
            && let Some(expr) = &view.thinking
        {
            d.text = run_joined(expr, &input, "thinking", errors);
            d.thinking = d.text.is_some();
        }
        if let Some(expr) = &view.message {
            d.message = run_text(expr, &input, "message", errors);
        }
        if let Some(expr) = &view.finish {
            d.finish = run_text(expr, &input, "finish", errors);
        }
        let usage = Usage {
            prompt_tokens: view
                .prompt_tokens
                .as_ref()
                .and_then(|e| run_count(e, &input, "prompt_tokens", errors)),
            completion_tokens: view
                .completion_tokens
                .as_ref()
                .and_then(|e| run_count(e, &input, "completion_tokens", errors)),
        };
        if usage != Usage::default() {
            d.usage = Some(usage);
        }
        if let Some(expr) = &view.error_text {
            d.error_message = run_text(expr, &input, "error_text", errors);
        }
        for (i, rule) in self.highlights.iter().enumerate() {
            if let HighlightMatch::Jq(expr) = &rule.matcher
                && run_truthy(expr, &input, "highlight", errors)
            {
                d.highlight = Some(i);
                break;
            }
        }
        d
    }
}

/// The first output's text; `null` and no output are `None`.
fn run_text(expr: &Expr, input: &Input, what: &str, errors: &mut Vec<String>) -> Option<String> {
    match expr.first_val(input) {
        Ok(Some(jaq_json::Val::Null)) | Ok(None) => None,
        Ok(Some(v)) => Some(val_text(&v)),
        Err(e) => {
            errors.push(format!("{what}: {e}"));
            None
        }
    }
}

/// Every output's text joined (`null`s skipped); `None` when that is empty.
fn run_joined(expr: &Expr, input: &Input, what: &str, errors: &mut Vec<String>) -> Option<String> {
    match expr.all_text(input, MAX_TEXT_OUTPUTS) {
        Ok(parts) => {
            let text: String = parts.concat();
            (!text.is_empty()).then_some(text)
        }
        Err(e) => {
            errors.push(format!("{what}: {e}"));
            None
        }
    }
}

fn run_truthy(expr: &Expr, input: &Input, what: &str, errors: &mut Vec<String>) -> bool {
    expr.truthy(input).unwrap_or_else(|e| {
        errors.push(format!("{what}: {e}"));
        false
    })
}

/// A token count: a non-negative whole number.
fn run_count(expr: &Expr, input: &Input, what: &str, errors: &mut Vec<String>) -> Option<u64> {
    match expr.first_val(input) {
        Ok(Some(v)) => val_number(&v)
            .filter(|n| *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n as u64),
        Ok(None) => None,
        Err(e) => {
            errors.push(format!("{what}: {e}"));
            None
        }
    }
}

/// `s` cut to at most `max` bytes, on a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
