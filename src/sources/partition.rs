//! Grouping lines by a key with bounded memory: each line goes to one of N temporary
//! files by the hash of its key, so every line of one key lands in one file, and the
//! files are then read back one at a time. A FHIR bulk export (one file per resource
//! type, patients interleaved) is grouped by patient this way: memory is one partition,
//! not the export.

use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The size a partition is aimed at.
pub const PARTITION_BYTES: u64 = 32 * 1024 * 1024;
/// The most partitions (each an open file while writing).
pub const MAX_PARTITIONS: usize = 256;

/// How many partitions for an input of `bytes`.
pub fn partitions_for(bytes: u64) -> usize {
    let wanted = bytes / PARTITION_BYTES + 1;
    usize::try_from(wanted)
        .unwrap_or(MAX_PARTITIONS)
        .clamp(1, MAX_PARTITIONS)
}

/// A temporary folder, removed with everything in it when dropped.
#[derive(Debug)]
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> io::Result<TempDir> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "refract-partition-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Nothing more can be done about a folder that cannot be removed.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Lines being written into partitions.
#[derive(Debug)]
pub struct Partitioner {
    dir: TempDir,
    writers: Vec<BufWriter<File>>,
}

/// The partition a key goes to: a fixed hash, so runs are repeatable.
fn partition_of(key: &str, parts: usize) -> usize {
    let mut hasher = rustc_hash::FxHasher::default();
    key.hash(&mut hasher);
    usize::try_from(hasher.finish() % parts.max(1) as u64).unwrap_or(0)
}

impl Partitioner {
    /// `parts` empty partitions in a new temporary folder.
    pub fn new(parts: usize) -> io::Result<Partitioner> {
        let dir = TempDir::new()?;
        let writers = (0..parts.max(1))
            .map(|i| File::create(dir.0.join(format!("{i}.part"))).map(BufWriter::new))
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Partitioner { dir, writers })
    }

    /// Add a line (without a line break) under `key`.
    pub fn push(&mut self, key: &str, line: &str) -> io::Result<()> {
        let at = partition_of(key, self.writers.len());
        let writer = self
            .writers
            .get_mut(at)
            .ok_or_else(|| io::Error::other("partition out of range"))?;
        writer.write_all(line.as_bytes())?;
        writer.write_all(b"\n")
    }

    /// Done writing: the partitions, to read back one at a time.
    pub fn finish(self) -> io::Result<Partitions> {
        let count = self.writers.len();
        for mut writer in self.writers {
            writer.flush()?;
        }
        Ok(Partitions {
            dir: self.dir,
            count,
            next: 0,
        })
    }
}

/// Written partitions.
#[derive(Debug)]
pub struct Partitions {
    dir: TempDir,
    count: usize,
    next: usize,
}

impl Partitions {
    /// The lines of the next partition, in the order they were pushed; the partition's
    /// file is removed once read.
    pub fn next_partition(&mut self) -> Option<io::Result<Vec<String>>> {
        if self.next >= self.count {
            return None;
        }
        let path = self.dir.0.join(format!("{}.part", self.next));
        self.next += 1;
        let read = File::open(&path).and_then(|file| BufReader::new(file).lines().collect());
        let _ = std::fs::remove_file(&path);
        Some(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_one_key_share_a_partition_in_order() {
        let mut partitioner = Partitioner::new(4).unwrap();
        for i in 0..100 {
            let key = format!("p{}", i % 7);
            partitioner.push(&key, &format!("{key} {i}")).unwrap();
        }
        let mut partitions = partitioner.finish().unwrap();
        let mut seen = 0;
        let mut keys_seen = std::collections::HashSet::new();
        while let Some(lines) = partitions.next_partition() {
            let lines = lines.unwrap();
            seen += lines.len();
            let keys: std::collections::HashSet<String> = lines
                .iter()
                .filter_map(|l| l.split(' ').next())
                .map(str::to_owned)
                .collect();
            // No key is split over two partitions.
            assert!(keys.is_disjoint(&keys_seen));
            keys_seen.extend(keys);
            let numbers: Vec<usize> = lines
                .iter()
                .filter_map(|l| l.split(' ').nth(1)?.parse().ok())
                .collect();
            assert!(numbers.windows(2).all(|w| w[0] < w[1]));
        }
        assert_eq!(seen, 100);
        assert_eq!(partitions_for(0), 1);
        assert_eq!(partitions_for(100 * PARTITION_BYTES), 101);
        assert_eq!(partitions_for(u64::MAX), MAX_PARTITIONS);
    }
}
