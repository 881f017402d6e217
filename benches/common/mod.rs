//! What the in-process benches share: the patient count from the command line, the
//! synthetic cohort, and the shipped definitions.

use std::path::Path;

use refract::check::Checked;
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
