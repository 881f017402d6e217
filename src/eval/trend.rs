//! A tumour marker's continuous rise after a session: enough values, none lower than the
//! one before it, ending above the value before the session. Met at the first value
//! above that reference.

use super::compare::show;
use super::context::{Context, Datum, Selection};
use super::truth::Truth;
use super::verdict::Verdict;
use crate::number::Decimal;
use crate::timeline::Value;

/// Evaluate `ATTRIBUTE of SERIES rises continuously above REFERENCE, with at least N values`.
pub fn rises(
    ctx: &Context<'_>,
    attribute: &str,
    series: &Selection,
    reference: &Datum,
    min_values: u32,
) -> Verdict {
    let label = series.description.clone();
    if series.members.iter().any(|(_, m)| *m == Truth::Unknown) {
        return Verdict::new(
            Truth::Unknown,
            format!("unknown which results belong to {label}"),
        );
    }
    let positions: Vec<usize> = series.members.iter().map(|(p, _)| *p).collect();
    if positions.len() < min_values as usize {
        let why = match positions.len() {
            0 => format!("no {label}"),
            n => format!("only {n} of {label}, fewer than {min_values}"),
        };
        return Verdict::new(Truth::NotMet, why);
    }
    let mut values: Vec<(usize, Decimal)> = Vec::new();
    for &position in &positions {
        let Some(event) = ctx.event_at(position) else {
            continue;
        };
        match event.get(attribute).and_then(Value::as_number) {
            Some(value) => values.push((position, value)),
            None => {
                return Verdict::new(
                    Truth::Unknown,
                    format!("{attribute} missing on {}", ctx.describe(position, None)),
                );
            }
        }
    }
    // Different units are different assays (PIVKA-II in ng/mL and mAU/mL): never compared.
    let mut units: Vec<String> = positions.iter().filter_map(|&p| unit(ctx, p)).collect();
    if let Datum::Known(_, Some(p)) = reference {
        units.extend(unit(ctx, *p));
    }
    units.sort_unstable();
    units.dedup();
    if units.len() > 1 {
        return Verdict::new(
            Truth::Unknown,
            format!(
                "{label} mixes units ({}), which are not comparable",
                units.join(", ")
            ),
        );
    }
    for pair in values.windows(2) {
        if let [(_, before), (position, after)] = pair {
            if after < before {
                return Verdict::new(
                    Truth::NotMet,
                    format!(
                        "{attribute} fell from {before} to {after} on {}",
                        ctx.describe(*position, None)
                    ),
                );
            }
        }
    }
    let (reference_value, reference_position) = match reference {
        Datum::Known(value, position) => match value.as_number() {
            Some(number) => (number, *position),
            None => {
                return Verdict::new(
                    Truth::Unknown,
                    format!("the reference {} is not a number", show(value)),
                )
            }
        },
        Datum::Missing(why) | Datum::Range(_, _, why) => {
            return Verdict::new(Truth::Unknown, why.clone())
        }
    };
    let last = values.last().map(|(_, v)| *v);
    let first_above = values.iter().find(|(_, v)| *v > reference_value);
    match (last, first_above) {
        (Some(last), Some(&(position, value))) if last > reference_value => {
            let mut verdict = Verdict::new(
                Truth::Met,
                format!(
                    "{attribute} rose without falling over {} results in {label}, from {reference_value} before it to {value} on {}",
                    values.len(),
                    ctx.describe(position, None)
                ),
            );
            if let Some(date) = ctx.date_at(position) {
                verdict = verdict.with_event(position, date);
            }
            for &(p, _) in &values {
                if !verdict.evidence.contains(&p) {
                    verdict.evidence.push(p);
                }
            }
            if let Some(p) = reference_position {
                verdict.evidence.push(p);
            }
            verdict
        }
        _ => Verdict::new(
            Truth::NotMet,
            format!("{attribute} in {label} did not end above {reference_value}"),
        ),
    }
}

fn unit(ctx: &Context<'_>, position: usize) -> Option<String> {
    ctx.event_at(position)
        .and_then(|e| e.get("unit"))
        .and_then(|u| u.as_text())
        .map(str::to_string)
}
