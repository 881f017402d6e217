//! What a definition says in words: the `{NAME}` placeholders in part descriptions, and
//! the source sentence every criterion should quote.

use crate::ast::Definition;
use crate::diagnostics::Problem;
use crate::source::Span;

/// The names a description quotes as `{NAME}`, each with its byte range in the text.
pub fn placeholders(text: &str) -> Vec<(&str, std::ops::Range<usize>)> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = text.get(rest..).and_then(|t| t.find('{')) {
        let start = rest + open;
        let Some(close) = text.get(start..).and_then(|t| t.find('}')) else {
            break;
        };
        let end = start + close + 1;
        if let Some(name) = text.get(start + 1..end - 1) {
            found.push((name, start..end));
        }
        rest = end;
    }
    found
}

/// Placeholders that name no parameter, and criteria without a source.
pub fn check(definition: &Definition, problems: &mut Vec<Problem>) {
    for part in definition.parts() {
        let Some(description) = &part.description else {
            continue;
        };
        for (name, range) in placeholders(&description.node) {
            if part.params.iter().any(|p| p.node == name) {
                continue;
            }
            // The description's span includes its opening quote.
            let start = description.span.start + 1 + range.start;
            let end = (start + range.len()).min(description.span.end);
            let span = Span::new(start.min(end), end);
            let params: Vec<String> = part
                .params
                .iter()
                .map(|p| format!("`{{{}}}`", p.node))
                .collect();
            let help = if params.is_empty() {
                format!(
                    "part `{}` has no parameters to quote; write the words instead",
                    part.name.node
                )
            } else {
                format!(
                    "a description quotes the part's parameters: {}",
                    params.join(", ")
                )
            };
            problems.push(
                Problem::error(
                    "refract::check::unknown_placeholder",
                    format!("the description quotes `{{{name}}}`, but part `{}` has no parameter `{name}`", part.name.node),
                    span,
                    "no such parameter",
                )
                .with_help(help),
            );
        }
    }
    for criterion in definition.criteria() {
        if criterion.source.is_none() {
            problems.push(
                Problem::warning(
                    "refract::check::no_source",
                    format!("criterion `{}` does not quote its source", criterion.name.node),
                    criterion.name.span,
                    "no `source` line",
                )
                .with_help("add `source \"...\"` after the name, with the sentence of the guideline this criterion encodes, so a reader can check one against the other"),
            );
        }
    }
}
