//! One JSON object per patient and definition, fields in the contract's order.

use serde_json::{json, Value};

use crate::eval::Outcome;

/// The output line for one outcome (no trailing newline).
pub fn outcome_line(outcome: &Outcome) -> String {
    let criteria: Vec<Value> = outcome
        .criteria
        .iter()
        .map(|c| {
            let evidence: Vec<Value> = c
                .evidence
                .iter()
                .map(|e| json!({"event": e.event, "date": e.date.to_string(), "kind": e.kind}))
                .collect();
            json!({"name": c.name, "result": c.result.as_str(), "why": c.why, "evidence": evidence})
        })
        .collect();
    let value = json!({
        "patient": outcome.patient,
        "definition": outcome.definition,
        "outcome": outcome.outcome,
        "result": outcome.result.as_str(),
        "onset": outcome.onset.map(|d| d.to_string()),
        "criteria": criteria,
    });
    value.to_string()
}

/// The output line for a patient that could not be read.
pub fn error_line(patient: Option<&str>, error: &str) -> String {
    json!({"patient": patient, "error": error}).to_string()
}
