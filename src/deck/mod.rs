//! Test decks: a definition's patients with the results they should get. The deck of
//! `X.crit` is `X.deck.jsonl` beside it: JSON Lines patients (the timeline contract), each
//! with its expectation in `facts.expect` (docs/decks.md). Patients are read and evaluated
//! with the same reader and evaluator as `refract eval`.

mod span;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::check::Checked;
use crate::eval::{evaluate, Outcome};
use crate::timeline::{parse_patient, Origin};
use crate::vocabulary::Vocabulary;

/// The deck of a definition file: `X.crit` → `X.deck.jsonl`.
pub fn deck_path(definition: &Path) -> PathBuf {
    let stem = definition
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    definition.with_file_name(format!("{stem}.deck.jsonl"))
}

/// What a deck patient should get.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// `met`, `not_met` or `unknown`.
    pub result: String,
    /// `None`: not compared; `Some(None)`: no onset.
    pub onset: Option<Option<String>>,
    /// Some criteria's results, by name.
    pub criteria: BTreeMap<String, String>,
}

/// One way a patient's result differs from its expectation.
// `want` is the deck's value and `got` the definition's, in every variant.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq)]
pub enum Mismatch {
    /// The definition's result.
    Result { want: String, got: String },
    /// The onset (`-` for none).
    Onset { want: String, got: String },
    /// A criterion's result, with the criterion's `why`.
    Criterion {
        name: String,
        want: String,
        got: String,
        why: String,
    },
    /// `facts.expect` is missing or malformed.
    Expectation(String),
    /// Evaluation stopped at its work limit.
    Stopped(String),
}

/// One deck line.
#[derive(Debug)]
pub enum Case {
    /// A patient, evaluated.
    Evaluated {
        /// 1-based line.
        line: usize,
        /// The patient id.
        id: String,
        /// The expectation as read (`None` if missing or malformed).
        expect: Option<Expect>,
        /// The result.
        outcome: Box<Outcome>,
        /// Empty when it passed.
        mismatches: Vec<Mismatch>,
    },
    /// A line that could not be read as a patient: `FILE line N: …`.
    Unreadable {
        /// 1-based line.
        line: usize,
        /// The reader's message.
        message: String,
    },
}

impl Case {
    /// Whether this line is a failure.
    pub fn failed(&self) -> bool {
        match self {
            Case::Evaluated { mismatches, .. } => !mismatches.is_empty(),
            Case::Unreadable { .. } => true,
        }
    }
}

/// A deck's text and its evaluated lines.
#[derive(Debug)]
pub struct DeckRun {
    /// The deck file.
    pub path: PathBuf,
    /// The deck's text, as read.
    pub text: String,
    /// One case per non-blank line.
    pub cases: Vec<Case>,
}

/// Evaluate every patient of the deck at `path` for `definition`.
pub fn run(definition: &Checked, path: &Path, vocabulary: &Vocabulary) -> std::io::Result<DeckRun> {
    let text = crate::read_limited(path, 64 << 20)?;
    let name = path.display().to_string();
    let mut cases = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let patient = match parse_patient(raw, &Origin::new(name.clone(), Some(line)), vocabulary) {
            Ok(patient) => patient,
            Err(error) => {
                cases.push(Case::Unreadable {
                    line,
                    message: error.to_string(),
                });
                continue;
            }
        };
        let outcome = evaluate(definition, &patient);
        let (expect, mismatches) = match read_expect(patient.facts.get("expect")) {
            Ok(expect) => {
                let mismatches = compare(&expect, &outcome);
                (Some(expect), mismatches)
            }
            Err(message) => (None, vec![Mismatch::Expectation(message)]),
        };
        cases.push(Case::Evaluated {
            line,
            id: patient.id,
            expect,
            outcome: Box::new(outcome),
            mismatches,
        });
    }
    Ok(DeckRun {
        path: path.to_path_buf(),
        text,
        cases,
    })
}

const RESULTS: [&str; 3] = ["met", "not_met", "unknown"];

fn read_expect(value: Option<&serde_json::Value>) -> Result<Expect, String> {
    let Some(value) = value else {
        return Err("facts.expect is missing; `refract test --update` writes it".into());
    };
    let object = value.as_object().ok_or(
        "facts.expect must be an object such as {\"result\": \"met\", \"onset\": \"2021-03-01\"}",
    )?;
    let result = object
        .get("result")
        .and_then(|r| r.as_str())
        .filter(|r| RESULTS.contains(r));
    let result = result.ok_or("facts.expect.result must be \"met\", \"not_met\" or \"unknown\"")?;
    let onset = match object.get("onset") {
        None => None,
        Some(serde_json::Value::Null) => Some(None),
        Some(serde_json::Value::String(date)) => Some(Some(date.clone())),
        Some(_) => return Err("facts.expect.onset must be a date (YYYY-MM-DD) or null".into()),
    };
    let mut criteria = BTreeMap::new();
    match object.get("criteria") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Object(map)) => {
            for (name, want) in map {
                let want = want.as_str().filter(|w| RESULTS.contains(w)).ok_or_else(|| {
                    format!("facts.expect.criteria.{name} must be \"met\", \"not_met\" or \"unknown\"")
                })?;
                criteria.insert(name.clone(), want.to_string());
            }
        }
        Some(_) => {
            return Err(
                "facts.expect.criteria must be an object of criterion names and results".into(),
            )
        }
    }
    Ok(Expect {
        result: result.to_string(),
        onset,
        criteria,
    })
}

