//! FHIR R4 input: Bundles (collection, transaction, searchset), folders of resources and
//! Bulk Data exports (NDJSON, one file per resource type), mapped to patient timelines by
//! a [`Mapping`]. Each event keeps the `Type/id` of the resource it came from.
//!
//! Resources are grouped by patient through temporary partitions
//! ([`crate::sources::partition`]), so memory holds one partition (about 32 MiB of
//! input), not the export. Patients come out partition by partition; within one, in the
//! order of their Patient resources. A resource that cannot be mapped is skipped and
//! reported ([`Skip`]) with its file, line, resource and JSON path; the rest is read.

mod findings;
mod input;
mod json;
mod map;
pub mod write;

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::de::IgnoredAny;
use serde::Deserialize;

pub use findings::{Counts, Reason, Skip, Tally};

use crate::sources::mapping::Mapping;
use crate::sources::partition::Partitions;
use crate::timeline::{parse_patient, Origin, Patient, TimelineError};
use crate::vocabulary::Vocabulary;

/// One patient read from FHIR, in the native form, not yet checked.
#[derive(Debug, Clone)]
pub struct FhirPatient {
    /// The Patient resource's id.
    pub id: String,
    /// The patient as native JSON (`timeline-format.md`).
    pub text: String,
    /// The Patient resource's file (and NDJSON line).
    pub origin: Origin,
    /// The `Type/id` of each event's resource, by event index.
    pub sources: Vec<Arc<str>>,
}

impl FhirPatient {
    /// Check the patient as the native format does.
    pub fn assemble(&self, vocab: &Vocabulary) -> Result<Patient, TimelineError> {
        parse_patient(&self.text, &self.origin, vocab)
    }
}

/// What the reader found so far: counts per resource type and code, and skips.
#[derive(Debug, Clone, Default)]
pub struct Findings(Arc<Mutex<Found>>);

#[derive(Debug, Default)]
struct Found {
    tally: Tally,
    skips: Vec<Skip>,
    skipped: u64,
}

/// The most skips kept for showing; the others are counted.
pub const MAX_SKIPS_KEPT: usize = 1000;

impl Findings {
    fn add(&self, tally: Tally, skips: Vec<Skip>) {
        if let Ok(mut found) = self.0.lock() {
            found.tally.merge(tally);
            found.skipped += skips.len() as u64;
            let room = MAX_SKIPS_KEPT.saturating_sub(found.skips.len());
            found.skips.extend(skips.into_iter().take(room));
        }
    }

    /// The counts so far.
    pub fn tally(&self) -> Tally {
        self.0.lock().map(|f| f.tally.clone()).unwrap_or_default()
    }

    /// The skips kept so far (at most [`MAX_SKIPS_KEPT`]), taken out.
    pub fn take_skips(&self) -> Vec<Skip> {
        self.0
            .lock()
            .map(|mut f| std::mem::take(&mut f.skips))
            .unwrap_or_default()
    }

    /// How many resources or values were skipped in all.
    pub fn skipped(&self) -> u64 {
        self.0.lock().map(|f| f.skipped).unwrap_or(0)
    }
}

/// The patients of a FHIR input, one at a time.
#[derive(Debug)]
pub struct FhirReader {
    mapping: Arc<Mapping>,
    vocab: Vocabulary,
    files: Vec<String>,
    partitions: Partitions,
    pending: VecDeque<Result<FhirPatient, TimelineError>>,
    findings: Findings,
}

/// Only the key of a partition line, to group lines without parsing resources.
#[derive(Deserialize)]
struct Key<'a>(
    #[serde(borrow)] Cow<'a, str>,
    IgnoredAny,
    IgnoredAny,
    IgnoredAny,
    IgnoredAny,
    IgnoredAny,
);

/// A partition line in full.
#[derive(Deserialize)]
struct Line(
    IgnoredAny,
    usize,
    usize,
    String,
    Option<String>,
    serde_json::Value,
);

impl FhirReader {
    /// Read the input at `path` (a file or a folder) into partitions; patients then come
    /// from [`FhirReader::next_patient`].
    pub fn open(
        path: &Path,
        mapping: Arc<Mapping>,
        vocab: &Vocabulary,
    ) -> Result<FhirReader, TimelineError> {
        let mut tally = Tally::default();
        let mut skips = Vec::new();
        let (partitions, files) = input::collect(path, &mut tally, &mut skips)?;
        let findings = Findings::default();
        findings.add(tally, skips);
        Ok(FhirReader {
            mapping,
            vocab: vocab.clone(),
            files,
            partitions,
            pending: VecDeque::new(),
            findings,
        })
    }

    /// A handle on the counts and skips, which grow as patients are read.
    pub fn findings(&self) -> Findings {
        self.findings.clone()
    }

    /// The next patient, or an error reading a partition.
    pub fn next_patient(&mut self) -> Option<Result<FhirPatient, TimelineError>> {
        loop {
            if let Some(next) = self.pending.pop_front() {
                return Some(next);
            }
            match self.partitions.next_partition()? {
                Ok(lines) => self.read_partition(&lines),
                Err(error) => {
                    let kind = crate::timeline::TimelineErrorKind::Io {
                        message: error.to_string(),
                    };
                    return Some(Err(TimelineError::new(
                        kind,
                        Origin::new("(partition)", None),
                    )));
                }
            }
        }
    }

    /// Group one partition's lines by patient, in order of first appearance, and map
    /// each patient.
    fn read_partition(&mut self, lines: &[String]) {
        let mut order: Vec<(String, Vec<usize>)> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for (i, line) in lines.iter().enumerate() {
            let Ok(Key(key, ..)) = serde_json::from_str::<Key<'_>>(line) else {
                continue;
            };
            match at.get(key.as_ref()) {
                Some(&group) => {
                    if let Some((_, members)) = order.get_mut(group) {
                        members.push(i);
                    }
                }
                None => {
                    at.insert(key.to_string(), order.len());
                    order.push((key.into_owned(), vec![i]));
                }
            }
        }
        let mut tally = Tally::default();
        let mut skips = Vec::new();
        for (key, members) in order {
            let entries: Vec<map::Entry> = members
                .iter()
                .filter_map(|&i| lines.get(i))
                .filter_map(|line| serde_json::from_str::<Line>(line).ok())
                .map(|Line(_, file, line, path, full_url, json)| map::Entry {
                    file,
                    line: (line > 0).then_some(line),
                    path,
                    full_url,
                    json,
                })
                .collect();
            let mut ctx = map::Context {
                mapping: &self.mapping,
                vocab: &self.vocab,
                files: &self.files,
                tally: &mut tally,
                skips: &mut skips,
            };
            if let Some(patient) = map::patient(&mut ctx, &key, entries) {
                self.pending.push_back(Ok(patient));
            }
        }
        self.findings.add(tally, skips);
    }
}

impl Iterator for FhirReader {
    type Item = Result<FhirPatient, TimelineError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_patient()
    }
}

#[cfg(test)]
mod tests;
