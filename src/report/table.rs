//! A plain-text table: one row per patient and definition, for reading in a terminal.
//!
//! Rows are written as they come, so memory does not grow with the cohort. The column
//! widths are settled on the first rows (the caller says when: `refract eval` settles
//! them after the chunk that brings its [`WIDTHS_FROM`]th patient) and are at most [`MAX_WIDTH`]
//! characters; a longer cell, then or later, pushes the rest of its row to the right
//! rather than being cut. Every cell is escaped for the terminal.

use crate::diagnostics::terminal;
use crate::eval::Outcome;

/// Between the cells of a row made in a worker (a character no reason contains, and
/// escaped wherever an id or value holds it).
const SEPARATOR: char = '\u{1f}';

/// The patients (input records) whose rows settle the widths in `refract eval`: fixed
/// here, not by how many patients are evaluated at once, so the same cohort gives the same
/// table whatever the chunk size.
pub const WIDTHS_FROM: usize = 2048;

/// The widest a column is made; ids longer than this are rare and would widen every row.
pub const MAX_WIDTH: usize = 64;

const HEADER: [&str; 5] = ["patient", "definition", "result", "onset", "why"];

/// Rows waiting for the widths, then the widths; see the [module docs](self).
#[derive(Debug, Default)]
pub struct Table {
    widths: Option<[usize; 4]>,
    waiting: Vec<String>,
}

impl Table {
    /// A table with no rows yet.
    pub fn new() -> Table {
        Table::default()
    }

    /// One outcome as a row for [`Table::push`] (made where it is evaluated): patient,
    /// definition, result, onset, and the criterion that decided it with its reason: for
    /// a met result the one met on the onset date, otherwise the first with the
    /// definition's result.
    pub fn row(outcome: &Outcome) -> String {
        let set_onset = outcome.criteria.iter().find(|c| {
            c.result == outcome.result && outcome.onset.is_some() && c.at == outcome.onset
        });
        let deciding = set_onset
            .or_else(|| outcome.criteria.iter().find(|c| c.result == outcome.result))
            .map(|c| format!("{}: {}", c.name, c.why))
            .unwrap_or_default();
        let onset = outcome
            .onset
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".to_string());
        join([
            &outcome.patient,
            &outcome.definition,
            outcome.result.as_str(),
            &onset,
            &deciding,
        ])
    }

    /// A patient that could not be read (definition `-`), or a patient and definition
    /// not evaluated, as a row for [`Table::push`].
    pub fn error_row(patient: &str, definition: &str, error: &str) -> String {
        join([patient, definition, "error", "-", error])
    }

    /// Adds a row; the text to write now (nothing while the widths are not settled).
    pub fn push(&mut self, row: String) -> String {
        match self.widths {
            Some(widths) => line(&widths, &row),
            None => {
                self.waiting.push(row);
                String::new()
            }
        }
    }

    /// Settles the widths on the rows so far: the header and those rows, to write now.
    /// Later calls return nothing.
    pub fn settle(&mut self) -> String {
        if self.widths.is_some() {
            return String::new();
        }
        let header = join(HEADER);
        let mut widths = [0usize; 4];
        for row in std::iter::once(&header).chain(&self.waiting) {
            for (width, cell) in widths.iter_mut().zip(row.split(SEPARATOR)) {
                *width = (*width).max(cell.chars().count().min(MAX_WIDTH));
            }
        }
        let mut out = line(&widths, &header);
        for row in self.waiting.drain(..) {
            out.push_str(&line(&widths, &row));
        }
        self.widths = Some(widths);
        out
    }
}

/// Cells joined by the separator, each escaped for the terminal.
fn join(cells: [&str; 5]) -> String {
    let mut row = String::new();
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            row.push(SEPARATOR);
        }
        terminal::push_escaped(&mut row, cell);
    }
    row
}

/// A row laid out in `widths`, with its line break.
fn line(widths: &[usize; 4], row: &str) -> String {
    let mut cells = row.split(SEPARATOR);
    let mut out = String::with_capacity(row.len() + 32);
    for width in widths {
        let cell = cells.next().unwrap_or("");
        out.push_str(cell);
        let pad = width.saturating_sub(cell.chars().count()) + 2;
        out.extend(std::iter::repeat_n(' ', pad));
    }
    out.push_str(cells.next().unwrap_or(""));
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(table: &mut Table, rows: &[[&str; 5]]) -> String {
        let mut out = String::new();
        for row in rows {
            out.push_str(&table.push(join(*row)));
        }
        out
    }

    #[test]
    fn widths_come_from_the_rows_before_settling_and_hold_after() {
        let mut table = Table::new();
        let early = rows(&mut table, &[["P1", "def", "met", "-", "why one"]]);
        assert_eq!(early, "");
        let head = table.settle();
        assert_eq!(
            head,
            "patient  definition  result  onset  why\nP1       def         met     -      why one\n"
        );
        let late = rows(
            &mut table,
            &[["a-much-longer-id", "def", "unknown", "-", "w"]],
        );
        assert_eq!(late, "a-much-longer-id  def         unknown  -      w\n");
        assert_eq!(table.settle(), "");
    }

    #[test]
    fn a_very_long_id_does_not_widen_every_row() {
        let mut table = Table::new();
        let long = "x".repeat(10_000);
        rows(
            &mut table,
            &[[&long, "d", "met", "-", "w"], ["P2", "d", "met", "-", "w"]],
        );
        let out = table.settle();
        let last = out.lines().last().unwrap();
        assert_eq!(
            last.len(),
            MAX_WIDTH + 2 + "d           met     -      w".len()
        );
    }

    #[test]
    fn cells_are_escaped_and_cannot_forge_a_column() {
        let row = Table::error_row("P\u{1b}[2J\u{1f}x", "-", "bad\nline");
        let mut table = Table::new();
        table.push(row);
        let out = table.settle();
        assert!(!out.contains('\u{1b}') && !out.contains('\u{1f}'));
        assert!(out.contains("P\\u{1b}[2J\\u{1f}x  -           error   -      bad\\u{a}line"));
    }
}
