//! Conditions: Kleene logic, quantifiers and comparisons, each with its reason.

use std::borrow::Cow;

use super::compare::{change, compare, in_list, same};
use super::context::Context;
use super::depends::depends;
use super::quantifiers::count;
use super::trend::rises;
use super::truth::Truth;
use super::value::{Bound, Datum, Found, Source};
use super::verdict::Verdict;
use super::why::Why;
use crate::check::{Node, NodeKind};

impl<'a> Context<'a> {
    /// Evaluate a condition. Where an operand or element is decided, it is decided
    /// whatever the missing data it read (Kleene logic is sound), so what it read is
    /// forgotten: only the readings behind an unknown answer are worth filling in.
    pub fn condition(&mut self, node: &'a Node) -> Verdict<'a> {
        // Bounded work: a definition whose quantifiers multiply (every imaging against
        // every imaging against every imaging …) stops, and says so, rather than stall.
        self.steps += 1;
        self.cold = self.cold.saturating_add(1);
        if self.steps > self.step_limit {
            self.stopped = true;
            return Verdict::new(Truth::Unknown, "stopped: too much work");
        }
        match &node.kind {
            NodeKind::Not(inner) => self.condition(inner).not(),
            NodeKind::And(a, b) | NodeKind::Or(a, b) => {
                let and = matches!(node.kind, NodeKind::And(..));
                let before = self.mark();
                let a = self.condition(a);
                if and && a.truth == Truth::NotMet {
                    return a;
                }
                let between = self.mark();
                let b = self.condition(b);
                let (a_truth, b_truth) = (a.truth, b.truth);
                let verdict = if and { a.and(b) } else { a.or(b) };
                if verdict.truth != Truth::Unknown {
                    self.forget_between(before, self.mark());
                } else if a_truth != Truth::Unknown {
                    self.forget_between(before, between);
                } else if b_truth != Truth::Unknown {
                    self.forget_between(between, self.mark());
                }
                verdict
            }
            NodeKind::Else(a, b) => {
                let (from, _) = self.mark();
                let first = self.condition(a);
                if first.truth == Truth::Unknown && !first.not_evaluable {
                    // The fallback is what the definition says to do when these are
                    // missing: they are not filled in to decide it.
                    for consult in self.consults.get_mut(from..).unwrap_or_default() {
                        consult.covered = true;
                    }
                }
                first.otherwise(|| self.condition(b))
            }
            NodeKind::Quantified {
                quantifier,
                set,
                slot,
                body,
                reads_element,
            } => {
                let top = self.claim_top(node) && focusable(*quantifier);
                let selection = self.selection(set);
                let body = body.as_deref();
                // A body that never looks at its element gives every element the same
                // answer.
                let checked = self.checked;
                let independent = body.is_some_and(|b| {
                    !*reads_element.get_or_init(|| depends(checked, b, *slot, true))
                });
                self.quantified(*quantifier, selection, *slot, body, independent, top)
            }
            NodeKind::Consecutive {
                quantifier,
                first,
                second,
                body,
            } => {
                let top = self.claim_top(node) && focusable(*quantifier);
                let mut verdicts = Vec::new();
                for index in 1..self.sessions.len() {
                    let (Some(&a), Some(&b)) =
                        (self.sessions.get(index - 1), self.sessions.get(index))
                    else {
                        continue;
                    };
                    if !self.in_focus(top, index) {
                        continue;
                    }
                    let mark = self.mark();
                    let (found_a, found_b) = (self.found(a), self.found(b));
                    let mut verdict = self.with_slot(*first, Bound::Event(found_a), |ctx| {
                        ctx.with_slot(*second, Bound::Event(found_b), |ctx| ctx.condition(body))
                    });
                    // The pair exists once its later session does.
                    self.rest_on(&mut verdict, b);
                    if verdict.truth != Truth::Unknown {
                        self.forget_between(mark, self.mark());
                    }
                    self.note_element(top, index, verdict.truth, mark);
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
            NodeKind::Run { length, slot, body } => self.run(*length, *slot, body),
            NodeKind::EachValue {
                quantifier,
                slot,
                values,
                body,
            } => {
                let top = self.claim_top(node) && focusable(*quantifier);
                let mut verdicts = Vec::new();
                for (index, value) in values.iter().enumerate() {
                    if !self.in_focus(top, index) {
                        continue;
                    }
                    let mark = self.mark();
                    let datum = Datum::Known(Cow::Borrowed(value), Source::Written);
                    let verdict =
                        self.with_slot(*slot, Bound::Value(datum), |ctx| ctx.condition(body));
                    if verdict.truth != Truth::Unknown {
                        self.forget_between(mark, self.mark());
                    }
                    self.note_element(top, index, verdict.truth, mark);
                    verdicts.push(verdict);
                }
                count(*quantifier, verdicts, false, Why::Static("value"))
            }
            NodeKind::Shows(event, cond) => match self.event(event) {
                Found::At(position, _, since) => {
                    let mut verdict = self.with_it(position, |ctx| ctx.condition(cond));
                    self.rest_on(&mut verdict, position);
                    verdict.hold_from(since);
                    verdict
                }
                Found::Absent { why, .. } => {
                    self.missing.push(why.clone());
                    Verdict::new(Truth::Unknown, why)
                }
                Found::Uncertain(why) => Verdict::new(Truth::Unknown, why),
            },
            NodeKind::Occurs(event, window) => match self.event(event) {
                Found::At(position, _, since) => {
                    let (bounds, _) = self.bounds(std::slice::from_ref(window));
                    let inside = bounds.membership(&self.patient.events, position);
                    let not = if inside == Truth::NotMet { "not " } else { "" };
                    let anchor = match self.event(&window.anchor) {
                        Found::At(anchor, ..) => Some(anchor),
                        _ => None,
                    };
                    let kind = &window.kind;
                    // "the session of 2021-04-01 is not within 6 months after the session
                    // of 2021-01-05": the window in words, on its anchor.
                    let mut verdict = Verdict::new(
                        inside,
                        Why::writes(move |view, out| {
                            view.describe_into(out, position, None);
                            out.push_str(" is ");
                            out.push_str(not);
                            super::temporal::describe_window(kind, out);
                            out.push(' ');
                            match anchor {
                                Some(anchor) => view.describe_into(out, anchor, None),
                                None => out.push_str("its anchor"),
                            }
                        }),
                    );
                    if let Found::At(anchor, _, anchor_since) = self.event(&window.anchor) {
                        self.rest_on(&mut verdict, anchor);
                        verdict.hold_from(anchor_since);
                    }
                    self.rest_on(&mut verdict, position);
                    verdict.hold_from(since);
                    verdict
                }
                Found::Absent { why, .. } | Found::Uncertain(why) => {
                    Verdict::new(Truth::Unknown, why)
                }
            },
            NodeKind::Compare(left, op, right) => {
                let (l, r) = (self.datum(left), self.datum(right));
                self.note_numbers((left, &l), *op, (right, &r));
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
                self.note_words(value, &datum, &items, node as *const Node as usize);
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
                self.note_same(left, &l, right, &r);
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
                self.note_change((value, &new), (reference, &old), *direction, *percent);
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
                // The reference is read even when the series alone decides: what it reads
                // (missing events, cells a trial fills) and the steps it costs are part of
                // the answer's settling and reporting.
                let reference_datum = self.datum(reference);
                let reference_cell = self.cell_of(reference, &reference_datum);
                rises(
                    self,
                    attribute,
                    selection,
                    (&reference_datum, reference_cell),
                    *min_values,
                )
            }
            NodeKind::Truthy(value) => {
                let datum = self.datum(value);
                self.note_truthy(value, &datum);
                let name = attribute_name(value);
                let verdict = match &datum {
                    Datum::Known(v, source) => match v.as_bool() {
                        Some(b) => {
                            let source = source.position();
                            let label = match &value.kind {
                                NodeKind::Attribute(_, Some(of)) => match &of.kind {
                                    NodeKind::Call(part, _) => {
                                        self.checked.parts.get(*part).map(|p| p.label.as_str())
                                    }
                                    _ => None,
                                },
                                _ => None,
                            };
                            // "no vascular_invasion on the imaging of …" for a finding
                            // reported absent; a missing one is "not recorded".
                            Verdict::new(
                                Truth::from_bool(b),
                                Why::writes(move |view, out| {
                                    if !b {
                                        out.push_str("no ");
                                    }
                                    out.push_str(name);
                                    if let Some(p) = source {
                                        out.push_str(" on ");
                                        view.describe_into(out, p, label);
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
            NodeKind::Call(part, args) => {
                // A part used several times with the same events is evaluated once: parts
                // that use each other twice would otherwise grow as a tree, not a chain.
                let key = self.call_key(*part, args);
                if let Some(entry) = key.and_then(|key| self.verdicts.get(&key, self.trying)) {
                    return entry.replay(&mut self.consults, &mut self.missing, &mut self.cold);
                }
                let (mark, cold_from) = (self.mark(), self.cold);
                let verdict = self.call(
                    *part,
                    args,
                    |ctx, body, _| ctx.condition(body),
                    Verdict::new(Truth::Unknown, "no such part"),
                );
                // Only reasons kept in full are worth keeping for reuse elsewhere.
                if let (Some(key), false) = (key, super::why::is_quiet()) {
                    let entry = self.entry(verdict.clone(), mark, cold_from);
                    self.verdicts.insert(key, entry, self.trying);
                }
                verdict
            }
            NodeKind::Const(constant) => Verdict::new(
                Truth::from_bool(matches!(constant, crate::check::Const::Bool(true))),
                "constant",
            ),
            _ => Verdict::new(Truth::Unknown, "not a condition"),
        }
    }

    /// A criterion, evaluated once per patient (once per trial while missing data is
    /// filled in, unless it read no missing data).
    pub fn criterion(&mut self, index: usize) -> Verdict<'a> {
        let kept = match self.criteria.get(index) {
            Some(Some(entry)) if !self.trying || entry.consults.is_empty() => Some(entry),
            _ if self.trying => self.trial_criteria.get(index).and_then(Option::as_ref),
            _ => None,
        };
        if let Some(entry) = kept {
            // Reusing it reads the same data: its readings count again.
            return entry.replay(&mut self.consults, &mut self.missing, &mut self.cold);
        }
        let checked = self.checked;
        let Some(criterion) = checked.criteria.get(index) else {
            return Verdict::new(Truth::Unknown, "no such criterion");
        };
        let shared = self.sharing_id(index);
        if let Some(verdict) = shared.and_then(|id| self.take_shared(index, id)) {
            return verdict;
        }
        let (mark, cold_from, steps_before) = (self.mark(), self.cold, self.steps);
        let outer = (
            std::mem::replace(&mut self.top, &criterion.body as *const Node as usize),
            self.noting.replace(Vec::new()),
            std::mem::replace(
                &mut self.trial_focus,
                self.focus.get(index).cloned().flatten(),
            ),
        );
        // Remembered and reported: keep its reasons even when first asked inside a filter
        // (a trial keeps none: only its truth is read).
        let verdict = if self.trying {
            self.condition(&criterion.body)
        } else {
            super::why::loudly(|| self.condition(&criterion.body))
        };
        let noted = std::mem::replace(&mut self.noting, outer.1);
        (self.top, self.trial_focus) = (outer.0, outer.2);
        if let (false, true, Some(noted)) = (self.trying, focusable_body(&criterion.body), noted) {
            if let Some(place) = self.focus.get_mut(index) {
                *place = Some(noted.iter().map(|(key, _)| *key).collect());
            }
            if let Some(place) = self.unknown_elements.get_mut(index) {
                *place = noted
                    .into_iter()
                    .filter_map(|(key, read)| Some((key, read?)))
                    .collect();
            }
        }
        let entry = Some(self.entry(verdict.clone(), mark, cold_from));
        let place = if self.trying {
            if self.trial_criteria.len() < checked.criteria.len() {
                self.trial_criteria.resize(checked.criteria.len(), None);
            }
            self.trial_criteria.get_mut(index)
        } else {
            self.criteria.get_mut(index)
        };
        if let Some(place) = place {
            *place = entry;
        }
        if let Some(id) = shared {
            self.offer_shared(index, id, steps_before);
        }
        verdict
    }

    /// Record a criterion's settled answer, so the `met when` line and criteria that use
    /// it read that answer.
    pub fn settle_criterion(&mut self, index: usize, truth: Truth, at: Option<crate::date::Date>) {
        if let Some(Some(entry)) = self.criteria.get_mut(index) {
            entry.value.truth = truth;
            entry.value.at = at;
            entry.value.not_evaluable = false;
            entry.consults.clear();
            entry.missing.clear();
        }
    }

    /// The verdict also rests on the event at `position` (met no earlier than it).
    /// In place: a verdict passed by value would be copied at each step, and this runs for
    /// every comparison and every element of a quantifier.
    pub fn rest_on(&self, verdict: &mut Verdict<'a>, position: usize) {
        if let Some(date) = self.date_at(position) {
            verdict.add_event(position, date);
        }
    }

    fn rest_on_data(&self, mut verdict: Verdict<'a>, data: &[&Datum<'a>]) -> Verdict<'a> {
        for datum in data {
            match datum {
                Datum::Known(_, Source::Event(position, since)) => {
                    self.rest_on(&mut verdict, *position);
                    verdict.hold_from(*since);
                }
                Datum::Known(_, Source::Decided(date)) | Datum::Range(.., Some(date)) => {
                    verdict.hold_from(*date);
                }
                Datum::Known(_, Source::Written) | Datum::Range(.., None) | Datum::Missing(..) => {}
            }
        }
        verdict
    }
}

/// Quantifiers whose answer, when unknown, only its unknown elements can change: `any`
/// (and `no`, its negation) is met by one met element and not met when all are not.
fn focusable(quantifier: crate::ast::Quantifier) -> bool {
    matches!(
        quantifier,
        crate::ast::Quantifier::Any | crate::ast::Quantifier::No
    )
}

/// Whether a criterion's body is a quantifier that notes its elements.
fn focusable_body(body: &Node) -> bool {
    match &body.kind {
        NodeKind::Quantified { quantifier, .. }
        | NodeKind::Consecutive { quantifier, .. }
        | NodeKind::EachValue { quantifier, .. } => focusable(*quantifier),
        _ => false,
    }
}

fn attribute_name(node: &Node) -> &str {
    match &node.kind {
        NodeKind::Attribute(name, _) => name,
        _ => "the value",
    }
}
