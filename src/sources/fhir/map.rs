//! One patient's resources → the patient's timeline in the native form, by the mapping.
//! Every value goes through the vocabulary's types, so the native checks still apply.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::findings::{Reason, Skip, Tally};
use super::json::{code_of, date_time, extension, first_code, walk, DateProblem};
use super::values::{apply, read_element};
use super::Mapped;
use crate::sources::mapping::{EventRule, Mapping, Members, ObservationRule};
use crate::timeline::Origin;
use crate::vocabulary::Vocabulary;

/// One resource as read, and where.
#[derive(Debug)]
pub(super) struct Entry {
    pub file: usize,
    pub line: Option<usize>,
    /// The JSON path of the resource in its file (`entry[3].resource`), empty for NDJSON.
    pub path: String,
    pub full_url: Option<String>,
    pub json: Json,
}

impl Entry {
    fn resource_type(&self) -> &str {
        self.json
            .get("resourceType")
            .and_then(Json::as_str)
            .unwrap_or("?")
    }

    /// `Type/id`, else the bundle's `fullUrl`, else `Type` at its line.
    pub fn name(&self) -> String {
        match (self.json.get("id").and_then(Json::as_str), &self.full_url) {
            (Some(id), _) => format!("{}/{id}", self.resource_type()),
            (None, Some(url)) => url.clone(),
            (None, None) => format!("{} without id", self.resource_type()),
        }
    }
}

/// What mapping needs besides the resources.
pub(super) struct Context<'a> {
    pub mapping: &'a Mapping,
    pub vocab: &'a Vocabulary,
    pub files: &'a [String],
    pub tally: &'a mut Tally,
    pub skips: &'a mut Vec<Skip>,
}

impl Context<'_> {
    fn skip(&mut self, entry: &Entry, sub: &str, reason: Reason) {
        self.tally
            .skipped(entry.resource_type(), &first_code(&entry.json), &reason);
        self.note(entry, sub, reason);
    }

    /// A problem with one value of a resource that is still read.
    fn note(&mut self, entry: &Entry, sub: &str, reason: Reason) {
        let path = match (entry.path.is_empty(), sub.is_empty()) {
            (true, _) => sub.to_owned(),
            (false, true) => entry.path.clone(),
            (false, false) => format!("{}.{sub}", entry.path),
        };
        self.skips.push(Skip {
            file: self.files.get(entry.file).cloned().unwrap_or_default(),
            line: entry.line,
            resource: entry.name(),
            path,
            reason,
        });
    }
}

/// Every resource of a patient skipped: the input has no Patient with this id.
pub(super) fn unknown_patient(ctx: &mut Context<'_>, key: &str, entries: &[Entry]) {
    for entry in entries {
        ctx.skip(entry, "subject", Reason::UnknownPatient(key.to_owned()));
    }
}

/// The patient `key` from its resources, the Patient among them (the reader groups only
/// resources with one; without, the patient has no facts and its origin is the first
/// resource's).
pub(super) fn patient(ctx: &mut Context<'_>, key: &str, entries: Vec<Entry>) -> Mapped {
    let at = entries
        .iter()
        .position(|e| e.resource_type() == "Patient")
        .unwrap_or(usize::MAX);
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        index.entry(entry.name()).or_insert(i);
        if let Some(url) = &entry.full_url {
            index.entry(url.clone()).or_insert(i);
        }
    }
    // Members of a report or panel are read with it, not as events of their own.
    let mut member_of = vec![false; entries.len()];
    for entry in &entries {
        let rule = ctx
            .mapping
            .event_rule(entry.resource_type(), &code_of(&entry.json));
        if let Some(field) = rule.and_then(|r| member_field(r.members)) {
            for reference in references(&entry.json, field) {
                if let Some(&i) = index.get(reference) {
                    if let Some(flag) = member_of.get_mut(i) {
                        *flag = true;
                    }
                }
            }
        }
    }
    let mut facts = None;
    let mut events: Vec<Json> = Vec::new();
    let mut sources: Vec<Arc<str>> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        if member_of.get(i).copied().unwrap_or(false) {
            continue;
        }
        let kind = entry.resource_type();
        if i == at {
            facts = read_facts(ctx, entry);
            ctx.tally.mapped(kind, "-");
            continue;
        }
        if kind == "Patient" {
            ctx.skip(entry, "id", Reason::Duplicate(format!("Patient/{key}")));
            continue;
        }
        let codes = code_of(&entry.json);
        let made = if let Some(rule) = ctx.mapping.event_rule(kind, &codes) {
            group_event(ctx, rule, entry, &entries, &index)
        } else if let (Some(rule), "Observation") = (ctx.mapping.observation_rule(&codes), kind) {
            standalone(ctx, rule, entry)
                .map(|event| vec![(event, entry.name())])
                .unwrap_or_default()
        } else if ctx.mapping.reads_resource(kind) {
            ctx.skip(entry, "code", Reason::UnmappedCode);
            Vec::new()
        } else {
            ctx.skip(entry, "", Reason::UnmappedType);
            Vec::new()
        };
        for (event, source) in made {
            events.push(Json::Object(event));
            sources.push(Arc::from(source));
        }
    }
    // Resources have no order across files: the events are numbered in the contract's
    // order (date, time key, kind class), resources in input order within a tie, so that
    // evidence indices read in time order.
    let mut numbered: Vec<(Json, Arc<str>)> = events.into_iter().zip(sources).collect();
    numbered.sort_by_cached_key(|(event, _)| order_key(event));
    let (events, sources): (Vec<Json>, Vec<Arc<str>>) = numbered.into_iter().unzip();
    let patient_entry = entries.get(at).or(entries.first());
    let mut object = Map::new();
    object.insert("id".into(), Json::String(key.to_owned()));
    if let Some(facts) = facts {
        object.insert("facts".into(), Json::Object(facts));
    }
    object.insert("events".into(), Json::Array(events));
    let file = patient_entry
        .and_then(|e| ctx.files.get(e.file))
        .cloned()
        .unwrap_or_default();
    Mapped {
        text: Json::Object(object).to_string(),
        origin: Origin::new(file, patient_entry.and_then(|e| e.line)),
        sources,
    }
}

