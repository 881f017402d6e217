//! The reader's first tier: one pass over the bytes of a plain patient line, the shape
//! nearly every line of a cohort has, straight into events. serde's visitors (the second
//! tier, [`fast`](super::fast)) scan each attribute value twice, once to find its end and
//! once to convert it, and allocate as they go; here each value is found once and handed,
//! as its JSON text, to the conversion both tiers share ([`fast::event`]). Like the second
//! tier it only ever accepts: anything it is not sure of (an escape in a key, a date or a
//! kind, a control character, a key of the patient object other than `id`, `facts` and
//! `events`, a value nested deeper than the second tier allows) makes it give up, and the
//! next tier reads the line again. Values it hands on whole (lists other than plain
//! strings, objects, escaped strings, `facts` other than flat ones) are read strictly by
//! serde_json ([`strict`](super::strict)), so it need only know the JSON grammar of what
//! it reads itself: structure, plain strings, numbers (checked by
//! [`Decimal::parse`](crate::number::Decimal::parse), or by serde_json's number parser
//! in `facts`) and literals.
//!
//! Why not a SIMD parser: sonic-rs and simd-json tokenise 3 to 4 times faster than
//! serde_json into their own trees, but building refract's events from a tree costs more
//! than the scanning this file does, and neither reads numbers as decimal text on the
//! stable API we would need (the measurement is in the commit that added this file).

mod known;

use super::fast::{event, strict_within_nesting, Pending, MAX_NESTING};
use super::load::MAX_EVENTS;
use super::{order, Key, Patient};
use crate::date::Date;
use crate::vocabulary::Vocabulary;

