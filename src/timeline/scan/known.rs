//! The scanner's quickest way through an event: when `date` and `kind` come first (as
//! nearly every line writes them) and the kind is a known one, each later key is looked up
//! as it is read and its value converted where it stands, so a value is not first cut out
//! of the line and then read again. Anything else (an attribute before the kind, an
//! unknown kind or name, `null`, an escape, a list, a value the vocabulary refuses, a
//! name given twice) gives up, and the scanner reads the event again the general way,
//! which decides. So this way only ever gives the event the general way gives.

use super::{cut_with, Scanner};
use crate::date::Date;
use crate::number::Decimal;
use crate::timeline::fast::{attribute, place_of, rank_key, sort_ranks, within, word_of, SHORT};
use crate::timeline::{Attributes, Event, Key, Value};
use crate::vocabulary::{AttrSpec, AttrType, KindAttributes, Vocabulary};

/// For each known kind and each attribute, the attribute that followed it in the last
/// event of that kind (rank + 1; 0 for none yet, and [`FIRST`] for the kind's first key).
/// A patient's events of one kind are mostly written with their keys in one order, so the
/// next key is tried as the whole text `"name"` before it is scanned for its end and
/// looked up: one comparison instead of both. A wrong guess costs that comparison. A
/// right one is exact: a name without quotes or escapes, between two quotes, is that key.
/// Held in place (about a kilobyte on the stack), so a patient costs no allocation here;
/// kinds past [`KINDS`] are read without guesses.
pub(super) struct Guesses {
    next: [[u8; SLOTS]; KINDS],
}

/// Ranks a guess can hold, one slot kept for the first key of an event.
const SLOTS: usize = 64;
const FIRST: usize = SLOTS - 1;
/// Kinds with guesses: the builtin vocabulary has fewer.
const KINDS: usize = 16;

impl Guesses {
    pub(super) fn new() -> Guesses {
        Guesses {
            next: [[0; SLOTS]; KINDS],
        }
    }

    fn next(&self, kind: usize, after: usize) -> Option<usize> {
        let slot = *self.next.get(kind)?.get(after)?;
        usize::from(slot).checked_sub(1)
    }

    fn learn(&mut self, kind: usize, after: usize, rank: usize) {
        let slots = self
            .next
            .get_mut(kind)
            .and_then(|slots| slots.get_mut(after));
        if let (Some(slot), Ok(next)) = (slots, u8::try_from(rank + 1)) {
            if rank < FIRST {
                *slot = next;
            }
        }
    }
}

