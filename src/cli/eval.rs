//! `refract eval`: every patient × every definition, streamed. Patients are read in order,
//! parsed and evaluated in parallel a chunk at a time, and written in input order, so
//! memory is bounded by the chunk and the output is the same as a single-threaded run.

use std::path::PathBuf;
use std::process::ExitCode;

use refract::check::Checked;
use refract::date::Date;
use refract::diagnostics::terminal;
use refract::eval::{evaluate_sharing, Index, Outcome, SharedCriteria, Sharing};
use refract::report::{
    csv_columns, csv_header, csv_row, error_line, outcome_line, report_block, Table,
};
use refract::timeline::{known_on, Record, SeenIds, TimelineError};
use refract::vocabulary::Vocabulary;

use super::output::{say, show, Output};
use super::pipeline;
use super::{definition_paths, EvalArgs, Format};

/// What one input record became.
enum Done {
    /// The patient's id, line, and one output per definition.
    Evaluated {
        id: String,
        line: Option<usize>,
        outputs: Vec<String>,
    },
    /// Read but not evaluated (`--parse-only`).
    Parsed { id: String, line: Option<usize> },
    /// Read, and not one of the patients asked for (`--patient`).
    Skipped,
    /// The record could not be read.
    Failed(Box<TimelineError>),
}

/// Evaluate; exit 1 if a definition is invalid (or, with --strict, a patient).
pub fn run(args: EvalArgs) -> ExitCode {
    let vocabulary = Vocabulary::builtin();
    let as_of = match args.as_of.as_deref().map(Date::parse) {
        None => None,
        Some(Ok(date)) => Some(date),
        Some(Err(error)) => {
            say(&format!("error: --as-of: {error}"));
            return ExitCode::from(2);
        }
    };
    let Some(definitions) = load_all(&args.definitions, &vocabulary) else {
        return ExitCode::from(1);
    };
    let (input_name, records) = match super::input::records(&args.input, args.from, &vocabulary) {
        Ok(opened) => opened,
        Err(message) => {
            say(&format!("error: {message}"));
            return ExitCode::from(1);
        }
    };
    let mut sink = Sink {
        out: Output::stdout(1 << 20),
        table: Table::new(),
        format: args.format,
        records: 0,
    };
    let columns = csv_columns(&definitions);
    // Criteria written the same way in several definitions are evaluated once per patient.
    let sharing = Sharing::new(&definitions);
    if let Format::Csv = args.format {
        sink.line(csv_header(&columns));
    }
    let strict = args.strict;
    let wanted = &args.patients;
    let input = &input_name;
    let (status, written) = pipeline::stream(
        records,
        |record| {
            run_one(
                record,
                (&definitions, &sharing),
                &columns,
                &vocabulary,
                &args.patients,
                as_of,
                args.format,
                args.parse_only,
                args.reader.into(),
            )
        },
        move |results| {
            let mut ids = SeenIds::default();
            let mut status = ExitCode::SUCCESS;
            let mut found = vec![false; wanted.len()];
            'chunks: for done in results.iter() {
                let records = done.len();
                for item in done {
                    let (id, line, outputs) = match item {
                        Done::Evaluated { id, line, outputs } => (id, line, outputs),
                        Done::Parsed { id, line } => (id, line, Vec::new()),
                        Done::Skipped => continue,
                        Done::Failed(error) => {
                            show(error.shown());
                            // The id of a patient that could not be read is still taken.
                            if let Some(id) = error.patient_id() {
                                ids.again(id, error.origin().line);
                            }
                            // An input that could not be read to its end is a failed run.
                            if strict || !error.kind().is_patient_error() {
                                status = ExitCode::from(1);
                            }
                            if strict {
                                break 'chunks;
                            }
                            sink.error(error.patient_id(), &error.to_string());
                            continue;
                        }
                    };
                    if let Some(message) = ids.duplicate(&id, line, input) {
                        say(&format!("error: {message}"));
                        if strict {
                            status = ExitCode::from(1);
                            break 'chunks;
                        }
                        sink.error(Some(&id), &message);
                        continue;
                    }
                    if let Some(at) = wanted.iter().position(|w| *w == id) {
                        if let Some(seen) = found.get_mut(at) {
                            *seen = true;
                        }
                    }
                    // A definition stopped at its work limit has no CSV row.
                    for output in outputs.into_iter().filter(|o| !o.is_empty()) {
                        sink.line(output);
                    }
                }
                sink.end_of_chunk(records);
                // Output has ended (a closed pipe, a full disk): stop reading and evaluating.
                if !sink.out.is_open() {
                    break;
                }
            }
            for (id, seen) in wanted.iter().zip(&found) {
                if !seen {
                    say(&format!("error: no patient with id \"{id}\" in {input}"));
                    status = ExitCode::from(1);
                }
            }
            (status, sink.finish())
        },
    )
    .unwrap_or((ExitCode::from(1), false));
    if !written {
        return ExitCode::from(1);
    }
    status
}

