//! The search for a counterexample: a timeline on which the old and the new definition
//! give a different result or a different onset. Candidates are drawn from what both
//! definitions talk about (`pool`, `generate`), evaluated with both, and the first that
//! differs is shrunk (`shrink`) to a small timeline that still differs.

mod generate;
mod pool;
mod shrink;
mod timeline;

use std::time::Instant;

use serde::Serialize;

use super::Options;
use crate::check::Checked;
use crate::eval::{evaluate, Outcome};
use crate::timeline::{parse_patient, Origin};
use crate::vocabulary::Vocabulary;
use timeline::Timeline;

/// A timeline on which the two differ, with both results.
#[derive(Debug, Clone, Serialize)]
pub struct Counterexample {
    /// The patient, as timeline JSON.
    pub patient: String,
    /// How many events it has.
    pub events: usize,
    /// The old definition's result on it.
    pub old: Side,
    /// The new definition's result on it.
    pub new: Side,
    /// The criteria whose result or date differs (by name; one only in one file too).
    pub criteria: Vec<String>,
    /// Timelines tried before it was found.
    pub tried: usize,
    /// Milliseconds until it was found (before shrinking).
    pub found_ms: u128,
}

/// One definition's result on the counterexample.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// `met`, `not met`, `unknown`.
    pub result: String,
    /// When it was met.
    pub onset: Option<String>,
    /// Each criterion: name, result, date, why.
    pub criteria: Vec<CriterionSide>,
}

/// One criterion's result on the counterexample.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionSide {
    /// Its name.
    pub name: String,
    /// `met`, `not met`, `unknown`.
    pub result: String,
    /// When it was met.
    pub at: Option<String>,
    /// What decided it.
    pub why: String,
}

impl Side {
    fn of(outcome: &Outcome) -> Side {
        Side {
            result: outcome.result.as_str().to_owned(),
            onset: outcome.onset.map(|d| d.to_string()),
            criteria: outcome
                .criteria
                .iter()
                .map(|c| CriterionSide {
                    name: c.name.clone(),
                    result: c.result.as_str().to_owned(),
                    at: c.at.map(|d| d.to_string()),
                    why: c.why.clone(),
                })
                .collect(),
        }
    }
}

/// Whether two outcomes differ in result or onset (an evaluation stopped at its work
/// limit is no answer, so never a difference).
pub fn differs(a: &Outcome, b: &Outcome) -> bool {
    a.stopped.is_none() && b.stopped.is_none() && (a.result != b.result || a.onset != b.onset)
}

/// The search's end.
pub(super) enum Found {
    Yes(Box<Counterexample>),
    /// None found in this many timelines.
    No(usize),
}

pub(super) struct Search<'a> {
    old: &'a Checked,
    new: &'a Checked,
    vocabulary: &'a Vocabulary,
    options: &'a Options,
    origin: Origin,
}

impl<'a> Search<'a> {
    pub(super) fn new(
        old: &'a Checked,
        new: &'a Checked,
        vocabulary: &'a Vocabulary,
        options: &'a Options,
    ) -> Search<'a> {
        Search {
            old,
            new,
            vocabulary,
            options,
            origin: Origin::new("counterexample", None),
        }
    }

    /// Both outcomes on `timeline`, if it loads.
    fn outcomes(&self, timeline: &Timeline) -> Option<(Outcome, Outcome)> {
        let patient = parse_patient(&timeline.json(false), &self.origin, self.vocabulary).ok()?;
        Some((evaluate(self.old, &patient), evaluate(self.new, &patient)))
    }

    /// Whether the two differ on `timeline`.
    fn differs_on(&self, timeline: &Timeline) -> bool {
        self.outcomes(timeline)
            .is_some_and(|(a, b)| differs(&a, &b))
    }

    pub(super) fn run(&self) -> Found {
        let start = Instant::now();
        let pool = pool::gather(self.old, self.new, self.vocabulary);
        let mut rng = generate::Rng::new(self.options.seed);
        let mut tried = 0usize;
        let mut synthetic = 0usize;
        while start.elapsed() < self.options.budget {
            let candidate = if tried % 4 == 3 {
                synthetic += 1;
                generate::synthetic(&mut rng, &pool, synthetic, self.options.seed)
            } else {
                Some(generate::draw(&mut rng, &pool))
            };
            tried += 1;
            let Some(candidate) = candidate else { continue };
            if self.differs_on(&candidate) {
                let found_ms = start.elapsed().as_millis();
                let shrunk = if self.options.shrink {
                    shrink::shrink(candidate, |t| self.differs_on(t))
                } else {
                    candidate
                };
                return match self.counterexample(&shrunk, tried, found_ms) {
                    Some(c) => Found::Yes(Box::new(c)),
                    None => Found::No(tried),
                };
            }
        }
        Found::No(tried)
    }

    fn counterexample(
        &self,
        timeline: &Timeline,
        tried: usize,
        found_ms: u128,
    ) -> Option<Counterexample> {
        let (a, b) = self.outcomes(timeline)?;
        let mut criteria = Vec::new();
        for c in &a.criteria {
            match b.criteria.iter().find(|d| d.name == c.name) {
                Some(d) if d.result == c.result && d.at == c.at => {}
                _ => criteria.push(c.name.clone()),
            }
        }
        for d in &b.criteria {
            if !a.criteria.iter().any(|c| c.name == d.name) {
                criteria.push(d.name.clone());
            }
        }
        Some(Counterexample {
            patient: timeline.json(true),
            events: timeline.events.len(),
            old: Side::of(&a),
            new: Side::of(&b),
            criteria,
            tried,
            found_ms,
        })
    }
}
