//! Arbitrary text as a patient, evaluated by every shipped definition: must never panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use refract::check::Checked;
use refract::source::SourceFile;
use refract::timeline::{parse_patient, Origin};
use refract::vocabulary::Vocabulary;

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(Vocabulary::builtin);

const DEFINITIONS: [(&str, &str); 6] = [
    ("cci-2022-unsuitable.crit", include_str!("../../definitions/cci-2022-unsuitable.crit")),
    ("cci-2022.crit", include_str!("../../definitions/cci-2022.crit")),
    ("epoihcc-2013.crit", include_str!("../../definitions/epoihcc-2013.crit")),
    ("europe-2014.crit", include_str!("../../definitions/europe-2014.crit")),
    ("jsh-2010.crit", include_str!("../../definitions/jsh-2010.crit")),
    ("jsh-lcsgj-2014.crit", include_str!("../../definitions/jsh-lcsgj-2014.crit")),
];

/// The six shipped definitions, compiled once.
static CHECKED: LazyLock<Vec<Checked>> = LazyLock::new(|| {
    DEFINITIONS
        .iter()
        .map(|(name, text)| match refract::compile(&SourceFile::new(*name, *text), &VOCABULARY) {
            Ok((checked, _warnings)) => checked,
            Err(problems) => panic!("{name} does not compile:\n{}", problems.render_plain(100)),
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(patient) = parse_patient(text, &Origin::new("f", None), &VOCABULARY) else {
        return;
    };
    for checked in CHECKED.iter() {
        let outcome = refract::eval::evaluate(checked, &patient);
        let _ = refract::report::outcome_line(&outcome);
    }
});
