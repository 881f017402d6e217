//! Reading one patient: JSON text → checked [`Patient`] with ordered events.

use miette::SourceSpan;
use serde_json::{Map, Value as Json};

use super::error::{quote, Origin, TimelineError, TimelineErrorKind as Kind};
use super::locate::{first_duplicate, locate, At, Path};
use super::{order, Attributes, Event, Key, Patient, Value};
use crate::date::Date;
use crate::number::Decimal;
use crate::vocabulary::{AttrType, Vocabulary};

/// The most events one patient may have.
pub const MAX_EVENTS: usize = 100_000;

/// One patient (JSON object) from text. `origin` names the file (and line) in messages.
pub fn parse_patient(
    text: &str,
    origin: &Origin,
    vocab: &Vocabulary,
) -> Result<Patient, TimelineError> {
    parse_patient_with(text, origin, vocab, Reader::default())
}

/// Which tiers read a patient. Every tier gives the same patient or gives up, so the
/// choice changes only the speed: [`Reader::Serde`] is the reader as it was before the
/// byte scanner, kept so that benchmarks can measure both in one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reader {
    /// The byte scanner, then serde's fast path, then the checked path.
    #[default]
    Scan,
    /// serde's fast path, then the checked path.
    Serde,
}

/// [`parse_patient`] with the tiers of `reader`.
pub fn parse_patient_with(
    text: &str,
    origin: &Origin,
    vocab: &Vocabulary,
    reader: Reader,
) -> Result<Patient, TimelineError> {
    if reader == Reader::Scan {
        if let Some(patient) = super::scan::patient(text, origin.line, vocab) {
            return Ok(patient);
        }
    }
    match super::fast::patient(text, origin.line, vocab) {
        Some(patient) => Ok(patient),
        None => checked_patient(text, origin, vocab),
    }
}

/// The checked path: the text as a JSON tree, each value checked where it is, so an error
/// can name its place.
pub(super) fn checked_patient(
    text: &str,
    origin: &Origin,
    vocab: &Vocabulary,
) -> Result<Patient, TimelineError> {
    let first_line = origin.line.unwrap_or(1);
    let json: Json = serde_json::from_str(text).map_err(|e| {
        syntax_error(text, origin, first_line, &e).with_patient_id(id_before_break(text))
    })?;
    // serde_json keeps the last of a repeated key: refuse the patient instead.
    if let Some(duplicate) = first_duplicate(text) {
        let id = json
            .get("id")
            .and_then(Json::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_owned);
        let kind = Kind::DuplicateKey { key: duplicate.key };
        return Err(TimelineError::new(kind, origin.clone())
            .with_patient_id(id)
            .with_source(text, first_line, Some(SourceSpan::from(duplicate.at)))
            .with_path(duplicate.path.to_string()));
    }
    let mut id = None;
    patient(json, origin, vocab, &mut id).map_err(|fail| {
        let span = locate(text, fail.span_path.as_ref().unwrap_or(&fail.path))
            .map(|(start, len)| SourceSpan::from((start, len)));
        let mut error = TimelineError::new(fail.kind, origin.clone())
            .with_patient_id(id)
            .with_source(text, first_line, span);
        if !fail.path.0.is_empty() {
            error = error.with_path(fail.path.to_string());
        }
        error
    })
}

/// A check that failed: what, at which path, and (when different) the path
/// whose value the caret should point at.
pub(super) struct Fail {
    kind: Kind,
    path: Path,
    span_path: Option<Path>,
}

fn fail(kind: Kind, path: &At<'_>) -> Fail {
    Fail {
        kind,
        path: path.to_path(),
        span_path: None,
    }
}

/// A missing key is reported at its path but shown on the object that lacks it.
fn missing(expected: &str, path: &At<'_>) -> Fail {
    let path = path.to_path();
    Fail {
        kind: Kind::Missing {
            expected: expected.to_owned(),
        },
        span_path: Some(path.parent()),
        path,
    }
}

fn wrong_type(expected: &str, found: &Json, path: &At<'_>) -> Fail {
    fail(
        Kind::WrongType {
            expected: expected.to_owned(),
            found: describe(found),
        },
        path,
    )
}

/// A JSON value in words, for "expected …, found …".
fn describe(value: &Json) -> String {
    match value {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => format!("the boolean {b}"),
        Json::Number(n) => format!("the number {}", quote(n.as_str()).trim_matches('"')),
        Json::String(s) if s.is_empty() => "an empty string".to_owned(),
        Json::String(s) => format!("the string {}", quote(s)),
        Json::Array(_) => "an array".to_owned(),
        Json::Object(_) => "an object".to_owned(),
    }
}

