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
