//! One CSV row per patient and definition: the fixed columns, then one column per
//! criterion name across all definitions (empty where a definition has no such criterion).

use crate::check::Checked;
use crate::eval::Outcome;

/// The criterion columns: every criterion name, in definition order, each once.
pub fn csv_columns(definitions: &[Checked]) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for criterion in definitions.iter().flat_map(|d| &d.criteria) {
        if !columns.contains(&criterion.name) {
            columns.push(criterion.name.clone());
        }
    }
    columns
}

/// The header line.
pub fn csv_header(columns: &[String]) -> String {
    let mut cells: Vec<String> = ["patient", "definition", "outcome", "result", "onset"]
        .map(String::from)
        .to_vec();
    cells.extend(columns.iter().cloned());
    cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",")
}

/// One outcome's row.
pub fn csv_row(outcome: &Outcome, columns: &[String]) -> String {
    let mut cells = vec![
        field(&outcome.patient),
        field(&outcome.definition),
        field(&outcome.outcome),
        outcome.result.as_str().to_string(),
        outcome.onset.map(|d| d.to_string()).unwrap_or_default(),
    ];
    for column in columns {
        let cell = outcome
            .criteria
            .iter()
            .find(|c| &c.name == column)
            .map(|c| c.result.as_str())
            .unwrap_or("");
        cells.push(cell.to_string());
    }
    cells.join(",")
}

/// A field quoted when it holds a comma, a quote or a line break (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
