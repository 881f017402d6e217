//! `--from fhir`: the mapping (`--mapping FILE` or the shipped one), the reader over a file
//! or folder, and the resources it skipped, shown on standard error once all are read.

use std::path::Path;
use std::sync::Arc;

use refract::diagnostics::Shown;
use refract::sources::fhir::{self, Findings, MAX_SKIPS_KEPT};
use refract::sources::mapping::Mapping;
use refract::timeline::Record;
use refract::vocabulary::Vocabulary;

use super::input::From;
use super::output::{say, show};

/// The mapping `--mapping` names, or the shipped one; its problems are shown.
pub fn mapping(from: &From, vocabulary: &Vocabulary) -> Result<Arc<Mapping>, String> {
    let loaded = match &from.mapping {
        Some(path) => Mapping::load(path, vocabulary).map(|(mapping, warnings)| {
            warnings.shown().into_iter().for_each(show);
            mapping
        }),
        None => Mapping::builtin(vocabulary),
    };
    match loaded {
        Ok(mapping) => Ok(Arc::new(mapping)),
        Err(diagnostics) => {
            diagnostics.shown().into_iter().for_each(show);
            Err(format!(
                "the mapping {} has errors",
                diagnostics.source.name
            ))
        }
    }
}

/// Records for the pipeline.
type Records = Box<dyn Iterator<Item = Record> + Send>;

/// The records of a FHIR input and a handle on its findings. With `report`, each skipped
/// resource is shown once every patient has been mapped, with the count.
pub fn records(
    path: &Path,
    from: &From,
    vocabulary: &Vocabulary,
    report: bool,
) -> Result<(String, Records, Findings), String> {
    let mapping = mapping(from, vocabulary)?;
    let name = path.display().to_string();
    if !path.exists() {
        return Err(format!("cannot read {name}: no such file or folder"));
    }
    let on_done: Option<fhir::OnDone> = report.then(|| Box::new(show_skips) as fhir::OnDone);
    let (records, findings) =
        fhir::records(path, mapping, vocabulary, on_done).map_err(|e| e.to_string())?;
    Ok((name, records, findings))
}

/// Each kept skip as a warning, then how many there were.
pub fn show_skips(findings: &Findings) {
    let skips = findings.take_skips();
    for skip in &skips {
        show(Shown::new(skip, None));
    }
    let total = findings.skipped();
    if total > 0 {
        let shown = if total > MAX_SKIPS_KEPT as u64 {
            format!(" (the first {MAX_SKIPS_KEPT} by place shown)")
        } else {
            String::new()
        };
        say(&format!(
            "warning: {total} FHIR resources or values were not read{shown}; `refract check --input --from fhir` counts them per code"
        ));
    }
}
