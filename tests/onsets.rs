//! Onsets hold as of their own date. For every `met` criterion of every shipped definition
//! (and the study definitions and scores), the record cut at its date (`--as-of` that date) gives
//! `met` too; for criteria that later events cannot take back, the record cut the day
//! before does not. The definition's onset holds the same way. Checked over synthetic
//! patients (`refract synth`, `REFRACT_ONSET_PATIENTS` of them, 20,000 by default) and
//! generated timelines.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::HashMap;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use refract::ast::Quantifier;
use refract::check::{Checked, Node, NodeKind};
use refract::date::Date;
use refract::eval::{evaluate, Truth};
use refract::timeline::{parse_patient, Origin, Patient};
use refract::vocabulary::Vocabulary;

/// The shipped definitions, the published study definitions and the scores.
fn definitions() -> Vec<Checked> {
    let mut all = support::shipped();
    let vocabulary = Vocabulary::builtin();
    let files = refract::definition_files(&[
        support::root().join("definitions/studies"),
        support::root().join("definitions/scores"),
    ])
    .unwrap();
    for file in files {
        match refract::load_definition(&file, &vocabulary) {
            Ok((checked, _)) => all.push(checked),
            Err(diagnostics) => panic!("{}", diagnostics.render_plain(100)),
        }
    }
    all
}

/// The patient as recorded on `date`: later events are dropped (what `--as-of` does).
fn cut(patient: &Patient, date: Date) -> Patient {
    let mut cut = patient.clone();
    cut.events.retain(|e| e.date <= date);
    cut
}

/// Whether a met result of `node` stays met whatever events come later. Conservative: a
/// construct that a later event could take back (`not`, `every`, `no`, `at most`, the
/// latest of an open selection, a series that a later value can break, a score) is not.
struct Monotone<'c> {
    checked: &'c Checked,
    parts: HashMap<usize, bool>,
}

impl Monotone<'_> {
    fn node(&mut self, node: &Node) -> bool {
        match &node.kind {
            NodeKind::Not(_) | NodeKind::Rises { .. } | NodeKind::Score(_) => false,
            NodeKind::Extreme(..) => false,
            NodeKind::And(a, b) | NodeKind::Or(a, b) | NodeKind::Else(a, b) => {
                self.node(a) && self.node(b)
            }
            NodeKind::Quantified {
                quantifier,
                set,
                body,
                ..
            } => {
                matches!(quantifier, Quantifier::Any | Quantifier::AtLeast(_))
                    && self.node(set)
                    && body.as_deref().is_none_or(|b| self.node(b))
            }
            NodeKind::Consecutive {
                quantifier, body, ..
            }
            | NodeKind::EachValue {
                quantifier, body, ..
            } => matches!(quantifier, Quantifier::Any | Quantifier::AtLeast(_)) && self.node(body),
            NodeKind::Run { body, .. } => self.node(body),
            NodeKind::Log10(inner) => self.node(inner),
            NodeKind::Shows(event, cond) => self.node(event) && self.node(cond),
            NodeKind::Occurs(event, window) => self.node(event) && self.node(&window.anchor),
            NodeKind::Compare(a, _, b) | NodeKind::Arith(_, a, b) => self.node(a) && self.node(b),
            NodeKind::Same { left, right, .. } => self.node(left) && self.node(right),
            NodeKind::Change {
                value, reference, ..
            } => self.node(value) && self.node(reference),
            NodeKind::In { value, list, .. } => {
                self.node(value) && list.iter().all(|n| self.node(n))
            }
            NodeKind::Truthy(value) => self.node(value),
            NodeKind::Attribute(_, of) | NodeKind::SessionOrdinal(of) => {
                of.as_deref().is_none_or(|of| self.node(of))
            }
            // Later events sort after: the earliest cannot change. The latest can, unless
            // a window closes the selection at an event that is already there.
            NodeKind::Earliest(set) => self.node(set),
            NodeKind::Latest(set) => self.node(set) && closed_above(set),
            NodeKind::NextSession(of) | NodeKind::PreviousSession(of) => self.node(of),
            NodeKind::Select {
                head,
                windows,
                filter,
                ..
            } => {
                self.node(head)
                    && windows.iter().all(|w| self.node(&w.anchor))
                    && filter.as_deref().is_none_or(|f| self.node(f))
            }
            NodeKind::Criterion(index) => {
                let checked = self.checked;
                self.node(&checked.criteria[*index].body)
            }
            NodeKind::Call(part, args) => {
                if !args.iter().all(|a| self.node(a)) {
                    return false;
                }
                if let Some(&known) = self.parts.get(part) {
                    return known;
                }
                let checked = self.checked;
                let answer = self.node(&checked.parts[*part].body);
                self.parts.insert(*part, answer);
                answer
            }
            NodeKind::Const(_)
            | NodeKind::Slot(_)
            | NodeKind::SessionNumber(_)
            | NodeKind::Sessions
            | NodeKind::Kind(_) => true,
        }
    }
}

