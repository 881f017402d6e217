//! Pest pairs to the typed AST, once. The only file that sees `pest::iterators`.
//! One function per grammar rule, named after it.

use std::sync::Arc;

use pest::iterators::{Pair, Pairs};

use super::grammar::Rule;
use super::precedence::PRATT;
use crate::ast::*;
use crate::diagnostics::Problem;
use crate::number::Decimal;
use crate::source::{SourceFile, Span, Spanned};

type Lowered<T> = Result<T, Problem>;

/// The pair's span without the spaces and comments pest lets a rule swallow at its end,
/// so a label underlines only what was written.
fn span_of(pair: &Pair<'_, Rule>) -> Span {
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
fn comment_start(line: &str) -> Option<usize> {
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
fn disagree(span: Span, what: &str) -> Problem {
    Problem::error(
        "refract::syntax::internal",
        format!("the grammar and the lowering disagree about {what}"),
        span,
        "refract could not read this",
    )
    .with_help("this is a bug in refract; please report it with this file")
}

/// The next child, which must exist.
fn next<'i>(pairs: &mut Pairs<'i, Rule>, parent: Span, what: &str) -> Lowered<Pair<'i, Rule>> {
    pairs.next().ok_or_else(|| disagree(parent, what))
}

/// The next child, which must be `rule`.
fn next_rule<'i>(pairs: &mut Pairs<'i, Rule>, rule: Rule, parent: Span) -> Lowered<Pair<'i, Rule>> {
    let pair = next(pairs, parent, &format!("{rule:?}"))?;
    if pair.as_rule() == rule {
        Ok(pair)
    } else {
        Err(disagree(span_of(&pair), &format!("{rule:?}")))
    }
}

