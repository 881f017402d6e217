//! `refract convert`: patients from one format into another, exactly (see
//! `refract::sources`): read and checked like `eval` reads them, written by the target's
//! writer. A patient that cannot be read is reported and left out, and the exit code is 1.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use refract::sources::{self, PatientWriter, Target};
use refract::timeline::{Patient, SeenIds, TimelineError};
use refract::vocabulary::Vocabulary;

use super::output::{say, show, Output};
use super::{pipeline, OutputWriter};

/// `refract convert`
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    #[command(flatten)]
    from: super::input::From,
    /// The output's format: jsonl (canonical JSON Lines), csv (long format) or fhir-bulk
    /// (a FHIR Bulk Data export: a folder of NDJSON files, written to --out DIR).
    #[arg(long, value_name = "FORMAT", value_parser = target_parser())]
    to: Target,
    /// Write to this file instead of standard output (for fhir-bulk: this folder).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The patient or cohort file; `-` reads standard input.
    input: PathBuf,
}

fn target_parser() -> impl TypedValueParser<Value = Target> {
    PossibleValuesParser::new(Target::ALL.map(Target::name))
        .map(|name| Target::from_name(&name).unwrap_or(Target::Jsonl))
}

/// Convert; exit 1 if the input (or a patient in it) cannot be read or the output written.
pub fn run(args: ConvertArgs) -> ExitCode {
    let vocabulary = Vocabulary::builtin();
    let (input_name, records) =
        match super::input::records(&args.input, args.from.clone(), &vocabulary) {
            Ok(opened) => opened,
            Err(message) => {
                say(&format!("error: {message}"));
                return ExitCode::from(1);
            }
        };
    if args.to == Target::FhirBulk {
        return fhir_bulk(&args, records, &input_name, &vocabulary);
    }
    match &args.out {
        Some(path) => {
            let file = match File::create(path) {
                Ok(file) => file,
                Err(error) => {
                    say(&format!("error: cannot write {}: {error}", path.display()));
                    return ExitCode::from(1);
                }
            };
            let out: Box<dyn Write + Send> = Box::new(BufWriter::with_capacity(1 << 20, file));
            let writer = sources::writer(args.to, out);
            let (read, written) = convert(records, &input_name, &vocabulary, writer);
            if let Err(error) = written {
                say(&format!("error: cannot write {}: {error}", path.display()));
                return ExitCode::from(1);
            }
            exit(read)
        }
        None => {
            let mut out = Output::stdout(1 << 20);
            let writer = sources::writer(args.to, Box::new(OutputWriter(&mut out)));
            // A failed write has ended `out`; finish() reports it (or a closed pipe).
            let (read, _) = convert(records, &input_name, &vocabulary, writer);
            if !out.finish() {
                return ExitCode::from(1);
            }
            exit(read)
        }
    }
}

/// `--to fhir-bulk --out DIR`: a folder of NDJSON files, by the mapping read backwards.
fn fhir_bulk(
    args: &ConvertArgs,
    records: Box<dyn Iterator<Item = refract::timeline::Record> + Send>,
    input_name: &str,
    vocabulary: &Vocabulary,
) -> ExitCode {
    let Some(dir) = &args.out else {
        say("error: --to fhir-bulk writes a folder of NDJSON files: give --out DIR");
        return ExitCode::from(2);
    };
    let mapping = match super::fhir_input::mapping(&args.from, vocabulary) {
        Ok(mapping) => mapping,
        Err(message) => {
            say(&format!("error: {message}"));
            return ExitCode::from(1);
        }
    };
    let writer = match refract::sources::fhir::write::BulkWriter::create(dir, mapping) {
        Ok(writer) => writer.on_unwritten(|u| {
            say(&format!(
                "warning: patient {} event {}: {} (not written)",
                u.patient, u.event, u.what
            ));
        }),
        Err(error) => {
            say(&format!("error: cannot write {}: {error}", dir.display()));
            return ExitCode::from(1);
        }
    };
    let (read, written) = convert(records, input_name, vocabulary, Box::new(writer));
    if let Err(error) = written {
        say(&format!("error: cannot write {}: {error}", dir.display()));
        return ExitCode::from(1);
    }
    exit(read)
}

fn exit(all_read: bool) -> ExitCode {
    if all_read {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Read every record (parsed in parallel, written in input order) and write each patient;
/// whether every patient was read, and whether writing succeeded.
fn convert(
    records: Box<dyn Iterator<Item = refract::timeline::Record> + Send>,
    input: &str,
    vocabulary: &Vocabulary,
    mut writer: Box<dyn PatientWriter + Send + '_>,
) -> (bool, std::io::Result<()>) {
    let work = |record: &refract::timeline::Record| record.parse(vocabulary).map_err(Box::new);
    let consume = |results: std::sync::mpsc::Receiver<Vec<Result<Patient, Box<TimelineError>>>>| {
        let mut ids = SeenIds::default();
        let mut all_read = true;
        for chunk in results.iter() {
            for item in chunk {
                let patient = match item {
                    Ok(patient) => patient,
                    Err(error) => {
                        show(error.shown());
                        if let Some(id) = error.patient_id() {
                            ids.again(id, error.origin().line);
                        }
                        all_read = false;
                        continue;
                    }
                };
                // Two patients of one id would be one patient in some formats: refused.
                if let Some(message) = ids.duplicate(&patient.id, patient.line, input) {
                    say(&format!("error: {message}"));
                    all_read = false;
                    continue;
                }
                if let Err(error) = writer.write(&patient, vocabulary) {
                    return (all_read, Err(error));
                }
            }
        }
        (all_read, writer.finish())
    };
    pipeline::stream(records, work, consume)
        .unwrap_or((false, Err(std::io::ErrorKind::Other.into())))
}