/// Parse one record and evaluate every definition for it; the output text is made here,
/// in the worker, so the writer only copies it.
#[allow(clippy::too_many_arguments)]
fn run_one(
    record: &Record,
    (definitions, sharing): (&[Checked], &Sharing),
    columns: &[String],
    vocabulary: &Vocabulary,
    wanted: &[String],
    as_of: Option<Date>,
    format: Format,
    parse_only: bool,
    reader: refract::timeline::Reader,
) -> Done {
    let patient = match record.parse_with(vocabulary, reader) {
        Ok(patient) => patient,
        // A record that cannot be read is reported unless its id says it is not wanted.
        Err(error) => {
            let unwanted = !wanted.is_empty()
                && error
                    .patient_id()
                    .is_some_and(|id| !wanted.iter().any(|w| w == id));
            if unwanted {
                return Done::Skipped;
            }
            return Done::Failed(Box::new(error));
        }
    };
    if !wanted.is_empty() && !wanted.contains(&patient.id) {
        return Done::Skipped;
    }
    if parse_only {
        return Done::Parsed {
            id: patient.id,
            line: patient.line,
        };
    }
    let patient = known_on(patient, as_of);
    let index = Index::new(&patient);
    let mut shared = SharedCriteria::new(sharing);
    let outputs = definitions
        .iter()
        .map(|definition| {
            let outcome = evaluate_sharing(definition, &patient, &index, &mut shared);
            if let Some(reason) = &outcome.stopped {
                // One patient's runaway evaluation costs only its own result.
                say(&format!(
                    "error: patient \"{}\", definition {}: {reason}",
                    outcome.patient, outcome.definition
                ));
                return match format {
                    Format::Json => refract::report::stopped_line(&outcome, reason),
                    Format::Table => {
                        Table::error_row(&outcome.patient, &outcome.definition, reason)
                    }
                    Format::Csv => String::new(),
                    Format::Report => format!(
                        "{} · {}: not evaluated: {reason}\n",
                        terminal::escape(&outcome.patient),
                        outcome.definition
                    ),
                };
            }
            match format {
                Format::Report => report_block(&outcome, definition, &patient),
                _ => render(&outcome, columns, format),
            }
        })
        .collect();
    // The shared results borrow the patient.
    drop(shared);
    Done::Evaluated {
        id: patient.id,
        line: patient.line,
        outputs,
    }
}

fn render(outcome: &Outcome, columns: &[String], format: Format) -> String {
    match format {
        Format::Json | Format::Report => outcome_line(outcome),
        Format::Table => Table::row(outcome),
        Format::Csv => csv_row(outcome, columns),
    }
}

/// Where results go, in input order.
struct Sink {
    out: Output,
    table: Table,
    format: Format,
    /// Input records handed on so far.
    records: usize,
}

impl Sink {
    fn line(&mut self, text: String) {
        match self.format {
            Format::Table => {
                let text = self.table.push(text);
                self.out.write(text.as_bytes());
            }
            Format::Json | Format::Csv | Format::Report => self.out.line(&text),
        }
    }

    fn error(&mut self, patient: Option<&str>, message: &str) {
        match self.format {
            Format::Json => self.line(error_line(patient, message)),
            Format::Report => self.line(format!(
                "{} · not read: {}\n",
                terminal::escape(patient.unwrap_or("?")),
                terminal::escape(message)
            )),
            Format::Csv => {}
            Format::Table => self.line(Table::error_row(patient.unwrap_or("?"), "-", message)),
        }
    }

    /// After a chunk of `records` input records. Once the table's first
    /// [`TABLE_WIDTHS_FROM`](refract::report::TABLE_WIDTHS_FROM) records are in, its widths
    /// are known and its rows stream.
    fn end_of_chunk(&mut self, records: usize) {
        self.records = self.records.saturating_add(records);
        if self.records >= refract::report::TABLE_WIDTHS_FROM {
            self.settle_table();
        }
    }

    fn settle_table(&mut self) {
        if let Format::Table = self.format {
            let text = self.table.settle();
            self.out.write(text.as_bytes());
        }
    }

    /// `false` when output failed (and was reported).
    fn finish(mut self) -> bool {
        self.settle_table();
        self.out.finish()
    }
}

/// Every definition, checked, in id order; `None` (after printing why) if any is invalid.
pub(super) fn load_all(given: &[PathBuf], vocabulary: &Vocabulary) -> Option<Vec<Checked>> {
    let files = match refract::definition_files(&definition_paths(given)) {
        Ok(files) => files,
        Err(error) => {
            say(&format!("error: cannot list definitions: {error}"));
            return None;
        }
    };
    let mut definitions = Vec::new();
    let mut failed = false;
    for file in files {
        match refract::load_definition(&file, vocabulary) {
            Ok((checked, _warnings)) => definitions.push(checked),
            Err(diagnostics) => {
                failed = true;
                for shown in diagnostics.shown() {
                    show(shown);
                }
            }
        }
    }
    let all: Vec<&Checked> = definitions.iter().collect();
    for diagnostics in refract::duplicate_ids(&all) {
        failed = true;
        for shown in diagnostics.shown() {
            show(shown);
        }
    }
    if definitions.is_empty() && !failed {
        say("error: no definition files found");
        return None;
    }
    definitions.sort_by(|a, b| a.id.cmp(&b.id));
    (!failed).then_some(definitions)
}
