//! Patient timelines: the input contract of `timeline-format.md`, loaded,
//! checked against the [`Vocabulary`](crate::vocabulary::Vocabulary) and
//! put in the contract's total order.
//!
//! ```
//! use refract::timeline::{parse_patient, Origin};
//! use refract::vocabulary::Vocabulary;
//!
//! let text = r#"{"id": "P1", "events": [
//!     {"date": "2021-02-01", "kind": "tace"},
//!     {"date": "2021-02-01", "kind": "imaging", "viable_percent": 40}]}"#;
//! let patient = parse_patient(text, &Origin::new("p.json", None), &Vocabulary::builtin()).unwrap();
//! // Untimed imaging on the day of a session is that session's pre-procedure imaging.
//! assert_eq!(patient.events[0].kind, "imaging");
//! assert_eq!(patient.events[0].index, 1);
//! ```

use crate::date::Date;
use crate::number::Decimal;
use crate::vocabulary::name_order;

pub mod cohort;
pub mod error;
mod fast;
pub mod ids;
pub mod load;
mod locate;
pub mod order;
mod scan;
mod strict;

pub use cohort::{
    read_cohort, Assemble, CohortReader, Record, MAX_DOCUMENT_BYTES, MAX_LINE_BYTES,
    MAX_SKIPPED_BYTES,
};
pub use error::{Origin, TimelineError, TimelineErrorKind};
pub use ids::{known_on, SeenIds};
pub use load::{parse_patient, parse_patient_with, Reader, MAX_EVENTS};
pub use order::sort_events;

/// The value of an event attribute. JSON `null` means "absent" and is never
/// stored: a missing key and a null are both unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// A number, held exactly.
    Number(Decimal),
    /// A string: the vocabulary's own text for a category value or a common word of a
    /// free-text attribute (no copy per event), or the text as read.
    Text(Key),
    /// An array (its elements are never null).
    List(Vec<Value>),
    /// An object, kept as JSON for attributes outside the vocabulary.
    Object(serde_json::Map<String, serde_json::Value>),
}

impl Value {
    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<Decimal> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The text, if this is a string.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The JSON type's name, for messages: "a boolean", "a number", …
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::Text(_) => "a string",
            Value::List(_) => "a list",
            Value::Object(_) => "an object",
        }
    }

    /// The value as JSON, numbers written exactly.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => n.to_json(),
            Value::Text(s) => serde_json::Value::String(s.to_string()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Object(map) => serde_json::Value::Object(map.clone()),
        }
    }
}

/// One event of a patient's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The position of the event in the input `events` array; output cites it.
    pub index: usize,
    /// The calendar date.
    pub date: Date,
    /// The time of day `(hour, minute)`, when given.
    pub time: Option<(u8, u8)>,
    /// The kind (`tace`, `imaging`, `lab`, `status`, or any other word).
    pub kind: Key,
    /// Every other non-null key of the event object.
    pub attributes: Attributes,
    /// Where the event was read, when the input format can say more than its index:
    /// `line 12` for long-format CSV (the line of its first row), a resource's `type/id`
    /// for FHIR. `None` for JSON, whose output then stays as it was. Shared, not copied,
    /// when events are.
    pub source: Option<std::sync::Arc<str>>,
}

impl Event {
    /// The attribute `name`; `None` means unknown (absent or null).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attributes.get(name)
    }

    /// Whether the event is a procedure (a TACE session), which on an
    /// untimed day sorts after the day's observations.
    pub fn is_procedure(&self) -> bool {
        self.kind == "tace"
    }
}

/// An event's attributes by name. A handful per event, looked up again and again: a
/// sorted vector is smaller and quicker to build, search and drop than a map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes(Vec<(Key, Value)>);

/// An attribute's name: the vocabulary's own text for a known attribute (most of them, so
/// most names cost no allocation), or the name as read.
pub type Key = std::borrow::Cow<'static, str>;

impl Attributes {
    /// The attributes, or `None` when a name occurs twice.
    pub fn from_unique(mut pairs: Vec<(Key, Value)>) -> Option<Attributes> {
        pairs.sort_unstable_by(|a, b| name_order(&a.0, &b.0));
        let repeated = pairs.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0));
        (!repeated).then_some(Attributes(pairs))
    }

    /// Attributes already in [`name_order`] without a repeated name, as the reader's
    /// ranking of known names makes them (a debug build checks).
    fn from_sorted_unique(pairs: Vec<(Key, Value)>) -> Attributes {
        debug_assert!(pairs
            .windows(2)
            .all(|w| matches!(w, [a, b] if name_order(&a.0, &b.0).is_lt())));
        Attributes(pairs)
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .binary_search_by(|(key, _)| name_order(key, name))
            .ok()
            .and_then(|at| self.0.get(at))
            .map(|(_, value)| value)
    }

    /// The names, in alphabetical order.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.iter().map(|(key, _)| key)
    }

    /// Names and values, in alphabetical order of the names.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> + '_ {
        let mut pairs: Vec<(&str, &Value)> = self
            .0
            .iter()
            .map(|(key, value)| (key.as_ref(), value))
            .collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        pairs.into_iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One patient, checked and ordered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patient {
    /// The patient's `id`.
    pub id: String,
    /// Static facts (`facts` object; empty when absent).
    pub facts: serde_json::Map<String, serde_json::Value>,
    /// The events, sorted by the contract's total order ([`order::sort_key`]).
    pub events: Vec<Event>,
    /// The 1-based line in a JSON Lines cohort; `None` for a whole-file patient.
    pub line: Option<usize>,
}

#[cfg(test)]
mod tests;