/// The patient in `text`, or `None` when a slower tier must decide.
pub(super) fn patient(text: &str, line: Option<usize>, vocab: &Vocabulary) -> Option<Patient> {
    let mut scan = Scanner {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut id: Option<&str> = None;
    let mut facts = None;
    let mut events = None;
    scan.expect(b'{')?;
    loop {
        let key = scan.key()?;
        match key {
            "id" if id.is_none() => id = Some(scan.plain_string().filter(|s| !s.is_empty())?),
            "facts" if facts.is_none() => facts = Some(scan.facts()?),
            "events" if events.is_none() => events = Some(scan.events(vocab)?),
            // Repeated, or a key the second tier reads (and checks) for us.
            _ => return None,
        }
        if !scan.comma_or(b'}')? {
            break;
        }
    }
    scan.skip_space();
    if scan.at != scan.bytes.len() {
        return None;
    }
    let mut events = events?;
    order::sort_events(&mut events);
    Some(Patient {
        id: id?.to_owned(),
        facts: facts.unwrap_or_default(),
        events,
        line,
    })
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
}

impl<'t> Scanner<'t> {
    fn skip_space(&mut self) {
        // Most calls find no space at all: every JSON space byte is below `!`, so one
        // comparison sends the rest on their way.
        while let Some(&byte @ ..=b' ') = self.bytes.get(self.at) {
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                return;
            }
            self.at += 1;
        }
    }

    /// The next byte after whitespace, consumed.
    fn next_byte(&mut self) -> Option<u8> {
        self.skip_space();
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next_byte()? == byte).then_some(())
    }

    /// After a member or element: `true` at a comma (another follows), `false` at `close`.
    fn comma_or(&mut self, close: u8) -> Option<bool> {
        match self.next_byte()? {
            b',' => Some(true),
            byte if byte == close => Some(false),
            _ => None,
        }
    }

    /// `"key":`, the key without escapes.
    fn key(&mut self) -> Option<&'t str> {
        let key = self.plain_string()?;
        // serde_json's tree reads an object under its private number key as a number.
        // The first byte is tested alone because nearly no key starts with `$`, and
        // `starts_with` would call `memcmp` for every key.
        if key.as_bytes().first() == Some(&b'$') && key.starts_with("$serde_json") {
            return None;
        }
        self.expect(b':')?;
        Some(key)
    }

    /// A string without escapes or control characters, without its quotes.
    fn plain_string(&mut self) -> Option<&'t str> {
        self.expect(b'"')?;
        let start = self.at;
        let rest = self.bytes.get(start..)?;
        let len = special(rest)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// The JSON text of the next value. Strings and containers are found by their
    /// delimiters and checked by whoever converts them; numbers and literals are cut at
    /// the first byte that cannot continue them.
    fn value(&mut self) -> Option<&'t str> {
        self.skip_space();
        let start = self.at;
        match *self.bytes.get(self.at)? {
            b'"' => {
                self.at += 1;
                loop {
                    match *self.bytes.get(self.at)? {
                        b'"' => break,
                        b'\\' => self.at += 2,
                        0..=0x1f => return None,
                        _ => self.at += 1,
                    }
                }
                self.at += 1;
            }
            b'[' | b'{' => self.skip_container()?,
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                while self.bytes.get(self.at).copied().is_some_and(cut_with) {
                    self.at += 1;
                }
            }
            _ => return None,
        }
        self.text.get(start..self.at)
    }

    /// Past a list or object (brackets in strings ignored), no deeper than the second
    /// tier would read it: without recursion, whatever the input.
    fn skip_container(&mut self) -> Option<()> {
        let mut depth = 0usize;
        let mut in_string = false;
        loop {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            match (in_string, byte) {
                (true, b'\\') => self.at += 1,
                (true, b'"') => in_string = false,
                (true, _) => {}
                (false, b'"') => in_string = true,
                (false, b'[' | b'{') => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return None;
                    }
                }
                (false, b']' | b'}') => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(());
                    }
                }
                (false, _) => {}
            }
        }
    }

    /// The `facts` object (or `null`). A flat object of plain strings, numbers and
    /// literals, as nearly every patient has, is read here; any other is read strictly
    /// by serde_json, which refuses what the checked path would refuse.
    fn facts(&mut self) -> Option<serde_json::Map<String, serde_json::Value>> {
        let start = self.at;
        if let Some(object) = self.flat_object() {
            return Some(object);
        }
        self.at = start;
        let text = self.value()?;
        match text {
            "null" => Some(serde_json::Map::new()),
            _ => match strict_within_nesting(text)? {
                serde_json::Value::Object(object) => Some(object),
                _ => None,
            },
        }
    }

    /// An object whose values are plain strings, numbers or literals, as serde_json's
    /// tree holds it: numbers by their text (`arbitrary_precision`), parsed as the tree
    /// parses them (`str::parse`). `None` on anything else, or on a key given twice.
    fn flat_object(&mut self) -> Option<serde_json::Map<String, serde_json::Value>> {
        use serde_json::Value as Json;
        self.expect(b'{')?;
        let mut object = serde_json::Map::new();
        self.skip_space();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Some(object);
        }
        loop {
            let key = self.key()?;
            self.skip_space();
            let value = match *self.bytes.get(self.at)? {
                b'"' => Json::String(self.plain_string()?.to_owned()),
                b'-' | b'0'..=b'9' => Json::Number(self.value()?.parse().ok()?),
                b't' | b'f' | b'n' => match self.value()? {
                    "true" => Json::Bool(true),
                    "false" => Json::Bool(false),
                    "null" => Json::Null,
                    _ => return None,
                },
                _ => return None,
            };
            if object.insert(key.to_owned(), value).is_some() {
                return None;
            }
            if !self.comma_or(b'}')? {
                return Some(object);
            }
        }
    }

    /// The `events` array.
    fn events(&mut self, vocab: &Vocabulary) -> Option<Vec<super::Event>> {
        self.expect(b'[')?;
        let mut events = Vec::with_capacity(32);
        self.skip_space();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            return Some(events);
        }
        // One buffer for every event's attributes before they are converted, when the
        // general way reads them.
        let mut pending: Vec<(&'t str, &'t str)> = Vec::with_capacity(16);
        let mut guesses = known::Guesses::new();
        loop {
            if events.len() >= MAX_EVENTS {
                return None;
            }
            let start = self.at;
            let event = match self.known_event(events.len(), &mut guesses, vocab) {
                Some(event) => event,
                None => {
                    self.at = start;
                    self.event(events.len(), &mut pending, vocab)?
                }
            };
            events.push(event);
            if !self.comma_or(b']')? {
                return Some(events);
            }
        }
    }

    fn event(
        &mut self,
        index: usize,
        pending: &mut Vec<(&'t str, &'t str)>,
        vocab: &Vocabulary,
    ) -> Option<super::Event> {
        self.expect(b'{')?;
        pending.clear();
        let mut date = None;
        let mut kind: Option<Key> = None;
        let mut time = None;
        let mut seen_time = false;
        loop {
            match self.key()? {
                "date" if date.is_none() => date = Some(Date::parse(self.plain_string()?).ok()?),
                "kind" if kind.is_none() => {
                    let text = self.plain_string().filter(|k| !k.is_empty())?;
                    kind = Some(match vocab.known_kind(text) {
                        Some(known) => Key::Borrowed(known),
                        None => Key::Owned(text.to_owned()),
                    });
                }
                "time" if !seen_time => {
                    seen_time = true;
                    self.skip_space();
                    if self.bytes.get(self.at) == Some(&b'n') {
                        (self.value()? == "null").then_some(())?;
                    } else {
                        time = Some(super::load::parse_time(self.plain_string()?)?);
                    }
                }
                "date" | "kind" | "time" => return None,
                name => {
                    let value = self.value()?;
                    pending.push((name, value));
                }
            }
            if !self.comma_or(b'}')? {
                break;
            }
        }
        event(
            Pending {
                index,
                date: date?,
                kind: kind?,
                time,
            },
            pending,
            vocab,
        )
    }
}

