//! Long-format tables from Python (a DataFrame's or a Spark batch's columns, as Arrow
//! `large_string` buffers) read as rows ([`Row`]) by the library's own long-format reader
//! ([`refract::sources::long`]): the grouping by patient, the checks and the messages are
//! the CSV reader's.

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use refract::sources::long::{Field, Grouper, Row};
use refract::timeline::TimelineError;

use crate::evaluate::{Item, Items};

/// The long format's columns, in order.
const COLUMNS: [&str; 7] = [
    "patient",
    "date",
    "time",
    "event",
    "kind",
    "attribute",
    "value",
];

/// One column: its text and where each cell starts and ends in it.
struct Column {
    text: String,
    /// `rows + 1` byte offsets into `text`, each checked to be a character boundary.
    bounds: Vec<usize>,
}

impl Column {
    fn cell(&self, row: usize) -> &str {
        let start = self.bounds.get(row).copied().unwrap_or(0);
        let end = self.bounds.get(row + 1).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or_default()
    }
}

/// A long-format table's seven columns, checked.
pub struct Table {
    columns: Vec<Column>,
    rows: usize,
}

/// One column as Python hands it: `(offset, rows, offsets, data)` of an Arrow
/// `large_string` array.
pub type Buffers<'py> = (usize, usize, Bound<'py, PyBytes>, Bound<'py, PyBytes>);

impl Table {
    /// The table from its columns' buffers, in [`COLUMNS`] order; a malformed buffer (not
    /// Arrow's layout) is refused whole.
    pub fn new(columns: Vec<Buffers<'_>>) -> PyResult<Table> {
        if columns.len() != COLUMNS.len() {
            return Err(PyValueError::new_err("a long-format table has 7 columns"));
        }
        let mut rows = None;
        let mut checked = Vec::with_capacity(COLUMNS.len());
        for ((offset, len, offsets, data), name) in columns.into_iter().zip(COLUMNS) {
            let bad = |why: &str| PyValueError::new_err(format!("column {name}: {why}"));
            if rows.is_some_and(|r| r != len) {
                return Err(bad("not as long as the others"));
            }
            rows = Some(len);
            let text = std::str::from_utf8(data.as_bytes())
                .map_err(|_| bad("not UTF-8"))?
                .to_string();
            let raw = offsets.as_bytes();
            let mut bounds = Vec::with_capacity(len + 1);
            for at in offset..=offset + len {
                let bytes = raw
                    .get(at * 8..at * 8 + 8)
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                    .ok_or_else(|| bad("offsets shorter than the column"))?;
                let bound = usize::try_from(i64::from_le_bytes(bytes))
                    .map_err(|_| bad("a negative offset"))?;
                let ordered = bounds.last().is_none_or(|&last| last <= bound);
                if !ordered || !text.is_char_boundary(bound) {
                    return Err(bad("offsets out of order or out of the data"));
                }
                bounds.push(bound);
            }
            checked.push(Column { text, bounds });
        }
        Ok(Table {
            columns: checked,
            rows: rows.unwrap_or(0),
        })
    }
}

/// One row of a [`Table`]: its cells are read from the table's columns where they are,
/// with no copy per cell.
#[derive(Clone)]
pub struct TableRow {
    table: Arc<Table>,
    row: usize,
}

impl std::fmt::Debug for TableRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TableRow({})", self.row)
    }
}

impl Row for TableRow {
    fn cell(&self, field: Field) -> &str {
        let column = Field::ALL.iter().position(|f| *f == field).unwrap_or(0);
        self.table
            .columns
            .get(column)
            .map(|c| c.cell(self.row))
            .unwrap_or_default()
    }

    /// Messages name the table's N-th row, counting from 1.
    fn line(&self) -> usize {
        self.row + 1
    }
}

/// The rows of a [`Table`], in order.
struct Rows {
    table: Arc<Table>,
    next: usize,
}

impl Iterator for Rows {
    type Item = Result<TableRow, TimelineError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.table.rows {
            return None;
        }
        let row = TableRow {
            table: self.table.clone(),
            row: self.next,
        };
        self.next += 1;
        Some(Ok(row))
    }
}

/// A table's patients, grouped by the library's long-format reader.
pub struct Patients(Grouper<Rows>);

/// The patients of `table`, named `name` in messages.
pub fn patients(table: Table, name: &str) -> Patients {
    let rows = Rows {
        table: Arc::new(table),
        next: 0,
    };
    Patients(Grouper::new(rows, name))
}

impl Items for Patients {
    fn next_chunk(&mut self, n: usize) -> Vec<Item> {
        self.0.by_ref().take(n).map(Item::Record).collect()
    }
}
