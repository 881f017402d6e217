//! Shrinking a counterexample, keeping the difference: fewest events first, then fewest
//! attributes, then round values and dates (the first event on day 0, whole numbers,
//! multiples of 10). Each step is kept only when the two definitions still differ.

use serde_json::Value;

use super::timeline::Timeline;
use crate::number::Decimal;

/// At most this many evaluations: a shrink is a polish, not a second search.
const MAX_TRIES: usize = 4000;

pub(super) fn shrink(mut t: Timeline, differs: impl Fn(&Timeline) -> bool) -> Timeline {
    let mut tries = 0usize;
    let keep = |candidate: &Timeline, tries: &mut usize| {
        *tries += 1;
        *tries <= MAX_TRIES && differs(candidate)
    };
    // Events: drop each in turn, again while any drop succeeds.
    loop {
        let mut dropped = false;
        let mut i = t.events.len();
        while i > 0 {
            i -= 1;
            let mut candidate = t.clone();
            candidate.events.remove(i);
            if keep(&candidate, &mut tries) {
                t = candidate;
                dropped = true;
            }
        }
        if !dropped {
            break;
        }
    }
    // Attributes.
    for e in 0..t.events.len() {
        let mut a = t.events.get(e).map_or(0, |ev| ev.attrs.len());
        while a > 0 {
            a -= 1;
            let mut candidate = t.clone();
            if let Some(ev) = candidate.events.get_mut(e) {
                ev.attrs.remove(a);
            }
            if keep(&candidate, &mut tries) {
                t = candidate;
            }
        }
    }
    // Dates: the first event on day 0.
    if let Some(first) = t.events.iter().map(|e| e.day).min() {
        if first != 0 {
            let mut candidate = t.clone();
            candidate.events.iter_mut().for_each(|e| e.day -= first);
            if keep(&candidate, &mut tries) {
                t = candidate;
            }
        }
    }
    // Values: whole, then multiples of 10.
    for e in 0..t.events.len() {
        let n = t.events.get(e).map_or(0, |ev| ev.attrs.len());
        for a in 0..n {
            for step in [1, 10] {
                let Some(value) = t
                    .events
                    .get(e)
                    .and_then(|ev| ev.attrs.get(a))
                    .map(|(_, v)| v.clone())
                else {
                    continue;
                };
                let Some(rounder) = round(&value, step) else {
                    continue;
                };
                let mut candidate = t.clone();
                if let Some((_, v)) = candidate
                    .events
                    .get_mut(e)
                    .and_then(|ev| ev.attrs.get_mut(a))
                {
                    *v = rounder;
                }
                if keep(&candidate, &mut tries) {
                    t = candidate;
                }
            }
        }
    }
    t
}

/// `value` rounded to a multiple of `step`, if that changes it.
fn round(value: &Value, step: i64) -> Option<Value> {
    let Value::Number(n) = value else { return None };
    let d = Decimal::from_json(n)?;
    let step = Decimal::from_i64(step);
    let half = step.midpoint(Decimal::from_i64(0))?;
    let rounded = d.checked_add(half)?.div_floor(step, 0)?.checked_mul(step)?;
    if rounded == d {
        return None;
    }
    serde_json::from_str(&rounded.to_string()).ok()
}
