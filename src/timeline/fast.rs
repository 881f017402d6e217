//! The reader's fast path: a well-formed patient read straight into events, without first
//! building a generic JSON tree. It only ever accepts; anything it is not sure of (an
//! invalid value, a key given twice anywhere, an escaped date or kind, a wrong type) makes it give up, and
//! the checked path in [`load`](super::load) reads the text again and says what is wrong.
//! So every message comes from one place, and a test holds the two paths to the same
//! patients.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::load::{typed, untyped, MAX_EVENTS};
use super::locate::At;
use super::strict::StrictValue;
use super::{order, Attributes, Event, Key, Patient, Value};
use crate::date::Date;
use crate::number::Decimal;
use crate::vocabulary::{AttrSpec, AttrType, KindAttributes, Vocabulary};

/// The patient in `text`, or `None` when the checked path must decide.
pub(super) fn patient(text: &str, line: Option<usize>, vocab: &Vocabulary) -> Option<Patient> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let (id, facts, mut events) = PatientSeed { vocab }.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    order::sort_events(&mut events);
    Some(Patient {
        id,
        facts,
        events,
        line,
    })
}

/// Giving up: the message is never shown (the checked path writes the real one).
fn give_up<E: de::Error>() -> E {
    E::custom("not on the fast path")
}

type Parts = (
    String,
    serde_json::Map<String, serde_json::Value>,
    Vec<Event>,
);

struct PatientSeed<'v> {
    vocab: &'v Vocabulary,
}

impl<'de> DeserializeSeed<'de> for PatientSeed<'_> {
    type Value = Parts;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Parts, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PatientSeed<'_> {
    type Value = Parts;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a patient object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parts, A::Error> {
        let mut id: Option<String> = None;
        let mut facts: Option<serde_json::Map<String, serde_json::Value>> = None;
        let mut events: Option<Vec<Event>> = None;
        // Keys other than these three, to notice one given twice.
        let mut others: Vec<Cow<'de, str>> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key.as_ref() {
                "id" if id.is_none() => match map.next_value::<Option<String>>()? {
                    Some(text) if !text.is_empty() => id = Some(text),
                    _ => return Err(give_up()),
                },
                // Read as the checked path reads it: a JSON value that must be an object.
                "facts" if facts.is_none() => match map.next_value_seed(StrictValue)? {
                    serde_json::Value::Null => facts = Some(serde_json::Map::new()),
                    serde_json::Value::Object(object) => facts = Some(object),
                    _ => return Err(give_up()),
                },
                "events" if events.is_none() => {
                    events = Some(map.next_value_seed(EventsSeed { vocab: self.vocab })?)
                }
                "id" | "facts" | "events" => return Err(give_up()),
                _ => {
                    if others.contains(&key) {
                        return Err(give_up());
                    }
                    // Not used, but read as the checked path reads it (escapes, depth).
                    map.next_value_seed(StrictValue)?;
                    others.push(key);
                }
            }
        }
        match (id, events) {
            (Some(id), Some(events)) => Ok((id, facts.unwrap_or_default(), events)),
            _ => Err(give_up()),
        }
    }
}

/// An object key, borrowed from the text when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        plain_key(v)?;
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        plain_key(v)?;
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        plain_key(&v)?;
        Ok(Cow::Owned(v))
    }
}

/// serde_json's tree reads an object whose key is its private number marker as a number:
/// such a key is left to the checked path, which reads through that tree.
fn plain_key<E: de::Error>(key: &str) -> Result<(), E> {
    if key.starts_with("$serde_json") {
        return Err(give_up());
    }
    Ok(())
}

struct EventsSeed<'v> {
    vocab: &'v Vocabulary,
}

impl<'de> DeserializeSeed<'de> for EventsSeed<'_> {
    type Value = Vec<Event>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<Event>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EventsSeed<'_> {
    type Value = Vec<Event>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Event>, A::Error> {
        let mut events = Vec::with_capacity(seq.size_hint().unwrap_or(16).min(1024));
        while let Some(event) = seq.next_element_seed(EventSeed {
            vocab: self.vocab,
            index: events.len(),
        })? {
            if events.len() >= MAX_EVENTS {
                return Err(give_up());
            }
            events.push(event);
        }
        Ok(events)
    }
}

struct EventSeed<'v> {
    vocab: &'v Vocabulary,
    index: usize,
}