impl Scanner<'_> {
    /// The event at the cursor read the quickest way, or `None` (the cursor then stands
    /// anywhere in it) when the general way must read it.
    pub(super) fn known_event(
        &mut self,
        index: usize,
        guesses: &mut Guesses,
        vocab: &Vocabulary,
    ) -> Option<Event> {
        self.expect(b'{')?;
        // The attributes as read, and each one's rank and place in one number, rank above
        // place: sorted, they are in rank order, with a name given twice beside itself.
        let mut pairs: Vec<(Key, Value)> = Vec::new();
        let mut order = [0u16; SHORT];
        let mut date = None;
        let mut kind: Option<(usize, &'static str, KindAttributes<'_>)> = None;
        let mut time = None;
        let mut seen_time = false;
        let mut previous = FIRST;
        loop {
            let guess = kind.and_then(|(at, _, known)| {
                let rank = guesses.next(at, previous)?;
                Some((rank, known.by_rank(rank)?))
            });
            // The first two keys, then the key the last event of the kind had next, are
            // tried whole before a key is read and looked up.
            if date.is_none() && self.exact_key("date") {
                date = Some(self.date_value()?);
            } else if kind.is_none() && self.exact_key("kind") {
                kind = Some(self.known_kind(vocab, &mut pairs)?);
            } else if let Some((rank, spec)) = guess.filter(|(_, spec)| self.exact_key(spec.name)) {
                let value = self.known_value(spec)?;
                keep(&mut order, &mut pairs, rank, spec, value)?;
                previous = rank;
            } else {
                match self.key()? {
                    "date" if date.is_none() => date = Some(self.date_value()?),
                    "kind" if kind.is_none() => kind = Some(self.known_kind(vocab, &mut pairs)?),
                    "time" if !seen_time => {
                        seen_time = true;
                        time = Some(crate::timeline::load::parse_time(self.plain_string()?)?);
                    }
                    "date" | "kind" | "time" => return None,
                    name => {
                        let (at, _, known) = kind?;
                        let (rank, spec) = known.lookup(name)?;
                        guesses.learn(at, previous, rank);
                        previous = rank;
                        let value = self.known_value(spec)?;
                        keep(&mut order, &mut pairs, rank, spec, value)?;
                    }
                }
            }
            if !self.comma_or(b'}')? {
                break;
            }
        }
        let (_, name, _) = kind?;
        in_rank_order(&mut order, &mut pairs)?;
        Some(Event {
            index,
            date: date?,
            time,
            kind: Key::Borrowed(name),
            attributes: Attributes::from_sorted_unique(pairs),
            source: None,
        })
    }

    /// The kind's entry in the vocabulary, with room made for all its attributes: an
    /// event has most of them, and a list that grows costs more than a few unused slots.
    #[inline]
    fn known_kind<'v>(
        &mut self,
        vocab: &'v Vocabulary,
        pairs: &mut Vec<(Key, Value)>,
    ) -> Option<(usize, &'static str, KindAttributes<'v>)> {
        let entry = vocab.kind_entry(self.plain_string()?)?;
        pairs.reserve_exact(entry.2.count());
        Some(entry)
    }

    /// Past `"name":` if that is the key at the cursor, for a name without quotes,
    /// escapes or control characters (the vocabulary's); the cursor stays otherwise.
    fn exact_key(&mut self, name: &str) -> bool {
        self.skip_space();
        let start = self.at;
        let end = start + name.len() + 1;
        let quoted = self.bytes.get(start) == Some(&b'"')
            && self.bytes.get(start + 1..end) == Some(name.as_bytes())
            && self.bytes.get(end) == Some(&b'"');
        if quoted {
            self.at = end + 1;
            if self.expect(b':').is_some() {
                return true;
            }
        }
        self.at = start;
        false
    }

    /// A date: one of exactly ten bytes read where it stands (a date [`Date::parse`] takes
    /// has no quote, escape or control character, so it is the string the long way
    /// reads), any other the long way.
    fn date_value(&mut self) -> Option<Date> {
        self.skip_space();
        let at = self.at;
        if self.bytes.get(at) == Some(&b'"') && self.bytes.get(at + 11) == Some(&b'"') {
            if let Some(date) = self
                .text
                .get(at + 1..at + 11)
                .and_then(|t| Date::parse(t).ok())
            {
                self.at = at + 12;
                return Some(date);
            }
        }
        Date::parse(self.plain_string()?).ok()
    }

    /// A known attribute's value, converted as [`attribute`] converts its text: yes/no
    /// and plain strings read where they stand, other values cut first.
    fn known_value(&mut self, spec: &AttrSpec) -> Option<Value> {
        self.skip_space();
        let rest = self.bytes.get(self.at..)?;
        match (rest.first()?, spec.ty) {
            (b't', AttrType::Bool) if literal(rest, b"true") => {
                self.at += 4;
                Some(Value::Bool(true))
            }
            (b'f', AttrType::Bool) if literal(rest, b"false") => {
                self.at += 5;
                Some(Value::Bool(false))
            }
            (b'"', AttrType::Category(allowed)) => {
                let text = self.plain_string()?;
                let word = word_of(allowed, text)?;
                Some(Value::Text(Key::Borrowed(word)))
            }
            (b'"', AttrType::Text) => {
                let text = self.plain_string()?;
                Some(Value::Text(match word_of(spec.words, text) {
                    Some(word) => Key::Borrowed(word),
                    None => Key::Owned(text.to_owned()),
                }))
            }
            (b'0'..=b'9', AttrType::Number { min, max, .. }) => match whole(rest) {
                // Whole numbers are most of the numbers written (sizes, counts, scores):
                // read where they stand, they need no cutting out, no integer test and no
                // dispatch on their first byte (some 380 instructions a number before,
                // measured by callgrind). Anything else is read the way it was.
                Some((number, len)) => {
                    self.at += len;
                    within(number, min, max).then_some(Value::Number(number))
                }
                None => attribute(self.value()?, Some(spec)),
            },
            (b'n', _) => None,
            _ => attribute(self.value()?, Some(spec)),
        }
    }
}

