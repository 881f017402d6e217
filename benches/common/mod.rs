//! What the in-process benches share: the patient count from the command line, the
//! synthetic cohort, the shipped definitions, and evaluating them as `refract eval` does.

use std::hint::black_box;
use std::path::Path;

use refract::check::Checked;
use refract::eval::{evaluate_sharing, Index, SharedCriteria, Sharing};
use refract::report::outcome_line;
use refract::timeline::Patient;
use refract::vocabulary::Vocabulary;

/// The seed of every bench's synthetic cohort (benches/scale.sh uses the same).
pub const SEED: u64 = 2026;

/// The first number on the command line (`cargo bench --bench X -- N`), else `default`.
pub fn patients(default: usize) -> usize {
    std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(default)
}

/// `patients` synthetic patients as JSON text, one each.
pub fn cohort(patients: usize) -> Vec<String> {
    (0..patients)
        .map(|i| refract::synth::patient_json(i, SEED))
        .collect()
}

/// The six shipped definitions, by id.
pub fn shipped(vocabulary: &Vocabulary) -> Vec<Checked> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = refract::definition_files(&[root.join("definitions")]).unwrap();
    let mut definitions: Vec<Checked> = files
        .iter()
        .map(|f| refract::load_definition(f, vocabulary).unwrap().0)
        .collect();
    definitions.sort_by(|a, b| a.id.cmp(&b.id));
    definitions
}

/// Every definition for every patient, written, as `refract eval` runs them: one index per
/// patient, and the criteria written the same way in several definitions evaluated once.
pub fn as_refract_eval(definitions: &[Checked], patients: &[Patient]) {
    let sharing = Sharing::new(definitions);
    for patient in patients {
        let index = Index::new(patient);
        let mut shared = SharedCriteria::new(&sharing);
        for definition in definitions {
            let outcome = evaluate_sharing(definition, patient, &index, &mut shared);
            black_box(outcome_line(&outcome));
        }
    }
}
