//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod timelines;

use std::path::{Path, PathBuf};

use refract::check::Checked;
use refract::eval::{evaluate, Outcome};
use refract::source::SourceFile;
use refract::timeline::{parse_patient, read_cohort, Origin, Patient};
use refract::vocabulary::Vocabulary;

/// The crate's root folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Compile a definition from text, panicking with the rendered diagnostics if it fails.
pub fn compile(text: &str) -> Checked {
    match refract::compile(&SourceFile::new("test.crit", text), &Vocabulary::builtin()) {
        Ok((checked, _)) => checked,
        Err(diagnostics) => panic!("{}", diagnostics.render_plain(100)),
    }
}

/// One patient from JSON text.
pub fn patient(json: &str) -> Patient {
    match parse_patient(
        json,
        &Origin::new("test.json", None),
        &Vocabulary::builtin(),
    ) {
        Ok(patient) => patient,
        Err(error) => panic!("{error}"),
    }
}

/// Evaluate a definition (text) for a patient (JSON text).
pub fn run(definition: &str, patient_json: &str) -> Outcome {
    evaluate(&compile(definition), &patient(patient_json))
}

/// The shipped definitions, checked, in id order.
pub fn shipped() -> Vec<Checked> {
    let vocabulary = Vocabulary::builtin();
    let files =
        refract::definition_files(&[root().join("definitions")]).expect("definitions folder");
    let mut out: Vec<Checked> = files
        .iter()
        .map(|file| match refract::load_definition(file, &vocabulary) {
            Ok((checked, _)) => checked,
            Err(diagnostics) => panic!("{}", diagnostics.render_plain(100)),
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The example cohort's patients, in file order.
pub fn example_cohort() -> Vec<Patient> {
    let file = std::fs::File::open(root().join("examples/cohort.jsonl")).expect("example cohort");
    read_cohort(
        std::io::BufReader::new(file),
        "examples/cohort.jsonl",
        &Vocabulary::builtin(),
    )
    .map(|p| p.expect("example patients are valid"))
    .collect()
}
