//! Writing patients as a FHIR Bulk Data export: a folder of NDJSON files, one per
//! resource type, by the same mapping read backwards, so that reading the export gives
//! the same timelines (`refract convert --to fhir-bulk`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Map, Value as Json};

use crate::sources::mapping::{ElementSource, EventRule, Mapping, Members, ObservationRule};
use crate::timeline::{Event, Patient, Value};

/// An attribute (or event) that the mapping gives no way to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwritten {
    /// The patient.
    pub patient: String,
    /// The event's index in the patient's input.
    pub event: usize,
    /// What was not written, and why.
    pub what: String,
}

/// What is told of each attribute or event not written.
type Report = Box<dyn FnMut(&Unwritten) + Send>;

/// A Bulk Data export being written.
pub struct BulkWriter {
    dir: PathBuf,
    mapping: Arc<Mapping>,
    files: BTreeMap<String, BufWriter<File>>,
    on_unwritten: Option<Report>,
}

impl std::fmt::Debug for BulkWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkWriter")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl crate::sources::PatientWriter for BulkWriter {
    fn write(&mut self, patient: &Patient, _: &crate::vocabulary::Vocabulary) -> io::Result<()> {
        let unwritten = BulkWriter::write(self, patient)?;
        if let Some(report) = self.on_unwritten.as_mut() {
            unwritten.iter().for_each(report);
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        for writer in self.files.values_mut() {
            writer.flush()?;
        }
        Ok(())
    }
}

const UCUM: &str = "http://unitsofmeasure.org";

impl BulkWriter {
    /// Write into `dir` (created if needed).
    pub fn create(dir: &Path, mapping: Arc<Mapping>) -> io::Result<BulkWriter> {
        std::fs::create_dir_all(dir)?;
        Ok(BulkWriter {
            dir: dir.to_owned(),
            mapping,
            files: BTreeMap::new(),
            on_unwritten: None,
        })
    }

    /// Report each attribute or event not written (as a [`PatientWriter`] the writer
    /// cannot return them).
    ///
    /// [`PatientWriter`]: crate::sources::PatientWriter
    pub fn on_unwritten(mut self, report: impl FnMut(&Unwritten) + Send + 'static) -> BulkWriter {
        self.on_unwritten = Some(Box::new(report));
        self
    }

    fn emit(&mut self, resource: &Json) -> io::Result<()> {
        let kind = resource
            .get("resourceType")
            .and_then(Json::as_str)
            .unwrap_or("Resource")
            .to_owned();
        if !self.files.contains_key(&kind) {
            let file = File::create(self.dir.join(format!("{kind}.ndjson")))?;
            self.files.insert(kind.clone(), BufWriter::new(file));
        }
        match self.files.get_mut(&kind) {
            Some(writer) => {
                serde_json::to_writer(&mut *writer, resource)?;
                writer.write_all(b"\n")
            }
            None => Ok(()),
        }
    }

    /// Write one patient; what the mapping cannot write is returned, the rest written.
    pub fn write(&mut self, patient: &Patient) -> io::Result<Vec<Unwritten>> {
        let mut unwritten = Vec::new();
        let mut resource = Map::new();
        resource.insert("resourceType".into(), json!("Patient"));
        resource.insert("id".into(), json!(patient.id));
        if let (Some(url), false) = (&self.mapping.facts_extension, patient.facts.is_empty()) {
            let facts = Json::Object(patient.facts.clone()).to_string();
            resource.insert(
                "extension".into(),
                json!([{"url": url, "valueString": facts}]),
            );
        }
        self.emit(&Json::Object(resource))?;
        let mut events: Vec<&Event> = patient.events.iter().collect();
        events.sort_by_key(|e| e.index);
        for event in events {
            let resources = self.event(patient, event, &mut unwritten);
            for resource in resources {
                self.emit(&resource)?;
            }
        }
        Ok(unwritten)
    }

    /// Finish the files.
    pub fn finish(self) -> io::Result<()> {
        for (_, mut writer) in self.files {
            writer.flush()?;
        }
        Ok(())
    }

