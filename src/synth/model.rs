//! The clinical vocabulary of the model: courses, mRECIST categories, techniques, regimens
//! and segments, with how often each is drawn.

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Course {
    Responder,
    Stable,
    Escape,
    Progressor,
}

impl Course {
    pub(super) fn name(self) -> &'static str {
        match self {
            Course::Responder => "responder",
            Course::Stable => "stable",
            Course::Escape => "escape",
            Course::Progressor => "progressor",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mrecist {
    Cr,
    Pr,
    Sd,
    Pd,
}

impl Mrecist {
    pub(super) fn name(self) -> &'static str {
        match self {
            Mrecist::Cr => "CR",
            Mrecist::Pr => "PR",
            Mrecist::Sd => "SD",
            Mrecist::Pd => "PD",
        }
    }
}

/// Probability that any one optional attribute is not recorded.
pub(super) const MISSING: f64 = 0.03;

pub(super) const TECHNIQUES: [&str; 4] = ["cTACE", "DEB-TACE", "B-TACE", "TAE"];
pub(super) const TECHNIQUE_WEIGHTS: [u32; 4] = [55, 30, 8, 7];

pub(super) fn regimens(technique: usize) -> &'static [&'static [&'static str]] {
    match technique {
        0 => &[
            &["epirubicin"],
            &["epirubicin"],
            &["doxorubicin"],
            &["cisplatin"],
            &["miriplatin"],
            &["epirubicin", "mitomycin C"],
            &["cisplatin", "doxorubicin", "mitomycin C"],
        ],
        1 => &[
            &["doxorubicin"],
            &["doxorubicin"],
            &["epirubicin"],
            &["idarubicin"],
        ],
        2 => &[&["epirubicin"], &["miriplatin"], &["cisplatin"]],
        _ => &[&[]],
    }
}

pub(super) const SEGMENTS: [&str; 10] = [
    "S2",
    "S3",
    "S4",
    "S5",
    "S6",
    "S7",
    "S8",
    "S1",
    "right lobe",
    "left lobe",
];
pub(super) const SEGMENT_WEIGHTS: [u32; 10] = [5, 6, 10, 12, 14, 16, 22, 3, 8, 4];

/// mRECIST for target lesions from reported sums (whole mm), exactly.
pub(super) fn target_response(sum: i64, baseline: i64, nadir: i64) -> Mrecist {
    if sum == 0 && nadir >= 0 {
        Mrecist::Cr
    } else if sum * 5 >= nadir * 6 {
        Mrecist::Pd
    } else if sum * 10 <= baseline * 7 {
        Mrecist::Pr
    } else {
        Mrecist::Sd
    }
}
