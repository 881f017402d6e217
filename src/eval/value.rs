//! The values evaluation passes between its layers: an event found (or why not), a
//! selection of events, a value read (or why it is missing), a slot's content. They sit at
//! the bottom of `eval`, so every layer above can use them without importing another.

use std::borrow::Cow;

use super::truth::Truth;
use super::why::Why;
use crate::date::Date;
use crate::number::Decimal;
use crate::timeline::Value;

/// One attribute of one event: what a missing value is missing from, and what the search
/// for an exact `unknown` fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cell<'a> {
    /// The event's position in the sorted timeline.
    pub position: usize,
    /// The attribute's name.
    pub attribute: &'a str,
}

/// One event found, or why there is none.
#[derive(Debug, Clone)]
pub enum Found<'a> {
    /// The event at this position of the sorted timeline, with a name for it in reasons,
    /// and the date from which it is this event: `baseline` is not the baseline before
    /// session 1 exists, and `session 2` is not the second session before its date.
    At(usize, Option<&'a str>, Date),
    /// Which event is meant depends on missing data (a later candidate might belong).
    Uncertain(Why<'a>),
    /// No such event. `unbounded`: a bound on it is no bound (no next session: ever after).
    Absent {
        /// Why there is none.
        why: Why<'a>,
        /// Whether a window on it is open rather than empty.
        unbounded: bool,
    },
}

impl<'a> Found<'a> {
    /// An absent event that empties a window anchored on it.
    pub fn absent(why: impl Into<Why<'a>>) -> Found<'a> {
        Found::Absent {
            why: why.into(),
            unbounded: false,
        }
    }
}

/// A selection: events with how sure each is to belong.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    /// Positions in the sorted timeline, in timeline order, each with its membership.
    pub members: Vec<(usize, Truth)>,
    /// What it means when no member is certain: none, or missing data.
    pub if_empty: IfEmpty,
    /// Whether that was taken from the selection it narrows (then its description is
    /// that selection's: what is missing).
    pub inherited: bool,
    /// What was selected, for reasons ("CT/MRI 1 to 3 months after the session of ...").
    pub description: Why<'a>,
    /// The date from which the windows stand: the latest of the anchors without which a
    /// window would hold nothing (`up to S`, `within 90 days before session 1`).
    pub since: Option<Date>,
}

impl<'a> Selection<'a> {
    /// Nothing selected, and nothing missing.
    pub fn empty() -> Selection<'a> {
        Selection {
            members: Vec::new(),
            if_empty: IfEmpty::None,
            inherited: false,
            description: Why::Static(""),
            since: None,
        }
    }

    /// Whether "none" would be missing data: no member is certain and the selection is
    /// due to hold something.
    pub fn missing(&self) -> bool {
        self.if_empty != IfEmpty::None && !self.members.iter().any(|(_, m)| *m == Truth::Met)
    }
}

/// What a selection without a certain member means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfEmpty {
    /// There is none.
    None,
    /// `unknown if none`, and the windows could hold a day: the event may not have been
    /// recorded.
    Missing,
    /// `unknown if none`, and a window opens after the last date refract reads: the record
    /// cannot hold the event, so whether there is one is unknown.
    BeyondCalendar,
}

/// Where a value was read: an event, or (for a score) the date its items were decided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Written in the definition.
    Written,
    /// Read from the event at this position, which is the event read from this date on.
    Event(usize, Date),
    /// Decided by events on or before this date (a score's items).
    Decided(Date),
}

impl Source {
    /// The date from which the value stands, if it came from an event or a decision.
    pub fn since(self) -> Option<Date> {
        match self {
            Source::Event(_, since) | Source::Decided(since) => Some(since),
            Source::Written => None,
        }
    }

    /// The event it was read from, if one.
    pub fn position(self) -> Option<usize> {
        match self {
            Source::Event(position, _) => Some(position),
            Source::Written | Source::Decided(_) => None,
        }
    }
}

/// A value read from the timeline or written in the definition.
#[derive(Debug, Clone)]
pub enum Datum<'a> {
    /// The value, and where it came from.
    Known(Cow<'a, Value>, Source),
    /// Missing, why, and the attribute it is missing from (when it is one).
    Missing(Why<'a>, Option<Cell<'a>>),
    /// A number known only to lie in `[low, high]` (a score with unknown items), why, and
    /// the date its decided items were decided on.
    Range(Decimal, Decimal, Why<'a>, Option<Date>),
}

impl<'a> Datum<'a> {
    /// A missing value that is not an attribute of an event.
    pub fn missing(why: impl Into<Why<'a>>) -> Datum<'a> {
        Datum::Missing(why.into(), None)
    }

    /// The number, when it is one and known.
    pub fn number(&self) -> Option<Decimal> {
        match self {
            Datum::Known(value, _) => value.as_number(),
            Datum::Missing(..) | Datum::Range(..) => None,
        }
    }
}

/// A slot's content.
#[derive(Debug, Clone)]
pub enum Bound<'a> {
    /// Nothing bound yet.
    Empty,
    /// An event.
    Event(Found<'a>),
    /// A value.
    Value(Datum<'a>),
}
