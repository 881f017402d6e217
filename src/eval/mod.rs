//! Evaluate a checked definition against one patient's timeline.

// The layers, bottom first: truth, why and value; positions and verdict; compare,
// arith, temporal; the cache of part results; context; then the topics of evaluation
// (calls, selections, events, …), each an `impl Context`.
mod arith;
mod cache;
mod calls;
mod compare;
mod conditions;
mod consult;
mod context;
mod data;
mod deciders;
mod depends;
mod events;
mod exact;
mod index;
mod positions;
mod quantifiers;
mod quick;
mod readings;
mod runs;
mod selections;
mod shared;
mod temporal;
mod trend;
pub mod truth;
mod value;
mod verdict;
mod why;
pub mod windows;

pub use deciders::{Condition, Decider, Missing};
pub use exact::MAX_TRIALS;
pub use index::Index;
pub use shared::{SharedCriteria, Sharing};
pub use truth::Truth;
pub use why::show;
pub use windows::{windows_examined, CriterionWindows, Examined};

use crate::check::Checked;
use crate::date::Date;
use crate::timeline::Patient;
use context::Context;
use exact::{Budget, Settled, Target};
use why::View;

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
    /// Evaluation stopped at its work limit (the criterion, in words): the results are
    /// not answers, and the output reports an error for this patient and definition.
    pub stopped: Option<String>,
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
    /// For an `unknown` result: the missing data that would decide it, and how.
    pub decided_by: Vec<Decider>,
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
    /// Where it was read ([`Event::source`](crate::timeline::Event::source)), when known.
    pub source: Option<std::sync::Arc<str>>,
}

/// Evaluate `checked` for `patient` (whose events are already in timeline order). A
/// criterion that Kleene evaluation leaves unknown is settled: if no way of filling in the
/// missing data it read could change it, it is met or not met "whatever that data would
/// be"; otherwise it stays unknown and says what would decide it.
pub fn evaluate(checked: &Checked, patient: &Patient) -> Outcome {
    evaluate_with(checked, patient, &Index::new(patient))
}

/// [`evaluate`] with the patient's [`Index`], built once for all the definitions of a run.
pub fn evaluate_with<'a>(
    checked: &'a Checked,
    patient: &'a Patient,
    index: &'a Index<'a>,
) -> Outcome {
    evaluate_in(checked, patient, index, None).0
}

/// [`evaluate_with`], sharing criteria with the run's other definitions: `shared` holds
/// the results the definitions evaluated before for this patient made, and keeps this
/// one's for those after. The outcome is the one [`evaluate_with`] gives.
pub fn evaluate_sharing<'a>(
    checked: &'a Checked,
    patient: &'a Patient,
    index: &'a Index<'a>,
    shared: &mut SharedCriteria<'a>,
) -> Outcome {
    let (outcome, store, again) = evaluate_in(checked, patient, index, Some(shared.take()));
    if let Some(store) = store {
        *shared = store;
    }
    if again {
        // Near the step limit, where the steps a taken result saved could decide where
        // evaluation stops: evaluated alone.
        return evaluate_with(checked, patient, index);
    }
    outcome
}

