//! `refract check --input`: a cohort against the vocabulary, problems summarised per kind.

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use refract::timeline::read_cohort;
use refract::vocabulary::{suggest, Vocabulary};

/// How often one problem occurs, and where first.
struct Tally {
    count: usize,
    first: String,
    hint: String,
}

fn note(tallies: &mut BTreeMap<String, Tally>, key: String, at: String, hint: String) {
    tallies
        .entry(key)
        .and_modify(|t| t.count += 1)
        .or_insert(Tally {
            count: 1,
            first: at,
            hint,
        });
}

/// Read the whole cohort, print a summary; `false` if any patient cannot be read.
pub fn run(input: &Path, vocabulary: &Vocabulary) -> bool {
    let from_stdin = input.as_os_str() == "-";
    let name = if from_stdin {
        "stdin".to_string()
    } else {
        input.display().to_string()
    };
    let reader: Box<dyn BufRead> = if from_stdin {
        Box::new(BufReader::new(io::stdin()))
    } else {
        match File::open(input) {
            Ok(file) => Box::new(BufReader::new(file)),
            Err(error) => {
                eprintln!("error: cannot read {name}: {error}");
                return false;
            }
        }
    };
    let (mut read, mut events) = (0usize, 0usize);
    let mut errors: BTreeMap<String, Tally> = BTreeMap::new();
    let mut warnings: BTreeMap<String, Tally> = BTreeMap::new();
    let mut ids: HashMap<u64, Option<usize>> = HashMap::new();
    for item in read_cohort(reader, &name, vocabulary) {
        let patient = match item {
            Ok(patient) => patient,
            Err(error) => {
                note(
                    &mut errors,
                    error.kind().code().to_string(),
                    error.to_string(),
                    error.kind().help(),
                );
                continue;
            }
        };
        read += 1;
        let line = patient
            .line
            .map(|l| format!("line {l}"))
            .unwrap_or_else(|| name.clone());
        let mut hasher = DefaultHasher::new();
        patient.id.hash(&mut hasher);
        match ids.entry(hasher.finish()) {
            Entry::Occupied(first) => {
                let first = first
                    .get()
                    .map(|l| format!(" (first at line {l})"))
                    .unwrap_or_default();
                note(
                    &mut errors,
                    "duplicate patient id".to_string(),
                    format!("{line}: \"{}\"{first}", patient.id),
                    "ids must be unique in a cohort".to_string(),
                );
            }
            Entry::Vacant(slot) => {
                slot.insert(patient.line);
            }
        }
        for event in &patient.events {
            events += 1;
            let at = format!("{line}: events[{}]", event.index);
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
    println!(
        "{name}: {read} patients ({events} events) read, {} problems, {} warnings",
        total(&errors),
        total(&warnings)
    );
    for (heading, tallies) in [("errors", &errors), ("warnings", &warnings)] {
        if tallies.is_empty() {
            continue;
        }
        println!("{heading}:");
        for (what, tally) in tallies {
            println!("  {:>6} × {what}", tally.count);
            println!("           first: {}", tally.first);
            if !tally.hint.is_empty() {
                println!("           {}", tally.hint);
            }
        }
    }
    errors.is_empty()
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
