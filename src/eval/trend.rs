//! A tumour marker's continuous rise after a session: enough values, none lower than the
//! one before it, ending above the value before the session. Met at the first value
//! above that reference.

use super::why::show;
use std::fmt::Write as _;

use super::consult::Hint;
use super::context::Context;
use super::truth::Truth;
use super::value::{Cell, Datum, Selection, Source};
use super::verdict::Verdict;
use super::why::Why;
use crate::number::Decimal;
use crate::timeline::Value;

/// Evaluate `ATTRIBUTE of SERIES rises continuously above REFERENCE, with at least N values`.
/// `reference_cell`: the cell the reference value comes from, when it is missing or filled.
pub fn rises<'a>(
    ctx: &mut Context<'a>,
    attribute: &'a str,
    series: Selection<'a>,
    (reference, reference_cell): (&Datum<'a>, Option<Cell<'a>>),
    min_values: u32,
) -> Verdict<'a> {
    let label = series.description.clone();
    if series.members.iter().any(|(_, m)| *m == Truth::Unknown) {
        return Verdict::new(
            Truth::Unknown,
            Why::lazy(move |view| {
                format!("unknown which results belong to {}", label.render(view))
            }),
        );
    }
    let count = series.members.len();
    if count < min_values as usize {
        let why = Why::lazy(move |view| match count {
            0 => format!("no {}", label.render(view)),
            n => format!(
                "only {n} of {}, fewer than {min_values}",
                label.render(view)
            ),
        });
        return Verdict::new(Truth::NotMet, why);
    }
    let read: Vec<(usize, Option<Decimal>)> = series
        .members
        .iter()
        .map(|&(p, _)| (p, ctx.attr(p, attribute).and_then(Value::as_number)))
        .collect();
    // A missing value decides by where it falls among the others and the reference; a
    // missing reference, by where it falls among the values.
    let reference_number = reference.number();
    for &(position, value) in &read {
        let cell = Cell {
            position,
            attribute,
        };
        if value.is_none() || ctx.filled(cell) {
            let others = read
                .iter()
                .filter(|(p, _)| *p != position)
                .filter_map(|(_, v)| *v);
            for near in others.chain(reference_number) {
                ctx.consult(cell, Hint::Near(near));
            }
            if reference_number.is_none() {
                ctx.consult(cell, Hint::Open);
            }
        }
    }
    if let Some(cell) = reference_cell {
        for &(_, value) in &read {
            ctx.consult(cell, value.map_or(Hint::Open, Hint::Near));
        }
    }
    let mut values: Vec<(usize, Decimal)> = Vec::with_capacity(count);
    for &(position, value) in &read {
        match value {
            Some(value) => values.push((position, value)),
            None => {
                return Verdict::new(
                    Truth::Unknown,
                    Why::lazy(move |view| {
                        format!(
                            "{attribute} not recorded on {}",
                            view.describe(position, None)
                        )
                    }),
                );
            }
        }
    }
    // Different units are different assays (PIVKA-II in ng/mL and mAU/mL): never compared.
    let mut units: Vec<&'a str> = series
        .members
        .iter()
        .filter_map(|&(p, _)| unit(ctx, p))
        .collect();
    if let Datum::Known(_, Source::Event(p, _)) = reference {
        units.extend(unit(ctx, *p));
    }
    units.sort_unstable();
    units.dedup();
    if units.len() > 1 {
        return Verdict::new(
            Truth::Unknown,
            Why::lazy(move |view| {
                format!(
                    "{} mixes units ({}), which are not comparable",
                    label.render(view),
                    units.join(", ")
                )
            }),
        );
    }
    // Values at the same place of the timeline (one day, no time to order them) come in
    // an order the record does not give: tried lowest first, the most favourable order.
    // If the series falls even so, it falls; if it rises, another order would not.
    let mut ordered_by_tie: Option<(usize, usize)> = None;
    let mut start = 0;
    while start < values.len() {
        let mut end = start + 1;
        while let (Some(&(a, _)), Some(&(b, _))) = (values.get(start), values.get(end)) {
            if !ctx.tied(a, b) {
                break;
            }
            end += 1;
        }
        if let Some(group) = values.get_mut(start..end) {
            let distinct = group.windows(2).any(|w| matches!(w, [x, y] if x.1 != y.1));
            if distinct {
                group.sort_by_key(|x| x.1);
                if let (Some(&(first, _)), Some(&(second, _))) = (group.first(), group.get(1)) {
                    ordered_by_tie.get_or_insert((first, second));
                }
            }
        }
        start = end;
    }
    for pair in values.windows(2) {
        if let [(_, before), (position, after)] = *pair {
            if after < before {
                return Verdict::new(
                    Truth::NotMet,
                    Why::lazy(move |view| {
                        format!(
                            "{attribute} fell from {before} to {after} on {}",
                            view.describe(position, None)
                        )
                    }),
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
                );
            }
        },
        Datum::Missing(why, _) | Datum::Range(_, _, why, _) => {
            return Verdict::new(Truth::Unknown, why.clone())
        }
    };
    let last = values.last().map(|(_, v)| *v);
    let first_above = values.iter().position(|(_, v)| *v > reference_value);
    let since = series.since.max(reference_position.since());
    match (last, first_above) {
        (Some(last), Some(first)) if last > reference_value => {
            // Met only in that order: any other has a fall.
            if let Some((a, b)) = ordered_by_tie {
                return Verdict::new(
                    Truth::Unknown,
                    Why::always_writes(move |view, out| {
                        out.push_str("whether ");
                        out.push_str(attribute);
                        out.push_str(" rose depends on the order of ");
                        view.describe_into(out, a, None);
                        out.push_str(" and ");
                        view.describe_into(out, b, None);
                        out.push_str(", which differ, at the same time of day or without one");
                    }),
                );
            }
            // Met once a value is above the reference and there are enough values: as of
            // that value's date the rise holds (later values that fall would break it, but
            // the whole window decides that on the full record).
            let deciding = first.max((min_values as usize).saturating_sub(1));
            let (Some(&(first_position, first_value)), Some(&(position, _))) =
                (values.get(first), values.get(deciding))
            else {
                return Verdict::new(Truth::Unknown, "no values");
            };
            let results = values.len();
            let nth = deciding + 1;
            let mut verdict = Verdict::new(
                Truth::Met,
                Why::writes(move |view, out| {
                    let _ = write!(
                        out,
                        "{attribute} rose without falling over {results} results in "
                    );
                    label.render_into(view, out);
                    let _ = write!(
                        out,
                        ", from {reference_value} before it to {first_value} on "
                    );
                    view.describe_into(out, first_position, None);
                    if position != first_position {
                        let _ = write!(out, " (met with result {nth}, on ");
                        view.describe_into(out, position, None);
                        out.push(')');
                    }
                }),
            );
            ctx.rest_on(&mut verdict, position);
            if let Some(since) = since {
                verdict.hold_from(since);
            }
            for &(p, _) in &values {
                if !verdict.evidence.contains(p) {
                    verdict.evidence.push(p);
                }
            }
            if let Some(p) = reference_position.position() {
                verdict.evidence.push(p);
            }
            verdict
        }
        _ => Verdict::new(
            Truth::NotMet,
            Why::lazy(move |view| {
                format!(
                    "{attribute} in {} did not end above {reference_value}",
                    label.render(view)
                )
            }),
        ),
    }
}

fn unit<'a>(ctx: &Context<'a>, position: usize) -> Option<&'a str> {
    // Never filled in: a result without a unit is compared with any other.
    ctx.event_at(position)
        .and_then(|e| e.get("unit"))
        .and_then(|u| u.as_text())
}
