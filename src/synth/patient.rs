//! One patient from start to end: who they are, the baseline, the course of sessions
//! (in `course`), the final assessment, and the patient's JSON text.
//!
//! The order of random draws is the cohort's identity (the same seed gives the same
//! bytes), so each step draws in exactly the order it always has.

use super::course::{self, Plan, Tumour};
use super::dates::days_from_civil;
use super::labs::Marker;
use super::model::{Course, MISSING, SEGMENT_WEIGHTS, TECHNIQUE_WEIGHTS};
use super::rng::Rng;
use super::status::{push_status, Liver};
use super::writer::{push_uint, Scratch, RANK_IMAGING};

/// What is drawn before the first session and does not change afterwards.
pub(super) struct Profile {
    pub(super) sex: &'static str,
    pub(super) age: i64,
    pub(super) etiology: &'static str,
    pub(super) course: Course,
    /// Escape: the session after which the tumour starts growing again.
    pub(super) escape_after: usize,
    pub(super) planned: usize,
    pub(super) count0: i64,
    pub(super) sum0: f64,
    pub(super) vi0: bool,
    pub(super) ehs0: bool,
    pub(super) new_lesion_rate: f64,
    pub(super) vi_rate: f64,
    pub(super) ehs_rate: f64,
    pub(super) asian: bool,
    pub(super) early_imaging: bool,
    pub(super) prefers_mri: bool,
    pub(super) markers: [Marker; 2],
    pub(super) first: i64,
}

fn draw_profile(rng: &mut Rng) -> Profile {
    // --- who
    let sex = if rng.chance(0.78) { "M" } else { "F" };
    let age = (67.0 + 9.0 * rng.normal()).round().clamp(30.0, 92.0) as i64;
    let etiology = ["HBV", "HCV", "alcohol", "MASLD", "other"]
        .get(rng.weighted(&[35, 30, 18, 12, 5]))
        .copied()
        .unwrap_or("other");
    let course = match rng.weighted(&[45, 27, 12, 16]) {
        0 => Course::Responder,
        1 => Course::Stable,
        2 => Course::Escape,
        _ => Course::Progressor,
    };
    let escape_after = rng.int(1, 2) as usize;

    // --- planned number of sessions: most 2-4
    let planned = 1 + rng.weighted(&[18, 31, 23, 13, 7, 4, 2, 2]);

    // --- tumour at baseline
    let count0 = 1 + rng.weighted(&[30, 25, 18, 12, 7, 4, 2, 2]) as i64;
    let sum0 = rng.lognormal(45.0, 0.45).clamp(12.0, 160.0);
    let vi0 = rng.chance(0.02);
    let ehs0 = rng.chance(0.01);
    let new_lesion_rate = match course {
        Course::Responder => 0.06,
        Course::Stable => 0.12,
        Course::Escape => 0.2,
        Course::Progressor => 0.42,
    };
    let (vi_rate, ehs_rate) = match course {
        Course::Responder => (0.003, 0.003),
        Course::Stable => (0.008, 0.006),
        Course::Escape => (0.02, 0.015),
        Course::Progressor => (0.03, 0.022),
    };

    // --- the centre: East Asian centres image early (4-6 weeks after the session), draw
    // markers more often and measure PIVKA-II; Western centres image later (6-10 weeks).
    let asian = rng.chance(0.35);
    let early_imaging = rng.chance(if asian { 0.8 } else { 0.4 });
    let prefers_mri = rng.chance(0.35);
    let markers = draw_markers(rng, asian);

    // --- first session between mid-2015 and mid-2023, so everything stays in 2015-2025
    let first = rng.int(days_from_civil(2015, 7, 1), days_from_civil(2023, 6, 30));
    Profile {
        sex,
        age,
        etiology,
        course,
        escape_after,
        planned,
        count0,
        sum0,
        vi0,
        ehs0,
        new_lesion_rate,
        vi_rate,
        ehs_rate,
        asian,
        early_imaging,
        prefers_mri,
        markers,
        first,
    }
}

fn draw_markers(rng: &mut Rng, asian: bool) -> [Marker; 2] {
    let afp_secretor = rng.chance(0.55);
    let pivka_secretor = rng.chance(0.6);
    // Fields are evaluated in the order written, which is the order of the draws.
    [
        Marker {
            test: "AFP",
            unit: "ng/mL",
            base: if afp_secretor {
                rng.lognormal(180.0, 1.3).clamp(15.0, 60_000.0)
            } else {
                rng.uniform(2.0, 12.0)
            },
            tumour_share: if afp_secretor {
                rng.uniform(0.85, 0.99)
            } else {
                rng.uniform(0.05, 0.2)
            },
            noise: if afp_secretor { 0.06 } else { 0.02 },
            decimals_below: if asian { 0.0 } else { 20.0 },
            measured: rng.chance(0.97),
        },
        Marker {
            test: "PIVKA-II",
            unit: "mAU/mL",
            base: if pivka_secretor {
                rng.lognormal(350.0, 1.3).clamp(45.0, 80_000.0)
            } else {
                rng.uniform(14.0, 38.0)
            },
            tumour_share: if pivka_secretor {
                rng.uniform(0.85, 0.99)
            } else {
                rng.uniform(0.05, 0.2)
            },
            noise: if pivka_secretor { 0.06 } else { 0.02 },
            decimals_below: 0.0,
            measured: rng.chance(if asian { 0.92 } else { 0.12 }),
        },
    ]
}

