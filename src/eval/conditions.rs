//! Conditions: Kleene logic, quantifiers and comparisons, each with its reason.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::compare::{change, compare, in_list, same};
use super::context::{Bound, Context, Datum, Found, Selection};
use super::trend::rises;
use super::truth::Truth;
use super::verdict::Verdict;
use super::why::Why;
use crate::ast::Quantifier;
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
                    let verdict = self.with_slot(*first, Bound::Event(Found::At(a, None)), |ctx| {
                        ctx.with_slot(*second, Bound::Event(Found::At(b, None)), |ctx| {
                            ctx.condition(body)
                        })
                    });
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
                    let datum = Datum::Known(Cow::Borrowed(value), None);
                    let verdict =
                        self.with_slot(*slot, Bound::Value(datum), |ctx| ctx.condition(body));
                    verdicts.push(verdict);
                }
                count(*quantifier, verdicts, false, Why::Static("value"))
            }
            NodeKind::Shows(event, cond) => match self.event(event) {
                Found::At(position, _) => {
                    let verdict = self.with_it(position, |ctx| ctx.condition(cond));
                    self.rest_on(verdict, position)
                }
                Found::Absent { why, .. } | Found::Uncertain(why) => {
                    Verdict::new(Truth::Unknown, why)
                }
            },
            NodeKind::Occurs(event, window) => match self.event(event) {
                Found::At(position, _) => {
                    let bounds = super::temporal::bounds(self, std::slice::from_ref(window));
                    let inside = bounds.membership(self, position);
                    let not = if inside == Truth::NotMet { "not " } else { "" };
                    let verdict = Verdict::new(
                        inside,
                        Why::lazy(move |view| {
                            format!("{} is {not}in the window", view.describe(position, None))
                        }),
                    );
                    let verdict = match self.event(&window.anchor) {
                        Found::At(anchor, _) => self.rest_on(verdict, anchor),
                        _ => verdict,
                    };
                    self.rest_on(verdict, position)
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
                            let source = *source;
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
                    Datum::Missing(why) | Datum::Range(_, _, why) => {
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
    fn rest_on(&self, verdict: Verdict<'a>, position: usize) -> Verdict<'a> {
        match self.date_at(position) {
            Some(date) => verdict.with_event(position, date),
            None => verdict,
        }
    }

    fn rest_on_data(&self, mut verdict: Verdict<'a>, data: &[&Datum<'a>]) -> Verdict<'a> {
        for datum in data {
            if let Datum::Known(_, Some(position)) = datum {
                verdict = self.rest_on(verdict, *position);
            }
        }
        verdict
    }

    fn quantified(
        &mut self,
        quantifier: Quantifier,
        selection: Selection<'a>,
        slot: usize,
        body: Option<&'a Node>,
    ) -> Verdict<'a> {
        let mut verdicts = Vec::with_capacity(selection.members.len());
        for &(position, membership) in &selection.members {
            let verdict = match body {
                None => {
                    let description = selection.description.clone();
                    Verdict::new(
                        Truth::Met,
                        Why::writes(move |view, out| {
                            description.render_into(view, out);
                            out.push_str(" (");
                            view.describe_into(out, position, None);
                            out.push(')');
                        }),
                    )
                }
                Some(body) => {
                    let bound = Bound::Event(Found::At(position, None));
                    self.with_slot(slot, bound, |ctx| {
                        ctx.with_it(position, |ctx| ctx.condition(body))
                    })
                }
            };
            let verdict = match membership {
                Truth::Met => verdict,
                _ => {
                    let description = selection.description.clone();
                    let doubt = Why::lazy(move |view| {
                        format!(
                            "unknown whether {} is a {}",
                            view.describe(position, None),
                            description.render(view)
                        )
                    });
                    Verdict::new(Truth::Unknown, doubt).and(verdict)
                }
            };
            let verdict = self.rest_on(verdict, position);
            let is_session = self.event_at(position).is_some_and(|e| e.is_procedure());
            let verdict = if is_session && body.is_some() {
                let why = verdict.why.clone();
                Verdict {
                    why: why.prefixed(move |view, out| view.describe_into(out, position, None)),
                    ..verdict
                }
            } else {
                verdict
            };
            verdicts.push(verdict);
        }
        let missing =
            selection.missing_if_empty && !selection.members.iter().any(|(_, m)| *m == Truth::Met);
        let empty = selection.members.is_empty();
        let noun = selection.description;
        let mut verdict = count(quantifier, verdicts, missing, noun.clone());
        if missing && verdict.truth == Truth::Unknown && empty {
            verdict.why = Why::writes(move |view, out| {
                out.push_str("no ");
                noun.render_into(view, out);
            });
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

/// Combine the verdicts of the elements under a quantifier. `missing`: the selection was
/// due to hold something and holds nothing certain, so "none" is unknown, not "no".
fn count<'a>(
    quantifier: Quantifier,
    verdicts: Vec<Verdict<'a>>,
    missing: bool,
    noun: Why<'a>,
) -> Verdict<'a> {
    match quantifier {
        Quantifier::Any => return any_of(verdicts, missing, noun),
        Quantifier::No => return any_of(verdicts, missing, noun).not(),
        _ => {}
    }
    let total = verdicts.len();
    let (mut met, mut unknown, mut not_met): (
        Vec<Verdict<'a>>,
        Vec<Verdict<'a>>,
        Vec<Verdict<'a>>,
    ) = (Vec::new(), Vec::new(), Vec::new());
    for verdict in verdicts {
        match verdict.truth {
            Truth::Met => met.push(verdict),
            Truth::Unknown => unknown.push(verdict),
            Truth::NotMet => not_met.push(verdict),
        }
    }
    // Met at the earliest completion: sort the met ones by date.
    met.sort_by_key(|a| a.at);
    let no = |noun: Why<'a>| {
        Why::writes(move |view, out| {
            out.push_str("no ");
            noun.render_into(view, out);
        })
    };
    let at_least = |n: usize,
                    met: Vec<Verdict<'a>>,
                    unknown: Vec<Verdict<'a>>,
                    mut not_met: Vec<Verdict<'a>>|
     -> Verdict<'a> {
        if met.len() >= n && n > 0 {
            let mut chosen: Vec<Verdict<'a>> = met.into_iter().take(n).collect();
            let mut verdict = match chosen.pop() {
                Some(v) => v,
                None => Verdict::new(Truth::Met, ""),
            };
            for other in chosen.into_iter().rev() {
                verdict.evidence.extend(&other.evidence);
            }
            return verdict;
        }
        if n == 0 {
            let noun = noun.clone();
            return Verdict::new(
                Truth::Met,
                Why::lazy(move |view| format!("at least 0 {}", noun.render(view))),
            );
        }
        if met.len() + unknown.len() >= n || missing {
            if let Some(first) = unknown.into_iter().next() {
                return Verdict {
                    truth: Truth::Unknown,
                    ..first
                };
            }
            return Verdict::new(Truth::Unknown, no(noun.clone()));
        }
        let found = met.len();
        let noun = noun.clone();
        // Not met as of the last element examined: `no ...` is met then.
        let at = not_met.iter().filter_map(|v| v.at).max();
        let last = not_met.pop().map(|v| v.why);
        let why = match (found, last) {
            (0, Some(last)) => {
                if super::why::is_quiet() {
                    Why::Static("")
                } else {
                    Why::NoneOf {
                        noun: std::rc::Rc::new(noun),
                        total,
                        last: std::rc::Rc::new(last),
                    }
                }
            }
            (0, None) => Why::writes(move |view, out| {
                out.push_str("no ");
                noun.render_into(view, out);
            }),
            (found, _) => Why::writes(move |view, out| {
                let _ = write!(out, "only {found} of the {n} needed: ");
                noun.render_into(view, out);
            }),
        };
        Verdict {
            at,
            ..Verdict::new(Truth::NotMet, why)
        }
    };
    match quantifier {
        Quantifier::Any => at_least(1, met, unknown, not_met),
        Quantifier::AtLeast(n) => at_least(n as usize, met, unknown, not_met),
        Quantifier::No => at_least(1, met, unknown, not_met).not(),
        Quantifier::AtMost(n) => at_least(n as usize + 1, met, unknown, not_met).not(),
        Quantifier::Every => {
            if let Some(first) = not_met.into_iter().next() {
                return first;
            }
            if let Some(first) = unknown.into_iter().next() {
                return first;
            }
            if missing {
                return Verdict::new(Truth::Unknown, no(noun));
            }
            let mut iter = met.into_iter();
            match iter.next() {
                None => Verdict::new(
                    Truth::Met,
                    Why::lazy(move |view| format!("no {} to examine", noun.render(view))),
                ),
                Some(first) => iter.fold(first, Verdict::and),
            }
        }
    }
}

