//! The course of treatment, session by session: labs before the session, the session
//! itself, what it does to the tumour, the response imaging (in `imaging`) and the
//! markers until the next session.

use super::imaging::{push_response_imaging, Response};
use super::labs::{interpolate, push_labs};
use super::model::{
    regimens, target_response, Course, Mrecist, MISSING, SEGMENTS, SEGMENT_WEIGHTS, TECHNIQUES,
};
use super::patient::Profile;
use super::rng::Rng;
use super::status::{push_status, Liver, Session};
use super::writer::{Scratch, RANK_TACE};

/// The treatment as planned, changed along the way when sessions go poorly.
pub(super) struct Plan {
    pub(super) technique: usize,
    pub(super) regimen: usize,
    pub(super) primary_target: usize,
    pub(super) intent: Option<&'static str>,
}

/// The tumour as it evolves.
pub(super) struct Tumour {
    /// Latent viable target sum (mm) before the next session.
    latent: f64,
    /// The treated tumour, viable or not (mm).
    extent: f64,
    count: i64,
    pub(super) vi: bool,
    ehs: bool,
    nadir: i64,
    /// The baseline sum as reported (whole mm), which mRECIST compares against.
    baseline: i64,
    count0: i64,
    sum0: f64,
}

impl Tumour {
    pub(super) fn at_baseline(p: &Profile, baseline_sum: i64) -> Tumour {
        Tumour {
            latent: p.sum0,
            extent: p.sum0,
            count: p.count0,
            vi: p.vi0,
            ehs: p.ehs0,
            nadir: baseline_sum,
            baseline: baseline_sum,
            count0: p.count0,
            sum0: p.sum0,
        }
    }

    /// The tumour burden relative to baseline (new lesions count as 6 mm each).
    fn burden(&self, sum: f64, count: i64) -> f64 {
        ((sum + 6.0 * (count - self.count0).max(0) as f64) / self.sum0).max(0.05)
    }
}

/// How the course ended, for the final assessment.
pub(super) struct Ended {
    pub(super) sessions: usize,
    pub(super) mid_status_done: bool,
    pub(super) last_day: i64,
}

pub(super) fn push_sessions(
    sc: &mut Scratch,
    rng: &mut Rng,
    p: &Profile,
    plan: &mut Plan,
    liver: &mut Liver,
    tumour: &mut Tumour,
) -> Ended {
    let mut day = p.first;
    let mut previous: Option<Session> = None;
    let mut sessions = 0usize;
    let mut mid_status_done = false;

    for k in 1..=p.planned {
        sessions = k;
        let pre_burden = tumour.burden(tumour.latent, tumour.count);

        // Pre-session labs, on the day or within the week before: always before the first
        // session; before later ones in Asian centres, while Western centres mostly rely
        // on the labs of the response-imaging visit.
        if k == 1 || rng.chance(if p.asian { 0.95 } else { 0.15 }) {
            let lab_day = if rng.chance(0.55) {
                day
            } else {
                day - rng.int(1, 7)
            };
            push_labs(sc, rng, &p.markers, lab_day, pre_burden, 0.04);
        }

        // Mid-course clinical assessment.
        if k >= 2 && k < p.planned && !mid_status_done && rng.chance(0.3) {
            mid_status_done = true;
            let status_day = day - rng.int(0, 3);
            liver.score += rng.weighted(&[70, 25, 5]) as i64;
            if p.course == Course::Progressor && rng.chance(0.3) {
                liver.score += 1;
            }
            push_status(sc, rng, status_day, liver, k - 1, tumour.vi, None);
        }

        let target = push_session(sc, rng, plan, previous.as_ref(), k, day);
        let (response, post_burden, next_latent) = treat(rng, p, tumour, k);

        // Does treatment go on? Stop early after complete response or on progression.
        let stop = k < p.planned
            && match response.overall {
                Mrecist::Cr => rng.chance(0.6),
                Mrecist::Pd if k >= 3 => rng.chance(0.3),
                _ => false,
            };
        let last = k == p.planned || stop;
        let gap = rng.int(42, 84);
        let next_day = day + gap;

        let imaging_day =
            push_response_imaging(sc, rng, p, plan.technique, &response, day, gap, last);
        let knots = [
            (0.0, pre_burden),
            (10.0, post_burden),
            (gap as f64, tumour.burden(next_latent, tumour.count)),
        ];
        push_followup_labs(sc, rng, p, day, gap, last, imaging_day, &knots);

        previous = Some(Session {
            day,
            target,
            poor: response.viable > 50.0 || response.overall == Mrecist::Pd,
        });
        tumour.latent = next_latent;
        if last {
            break;
        }
        day = next_day;
    }
    Ended {
        sessions,
        mid_status_done,
        last_day: previous.as_ref().map_or(day, |s| s.day),
    }
}

