//! A diagnostic as refract shows it: every text escaped for the terminal and the source
//! cut to an [`Excerpt`] around the label. Whatever refract writes about a problem goes
//! through this type, so no message, label or snippet reaches a terminal raw.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, Severity, SourceCode};

use super::excerpt::Excerpt;
use super::terminal::escape;

/// A diagnostic ready to be shown; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Shown {
    message: String,
    code: Option<String>,
    help: Option<String>,
    severity: Option<Severity>,
    label: Option<LabeledSpan>,
    pub(super) excerpt: Option<Excerpt>,
}

impl Shown {
    /// `diagnostic` with its texts escaped. When `excerpt` is given, the first label is
    /// shown in it (at the excerpt's span for that label); otherwise no snippet is shown.
    pub fn new(diagnostic: &dyn Diagnostic, excerpt: Option<Excerpt>) -> Shown {
        let text =
            |d: Option<Box<dyn fmt::Display + '_>>| d.map(|d| escape(&d.to_string()).into_owned());
        let label = match (&excerpt, diagnostic.labels().and_then(|mut l| l.next())) {
            (Some(excerpt), Some(label)) => Some(LabeledSpan::new_with_span(
                label.label().map(|t| escape(t).into_owned()),
                excerpt.label(),
            )),
            _ => None,
        };
        Shown {
            message: escape(&diagnostic.to_string()).into_owned(),
            code: text(diagnostic.code()),
            help: text(diagnostic.help()),
            severity: diagnostic.severity(),
            label,
            excerpt,
        }
    }

    /// As a miette report (for `{:?}` through the installed handler).
    pub fn into_report(self) -> miette::Report {
        miette::Report::new(self)
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown {}

impl Diagnostic for Shown {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|code| Box::new(code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<Severity> {
        self.severity
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.excerpt.as_ref().map(|e| e as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = self.label.clone()?;
        Some(Box::new(std::iter::once(label)))
    }
}
