//! FHIR input: the mapping checker's diagnostics, the reader's handling of bad
//! resources, and the shipped examples read as FHIR against their JSON Lines form.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use refract::source::SourceFile;
use refract::sources::fhir::{FhirReader, Reason};
use refract::sources::mapping::Mapping;
use refract::vocabulary::Vocabulary;

const HEAD: &str =
    "mapping = \"test\"\n[systems]\nloinc = \"http://loinc.org\"\nlocal = \"urn:refract:codes\"\n";

fn check(name: &str, body: &str) -> String {
    let text = format!("{HEAD}{body}");
    let source = SourceFile::new(format!("{name}.toml"), text);
    match Mapping::parse(&source, &Vocabulary::builtin()) {
        Ok((_, warnings)) => format!("ok\n{}", warnings.render_plain(80)),
        Err(diagnostics) => diagnostics.render_plain(80),
    }
}

#[test]
fn the_shipped_mapping_checks_without_errors() {
    let source = SourceFile::new(
        "mappings/mcode-r4.toml",
        refract::sources::mapping::DEFAULT_MAPPING,
    );
    let (mapping, warnings) = Mapping::parse(&source, &Vocabulary::builtin()).unwrap();
    // Only cancer_disease_status is outside the vocabulary, on purpose.
    let codes: Vec<&str> = warnings.problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, ["refract::mapping::unknown_attribute"]);
    assert!(mapping
        .observations
        .iter()
        .any(|o| o.code.code == "89247-1" && o.attribute == "ecog"));
}

#[test]
fn converting_between_assays_is_refused() {
    let body = r#"
[[observation]]
code = "local|pivka"
kind = "lab"
attribute = "value"
fixed = { test = "PIVKA-II" }
unit = "ng/mL"
units = { "ng/mL" = 1, "mAU/mL" = 1 }
unit_attribute = "unit"
"#;
    insta::assert_snapshot!("mapping_assay_conversion", check("assay", body));
}

#[test]
fn a_wrong_factor_names_the_right_one() {
    let body = r#"
[[observation]]
code = "local|sum"
kind = "imaging"
attribute = "target_viable_sum_mm"
unit = "mm"
units = { "mm" = 1, "cm" = 100 }
"#;
    insta::assert_snapshot!("mapping_wrong_factor", check("factor", body));
}

#[test]
fn unknown_names_get_suggestions() {
    let body = r#"
[[observation]]
code = "lonic|1834-1"
kind = "labs"
attribute = "vlaue"
values = "mrecst"

[values.mrecist]
CR = ["local|CR"]
PDX = ["local|PD"]

[[observation]]
code = "local|m"
kind = "imaging"
attribute = "mrecist"
values = "mrecist"
"#;
    insta::assert_snapshot!("mapping_unknown_names", check("names", body));
}

#[test]
fn toml_mistakes_are_shown_in_place() {
    let body = "[[observation]]\ncode = \"local|x\"\nkind = \"lab\"\nattribute = \"value\"\nunits = { \"mm\" = 0.1 }\ncolour = 1\n";
    insta::assert_snapshot!("mapping_syntax", check("syntax", body));
}

fn write(dir: &std::path::Path, name: &str, lines: &[&str]) -> std::io::Result<()> {
    std::fs::write(dir.join(name), lines.join("\n") + "\n")
}

