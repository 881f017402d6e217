//! `--format report`: one readable block per patient and definition, for a person checking
//! a result against the record. Every criterion with its result, its reason, the events it
//! rests on with the values the definition reads from them, and, when it is unknown, the
//! missing data that would decide it.
//!
//! ```text
//! P0001 · cci-2022 (refractory): met, onset 2021-02-16
//!   intrahepatic_progression: met on 2021-02-16
//!     why: the session of 2021-01-12: target_viable_sum_mm 12 on the imaging of …
//!     rests on:
//!       2020-09-03  imaging  event 1   modality CT, target_viable_sum_mm 10
//! ```

use std::fmt::Write as _;

use crate::check::Checked;
use crate::diagnostics::terminal::escape;
use crate::eval::{CriterionResult, Decider, Missing, Outcome, Truth};
use crate::timeline::Patient;

/// The block for one outcome; `checked` and `patient` are those it was evaluated from.
pub fn report_block(outcome: &Outcome, checked: &Checked, patient: &Patient) -> String {
    let mut out = String::with_capacity(512);
    let _ = write!(
        out,
        "{} · {} ({}): {}",
        escape(&outcome.patient),
        outcome.definition,
        outcome.outcome,
        words(outcome.result)
    );
    if let Some(onset) = outcome.onset {
        let _ = write!(out, ", onset {onset}");
    }
    out.push('\n');
    if let Some(title) = &checked.title {
        let _ = writeln!(out, "  {title}");
    }
    for (index, criterion) in outcome.criteria.iter().enumerate() {
        let read = checked
            .criteria
            .get(index)
            .map(|c| crate::check::attributes_read(checked, &c.body))
            .unwrap_or_default();
        criterion_block(&mut out, criterion, &read, patient);
    }
    out
}

fn words(truth: Truth) -> &'static str {
    match truth {
        Truth::Met => "met",
        Truth::NotMet => "not met",
        Truth::Unknown => "unknown",
    }
}

fn criterion_block(out: &mut String, c: &CriterionResult, read: &[String], patient: &Patient) {
    let _ = write!(out, "  {}: {}", c.name, words(c.result));
    if let Some(at) = c.at {
        let _ = write!(out, " on {at}");
    }
    out.push('\n');
    let _ = writeln!(out, "    why: {}", escape(&c.why));
    if !c.evidence.is_empty() {
        out.push_str("    rests on:\n");
        for e in &c.evidence {
            let values: Vec<String> = patient
                .events
                .iter()
                .find(|event| event.index == e.event)
                .map(|event| {
                    event
                        .attributes
                        .iter()
                        .filter(|(name, _)| read.iter().any(|r| r == name))
                        .map(|(name, value)| {
                            format!("{name} {}", escape(&crate::eval::show(value)))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let line = format!(
                "      {}  {:<8} event {:<4} {}",
                e.date,
                escape(&e.kind),
                e.event,
                values.join(", ")
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    if !c.decided_by.is_empty() {
        out.push_str("    would decide it:\n");
        for decider in &c.decided_by {
            let _ = writeln!(out, "      {}", decider_line(decider));
        }
    }
}

/// "tumor_count on the imaging of 2023-11-10 (event 4): met if >= 6, not met if <= 5".
fn decider_line(decider: &Decider) -> String {
    let mut line = match &decider.missing {
        Missing::Attribute {
            event,
            date,
            kind,
            attribute,
        } => {
            let kind = if kind.as_ref() == "tace" {
                "session"
            } else {
                kind.as_ref()
            };
            format!(
                "{attribute} on the {} of {date} (event {event}), not recorded",
                escape(kind)
            )
        }
        Missing::Event(what) => format!("not in the record: {}", escape(what)),
    };
    let conditions: Vec<String> = [("met", &decider.met_if), ("not met", &decider.not_met_if)]
        .into_iter()
        .filter_map(|(word, c)| c.as_ref().map(|c| format!("{word} if {}", c.written)))
        .collect();
    if !conditions.is_empty() {
        line.push_str(": ");
        line.push_str(&conditions.join(", "));
    }
    line
}
