//! `refract eval`: every patient × every definition, streamed. Patients are read in order,
//! parsed and evaluated in parallel a chunk at a time, and written in input order, so
//! memory is bounded by the chunk and the output is the same as a single-threaded run.

use std::io::{self, IsTerminal};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use refract::check::Checked;
use refract::date::Date;
use refract::eval::{evaluate, Outcome};
use refract::diagnostics::terminal;
use refract::report::{
    csv_columns, csv_header, csv_row, error_line, outcome_line, report_block, Table,
};
use refract::timeline::{read_cohort, Patient, Record, TimelineError};
use refract::vocabulary::Vocabulary;

use super::input::SeenIds;
use super::output::{say, show, Output};
use super::{definition_paths, EvalArgs, Format};

/// Patients read ahead and evaluated together; bounds memory, keeps both cores busy.
const CHUNK: usize = 2048;

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
    let Some(definitions) = load_all(&args, &vocabulary) else {
        return ExitCode::from(1);
    };
    let (input_name, reader) = match super::input::open(&args.input) {
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
    };
    let columns = csv_columns(&definitions);
    if let Format::Csv = args.format {
        sink.line(csv_header(&columns));
    }
    // Evaluation recurses along a definition's tree (bounded by the checker's limits);
    // give the workers room beyond the default 2 MiB.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(32 << 20)
        .build_global();
    let progress = Progress::new();
    // Three stages run at once: reading (line splitting, UTF-8 checks) on one thread, a
    // chunk ahead; evaluation on the worker pool; writing on another thread, a chunk
    // behind. Bounded channels keep memory at a few chunks, and order is kept.
    let (chunks_in, chunks) = std::sync::mpsc::sync_channel::<Vec<Record>>(2);
    let (results_out, results) = std::sync::mpsc::sync_channel::<Vec<Done>>(2);
    let stop = AtomicBool::new(false);
    let strict = args.strict;
    let (status, written) = std::thread::scope(|scope| {
        let reader_vocabulary = vocabulary.clone();
        let input = input_name.clone();
        scope.spawn(move || {
            let mut records = read_cohort(reader, &input, &reader_vocabulary);
            loop {
                let chunk: Vec<Record> = std::iter::from_fn(|| records.next_record())
                    .take(CHUNK)
                    .collect();
                // The receiver is gone when evaluation stopped early (--strict).
                if chunk.is_empty() || chunks_in.send(chunk).is_err() {
                    break;
                }
            }
        });
        let stop = &stop;
        let input_name = &input_name;
        let wanted = &args.patients;
        let writer = scope.spawn(move || {
            let mut ids = SeenIds::default();
            let mut status = ExitCode::SUCCESS;
            let mut found = vec![false; wanted.len()];
            'chunks: for done in results.iter() {
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
                    if let Some(message) = duplicate(&mut ids, &id, line, input_name) {
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
                sink.end_of_chunk();
                // Output has ended (a closed pipe, a full disk): stop reading and evaluating.
                if !sink.out.is_open() {
                    break;
                }
            }
            for (id, seen) in wanted.iter().zip(&found) {
                if !seen {
                    say(&format!("error: no patient with id \"{id}\" in {input_name}"));
                    status = ExitCode::from(1);
                }
            }
            stop.store(true, Ordering::Relaxed);
            (status, sink.finish())
        });
        for chunk in chunks.iter() {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let done: Vec<Done> = chunk
                .par_iter()
                .map(|record| {
                    run_one(
                        record,
                        &definitions,
                        &columns,
                        &vocabulary,
                        &args.patients,
                        as_of,
                        args.format,
                        args.parse_only,
                    )
                })
                .collect();
            progress.advance(done.len());
            if results_out.send(done).is_err() {
                break;
            }
        }
        drop(results_out);
        drop(chunks);
        writer.join().unwrap_or((ExitCode::from(1), false))
    });
    progress.finish();
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
    definitions: &[Checked],
    columns: &[String],
    vocabulary: &Vocabulary,
    wanted: &[String],
    as_of: Option<Date>,
    format: Format,
    parse_only: bool,
) -> Done {
    let patient = match record.parse(vocabulary) {
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
    let patient = cut_at(patient, as_of);
    let outputs = definitions
        .iter()
        .map(|definition| {
            let outcome = evaluate(definition, &patient);
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

    /// After the first chunk the table's widths are known and its rows stream.
    fn end_of_chunk(&mut self) {
        if let Format::Table = self.format {
            let text = self.table.settle();
            self.out.write(text.as_bytes());
        }
    }

    /// `false` when output failed (and was reported).
    fn finish(mut self) -> bool {
        self.end_of_chunk();
        self.out.finish()
    }
}

/// A progress bar with patients per second, shown only when stderr is a terminal.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new() -> Progress {
        if !io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {human_pos} patients  {per_sec}  {elapsed}",
        ) {
            bar.set_style(style);
        }
        Progress(Some(bar))
    }

    fn advance(&self, patients: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(patients as u64);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Every definition, checked, in id order; `None` (after printing why) if any is invalid.
fn load_all(args: &EvalArgs, vocabulary: &Vocabulary) -> Option<Vec<Checked>> {
    let files = match refract::definition_files(&definition_paths(&args.definitions)) {
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

/// The message for a patient whose id was already used, if it was.
fn duplicate(ids: &mut SeenIds, id: &str, line: Option<usize>, file: &str) -> Option<String> {
    let first = ids.again(id, line)?;
    let here = line.map(|l| format!(" line {l}")).unwrap_or_default();
    let there = first.map(|l| format!(" at line {l}")).unwrap_or_default();
    Some(format!(
        "{file}{here}: patient id \"{id}\" was already used{there}; ids must be unique in a cohort, so this patient is not evaluated"
    ))
}

/// The patient as known on `as_of`: later events are dropped.
fn cut_at(mut patient: Patient, as_of: Option<Date>) -> Patient {
    if let Some(as_of) = as_of {
        patient.events.retain(|event| event.date <= as_of);
    }
    patient
}