/// The whole number at the start of `rest` and its length, as [`Scanner::value`] cuts it
/// and [`Decimal::parse`] reads it: digits followed by no other byte `value` would cut
/// with them (`12.5`, `1e3` and `12x` are not whole numbers here and go the general way,
/// which decides).
fn whole(rest: &[u8]) -> Option<(Decimal, usize)> {
    let (number, len) = Decimal::whole_prefix(rest)?;
    let more = rest.get(len).copied().is_some_and(cut_with);
    (!more).then_some((number, len))
}

/// Keeps an attribute read, with its rank and place; `None` past [`SHORT`] attributes.
fn keep(
    order: &mut [u16; SHORT],
    pairs: &mut Vec<(Key, Value)>,
    rank: usize,
    spec: &AttrSpec,
    value: Value,
) -> Option<()> {
    let place = pairs.len();
    *order.get_mut(place)? = rank_key(rank, place)?;
    pairs.push((Key::Borrowed(spec.name), value));
    Some(())
}

/// Puts the attributes in rank order, which is the order of names, where they stand;
/// `None` when a name is given twice.
fn in_rank_order(order: &mut [u16; SHORT], pairs: &mut [(Key, Value)]) -> Option<()> {
    let order = order.get_mut(..pairs.len())?;
    if !sort_ranks(order) {
        return None;
    }
    // The attribute at `place_of(order[i])` belongs at `i`: each cycle of that permutation
    // is followed once, one swap a step, so nothing is copied out and back.
    let mut done = 0u32;
    for start in 0..order.len() {
        let mut at = start;
        while done & (1 << at) == 0 {
            done |= 1 << at;
            let from = place_of(*order.get(at)?);
            if from == start {
                break;
            }
            pairs.swap(at, from);
            at = from;
        }
    }
    Some(())
}

