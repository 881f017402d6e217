//! Comparisons of values, exactly: numbers are decimals, never floats.

use std::cmp::Ordering;
use std::sync::LazyLock;

use super::arith::interval;
use super::context::{Context, Datum};
use super::truth::Truth;
use super::verdict::Verdict;
use crate::ast::{Bound, CompareOp, Direction};
use crate::check::{Node, NodeKind};
use crate::number::{percent_change, Decimal};
use crate::timeline::Value;
use crate::vocabulary::{AttrType, Vocabulary};

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(Vocabulary::builtin);

/// The word a report uses for "not evaluable" in a category (mRECIST `NE`): an answer that
/// is no answer, so it is unknown, and never replaced by a fallback.
const NOT_EVALUABLE: &str = "NE";

/// How a value is named in a reason: "viable_percent 70 on the imaging of 2021-03-01".
pub fn describe_datum(ctx: &Context<'_>, node: &Node, datum: &Datum) -> String {
    let value = match datum {
        Datum::Known(value, _) => show(value),
        Datum::Missing(why) => return why.clone(),
        Datum::Range(_, _, why) => return why.clone(),
    };
    let (name, label) = match &node.kind {
        NodeKind::Attribute(name, of) => (
            Some(name.as_str()),
            of.as_deref().and_then(|of| part_label(ctx, of)),
        ),
        NodeKind::SessionOrdinal(_) => (Some("session number"), None),
        _ => (None, None),
    };
    let place = match datum {
        Datum::Known(_, Some(position)) => {
            format!(" on {}", ctx.describe(*position, label.as_deref()))
        }
        _ => String::new(),
    };
    match name {
        Some(name) => format!("{name} {value}{place}"),
        None => format!("{value}{place}"),
    }
}

fn part_label(ctx: &Context<'_>, node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Call(part, _) => ctx
            .checked
            .parts
            .get(*part)
            .map(|p| p.name.replace('_', " ")),
        _ => None,
    }
}

/// A value as written in reasons.
pub fn show(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Text(t) => t.clone(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(_) => "{…}".to_string(),
    }
}

/// A reported "not evaluable" category value.
fn not_evaluable(node: &Node, datum: &Datum) -> bool {
    let (NodeKind::Attribute(name, _), Datum::Known(Value::Text(text), _)) = (&node.kind, datum)
    else {
        return false;
    };
    text == NOT_EVALUABLE
        && matches!(VOCABULARY.attribute(None, name).map(|a| a.ty), Some(AttrType::Category(values)) if values.contains(&NOT_EVALUABLE))
}

fn missing(ctx: &Context<'_>, node: &Node, datum: &Datum) -> Option<Verdict> {
    match datum {
        Datum::Missing(why) => Some(Verdict::new(Truth::Unknown, why.clone())),
        _ if not_evaluable(node, datum) => Some(Verdict {
            not_evaluable: true,
            ..Verdict::new(
                Truth::Unknown,
                format!("{} (not evaluable)", describe_datum(ctx, node, datum)),
            )
        }),
        _ => None,
    }
}

fn number(datum: &Datum) -> Option<Decimal> {
    match datum {
        Datum::Known(value, _) => value.as_number(),
        Datum::Missing(_) | Datum::Range(..) => None,
    }
}

/// A comparison where a side is only known as a range: decided when every value in the
/// ranges gives the same answer.
fn compare_ranges(l: &Datum, op: CompareOp, r: &Datum) -> Option<Verdict> {
    if !matches!(l, Datum::Range(..)) && !matches!(r, Datum::Range(..)) {
        return None;
    }
    let ((l_low, l_high), (r_low, r_high)) = match (interval(l), interval(r)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(why), _) | (_, Err(why)) => return Some(Verdict::new(Truth::Unknown, why)),
    };
    let (always, never) = match op {
        CompareOp::Greater => (l_low > r_high, l_high <= r_low),
        CompareOp::GreaterOrEqual => (l_low >= r_high, l_high < r_low),
        CompareOp::Less => (l_high < r_low, l_low >= r_high),
        CompareOp::LessOrEqual => (l_high <= r_low, l_low > r_high),
    };
    let why = match (l, r) {
        (Datum::Range(_, _, why), _) | (_, Datum::Range(_, _, why)) => why.clone(),
        _ => String::new(),
    };
    let truth = match (always, never) {
        (true, _) => Truth::Met,
        (_, true) => Truth::NotMet,
        _ => Truth::Unknown,
    };
    let verdict = match truth {
        Truth::Unknown => format!("{why}, which could fall on either side"),
        _ => format!("{why}, on the same side whatever the unknown items"),
    };
    Some(Verdict::new(truth, verdict))
}

/// `A > B`
pub fn compare(ctx: &Context<'_>, left: &Node, l: &Datum, op: CompareOp, r: &Datum) -> Verdict {
    if let Some(verdict) = compare_ranges(l, op, r) {
        return verdict;
    }
    if let Some(verdict) = missing(ctx, left, l).or_else(|| missing(ctx, left, r)) {
        return verdict;
    }
    let (Some(a), Some(b)) = (number(l), number(r)) else {
        return Verdict::new(
            Truth::Unknown,
            format!("{} is not a number", describe_datum(ctx, left, l)),
        );
    };
    let ordering = a.cmp(&b);
    let (holds, sign) = match op {
        CompareOp::Greater => (ordering == Ordering::Greater, ">"),
        CompareOp::GreaterOrEqual => (ordering != Ordering::Less, "≥"),
        CompareOp::Less => (ordering == Ordering::Less, "<"),
        CompareOp::LessOrEqual => (ordering != Ordering::Greater, "≤"),
    };
    let other = match r {
        Datum::Known(_, Some(position)) => format!("{b} on {}", ctx.describe(*position, None)),
        _ => b.to_string(),
    };
    let not = if holds { "" } else { "not " };
    Verdict::new(
        Truth::from_bool(holds),
        format!("{} is {not}{sign} {other}", describe_datum(ctx, left, l)),
    )
}

