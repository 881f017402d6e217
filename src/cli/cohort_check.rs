//! `refract check --input`: a cohort against the vocabulary, problems summarised per kind.

use std::collections::BTreeMap;
use std::path::Path;

use refract::diagnostics::terminal;
use refract::sources::Format;
use refract::vocabulary::{suggest, Vocabulary};

use super::input::From;
use super::output::{say, Output};
use refract::timeline::SeenIds;

/// How often one problem occurs, where first, and (for ties) a few more places.
struct Tally {
    count: usize,
    first: String,
    also: Vec<String>,
    hint: String,
}

/// Places listed after the first, for problems each of which needs looking at.
const ALSO: usize = 9;

fn note(tallies: &mut BTreeMap<String, Tally>, key: String, at: String, hint: String) {
    tallies
        .entry(key)
        .and_modify(|t| t.count += 1)
        .or_insert(Tally {
            count: 1,
            first: at,
            also: Vec::new(),
            hint,
        });
}

/// Like [`note`], keeping up to [`ALSO`] more places.
fn note_each(tallies: &mut BTreeMap<String, Tally>, key: &str, at: String, hint: &str) {
    match tallies.get_mut(key) {
        Some(tally) => {
            tally.count += 1;
            if tally.also.len() < ALSO {
                tally.also.push(at);
            }
        }
        None => note(tallies, key.to_string(), at, hint.to_string()),
    }
}

/// Read the whole cohort, print a summary to `out`; `false` if any patient cannot be read.
pub fn run(input: &Path, from: From, vocabulary: &Vocabulary, out: &mut Output) -> bool {
    // FHIR: also what was mapped and skipped, per resource type and code.
    let opened = match from.format {
        refract::sources::Format::Fhir => {
            super::fhir_input::records(input, &from, vocabulary, true)
                .map(|(name, records, findings)| (name, records, Some(findings)))
        }
        _ => super::input::records(input, from.clone(), vocabulary).map(|(n, r)| (n, r, None)),
    };
    let (name, records, findings) = match opened {
        Ok(opened) => opened,
        Err(message) => {
            say(&format!("error: {message}"));
            return false;
        }
    };
    let (mut read, mut events) = (0usize, 0usize);
    let mut errors: BTreeMap<String, Tally> = BTreeMap::new();
    let mut warnings: BTreeMap<String, Tally> = BTreeMap::new();
    let mut ids = SeenIds::default();
    // What the rows of a CSV were read into, and what they left out (FHIR has its own
    // tally, below).
    let mut counts = (from.format == Format::Csv).then(Counts::default);
    for record in records {
        let item = record.parse(vocabulary);
        let patient = match item {
            Ok(patient) => patient,
            Err(error) => {
                // The id of a patient that could not be read is still taken.
                if let Some(id) = error.patient_id() {
                    ids.again(id, error.origin().line);
                }
                note(
                    &mut errors,
                    error.kind().code().to_string(),
                    error.to_string(),
                    error.help_text(),
                );
                continue;
            }
        };
        read += 1;
        if let Some(counts) = &mut counts {
            counts.add(&patient);
            for (what, why) in record.skipped() {
                *counts.skipped.entry(format!("{what}: {why}")).or_default() += 1;
            }
        }
        let line = patient
            .line
            .map(|l| format!("line {l}"))
            .unwrap_or_else(|| name.clone());
        if let Some(first) = ids.again(&patient.id, patient.line) {
            let first = first
                .map(|l| format!(" (first at line {l})"))
                .unwrap_or_default();
            note(
                &mut errors,
                "duplicate patient id".to_string(),
                format!("{line}: \"{}\"{first}", patient.id),
                "ids must be unique in a cohort".to_string(),
            );
        }
        for tie in super::ties::ties(&patient) {
            note_each(
                &mut warnings,
                "same-day events left to input order",
                format!("{line}: \"{}\" on {}", patient.id, tie.describe()),
                "two events of one kind on one day, at one time or both untimed, are ordered as written; give them times, or keep one, where a definition reads the latest or earliest of them",
            );
        }
        for event in &patient.events {
            events += 1;
            let at = match &event.source {
                Some(source) => format!("{source}: event {}", event.index),
                None => format!("{line}: events[{}]", event.index),
            };
            if !vocabulary.is_kind(&event.kind) {
                let hint = did_you_mean(&event.kind, vocabulary.kinds());
                note(
                    &mut warnings,
                    format!("unknown event kind `{}`", event.kind),
                    at.clone(),
                    hint,
                );
                continue;
            }
            for attribute in event.attributes.keys() {
                if vocabulary.attribute(Some(&event.kind), attribute).is_none() {
                    let known = vocabulary
                        .attributes()
                        .filter(|a| a.kind == event.kind)
                        .map(|a| a.name);
                    let hint = did_you_mean(attribute, known);
                    note(
                        &mut warnings,
                        format!("unknown attribute `{}.{attribute}`", event.kind),
                        format!("{at}.{attribute}"),
                        hint,
                    );
                }
            }
        }
    }
    // Ids, kinds, attribute names and messages come from the cohort: escaped.
    let mut line = |text: String| out.line(&terminal::escape(&text));
    line(format!(
        "{name}: {read} patients ({events} events) read, {} problems, {} warnings",
        total(&errors),
        total(&warnings)
    ));
    for (heading, tallies) in [("errors", &errors), ("warnings", &warnings)] {
        if tallies.is_empty() {
            continue;
        }
        line(format!("{heading}:"));
        for (what, tally) in tallies {
            line(format!("  {:>6} × {what}", tally.count));
            line(format!("           first: {}", tally.first));
            for at in &tally.also {
                line(format!("           also:  {at}"));
            }
            if !tally.hint.is_empty() {
                line(format!("           {}", tally.hint));
            }
        }
    }
    if let Some(counts) = &counts {
        counts.write(&mut line);
    }
    if let Some(findings) = findings {
        for text in findings.tally().render().lines() {
            line(text.to_owned());
        }
    }
    errors.is_empty()
}

/// How many events of each kind, values of each attribute and facts were read, and how
/// many cells were left out, and why, among the patients read.
#[derive(Default)]
struct Counts {
    read: BTreeMap<String, usize>,
    skipped: BTreeMap<String, usize>,
}

impl Counts {
    fn add(&mut self, patient: &refract::timeline::Patient) {
        for event in &patient.events {
            *self.read.entry(event.kind.to_string()).or_default() += 1;
            for attribute in event.attributes.keys() {
                let key = format!("{}.{attribute}", event.kind);
                *self.read.entry(key).or_default() += 1;
            }
        }
        for fact in patient.facts.keys() {
            *self.read.entry(format!("facts.{fact}")).or_default() += 1;
        }
    }

    fn write(&self, line: &mut impl FnMut(String)) {
        line("read (events of each kind, values of each attribute, facts):".to_string());
        for (what, count) in &self.read {
            line(format!("  {count:>6} × {what}"));
        }
        if !self.skipped.is_empty() {
            line("skipped:".to_string());
            for (what, count) in &self.skipped {
                line(format!("  {count:>6} × {what}"));
            }
        }
    }
}

fn total(tallies: &BTreeMap<String, Tally>) -> usize {
    tallies.values().map(|t| t.count).sum()
}

fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    match suggest(word, known).first() {
        Some(best) => format!("did you mean `{best}`?"),
        None => "new to the vocabulary: definitions can still use it".to_string(),
    }
}
