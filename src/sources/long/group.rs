//! Rows grouped into one record per patient, the rows of a patient together.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Field, LongRow, Place, Rows};
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
    let rows = rows.into_iter().map(|row| Ok((row, ())));
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

impl<I, P> Grouper<I>
where
    I: Iterator<Item = Result<(LongRow, P), TimelineError>>,
    P: Place + 'static,
{
    /// Groups `rows` (a row and its place, or an error of the input) read from `file`.
    pub fn new(rows: I, file: &str) -> Grouper<I> {
        Grouper {
            rows: rows.peekable(),
            file: Arc::from(file),
            seen: HashMap::new(),
        }
    }

    fn group(&mut self, row: LongRow, place: P) -> Record {
        let id = row.patient.clone();
        let first_line = row.line;
        let mut bytes = row_bytes(&row);
        let mut group = Rows {
            file: self.file.clone(),
            rows: vec![row],
            places: vec![place],
        };
        let mut too_large = false;
        // A row with no patient among the patient's rows is one of them, and refuses it
        // (see `assemble`), rather than ending them and parting the rest.
        while let Some(Ok((next, _))) = self.rows.peek() {
            if next.patient != id && !next.patient.is_empty() {
                break;
            }
            let Some(Ok((next, place))) = self.rows.next() else {
                break;
            };
            bytes = bytes.saturating_add(row_bytes(&next));
            too_large |= bytes > MAX_PATIENT_BYTES;
            if !too_large {
                group.rows.push(next);
                group.places.push(place);
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

fn row_bytes(row: &LongRow) -> usize {
    Field::ALL.iter().map(|f| f.of(row).len()).sum::<usize>() + 16
}

impl<I, P> Iterator for Grouper<I>
where
    I: Iterator<Item = Result<(LongRow, P), TimelineError>>,
    P: Place + 'static,
{
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        match self.rows.next()? {
            Err(error) => Some(Record::Failed(error)),
            Ok((row, place)) if row.patient.is_empty() => {
                let expected = "the patient's id".to_owned();
                let error = TimelineError::new(
                    Kind::Missing { expected },
                    Origin::new(&*self.file, Some(row.line)),
                );
                Some(Record::Failed(place.place(error, Some(Field::Patient))))
            }
            Ok((row, place)) => Some(self.group(row, place)),
        }
    }
}
