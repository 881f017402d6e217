//! Pest pairs to the typed AST, once. The only module that sees `pest::iterators`.
//! One function per grammar rule, named after it: the items here, expressions in
//! `expr.rs`, selections and windows in `selection.rs`.

mod expr;
mod selection;

use std::sync::Arc;

use pest::iterators::{Pair, Pairs};

use super::grammar::Rule;
use crate::ast::*;
use crate::diagnostics::Problem;
use crate::number::Decimal;
use crate::source::{SourceFile, Span, Spanned};
use expr::expr;

type Lowered<T> = Result<T, Problem>;

/// A node of the syntax tree, refused when it makes its expression deeper than
/// [`MAX_DEPTH`](crate::syntax::MAX_DEPTH): checking and evaluation recurse along the tree, and
/// chains such as `1 * 1 * …` grow it without nesting anything in the text.
pub(super) fn node(kind: ExprKind, span: Span) -> Lowered<Expr> {
    let expr = Expr::new(kind, span);
    if expr.height() > crate::syntax::MAX_DEPTH {
        return Err(crate::syntax::limits::too_deep(
            &expr.kind,
            expr.span,
            expr.height(),
        ));
    }
    Ok(expr)
}

/// The pair's span without the spaces and comments pest lets a rule swallow at its end,
/// so a label underlines only what was written.
pub(super) fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    let (start, mut end) = (span.start(), span.end());
    let input = span.get_input();
    loop {
        let text = input.get(start..end).unwrap_or("");
        let trimmed = text.trim_end();
        let line_start = trimmed.rfind('\n').map_or(0, |at| at + 1);
        let last_line = trimmed.get(line_start..).unwrap_or("");
        let comment = comment_start(last_line).map(|at| line_start + at);
        let new_len = comment.unwrap_or(trimmed.len());
        if start + new_len == end {
            return Span::new(start, end);
        }
        end = start + new_len;
    }
}

/// Where a `//` comment starts in one line, ignoring `//` inside a quoted text.
pub(super) fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            b'\\' if in_string => {
                escaped = !escaped;
                continue;
            }
            b'"' if !escaped => in_string = !in_string,
            b'/' if !in_string && bytes.get(at + 1) == Some(&b'/') => return Some(at),
            _ => {}
        }
        escaped = false;
    }
    None
}

/// The grammar promised a child that is not there: a bug in refract, reported with the
/// span rather than a panic.
pub(super) fn disagree(span: Span, what: &str) -> Problem {
    Problem::error(
        "refract::syntax::internal",
        format!("the grammar and the lowering disagree about {what}"),
        span,
        "refract could not read this",
    )
    .with_help("this is a bug in refract; please report it with this file")
}

/// The next child, which must exist.
pub(super) fn next<'i>(
    pairs: &mut Pairs<'i, Rule>,
    parent: Span,
    what: &str,
) -> Lowered<Pair<'i, Rule>> {
    pairs.next().ok_or_else(|| disagree(parent, what))
}

/// The next child, which must be `rule`.
pub(super) fn next_rule<'i>(
    pairs: &mut Pairs<'i, Rule>,
    rule: Rule,
    parent: Span,
) -> Lowered<Pair<'i, Rule>> {
    let pair = next(pairs, parent, &format!("{rule:?}"))?;
    if pair.as_rule() == rule {
        Ok(pair)
    } else {
        Err(disagree(span_of(&pair), &format!("{rule:?}")))
    }
}

/// Children that are not keywords: a keyword carries no meaning once the rule that holds
/// it is known. (Keyword rules are the ones named `kw_*`.)
pub(super) fn skip_keywords<'i>(pairs: Pairs<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pairs.filter(|p| !format!("{:?}", p.as_rule()).starts_with("kw_"))
}

