//! Seeded synthetic cohorts: patient timelines in the format of
//! `docs/timeline-format.md`, for load tests, demonstrations and for looking at how the
//! shipped definitions behave on a cohort that resembles real TACE practice.
//!
//! Every patient is drawn from its own small random generator (splitmix64 seeded from
//! the cohort seed and the patient's number), so patient `i` of seed `s` is always the
//! same text, whatever the order in which patients are generated.
//!
//! # The model
//!
//! Each patient has a latent course (`facts.course`): `responder` (the viable tumour
//! shrinks, sometimes to complete response), `stable`, `escape` (responds to the first
//! one or two sessions, then grows) or `progressor`; and a centre (`facts.centre`):
//! `east-asia` (CT/MRI 4-6 weeks after a session, tumour markers about monthly, PIVKA-II
//! measured) or `west` (imaging mostly 6-10 weeks after, AFP at the imaging visit,
//! PIVKA-II rarely). A latent viable tumour size evolves session by session from the
//! course; imaging reports it with measurement noise, and the mRECIST categories are
//! computed exactly from the reported sums against the baseline and the nadir, so they
//! agree with the numbers. The tumour count grows with new lesions, more often in
//! progressors; vascular invasion and extrahepatic spread appear late in a minority.
//! AFP and PIVKA-II are a liver background plus a tumour part that follows the viable
//! volume (a large part in secretors, a small one in the others), with noise. Child-Pugh
//! score and ECOG drift over the course, faster in progressors, with decompensation
//! flags when the score is high. A few percent of attributes are missing, a few
//! baselines are too old or absent, some sessions have no response imaging or only
//! ultrasound (which does not assess extrahepatic spread), some imaging is done on the
//! day of the next session, and a few events carry a time.

use std::io::Write;

/// Write `patients` synthetic patients as JSON Lines, deterministically from `seed`.
pub fn write_cohort(patients: usize, seed: u64, out: &mut impl Write) -> std::io::Result<()> {
    const CHUNK: usize = 1 << 20;
    let mut buf = String::with_capacity(CHUNK + 16 * 1024);
    let mut scratch = Scratch::default();
    for index in 0..patients {
        push_patient(&mut buf, &mut scratch, index, seed);
        buf.push('\n');
        if buf.len() >= CHUNK {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())?;
    out.flush()
}

/// One patient's JSON object (no newline): patient number `index` of the cohort with
/// `seed`, independent of the others, so patients can be generated in any order or in
/// parallel.
pub fn patient_json(index: usize, seed: u64) -> String {
    let mut buf = String::with_capacity(4096);
    push_patient(&mut buf, &mut Scratch::default(), index, seed);
    buf
}

// ---------------------------------------------------------------------------------------
// Random numbers

/// splitmix64: tiny, fast, and good enough for simulation.
struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    fn for_patient(seed: u64, index: usize) -> Rng {
        let a = mix64(seed.wrapping_add(GOLDEN));
        let b = mix64((index as u64).wrapping_mul(GOLDEN) ^ a.rotate_left(17));
        Rng(a ^ b)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix64(self.0)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform whole number in [lo, hi] (both ends included).
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo + 1) as u64;
        lo + (self.next_u64() % span) as i64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Approximately standard normal (Irwin–Hall with 4 terms, rescaled): cheap, and the
    /// tails are bounded at ±3.46, which keeps simulated values sane.
    fn normal(&mut self) -> f64 {
        let s = self.unit() + self.unit() + self.unit() + self.unit();
        (s - 2.0) * 1.732_050_8
    }

    /// Log-normal with the given median and log-scale spread.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// An index drawn with the given weights (0 if all weights are 0).
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        if total == 0 {
            return 0;
        }
        let mut x = self.next_u64() % total;
        for (i, &w) in weights.iter().enumerate() {
            let w = u64::from(w);
            if x < w {
                return i;
            }
            x -= w;
        }
        0
    }
}

