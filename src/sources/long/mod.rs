//! Patients from long-format rows: one row per attribute value, as spreadsheets, registry
//! exports and data frames hold them. The CSV reader ([`super::csv`]) and other callers
//! (a data frame's columns) give rows; this module groups them by patient and builds each
//! [`Patient`], every value checked as the JSON reader checks it.
//!
//! ```
//! use refract::sources::long::{patients, LongRow};
//! use refract::vocabulary::Vocabulary;
//!
//! let row = |line, event: &str, kind: &str, attribute: &str, value: &str| LongRow {
//!     patient: "P1".into(),
//!     date: if event.is_empty() { "" } else { "2021-02-01" }.into(),
//!     time: String::new(),
//!     event: event.into(),
//!     kind: kind.into(),
//!     attribute: attribute.into(),
//!     value: value.into(),
//!     line,
//! };
//! let rows = vec![
//!     row(2, "", "", "sex", "M"),
//!     row(3, "0", "tace", "", ""),
//!     row(4, "1", "imaging", "viable_percent", "40"),
//! ];
//! let read: Vec<_> = patients(rows, "frame", &Vocabulary::builtin()).collect();
//! let patient = read[0].as_ref().unwrap();
//! // Untimed imaging on the day of a session is that session's pre-procedure imaging.
//! assert_eq!(patient.events[0].kind, "imaging");
//! assert_eq!(patient.events[0].index, 1);
//! assert_eq!(patient.events[0].source.as_deref(), Some("line 4"));
//! assert_eq!(patient.facts["sex"], "M");
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Map;

use super::problem::RowProblem;
use crate::date::Date;
use crate::timeline::load::parse_time;
use crate::timeline::{
    order, Assemble, Attributes, Event, Key, Origin, Patient, TimelineError,
    TimelineErrorKind as Kind, Value, MAX_EVENTS,
};
use crate::vocabulary::Vocabulary;

mod cells;
mod group;

pub use cells::{cell_value, fact_cell, value_cell};
pub use group::{patients, Grouper, MAX_PATIENT_BYTES};

/// One row: one attribute value of one event, or one fact of the patient. Cells are text,
/// as written; an empty cell is an empty string.
///
/// - An **event row** has an `event` id (any text, unique within the patient) that groups
///   the rows of one event; `date`, `time` and `kind` are the same on each of them.
///   `attribute` and `value` give one attribute; both empty, the row only says the event
///   exists. An empty `value` is an unknown value, as an absent key is in JSON.
/// - A **fact row** has no `event` (and no `date`, `time` or `kind`): `attribute` and
///   `value` give one of the patient's facts. With these empty too, the row only says the
///   patient exists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LongRow {
    /// The patient's id.
    pub patient: String,
    /// The event's date, `YYYY-MM-DD`.
    pub date: String,
    /// The event's time of day, `HH:MM`, or empty.
    pub time: String,
    /// The id grouping the rows of one event; empty on a fact row.
    pub event: String,
    /// The event's kind (`tace`, `imaging`, …).
    pub kind: String,
    /// The attribute's (or fact's) name.
    pub attribute: String,
    /// The value, read by the attribute's type in the vocabulary (see `docs/csv.md`).
    pub value: String,
    /// Where the row was read (1-based): messages name it, and an event's
    /// [`source`](Event::source) is the line of its first row (`line 12`).
    pub line: usize,
}

/// A cell of a row, for naming it in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// `patient`
    Patient,
    /// `date`
    Date,
    /// `time`
    Time,
    /// `event`
    Event,
    /// `kind`
    Kind,
    /// `attribute`
    Attribute,
    /// `value`
    Value,
}

impl Field {
    /// Every field, in the order the CSV writer puts the columns.
    pub const ALL: [Field; 7] = [
        Field::Patient,
        Field::Date,
        Field::Time,
        Field::Event,
        Field::Kind,
        Field::Attribute,
        Field::Value,
    ];

    /// The column's name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Patient => "patient",
            Field::Date => "date",
            Field::Time => "time",
            Field::Event => "event",
            Field::Kind => "kind",
            Field::Attribute => "attribute",
            Field::Value => "value",
        }
    }

    /// The cell of `row`.
    pub fn of(self, row: &LongRow) -> &str {
        match self {
            Field::Patient => &row.patient,
            Field::Date => &row.date,
            Field::Time => &row.time,
            Field::Event => &row.event,
            Field::Kind => &row.kind,
            Field::Attribute => &row.attribute,
            Field::Value => &row.value,
        }
    }
}

/// What is wrong with one row of a patient's: the row (its position among the patient's
/// rows), the cell, and the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The position of the row in the slice given to [`assemble`].
    pub row: usize,
    /// The cell, when one is to blame.
    pub field: Option<Field>,
    /// What is wrong.
    pub kind: Kind,
}

/// One row as a reader holds it: its cells, its line, and how to name the place of a cell
/// in an error. [`LongRow`] is one; the CSV reader keeps its rows more compactly.
pub trait Row: Send + Sync + std::fmt::Debug {
    /// The text of the cell of `field` (empty when empty or absent).
    fn cell(&self, field: Field) -> &str;

