//! Long-format CSV (`docs/csv.md`): a header naming the columns `patient`, `date`, `time`,
//! `event`, `kind`, `attribute` and `value` (in any order), then one row per attribute
//! value, the rows of one patient together. Rows become [`CsvRow`]s and patients are
//! built by [`super::long`]; this module reads and writes the text.
//!
//! Reading holds one patient's rows at a time. The input is cut into rows here, at line
//! ends outside quotes, each row at most [`MAX_LINE_BYTES`] long (a longer one is
//! refused and skipped, as a JSON Lines line is), and its cells are read with `csv-core`.
//! A row keeps only its cells (and its text as written when that is not the cells joined
//! by commas); where each cell lies in the line is worked out again for an error.

use std::io::{BufRead, Write};
use std::sync::Arc;

use csv_core::ReadFieldResult;
use miette::SourceSpan;

use super::long::{fact_cell, value_cell, Field, Grouper, Row};
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
        self.positions.get(field as usize).copied()
    }
}

/// One row of a CSV file, as kept until its patient is built.
#[derive(Debug)]
pub struct CsvRow {
    /// The cells of the fields, one after another, in the order of [`Field::ALL`].
    cells: Box<str>,
    /// Where each field's cell ends in `cells`.
    ends: [u32; 7],
    line: usize,
    /// The row's text as written, when it is not the cells joined by commas (it has a
    /// quote or a carriage return, or is ragged).
    written: Option<Box<str>>,
    layout: Arc<Layout>,
    /// How many cells a ragged row has.
    ragged: Option<usize>,
}

impl CsvRow {
    /// The row as written: kept, or the cells joined by commas in the header's order.
    fn text(&self) -> String {
        if let Some(written) = &self.written {
            return written.to_string();
        }
        let mut fields: Vec<(usize, Field)> = Field::ALL
            .iter()
            .filter_map(|f| Some((self.layout.position(*f)?, *f)))
            .collect();
        fields.sort_unstable_by_key(|(at, _)| *at);
        let cells: Vec<&str> = fields.iter().map(|(_, f)| self.cell(*f)).collect();
        cells.join(",")
    }
}

impl Row for CsvRow {
    fn cell(&self, field: Field) -> &str {
        let at = field as usize;
        let start = at
            .checked_sub(1)
            .and_then(|before| self.ends.get(before))
            .map_or(0, |&end| end as usize);
        let end = self.ends.get(at).map_or(0, |&end| end as usize);
        self.cells.get(start..end).unwrap_or_default()
    }

    fn line(&self) -> usize {
        self.line
    }

    fn place(&self, error: TimelineError, field: Option<Field>) -> TimelineError {
        let line = error.origin().line.unwrap_or(1);
        let text = self.text();
        let spans = cell_spans(&text);
        let cell = field.and_then(|f| Some((f, self.layout.position(f)?)));
        let (error, span) = match cell {
            Some((field, at)) => {
                let error = error.with_path(format!("column {} ({})", at + 1, field.name()));
                (error, spans.get(at).copied())
            }
            None => (error, None),
        };
        let (start, end) = span.unwrap_or((0, text.len()));
        let span = SourceSpan::from((start, end.saturating_sub(start)));
        error.in_rows().with_source(&text, line, Some(span))
    }

    fn problem(&self) -> Option<(Kind, Option<Field>)> {
        let found = self.ragged?;
        let expected = self.layout.width;
        Some((Kind::from(RowProblem::Ragged { expected, found }), None))
    }

    fn bytes(&self) -> usize {
        self.cells.len() + self.written.as_ref().map_or(0, |w| w.len()) + 64
    }
}

/// The byte range of each cell of a row's text, for pointing at one.
fn cell_spans(text: &str) -> Vec<(usize, usize)> {
    let mut reader = csv_core::Reader::new();
    let mut spans = Vec::new();
    let mut out = [0u8; 1024];
    let (mut at, mut start) = (0usize, 0usize);
    // Each step reads input, writes output or ends a cell: a bounded loop.
    for _ in 0..(3 * text.len() + 8) {
        let input = text.as_bytes().get(at..).unwrap_or_default();
        let (result, read, _) = reader.read_field(input, &mut out);
        at += read;
        match result {
            ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
            ReadFieldResult::Field { .. } => {
                let comma = text.as_bytes().get(at.wrapping_sub(1)) == Some(&b',');
                let end = if comma { at - 1 } else { at };
                spans.push((start, end.max(start)));
                start = at;
            }
            ReadFieldResult::End => break,
        }
    }
    spans
}