/// [`count`] for `any` (and `no`, its negation), in one pass and without sorting: the
/// earliest met element (the first of equally early ones), else the first unknown one (or
/// unknown when data is missing), else not met as of the last element examined.
fn any_of<'a>(verdicts: Vec<Verdict<'a>>, missing: bool, noun: Why<'a>) -> Verdict<'a> {
    let total = verdicts.len();
    let mut earliest_met: Option<Verdict<'a>> = None;
    let mut first_unknown: Option<Verdict<'a>> = None;
    let mut last_not_met: Option<Verdict<'a>> = None;
    let mut not_met_at = None;
    for verdict in verdicts {
        match verdict.truth {
            Truth::Met => {
                if earliest_met
                    .as_ref()
                    .is_none_or(|best| verdict.at < best.at)
                {
                    earliest_met = Some(verdict);
                }
            }
            Truth::Unknown => {
                if first_unknown.is_none() {
                    first_unknown = Some(verdict);
                }
            }
            Truth::NotMet => {
                not_met_at = not_met_at.max(verdict.at);
                last_not_met = Some(verdict);
            }
        }
    }
    if let Some(met) = earliest_met {
        return met;
    }
    if let Some(unknown) = first_unknown {
        return unknown;
    }
    let why = match last_not_met {
        _ if missing => {
            return Verdict::new(
                Truth::Unknown,
                Why::writes(move |view, out| {
                    out.push_str("no ");
                    noun.render_into(view, out);
                }),
            )
        }
        Some(last) if !super::why::is_quiet() => Why::NoneOf {
            noun: std::rc::Rc::new(noun),
            total,
            last: std::rc::Rc::new(last.why),
        },
        Some(_) => Why::Static(""),
        None => Why::writes(move |view, out| {
            out.push_str("no ");
            noun.render_into(view, out);
        }),
    };
    Verdict {
        at: not_met_at,
        ..Verdict::new(Truth::NotMet, why)
    }
}
