//! Quantifiers: `any`, `every`, `no`, `at least N`, `at most N` over a selection's
//! elements, combined three-valuedly, met at the earliest completion.

use std::fmt::Write as _;

use super::context::Context;
use super::truth::Truth;
use super::value::{Bound, IfEmpty, Selection};
use super::verdict::Verdict;
use super::why::Why;
use crate::ast::Quantifier;
use crate::check::Node;

impl<'a> Context<'a> {
    /// `QUANTIFIER SELECTION [shows BODY]`: each element bound to `slot` and examined;
    /// `independent` when the body never looks at its element, which then gives every
    /// element the same answer.
    pub fn quantified(
        &mut self,
        quantifier: Quantifier,
        selection: Selection<'a>,
        slot: usize,
        body: Option<&'a Node>,
        independent: bool,
        top: bool,
    ) -> Verdict<'a> {
        // `any` and `no` keep three of their elements' verdicts as they go; the others
        // count all of them.
        let streamed = matches!(quantifier, Quantifier::Any | Quantifier::No);
        let mut any = AnyOf::default();
        let mut verdicts = Vec::with_capacity(if streamed { 0 } else { selection.members.len() });
        let mut shared: Option<Verdict<'a>> = None;
        for (index, &(position, membership)) in selection.members.iter().enumerate() {
            if !self.in_focus(top, position) {
                continue;
            }
            let mark = self.mark();
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
                Some(_) if shared.is_some() => shared
                    .clone()
                    .unwrap_or_else(|| Verdict::new(Truth::Unknown, "")),
                Some(body) => {
                    let bound = Bound::Event(self.found(position));
                    let verdict = self.with_slot(slot, bound, |ctx| {
                        ctx.with_it(position, |ctx| ctx.condition(body))
                    });
                    if independent {
                        shared = Some(verdict.clone());
                    }
                    verdict
                }
            };
            let mut verdict = match membership {
                Truth::Met => verdict,
                _ => {
                    let description = selection.description.clone();
                    let doubt = Why::lazy(move |view| {
                        format!(
                            "unknown whether {} counts as {}",
                            view.describe(position, None),
                            description.render(view)
                        )
                    });
                    Verdict::new(Truth::Unknown, doubt).and(verdict)
                }
            };
            self.rest_on(&mut verdict, position);
            // An element is one of the selection only once its windows stand.
            if let Some(since) = selection.since {
                verdict.hold_from(since);
            }
            // A session's verdict is written under its date: "the session of ...: ...".
            let is_session = self.event_at(position).is_some_and(|e| e.is_procedure());
            let prefix = (is_session && body.is_some()).then_some(position);
            if verdict.truth != Truth::Unknown {
                self.forget_between(mark, self.mark());
            }
            self.note_element(top, position, verdict.truth, mark);
            // `any` is met at its earliest met element: once one is met no later than the
            // next element's date, no later element can be met earlier.
            let settled_any = quantifier == Quantifier::Any
                && verdict.truth == Truth::Met
                && selection
                    .members
                    .get(index + 1)
                    .and_then(|&(next, _)| self.date_at(next))
                    .is_some_and(|next| verdict.at.is_some_and(|at| at <= next));
            if streamed {
                any.add(verdict, prefix);
            } else {
                verdicts.push(under_session(verdict, prefix));
            }
            if settled_any {
                break;
            }
        }
        let missing = selection.missing();
        let empty = selection.members.is_empty();
        let beyond = selection.if_empty == IfEmpty::BeyondCalendar;
        let noun = selection.description;
        if missing && empty {
            // What would decide it, if it were recorded.
            self.missing.push(noun.clone());
        }
        let mut verdict = match quantifier {
            Quantifier::Any => any.finish(missing, noun.clone()),
            Quantifier::No => any.finish(missing, noun.clone()).not(),
            _ => count(quantifier, verdicts, missing, noun.clone()),
        };
        if missing && verdict.truth == Truth::Unknown && empty {
            verdict.why = Why::writes(move |view, out| {
                out.push_str("no ");
                noun.render_into(view, out);
                if beyond {
                    out.push_str(
                        " can be recorded: the window lies after 2200-12-31, the last date refract reads",
                    );
                }
            });
        }
        verdict
    }
}

/// Elements of a met `every` whose reasons are all written; beyond, they are counted.
const EVERY_NAMED: usize = 4;

