//! Outcomes as JSON Lines (the output contract) and as a table for people.

mod json;
mod table;

pub use json::{error_line, outcome_line};
pub use table::Table;
