//! Comparing definitions over a cohort: how often each is met, how far they agree
//! (pairwise 3×3 tables, agreement, Cohen's kappa), which patients change class between
//! two of them and why, and the cumulative incidence of each outcome over time since the
//! first session (Kaplan–Meier).
//!
//! [`Comparison`] takes one patient at a time and keeps only counts and histograms of
//! days (plus the patients that change class, for two definitions), so memory does not
//! grow with the cohort. [`Comparison::finish`] gives the [`Report`].

pub mod html;
pub mod km;
pub mod report;
pub mod stats;

use serde::Serialize;

use crate::date::Date;
use crate::eval::{Outcome, Truth};
use crate::timeline::Patient;
use km::Times;
use stats::{kappa, Histogram, Spread};

/// Months at which the incidence table is given; a month is 365.25 / 12 days.
pub const MONTHS: [u32; 5] = [0, 3, 6, 12, 24];

/// What the comparison needs of one patient and definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Met, not met or unknown.
    pub result: Truth,
    /// The onset, when met.
    pub onset: Option<Date>,
    /// The first session (TACE), or the first event if there is none.
    pub start: Option<Date>,
    /// The last event: where a patient not met is censored.
    pub last: Option<Date>,
    /// The criterion that decided the result (`name`, `why`), as in `eval --format table`.
    pub decided: Option<(String, String)>,
}

impl Summary {
    /// From an evaluation of `patient`.
    pub fn of(outcome: &Outcome, patient: &Patient) -> Summary {
        let start = patient
            .events
            .iter()
            .find(|e| e.is_procedure())
            .or_else(|| patient.events.first())
            .map(|e| e.date);
        let last = patient.events.iter().map(|e| e.date).max();
        Summary::from_parts(
            outcome.result,
            outcome.onset,
            start,
            last,
            deciding(outcome),
        )
    }

    /// From its parts (a saved output has no event dates: `start` and `last` are `None`).
    pub fn from_parts(
        result: Truth,
        onset: Option<Date>,
        start: Option<Date>,
        last: Option<Date>,
        decided: Option<(String, String)>,
    ) -> Summary {
        Summary {
            result,
            onset,
            start,
            last,
            decided,
        }
    }
}

/// The criterion that decided an outcome: for a met result the one met on the onset date,
/// otherwise the first whose result is the definition's.
pub fn deciding(outcome: &Outcome) -> Option<(String, String)> {
    let set_onset = outcome
        .criteria
        .iter()
        .find(|c| c.result == outcome.result && outcome.onset.is_some() && c.at == outcome.onset);
    set_onset
        .or_else(|| outcome.criteria.iter().find(|c| c.result == outcome.result))
        .map(|c| (c.name.clone(), c.why.clone()))
}

/// The index of a result in the 3×3 tables: met, not met, unknown.
fn slot(result: Truth) -> usize {
    match result {
        Truth::Met => 0,
        Truth::NotMet => 1,
        Truth::Unknown => 2,
    }
}

/// Results are compared across definitions as they arrive.
#[derive(Debug, Clone)]
pub struct Comparison {
    definitions: Vec<String>,
    patients: u64,
    counts: Vec<[u64; 3]>,
    to_onset: Vec<Histogram>,
    times: Vec<Times>,
    /// Met or not met with no date to count time from: not in the curve.
    undated: Vec<u64>,
    /// For each pair (i < j), in order: the 3×3 table, rows i, columns j.
    pairs: Vec<[[u64; 3]; 3]>,
    changers: Vec<Changer>,
    onset_difference: Histogram,
}

/// A patient whose class differs between the two definitions of a two-way comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changer {
    /// The patient's id.
    pub patient: String,
    /// Under the first definition.
    pub first: Side,
    /// Under the second.
    pub second: Side,
}

/// One side of a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// `met`, `not_met` or `unknown`.
    pub result: &'static str,
    /// The onset, when met.
    pub onset: Option<Date>,
    /// The criterion that decided it.
    pub criterion: Option<String>,
    /// Its reason.
    pub why: Option<String>,
}

impl Side {
    fn of(summary: &Summary) -> Side {
        let (criterion, why) = summary.decided.clone().unzip();
        Side {
            result: summary.result.as_str(),
            onset: summary.onset,
            criterion,
            why,
        }
    }
}

impl Comparison {
    /// A comparison of these definitions (ids), in this order.
    pub fn new(definitions: Vec<String>) -> Comparison {
        let n = definitions.len();
        Comparison {
            patients: 0,
            counts: vec![[0; 3]; n],
            to_onset: vec![Histogram::new(); n],
            times: vec![Times::default(); n],
            undated: vec![0; n],
            pairs: vec![[[0; 3]; 3]; n * n.saturating_sub(1) / 2],
            changers: Vec::new(),
            onset_difference: Histogram::new(),
            definitions,
        }
    }

