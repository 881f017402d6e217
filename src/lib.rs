//! refract: definitions of TACE failure/refractoriness written as data, in a small
//! criteria language, and evaluated against patient timelines.
//!
//! The pipeline: source text → [`syntax::parse`] (typed AST with spans) →
//! [`check::check`] (names, types, vocabulary) → [`eval::evaluate`] → [`report`].
//!
//! ```
//! use refract::{source::SourceFile, vocabulary::Vocabulary};
//!
//! let text = r#"
//! definition demo
//!   outcome unsuitable
//! part assessment "latest clinical assessment" = latest status
//! criterion poor_performance_status
//!   source "ECOG performance status above 2"
//!   = assessment shows ecog > 2
//! met when poor_performance_status
//! "#;
//! let vocabulary = Vocabulary::builtin();
//! let (definition, _warnings) =
//!     refract::compile(&SourceFile::new("demo.crit", text), &vocabulary).unwrap();
//! let patient = refract::timeline::parse_patient(
//!     r#"{"id":"P1","events":[{"date":"2021-03-01","kind":"status","ecog":3}]}"#,
//!     &refract::timeline::Origin::new("inline", None),
//!     &vocabulary,
//! )
//! .unwrap();
//! let outcome = refract::eval::evaluate(&definition, &patient);
//! assert_eq!(outcome.result, refract::eval::Truth::Met);
//! assert_eq!(outcome.onset.map(|d| d.to_string()).as_deref(), Some("2021-03-01"));
//! ```

pub mod ast;
pub mod check;
pub mod compare;
pub mod date;
pub mod deck;
pub mod diagnostics;
pub mod eval;
pub mod lsp;
pub mod number;
pub mod report;
pub mod review;
pub mod serve;
pub mod source;
// Input formats (JSON Lines, long-format CSV) and the writers of `refract convert`.
pub mod sources;
pub mod syntax;
pub mod synth;
pub mod timeline;
pub mod vocabulary;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use check::Checked;
use diagnostics::{Diagnostics, Problem};
use source::{SourceFile, Span};
use vocabulary::Vocabulary;

/// Parse and check one definition: the checked form and its warnings, or every problem.
pub fn compile(
    source: &Arc<SourceFile>,
    vocabulary: &Vocabulary,
) -> Result<(Checked, Diagnostics), Diagnostics> {
    let definition = syntax::parse(source)?;
    check::check(&definition, vocabulary)
}

/// Read a definition file from disk and compile it. An unreadable file is a diagnostic too.
/// At most one byte more than [`syntax::MAX_SOURCE_BYTES`] is read, so an endless input
/// (`/dev/zero`, a pipe) is refused as too large instead of read forever.
pub fn load_definition(
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<(Checked, Diagnostics), Diagnostics> {
    let name = path.display().to_string();
    match read_limited(path, syntax::MAX_SOURCE_BYTES) {
        Ok(text) => compile(&SourceFile::new(name, text), vocabulary),
        Err(error) => {
            let mut diagnostics = Diagnostics::new(SourceFile::new(name.clone(), ""));
            diagnostics.problems.push(
                Problem::error(
                    "refract::io::unreadable",
                    format!("cannot read {name}: {error}"),
                    Span::default(),
                    "",
                )
                .with_help("check the path and that the file is UTF-8 text"),
            );
            Err(diagnostics)
        }
    }
}

/// The text of `path`, read up to `limit + 1` bytes (a longer file is cut there: enough
/// for the parser to see that it is too large).
pub fn read_limited(path: &Path, limit: usize) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    file.take(most).read_to_end(&mut bytes)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        // A cut can split a character: what was read is too large anyway.
        Err(error) if error.as_bytes().len() > limit => {
            let valid = error.utf8_error().valid_up_to();
            let mut bytes = error.into_bytes();
            bytes.truncate(valid);
            bytes.resize(limit + 1, b' ');
            Ok(String::from_utf8(bytes).unwrap_or_default())
        }
        Err(error) => Err(std::io::Error::new(std::io::ErrorKind::InvalidData, error)),
    }
}

/// The definition files named by `paths`: files as given, folders as their `*.crit`
/// files in name order.
pub fn definition_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|ext| ext == "crit"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Definitions that share an id (results are keyed by it, so two would be mixed up): an
/// error at each later one's `definition` line, naming the file that has it first.
pub fn duplicate_ids(definitions: &[&check::Checked]) -> Vec<diagnostics::Diagnostics> {
    let mut first: std::collections::HashMap<&str, &check::Checked> = Default::default();
    let mut found = Vec::new();
    for definition in definitions {
        let Some(earlier) = first.get(definition.id.as_str()) else {
            first.insert(&definition.id, definition);
            continue;
        };
        let mut diagnostics = diagnostics::Diagnostics::new(definition.source.clone());
        diagnostics.problems.push(
            diagnostics::Problem::error(
                "refract::check::duplicate_definition",
                format!("definition `{}` is also defined in {}", definition.id, earlier.source.name),
                definition.id_span,
                "the same id as another file of this run",
            )
            .with_help("results are named by the definition id, so each file needs its own: give a revision an id of its own (e.g. `my-society-2026`)"),
        );
        found.push(diagnostics);
    }
    found
}

/// The folder of definitions that ships with refract.
pub fn shipped_definitions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("definitions")
}
