//! The hand-written cci-2022 and jsh-lcsgj-2014 (`benches/handwritten`) against the
//! interpreter: for every patient of the example cohort and for generated timelines, the
//! result, the onset and each criterion's truth must be the same.

#[path = "../benches/handwritten/mod.rs"]
mod handwritten;

use refract::check::Checked;
use refract::eval::{evaluate, Truth};
use refract::timeline::{parse_patient, read_cohort, Origin, Patient};
use refract::vocabulary::Vocabulary;

/// A shipped definition, compiled, or its diagnostics.
fn definition(name: &str) -> Result<Checked, String> {
    let path = refract::shipped_definitions().join(format!("{name}.crit"));
    refract::load_definition(&path, &Vocabulary::builtin())
        .map(|(checked, _warnings)| checked)
        .map_err(|diagnostics| diagnostics.render_plain(100))
}

/// The interpreter's answer in the hand-written form. The hand-written versions are
/// Kleene's: a criterion the interpreter settled by trying the values its missing data
/// could take ("not met whatever ...") is compared as the unknown it was, and the result
/// (an `or` of the criteria in both definitions) is recombined from those.
fn interpreted(checked: &Checked, patient: &Patient) -> handwritten::Result {
    let outcome = evaluate(checked, patient);
    let settled = |c: &refract::eval::CriterionResult| {
        c.why.starts_with("met whatever ") || c.why.starts_with("not met whatever ")
    };
    if !outcome.criteria.iter().any(settled) {
        return handwritten::Result {
            result: outcome.result,
            onset: outcome.onset,
            criteria: outcome.criteria.iter().map(|c| c.result).collect(),
        };
    }
    let criteria: Vec<Truth> = outcome
        .criteria
        .iter()
        .map(|c| if settled(c) { Truth::Unknown } else { c.result })
        .collect();
    let result = criteria.iter().fold(Truth::NotMet, |a, b| a.or(*b));
    let onset = outcome
        .criteria
        .iter()
        .filter(|c| c.result == Truth::Met && !settled(c))
        .filter_map(|c| c.at)
        .min()
        .filter(|_| result == Truth::Met);
    handwritten::Result {
        result,
        onset,
        criteria,
    }
}

/// Whether two events of one kind share a place in the timeline's order but for input
/// position.
fn has_ties(patient: &Patient) -> bool {
    let key = |e: &refract::timeline::Event| {
        let k = refract::timeline::order::sort_key(e);
        (k.0, k.1, k.2, e.kind.to_string())
    };
    let mut keys: Vec<_> = patient.events.iter().map(key).collect();
    keys.sort();
    keys.windows(2).any(|w| matches!(w, [a, b] if a == b))
}

/// Both definitions, both ways, for one patient: the disagreements, described.
struct Comparer {
    cci: Checked,
    lcsgj: Checked,
    compared: usize,
    skipped_ties: usize,
    disagreements: Vec<String>,
    /// Per definition, per criterion (then the result): how many patients the
    /// interpreter found met, unknown and not met, to show the tests reach every case.
    tally: [Vec<[usize; 3]>; 2],
}

impl Comparer {
    fn new() -> Result<Comparer, String> {
        Ok(Comparer {
            cci: definition("cci-2022")?,
            lcsgj: definition("jsh-lcsgj-2014")?,
            compared: 0,
            skipped_ties: 0,
            disagreements: Vec::new(),
            tally: [Vec::new(), Vec::new()],
        })
    }

