//! Definitions and patients that once exhausted the stack, the memory or the clock of the
//! evaluator: each now gives its answer (or, for work that multiplies without bound, an
//! error for that patient and definition alone). Inputs are generated here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use refract::eval::{evaluate, Truth};

/// A day per event, from 1900 on, as the hostile-input generator wrote them.
fn day(i: usize) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        1900 + i / 336,
        1 + (i / 28) % 12,
        1 + i % 28
    )
}

#[test]
fn every_over_30000_sessions_on_a_small_stack() {
    let definition = support::compile(
        "definition pal\n  outcome refractory\n\
         criterion all_palliative = every session S: intent of S is palliative\n\
         met when all_palliative\n",
    );
    let events: Vec<String> = (0..30_000)
        .map(|i| {
            format!(
                r#"{{"date":"{}","kind":"tace","intent":"palliative"}}"#,
                day(i)
            )
        })
        .collect();
    let patient = support::patient(&format!(r#"{{"id":"p","events":[{}]}}"#, events.join(",")));
    // The default stack of a spawned thread: evaluation must not recurse with the data.
    let outcome = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || evaluate(&definition, &patient))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(outcome.result, Truth::Met);
    let c = &outcome.criteria[0];
    assert!(
        c.why
            .starts_with("every session (30000 examined); the last:"),
        "{}",
        c.why
    );
    assert_eq!(c.evidence.len(), 30_000);
    let line = refract::report::outcome_line(&outcome);
    assert!(line.len() < 2_000_000);
}

#[test]
fn parts_that_use_each_other_twice_are_evaluated_once() {
    // p0 = p1 and p1, p1 = p2 and p2, …: 2^30 as a tree, 30 as a chain.
    let mut text = String::from("definition dag\n  outcome refractory\n");
    for i in 0..30 {
        text.push_str(&format!("part p{i} = p{} and p{}\n", i + 1, i + 1));
    }
    text.push_str("part p30 = at least 1 session\ncriterion c = p0\nmet when c\n");
    let definition = support::compile(&text);
    let patient = support::patient(
        r#"{"id":"p","events":[{"date":"2021-01-01","kind":"tace"},{"date":"2021-02-01","kind":"tace"}]}"#,
    );
    let outcome = evaluate(&definition, &patient);
    assert_eq!(outcome.result, Truth::Met);
    // The reason is written once, not 2^30 times.
    assert!(
        outcome.criteria[0].why.len() < 200,
        "{}",
        outcome.criteria[0].why
    );
    assert_eq!(outcome.criteria[0].evidence.len(), 1);
}

#[test]
fn nested_quantifiers_that_ignore_their_element_are_evaluated_once() {
    // `any session shows any session shows …` 30 times: 2^30 as written, 30 evaluations.
    let inner = (0..30).fold("number > 100000".to_string(), |body, _| {
        format!("any session shows ({body})")
    });
    let definition = support::compile(&format!(
        "definition d\n  outcome refractory\ncriterion c = {inner}\nmet when c\n"
    ));
    let patient = support::patient(
        r#"{"id":"p","events":[{"date":"2021-01-01","kind":"tace"},{"date":"2021-02-01","kind":"tace"}]}"#,
    );
    assert_eq!(evaluate(&definition, &patient).result, Truth::NotMet);
}

#[test]
fn work_that_multiplies_stops_that_patient_and_definition_with_an_error() {
    let definition = support::compile(
        "definition cube\n  outcome refractory\n\
         criterion c = any imaging A: any imaging B: any imaging C: any imaging D:\n\
           tumor_count of A > tumor_count of B + tumor_count of C + tumor_count of D\n\
         met when c\n",
    );
    // All counts 0: never met, so every one of 80^4 combinations would be tried.
    let events: Vec<String> = (0..80)
        .map(|i| {
            format!(
                r#"{{"date":"{}","kind":"imaging","tumor_count":0}}"#,
                day(i)
            )
        })
        .collect();
    let patient = support::patient(&format!(r#"{{"id":"p","events":[{}]}}"#, events.join(",")));
    let outcome = evaluate(&definition, &patient);
    let stopped = outcome.stopped.as_deref().unwrap_or_default();
    assert!(
        stopped.contains("evaluation stopped in criterion c"),
        "{stopped:?}"
    );
    let line = refract::report::stopped_line(&outcome, stopped);
    let value: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(value["definition"], "cube");
    // A small patient under the same definition is answered.
    let small = support::patient(&format!(
        r#"{{"id":"s","events":[{}]}}"#,
        events[..3].join(",")
    ));
    let answered = evaluate(&definition, &small);
    assert!(answered.stopped.is_none());
    assert_eq!(answered.result, Truth::NotMet);
}

#[test]
fn shipped_definitions_on_a_patient_of_2000_sessions() {
    // A session, a scan and a lab each day: windows, the 6-month target groups and the
    // marker references all stay proportional to the patient (benches/sessions.sh times
    // 1,000 to 16,000 sessions).
    let mut events = Vec::new();
    for i in 0..2000 {
        let d = day(i);
        events.push(format!(r#"{{"date":"{d}","kind":"tace","target":"S8"}}"#));
        events.push(format!(
            r#"{{"date":"{d}","kind":"imaging","modality":"CT","mrecist":"SD"}}"#
        ));
        events.push(format!(
            r#"{{"date":"{d}","kind":"lab","test":"AFP","value":{i}}}"#
        ));
    }
    let patient = support::patient(&format!(r#"{{"id":"q","events":[{}]}}"#, events.join(",")));
    for definition in support::shipped() {
        let outcome = evaluate(&definition, &patient);
        assert!(outcome.stopped.is_none(), "{}", definition.id);
        if definition.id == "epoihcc-2013" {
            // Each next session comes the next day, before any response window opens;
            // the last session's window is open and holds no CT/MRI: unknown, and why.
            assert_eq!(outcome.result, Truth::Unknown);
            assert!(
                outcome.criteria[0]
                    .why
                    .contains("no CT/MRI 1 to 3 months after the session of 1905-12-12"),
                "{}",
                outcome.criteria[0].why
            );
        }
    }
}
