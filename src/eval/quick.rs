//! The commonest `where` filters read directly, as the general evaluation would decide
//! them but without building a verdict: `ATTRIBUTE [not] in [...]` (and `is`),
//! `ATTRIBUTE > N` (any comparison), `number >= N`, `ATTRIBUTE is the same as E`, `E is
//! within D after it`, and `and`/`or` of these. A property test holds them to the general
//! path.

use std::rc::Rc;

use super::consult::{Hint, Side};
use super::context::Context;
use super::temporal::{Anchor, Bounds};
use super::truth::Truth;
use super::value::{Bound, Cell, Datum, Found};
use crate::ast::CompareOp;
use crate::check::{Node, NodeKind};
use crate::number::Decimal;
use crate::timeline::Value;

impl<'a> Context<'a> {
    /// The truth of a filter of one of the shapes above on the event at `position` (the
    /// candidate, bound to `own_slot`), as the general evaluation would decide it but
    /// without building a verdict; `None` for any other shape.
    pub fn quick_truth(
        &mut self,
        filter: &'a Node,
        position: usize,
        own_slot: usize,
    ) -> Option<Truth> {
        match &filter.kind {
            NodeKind::And(a, b) | NodeKind::Or(a, b) => {
                if !quick_shape(a, own_slot) || !quick_shape(b, own_slot) {
                    return None;
                }
                let and = matches!(filter.kind, NodeKind::And(..));
                // As the general path: a decided operand is decided whatever it read.
                let before = self.mark();
                let a = self.quick_truth(a, position, own_slot)?;
                if and && a == Truth::NotMet {
                    self.forget_between(before, self.mark());
                    return Some(a);
                }
                let between = self.mark();
                let b = self.quick_truth(b, position, own_slot)?;
                let truth = if and { a.and(b) } else { a.or(b) };
                if truth != Truth::Unknown {
                    self.forget_between(before, self.mark());
                } else if a != Truth::Unknown {
                    self.forget_between(before, between);
                } else if b != Truth::Unknown {
                    self.forget_between(between, self.mark());
                }
                Some(truth)
            }
            NodeKind::Same {
                left,
                right,
                differs,
            } => self.quick_same(left, right, *differs, position, own_slot),
            NodeKind::Occurs(event, window) => {
                let (NodeKind::Slot(other), NodeKind::Slot(anchor)) =
                    (&event.kind, &window.anchor.kind)
                else {
                    return None;
                };
                if *anchor != own_slot || *other == own_slot {
                    return None;
                }
                let Some(Bound::Event(Found::At(at, ..))) = self.slots.get(*other) else {
                    return None;
                };
                let at = *at;
                let date = self.date_at(position)?;
                let mut bounds = Bounds::default();
                bounds.narrow(&window.kind, Anchor::At(position, date));
                Some(bounds.membership(&self.patient.events, at))
            }
            _ => self.quick_list(filter, position, own_slot),
        }
    }