impl<'de> DeserializeSeed<'de> for EventSeed<'_> {
    type Value = Event;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Event, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventSeed<'_> {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        let mut date = None;
        let mut kind: Option<Key> = None;
        let mut time = None;
        let mut seen_time = false;
        // The kind decides how attributes are checked, and it may come after them.
        let mut raw: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::with_capacity(12);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key.as_ref() {
                "date" if date.is_none() => {
                    let text = plain_string(map.next_value()?).ok_or_else(give_up)?;
                    date = Some(Date::parse(text).map_err(|_| give_up())?);
                }
                "kind" if kind.is_none() => {
                    let text = plain_string(map.next_value()?).ok_or_else(give_up)?;
                    if text.is_empty() {
                        return Err(give_up());
                    }
                    kind = Some(match self.vocab.known_kind(text) {
                        Some(known) => Key::Borrowed(known),
                        None => Key::Owned(text.to_owned()),
                    });
                }
                "time" if !seen_time => {
                    seen_time = true;
                    let value: &RawValue = map.next_value()?;
                    if value.get() != "null" {
                        let text = plain_string(value).ok_or_else(give_up)?;
                        time = Some(super::load::parse_time(text).ok_or_else(give_up)?);
                    }
                }
                "date" | "kind" | "time" => return Err(give_up()),
                _ => {
                    let value: &'de RawValue = map.next_value()?;
                    raw.push((key, value));
                }
            }
        }
        let (Some(date), Some(kind)) = (date, kind) else {
            return Err(give_up());
        };
        let raw: Vec<(Cow<'de, str>, &'de str)> = raw
            .into_iter()
            .map(|(name, value)| (name, value.get()))
            .collect();
        event(
            Pending {
                index: self.index,
                date,
                kind,
                time,
            },
            &raw,
            self.vocab,
        )
        .ok_or_else(give_up)
    }
}

/// What an event object said of itself, before its attributes are converted.
pub(super) struct Pending {
    pub index: usize,
    pub date: Date,
    pub kind: Key,
    pub time: Option<(u8, u8)>,
}

/// An event from its own keys and its other keys' JSON text, each value checked as the
/// checked path checks it: shared by both tiers of the fast path.
pub(super) fn event<K: AsRef<str>>(
    own: Pending,
    raw: &[(K, &str)],
    vocab: &Vocabulary,
) -> Option<Event> {
    // A name given twice, once as null: which counts is the checked path's to say.
    let repeated = |key: &str| raw.iter().filter(|(name, _)| name.as_ref() == key).count() > 1;
    if raw
        .iter()
        .any(|(name, value)| *value == "null" && repeated(name.as_ref()))
    {
        return None;
    }
    let known = vocab.kind_attributes(&own.kind);
    if let Some(attributes) = known.and_then(|known| by_rank(raw, known)) {
        return Some(Event {
            index: own.index,
            date: own.date,
            time: own.time,
            kind: own.kind,
            attributes: Attributes::from_sorted_unique(attributes?),
            source: None,
        });
    }
    let mut attributes = Vec::with_capacity(raw.len());
    for (name, value) in raw {
        if *value == "null" {
            continue;
        }
        let name = name.as_ref();
        let spec = known.and_then(|known| known.get(name));
        let value = attribute(value, spec)?;
        let key = match spec {
            Some(spec) => Key::Borrowed(spec.name),
            None => Key::Owned(name.to_owned()),
        };
        attributes.push((key, value));
    }
    // A repeated key: the checked path knows which one counts.
    let attributes = Attributes::from_unique(attributes)?;
    Some(Event {
        index: own.index,
        date: own.date,
        time: own.time,
        kind: own.kind,
        attributes,
        source: None,
    })
}

/// The attributes of an event whose names are all the kind's own, as [`event`] makes
/// them, in order: sorted by rank, which is [`name_order`](crate::vocabulary::name_order)
/// without comparing names. `Some(None)` when one is repeated or refused; `None` (the
/// general way decides) for an unknown name or more than a short event's names.
fn by_rank<K: AsRef<str>>(
    raw: &[(K, &str)],
    known: KindAttributes<'_>,
) -> Option<Option<Vec<(Key, Value)>>> {
    if raw.len() > SHORT {
        return None;
    }
    let mut order = [0u16; SHORT];
    let mut count = 0;
    for (at, (name, value)) in raw.iter().enumerate() {
        if *value != "null" {
            let (rank, _) = known.lookup(name.as_ref())?;
            *order.get_mut(count)? = rank_key(rank, at)?;
            count += 1;
        }
    }
    let order = order.get_mut(..count)?;
    if !sort_ranks(order) {
        return Some(None);
    }
    let mut attributes = Vec::with_capacity(count);
    for key in order.iter() {
        let (spec, (_, text)) = (known.by_rank(rank_of(*key))?, raw.get(place_of(*key))?);
        match attribute(text, Some(spec)) {
            Some(value) => attributes.push((Key::Borrowed(spec.name), value)),
            None => return Some(None),
        }
    }
    Some(Some(attributes))
}