/// The rows of a CSV input, or errors of the input.
struct CsvRows<R> {
    reader: R,
    file: String,
    /// Lines consumed so far.
    line_no: usize,
    layout: Option<Arc<Layout>>,
    done: bool,
    splitter: csv_core::Reader,
    /// The row being read, as written.
    text: Vec<u8>,
    /// Its cells, unquoted, one after another, and where each ends.
    cells: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: BufRead> CsvRows<R> {
    fn new(reader: R, file: &str) -> CsvRows<R> {
        CsvRows {
            reader,
            file: file.to_owned(),
            line_no: 0,
            layout: None,
            done: false,
            splitter: csv_core::Reader::new(),
            text: Vec::new(),
            cells: Vec::new(),
            ends: Vec::new(),
        }
    }

    fn error(&self, kind: Kind, line: usize) -> TimelineError {
        TimelineError::new(kind, Origin::new(self.file.clone(), Some(line)))
    }

    /// Reads the next row's text (a line, or several when a quoted cell holds line
    /// breaks) into `text`, without the line end; its first line's number, or `None` at
    /// the end of the input.
    fn read_row(&mut self) -> Option<Result<usize, TimelineError>> {
        let first = self.line_no + 1;
        self.text.clear();
        // Quotes so far: odd means a quoted cell goes on past the line end.
        let mut quotes = 0usize;
        loop {
            let before = self.text.len();
            let room = MAX_LINE_BYTES.saturating_sub(before) as u64 + 1;
            let read =
                std::io::Read::take(&mut self.reader, room).read_until(b'\n', &mut self.text);
            match read {
                Ok(0) if self.text.is_empty() => return None,
                Ok(0) => {
                    // The input ended inside a quoted cell.
                    self.done = true;
                    return Some(Err(self.error(RowProblem::UnclosedQuote.into(), first)));
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
            let ended = self.text.last() == Some(&b'\n');
            if !ended && self.text.len() > MAX_LINE_BYTES {
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
            let new_bytes = self.text.get(before..).unwrap_or_default();
            quotes += new_bytes.iter().filter(|&&b| b == b'"').count();
            if quotes % 2 == 1 {
                if ended {
                    continue;
                }
                // The input ended inside a quoted cell.
                self.done = true;
                return Some(Err(self.error(RowProblem::UnclosedQuote.into(), first)));
            }
            if ended {
                self.text.pop();
                if self.text.last() == Some(&b'\r') {
                    self.text.pop();
                }
            }
            if first == 1 && self.text.starts_with("\u{feff}".as_bytes()) {
                self.text.drain(..3);
            }
            return Some(match std::str::from_utf8(&self.text) {
                Ok(_) => Ok(first),
                Err(e) => {
                    let offset = e.valid_up_to();
                    Err(self.error(Kind::NotUtf8 { offset }, first))
                }
            });
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

    /// Splits `text` into `cells` and `ends`.
    fn split(&mut self) {
        let CsvRows {
            splitter,
            text,
            cells,
            ends,
            ..
        } = self;
        ends.clear();
        cells.clear();
        // Most rows have no quotes (nor a carriage return, which csv-core also ends a row
        // at): their cells are what lies between the commas, as csv-core would find.
        if !text.iter().any(|&b| b == b'"' || b == b'\r') {
            for cell in text.split(|&b| b == b',') {
                cells.extend_from_slice(cell);
                ends.push(cells.len());
            }
            return;
        }
        splitter.reset();
        // Unquoting never makes a cell longer.
        cells.resize(text.len() + 1, 0);
        let (mut read_at, mut written_at) = (0usize, 0usize);
        // Each step reads input, writes output or ends a cell: a bounded loop.
        for _ in 0..(3 * text.len() + 8) {
            let input = text.get(read_at..).unwrap_or_default();
            let output = cells.get_mut(written_at..).unwrap_or_default();
            let (result, read, written) = splitter.read_field(input, output);
            read_at += read;
            written_at += written;
            match result {
                ReadFieldResult::InputEmpty => {}
                ReadFieldResult::OutputFull => cells.resize(cells.len() * 2 + 16, 0),
                ReadFieldResult::Field { .. } => ends.push(written_at),
                ReadFieldResult::End => break,
            }
        }
        cells.truncate(written_at);
    }

    /// The cell at `column` of `cells` (the unquoted cells, as text), unquoted.
    fn cell<'c>(&self, cells: &'c str, column: usize) -> &'c str {
        let start = column
            .checked_sub(1)
            .and_then(|before| self.ends.get(before))
            .copied()
            .unwrap_or(0);
        let end = self.ends.get(column).copied().unwrap_or(start);
        cells.get(start..end).unwrap_or_default()
    }

    /// The unquoted cells as text: removing ASCII quotes from UTF-8 text leaves UTF-8.
    fn cells_text(&self) -> &str {
        std::str::from_utf8(&self.cells).unwrap_or_default()
    }

    /// The header's layout, or what is wrong with it.
    fn header(&self, line: usize) -> Result<Layout, TimelineError> {
        let text = std::str::from_utf8(&self.text).unwrap_or_default();
        let at = |i: usize, kind: Kind| {
            let (start, end) = cell_spans(text).get(i).copied().unwrap_or((0, 0));
            let span = SourceSpan::from((start, end.saturating_sub(start)));
            self.error(kind, line)
                .with_path(format!("column {}", i + 1))
                .with_source(text, line, Some(span))
        };
        let mut positions: [Option<usize>; 7] = [None; 7];
        let cells = self.cells_text();
        for i in 0..self.ends.len() {
            let name = self.cell(cells, i).trim();
            let Some(field) = Field::ALL
                .iter()
                .position(|f| f.name().eq_ignore_ascii_case(name))
            else {
                let column = name.to_owned();
                return Err(at(i, RowProblem::UnknownColumn { column }.into()));
            };
            match positions.get_mut(field) {
                Some(Some(_)) => {
                    let column = name.to_owned();
                    return Err(at(i, RowProblem::ColumnTwice { column }.into()));
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
                    let error = self.error(RowProblem::MissingColumn { column }.into(), line);
                    let span = SourceSpan::from((0, text.len()));
                    return Err(error.with_source(text, line, Some(span)));
                }
            }
        }
        Ok(Layout {
            width: self.ends.len(),
            positions: found,
        })
    }

    /// The row just split, kept compactly.
    fn row(&self, line: usize, layout: Arc<Layout>) -> CsvRow {
        let all = self.cells_text();
        let mut cells = String::with_capacity(all.len());
        let mut ends = [0u32; 7];
        for (end, field) in ends.iter_mut().zip(Field::ALL) {
            if let Some(column) = layout.position(field) {
                cells.push_str(self.cell(all, column));
            }
            *end = u32::try_from(cells.len()).unwrap_or(u32::MAX);
        }
        let ragged = (self.ends.len() != layout.width).then_some(self.ends.len());
        let plain = ragged.is_none() && !self.text.iter().any(|&b| b == b'"' || b == b'\r');
        let written = (!plain)
            .then(|| std::str::from_utf8(&self.text).ok())
            .flatten()
            .map(Box::from);
        CsvRow {
            cells: cells.into_boxed_str(),
            ends,
            line,
            written,
            layout,
            ragged,
        }
    }
}

impl<R: BufRead> Iterator for CsvRows<R> {
    type Item = Result<CsvRow, TimelineError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let line = match self.read_row()? {
                Ok(line) => line,
                Err(error) => return Some(Err(error)),
            };
            // A blank line is no row.
            if self.text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.split();
            let layout = match &self.layout {
                Some(layout) => layout.clone(),
                None => match self.header(line) {
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
            return Some(Ok(self.row(line, layout)));
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
