//! Constructs the shipped definitions do not use but later ones will: weighted scores with
//! bands (ART) and arithmetic on attributes (up-to-seven), written as plain files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use refract::eval::Truth::{Met, NotMet, Unknown};

fn definition(name: &str) -> String {
    std::fs::read_to_string(support::root().join("tests/beyond").join(name)).unwrap()
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
    let art = definition("art-score.crit");
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
    assert_eq!(o.onset.map(|d| d.to_string()).as_deref(), Some("2021-03-02"));
    assert_eq!(o.criteria[0].at, o.onset);
    // CP +2 = 3 points alone.
    let o = support::run(
        &art,
        &art_patient("40", "41", &cp(5), &cp(7), r#","mrecist":"CR""#),
    );
    assert_eq!(o.result, Met);
}

#[test]
fn art_score_with_unknown_items_is_decided_when_the_range_allows() {
    let art = definition("art-score.crit");
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
        o.criteria[0].why.contains("score between 1.5 and 2.5"),
        "{}",
        o.criteria[0].why
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
