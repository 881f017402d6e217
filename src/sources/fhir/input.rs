//! Reading the input: a Bundle, a resource, a folder of them, or a Bulk Data export
//! (NDJSON, one file per resource type). Every resource is written, under its patient's
//! id, into a partition (`sources::partition`), so that a patient's resources meet
//! whatever file they are in.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value as Json;

use super::findings::{Reason, Skip, Tally};
use super::json::{first_code, reference_target};
use crate::sources::partition::{partitions_for, Partitioner, Partitions};
use crate::timeline::{
    Origin, TimelineError, TimelineErrorKind, MAX_DOCUMENT_BYTES, MAX_LINE_BYTES,
};

/// The part of a resource that says whose it is, read without building the rest.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "resourceType", borrow, default)]
    resource_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    subject: Option<Reference<'a>>,
    #[serde(borrow, default)]
    patient: Option<Reference<'a>>,
}

#[derive(Deserialize)]
struct Reference<'a> {
    #[serde(borrow, default)]
    reference: Option<Cow<'a, str>>,
}

/// Where resources go while they are read.
pub(super) struct Collector<'a> {
    partitioner: Partitioner,
    pub files: Vec<String>,
    pub tally: &'a mut Tally,
    pub skips: &'a mut Vec<Skip>,
}

fn io_error(file: &str, error: &std::io::Error) -> TimelineError {
    TimelineError::new(
        TimelineErrorKind::Io {
            message: error.to_string(),
        },
        Origin::new(file, None),
    )
}

/// The files of the input: NDJSON and JSON files of a folder (Patient files first, then
/// by name), or the one file given.
fn input_files(path: &Path) -> Result<Vec<PathBuf>, TimelineError> {
    let shown = path.display().to_string();
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| io_error(&shown, &e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("ndjson" | "json")
                )
        })
        .collect();
    files.sort_by_key(|p| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (!name.starts_with("Patient"), name)
    });
    Ok(files)
}

/// Read every resource of the input into partitions.
pub(super) fn collect(
    path: &Path,
    tally: &mut Tally,
    skips: &mut Vec<Skip>,
) -> Result<(Partitions, Vec<String>), TimelineError> {
    let files = input_files(path)?;
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let shown = path.display().to_string();
    let partitioner = Partitioner::new(partitions_for(bytes)).map_err(|e| io_error(&shown, &e))?;
    let mut collector = Collector {
        partitioner,
        files: Vec::new(),
        tally,
        skips,
    };
    for file in &files {
        let name = file.display().to_string();
        let at = collector.files.len();
        collector.files.push(name.clone());
        let ndjson = file.extension().and_then(|e| e.to_str()) == Some("ndjson");
        let read = if ndjson {
            collector.ndjson(file, at)
        } else {
            collector.document(file, at)
        };
        read.map_err(|e| io_error(&name, &e))?;
    }
    let Collector {
        partitioner, files, ..
    } = collector;
    let partitions = partitioner.finish().map_err(|e| io_error(&shown, &e))?;
    Ok((partitions, files))
}

