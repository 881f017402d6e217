//! Errors in patient timelines: what is wrong, where (file, line, JSON
//! path, byte span), and how to fix it.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode, SourceSpan};

use crate::date::DateError;
use crate::diagnostics::{Excerpt, LineIndex, Shown};
use crate::number::Decimal;

/// Where a patient's text came from: a file name (`-` for standard input)
/// and, for JSON Lines, the 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file name as the user gave it.
    pub file: String,
    /// The 1-based line of a JSON Lines cohort; `None` for a whole-file patient.
    pub line: Option<usize>,
}

impl Origin {
    /// The origin `file`, line `line`.
    pub fn new(file: impl Into<String>, line: Option<usize>) -> Origin {
        Origin {
            file: file.into(),
            line,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} line {line}", self.file),
            None => write!(f, "{}", self.file),
        }
    }
}

/// What is wrong with a timeline. The Display text follows the JSON path in
/// messages: `events[3].date: "2021-02-30" is not a valid date (…)`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimelineErrorKind {
    /// The text is not JSON: `{"id": "P1",, "events": []}`.
    #[error("invalid JSON{}: {message}", position(*line, *column))]
    Syntax {
        /// serde_json's description, without its position suffix.
        message: String,
        /// The 1-based line within the parsed text, when it has several lines.
        line: Option<usize>,
        /// The 1-based byte column.
        column: usize,
    },
    /// The patient is JSON but not an object: `["P1"]`.
    #[error("a patient must be a JSON object, found {found}")]
    NotObject {
        /// What was found instead ("an array").
        found: String,
    },
    /// A required key is absent or null: `{"events": []}` (no `id`).
    #[error("required but missing ({expected})")]
    Missing {
        /// What the key must hold.
        expected: String,
    },
    /// A value has the wrong JSON type: `{"date": 20210301, …}`.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the key must hold.
        expected: String,
        /// What it holds.
        found: String,
    },
    /// A date that is not `YYYY-MM-DD` or does not exist: `"2021-02-30"`.
    #[error("{} is not a valid date ({reason})", quote(text))]
    InvalidDate {
        /// The text as written.
        text: String,
        /// Why it is not a date.
        reason: DateError,
    },
    /// A time that is not `HH:MM`: `"8:30"`.
    #[error(
        "{} is not a time of day (expected HH:MM, from 00:00 to 23:59)",
        quote(text)
    )]
    InvalidTime {
        /// The text as written.
        text: String,
    },
    /// A key given twice in one object: `"viable_percent": 600, "viable_percent": 60`.
    #[error("the key {} is given twice in one object", quote(key))]
    DuplicateKey {
        /// The key.
        key: String,
    },
    /// A number outside its attribute's range: `"viable_percent": 140`.
    #[error("{}", out_of_range(value, *min, *max))]
    OutOfRange {
        /// The value as written.
        value: Decimal,
        /// The smallest allowed value.
        min: Option<i64>,
        /// The largest allowed value.
        max: Option<i64>,
    },
    /// A fraction where a whole number is required: `"tumor_count": 2.5`.
    #[error("{value} is not a whole number")]
    NotInteger {
        /// The value as written.
        value: Decimal,
    },
    /// A word outside its attribute's categories: `"mrecist": "XX"`.
    #[error("{} is not one of {}", quote(value), allowed.join(", "))]
    UnknownCategory {
        /// The value as written.
        value: String,
        /// The allowed words.
        allowed: &'static [&'static str],
    },
    /// A number refract cannot hold exactly: `"value": 1e400`.
    #[error("the number {text} cannot be held exactly (at most 30 significant digits and 18 decimal places)")]
    Unrepresentable {
        /// The number as written.
        text: String,
    },
    /// More events than one patient may have.
    #[error("{count} events are more than the limit of {limit} per patient")]
    TooManyEvents {
        /// How many events the patient has.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A JSON Lines line longer than the limit.
    #[error("the line is longer than {} MiB", limit / (1024 * 1024))]
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// A line with no end in sight: no line break even well past the line limit.
    #[error("no line break in the first {} MiB of the line; the rest of the input is not read", limit / (1024 * 1024))]
    NoLineBreak {
        /// How far the reader looked, in bytes.
        limit: usize,
    },
    /// A whole-file patient larger than the limit.
    #[error("the file is larger than {} MiB", limit / (1024 * 1024))]
    DocumentTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Bytes that are not UTF-8.
    #[error("the text is not valid UTF-8 (at byte {offset})")]
    NotUtf8 {
        /// The offset of the first bad byte in the line or file.
        offset: usize,
    },
    /// The input could not be read.
    #[error("could not read the input: {message}")]
    Io {
        /// The operating system's description.
        message: String,
    },
    /// A problem of long-format rows (CSV): a column, a ragged row, rows that disagree.
    #[error("{0}")]
    Rows(Box<crate::sources::RowProblem>),
}

impl From<crate::sources::RowProblem> for TimelineErrorKind {
    fn from(problem: crate::sources::RowProblem) -> TimelineErrorKind {
        TimelineErrorKind::Rows(Box::new(problem))
    }
}