// ---------------------------------------------------------------------------------------
// Dates: days since 1970-01-01 (proleptic Gregorian)

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

// ---------------------------------------------------------------------------------------
// Text output

fn push_digit(buf: &mut String, d: u64) {
    buf.push(char::from(b'0' + (d % 10) as u8));
}

fn push_uint(buf: &mut String, n: u64) {
    let mut div = 1u64;
    while div <= n / 10 {
        div *= 10;
    }
    let mut rest = n;
    while div > 0 {
        push_digit(buf, rest / div);
        rest %= div;
        div /= 10;
    }
}

/// Two digits, zero-padded.
fn push_2(buf: &mut String, n: i64) {
    let n = n.clamp(0, 99) as u64;
    push_digit(buf, n / 10);
    push_digit(buf, n);
}

fn push_date(buf: &mut String, day: i64) {
    let (y, m, d) = civil_from_days(day);
    push_uint(buf, y.clamp(0, 9999) as u64);
    buf.push('-');
    push_2(buf, m);
    buf.push('-');
    push_2(buf, d);
}

/// A non-negative number with at most one decimal (`12`, `3.4`).
fn push_dec1(buf: &mut String, v: f64) {
    let tenths = (v.max(0.0) * 10.0).round() as u64;
    push_uint(buf, tenths / 10);
    if tenths % 10 != 0 {
        buf.push('.');
        push_digit(buf, tenths % 10);
    }
}

/// One event in the making: its sort key and where its text lies in `Scratch::text`.
#[derive(Clone, Copy)]
struct Slot {
    day: i64,
    rank: u8,
    start: usize,
    end: usize,
}

/// Buffers reused from patient to patient.
#[derive(Default)]
struct Scratch {
    text: String,
    slots: Vec<Slot>,
    /// The last date written, as text (events cluster on few days).
    date_day: Option<i64>,
    date_text: String,
}

/// Kind ranks for the order of events within a day in the output (refract sorts by
/// its own rules anyway; this only makes the file read naturally).
const RANK_STATUS: u8 = 0;
const RANK_IMAGING: u8 = 1;
const RANK_LAB: u8 = 2;
const RANK_TACE: u8 = 3;

impl Scratch {
    fn begin(&mut self, day: i64, kind: &str, minutes: Option<i64>) -> usize {
        let start = self.text.len();
        self.text.push_str("{\"date\":\"");
        if self.date_day != Some(day) {
            self.date_day = Some(day);
            self.date_text.clear();
            push_date(&mut self.date_text, day);
        }
        self.text.push_str(&self.date_text);
        self.text.push('"');
        if let Some(m) = minutes {
            self.text.push_str(",\"time\":\"");
            push_2(&mut self.text, m / 60);
            self.text.push(':');
            push_2(&mut self.text, m % 60);
            self.text.push('"');
        }
        self.text.push_str(",\"kind\":\"");
        self.text.push_str(kind);
        self.text.push('"');
        start
    }

    fn end(&mut self, start: usize, day: i64, rank: u8) {
        self.text.push('}');
        self.slots.push(Slot {
            day,
            rank,
            start,
            end: self.text.len(),
        });
    }

    fn key(&mut self, key: &str) {
        self.text.push_str(",\"");
        self.text.push_str(key);
        self.text.push_str("\":");
    }

    fn str_attr(&mut self, key: &str, value: &str) {
        self.key(key);
        self.text.push('"');
        self.text.push_str(value);
        self.text.push('"');
    }

    fn bool_attr(&mut self, key: &str, value: bool) {
        self.key(key);
        self.text.push_str(if value { "true" } else { "false" });
    }

    fn int_attr(&mut self, key: &str, value: i64) {
        self.key(key);
        push_uint(&mut self.text, value.max(0) as u64);
    }

    fn dec_attr(&mut self, key: &str, value: f64) {
        self.key(key);
        push_dec1(&mut self.text, value);
    }

