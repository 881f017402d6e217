//! Definition-level checks: metadata, duplicate and unused names, the `met when` line.

use std::collections::HashMap;

use super::resolve::{Checker, PartState};
use super::{Checked, CheckedCriterion, CheckedPart};
use crate::ast::{Definition, Item};
use crate::diagnostics::{Diagnostics, Problem};
use crate::source::Span;
use crate::vocabulary::Vocabulary;

/// See [`super::check`].
pub fn check_definition(
    definition: &Definition,
    vocabulary: &Vocabulary,
) -> Result<(Checked, Diagnostics), Diagnostics> {
    let mut diagnostics = Diagnostics::new(definition.source.clone());
    let problems = &mut diagnostics.problems;

    let outcome = match &definition.outcome {
        Some(outcome) => outcome.node.clone(),
        None => {
            problems.push(
                Problem::error(
                    "refract::check::missing_outcome",
                    format!(
                        "definition `{}` does not say what it detects",
                        definition.id.node
                    ),
                    definition.header_span,
                    "no `outcome` line in this header",
                )
                .with_help(
                    "add a line such as `outcome refractory` or `outcome unsuitable` to the header",
                ),
            );
            String::new()
        }
    };

    let mut seen: HashMap<&str, Span> = HashMap::new();
    for item in &definition.items {
        let name = match item {
            Item::Part(part) => &part.name,
            Item::Criterion(criterion) => &criterion.name,
            Item::MetWhen(_) => continue,
        };
        if let Some(first) = seen.insert(&name.node, name.span) {
            problems.push(
                Problem::error(
                    "refract::check::duplicate_name",
                    format!("`{}` is defined twice", name.node),
                    name.span,
                    "defined again here",
                )
                .with_help(format!(
                    "rename one of them; the first `{}` is on line {}",
                    name.node,
                    line_of(&definition.source.text, first.start)
                )),
            );
        }
    }

    let mut checker = Checker::new(definition, vocabulary);
    let met_when: Vec<_> = definition.met_when().collect();
    let met_when_node = match met_when.as_slice() {
        [] => {
            problems.push(
                Problem::error(
                    "refract::check::missing_met_when",
                    "the definition never says when it is met",
                    definition.header_span,
                    "no `met when` line in this file",
                )
                .with_help(
                    "end the file with a line such as `met when criterion_a or criterion_b`",
                ),
            );
            None
        }
        [expr, rest @ ..] => {
            for extra in rest {
                problems.push(
                    Problem::error(
                        "refract::check::repeated_met_when",
                        "the definition has more than one `met when` line",
                        extra.span,
                        "a second `met when`",
                    )
                    .with_help("combine them into one line with `or` or `and`"),
                );
            }
            Some(checker.condition_top(expr))
        }
    };
    // Criteria and parts not reached from `met when` are still checked, so their
    // mistakes are reported too.
    for index in 0..checker.criteria.len() {
        checker.criterion(index);
    }
    for index in 0..checker.parts.len() {
        checker.part(index);
    }
    problems.append(&mut checker.problems);
    // A criterion or part left unreached because of another error is not news.
    let clean = !problems.iter().any(|p| p.is_error());
    if clean {
        for (index, criterion) in definition.criteria().enumerate() {
            if !checker.criteria.get(index).is_some_and(|c| c.used) && !met_when.is_empty() {
                problems.push(
                    Problem::warning(
                        "refract::check::unused_criterion",
                        format!("criterion `{}` is never used", criterion.name.node),
                        criterion.name.span,
                        "defined here, but `met when` does not reach it",
                    )
                    .with_help(format!(
                        "add `{}` to the `met when` line, or remove it",
                        criterion.name.node
                    )),
                );
            }
        }
        for part in &checker.parts {
            if !part.used {
                problems.push(
                    Problem::warning(
                        "refract::check::unused_part",
                        format!("part `{}` is never used", part.ast.name.node),
                        part.ast.name.span,
                        "defined here, but nothing uses it",
                    )
                    .with_help("use it in a criterion, or remove it"),
                );
            }
        }
    }
    super::wording::check(definition, problems);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let (Some(met_when), Some(slots)) = (met_when_node, Some(checker.slots)) else {
        return Err(diagnostics);
    };
    let mut parts = Vec::new();
    for part in checker.parts {
        let PartState::Done(body, ty) = part.state else {
            return Err(diagnostics);
        };
        let quoted = part
            .ast
            .description
            .as_ref()
            .map(|d| super::wording::placeholders(&d.node));
        let quoted_params = part
            .ast
            .params
            .iter()
            .map(|p| {
                quoted
                    .as_ref()
                    .is_some_and(|q| q.iter().any(|(name, _)| *name == p.node))
            })
            .collect();
        parts.push(CheckedPart {
            quoted_params,
            name: part.ast.name.node.clone(),
            description: part.ast.description.as_ref().map(|d| d.node.clone()),
            label: part.ast.name.node.replace('_', " "),
            params: part.params,
            param_names: part.ast.params.iter().map(|p| p.node.clone()).collect(),
            value_params: part.value_params,
            reads_caller_it: part.reads_caller_it,
            body,
            ty,
        });
    }
    let mut criteria = Vec::new();
    for criterion in checker.criteria {
        let PartState::Done(body, _) = criterion.state else {
            return Err(diagnostics);
        };
        criteria.push(CheckedCriterion {
            name: criterion.ast.name.node.clone(),
            source: criterion.ast.source.as_ref().map(|s| s.node.clone()),
            body,
        });
    }
    let bodies = super::depth::Bodies {
        parts: parts.iter().map(|part| &part.body).collect(),
        criteria: criteria.iter().map(|criterion| &criterion.body).collect(),
    };
    let names: Vec<(&str, Span)> = definition
        .criteria()
        .map(|criterion| (criterion.name.node.as_str(), criterion.name.span))
        .collect();
    let met_span = met_when.span;
    let too_deep = super::depth::check(bodies, &names, (&met_when, met_span));
    if !too_deep.is_empty() {
        diagnostics.problems.extend(too_deep);
        return Err(diagnostics);
    }
    let mut checked = Checked {
        source: definition.source.clone(),
        id: definition.id.node.clone(),
        id_span: definition.id.span,
        outcome,
        title: definition.title.as_ref().map(|t| t.node.clone()),
        parts,
        criteria,
        met_when,
        slots,
        reads: Vec::new(),
    };
    checked.reads = super::reads::definition_reads(&checked);
    Ok((checked, diagnostics))
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}