#[test]
fn bad_resources_are_named_and_the_rest_read() {
    let dir = std::env::temp_dir().join(format!("refract-fhir-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    write(
        &dir,
        "Patient.ndjson",
        &[r#"{"resourceType":"Patient","id":"p1"}"#],
    )
    .unwrap();
    write(
        &dir,
        "Observation.ndjson",
        &[
            r#"{"resourceType":"Observation","id":"afp-ok","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1834-1"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2021-03-01T08:15:00+01:00","valueQuantity":{"value":12.5,"unit":"ng/mL","code":"ng/mL"}}"#,
            r#"{"resourceType":"Observation","id":"afp-iu","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1834-1"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2021-03-02","valueQuantity":{"value":10,"unit":"IU/mL","code":"[IU]/mL"}}"#,
            r#"{"resourceType":"Observation","id":"ast","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1920-8"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2021-03-02","valueQuantity":{"value":40,"unit":"U/L"}}"#,
            r#"{"resourceType":"Observation","id":"afp-undated","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1834-1"}]},"subject":{"reference":"Patient/p1"},"valueQuantity":{"value":9,"unit":"ng/mL"}}"#,
            r#"{"resourceType":"Observation","id":"afp-month","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1834-1"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2021-03","valueQuantity":{"value":9,"unit":"ng/mL"}}"#,
            r#"{"resourceType":"Observation","id":"stranger","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1834-1"}]},"subject":{"reference":"Patient/nobody"},"effectiveDateTime":"2021-03-02","valueQuantity":{"value":9,"unit":"ng/mL"}}"#,
            "{not json",
        ],
    )
    .unwrap();
    write(
        &dir,
        "Condition.ndjson",
        &[r#"{"resourceType":"Condition","id":"hcc","subject":{"reference":"Patient/p1"}}"#],
    )
    .unwrap();
    let vocab = Vocabulary::builtin();
    let mapping = Arc::new(Mapping::builtin(&vocab).unwrap());
    let mut reader = FhirReader::open(&dir, mapping, &vocab).unwrap();
    let patients: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(patients.len(), 1);
    let mapped = patients[0].mapped();
    let patient = refract::timeline::parse_patient(&mapped.text, &mapped.origin, &vocab).unwrap();
    // Only the AFP in ng/mL is read, at the clock time as written (the offset is not applied).
    assert_eq!(patient.events.len(), 1);
    assert_eq!(patient.events[0].time, Some((8, 15)));
    assert_eq!(mapped.sources[0].as_ref(), "Observation/afp-ok");
    let mut skips: Vec<String> = reader
        .findings()
        .take_skips()
        .iter()
        .map(|s| {
            let file = s.file.rsplit('/').next().unwrap_or("").to_owned();
            format!(
                "{} [{}] {}",
                s.reason.code(),
                file,
                s.to_string().split_once(", ").map_or("", |x| x.1)
            )
        })
        .collect();
    skips.sort();
    insta::assert_snapshot!("reader_bad_resources", skips.join("\n"));
    let tally = reader.findings().tally().render();
    insta::assert_snapshot!("reader_bad_resources_tally", tally);
    assert!(matches!(Reason::NoValue.code(), "refract::fhir::no_value"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn refract(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_refract"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// Output lines as JSON with what the input format decides taken out: `source` (FHIR
/// names resources), and, with `indices`, `event` (a FHIR patient's events are numbered
/// in time order, a JSON one's as written).
fn results(stdout: &[u8], indices: bool) -> Vec<serde_json::Value> {
    fn strip(value: &mut serde_json::Value, indices: bool) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("source");
                if indices {
                    map.remove("event");
                }
                map.values_mut().for_each(|v| strip(v, indices));
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| strip(v, indices)),
            _ => {}
        }
    }
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| {
            let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
            strip(&mut value, indices);
            value
        })
        .collect()
}

/// Every evidence entry of a FHIR run names a resource.
fn every_evidence_has_a_source(stdout: &[u8]) -> usize {
    let mut seen = 0;
    for line in String::from_utf8_lossy(stdout).lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        for criterion in value["criteria"].as_array().into_iter().flatten() {
            for evidence in criterion["evidence"].as_array().into_iter().flatten() {
                let source = evidence["source"].as_str().unwrap();
                assert!(source.contains('/'), "{source}");
                seen += 1;
            }
        }
    }
    seen
}

#[test]
fn the_bulk_example_gives_the_results_of_the_cohort() {
    let jsonl = refract(&["eval", "examples/cohort.jsonl"]);
    let fhir = refract(&["eval", "--from", "fhir", "examples/fhir/bulk"]);
    assert_eq!(fhir.status.code(), Some(0));
    // The refused AFP in [IU]/mL, the unmapped AST, the undated AFP, the AFP of a patient
    // not in the export and the Condition are extra resources: skipped, so nothing changes.
    assert_eq!(results(&jsonl.stdout, true), results(&fhir.stdout, true));
    // Patients whose JSON events are in time order keep their event indices too.
    let sorted = results(&jsonl.stdout, false)
        .into_iter()
        .zip(results(&fhir.stdout, false))
        .filter(|(a, b)| a == b)
        .count();
    assert!(sorted >= 6 * 34, "{sorted}");
    assert!(every_evidence_has_a_source(&fhir.stdout) > 100);
    let stderr = String::from_utf8_lossy(&fhir.stderr);
    let codes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("refract::fhir::"))
        .collect();
    assert_eq!(
        codes,
        [
            "refract::fhir::unmapped_resource",
            "refract::fhir::unit",
            "refract::fhir::unmapped_code",
            "refract::fhir::missing_date",
            "refract::fhir::unknown_patient"
        ]
    );
    // Named with file, line, resource and path (the message may be wrapped).
    let flat = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Observation.ndjson line 1853"), "{stderr}");
    assert!(
        flat.contains("session-afp-iu at valueQuantity.code"),
        "{stderr}"
    );
}

#[test]
fn the_bundles_give_the_results_of_their_patients() {
    let jsonl = refract(&["eval", "examples/cohort.jsonl"]);
    let fhir = refract(&["eval", "--from", "fhir", "examples/fhir/bundles"]);
    assert_eq!(fhir.status.code(), Some(0));
    let order = [
        "cci-pd-at-third-session",
        "jsh-marker-drop-and-single-pivka",
        "unsuitable-same-day-status-timed-later",
    ];
    let all = results(&jsonl.stdout, true);
    let expected: Vec<_> = order
        .iter()
        .flat_map(|id| all.iter().filter(move |r| r["patient"] == *id).cloned())
        .collect();
    // AFP in µg/L and target sums in cm are converted exactly; the AFP in [IU]/mL and the
    // ALT (no rule) are reported and left out.
    assert_eq!(expected, results(&fhir.stdout, true));
    let stderr = String::from_utf8_lossy(&fhir.stderr);
    assert!(stderr.contains("refract::fhir::unit"), "{stderr}");
    assert!(stderr.contains("refract::fhir::unmapped_code"), "{stderr}");
}

#[test]
fn a_synthetic_cohort_survives_a_bulk_export() {
    let dir = std::env::temp_dir().join(format!("refract-fhir-synth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let cohort = dir.join("synth.jsonl");
    let synth = refract(&["synth", "--patients", "150", "--seed", "5"]);
    std::fs::write(&cohort, &synth.stdout).unwrap();
    let bulk = dir.join("bulk");
    let (cohort, bulk) = (cohort.to_str().unwrap(), bulk.to_str().unwrap());
    let convert = refract(&["convert", "--to", "fhir-bulk", "--out", bulk, cohort]);
    assert_eq!(
        convert.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&convert.stderr)
    );
    assert!(
        convert.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&convert.stderr)
    );
    let jsonl = refract(&["eval", cohort]);
    let fhir = refract(&["eval", "--from", "fhir", bulk]);
    assert!(
        fhir.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&fhir.stderr)
    );
    assert_eq!(results(&jsonl.stdout, true), results(&fhir.stdout, true));
    // And back to JSON Lines: the same results again.
    let back = refract(&["convert", "--from", "fhir", "--to", "jsonl", bulk]);
    let again = dir.join("again.jsonl");
    std::fs::write(&again, &back.stdout).unwrap();
    let evaluated = refract(&["eval", again.to_str().unwrap()]);
    assert_eq!(
        results(&jsonl.stdout, true),
        results(&evaluated.stdout, true)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_input_counts_per_resource_type_and_code() {
    let out = refract(&["check", "--input", "examples/fhir/bulk", "--from", "fhir"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("check_input_bulk", String::from_utf8_lossy(&out.stdout));
}
