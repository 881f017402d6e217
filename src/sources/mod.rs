//! Where patients are read from and written to: the input formats, each a module that
//! turns an input into a stream of [`Record`]s, and the formats `refract convert` writes.
//! Every reader builds the same [`Patient`](crate::timeline::Patient) through the same
//! value checks, so each message of the native format applies to all of them.
//!
//! ```
//! use refract::sources::{records, Format};
//! use refract::vocabulary::Vocabulary;
//!
//! let csv = "patient,date,time,event,kind,attribute,value\n\
//!            P1,2021-02-01,,0,imaging,viable_percent,40\n";
//! let vocabulary = Vocabulary::builtin();
//! let reader = Box::new(std::io::Cursor::new(csv.as_bytes().to_vec()));
//! let mut read = records(Format::Csv, reader, "cohort.csv", &vocabulary);
//! let patient = read.next().unwrap().parse(&vocabulary).unwrap();
//! assert_eq!(patient.id, "P1");
//! assert_eq!(patient.events[0].source.as_deref(), Some("line 2"));
//! ```
//!
//! A new format is one variant of [`Format`] (and of [`Target`] if it is written), one arm
//! in [`records`] (and [`writer`]), and one module.

use std::io::{BufRead, Write};

use crate::timeline::{Patient, Record};
use crate::vocabulary::Vocabulary;

pub mod csv;
pub mod long;
pub mod native;
mod problem;

// FHIR R4 input, its mappings, and the partitions that group bulk exports by patient.
pub mod fhir;
pub mod mapping;
pub mod partition;

pub use problem::RowProblem;

/// An input format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// refract's own JSON: JSON Lines, one patient per line, or one patient per file.
    #[default]
    Jsonl,
    /// Long-format CSV, one row per attribute value (`docs/csv.md`).
    Csv,
    /// FHIR R4: Bundles, resources and Bulk Data NDJSON, by a mapping (`docs/fhir.md`).
    /// Read from a file or folder by [`fhir::records`].
    Fhir,
}

impl Format {
    /// Every input format, as named on the command line.
    pub const ALL: [Format; 3] = [Format::Jsonl, Format::Csv, Format::Fhir];

    /// The name on the command line (`--from csv`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Fhir => "fhir",
        }
    }

    /// The format named `name`.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The records of an input of `format` read from `reader` (named `file` in messages), in
/// input order. Records are parsed with [`Record::parse`], which may run in parallel.
pub fn records(
    format: Format,
    reader: Box<dyn BufRead + Send>,
    file: &str,
    vocab: &Vocabulary,
) -> Box<dyn Iterator<Item = Record> + Send> {
    match format {
        Format::Jsonl => Box::new(native::records(reader, file, vocab)),
        Format::Csv => Box::new(csv::records(reader, file)),
        // FHIR inputs are folders and files grouped through partitions, not one stream.
        Format::Fhir => {
            let kind = crate::timeline::TimelineErrorKind::Io {
                message: "FHIR input is read from a file or a folder, not a stream".into(),
            };
            let error =
                crate::timeline::TimelineError::new(kind, crate::timeline::Origin::new(file, None));
            Box::new(std::iter::once(Record::Failed(error)))
        }
    }
}

/// A format `refract convert` writes patients in, one after another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// refract's own JSON Lines, in the canonical form of [`native::patient_line`].
    Jsonl,
    /// Long-format CSV, as [`csv::Writer`] writes it.
    Csv,
    /// A FHIR Bulk Data export: a folder of NDJSON files ([`fhir::write::BulkWriter`]).
    FhirBulk,
}

impl Target {
    /// Every output format, as named on the command line.
    pub const ALL: [Target; 3] = [Target::Jsonl, Target::Csv, Target::FhirBulk];

    /// The name on the command line (`--to csv`).
    pub fn name(self) -> &'static str {
        match self {
            Target::Jsonl => "jsonl",
            Target::Csv => "csv",
            Target::FhirBulk => "fhir-bulk",
        }
    }

    /// The format named `name`.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Writes patients, one after another, in one format.
pub trait PatientWriter {
    /// Write one patient.
    fn write(&mut self, patient: &Patient, vocab: &Vocabulary) -> std::io::Result<()>;
    /// Write what remains and flush.
    fn finish(&mut self) -> std::io::Result<()>;
}

/// A writer of `target` onto `out`.
pub fn writer<'w>(
    target: Target,
    out: Box<dyn Write + Send + 'w>,
) -> Box<dyn PatientWriter + Send + 'w> {
    match target {
        Target::Jsonl => Box::new(native::Writer::new(out)),
        Target::Csv => Box::new(csv::Writer::new(out)),
        // A folder, not a stream: see fhir::write::BulkWriter.
        Target::FhirBulk => Box::new(NoStream),
    }
}

/// The writer of a target that writes a folder, not a stream: every write fails.
struct NoStream;

impl PatientWriter for NoStream {
    fn write(&mut self, _: &Patient, _: &Vocabulary) -> std::io::Result<()> {
        Err(std::io::Error::other(
            "fhir-bulk writes a folder: give --out DIR",
        ))
    }

    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
