//! Kaplan–Meier estimate of the cumulative incidence of an outcome: each patient has a
//! time (days since the first session) and either the event at that time or censoring.

use serde::Serialize;

use super::stats::Histogram;

/// Times of events and of censoring, each with its count.
#[derive(Debug, Clone, Default)]
pub struct Times {
    /// Days to the event, for patients who had it.
    pub events: Histogram,
    /// Days to censoring, for the others.
    pub censored: Histogram,
}

impl Times {
    /// One patient: the event at `days`, or censored there.
    pub fn add(&mut self, days: i64, event: bool) {
        let side = if event {
            &mut self.events
        } else {
            &mut self.censored
        };
        *side.entry(days).or_default() += 1;
    }

    /// Patients in the estimate.
    pub fn total(&self) -> u64 {
        self.events.values().sum::<u64>() + self.censored.values().sum::<u64>()
    }

    /// The estimate at each of `times` (days), in order.
    pub fn at(&self, times: &[i64]) -> Vec<Point> {
        let steps = self.steps();
        times
            .iter()
            .map(|&t| {
                // At risk at t: everyone whose time is t or later.
                let at_risk = self.events.range(t..).map(|(_, c)| c).sum::<u64>()
                    + self.censored.range(t..).map(|(_, c)| c).sum::<u64>();
                let incidence = steps
                    .iter()
                    .take_while(|s| s.days <= t)
                    .last()
                    .map_or(0.0, |s| s.incidence);
                Point {
                    days: t,
                    at_risk,
                    incidence,
                }
            })
            .collect()
    }

    /// The curve: one step per date with an event. On a date with both, events come
    /// before censoring (the censored were still at risk), as usual.
    pub fn steps(&self) -> Vec<Step> {
        let mut at_risk = self.total();
        let mut survival = 1.0;
        let mut steps = Vec::new();
        let mut censored = self.censored.iter().peekable();
        for (&days, &events) in &self.events {
            while let Some((_, &gone)) = censored.next_if(|(&c, _)| c < days) {
                at_risk -= gone;
            }
            survival *= 1.0 - events as f64 / at_risk as f64;
            steps.push(Step {
                days,
                at_risk,
                events,
                incidence: 1.0 - survival,
            });
            at_risk -= events;
        }
        steps
    }
}

/// One step of the curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Days since the first session.
    pub days: i64,
    /// Patients at risk just before.
    pub at_risk: u64,
    /// Events on that day.
    pub events: u64,
    /// Cumulative incidence from that day on (1 − Kaplan–Meier survival).
    pub incidence: f64,
}

/// The estimate at one time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// Days since the first session.
    pub days: i64,
    /// Patients whose time is this or later.
    pub at_risk: u64,
    /// Cumulative incidence by then.
    pub incidence: f64,
}