    fn list_attr(&mut self, key: &str, values: &[&str]) {
        self.key(key);
        self.text.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            self.text.push('"');
            self.text.push_str(v);
            self.text.push('"');
        }
        self.text.push(']');
    }
}

// ---------------------------------------------------------------------------------------
// The clinical model

#[derive(Clone, Copy, PartialEq, Eq)]
enum Course {
    Responder,
    Stable,
    Escape,
    Progressor,
}

impl Course {
    fn name(self) -> &'static str {
        match self {
            Course::Responder => "responder",
            Course::Stable => "stable",
            Course::Escape => "escape",
            Course::Progressor => "progressor",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mrecist {
    Cr,
    Pr,
    Sd,
    Pd,
}

impl Mrecist {
    fn name(self) -> &'static str {
        match self {
            Mrecist::Cr => "CR",
            Mrecist::Pr => "PR",
            Mrecist::Sd => "SD",
            Mrecist::Pd => "PD",
        }
    }
}

/// Probability that any one optional attribute is not recorded.
const MISSING: f64 = 0.03;

const TECHNIQUES: [&str; 4] = ["cTACE", "DEB-TACE", "B-TACE", "TAE"];
const TECHNIQUE_WEIGHTS: [u32; 4] = [55, 30, 8, 7];

fn regimens(technique: usize) -> &'static [&'static [&'static str]] {
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

const SEGMENTS: [&str; 10] = [
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
const SEGMENT_WEIGHTS: [u32; 10] = [5, 6, 10, 12, 14, 16, 22, 3, 8, 4];

/// mRECIST for target lesions from reported sums (whole mm), exactly.
fn target_response(sum: i64, baseline: i64, nadir: i64) -> Mrecist {
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

/// Where a marker is between knots: log-linear interpolation of the burden.
fn interpolate(t: f64, knots: &[(f64, f64); 3]) -> f64 {
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

struct Marker {
    test: &'static str,
    unit: &'static str,
    /// Value at the baseline burden.
    base: f64,
    /// The share of `base` the tumour makes at baseline (the rest is background from
    /// the liver, which does not change); the tumour's share follows its viable volume.
    tumour_share: f64,
    /// Log-scale noise of one measurement.
    noise: f64,
    /// Values below this are reported with one decimal, others as whole numbers.
    decimals_below: f64,
    /// Whether the centre measures this marker at all (PIVKA-II is mostly an Asian
    /// practice).
    measured: bool,
}

impl Marker {
    fn value(&self, rng: &mut Rng, relative_burden: f64) -> f64 {
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
fn push_labs(
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

/// What one session did, as known when the next is planned.
struct Session {
    day: i64,
    target: usize,
    poor: bool,
}

struct Liver {
    score: i64,
    ecog: i64,
}

#[allow(clippy::too_many_arguments)]
fn push_status(
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

fn push_patient(out: &mut String, sc: &mut Scratch, index: usize, seed: u64) {
    sc.text.clear();
    sc.slots.clear();
    let mut rng = Rng::for_patient(seed, index);
    let rng = &mut rng;

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
    // Escape: the session after which the tumour starts growing again.
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

    // --- markers
    let afp_secretor = rng.chance(0.55);
    let pivka_secretor = rng.chance(0.6);
    let markers = [
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
    ];

    // --- first session between mid-2015 and mid-2023, so everything stays in 2015-2025
    let first = rng.int(days_from_civil(2015, 7, 1), days_from_civil(2023, 6, 30));

    // --- liver function
    let mut liver = Liver {
        score: 5 + rng.weighted(&[45, 30, 15, 7, 3]) as i64,
        ecog: rng.weighted(&[66, 30, 4]) as i64,
    };
    let bclc = if vi0 || ehs0 || liver.ecog >= 1 && rng.chance(0.3) {
        "C"
    } else if count0 == 1 && sum0 < 50.0 {
        "A"
    } else {
        "B"
    };
    let baseline_status = rng.chance(0.95);
    if baseline_status {
        let day = first - rng.int(0, 14);
        let stage = if rng.chance(0.9) { Some(bclc) } else { None };
        push_status(sc, rng, day, &liver, 0, vi0, stage);
    }

    // --- baseline imaging
    let baseline_sum = sum0.round() as i64;
    let baseline_kind = rng.weighted(&[80, 5, 8, 7]);
    if baseline_kind < 3 {
        let day = match baseline_kind {
            0 => first - rng.int(1, 60),
            1 => first,
            _ => first - rng.int(91, 160),
        };
        let start = sc.begin(day, "imaging", None);
        sc.str_attr("modality", if prefers_mri { "MRI" } else { "CT" });
        if !rng.chance(MISSING) {
            sc.bool_attr("contrast", true);
        }
        if !rng.chance(MISSING) {
            sc.int_attr("target_viable_sum_mm", baseline_sum);
        }
        if !rng.chance(MISSING) {
            sc.int_attr("tumor_count", count0);
        }
        if !rng.chance(0.015) {
            sc.bool_attr("vascular_invasion", vi0);
        }
        if !rng.chance(0.015) {
            sc.bool_attr("extrahepatic_spread", ehs0);
        }
        sc.end(start, day, RANK_IMAGING);
    }

    // --- treatment plan
    let mut technique = rng.weighted(&TECHNIQUE_WEIGHTS);
    let mut regimen = rng.int(0, regimens(technique).len() as i64 - 1) as usize;
    let primary_target = rng.weighted(&SEGMENT_WEIGHTS);
    let mut intent = match rng.weighted(&[32, 58, 10]) {
        0 => Some("curative"),
        1 => Some("palliative"),
        _ => None,
    };

    // --- the course, session by session
    let mut latent = sum0; // latent viable target sum (mm) before the session
    let mut extent = sum0; // the treated tumour, viable or not (mm)
    let mut count = count0;
    let mut vi = vi0;
    let mut ehs = ehs0;
    let mut nadir = baseline_sum;
    let mut day = first;
    let mut previous: Option<Session> = None;
    let mut sessions = 0usize;
    let mut mid_status_done = false;
    let burden0 = sum0;
    let burden = |sum: f64, count: i64| -> f64 {
        ((sum + 6.0 * (count - count0).max(0) as f64) / burden0).max(0.05)
    };

    for k in 1..=planned {
        sessions = k;
        let pre_burden = burden(latent, count);

        // Pre-session labs, on the day or within the week before: always before the first
        // session; before later ones in Asian centres, while Western centres mostly rely
        // on the labs of the response-imaging visit.
        if k == 1 || rng.chance(if asian { 0.95 } else { 0.15 }) {
            let lab_day = if rng.chance(0.55) {
                day
            } else {
                day - rng.int(1, 7)
            };
            push_labs(sc, rng, &markers, lab_day, pre_burden, 0.04);
        }

        // Mid-course clinical assessment.
        if k >= 2 && k < planned && !mid_status_done && rng.chance(0.3) {
            mid_status_done = true;
            let status_day = day - rng.int(0, 3);
            liver.score += rng.weighted(&[70, 25, 5]) as i64;
            if course == Course::Progressor && rng.chance(0.3) {
                liver.score += 1;
            }
            push_status(sc, rng, status_day, &liver, k - 1, vi, None);
        }

        // The session.
        let poor_before = previous.as_ref().is_some_and(|p| p.poor);
        if k >= 2 {
            if rng.chance(if poor_before { 0.08 } else { 0.03 }) {
                technique = if technique == 1 { 0 } else { 1 };
                regimen = rng.int(0, regimens(technique).len() as i64 - 1) as usize;
            } else if rng.chance(if poor_before { 0.2 } else { 0.05 }) {
                let n = regimens(technique).len();
                if n > 1 {
                    regimen = (regimen + 1 + rng.int(0, n as i64 - 2) as usize) % n;
                }
            }
            if poor_before && intent == Some("curative") && rng.chance(0.3) {
                intent = Some("palliative");
            }
        }
        let target = match &previous {
            Some(p) if rng.chance(0.88) => p.target,
            Some(_) => rng.weighted(&SEGMENT_WEIGHTS),
            None => primary_target,
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
                TECHNIQUES.get(technique).copied().unwrap_or("cTACE"),
            );
        }
        if !rng.chance(MISSING) {
            let agents = regimens(technique).get(regimen).copied().unwrap_or(&[]);
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
        if let Some(i) = intent {
            if !rng.chance(MISSING) {
                sc.str_attr("intent", i);
            }
        }
        sc.end(start, day, RANK_TACE);

        // What the session does to the viable tumour.
        let responding = match course {
            Course::Responder => true,
            Course::Escape => k <= escape_after,
            _ => false,
        };
        let factor = match course {
            _ if responding && k == 1 => rng.uniform(0.3, 0.72),
            _ if responding => rng.uniform(0.45, 0.9),
            Course::Stable => rng.uniform(0.74, 1.0),
            Course::Escape => rng.uniform(0.9, 1.2),
            _ => rng.uniform(0.88, 1.18),
        };
        latent *= factor;
        if latent < 8.0 && (responding && rng.chance(0.6) || latent < 4.0) {
            latent = 0.0;
        }
        extent = latent.max(0.92 * extent.max(latent / factor.max(0.01)));
        let new_lesion = rng.chance(new_lesion_rate);
        if new_lesion {
            count += 1 + rng.weighted(&[70, 22, 8]) as i64;
        } else if responding && count > 1 && rng.chance(0.1) {
            count -= 1;
        }
        if !vi && rng.chance(vi_rate * k as f64) {
            vi = true;
        }
        if !ehs && rng.chance(ehs_rate * k as f64) {
            ehs = true;
        }
        let post_burden = burden(latent, count);

        // Growth until the next session.
        let regrowth = match course {
            Course::Responder => rng.uniform(0.95, 1.08),
            Course::Stable => rng.uniform(0.98, 1.08),
            Course::Escape if k < escape_after => rng.uniform(1.0, 1.1),
            Course::Escape => rng.uniform(1.15, 1.4),
            Course::Progressor => rng.uniform(1.1, 1.38),
        };
        let mut next_latent = latent * regrowth;
        if latent == 0.0 && k < planned {
            // Re-treatment after complete response means a recurrence.
            next_latent = rng.uniform(10.0, 22.0);
        }

        // Reported response.
        let reported = if latent == 0.0 {
            0
        } else {
            (latent * (1.0 + 0.04 * rng.normal())).round().max(5.0) as i64
        };
        let target_resp = target_response(reported, baseline_sum, nadir);
        nadir = nadir.min(reported);
        let overall = if target_resp == Mrecist::Pd || new_lesion || vi && !vi0 || ehs && !ehs0 {
            Mrecist::Pd
        } else {
            target_resp
        };
        let viable = if extent > 0.0 {
            (100.0 * (latent / extent).powi(2) + 6.0 * rng.normal()).clamp(0.0, 100.0)
        } else {
            0.0
        };
        let viable = if latent == 0.0 { 0.0 } else { viable.max(3.0) };

        // Does treatment go on? Stop early after complete response or on progression.
        let stop = k < planned
            && match overall {
                Mrecist::Cr => rng.chance(0.6),
                Mrecist::Pd if k >= 3 => rng.chance(0.3),
                _ => false,
            };
        let last = k == planned || stop;
        let gap = rng.int(42, 84);
        let next_day = day + gap;

        // Response imaging.
        let has_imaging = rng.chance(if last { 0.96 } else { 0.94 });
        let mut imaging_day = None;
        if has_imaging {
            let mut delay = if early_imaging {
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
            imaging_day = Some(img_day);
            // A few scans carry the time (early morning, before any session that day).
            let img_minutes = if rng.chance(0.03) {
                Some(rng.int(7 * 60, 8 * 60 + 45))
            } else {
                None
            };
            let modality = match rng.weighted(&[95, 2, 3]) {
                0 if prefers_mri && rng.chance(0.8) => "MRI",
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
                        sc.str_attr("mrecist", overall.name());
                    }
                    if !rng.chance(MISSING) {
                        sc.str_attr("mrecist_target", target_resp.name());
                    }
                    if !rng.chance(MISSING) {
                        sc.int_attr("target_viable_sum_mm", reported);
                    }
                }
                if !rng.chance(MISSING) {
                    sc.int_attr("viable_percent", viable.round() as i64);
                }
                if (technique == 0 || technique == 2) && !rng.chance(MISSING) {
                    // Deposition roughly fills the necrotic part, never quite all of it,
                    // and some oil stays in viable tumour too.
                    let lipiodol =
                        (0.85 * (100.0 - viable) + rng.uniform(5.0, 30.0) + 6.0 * rng.normal())
                            .clamp(0.0, 100.0);
                    sc.int_attr("lipiodol_percent", lipiodol.round() as i64);
                }
            } else if modality == "CEUS" && !rng.chance(0.3) {
                sc.int_attr("viable_percent", viable.round() as i64);
            }
            if !rng.chance(MISSING) {
                sc.int_attr("tumor_count", count);
            }
            if !rng.chance(MISSING) {
                sc.bool_attr("new_intrahepatic_lesion", new_lesion);
            }
            if !rng.chance(0.015) {
                sc.bool_attr("vascular_invasion", vi);
            }
            if cross_sectional && !rng.chance(0.015) {
                sc.bool_attr("extrahepatic_spread", ehs);
            }
            sc.end(start, img_day, RANK_IMAGING);
        }

        // Markers after the session, up to the next session (or 3 months): about monthly
        // in Asian centres, at the response-imaging visit in Western ones; sometimes an
        // early check in the first weeks. One to three draws.
        let horizon = if last { 90 } else { gap - 1 };
        let knots = [
            (0.0, pre_burden),
            (10.0, post_burden),
            (gap as f64, burden(next_latent, count)),
        ];
        let imaging_offset = imaging_day.map(|d| d - day);
        let mut draws = 0;
        let mut after = 0;
        let draw = |sc: &mut Scratch, rng: &mut Rng, offset: i64| {
            let relative = interpolate(offset as f64, &knots);
            push_labs(sc, rng, &markers, day + offset, relative, 0.03);
        };
        if rng.chance(if asian { 0.15 } else { 0.1 }) {
            after = rng.int(7, 18);
            draw(sc, rng, after);
            draws += 1;
        }
        if asian {
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

        previous = Some(Session {
            day,
            target,
            poor: viable > 50.0 || overall == Mrecist::Pd,
        });
        latent = next_latent;
        if last {
            break;
        }
        day = next_day;
    }

    // Final clinical assessment, after the last session.
    let last_day = previous.as_ref().map_or(day, |p| p.day);
    if rng.chance(0.72) || !baseline_status && !mid_status_done {
        liver.score += rng.weighted(&[55, 30, 10, 5]) as i64;
        if course == Course::Progressor || course == Course::Escape {
            liver.score += rng.weighted(&[50, 30, 20]) as i64;
            if rng.chance(0.25) {
                liver.ecog += 1;
            }
        }
        if rng.chance(0.08) {
            liver.ecog += 1;
        }
        if sessions >= 4 && rng.chance(0.15) {
            liver.score += 1;
        }
        let status_day = last_day + rng.int(21, 100);
        push_status(sc, rng, status_day, &liver, sessions, vi, None);
    }

    // --- write the patient
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
    out.push_str(sex);
    out.push_str("\",\"age\":");
    push_uint(out, age as u64);
    out.push_str(",\"etiology\":\"");
    out.push_str(etiology);
    out.push_str("\",\"centre\":\"");
    out.push_str(if asian { "east-asia" } else { "west" });
    out.push_str("\",\"course\":\"");
    out.push_str(course.name());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::{parse_patient, Origin};
    use crate::vocabulary::Vocabulary;

    fn cohort(n: usize, seed: u64) -> String {
        let mut out = Vec::new();
        write_cohort(n, seed, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn dates_round_trip() {
        for day in days_from_civil(1999, 1, 1)..days_from_civil(2031, 1, 1) {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
            let mut s = String::new();
            push_date(&mut s, day);
            crate::date::Date::parse(&s).unwrap();
        }
        let mut s = String::new();
        push_date(&mut s, days_from_civil(2020, 2, 29));
        assert_eq!(s, "2020-02-29");
    }

    #[test]
    fn numbers_are_written_plainly() {
        let mut s = String::new();
        push_uint(&mut s, 0);
        s.push(' ');
        push_uint(&mut s, 1_000_070);
        s.push(' ');
        push_dec1(&mut s, 3.45);
        s.push(' ');
        push_dec1(&mut s, 12.0);
        assert_eq!(s, "0 1000070 3.5 12");
    }

    #[test]
    fn deterministic() {
        assert_eq!(cohort(200, 7), cohort(200, 7));
        assert_ne!(cohort(200, 7), cohort(200, 8));
    }

    #[test]
    fn patient_json_is_the_line_of_the_cohort() {
        let text = cohort(300, 42);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 300);
        for i in [0, 1, 17, 150, 299] {
            assert_eq!(patient_json(i, 42), lines[i]);
        }
        assert!(lines[0].starts_with("{\"id\":\"S0000001\""));
        assert!(lines[299].starts_with("{\"id\":\"S0000300\""));
    }

    #[test]
    fn every_patient_loads() {
        let vocab = Vocabulary::builtin();
        let text = cohort(2000, 2024);
        let first = days_from_civil(2015, 1, 1);
        let end = days_from_civil(2025, 12, 31);
        for (i, line) in text.lines().enumerate() {
            let patient = parse_patient(line, &Origin::new("synth", Some(i + 1)), &vocab)
                .unwrap_or_else(|e| panic!("patient {i} does not load: {e:?}\n{line}"));
            assert!(!patient.events.is_empty());
            for event in &patient.events {
                let (y, m, d) = (
                    i64::from(event.date.year()),
                    i64::from(event.date.month()),
                    i64::from(event.date.day()),
                );
                let day = days_from_civil(y, m, d);
                assert!(
                    (first..=end).contains(&day),
                    "patient {i}: date {y}-{m}-{d}"
                );
            }
        }
    }

    #[test]
    fn distribution_is_plausible() {
        let text = cohort(2000, 1);
        let mut three_or_more = 0;
        let mut sessions_total = 0;
        for line in text.lines() {
            let sessions = line.matches("\"kind\":\"tace\"").count();
            assert!((1..=8).contains(&sessions), "{sessions} sessions");
            sessions_total += sessions;
            if sessions >= 3 {
                three_or_more += 1;
            }
        }
        let share = f64::from(three_or_more) / 2000.0;
        assert!((0.10..=0.60).contains(&share), "{share} with >= 3 sessions");
        let mean = sessions_total as f64 / 2000.0;
        assert!((2.0..=4.0).contains(&mean), "mean {mean} sessions");
        // Some values are missing, some imaging is on the day of a session, some events are timed.
        assert!(text.contains("\"time\":"));
        assert!(text.contains("\"NE\""));
        assert!(text.contains("\"US\""));
    }
}
