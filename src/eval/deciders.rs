//! What would decide an unknown result: each missing value with the values that make the
//! result met or not met, written as in a definition (`>= 6`, `is PD`) and in words ("is
//! at least 6"); and the events that are not in the record at all.

use super::consult::{Candidate, Region};
use super::exact::Probe;
use super::truth::Truth;
use super::why::show;
use crate::date::Date;
use crate::number::Decimal;
use crate::timeline::{Key, Value};
use crate::vocabulary::AttrType;

/// Missing data that would decide an unknown result, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Decider {
    /// What is missing.
    pub missing: Missing,
    /// The values of it that make the result met (with the rest as recorded).
    pub met_if: Option<Condition>,
    /// The values of it that make the result not met.
    pub not_met_if: Option<Condition>,
}

/// A missing value or a missing event.
#[derive(Debug, Clone, PartialEq)]
pub enum Missing {
    /// An attribute not recorded (or recorded as not evaluable) on an event.
    Attribute {
        /// The event's index in the patient's input `events` array.
        event: usize,
        /// Its date.
        date: Date,
        /// Its kind.
        kind: Key,
        /// The attribute.
        attribute: String,
    },
    /// An event the definition looked for and did not find, in words ("CT/MRI 1 to 3
    /// months after the session of 2021-05-02").
    Event(String),
}

/// A condition on one value, written two ways.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// As in a definition: `>= 6`, `in [SD, PD]`, `is true`.
    pub written: String,
    /// In words, after the value's name: "is at least 6", "is SD or PD".
    pub words: String,
}

/// The condition on a probed cell's value that gives `want`, if any value does.
pub fn condition(probe: &Probe<'_>, want: Truth) -> Option<Condition> {
    let results = &probe.results;
    if !results.iter().any(|(_, t)| *t == want) {
        return None;
    }
    if results.iter().all(|(_, t)| *t == want) {
        return Some(Condition {
            written: "any value".to_string(),
            words: "has any value".to_string(),
        });
    }
    match results.first().map(|(c, _)| &c.region) {
        Some(Region::Numbers { .. }) => numbers(results, want, probe.ty),
        _ => words(results, want),
    }
}

/// Numbers: the regions that give `want`, merged where they touch.
fn numbers(results: &[(Candidate, Truth)], want: Truth, ty: Option<AttrType>) -> Option<Condition> {
    type End = Option<(Decimal, bool)>;
    let (min, max, integer) = match ty {
        Some(AttrType::Number { min, max, integer }) => (
            min.map(Decimal::from_i64),
            max.map(Decimal::from_i64),
            integer,
        ),
        _ => (None, None, false),
    };
    let mut intervals: Vec<(End, End)> = Vec::new();
    let mut current: Option<(End, End)> = None;
    for (candidate, truth) in results {
        let Region::Numbers { low, high } = &candidate.region else {
            return None;
        };
        if *truth == want {
            current = Some(match current {
                None => (*low, *high),
                Some((start, _)) => (start, *high),
            });
        } else if let Some(done) = current.take() {
            intervals.push(done);
        }
    }
    intervals.extend(current);
    let mut written = Vec::new();
    let mut said = Vec::new();
    for (low, high) in intervals {
        // The ends of the allowed range go without saying; whole numbers take whole ends.
        let low = low.filter(|(v, inclusive)| !(*inclusive && Some(*v) == min));
        let high = high.filter(|(v, inclusive)| !(*inclusive && Some(*v) == max));
        let low = match low {
            Some((v, false)) if integer => {
                Some((v.floor()?.checked_add(Decimal::from_i64(1))?, true))
            }
            other => other,
        };
        let high = match high {
            Some((v, false)) if integer && v.is_integer() => {
                Some((v.checked_sub(Decimal::from_i64(1))?, true))
            }
            Some((v, false)) if integer => Some((v.floor()?, true)),
            other => other,
        };
        let (w, s) = match (low, high) {
            (Some((a, true)), Some((b, true))) if a == b => (format!("is {a}"), format!("is {a}")),
            (Some((a, ai)), Some((b, bi))) => (
                format!(
                    "{} {a} and {} {b}",
                    if ai { ">=" } else { ">" },
                    if bi { "<=" } else { "<" }
                ),
                format!(
                    "is {} {a} and {} {b}",
                    if ai { "at least" } else { "more than" },
                    if bi { "at most" } else { "less than" }
                ),
            ),
            (Some((a, ai)), None) => (
                format!("{} {a}", if ai { ">=" } else { ">" }),
                format!("is {} {a}", if ai { "at least" } else { "more than" }),
            ),
            (None, Some((b, bi))) => (
                format!("{} {b}", if bi { "<=" } else { "<" }),
                format!("is {} {b}", if bi { "at most" } else { "less than" }),
            ),
            (None, None) => ("any value".to_string(), "has any value".to_string()),
        };
        written.push(w);
        said.push(s);
    }
    Some(Condition {
        written: written.join(" or "),
        words: said.join(" or "),
    })
}

/// Words, yes/no values, texts: the values that give `want`, or the ones that do not.
fn words(results: &[(Candidate, Truth)], want: Truth) -> Option<Condition> {
    let mut wanted: Vec<&Value> = Vec::new();
    let mut others_wanted = false;
    let mut unwanted: Vec<&Value> = Vec::new();
    for (candidate, truth) in results {
        match (&candidate.region, *truth == want) {
            (Region::OneOf(values), true) => wanted.extend(values),
            (Region::OneOf(values), false) => unwanted.extend(values),
            (Region::Other(_), yes) => others_wanted = yes,
            (Region::Numbers { .. }, _) => return None,
        }
    }
    let list = |values: &[&Value], sep: &str| {
        values
            .iter()
            .map(|v| written_value(v))
            .collect::<Vec<_>>()
            .join(sep)
    };
    Some(if others_wanted {
        match unwanted.as_slice() {
            [] => Condition {
                written: "any value".to_string(),
                words: "has any value".to_string(),
            },
            [one @ Value::List(_)] => Condition {
                written: format!("differs from {}", written_value(one)),
                words: format!("differs from {}", written_value(one)),
            },
            [one] => Condition {
                written: format!("is not {}", written_value(one)),
                words: format!("is not {}", written_value(one)),
            },
            many => Condition {
                written: format!("not in [{}]", list(many, ", ")),
                words: format!("is none of {}", list(many, ", ")),
            },
        }
    } else {
        match wanted.as_slice() {
            [one] => Condition {
                written: format!("is {}", written_value(one)),
                words: format!("is {}", written_value(one)),
            },
            many => Condition {
                written: format!("in [{}]", list(many, ", ")),
                words: format!("is {}", list(many, " or ")),
            },
        }
    })
}

/// A value as a definition writes it: words bare, other texts quoted.
fn written_value(value: &Value) -> String {
    match value {
        Value::Text(text)
            if !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            text.to_string()
        }
        Value::Text(text) => format!("{text:?}"),
        other => show(other),
    }
}
