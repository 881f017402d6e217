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
mod values;
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
use crate::timeline::{parse_patient, Assemble, Origin, Patient, Record, TimelineError};
use crate::vocabulary::Vocabulary;

/// One patient's resources as grouped by the reader, not yet mapped: mapping and checking
/// happen in [`FhirPatient::assemble`], which may run in parallel.
#[derive(Debug, Clone)]
pub struct FhirPatient {
    /// The Patient resource's id.
    pub id: String,
    lines: Vec<String>,
    shared: Arc<Shared>,
}

/// Called once every patient of an input has been mapped (when the reader and the last
/// patient are dropped), with what was found: the command line prints the skips then.
pub type OnDone = Box<dyn FnOnce(&Findings) + Send>;

/// What every patient of one input shares.
struct Shared {
    mapping: Arc<Mapping>,
    files: Vec<String>,
    findings: Findings,
    on_done: Mutex<Option<OnDone>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let done = self.on_done.get_mut().ok().and_then(Option::take);
        if let Some(done) = done {
            done(&self.findings);
        }
    }
}

/// A patient mapped to the native form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// The patient as native JSON (`timeline-format.md`).
    pub text: String,
    /// The Patient resource's file (and NDJSON line).
    pub origin: Origin,
    /// The `Type/id` of each event's resource, by event index.
    pub sources: Vec<Arc<str>>,
}

impl FhirPatient {
    /// Map the resources (counts and skips go to the reader's [`Findings`]).
    pub fn map(&self, vocab: &Vocabulary) -> Mapped {
        let entries = self.lines.iter().filter_map(|line| entry(line)).collect();
        let mut tally = Tally::default();
        let mut skips = Vec::new();
        let mut ctx = map::Context {
            mapping: &self.shared.mapping,
            vocab,
            files: &self.shared.files,
            tally: &mut tally,
            skips: &mut skips,
        };
        let mapped = map::patient(&mut ctx, &self.id, entries);
        self.shared.findings.add(tally, skips);
        mapped
    }

    /// Map the patient and check it as the native format does; each event names the
    /// resource it came from (`source`).
    pub fn assemble(&self, vocab: &Vocabulary) -> Result<Patient, TimelineError> {
        let mapped = self.map(vocab);
        let mut patient = parse_patient(&mapped.text, &mapped.origin, vocab)?;
        for event in &mut patient.events {
            event.source = mapped.sources.get(event.index).cloned();
        }
        Ok(patient)
    }
}

impl Assemble for FhirPatient {
    fn assemble(&self, vocab: &Vocabulary) -> Result<Patient, TimelineError> {
        FhirPatient::assemble(self, vocab)
    }
}

/// The records of the FHIR input at `path` for the pipeline (each patient mapped when
/// parsed), and a handle on what is found; `on_done` is called once all are mapped.
pub fn records(
    path: &Path,
    mapping: Arc<Mapping>,
    vocab: &Vocabulary,
    on_done: Option<OnDone>,
) -> Result<(Box<dyn Iterator<Item = Record> + Send>, Findings), TimelineError> {
    let reader = FhirReader::open_with(path, mapping, vocab, on_done)?;
    let findings = reader.findings();
    let records = reader.map(|item| match item {
        Ok(patient) => Record::Assembled(Arc::new(patient)),
        Err(error) => Record::Failed(error),
    });
    Ok((Box::new(records), findings))
}

