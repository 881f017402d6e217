//! What evaluation learned about missing data: each attribute it read that was missing (or
//! `NE`), and how it was used, so that the values that could change an answer can be
//! tried. A value compared with 50 can only matter by being below, at or above 50; a
//! category by being one of its words; a yes/no value by being yes or no.

use std::borrow::Cow;

use super::value::Cell;
use crate::number::Decimal;
use crate::timeline::Value;
use crate::vocabulary::AttrType;

/// How a cell was used where it was read.
#[derive(Debug, Clone)]
pub enum Hint<'a> {
    /// Compared with this number in a way that may tell it from the numbers on either
    /// side of it, and it from them (equality, a series neighbour, a percentage).
    Near(Decimal),
    /// Compared with this number by `<`, `<=`, `>` or `>=`: only which side of the cut
    /// it falls on matters.
    Cut(Decimal, Side),
    /// Compared with a value that is itself missing: it decides once that one is filled.
    Open,
    /// Compared for equality with this value.
    Equal(Cow<'a, Value>),
    /// Looked for in a list (the list's number, and one of its values): values in the same
    /// lists behave the same.
    Among(usize, Cow<'a, Value>),
    /// Read as yes or no.
    Bool,
    /// Compared with words of its category.
    Words,
    /// Used where its effect cannot be followed (arithmetic, a part's value argument): it
    /// is never filled in.
    Opaque,
}

/// Where a cut falls around its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// Between the numbers below it and it (`x < t` or `x >= t`).
    Below,
    /// Between it and the numbers above it (`x <= t` or `x > t`).
    Above,
}

/// One reading of a cell.
#[derive(Debug, Clone)]
pub struct Consult<'a> {
    /// What was read.
    pub cell: Cell<'a>,
    /// How it was used.
    pub hint: Hint<'a>,
    /// Read only on the left of an `else` whose fallback was used: the definition says
    /// what to do when it is missing, so filling it in would answer another question.
    pub covered: bool,
}

/// One value to try for a cell, and the values it stands for.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The value filled in.
    pub value: Value,
    /// Every value that behaves the same where the cell is used.
    pub region: Region,
}

/// The values a candidate stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Region {
    /// Numbers from `low` to `high`, each end included or not, or open.
    Numbers {
        /// The lower end and whether it is included.
        low: Option<(Decimal, bool)>,
        /// The upper end and whether it is included.
        high: Option<(Decimal, bool)>,
    },
    /// One of these values.
    OneOf(Vec<Value>),
    /// Any value other than the ones listed.
    Other(Vec<Value>),
}

/// The values to try for a cell, or `None` when no finite set covers every way it is used
/// (then it stays missing). `approximate`: a number compared with another missing number,
/// whose candidates cannot be proven to cover every order of the two.
pub struct Candidates {
    /// The values, each standing for a region.
    pub values: Vec<Candidate>,
    /// Whether the set is not proven complete.
    pub approximate: bool,
}

/// The words of a category that a value can take (not `NE`, which is what is filled in).
const NOT_EVALUABLE: &str = "NE";

