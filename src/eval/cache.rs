//! Results kept for reuse within one definition's evaluation: by call (a part and the
//! events it was called with), each with the missing data it read and what it cost.

use rustc_hash::FxHashMap as HashMap;

use super::consult::Consult;
use super::why::Why;

/// A part and the events it was called with (positions + 1; 0 and MAX for absent events).
pub type CallKey = (usize, usize, usize);

/// A result kept for reuse, with the missing data it consulted (replayed when it is
/// reused, so every result knows all the missing data behind it).
#[derive(Clone)]
pub struct Entry<'a, T> {
    /// The result.
    pub value: T,
    /// The cells read while it was made.
    pub consults: Vec<Consult<'a>>,
    /// The events found missing while it was made ("no CT/MRI 1 to 3 months after ...").
    pub missing: Vec<Why<'a>>,
    /// The conditions making it would cost with nothing reused (see `Context::cold`).
    pub cold: u64,
}

impl<'a, T: Clone> Entry<'a, T> {
    /// The result reused: the data it read counts again (onto `consults` and `missing`),
    /// and so does what making it cost reusing nothing (onto `cold`).
    pub fn replay(
        &self,
        consults: &mut Vec<Consult<'a>>,
        missing: &mut Vec<Why<'a>>,
        cold: &mut u64,
    ) -> T {
        consults.extend_from_slice(&self.consults);
        missing.extend_from_slice(&self.missing);
        *cold = cold.saturating_add(self.cold);
        self.value.clone()
    }
}

/// Results of parts by call. While missing data is being filled in, a result that read
/// missing data is made again (into `scratch`, dropped with each trial); one that read
/// none holds whatever is filled in.
pub struct Cache<'a, T> {
    base: HashMap<CallKey, Entry<'a, T>>,
    scratch: HashMap<CallKey, Entry<'a, T>>,
}

impl<'a, T> Default for Cache<'a, T> {
    fn default() -> Self {
        Cache {
            base: HashMap::default(),
            scratch: HashMap::default(),
        }
    }
}

impl<'a, T> Cache<'a, T> {
    /// The result for `key`, if one holds now.
    pub fn get(&self, key: &CallKey, trying: bool) -> Option<&Entry<'a, T>> {
        match self.base.get(key) {
            Some(entry) if !trying || entry.consults.is_empty() => Some(entry),
            _ if trying => self.scratch.get(key),
            _ => None,
        }
    }

    /// Keep a result.
    pub fn insert(&mut self, key: CallKey, entry: Entry<'a, T>, trying: bool) {
        if trying {
            self.scratch.insert(key, entry);
        } else {
            self.base.insert(key, entry);
        }
    }

    /// Forget the results of the last trial.
    pub fn clear_scratch(&mut self) {
        self.scratch.clear();
    }
}
