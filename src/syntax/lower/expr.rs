//! Lowering conditions and values: `not`/`and`/`or`/`else`, quantifiers, statements,
//! arithmetic and operands.

use pest::iterators::Pair;

use super::super::grammar::Rule;
use super::super::precedence::PRATT;
use super::selection::{selection, window};
use super::*;
use crate::ast::*;

/// `expr`: `not`/`and`/`or`/`else` through the Pratt parser.
pub(super) fn expr(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    PRATT
        .map_primary(primary)
        .map_prefix(|op, operand| {
            let operand = operand?;
            let span = span_of(&op).join(operand.span);
            node(ExprKind::Not(Box::new(operand)), span)
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
            node(kind, span)
        })
        .parse(pair.into_inner())
}

/// One operand of the Pratt parser.
pub(super) fn primary(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    match pair.as_rule() {
        Rule::consecutive => consecutive(pair),
        Rule::run => run(pair),
        Rule::each_value => each_value(pair),
        Rule::quantified => quantified(pair),
        Rule::statement => statement(pair),
        Rule::negated => negated(pair),
        Rule::expr => expr(pair),
        _ => operand(pair),
    }
}

/// `negated`: `not X` after `shows`.
pub(super) fn negated(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let inner = pair
        .into_inner()
        .find(|p| p.as_rule() != Rule::op_not)
        .ok_or_else(|| disagree(span, "a negated condition"))?;
    node(ExprKind::Not(Box::new(primary(inner)?)), span)
}

