//! refract's own JSON: read by [`crate::timeline::read_cohort`] (JSON Lines or one
//! patient per file), written in one canonical form so that conversions are exact.
//!
//! The canonical line of a patient is compact JSON with keys in a fixed order:
//! `{"id":…,"facts":{…},"events":[…]}`, `facts` left out when there are none, its keys
//! in alphabetical order; the events in their input order (so each keeps its index), each
//! `{"date":…,"time":…,"kind":…}` then its attributes in alphabetical order, `time` left
//! out when not given; numbers in their shortest exact form (`12.50` is `12.5`).
//!
//! ```
//! use refract::sources::native::patient_line;
//! use refract::timeline::{parse_patient, Origin};
//! use refract::vocabulary::Vocabulary;
//!
//! let vocabulary = Vocabulary::builtin();
//! let text = r#"{"events": [{"viable_percent": 40.0, "kind": "imaging", "date": "2021-02-01"}], "id": "P1"}"#;
//! let patient = parse_patient(text, &Origin::new("p.json", None), &vocabulary).unwrap();
//! assert_eq!(
//!     patient_line(&patient),
//!     r#"{"id":"P1","events":[{"date":"2021-02-01","kind":"imaging","viable_percent":40}]}"#
//! );
//! ```

use std::io::{BufRead, Write};

use serde_json::Value as Json;

use super::PatientWriter;
use crate::timeline::{read_cohort, Patient, Record};
use crate::vocabulary::Vocabulary;

/// The records of a JSON (Lines) input, in order.
pub fn records<R: BufRead>(
    reader: R,
    file: &str,
    vocab: &Vocabulary,
) -> impl Iterator<Item = Record> {
    let mut cohort = read_cohort(reader, file, vocab);
    std::iter::from_fn(move || cohort.next_record())
}

/// The patient as one canonical JSON line (no line break); see the [module docs](self).
pub fn patient_line(patient: &Patient) -> String {
    let mut out = String::with_capacity(64 + 96 * patient.events.len());
    out.push_str("{\"id\":");
    out.push_str(&Json::from(patient.id.as_str()).to_string());
    if !patient.facts.is_empty() {
        out.push_str(",\"facts\":");
        out.push_str(&Json::Object(patient.facts.clone()).to_string());
    }
    out.push_str(",\"events\":[");
    let mut events: Vec<_> = patient.events.iter().collect();
    events.sort_by_key(|event| event.index);
    for (i, event) in events.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"date\":\"");
        out.push_str(&event.date.to_string());
        out.push('"');
        if let Some((hour, minute)) = event.time {
            out.push_str(&format!(",\"time\":\"{hour:02}:{minute:02}\""));
        }
        out.push_str(",\"kind\":");
        out.push_str(&Json::from(event.kind.as_ref()).to_string());
        for (name, value) in event.attributes.iter() {
            out.push(',');
            out.push_str(&Json::from(name).to_string());
            out.push(':');
            out.push_str(&value.to_json().to_string());
        }
        out.push('}');
    }
    out.push_str("]}");
    out
}

/// Writes patients as canonical JSON Lines.
pub struct Writer<'w> {
    out: Box<dyn Write + Send + 'w>,
}

impl<'w> Writer<'w> {
    /// A writer onto `out`.
    pub fn new(out: Box<dyn Write + Send + 'w>) -> Writer<'w> {
        Writer { out }
    }
}

impl PatientWriter for Writer<'_> {
    fn write(&mut self, patient: &Patient, _vocab: &Vocabulary) -> std::io::Result<()> {
        let mut line = patient_line(patient);
        line.push('\n');
        self.out.write_all(line.as_bytes())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