fn position(line: Option<usize>, column: usize) -> String {
    match line {
        Some(line) => format!(" at line {line}, column {column}"),
        None => format!(" at column {column}"),
    }
}

fn out_of_range(value: &Decimal, min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("{value} is outside {lo}–{hi}"),
        (Some(0), None) => format!("{value} is negative"),
        (Some(lo), None) => format!("{value} is below the minimum {lo}"),
        (None, Some(hi)) => format!("{value} is above the maximum {hi}"),
        (None, None) => format!("{value} is out of range"),
    }
}

/// `text` as a JSON string, cut short so one bad value cannot flood a message.
pub(crate) fn quote(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => {
            let head = text.get(..cut).unwrap_or(text);
            format!("{}…", serde_json::Value::from(head))
        }
        None => serde_json::Value::from(text).to_string(),
    }
}

impl TimelineErrorKind {
    /// Whether this concerns one patient, and the patients after it are still read; the
    /// alternative is an input that could not be read to its end.
    pub fn is_patient_error(&self) -> bool {
        match self {
            TimelineErrorKind::Rows(problem) => problem.is_patient_error(),
            _ => !matches!(
                self,
                TimelineErrorKind::Io { .. }
                    | TimelineErrorKind::NoLineBreak { .. }
                    | TimelineErrorKind::DocumentTooLarge { .. }
            ),
        }
    }

    /// The diagnostic code's last part (`invalid_date`).
    pub fn code(&self) -> &'static str {
        match self {
            TimelineErrorKind::Syntax { .. } => "json_syntax",
            TimelineErrorKind::NotObject { .. } => "not_an_object",
            TimelineErrorKind::Missing { .. } => "missing_field",
            TimelineErrorKind::WrongType { .. } => "wrong_type",
            TimelineErrorKind::InvalidDate { .. } => "invalid_date",
            TimelineErrorKind::InvalidTime { .. } => "invalid_time",
            TimelineErrorKind::DuplicateKey { .. } => "duplicate_key",
            TimelineErrorKind::OutOfRange { .. } => "out_of_range",
            TimelineErrorKind::NotInteger { .. } => "not_integer",
            TimelineErrorKind::UnknownCategory { .. } => "unknown_category",
            TimelineErrorKind::Unrepresentable { .. } => "unrepresentable_number",
            TimelineErrorKind::TooManyEvents { .. } => "too_many_events",
            TimelineErrorKind::LineTooLong { .. } => "line_too_long",
            TimelineErrorKind::NoLineBreak { .. } => "no_line_break",
            TimelineErrorKind::DocumentTooLarge { .. } => "document_too_large",
            TimelineErrorKind::NotUtf8 { .. } => "not_utf8",
            TimelineErrorKind::Io { .. } => "io",
            TimelineErrorKind::Rows(problem) => problem.code(),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            TimelineErrorKind::Syntax { .. } => "a cohort holds one complete JSON object per line (JSON Lines), or one object per file; look for a missing comma, quote or bracket at the caret".to_owned(),
            TimelineErrorKind::NotObject { .. } => r#"write the patient as {"id": "P0001", "events": [ … ]}"#.to_owned(),
            TimelineErrorKind::Missing { expected } => format!("add it: {expected}"),
            TimelineErrorKind::WrongType { expected, .. } => format!("write {expected} here, or leave the key out (or null) when the value is unknown"),
            TimelineErrorKind::InvalidDate { .. } => "write a real calendar date as YYYY-MM-DD, between 1800-01-01 and 2200-12-31".to_owned(),
            TimelineErrorKind::InvalidTime { .. } => r#"write the time on a 24-hour clock with two digits each, e.g. "08:30", or leave `time` out"#.to_owned(),
            TimelineErrorKind::DuplicateKey { key } => format!("keep one {}: JSON leaves a repeated key's meaning to whoever reads it, and refract does not guess", quote(key)),
            TimelineErrorKind::OutOfRange { .. } => "check the value and its unit; leave the key out (or null) when the value is unknown".to_owned(),
            TimelineErrorKind::NotInteger { .. } => "this attribute counts or scores something: write a whole number".to_owned(),
            TimelineErrorKind::UnknownCategory { value, allowed } => {
                match allowed.iter().find(|a| a.eq_ignore_ascii_case(value.trim())) {
                    Some(right) => format!("did you mean {}? Categories are case-sensitive", quote(right)),
                    None => format!("write one of {} (case-sensitive)", allowed.join(", ")),
                }
            }
            TimelineErrorKind::Unrepresentable { .. } => "round the number to at most 18 decimal places and 30 significant digits".to_owned(),
            TimelineErrorKind::TooManyEvents { .. } => "check that the events of several patients were not merged into one".to_owned(),
            TimelineErrorKind::LineTooLong { .. } => "write one patient per line; a line this long is usually a file that is not JSON Lines".to_owned(),
            TimelineErrorKind::NoLineBreak { .. } => "give refract a JSON Lines cohort (one patient per line) or one patient's JSON object".to_owned(),
            TimelineErrorKind::DocumentTooLarge { .. } => "write a large cohort as JSON Lines, one patient per line".to_owned(),
            TimelineErrorKind::NotUtf8 { .. } => "save the file as UTF-8".to_owned(),
            TimelineErrorKind::Io { .. } => "check that the file exists and is readable".to_owned(),
            TimelineErrorKind::Rows(problem) => problem.help(),
        }
    }

    /// The caret's text: what is wrong at the labelled spot.
    fn label(&self) -> String {
        match self {
            TimelineErrorKind::Syntax { .. } => "JSON breaks here".to_owned(),
            TimelineErrorKind::Missing { .. } => "this object lacks it".to_owned(),
            TimelineErrorKind::WrongType { expected, .. } => format!("expected {expected}"),
            TimelineErrorKind::InvalidDate { reason, .. } => reason.to_string(),
            TimelineErrorKind::InvalidTime { .. } => "not HH:MM".to_owned(),
            TimelineErrorKind::DuplicateKey { .. } => "given again here".to_owned(),
            TimelineErrorKind::OutOfRange { value, min, max } => out_of_range(value, *min, *max),
            TimelineErrorKind::UnknownCategory { .. } => "unknown value".to_owned(),
            _ => "here".to_owned(),
        }
    }
}

