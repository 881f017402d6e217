//! Conditions: Kleene logic, quantifiers and comparisons, each with its reason.

use std::borrow::Cow;

use super::compare::{change, compare, in_list, same};
use super::quantifiers::count;
use super::context::Context;
use super::value::{Bound, Datum, Found, Source};
use super::trend::rises;
use super::truth::Truth;
use super::verdict::Verdict;
use super::why::Why;
use crate::check::{Node, NodeKind};

impl<'a> Context<'a> {
    /// Evaluate a condition.
    pub fn condition(&mut self, node: &'a Node) -> Verdict<'a> {
        match &node.kind {
            NodeKind::Not(inner) => self.condition(inner).not(),
            NodeKind::And(a, b) => {
                let a = self.condition(a);
                if a.truth == Truth::NotMet {
                    return a;
                }
                a.and(self.condition(b))
            }
            NodeKind::Or(a, b) => {
                let a = self.condition(a);
                a.or(self.condition(b))
            }
            NodeKind::Else(a, b) => self.condition(a).otherwise(|| self.condition(b)),
            NodeKind::Quantified {
                quantifier,
                set,
                slot,
                body,
            } => {
                let selection = self.selection(set);
                self.quantified(*quantifier, selection, *slot, body.as_deref())
            }
            NodeKind::Consecutive {
                quantifier,
                first,
                second,
                body,
            } => {
                let mut verdicts = Vec::new();
                for index in 1..self.sessions.len() {
                    let (Some(&a), Some(&b)) =
                        (self.sessions.get(index - 1), self.sessions.get(index))
                    else {
                        continue;
                    };
                    let (found_a, found_b) = (self.found(a), self.found(b));
                    let verdict = self.with_slot(*first, Bound::Event(found_a), |ctx| {
                        ctx.with_slot(*second, Bound::Event(found_b), |ctx| ctx.condition(body))
                    });
                    // The pair exists once its later session does.
                    let verdict = self.rest_on(verdict, b);
                    let why = verdict.why.clone();
                    verdicts.push(Verdict {
                        why: why.prefixed(move |view, out| {
                            out.push_str("sessions of ");
                            view.date_into(out, a);
                            out.push_str(" and ");
                            view.date_into(out, b);
                        }),
                        ..verdict
                    });
                }
                count(
                    *quantifier,
                    verdicts,
                    false,
                    Why::Static("pair of consecutive sessions"),
                )
            }
            NodeKind::EachValue {
                quantifier,
                slot,
                values,
                body,
            } => {
                let mut verdicts = Vec::new();
                for value in values {
                    let datum = Datum::Known(Cow::Borrowed(value), Source::Written);
                    let verdict =
                        self.with_slot(*slot, Bound::Value(datum), |ctx| ctx.condition(body));
                    verdicts.push(verdict);
                }
                count(*quantifier, verdicts, false, Why::Static("value"))
            }
            NodeKind::Shows(event, cond) => match self.event(event) {
                Found::At(position, _, since) => {
                    let verdict = self.with_it(position, |ctx| ctx.condition(cond));
                    self.rest_on(verdict, position).known_from(since)
                }
                Found::Absent { why, .. } | Found::Uncertain(why) => {
                    Verdict::new(Truth::Unknown, why)
                }
            },
            NodeKind::Occurs(event, window) => match self.event(event) {
                Found::At(position, _, since) => {
                    let (bounds, _) = self.bounds(std::slice::from_ref(window));
                    let inside = bounds.membership(&self.patient.events, position);
                    let not = if inside == Truth::NotMet { "not " } else { "" };
                    let verdict = Verdict::new(
                        inside,
                        Why::lazy(move |view| {
                            format!("{} is {not}in the window", view.describe(position, None))
                        }),
                    );
                    let verdict = match self.event(&window.anchor) {
                        Found::At(anchor, _, anchor_since) => {
                            self.rest_on(verdict, anchor).known_from(anchor_since)
                        }
                        _ => verdict,
                    };
                    self.rest_on(verdict, position).known_from(since)
                }
                Found::Absent { why, .. } | Found::Uncertain(why) => {
                    Verdict::new(Truth::Unknown, why)
                }
            },
            NodeKind::Compare(left, op, right) => {
                let (l, r) = (self.datum(left), self.datum(right));
                let verdict = compare(left, &l, *op, &r);
                self.rest_on_data(verdict, &[&l, &r])
            }
            NodeKind::In {
                value,
                negated,
                list,
            } => {
                let datum = self.datum(value);
                let items: Vec<Datum<'a>> = list.iter().map(|item| self.datum(item)).collect();
                let verdict = in_list(value, &datum, &items);
                let verdict = if *negated { verdict.not() } else { verdict };
                self.rest_on_data(verdict, &[&datum])
            }
            NodeKind::Same {
                left,
                right,
                differs,
            } => {
                let (l, r) = (self.datum(left), self.datum(right));
                let verdict = same(left, &l, &r, *differs);
                self.rest_on_data(verdict, &[&l, &r])
            }
            NodeKind::Change {
                value,
                direction,
                bound,
                percent,
                reference,
            } => {
                let (new, old) = (self.datum(value), self.datum(reference));
                let verdict = change(value, reference, &new, &old, *direction, *bound, *percent);
                self.rest_on_data(verdict, &[&new, &old])
            }
            NodeKind::Rises {
                attribute,
                series,
                reference,
                min_values,
            } => {
                let selection = self.selection(series);
                let reference_datum = self.datum(reference);
                rises(self, attribute, selection, &reference_datum, *min_values)
            }
            NodeKind::Truthy(value) => {
                let datum = self.datum(value);
                let name = attribute_name(value);
                let verdict = match &datum {
                    Datum::Known(v, source) => match v.as_bool() {
                        Some(b) => {
                            let source = source.position();
                            Verdict::new(
                                Truth::from_bool(b),
                                Why::writes(move |view, out| {
                                    out.push_str(name);
                                    out.push_str(if b { " reported" } else { " not reported" });
                                    if let Some(p) = source {
                                        out.push_str(" on ");
                                        view.describe_into(out, p, None);
                                    }
                                }),
                            )
                        }
                        None => Verdict::new(
                            Truth::Unknown,
                            Why::lazy(move |_| format!("{name} is not true or false")),
                        ),
                    },
                    Datum::Missing(why, _) | Datum::Range(_, _, why, _) => {
                        Verdict::new(Truth::Unknown, why.clone())
                    }
                };
                self.rest_on_data(verdict, &[&datum])
            }
            NodeKind::Criterion(index) => self.criterion(*index),
            NodeKind::Call(part, args) => self.call(
                *part,
                args,
                |ctx, body, _| ctx.condition(body),
                Verdict::new(Truth::Unknown, "no such part"),
            ),
            NodeKind::Const(constant) => Verdict::new(
                Truth::from_bool(matches!(constant, crate::check::Const::Bool(true))),
                "constant",
            ),
            _ => Verdict::new(Truth::Unknown, "not a condition"),
        }
    }

    /// A criterion, evaluated once per patient.
    pub fn criterion(&mut self, index: usize) -> Verdict<'a> {
        if let Some(Some(verdict)) = self.criteria.get(index) {
            return verdict.clone();
        }
        let checked = self.checked;
        let Some(criterion) = checked.criteria.get(index) else {
            return Verdict::new(Truth::Unknown, "no such criterion");
        };
        // Remembered and reported: keep its reasons even when first asked inside a filter.
        let verdict = super::why::loudly(|| self.condition(&criterion.body));
        if let Some(place) = self.criteria.get_mut(index) {
            *place = Some(verdict.clone());
        }
        verdict
    }

    /// The verdict also rests on the event at `position` (met no earlier than it).
    pub fn rest_on(&self, verdict: Verdict<'a>, position: usize) -> Verdict<'a> {
        match self.date_at(position) {
            Some(date) => verdict.with_event(position, date),
            None => verdict,
        }
    }

    fn rest_on_data(&self, mut verdict: Verdict<'a>, data: &[&Datum<'a>]) -> Verdict<'a> {
        for datum in data {
            match datum {
                Datum::Known(_, Source::Event(position, since)) => {
                    verdict = self.rest_on(verdict, *position).known_from(*since);
                }
                Datum::Known(_, Source::Decided(date)) | Datum::Range(.., Some(date)) => {
                    verdict = verdict.known_from(*date);
                }
                Datum::Known(_, Source::Written) | Datum::Range(.., None) | Datum::Missing(..) => {}
            }
        }
        verdict
    }
}

fn attribute_name(node: &Node) -> &str {
    match &node.kind {
        NodeKind::Attribute(name, _) => name,
        _ => "the value",
    }
}