    /// `ATTRIBUTE is the same as E` (or `differs from`), E a bound event: the candidate's
    /// value against E's, noted as the general path notes them.
    fn quick_same(
        &mut self,
        left: &'a Node,
        right: &'a Node,
        differs: bool,
        position: usize,
        own_slot: usize,
    ) -> Option<Truth> {
        let (NodeKind::Attribute(name, None), NodeKind::Attribute(other_name, Some(of))) =
            (&left.kind, &right.kind)
        else {
            return None;
        };
        let NodeKind::Slot(slot) = of.kind else {
            return None;
        };
        if slot == own_slot {
            return None;
        }
        let Some(Bound::Event(Found::At(other, ..))) = self.slots.get(slot) else {
            return None;
        };
        let other = *other;
        let mine = Cell {
            position,
            attribute: name.as_str(),
        };
        let theirs = Cell {
            position: other,
            attribute: other_name.as_str(),
        };
        let a = self.attr(position, name).cloned();
        let b = self.attr(other, other_name).cloned();
        let unclear = |cell: Cell<'_>, v: &Option<Value>| match v {
            None => true,
            Some(v) => super::compare::is_not_evaluable(cell.attribute, v),
        };
        let (a_unclear, b_unclear) = (unclear(mine, &a), unclear(theirs, &b));
        // A value compared with itself says nothing about which values matter.
        if mine != theirs {
            for (cell, is_unclear, other_value, other_unclear) in [
                (mine, a_unclear, &b, b_unclear),
                (theirs, b_unclear, &a, a_unclear),
            ] {
                if is_unclear || self.filled(cell) {
                    let hint = match (other_value, other_unclear) {
                        (Some(v), false) => Hint::Equal(std::borrow::Cow::Owned(v.clone())),
                        _ => Hint::Open,
                    };
                    self.consult(cell, hint);
                }
            }
        }
        let truth = match (&a, &b, a_unclear || b_unclear) {
            (Some(a), Some(b), false) => Truth::from_bool(super::compare::equal(a, b)),
            _ => Truth::Unknown,
        };
        Some(if differs { truth.not() } else { truth })
    }

    /// `ATTRIBUTE [not] in [...]` (and `is`), and the comparisons.
    fn quick_list(&mut self, filter: &'a Node, position: usize, own_slot: usize) -> Option<Truth> {
        let (value, negated, list) = match &filter.kind {
            NodeKind::In {
                value,
                negated,
                list,
            } => (value, negated, list),
            NodeKind::Compare(left, op, right) => {
                return self.quick_compare(left, *op, right, position)
            }
            _ => return None,
        };
        let NodeKind::Attribute(name, None) = &value.kind else {
            return None;
        };
        // Every item must be a constant or a bound value, or the general path decides.
        if list
            .iter()
            .any(|item| !matches!(item.kind, NodeKind::Const(_) | NodeKind::Slot(_)))
        {
            return None;
        }
        let cell = Cell {
            position,
            attribute: name.as_str(),
        };
        let (truth, noted) = match self.attr(position, name) {
            None => (Truth::Unknown, true),
            Some(value) if super::compare::is_not_evaluable(name, value) => (Truth::Unknown, true),
            Some(value) => {
                let mut unknown = false;
                let mut met = false;
                for item in list {
                    match self.list_item(item, own_slot) {
                        Some(candidate) if super::compare::equal(value, candidate) => {
                            met = true;
                            break;
                        }
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                let truth = match (met, unknown) {
                    (true, _) => Truth::Met,
                    (false, true) => Truth::Unknown,
                    (false, false) => Truth::NotMet,
                };
                (truth, self.filled(cell))
            }
        };
        if noted {
            self.consult(cell, Hint::Words);
            let id = super::readings::list_id(
                filter as *const Node as usize,
                list.iter().map(|item| self.list_item(item, own_slot)),
            );
            for item in list {
                let hint = match self.list_item(item, own_slot) {
                    Some(value) => Hint::Among(id, std::borrow::Cow::Owned(value.clone())),
                    None => Hint::Open,
                };
                self.consult(cell, hint);
            }
        }
        Some(if *negated { truth.not() } else { truth })
    }

    /// The events of `kind` a `where ATTRIBUTE in [...]` (or `is`) could keep: those whose
    /// attribute is one of the values, missing or not evaluable. Found once per kind,
    /// filter and values, so that `latest lab on or before S, where test is M` is a
    /// search, not a scan back through every lab of the record for each session. Not
    /// while values are filled in, which change what it keeps.
    pub fn kept_by(
        &mut self,
        kind: &'a str,
        filter: &'a Node,
        own_slot: usize,
    ) -> Option<Rc<[usize]>> {
        if !self.overlay.is_empty() {
            return None;
        }
        let NodeKind::In {
            value,
            negated: false,
            list,
        } = &filter.kind
        else {
            return None;
        };
        let NodeKind::Attribute(name, None) = &value.kind else {
            return None;
        };
        let mut values: Vec<Value> = Vec::with_capacity(list.len());
        for item in list {
            values.push(self.list_item(item, own_slot)?.clone());
        }
        let mut key = String::new();
        for value in &values {
            super::why::show_into(value, &mut key);
            key.push('\u{1f}');
        }
        let id = (kind.as_ptr() as usize, filter as *const Node as usize, key);
        if let Some(kept) = self.kept.get(&id) {
            return Some(Rc::clone(kept));
        }
        let events = &self.patient.events;
        let kept: Rc<[usize]> = self
            .of_kind(kind)
            .iter()
            .copied()
            .filter(|&p| match events.get(p).and_then(|e| e.get(name)) {
                None => true,
                Some(v) if super::compare::is_not_evaluable(name, v) => true,
                Some(v) => values.iter().any(|c| super::compare::equal(v, c)),
            })
            .collect();
        self.kept.insert(id, Rc::clone(&kept));
        Some(kept)
    }

    /// A value in a filter's list: a constant, or a value bound to a slot (a part's `M`);
    /// the element's own slot holds an event, not a value, so it is missing.
    fn list_item(&self, item: &'a Node, own_slot: usize) -> Option<&Value> {
        match &item.kind {
            NodeKind::Const(constant) => Some(constant),
            NodeKind::Slot(slot) if *slot == own_slot => None,
            NodeKind::Slot(slot) => match self.slots.get(*slot) {
                Some(Bound::Value(Datum::Known(known, _))) => Some(known.as_ref()),
                _ => None,
            },
            _ => None,
        }
    }

    /// [`Context::quick_truth`] for `ATTRIBUTE > NUMBER` (any comparison) and `number >= N`
    /// on the event at `position`: unknown when the value is missing or not a number.
    fn quick_compare(
        &mut self,
        left: &'a Node,
        op: CompareOp,
        right: &'a Node,
        position: usize,
    ) -> Option<Truth> {
        let NodeKind::Const(constant) = &right.kind else {
            return None;
        };
        let threshold = constant.as_number()?;
        let name = match &left.kind {
            NodeKind::Attribute(name, None) => name.as_str(),
            NodeKind::SessionOrdinal(None) => {
                return Some(match self.session_index(position) {
                    Some(index) => compare_op(Decimal::from_i64(index as i64 + 1), op, threshold),
                    None => Truth::Unknown,
                });
            }
            _ => return None,
        };
        let cell = Cell {
            position,
            attribute: name,
        };
        let (truth, noted) = match self.attr(position, name) {
            None => (Truth::Unknown, true),
            Some(value) => match value.as_number() {
                Some(number) => (compare_op(number, op, threshold), self.filled(cell)),
                None => (Truth::Unknown, false),
            },
        };
        if noted {
            let side = match op {
                CompareOp::Greater | CompareOp::LessOrEqual => Side::Above,
                CompareOp::GreaterOrEqual | CompareOp::Less => Side::Below,
            };
            self.consult(cell, Hint::Cut(threshold, side));
        }
        Some(truth)
    }
}

/// `a OP b` on exact numbers.
fn compare_op(a: Decimal, op: CompareOp, b: Decimal) -> Truth {
    Truth::from_bool(match op {
        CompareOp::Greater => a > b,
        CompareOp::GreaterOrEqual => a >= b,
        CompareOp::Less => a < b,
        CompareOp::LessOrEqual => a <= b,
    })
}

/// Whether a filter is one of the shapes [`Context::quick_truth`] reads, as far as its form
/// shows (bound events are checked when it runs).
fn quick_shape(filter: &Node, own_slot: usize) -> bool {
    match &filter.kind {
        NodeKind::And(a, b) | NodeKind::Or(a, b) => {
            quick_shape(a, own_slot) && quick_shape(b, own_slot)
        }
        NodeKind::In { value, list, .. } => {
            matches!(value.kind, NodeKind::Attribute(_, None))
                && list
                    .iter()
                    .all(|item| matches!(item.kind, NodeKind::Const(_) | NodeKind::Slot(_)))
        }
        NodeKind::Compare(left, _, right) => {
            matches!(right.kind, NodeKind::Const(Value::Number(_)))
                && matches!(
                    left.kind,
                    NodeKind::Attribute(_, None) | NodeKind::SessionOrdinal(None)
                )
        }
        NodeKind::Same { left, right, .. } => matches!(
            (&left.kind, &right.kind),
            (NodeKind::Attribute(_, None), NodeKind::Attribute(_, Some(of)))
                if matches!(of.kind, NodeKind::Slot(s) if s != own_slot)
        ),
        NodeKind::Occurs(event, window) => matches!(
            (&event.kind, &window.anchor.kind),
            (NodeKind::Slot(e), NodeKind::Slot(a)) if *a == own_slot && *e != own_slot
        ),
        _ => false,
    }
}
