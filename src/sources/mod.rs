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

pub use problem::RowProblem;

/// An input format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// refract's own JSON: JSON Lines, one patient per line, or one patient per file.
    #[default]
    Jsonl,
    /// Long-format CSV, one row per attribute value (`docs/csv.md`).
    Csv,
}

impl Format {
    /// Every input format, as named on the command line.
    pub const ALL: [Format; 2] = [Format::Jsonl, Format::Csv];

    /// The name on the command line (`--from csv`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
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
    }
}

/// A format `refract convert` writes patients in, one after another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// refract's own JSON Lines, in the canonical form of [`native::patient_line`].
    Jsonl,
    /// Long-format CSV, as [`csv::Writer`] writes it.
    Csv,
}

impl Target {
    /// Every output format, as named on the command line.
    pub const ALL: [Target; 2] = [Target::Jsonl, Target::Csv];

    /// The name on the command line (`--to csv`).
    pub fn name(self) -> &'static str {
        match self {
            Target::Jsonl => "jsonl",
            Target::Csv => "csv",
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
    }
}
