//! Long-format CSV (`docs/csv.md`): a header naming the columns `patient`, `date`, `time`,
//! `event`, `kind`, `attribute` and `value` (in any order), then one row per attribute
//! value, the rows of one patient together. Rows become [`LongRow`]s and patients are
//! built by [`super::long`]; this module reads and writes the text.
//!
//! Reading holds one patient's rows at a time. The input is cut into rows here, at line
//! ends outside quotes, each row at most [`MAX_LINE_BYTES`] long (a longer one is
//! refused and skipped, as a JSON Lines line is), and its cells are read with `csv-core`,
//! which also says where each cell lies in the row, so an error points at its cell.

use std::io::{BufRead, Write};
use std::sync::Arc;

use csv_core::ReadFieldResult;
use miette::SourceSpan;

use super::long::{fact_cell, value_cell, Field, Grouper, LongRow, Place};
use super::{PatientWriter, RowProblem};
use crate::timeline::{
    Origin, Patient, Record, TimelineError, TimelineErrorKind as Kind, MAX_LINE_BYTES,
    MAX_SKIPPED_BYTES,
};
use crate::vocabulary::Vocabulary;

/// The records of a long-format CSV input, one per patient, in order.
pub fn records<R: BufRead + Send>(reader: R, file: &str) -> impl Iterator<Item = Record> + Send {
    Grouper::new(CsvRows::new(reader, file), file)
}

/// Which cell of a row holds each field.
#[derive(Debug)]
struct Layout {
    /// The header's cells.
    width: usize,
    /// The position of each field of [`Field::ALL`] among them.
    positions: [usize; 7],
}

impl Layout {
    fn position(&self, field: Field) -> Option<usize> {
        let at = Field::ALL.iter().position(|f| *f == field)?;
        self.positions.get(at).copied()
    }
}

/// Where a row was read: its text and the cells' places in it, for messages.
#[derive(Debug)]
pub struct CsvPlace {
    text: String,
    spans: Vec<(usize, usize)>,
    layout: Arc<Layout>,
    /// A row with more or fewer cells than the header.
    ragged: Option<usize>,
}

impl Place for CsvPlace {
    fn place(&self, error: TimelineError, field: Option<Field>) -> TimelineError {
        let line = error.origin().line.unwrap_or(1);
        let cell = field.and_then(|f| Some((f, self.layout.position(f)?)));
        let (error, span) = match cell {
            Some((field, at)) => {
                let error = error.with_path(format!("column {} ({})", at + 1, field.name()));
                let span = self.spans.get(at).copied();
                (error, span)
            }
            None => (error, None),
        };
        let (start, end) = span.unwrap_or((0, self.text.len()));
        let span = SourceSpan::from((start, end.saturating_sub(start)));
        error.with_source(&self.text, line, Some(span))
    }

    fn problem(&self) -> Option<(Kind, Option<Field>)> {
        let found = self.ragged?;
        let expected = self.layout.width;
        Some((Kind::from(RowProblem::Ragged { expected, found }), None))
    }
}

/// The rows of a CSV input, each with its place, or an error of the input.
struct CsvRows<R> {
    reader: R,
    file: String,
    /// Lines consumed so far.
    line_no: usize,
    layout: Option<Arc<Layout>>,
    done: bool,
    cells: csv_core::Reader,
}

impl<R: BufRead> CsvRows<R> {
    fn new(reader: R, file: &str) -> CsvRows<R> {
        CsvRows {
            reader,
            file: file.to_owned(),
            line_no: 0,
            layout: None,
            done: false,
            cells: csv_core::Reader::new(),
        }
    }

    fn error(&self, kind: Kind, line: usize) -> TimelineError {
        TimelineError::new(kind, Origin::new(self.file.clone(), Some(line)))
    }

