//! Runs of consecutive sessions: `at least 3 consecutive sessions S: BODY` holds when some
//! N sessions in a row each satisfy BODY. Each session's verdict is evaluated once and
//! shared by the runs through it; a run is the Kleene `and` of its sessions, so it is met
//! when all are met (on the date the last of them is), not met when one is not, unknown
//! otherwise, and the runs combine as an `any` (met at the earliest completion).

use std::collections::VecDeque;

use super::context::Context;
use super::quantifiers::count;
use super::truth::Truth;
use super::value::Bound;
use super::verdict::Verdict;
use super::why::Why;
use crate::ast::Quantifier;
use crate::check::Node;
use crate::date::Date;

impl<'a> Context<'a> {
    /// A run of at least `length` consecutive sessions, each bound to `slot`, satisfying
    /// `body`.
    pub fn run(&mut self, length: u32, slot: usize, body: &'a Node) -> Verdict<'a> {
        let sessions: Vec<usize> = self.sessions.iter().copied().collect();
        let mut each: Vec<Verdict<'a>> = Vec::with_capacity(sessions.len());
        for &session in &sessions {
            let mark = self.mark();
            let found = self.found(session);
            let mut verdict = self.with_slot(slot, Bound::Event(found), |ctx| ctx.condition(body));
            // A session's part of a run exists once the session does.
            self.rest_on(&mut verdict, session);
            if verdict.truth != Truth::Unknown {
                self.forget_between(mark, self.mark());
            }
            each.push(verdict);
        }
        let noun = move || -> Why<'a> {
            Why::lazy(move |_| format!("run of {length} consecutive sessions"))
        };
        let length = usize::try_from(length).unwrap_or(usize::MAX).max(1);
        let windows = Windows::of(&each, length);
        if let Some(first) = windows.earliest_met(&each, length) {
            let Some(runs) = each.get(first..first + length) else {
                return count(Quantifier::Any, Vec::new(), false, noun());
            };
            let mut verdict: Option<Verdict<'a>> = None;
            for element in runs {
                verdict = Some(match verdict {
                    None => element.clone(),
                    Some(so_far) => so_far.and(element.clone()),
                });
            }
            let verdict = verdict.unwrap_or_else(|| Verdict::new(Truth::Met, ""));
            return self.run_named(verdict, &sessions, first, length);
        }
        // Not met anywhere: each run is decided by its first session that is not met
        // (unknown: its first unknown one), as a Kleene `and` is.
        let mut decided = Vec::new();
        for (start, representative) in windows.representatives.iter().enumerate() {
            if let Some(element) = representative.and_then(|at| each.get(at)) {
                decided.push(self.run_named(element.clone(), &sessions, start, length));
            }
        }
        count(Quantifier::Any, decided, false, noun())
    }

    /// The verdict of the run starting at session `start`, with the run's dates in front.
    fn run_named(
        &self,
        verdict: Verdict<'a>,
        sessions: &[usize],
        start: usize,
        length: usize,
    ) -> Verdict<'a> {
        let (Some(&first), Some(&last)) = (sessions.get(start), sessions.get(start + length - 1))
        else {
            return verdict;
        };
        let why = verdict.why.clone().prefixed(move |view, out| {
            out.push_str("sessions of ");
            view.date_into(out, first);
            out.push_str(" to ");
            view.date_into(out, last);
        });
        Verdict { why, ..verdict }
    }
}

/// For each run (by its first session): whether every session in it is met, and which
/// session decides it otherwise.
struct Windows {
    /// Per run: all met.
    met: Vec<bool>,
    /// Per run: the session that decides it when not all are met (the first not met, else
    /// the first unknown).
    representatives: Vec<Option<usize>>,
}

impl Windows {
    /// One pass with the next not-met and next unknown session from each position.
    fn of(each: &[Verdict<'_>], length: usize) -> Windows {
        let n = each.len();
        let runs = (n + 1).saturating_sub(length);
        let mut next_not_met = vec![usize::MAX; n + 1];
        let mut next_unknown = vec![usize::MAX; n + 1];
        for i in (0..n).rev() {
            let (not_met, unknown) = match each.get(i).map(|v| v.truth) {
                Some(Truth::NotMet) => (i, next_unknown.get(i + 1).copied().unwrap_or(usize::MAX)),
                Some(Truth::Unknown) => (next_not_met.get(i + 1).copied().unwrap_or(usize::MAX), i),
                _ => (
                    next_not_met.get(i + 1).copied().unwrap_or(usize::MAX),
                    next_unknown.get(i + 1).copied().unwrap_or(usize::MAX),
                ),
            };
            if let (Some(a), Some(b)) = (next_not_met.get_mut(i), next_unknown.get_mut(i)) {
                *a = not_met;
                *b = unknown;
            }
        }
        let mut met = Vec::with_capacity(runs);
        let mut representatives = Vec::with_capacity(runs);
        for start in 0..runs {
            let end = start + length;
            let not_met = next_not_met.get(start).copied().unwrap_or(usize::MAX);
            let unknown = next_unknown.get(start).copied().unwrap_or(usize::MAX);
            if not_met < end {
                met.push(false);
                representatives.push(Some(not_met));
            } else if unknown < end {
                met.push(false);
                representatives.push(Some(unknown));
            } else {
                met.push(true);
                representatives.push(None);
            }
        }
        Windows {
            met,
            representatives,
        }
    }

    /// The met run that completes first: the smallest latest date among its sessions
    /// (a sliding maximum), the earliest run on a tie.
    fn earliest_met(&self, each: &[Verdict<'_>], length: usize) -> Option<usize> {
        let at = |i: usize| each.get(i).and_then(|v| v.at).unwrap_or(Date::EARLIEST);
        let mut window: VecDeque<usize> = VecDeque::new();
        let mut best: Option<(Date, usize)> = None;
        for i in 0..each.len() {
            while window.back().is_some_and(|&j| at(j) <= at(i)) {
                window.pop_back();
            }
            window.push_back(i);
            if window.front().is_some_and(|&j| j + length <= i) {
                window.pop_front();
            }
            let Some(start) = (i + 1).checked_sub(length) else {
                continue;
            };
            if !self.met.get(start).copied().unwrap_or(false) {
                continue;
            }
            let completes = window.front().map_or(Date::EARLIEST, |&j| at(j));
            if best.is_none_or(|(date, _)| completes < date) {
                best = Some((completes, start));
            }
        }
        best.map(|(_, start)| start)
    }
}
