//! Patient ids within one cohort: each must be unique. `refract eval`, `compare`,
//! `convert`, `check --input` and the Python package all refuse a repeated id with the
//! same words, from here.

use std::hash::BuildHasher;

use super::Patient;
use crate::date::Date;

/// Patient ids seen so far, each with the line of first sight (0: a whole-file patient).
/// The ids themselves are kept, so a repeated id is found exactly (hashing alone lets ids
/// that share a hash be crafted), under a hash keyed at random for each run. They are kept
/// compactly because a cohort's ids are what grows with the cohort: every id in one text,
/// and per id its place there, its line and an 8-byte slot of the table (hashbrown's
/// `HashTable`, already built for `indexmap`), about 26 bytes an id where a map of boxed
/// strings took about 90 (measured on `eval` of all six definitions over a million
/// synthetic patients: peak memory 178 MB with that map). An id's length is not kept: ids
/// are added to the text in order, so each ends where the next begins (8 bytes an id
/// less: 8 MB at a million ids, of which about 2 MB showed in the peak of a run).
///
/// The slot keeps 32 bits of the id's hash beside its index: a growing table moves its
/// slots without reading the ids again, and a probe compares the text of an id only when
/// the hashes agree. Without them `--parse-only` over a million synthetic patients took
/// 0.7 to 0.8 s more with the id check than without it (2.9 s); with them, 0.15 to 0.2 s.
#[derive(Default)]
pub struct SeenIds {
    text: String,
    /// Per id: where it starts in `text`, and its line.
    ids: Vec<(u32, u32)>,
    /// Per id: its index in `ids` and 32 bits of its hash, by that hash.
    table: hashbrown::HashTable<(u32, u32)>,
    hasher: std::collections::hash_map::RandomState,
    /// Ids past what `ids` can place (more than 4 GiB of id text, or a line beyond 2^32).
    beyond: Option<std::collections::HashMap<Box<str>, u64>>,
}

impl SeenIds {
    /// `None` the first time an id is seen; after that, the line where it was first seen.
    pub fn again(&mut self, id: &str, line: Option<usize>) -> Option<Option<usize>> {
        // Truncated on purpose: 32 bits place a table of up to 4 billion ids.
        let short = self.hasher.hash_one(id) as u32;
        let (text, ids) = (&self.text, &self.ids);
        let found = self.table.find(spread(short), |&(at, kept)| {
            kept == short && id_at(text, ids, at) == id
        });
        let first = match found {
            Some(&(at, _)) => self.ids.get(at as usize).map(|&(_, line)| u64::from(line)),
            None => self
                .beyond
                .as_ref()
                .and_then(|beyond| beyond.get(id).copied()),
        };
        if let Some(first) = first {
            return Some(usize::try_from(first).ok().filter(|&l| l > 0));
        }
        let line = line.and_then(|l| u64::try_from(l).ok()).unwrap_or(0);
        // Past 4 GiB of id text (or 4 billion ids or lines), the rest go to a plain map.
        // The end of this id is where the next one starts, so it must fit in 32 bits too.
        let (Ok(_), Ok(start), Ok(line32), Ok(at)) = (
            u32::try_from(self.text.len() + id.len()),
            u32::try_from(self.text.len()),
            u32::try_from(line),
            u32::try_from(self.ids.len()),
        ) else {
            return self.overflow(id, line);
        };
        self.text.push_str(id);
        self.ids.push((start, line32));
        self.table
            .insert_unique(spread(short), (at, short), |&(_, kept)| spread(kept));
        None
    }

    /// An id beyond what 32-bit places reach, seen for the first time: kept in a map.
    fn overflow(&mut self, id: &str, line: u64) -> Option<Option<usize>> {
        self.beyond
            .get_or_insert_with(Default::default)
            .insert(id.into(), line);
        None
    }

    /// The message for a patient whose id was already used, if it was (and `None` the
    /// first time, when the id is remembered).
    pub fn duplicate(&mut self, id: &str, line: Option<usize>, file: &str) -> Option<String> {
        let first = self.again(id, line)?;
        let here = line.map(|l| format!(" line {l}")).unwrap_or_default();
        let there = first.map(|l| format!(" at line {l}")).unwrap_or_default();
        Some(format!(
            "{file}{here}: patient id \"{id}\" was already used{there}; ids must be unique in a cohort, so this patient is not evaluated"
        ))
    }
}

/// A 32-bit hash as the 64 bits hashbrown reads: it takes the bucket from the low bits
/// and a 7-bit tag from the top ones, so the same 32 bits go at both ends.
fn spread(short: u32) -> u64 {
    u64::from(short) | (u64::from(short) << 32)
}

/// The id kept at `at`: from its start to the next one's (or the end of the text).
fn id_at<'t>(text: &'t str, ids: &[(u32, u32)], at: u32) -> &'t str {
    let at = at as usize;
    let Some(&(start, _)) = ids.get(at) else {
        return "";
    };
    let end = ids
        .get(at + 1)
        .map_or(text.len(), |&(next, _)| next as usize);
    text.get(start as usize..end).unwrap_or_default()
}

/// The patient as known on `as_of`: later events are dropped.
pub fn known_on(mut patient: Patient, as_of: Option<Date>) -> Patient {
    if let Some(as_of) = as_of {
        patient.events.retain(|event| event.date <= as_of);
    }
    patient
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_told_apart_exactly_and_remember_where_they_were_first() {
        let mut ids = SeenIds::default();
        assert_eq!(ids.again("P1", Some(3)), None);
        assert_eq!(ids.again("P1 ", Some(4)), None);
        assert_eq!(ids.again("p1", Some(5)), None);
        assert_eq!(ids.again("P1", Some(9)), Some(Some(3)));
        assert_eq!(ids.again("whole", None), None);
        assert_eq!(ids.again("whole", Some(2)), Some(None));
        for n in 0..10_000 {
            assert_eq!(ids.again(&format!("S{n:07}"), Some(n + 10)), None);
        }
        assert_eq!(ids.again("S0000042", Some(1)), Some(Some(52)));
        // The table grew many times on the way, moving its slots by the kept hashes: every
        // id is still found, with its own line.
        for n in (0..10_000).rev() {
            assert_eq!(ids.again(&format!("S{n:07}"), Some(1)), Some(Some(n + 10)));
        }
        // A line past 32 bits is kept whole (in the overflow map), and ids after it still
        // end where the next begins.
        if let Ok(far) = usize::try_from(5_000_000_000u64) {
            assert_eq!(ids.again("far", Some(far)), None);
            assert_eq!(ids.again("S", Some(7)), None);
            assert_eq!(ids.again("far", Some(1)), Some(Some(far)));
            assert_eq!(ids.again("S", Some(1)), Some(Some(7)));
            assert_eq!(ids.again("S0000042", Some(1)), Some(Some(52)));
        }
    }
}
