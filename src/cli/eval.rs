//! `refract eval`: every patient × every definition, as JSON Lines or a table.

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::HashMap;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;

use refract::check::Checked;
use refract::date::Date;
use refract::eval::evaluate;
use refract::report::{error_line, outcome_line, Table};
use refract::timeline::{read_cohort, Patient};
use refract::vocabulary::Vocabulary;

use super::{definition_paths, EvalArgs, Format};

/// Evaluate; exit 1 if a definition is invalid (or, with --strict, a patient).
pub fn run(args: EvalArgs) -> ExitCode {
    let vocabulary = Vocabulary::builtin();
    let as_of = match args.as_of.as_deref().map(Date::parse) {
        None => None,
        Some(Ok(date)) => Some(date),
        Some(Err(error)) => {
            eprintln!("error: --as-of: {error}");
            return ExitCode::from(2);
        }
    };
    let Some(definitions) = load_all(&args, &vocabulary) else {
        return ExitCode::from(1);
    };
    let from_stdin = args.input.as_os_str() == "-";
    let input_name = if from_stdin {
        "stdin".to_string()
    } else {
        args.input.display().to_string()
    };
    let reader: Box<dyn BufRead> = if from_stdin {
        Box::new(BufReader::new(io::stdin()))
    } else {
        match File::open(&args.input) {
            Ok(file) => Box::new(BufReader::new(file)),
            Err(error) => {
                eprintln!("error: cannot read {input_name}: {error}");
                return ExitCode::from(1);
            }
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut table = Table::new();
    let mut ids = SeenIds::default();
    for item in read_cohort(reader, &input_name, &vocabulary) {
        let patient = match item {
            Ok(patient) => patient,
            Err(error) => {
                eprintln!("{:?}", miette::Report::new(error.clone()));
                if args.strict {
                    return ExitCode::from(1);
                }
                match args.format {
                    Format::Json => {
                        let _ = writeln!(
                            out,
                            "{}",
                            error_line(error.patient_id(), &error.to_string())
                        );
                    }
                    Format::Table => {
                        table.push_error(error.patient_id().unwrap_or("?"), &error.to_string())
                    }
                }
                continue;
            }
        };
        if let Some(message) = ids.duplicate(&patient, &input_name) {
            eprintln!("error: {message}");
            if args.strict {
                return ExitCode::from(1);
            }
            match args.format {
                Format::Json => {
                    let _ = writeln!(out, "{}", error_line(Some(&patient.id), &message));
                }
                Format::Table => table.push_error(&patient.id, &message),
            }
            continue;
        }
        let patient = cut_at(patient, as_of);
        for definition in &definitions {
            let outcome = evaluate(definition, &patient);
            match args.format {
                Format::Json => {
                    if writeln!(out, "{}", outcome_line(&outcome)).is_err() {
                        return ExitCode::from(1);
                    }
                }
                Format::Table => table.push(&outcome),
            }
        }
    }
    if let Format::Table = args.format {
        let _ = write!(out, "{}", table.render());
    }
    if out.flush().is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// Every definition, checked, in id order; `None` (after printing why) if any is invalid.
fn load_all(args: &EvalArgs, vocabulary: &Vocabulary) -> Option<Vec<Checked>> {
    let files = match refract::definition_files(&definition_paths(&args.definitions)) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: cannot list definitions: {error}");
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
                for report in diagnostics.reports() {
                    eprintln!("{report:?}");
                }
            }
        }
    }
    if definitions.is_empty() && !failed {
        eprintln!("error: no definition files found");
        return None;
    }
    definitions.sort_by(|a, b| a.id.cmp(&b.id));
    (!failed).then_some(definitions)
}

/// Patient ids seen so far, as 64-bit hashes with the line of first sight, so memory stays
/// small on large cohorts (a collision between two distinct ids is about one in 10^10 for a
/// million patients).
#[derive(Default)]
struct SeenIds {
    lines: HashMap<u64, Option<usize>>,
}

impl SeenIds {
    /// A message if this patient's id was seen before; it is then not evaluated again.
    fn duplicate(&mut self, patient: &Patient, file: &str) -> Option<String> {
        let mut hasher = DefaultHasher::new();
        patient.id.hash(&mut hasher);
        let first = match self.lines.entry(hasher.finish()) {
            Entry::Occupied(entry) => *entry.get(),
            Entry::Vacant(entry) => {
                entry.insert(patient.line);
                return None;
            }
        };
        let here = patient
            .line
            .map(|l| format!(" line {l}"))
            .unwrap_or_default();
        let there = first.map(|l| format!(" at line {l}")).unwrap_or_default();
        Some(format!(
            "{file}{here}: patient id \"{}\" was already used{there}; ids must be unique in a cohort, so this patient is not evaluated",
            patient.id
        ))
    }
}

/// The patient as known on `as_of`: later events are dropped.
fn cut_at(mut patient: Patient, as_of: Option<Date>) -> Patient {
    if let Some(as_of) = as_of {
        patient.events.retain(|event| event.date <= as_of);
    }
    patient
}