/// The candidates for a cell of type `ty` (`None`: outside the vocabulary) used as `hints`.
/// Yes/no values and categories are tried whole, so their sets are complete; a number or
/// text compared with another missing value is tried but not proven complete.
pub fn candidates(ty: Option<AttrType>, hints: &[&Hint<'_>]) -> Option<Candidates> {
    if hints.iter().any(|h| matches!(h, Hint::Opaque)) {
        return None;
    }
    let ty = ty.or_else(|| infer(hints))?;
    let approximate_open = hints.iter().any(|h| matches!(h, Hint::Open));
    match ty {
        // Yes and no always differ where a yes/no value is used.
        AttrType::Bool => Some(Candidates {
            values: [true, false]
                .map(|b| Candidate {
                    value: Value::Bool(b),
                    region: Region::OneOf(vec![Value::Bool(b)]),
                })
                .to_vec(),
            approximate: false,
        }),
        AttrType::Category(words) => Some(classes(
            words
                .iter()
                .filter(|w| **w != NOT_EVALUABLE)
                .map(|w| Value::Text(Cow::Borrowed(*w)))
                .collect(),
            hints,
            None,
        )),
        AttrType::Number { min, max, integer } => {
            let values = numbers(
                cuts(hints),
                min.map(Decimal::from_i64),
                max.map(Decimal::from_i64),
                integer,
            )?;
            Some(Candidates {
                values,
                approximate: approximate_open,
            })
        }
        AttrType::Text | AttrType::TextList => {
            let mut seen: Vec<Value> = Vec::new();
            for hint in hints {
                if let Hint::Equal(value) | Hint::Among(_, value) = hint {
                    if !seen.iter().any(|s| s == value.as_ref()) {
                        seen.push(value.as_ref().clone());
                    }
                }
            }
            let other = fresh(&seen, matches!(ty, AttrType::TextList));
            let mut set = classes(seen, hints, Some(other));
            // Equal to another missing text or not: which texts matter depends on what
            // else the two are compared with, which no single reading shows.
            set.approximate = approximate_open;
            Some(set)
        }
    }
}

/// Whether [`candidates`] gives a set for a cell of type `ty` used as `hints`, without
/// building the set where the type alone tells (every type but a number, whose set may
/// overflow). The search asks this of each cell it could fill next.
pub fn covered(ty: Option<AttrType>, hints: &[&Hint<'_>]) -> bool {
    if hints.iter().any(|h| matches!(h, Hint::Opaque)) {
        return false;
    }
    match ty.or_else(|| infer(hints)) {
        None => false,
        Some(AttrType::Number { .. }) => candidates(ty, hints).is_some(),
        Some(AttrType::Bool | AttrType::Category(_) | AttrType::Text | AttrType::TextList) => true,
    }
}

/// The values grouped by how they are used: two values looked for in the same lists, and
/// compared for equality with neither, behave the same, so one of them is tried for both.
/// `other` stands for every value not listed.
fn classes(values: Vec<Value>, hints: &[&Hint<'_>], other: Option<Value>) -> Candidates {
    let signature = |value: &Value| -> (Vec<usize>, bool) {
        let mut lists: Vec<usize> = hints
            .iter()
            .filter_map(|h| match h {
                Hint::Among(list, v) if v.as_ref() == value => Some(*list),
                _ => None,
            })
            .collect();
        lists.sort_unstable();
        lists.dedup();
        let compared = hints
            .iter()
            .any(|h| matches!(h, Hint::Equal(v) if v.as_ref() == value));
        (lists, compared)
    };
    type Signature = (Vec<usize>, bool);
    let mut groups: Vec<(Signature, Vec<Value>)> = Vec::new();
    for value in values {
        let key = signature(&value);
        // A value compared for equality is told apart from every other.
        match groups.iter_mut().find(|(k, _)| *k == key && !key.1) {
            Some((_, members)) => members.push(value),
            None => groups.push((key, vec![value])),
        }
    }
    let mut out: Vec<Candidate> = groups
        .into_iter()
        .filter_map(|(_, members)| {
            let first = members.first()?.clone();
            Some(Candidate {
                value: first,
                region: Region::OneOf(members),
            })
        })
        .collect();
    if let Some(other) = other {
        let listed: Vec<Value> = out
            .iter()
            .flat_map(|c| match &c.region {
                Region::OneOf(values) => values.clone(),
                _ => Vec::new(),
            })
            .collect();
        out.push(Candidate {
            value: other,
            region: Region::Other(listed),
        });
    }
    Candidates {
        values: out,
        approximate: false,
    }
}

/// The cuts the uses of a number make: `Near` and equality cut on both sides.
fn cuts(hints: &[&Hint<'_>]) -> Vec<(Decimal, Side)> {
    let mut out = Vec::new();
    for hint in hints {
        match hint {
            Hint::Cut(t, side) => out.push((*t, *side)),
            Hint::Near(t) => {
                out.push((*t, Side::Below));
                out.push((*t, Side::Above));
            }
            Hint::Equal(v) | Hint::Among(_, v) => {
                if let Some(t) = v.as_number() {
                    out.push((t, Side::Below));
                    out.push((t, Side::Above));
                }
            }
            Hint::Open | Hint::Bool | Hint::Words | Hint::Opaque => {}
        }
    }
    out
}

/// The type the uses of an attribute outside the vocabulary imply.
fn infer(hints: &[&Hint<'_>]) -> Option<AttrType> {
    let number = AttrType::Number {
        min: None,
        max: None,
        integer: false,
    };
    hints.iter().find_map(|h| match h {
        Hint::Near(_) | Hint::Cut(..) => Some(number),
        Hint::Bool => Some(AttrType::Bool),
        Hint::Equal(v) | Hint::Among(_, v) => match v.as_ref() {
            Value::Number(_) => Some(number),
            Value::Bool(_) => Some(AttrType::Bool),
            Value::Text(_) => Some(AttrType::Text),
            Value::List(_) => Some(AttrType::TextList),
            Value::Object(_) => None,
        },
        Hint::Open | Hint::Words | Hint::Opaque => None,
    })
}

/// A text (or list) equal to none of `seen`.
fn fresh(seen: &[Value], list: bool) -> Value {
    let mut n = 0usize;
    loop {
        let text = Value::Text(format!("another value {n}").into());
        let value = if list { Value::List(vec![text]) } else { text };
        if !seen.contains(&value) {
            return value;
        }
        n += 1;
    }
}

/// One number from each interval the cuts divide the allowed range into (whole numbers
/// for whole-number attributes; an interval that holds none is skipped). Every number of
/// an interval falls on the same side of every cut, so one stands for all.
fn numbers(
    mut cuts: Vec<(Decimal, Side)>,
    min: Option<Decimal>,
    max: Option<Decimal>,
    integer: bool,
) -> Option<Vec<Candidate>> {
    type End = Option<(Decimal, bool)>;
    // A cut at an end of the range that leaves nothing on one side is no cut.
    cuts.retain(|&(t, side)| match side {
        Side::Below => min.is_none_or(|m| t > m) && max.is_none_or(|m| t <= m),
        Side::Above => min.is_none_or(|m| t >= m) && max.is_none_or(|m| t < m),
    });
    cuts.sort_unstable();
    cuts.dedup();
    // The ends each cut gives the interval above it and the one below it.
    let as_low = |(t, side): (Decimal, Side)| Some((t, side == Side::Below));
    let as_high = |(t, side): (Decimal, Side)| Some((t, side == Side::Above));
    let mut intervals: Vec<(End, End)> = Vec::with_capacity(cuts.len() + 1);
    let mut low: End = min.map(|m| (m, true));
    for &cut in &cuts {
        intervals.push((low, as_high(cut)));
        low = as_low(cut);
    }
    intervals.push((low, max.map(|m| (m, true))));
    let mut out = Vec::with_capacity(intervals.len());
    for (low, high) in intervals {
        if let Some(value) = representative(low, high, integer)? {
            out.push(Candidate {
                value: Value::Number(value),
                region: Region::Numbers { low, high },
            });
        }
    }
    Some(out)
}

/// A number in the interval (whole when `integer`), `Some(None)` when it holds none;
/// `None` on overflow.
fn representative(
    low: Option<(Decimal, bool)>,
    high: Option<(Decimal, bool)>,
    integer: bool,
) -> Option<Option<Decimal>> {
    let one = Decimal::from_i64(1);
    // The smallest number in the interval above `low`, and the largest below `high`.
    let lowest = match low {
        None => None,
        Some((a, true)) if !integer || a.is_integer() => Some(a),
        Some((a, _)) if integer => Some(a.floor()?.checked_add(one)?),
        Some((a, _)) => Some(a),
    };
    let candidate = match (low, high) {
        (Some((_, true)), _) => lowest,
        (_, Some((b, true))) if !integer || b.is_integer() => Some(b),
        (None, Some((b, _))) if integer => Some(if b.is_integer() {
            b.checked_sub(one)?
        } else {
            b.floor()?
        }),
        (None, Some((b, _))) => Some(b.checked_sub(one)?),
        (Some(_), _) if integer => lowest,
        (Some((a, _)), Some((b, _))) => Some(a.midpoint(b)?),
        (Some((a, _)), None) => Some(a.checked_add(one)?),
        (None, None) => Some(Decimal::ZERO),
    };
    let Some(v) = candidate else {
        return Some(None);
    };
    let above = low.is_none_or(|(a, inclusive)| if inclusive { v >= a } else { v > a });
    let below = high.is_none_or(|(b, inclusive)| if inclusive { v <= b } else { v < b });
    Some((above && below && (!integer || v.is_integer())).then_some(v))
}

#[cfg(test)]
mod tests;
