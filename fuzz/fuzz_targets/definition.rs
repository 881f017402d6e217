//! Arbitrary text as a definition: compiling must never panic, and neither may
//! rendering its diagnostics or evaluating a definition that compiles.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use refract::source::SourceFile;
use refract::timeline::{read_cohort, Patient};
use refract::vocabulary::Vocabulary;

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(Vocabulary::builtin);

/// The first two patients of the shipped example cohort, parsed once.
static PATIENTS: LazyLock<Vec<Patient>> = LazyLock::new(|| {
    let cohort = include_str!("../../examples/cohort.jsonl");
    let patients: Vec<Patient> = read_cohort(cohort.as_bytes(), "cohort.jsonl", &VOCABULARY)
        .filter_map(Result::ok)
        .take(2)
        .collect();
    assert_eq!(patients.len(), 2, "the example cohort must hold two valid patients");
    patients
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = SourceFile::new("fuzz.crit", text);
    match refract::compile(&source, &VOCABULARY) {
        Ok((checked, warnings)) => {
            let _ = warnings.render_plain(100);
            for patient in PATIENTS.iter() {
                let outcome = refract::eval::evaluate(&checked, patient);
                let _ = refract::report::outcome_line(&outcome);
            }
        }
        Err(problems) => {
            let _ = problems.render_plain(100);
        }
    }
});