/// Whether `rest` starts with the literal `word` and not a longer run of the bytes
/// [`Scanner::value`] would have cut with it (`truex` is one value, and refused).
fn literal(rest: &[u8], word: &[u8]) -> bool {
    rest.starts_with(word) && !rest.get(word.len()).copied().is_some_and(cut_with)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner(text: &str) -> Scanner<'_> {
        Scanner {
            text,
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    /// Events in order, each read the quickest way with what the ones before it taught
    /// the guesses: each is the event the general way reads, or is left to it (`false`),
    /// whatever the guesses say.
    #[test]
    fn the_quickest_way_gives_the_general_event_or_none() {
        let vocab = Vocabulary::builtin();
        let image = |rest: &str| format!(r#"{{"date":"2021-02-01","kind":"imaging",{rest}}}"#);
        let events = [
            (
                image(r#""modality":"CT","contrast":true,"tumor_count":2"#),
                true,
            ),
            // Guessed keys, spaces around them, another value.
            (
                image(r#""modality":"MRI", "contrast" : false ,"tumor_count":3"#),
                true,
            ),
            // A repeated guessed key; a key the guess is the start of; a literal run on.
            (
                image(r#""modality":"CT","contrast":true,"modality":"CT""#),
                false,
            ),
            (image(r#""modality":"CT","contrastx":true"#), false),
            (image(r#""modality":"CT","contrast":truex"#), false),
            (
                image(r#""modality":"CT","contrast":true,"vascular_invasion":null"#),
                false,
            ),
            (image(r#""modality":"C\u0054""#), false),
            (image(r#""mrecist":"pd""#), false),
            (image(r#""viable_percent":101"#), false),
            (image(r#""viable_percent":12.5,"tumor_count":0"#), true),
            (
                r#"{"modality":"CT","date":"2021-02-01","kind":"imaging"}"#.to_owned(),
                false,
            ),
            (
                r#"{"date":"2021-02-01","kind":"visit","a":1}"#.to_owned(),
                false,
            ),
            (
                r#"{"date":"2021-02-01","kind":"lab","test":"AFP","time":"09:30","value":3}"#
                    .to_owned(),
                true,
            ),
            (
                r#"{"date":"2021-02-01","kind":"lab","time":null,"test":"AFP"}"#.to_owned(),
                false,
            ),
            (
                r#"{"kind":"tace","date":"2021-02-01","agents":["a"],"technique":"cTACE"}"#
                    .to_owned(),
                true,
            ),
            // Dates of other lengths read the long way; a date or kind given twice.
            (
                r#"{ "date" : "2021-02-01" , "kind":"tace"}"#.to_owned(),
                true,
            ),
            (r#"{"date":"2021-02-1","kind":"tace"}"#.to_owned(), false),
            (r#"{"date":"2021-02-011","kind":"tace"}"#.to_owned(), false),
            // The same names in other orders, after the guesses have learnt one.
            (
                image(r#""tumor_count":2,"viable_percent":5,"contrast":true,"modality":"CT""#),
                true,
            ),
            (
                image(r#""contrast":true,"tumor_count":2,"modality":"CT","viable_percent":5"#),
                true,
            ),
            (
                r#"{"date":"2021-02-01","date":"2021-02-01","kind":"tace"}"#.to_owned(),
                false,
            ),
            (
                r#"{"date":"2021-02-01","kind":"tace","kind":"tace"}"#.to_owned(),
                false,
            ),
        ];
        let mut guesses = Guesses::new();
        for (text, quick) in &events {
            let general = scanner(text).event(0, &mut Vec::new(), &vocab);
            let mut scan = scanner(text);
            let read = scan.known_event(0, &mut guesses, &vocab);
            assert_eq!(read.is_some(), *quick, "{text}");
            if read.is_some() {
                assert_eq!(read, general, "{text}");
                assert_eq!(scan.at, text.len(), "{text}");
            }
        }
    }

    /// Every order of up to seven ranks comes out sorted, each value with its own rank;
    /// a repeated rank is refused.
    #[test]
    fn attributes_come_out_in_rank_order_from_any_order() {
        fn orders(n: usize) -> Vec<Vec<usize>> {
            if n == 0 {
                return vec![Vec::new()];
            }
            let mut all = Vec::new();
            for shorter in orders(n - 1) {
                for at in 0..n {
                    let mut order = shorter.clone();
                    order.insert(at, n - 1);
                    all.push(order);
                }
            }
            all
        }
        const NAMES: [&str; 7] = ["a", "b", "c", "d", "e", "f", "g"];
        for n in 0..=7 {
            for ranks in orders(n) {
                let mut order = [0u16; SHORT];
                let mut pairs = Vec::new();
                for (place, rank) in ranks.iter().enumerate() {
                    order[place] = u16::try_from(rank * SHORT + place).unwrap();
                    let value = Value::Text(Key::Borrowed(NAMES[*rank]));
                    pairs.push((Key::Borrowed(NAMES[*rank]), value));
                }
                assert_eq!(in_rank_order(&mut order, &mut pairs), Some(()), "{ranks:?}");
                let names: Vec<&str> = pairs.iter().map(|(key, _)| key.as_ref()).collect();
                assert_eq!(names, NAMES[..n], "{ranks:?}");
                assert!(pairs
                    .iter()
                    .all(|(key, value)| *value == Value::Text(key.clone())));
            }
        }
        let mut order = [0u16; SHORT];
        order[..3].copy_from_slice(&[2 * 32, 32 + 1, 2 * 32 + 2]);
        let mut pairs = vec![(Key::Borrowed("c"), Value::Bool(true)); 3];
        assert_eq!(in_rank_order(&mut order, &mut pairs), None);
    }
}