/// The most attributes an event can have to be put in order by rank (both readers' quick
/// ways); an event with more is ordered by its names.
pub(super) const SHORT: usize = 32;

/// A known name's rank and its place among the event's attributes in one number, rank
/// above place: sorted, such numbers are in rank order, a repeated name's two beside each
/// other. `None` for a place past [`SHORT`].
pub(super) fn rank_key(rank: usize, place: usize) -> Option<u16> {
    if place >= SHORT {
        return None;
    }
    u16::try_from(rank * SHORT + place).ok()
}

fn rank_of(key: u16) -> usize {
    usize::from(key) / SHORT
}

/// The place a [`rank_key`] was made with.
pub(super) fn place_of(key: u16) -> usize {
    usize::from(key) % SHORT
}

/// Sorts [`rank_key`]s into rank order; `false` when a rank is given twice.
pub(super) fn sort_ranks(order: &mut [u16]) -> bool {
    order.sort_unstable();
    !order
        .windows(2)
        .any(|pair| matches!(pair, [a, b] if rank_of(*a) == rank_of(*b)))
}

/// A JSON string's text without its quotes (escapes not undone).
fn unquoted(text: &str) -> Option<&str> {
    text.strip_prefix('"')?.strip_suffix('"')
}

/// A JSON string with no escapes, without its quotes.
fn plain_string(value: &RawValue) -> Option<&str> {
    let inner = unquoted(value.get())?;
    (!inner.contains('\\')).then_some(inner)
}

/// An attribute's value, checked as the checked path checks it.
pub(super) fn attribute(text: &str, spec: Option<&AttrSpec>) -> Option<Value> {
    let ty = spec.map(|spec| spec.ty);
    let first = text.as_bytes().first()?;
    let escaped = *first == b'"' && text.contains('\\');
    match (first, ty) {
        (b'-' | b'0'..=b'9', Some(AttrType::Number { min, max, integer })) => {
            let number = Decimal::parse(text)?;
            let whole = !integer || number.is_integer();
            (within(number, min, max) && whole).then_some(Value::Number(number))
        }
        (b'-' | b'0'..=b'9', None) => Decimal::parse(text).map(Value::Number),
        (b'"', Some(AttrType::Text) | None) if !escaped => {
            let s = unquoted(text)?;
            let words = spec.map_or(&[][..], |spec| spec.words);
            Some(Value::Text(match word_of(words, s) {
                Some(word) => Key::Borrowed(word),
                None => Key::Owned(s.to_owned()),
            }))
        }
        (b'"', Some(AttrType::Category(allowed))) if !escaped => {
            let s = unquoted(text)?;
            let word = word_of(allowed, s)?;
            Some(Value::Text(Key::Borrowed(word)))
        }
        (b't' | b'f', Some(AttrType::Bool) | None) => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        // A list of agents is on most sessions: read here when it is only plain strings.
        (b'[', Some(AttrType::TextList)) => match plain_strings(text) {
            Some(items) => Some(Value::List(items)),
            None => through_serde(text, ty),
        },
        (b'[' | b'{' | b'"', _) => through_serde(text, ty),
        _ => None,
    }
}

/// Whether `number` is inside a number attribute's bounds, when it has them.
#[inline(always)]
pub(super) fn within(number: Decimal, min: Option<i64>, max: Option<i64>) -> bool {
    min.is_none_or(|lo| number >= Decimal::from_i64(lo))
        && max.is_none_or(|hi| number <= Decimal::from_i64(hi))
}

/// The vocabulary's own text of `text`, if `words` has it. Most words a value is tried
/// against differ from it in length or first byte, which are tested before the text is
/// compared (a call of `memcmp` each).
pub(super) fn word_of(words: &'static [&'static str], text: &str) -> Option<&'static str> {
    let first = text.as_bytes().first();
    words
        .iter()
        .find(|word| word.len() == text.len() && word.as_bytes().first() == first && **word == text)
        .copied()
}