fn onset_text(onset: &Option<String>) -> String {
    onset.clone().unwrap_or_else(|| "-".into())
}

/// Every difference between the expectation and the outcome.
pub fn compare(expect: &Expect, outcome: &Outcome) -> Vec<Mismatch> {
    let mut found = Vec::new();
    if let Some(stopped) = &outcome.stopped {
        found.push(Mismatch::Stopped(stopped.clone()));
    }
    if outcome.result.as_str() != expect.result {
        found.push(Mismatch::Result {
            want: expect.result.clone(),
            got: outcome.result.as_str().into(),
        });
    }
    let got_onset = outcome.onset.map(|d| d.to_string());
    if let Some(want) = &expect.onset {
        if *want != got_onset {
            found.push(Mismatch::Onset {
                want: onset_text(want),
                got: onset_text(&got_onset),
            });
        }
    }
    for (name, want) in &expect.criteria {
        let (got, why) = match outcome.criteria.iter().find(|c| &c.name == name) {
            Some(c) => (c.result.as_str().to_string(), c.why.clone()),
            None => (
                "absent".to_string(),
                format!("the definition has no criterion `{name}`"),
            ),
        };
        if &got != want {
            found.push(Mismatch::Criterion {
                name: name.clone(),
                want: want.clone(),
                got,
                why,
            });
        }
    }
    found
}

/// The expectation the outcome satisfies, as JSON text in the order of docs/decks.md, in
/// the shape of the old one: the same criteria named (those the definition still has), or
/// every criterion when there was none.
pub fn actual(outcome: &Outcome, old: Option<&Expect>) -> String {
    let quote = |text: &str| serde_json::Value::String(text.to_string()).to_string();
    let onset = outcome
        .onset
        .map_or("null".to_string(), |d| quote(&d.to_string()));
    let mut out = format!(
        "{{\"result\":{},\"onset\":{onset}",
        quote(outcome.result.as_str())
    );
    let criteria: Vec<String> = outcome
        .criteria
        .iter()
        .filter(|c| old.is_none_or(|old| old.criteria.contains_key(&c.name)))
        .map(|c| format!("{}:{}", quote(&c.name), quote(c.result.as_str())))
        .collect();
    if !criteria.is_empty() {
        out.push_str(&format!(",\"criteria\":{{{}}}", criteria.join(",")));
    }
    out.push('}');
    out
}

/// The line with `facts.expect` set to `expect` (JSON text), every other byte kept;
/// `None` if the line is not a JSON object.
pub fn rewrite(line: &str, expect: &str) -> Option<String> {
    let value = expect.to_string();
    let (range, text) = match span::locate(line)? {
        span::Place::Expect(range) => (range, value),
        span::Place::NoExpect { after_brace, empty } => (
            after_brace..after_brace,
            format!("\"expect\":{value}{}", if empty { "" } else { "," }),
        ),
        span::Place::FactsValue(range) => (range, format!("{{\"expect\":{value}}}")),
        span::Place::NoFacts { after_brace, empty } => (
            after_brace..after_brace,
            format!(
                "\"facts\":{{\"expect\":{value}}}{}",
                if empty { "" } else { "," }
            ),
        ),
    };
    let mut out = String::with_capacity(line.len() + text.len());
    out.push_str(line.get(..range.start)?);
    out.push_str(&text);
    out.push_str(line.get(range.end..)?);
    Some(out)
}

/// The `.crit` files under `paths`, folders searched recursively, in name order; a deck
/// given by name stands for its definition.
pub fn definition_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut found)?;
        } else if let Some(crit) = path.to_str().and_then(|p| p.strip_suffix(".deck.jsonl")) {
            found.push(PathBuf::from(format!("{crit}.crit")));
        } else {
            found.push(path.clone());
        }
    }
    Ok(found)
}

fn walk(folder: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    // A folder's own files first, then its subfolders: `definitions`, then `scores/`, `studies/`.
    for entry in entries.iter().filter(|e| e.is_file()) {
        if entry.extension().is_some_and(|ext| ext == "crit") {
            found.push(entry.clone());
        }
    }
    for entry in entries.iter().filter(|e| e.is_dir()) {
        walk(entry, found)?;
    }
    Ok(())
}
