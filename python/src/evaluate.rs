//! Evaluation: every patient × every definition, in parallel on a pool of our own while
//! Python runs on, results kept in input order. What each patient gives is what
//! `refract eval` gives it: the same reader, the same evaluator, the same JSON lines,
//! the same handling of unreadable patients, repeated ids and stopped evaluations.

use std::sync::OnceLock;

use rayon::prelude::*;
use refract::check::Checked;
use refract::date::Date;
use refract::eval::Truth;
use refract::report::{error_line, outcome_line, stopped_line};
use refract::timeline::{known_on, Record, SeenIds};
use refract::vocabulary::Vocabulary;

use crate::table::Columns;

/// Patients read ahead and evaluated together: bounds memory for file input and keeps both
/// cores busy while the next chunk is read.
const CHUNK: usize = 4096;

/// One patient as handed in.
pub enum Item {
    /// A patient's JSON text (or why it could not be read), for the library's reader.
    Record(Record),
    /// A patient that could not even be made into JSON (a Python value JSON has no form
    /// for): its id when known, and why.
    Bad {
        /// The id, when the patient's `id` could be read.
        id: Option<String>,
        /// The message, naming the place.
        message: String,
    },
}

/// Where the patients come from, in order.
pub trait Items: Send {
    /// Up to `n` more patients; an empty vector at the end.
    fn next_chunk(&mut self, n: usize) -> Vec<Item>;
}

impl Items for std::vec::IntoIter<Item> {
    fn next_chunk(&mut self, n: usize) -> Vec<Item> {
        self.take(n).collect()
    }
}

/// What to produce.
pub struct Wanted<'a> {
    /// The definitions, in id order.
    pub definitions: &'a [Checked],
    /// The criterion columns (every criterion name, each once).
    pub columns: &'a [String],
    /// Ignore events after this date (`refract eval --as-of`).
    pub as_of: Option<Date>,
    /// Keep each row's JSON line.
    pub json: bool,
    /// The criteria the definitions share (evaluated once per patient).
    pub sharing: &'a refract::eval::Sharing,
}

/// What one patient became, made in a worker.
enum Done {
    /// Read and evaluated: one result per definition.
    Evaluated {
        id: String,
        line: Option<usize>,
        results: Vec<Evaluated>,
    },
    /// Not read.
    Failed {
        id: Option<String>,
        line: Option<usize>,
        message: String,
    },
}

/// One definition's result for one patient.
pub struct Evaluated {
    /// `None` when evaluation stopped at its work limit; else met, not met or unknown.
    pub result: Option<Truth>,
    /// The onset.
    pub onset: Option<Date>,
    /// Each criterion column's result (`None`: the definition has no such criterion).
    pub criteria: Vec<Option<Truth>>,
    /// Why evaluation stopped.
    pub error: Option<String>,
    /// The JSON line, when asked for.
    pub json: Option<String>,
}