/// Whether a selection has an upper bound on an event that exists for good (`on or before
/// session 1`): then its latest member cannot be displaced by later events.
fn closed_above(set: &Node) -> bool {
    use refract::ast::WindowKind;
    let NodeKind::Select { windows, .. } = &set.kind else {
        return false;
    };
    windows.iter().any(|w| {
        matches!(
            w.kind,
            WindowKind::OnOrBefore
                | WindowKind::UpTo
                | WindowKind::Before
                | WindowKind::WithinBefore(_)
        ) && !matches!(
            w.anchor.kind,
            NodeKind::NextSession(_) | NodeKind::PreviousSession(_)
        )
    })
}

/// Counterexamples by kind, with the first few described.
#[derive(Default)]
struct Findings {
    checked_at: usize,
    checked_before: usize,
    not_met_at_onset: Vec<String>,
    met_the_day_before: Vec<String>,
}

impl Findings {
    fn check(&mut self, definitions: &[Checked], monotone: &[Vec<bool>], patient: &Patient) {
        for (d, definition) in definitions.iter().enumerate() {
            let full = evaluate(definition, patient);
            for (c, criterion) in full.criteria.iter().enumerate() {
                if criterion.result != Truth::Met {
                    continue;
                }
                let Some(at) = criterion.at else {
                    self.not_met_at_onset.push(format!(
                        "{} {} {}: met with no date ({})",
                        patient.id, definition.id, criterion.name, criterion.why
                    ));
                    continue;
                };
                self.checked_at += 1;
                let as_of = evaluate(definition, &cut(patient, at));
                if as_of.criteria[c].result != Truth::Met {
                    self.not_met_at_onset.push(format!(
                        "{} {} {}: met on {at} on the full record ({}), {} as of {at} ({})",
                        patient.id,
                        definition.id,
                        criterion.name,
                        criterion.why,
                        as_of.criteria[c].result,
                        as_of.criteria[c].why
                    ));
                }
                if monotone[d][c] {
                    let Some(day_before) = at.add_days(-1) else {
                        continue;
                    };
                    self.checked_before += 1;
                    let before = evaluate(definition, &cut(patient, day_before));
                    if before.criteria[c].result == Truth::Met {
                        self.met_the_day_before.push(format!(
                            "{} {} {}: met on {at} ({}), already met as of {day_before} ({})",
                            patient.id,
                            definition.id,
                            criterion.name,
                            criterion.why,
                            before.criteria[c].why
                        ));
                    }
                }
            }
            if let (Truth::Met, Some(onset)) = (full.result, full.onset) {
                self.checked_at += 1;
                let as_of = evaluate(definition, &cut(patient, onset));
                if as_of.result != Truth::Met {
                    self.not_met_at_onset.push(format!(
                        "{} {}: onset {onset}, {} as of that date",
                        patient.id, definition.id, as_of.result
                    ));
                }
            }
        }
    }

    fn assert_none(&self) {
        let show = |v: &[String]| v.iter().take(8).cloned().collect::<Vec<_>>().join("\n");
        assert!(
            self.not_met_at_onset.is_empty() && self.met_the_day_before.is_empty(),
            "{} of {} met results are not met as of their date:\n{}\n\
             {} of {} that later events cannot take back are already met the day before:\n{}",
            self.not_met_at_onset.len(),
            self.checked_at,
            show(&self.not_met_at_onset),
            self.met_the_day_before.len(),
            self.checked_before,
            show(&self.met_the_day_before),
        );
    }
}

fn monotone_criteria(definitions: &[Checked]) -> Vec<Vec<bool>> {
    definitions
        .iter()
        .map(|checked| {
            let mut monotone = Monotone {
                checked,
                parts: HashMap::new(),
            };
            checked
                .criteria
                .iter()
                .map(|c| monotone.node(&c.body))
                .collect()
        })
        .collect()
}

#[test]
fn onsets_of_synthetic_patients_hold_as_of_their_date() {
    let count: usize = std::env::var("REFRACT_ONSET_PATIENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let definitions = definitions();
    let monotone = monotone_criteria(&definitions);
    let vocabulary = Vocabulary::builtin();
    let mut findings = Findings::default();
    for index in 0..count {
        let json = refract::synth::patient_json(index, 2026);
        let patient = parse_patient(&json, &Origin::new("synth", None), &vocabulary).unwrap();
        findings.check(&definitions, &monotone, &patient);
    }
    assert!(
        findings.checked_at > count / 2,
        "too few met results to test"
    );
    findings.assert_none();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, rng_seed: RngSeed::Fixed(2026), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn onsets_of_generated_timelines_hold_as_of_their_date(events in support::timelines::events()) {
        let (definitions, monotone) = &*COMPILED;
        let json = format!(r#"{{"id":"p","events":[{}]}}"#, events.join(","));
        let patient = parse_patient(&json, &Origin::new("p.json", None), &Vocabulary::builtin()).unwrap();
        let mut findings = Findings::default();
        findings.check(definitions, monotone, &patient);
        findings.assert_none();
    }
}

/// The definitions, compiled once for all generated cases.
static COMPILED: std::sync::LazyLock<(Vec<Checked>, Vec<Vec<bool>>)> =
    std::sync::LazyLock::new(|| {
        let definitions = definitions();
        let monotone = monotone_criteria(&definitions);
        (definitions, monotone)
    });
