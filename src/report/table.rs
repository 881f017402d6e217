//! A plain-text table: one row per patient and definition, for reading in a terminal.

use crate::eval::Outcome;

/// Between the cells of a row made in a worker (a character no reason contains).
const SEPARATOR: &str = "\u{1f}";

/// Rows collected for printing with aligned columns.
#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<[String; 5]>,
}

impl Table {
    /// An empty table.
    pub fn new() -> Table {
        Table::default()
    }

    /// One outcome as a row to [`Table::push_rendered`] later (made where it is evaluated).
    pub fn row(outcome: &Outcome) -> String {
        cells(outcome).join(SEPARATOR)
    }

    /// A row (to [`Table::push_rendered`]) for a patient and definition not evaluated.
    pub fn error_row(patient: &str, definition: &str, error: &str) -> String {
        [patient, definition, "error", "-", error].join(SEPARATOR)
    }

    /// Add a row made by [`Table::row`].
    pub fn push_rendered(&mut self, row: &str) {
        let mut cells = row.split(SEPARATOR).map(str::to_string);
        let mut next = || cells.next().unwrap_or_default();
        self.rows.push([next(), next(), next(), next(), next()]);
    }

    /// Add one outcome.
    pub fn push(&mut self, outcome: &Outcome) {
        self.rows.push(cells(outcome));
    }

    /// Add a patient that could not be read.
    pub fn push_error(&mut self, patient: &str, error: &str) {
        self.rows.push([
            patient.to_string(),
            "-".to_string(),
            "error".to_string(),
            "-".to_string(),
            error.to_string(),
        ]);
    }

    /// The table as text.
    pub fn render(&self) -> String {
        let header = ["patient", "definition", "result", "onset", "why"].map(String::from);
        let mut widths = [0usize; 4];
        for row in std::iter::once(&header).chain(&self.rows) {
            for (width, cell) in widths.iter_mut().zip(row.iter()) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (width, cell) in widths.iter().zip(row.iter()) {
                line.push_str(&format!("{cell:<width$}  "));
            }
            line.push_str(row.get(4).map(String::as_str).unwrap_or(""));
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// The cells of one outcome: patient, definition, result, onset, and the criterion that
/// decided it with its reason: for a met result the one met on the onset date, otherwise
/// the first with the definition's result.
fn cells(outcome: &Outcome) -> [String; 5] {
    let set_onset = outcome
        .criteria
        .iter()
        .find(|c| c.result == outcome.result && outcome.onset.is_some() && c.at == outcome.onset);
    let deciding = set_onset
        .or_else(|| outcome.criteria.iter().find(|c| c.result == outcome.result))
        .map(|c| format!("{}: {}", c.name, c.why))
        .unwrap_or_default();
    [
        outcome.patient.clone(),
        outcome.definition.clone(),
        outcome.result.as_str().to_string(),
        outcome
            .onset
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".to_string()),
        deciding,
    ]
}
