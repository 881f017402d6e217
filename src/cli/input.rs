//! What `eval` and `check --input` share about their input: opening it (`-` is standard
//! input) and noticing patient ids used twice.

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// The input's name for messages and a reader over it, or the message saying why not.
pub fn open(path: &Path) -> Result<(String, Box<dyn BufRead + Send>), String> {
    if path.as_os_str() == "-" {
        return Ok((
            "stdin".to_string(),
            Box::new(BufReader::with_capacity(1 << 18, io::stdin())),
        ));
    }
    let name = path.display().to_string();
    // A folder opens like a file on Unix and fails only when read: say so before.
    if path.is_dir() {
        return Err(format!(
            "cannot read {name}: it is a folder; name a patient file or a JSON Lines cohort"
        ));
    }
    match File::open(path) {
        Ok(file) => Ok((name, Box::new(BufReader::with_capacity(1 << 18, file)))),
        Err(error) => Err(format!("cannot read {name}: {error}")),
    }
}

/// Patient ids seen so far, as 64-bit hashes with the line of first sight (0: none), so
/// memory stays small on large cohorts (two distinct ids of a million-patient cohort share
/// a hash about once in 10^7 cohorts).
#[derive(Default)]
pub struct SeenIds {
    lines: HashMap<u64, u64, BuildHasherDefault<AlreadyHashed>>,
}

impl SeenIds {
    /// `None` the first time an id is seen; after that, the line where it was first seen.
    pub fn again(&mut self, id: &str, line: Option<usize>) -> Option<Option<usize>> {
        let mut hasher = DefaultHasher::new();
        id.hash(&mut hasher);
        match self.lines.entry(hasher.finish()) {
            Entry::Occupied(entry) => Some(usize::try_from(*entry.get()).ok().filter(|&l| l > 0)),
            Entry::Vacant(entry) => {
                entry.insert(line.and_then(|l| u64::try_from(l).ok()).unwrap_or(0));
                None
            }
        }
    }
}

/// The keys of [`SeenIds`] are hashes already: hashing them again is wasted work.
#[derive(Default)]
pub struct AlreadyHashed(u64);

impl Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the keys are u64); fold anything else in anyway.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
