//! FHIR input: the mapping checker's diagnostics, the reader's handling of bad
//! resources, and the shipped examples read as FHIR against their JSON Lines form.

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
    let mapped = patients[0].map(&vocab);
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
