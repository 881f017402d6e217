//! Evaluate a checked definition against one patient's timeline.

// The layers, bottom first: truth, why and value; positions and verdict; compare,
// arith, temporal; context; then the topics of evaluation, each an `impl Context`.
mod arith;
mod compare;
mod conditions;
mod context;
mod data;
mod events;
mod positions;
mod quantifiers;
mod selections;
mod temporal;
mod trend;
pub mod truth;
mod value;
mod verdict;
mod why;

pub use truth::Truth;

use crate::check::Checked;
use crate::date::Date;
use crate::timeline::Patient;
use context::Context;

/// The result of one definition for one patient.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The patient's id.
    pub patient: String,
    /// The definition's id.
    pub definition: String,
    /// What the definition detects (`refractory`, `unsuitable`).
    pub outcome: String,
    /// Met, not met or unknown.
    pub result: Truth,
    /// The earliest date at which it was met.
    pub onset: Option<Date>,
    /// Each criterion, in file order.
    pub criteria: Vec<CriterionResult>,
}

/// One criterion's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionResult {
    /// Its name.
    pub name: String,
    /// Met, not met or unknown.
    pub result: Truth,
    /// When it was met.
    pub at: Option<Date>,
    /// What decided it, or which data is missing.
    pub why: String,
    /// The events behind a `met` result.
    pub evidence: Vec<Evidence>,
}

/// An event that a result rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Its index in the patient's input `events` array.
    pub event: usize,
    /// Its date.
    pub date: Date,
    /// Its kind.
    pub kind: crate::timeline::Key,
}

/// Evaluate `checked` for `patient` (whose events are already in timeline order).
pub fn evaluate(checked: &Checked, patient: &Patient) -> Outcome {
    let mut ctx = Context::new(checked, patient);
    let mut criteria = Vec::new();
    for index in 0..checked.criteria.len() {
        let verdict = ctx.criterion(index);
        let name = checked
            .criteria
            .get(index)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let evidence = if verdict.truth == Truth::Met {
            evidence(patient, verdict.evidence.iter())
        } else {
            Vec::new()
        };
        criteria.push(CriterionResult {
            name,
            result: verdict.truth,
            at: if verdict.truth == Truth::Met {
                verdict.at
            } else {
                None
            },
            why: verdict.why.render(&ctx.view()),
            evidence,
        });
    }
    let overall = ctx.condition(&checked.met_when);
    Outcome {
        patient: patient.id.clone(),
        definition: checked.id.clone(),
        outcome: checked.outcome.clone(),
        result: overall.truth,
        onset: if overall.truth == Truth::Met {
            overall.at
        } else {
            None
        },
        criteria,
    }
}

/// Positions in the sorted timeline → input indices, in date order, each once.
fn evidence(patient: &Patient, positions: impl Iterator<Item = usize>) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = positions
        .filter_map(|p| patient.events.get(p))
        .map(|e| Evidence {
            event: e.index,
            date: e.date,
            kind: e.kind.clone(),
        })
        .collect();
    out.sort_by_key(|a| (a.date, a.event));
    out.dedup_by_key(|e| e.event);
    out
}
