//! Where a comparison reads a missing value (or a filled-in one), note how it was used:
//! the numbers it was compared with, the words it was matched against. These notes say
//! which values could change the answer when the missing data is filled in.

use super::consult::{Hint, Side};
use super::context::Context;
use super::value::Datum;
use crate::ast::{CompareOp, Direction};
use crate::check::Node;
use crate::number::Decimal;
use crate::timeline::Value;

/// Decimal places of a threshold that is a quotient (a reference value for a percentage).
const QUOTIENT_PLACES: u32 = 6;

impl<'a> Context<'a> {
    /// `A OP B`: each side that is a cell is noted against the other, as a cut (only the
    /// side of the other value it falls on matters).
    pub fn note_numbers(
        &mut self,
        (a_node, a): (&'a Node, &Datum<'a>),
        op: CompareOp,
        (b_node, b): (&'a Node, &Datum<'a>),
    ) {
        // A value compared with itself says nothing about which values matter.
        if self.cell_of(a_node, a).is_some() && self.cell_of(a_node, a) == self.cell_of(b_node, b) {
            return;
        }
        // `a > t` cuts just above t; `t > b` is `b < t`, which cuts just below t.
        let (a_side, b_side) = match op {
            CompareOp::Greater | CompareOp::LessOrEqual => (Side::Above, Side::Below),
            CompareOp::GreaterOrEqual | CompareOp::Less => (Side::Below, Side::Above),
        };
        for (node, datum, other, side) in [(a_node, a, b, a_side), (b_node, b, a, b_side)] {
            if let Some(cell) = self.cell_of(node, datum) {
                for hint in number_hints(other, side) {
                    self.consult(cell, hint);
                }
            }
        }
    }

    /// `A [not] in [...]` and `is`: the words it was matched against (`list`: which list,
    /// so that words in the same lists are tried once).
    pub fn note_words(
        &mut self,
        node: &'a Node,
        datum: &Datum<'a>,
        items: &[Datum<'a>],
        list: usize,
    ) {
        let Some(cell) = self.cell_of(node, datum) else {
            return;
        };
        self.consult(cell, Hint::Words);
        let list = list_id(
            list,
            items.iter().map(|item| match item {
                Datum::Known(value, _) => Some(value.as_ref()),
                Datum::Missing(..) | Datum::Range(..) => None,
            }),
        );
        for item in items {
            match item {
                Datum::Known(value, _) => self.consult(cell, Hint::Among(list, value.clone())),
                Datum::Missing(..) | Datum::Range(..) => self.consult(cell, Hint::Open),
            }
        }
    }

    /// `A is the same as B`, `A differs from B`.
    pub fn note_same(&mut self, a_node: &'a Node, a: &Datum<'a>, b_node: &'a Node, b: &Datum<'a>) {
        if self.cell_of(a_node, a).is_some() && self.cell_of(a_node, a) == self.cell_of(b_node, b) {
            return;
        }
        for (node, datum, other) in [(a_node, a, b), (b_node, b, a)] {
            if let Some(cell) = self.cell_of(node, datum) {
                let hint = match other {
                    Datum::Known(value, _) => Hint::Equal(value.clone()),
                    // Compared with a missing value: which values matter depends on what
                    // that one is, and on the values either is compared with elsewhere.
                    Datum::Missing(..) => Hint::Open,
                    Datum::Range(..) => Hint::Opaque,
                };
                self.consult(cell, hint);
            }
        }
    }

    /// `A grew by P % from B`: the value of A at which the bound flips, given B, and the
    /// value of B at which it flips, given A.
    pub fn note_change(
        &mut self,
        (value_node, new): (&'a Node, &Datum<'a>),
        (reference_node, old): (&'a Node, &Datum<'a>),
        direction: Direction,
        percent: Decimal,
    ) {
        let hundred = Decimal::from_i64(100);
        // grew: 100 (new - ref) vs p ref, so new vs ref (100 + p) / 100;
        // shrank: 100 (ref - new) vs p ref, so new vs ref (100 - p) / 100.
        let factor = match direction {
            Direction::Grew => hundred.checked_add(percent),
            Direction::Shrank => hundred.checked_sub(percent),
        };
        if let Some(cell) = self.cell_of(value_node, new) {
            let hint = match (old.number(), factor) {
                (Some(r), Some(f)) => r
                    .checked_mul(f)
                    .and_then(|x| x.checked_mul(Decimal::unit(2)?))
                    .map_or(Hint::Opaque, Hint::Near),
                (None, _) if matches!(old, Datum::Missing(..)) => Hint::Open,
                _ => Hint::Opaque,
            };
            self.consult(cell, hint);
        }
        if let Some(cell) = self.cell_of(reference_node, old) {
            // ref at which it flips: 100 new / factor, a quotient: the numbers just below
            // and above it stand for both sides; 0 is where no percentage can be taken.
            match (new.number(), factor) {
                (Some(n), Some(f)) if !f.is_zero() && !f.is_negative() => {
                    let low = n
                        .checked_mul(hundred)
                        .and_then(|x| x.div_floor(f, QUOTIENT_PLACES));
                    let high = low.and_then(|l| l.checked_add(Decimal::unit(QUOTIENT_PLACES)?));
                    match (low, high) {
                        (Some(low), Some(high)) => {
                            self.consult(cell, Hint::Near(low));
                            self.consult(cell, Hint::Near(high));
                            self.consult(cell, Hint::Near(Decimal::ZERO));
                        }
                        _ => self.consult(cell, Hint::Opaque),
                    }
                }
                (None, _) if matches!(new, Datum::Missing(..)) => self.consult(cell, Hint::Open),
                _ => self.consult(cell, Hint::Opaque),
            }
        }
    }

    /// A yes/no value used as a condition.
    pub fn note_truthy(&mut self, node: &'a Node, datum: &Datum<'a>) {
        if let Some(cell) = self.cell_of(node, datum) {
            self.consult(cell, Hint::Bool);
        }
    }
}

/// What a number compared with `other` can do: fall on one side of it or the other.
fn number_hints<'a>(other: &Datum<'a>, side: Side) -> Vec<Hint<'a>> {
    match other {
        Datum::Known(value, _) => match value.as_ref() {
            Value::Number(n) => vec![Hint::Cut(*n, side)],
            _ => vec![Hint::Opaque],
        },
        Datum::Range(low, high, ..) => vec![Hint::Near(*low), Hint::Near(*high)],
        Datum::Missing(..) => vec![Hint::Open],
    }
}

/// Which list a word was looked for in, for [`Hint::Among`]: the filter (by address) and
/// the values its items hold now. Settling tries one word for all the words of the same
/// lists, so a list whose items are bound values (`where test is M`, with `M` each of
/// `[AFP, "PIVKA-II"]` in turn) is another list for each binding: AFP and PIVKA-II are
/// not alike because both were once looked for through the same filter.
pub fn list_id<'v>(filter: usize, items: impl Iterator<Item = Option<&'v Value>>) -> usize {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    filter.hash(&mut hasher);
    let mut shown = String::new();
    for item in items {
        shown.clear();
        match item {
            Some(value) => super::why::show_into(value, &mut shown),
            None => shown.push('\u{1f}'),
        }
        shown.hash(&mut hasher);
    }
    hasher.finish() as usize
}