fn patient(
    json: Json,
    origin: &Origin,
    vocab: &Vocabulary,
    id_out: &mut Option<String>,
) -> Result<Patient, Fail> {
    let root = At::Root;
    let mut object = match json {
        Json::Object(object) => object,
        other => {
            return Err(fail(
                Kind::NotObject {
                    found: describe(&other),
                },
                &root,
            ))
        }
    };
    let id = match object.remove("id") {
        None | Some(Json::Null) => {
            return Err(missing(
                r#""id": a string naming the patient"#,
                &root.key("id"),
            ))
        }
        Some(Json::String(id)) if !id.is_empty() => id,
        Some(other) => return Err(wrong_type("a non-empty string", &other, &root.key("id"))),
    };
    *id_out = Some(id.clone());
    let facts = match object.remove("facts") {
        None | Some(Json::Null) => Map::new(),
        Some(Json::Object(facts)) => facts,
        Some(other) => return Err(wrong_type("an object of facts", &other, &root.key("facts"))),
    };
    let events_path = root.key("events");
    let items = match object.remove("events") {
        None | Some(Json::Null) => {
            return Err(missing(
                r#""events": an array, possibly empty"#,
                &events_path,
            ))
        }
        Some(Json::Array(items)) => items,
        Some(other) => return Err(wrong_type("an array of events", &other, &events_path)),
    };
    if items.len() > MAX_EVENTS {
        return Err(fail(
            Kind::TooManyEvents {
                count: items.len(),
                limit: MAX_EVENTS,
            },
            &events_path,
        ));
    }
    let mut events = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        events.push(event(index, item, &events_path.index(index), vocab)?);
    }
    order::sort_events(&mut events);
    Ok(Patient {
        id,
        facts,
        events,
        line: origin.line,
    })
}

fn event(index: usize, json: Json, path: &At<'_>, vocab: &Vocabulary) -> Result<Event, Fail> {
    let mut object = match json {
        Json::Object(object) => object,
        other => return Err(wrong_type("an event object", &other, path)),
    };
    let date_path = path.key("date");
    let date = match object.remove("date") {
        None | Some(Json::Null) => return Err(missing(r#""date": "YYYY-MM-DD""#, &date_path)),
        Some(Json::String(text)) => Date::parse(&text)
            .map_err(|reason| fail(Kind::InvalidDate { text, reason }, &date_path))?,
        Some(other) => {
            return Err(wrong_type(
                r#"a date as a string "YYYY-MM-DD""#,
                &other,
                &date_path,
            ))
        }
    };
    let kind_path = path.key("kind");
    let kind = match object.remove("kind") {
        None | Some(Json::Null) => {
            return Err(missing(
                r#""kind": a string such as "tace" or "imaging""#,
                &kind_path,
            ))
        }
        Some(Json::String(kind)) if !kind.is_empty() => kind,
        Some(other) => return Err(wrong_type("a non-empty string", &other, &kind_path)),
    };
    let time_path = path.key("time");
    let time = match object.remove("time") {
        None | Some(Json::Null) => None,
        Some(Json::String(text)) => {
            Some(parse_time(&text).ok_or_else(|| fail(Kind::InvalidTime { text }, &time_path))?)
        }
        Some(other) => {
            return Err(wrong_type(
                r#"a time as a string "HH:MM""#,
                &other,
                &time_path,
            ))
        }
    };
    let mut attributes = Vec::with_capacity(object.len());
    for (name, json) in object {
        if json.is_null() {
            continue;
        }
        let attr_path = path.key(&name);
        // Only known attributes of known kinds are checked; the rest are
        // kept as they are (the checker warns about them).
        let spec = vocab.attribute(Some(&kind), &name);
        let value = match spec {
            Some(spec) => typed(json, spec.ty, &attr_path)?,
            None => untyped(json, &attr_path)?,
        };
        let key = match spec {
            Some(spec) => Key::Borrowed(spec.name),
            None => Key::Owned(name),
        };
        attributes.push((key, value));
    }
    let kind = match vocab.known_kind(&kind) {
        Some(known) => Key::Borrowed(known),
        None => Key::Owned(kind),
    };
    Ok(Event {
        index,
        date,
        time,
        kind,
        // The keys of a JSON object as read are unique.
        attributes: Attributes::from_unique(attributes).unwrap_or_default(),
        source: None,
    })
}

/// `HH:MM` on a 24-hour clock, exactly two digits each.
pub(crate) fn parse_time(text: &str) -> Option<(u8, u8)> {
    let [h0, h1, colon, m0, m1]: [u8; 5] = text.as_bytes().try_into().ok()?;
    let digit = |b: u8| b.is_ascii_digit().then(|| b - b'0');
    let hour = digit(h0)? * 10 + digit(h1)?;
    let minute = digit(m0)? * 10 + digit(m1)?;
    (colon == b':' && hour < 24 && minute < 60).then_some((hour, minute))
}

/// A value checked as the native format checks it, for readers of other formats: against
/// `ty` when the attribute is known, else as any JSON but null in lists. The error is the
/// one the native format gives, without its JSON path (the caller knows the place).
pub(crate) fn checked_value(json: Json, ty: Option<AttrType>) -> Result<Value, Kind> {
    let at = At::Root;
    match ty {
        Some(ty) => typed(json, ty, &at),
        None => untyped(json, &at),
    }
    .map_err(|fail| fail.kind)
}

/// A value of an attribute outside the vocabulary: any JSON but null in lists.
pub(super) fn untyped(json: Json, path: &At<'_>) -> Result<Value, Fail> {
    Ok(match json {
        Json::Bool(b) => Value::Bool(b),
        Json::Number(n) => Value::Number(number(&n, path)?),
        Json::String(s) => Value::Text(s.into()),
        Json::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let item_path = path.index(i);
                if item.is_null() {
                    return Err(wrong_type(
                        "a value (null is not allowed inside a list)",
                        &item,
                        &item_path,
                    ));
                }
                values.push(untyped(item, &item_path)?);
            }
            Value::List(values)
        }
        Json::Object(map) => Value::Object(map),
        // Callers drop nulls (absent) before converting.
        Json::Null => return Err(wrong_type("a value", &json, path)),
    })
}