    fn compare(&mut self, patient: &Patient, source: &str) {
        // Two events at the same place of the timeline (one day, no time or the same
        // time, one kind class) leave their order to the input; the interpreter treats
        // the latest of them as unknown when they differ (tests/ties.rs). The hand-written
        // versions take input order, so such patients are not compared.
        if has_ties(patient) {
            self.skipped_ties += 1;
            return;
        }
        self.compared += 1;
        let pairs = [
            (
                "cci-2022",
                handwritten::cci::evaluate(patient),
                interpreted(&self.cci, patient),
            ),
            (
                "jsh-lcsgj-2014",
                handwritten::lcsgj::evaluate(patient),
                interpreted(&self.lcsgj, patient),
            ),
        ];
        for (which, (name, by_hand, by_interpreter)) in pairs.into_iter().enumerate() {
            if let Some(tally) = self.tally.get_mut(which) {
                let truths = by_interpreter
                    .criteria
                    .iter()
                    .chain([&by_interpreter.result]);
                for (i, truth) in truths.enumerate() {
                    if tally.len() <= i {
                        tally.resize(i + 1, [0; 3]);
                    }
                    let column = match truth {
                        Truth::Met => 0,
                        Truth::Unknown => 1,
                        Truth::NotMet => 2,
                    };
                    if let Some(n) = tally.get_mut(i).and_then(|row| row.get_mut(column)) {
                        *n += 1;
                    }
                }
            }
            if by_hand != by_interpreter {
                self.disagreements.push(format!(
                    "{name}, patient {}:\n  hand-written: {by_hand:?}\n  interpreter:  {by_interpreter:?}\n  {source}",
                    patient.id
                ));
            }
        }
    }

    fn assert_all_equal(&self, at_least: usize) {
        assert!(
            self.compared >= at_least,
            "only {} patients compared",
            self.compared
        );
        assert!(
            self.disagreements.is_empty(),
            "{} disagreements in {} patients:\n{}",
            self.disagreements.len(),
            self.compared,
            self.disagreements
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn example_cohort_agrees_with_the_interpreter() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cohort.jsonl");
    let file = std::fs::File::open(&path).unwrap();
    let vocabulary = Vocabulary::builtin();
    let mut comparer = Comparer::new().unwrap();
    for patient in read_cohort(std::io::BufReader::new(file), "cohort.jsonl", &vocabulary) {
        let patient = patient.unwrap();
        comparer.compare(&patient, "examples/cohort.jsonl");
    }
    eprintln!(
        "example cohort: {} patients; cci-2022 {:?}; jsh-lcsgj-2014 {:?}",
        comparer.compared, comparer.tally[0], comparer.tally[1]
    );
    comparer.assert_all_equal(30);
}

/// A small seeded generator (SplitMix64): the same timelines on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let at = self.below(items.len() as u64) as usize;
        items.get(at).copied().unwrap_or_default()
    }
}

/// A generated event: its date as days from the start, and its JSON fields after `date`.
struct Draft {
    day: i64,
    fields: String,
}

/// An attribute, or (sometimes) nothing or `null`, so that absent data is common.
fn maybe(rng: &mut Rng, out: &mut String, name: &str, value: &str, present: u64) {
    if rng.chance(present) {
        out.push_str(&format!(", \"{name}\": {value}"));
    } else if rng.chance(20) {
        out.push_str(&format!(", \"{name}\": null"));
    }
}

fn tace(rng: &mut Rng) -> String {
    let mut out = String::from("\"kind\": \"tace\"");
    let pool = ["epirubicin", "cisplatin", "lipiodol", "miriplatin"];
    let agents: Vec<String> = (0..rng.below(4))
        .map(|_| format!("\"{}\"", rng.pick(&pool)))
        .collect();
    let agents = format!("[{}]", agents.join(", "));
    maybe(rng, &mut out, "agents", &agents, 75);
    let flag = rng.pick(&["true", "false"]);
    maybe(rng, &mut out, "feeding_artery_reanalysis", flag, 50);
    let technique = rng.pick(&["\"cTACE\"", "\"DEB-TACE\""]);
    maybe(rng, &mut out, "technique", technique, 50);
    let intent = rng.pick(&["\"curative\"", "\"palliative\""]);
    maybe(rng, &mut out, "intent", intent, 50);
    out
}

