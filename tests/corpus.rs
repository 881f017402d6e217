//! Shipped definitions × the example cohort: pinned output, and agreement with results
//! derived by hand from the reference interpretation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;

use refract::report::outcome_line;

/// One snapshot per shipped definition: the exact JSON Lines `refract eval` writes.
#[test]
fn each_definition_over_the_example_cohort() {
    let patients = support::example_cohort();
    for definition in support::shipped() {
        let lines: Vec<String> = patients
            .iter()
            .map(|p| outcome_line(&refract::eval::evaluate(&definition, p)))
            .collect();
        insta::assert_snapshot!(format!("{}__example", definition.id), lines.join("\n"));
    }
}

/// Every patient × definition agrees with `tests/expected/example-cohort.jsonl`, which
/// was worked out by hand from the written interpretation, criterion by criterion.
#[test]
fn example_cohort_matches_the_hand_derived_results() {
    let expected_text =
        std::fs::read_to_string(support::root().join("tests/expected/example-cohort.jsonl"))
            .unwrap();
    let mut expected = BTreeMap::new();
    for line in expected_text.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let key = (
            value["patient"].as_str().unwrap().to_string(),
            value["definition"].as_str().unwrap().to_string(),
        );
        expected.insert(key, value);
    }
    let patients = support::example_cohort();
    let definitions = support::shipped();
    let mut mismatches = Vec::new();
    for patient in &patients {
        for definition in &definitions {
            let outcome = refract::eval::evaluate(definition, patient);
            let key = (patient.id.clone(), definition.id.clone());
            let Some(want) = expected.remove(&key) else {
                mismatches.push(format!("{key:?}: no expected result"));
                continue;
            };
            if outcome.result.as_str() != want["result"] {
                mismatches.push(format!(
                    "{key:?}: result {} but expected {}",
                    outcome.result, want["result"]
                ));
            }
            let onset = outcome.onset.map(|d| d.to_string());
            if onset.as_deref() != want["onset"].as_str() {
                mismatches.push(format!(
                    "{key:?}: onset {onset:?} but expected {}",
                    want["onset"]
                ));
            }
            for criterion in &outcome.criteria {
                if want["criteria"][&criterion.name] != criterion.result.as_str() {
                    mismatches.push(format!(
                        "{key:?} {}: {} but expected {} ({})",
                        criterion.name,
                        criterion.result,
                        want["criteria"][&criterion.name],
                        criterion.why
                    ));
                }
            }
        }
    }
    assert!(
        expected.is_empty(),
        "expected results for unknown patients: {:?}",
        expected.keys()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The cohort exercises every criterion three ways: met, not met and unknown.
#[test]
fn every_criterion_is_met_missed_and_unknown_somewhere() {
    let patients = support::example_cohort();
    let mut seen: BTreeMap<(String, String), [bool; 3]> = BTreeMap::new();
    for definition in support::shipped() {
        for patient in &patients {
            for criterion in refract::eval::evaluate(&definition, patient).criteria {
                let slot = match criterion.result {
                    refract::eval::Truth::Met => 0,
                    refract::eval::Truth::NotMet => 1,
                    refract::eval::Truth::Unknown => 2,
                };
                seen.entry((definition.id.clone(), criterion.name))
                    .or_default()[slot] = true;
            }
        }
    }
    let missing: Vec<_> = seen.iter().filter(|(_, s)| !s.iter().all(|b| *b)).collect();
    assert!(
        missing.is_empty(),
        "criteria not covered three ways: {missing:?}"
    );
    assert_eq!(seen.len(), 17, "the six definitions have 17 criteria");
}
