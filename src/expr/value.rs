//! From jaq's values to what the rest of the program shows: cell text, numbers, JSON.

use jaq_json::{Num, Val};

/// A value as a cell shows it: strings without quotes, everything else as compact JSON.
pub fn cell_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// [`cell_text`] straight from a jaq value, without building JSON first (the per-event path).
pub(crate) fn val_text(v: &Val) -> String {
    match v {
        Val::TStr(b) | Val::BStr(b) => String::from_utf8_lossy(b).into_owned(),
        other => other.to_string(),
    }
}

/// The value as a number, when it is one: what ▲/▼ and sorting compare.
pub(crate) fn val_number(v: &Val) -> Option<f64> {
    match v {
        Val::Num(n) => num_f64(n),
        _ => None,
    }
}

fn num_f64(n: &Num) -> Option<f64> {
    match n {
        Num::Int(i) => Some(*i as f64),
        Num::Float(f) => Some(*f),
        Num::BigInt(_) | Num::Dec(_) => n.to_string().parse().ok(),
    }
}

pub(crate) fn val_to_json(v: &Val) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Num(n) => match n {
            Num::Int(i) => Value::from(*i as i64),
            // JSON has no NaN or infinities: jq prints them as null too.
            Num::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Num::BigInt(_) | Num::Dec(_) => n
                .to_string()
                .parse::<serde_json::Number>()
                .map_or(Value::Null, Value::Number),
        },
        Val::TStr(b) | Val::BStr(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        Val::Arr(items) => Value::Array(items.iter().map(val_to_json).collect()),
        Val::Obj(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (val_text(k), val_to_json(v)))
                .collect(),
        ),
    }
}
