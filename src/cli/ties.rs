//! Events the timeline contract orders only by their place in the input: two of one kind
//! on one day at the same time (or both untimed) with different values. A definition
//! that reads the latest or earliest of them, or compares them in order, can then give
//! another result when the same events are written in another order, so `check --input`
//! names them. Labs of different tests on one day are not ties: definitions select a lab
//! by its test.

use refract::date::Date;
use refract::timeline::order::sort_key;
use refract::timeline::{Event, Patient, Value};

/// One group of tied events: their date, what they are, and their input positions.
pub struct Tie {
    /// The day.
    pub date: Date,
    /// The kind, and for a lab its test (`lab AFP`).
    pub what: String,
    /// The events' positions in the input `events` array, in input order.
    pub events: Vec<usize>,
}

impl Tie {
    /// The tie in words: `2021-01-01: events[0] and events[1] (lab AFP)`.
    pub fn describe(&self) -> String {
        let events: Vec<String> = self.events.iter().map(|i| format!("events[{i}]")).collect();
        let events = match events.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        format!("{}: {events} ({})", self.date, self.what)
    }
}

/// The ties of a patient whose events are in the contract's order.
pub fn ties(patient: &Patient) -> Vec<Tie> {
    let mut found = Vec::new();
    let mut start = 0;
    while let Some(first) = patient.events.get(start) {
        let place = |event: &Event| {
            let (date, time, class, _) = sort_key(event);
            (date, time, class)
        };
        let same_place = patient
            .events
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|event| place(event) == place(first))
            .count();
        let group = patient
            .events
            .get(start..start + same_place)
            .unwrap_or_default();
        start += same_place.max(1);
        // Within one place, events of one series (kind, and a lab's test) that differ.
        let mut series: Vec<(String, Vec<&Event>)> = Vec::new();
        for event in group {
            let what = series_of(event);
            match series.iter_mut().find(|(w, _)| *w == what) {
                Some((_, events)) => events.push(event),
                None => series.push((what, vec![event])),
            }
        }
        for (what, events) in series {
            let differ = events.windows(2).any(|pair| match pair {
                [a, b] => a.attributes != b.attributes,
                _ => false,
            });
            if events.len() > 1 && differ {
                let mut positions: Vec<usize> = events.iter().map(|e| e.index).collect();
                positions.sort_unstable();
                found.push(Tie {
                    date: first.date,
                    what,
                    events: positions,
                });
            }
        }
    }
    found
}

/// The series an event belongs to: its kind, and for a lab its test.
fn series_of(event: &Event) -> String {
    match (event.kind.as_ref(), event.get("test")) {
        ("lab", Some(Value::Text(test))) => format!("lab {test}"),
        (kind, _) => kind.to_string(),
    }
}