/// One evaluation, with the shared results when criteria are shared; gives them back, and
/// whether it must be done again alone.
fn evaluate_in<'a>(
    checked: &'a Checked,
    patient: &'a Patient,
    index: &'a Index<'a>,
    shared: Option<SharedCriteria<'a>>,
) -> (Outcome, Option<SharedCriteria<'a>>, bool) {
    let mut ctx = Context::new(checked, patient, index);
    ctx.shared = shared;
    let mut budget = Budget::default();
    let mut criteria = Vec::with_capacity(checked.criteria.len());
    let mut unknown = Vec::new();
    let mut stopped = None;
    for index in 0..checked.criteria.len() {
        ctx.consults.clear();
        ctx.missing.clear();
        let verdict = ctx.criterion(index);
        // Its reasons are written from the definition it was made in (its own, unless it
        // was taken from another).
        let view = ctx.view_for(index);
        if ctx.stopped && stopped.is_none() {
            stopped = checked.criteria.get(index).map(|c| {
                format!(
                    "evaluation stopped in criterion {} after {} conditions, the most refract evaluates for one patient and definition (quantifiers that multiply each other's work?)",
                    c.name,
                    context::MAX_STEPS
                )
            });
        }
        let name = checked
            .criteria
            .get(index)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let mut why = match ctx.shared_reason(index) {
            Some(why) => why,
            None => why::cut(verdict.why.render(&view)),
        };
        ctx.keep_shared_reason(index, &why);
        if verdict.truth != Truth::Unknown || stopped.is_some() {
            let met = verdict.truth == Truth::Met;
            let mut at = verdict.at.filter(|_| met);
            let mut earlier_cells: Vec<usize> = Vec::new();
            // Met here, but an earlier element may be met whatever its missing data.
            if met && stopped.is_none() {
                if let Some(earlier) = ctx.earlier_settled(index, at, &mut budget) {
                    at = earlier.at;
                    ctx.settle_criterion(index, Truth::Met, at);
                    why.push_str("; met earlier, on ");
                    why.push_str(&at.map(|d| d.to_string()).unwrap_or_default());
                    why.push_str(", ");
                    why.push_str(&whatever(&view, &earlier, None));
                    earlier_cells = earlier.filled.iter().map(|c| c.position).collect();
                }
            }
            criteria.push(CriterionResult {
                name,
                result: verdict.truth,
                at,
                why,
                evidence: if met {
                    evidence(patient, verdict.evidence.iter().chain(earlier_cells))
                } else {
                    Vec::new()
                },
                decided_by: Vec::new(),
            });
            continue;
        }
        let consults = std::mem::take(&mut ctx.consults);
        let missing = std::mem::take(&mut ctx.missing);
        let settled = ctx.settle(Target::Criterion(index), &consults, &mut budget);
        if settled.truth != Truth::Unknown {
            ctx.settle_criterion(index, settled.truth, settled.at);
            let met = settled.truth == Truth::Met;
            let positions = verdict
                .evidence
                .iter()
                .chain(settled.filled.iter().map(|c| c.position));
            criteria.push(CriterionResult {
                name,
                result: settled.truth,
                at: settled.at,
                why: whatever(&view, &settled, Some(&why)),
                evidence: if met {
                    evidence(patient, positions)
                } else {
                    Vec::new()
                },
                decided_by: Vec::new(),
            });
            continue;
        }
        let decided_by = deciders(&view, &settled, &missing);
        unknown.push(exact::cells(&consults, &[], false));
        criteria.push(CriterionResult {
            name,
            result: Truth::Unknown,
            at: None,
            why: still_unknown(&view, &settled, &decided_by, why),
            evidence: Vec::new(),
            decided_by,
        });
    }
    ctx.consults.clear();
    let mut overall = ctx.condition(&checked.met_when);
    // Criteria left unknown by the same missing value may decide the definition together
    // (one met for low values, another for high ones): settle it as a whole.
    if overall.truth == Truth::Unknown && shares_a_cell(&unknown) {
        let consults = std::mem::take(&mut ctx.consults);
        let settled = ctx.settle(Target::Condition(&checked.met_when), &consults, &mut budget);
        if settled.truth != Truth::Unknown {
            overall.truth = settled.truth;
            overall.at = settled.at;
        }
    }
    let again = ctx.beyond_shared_slack();
    let outcome = Outcome {
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
        stopped,
    };
    (outcome, ctx.shared.take(), again)
}

