//! Two events of one kind at the same place of the timeline (one day, no time or the same
//! time) are ordered by the contract only by their place in the input. Where that order
//! could change an answer, refract says so instead of letting the input order decide.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use refract::eval::Truth::{Met, NotMet, Unknown};

fn shipped(id: &str) -> refract::check::Checked {
    support::shipped().into_iter().find(|d| d.id == id).unwrap()
}

fn criterion(definition: &str, name: &str, events: &str) -> refract::eval::CriterionResult {
    let patient = support::patient(&format!(r#"{{"id":"p","events":[{events}]}}"#));
    refract::eval::evaluate(&shipped(definition), &patient)
        .criteria
        .into_iter()
        .find(|c| c.name == name)
        .unwrap()
}

const AFTER: &str = r#"{"date":"2021-01-02","kind":"tace"},
    {"date":"2021-01-20","kind":"lab","test":"AFP","value":150},
    {"date":"2021-02-10","kind":"lab","test":"AFP","value":160}"#;

#[test]
fn two_reference_values_on_one_day_give_the_same_answer_in_either_order() {
    let a = r#"{"date":"2021-01-01","kind":"lab","test":"AFP","value":100}"#;
    let b = r#"{"date":"2021-01-01","kind":"lab","test":"AFP","value":200}"#;
    let one = criterion(
        "jsh-2010",
        "tumor_marker_elevation",
        &format!("{a},{b},{AFTER}"),
    );
    let other = criterion(
        "jsh-2010",
        "tumor_marker_elevation",
        &format!("{b},{a},{AFTER}"),
    );
    assert_eq!(one.result, other.result);
    assert_eq!(one.why, other.why);
    // 100 then 150, 160 rises above it; 200 does not: which is the latest is open.
    assert_eq!(one.result, Unknown, "{}", one.why);
    assert!(
        one.why
            .contains("the lab of 2021-01-01 and the lab of 2021-01-01 differ"),
        "{}",
        one.why
    );
    // With times, time decides.
    let timed = format!(
        r#"{{"date":"2021-01-01","time":"08:00","kind":"lab","test":"AFP","value":200}},
           {{"date":"2021-01-01","time":"09:00","kind":"lab","test":"AFP","value":100}},{AFTER}"#
    );
    assert_eq!(
        criterion("jsh-2010", "tumor_marker_elevation", &timed).result,
        Met
    );
}

#[test]
fn ties_that_differ_only_in_what_the_definition_never_reads_do_not_matter() {
    // Two sessions on one day, to the right and to the left lobe: europe-2014 reads their
    // intent, not their target, so which is the latest makes no difference.
    let events = r#"{"date":"2021-06-21","kind":"tace","target":"right lobe","intent":"palliative"},
        {"date":"2021-06-21","kind":"tace","target":"left lobe","intent":"palliative"},
        {"date":"2021-07-26","kind":"imaging","modality":"CT","mrecist":"PD"}"#;
    assert_eq!(
        criterion("europe-2014", "failure_for_intent", events).result,
        Met
    );
    // Different intents do matter: SD is failure only for the curative one.
    let intents = r#"{"date":"2021-06-21","kind":"tace","intent":"curative"},
        {"date":"2021-06-21","kind":"tace","intent":"palliative"},
        {"date":"2021-07-26","kind":"imaging","modality":"CT","mrecist":"SD"}"#;
    assert_eq!(
        criterion("europe-2014", "failure_for_intent", intents).result,
        Unknown
    );
    // Exact duplicates are one event twice: no doubt.
    let twice = r#"{"date":"2021-01-01","kind":"lab","test":"AFP","value":100},
        {"date":"2021-01-01","kind":"lab","test":"AFP","value":100}"#;
    assert_eq!(
        criterion(
            "jsh-2010",
            "tumor_marker_elevation",
            &format!("{twice},{AFTER}")
        )
        .result,
        Met
    );
}

#[test]
fn a_series_with_two_values_on_one_day_rises_only_in_one_of_their_orders() {
    let before = r#"{"date":"2021-01-01","kind":"lab","test":"AFP","value":100},
        {"date":"2021-01-02","kind":"tace"}"#;
    // 150 and 140 on the same day, then 160: 140, 150, 160 rises; 150, 140 falls.
    let tied = format!(
        r#"{before},{{"date":"2021-01-20","kind":"lab","test":"AFP","value":150}},
           {{"date":"2021-01-20","kind":"lab","test":"AFP","value":140}},
           {{"date":"2021-02-10","kind":"lab","test":"AFP","value":160}}"#
    );
    let c = criterion("jsh-lcsgj-2014", "tumor_marker_elevation", &tied);
    assert_eq!(c.result, Unknown, "{}", c.why);
    assert!(c.why.contains("depends on the order of"), "{}", c.why);
    // Falling after them whatever their order: not met.
    let falls = tied.replace("160", "120");
    assert_eq!(
        criterion("jsh-lcsgj-2014", "tumor_marker_elevation", &falls).result,
        NotMet
    );
}
