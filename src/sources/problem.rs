//! What can be wrong with rows that the JSON reader has no words for: columns, ragged
//! rows, rows of one patient or event that do not agree. Each is a
//! [`TimelineErrorKind::Rows`](crate::timeline::TimelineErrorKind::Rows), shown with the
//! file, line and column like every other timeline error.

/// A problem of a long-format row or of a CSV file's layout.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    /// The header lacks a column: `patient,date,kind,attribute,value` (no `event`).
    #[error("the header has no column `{column}`")]
    MissingColumn {
        /// The column's name.
        column: &'static str,
    },
    /// The header has a column refract does not read: `patient,…,value,unit`.
    #[error("the header's column {} is not one refract reads", crate::timeline::error::quote(.column))]
    UnknownColumn {
        /// The column's name as written.
        column: String,
    },
    /// The header names a column twice.
    #[error("the header has the column `{column}` twice")]
    ColumnTwice {
        /// The column's name.
        column: String,
    },
    /// A row with more or fewer cells than the header.
    #[error("the row has {found} cells; the header has {expected}")]
    Ragged {
        /// The header's cells.
        expected: usize,
        /// The row's.
        found: usize,
    },
    /// A quoted cell still open at the end of the input (or past the line limit).
    #[error("a quoted cell is not closed")]
    UnclosedQuote,
    /// A patient's rows met again after another patient's.
    #[error("the patient's rows are not together: its first rows are at line {first_line}, before other patients'")]
    RowsApart {
        /// The line of the patient's first row.
        first_line: usize,
    },
    /// A later row of an event gives another date, time or kind than its first.
    #[error(
        "event {} has {column} {} here but {} on line {first_line}",
        crate::timeline::error::quote(.event),
        crate::timeline::error::quote(.found),
        crate::timeline::error::quote(.first)
    )]
    EventDisagrees {
        /// The event's id.
        event: String,
        /// The cell that differs.
        column: &'static str,
        /// Its text on the event's first row.
        first: String,
        /// Its text here.
        found: String,
        /// The line of the event's first row.
        first_line: usize,
    },
    /// A fact row (no event id) with a date, time or kind.
    #[error("a row with no event id holds a fact of the patient, but it has a {column}")]
    FactWithEventCell {
        /// The cell that should be empty.
        column: &'static str,
    },
    /// A value with no attribute name.
    #[error("the row has a value but no attribute name")]
    ValueWithoutName,
    /// An attribute or fact given on two rows.
    #[error("{} is given again (first on line {first_line})", crate::timeline::error::quote(.name))]
    GivenTwice {
        /// The attribute's or fact's name.
        name: String,
        /// The line where it was first given.
        first_line: usize,
    },
    /// `date`, `time` or `kind` as an attribute name.
    #[error("`{name}` is a column of its own, not an attribute")]
    Reserved {
        /// The name.
        name: String,
    },
    /// A patient with more rows (in bytes) than the limit.
    #[error("the patient's rows are more than {} MiB", limit / (1024 * 1024))]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl RowProblem {
    /// Whether this concerns one patient; the alternative is a layout no row can be
    /// read with (a missing column), which ends the input.
    pub fn is_patient_error(&self) -> bool {
        !matches!(
            self,
            RowProblem::MissingColumn { .. }
                | RowProblem::UnknownColumn { .. }
                | RowProblem::ColumnTwice { .. }
                | RowProblem::UnclosedQuote
        )
    }

    /// The diagnostic code's last part (`ragged_row`).
    pub fn code(&self) -> &'static str {
        match self {
            RowProblem::MissingColumn { .. } => "missing_column",
            RowProblem::UnknownColumn { .. } => "unknown_column",
            RowProblem::ColumnTwice { .. } => "column_twice",
            RowProblem::Ragged { .. } => "ragged_row",
            RowProblem::UnclosedQuote => "unclosed_quote",
            RowProblem::RowsApart { .. } => "rows_apart",
            RowProblem::EventDisagrees { .. } => "event_disagrees",
            RowProblem::FactWithEventCell { .. } => "fact_with_event_cell",
            RowProblem::ValueWithoutName => "value_without_name",
            RowProblem::GivenTwice { .. } => "given_twice",
            RowProblem::Reserved { .. } => "reserved_attribute",
            RowProblem::TooLarge { .. } => "patient_too_large",
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            RowProblem::MissingColumn { .. } | RowProblem::UnknownColumn { .. } | RowProblem::ColumnTwice { .. } => {
                "the first line names the columns, each once, in any order: patient,date,time,event,kind,attribute,value".to_owned()
            }
            RowProblem::Ragged { .. } => "give every row one cell per column (empty cells included); quote a cell that holds a comma".to_owned(),
            RowProblem::UnclosedQuote => "close the quoted cell with a \"; a quote inside a quoted cell is written twice (\"\")".to_owned(),
            RowProblem::RowsApart { .. } => "sort the rows by patient, so that each patient's rows come together".to_owned(),
            RowProblem::EventDisagrees { .. } => "give every row of one event the same date, time and kind, or give the rows of different events different event ids".to_owned(),
            RowProblem::FactWithEventCell { .. } => "give the row its event's id, or leave date, time and kind empty on a fact row".to_owned(),
            RowProblem::ValueWithoutName => "name the attribute (or fact) in the attribute column".to_owned(),
            RowProblem::GivenTwice { .. } => "keep one of the rows: refract does not guess which value counts (a list is one cell: [\"a\",\"b\"])".to_owned(),
            RowProblem::Reserved { .. } => "write the event's date, time and kind in their columns, on each of its rows".to_owned(),
            RowProblem::TooLarge { .. } => "check that the rows of several patients were not given one patient id".to_owned(),
        }
    }
}
