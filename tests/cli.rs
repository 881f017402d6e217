//! End to end through the `refract` binary: output contract, exit codes, bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn refract(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_refract"))
        .args(args)
        .current_dir(support::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn eval_prints_every_patient_times_every_definition_in_contract_order() {
    let out = refract(&["eval", "examples/cohort.jsonl"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for raw in stdout.lines() {
        // The contract's field order, as written (a parsed map would sort the keys).
        let at = |key: &str| {
            raw.find(&format!("\"{key}\":"))
                .unwrap_or_else(|| panic!("{key} missing: {raw}"))
        };
        let order = [
            "patient",
            "definition",
            "outcome",
            "result",
            "onset",
            "criteria",
        ]
        .map(at);
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "fields out of order: {raw}"
        );
        if let Some(first) = raw.find("{\"name\":") {
            let criterion = &raw[first..];
            let order = ["name", "result", "why", "evidence"]
                .map(|k| criterion.find(&format!("\"{k}\":")).unwrap());
            assert!(
                order.windows(2).all(|w| w[0] < w[1]),
                "criterion fields out of order: {raw}"
            );
        }
    }
    let patients = support::example_cohort();
    assert_eq!(lines.len(), patients.len() * 6);
    let ids = [
        "cci-2022",
        "cci-2022-unsuitable",
        "epoihcc-2013",
        "europe-2014",
        "jsh-2010",
        "jsh-lcsgj-2014",
    ];
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line.as_object().unwrap().len(), 6);
        assert_eq!(line["patient"], patients[i / 6].id.as_str());
        assert_eq!(line["definition"], ids[i % 6]);
        assert!(["met", "not_met", "unknown"].contains(&line["result"].as_str().unwrap()));
        assert_eq!(line["onset"].is_null(), line["result"] != "met");
        for criterion in line["criteria"].as_array().unwrap() {
            // `decided_by` only on unknown results, and never empty.
            let fields = criterion.as_object().unwrap().len();
            match criterion.get("decided_by") {
                Some(decided_by) => {
                    assert_eq!(criterion["result"], "unknown");
                    assert!(!decided_by.as_array().unwrap().is_empty());
                    assert_eq!(fields, 5);
                }
                None => assert_eq!(fields, 4),
            }
            assert!(!criterion["why"].as_str().unwrap().is_empty());
            let evidence = criterion["evidence"].as_array().unwrap();
            assert_eq!(
                evidence.is_empty(),
                criterion["result"] != "met",
                "evidence is listed for met criteria"
            );
        }
    }
    // Deterministic: a second run is byte-identical.
    assert_eq!(
        refract(&["eval", "examples/cohort.jsonl"], None).stdout,
        out.stdout
    );
}

