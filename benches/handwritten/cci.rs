//! `definitions/cci-2022.crit` by hand: intrahepatic target lesions in PD against the
//! baseline on the response imaging after the 3rd or a later session.
//!
//! Decides only; the interpreter also explains (see the parent module).

use refract::eval::Truth;
use refract::number::Decimal;
use refract::timeline::{Patient, Value};

pub use super::Result;
use super::{any_response, baseline, later, response_window, session, sessions, Any};

/// Evaluate cci-2022 for one patient (events in timeline order).
pub fn evaluate(patient: &Patient) -> Result {
    let events = patient.events.as_slice();
    let sessions = sessions(events);
    let baseline_sum = baseline(events, &sessions).and_then(|b| b.get("target_viable_sum_mm"));
    // criterion intrahepatic_progression =
    //   any session S where number >= 3: any response(S) shows progression
    let mut any = Any::default();
    for k in 2..sessions.len() {
        let Some((_, s)) = session(events, &sessions, k) else {
            continue;
        };
        let window = response_window(events, &sessions, k);
        let (truth, at) = any_response(events, window, |scan| {
            progression(scan.get("target_viable_sum_mm"), baseline_sum, || {
                scan.get("mrecist_target")
            })
        });
        // The element rests on the session too (met no earlier than it).
        any.add(truth, later(at, Some(s.date)));
    }
    let (result, onset) = any.finish(false);
    Result {
        result,
        onset,
        criteria: vec![result],
    }
}

/// `target_viable_sum_mm grew by at least 20 % from baseline else mrecist_target is PD`.
fn progression<'a>(
    sum: Option<&Value>,
    baseline_sum: Option<&Value>,
    reported: impl FnOnce() -> Option<&'a Value>,
) -> Truth {
    let measured = match (
        sum.and_then(Value::as_number),
        baseline_sum.and_then(Value::as_number),
    ) {
        (Some(new), Some(reference)) => grew_by_at_least_20_percent(new, reference),
        _ => Truth::Unknown,
    };
    if measured != Truth::Unknown {
        return measured;
    }
    // The fallback: the reported target-lesion response; `NE` (not evaluable) is unknown.
    match reported() {
        None => Truth::Unknown,
        Some(Value::Text(category)) if category == "NE" => Truth::Unknown,
        Some(Value::Text(category)) => Truth::from_bool(category == "PD"),
        Some(_) => Truth::NotMet,
    }
}

/// Exactly `100 × (new − reference) ≥ 20 × reference` (that is, `5 × new ≥ 6 × reference`),
/// computed in the same steps as the interpreter so that a number too large to compute is
/// unknown in both; a reference of 0 or less is unknown.
fn grew_by_at_least_20_percent(new: Decimal, reference: Decimal) -> Truth {
    if reference.is_zero() || reference.is_negative() {
        return Truth::Unknown;
    }
    let lhs = new
        .checked_sub(reference)
        .and_then(|delta| delta.checked_mul(Decimal::from_i64(100)));
    let rhs = Decimal::from_i64(20).checked_mul(reference);
    match (lhs, rhs) {
        (Some(lhs), Some(rhs)) => Truth::from_bool(lhs >= rhs),
        _ => Truth::Unknown,
    }
}