/// A partition line as a resource and where it was read.
fn entry(line: &str) -> Option<map::Entry> {
    let Line(_, file, line, path, full_url, _, json) = serde_json::from_str(line).ok()?;
    Some(map::Entry {
        file,
        line: (line > 0).then_some(line),
        path,
        full_url,
        json,
    })
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
    /// Counts and skips of one patient (patients may be mapped in parallel: the skips
    /// kept are the first by place, whatever the order they came in).
    fn add(&self, tally: Tally, skips: Vec<Skip>) {
        if skips.is_empty() && tally.counts.is_empty() {
            return;
        }
        if let Ok(mut found) = self.0.lock() {
            found.tally.merge(tally);
            found.skipped += skips.len() as u64;
            if !skips.is_empty() {
                found.skips.extend(skips);
                found.skips.sort_by(|a, b| {
                    (&a.file, a.line, &a.resource, &a.path).cmp(&(
                        &b.file,
                        b.line,
                        &b.resource,
                        &b.path,
                    ))
                });
                found.skips.truncate(MAX_SKIPS_KEPT);
            }
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
    shared: Arc<Shared>,
    vocab: Vocabulary,
    partitions: Partitions,
    pending: VecDeque<Result<FhirPatient, TimelineError>>,
}

/// Only the key of a partition line, to group lines without parsing resources.
#[derive(Deserialize)]
struct Key<'a>(
    #[serde(borrow)] Cow<'a, str>,
    IgnoredAny,
    IgnoredAny,
    IgnoredAny,
    IgnoredAny,
    bool,
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
    IgnoredAny,
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
        FhirReader::open_with(path, mapping, vocab, None)
    }

    /// [`FhirReader::open`], with a call once every patient has been mapped.
    pub fn open_with(
        path: &Path,
        mapping: Arc<Mapping>,
        vocab: &Vocabulary,
        on_done: Option<OnDone>,
    ) -> Result<FhirReader, TimelineError> {
        let mut tally = Tally::default();
        let mut skips = Vec::new();
        let (partitions, files) = input::collect(path, &mut tally, &mut skips)?;
        let findings = Findings::default();
        findings.add(tally, skips);
        Ok(FhirReader {
            shared: Arc::new(Shared {
                mapping,
                files,
                findings,
                on_done: Mutex::new(on_done),
            }),
            vocab: vocab.clone(),
            partitions,
            pending: VecDeque::new(),
        })
    }

    /// A handle on the counts and skips, which grow as patients are read.
    pub fn findings(&self) -> Findings {
        self.shared.findings.clone()
    }

    /// The next patient, or an error reading a partition.
    pub fn next_patient(&mut self) -> Option<Result<FhirPatient, TimelineError>> {
        loop {
            if let Some(next) = self.pending.pop_front() {
                return Some(next);
            }
            match self.partitions.next_partition()? {
                Ok(lines) => self.read_partition(lines),
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

    /// Group one partition's lines by patient, in order of first appearance. A group
    /// without a Patient resource is reported here; the others are mapped when assembled.
    fn read_partition(&mut self, lines: Vec<String>) {
        let mut order: Vec<(String, bool, Vec<String>)> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for line in lines {
            let Ok(Key(key, _, _, _, _, patient, _)) = serde_json::from_str::<Key<'_>>(&line)
            else {
                continue;
            };
            let key = key.into_owned();
            match at.get(&key) {
                Some(&group) => {
                    if let Some((_, has_patient, members)) = order.get_mut(group) {
                        *has_patient |= patient;
                        members.push(line);
                    }
                }
                None => {
                    at.insert(key.clone(), order.len());
                    order.push((key, patient, vec![line]));
                }
            }
        }
        for (id, has_patient, lines) in order {
            if has_patient {
                let shared = self.shared.clone();
                self.pending
                    .push_back(Ok(FhirPatient { id, lines, shared }));
                continue;
            }
            let entries: Vec<map::Entry> = lines.iter().filter_map(|l| entry(l)).collect();
            let mut tally = Tally::default();
            let mut skips = Vec::new();
            let mut ctx = map::Context {
                mapping: &self.shared.mapping,
                vocab: &self.vocab,
                files: &self.shared.files,
                tally: &mut tally,
                skips: &mut skips,
            };
            map::unknown_patient(&mut ctx, &id, &entries);
            self.shared.findings.add(tally, skips);
        }
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