/// `quantifier`
pub(super) fn quantifier(pair: Pair<'_, Rule>) -> Lowered<Quantifier> {
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
pub(super) fn consecutive(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut inner = skip_keywords(pair.into_inner());
    let quantifier = quantifier(inner.next().ok_or_else(|| disagree(span, "a quantifier"))?)?;
    let first = ident(&inner.next().ok_or_else(|| disagree(span, "a name"))?);
    let second = ident(&inner.next().ok_or_else(|| disagree(span, "a name"))?);
    let body = expr(inner.next().ok_or_else(|| disagree(span, "a body"))?)?;
    node(
        ExprKind::Consecutive {
            quantifier,
            first,
            second,
            body: Box::new(body),
        },
        span,
    )
}

/// The longest run a definition may ask for (far beyond any patient's record).
const MAX_RUN: u32 = 100_000;

/// `run`: `at least N` sessions, or `more than N` (a run of N + 1).
pub(super) fn run(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut inner = skip_keywords(pair.into_inner());
    let length = inner
        .next()
        .ok_or_else(|| disagree(span, "a run's length"))?;
    let shape = length
        .into_inner()
        .next()
        .ok_or_else(|| disagree(span, "a run's length"))?;
    let strict = shape.as_rule() == Rule::more_than;
    let count = skip_keywords(shape.into_inner())
        .next()
        .ok_or_else(|| disagree(span, "a number"))?;
    let at_least = integer(&count)?;
    let length = if strict { at_least.checked_add(1) } else { Some(at_least) }
        .filter(|&n| n <= MAX_RUN)
        .ok_or_else(|| {
            Problem::error(
                "refract::syntax::number_out_of_range",
                format!("a run of more than {MAX_RUN} sessions"),
                span_of(&count),
                "too many sessions for a run",
            )
            .with_help("a run counts sessions in a row; write the number the guideline gives, e.g. `at least 3`")
        })?;
    let name = ident(&inner.next().ok_or_else(|| disagree(span, "a name"))?);
    let body = expr(inner.next().ok_or_else(|| disagree(span, "a body"))?)?;
    node(
        ExprKind::Run {
            length: Spanned::new(length, span_of(&count)),
            name,
            body: Box::new(body),
        },
        span,
    )
}

/// `each_value`
pub(super) fn each_value(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut inner = skip_keywords(pair.into_inner());
    let quantifier = quantifier(inner.next().ok_or_else(|| disagree(span, "a quantifier"))?)?;
    let name = ident(&inner.next().ok_or_else(|| disagree(span, "a name"))?);
    let values = list(inner.next().ok_or_else(|| disagree(span, "a list"))?)?;
    let body = expr(inner.next().ok_or_else(|| disagree(span, "a body"))?)?;
    node(
        ExprKind::EachValue {
            quantifier,
            name,
            values,
            body: Box::new(body),
        },
        span,
    )
}

/// `quantified`
pub(super) fn quantified(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let quantifier = quantifier(next_rule(&mut inner, Rule::quantifier, span)?)?;
    let selection = selection(next_rule(&mut inner, Rule::selection, span)?)?;
    let body = match inner.next() {
        None => None,
        Some(tail) => Some(tail_body(tail)?),
    };
    node(
        ExprKind::Quantified {
            quantifier,
            selection: Box::new(selection),
            body,
        },
        span,
    )
}

/// `shows_tail` or `colon_tail`
pub(super) fn tail_body(pair: Pair<'_, Rule>) -> Lowered<(Connective, Box<Expr>)> {
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
pub(super) fn statement(pair: Pair<'_, Rule>) -> Lowered<Expr> {
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
    node(kind, span)
}

/// `sum` and `product`: left-associative, `*` before `+`/`-`.
pub(super) fn sum(pair: Pair<'_, Rule>) -> Lowered<Expr> {
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
        left = node(ExprKind::Arith(op, Box::new(left), Box::new(right)), joined)?;
    }
    Ok(left)
}

/// `score`
pub(super) fn score(pair: Pair<'_, Rule>) -> Lowered<Expr> {
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
    node(ExprKind::Score(items), span)
}

/// `change`: `grew by at least 20 % from X`.
pub(super) fn change<'i>(
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
    let bound = bound(part("a bound")?, span)?;
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

/// `bound`: `at least`, `more than`, `at most`, `less than`.
pub(super) fn bound(pair: Pair<'_, Rule>, span: Span) -> Lowered<Bound> {
    Ok(match pair.into_inner().next().map(|p| p.as_rule()) {
        Some(Rule::bound_at_least) => Bound::AtLeast,
        Some(Rule::bound_more_than) => Bound::MoreThan,
        Some(Rule::bound_at_most) => Bound::AtMost,
        Some(Rule::bound_less_than) => Bound::LessThan,
        _ => return Err(disagree(span, "a bound")),
    })
}

/// Any operand rule.
pub(super) fn operand(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::attribute_of => {
            let mut inner = skip_keywords(pair.into_inner());
            let name = ident(&inner.next().ok_or_else(|| disagree(span, "an attribute"))?);
            let of = operand(inner.next().ok_or_else(|| disagree(span, "an event"))?)?;
            node(ExprKind::AttributeOf(name, Box::new(of)), span)
        }
        Rule::extreme => {
            let mut inner = pair.into_inner();
            let lowest = inner.next().map(|p| p.as_rule()) == Some(Rule::kw_lowest);
            let mut rest = skip_keywords(inner);
            let name = ident(&rest.next().ok_or_else(|| disagree(span, "an attribute"))?);
            let selection = selection(rest.next().ok_or_else(|| disagree(span, "a selection"))?)?;
            node(ExprKind::Extreme(lowest, name, Box::new(selection)), span)
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
            node(kind, span)
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
            node(ExprKind::SessionNumber(number), span)
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
            node(kind, span)
        }
        Rule::literal_value => {
            let inner = pair
                .into_inner()
                .next()
                .ok_or_else(|| disagree(span, "a value"))?;
            if inner.as_rule() == Rule::list {
                return node(ExprKind::List(list(inner)?), span);
            }
            node(ExprKind::Literal(literal(inner)?.node), span)
        }
        Rule::reference => {
            let mut inner = pair.into_inner();
            let name = ident(&next_rule(&mut inner, Rule::ident, span)?);
            match inner.next() {
                Some(args) => node(ExprKind::Call(name, call_args(args)?), span),
                None => node(ExprKind::Name(name.node), span),
            }
        }
        Rule::selection => selection(pair),
        Rule::score => score(pair),
        Rule::log10 => {
            let inner = skip_keywords(pair.into_inner())
                .next()
                .ok_or_else(|| disagree(span, "a number"))?;
            node(ExprKind::Log10(Box::new(expr(inner)?)), span)
        }
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
pub(super) fn call_args(pair: Pair<'_, Rule>) -> Lowered<Vec<Expr>> {
    pair.into_inner().map(expr).collect()
}