/// Lists, objects and escaped strings are rare: the checked conversion takes them.
fn through_serde(text: &str, ty: Option<AttrType>) -> Option<Value> {
    let json = strict_within_nesting(text)?;
    match ty {
        Some(ty) => typed(json, ty, &At::Root).ok(),
        None => untyped(json, &At::Root).ok(),
    }
}

/// The items of a JSON list of strings without escapes or control characters, as
/// `typed` makes them of a `TextList`; `None` for any other text, which goes through
/// serde_json as before. serde_json's deserializer costs several times this on a list
/// as short as `["doxorubicin"]`. The scanner has its own string reading, but as methods
/// on its cursor over the whole line; this reads one value's text, for both fast tiers.
fn plain_strings(text: &str) -> Option<Vec<Value>> {
    let bytes = text.as_bytes();
    let space = |at: &mut usize| {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(*at) {
            *at += 1;
        }
    };
    let mut at = 1;
    (bytes.first() == Some(&b'[')).then_some(())?;
    let mut items = Vec::new();
    space(&mut at);
    if bytes.get(at) == Some(&b']') {
        at += 1;
    } else {
        loop {
            (bytes.get(at) == Some(&b'"')).then_some(())?;
            let start = at + 1;
            let len = bytes
                .get(start..)?
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
            (bytes.get(start + len) == Some(&b'"')).then_some(())?;
            items.push(Value::Text(Key::Owned(
                text.get(start..start + len)?.to_owned(),
            )));
            at = start + len + 1;
            space(&mut at);
            match bytes.get(at) {
                Some(b',') => {
                    at += 1;
                    space(&mut at);
                }
                Some(b']') => {
                    at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    space(&mut at);
    (at == bytes.len()).then_some(items)
}

/// A value the fast tiers hand on whole, read strictly by serde_json, as long as it nests
/// well within the depth the checked path allows the whole line.
pub(super) fn strict_within_nesting(text: &str) -> Option<serde_json::Value> {
    if nesting(text) > MAX_NESTING {
        return None;
    }
    super::strict::from_str(text)
}

/// How deep a value may nest for the fast path to read it on its own: with the patient,
/// the events and the event around it, well below serde_json's limit of 128.
pub(super) const MAX_NESTING: usize = 100;

/// The deepest nesting of arrays and objects in JSON text (brackets in strings ignored).
pub(super) fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for byte in text.bytes() {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            (false, _, _) => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lists `attribute` reads without serde_json, and those it leaves to it (which
    /// the scanner's edge test compares with the checked path).
    #[test]
    fn plain_string_lists_are_read_here() {
        let text = |items: &[&str]| {
            items
                .iter()
                .map(|s| Value::Text((*s).to_owned().into()))
                .collect()
        };
        assert_eq!(plain_strings(r#"[ "a" , "é" ]"#), Some(text(&["a", "é"])));
        assert_eq!(plain_strings("[\t]"), Some(Vec::new()));
        for other in [
            r#"["a\"b"]"#,
            r#"["a",1]"#,
            r#"["a",]"#,
            r#"["a""b"]"#,
            r#"["a"] x"#,
        ] {
            assert_eq!(plain_strings(other), None, "{other}");
        }
    }

    /// Category values and the common words of free-text attributes are kept as the
    /// vocabulary's text; other text is copied; both are the same values as read.
    #[test]
    fn common_words_are_not_copied() {
        let vocab = Vocabulary::builtin();
        let spec = |kind: &str, name: &str| vocab.kind_attributes(kind).and_then(|k| k.get(name));
        let read = |kind: &str, name: &str, text: &str| attribute(text, spec(kind, name));
        let borrowed = |value: Option<Value>| matches!(value, Some(Value::Text(Key::Borrowed(_))));
        assert!(borrowed(read("imaging", "modality", r#""CT""#)));
        assert!(borrowed(read("lab", "test", r#""PIVKA-II""#)));
        assert!(borrowed(read("imaging", "mrecist", r#""PD""#)));
        assert!(!borrowed(read("imaging", "modality", r#""PET-CT""#)));
        assert_eq!(
            read("imaging", "modality", r#""PET-CT""#),
            Some(Value::Text("PET-CT".to_owned().into()))
        );
        assert_eq!(read("imaging", "mrecist", r#""XX""#), None);
        assert_eq!(
            read("lab", "test", r#""AFP""#),
            Some(Value::Text("AFP".to_owned().into()))
        );
    }
}