/// The contract's order of a native event (`timeline::order::sort_key` without the index).
fn order_key(event: &Json) -> (String, u16, u8) {
    let text = |key: &str| event.get(key).and_then(Json::as_str);
    let procedure = text("kind") == Some("tace");
    let minutes = text("time").and_then(|t| {
        let (h, m) = t.split_once(':')?;
        Some(h.parse::<u16>().ok()? * 60 + m.parse::<u16>().ok()?)
    });
    let key = match minutes {
        Some(m) => 1 + m,
        None if procedure => 1 + 24 * 60,
        None => 0,
    };
    (
        text("date").unwrap_or("").to_owned(),
        key,
        u8::from(procedure),
    )
}

fn member_field(members: Option<Members>) -> Option<&'static str> {
    match members? {
        Members::Result => Some("result"),
        Members::HasMember => Some("hasMember"),
        Members::Component => None,
    }
}

fn references<'a>(json: &'a Json, field: &str) -> impl Iterator<Item = &'a str> {
    json.get(field)
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("reference").and_then(Json::as_str))
}

fn read_facts(ctx: &mut Context<'_>, entry: &Entry) -> Option<Map<String, Json>> {
    let url = ctx.mapping.facts_extension.as_deref()?;
    let text = extension(&entry.json, url)?.as_str();
    match text.map(serde_json::from_str::<Json>) {
        Some(Ok(Json::Object(facts))) => Some(facts),
        _ => {
            let why = "the facts extension must hold a JSON object as valueString".to_owned();
            ctx.note(entry, "extension", Reason::BadValue(why));
            None
        }
    }
}

/// The event's date and time from the first of `paths` present.
fn dated(
    ctx: &mut Context<'_>,
    entry: &Entry,
    paths: &[Vec<String>],
    kind: &str,
) -> Option<Map<String, Json>> {
    let found = paths.iter().find_map(|path| {
        walk(&entry.json, path)
            .first()
            .and_then(|v| v.as_str())
            .map(|text| (path.join("."), text))
    });
    let Some((path, text)) = found else {
        let tried: Vec<String> = paths.iter().map(|p| p.join(".")).collect();
        ctx.skip(entry, "", Reason::MissingDate(tried.join(", ")));
        return None;
    };
    match date_time(text) {
        Ok((date, time)) => {
            let mut event = Map::new();
            event.insert("date".into(), Json::String(date.to_string()));
            if let Some((h, m)) = time {
                event.insert("time".into(), Json::String(format!("{h:02}:{m:02}")));
            }
            event.insert("kind".into(), Json::String(kind.to_owned()));
            Some(event)
        }
        Err(DateProblem::Partial | DateProblem::Invalid) => {
            ctx.skip(entry, &path, Reason::BadDate(text.to_owned()));
            None
        }
    }
}