/// One error in one patient (or one line of a cohort).
#[derive(Clone, Debug)]
pub struct TimelineError {
    // Boxed so that `Result<Patient, TimelineError>` stays small.
    inner: Box<Details>,
}

#[derive(Clone, Debug)]
struct Details {
    kind: TimelineErrorKind,
    origin: Origin,
    patient_id: Option<String>,
    path: Option<String>,
    excerpt: Option<Excerpt>,
    span: Option<SourceSpan>,
    /// Read from long-format rows, where a value is left out by an empty cell.
    rows: bool,
}

impl TimelineError {
    /// An error of `kind` in the text from `origin`, without location details.
    pub fn new(kind: TimelineErrorKind, origin: Origin) -> TimelineError {
        TimelineError {
            inner: Box::new(Details {
                kind,
                origin,
                patient_id: None,
                path: None,
                excerpt: None,
                span: None,
                rows: false,
            }),
        }
    }

    /// What is wrong.
    pub fn kind(&self) -> &TimelineErrorKind {
        &self.inner.kind
    }

    /// The patient's `id`, when it could be read.
    pub fn patient_id(&self) -> Option<&str> {
        self.inner.patient_id.as_deref()
    }

    /// The file and line.
    pub fn origin(&self) -> &Origin {
        &self.inner.origin
    }

    /// The JSON path of the offending value (`events[3].date`); for long-format rows, the
    /// cell (`column 3 (date)`).
    pub fn json_path(&self) -> Option<&str> {
        self.inner.path.as_deref()
    }

    /// The byte span of the offending value in the line (or file) text.
    pub fn span(&self) -> Option<SourceSpan> {
        self.inner.span
    }

    pub(crate) fn with_path(mut self, path: String) -> TimelineError {
        self.inner.path = Some(path);
        self
    }

    /// How to fix it: the kind's help, in the words of the input's format.
    pub fn help_text(&self) -> String {
        let help = self.inner.kind.help();
        if self.inner.rows {
            return help
                .replace("leave the key out (or null)", "leave the value cell empty")
                .replace("leave `time` out", "leave the time cell empty");
        }
        help
    }

    /// Marks the error as one of long-format rows, so its help speaks of cells.
    pub(crate) fn in_rows(mut self) -> TimelineError {
        self.inner.rows = true;
        self
    }

    pub(crate) fn with_patient_id(mut self, id: Option<String>) -> TimelineError {
        self.inner.patient_id = id;
        self
    }

    /// Keeps the lines of `text` around `span` so miette can show them, with `span`
    /// underlined. `first_line` is the file line the text starts on. Only an excerpt is
    /// kept (a few hundred bytes, however long the line), so a list of errors stays small.
    pub(crate) fn with_source(
        mut self,
        text: &str,
        first_line: usize,
        span: Option<SourceSpan>,
    ) -> TimelineError {
        self.inner.excerpt = span.map(|span| {
            let range = (span.offset(), span.offset() + span.len());
            let index = LineIndex::new(text);
            let base = first_line.saturating_sub(1);
            Excerpt::new(&self.inner.origin.file, text, &index, range, base)
        });
        self.inner.span = span;
        self
    }

    /// The error as refract shows it on a terminal: texts escaped, the excerpt attached.
    pub fn shown(&self) -> Shown {
        Shown::new(self, self.inner.excerpt.clone())
    }
}

impl fmt::Display for TimelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.inner.origin)?;
        if let Some(path) = &self.inner.path {
            write!(f, "{path}: ")?;
        }
        write!(f, "{}", self.inner.kind)
    }
}

impl std::error::Error for TimelineError {}

impl Diagnostic for TimelineError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "refract::timeline::{}",
            self.inner.kind.code()
        )))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.help_text()))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.inner.excerpt.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.inner.excerpt.as_ref()?.label();
        let label = match self.inner.kind {
            TimelineErrorKind::Missing { .. } if self.inner.rows => "empty cell".to_owned(),
            _ => self.inner.kind.label(),
        };
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            span,
        ))))
    }
}
