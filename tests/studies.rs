//! The published study definitions (definitions/studies) and the scores (definitions/scores),
//! each evaluated on its deck of hand-made patients, definitions/FOLDER/ID.deck.jsonl
//! (docs/decks.md; `refract test` runs the same decks).
//!
//! Each patient carries its expected result in `facts.expect`, worked out by hand from the
//! study's sentence and the reading its file states, next to the patient it is about:
//!
//! ```json
//! {"id":"iw-shrank-exactly-25pct","facts":{"expect":{"result":"not_met","onset":null},"why":"40 to 30 mm is exactly 25 % shrinkage"},"events":[…]}
//! ```
//!
//! - `expect.result`: `met`, `not_met` or `unknown`, the definition's result;
//! - `expect.onset`: the definition's onset, required when the result is `met` (and none otherwise);
//! - `expect.criteria` (optional): the expected result of some criteria, by name;
//! - `reason` (optional, beside `expect`): a text the named criterion's `why` must contain, as
//!   `{"criterion": "...", "contains": "..."}`;
//! - `why`: the derivation, for the reader (not compared).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use refract::check::Checked;
use refract::eval::evaluate;
use refract::timeline::{read_cohort, Patient};
use refract::vocabulary::Vocabulary;

/// The eight study definitions, in id order.
const STUDIES: [&str; 8] = [
    "chen-2020",
    "huang-2016",
    "ikeda-2014",
    "iwasa-2011",
    "klompenhouwer-2017",
    "lin-2020",
    "song-2013",
    "villani-2021",
];

/// The three scores, in id order.
const SCORES: [&str; 3] = ["albi-grade", "art-2013", "up-to-seven"];

fn file(folder: &str, id: &str) -> PathBuf {
    support::root()
        .join("definitions")
        .join(folder)
        .join(format!("{id}.crit"))
}

fn load(folder: &str, id: &str) -> Checked {
    match refract::load_definition(&file(folder, id), &Vocabulary::builtin()) {
        Ok((checked, warnings)) => {
            assert!(
                warnings.problems.is_empty(),
                "{id}: {}",
                warnings.render_plain(100)
            );
            checked
        }
        Err(diagnostics) => panic!("{}", diagnostics.render_plain(100)),
    }
}

fn cohort(folder: &str, id: &str) -> Vec<Patient> {
    let name = format!("definitions/{folder}/{id}.deck.jsonl");
    let reader = std::fs::File::open(support::root().join(&name)).unwrap();
    read_cohort(
        std::io::BufReader::new(reader),
        &name,
        &Vocabulary::builtin(),
    )
    .map(|p| p.unwrap_or_else(|e| panic!("{name}: {e}")))
    .collect()
}