    fn event(&self, patient: &Patient, event: &Event, unwritten: &mut Vec<Unwritten>) -> Vec<Json> {
        let id = format!("{}-e{}", patient.id, event.index);
        let subject = json!({"reference": format!("Patient/{}", patient.id)});
        let when = when(event);
        let mut missing = |what: String| {
            unwritten.push(Unwritten {
                patient: patient.id.clone(),
                event: event.index,
                what,
            });
        };
        let kind: &str = &event.kind;
        let rules = &self.mapping;
        // A resource of its own (a Procedure): the attributes are its elements.
        if let Some(rule) = rules
            .events
            .iter()
            .find(|r| r.kind == kind && r.members.is_none() && !r.codes.is_empty())
        {
            return vec![own_resource(rule, event, &id, subject, &when, &mut missing)];
        }
        // One Observation: a value with its fixed attributes (a lab value).
        if let Some(rule) = rules.observations.iter().find(|r| single(r, event)) {
            let report = rules
                .events
                .iter()
                .find(|r| r.kind == kind && r.each_member && r.members == Some(Members::Result));
            // In a report of its own, so that it keeps its place among the other reports of
            // the day (the export's files are read one after the other).
            let member_id = match report {
                Some(_) => format!("{id}-{}", rule.attribute.replace('_', "-")),
                None => id.clone(),
            };
            let mut resource = observation(
                rule,
                event,
                &member_id,
                subject.clone(),
                &when,
                &rules.observation_date,
            );
            if let Some(value) = event.get(&rule.attribute) {
                write_value(rule, value, event, &mut resource, &mut missing);
            }
            let Some(report) = report else {
                return vec![Json::Object(resource)];
            };
            let results = vec![json!({"reference": format!("Observation/{member_id}")})];
            return vec![
                report_resource(report, &id, subject, &when, results),
                Json::Object(resource),
            ];
        }
        // A report whose results are the attributes.
        let group = rules
            .events
            .iter()
            .find(|r| r.kind == kind && r.members == Some(Members::Result) && !r.each_member);
        let Some(rule) = group else {
            missing(format!(
                "a {kind} event: no rule of the mapping writes this kind"
            ));
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut results = Vec::new();
        for (name, value) in event.attributes.iter() {
            let member = rules
                .observations
                .iter()
                .find(|r| r.kind == kind && r.attribute == name && r.fixed.is_empty());
            let Some(member) = member else {
                missing(format!(
                    "{name}: no observation of the mapping has this attribute"
                ));
                continue;
            };
            let member_id = format!("{id}-{}", name.replace('_', "-"));
            let mut resource = observation(
                member,
                event,
                &member_id,
                subject.clone(),
                &when,
                &rules.observation_date,
            );
            write_value(member, value, event, &mut resource, &mut missing);
            results.push(json!({"reference": format!("Observation/{member_id}")}));
            out.push(Json::Object(resource));
        }
        out.insert(0, report_resource(rule, &id, subject, &when, results));
        out
    }
}

/// A DiagnosticReport of a rule with its results.
fn report_resource(
    rule: &EventRule,
    id: &str,
    subject: Json,
    when: &str,
    results: Vec<Json>,
) -> Json {
    let mut report = Map::new();
    report.insert("resourceType".into(), json!(rule.resource));
    report.insert("id".into(), json!(id));
    report.insert("status".into(), json!("final"));
    report.insert("code".into(), coding_of(rule));
    report.insert("subject".into(), subject);
    if let Some(path) = rule.date.first() {
        put(&mut report, path, json!(when));
    }
    report.insert("result".into(), Json::Array(results));
    Json::Object(report)
}

/// `YYYY-MM-DD`, or with the time of day. FHIR requires an offset with a time: `Z` is
/// written, and the reader takes the clock time as written whatever the offset.
fn when(event: &Event) -> String {
    match event.time {
        Some((h, m)) => format!("{}T{h:02}:{m:02}:00Z", event.date),
        None => event.date.to_string(),
    }
}

fn coding_of(rule: &EventRule) -> Json {
    let coding: Vec<Json> = rule
        .codes
        .first()
        .map(|c| json!({"system": c.system, "code": c.code}))
        .into_iter()
        .collect();
    json!({ "coding": coding })
}

/// Whether an event is exactly one value of this rule: its fixed attributes, the value,
/// and the unit.
fn single(rule: &ObservationRule, event: &Event) -> bool {
    if rule.fixed.is_empty() || rule.kind != *event.kind {
        return false;
    }
    let fixed_match = rule
        .fixed
        .iter()
        .all(|(name, value)| event.get(name).map(Value::to_json).as_ref() == Some(value));
    let unit_ok = match &rule.unit_attribute {
        Some(attribute) => event
            .get(attribute)
            .and_then(Value::as_text)
            .is_some_and(|u| rule.units.iter().any(|(accepted, _)| accepted == u)),
        None => true,
    };
    let known = event.attributes.keys().all(|name| {
        name == rule.attribute
            || rule.fixed.iter().any(|(f, _)| f == name)
            || rule.unit_attribute.as_deref() == Some(name)
    });
    fixed_match && unit_ok && known
}

fn observation(
    rule: &ObservationRule,
    _event: &Event,
    id: &str,
    subject: Json,
    when: &str,
    dates: &[Vec<String>],
) -> Map<String, Json> {
    let mut resource = Map::new();
    resource.insert("resourceType".into(), json!("Observation"));
    resource.insert("id".into(), json!(id));
    resource.insert("status".into(), json!("final"));
    resource.insert(
        "code".into(),
        json!({"coding": [{"system": rule.code.system, "code": rule.code.code}]}),
    );
    resource.insert("subject".into(), subject);
    if let Some(path) = dates.first() {
        put(&mut resource, path, json!(when));
    }
    resource
}

/// The value as the Observation's value[x].
fn write_value(
    rule: &ObservationRule,
    value: &Value,
    event: &Event,
    resource: &mut Map<String, Json>,
    missing: &mut impl FnMut(String),
) {
    let json = value.to_json();
    if let Some(set) = &rule.values {
        match set.code_for(&json) {
            Some(code) => {
                resource.insert(
                    "valueCodeableConcept".into(),
                    json!({"coding": [{"system": code.system, "code": code.code}]}),
                );
            }
            None => missing(format!(
                "{}: {json} has no code in the value set `{}`",
                rule.attribute, set.name
            )),
        }
        return;
    }
    match value {
        Value::Number(n) => {
            let unit = rule
                .unit_attribute
                .as_deref()
                .and_then(|a| event.get(a))
                .and_then(Value::as_text)
                .map(str::to_owned)
                .or_else(|| rule.unit.clone());
            match unit {
                Some(unit) => {
                    resource.insert(
                        "valueQuantity".into(),
                        json!({"value": n.to_json(), "unit": unit, "system": UCUM, "code": unit}),
                    );
                }
                None if n.is_integer() => {
                    resource.insert("valueInteger".into(), n.to_json());
                }
                None => {
                    resource.insert("valueQuantity".into(), json!({"value": n.to_json()}));
                }
            }
        }
        Value::Bool(b) => {
            resource.insert("valueBoolean".into(), json!(b));
        }
        Value::Text(s) => {
            resource.insert("valueString".into(), json!(s));
        }
        Value::List(_) | Value::Object(_) => missing(format!(
            "{}: a list or object has no Observation value",
            rule.attribute
        )),
    }
}

/// A resource of its own (a Procedure) with the attributes as its elements.
fn own_resource(
    rule: &EventRule,
    event: &Event,
    id: &str,
    subject: Json,
    when: &str,
    missing: &mut impl FnMut(String),
) -> Json {
    let mut resource = Map::new();
    resource.insert("resourceType".into(), json!(rule.resource));
    resource.insert("id".into(), json!(id));
    resource.insert(
        "status".into(),
        json!(if rule.resource == "Procedure" {
            "completed"
        } else {
            "final"
        }),
    );
    resource.insert("code".into(), coding_of(rule));
    resource.insert("subject".into(), subject);
    if let Some(path) = rule.date.first() {
        put(&mut resource, path, json!(when));
    }
    let mut extensions = Vec::new();
    for (name, value) in event.attributes.iter() {
        let Some(element) = rule.attributes.iter().find(|e| e.attribute == name) else {
            missing(format!(
                "{name}: no element of the mapping holds this attribute"
            ));
            continue;
        };
        let json = value.to_json();
        let coded = |v: &Json| match &element.values {
            Some(set) => set
                .code_for(v)
                .map(|c| json!({"system": c.system, "code": c.code})),
            None => Some(v.clone()),
        };
        match &element.from {
            ElementSource::Extension(url) => {
                let Some(v) = coded(&json) else { continue };
                let key = match &v {
                    Json::Bool(_) => "valueBoolean",
                    Json::Number(n) if n.is_i64() || n.is_u64() => "valueInteger",
                    Json::Number(_) => "valueDecimal",
                    Json::Object(_) => "valueCoding",
                    _ => "valueString",
                };
                extensions.push(json!({"url": url, key: v}));
            }
            ElementSource::Element(path) => {
                let items: Vec<Json> = match &json {
                    Json::Array(items) => items.iter().filter_map(coded).collect(),
                    other => coded(other).into_iter().collect(),
                };
                put_all(&mut resource, path, items);
            }
        }
    }
    if !extensions.is_empty() {
        resource.insert("extension".into(), Json::Array(extensions));
    }
    Json::Object(resource)
}

/// Set the element at `path` (`performedPeriod.start`) to `value`.
fn put(resource: &mut Map<String, Json>, path: &[String], value: Json) {
    let Some((last, steps)) = path.split_last() else {
        return;
    };
    let mut here = resource;
    for step in steps {
        let next = here
            .entry(step.clone())
            .or_insert_with(|| Json::Object(Map::new()));
        let Json::Object(object) = next else { return };
        here = object;
    }
    here.insert(last.clone(), value);
}

/// Set `path` to one entry per item: `usedCode.text` → `usedCode: [{text: a}, {text: b}]`.
fn put_all(resource: &mut Map<String, Json>, path: &[String], items: Vec<Json>) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        if let Some(item) = items.into_iter().next() {
            resource.insert(first.clone(), item);
        }
        return;
    }
    let entries: Vec<Json> = items
        .into_iter()
        .map(|item| {
            let mut object = Map::new();
            put(&mut object, rest, item);
            Json::Object(object)
        })
        .collect();
    resource.insert(first.clone(), Json::Array(entries));
}
