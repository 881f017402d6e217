//! Criteria written the same way in several definitions of a run are evaluated once per
//! patient and taken by the others: every definition's outcome must be the one it has
//! evaluated alone, in any order of the definitions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use refract::check::Checked;
use refract::eval::{evaluate, evaluate_sharing, Index, SharedCriteria, Sharing};
use refract::report::outcome_line;
use refract::timeline::Patient;

/// Two definitions sharing a criterion (`latest_value`) whose answer depends on which of
/// two labs of one day is the latest, while they read other attributes: the first tells
/// labs apart by their test, the second does not.
const READS_TEST: &str = r#"
definition reads-test
  outcome refractory

part last_lab "the latest lab" = latest lab on or before session 1

criterion latest_value = value of last_lab > 100
criterion afp_measured = any lab shows test is AFP

met when latest_value or afp_measured
"#;

const READS_VALUES: &str = r#"
definition reads-values
  outcome refractory

part last_lab "the latest lab" = latest lab on or before session 1

criterion latest_value = value of last_lab > 100
criterion many_tumours = any imaging shows tumor_count > 2

met when latest_value or many_tumours
"#;

/// Every definition's output line, each evaluated alone.
fn alone(definitions: &[&Checked], patient: &Patient) -> Vec<String> {
    definitions
        .iter()
        .map(|d| outcome_line(&evaluate(d, patient)))
        .collect()
}

/// Every definition's output line, evaluated in turn sharing criteria.
fn shared(definitions: &[&Checked], patient: &Patient) -> Vec<String> {
    let sharing = Sharing::new(definitions.iter().copied());
    let index = Index::new(patient);
    let mut results = SharedCriteria::new(&sharing);
    definitions
        .iter()
        .map(|d| outcome_line(&evaluate_sharing(d, patient, &index, &mut results)))
        .collect()
}

#[test]
fn the_shipped_definitions_share_the_criteria_written_the_same_way() {
    let shipped = support::shipped();
    let sharing = Sharing::new(&shipped);
    // jsh-2010 and jsh-lcsgj-2014: vascular invasion, extrahepatic spread and the
    // tumour-marker rise, each counted in both.
    assert_eq!(sharing.shared_criteria(), 6);
    let pair = [support::compile(READS_TEST), support::compile(READS_VALUES)];
    assert_eq!(Sharing::new(&pair).shared_criteria(), 2);
}