impl Collector<'_> {
    fn skip(
        &mut self,
        file: usize,
        line: Option<usize>,
        path: &str,
        resource: &Json,
        reason: Reason,
    ) {
        let kind = resource
            .get("resourceType")
            .and_then(Json::as_str)
            .unwrap_or("?");
        self.tally.skipped(kind, &first_code(resource), &reason);
        let id = resource.get("id").and_then(Json::as_str);
        self.skips.push(Skip {
            file: self.files.get(file).cloned().unwrap_or_default(),
            line,
            resource: id.map_or_else(|| kind.to_owned(), |id| format!("{kind}/{id}")),
            path: path.to_owned(),
            reason,
        });
    }

    fn push(
        &mut self,
        key: &str,
        file: usize,
        line: Option<usize>,
        path: &str,
        full_url: Option<&str>,
        raw: &str,
    ) -> std::io::Result<()> {
        // Whether it is the Patient, so that grouping needs no parse of the resources.
        let patient = raw_is_patient(raw);
        let record = format!(
            "[{},{file},{},{},{},{patient},{raw}]",
            Json::String(key.to_owned()),
            line.unwrap_or(0),
            Json::String(path.to_owned()),
            full_url.map_or(Json::Null, |u| Json::String(u.to_owned())),
        );
        self.partitioner.push(key, &record)
    }

    /// A Bulk Data file: one resource per line.
    fn ndjson(&mut self, path: &Path, file: usize) -> std::io::Result<()> {
        let mut reader = BufReader::new(File::open(path)?);
        let mut line = String::new();
        let mut number = 0;
        loop {
            line.clear();
            let limit = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX);
            let read = reader.by_ref().take(limit + 1).read_line(&mut line)?;
            if read == 0 {
                return Ok(());
            }
            number += 1;
            if line.len() > MAX_LINE_BYTES && !line.ends_with('\n') {
                reader.skip_until(b'\n')?;
                let reason = Reason::Invalid("the line is longer than 16 MiB".into());
                self.skip(file, Some(number), "", &Json::Null, reason);
                continue;
            }
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            let head: Head<'_> = match serde_json::from_str(text) {
                Ok(head) => head,
                Err(error) => {
                    let reason = Reason::Invalid(error.to_string());
                    self.skip(file, Some(number), "", &Json::Null, reason);
                    continue;
                }
            };
            match patient_key(&head, &HashMap::new()) {
                Ok(key) => self.push(&key, file, Some(number), "", None, text)?,
                Err(reason) => {
                    let resource: Json = serde_json::from_str(text).unwrap_or(Json::Null);
                    self.skip(file, Some(number), "subject", &resource, reason);
                }
            }
        }
    }

    /// A JSON file: a Bundle or one resource.
    fn document(&mut self, path: &Path, file: usize) -> std::io::Result<()> {
        let mut text = String::new();
        let limit = u64::try_from(MAX_DOCUMENT_BYTES).unwrap_or(u64::MAX);
        File::open(path)?
            .take(limit + 1)
            .read_to_string(&mut text)?;
        if text.len() > MAX_DOCUMENT_BYTES {
            let reason = Reason::Invalid(
                "the file is larger than 64 MiB: give large inputs as a bulk export (NDJSON)"
                    .into(),
            );
            self.skip(file, None, "", &Json::Null, reason);
            return Ok(());
        }
        let json: Json = match serde_json::from_str(&text) {
            Ok(json) => json,
            Err(error) => {
                self.skip(
                    file,
                    None,
                    "",
                    &Json::Null,
                    Reason::Invalid(error.to_string()),
                );
                return Ok(());
            }
        };
        match json.get("resourceType").and_then(Json::as_str) {
            Some("Bundle") => self.bundle(&json, file),
            Some(_) => {
                let text = json.to_string();
                match serde_json::from_str::<Head<'_>>(&text)
                    .map(|h| patient_key(&h, &HashMap::new()))
                {
                    Ok(Ok(key)) => self.push(&key, file, None, "", None, &text),
                    Ok(Err(reason)) => {
                        self.skip(file, None, "subject", &json, reason);
                        Ok(())
                    }
                    Err(error) => {
                        self.skip(file, None, "", &json, Reason::Invalid(error.to_string()));
                        Ok(())
                    }
                }
            }
            None => {
                let reason = Reason::Invalid("no resourceType".into());
                self.skip(file, None, "resourceType", &json, reason);
                Ok(())
            }
        }
    }

    /// A Bundle's entries (collection, transaction, batch, searchset, document).
    fn bundle(&mut self, bundle: &Json, file: usize) -> std::io::Result<()> {
        let kind = bundle.get("type").and_then(Json::as_str).unwrap_or("");
        if !matches!(
            kind,
            "collection" | "transaction" | "batch" | "searchset" | "document"
        ) {
            let reason = Reason::Invalid(format!("a Bundle of type \"{kind}\" is not read: give a collection, transaction or searchset"));
            self.skip(file, None, "type", bundle, reason);
            return Ok(());
        }
        let entries = bundle
            .get("entry")
            .and_then(Json::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        // A transaction refers to its patients by fullUrl (urn:uuid:…).
        let mut patients: HashMap<String, String> = HashMap::new();
        for entry in entries {
            let resource = entry.get("resource");
            let is_patient = resource
                .and_then(|r| r.get("resourceType"))
                .and_then(Json::as_str)
                == Some("Patient");
            if let (true, Some(url)) = (is_patient, entry.get("fullUrl").and_then(Json::as_str)) {
                let id = resource
                    .and_then(|r| r.get("id"))
                    .and_then(Json::as_str)
                    .unwrap_or(url);
                patients.insert(url.to_owned(), id.to_owned());
            }
        }
        for (i, entry) in entries.iter().enumerate() {
            let path = format!("entry[{i}].resource");
            let Some(resource) = entry.get("resource") else {
                continue;
            };
            let full_url = entry.get("fullUrl").and_then(Json::as_str);
            let text = resource.to_string();
            let head = serde_json::from_str::<Head<'_>>(&text);
            let key = match &head {
                Ok(head)
                    if head.resource_type.as_deref() == Some("Patient") && head.id.is_none() =>
                {
                    full_url
                        .map(str::to_owned)
                        .ok_or(Reason::Invalid("a Patient without id or fullUrl".into()))
                }
                Ok(head) => patient_key(head, &patients),
                Err(error) => Err(Reason::Invalid(error.to_string())),
            };
            match key {
                Ok(key) => self.push(&key, file, None, &path, full_url, &text)?,
                Err(reason) => self.skip(file, None, &format!("{path}.subject"), resource, reason),
            }
        }
        Ok(())
    }
}

/// The id of the patient a resource belongs to.
fn patient_key(head: &Head<'_>, patients: &HashMap<String, String>) -> Result<String, Reason> {
    if head.resource_type.as_deref() == Some("Patient") {
        return head
            .id
            .as_deref()
            .map(str::to_owned)
            .ok_or(Reason::Invalid("a Patient without id".into()));
    }
    if head.resource_type.is_none() {
        return Err(Reason::Invalid("no resourceType".into()));
    }
    let reference = [&head.subject, &head.patient]
        .into_iter()
        .flatten()
        .find_map(|r| r.reference.as_deref())
        .ok_or(Reason::NoPatient)?;
    if let Some(id) = patients.get(reference) {
        return Ok(id.clone());
    }
    match reference_target(reference) {
        Some(("Patient", id)) => Ok(id.to_owned()),
        _ => Err(Reason::UnknownPatient(reference.to_owned())),
    }
}

/// Whether a resource's text is a Patient, read from its head only.
fn raw_is_patient(raw: &str) -> bool {
    #[derive(Deserialize)]
    struct Kind<'a> {
        #[serde(rename = "resourceType", borrow, default)]
        resource_type: Option<Cow<'a, str>>,
    }
    serde_json::from_str::<Kind<'_>>(raw)
        .is_ok_and(|k| k.resource_type.as_deref() == Some("Patient"))
}