fn number(n: &serde_json::Number, path: &At<'_>) -> Result<Decimal, Fail> {
    Decimal::from_json(n).ok_or_else(|| {
        fail(
            Kind::Unrepresentable {
                text: n.as_str().to_owned(),
            },
            path,
        )
    })
}

/// A value of a known attribute, checked against its type and range.
pub(super) fn typed(json: Json, ty: AttrType, path: &At<'_>) -> Result<Value, Fail> {
    match (ty, json) {
        (AttrType::Bool, Json::Bool(b)) => Ok(Value::Bool(b)),
        (AttrType::Text, Json::String(s)) => Ok(Value::Text(s.into())),
        (AttrType::Category(allowed), Json::String(s)) => {
            if allowed.contains(&s.as_str()) {
                Ok(Value::Text(s.into()))
            } else {
                Err(fail(Kind::UnknownCategory { value: s, allowed }, path))
            }
        }
        (AttrType::Number { min, max, integer }, Json::Number(n)) => {
            let value = number(&n, path)?;
            let below = min.is_some_and(|lo| value < Decimal::from_i64(lo));
            let above = max.is_some_and(|hi| value > Decimal::from_i64(hi));
            if below || above {
                return Err(fail(Kind::OutOfRange { value, min, max }, path));
            }
            if integer && !value.is_integer() {
                return Err(fail(Kind::NotInteger { value }, path));
            }
            Ok(Value::Number(value))
        }
        (AttrType::TextList, Json::Array(items)) => {
            let mut values = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Json::String(s) => values.push(Value::Text(s.into())),
                    other => return Err(wrong_type("a string", &other, &path.index(i))),
                }
            }
            Ok(Value::List(values))
        }
        (ty, other) => Err(wrong_type(&ty.describe(), &other, path)),
    }
}

/// The `id` of a patient whose JSON breaks further on: the string value of the first
/// top-level `"id"`, when it is read whole before the break. The id is taken all the
/// same, so the same id later in the cohort is a duplicate.
fn id_before_break(text: &str) -> Option<String> {
    struct Capture<'a>(&'a mut Option<String>);

    impl<'de> serde::de::Visitor<'de> for Capture<'_> {
        type Value = ();

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a patient object")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if key == "id" && self.0.is_none() {
                    if let Json::String(id) = map.next_value::<Json>()? {
                        *self.0 = Some(id).filter(|id| !id.is_empty());
                    }
                    return Ok(());
                }
                map.next_value::<serde::de::IgnoredAny>()?;
            }
            Ok(())
        }
    }

    let mut id = None;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let _ = serde::Deserializer::deserialize_map(&mut deserializer, Capture(&mut id));
    id
}

/// A syntax error with its position as a byte span the caret can point at.
fn syntax_error(
    text: &str,
    origin: &Origin,
    first_line: usize,
    error: &serde_json::Error,
) -> TimelineError {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let mut message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    let multi_line = text.contains('\n');
    if error.is_eof() && !multi_line {
        // In JSON Lines this usually means a patient was split over lines.
        message = format!("the line ends before the JSON is complete ({message})");
    }
    // A one-line text already has its line in the origin; a multi-line one
    // (a whole-file patient) needs it in the message.
    let line = multi_line.then(|| (error.line() + first_line).saturating_sub(1));
    let kind = Kind::Syntax {
        message,
        line,
        column: error.column(),
    };
    let span = byte_offset(text, error.line(), error.column()).map(|offset| {
        let len = text
            .get(offset..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        SourceSpan::from((offset, len))
    });
    TimelineError::new(kind, origin.clone()).with_source(text, first_line, span)
}

/// The byte offset of serde_json's 1-based line and byte column, moved back
/// onto a character boundary and clamped to the text.
fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map(|(at, _)| at + 1)?
    };
    let mut offset = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    Some(offset)
}
