//! The JSON the API answers with, built from the pipeline's own values: diagnostics with
//! their spans (in bytes, and in UTF-16 units and lines for the page's editor), patients,
//! and an outcome as `eval` writes it plus the windows each criterion examined.

use serde_json::{json, Value};

use crate::diagnostics::Diagnostics;
use crate::eval::{CriterionWindows, Outcome};
use crate::timeline::Patient;

/// Each problem: severity, code, message, label, help, and where: `start`/`end` in bytes,
/// `from`/`to` in UTF-16 units (what a browser's text field counts), and the 1-based
/// `line` and `column` (in characters) of the start.
pub fn diagnostics(found: &Diagnostics) -> Vec<Value> {
    let text: &str = &found.source.text;
    found
        .problems
        .iter()
        .map(|problem| {
            let (span, label) = match &problem.label {
                Some((span, label)) => (Some(*span), Some(label.as_str())),
                None => (None, None),
            };
            let place = span.map(|s| {
                let start = floor_boundary(text, s.start);
                let end = floor_boundary(text, s.end.max(s.start));
                let before = text.get(..start).unwrap_or_default();
                let line = before.matches('\n').count() + 1;
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
                let from = before.encode_utf16().count();
                let to = from + text.get(start..end).unwrap_or_default().encode_utf16().count();
                json!({"start": start, "end": end, "from": from, "to": to, "line": line, "column": column})
            });
            json!({
                "severity": if problem.is_error() { "error" } else { "warning" },
                "code": problem.code,
                "message": problem.message,
                "label": label,
                "help": problem.help,
                "span": place,
            })
        })
        .collect()
}

/// The largest char boundary at or before `at` (spans are byte offsets into the text).
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A patient for the plot: id, facts and events in timeline order, each with its index in
/// the input (`event`, as evidence cites it), date, time, kind and attributes.
pub fn patient(patient: &Patient) -> Value {
    let events: Vec<Value> = patient
        .events
        .iter()
        .map(|e| {
            let attributes: serde_json::Map<String, Value> = e
                .attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_json()))
                .collect();
            json!({
                "event": e.index,
                "date": e.date.to_string(),
                "time": e.time.map(|(h, m)| format!("{h:02}:{m:02}")),
                "kind": e.kind,
                "attributes": attributes,
            })
        })
        .collect();
    json!({"id": patient.id, "facts": patient.facts, "events": events})
}

/// An outcome as `eval` writes it (the same line), and the windows per criterion.
pub fn outcome(outcome: &Outcome, windows: Option<&[CriterionWindows]>) -> Value {
    let line = match &outcome.stopped {
        Some(reason) => crate::report::stopped_line(outcome, reason),
        None => crate::report::outcome_line(outcome),
    };
    let mut value: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
    if let (Some(windows), Value::Object(map)) = (windows, &mut value) {
        let shown: Vec<Value> = windows
            .iter()
            .map(|c| {
                let list: Vec<Value> = c
                    .windows
                    .iter()
                    .map(|w| {
                        json!({
                            "from": w.from.map(|d| d.to_string()),
                            "to": w.to.map(|d| d.to_string()),
                            "description": w.description,
                            "empty": w.empty,
                            "uncertain": w.uncertain,
                        })
                    })
                    .collect();
                json!({"criterion": c.criterion, "windows": list, "truncated": c.truncated})
            })
            .collect();
        map.insert("windows".into(), Value::Array(shown));
    }
    value
}