/// Whether two criteria left unknown read the same cell.
fn shares_a_cell(unknown: &[Vec<value::Cell<'_>>]) -> bool {
    let mut seen: rustc_hash::FxHashMap<value::Cell<'_>, usize> = rustc_hash::FxHashMap::default();
    for (criterion, cells) in unknown.iter().enumerate() {
        for cell in cells {
            if seen
                .insert(*cell, criterion)
                .is_some_and(|c| c != criterion)
            {
                return true;
            }
        }
    }
    false
}

/// "not met whatever mrecist on the imaging of 2021-03-01 would be (as recorded: …)".
fn whatever(view: &View<'_>, settled: &Settled<'_>, recorded: Option<&str>) -> String {
    let mut out = String::with_capacity(128);
    out.push_str(if settled.truth == Truth::Met {
        "met whatever "
    } else {
        "not met whatever "
    });
    for (i, cell) in settled.filled.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == settled.filled.len() {
                " and "
            } else {
                ", "
            });
        }
        out.push_str(cell.attribute);
        out.push_str(" on ");
        view.describe_into(&mut out, cell.position, None);
    }
    out.push_str(" would be");
    if let Some(recorded) = recorded {
        out.push_str(" (as recorded: ");
        out.push_str(recorded);
        out.push(')');
    }
    out
}

/// The missing data that would decide an unknown result: each cell tried alone, then the
/// events that are not in the record (at most ten).
fn deciders<'a>(view: &View<'a>, settled: &Settled<'_>, missing: &[why::Why<'a>]) -> Vec<Decider> {
    let mut out = Vec::new();
    for probe in &settled.probes {
        let Some(event) = view.patient.events.get(probe.cell.position) else {
            continue;
        };
        out.push(Decider {
            missing: Missing::Attribute {
                event: event.index,
                date: event.date,
                kind: event.kind.clone(),
                attribute: probe.cell.attribute.to_string(),
            },
            met_if: deciders::condition(probe, Truth::Met),
            not_met_if: deciders::condition(probe, Truth::NotMet),
        });
    }
    for text in exact::missing_events(missing, view).into_iter().take(10) {
        out.push(Decider {
            missing: Missing::Event(text),
            met_if: None,
            not_met_if: None,
        });
    }
    out
}

/// The reason of a result that stays unknown, with what would decide it.
fn still_unknown(
    view: &View<'_>,
    settled: &Settled<'_>,
    decided_by: &[Decider],
    mut why: String,
) -> String {
    let deciding = decided_by
        .iter()
        .find_map(|d| d.met_if.as_ref().map(|c| (d, "met", c)))
        .or_else(|| {
            decided_by
                .iter()
                .find_map(|d| d.not_met_if.as_ref().map(|c| (d, "not met", c)))
        });
    if let Some((decider, word, condition)) = deciding {
        if let Missing::Attribute { attribute, .. } = &decider.missing {
            let position = settled
                .probes
                .iter()
                .find(|p| p.cell.attribute == attribute)
                .map(|p| p.cell.position);
            why.push_str("; ");
            why.push_str(word);
            why.push_str(" if ");
            why.push_str(attribute);
            if let Some(position) = position {
                why.push_str(" on ");
                view.describe_into(&mut why, position, None);
            }
            why.push(' ');
            why.push_str(&condition.words);
        }
    }
    match (settled.exhausted, settled.too_many) {
        (true, Some(n)) => why.push_str(&format!(
            " (not settled: {n} missing values are more than refract combines, {})",
            exact::MAX_SEARCHED
        )),
        (true, None) => why.push_str(&format!(
            " (not settled: refract stops after {MAX_TRIALS} trials of the missing values)"
        )),
        (false, _) => {}
    }
    why
}

/// Positions in the sorted timeline → input indices, in date order, each once.
fn evidence(patient: &Patient, positions: impl Iterator<Item = usize>) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = positions
        .filter_map(|p| patient.events.get(p))
        .map(|e| Evidence {
            event: e.index,
            date: e.date,
            kind: e.kind.clone(),
            source: e.source.clone(),
        })
        .collect();
    out.sort_by_key(|a| (a.date, a.event));
    out.dedup_by_key(|e| e.event);
    out
}
