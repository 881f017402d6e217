//! Comparisons of values, exactly: numbers are decimals, never floats. Reasons are kept
//! as what is needed to write them (see `why.rs`), in the words below.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::sync::LazyLock;

use super::arith::interval;
use super::truth::Truth;
use super::value::{Datum, Source};
use super::verdict::Verdict;
use super::why::{show, show_into, View, Why};
use crate::ast::{Bound, CompareOp, Direction};
use crate::check::{Node, NodeKind};
use crate::number::{percent_change, Decimal};
use crate::timeline::Value;
use crate::vocabulary::{AttrType, Vocabulary};

pub static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(Vocabulary::builtin);

/// The word a report uses for "not evaluable" in a category (mRECIST `NE`): an answer that
/// is no answer, so it is unknown, and never replaced by a fallback.
const NOT_EVALUABLE: &str = "NE";

/// How a value is named in a reason: "viable_percent 70 on the imaging of 2021-03-01".
pub fn describe_datum<'a>(view: &View<'a>, node: &Node, datum: &Datum<'a>) -> String {
    let mut out = String::new();
    describe_datum_into(view, node, datum, &mut out);
    out
}

/// [`describe_datum`], appended to `out`.
pub fn describe_datum_into<'a>(view: &View<'a>, node: &Node, datum: &Datum<'a>, out: &mut String) {
    let value = match datum {
        Datum::Known(value, _) => value,
        Datum::Missing(why, _) | Datum::Range(_, _, why, _) => return why.render_into(view, out),
    };
    let (name, label) = match &node.kind {
        NodeKind::Attribute(name, of) => (
            Some(name.as_str()),
            of.as_deref().and_then(|of| part_label(view, of)),
        ),
        NodeKind::SessionOrdinal(_) => (Some("session number"), None),
        _ => (None, None),
    };
    if let Some(name) = name {
        out.push_str(name);
        out.push(' ');
    }
    show_into(value, out);
    if let Datum::Known(_, Source::Event(position, _)) = datum {
        out.push_str(" on ");
        view.describe_into(out, *position, label);
    }
}

fn part_label<'a>(view: &View<'a>, node: &Node) -> Option<&'a str> {
    match &node.kind {
        NodeKind::Call(part, _) => view.checked.parts.get(*part).map(|p| p.label.as_str()),
        _ => None,
    }
}

/// A reported "not evaluable" category value.
fn not_evaluable(node: &Node, datum: &Datum<'_>) -> bool {
    let (NodeKind::Attribute(name, _), Datum::Known(value, _)) = (&node.kind, datum) else {
        return false;
    };
    is_not_evaluable(name, value)
}

/// Whether `value` of attribute `name` is a category's "not evaluable".
pub fn is_not_evaluable(name: &str, value: &Value) -> bool {
    let Value::Text(text) = value else {
        return false;
    };
    text == NOT_EVALUABLE
        && matches!(VOCABULARY.attribute(None, name).map(|a| a.ty), Some(AttrType::Category(values)) if values.contains(&NOT_EVALUABLE))
}

fn missing<'a>(node: &'a Node, datum: &Datum<'a>) -> Option<Verdict<'a>> {
    match datum {
        Datum::Missing(why, _) => Some(Verdict::new(Truth::Unknown, why.clone())),
        _ if not_evaluable(node, datum) => {
            let datum = datum.clone();
            Some(Verdict {
                not_evaluable: true,
                ..Verdict::new(
                    Truth::Unknown,
                    Why::lazy(move |view| {
                        format!("{} (not evaluable)", describe_datum(view, node, &datum))
                    }),
                )
            })
        }
        _ => None,
    }
}

fn not_a_number<'a>(node: &'a Node, datum: &Datum<'a>) -> Verdict<'a> {
    let datum = datum.clone();
    Verdict::new(
        Truth::Unknown,
        Why::lazy(move |view| format!("{} is not a number", describe_datum(view, node, &datum))),
    )
}

/// A comparison where a side is only known as a range: decided when every value in the
/// ranges gives the same answer.
fn compare_ranges<'a>(l: &Datum<'a>, op: CompareOp, r: &Datum<'a>) -> Option<Verdict<'a>> {
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
        (Datum::Range(_, _, why, _), _) | (_, Datum::Range(_, _, why, _)) => why.clone(),
        _ => Why::Static(""),
    };
    let truth = match (always, never) {
        (true, _) => Truth::Met,
        (_, true) => Truth::NotMet,
        _ => Truth::Unknown,
    };
    let tail = match truth {
        Truth::Unknown => ", which could fall on either side",
        _ => ", on the same side whatever the unknown items",
    };
    Some(Verdict::new(
        truth,
        Why::lazy(move |view| format!("{}{tail}", why.render(view))),
    ))
}

/// `A > B`
pub fn compare<'a>(left: &'a Node, l: &Datum<'a>, op: CompareOp, r: &Datum<'a>) -> Verdict<'a> {
    if let Some(verdict) = compare_ranges(l, op, r) {
        return verdict;
    }
    if let Some(verdict) = missing(left, l).or_else(|| missing(left, r)) {
        return verdict;
    }
    let (Some(a), Some(b)) = (l.number(), r.number()) else {
        return not_a_number(left, l);
    };
    let ordering = a.cmp(&b);
    let (holds, sign) = match op {
        CompareOp::Greater => (ordering == Ordering::Greater, ">"),
        CompareOp::GreaterOrEqual => (ordering != Ordering::Less, "≥"),
        CompareOp::Less => (ordering == Ordering::Less, "<"),
        CompareOp::LessOrEqual => (ordering != Ordering::Greater, "≤"),
    };
    let (l, other) = (
        l.clone(),
        match r {
            Datum::Known(_, Source::Event(position, _)) => Some(*position),
            _ => None,
        },
    );
    let not = if holds { "" } else { "not " };
    Verdict::new(
        Truth::from_bool(holds),
        Why::writes(move |view, out| {
            describe_datum_into(view, left, &l, out);
            let _ = write!(out, " is {not}{sign} {b}");
            if let Some(position) = other {
                out.push_str(" on ");
                view.describe_into(out, position, None);
            }
        }),
    )
}