/// The baseline assessment and imaging; returns the liver, whether there was a
/// baseline assessment, and the baseline sum as reported (whole mm).
fn push_baseline(sc: &mut Scratch, rng: &mut Rng, p: &Profile) -> (Liver, bool, i64) {
    let first = p.first;
    let liver = Liver {
        score: 5 + rng.weighted(&[45, 30, 15, 7, 3]) as i64,
        ecog: rng.weighted(&[66, 30, 4]) as i64,
    };
    let bclc = if p.vi0 || p.ehs0 || liver.ecog >= 1 && rng.chance(0.3) {
        "C"
    } else if p.count0 == 1 && p.sum0 < 50.0 {
        "A"
    } else {
        "B"
    };
    let baseline_status = rng.chance(0.95);
    if baseline_status {
        let day = first - rng.int(0, 14);
        let stage = if rng.chance(0.9) { Some(bclc) } else { None };
        push_status(sc, rng, day, &liver, 0, p.vi0, stage);
    }

    let baseline_sum = p.sum0.round() as i64;
    let baseline_kind = rng.weighted(&[80, 5, 8, 7]);
    if baseline_kind < 3 {
        let day = match baseline_kind {
            0 => first - rng.int(1, 60),
            1 => first,
            _ => first - rng.int(91, 160),
        };
        let start = sc.begin(day, "imaging", None);
        sc.str_attr("modality", if p.prefers_mri { "MRI" } else { "CT" });
        if !rng.chance(MISSING) {
            sc.bool_attr("contrast", true);
        }
        if !rng.chance(MISSING) {
            sc.int_attr("target_viable_sum_mm", baseline_sum);
        }
        if !rng.chance(MISSING) {
            sc.int_attr("tumor_count", p.count0);
        }
        if !rng.chance(0.015) {
            sc.bool_attr("vascular_invasion", p.vi0);
        }
        if !rng.chance(0.015) {
            sc.bool_attr("extrahepatic_spread", p.ehs0);
        }
        sc.end(start, day, RANK_IMAGING);
    }
    (liver, baseline_status, baseline_sum)
}

fn draw_plan(rng: &mut Rng) -> Plan {
    let technique = rng.weighted(&TECHNIQUE_WEIGHTS);
    let regimen = rng.int(0, super::model::regimens(technique).len() as i64 - 1) as usize;
    let primary_target = rng.weighted(&SEGMENT_WEIGHTS);
    let intent = match rng.weighted(&[32, 58, 10]) {
        0 => Some("curative"),
        1 => Some("palliative"),
        _ => None,
    };
    Plan {
        technique,
        regimen,
        primary_target,
        intent,
    }
}

pub(super) fn push_patient(out: &mut String, sc: &mut Scratch, index: usize, seed: u64) {
    sc.text.clear();
    sc.slots.clear();
    let mut rng = Rng::for_patient(seed, index);
    let rng = &mut rng;

    let profile = draw_profile(rng);
    let (mut liver, baseline_status, baseline_sum) = push_baseline(sc, rng, &profile);
    let mut plan = draw_plan(rng);
    let mut tumour = Tumour::at_baseline(&profile, baseline_sum);
    let ended = course::push_sessions(sc, rng, &profile, &mut plan, &mut liver, &mut tumour);
    push_final_status(
        sc,
        rng,
        &profile,
        &mut liver,
        &tumour,
        &ended,
        baseline_status,
    );
    write_patient(out, sc, index, &profile);
}

/// The final clinical assessment, after the last session (always there when nothing
/// else assessed the patient).
fn push_final_status(
    sc: &mut Scratch,
    rng: &mut Rng,
    p: &Profile,
    liver: &mut Liver,
    tumour: &Tumour,
    ended: &course::Ended,
    baseline_status: bool,
) {
    if rng.chance(0.72) || !baseline_status && !ended.mid_status_done {
        liver.score += rng.weighted(&[55, 30, 10, 5]) as i64;
        if p.course == Course::Progressor || p.course == Course::Escape {
            liver.score += rng.weighted(&[50, 30, 20]) as i64;
            if rng.chance(0.25) {
                liver.ecog += 1;
            }
        }
        if rng.chance(0.08) {
            liver.ecog += 1;
        }
        if ended.sessions >= 4 && rng.chance(0.15) {
            liver.score += 1;
        }
        let status_day = ended.last_day + rng.int(21, 100);
        push_status(sc, rng, status_day, liver, ended.sessions, tumour.vi, None);
    }
}

fn write_patient(out: &mut String, sc: &mut Scratch, index: usize, p: &Profile) {
    sc.slots.sort_by_key(|s| (s.day, s.rank, s.start));
    out.push_str("{\"id\":\"S");
    let number = index as u64 + 1;
    let mut div = 1_000_000u64;
    while div > number && div > 1 {
        out.push('0');
        div /= 10;
    }
    push_uint(out, number);
    out.push_str("\",\"facts\":{\"sex\":\"");
    out.push_str(p.sex);
    out.push_str("\",\"age\":");
    push_uint(out, p.age as u64);
    out.push_str(",\"etiology\":\"");
    out.push_str(p.etiology);
    out.push_str("\",\"centre\":\"");
    out.push_str(if p.asian { "east-asia" } else { "west" });
    out.push_str("\",\"course\":\"");
    out.push_str(p.course.name());
    out.push_str("\",\"synthetic\":true},\"events\":[");
    for (i, slot) in sc.slots.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Some(text) = sc.text.get(slot.start..slot.end) {
            out.push_str(text);
        }
    }
    out.push_str("]}");
}
