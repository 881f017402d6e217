//! Conditions: Kleene logic, quantifiers and comparisons, each with its reason.

use super::compare::{change, compare, in_list, same};
use super::context::{Bound, Context, Datum, Found, Selection};
use super::trend::rises;
use super::truth::Truth;
use super::verdict::Verdict;
use crate::ast::Quantifier;
use crate::check::{Node, NodeKind};

impl<'a> Context<'a> {
    /// Evaluate a condition.
    pub fn condition(&mut self, node: &'a Node) -> Verdict {
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
                self.quantified(*quantifier, &selection, *slot, body.as_deref())
            }
            NodeKind::Consecutive {
                quantifier,
                first,
                second,
                body,
            } => {
                let pairs: Vec<(usize, usize)> = self
                    .sessions
                    .windows(2)
                    .filter_map(|w| Some((*w.first()?, *w.get(1)?)))
                    .collect();
                let mut verdicts = Vec::new();
                for (a, b) in pairs {
                    let verdict = self.with_slot(*first, Bound::Event(Found::At(a, None)), |ctx| {
                        ctx.with_slot(*second, Bound::Event(Found::At(b, None)), |ctx| {
                            ctx.condition(body)
                        })
                    });
                    let prefix = format!(
                        "sessions of {} and {}",
                        self.date_or_blank(a),
                        self.date_or_blank(b)
                    );
                    verdicts.push(prefixed(verdict, &prefix));
                }
                count(*quantifier, verdicts, false, "pair of consecutive sessions")
            }
            NodeKind::EachValue {
                quantifier,
                slot,
                values,
                body,
            } => {
                let mut verdicts = Vec::new();
                for value in values {
                    let datum = Datum::Known(super::context::const_value(value), None);
                    let verdict =
                        self.with_slot(*slot, Bound::Value(datum), |ctx| ctx.condition(body));
                    verdicts.push(verdict);
                }
                count(*quantifier, verdicts, false, "value")
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
                    let what = self.describe(position, None);
                    let verdict = Verdict::new(
                        inside,
                        format!(
                            "{what} is {}in the window",
                            if inside == Truth::NotMet { "not " } else { "" }
                        ),
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
                let verdict = compare(self, left, &l, *op, &r);
                self.rest_on_data(verdict, &[&l, &r])
            }
            NodeKind::In {
                value,
                negated,
                list,
            } => {
                let datum = self.datum(value);
                let items: Vec<Datum> = list.iter().map(|item| self.datum(item)).collect();
                let verdict = in_list(self, value, &datum, &items);
                let verdict = if *negated { verdict.not() } else { verdict };
                self.rest_on_data(verdict, &[&datum])
            }
            NodeKind::Same {
                left,
                right,
                differs,
            } => {
                let (l, r) = (self.datum(left), self.datum(right));
                let verdict = same(self, left, &l, &r, *differs);
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
                let verdict = change(
                    self, value, reference, &new, &old, *direction, *bound, *percent,
                );
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
                rises(self, attribute, &selection, &reference_datum, *min_values)
            }
            NodeKind::Truthy(value) => {
                let datum = self.datum(value);
                let verdict = match &datum {
                    Datum::Known(v, source) => match v.as_bool() {
                        Some(b) => {
                            let name = attribute_name(value);
                            let on = source
                                .map(|p| format!(" on {}", self.describe(p, None)))
                                .unwrap_or_default();
                            Verdict::new(
                                Truth::from_bool(b),
                                format!(
                                    "{name} {}{on}",
                                    if b { "reported" } else { "not reported" }
                                ),
                            )
                        }
                        None => Verdict::new(
                            Truth::Unknown,
                            format!("{} is not true or false", attribute_name(value)),
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
    pub fn criterion(&mut self, index: usize) -> Verdict {
        if let Some(Some(verdict)) = self.criteria.get(index) {
            return verdict.clone();
        }
        let checked = self.checked;
        let Some(criterion) = checked.criteria.get(index) else {
            return Verdict::new(Truth::Unknown, "no such criterion");
        };
        let verdict = self.condition(&criterion.body);
        if let Some(place) = self.criteria.get_mut(index) {
            *place = Some(verdict.clone());
        }
        verdict
    }

    fn date_or_blank(&self, position: usize) -> String {
        self.date_at(position)
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    /// The verdict also rests on the event at `position` (met no earlier than it).
    fn rest_on(&self, verdict: Verdict, position: usize) -> Verdict {
        match self.date_at(position) {
            Some(date) => verdict.with_event(position, date),
            None => verdict,
        }
    }

    fn rest_on_data(&self, mut verdict: Verdict, data: &[&Datum]) -> Verdict {
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
        selection: &Selection,
        slot: usize,
        body: Option<&'a Node>,
    ) -> Verdict {
        let mut verdicts = Vec::new();
        for &(position, membership) in &selection.members {
            let verdict = match body {
                None => Verdict::new(
                    Truth::Met,
                    format!(
                        "{} ({})",
                        selection.description,
                        self.describe(position, None)
                    ),
                ),
                Some(body) => {
                    let bound = Bound::Event(Found::At(position, None));
                    self.with_slot(slot, bound, |ctx| {
                        ctx.with_it(position, |ctx| ctx.condition(body))
                    })
                }
            };
            let verdict = match membership {
                Truth::Met => verdict,
                _ => Verdict::new(
                    Truth::Unknown,
                    format!(
                        "unknown whether {} is a {}",
                        self.describe(position, None),
                        selection.description
                    ),
                )
                .and(verdict),
            };
            let verdict = self.rest_on(verdict, position);
            let is_session = self.event_at(position).is_some_and(|e| e.is_procedure());
            let verdict = if is_session && body.is_some() {
                let prefix = self.describe(position, None);
                prefixed(verdict, &prefix)
            } else {
                verdict
            };
            verdicts.push(verdict);
        }
        let missing =
            selection.missing_if_empty && !selection.members.iter().any(|(_, m)| *m == Truth::Met);
        let mut verdict = count(quantifier, verdicts, missing, &selection.description);
        if missing && verdict.truth == Truth::Unknown && selection.members.is_empty() {
            verdict.why = format!("no {}", selection.description);
        }
        verdict
    }
}

/// The reason inside nested "not met for any ..." wrappers: only the outermost count is
/// worth reading, then the concrete finding.
fn innermost(why: &str) -> String {
    const LAST: &str = "; last: ";
    let Some(at) = why.rfind(LAST) else {
        return why.to_string();
    };
    let tail = why.get(at + LAST.len()..).unwrap_or("");
    // Keep the element that led there ("sessions of A and B: "), drop the counts between.
    match why.find(": not met for any ") {
        Some(cut) => format!("{}: {tail}", why.get(..cut).unwrap_or("")),
        None => tail.to_string(),
    }
}

/// "session of 2021-04-01: ..." on a reason.
fn prefixed(mut verdict: Verdict, prefix: &str) -> Verdict {
    verdict.why = format!("{prefix}: {}", verdict.why);
    verdict
}

fn attribute_name(node: &Node) -> String {
    match &node.kind {
        NodeKind::Attribute(name, _) => name.clone(),
        _ => "the value".to_string(),
    }
}

/// Combine the verdicts of the elements under a quantifier. `missing`: the selection was
/// due to hold something and holds nothing certain, so "none" is unknown, not "no".
fn count(quantifier: Quantifier, verdicts: Vec<Verdict>, missing: bool, noun: &str) -> Verdict {
    let total = verdicts.len();
    let (mut met, mut unknown, mut not_met): (Vec<Verdict>, Vec<Verdict>, Vec<Verdict>) =
        (Vec::new(), Vec::new(), Vec::new());
    for verdict in verdicts {
        match verdict.truth {
            Truth::Met => met.push(verdict),
            Truth::Unknown => unknown.push(verdict),
            Truth::NotMet => not_met.push(verdict),
        }
    }
    // Met at the earliest completion: sort the met ones by date.
    met.sort_by_key(|a| a.at);
    let at_least =
        |n: usize, met: Vec<Verdict>, unknown: Vec<Verdict>, not_met: Vec<Verdict>| -> Verdict {
            if met.len() >= n && n > 0 {
                let mut chosen: Vec<Verdict> = met.into_iter().take(n).collect();
                let last = chosen.pop();
                let mut verdict = match last {
                    Some(v) => v,
                    None => Verdict::new(Truth::Met, ""),
                };
                for other in chosen.into_iter().rev() {
                    verdict.evidence.extend(other.evidence);
                }
                return verdict;
            }
            if n == 0 {
                return Verdict::new(Truth::Met, format!("at least 0 {noun}"));
            }
            if met.len() + unknown.len() >= n || missing {
                if let Some(first) = unknown.into_iter().next() {
                    return Verdict {
                        truth: Truth::Unknown,
                        ..first
                    };
                }
                return Verdict::new(Truth::Unknown, format!("no {noun}"));
            }
            let why = match (met.len(), not_met.last()) {
                (0, Some(last)) => format!(
                    "not met for any {noun} ({total} examined); last: {}",
                    innermost(&last.why)
                ),
                (0, None) => format!("no {noun}"),
                (found, _) => format!("only {found} of the {n} needed: {noun}"),
            };
            // Not met as of the last element examined: `no ...` is met then.
            let at = not_met.iter().filter_map(|v| v.at).max();
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
                return Verdict::new(Truth::Unknown, format!("no {noun}"));
            }
            let mut iter = met.into_iter();
            match iter.next() {
                None => Verdict::new(Truth::Met, format!("no {noun} to examine")),
                Some(first) => iter.fold(first, Verdict::and),
            }
        }
    }
}