/// `A [not] in [..]` (and `is`): exact equality of words, numbers or yes/no.
pub fn in_list<'a>(node: &'a Node, datum: &Datum<'a>, items: &[Datum<'a>]) -> Verdict<'a> {
    if let Some(verdict) = missing(node, datum) {
        return verdict;
    }
    let Datum::Known(value, _) = datum else {
        return Verdict::new(Truth::Unknown, "missing");
    };
    let mut unknown = None;
    for item in items {
        match item {
            Datum::Known(candidate, _) => {
                if equal(value, candidate) {
                    let datum = datum.clone();
                    return Verdict::new(
                        Truth::Met,
                        Why::writes(move |view, out| describe_datum_into(view, node, &datum, out)),
                    );
                }
            }
            Datum::Missing(why, _) | Datum::Range(_, _, why, _) => unknown = Some(why.clone()),
        }
    }
    if let Some(why) = unknown {
        return Verdict::new(Truth::Unknown, why);
    }
    let (datum, items) = (datum.clone(), items.to_vec());
    Verdict::new(
        Truth::NotMet,
        Why::writes(move |view, out| {
            describe_datum_into(view, node, &datum, out);
            out.push_str(" (not ");
            let known = || {
                items.iter().filter_map(|item| match item {
                    Datum::Known(candidate, _) => Some(candidate),
                    _ => None,
                })
            };
            if known().count() != 1 {
                out.push_str("one of ");
            }
            for (i, candidate) in known().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                show_into(candidate, out);
            }
            out.push(')');
        }),
    )
}

pub fn equal(a: &Value, b: &Value) -> bool {
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
pub fn same<'a>(left: &'a Node, l: &Datum<'a>, r: &Datum<'a>, differs: bool) -> Verdict<'a> {
    if let Some(verdict) = missing(left, l).or_else(|| missing(left, r)) {
        return verdict;
    }
    let (Datum::Known(a, _), Datum::Known(b, _)) = (l, r) else {
        return Verdict::new(Truth::Unknown, "missing");
    };
    let is_same = equal(a, b);
    let (l, r) = (l.clone(), r.clone());
    let verdict = Verdict::new(
        Truth::from_bool(is_same),
        Why::writes(move |view, out| {
            describe_datum_into(view, left, &l, out);
            out.push_str(if is_same {
                " is the same as "
            } else {
                " is different from "
            });
            match &r {
                Datum::Known(value, source) => {
                    show_into(value, out);
                    if let Some(position) = source.position() {
                        out.push_str(" on ");
                        view.describe_into(out, position, None);
                    }
                }
                Datum::Missing(why, _) | Datum::Range(_, _, why, _) => why.render_into(view, out),
            }
        }),
    );
    if differs {
        verdict.not()
    } else {
        verdict
    }
}

/// `A grew by at least P % from B`, exactly: 100·(new − ref) compared with P·ref.
#[allow(clippy::too_many_arguments)]
pub fn change<'a>(
    value: &'a Node,
    reference: &'a Node,
    new: &Datum<'a>,
    old: &Datum<'a>,
    direction: Direction,
    bound: Bound,
    percent: Decimal,
) -> Verdict<'a> {
    if let Some(verdict) = missing(value, new).or_else(|| missing(reference, old)) {
        return verdict;
    }
    let (Some(n), Some(r)) = (new.number(), old.number()) else {
        return not_a_number(value, new);
    };
    if r.is_zero() || r.is_negative() {
        let old = old.clone();
        return Verdict::new(
            Truth::Unknown,
            Why::lazy(move |view| {
                format!(
                    "no change in percent from {}",
                    describe_datum(view, reference, &old)
                )
            }),
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
    let (new, old) = (new.clone(), old.clone());
    Verdict::new(
        Truth::from_bool(holds),
        Why::writes(move |view, out| {
            let pct = percent_change(n, r).unwrap_or(Decimal::from_i64(0));
            let (size, word) = if pct.is_negative() {
                (pct.checked_neg().unwrap_or(pct), "below")
            } else {
                (pct, "above")
            };
            describe_datum_into(view, value, &new, out);
            // The size is shown to a tenth of a percent; where that would read as the
            // threshold itself (24.975 % shown as 25 %), say on which side it is.
            let asked = matches!(
                (direction, word),
                (Direction::Grew, "above") | (Direction::Shrank, "below")
            );
            let side = match lhs.cmp(&rhs) {
                std::cmp::Ordering::Less if asked && size == percent => "just under ",
                std::cmp::Ordering::Greater if asked && size == percent => "just over ",
                _ => "",
            };
            if pct.is_zero() && n == r {
                out.push_str(" is unchanged from ");
            } else {
                let _ = write!(out, " is {side}{size} % {word} ");
            }
            describe_datum_into(view, reference, &old, out);
            if !holds {
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
                let _ = write!(out, ", not the {moved} of {wanted} {percent} % required");
            }
        }),
    )
}
