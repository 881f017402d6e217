//! Rows grouped into one record per patient, the rows of a patient together.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Field, LongRow, Row, Rows};
use crate::sources::problem::RowProblem;
use crate::timeline::{
    Origin, Patient, Record, TimelineError, TimelineErrorKind as Kind, MAX_DOCUMENT_BYTES,
};
use crate::vocabulary::Vocabulary;

/// Patients from rows grouped by patient (the rows of one patient together), in order;
/// each item one patient or one error. Memory holds one patient's rows, and the ids seen.
pub fn patients<I>(
    rows: I,
    file: &str,
    vocab: &Vocabulary,
) -> impl Iterator<Item = Result<Patient, TimelineError>>
where
    I: IntoIterator<Item = LongRow>,
{
    let vocab = vocab.clone();
    let rows = rows.into_iter().map(Ok);
    Grouper::new(rows, file).map(move |record| record.parse(&vocab))
}

/// The rows of most patients, in bytes of text: past it, the patient is refused
/// (as a whole-file JSON patient past [`MAX_DOCUMENT_BYTES`]) and its rows skipped.
pub const MAX_PATIENT_BYTES: usize = MAX_DOCUMENT_BYTES;

/// Groups rows into one [`Record`] per patient. The rows of one patient must come
/// together: a patient id met again after other patients is refused, naming both lines.
pub struct Grouper<I: Iterator> {
    rows: std::iter::Peekable<I>,
    file: Arc<str>,
    /// Each patient's id with the line of its first row.
    seen: HashMap<Box<str>, usize>,
}

impl<I, R> Grouper<I>
where
    I: Iterator<Item = Result<R, TimelineError>>,
    R: Row + 'static,
{
    /// Groups `rows` (rows, or errors of the input) read from `file`.
    pub fn new(rows: I, file: &str) -> Grouper<I> {
        Grouper {
            rows: rows.peekable(),
            file: Arc::from(file),
            seen: HashMap::new(),
        }
    }

    fn group(&mut self, row: R) -> Record {
        let id = row.cell(Field::Patient).to_owned();
        let first_line = row.line();
        let mut bytes = row.bytes();
        let mut group = Rows {
            file: self.file.clone(),
            rows: vec![row],
        };
        let mut too_large = false;
        // A row with no patient among the patient's rows is one of them, and refuses it
        // (see `assemble`), rather than ending them and parting the rest.
        while let Some(Ok(next)) = self.rows.peek() {
            let patient = next.cell(Field::Patient);
            if patient != id && !patient.is_empty() {
                break;
            }
            let Some(Ok(next)) = self.rows.next() else {
                break;
            };
            bytes = bytes.saturating_add(next.bytes());
            too_large |= bytes > MAX_PATIENT_BYTES;
            if !too_large {
                group.rows.push(next);
            }
        }
        let origin = Origin::new(&*self.file, Some(first_line));
        if let Some(&before) = self.seen.get(id.as_str()) {
            let problem = RowProblem::RowsApart { first_line: before };
            let error = TimelineError::new(Kind::from(problem), origin).with_patient_id(Some(id));
            return Record::Failed(error);
        }
        self.seen.insert(id.clone().into_boxed_str(), first_line);
        if too_large {
            let problem = RowProblem::TooLarge {
                limit: MAX_PATIENT_BYTES,
            };
            let error = TimelineError::new(Kind::from(problem), origin).with_patient_id(Some(id));
            return Record::Failed(error);
        }
        Record::Assembled(Arc::new(group))
    }
}

impl<I, R> Iterator for Grouper<I>
where
    I: Iterator<Item = Result<R, TimelineError>>,
    R: Row + 'static,
{
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        match self.rows.next()? {
            Err(error) => Some(Record::Failed(error)),
            Ok(row) if row.cell(Field::Patient).is_empty() => {
                let expected = "the patient's id".to_owned();
                let error = TimelineError::new(
                    Kind::Missing { expected },
                    Origin::new(&*self.file, Some(row.line())),
                );
                Some(Record::Failed(row.place(error, Some(Field::Patient))))
            }
            Ok(row) => Some(self.group(row)),
        }
    }
}
