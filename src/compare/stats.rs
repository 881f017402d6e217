//! Counts and their summaries: quartiles of a set of whole numbers kept as a histogram
//! (memory grows with the distinct values, not with the cohort), and Cohen's kappa.

use std::collections::BTreeMap;

use serde::Serialize;

/// Whole numbers (days) with how often each was seen.
pub type Histogram = BTreeMap<i64, u64>;

/// Minimum, quartiles and maximum of a histogram. Quartiles are R's type 7 (the default
/// of R and numpy): the p-th quantile of n sorted values x₁…xₙ is at h = (n − 1)·p + 1,
/// x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    /// How many values.
    pub n: u64,
    /// The smallest.
    pub min: f64,
    /// The first quartile.
    pub q1: f64,
    /// The median.
    pub median: f64,
    /// The third quartile.
    pub q3: f64,
    /// The largest.
    pub max: f64,
}

impl Spread {
    /// `None` for an empty histogram.
    pub fn of(values: &Histogram) -> Option<Spread> {
        let n: u64 = values.values().sum();
        let min = *values.keys().next()? as f64;
        let max = *values.keys().next_back()? as f64;
        Some(Spread {
            n,
            min,
            q1: quantile(values, n, 0.25),
            median: quantile(values, n, 0.5),
            q3: quantile(values, n, 0.75),
            max,
        })
    }
}

/// The value at 0-based rank `rank` of the sorted values.
fn nth(values: &Histogram, rank: u64) -> f64 {
    let mut seen = 0;
    for (&value, &count) in values {
        seen += count;
        if rank < seen {
            return value as f64;
        }
    }
    values.keys().next_back().map_or(0.0, |&v| v as f64)
}

fn quantile(values: &Histogram, n: u64, p: f64) -> f64 {
    let h = (n.saturating_sub(1)) as f64 * p;
    let low = h.floor();
    let below = nth(values, low as u64);
    let above = nth(values, (low as u64 + 1).min(n.saturating_sub(1)));
    below + (h - low) * (above - below)
}

/// Cohen's kappa of two raters on two classes, from the 2×2 table `[[both yes, a yes b
/// no], [a no b yes, both no]]`. `None` when it is undefined: no pairs, or agreement by
/// chance is certain (both raters gave one and the same class to everyone).
pub fn kappa(table: [[u64; 2]; 2]) -> Option<f64> {
    let [[a, b], [c, d]] = table.map(|row| row.map(|x| x as f64));
    let n = a + b + c + d;
    if n == 0.0 {
        return None;
    }
    let observed = (a + d) / n;
    let chance = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n);
    if (1.0 - chance).abs() < f64::EPSILON {
        return None;
    }
    Some((observed - chance) / (1.0 - chance))
}