/// Children that are not keywords: a keyword carries no meaning once the rule that holds
/// it is known. (Keyword rules are the ones named `kw_*`.)
fn skip_keywords<'i>(pairs: Pairs<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
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
fn header(pair: Pair<'_, Rule>, definition: &mut Definition) -> Lowered<()> {
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
fn part(pair: Pair<'_, Rule>) -> Lowered<Part> {
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
fn criterion(pair: Pair<'_, Rule>) -> Lowered<Criterion> {
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
fn met_when(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let child = skip_keywords(pair.into_inner())
        .next()
        .ok_or_else(|| disagree(span, "the `met when` condition"))?;
    expr(child)
}

/// `expr`: `not`/`and`/`or`/`else` through the Pratt parser.
pub(super) fn expr(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    PRATT
        .map_primary(primary)
        .map_prefix(|op, operand| {
            let operand = operand?;
            let span = span_of(&op).join(operand.span);
            Ok(Expr::new(ExprKind::Not(Box::new(operand)), span))
        })
        .map_infix(|left, op, right| {
            let (left, right) = (left?, right?);
            let span = left.span.join(right.span);
            let (left, right) = (Box::new(left), Box::new(right));
            let kind = match op.as_rule() {
                Rule::op_and => ExprKind::And(left, right),
                Rule::op_or => ExprKind::Or(left, right),
                Rule::op_else => ExprKind::Else(left, right),
                _ => return Err(disagree(span_of(&op), "an operator")),
            };
            Ok(Expr::new(kind, span))
        })
        .parse(pair.into_inner())
}

/// One operand of the Pratt parser.
fn primary(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    match pair.as_rule() {
        Rule::consecutive => consecutive(pair),
        Rule::each_value => each_value(pair),
        Rule::quantified => quantified(pair),
        Rule::statement => statement(pair),
        Rule::negated => negated(pair),
        Rule::expr => expr(pair),
        _ => operand(pair),
    }
}

/// `negated`: `not X` after `shows`.
fn negated(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let inner = pair
        .into_inner()
        .find(|p| p.as_rule() != Rule::op_not)
        .ok_or_else(|| disagree(span, "a negated condition"))?;
    Ok(Expr::new(ExprKind::Not(Box::new(primary(inner)?)), span))
}

/// `quantifier`
fn quantifier(pair: Pair<'_, Rule>) -> Lowered<Quantifier> {
    let span = span_of(&pair);
    let child = pair
        .into_inner()
        .next()
        .ok_or_else(|| disagree(span, "a quantifier"))?;
    Ok(match child.as_rule() {
        Rule::kw_any => Quantifier::Any,
        Rule::kw_every => Quantifier::Every,
        Rule::kw_no => Quantifier::No,
        Rule::at_least | Rule::at_most => {
            let at_least = child.as_rule() == Rule::at_least;
            let count = child
                .into_inner()
                .find(|p| p.as_rule() == Rule::integer)
                .ok_or_else(|| disagree(span, "a count"))?;
            let count = integer(&count)?;
            if at_least {
                Quantifier::AtLeast(count)
            } else {
                Quantifier::AtMost(count)
            }
        }
        _ => return Err(disagree(span, "a quantifier")),
    })
}

/// `consecutive`
fn consecutive(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut inner = skip_keywords(pair.into_inner());
    let quantifier = quantifier(inner.next().ok_or_else(|| disagree(span, "a quantifier"))?)?;
    let first = ident(&inner.next().ok_or_else(|| disagree(span, "a name"))?);
    let second = ident(&inner.next().ok_or_else(|| disagree(span, "a name"))?);
    let body = expr(inner.next().ok_or_else(|| disagree(span, "a body"))?)?;
    Ok(Expr::new(
        ExprKind::Consecutive {
            quantifier,
            first,
            second,
            body: Box::new(body),
        },
        span,
    ))
}

/// `each_value`
fn each_value(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut inner = skip_keywords(pair.into_inner());
    let quantifier = quantifier(inner.next().ok_or_else(|| disagree(span, "a quantifier"))?)?;
    let name = ident(&inner.next().ok_or_else(|| disagree(span, "a name"))?);
    let values = list(inner.next().ok_or_else(|| disagree(span, "a list"))?)?;
    let body = expr(inner.next().ok_or_else(|| disagree(span, "a body"))?)?;
    Ok(Expr::new(
        ExprKind::EachValue {
            quantifier,
            name,
            values,
            body: Box::new(body),
        },
        span,
    ))
}

/// `quantified`
fn quantified(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let quantifier = quantifier(next_rule(&mut inner, Rule::quantifier, span)?)?;
    let selection = selection(next_rule(&mut inner, Rule::selection, span)?)?;
    let body = match inner.next() {
        None => None,
        Some(tail) => Some(tail_body(tail)?),
    };
    Ok(Expr::new(
        ExprKind::Quantified {
            quantifier,
            selection: Box::new(selection),
            body,
        },
        span,
    ))
}

/// `shows_tail` or `colon_tail`
fn tail_body(pair: Pair<'_, Rule>) -> Lowered<(Connective, Box<Expr>)> {
    let span = span_of(&pair);
    let connective = match pair.as_rule() {
        Rule::shows_tail => Connective::Shows,
        Rule::colon_tail => Connective::Colon,
        _ => return Err(disagree(span, "a quantifier's body")),
    };
    let body = skip_keywords(pair.into_inner())
        .next()
        .ok_or_else(|| disagree(span, "a body"))?;
    Ok((connective, Box::new(primary(body)?)))
}

/// `statement`: an operand and, optionally, what is said of it.
fn statement(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let subject = sum(next(&mut inner, span, "an operand")?)?;
    let Some(predicate) = inner.next() else {
        return Ok(subject);
    };
    let subject = Box::new(subject);
    let rule = predicate.as_rule();
    let pspan = span_of(&predicate);
    let mut parts = skip_keywords(predicate.into_inner());
    let mut part = |what: &str| parts.next().ok_or_else(|| disagree(pspan, what));
    let kind = match rule {
        Rule::same_as => ExprKind::SameAs(subject, Box::new(operand(part("an operand")?)?)),
        Rule::differs => ExprKind::Differs(subject, Box::new(operand(part("an operand")?)?)),
        Rule::is_not => {
            // The first child is the `not` operator.
            part("`not`")?;
            ExprKind::Is {
                value: subject,
                negated: true,
                literal: literal(part("a literal")?)?,
            }
        }
        Rule::is_value => ExprKind::Is {
            value: subject,
            negated: false,
            literal: literal(part("a literal")?)?,
        },
        Rule::occurs_in => ExprKind::Occurs(subject, window(part("a window")?)?),
        Rule::not_in => {
            part("`not`")?;
            ExprKind::In {
                value: subject,
                negated: true,
                list: list(part("a list")?)?,
            }
        }
        Rule::in_list => ExprKind::In {
            value: subject,
            negated: false,
            list: list(part("a list")?)?,
        },
        Rule::ordering => {
            let op = match part("an operator")?.as_str() {
                ">" => CompareOp::Greater,
                ">=" => CompareOp::GreaterOrEqual,
                "<" => CompareOp::Less,
                "<=" => CompareOp::LessOrEqual,
                _ => return Err(disagree(pspan, "an operator")),
            };
            ExprKind::Compare(subject, op, Box::new(sum(part("an operand")?)?))
        }
        Rule::change => change(subject, parts, pspan)?,
        Rule::rises => {
            let reference = operand(part("a reference")?)?;
            let min_values = match parts.next() {
                Some(count) => Spanned::new(integer(&count)?, span_of(&count)),
                None => Spanned::new(2, pspan),
            };
            ExprKind::Rises {
                series: subject,
                reference: Box::new(reference),
                min_values,
            }
        }
        Rule::shows_tail => {
            let body = part("a condition")?;
            ExprKind::Shows(subject, Box::new(primary(body)?))
        }
        _ => return Err(disagree(pspan, "a predicate")),
    };
    Ok(Expr::new(kind, span))
}

/// `sum` and `product`: left-associative, `*` before `+`/`-`.
fn sum(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    if rule != Rule::sum && rule != Rule::product {
        return operand(pair);
    }
    let mut inner = pair.into_inner();
    let mut left = sum(next(&mut inner, span, "a value")?)?;
    while let Some(op) = inner.next() {
        let op = match op.as_str() {
            "+" => ArithOp::Add,
            "-" => ArithOp::Subtract,
            _ => ArithOp::Multiply,
        };
        let right = sum(next(&mut inner, span, "a value")?)?;
        let joined = left.span.join(right.span);
        left = Expr::new(ExprKind::Arith(op, Box::new(left), Box::new(right)), joined);
    }
    Ok(left)
}

/// `score`
fn score(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut items = Vec::new();
    for item in pair
        .into_inner()
        .filter(|p| p.as_rule() == Rule::score_item)
    {
        let item_span = span_of(&item);
        let mut parts = skip_keywords(item.into_inner());
        let points = parts.next().ok_or_else(|| disagree(item_span, "points"))?;
        let points = Spanned::new(number(&points)?, span_of(&points));
        let condition = expr(
            parts
                .next()
                .ok_or_else(|| disagree(item_span, "a condition"))?,
        )?;
        items.push((points, condition));
    }
    Ok(Expr::new(ExprKind::Score(items), span))
}

/// `change`: `grew by at least 20 % from X`.
fn change<'i>(
    value: Box<Expr>,
    mut parts: impl Iterator<Item = Pair<'i, Rule>>,
    span: Span,
) -> Lowered<ExprKind> {
    let mut part = |what: &str| parts.next().ok_or_else(|| disagree(span, what));
    let direction = match part("a direction")?
        .into_inner()
        .next()
        .map(|p| p.as_rule())
    {
        Some(Rule::kw_grew) => Direction::Grew,
        Some(Rule::kw_shrank) => Direction::Shrank,
        _ => return Err(disagree(span, "a direction")),
    };
    let bound = match part("a bound")?.into_inner().next().map(|p| p.as_rule()) {
        Some(Rule::bound_at_least) => Bound::AtLeast,
        Some(Rule::bound_more_than) => Bound::MoreThan,
        Some(Rule::bound_at_most) => Bound::AtMost,
        Some(Rule::bound_less_than) => Bound::LessThan,
        _ => return Err(disagree(span, "a bound")),
    };
    let percent_pair = part("a percentage")?;
    let percent = Spanned::new(number(&percent_pair)?, span_of(&percent_pair));
    let reference = operand(part("a reference")?)?;
    Ok(ExprKind::Change {
        value,
        direction,
        bound,
        percent,
        reference: Box::new(reference),
    })
}

/// Any operand rule.
fn operand(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::attribute_of => {
            let mut inner = skip_keywords(pair.into_inner());
            let name = ident(&inner.next().ok_or_else(|| disagree(span, "an attribute"))?);
            let of = operand(inner.next().ok_or_else(|| disagree(span, "an event"))?)?;
            Ok(Expr::new(ExprKind::AttributeOf(name, Box::new(of)), span))
        }
        Rule::extreme => {
            let mut inner = pair.into_inner();
            let lowest = inner.next().map(|p| p.as_rule()) == Some(Rule::kw_lowest);
            let mut rest = skip_keywords(inner);
            let name = ident(&rest.next().ok_or_else(|| disagree(span, "an attribute"))?);
            let selection = selection(rest.next().ok_or_else(|| disagree(span, "a selection"))?)?;
            Ok(Expr::new(
                ExprKind::Extreme(lowest, name, Box::new(selection)),
                span,
            ))
        }
        Rule::latest | Rule::earliest => {
            let latest = pair.as_rule() == Rule::latest;
            let inner = skip_keywords(pair.into_inner())
                .next()
                .ok_or_else(|| disagree(span, "a selection"))?;
            let selection = Box::new(selection(inner)?);
            let kind = if latest {
                ExprKind::Latest(selection)
            } else {
                ExprKind::Earliest(selection)
            };
            Ok(Expr::new(kind, span))
        }
        Rule::session_number => {
            let count = skip_keywords(pair.into_inner())
                .next()
                .ok_or_else(|| disagree(span, "a session number"))?;
            let number = integer(&count)?;
            if number == 0 {
                return Err(Problem::error(
                    "refract::syntax::session_zero",
                    "sessions are numbered from 1",
                    span_of(&count),
                    "there is no session 0",
                )
                .with_help("write `session 1` for the first session"));
            }
            Ok(Expr::new(ExprKind::SessionNumber(number), span))
        }
        Rule::next_session | Rule::previous_session => {
            let next = pair.as_rule() == Rule::next_session;
            let inner = skip_keywords(pair.into_inner())
                .next()
                .ok_or_else(|| disagree(span, "an event"))?;
            let of = Box::new(operand(inner)?);
            let kind = if next {
                ExprKind::NextSession(of)
            } else {
                ExprKind::PreviousSession(of)
            };
            Ok(Expr::new(kind, span))
        }
        Rule::literal_value => {
            let inner = pair
                .into_inner()
                .next()
                .ok_or_else(|| disagree(span, "a value"))?;
            if inner.as_rule() == Rule::list {
                return Ok(Expr::new(ExprKind::List(list(inner)?), span));
            }
            Ok(Expr::new(ExprKind::Literal(literal(inner)?.node), span))
        }
        Rule::reference => {
            let mut inner = pair.into_inner();
            let name = ident(&next_rule(&mut inner, Rule::ident, span)?);
            match inner.next() {
                Some(args) => Ok(Expr::new(ExprKind::Call(name, call_args(args)?), span)),
                None => Ok(Expr::new(ExprKind::Name(name.node), span)),
            }
        }
        Rule::selection => selection(pair),
        Rule::score => score(pair),
        Rule::sum | Rule::product => sum(pair),
        Rule::parenthesised => {
            let inner = pair
                .into_inner()
                .next()
                .ok_or_else(|| disagree(span, "an expression"))?;
            expr(inner)
        }
        _ => Err(disagree(span, "an operand")),
    }
}

/// `call_args`
fn call_args(pair: Pair<'_, Rule>) -> Lowered<Vec<Expr>> {
    pair.into_inner().map(expr).collect()
}

/// `selection`. A bare name, a call or parentheses with nothing after them stay what
/// they are; anything narrowed becomes `Select`.
fn selection(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let head_pair = next_rule(&mut inner, Rule::selection_head, span)?;
    let head_span = span_of(&head_pair);
    let head_child = head_pair
        .into_inner()
        .next()
        .ok_or_else(|| disagree(head_span, "a selection"))?;
    let mut head = match head_child.as_rule() {
        Rule::kw_session | Rule::kw_sessions => Expr::new(ExprKind::Sessions, head_span),
        Rule::ident => Expr::new(ExprKind::Name(head_child.as_str().to_string()), head_span),
        Rule::expr => expr(head_child)?,
        _ => return Err(disagree(head_span, "a selection")),
    };
    let mut binder = None;
    let mut windows = Vec::new();
    let mut unknown_if_none = false;
    let mut filter = None;
    for child in inner {
        match child.as_rule() {
            Rule::call_args => {
                let ExprKind::Name(name) = &head.kind else {
                    return Err(Problem::error(
                        "refract::syntax::call_of_non_name",
                        "only a part can be given arguments",
                        span_of(&child),
                        "arguments here",
                    )
                    .with_help("write the part's name before the parentheses"));
                };
                let name = Spanned::new(name.clone(), head.span);
                let call_span = head.span.join(span_of(&child));
                head = Expr::new(ExprKind::Call(name, call_args(child)?), call_span);
            }
            Rule::binder => {
                let name = child
                    .into_inner()
                    .next()
                    .ok_or_else(|| disagree(span, "a name"))?;
                binder = Some(ident(&name));
            }
            Rule::window => windows.push(window(child)?),
            Rule::unknown_if_none => unknown_if_none = true,
            Rule::where_clause => {
                let cond = skip_keywords(child.into_inner())
                    .next()
                    .ok_or_else(|| disagree(span, "a condition"))?;
                filter = Some(Box::new(expr(cond)?));
            }
            _ => return Err(disagree(span_of(&child), "a selection")),
        }
    }
    if binder.is_none() && windows.is_empty() && !unknown_if_none && filter.is_none() {
        return Ok(head);
    }
    Ok(Expr::new(
        ExprKind::Select {
            head: Box::new(head),
            binder,
            windows,
            unknown_if_none,
            filter,
        },
        span,
    ))
}

/// `window`
fn window(pair: Pair<'_, Rule>) -> Lowered<Window> {
    let span = span_of(&pair);
    let shape = pair
        .into_inner()
        .next()
        .ok_or_else(|| disagree(span, "a window"))?;
    let rule = shape.as_rule();
    let mut parts: Vec<Pair<'_, Rule>> = skip_keywords(shape.into_inner()).collect();
    let anchor = parts
        .pop()
        .ok_or_else(|| disagree(span, "a window's event"))?;
    let anchor = Box::new(operand(anchor)?);
    let mut durations = parts.iter().map(duration);
    let mut take = || {
        durations
            .next()
            .unwrap_or_else(|| Err(disagree(span, "a duration")))
    };
    let kind = match rule {
        Rule::from_to => {
            let (from, to) = (take()?, take()?);
            if window_is_empty(from, to) {
                return Err(Problem::error(
                    "refract::syntax::empty_window",
                    "this window ends before it starts",
                    span,
                    "the start is later than the end",
                )
                .with_help(
                    "write the shorter duration first, e.g. `from 1 month to 3 months after S`",
                ));
            }
            WindowKind::FromTo(from, to)
        }
        Rule::within_before => WindowKind::WithinBefore(take()?),
        Rule::within_after => WindowKind::WithinAfter(take()?),
        Rule::on_or_before => WindowKind::OnOrBefore,
        Rule::on_or_after => WindowKind::OnOrAfter,
        Rule::up_to => WindowKind::UpTo,
        Rule::after => WindowKind::After,
        Rule::before => WindowKind::Before,
        _ => return Err(disagree(span, "a window")),
    };
    Ok(Window { kind, anchor, span })
}

/// Whether `from D1 to D2` can never hold a day, whatever the anchor's month.
fn window_is_empty(from: Duration, to: Duration) -> bool {
    if from.unit == to.unit {
        return from.amount > to.amount;
    }
    days_at_least(from) > days_at_most(to)
}

/// The fewest days a duration can span (a month is at least 28 days).
fn days_at_least(duration: Duration) -> u64 {
    let per = match duration.unit {
        Unit::Days => 1,
        Unit::Weeks => 7,
        Unit::Months => 28,
    };
    u64::from(duration.amount) * per
}

/// The most days a duration can span (a month is at most 31 days).
fn days_at_most(duration: Duration) -> u64 {
    let per = match duration.unit {
        Unit::Days => 1,
        Unit::Weeks => 7,
        Unit::Months => 31,
    };
    u64::from(duration.amount) * per
}

/// `duration`
fn duration(pair: &Pair<'_, Rule>) -> Lowered<Duration> {
    let span = span_of(pair);
    let mut inner = pair.clone().into_inner();
    let amount = integer(&next_rule(&mut inner, Rule::integer, span)?)?;
    let unit = match next_rule(&mut inner, Rule::unit, span)?.as_str() {
        "day" | "days" => Unit::Days,
        "week" | "weeks" => Unit::Weeks,
        _ => Unit::Months,
    };
    Ok(Duration { amount, unit })
}

/// `list`
fn list(pair: Pair<'_, Rule>) -> Lowered<Vec<Spanned<Literal>>> {
    pair.into_inner().map(literal).collect()
}

/// `literal`: number, string or word.
fn literal(pair: Pair<'_, Rule>) -> Lowered<Spanned<Literal>> {
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
fn number(pair: &Pair<'_, Rule>) -> Lowered<Decimal> {
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
fn integer(pair: &Pair<'_, Rule>) -> Lowered<u32> {
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
fn string(pair: &Pair<'_, Rule>) -> Lowered<String> {
    let inner = pair.as_str();
    let inner = inner
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(inner);
    Ok(inner.replace("\\\"", "\"").replace("\\\\", "\\"))
}

/// `ident`
fn ident(pair: &Pair<'_, Rule>) -> Spanned<String> {
    Spanned::new(pair.as_str().to_string(), span_of(pair))
}
