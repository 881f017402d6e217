//! Outcomes as JSON Lines (the output contract), as a table and as a readable report for
//! people, and as CSV for R and pandas.

mod csv;
mod explain;
mod json;
mod markup;
mod table;

pub use csv::{csv_columns, csv_header, csv_row};
pub use explain::report_block;
pub use json::{error_line, outcome_line, stopped_line};
pub use markup::markup_escape;
pub use table::{Table, WIDTHS_FROM as TABLE_WIDTHS_FROM};
