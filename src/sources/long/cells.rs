//! How a value is written in a cell, and read back exactly (`docs/csv.md`, "Values").

use serde_json::Value as Json;

use crate::timeline::load::checked_value;
use crate::timeline::{TimelineErrorKind as Kind, Value};
use crate::vocabulary::AttrType;

/// A value cell read by the attribute's type (`None`: not in the vocabulary); `Ok(None)`
/// is an unknown value (`null` for an attribute outside the vocabulary). See `docs/csv.md`.
pub fn cell_value(cell: &str, ty: Option<AttrType>) -> Result<Option<Value>, Kind> {
    let json = match ty {
        None => match serde_json::from_str::<Json>(cell) {
            Ok(Json::Null) => return Ok(None),
            Ok(json) => json,
            Err(_) => Json::String(cell.to_owned()),
        },
        Some(AttrType::Bool) => match cell {
            "true" => Json::Bool(true),
            "false" => Json::Bool(false),
            _ => text(cell),
        },
        Some(AttrType::Number { .. }) => serde_json::from_str::<serde_json::Number>(cell)
            .map(Json::Number)
            .unwrap_or_else(|_| text(cell)),
        Some(AttrType::Text | AttrType::Category(_)) => text(cell),
        Some(AttrType::TextList) if cell.starts_with('[') => {
            serde_json::from_str::<Json>(cell).unwrap_or_else(|_| text(cell))
        }
        Some(AttrType::TextList) => Json::Array(vec![text(cell)]),
    };
    checked_value(json, ty).map(Some)
}

/// A text cell: as written, unless it is a JSON string (it starts with `"`), which is how
/// an empty text or one that would read as something else is written.
fn text(cell: &str) -> Json {
    let quoted = cell
        .starts_with('"')
        .then(|| serde_json::from_str::<String>(cell).ok())
        .flatten();
    Json::String(quoted.unwrap_or_else(|| cell.to_owned()))
}

/// A fact's cell: JSON when it is JSON, else the text as written.
pub(super) fn fact_value(cell: &str) -> Json {
    serde_json::from_str::<Json>(cell).unwrap_or_else(|_| Json::String(cell.to_owned()))
}

/// The cell that [`cell_value`] reads back as `value` (exactly: `convert` relies on it).
pub fn value_cell(value: &Value, ty: Option<AttrType>) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Text(s) => text_cell(s, ty.is_none()),
        // A list of one word reads best as the word, where the vocabulary says it is a
        // list (`agents`: `epirubicin`); other lists are JSON (`["a","b"]`, `[]`).
        Value::List(items) if ty == Some(AttrType::TextList) => match items.as_slice() {
            [Value::Text(s)] if !s.is_empty() && !s.starts_with(['[', '"']) => s.to_string(),
            _ => value.to_json().to_string(),
        },
        Value::List(_) | Value::Object(_) => value.to_json().to_string(),
    }
}

/// The cell of a fact, read back by the fact reader exactly.
pub fn fact_cell(value: &Json) -> String {
    match value {
        Json::String(s) => text_cell(s, true),
        other => other.to_string(),
    }
}

/// A text as written, or as a JSON string when written as is it would read otherwise:
/// empty (unknown), starting with `"`, or (where any JSON is read) JSON.
fn text_cell(s: &str, read_as_json: bool) -> String {
    let quote = s.is_empty()
        || s.starts_with('"')
        || (read_as_json && serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok());
    if quote {
        Json::String(s.to_owned()).to_string()
    } else {
        s.to_owned()
    }
}
