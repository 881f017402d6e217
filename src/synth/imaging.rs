//! The response imaging after a session: modality, mRECIST categories computed from the
//! reported sums, viable and lipiodol percentages, and the spread findings.

use super::model::{Mrecist, MISSING};
use super::patient::Profile;
use super::rng::Rng;
use super::writer::{Scratch, RANK_IMAGING};

/// The tumour as the response imaging would report it.
pub(super) struct Response {
    /// The target viable sum (whole mm).
    pub(super) reported: i64,
    pub(super) target: Mrecist,
    pub(super) overall: Mrecist,
    pub(super) viable: f64,
    pub(super) new_lesion: bool,
    pub(super) count: i64,
    pub(super) vi: bool,
    pub(super) ehs: bool,
}

/// The imaging event after the session on `day` (most sessions have one); returns its day.
#[allow(clippy::too_many_arguments)]
pub(super) fn push_response_imaging(
    sc: &mut Scratch,
    rng: &mut Rng,
    p: &Profile,
    technique: usize,
    r: &Response,
    day: i64,
    gap: i64,
    last: bool,
) -> Option<i64> {
    if !rng.chance(if last { 0.96 } else { 0.94 }) {
        return None;
    }
    let mut delay = if p.early_imaging {
        rng.int(31, 42)
    } else {
        rng.int(42, 70)
    };
    if !last {
        if rng.chance(0.07) {
            delay = gap;
        } else if delay > gap - 5 {
            delay = (gap - rng.int(5, 12)).max(28);
        }
    }
    let img_day = day + delay;
    // A few scans carry the time (early morning, before any session that day).
    let img_minutes = if rng.chance(0.03) {
        Some(rng.int(7 * 60, 8 * 60 + 45))
    } else {
        None
    };
    let modality = match rng.weighted(&[95, 2, 3]) {
        0 if p.prefers_mri && rng.chance(0.8) => "MRI",
        0 if rng.chance(0.1) => "MRI",
        0 => "CT",
        1 => "CEUS",
        _ => "US",
    };
    let cross_sectional = modality == "CT" || modality == "MRI";
    let start = sc.begin(img_day, "imaging", img_minutes);
    sc.str_attr("modality", modality);
    if !rng.chance(MISSING) {
        sc.bool_attr("contrast", modality != "US");
    }
    if cross_sectional {
        if rng.chance(0.02) {
            // Not evaluable (e.g. lipiodol artefact): no measurement either.
            sc.str_attr("mrecist", "NE");
            sc.str_attr("mrecist_target", "NE");
        } else {
            if !rng.chance(MISSING) {
                sc.str_attr("mrecist", r.overall.name());
            }
            if !rng.chance(MISSING) {
                sc.str_attr("mrecist_target", r.target.name());
            }
            if !rng.chance(MISSING) {
                sc.int_attr("target_viable_sum_mm", r.reported);
            }
        }
        if !rng.chance(MISSING) {
            sc.int_attr("viable_percent", r.viable.round() as i64);
        }
        if (technique == 0 || technique == 2) && !rng.chance(MISSING) {
            // Deposition roughly fills the necrotic part, never quite all of it, and some
            // oil stays in viable tumour too.
            let lipiodol =
                (0.85 * (100.0 - r.viable) + rng.uniform(5.0, 30.0) + 6.0 * rng.normal())
                    .clamp(0.0, 100.0);
            sc.int_attr("lipiodol_percent", lipiodol.round() as i64);
        }
    } else if modality == "CEUS" && !rng.chance(0.3) {
        sc.int_attr("viable_percent", r.viable.round() as i64);
    }
    if !rng.chance(MISSING) {
        sc.int_attr("tumor_count", r.count);
    }
    if !rng.chance(MISSING) {
        sc.bool_attr("new_intrahepatic_lesion", r.new_lesion);
    }
    if !rng.chance(0.015) {
        sc.bool_attr("vascular_invasion", r.vi);
    }
    if cross_sectional && !rng.chance(0.015) {
        sc.bool_attr("extrahepatic_spread", r.ehs);
    }
    sc.end(start, img_day, RANK_IMAGING);
    Some(img_day)
}
