//! Diagnostics as Python objects: each problem of a definition file with its code,
//! message, span, line and column, label and help, and the text `refract check` shows.

use pyo3::prelude::*;
use refract::diagnostics::Diagnostics;

/// One problem found in a definition: an error or a warning, at a place in its file.
#[pyclass(frozen, get_all, module = "refract._refract")]
#[derive(Clone)]
pub struct Diagnostic {
    /// `refract::<stage>::<what>`, e.g. `refract::check::unknown_attribute`.
    pub code: String,
    /// `"error"` or `"warning"`.
    pub severity: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file's name (its path, or the name given with its text).
    pub file: String,
    /// Byte offsets `(start, end)` into the file's text, or `None` for a problem with no
    /// place (an unreadable file).
    pub span: Option<(usize, usize)>,
    /// The 1-based line of the span's start.
    pub line: Option<usize>,
    /// The 1-based column (in characters) of the span's start.
    pub column: Option<usize>,
    /// What is wrong right at the span.
    pub label: Option<String>,
    /// What to write instead.
    pub help: Option<String>,
    /// The problem as `refract check` shows it (no colour, 80 columns).
    pub rendered: String,
}

#[pymethods]
impl Diagnostic {
    fn __repr__(&self) -> String {
        let place = match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.file),
            _ => self.file.clone(),
        };
        format!("<Diagnostic {} {place}: {}>", self.severity, self.message)
    }

    fn __str__(&self) -> String {
        self.rendered.clone()
    }
}

/// Every problem of `diagnostics`, in the order found.
pub fn convert(diagnostics: &Diagnostics) -> Vec<Diagnostic> {
    let text = &diagnostics.source.text;
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(80);
    diagnostics
        .problems
        .iter()
        .zip(diagnostics.shown())
        .map(|(problem, shown)| {
            let span = problem
                .label
                .as_ref()
                .map(|(span, _)| (span.start, span.end));
            let (line, column) = match span {
                Some((start, _)) => {
                    let (line, column) = line_column(text, start);
                    (Some(line), Some(column))
                }
                None => (None, None),
            };
            let mut rendered = String::new();
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut rendered, shown.into_report().as_ref());
            Diagnostic {
                code: problem.code.to_string(),
                severity: if problem.is_error() {
                    "error"
                } else {
                    "warning"
                }
                .to_string(),
                message: problem.message.clone(),
                file: diagnostics.source.name.clone(),
                span,
                line,
                column,
                label: problem.label.as_ref().map(|(_, label)| label.clone()),
                help: problem.help.clone(),
                rendered,
            }
        })
        .collect()
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before.get(start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}
