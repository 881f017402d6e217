//! `definitions/jsh-lcsgj-2014.crit` by hand: insufficient response or intrahepatic
//! progression on two consecutive sessions after a change of treatment, continuous rise
//! of a tumour marker, appearance of vascular invasion or of extrahepatic spread.
//!
//! Decides only; the interpreter also explains (see the parent module).

use refract::date::Date;
use refract::eval::Truth;
use refract::number::Decimal;
use refract::timeline::{Event, Patient, Value};

pub use super::Result;
use super::{
    any_response, at, baseline, end_through, later, response_window, session, sessions, slice,
    truthy, Any, Decided,
};

/// The tumour markers, each judged on its own.
const MARKERS: [&str; 2] = ["AFP", "PIVKA-II"];

/// Evaluate jsh-lcsgj-2014 for one patient (events in timeline order).
pub fn evaluate(patient: &Patient) -> Result {
    let events = patient.events.as_slice();
    let sessions = sessions(events);
    let baseline = baseline(events, &sessions);

    let mut insufficient = Any::default();
    let mut progression = Any::default();
    let mut markers = Any::default();
    // The previous session and its two response findings, carried to the next pair.
    let mut previous: Option<(&Event, Decided, Decided)> = None;
    for k in 0..sessions.len() {
        let Some((position, s)) = session(events, &sessions, k) else {
            continue;
        };
        let window = response_window(events, &sessions, k);
        let viable = any_response(events, window, viable_over_half);
        let before = pre_session(events, &sessions, k).and_then(|p| p.get("tumor_count"));
        let more = any_response(events, window, |scan| more_tumors(scan, before));
        if let Some((a, viable_a, more_a)) = previous {
            // any consecutive sessions A, B: treatment_changed(A, B) and any response(A)
            // shows X and any response(B) shows X; met at the later of the three.
            let changed = treatment_changed(a, s);
            let pair = |x: Decided, y: Decided| {
                let truth = changed.and(x.0).and(y.0);
                (truth, later(Some(s.date), later(x.1, y.1)))
            };
            let (truth, date) = pair(viable_a, viable);
            insufficient.add(truth, date);
            let (truth, date) = pair(more_a, more);
            progression.add(truth, date);
        }
        previous = Some((s, viable, more));
        // any session S: any M in [AFP, "PIVKA-II"]: value of marker_after(S, M) rises
        // continuously above marker_before(S, M), with at least 2 values
        let mut each = Any::default();
        for marker in MARKERS {
            let (truth, date) = rises(events, &sessions, k, position, marker);
            each.add(truth, date);
        }
        let (truth, date) = each.finish(false);
        markers.add(truth, later(date, Some(s.date)));
    }

    let criteria = vec![
        insufficient.finish(false),
        progression.finish(false),
        markers.finish(false),
        appearance(events, &sessions, baseline, "vascular_invasion"),
        appearance(events, &sessions, baseline, "extrahepatic_spread"),
    ];
    // met when: the `or` of the criteria, met at the earliest met one.
    let mut result = Truth::NotMet;
    let mut onset: Option<Date> = None;
    for &(truth, date) in &criteria {
        result = result.or(truth);
        if truth == Truth::Met {
            onset = match (onset, date) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    Result {
        result,
        onset: if result == Truth::Met { onset } else { None },
        criteria: criteria.iter().map(|&(truth, _)| truth).collect(),
    }
}

/// `viable_percent > 50`.
fn viable_over_half(scan: &Event) -> Truth {
    match scan.get("viable_percent").and_then(Value::as_number) {
        Some(percent) => Truth::from_bool(percent > Decimal::from_i64(50)),
        None => Truth::Unknown,
    }
}

/// `tumor_count > pre_session(S)`: the scan's count against the pre-session imaging's.
fn more_tumors(scan: &Event, before: Option<&Value>) -> Truth {
    match (
        scan.get("tumor_count").and_then(Value::as_number),
        before.and_then(Value::as_number),
    ) {
        (Some(count), Some(before)) => Truth::from_bool(count > before),
        _ => Truth::Unknown,
    }
}

/// `latest imaging on or before S, after previous session before S`: up to S and after
/// the previous session, in timeline order (no lower bound for the first session).
fn pre_session<'a>(events: &'a [Event], sessions: &[usize], k: usize) -> Option<&'a Event> {
    let (position, _) = session(events, sessions, k)?;
    let start = match k.checked_sub(1).and_then(|j| sessions.get(j)) {
        Some(&previous) => previous + 1,
        None => 0,
    };
    slice(events, start, position + 1)
        .iter()
        .rev()
        .find(|e| e.kind == "imaging")
}

/// `agents of B differs from A or feeding_artery_reanalysis of B`.
fn treatment_changed(a: &Event, b: &Event) -> Truth {
    let differs = match (b.get("agents"), a.get("agents")) {
        (Some(x), Some(y)) => Truth::from_bool(!same(x, y)),
        _ => Truth::Unknown,
    };
    differs.or(truthy(b.get("feeding_artery_reanalysis")))
}

