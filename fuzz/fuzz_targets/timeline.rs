//! Arbitrary text as a patient and as a cohort: reading must never panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use refract::timeline::{parse_patient, read_cohort, Origin};
use refract::vocabulary::Vocabulary;

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(Vocabulary::builtin);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = parse_patient(text, &Origin::new("f", None), &VOCABULARY) {
        // The message and its snippet are rendered as the CLI renders them.
        let _ = format!("{:?}", error.shown().into_report());
    }
    for item in read_cohort(data, "f", &VOCABULARY) {
        if let Err(error) = item {
            let _ = format!("{:?}", error.shown().into_report());
        }
    }
});
