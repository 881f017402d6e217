//! Source text → pest pairs → typed AST with spans, in one call.

mod grammar;
pub(crate) mod limits;
mod lower;
mod precedence;
mod print;
mod rule_names;
mod teach;

use std::sync::Arc;

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser as _;

use crate::ast::Definition;
use crate::diagnostics::{Diagnostics, Problem};
use crate::source::{SourceFile, Span};
use grammar::{CriteriaParser, Rule};

pub use limits::{MAX_DEPTH, MAX_GRAMMAR_DEPTH, MAX_NESTING, MAX_OPERATORS, MAX_SOURCE_BYTES};
pub use print::{comment_texts, format, shape, WIDTH};

/// The stack parsing and lowering run on, whatever the caller's: the limits bound how
/// deep they recurse, and this holds that depth with room to spare even in a debug build.
pub(crate) const STACK_BYTES: usize = 32 << 20;

/// Parse a definition file into its AST. All problems found are returned together.
pub fn parse(source: &Arc<SourceFile>) -> Result<Definition, Diagnostics> {
    // A fresh stack of known size (as rustc does for its deep recursions), so a parse
    // within the limits never depends on how much stack the caller has left.
    stacker::grow(STACK_BYTES, || parse_here(source))
}

fn parse_here(source: &Arc<SourceFile>) -> Result<Definition, Diagnostics> {
    let mut diagnostics = Diagnostics::new(source.clone());
    if let Some(problem) = limits::scan(&source.text) {
        diagnostics.problems.push(problem);
        return Err(diagnostics);
    }
    let mut pairs = match CriteriaParser::parse(Rule::file, &source.text) {
        Ok(pairs) => pairs,
        Err(error) => {
            diagnostics
                .problems
                .push(syntax_problem(&source.text, error));
            return Err(diagnostics);
        }
    };
    let Some(file) = pairs.next() else {
        diagnostics.problems.push(Problem::error(
            "refract::syntax::internal",
            "the parser returned nothing",
            Span::default(),
            "here",
        ));
        return Err(diagnostics);
    };
    if let Some(problem) = limits::tree_depth(file.clone()) {
        diagnostics.problems.push(problem);
        return Err(diagnostics);
    }
    lower::file(file, source.clone()).map_err(|problems| {
        diagnostics.problems = problems;
        diagnostics
    })
}

/// A pest error as our diagnostic: where, what was expected in words, what was found.
fn syntax_problem(text: &str, error: pest::error::Error<Rule>) -> Problem {
    let (start, end) = match error.location {
        InputLocation::Pos(at) => (at, at),
        InputLocation::Span((start, end)) => (start, end),
    };
    let found = found_at(text, start);
    let end = end.max(start + found.len());
    let expected = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives
                .iter()
                .map(|rule| rule_names::describe(*rule))
                .collect();
            words.sort_unstable();
            words.dedup();
            words
        }
        // pest stops itself before its stack runs out (or its call budget does).
        ErrorVariant::CustomError { message } if message.contains("limit reached") => {
            return limits::nested_at(start, "constructs");
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    if found == "\"" {
        let line_end = text
            .get(start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |at| start + at);
        return Problem::error(
            "refract::syntax::unclosed_text",
            "this quoted text is not closed on its line",
            Span::new(start, line_end),
            "opened here, never closed",
        )
        .with_help("close the quote before the end of the line; a quoted text cannot span lines");
    }
    let what = if found.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{found}`")
    };
    let message = if expected.is_empty() {
        format!("refract cannot read {what} here")
    } else {
        format!("expected {}, found {what}", join_or(&expected))
    };
    if let Some(slip) = teach::slip(text, start, &found) {
        return Problem::error(
            "refract::syntax::unexpected",
            slip.message,
            slip.span,
            slip.label,
        )
        .with_help(slip.help);
    }
    Problem::error(
        "refract::syntax::unexpected",
        message,
        Span::new(start, end),
        "not expected here",
    )
    .with_help(syntax_help(&found, &expected))
}

/// The token at a byte offset: a word, or one other character.
fn found_at(text: &str, at: usize) -> String {
    let rest = text.get(at..).unwrap_or("");
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    if !word.is_empty() {
        return word;
    }
    rest.chars().next().map(String::from).unwrap_or_default()
}

fn join_or(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A hint for the commonest slips.
fn syntax_help(found: &str, expected: &[&str]) -> String {
    let wants_unit = expected.iter().any(|e| e.contains("`days`"));
    if wants_unit {
        return format!("durations are written with `days`, `weeks` or `months`, e.g. `3 months`; `{found}` is not a unit");
    }
    if found == "=" {
        return "comparisons are written `is` (e.g. `mrecist is PD`) or `>=`, `<=`, `>`, `<`"
            .to_string();
    }
    "see the language tour in README.md for the forms a definition can use".to_string()
}