/// The events of a resource of an event rule: one with its own attributes and its
/// members', or one per member (`each_member`), each named by its source.
fn group_event(
    ctx: &mut Context<'_>,
    rule: &EventRule,
    entry: &Entry,
    entries: &[Entry],
    index: &HashMap<String, usize>,
) -> Vec<(Map<String, Json>, String)> {
    let Some(mut event) = dated(ctx, entry, &rule.date, &rule.kind) else {
        return Vec::new();
    };
    if rule.each_member {
        ctx.tally
            .mapped(entry.resource_type(), &first_code(&entry.json));
        return each_member(ctx, rule, entry, entries, index, &event);
    }
    ctx.tally
        .mapped(entry.resource_type(), &first_code(&entry.json));
    for element in &rule.attributes {
        match read_element(ctx.vocab, &rule.kind, element, &entry.json) {
            None => {}
            Some(Ok(value)) => {
                event.insert(element.attribute.clone(), value);
            }
            Some(Err(reason)) => ctx.note(entry, &element.attribute, reason),
        }
    }
    match rule.members {
        Some(Members::Component) => {
            let components = entry.json.get("component").and_then(Json::as_array);
            for (i, component) in components.into_iter().flatten().enumerate() {
                let sub = format!("component[{i}]");
                let Some(orule) = ctx.mapping.observation_rule(&code_of(component)) else {
                    ctx.note(entry, &sub, Reason::UnmappedCode);
                    continue;
                };
                match apply(ctx.vocab, orule, component) {
                    Ok(values) => add(ctx, entry, &mut event, values),
                    Err((reason, at)) => ctx.note(entry, &format!("{sub}.{at}"), reason),
                }
            }
        }
        Some(members) => {
            let field = member_field(Some(members)).unwrap_or("result");
            for reference in references(&entry.json, field) {
                let Some(member) = index.get(reference).and_then(|&i| entries.get(i)) else {
                    ctx.note(entry, field, Reason::MissingMember(reference.to_owned()));
                    continue;
                };
                let rule_of = ctx.mapping.observation_rule(&code_of(&member.json));
                let Some(orule) = rule_of.filter(|o| o.kind == rule.kind) else {
                    ctx.skip(member, "code", Reason::UnmappedCode);
                    continue;
                };
                match apply(ctx.vocab, orule, &member.json) {
                    Ok(values) => {
                        ctx.tally
                            .mapped(member.resource_type(), &first_code(&member.json));
                        add(ctx, member, &mut event, values);
                    }
                    Err((reason, at)) => ctx.skip(member, &at, reason),
                }
            }
        }
        None => {}
    }
    vec![(event, entry.name())]
}

/// One event per member of a report, dated by the member's own date when it has one.
fn each_member(
    ctx: &mut Context<'_>,
    rule: &EventRule,
    entry: &Entry,
    entries: &[Entry],
    index: &HashMap<String, usize>,
    report: &Map<String, Json>,
) -> Vec<(Map<String, Json>, String)> {
    let field = member_field(rule.members).unwrap_or("result");
    let mut out = Vec::new();
    for reference in references(&entry.json, field) {
        let Some(member) = index.get(reference).and_then(|&i| entries.get(i)) else {
            ctx.note(entry, field, Reason::MissingMember(reference.to_owned()));
            continue;
        };
        let rule_of = ctx.mapping.observation_rule(&code_of(&member.json));
        let Some(orule) = rule_of.filter(|o| o.kind == rule.kind) else {
            ctx.skip(member, "code", Reason::UnmappedCode);
            continue;
        };
        let own_date = ctx
            .mapping
            .observation_date
            .iter()
            .any(|path| !walk(&member.json, path).is_empty());
        let mut event = if own_date {
            let dates = ctx.mapping.observation_date.clone();
            match dated(ctx, member, &dates, &rule.kind) {
                Some(event) => event,
                None => continue,
            }
        } else {
            report.clone()
        };
        match apply(ctx.vocab, orule, &member.json) {
            Ok(values) => {
                ctx.tally
                    .mapped(member.resource_type(), &first_code(&member.json));
                for (name, value) in values {
                    event.insert(name, value);
                }
                out.push((event, member.name()));
            }
            Err((reason, at)) => ctx.skip(member, &at, reason),
        }
    }
    out
}

fn add(
    ctx: &mut Context<'_>,
    entry: &Entry,
    event: &mut Map<String, Json>,
    values: Vec<(String, Json)>,
) {
    for (name, value) in values {
        if event.contains_key(&name) {
            ctx.note(entry, "", Reason::Duplicate(name));
        } else {
            event.insert(name, value);
        }
    }
}

/// An Observation that is an event on its own.
fn standalone(
    ctx: &mut Context<'_>,
    rule: &ObservationRule,
    entry: &Entry,
) -> Option<Map<String, Json>> {
    let dates = ctx.mapping.observation_date.clone();
    let mut event = dated(ctx, entry, &dates, &rule.kind)?;
    match apply(ctx.vocab, rule, &entry.json) {
        Ok(values) => {
            ctx.tally.mapped("Observation", &first_code(&entry.json));
            for (name, value) in values {
                event.insert(name, value);
            }
            Some(event)
        }
        Err((reason, at)) => {
            ctx.skip(entry, &at, reason);
            None
        }
    }
}
