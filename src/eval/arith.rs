//! Arithmetic and scores. A value that is only known to lie in a range (a score with
//! unknown items) stays a range, so a threshold can still be decided when the whole range
//! is on one side of it.

use std::borrow::Cow;

use super::truth::Truth;
use super::value::{Datum, Source};
use super::why::show;
use super::why::Why;
use crate::ast::ArithOp;
use crate::date::Date;
use crate::number::Decimal;
use crate::timeline::Value;

/// The range a datum is known to lie in, or why it is not a number at all.
pub fn interval<'a>(datum: &Datum<'a>) -> Result<(Decimal, Decimal), Why<'a>> {
    match datum {
        Datum::Known(value, _) => match value.as_number() {
            Some(n) => Ok((n, n)),
            None => Err(Why::from(format!("{} is not a number", show(value)))),
        },
        Datum::Range(low, high, _, _) => Ok((*low, *high)),
        Datum::Missing(why, _) => Err(why.clone()),
    }
}

fn range<'a>(low: Decimal, high: Decimal, why: Why<'a>, source: Source) -> Datum<'a> {
    if low == high {
        Datum::Known(Cow::Owned(Value::Number(low)), source)
    } else {
        let at = match source {
            Source::Decided(date) => Some(date),
            Source::Written | Source::Event(..) => None,
        };
        Datum::Range(low, high, why, at)
    }
}

fn why_uncertain<'a>(a: &Datum<'a>, b: &Datum<'a>) -> Why<'a> {
    match (a, b) {
        (Datum::Range(_, _, why, _), _) | (_, Datum::Range(_, _, why, _)) => why.clone(),
        _ => Why::Static(""),
    }
}

fn source(datum: &Datum<'_>) -> Source {
    match datum {
        Datum::Known(_, source) => *source,
        Datum::Range(_, _, _, Some(date)) => Source::Decided(*date),
        Datum::Range(_, _, _, None) | Datum::Missing(..) => Source::Written,
    }
}

/// The source of a result computed from two values: the later of the two. An event and a
/// decision date give the later date (the result is known once both are).
fn later(a: Source, b: Source, date_of: &dyn Fn(usize) -> Option<Date>) -> Source {
    match (a, b) {
        (Source::Written, other) | (other, Source::Written) => other,
        // Positions follow the timeline: the later position is the later event.
        (Source::Event(x, x_since), Source::Event(y, y_since)) => {
            Source::Event(x.max(y), x_since.max(y_since))
        }
        (Source::Decided(x), Source::Decided(y)) => Source::Decided(x.max(y)),
        (Source::Event(p, since), Source::Decided(d))
        | (Source::Decided(d), Source::Event(p, since)) => match date_of(p) {
            Some(date) if date.max(since) > d => Source::Event(p, since.max(d)),
            _ => Source::Decided(d.max(since)),
        },
    }
}

/// `A + B`, `A - B`, `A * B`, exactly, over ranges.
pub fn arith<'a>(
    op: ArithOp,
    a: &Datum<'a>,
    b: &Datum<'a>,
    date_of: &dyn Fn(usize) -> Option<Date>,
) -> Datum<'a> {
    let ((a_low, a_high), (b_low, b_high)) = match (interval(a), interval(b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(why), _) | (_, Err(why)) => return Datum::Missing(why, None),
    };
    let result = match op {
        ArithOp::Add => a_low.checked_add(b_low).zip(a_high.checked_add(b_high)),
        ArithOp::Subtract => a_low.checked_sub(b_high).zip(a_high.checked_sub(b_low)),
        ArithOp::Multiply => {
            let products = [
                a_low.checked_mul(b_low),
                a_low.checked_mul(b_high),
                a_high.checked_mul(b_low),
                a_high.checked_mul(b_high),
            ];
            let products: Option<Vec<Decimal>> = products.into_iter().collect();
            products.and_then(|p| Some((*p.iter().min()?, *p.iter().max()?)))
        }
    };
    match result {
        // The result rests on the later of its two events (positions follow the timeline).
        Some((low, high)) => range(
            low,
            high,
            why_uncertain(a, b),
            later(source(a), source(b), date_of),
        ),
        None => Datum::missing("the numbers are too large to compute exactly"),
    }
}

/// `log10(A)`: increasing, so a range stays a range; a value that is not positive has no
/// logarithm.
pub fn log10<'a>(a: &Datum<'a>) -> Datum<'a> {
    let (low, high) = match interval(a) {
        Ok(bounds) => bounds,
        Err(why) => return Datum::Missing(why, None),
    };
    match low.log10().zip(high.log10()) {
        Some((log_low, log_high)) => range(log_low, log_high, why_uncertain(a, a), source(a)),
        None => Datum::missing(Why::from(format!("log10 of {low}: not a positive number"))),
    }
}

/// The points of the items whose condition holds; unknown items widen the range.
pub fn score(items: Vec<(Decimal, Truth, Why<'_>)>, decided: Option<Date>) -> Datum<'_> {
    let zero = Decimal::from_i64(0);
    let (mut low, mut high) = (zero, zero);
    let mut unknown = Vec::new();
    for (points, truth, why) in items {
        let (add_low, add_high) = match truth {
            Truth::Met => (points, points),
            Truth::NotMet => (zero, zero),
            Truth::Unknown => {
                unknown.push(why);
                (points.min(zero), points.max(zero))
            }
        };
        match (low.checked_add(add_low), high.checked_add(add_high)) {
            (Some(l), Some(h)) => (low, high) = (l, h),
            _ => return Datum::missing("the score is too large to compute exactly"),
        }
    }
    let why = Why::lazy(move |view| {
        let reasons: Vec<String> = unknown.iter().map(|why| why.render(view)).collect();
        format!("score between {low} and {high}: {}", reasons.join("; "))
    });
    let source = decided.map_or(Source::Written, Source::Decided);
    range(low, high, why, source)
}
