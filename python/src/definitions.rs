//! Loading definitions: from text, files or folders, through the library's own
//! [`refract::compile`] and [`refract::load_definition`], with every problem kept as a
//! [`Diagnostic`] for Python.

use std::path::PathBuf;

use refract::check::Checked;
use refract::diagnostics::Diagnostics;
use refract::source::SourceFile;
use refract::vocabulary::Vocabulary;

use crate::diagnostics::{convert, Diagnostic};

/// The six society definitions that `refract eval` uses by default, built into the module
/// so an installed wheel needs no source tree.
const SHIPPED: [(&str, &str); 6] = [
    (
        "definitions/cci-2022-unsuitable.crit",
        include_str!("../../definitions/cci-2022-unsuitable.crit"),
    ),
    (
        "definitions/cci-2022.crit",
        include_str!("../../definitions/cci-2022.crit"),
    ),
    (
        "definitions/epoihcc-2013.crit",
        include_str!("../../definitions/epoihcc-2013.crit"),
    ),
    (
        "definitions/europe-2014.crit",
        include_str!("../../definitions/europe-2014.crit"),
    ),
    (
        "definitions/jsh-2010.crit",
        include_str!("../../definitions/jsh-2010.crit"),
    ),
    (
        "definitions/jsh-lcsgj-2014.crit",
        include_str!("../../definitions/jsh-lcsgj-2014.crit"),
    ),
];

/// A compiled set of definitions, in id order (as `refract eval` orders them).
pub struct Loaded {
    /// The checked definitions.
    pub checked: Vec<Checked>,
    /// Each definition's file name and text, in the same order (what Spark sends to its
    /// executors).
    pub texts: Vec<(String, String)>,
}

/// What loading gave: the definitions (`None` when any has an error) and every problem,
/// warnings included.
pub type Outcome = (Option<Loaded>, Vec<Diagnostic>);

/// The shipped definitions' names and texts.
pub fn shipped() -> Vec<(String, String)> {
    SHIPPED
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect()
}

/// Compile definitions given as `(name, text)` pairs.
pub fn from_texts(texts: Vec<(String, String)>) -> Outcome {
    let vocabulary = Vocabulary::builtin();
    let results = texts
        .into_iter()
        .map(|(name, text)| refract::compile(&SourceFile::new(name, text), &vocabulary))
        .collect();
    finish(results)
}

/// Compile the definition files named by `paths` (folders: their `*.crit` files).
pub fn from_paths(paths: Vec<PathBuf>) -> Outcome {
    let vocabulary = Vocabulary::builtin();
    let files = match refract::definition_files(&paths) {
        Ok(files) => files,
        Err(error) => {
            let name = paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            return (
                None,
                vec![problem(
                    &name,
                    format!("cannot list definitions in {name}: {error}"),
                )],
            );
        }
    };
    let results = files
        .iter()
        .map(|file| refract::load_definition(file, &vocabulary))
        .collect();
    finish(results)
}

fn finish(results: Vec<Result<(Checked, Diagnostics), Diagnostics>>) -> Outcome {
    let mut checked = Vec::new();
    let mut found = Vec::new();
    let mut failed = false;
    for result in results {
        match result {
            Ok((definition, warnings)) => {
                found.extend(convert(&warnings));
                checked.push(definition);
            }
            Err(diagnostics) => {
                failed = true;
                found.extend(convert(&diagnostics));
            }
        }
    }
    let all: Vec<&Checked> = checked.iter().collect();
    for diagnostics in refract::duplicate_ids(&all) {
        failed = true;
        found.extend(convert(&diagnostics));
    }
    if checked.is_empty() && !failed {
        return (
            None,
            vec![problem("", "no definition files found".to_string())],
        );
    }
    if failed {
        return (None, found);
    }
    checked.sort_by(|a, b| a.id.cmp(&b.id));
    let texts = checked
        .iter()
        .map(|d| (d.source.name.clone(), d.source.text.to_string()))
        .collect();
    (Some(Loaded { checked, texts }), found)
}

/// A problem with no place in a file (a path that cannot be listed, no files at all).
fn problem(name: &str, message: String) -> Diagnostic {
    let help = "give a .crit file, a folder of them, or a definition's text";
    Diagnostic {
        code: "refract::io::unreadable".into(),
        severity: "error".into(),
        rendered: format!("error: {message}\n  help: {help}"),
        message,
        file: name.into(),
        span: None,
        line: None,
        column: None,
        label: None,
        help: Some(help.into()),
    }
}
