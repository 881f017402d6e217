//! Tumour markers (AFP, PIVKA-II): a liver background plus a tumour part that follows
//! the viable volume, drawn as lab events.

use super::rng::Rng;
use super::writer::{Scratch, RANK_LAB};

/// Where a marker is between knots: log-linear interpolation of the burden.
pub(super) fn interpolate(t: f64, knots: &[(f64, f64); 3]) -> f64 {
    let [(t0, b0), (t1, b1), (t2, b2)] = *knots;
    let (ta, ba, tb, bb) = if t <= t1 {
        (t0, b0, t1, b1)
    } else {
        (t1, b1, t2, b2)
    };
    let f = if tb > ta {
        ((t - ta) / (tb - ta)).clamp(0.0, 1.2)
    } else {
        1.0
    };
    (ba.ln() + (bb.ln() - ba.ln()) * f).exp()
}

pub(super) struct Marker {
    pub(super) test: &'static str,
    pub(super) unit: &'static str,
    /// Value at the baseline burden.
    pub(super) base: f64,
    /// The share of `base` the tumour makes at baseline (the rest is background from
    /// the liver, which does not change); the tumour's share follows its viable volume.
    pub(super) tumour_share: f64,
    /// Log-scale noise of one measurement.
    pub(super) noise: f64,
    /// Values below this are reported with one decimal, others as whole numbers.
    pub(super) decimals_below: f64,
    /// Whether the centre measures this marker at all (PIVKA-II is mostly an Asian
    /// practice).
    pub(super) measured: bool,
}

impl Marker {
    pub(super) fn value(&self, rng: &mut Rng, relative_burden: f64) -> f64 {
        let tumour = self.tumour_share * relative_burden.max(0.01).powf(2.2);
        let v = self.base * (1.0 - self.tumour_share + tumour) * (self.noise * rng.normal()).exp();
        let v = v.clamp(0.5, 500_000.0);
        if v >= self.decimals_below {
            v.round()
        } else {
            (v * 10.0).round() / 10.0
        }
    }
}

/// A lab event per marker on `day` (each marker sometimes not drawn).
pub(super) fn push_labs(
    sc: &mut Scratch,
    rng: &mut Rng,
    markers: &[Marker; 2],
    day: i64,
    relative_burden: f64,
    timed: f64,
) {
    let minutes = if rng.chance(timed) {
        Some(rng.int(7 * 60, 8 * 60 + 59))
    } else {
        None
    };
    for m in markers {
        if !m.measured || rng.chance(0.06) {
            continue;
        }
        let value = m.value(rng, relative_burden);
        let start = sc.begin(day, "lab", minutes);
        sc.str_attr("test", m.test);
        sc.dec_attr("value", value);
        if !rng.chance(0.01) {
            sc.str_attr("unit", m.unit);
        }
        sc.end(start, day, RANK_LAB);
    }
}
