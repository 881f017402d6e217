//! Lowering selections of events and their windows.

use pest::iterators::Pair;

use super::super::grammar::Rule;
use super::expr::{call_args, expr, operand};
use super::*;
use crate::ast::*;

/// `selection`. A bare name, a call or parentheses with nothing after them stay what
/// they are; anything narrowed becomes `Select`.
pub(super) fn selection(pair: Pair<'_, Rule>) -> Lowered<Expr> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let head_pair = next_rule(&mut inner, Rule::selection_head, span)?;
    let head_span = span_of(&head_pair);
    let head_child = head_pair
        .into_inner()
        .next()
        .ok_or_else(|| disagree(head_span, "a selection"))?;
    let mut head = match head_child.as_rule() {
        Rule::kw_session | Rule::kw_sessions => node(ExprKind::Sessions, head_span)?,
        Rule::ident => node(ExprKind::Name(head_child.as_str().to_string()), head_span)?,
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
                head = node(ExprKind::Call(name, call_args(child)?), call_span)?;
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
    node(
        ExprKind::Select {
            head: Box::new(head),
            binder,
            windows,
            unknown_if_none,
            filter,
        },
        span,
    )
}

/// `window`
pub(super) fn window(pair: Pair<'_, Rule>) -> Lowered<Window> {
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
        Rule::distance_after | Rule::distance_before => {
            let first = parts.first().ok_or_else(|| disagree(span, "a bound"))?;
            let bound = super::expr::bound(first.clone(), span)?;
            let span_pair = parts.get(1).ok_or_else(|| disagree(span, "a duration"))?;
            WindowKind::Distance {
                bound,
                span: duration(span_pair)?,
                after: rule == Rule::distance_after,
            }
        }
        _ => return Err(disagree(span, "a window")),
    };
    Ok(Window { kind, anchor, span })
}

/// Whether `from D1 to D2` can never hold a day, whatever the anchor's month.
pub(super) fn window_is_empty(from: Duration, to: Duration) -> bool {
    if from.unit == to.unit {
        return from.amount > to.amount;
    }
    days_at_least(from) > days_at_most(to)
}

/// The fewest days a duration can span (a month is at least 28 days).
pub(super) fn days_at_least(duration: Duration) -> u64 {
    let per = match duration.unit {
        Unit::Days => 1,
        Unit::Weeks => 7,
        Unit::Months => 28,
    };
    u64::from(duration.amount) * per
}

/// The most days a duration can span (a month is at most 31 days).
pub(super) fn days_at_most(duration: Duration) -> u64 {
    let per = match duration.unit {
        Unit::Days => 1,
        Unit::Weeks => 7,
        Unit::Months => 31,
    };
    u64::from(duration.amount) * per
}

/// `duration`
pub(super) fn duration(pair: &Pair<'_, Rule>) -> Lowered<Duration> {
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
