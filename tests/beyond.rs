//! Weighted scores with bands (the ART score) and arithmetic on attributes (up-to-seven),
//! as shipped in definitions/scores.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use refract::eval::Truth::{Met, NotMet, Unknown};

fn definition(name: &str) -> String {
    std::fs::read_to_string(support::root().join("definitions/scores").join(name)).unwrap()
}

fn art_patient(
    ast_before: &str,
    ast_after: &str,
    cp_before: &str,
    cp_after: &str,
    mrecist: &str,
) -> String {
    format!(
        r#"{{"id":"art","events":[
        {{"date":"2021-01-01","kind":"lab","test":"AST","value":{ast_before},"unit":"U/L"}},
        {{"date":"2021-01-01","kind":"status"{cp_before}}},
        {{"date":"2021-01-04","kind":"tace"}},
        {{"date":"2021-02-15","kind":"imaging","modality":"CT"{mrecist}}},
        {{"date":"2021-03-01","kind":"lab","test":"AST","value":{ast_after},"unit":"U/L"}},
        {{"date":"2021-03-01","kind":"status"{cp_after}}},
        {{"date":"2021-03-02","kind":"tace"}}]}}"#
    )
}

#[test]
fn art_score_adds_its_points_exactly() {
    let art = definition("art-2013.crit");
    let cp = |n: u8| format!(r#","child_pugh_score":{n}"#);
    // AST 40 → 50 is exactly +25 %: not "more than 25 %". CP +1 = 1.5, response PR: 1.5 < 2.5.
    let o = support::run(
        &art,
        &art_patient("40", "50", &cp(5), &cp(6), r#","mrecist":"PR""#),
    );
    assert_eq!(o.result, NotMet);
    // AST 40 → 50.1 is more than 25 %: 4 points.
    let o = support::run(
        &art,
        &art_patient("40", "50.1", &cp(5), &cp(5), r#","mrecist":"PR""#),
    );
    assert_eq!(o.result, Met);
    // The score is decided before the second session, which must be there: its date is
    // the onset (the labs and assessment "before session 2" are that only from then on).
    assert_eq!(
        o.onset.map(|d| d.to_string()).as_deref(),
        Some("2021-03-02")
    );
    assert_eq!(o.criteria[1].name, "high_art_score");
    assert_eq!(o.criteria[1].at, o.onset);
    // CP +2 = 3 points alone.
    let o = support::run(
        &art,
        &art_patient("40", "41", &cp(5), &cp(7), r#","mrecist":"CR""#),
    );
    assert_eq!(o.result, Met);
}

#[test]
fn art_score_with_unknown_items_is_decided_when_the_range_allows() {
    let art = definition("art-2013.crit");
    let cp = |n: u8| format!(r#","child_pugh_score":{n}"#);
    // AST rise gives 4 points whatever the unknown response: met.
    let o = support::run(&art, &art_patient("40", "60", &cp(5), &cp(5), ""));
    assert_eq!(o.result, Met);
    // No AST rise, CP unchanged, response unknown: 0 or 1 point, below 2.5 either way.
    let o = support::run(&art, &art_patient("40", "41", &cp(5), &cp(5), ""));
    assert_eq!(o.result, NotMet);
    // CP +1 known (1.5), response unknown (0 or 1): 1.5 to 2.5 straddles the band.
    let o = support::run(&art, &art_patient("40", "41", &cp(5), &cp(6), ""));
    assert_eq!(o.result, Unknown);
    assert!(
        o.criteria[1].why.contains("score between 1.5 and 2.5"),
        "{}",
        o.criteria[1].why
    );
}

#[test]
fn up_to_seven_is_arithmetic_on_attributes() {
    let rule = definition("up-to-seven.crit");
    let patient = |diameter: &str, count: &str| {
        format!(
            r#"{{"id":"u","events":[{{"date":"2021-01-01","kind":"imaging","largest_diameter_mm":{diameter},"tumor_count":{count}}},{{"date":"2021-01-05","kind":"tace"}}]}}"#
        )
    };
    let beyond = support::run(&rule, &patient("45", "3"));
    assert_eq!(beyond.result, Met, "4.5 cm + 3 = 7.5 > 7");
    // The scan is the baseline once the first session is there.
    assert_eq!(
        beyond.onset.map(|d| d.to_string()).as_deref(),
        Some("2021-01-05")
    );
    assert_eq!(
        support::run(&rule, &patient("40", "3")).result,
        NotMet,
        "4.0 cm + 3 = 7 is within"
    );
    assert_eq!(
        support::run(&rule, &patient("40.1", "3")).result,
        Met,
        "exact: 4.01 + 3 > 7"
    );
}

#[test]
fn art_values_before_the_second_session_come_after_the_first() {
    let art = definition("art-2013.crit");
    // AST 40 and Child-Pugh 5 before S1 only, and a CT with SD after S1: the AST and the
    // assessment "before S2" are not there (the values before S1 are not reused), so the
    // AST item (0 or 4) and the Child-Pugh items (0, 1.5 or 3) are unknown; 1 point for SD.
    // 1 to 8.5 (9.5 as a range that does not know the bands exclude each other): unknown.
    let patient = r#"{"id":"reuse","events":[
        {"date":"2021-01-01","kind":"lab","test":"AST","value":40},
        {"date":"2021-01-01","kind":"status","child_pugh_score":5},
        {"date":"2021-01-04","kind":"tace"},
        {"date":"2021-02-10","kind":"imaging","modality":"CT","mrecist":"SD"},
        {"date":"2021-03-04","kind":"tace"}]}"#;
    let o = support::run(&art, patient);
    assert_eq!(o.result, Unknown);
    assert!(
        o.criteria[1].why.contains("no AST after the first session"),
        "{}",
        o.criteria[1].why
    );
}

#[test]
fn art_response_is_the_latest_scan_up_to_the_second_session() {
    let art = definition("art-2013.crit");
    // S1 2021-01-04, S2 2021-06-01. A CT with PR at 6 weeks, then a CT with PD 3 weeks
    // before S2 (2021-05-11): the latest decides, 1 point; with CP +1 (1.5): 2.5, do not
    // retreat. The score is dated from S2, the earliest date the values before it are that.
    let patient = r#"{"id":"late-scan","events":[
        {"date":"2021-01-02","kind":"lab","test":"AST","value":40},
        {"date":"2021-01-02","kind":"status","child_pugh_score":5},
        {"date":"2021-01-04","kind":"tace"},
        {"date":"2021-02-15","kind":"imaging","modality":"CT","mrecist":"PR"},
        {"date":"2021-05-11","kind":"imaging","modality":"MRI","mrecist":"PD"},
        {"date":"2021-05-30","kind":"lab","test":"AST","value":45},
        {"date":"2021-05-30","kind":"status","child_pugh_score":6},
        {"date":"2021-06-01","kind":"tace"}]}"#;
    let o = support::run(&art, patient);
    assert_eq!(o.result, Met);
    assert_eq!(
        o.onset.map(|d| d.to_string()).as_deref(),
        Some("2021-06-01")
    );
}

#[test]
fn art_without_a_second_session_is_not_defined() {
    let art = definition("art-2013.crit");
    // One session: the score is not defined. Not met, and the reason says why (a silent
    // score of 0 would read as "retreat").
    let patient = r#"{"id":"one","events":[
        {"date":"2021-01-01","kind":"lab","test":"AST","value":40},
        {"date":"2021-01-04","kind":"tace"},
        {"date":"2021-02-15","kind":"imaging","modality":"CT","mrecist":"PD"}]}"#;
    let o = support::run(&art, patient);
    assert_eq!(o.result, NotMet);
    assert_eq!(o.criteria[0].name, "before_second_session");
    assert_eq!(o.criteria[0].result, NotMet);
    assert_eq!(
        o.criteria[0].why,
        "no second session (the ART score is defined only before one)"
    );
}