#[test]
fn check_accepts_the_shipped_definitions() {
    let out = refract(&["check", "definitions/"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 6);
    assert!(
        text(&out.stderr).is_empty(),
        "no warnings on shipped files: {}",
        text(&out.stderr)
    );
}

#[test]
fn a_misspelled_attribute_fails_the_check_with_the_place_and_the_known_name() {
    let dir = std::env::temp_dir().join(format!("refract-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("typo.crit");
    let shipped =
        std::fs::read_to_string(support::root().join("definitions/cci-2022.crit")).unwrap();
    std::fs::write(
        &file,
        shipped.replace("target_viable_sum_mm grew", "target_viable_summ_mm grew"),
    )
    .unwrap();
    let out = refract(&["check", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("did you mean `target_viable_sum_mm`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("typo.crit:23:"),
        "points at the line: {stderr}"
    );
    // And `eval` refuses to run an invalid definition.
    let out = refract(
        &[
            "eval",
            "-d",
            file.to_str().unwrap(),
            "examples/cohort.jsonl",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

const BROKEN: &str = concat!(
    r#"{"id":"first","events":[{"date":"2021-01-04","kind":"status","ecog":3}]}"#,
    "\n",
    r#"{"id":"bad-date","events":[{"date":"2021-02-30","kind":"tace"}]}"#,
    "\n",
    "{\"id\":\"cut\",\"events\":[\n",
    r#"{"id":"first","events":[]}"#,
    "\n",
    r#"{"id":"last","events":[{"date":"2021-01-04","kind":"status","ecog":1}]}"#,
    "\n"
);

#[test]
fn bad_patients_are_reported_and_the_rest_evaluated() {
    let out = refract(
        &["eval", "-d", "definitions/cci-2022-unsuitable.crit", "-"],
        Some(BROKEN),
    );
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<String> = lines
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l["patient"],
                if l["error"].is_string() {
                    "error"
                } else {
                    l["result"].as_str().unwrap()
                }
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            r#""first" met"#,
            r#""bad-date" error"#,
            // Its id comes before the break in the line.
            r#""cut" error"#,
            r#""first" error"#,
            r#""last" unknown"#
        ]
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("events[0].date"), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("already used at line 1"), "{stderr}");
}

#[test]
fn strict_stops_at_the_first_bad_patient() {
    let out = refract(
        &[
            "eval",
            "--strict",
            "-d",
            "definitions/cci-2022-unsuitable.crit",
            "-",
        ],
        Some(BROKEN),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout).lines().count(),
        1,
        "only the patient before the bad one"
    );
}

#[test]
fn as_of_ignores_later_events() {
    let patient = r#"{"id":"p","events":[{"date":"2021-01-04","kind":"status","ecog":1},{"date":"2021-06-01","kind":"status","ecog":3}]}"#;
    let today = refract(
        &["eval", "-d", "definitions/cci-2022-unsuitable.crit", "-"],
        Some(patient),
    );
    let earlier = refract(
        &[
            "eval",
            "--as-of",
            "2021-03-01",
            "-d",
            "definitions/cci-2022-unsuitable.crit",
            "-",
        ],
        Some(patient),
    );
    let result = |o: &Output| {
        serde_json::from_str::<serde_json::Value>(text(&o.stdout).trim()).unwrap()["result"].clone()
    };
    assert_eq!(result(&today), "met");
    // Then ECOG was 1 and nothing else was assessed: not met on ECOG, unknown overall.
    assert_eq!(result(&earlier), "unknown");
}

#[test]
fn table_format_for_people() {
    let out = refract(
        &[
            "eval",
            "--format",
            "table",
            "-d",
            "definitions/cci-2022-unsuitable.crit",
            "-",
        ],
        Some(BROKEN),
    );
    insta::assert_snapshot!(text(&out.stdout));
}

/// The table's widths come from its first 2,048 patients, however many are evaluated at
/// once: a long id on patient 2,000 widens the id column of the first row too.
#[test]
fn table_widths_are_those_of_the_first_2048_patients() {
    let line = |id: &str| format!("{{\"id\":\"{id}\",\"events\":[]}}\n");
    let long = "P-with-a-rather-long-identifier";
    let mut cohort = String::new();
    for n in 0..2100 {
        match n {
            1999 => cohort.push_str(&line(long)),
            2099 => cohort.push_str(&line(&format!("{long}-that-comes-too-late"))),
            _ => cohort.push_str(&line(&format!("P{n}"))),
        }
    }
    let out = refract(
        &[
            "eval",
            "--format",
            "table",
            "-d",
            "definitions/cci-2022.crit",
            "-",
        ],
        Some(&cohort),
    );
    let stdout = text(&out.stdout);
    let column = |row: &str| row.find("cci-2022");
    let first = stdout.lines().find(|l| l.starts_with("P0 "));
    let at_2000 = stdout.lines().find(|l| l.starts_with(long));
    assert_eq!(first.and_then(column), Some(long.len() + 2), "{first:?}");
    assert_eq!(at_2000.and_then(column), Some(long.len() + 2));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(refract(&["eval"], None).status.code(), Some(2));
    assert_eq!(
        refract(
            &["eval", "--as-of", "yesterday", "examples/cohort.jsonl"],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(refract(&["frobnicate"], None).status.code(), Some(2));
}

#[test]
fn check_counts_each_files_errors_and_warnings_and_refuses_two_files_with_one_id() {
    let dir = std::env::temp_dir().join(format!("refract-cli-counts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shipped =
        std::fs::read_to_string(support::root().join("definitions/cci-2022.crit")).unwrap();
    let revision = dir.join("revision.crit");
    std::fs::write(&revision, &shipped).unwrap();
    let warned = dir.join("warned.crit");
    std::fs::write(
        &warned,
        "definition warned-2026\n  outcome refractory\ncriterion deb\n  = any session S where technique is \"deb-TACE\"\nmet when deb\n",
    )
    .unwrap();
    let original = support::root().join("definitions/cci-2022.crit");
    let out = refract(
        &[
            "check",
            original.to_str().unwrap(),
            revision.to_str().unwrap(),
            warned.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "one id in two files is an error"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("warned.crit: ok, 2 warnings (warned-2026, 1 criteria)"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("refract::check::duplicate_definition"),
        "{stderr}"
    );
    assert!(
        stderr.contains("revision.crit:1:12"),
        "at the second file's id: {stderr}"
    );
    // `eval` refuses the pair before reading a patient.
    let out = refract(
        &[
            "eval",
            "-d",
            original.to_str().unwrap(),
            "-d",
            revision.to_str().unwrap(),
            "examples/cohort.jsonl",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}