/// Whether [`Scanner::value`] cuts `byte` with a number or a literal (`true`, `null`):
/// the bytes such a token can be made of, and a few more so that `12x` or `truex` is cut
/// as one token and refused, not read as `12` or `true` followed by garbage.
pub(super) fn cut_with(byte: u8) -> bool {
    matches!(byte, b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'E')
}

/// The position of the first `"`, `\\` or control character in `bytes`. Keys are most of
/// a patient line's bytes (`hepatic_encephalopathy`): eight bytes are tested at a time.
fn special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of each byte of `v` that is zero; exact for the lowest such byte,
    // which is the only one used.
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        let below_space = v.wrapping_sub(ONES * 0x20) & !v & HIGH;
        let hits =
            zero(v ^ (ONES * u64::from(b'"'))) | zero(v ^ (ONES * u64::from(b'\\'))) | below_space;
        if hits != 0 {
            return Some(offset + (hits.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|at| offset + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(text: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
        let mut scan = Scanner {
            text,
            bytes: text.as_bytes(),
            at: 0,
        };
        scan.flat_object()
    }

    /// The facts read here are serde_json's tree of them; the rest is left to serde_json
    /// (the scanner's edge test compares those with the checked path).
    #[test]
    fn flat_facts_are_read_here() {
        let text = r#"{ "a" : -0 ,"b":1.50,"c":1E+5,"d":true,"e":null,"f":"x y"}"#;
        let tree = serde_json::from_str::<serde_json::Value>(text).ok();
        assert_eq!(flat(text).map(serde_json::Value::Object), tree);
        assert_eq!(flat("{}"), Some(serde_json::Map::new()));
        for other in [
            r#"{"a":[1]}"#,
            r#"{"a":"\u0041"}"#,
            r#"{"a":1,"a":1}"#,
            r#"{"a":01}"#,
        ] {
            assert_eq!(flat(other), None, "{other}");
        }
    }
}