/// Combine the verdicts of the elements under a quantifier. `missing`: the selection was
/// due to hold something and holds nothing certain, so "none" is unknown, not "no".
pub fn count<'a>(
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
                    Why::none_of(noun, total, last)
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
            // Met by every element: a few are named, many are counted (a reason per
            // element of 30,000 sessions would be a sentence nobody reads, and a chain of
            // them as deep as the data).
            let total = met.len();
            let at = met.iter().filter_map(|v| v.at).max();
            let mut iter = met.into_iter();
            match iter.next() {
                None => Verdict::new(
                    Truth::Met,
                    Why::lazy(move |view| format!("no {} to examine", noun.render(view))),
                ),
                Some(first) if total <= EVERY_NAMED => iter.fold(first, Verdict::and),
                Some(first) => {
                    let mut verdict = first;
                    let mut last = None;
                    for other in iter {
                        verdict.evidence.extend(&other.evidence);
                        last = Some(other.why);
                    }
                    let last = last.unwrap_or(Why::Static(""));
                    Verdict {
                        at,
                        why: Why::writes(move |view, out| {
                            out.push_str("every ");
                            noun.render_into(view, out);
                            let _ = write!(out, " ({total} examined); the last: ");
                            last.render_into(view, out);
                        }),
                        ..verdict
                    }
                }
            }
        }
    }
}

/// [`count`] for `any` (and `no`, its negation), in one pass and without sorting: the
/// earliest met element (the first of equally early ones), else the first unknown one (or
/// unknown when data is missing), else not met as of the last element examined.
fn any_of<'a>(verdicts: Vec<Verdict<'a>>, missing: bool, noun: Why<'a>) -> Verdict<'a> {
    let mut any = AnyOf::default();
    for verdict in verdicts {
        any.add(verdict, None);
    }
    any.finish(missing, noun)
}

/// A verdict written under the session at `prefix`, when there is one.
fn under_session(verdict: Verdict<'_>, prefix: Option<usize>) -> Verdict<'_> {
    match prefix {
        Some(position) => Verdict {
            why: verdict
                .why
                .prefixed(move |view, out| view.describe_into(out, position, None)),
            ..verdict
        },
        None => verdict,
    }
}

/// [`any_of`] as the elements come: only the verdicts that can decide are kept, and only
/// the one that does is written under its session (most are dropped unwritten).
#[derive(Default)]
struct AnyOf<'a> {
    total: usize,
    earliest_met: Option<(Verdict<'a>, Option<usize>)>,
    first_unknown: Option<(Verdict<'a>, Option<usize>)>,
    last_not_met: Option<(Verdict<'a>, Option<usize>)>,
    not_met_at: Option<crate::date::Date>,
}

impl<'a> AnyOf<'a> {
    /// One more element's verdict, to be written under the session at `prefix`.
    fn add(&mut self, verdict: Verdict<'a>, prefix: Option<usize>) {
        self.total += 1;
        match verdict.truth {
            Truth::Met => {
                if self
                    .earliest_met
                    .as_ref()
                    .is_none_or(|(best, _)| verdict.at < best.at)
                {
                    self.earliest_met = Some((verdict, prefix));
                }
            }
            Truth::Unknown => {
                if self.first_unknown.is_none() {
                    self.first_unknown = Some((verdict, prefix));
                }
            }
            Truth::NotMet => {
                self.not_met_at = self.not_met_at.max(verdict.at);
                self.last_not_met = Some((verdict, prefix));
            }
        }
    }

    /// The verdict of `any` over the elements added.
    fn finish(self, missing: bool, noun: Why<'a>) -> Verdict<'a> {
        if let Some((met, prefix)) = self.earliest_met {
            return under_session(met, prefix);
        }
        if let Some((unknown, prefix)) = self.first_unknown {
            return under_session(unknown, prefix);
        }
        let why = match self.last_not_met {
            _ if missing => {
                return Verdict::new(
                    Truth::Unknown,
                    Why::writes(move |view, out| {
                        out.push_str("no ");
                        noun.render_into(view, out);
                    }),
                )
            }
            Some((last, prefix)) if !super::why::is_quiet() => {
                Why::none_of(noun, self.total, under_session(last, prefix).why)
            }
            Some(_) => Why::Static(""),
            None => Why::writes(move |view, out| {
                out.push_str("no ");
                noun.render_into(view, out);
            }),
        };
        Verdict {
            at: self.not_met_at,
            ..Verdict::new(Truth::NotMet, why)
        }
    }
}