/// The session's event (technique and agents sometimes changed after a poor session);
/// returns the segment treated.
fn push_session(
    sc: &mut Scratch,
    rng: &mut Rng,
    plan: &mut Plan,
    previous: Option<&Session>,
    k: usize,
    day: i64,
) -> usize {
    let poor_before = previous.is_some_and(|s| s.poor);
    if k >= 2 {
        if rng.chance(if poor_before { 0.08 } else { 0.03 }) {
            plan.technique = if plan.technique == 1 { 0 } else { 1 };
            plan.regimen = rng.int(0, regimens(plan.technique).len() as i64 - 1) as usize;
        } else if rng.chance(if poor_before { 0.2 } else { 0.05 }) {
            let n = regimens(plan.technique).len();
            if n > 1 {
                plan.regimen = (plan.regimen + 1 + rng.int(0, n as i64 - 2) as usize) % n;
            }
        }
        if poor_before && plan.intent == Some("curative") && rng.chance(0.3) {
            plan.intent = Some("palliative");
        }
    }
    let target = match previous {
        Some(s) if rng.chance(0.88) => s.target,
        Some(_) => rng.weighted(&SEGMENT_WEIGHTS),
        None => plan.primary_target,
    };
    let timed = rng.chance(0.08);
    let minutes = if timed {
        Some(rng.int(9 * 60, 15 * 60 + 45))
    } else {
        None
    };
    let start = sc.begin(day, "tace", minutes);
    if !rng.chance(0.01) {
        sc.str_attr(
            "technique",
            TECHNIQUES.get(plan.technique).copied().unwrap_or("cTACE"),
        );
    }
    if !rng.chance(MISSING) {
        let agents = regimens(plan.technique)
            .get(plan.regimen)
            .copied()
            .unwrap_or(&[]);
        sc.list_attr("agents", agents);
    }
    if rng.chance(0.8) {
        sc.bool_attr("selective", rng.chance(0.75));
    }
    if rng.chance(0.4) {
        sc.bool_attr("adequate", rng.chance(0.93));
    }
    if k >= 2 && rng.chance(0.85) {
        sc.bool_attr(
            "feeding_artery_reanalysis",
            rng.chance(if poor_before { 0.12 } else { 0.04 }),
        );
    }
    if !rng.chance(MISSING) {
        sc.str_attr("target", SEGMENTS.get(target).copied().unwrap_or("S8"));
    }
    if let Some(i) = plan.intent {
        if !rng.chance(MISSING) {
            sc.str_attr("intent", i);
        }
    }
    sc.end(start, day, RANK_TACE);
    target
}

