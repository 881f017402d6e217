//! `refract eval --patient` and `--format report`, and which criterion the table shows,
//! through the binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::process::{Command, Output};

fn eval(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refract"))
        .arg("eval")
        .args(args)
        .current_dir(support::root())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn patient_picks_patients_out_of_a_cohort() {
    let out = eval(&[
        "--patient",
        "cci-exact-20pct-growth-10-to-12mm",
        "--patient",
        "europe-intent-absent-sd",
        "examples/cohort.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 12, "two patients, six definitions");
    // In input order, as without the option.
    assert!(lines[..6]
        .iter()
        .all(|l| l["patient"] == "cci-exact-20pct-growth-10-to-12mm"));
    assert!(lines[6..]
        .iter()
        .all(|l| l["patient"] == "europe-intent-absent-sd"));
}

#[test]
fn a_patient_not_in_the_cohort_is_an_error() {
    let out = eval(&["--patient", "nobody", "examples/cohort.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("no patient with id \"nobody\" in examples/cohort.jsonl"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn report_explains_each_criterion_with_its_events_and_what_would_decide_it() {
    let out = eval(&[
        "--format",
        "report",
        "--patient",
        "cci-exact-20pct-growth-10-to-12mm",
        "--patient",
        "lcsgj-tumor-count-missing-no-lookback",
        "-d",
        "definitions/cci-2022.crit",
        "-d",
        "definitions/jsh-lcsgj-2014.crit",
        "examples/cohort.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("report_format", text(&out.stdout));
    let report = text(&out.stdout);
    // The values the criterion reads from each event it rests on.
    assert!(report.contains(
        "2021-02-16  imaging  event 8    modality MRI, mrecist_target PD, target_viable_sum_mm 12"
    ));
    // What would decide an unknown criterion.
    assert!(report.contains(
        "tumor_count on the imaging of 2023-10-23 (event 6), not recorded: met if <= 3, not met if >= 4"
    ));
}

#[test]
fn table_shows_the_criterion_that_set_the_onset() {
    // Two criteria met, the second in file order earlier: the table names that one.
    let definition = "definition two\n  outcome refractory\n\
        criterion late = any imaging where mrecist is PD\n\
        criterion early = any imaging where tumor_count > 3\n\
        met when late or early\n";
    let dir = std::env::temp_dir().join(format!("refract-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("two.crit");
    std::fs::write(&file, definition).unwrap();
    let patient = dir.join("p.json");
    std::fs::write(
        &patient,
        r#"{"id":"p","events":[{"date":"2021-01-01","kind":"imaging","tumor_count":5},{"date":"2021-03-01","kind":"imaging","mrecist":"PD"}]}"#,
    )
    .unwrap();
    let out = eval(&[
        "--format",
        "table",
        "-d",
        file.to_str().unwrap(),
        patient.to_str().unwrap(),
    ]);
    let table = text(&out.stdout);
    assert!(table.contains("2021-01-01  early: "), "{table}");
    std::fs::remove_dir_all(&dir).unwrap();
}