/// `A [not] in [..]` (and `is`): exact equality of words, numbers or yes/no.
pub fn in_list(ctx: &Context<'_>, node: &Node, datum: &Datum, items: &[Datum]) -> Verdict {
    if let Some(verdict) = missing(ctx, node, datum) {
        return verdict;
    }
    let Datum::Known(value, _) = datum else {
        return Verdict::new(Truth::Unknown, "missing");
    };
    let mut names = Vec::new();
    let mut unknown = None;
    for item in items {
        match item {
            Datum::Known(candidate, _) => {
                names.push(show(candidate));
                if equal(value, candidate) {
                    return Verdict::new(Truth::Met, describe_datum(ctx, node, datum));
                }
            }
            Datum::Missing(why) | Datum::Range(_, _, why) => unknown = Some(why.clone()),
        }
    }
    if let Some(why) = unknown {
        return Verdict::new(Truth::Unknown, why);
    }
    let expected = if names.len() == 1 {
        names.join("")
    } else {
        format!("one of {}", names.join(", "))
    };
    Verdict::new(
        Truth::NotMet,
        format!("{} (not {expected})", describe_datum(ctx, node, datum)),
    )
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::Text(x), Value::Text(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            // Lists compare as sets of exact strings (agents in any order).
            let mut x: Vec<String> = x.iter().map(show).collect();
            let mut y: Vec<String> = y.iter().map(show).collect();
            x.sort_unstable();
            x.dedup();
            y.sort_unstable();
            y.dedup();
            x == y
        }
        _ => false,
    }
}

/// `A is the same as B` / `A differs from B`
pub fn same(ctx: &Context<'_>, left: &Node, l: &Datum, r: &Datum, differs: bool) -> Verdict {
    if let Some(verdict) = missing(ctx, left, l).or_else(|| missing(ctx, left, r)) {
        return verdict;
    }
    let (Datum::Known(a, _), Datum::Known(b, _)) = (l, r) else {
        return Verdict::new(Truth::Unknown, "missing");
    };
    let is_same = equal(a, b);
    let other = match r {
        Datum::Known(value, Some(position)) => {
            format!("{} on {}", show(value), ctx.describe(*position, None))
        }
        Datum::Known(value, None) => show(value),
        Datum::Missing(why) | Datum::Range(_, _, why) => why.clone(),
    };
    let relation = if is_same {
        "the same as"
    } else {
        "different from"
    };
    let verdict = Verdict::new(
        Truth::from_bool(is_same),
        format!("{} is {relation} {other}", describe_datum(ctx, left, l)),
    );
    if differs {
        verdict.not()
    } else {
        verdict
    }
}

/// `A grew by at least P % from B`, exactly: 100·(new − ref) compared with P·ref.
#[allow(clippy::too_many_arguments)]
pub fn change(
    ctx: &Context<'_>,
    value: &Node,
    reference: &Node,
    new: &Datum,
    old: &Datum,
    direction: Direction,
    bound: Bound,
    percent: Decimal,
) -> Verdict {
    if let Some(verdict) = missing(ctx, value, new).or_else(|| missing(ctx, reference, old)) {
        return verdict;
    }
    let (Some(n), Some(r)) = (number(new), number(old)) else {
        return Verdict::new(
            Truth::Unknown,
            format!("{} is not a number", describe_datum(ctx, value, new)),
        );
    };
    if r.is_zero() || r.is_negative() {
        return Verdict::new(
            Truth::Unknown,
            format!(
                "no change in percent from {}",
                describe_datum(ctx, reference, old)
            ),
        );
    }
    let hundred = Decimal::from_i64(100);
    let delta = match direction {
        Direction::Grew => n.checked_sub(r),
        Direction::Shrank => r.checked_sub(n),
    };
    let sides = delta
        .and_then(|d| d.checked_mul(hundred))
        .zip(percent.checked_mul(r));
    let Some((lhs, rhs)) = sides else {
        return Verdict::new(
            Truth::Unknown,
            "the numbers are too large to compare exactly",
        );
    };
    let holds = match bound {
        Bound::AtLeast => lhs >= rhs,
        Bound::MoreThan => lhs > rhs,
        Bound::AtMost => lhs <= rhs,
        Bound::LessThan => lhs < rhs,
    };
    let pct = percent_change(n, r).unwrap_or(Decimal::from_i64(0));
    let (size, word) = if pct.is_negative() {
        (pct.checked_neg().unwrap_or(pct), "below")
    } else {
        (pct, "above")
    };
    let shortfall = if holds {
        String::new()
    } else {
        let wanted = match bound {
            Bound::AtLeast => "at least",
            Bound::MoreThan => "more than",
            Bound::AtMost => "at most",
            Bound::LessThan => "less than",
        };
        let moved = match direction {
            Direction::Grew => "growth",
            Direction::Shrank => "shrinkage",
        };
        format!(", not the {moved} of {wanted} {percent} % required")
    };
    Verdict::new(
        Truth::from_bool(holds),
        format!(
            "{} is {size} % {word} {}{shortfall}",
            describe_datum(ctx, value, new),
            describe_datum(ctx, reference, old)
        ),
    )
}