/// Exact equality of values; lists as sets of exact strings.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::Text(x), Value::Text(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.iter().all(|i| y.iter().any(|j| same_text(i, j)))
                && y.iter().all(|j| x.iter().any(|i| same_text(i, j)))
        }
        _ => false,
    }
}

/// Whether two list elements are written the same (they are strings in a valid timeline).
fn same_text(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => x == y,
        _ => written(a) == written(b),
    }
}

/// A value as the interpreter writes it, for the rare list element that is not a string.
fn written(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Text(t) => t.to_string(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(written).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(_) => "{…}".to_string(),
    }
}

/// `where test is M`: unknown without a test name.
fn is_test(lab: &Event, marker: &str) -> Truth {
    match lab.get("test") {
        None => Truth::Unknown,
        Some(Value::Text(test)) => Truth::from_bool(test == marker),
        Some(_) => Truth::NotMet,
    }
}

/// `value of marker_after(S, M) rises continuously above marker_before(S, M), with at
/// least 2 values`, the rules in the interpreter's order. Met on the date of the first
/// value above the reference.
fn rises(events: &[Event], sessions: &[usize], k: usize, position: usize, marker: &str) -> Decided {
    let Some(s) = at(events, position) else {
        return (Truth::NotMet, None);
    };
    // marker_after: lab after S, up to the next session in timeline order (none: no
    // bound), within 3 months after S's date (past the calendar: no end).
    let to = s.date.add_months(3).unwrap_or(Date::LATEST);
    let mut end = end_through(events, to);
    if let Some((next_position, _)) = session(events, sessions, k + 1) {
        end = end.min(next_position + 1);
    }
    let series = slice(events, position + 1, end);
    let labs = || {
        series
            .iter()
            .filter(|e| e.kind == "lab")
            .map(|e| (e, is_test(e, marker)))
            .filter(|(_, m)| *m != Truth::NotMet)
    };
    // 1. uncertain membership; 2. too few values.
    let mut count = 0usize;
    for (_, membership) in labs() {
        if membership == Truth::Unknown {
            return (Truth::Unknown, None);
        }
        count += 1;
    }
    if count < 2 {
        return (Truth::NotMet, None);
    }
    // 3. a value that is not a number.
    let value = |e: &Event| e.get("value").and_then(Value::as_number);
    if labs().any(|(e, _)| value(e).is_none()) {
        return (Truth::Unknown, None);
    }
    // marker_before: latest lab up to S in timeline order, where test is M; a later lab
    // of unknown test makes it unknown which is the latest.
    let reference = slice(events, 0, position + 1)
        .iter()
        .rev()
        .filter(|e| e.kind == "lab")
        .find_map(|e| match is_test(e, marker) {
            Truth::Met => Some(Some(e)),
            Truth::Unknown => Some(None),
            Truth::NotMet => None,
        })
        .flatten();
    let reference_value = reference.and_then(|r| r.get("value"));
    // 4. more than one unit among the values and the reference (when it has a value).
    let mut unit: Option<&str> = None;
    let with_reference = labs()
        .map(|(e, _)| e)
        .chain(reference.filter(|_| reference_value.is_some()));
    for e in with_reference {
        if let Some(Value::Text(u)) = e.get("unit") {
            match unit {
                Some(seen) if seen != u => return (Truth::Unknown, None),
                _ => unit = Some(u),
            }
        }
    }
    // 5. a value below the one before it.
    let mut last: Option<Decimal> = None;
    for (e, _) in labs() {
        let v = value(e);
        if let (Some(before), Some(v)) = (last, v) {
            if v < before {
                return (Truth::NotMet, None);
            }
        }
        last = v;
    }
    // 6. no numeric reference; 7. the last value above it, met once a value is above it
    // and there are two values.
    let Some(reference) = reference_value.and_then(Value::as_number) else {
        return (Truth::Unknown, None);
    };
    match last {
        Some(last) if last > reference => {
            let first_above = labs()
                .map(|(e, _)| e)
                .position(|e| value(e).is_some_and(|v| v > reference));
            let deciding = first_above.map(|i| labs().nth(i.max(1)).map(|(e, _)| e.date));
            (Truth::Met, deciding.flatten())
        }
        _ => (Truth::NotMet, None),
    }
}

/// `any imaging after session 1 shows (FINDING and not FINDING of baseline)`.
fn appearance(
    events: &[Event],
    sessions: &[usize],
    baseline: Option<&Event>,
    finding: &str,
) -> Decided {
    let Some(&first) = sessions.first() else {
        return (Truth::NotMet, None);
    };
    let absent_at_baseline = truthy(baseline.and_then(|b| b.get(finding))).not();
    let mut any = Any::default();
    for scan in slice(events, first + 1, events.len()) {
        if scan.kind == "imaging" {
            any.add(
                truthy(scan.get(finding)).and(absent_at_baseline),
                Some(scan.date),
            );
        }
    }
    any.finish(false)
}