/// What session `k` does to the tumour: the response as it will be reported, the
/// burden just after the session, and the latent sum at the next session.
fn treat(rng: &mut Rng, p: &Profile, t: &mut Tumour, k: usize) -> (Response, f64, f64) {
    let responding = match p.course {
        Course::Responder => true,
        Course::Escape => k <= p.escape_after,
        _ => false,
    };
    let factor = match p.course {
        _ if responding && k == 1 => rng.uniform(0.3, 0.72),
        _ if responding => rng.uniform(0.45, 0.9),
        Course::Stable => rng.uniform(0.74, 1.0),
        Course::Escape => rng.uniform(0.9, 1.2),
        _ => rng.uniform(0.88, 1.18),
    };
    t.latent *= factor;
    if t.latent < 8.0 && (responding && rng.chance(0.6) || t.latent < 4.0) {
        t.latent = 0.0;
    }
    t.extent = t
        .latent
        .max(0.92 * t.extent.max(t.latent / factor.max(0.01)));
    let new_lesion = rng.chance(p.new_lesion_rate);
    if new_lesion {
        t.count += 1 + rng.weighted(&[70, 22, 8]) as i64;
    } else if responding && t.count > 1 && rng.chance(0.1) {
        t.count -= 1;
    }
    if !t.vi && rng.chance(p.vi_rate * k as f64) {
        t.vi = true;
    }
    if !t.ehs && rng.chance(p.ehs_rate * k as f64) {
        t.ehs = true;
    }
    let post_burden = t.burden(t.latent, t.count);

    // Growth until the next session.
    let regrowth = match p.course {
        Course::Responder => rng.uniform(0.95, 1.08),
        Course::Stable => rng.uniform(0.98, 1.08),
        Course::Escape if k < p.escape_after => rng.uniform(1.0, 1.1),
        Course::Escape => rng.uniform(1.15, 1.4),
        Course::Progressor => rng.uniform(1.1, 1.38),
    };
    let mut next_latent = t.latent * regrowth;
    if t.latent == 0.0 && k < p.planned {
        // Re-treatment after complete response means a recurrence.
        next_latent = rng.uniform(10.0, 22.0);
    }

    // Reported response.
    let reported = if t.latent == 0.0 {
        0
    } else {
        (t.latent * (1.0 + 0.04 * rng.normal())).round().max(5.0) as i64
    };
    let target_resp = target_response(reported, t.baseline, t.nadir);
    t.nadir = t.nadir.min(reported);
    let overall = if target_resp == Mrecist::Pd || new_lesion || t.vi && !p.vi0 || t.ehs && !p.ehs0
    {
        Mrecist::Pd
    } else {
        target_resp
    };
    let viable = if t.extent > 0.0 {
        (100.0 * (t.latent / t.extent).powi(2) + 6.0 * rng.normal()).clamp(0.0, 100.0)
    } else {
        0.0
    };
    let viable = if t.latent == 0.0 {
        0.0
    } else {
        viable.max(3.0)
    };
    let response = Response {
        reported,
        target: target_resp,
        overall,
        viable,
        new_lesion,
        count: t.count,
        vi: t.vi,
        ehs: t.ehs,
    };
    (response, post_burden, next_latent)
}

/// Markers after the session, up to the next session (or 3 months): about monthly in
/// Asian centres, at the response-imaging visit in Western ones; sometimes an early
/// check in the first weeks. One to three draws.
#[allow(clippy::too_many_arguments)]
fn push_followup_labs(
    sc: &mut Scratch,
    rng: &mut Rng,
    p: &Profile,
    day: i64,
    gap: i64,
    last: bool,
    imaging_day: Option<i64>,
    knots: &[(f64, f64); 3],
) {
    let horizon = if last { 90 } else { gap - 1 };
    let imaging_offset = imaging_day.map(|d| d - day);
    let mut draws = 0;
    let mut after = 0;
    let draw = |sc: &mut Scratch, rng: &mut Rng, offset: i64| {
        let relative = interpolate(offset as f64, knots);
        push_labs(sc, rng, &p.markers, day + offset, relative, 0.03);
    };
    if rng.chance(if p.asian { 0.15 } else { 0.1 }) {
        after = rng.int(7, 18);
        draw(sc, rng, after);
        draws += 1;
    }
    if p.asian {
        let mut month = 1;
        while draws < 3 && 28 * month + 4 <= horizon {
            let mut offset = 28 * month + rng.int(-4, 4);
            if let Some(img) = imaging_offset {
                if (img - offset).abs() <= 7 && rng.chance(0.7) {
                    offset = img;
                }
            }
            if offset > after && offset <= horizon {
                draw(sc, rng, offset);
                draws += 1;
                after = offset;
            }
            month += 1;
        }
    } else if let Some(img) = imaging_offset.filter(|&o| o > after && o <= horizon) {
        draw(sc, rng, img);
        draws += 1;
    } else if rng.chance(0.85) {
        let offset = rng.int(35.max(after + 1), 60.min(horizon).max(after + 1));
        draw(sc, rng, offset);
        draws += 1;
    }
    if draws == 0 {
        let offset = rng.int(21, horizon.max(21));
        draw(sc, rng, offset);
    }
}
