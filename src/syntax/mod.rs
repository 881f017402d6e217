//! Source text → pest pairs → typed AST with spans, in one call.

mod grammar;
mod lower;
mod precedence;
mod rule_names;

use std::sync::Arc;

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser as _;

use crate::ast::Definition;
use crate::diagnostics::{Diagnostics, Problem};
use crate::source::{SourceFile, Span};
use grammar::{CriteriaParser, Rule};

/// The largest definition file refract reads; a guideline fits in far less.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// How deeply parentheses and quantifiers may nest before the file is refused (the
/// parser recurses, and a hostile file must not overflow the stack).
pub const MAX_NESTING: usize = 64;

/// The most `not`/`and`/`or`/`else` in one item: each is a level of the tree that checking
/// and evaluation walk recursively. Guidelines need a handful.
pub const MAX_OPERATORS: usize = 256;

/// Parse a definition file into its AST. All problems found are returned together.
pub fn parse(source: &Arc<SourceFile>) -> Result<Definition, Diagnostics> {
    let mut diagnostics = Diagnostics::new(source.clone());
    if let Some(problem) = too_large(&source.text) {
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
    lower::file(file, source.clone()).map_err(|problems| {
        diagnostics.problems = problems;
        diagnostics
    })
}

/// A file too large or too deeply nested to parse safely.
fn too_large(text: &str) -> Option<Problem> {
    if text.len() > MAX_SOURCE_BYTES {
        return Some(
            Problem::error(
                "refract::syntax::too_large",
                format!(
                    "the file is larger than {} MiB ({MAX_SOURCE_BYTES} bytes), the most refract reads for a definition",
                    MAX_SOURCE_BYTES >> 20
                ),
                Span::new(0, 0),
                "this file",
            )
            .with_help("split the definition, or check that this is the file you meant"),
        );
    }
    // Brackets nest until closed; each `:` opens a body that lasts to the end of its item
    // (the next line starting with `part`, `criterion` or `met`). Comments and quoted
    // texts are skipped.
    let (mut brackets, mut bodies, mut operators) = (0usize, 0usize, 0usize);
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if ["part", "criterion", "met"].iter().any(|kw| {
            trimmed
                .strip_prefix(kw)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_whitespace()))
        }) {
            bodies = 0;
            operators = 0;
        }
        let code = code_of(line);
        operators += code
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|word| matches!(*word, "not" | "and" | "or" | "else"))
            .count();
        if operators > MAX_OPERATORS {
            return Some(
                Problem::error(
                    "refract::syntax::too_long",
                    format!("an item uses more than {MAX_OPERATORS} `not`/`and`/`or`/`else`"),
                    Span::new(offset, offset + line.trim_end().len()),
                    "the limit is passed on this line",
                )
                .with_help("split the condition into named parts and combine their names"),
            );
        }
        for c in code.chars() {
            match c {
                '(' | '[' => brackets += 1,
                ')' | ']' => brackets = brackets.saturating_sub(1),
                ':' => bodies += 1,
                _ => continue,
            }
            if brackets + bodies > MAX_NESTING {
                return Some(
                    Problem::error(
                        "refract::syntax::too_deep",
                        format!("the file nests more than {MAX_NESTING} levels deep"),
                        Span::new(offset, offset + line.trim_end().len()),
                        "the limit is passed on this line",
                    )
                    .with_help("name the inner condition as a `part` and use its name"),
                );
            }
        }
        offset += line.len();
    }
    None
}

/// A line without its comment and quoted texts.
fn code_of(line: &str) -> String {
    let mut code = String::with_capacity(line.len());
    let (mut in_string, mut previous) = (false, '\0');
    for c in line.chars() {
        match c {
            '"' if previous != '\\' => in_string = !in_string,
            '/' if !in_string && previous == '/' => {
                code.pop();
                break;
            }
            _ if !in_string => code.push(c),
            _ => {}
        }
        previous = c;
    }
    code
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