    /// Where the row was read (1-based).
    fn line(&self) -> usize;

    /// `error` (which has the file and line) with the place of `field` added: the CSV
    /// reader says `column 3 (date)` and shows the line; rows given by a program name the
    /// field.
    fn place(&self, error: TimelineError, field: Option<Field>) -> TimelineError {
        match field {
            Some(field) => error.in_rows().with_path(field.name().to_owned()),
            None => error.in_rows(),
        }
    }

    /// A problem found while reading the row itself (a ragged CSV row), reported for the
    /// patient before anything else.
    fn problem(&self) -> Option<(Kind, Option<Field>)> {
        None
    }

    /// About how many bytes the row holds, for the limit on one patient's rows.
    fn bytes(&self) -> usize {
        Field::ALL
            .iter()
            .map(|f| self.cell(*f).len())
            .sum::<usize>()
            + 16
    }
}

impl Row for LongRow {
    fn cell(&self, field: Field) -> &str {
        field.of(self)
    }

    fn line(&self) -> usize {
        self.line
    }
}

/// Attribute names that are columns of their own, never attributes (as in JSON).
const RESERVED: [&str; 3] = ["date", "time", "kind"];

/// One patient's rows, as grouped; built into the patient when parsed.
#[derive(Debug)]
pub struct Rows<R: Row> {
    /// The input's name, for messages.
    pub file: Arc<str>,
    /// The patient's rows, in input order.
    pub rows: Vec<R>,
}

impl<R: Row> Assemble for Rows<R> {
    fn assemble(&self, vocab: &Vocabulary) -> Result<Patient, TimelineError> {
        let found = self.rows.iter().enumerate().find_map(|(row, read)| {
            read.problem()
                .map(|(kind, field)| RowError { row, field, kind })
        });
        let result = match found {
            Some(error) => Err(error),
            None => assemble(&self.rows, vocab),
        };
        result.map_err(|error| {
            let row = self.rows.get(error.row);
            let line = row.map(Row::line);
            let id = self
                .rows
                .first()
                .map(|row| row.cell(Field::Patient).to_owned());
            let located = TimelineError::new(error.kind, Origin::new(&*self.file, line))
                .with_patient_id(id.filter(|id| !id.is_empty()));
            match row {
                Some(row) => row.place(located, error.field),
                None => located,
            }
        })
    }

    fn skipped(&self) -> Vec<(String, String)> {
        let empty =
            |row: &&R| !row.cell(Field::Attribute).is_empty() && row.cell(Field::Value).is_empty();
        self.rows
            .iter()
            .filter(empty)
            .map(|row| {
                let owner = match row.cell(Field::Event) {
                    "" => "facts",
                    _ => row.cell(Field::Kind),
                };
                let what = format!("{owner}.{}", row.cell(Field::Attribute));
                (what, "empty value: unknown".to_owned())
            })
            .collect()
    }
}