#[test]
fn a_tie_told_apart_by_one_definition_only_is_not_shared() {
    let (a, b) = (support::compile(READS_TEST), support::compile(READS_VALUES));
    // Two labs of one day, without times, differing only in their test: for the first
    // definition which is the latest is not in the record; for the second they are one.
    let patient = support::patient(
        r#"{"id":"p","events":[
            {"date":"2021-01-10","kind":"lab","test":"AFP","value":150},
            {"date":"2021-01-10","kind":"lab","test":"AST","value":150},
            {"date":"2021-01-20","kind":"tace"}]}"#,
    );
    let by_itself = alone(&[&a, &b], &patient);
    assert!(
        by_itself[0].contains(r#""name":"latest_value","result":"unknown""#),
        "{}",
        by_itself[0]
    );
    assert!(
        by_itself[1].contains(r#""name":"latest_value","result":"met""#),
        "{}",
        by_itself[1]
    );
    assert_eq!(shared(&[&a, &b], &patient), by_itself);
    assert_eq!(shared(&[&b, &a], &patient), alone(&[&b, &a], &patient));
}

/// A definition of the given parts and criteria, met when `met`.
fn definition(id: &str, parts: &str, criteria: &[(&str, &str)], met: &str) -> Checked {
    let mut text = format!("definition {id}\n  outcome refractory\n\n{parts}\n");
    for (name, body) in criteria {
        text.push_str(&format!("criterion {name}\n  source \"s\"\n  = {body}\n\n"));
    }
    text.push_str(&format!("met when {met}\n"));
    support::compile(&text)
}

#[test]
fn a_taken_reason_names_parts_as_the_definition_it_was_made_in_does() {
    // The shared part is the first in one definition and the second in the other.
    let baseline = r#"part baseline "baseline imaging" = latest imaging on or before session 1"#;
    let a = definition("a", baseline, &[("c", "mrecist of baseline is PD")], "c");
    let b = definition(
        "b",
        &format!("part other \"other imaging\" = latest imaging\n{baseline}"),
        &[
            ("c", "mrecist of baseline is PD"),
            ("d", "mrecist of other is CR"),
        ],
        "c or d",
    );
    let patient = support::patient(
        r#"{"id":"p","events":[{"date":"2021-01-01","kind":"imaging","modality":"CT","mrecist":"PD"},{"date":"2021-01-05","kind":"tace"}]}"#,
    );
    let lines = shared(&[&a, &b], &patient);
    assert!(
        lines[1].contains("mrecist PD on baseline (2021-01-01)"),
        "{}",
        lines[1]
    );
    assert_eq!(lines, alone(&[&a, &b], &patient));
}

#[test]
fn a_criterion_another_criterion_uses_is_not_taken() {
    // Alone, `d` reuses the `pd` that `c` made, and writes its reason once.
    let pd = r#"part pd "PD imaging" = mrecist of latest imaging is PD"#;
    let a = definition("a", pd, &[("c", "pd")], "c");
    let b = definition("b", pd, &[("c", "pd"), ("d", "c and pd")], "d");
    let sharing = Sharing::new([&a, &b]);
    assert_eq!(sharing.shared_criteria(), 0);
    let patient = support::patient(
        r#"{"id":"p","events":[{"date":"2021-01-01","kind":"imaging","modality":"CT","mrecist":"PD"},{"date":"2021-01-05","kind":"tace"}]}"#,
    );
    assert_eq!(shared(&[&a, &b], &patient), alone(&[&a, &b], &patient));
}

#[test]
fn a_definition_that_would_stop_alone_stops_when_it_shares() {
    // `heavy` is made once by the first definition and reused inside a filter, where part
    // results are not kept: evaluated alone, the second definition makes it for each lab
    // and reaches the step limit.
    let heavy = r#"part heavy "heavy" = any imaging I: any imaging J: viable_percent of I > viable_percent of J"#;
    let filtered = "any lab L where heavy: test of L is AFP";
    let a = definition("a", heavy, &[("b", "heavy"), ("c", filtered)], "b or c");
    let b = definition("b", heavy, &[("c", filtered)], "c");
    let mut events: Vec<String> = (0..400)
        .map(|i| {
            let day = refract::date::Date::parse("2020-01-01")
                .unwrap()
                .add_days(i)
                .unwrap();
            format!(r#"{{"date":"{day}","kind":"imaging","modality":"CT","viable_percent":50}}"#)
        })
        .collect();
    events.extend((0..30).map(|i| {
        let day = refract::date::Date::parse("2021-03-01")
            .unwrap()
            .add_days(i)
            .unwrap();
        format!(r#"{{"date":"{day}","kind":"lab","test":"AFP","value":5}}"#)
    }));
    events.push(r#"{"date":"2021-05-01","kind":"tace"}"#.to_string());
    let patient = support::patient(&format!(r#"{{"id":"p","events":[{}]}}"#, events.join(",")));
    assert!(evaluate(&b, &patient).stopped.is_some());
    let sharing = Sharing::new([&a, &b]);
    let index = Index::new(&patient);
    let mut results = SharedCriteria::new(&sharing);
    let first = evaluate_sharing(&a, &patient, &index, &mut results);
    assert!(first.stopped.is_none());
    let second = evaluate_sharing(&b, &patient, &index, &mut results);
    assert!(second.stopped.is_some(), "{}", outcome_line(&second));
    assert_eq!(shared(&[&a, &b], &patient), alone(&[&a, &b], &patient));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, rng_seed: RngSeed::Fixed(2026), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn shared_criteria_give_every_definition_its_own_outcome(events in support::timelines::events_with_ties(), reversed in any::<bool>()) {
        let json = format!(r#"{{"id":"p","events":[{}]}}"#, events.join(","));
        let patient = support::patient(&json);
        let shipped = support::shipped();
        let pair = [support::compile(READS_TEST), support::compile(READS_VALUES)];
        let mut definitions: Vec<&Checked> = shipped.iter().chain(&pair).collect();
        if reversed {
            definitions.reverse();
        }
        prop_assert_eq!(shared(&definitions, &patient), alone(&definitions, &patient));
    }
}
