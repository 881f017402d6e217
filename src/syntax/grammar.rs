//! The pest parser generated from `grammar/refract.pest`.

#![allow(missing_docs)]

/// The generated parser; its `Rule` enum names every grammar rule.
#[derive(pest_derive::Parser)]
#[grammar = "grammar/refract.pest"]
pub struct CriteriaParser;