fn imaging(rng: &mut Rng, day: i64) -> String {
    let mut out = String::from("\"kind\": \"imaging\"");
    let modality = rng.pick(&[
        "\"CT\"", "\"MRI\"", "\"CT\"", "\"MRI\"", "\"US\"", "\"CEUS\"",
    ]);
    maybe(rng, &mut out, "modality", modality, 85);
    let sum = rng.pick(&[
        "0",
        "10",
        "12",
        "11.99",
        "12.0",
        "20",
        "24",
        "30",
        "36",
        "40",
        "48",
        "50",
        "52",
        "60",
        "1e2",
        "1e37",
        "0.000000000000000001",
    ]);
    maybe(rng, &mut out, "target_viable_sum_mm", sum, 70);
    let category = rng.pick(&["\"CR\"", "\"PR\"", "\"SD\"", "\"PD\"", "\"PD\"", "\"NE\""]);
    maybe(rng, &mut out, "mrecist_target", category, 60);
    let category = rng.pick(&["\"CR\"", "\"PR\"", "\"SD\"", "\"PD\"", "\"NE\""]);
    maybe(rng, &mut out, "mrecist", category, 40);
    let percent = rng.pick(&["0", "20", "49.9", "50", "50.1", "60", "75", "90", "100"]);
    maybe(rng, &mut out, "viable_percent", percent, 80);
    // Tumours mostly multiply over time, so counts rise from one scan to the next.
    let count = if rng.chance(70) {
        (day.max(0) / 45 + rng.below(2) as i64).to_string()
    } else {
        rng.below(5).to_string()
    };
    maybe(rng, &mut out, "tumor_count", &count, 80);
    for finding in ["vascular_invasion", "extrahepatic_spread"] {
        let flag = if rng.chance(25) { "true" } else { "false" };
        maybe(rng, &mut out, finding, flag, 75);
    }
    let flag = rng.pick(&["true", "false"]);
    maybe(rng, &mut out, "contrast", flag, 50);
    out
}

fn lab(rng: &mut Rng) -> String {
    let mut out = String::from("\"kind\": \"lab\"");
    let test = rng.pick(&[
        "\"AFP\"",
        "\"AFP\"",
        "\"PIVKA-II\"",
        "\"PIVKA-II\"",
        "\"AST\"",
        "\"afp\"",
    ]);
    maybe(rng, &mut out, "test", test, 92);
    let value = rng.pick(&[
        "5", "10", "20", "20.0", "35", "40", "80", "120", "400", "-1",
    ]);
    maybe(rng, &mut out, "value", value, 92);
    let unit = if rng.chance(85) {
        "\"ng/mL\""
    } else {
        rng.pick(&["\"mAU/mL\"", "\"ug/L\""])
    };
    maybe(rng, &mut out, "unit", unit, 70);
    out
}

fn status(rng: &mut Rng) -> String {
    let mut out = String::from("\"kind\": \"status\"");
    let ecog = rng.pick(&["0", "1", "2", "3"]);
    maybe(rng, &mut out, "ecog", ecog, 70);
    let class = rng.pick(&["\"A\"", "\"B\"", "\"C\""]);
    maybe(rng, &mut out, "child_pugh_class", class, 60);
    out
}