/// Build one patient from its rows (all with the same, non-empty `patient`), in order.
/// Events are numbered in the order their ids first appear, as a JSON `events` array
/// numbers them; they are then put in the timeline's order.
pub fn assemble<R: Row>(rows: &[R], vocab: &Vocabulary) -> Result<Patient, RowError> {
    let fail = |row: usize, field: Field, kind: Kind| RowError {
        row,
        field: Some(field),
        kind,
    };
    let problem = |row, field, problem| fail(row, field, Kind::from(problem));
    let Some(first) = rows.first() else {
        return Err(RowError {
            row: 0,
            field: None,
            kind: Kind::Missing {
                expected: "a row for the patient".to_owned(),
            },
        });
    };
    let mut facts = Map::new();
    let mut fact_lines: HashMap<&str, usize> = HashMap::new();
    let mut events: Vec<Building<'_, R>> = Vec::new();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (at, row) in rows.iter().enumerate() {
        let (event_id, attribute, value) = (
            row.cell(Field::Event),
            row.cell(Field::Attribute),
            row.cell(Field::Value),
        );
        if row.cell(Field::Patient).is_empty() {
            let expected = "the patient's id".to_owned();
            return Err(fail(at, Field::Patient, Kind::Missing { expected }));
        }
        if event_id.is_empty() {
            for field in [Field::Date, Field::Time, Field::Kind] {
                if !row.cell(field).is_empty() {
                    let column = field.name();
                    return Err(problem(at, field, RowProblem::FactWithEventCell { column }));
                }
            }
            if attribute.is_empty() {
                if !value.is_empty() {
                    return Err(problem(at, Field::Value, RowProblem::ValueWithoutName));
                }
                continue;
            }
            if value.is_empty() {
                continue;
            }
            if let Some(&first_line) = fact_lines.get(attribute) {
                let name = attribute.to_owned();
                let twice = RowProblem::GivenTwice { name, first_line };
                return Err(problem(at, Field::Attribute, twice));
            }
            fact_lines.insert(attribute, row.line());
            facts.insert(attribute.to_owned(), cells::fact_value(value));
            continue;
        }
        let index = match by_id.get(event_id) {
            Some(&index) => {
                if let Some(event) = events.get(index) {
                    event.agrees(at, row)?;
                }
                index
            }
            None => {
                events.push(Building::new(at, row, vocab)?);
                by_id.insert(event_id, events.len() - 1);
                events.len() - 1
            }
        };
        if attribute.is_empty() {
            if !value.is_empty() {
                return Err(problem(at, Field::Value, RowProblem::ValueWithoutName));
            }
            continue;
        }
        if RESERVED.contains(&attribute) {
            let name = attribute.to_owned();
            return Err(problem(at, Field::Attribute, RowProblem::Reserved { name }));
        }
        if value.is_empty() {
            continue;
        }
        let Some(event) = events.get_mut(index) else {
            continue;
        };
        if let Some(&(_, _, first_line)) = event.attributes.iter().find(|a| a.0 == attribute) {
            let name = attribute.to_owned();
            let twice = RowProblem::GivenTwice { name, first_line };
            return Err(problem(at, Field::Attribute, twice));
        }
        let spec = vocab
            .kind_attributes(&event.kind)
            .and_then(|known| known.get(attribute));
        let value = cell_value(value, spec.map(|spec| spec.ty))
            .map_err(|kind| fail(at, Field::Value, kind))?;
        if let Some(value) = value {
            let key = match spec {
                Some(spec) => Key::Borrowed(spec.name),
                None => Key::Owned(attribute.to_owned()),
            };
            event.attributes.push((key, value, row.line()));
        }
    }
    if events.len() > MAX_EVENTS {
        let kind = Kind::TooManyEvents {
            count: events.len(),
            limit: MAX_EVENTS,
        };
        return Err(fail(0, Field::Event, kind));
    }
    let mut events: Vec<Event> = events
        .into_iter()
        .enumerate()
        .map(|(index, building)| building.event(index))
        .collect();
    order::sort_events(&mut events);
    Ok(Patient {
        id: first.cell(Field::Patient).to_owned(),
        facts,
        events,
        line: Some(first.line()),
    })
}

/// An event as its rows are read.
struct Building<'r, R> {
    /// The patient's row that first named the event.
    first: &'r R,
    date: Date,
    time: Option<(u8, u8)>,
    kind: Key,
    attributes: Vec<(Key, Value, usize)>,
}

impl<'r, R: Row> Building<'r, R> {
    fn new(at: usize, row: &'r R, vocab: &Vocabulary) -> Result<Building<'r, R>, RowError> {
        let fail = |field, kind| RowError {
            row: at,
            field: Some(field),
            kind,
        };
        let date = match row.cell(Field::Date) {
            "" => {
                let expected = "the event's date, YYYY-MM-DD".to_owned();
                return Err(fail(Field::Date, Kind::Missing { expected }));
            }
            text => Date::parse(text).map_err(|reason| {
                let text = text.to_owned();
                fail(Field::Date, Kind::InvalidDate { text, reason })
            })?,
        };
        let time = match row.cell(Field::Time) {
            "" => None,
            text => Some(parse_time(text).ok_or_else(|| {
                let text = text.to_owned();
                fail(Field::Time, Kind::InvalidTime { text })
            })?),
        };
        let kind = match row.cell(Field::Kind) {
            "" => {
                let expected = "the event's kind, such as tace or imaging".to_owned();
                return Err(fail(Field::Kind, Kind::Missing { expected }));
            }
            kind => match vocab.known_kind(kind) {
                Some(known) => Key::Borrowed(known),
                None => Key::Owned(kind.to_owned()),
            },
        };
        Ok(Building {
            first: row,
            date,
            time,
            kind,
            attributes: Vec::new(),
        })
    }

    /// A later row of the event says the same date, time and kind as its first.
    fn agrees(&self, at: usize, row: &R) -> Result<(), RowError> {
        for field in [Field::Date, Field::Time, Field::Kind] {
            let (first, found) = (self.first.cell(field), row.cell(field));
            if first != found {
                let problem = RowProblem::EventDisagrees {
                    event: row.cell(Field::Event).to_owned(),
                    column: field.name(),
                    first: first.to_owned(),
                    found: found.to_owned(),
                    first_line: self.first.line(),
                };
                return Err(RowError {
                    row: at,
                    field: Some(field),
                    kind: Kind::from(problem),
                });
            }
        }
        Ok(())
    }

    fn event(self, index: usize) -> Event {
        let pairs = self
            .attributes
            .into_iter()
            .map(|(key, value, _)| (key, value));
        Event {
            index,
            date: self.date,
            time: self.time,
            kind: self.kind,
            // Repeated names were refused above.
            attributes: Attributes::from_unique(pairs.collect()).unwrap_or_default(),
            source: Some(Arc::from(format!("line {}", self.first.line()))),
        }
    }
}
