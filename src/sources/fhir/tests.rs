use std::io::BufReader;
use std::sync::Arc;

use super::write::BulkWriter;
use super::*;
use crate::timeline::read_cohort;

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("refract-fhir-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// An event without its input position.
type Plain = (
    String,
    Option<(u8, u8)>,
    String,
    Vec<(String, serde_json::Value)>,
);

/// Events as comparable values: everything but the input position.
fn events(patient: &Patient) -> Vec<Plain> {
    patient
        .events
        .iter()
        .map(|e| {
            let attributes = e
                .attributes
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_json()))
                .collect();
            (e.date.to_string(), e.time, e.kind.to_string(), attributes)
        })
        .collect()
}

#[test]
fn the_example_cohort_survives_a_bulk_export() {
    let vocab = Vocabulary::builtin();
    let mapping = Arc::new(Mapping::builtin(&vocab).unwrap());
    let file = std::fs::File::open("examples/cohort.jsonl").unwrap();
    let patients: Vec<Patient> = read_cohort(BufReader::new(file), "cohort", &vocab)
        .map(Result::unwrap)
        .collect();
    let dir = temp("roundtrip");
    let mut writer = BulkWriter::create(&dir, mapping.clone()).unwrap();
    for patient in &patients {
        assert_eq!(writer.write(patient).unwrap(), vec![]);
    }
    writer.finish().unwrap();
    let mut reader = FhirReader::open(&dir, mapping, &vocab).unwrap();
    let back: Vec<Patient> = reader
        .by_ref()
        .map(|p| p.unwrap().assemble(&vocab).unwrap())
        .collect();
    assert_eq!(reader.findings().take_skips(), vec![]);
    assert_eq!(back.len(), patients.len());
    for (before, after) in patients.iter().zip(&back) {
        assert_eq!(before.id, after.id);
        assert_eq!(before.facts, after.facts);
        assert_eq!(events(before), events(after), "{}", before.id);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
