//! A candidate timeline as the search builds, shrinks and prints it: events on days
//! counted from a fixed first date, each with its attributes as JSON values.

use serde_json::Value;

use crate::date::Date;

/// The date of day 0.
const FIRST: &str = "2020-01-01";

/// One event.
#[derive(Debug, Clone)]
pub(super) struct Ev {
    pub(super) day: i64,
    pub(super) kind: String,
    pub(super) attrs: Vec<(String, Value)>,
}

/// A patient.
#[derive(Debug, Clone, Default)]
pub(super) struct Timeline {
    pub(super) events: Vec<Ev>,
}

fn first() -> Option<Date> {
    Date::parse(FIRST).ok()
}

impl Timeline {
    /// The patient's JSON object: compact, or (`pretty`) one event a line. Keys in the
    /// contract's order (`id`, then each event's `date` and `kind` first).
    pub(super) fn json(&self, pretty: bool) -> String {
        let base = first();
        let events: Vec<String> = self
            .events
            .iter()
            .map(|ev| {
                let date = base
                    .and_then(|b| b.add_days(ev.day))
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                let mut text = format!(
                    "{{\"date\":{},\"kind\":{}",
                    Value::String(date),
                    Value::String(ev.kind.clone())
                );
                for (key, value) in &ev.attrs {
                    text.push_str(&format!(",{}:{}", Value::String(key.clone()), value));
                }
                text.push('}');
                text
            })
            .collect();
        if pretty && !events.is_empty() {
            format!(
                "{{\n  \"id\": \"counterexample\",\n  \"events\": [\n    {}\n  ]\n}}",
                events.join(",\n    ")
            )
        } else {
            format!(
                "{{\"id\":\"counterexample\",\"events\":[{}]}}",
                events.join(",")
            )
        }
    }

    /// A timeline from a patient's JSON (a synthetic one): dates become days from the
    /// fixed first date, facts are left out.
    pub(super) fn from_json(text: &str) -> Option<Timeline> {
        let value: Value = serde_json::from_str(text).ok()?;
        let base = first()?;
        let mut events = Vec::new();
        for event in value.get("events")?.as_array()? {
            let object = event.as_object()?;
            let date = Date::parse(object.get("date")?.as_str()?).ok()?;
            let kind = object.get("kind")?.as_str()?.to_owned();
            let attrs = object
                .iter()
                .filter(|(k, _)| *k != "date" && *k != "kind")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            events.push(Ev {
                day: base.days_until(date),
                kind,
                attrs,
            });
        }
        Some(Timeline { events })
    }
}
