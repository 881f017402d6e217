//! Shared error plumbing: one diagnostic type with a code, a labelled span and a help,
//! rendered by miette, and a list of them about one file.

mod excerpt;
mod shown;
pub mod terminal;

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, Severity};

pub use excerpt::{Excerpt, LineIndex};
pub use shown::Shown;

use crate::source::{SourceFile, Span};

/// One problem found in a definition file (or about one), error or warning.
#[derive(Debug, Clone)]
pub struct Problem {
    /// `refract::<stage>::<what>`
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where, and what is wrong right there.
    pub label: Option<(Span, String)>,
    /// What to write instead.
    pub help: Option<String>,
    /// Error or warning.
    pub severity: Severity,
}

impl Problem {
    /// An error at a span.
    pub fn error(
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Problem {
        Problem {
            code,
            message: message.into(),
            label: Some((span, label.into())),
            help: None,
            severity: Severity::Error,
        }
    }

    /// A warning at a span.
    pub fn warning(
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, message, span, label)
        }
    }

    /// The same problem with a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// Whether this stops the definition from being used.
    pub fn is_error(&self) -> bool {
        matches!(self.severity, Severity::Error)
    }
}

/// The problems found in one file, with its text so each can be shown in place.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    /// The file.
    pub source: Arc<SourceFile>,
    /// Its problems, in the order found.
    pub problems: Vec<Problem>,
}

impl Diagnostics {
    /// No problems yet in `source`.
    pub fn new(source: Arc<SourceFile>) -> Diagnostics {
        Diagnostics {
            source,
            problems: Vec::new(),
        }
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    /// Each problem as it is shown: escaped, with an excerpt of the file around its label.
    /// The file's lines are indexed once for all of them.
    pub fn shown(&self) -> Vec<Shown> {
        let index = LineIndex::new(&self.source.text);
        self.problems
            .iter()
            .map(|problem| {
                let excerpt = problem.label.as_ref().map(|(span, _)| {
                    let span = (span.start, span.end);
                    Excerpt::new(&self.source.name, &self.source.text, &index, span, 0)
                });
                Shown::new(problem, excerpt)
            })
            .collect()
    }

    /// Each problem as its own miette report (see [`Diagnostics::shown`]).
    pub fn reports(&self) -> Vec<miette::Report> {
        self.shown().into_iter().map(Shown::into_report).collect()
    }

    /// All problems rendered as plain text (no colour), `width` columns wide.
    pub fn render_plain(&self, width: usize) -> String {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(width);
        let mut out = String::new();
        for report in self.reports() {
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut out, report.as_ref());
        }
        out
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (span, text) = self.label.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(text.clone()),
            *span,
        ))))
    }
}