/// `file`: the whole definition. Errors of separate items are all collected.
pub fn file(pair: Pair<'_, Rule>, source: Arc<SourceFile>) -> Result<Definition, Vec<Problem>> {
    let span = span_of(&pair);
    let mut problems = Vec::new();
    let mut pairs = pair.into_inner();
    let header_pair = match next_rule(&mut pairs, Rule::header, span) {
        Ok(pair) => pair,
        Err(problem) => return Err(vec![problem]),
    };
    let header_span = span_of(&header_pair);
    let mut definition = Definition {
        source,
        id: Spanned::new(String::new(), header_span),
        title: None,
        society: None,
        year: None,
        citation: None,
        outcome: None,
        items: Vec::new(),
        header_span,
    };
    if let Err(problem) = header(header_pair, &mut definition) {
        problems.push(problem);
    }
    for item in pairs {
        let lowered = match item.as_rule() {
            Rule::part => part(item).map(Item::Part),
            Rule::criterion => criterion(item).map(Item::Criterion),
            Rule::met_when => met_when(item).map(Item::MetWhen),
            Rule::EOI => continue,
            _ => Err(disagree(span_of(&item), "an item")),
        };
        match lowered {
            Ok(item) => definition.items.push(item),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(definition)
    } else {
        Err(problems)
    }
}

/// `header`: the id and the metadata lines. A repeated line is an error.
pub(super) fn header(pair: Pair<'_, Rule>, definition: &mut Definition) -> Lowered<()> {
    for child in skip_keywords(pair.into_inner()) {
        let span = span_of(&child);
        let rule = child.as_rule();
        if rule == Rule::definition_id {
            definition.id = Spanned::new(child.as_str().to_string(), span);
            continue;
        }
        let name = match rule {
            Rule::meta_title => "title",
            Rule::meta_society => "society",
            Rule::meta_year => "year",
            Rule::meta_citation => "citation",
            Rule::meta_outcome => "outcome",
            _ => return Err(disagree(span, "a metadata line")),
        };
        let mut inner = skip_keywords(child.into_inner());
        let value = inner
            .next()
            .ok_or_else(|| disagree(span, "a metadata value"))?;
        let slot_taken = match rule {
            Rule::meta_title => definition
                .title
                .replace(Spanned::new(string(&value)?, span))
                .is_some(),
            Rule::meta_society => definition
                .society
                .replace(Spanned::new(string(&value)?, span))
                .is_some(),
            Rule::meta_citation => definition
                .citation
                .replace(Spanned::new(string(&value)?, span))
                .is_some(),
            Rule::meta_outcome => definition
                .outcome
                .replace(Spanned::new(value.as_str().to_string(), span))
                .is_some(),
            _ => definition
                .year
                .replace(Spanned::new(integer(&value)?, span))
                .is_some(),
        };
        if slot_taken {
            return Err(Problem::error(
                "refract::syntax::repeated_metadata",
                format!("`{name}` is given twice"),
                span,
                "a second value here",
            )
            .with_help(format!("keep one `{name}` line in the header")));
        }
    }
    Ok(())
}

/// `part`
pub(super) fn part(pair: Pair<'_, Rule>) -> Lowered<Part> {
    let span = span_of(&pair);
    let mut name = None;
    let mut params = Vec::new();
    let mut description = None;
    let mut body = None;
    for child in skip_keywords(pair.into_inner()) {
        match child.as_rule() {
            Rule::ident => name = Some(ident(&child)),
            Rule::params => params = child.into_inner().map(|p| ident(&p)).collect(),
            Rule::string => description = Some(Spanned::new(string(&child)?, span_of(&child))),
            Rule::expr => body = Some(expr(child)?),
            _ => return Err(disagree(span_of(&child), "a part")),
        }
    }
    Ok(Part {
        name: name.ok_or_else(|| disagree(span, "a part's name"))?,
        params,
        description,
        body: body.ok_or_else(|| disagree(span, "a part's body"))?,
    })
}

/// `criterion`
pub(super) fn criterion(pair: Pair<'_, Rule>) -> Lowered<Criterion> {
    let span = span_of(&pair);
    let mut name = None;
    let mut source = None;
    let mut body = None;
    for child in skip_keywords(pair.into_inner()) {
        match child.as_rule() {
            Rule::ident => name = Some(ident(&child)),
            Rule::source => {
                let text = child
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::string)
                    .ok_or_else(|| disagree(span, "a source sentence"))?;
                source = Some(Spanned::new(string(&text)?, span_of(&text)));
            }
            Rule::expr => body = Some(expr(child)?),
            _ => return Err(disagree(span_of(&child), "a criterion")),
        }
    }
    Ok(Criterion {
        name: name.ok_or_else(|| disagree(span, "a criterion's name"))?,
        source,
        body: body.ok_or_else(|| disagree(span, "a criterion's condition"))?,
    })
}

/// `met_when`
pub(super) fn met_when(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let child = skip_keywords(pair.into_inner())
        .next()
        .ok_or_else(|| disagree(span, "the `met when` condition"))?;
    expr(child)
}

/// `list`
pub(super) fn list(pair: Pair<'_, Rule>) -> Lowered<Vec<Spanned<Literal>>> {
    pair.into_inner().map(literal).collect()
}

/// `literal`: number, string or word.
pub(super) fn literal(pair: Pair<'_, Rule>) -> Lowered<Spanned<Literal>> {
    let span = span_of(&pair);
    let value = match pair.as_rule() {
        Rule::number => Literal::Number(number(&pair)?),
        Rule::string => Literal::Text(string(&pair)?),
        Rule::word => Literal::Word(pair.as_str().to_string()),
        _ => return Err(disagree(span, "a literal")),
    };
    Ok(Spanned::new(value, span))
}

/// `number`
pub(super) fn number(pair: &Pair<'_, Rule>) -> Lowered<Decimal> {
    Decimal::parse(pair.as_str()).ok_or_else(|| {
        Problem::error(
            "refract::syntax::number_out_of_range",
            format!("`{}` has too many digits", pair.as_str()),
            span_of(pair),
            "this number cannot be held exactly",
        )
        .with_help("write at most 18 digits after the point and 30 in all")
    })
}

/// `integer`
pub(super) fn integer(pair: &Pair<'_, Rule>) -> Lowered<u32> {
    pair.as_str().parse::<u32>().map_err(|_| {
        Problem::error(
            "refract::syntax::number_out_of_range",
            format!("`{}` is too large", pair.as_str()),
            span_of(pair),
            "too large for a count",
        )
        .with_help("counts and durations must be below 4294967296")
    })
}

/// `string`: the text between the quotes, unescaped.
pub(super) fn string(pair: &Pair<'_, Rule>) -> Lowered<String> {
    let inner = pair.as_str();
    let inner = inner
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(inner);
    Ok(inner.replace("\\\"", "\"").replace("\\\\", "\\"))
}

/// `ident`
pub(super) fn ident(pair: &Pair<'_, Rule>) -> Spanned<String> {
    Spanned::new(pair.as_str().to_string(), span_of(pair))
}