/// Evaluates the definition on its cohort and compares each patient with its `facts`.
/// Panics with every mismatch; also checks that the cohort has met, not met and unknown
/// patients.
fn check(folder: &str, id: &str) {
    let definition = load(folder, id);
    assert_eq!(definition.id, id);
    let patients = cohort(folder, id);
    let mut seen = BTreeSet::new();
    let mut mismatches = Vec::new();
    for patient in &patients {
        let facts = &patient.facts;
        let expect = &facts["expect"];
        let want = expect["result"].as_str().unwrap();
        seen.insert(want.to_string());
        let outcome = evaluate(&definition, patient);
        let whys = || {
            outcome
                .criteria
                .iter()
                .map(|c| format!("{} {}: {}", c.name, c.result, c.why))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        if outcome.result.as_str() != want {
            mismatches.push(format!(
                "{}: {} but expected {want} ({})",
                patient.id,
                outcome.result,
                whys()
            ));
        }
        let onset = outcome.onset.map(|d| d.to_string());
        let want_onset = expect.get("onset").and_then(|v| v.as_str());
        assert!(
            (want == "met") == want_onset.is_some(),
            "{}: an onset is expected exactly when the result is met",
            patient.id
        );
        if onset.as_deref() != want_onset {
            mismatches.push(format!(
                "{}: onset {onset:?} but expected {want_onset:?}",
                patient.id
            ));
        }
        if let Some(criteria) = expect.get("criteria").and_then(|c| c.as_object()) {
            for (name, want) in criteria {
                let Some(got) = outcome.criteria.iter().find(|c| &c.name == name) else {
                    mismatches.push(format!("{}: no criterion {name}", patient.id));
                    continue;
                };
                if got.result.as_str() != want {
                    mismatches.push(format!(
                        "{}: {name} {} but expected {want} ({})",
                        patient.id, got.result, got.why
                    ));
                }
            }
        }
        if let Some(reason) = facts.get("reason") {
            let name = reason["criterion"].as_str().unwrap();
            let text = reason["contains"].as_str().unwrap();
            let why = outcome
                .criteria
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.why.clone())
                .unwrap_or_default();
            if !why.contains(text) {
                mismatches.push(format!(
                    "{}: {name}'s why does not say {text:?}: {why}",
                    patient.id
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{id}: {} of {} patients differ:\n{}",
        mismatches.len(),
        patients.len(),
        mismatches.join("\n")
    );
    let all: BTreeSet<String> = ["met", "not_met", "unknown"].map(String::from).into();
    assert_eq!(
        seen, all,
        "{id}: the cohort covers met, not met and unknown"
    );
}

#[test]
fn iwasa_2011() {
    check("studies", "iwasa-2011");
}

#[test]
fn ikeda_2014() {
    check("studies", "ikeda-2014");
}

#[test]
fn huang_2016() {
    check("studies", "huang-2016");
}

#[test]
fn klompenhouwer_2017() {
    check("studies", "klompenhouwer-2017");
}

#[test]
fn lin_2020() {
    check("studies", "lin-2020");
}

#[test]
fn chen_2020() {
    check("studies", "chen-2020");
}

#[test]
fn song_2013() {
    check("studies", "song-2013");
}

#[test]
fn villani_2021() {
    check("studies", "villani-2021");
}

#[test]
fn art_2013() {
    check("scores", "art-2013");
}

#[test]
fn albi_grade() {
    check("scores", "albi-grade");
}

#[test]
fn up_to_seven() {
    check("scores", "up-to-seven");
}

/// The definitions `refract eval` evaluated, from its JSON Lines output.
fn evaluated(args: &[&str]) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_refract"))
        .args(args)
        .current_dir(support::root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["definition"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn eval_without_a_definition_runs_the_six_society_definitions_only() {
    let six: BTreeSet<String> = [
        "cci-2022",
        "cci-2022-unsuitable",
        "epoihcc-2013",
        "europe-2014",
        "jsh-2010",
        "jsh-lcsgj-2014",
    ]
    .map(String::from)
    .into();
    assert_eq!(
        evaluated(&["eval", "definitions/studies/lin-2020.deck.jsonl"]),
        six
    );
}

#[test]
fn eval_with_the_studies_folder_runs_the_eight() {
    let eight: BTreeSet<String> = STUDIES.map(String::from).into();
    assert_eq!(
        evaluated(&[
            "eval",
            "-d",
            "definitions/studies",
            "definitions/studies/lin-2020.deck.jsonl"
        ]),
        eight
    );
}

#[test]
fn each_study_cites_the_review_and_each_criterion_its_sentence() {
    for id in STUDIES {
        let path = file("studies", id);
        let Ok(text) = std::fs::read_to_string(&path) else {
            panic!("{}", path.display())
        };
        let (author, year) = id.rsplit_once('-').unwrap();
        let mut author = author.to_string();
        author[..1].make_ascii_uppercase();
        let citation = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("citation "))
            .unwrap_or_else(|| panic!("{id}: no citation"));
        assert!(
            citation.starts_with(&format!(
                "\"{author} et al., {year}, as tabulated in Zhang S, "
            )),
            "{id}: {citation}"
        );
        assert!(
            citation.contains("J Clin Transl Hepatol 2022;10(4):740-747"),
            "{id}: {citation}"
        );
        assert!(text.contains(&format!("year     {year}")), "{id}: year");
        assert!(
            text.contains("// refract's reading:"),
            "{id}: no reading stated"
        );
    }
    for (folder, ids) in [("studies", &STUDIES[..]), ("scores", &SCORES[..])] {
        for id in ids {
            let definition = load(folder, id);
            for criterion in &definition.criteria {
                assert!(
                    criterion.source.as_deref().is_some_and(|s| !s.is_empty()),
                    "{id}: {} has no source",
                    criterion.name
                );
            }
        }
    }
}