    /// The next row's text (a line, or several when a quoted cell holds line breaks) with
    /// its first line's number, without the line end; `None` at the end of the input.
    fn read_row(&mut self) -> Option<Result<(usize, String), TimelineError>> {
        let first = self.line_no + 1;
        let mut text: Vec<u8> = Vec::new();
        loop {
            let room = MAX_LINE_BYTES.saturating_sub(text.len()) as u64 + 1;
            let read = std::io::Read::take(&mut self.reader, room).read_until(b'\n', &mut text);
            match read {
                Ok(0) if text.is_empty() => return None,
                Ok(0) => {
                    // The input ended inside a quoted cell.
                    self.done = true;
                    return Some(Err(self.error(Kind::from(RowProblem::UnclosedQuote), first)));
                }
                Ok(_) => self.line_no += 1,
                Err(error) => {
                    self.done = true;
                    let kind = Kind::Io {
                        message: error.to_string(),
                    };
                    return Some(Err(self.error(kind, first)));
                }
            }
            let ended = text.last() == Some(&b'\n');
            if !ended && text.len() > MAX_LINE_BYTES {
                let kind = if self.skip_rest_of_line() {
                    Kind::LineTooLong {
                        limit: MAX_LINE_BYTES,
                    }
                } else {
                    self.done = true;
                    Kind::NoLineBreak {
                        limit: MAX_LINE_BYTES + MAX_SKIPPED_BYTES,
                    }
                };
                return Some(Err(self.error(kind, first)));
            }
            let open_quote = text.iter().filter(|&&b| b == b'"').count() % 2 == 1;
            if open_quote && ended {
                continue;
            }
            if ended {
                text.pop();
                if text.last() == Some(&b'\r') {
                    text.pop();
                }
            }
            if first == 1 && text.starts_with("\u{feff}".as_bytes()) {
                text.drain(..3);
            }
            return Some(
                String::from_utf8(text)
                    .map(|text| (first, text))
                    .map_err(|e| {
                        let offset = e.utf8_error().valid_up_to();
                        self.error(Kind::NotUtf8 { offset }, first)
                    }),
            );
        }
    }

    /// Discards input up to and including the next line break; `false` when none comes
    /// within [`MAX_SKIPPED_BYTES`].
    fn skip_rest_of_line(&mut self) -> bool {
        let mut skipped = 0usize;
        loop {
            let (consumed, done) = match self.reader.fill_buf() {
                Ok([]) => return true,
                Ok(buf) => match buf.iter().position(|&b| b == b'\n') {
                    Some(at) => (at + 1, true),
                    None => (buf.len(), false),
                },
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return true,
            };
            self.reader.consume(consumed);
            skipped = skipped.saturating_add(consumed);
            if done {
                self.line_no += 1;
                return true;
            }
            if skipped > MAX_SKIPPED_BYTES {
                return false;
            }
        }
    }

    /// The cells of a row's text, and each cell's byte range in it.
    fn cells(&mut self, text: &str) -> (Vec<String>, Vec<(usize, usize)>) {
        let (mut cells, mut spans) = (Vec::new(), Vec::new());
        let mut input = text.as_bytes();
        let mut out = [0u8; 1024];
        let mut cell: Vec<u8> = Vec::new();
        let (mut at, mut start) = (0usize, 0usize);
        self.cells.reset();
        // Each step reads input, writes output or ends a cell: a bounded loop.
        for _ in 0..(3 * text.len() + 8) {
            let (result, read, written) = self.cells.read_field(input, &mut out);
            input = input.get(read..).unwrap_or_default();
            at += read;
            cell.extend_from_slice(out.get(..written).unwrap_or_default());
            match result {
                ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
                ReadFieldResult::Field { .. } => {
                    let end = if text.as_bytes().get(at.wrapping_sub(1)) == Some(&b',') {
                        at - 1
                    } else {
                        at
                    };
                    spans.push((start, end.max(start)));
                    cells.push(String::from_utf8_lossy(&cell).into_owned());
                    cell.clear();
                    start = at;
                }
                ReadFieldResult::End => break,
            }
        }
        (cells, spans)
    }

    /// The header's layout, or what is wrong with it.
    fn header(
        &self,
        cells: &[String],
        spans: &[(usize, usize)],
        line: usize,
        text: &str,
    ) -> Result<Layout, TimelineError> {
        let mut positions: [Option<usize>; 7] = [None; 7];
        let at = |i: usize, kind: Kind| {
            let (start, end) = spans.get(i).copied().unwrap_or((0, 0));
            let span = SourceSpan::from((start, end.saturating_sub(start)));
            self.error(kind, line)
                .with_path(format!("column {}", i + 1))
                .with_source(text, line, Some(span))
        };
        for (i, name) in cells.iter().enumerate() {
            let name = name.trim();
            let Some(field) = Field::ALL
                .iter()
                .position(|f| f.name().eq_ignore_ascii_case(name))
            else {
                let column = name.to_owned();
                return Err(at(i, Kind::from(RowProblem::UnknownColumn { column })));
            };
            match positions.get_mut(field) {
                Some(Some(_)) => {
                    let column = name.to_owned();
                    return Err(at(i, Kind::from(RowProblem::ColumnTwice { column })));
                }
                Some(slot) => *slot = Some(i),
                None => {}
            }
        }
        let mut found = [0usize; 7];
        for ((slot, position), field) in found.iter_mut().zip(positions).zip(Field::ALL) {
            match position {
                Some(position) => *slot = position,
                None => {
                    let column = field.name();
                    let error = self.error(Kind::from(RowProblem::MissingColumn { column }), line);
                    let span = SourceSpan::from((0, text.len()));
                    return Err(error.with_source(text, line, Some(span)));
                }
            }
        }
        Ok(Layout {
            width: cells.len(),
            positions: found,
        })
    }
}