    /// One patient: a summary per definition, in the order of [`Comparison::new`].
    pub fn add(&mut self, patient: &str, rows: &[Summary]) {
        self.patients += 1;
        for (i, row) in rows.iter().enumerate() {
            if let Some(count) = self
                .counts
                .get_mut(i)
                .and_then(|c| c.get_mut(slot(row.result)))
            {
                *count += 1;
            }
            self.add_time(i, row);
        }
        let mut pair = 0;
        for (i, a) in rows.iter().enumerate() {
            for b in rows.iter().skip(i + 1) {
                if let Some(cell) = self
                    .pairs
                    .get_mut(pair)
                    .and_then(|t| t.get_mut(slot(a.result)))
                    .and_then(|r| r.get_mut(slot(b.result)))
                {
                    *cell += 1;
                }
                pair += 1;
            }
        }
        if let [a, b] = rows {
            if a.result != b.result {
                self.changers.push(Changer {
                    patient: patient.to_string(),
                    first: Side::of(a),
                    second: Side::of(b),
                });
            }
            if let (Some(x), Some(y)) = (a.onset, b.onset) {
                *self.onset_difference.entry(x.days_until(y)).or_default() += 1;
            }
        }
    }

    fn add_time(&mut self, i: usize, row: &Summary) {
        let (Some(times), Some(undated)) = (self.times.get_mut(i), self.undated.get_mut(i)) else {
            return;
        };
        let end = match row.result {
            Truth::Unknown => return,
            Truth::Met => row.onset,
            Truth::NotMet => row.last,
        };
        let (Some(start), Some(end)) = (row.start, end) else {
            *undated += 1;
            return;
        };
        // An outcome met before the first session (unsuitability) counts at day 0.
        let days = start.days_until(end).max(0);
        times.add(days, row.result == Truth::Met);
        if row.result == Truth::Met {
            if let Some(h) = self.to_onset.get_mut(i) {
                *h.entry(days).or_default() += 1;
            }
        }
    }

    /// The statistics.
    pub fn finish(self) -> Report {
        let days: Vec<i64> = MONTHS.iter().map(|&m| month_days(m)).collect();
        let definitions = self
            .definitions
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let [met, not_met, unknown] = self.counts.get(i).copied().unwrap_or_default();
                let times = self.times.get(i).cloned().unwrap_or_default();
                DefinitionReport {
                    id: id.clone(),
                    met,
                    not_met,
                    unknown,
                    undated: self.undated.get(i).copied().unwrap_or(0),
                    days_to_onset: self.to_onset.get(i).and_then(Spread::of),
                    incidence: times.at(&days),
                    in_curve: times.total(),
                    curve: times.steps(),
                }
            })
            .collect();
        let mut pairs = Vec::new();
        let mut k = 0;
        for (i, a) in self.definitions.iter().enumerate() {
            for b in self.definitions.iter().skip(i + 1) {
                let table = self.pairs.get(k).copied().unwrap_or_default();
                pairs.push(PairReport::of(a, b, table));
                k += 1;
            }
        }
        let two = (self.definitions.len() == 2).then(|| TwoWay {
            changers: self.changers,
            onset_difference_days: Spread::of(&self.onset_difference),
        });
        Report {
            patients: self.patients,
            definitions,
            pairs,
            two,
        }
    }
}

/// Days in `months` months of 365.25 / 12 days, rounded.
pub fn month_days(months: u32) -> i64 {
    (f64::from(months) * 365.25 / 12.0).round() as i64
}

/// Everything a comparison found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Patients compared.
    pub patients: u64,
    /// Per definition.
    pub definitions: Vec<DefinitionReport>,
    /// Per pair of definitions.
    pub pairs: Vec<PairReport>,
    /// Only with exactly two definitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub two: Option<TwoWay>,
}

/// One definition over the cohort.
#[derive(Debug, Clone, Serialize)]
pub struct DefinitionReport {
    /// Its id.
    pub id: String,
    /// Patients met.
    pub met: u64,
    /// Patients not met.
    pub not_met: u64,
    /// Patients unknown: not in the curve.
    pub unknown: u64,
    /// Met or not met, but no date to count time from (saved outputs): not in the curve.
    pub undated: u64,
    /// Days from the first session to onset, among the met.
    pub days_to_onset: Option<Spread>,
    /// Patients in the curve.
    pub in_curve: u64,
    /// The cumulative incidence at each of [`MONTHS`].
    pub incidence: Vec<km::Point>,
    /// The whole curve.
    pub curve: Vec<km::Step>,
}

/// Two definitions side by side.
#[derive(Debug, Clone, Serialize)]
pub struct PairReport {
    /// The first (rows).
    pub first: String,
    /// The second (columns).
    pub second: String,
    /// Patients by result: rows the first (met, not met, unknown), columns the second.
    pub table: [[u64; 3]; 3],
    /// Patients met or not met under both.
    pub known: u64,
    /// Patients unknown under either: not in agreement or kappa.
    pub unknown_either: u64,
    /// Share of `known` with the same result.
    pub agreement: Option<f64>,
    /// Cohen's kappa on met vs not met among `known`.
    pub kappa: Option<f64>,
}

impl PairReport {
    fn of(first: &str, second: &str, table: [[u64; 3]; 3]) -> PairReport {
        let [[mm, mn, mu], [nm, nn, nu], [um, un, uu]] = table;
        let known = mm + mn + nm + nn;
        PairReport {
            first: first.to_string(),
            second: second.to_string(),
            table,
            known,
            unknown_either: mu + nu + um + un + uu,
            agreement: (known > 0).then(|| (mm + nn) as f64 / known as f64),
            kappa: kappa([[mm, mn], [nm, nn]]),
        }
    }
}

/// What only a two-way comparison has.
#[derive(Debug, Clone, Serialize)]
pub struct TwoWay {
    /// Patients whose result differs, in input order.
    pub changers: Vec<Changer>,
    /// Onset under the second minus onset under the first, in days, among met under both.
    pub onset_difference_days: Option<Spread>,
}
