//! Values a definition reads: constants, bound values, attributes of events, a session's
//! number, arithmetic and scores.

use std::borrow::Cow;

use super::context::Context;
use super::truth::Truth;
use super::value::{Bound, Cell, Datum, Found, Source};
use super::why::Why;
use crate::check::{Node, NodeKind};
use crate::number::Decimal;
use crate::timeline::Value;

impl<'a> Context<'a> {
    /// The value a node stands for.
    pub fn datum(&mut self, node: &'a Node) -> Datum<'a> {
        match &node.kind {
            NodeKind::Const(constant) => Datum::Known(Cow::Borrowed(constant), Source::Written),
            NodeKind::Slot(slot) => match self.slots.get(*slot) {
                Some(Bound::Value(datum)) => datum.clone(),
                _ => Datum::missing("nothing bound"),
            },
            NodeKind::Attribute(name, of) => {
                let found = match of {
                    None => match self.it.last() {
                        Some(&position) => self.found(position),
                        None => Found::absent("no event examined"),
                    },
                    Some(of) => self.event(of),
                };
                match found {
                    Found::At(position, label, since) => {
                        let cell = Cell {
                            position,
                            attribute: name,
                        };
                        let read = if self.overlay.is_empty() || !self.filled(cell) {
                            self.event_at(position)
                                .and_then(|e| e.get(name))
                                .map(Cow::Borrowed)
                        } else {
                            self.attr(position, name).cloned().map(Cow::Owned)
                        };
                        match read {
                            Some(value) => Datum::Known(value, Source::Event(position, since)),
                            None => Datum::Missing(
                                Why::writes(move |view, out| {
                                    out.push_str(name);
                                    out.push_str(" not recorded on ");
                                    view.describe_into(out, position, label);
                                }),
                                Some(Cell {
                                    position,
                                    attribute: name,
                                }),
                            ),
                        }
                    }
                    Found::Absent { why, .. } => {
                        self.missing.push(why.clone());
                        Datum::Missing(why, None)
                    }
                    Found::Uncertain(why) => Datum::Missing(why, None),
                }
            }
            NodeKind::SessionOrdinal(of) => {
                let found = match of {
                    None => self.it.last().map(|&p| self.found(p)),
                    Some(of) => Some(self.event(of)),
                };
                match found {
                    Some(Found::At(position, _, since)) => match self.session_index(position) {
                        Some(index) => Datum::Known(
                            Cow::Owned(Value::Number(Decimal::from_i64(index as i64 + 1))),
                            Source::Event(position, since),
                        ),
                        None => Datum::missing("not a session"),
                    },
                    _ => Datum::missing("no session"),
                }
            }
            NodeKind::Call(part, args) => self.call(
                *part,
                args,
                |ctx, body, _| ctx.datum(body),
                Datum::missing("no such part"),
            ),
            NodeKind::Arith(op, left_node, right_node) => {
                let (left, right) = (self.datum(left_node), self.datum(right_node));
                // Arithmetic moves a threshold off the value read: which values of it
                // would change a comparison is not followed, so it is never filled in.
                for (node, datum) in [(left_node, &left), (right_node, &right)] {
                    if let Some(cell) = self.cell_of(node, datum) {
                        self.consult(cell, super::consult::Hint::Opaque);
                    }
                }
                let events = &self.patient.events;
                let date_of = |p: usize| events.get(p).map(|e| e.date);
                super::arith::arith(*op, &left, &right, &date_of)
            }
            NodeKind::Log10(inner) => {
                let value = self.datum(inner);
                // As with arithmetic, the threshold moves off the value read.
                if let Some(cell) = self.cell_of(inner, &value) {
                    self.consult(cell, super::consult::Hint::Opaque);
                }
                super::arith::log10(&value)
            }
            NodeKind::Score(items) => {
                // The score stands from the latest date at which one of its items was
                // decided, met or not: before it, that item could still be unknown.
                let mut decided = None;
                let verdicts: Vec<(Decimal, Truth, Why<'a>)> = items
                    .iter()
                    .map(|(points, condition)| {
                        let verdict = self.condition(condition);
                        if verdict.truth != Truth::Unknown {
                            decided = decided.max(verdict.at);
                        }
                        (*points, verdict.truth, verdict.why)
                    })
                    .collect();
                super::arith::score(verdicts, decided)
            }
            _ => Datum::missing("not a value"),
        }
    }
}
