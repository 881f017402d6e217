//! Reviewing a revision of a definition: `refract diff OLD NEW`.
//!
//! A report has two parts. Part A says what changed in the file's words (a threshold,
//! a window, a renamed criterion), quoting both versions with their lines. Part B says
//! whether the meaning changed: "equivalent" when the checked forms are the same after
//! renaming and reordering, otherwise a patient timeline on which the two definitions
//! give a different result or onset, searched for within a time budget and shrunk. When
//! the search finds none the report says so, and never that the two are equivalent.

mod render;
mod same;
mod search;
mod words;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::diagnostics::Diagnostics;
use crate::source::{SourceFile, Span};
use crate::vocabulary::Vocabulary;

pub use render::{json, markdown, text};
pub use search::{differs, Side};

/// How a review searches.
#[derive(Debug, Clone)]
pub struct Options {
    /// The seed of the search: the same seed gives the same report.
    pub seed: u64,
    /// How long the search for a counterexample may take.
    pub budget: Duration,
    /// Whether to shrink a counterexample found (tests that only need one skip it).
    pub shrink: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 1,
            budget: Duration::from_secs(3),
            shrink: true,
        }
    }
}

/// A review of a revision.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The old file's name.
    pub old_file: String,
    /// The new file's name.
    pub new_file: String,
    /// What changed, in the files' words (new file's order).
    pub changes: Vec<Change>,
    /// Whether the meaning changed.
    pub meaning: Meaning,
}

/// One change, at the smallest node that differs.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// What changed: `threshold`, `operator`, `window`, `value list`, `criterion added`...
    pub what: String,
    /// Where: `criterion NAME`, `part NAME`, `met when`, `metadata`.
    pub place: String,
    /// The old version, if there is one.
    pub old: Option<Quote>,
    /// The new version, if there is one.
    pub new: Option<Quote>,
    /// More words (`added CEUS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Change {
    fn new(what: &str, place: &str, old: Option<Quote>, new: Option<Quote>) -> Change {
        Change {
            what: what.to_owned(),
            place: place.to_owned(),
            old,
            new,
            note: None,
        }
    }
}

/// A piece of a file: its first line and its text (whitespace runs as one space).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// 1-based line of its start.
    pub line: usize,
    /// The text.
    pub text: String,
}

impl Quote {
    fn of(file: &SourceFile, span: Span) -> Quote {
        let text = file.text.get(span.start..span.end).unwrap_or_default();
        let before = file.text.get(..span.start).unwrap_or_default();
        Quote {
            line: before.matches('\n').count() + 1,
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }
}

/// Whether the meaning changed.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Meaning {
    /// The checked forms are the same after renaming and reordering.
    Equivalent,
    /// A timeline on which the two differ.
    Different(Box<search::Counterexample>),
    /// The search found no difference (which is not a proof of equivalence).
    NoDifferenceFound {
        /// How many timelines were tried.
        timelines: usize,
    },
}

/// Review the revision `old` → `new`: both must compile (the first file's problems
/// otherwise).
pub fn diff(
    old: &Arc<SourceFile>,
    new: &Arc<SourceFile>,
    vocabulary: &Vocabulary,
    options: &Options,
) -> Result<Report, Diagnostics> {
    let old_ast = crate::syntax::parse(old)?;
    let new_ast = crate::syntax::parse(new)?;
    let (old_checked, _) = crate::check::check(&old_ast, vocabulary)?;
    let (new_checked, _) = crate::check::check(&new_ast, vocabulary)?;
    let changes = words::changes(&old_ast, &new_ast);
    let meaning = if same::equivalent(&old_checked, &new_checked) {
        Meaning::Equivalent
    } else {
        let search = search::Search::new(&old_checked, &new_checked, vocabulary, options);
        match search.run() {
            search::Found::Yes(counterexample) => Meaning::Different(counterexample),
            search::Found::No(timelines) => Meaning::NoDifferenceFound { timelines },
        }
    };
    Ok(Report {
        old_file: old.name.clone(),
        new_file: new.name.clone(),
        changes,
        meaning,
    })
}