/// Random small timelines within about a year: sessions spaced so that response windows,
/// same-day sessions and scans on the next session's day all occur, and scans and labs
/// placed around the sessions; dates often near a month's end, times sometimes given.
fn generated_patient(rng: &mut Rng, index: usize) -> Option<String> {
    // Now and then at the calendar's ends, where a window's end cannot be computed.
    let year = match rng.below(50) {
        0 => 1800,
        1 => 2200,
        _ => 2020 + rng.below(3) as i32,
    };
    let month = match year {
        1800 => 1 + rng.below(3) as u8,
        2200 => 8 + rng.below(4) as u8,
        _ => 1 + rng.below(12) as u8,
    };
    let start = refract::date::Date::new(year, month, 1)
        .ok()?
        .add_days(rng.below(31) as i64)?;
    let mut drafts: Vec<Draft> = Vec::new();
    let mut sessions: Vec<i64> = Vec::new();
    let mut day = rng.below(40) as i64;
    for _ in 0..rng.below(7) {
        sessions.push(day);
        day += match rng.below(10) {
            0 => 0,
            1 => rng.below(25) as i64,
            _ => 28 + rng.below(80) as i64,
        };
    }
    for &session in &sessions {
        drafts.push(Draft {
            day: session,
            fields: tace(rng),
        });
    }
    // Imaging: near each session (baseline, pre-session, response) and at random.
    let anchors: Vec<i64> = sessions.clone();
    for _ in 0..rng.below(12) {
        let near = if !anchors.is_empty() && rng.chance(80) {
            let at = rng.below(anchors.len() as u64) as usize;
            anchors.get(at).copied().unwrap_or_default()
        } else {
            rng.below(365) as i64
        };
        let offset = match rng.below(6) {
            0 => -(rng.below(100) as i64),
            1 => 0,
            2 => 28 + rng.below(6) as i64,
            3 => 88 + rng.below(6) as i64,
            _ => rng.below(120) as i64,
        };
        drafts.push(Draft {
            day: near + offset,
            fields: imaging(rng, near + offset),
        });
    }
    for _ in 0..rng.below(12) {
        let near = if !anchors.is_empty() && rng.chance(85) {
            let at = rng.below(anchors.len() as u64) as usize;
            anchors.get(at).copied().unwrap_or_default()
        } else {
            rng.below(365) as i64
        };
        let offset = rng.below(110) as i64 - 20;
        drafts.push(Draft {
            day: near + offset,
            fields: lab(rng),
        });
    }
    for _ in 0..rng.below(3) {
        drafts.push(Draft {
            day: rng.below(365) as i64,
            fields: status(rng),
        });
    }
    // Input order is shuffled: the timeline order comes from the reader.
    for i in (1..drafts.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        drafts.swap(i, j);
    }
    let mut events: Vec<String> = Vec::new();
    for draft in &drafts {
        // Events that would fall outside the calendar are left out.
        let Some(date) = start.add_days(draft.day) else {
            continue;
        };
        let time = if rng.chance(15) {
            format!(
                ", \"time\": \"{:02}:{:02}\"",
                rng.below(24),
                rng.pick(&["00", "30"])
            )
        } else {
            String::new()
        };
        events.push(format!("{{\"date\": \"{date}\"{time}, {}}}", draft.fields));
    }
    Some(format!(
        "{{\"id\": \"generated-{index}\", \"events\": [{}]}}",
        events.join(", ")
    ))
}

#[test]
fn generated_timelines_agree_with_the_interpreter() {
    let vocabulary = Vocabulary::builtin();
    let origin = Origin::new("generated", None);
    let mut rng = Rng(0x5EED_2024_0001);
    let mut comparer = Comparer::new().unwrap();
    // Patients with same-day ties are not compared: generate until 5,000 are.
    for index in 0..20_000 {
        if comparer.compared >= 5000 {
            break;
        }
        let text = generated_patient(&mut rng, index).unwrap();
        let patient = match parse_patient(&text, &origin, &vocabulary) {
            Ok(patient) => patient,
            Err(error) => panic!("generated patient {index} is invalid: {error}\n{text}"),
        };
        comparer.compare(&patient, &text);
    }
    // [met, unknown, not met] per criterion, then for the result.
    eprintln!(
        "generated: {} patients ({} with ties not compared); cci-2022 {:?}; jsh-lcsgj-2014 {:?}",
        comparer.compared, comparer.skipped_ties, comparer.tally[0], comparer.tally[1]
    );
    comparer.assert_all_equal(5000);
    // Every criterion and result must be reached in all three truths.
    for tally in &comparer.tally {
        assert!(tally.iter().flatten().all(|&n| n >= 25), "{tally:?}");
    }
}

/// The synthetic cohort the benchmarks use: 3,000 patients of `refract synth` (without
/// same-day ties).
#[test]
fn synthetic_cohort_agrees_with_the_interpreter() {
    let mut comparer = Comparer::new().unwrap();
    let vocabulary = Vocabulary::builtin();
    let origin = Origin::new("synth", None);
    for index in 0..6000 {
        if comparer.compared >= 3000 {
            break;
        }
        let text = refract::synth::patient_json(index, 2024);
        let patient = parse_patient(&text, &origin, &vocabulary).unwrap();
        comparer.compare(&patient, &text);
    }
    comparer.assert_all_equal(3000);
}
