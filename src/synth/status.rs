//! Clinical assessments: Child-Pugh score and class, ECOG, BCLC stage and the
//! decompensation flags, likelier as the score worsens.

use super::model::MISSING;
use super::rng::Rng;
use super::writer::{Scratch, RANK_STATUS};

/// What one session did, as known when the next is planned.
pub(super) struct Session {
    pub(super) day: i64,
    pub(super) target: usize,
    pub(super) poor: bool,
}

pub(super) struct Liver {
    pub(super) score: i64,
    pub(super) ecog: i64,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn push_status(
    sc: &mut Scratch,
    rng: &mut Rng,
    day: i64,
    liver: &Liver,
    sessions_so_far: usize,
    vascular_invasion: bool,
    bclc: Option<&str>,
) {
    let start = sc.begin(day, "status", None);
    let score = liver.score.clamp(5, 15);
    if !rng.chance(MISSING) {
        sc.int_attr("child_pugh_score", score);
    }
    if !rng.chance(0.08) {
        let class = if score <= 6 {
            "A"
        } else if score <= 9 {
            "B"
        } else {
            "C"
        };
        sc.str_attr("child_pugh_class", class);
    }
    if !rng.chance(MISSING) {
        sc.int_attr("ecog", liver.ecog.clamp(0, 5));
    }
    if let Some(stage) = bclc {
        sc.str_attr("bclc", stage);
    }
    // Decompensation is likelier with a worse score.
    let (ascites, enceph, jaundice, hrs) = if score >= 10 {
        (0.45, 0.2, 0.25, 0.05)
    } else if score >= 8 {
        (0.08, 0.03, 0.03, 0.005)
    } else {
        (0.004, 0.002, 0.002, 0.0)
    };
    let occlusion = if sessions_so_far >= 4 { 0.05 } else { 0.004 };
    let ap_shunt = if vascular_invasion { 0.15 } else { 0.008 };
    let flags: [(&str, f64); 7] = [
        ("severe_jaundice", jaundice),
        ("hepatic_encephalopathy", enceph),
        ("refractory_ascites", ascites),
        ("hepatorenal_syndrome", hrs),
        ("hepatic_artery_occlusion", occlusion),
        ("diffuse_arterioportal_shunt", ap_shunt),
        ("diffuse_arteriovenous_shunt", 0.004),
    ];
    // Most forms record every flag; some only a few.
    let complete = rng.chance(0.93);
    for (name, p) in flags {
        let value = rng.chance(p);
        if complete || value || rng.chance(0.5) {
            sc.bool_attr(name, value);
        }
    }
    sc.end(start, day, RANK_STATUS);
}
