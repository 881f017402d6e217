//! The routes that evaluate: a cohort's counts and results, one patient's outcomes with the
//! windows each criterion examined, and two definitions side by side. Each stops at the
//! evaluation time limit, checked between patients (one patient and definition is bounded
//! by the evaluator's own step limit).

use std::time::Instant;

use serde::Deserialize;
use serde_json::{json, Value};

use super::api::{compile, compile_all, Failure, Source};
use super::{shapes, State};
use crate::compare::{Comparison, Summary};
use crate::eval::{evaluate, windows_examined, Truth};

/// The body of `/api/cohort`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definitions {
    definitions: Vec<Source>,
}

/// Evaluate the definitions over the cohort: per definition the counts, per patient each
/// result and onset. Cut off at the time limit (checked between patients).
pub fn cohort(state: &State, body: Definitions) -> Result<Value, Failure> {
    let checked = compile_all(state, &body.definitions)?;
    let started = Instant::now();
    let mut counts = vec![[0u64; 4]; checked.len()];
    let mut rows = Vec::with_capacity(state.cohort.patients.len());
    for (n, patient) in state.cohort.patients.iter().enumerate() {
        if started.elapsed() > state.limits.evaluation_time {
            return Err(time_limit(state, n));
        }
        let mut results = Vec::with_capacity(checked.len());
        for (i, definition) in checked.iter().enumerate() {
            let outcome = evaluate(definition, patient);
            let slot = match (&outcome.stopped, outcome.result) {
                (Some(_), _) => 3,
                (None, Truth::Met) => 0,
                (None, Truth::NotMet) => 1,
                (None, Truth::Unknown) => 2,
            };
            if let Some(count) = counts.get_mut(i).and_then(|c| c.get_mut(slot)) {
                *count += 1;
            }
            let result = if outcome.stopped.is_some() {
                "error"
            } else {
                outcome.result.as_str()
            };
            results.push(json!({"result": result, "onset": outcome.onset.map(|d| d.to_string())}));
        }
        rows.push(json!({"id": patient.id, "results": results}));
    }
    let summary: Vec<Value> = checked
        .iter()
        .zip(&counts)
        .map(|(c, [met, not_met, unknown, error])| {
            json!({"id": c.id, "outcome": c.outcome, "met": met, "not_met": not_met, "unknown": unknown, "error": error})
        })
        .collect();
    Ok(json!({"definitions": summary, "patients": rows}))
}

fn time_limit(state: &State, evaluated: usize) -> Failure {
    Failure::new(
        503,
        "evaluation_time_limit",
        format!(
            "evaluation stopped after {} s, the most one request may take ({evaluated} of {} patients evaluated)",
            state.limits.evaluation_time.as_secs_f64(),
            state.cohort.patients.len()
        ),
    )
    .with("evaluated", json!(evaluated))
}

/// The body of `/api/patient`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientRequest {
    id: String,
    definitions: Vec<Source>,
}

/// One patient's timeline and, per definition, the outcome as `eval` writes it with the
/// windows each criterion examined.
pub fn patient(state: &State, body: PatientRequest) -> Result<Value, Failure> {
    let Some(patient) = state.cohort.patients.iter().find(|p| p.id == body.id) else {
        return Err(Failure::new(
            404,
            "unknown_patient",
            format!(
                "no patient `{}` in the cohort",
                crate::diagnostics::terminal::escape(&body.id)
            ),
        ));
    };
    let checked = compile_all(state, &body.definitions)?;
    let started = Instant::now();
    let mut results = Vec::with_capacity(checked.len());
    for definition in &checked {
        // Each criterion is evaluated again for its windows, each bounded by the step
        // limit: many definitions of many criteria could add up, so the clock is checked.
        if started.elapsed() > state.limits.evaluation_time {
            return Err(Failure::new(
                503,
                "evaluation_time_limit",
                format!(
                    "evaluation stopped after {} s, the most one request may take ({} of {} definitions evaluated)",
                    state.limits.evaluation_time.as_secs_f64(),
                    results.len(),
                    checked.len()
                ),
            )
            .with("evaluated", json!(results.len())));
        }
        let outcome = evaluate(definition, patient);
        let windows = windows_examined(definition, patient);
        results.push(shapes::outcome(&outcome, Some(&windows)));
    }
    Ok(json!({"patient": shapes::patient(patient), "results": results}))
}

/// The body of `/api/compare`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    first: Source,
    second: Source,
}

/// Two definitions side by side over the cohort ([`crate::compare`]): the report as
/// `compare --format json` gives it, and its page (`compare --html`).
pub fn compare(state: &State, body: Pair) -> Result<Value, Failure> {
    let first = compile(state, &body.first)?;
    let second = compile(state, &body.second)?;
    let mut ids = vec![first.id.clone(), second.id.clone()];
    if ids.first() == ids.get(1) {
        // The report keys rows by id: a definition against its own draft needs two names.
        if let Some(id) = ids.get_mut(1) {
            id.push_str(" (edited)");
        }
    }
    let started = Instant::now();
    let mut comparison = Comparison::new(ids);
    for (n, patient) in state.cohort.patients.iter().enumerate() {
        if started.elapsed() > state.limits.evaluation_time {
            return Err(time_limit(state, n));
        }
        let rows = [
            Summary::of(&evaluate(&first, patient), patient),
            Summary::of(&evaluate(&second, patient), patient),
        ];
        comparison.add(&patient.id, &rows);
    }
    let report = comparison.finish();
    let page = crate::compare::html::page(std::slice::from_ref(&report));
    let report = serde_json::to_value(&report).unwrap_or(Value::Null);
    Ok(json!({"report": report, "html": page}))
}
