//! The hand-written cci-2022 and jsh-lcsgj-2014 (`benches/handwritten`) against the
//! interpreter on the synthetic cohort of `refract::synth`: result, onset and each
//! criterion's truth must be the same for every generated patient.

#[path = "../benches/handwritten/mod.rs"]
mod handwritten;

use refract::check::Checked;
use refract::eval::evaluate;
use refract::timeline::{parse_patient, Origin, Patient};
use refract::vocabulary::Vocabulary;

/// How many synthetic patients are compared.
const PATIENTS: usize = 3000;
/// The synthetic cohort's seed.
const SEED: u64 = 2024;

/// A shipped definition, compiled, or its diagnostics.
fn definition(name: &str) -> Result<Checked, String> {
    let path = refract::shipped_definitions().join(format!("{name}.crit"));
    refract::load_definition(&path, &Vocabulary::builtin())
        .map(|(checked, _warnings)| checked)
        .map_err(|diagnostics| diagnostics.render_plain(100))
}

/// The interpreter's answer in the hand-written form.
fn interpreted(checked: &Checked, patient: &Patient) -> handwritten::Result {
    let outcome = evaluate(checked, patient);
    handwritten::Result {
        result: outcome.result,
        onset: outcome.onset,
        criteria: outcome.criteria.iter().map(|c| c.result).collect(),
    }
}

#[test]
fn synthetic_cohort_agrees_with_the_interpreter() {
    let cci = definition("cci-2022").unwrap();
    let lcsgj = definition("jsh-lcsgj-2014").unwrap();
    let vocabulary = Vocabulary::builtin();
    let origin = Origin::new("synth", None);
    let mut disagreements = Vec::new();
    for index in 0..PATIENTS {
        let text = refract::synth::patient_json(index, SEED);
        let patient = match parse_patient(&text, &origin, &vocabulary) {
            Ok(patient) => patient,
            Err(error) => panic!("synthetic patient {index} is invalid: {error}\n{text}"),
        };
        let pairs = [
            (
                "cci-2022",
                handwritten::cci::evaluate(&patient),
                interpreted(&cci, &patient),
            ),
            (
                "jsh-lcsgj-2014",
                handwritten::lcsgj::evaluate(&patient),
                interpreted(&lcsgj, &patient),
            ),
        ];
        for (name, by_hand, by_interpreter) in pairs {
            if by_hand != by_interpreter {
                disagreements.push(format!(
                    "{name}, synthetic patient {index}:\n  hand-written: {by_hand:?}\n  interpreter:  {by_interpreter:?}\n  {text}"
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements in {PATIENTS} patients:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
