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
/// and per id its place there, its line and a 4-byte slot of the table (hashbrown's
/// `HashTable`, already built for `indexmap`), about 30 bytes an id where a map of boxed
/// strings took about 90. Measured on `eval` of all six definitions over a million
/// synthetic patients: peak memory 178 MB with that map.
#[derive(Default)]
pub struct SeenIds {
    text: String,
    /// Per id: where it starts in `text`, its length and its line.
    ids: Vec<(u32, u32, u64)>,
    /// Indices into `ids`, by the hash of the id.
    table: hashbrown::HashTable<u32>,
    hasher: std::collections::hash_map::RandomState,
    /// Ids past what `ids` can place (more than 4 GiB of id text).
    beyond: Option<std::collections::HashMap<Box<str>, u64>>,
}

impl SeenIds {
    /// `None` the first time an id is seen; after that, the line where it was first seen.
    pub fn again(&mut self, id: &str, line: Option<usize>) -> Option<Option<usize>> {
        let hash = self.hasher.hash_one(id);
        let (text, ids) = (&self.text, &self.ids);
        let found = self.table.find(hash, |&at| id_at(text, ids, at) == id);
        let first = match found {
            Some(&at) => self.ids.get(at as usize).map(|&(_, _, line)| line),
            None => self
                .beyond
                .as_ref()
                .and_then(|beyond| beyond.get(id).copied()),
        };
        if let Some(first) = first {
            return Some(usize::try_from(first).ok().filter(|&l| l > 0));
        }
        let line = line.and_then(|l| u64::try_from(l).ok()).unwrap_or(0);
        // Past 4 GiB of id text (or 4 billion ids), the rest go to a plain map.
        let (Ok(start), Ok(len), Ok(at)) = (
            u32::try_from(self.text.len()),
            u32::try_from(id.len()),
            u32::try_from(self.ids.len()),
        ) else {
            return self.overflow(id, line);
        };
        self.text.push_str(id);
        self.ids.push((start, len, line));
        let (hasher, text, ids) = (&self.hasher, &self.text, &self.ids);
        self.table
            .insert_unique(hash, at, |&at| hasher.hash_one(id_at(text, ids, at)));
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

/// The id kept at `at`.
fn id_at<'t>(text: &'t str, ids: &[(u32, u32, u64)], at: u32) -> &'t str {
    let Some(&(start, len, _)) = ids.get(at as usize) else {
        return "";
    };
    let start = start as usize;
    text.get(start..start + len as usize).unwrap_or_default()
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
    }
}
