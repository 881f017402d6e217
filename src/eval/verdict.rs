//! A condition's result with what decided it: when, which events, and why.

use super::positions::Positions;
use super::truth::Truth;
use super::why::Why;
use crate::date::Date;

/// The result of one condition for one patient.
#[derive(Debug, Clone)]
pub struct Verdict<'a> {
    /// Met, not met, unknown.
    pub truth: Truth,
    /// When met: the date of the event that completed it.
    pub at: Option<Date>,
    /// The events (positions in the sorted timeline) that decided it.
    pub evidence: Positions,
    /// What decided it, or which data is missing.
    pub why: Why<'a>,
    /// Unknown because a report said "not evaluable" (mRECIST `NE`): an answer, so no
    /// `else` replaces it.
    pub not_evaluable: bool,
}

impl<'a> Verdict<'a> {
    /// A verdict with no events behind it.
    pub fn new(truth: Truth, why: impl Into<Why<'a>>) -> Verdict<'a> {
        Verdict {
            truth,
            at: None,
            evidence: Positions::default(),
            why: why.into(),
            not_evaluable: false,
        }
    }

    /// Rest this verdict also on an event at `date`.
    pub fn add_event(&mut self, position: usize, date: Date) {
        // Inside a filter only the truth is read: its evidence would be thrown away.
        if !super::why::is_quiet() {
            self.evidence.push(position);
        }
        self.at = later(self.at, Some(date));
    }

    /// Make this verdict known no earlier than `date` (an event it rests on is that event
    /// only from then on).
    pub fn hold_from(&mut self, date: Date) {
        self.at = later(self.at, Some(date));
    }

    /// Kleene `not`: the reason stays, the truth flips.
    pub fn not(self) -> Verdict<'a> {
        Verdict {
            truth: self.truth.not(),
            ..self
        }
    }

    /// Kleene `and`: met at the later of the two; otherwise the operand that decided.
    pub fn and(self, other: Verdict<'a>) -> Verdict<'a> {
        match (self.truth, other.truth) {
            (Truth::Met, Truth::Met) => {
                let mut evidence = self.evidence;
                // A part used twice rests on the same events twice: once is enough.
                if !evidence.iter().eq(other.evidence.iter()) {
                    evidence.extend(&other.evidence);
                }
                Verdict {
                    truth: Truth::Met,
                    at: later(self.at, other.at),
                    evidence,
                    why: self.why.join(other.why),
                    not_evaluable: false,
                }
            }
            (Truth::NotMet, _) => self,
            (_, Truth::NotMet) => other,
            (Truth::Unknown, _) => self,
            (_, Truth::Unknown) => other,
        }
    }

    /// Kleene `or`: met at the earlier of the met operands; otherwise the unknown one, or
    /// both reasons.
    pub fn or(self, other: Verdict<'a>) -> Verdict<'a> {
        match (self.truth, other.truth) {
            (Truth::Met, Truth::Met) => {
                if earlier_or_same(self.at, other.at) {
                    self
                } else {
                    other
                }
            }
            (Truth::Met, _) => self,
            (_, Truth::Met) => other,
            (Truth::Unknown, _) => self,
            (_, Truth::Unknown) => other,
            (Truth::NotMet, Truth::NotMet) => Verdict::new(Truth::NotMet, self.why.join(other.why)),
        }
    }

    /// `self else fallback`: the fallback decides only when `self` is unknown (and not a
    /// reported "not evaluable"), and the reason says that it did.
    pub fn otherwise(self, fallback: impl FnOnce() -> Verdict<'a>) -> Verdict<'a> {
        if self.truth != Truth::Unknown || self.not_evaluable {
            return self;
        }
        let used = fallback();
        let (first, second) = (used.why.clone(), self.why);
        Verdict {
            why: Why::writes(move |view, out| {
                first.render_into(view, out);
                out.push_str(" (fallback, as ");
                second.render_into(view, out);
                out.push(')');
            }),
            ..used
        }
    }
}

/// The later of two optional dates.
pub fn later(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

fn earlier_or_same(a: Option<Date>, b: Option<Date>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a <= b,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => true,
    }
}