impl<R: BufRead> Iterator for CsvRows<R> {
    type Item = Result<(LongRow, CsvPlace), TimelineError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let (line, text) = match self.read_row()? {
                Ok(row) => row,
                Err(error) => return Some(Err(error)),
            };
            let (cells, spans) = self.cells(&text);
            // A blank line (one empty cell) is no row.
            if matches!(cells.as_slice(), [] | [_]) && text.trim().is_empty() {
                continue;
            }
            let layout = match &self.layout {
                Some(layout) => layout.clone(),
                None => match self.header(&cells, &spans, line, &text) {
                    Ok(layout) => {
                        self.layout = Some(Arc::new(layout));
                        continue;
                    }
                    Err(error) => {
                        // No row can be read without the columns.
                        self.done = true;
                        return Some(Err(error));
                    }
                },
            };
            let cell = |field: Field| {
                layout
                    .position(field)
                    .and_then(|at| cells.get(at))
                    .cloned()
                    .unwrap_or_default()
            };
            let row = LongRow {
                patient: cell(Field::Patient),
                date: cell(Field::Date),
                time: cell(Field::Time),
                event: cell(Field::Event),
                kind: cell(Field::Kind),
                attribute: cell(Field::Attribute),
                value: cell(Field::Value),
                line,
            };
            let ragged = (cells.len() != layout.width).then_some(cells.len());
            let place = CsvPlace {
                text,
                spans,
                layout,
                ragged,
            };
            return Some(Ok((row, place)));
        }
    }
}

/// Writes patients as long-format CSV: the header, then for each patient its facts (in
/// alphabetical order), then its events in input order (event id = index), each
/// event's attributes in alphabetical order, one row each; an event with no attributes
/// is one row with empty `attribute` and `value`, a patient with neither facts nor events
/// one row with only `patient`. Reading it back gives the same patients exactly.
pub struct Writer<'w> {
    csv: ::csv::Writer<Box<dyn Write + Send + 'w>>,
    header: bool,
}

impl<'w> Writer<'w> {
    /// A writer onto `out`.
    pub fn new(out: Box<dyn Write + Send + 'w>) -> Writer<'w> {
        Writer {
            csv: ::csv::WriterBuilder::new().from_writer(out),
            header: false,
        }
    }

    fn header(&mut self) -> std::io::Result<()> {
        if !self.header {
            self.header = true;
            self.csv.write_record(Field::ALL.map(Field::name))?;
        }
        Ok(())
    }
}

impl PatientWriter for Writer<'_> {
    fn write(&mut self, patient: &Patient, vocab: &Vocabulary) -> std::io::Result<()> {
        self.header()?;
        let id = patient.id.as_str();
        for (name, value) in &patient.facts {
            self.csv
                .write_record([id, "", "", "", "", name, &fact_cell(value)])?;
        }
        let mut events: Vec<_> = patient.events.iter().collect();
        events.sort_by_key(|event| event.index);
        for event in &events {
            let date = event.date.to_string();
            let time = event
                .time
                .map(|(h, m)| format!("{h:02}:{m:02}"))
                .unwrap_or_default();
            let index = event.index.to_string();
            let kind = event.kind.as_ref();
            if event.attributes.is_empty() {
                self.csv
                    .write_record([id, &date, &time, &index, kind, "", ""])?;
            }
            for (name, value) in event.attributes.iter() {
                let ty = vocab.attribute(Some(kind), name).map(|spec| spec.ty);
                let cell = value_cell(value, ty);
                self.csv
                    .write_record([id, &date, &time, &index, kind, name, &cell])?;
            }
        }
        if patient.facts.is_empty() && events.is_empty() {
            self.csv.write_record([id, "", "", "", "", "", ""])?;
        }
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.header()?;
        self.csv.flush()
    }
}