/// The pool patients are evaluated on: one thread per core (or `REFRACT_THREADS`, read
/// when the pool starts: a Spark task sets it to its share of the cores), each with room
/// for the evaluator's recursion (bounded by the checker's limits), as the CLI gives its
/// workers.
fn pool() -> Result<&'static rayon::ThreadPool, String> {
    static POOL: OnceLock<Result<rayon::ThreadPool, String>> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::env::var("REFRACT_THREADS")
            .ok()
            .and_then(|n| n.trim().parse::<usize>().ok())
            .unwrap_or(0);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(32 << 20)
            .thread_name(|i| format!("refract-{i}"))
            .build()
            .map_err(|e| format!("cannot start the evaluation threads: {e}"))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Evaluate every patient of `items` and gather the results into columns (and, when
/// `lines` is given, the JSON lines `refract eval` would print). `input` names the input
/// in messages about repeated ids, as the CLI names its file.
pub fn run(
    items: &mut dyn Items,
    input: &str,
    wanted: &Wanted<'_>,
    mut columns: Option<&mut Columns>,
    mut lines: Option<&mut Vec<String>>,
) -> Result<(), String> {
    let vocabulary = Vocabulary::builtin();
    let positions = positions(wanted.definitions, wanted.columns);
    let want_lines = lines.is_some();
    let work = |item: &Item| one(item, wanted, &positions, &vocabulary, want_lines);
    let mut seen = SeenIds::default();
    pool()?.install(|| {
        let mut chunk = items.next_chunk(CHUNK);
        while !chunk.is_empty() {
            let (done, next) = rayon::join(
                || chunk.par_iter().map(work).collect::<Vec<Done>>(),
                || items.next_chunk(CHUNK),
            );
            for done in done {
                gather(
                    done,
                    input,
                    wanted,
                    &mut seen,
                    columns.as_deref_mut(),
                    lines.as_deref_mut(),
                );
            }
            chunk = next;
        }
    });
    Ok(())
}

/// For each definition, the column of each of its criteria.
fn positions(definitions: &[Checked], columns: &[String]) -> Vec<Vec<usize>> {
    definitions
        .iter()
        .map(|definition| {
            definition
                .criteria
                .iter()
                .map(|c| {
                    columns
                        .iter()
                        .position(|name| *name == c.name)
                        .unwrap_or(usize::MAX)
                })
                .collect()
        })
        .collect()
}

/// Read and evaluate one patient.
fn one(
    item: &Item,
    wanted: &Wanted<'_>,
    positions: &[Vec<usize>],
    vocabulary: &Vocabulary,
    lines: bool,
) -> Done {
    let record = match item {
        Item::Record(record) => record,
        Item::Bad { id, message } => {
            return Done::Failed {
                id: id.clone(),
                line: None,
                message: message.clone(),
            }
        }
    };
    let patient = match record.parse(vocabulary) {
        Ok(patient) => known_on(patient, wanted.as_of),
        Err(error) => {
            return Done::Failed {
                id: error.patient_id().map(str::to_string),
                line: error.origin().line,
                message: error.to_string(),
            }
        }
    };
    let json = wanted.json || lines;
    let index = refract::eval::Index::new(&patient);
    let mut shared = refract::eval::SharedCriteria::new(wanted.sharing);
    let results = wanted
        .definitions
        .iter()
        .zip(positions)
        .map(|(definition, at)| {
            let outcome =
                refract::eval::evaluate_sharing(definition, &patient, &index, &mut shared);
            let mut criteria = vec![None; wanted.columns.len()];
            if let Some(reason) = &outcome.stopped {
                return Evaluated {
                    result: None,
                    onset: None,
                    criteria,
                    error: Some(reason.clone()),
                    json: json.then(|| stopped_line(&outcome, reason)),
                };
            }
            for (criterion, &column) in outcome.criteria.iter().zip(at) {
                if let Some(cell) = criteria.get_mut(column) {
                    *cell = Some(criterion.result);
                }
            }
            Evaluated {
                result: Some(outcome.result),
                onset: outcome.onset,
                criteria,
                error: None,
                json: json.then(|| outcome_line(&outcome)),
            }
        })
        .collect();
    // The shared results borrow the patient.
    drop(shared);
    Done::Evaluated {
        id: patient.id,
        line: patient.line,
        results,
    }
}

/// Hand one patient's results on, in input order; a repeated id makes the later patient
/// an error, as in `refract eval`.
fn gather(
    done: Done,
    input: &str,
    wanted: &Wanted<'_>,
    seen: &mut SeenIds,
    columns: Option<&mut Columns>,
    lines: Option<&mut Vec<String>>,
) {
    let (id, message) = match done {
        Done::Evaluated { id, line, results } => {
            if let Some(message) = seen.duplicate(&id, line, input) {
                (Some(id), message)
            } else {
                if let Some(lines) = lines {
                    lines.extend(results.iter().filter_map(|r| r.json.clone()));
                }
                if let Some(columns) = columns {
                    for (definition, result) in wanted.definitions.iter().zip(results) {
                        columns.push(&id, definition, result);
                    }
                }
                return;
            }
        }
        Done::Failed { id, line, message } => {
            // The id of a patient that could not be read is still taken.
            if let Some(id) = &id {
                seen.again(id, line);
            }
            (id, message)
        }
    };
    let json = error_line(id.as_deref(), &message);
    if let Some(lines) = lines {
        lines.push(json.clone());
    }
    if let Some(columns) = columns {
        for definition in wanted.definitions {
            columns.push_error(
                id.as_deref(),
                definition,
                &message,
                wanted.json.then(|| json.clone()),
            );
        }
    }
}
