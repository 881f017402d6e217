//! One focused test per language construct, on small definitions and patients written
//! here. Each asserts the clinical answer, not just that evaluation ran.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use refract::eval::Truth::{self, Met, NotMet, Unknown};
use support::run;

fn definition(criterion: &str) -> String {
    format!(
        "definition t\n  outcome refractory\n\
         part response(S) \"CT/MRI 1 to 3 months after the session\" =\n  \
           imaging from 1 month to 3 months after S, on or before next session after S,\n  \
           unknown if none, where modality in [CT, MRI]\n\
         part baseline \"baseline imaging\" = latest imaging on or before session 1, within 90 days before session 1\n\
         criterion c = {criterion}\n\
         met when c\n"
    )
}

fn result(criterion: &str, events: &str) -> (Truth, Option<String>, String) {
    let outcome = run(
        &definition(criterion),
        &format!(r#"{{"id":"p","events":[{events}]}}"#),
    );
    let c = outcome.criteria.into_iter().next().expect("one criterion");
    (c.result, c.at.map(|d| d.to_string()), c.why)
}

const TACE: &str = r#"{"date":"2021-01-31","kind":"tace"}"#;

#[test]
fn month_window_ends_are_computed_from_the_anchor_and_clamped() {
    let scan = |date: &str| {
        format!(r#"{TACE},{{"date":"{date}","kind":"imaging","modality":"CT","mrecist":"PD"}}"#)
    };
    let c = "any response(session 1) shows mrecist is PD";
    // Jan 31 + 1 month = Feb 28 (2021 is not a leap year): the window opens that day.
    assert_eq!(result(c, &scan("2021-02-28")).0, Met);
    assert_eq!(
        result(c, &scan("2021-02-27")).0,
        Unknown,
        "before the window: no response imaging"
    );
    // Jan 31 + 3 months = Apr 30, not May 1 (nor Jan 31 + 90 days = May 1).
    assert_eq!(result(c, &scan("2021-04-30")).0, Met);
    assert_eq!(result(c, &scan("2021-05-01")).0, Unknown);
}

#[test]
fn two_months_from_jan_31_is_march_31_not_march_28() {
    let c = "any imaging from 2 months to 2 months after session 1 shows mrecist is PD";
    let scan =
        |date: &str| format!(r#"{TACE},{{"date":"{date}","kind":"imaging","mrecist":"PD"}}"#);
    assert_eq!(result(c, &scan("2021-03-31")).0, Met);
    assert_eq!(result(c, &scan("2021-03-28")).0, NotMet);
}

#[test]
fn untimed_imaging_on_a_session_day_comes_before_the_session() {
    let events = r#"{"date":"2021-03-01","kind":"tace"},{"date":"2021-03-01","kind":"imaging","tumor_count":2}"#;
    assert_eq!(
        result("any imaging before session 1 shows tumor_count > 1", events).0,
        Met
    );
    assert_eq!(result("any imaging after session 1", events).0, NotMet);
    // With times, time decides.
    let timed = r#"{"date":"2021-03-01","time":"08:00","kind":"tace"},{"date":"2021-03-01","time":"09:00","kind":"imaging","tumor_count":2}"#;
    assert_eq!(result("any imaging after session 1", timed).0, Met);
}

#[test]
fn unknown_propagates_through_not_and_or() {
    let events = r#"{"date":"2021-03-01","kind":"status","ecog":1}"#;
    let missing = "latest status shows hepatorenal_syndrome";
    assert_eq!(result(missing, events).0, Unknown);
    assert_eq!(result(&format!("not ({missing})"), events).0, Unknown);
    assert_eq!(
        result(
            "latest status shows (ecog > 2 and hepatorenal_syndrome)",
            events
        )
        .0,
        NotMet
    );
    assert_eq!(
        result(
            "latest status shows (ecog < 2 and hepatorenal_syndrome)",
            events
        )
        .0,
        Unknown
    );
    assert_eq!(
        result(
            "latest status shows (ecog < 2 or hepatorenal_syndrome)",
            events
        )
        .0,
        Met
    );
    assert_eq!(
        result(
            "latest status shows (ecog > 2 or hepatorenal_syndrome)",
            events
        )
        .0,
        Unknown
    );
}

#[test]
fn quantifiers_follow_kleene_over_their_elements() {
    let scans = r#"{"date":"2021-01-01","kind":"imaging","tumor_count":1},{"date":"2021-02-01","kind":"imaging"},{"date":"2021-03-01","kind":"imaging","tumor_count":3}"#;
    assert_eq!(result("any imaging shows tumor_count > 2", scans).0, Met);
    assert_eq!(
        result("every imaging shows tumor_count > 2", scans).0,
        NotMet
    );
    assert_eq!(
        result("every imaging shows tumor_count >= 1", scans).0,
        Unknown,
        "the middle scan could be 0"
    );
    assert_eq!(
        result("no imaging shows tumor_count > 4", scans).0,
        Unknown,
        "the middle scan could be 5"
    );
    assert_eq!(
        result("at least 2 imaging shows tumor_count >= 1", scans).0,
        Met
    );
    assert_eq!(
        result("at least 3 imaging shows tumor_count >= 1", scans).0,
        Unknown
    );
    assert_eq!(
        result("at most 1 imaging shows tumor_count > 2", scans).0,
        Unknown
    );
    assert_eq!(
        result("any imaging shows tumor_count > 5", scans).0,
        Unknown
    );
    assert_eq!(
        result("any imaging where tumor_count > 5", scans).0,
        Unknown
    );
}

#[test]
fn met_at_the_event_that_completes_it() {
    let scans = r#"{"date":"2021-01-01","kind":"imaging","tumor_count":3},{"date":"2021-02-01","kind":"imaging","tumor_count":3},{"date":"2021-03-01","kind":"imaging","tumor_count":3}"#;
    assert_eq!(
        result("at least 2 imaging shows tumor_count > 2", scans)
            .1
            .as_deref(),
        Some("2021-02-01")
    );
    assert_eq!(
        result("any imaging shows tumor_count > 2", scans)
            .1
            .as_deref(),
        Some("2021-01-01")
    );
}

#[test]
fn growth_of_exactly_20_percent_is_progression() {
    let events = |new: &str| {
        format!(
            r#"{{"date":"2021-01-01","kind":"imaging","target_viable_sum_mm":10}},{{"date":"2021-01-05","kind":"tace"}},{{"date":"2021-02-10","kind":"imaging","modality":"MRI","target_viable_sum_mm":{new}}}"#
        )
    };
    let c =
        "any response(session 1) shows target_viable_sum_mm grew by at least 20 % from baseline";
    assert_eq!(result(c, &events("12")).0, Met, "10 mm to 12 mm is +20 %");
    assert_eq!(result(c, &events("11.99")).0, NotMet);
    assert_eq!(result(c, &events("12.000")).0, Met);
    let shrink =
        "any response(session 1) shows target_viable_sum_mm shrank by less than 25 % from baseline";
    assert_eq!(
        result(shrink, &events("7.5")).0,
        NotMet,
        "exactly 25 % shrinkage is not less than 25 %"
    );
    assert_eq!(result(shrink, &events("7.6")).0, Met);
}

#[test]
fn else_decides_only_when_the_first_is_unknown_and_says_so() {
    let c = "any response(session 1) shows (target_viable_sum_mm grew by at least 20 % from baseline else mrecist_target is PD)";
    let events = |baseline_sum: &str, target: &str| {
        format!(
            r#"{{"date":"2021-01-01","kind":"imaging"{baseline_sum}}},{{"date":"2021-01-05","kind":"tace"}},{{"date":"2021-02-10","kind":"imaging","modality":"CT","target_viable_sum_mm":30,"mrecist_target":"{target}"}}"#
        )
    };
    let (truth, _, why) = result(c, &events("", "PD"));
    assert_eq!(truth, Met);
    assert!(why.contains("fallback"), "{why}");
    // A reference sum of 0 gives no percentage: the reported category decides.
    assert_eq!(
        result(c, &events(r#","target_viable_sum_mm":0"#, "SD")).0,
        NotMet
    );
    // A known measurement is not overridden by the report.
    assert_eq!(
        result(c, &events(r#","target_viable_sum_mm":40"#, "PD")).0,
        NotMet
    );
    // NE is unknown and stays unknown.
    assert_eq!(result(c, &events("", "NE")).0, Unknown);
}

#[test]
fn empty_response_window_is_unknown_unless_the_next_session_closes_it() {
    let c = "any response(session 1) shows mrecist is PD";
    let alone = r#"{"date":"2021-01-31","kind":"tace"}"#;
    assert_eq!(result(c, alone).0, Unknown);
    let next_too_soon =
        r#"{"date":"2021-01-31","kind":"tace"},{"date":"2021-02-15","kind":"tace"}"#;
    assert_eq!(
        result(c, next_too_soon).0,
        NotMet,
        "the window cannot hold a scan"
    );
    // Imaging on the day of the next session still belongs to this session.
    let same_day = r#"{"date":"2021-01-31","kind":"tace"},{"date":"2021-03-10","kind":"tace"},{"date":"2021-03-10","kind":"imaging","modality":"CT","mrecist":"PD"}"#;
    assert_eq!(result(c, same_day).0, Met);
    // A scan with no modality might be response imaging.
    let no_modality = r#"{"date":"2021-01-31","kind":"tace"},{"date":"2021-03-10","kind":"imaging","mrecist":"PD"}"#;
    assert_eq!(result(c, no_modality).0, Unknown);
}

#[test]
fn consecutive_sessions_and_changed_agents() {
    let c = "any consecutive sessions A, B: agents of B differs from A";
    let two = |a: &str, b: &str| {
        format!(
            r#"{{"date":"2021-01-01","kind":"tace"{a}}},{{"date":"2021-03-01","kind":"tace"{b}}}"#
        )
    };
    assert_eq!(
        result(
            c,
            &two(r#","agents":["epirubicin"]"#, r#","agents":["cisplatin"]"#)
        )
        .0,
        Met
    );
    assert_eq!(
        result(c, &two(r#","agents":["a","b"]"#, r#","agents":["b","a"]"#)).0,
        NotMet,
        "sets, not sequences"
    );
    assert_eq!(result(c, &two(r#","agents":["a"]"#, "")).0, Unknown);
}

#[test]
fn each_value_and_occurs() {
    let labs = r#"{"date":"2021-01-01","kind":"lab","test":"PIVKA-II","value":40}"#;
    assert_eq!(
        result(
            r#"any M in [AFP, "PIVKA-II"]: any lab where test is M"#,
            labs
        )
        .0,
        Met
    );
    assert_eq!(
        result(
            r#"every M in [AFP, "PIVKA-II"]: any lab where test is M"#,
            labs
        )
        .0,
        NotMet
    );
    let sessions = r#"{"date":"2021-01-31","kind":"tace"},{"date":"2021-07-31","kind":"tace"},{"date":"2021-08-01","kind":"tace"}"#;
    assert_eq!(
        result("session 2 is within 6 months after session 1", sessions).0,
        Met
    );
    assert_eq!(
        result("session 3 is within 6 months after session 1", sessions).0,
        NotMet
    );
}

#[test]
fn a_marker_rise_needs_two_values_no_fall_and_one_assay() {
    let c = r#"any session S: value of (lab after S, where test is AFP) rises continuously above (latest lab on or before S, where test is AFP), with at least 2 values"#;
    let series = |values: &[(&str, &str, &str)]| {
        let mut events = vec![TACE.to_string()];
        for (date, value, unit) in values {
            events.push(format!(
                r#"{{"date":"{date}","kind":"lab","test":"AFP","value":{value},"unit":"{unit}"}}"#
            ));
        }
        events.join(",")
    };
    let before = ("2021-01-20", "100", "ng/mL");
    let (truth, at, _) = result(
        c,
        &series(&[
            before,
            ("2021-02-10", "90", "ng/mL"),
            ("2021-02-20", "120", "ng/mL"),
        ]),
    );
    assert_eq!(
        (truth, at.as_deref()),
        (Met, Some("2021-02-20")),
        "a transient dip after the session is allowed"
    );
    assert_eq!(
        result(
            c,
            &series(&[
                before,
                ("2021-02-10", "130", "ng/mL"),
                ("2021-02-20", "120", "ng/mL")
            ])
        )
        .0,
        NotMet
    );
    assert_eq!(
        result(c, &series(&[before, ("2021-02-10", "130", "ng/mL")])).0,
        NotMet,
        "one value is no series"
    );
    assert_eq!(
        result(
            c,
            &series(&[
                ("2021-02-10", "130", "ng/mL"),
                ("2021-02-20", "140", "ng/mL")
            ])
        )
        .0,
        Unknown
    );
    assert_eq!(
        result(
            c,
            &series(&[
                before,
                ("2021-02-10", "130", "mAU/mL"),
                ("2021-02-20", "140", "mAU/mL")
            ])
        )
        .0,
        Unknown,
        "ng/mL and mAU/mL are different assays"
    );
}

#[test]
fn output_is_the_same_whatever_the_input_order_of_events() {
    let def =
        std::fs::read_to_string(support::root().join("definitions/jsh-lcsgj-2014.crit")).unwrap();
    let checked = support::compile(&def);
    for patient in support::example_cohort() {
        let expected = refract::report::outcome_line(&refract::eval::evaluate(&checked, &patient));
        let mut reversed = patient.clone();
        reversed.events.reverse();
        refract::timeline::sort_events(&mut reversed.events);
        assert_eq!(
            refract::report::outcome_line(&refract::eval::evaluate(&checked, &reversed)),
            expected
        );
    }
}

#[test]
fn a_reported_not_evaluable_is_never_replaced_by_a_fallback() {
    let events = r#"{"date":"2021-01-01","kind":"imaging","mrecist":"NE","viable_percent":80}"#;
    // NE is an answer ("not evaluable"), not missing data: the fallback does not decide.
    assert_eq!(
        result(
            "latest imaging shows (mrecist is PD else viable_percent > 50)",
            events
        )
        .0,
        Unknown
    );
    // Missing data does fall back.
    let missing = r#"{"date":"2021-01-01","kind":"imaging","viable_percent":80}"#;
    assert_eq!(
        result(
            "latest imaging shows (mrecist is PD else viable_percent > 50)",
            missing
        )
        .0,
        Met
    );
}

#[test]
fn a_window_on_an_uncertain_anchor_is_unknown_not_empty() {
    // The latest CT might be the scan without modality: which scan anchors is unknown.
    let events = r#"{"date":"2021-01-01","kind":"imaging","modality":"CT"},{"date":"2021-02-01","kind":"imaging"},{"date":"2021-02-10","kind":"lab","test":"AFP","value":5}"#;
    let c = "any lab after (latest imaging where modality is CT), unknown if none";
    // Whichever scan it is, the lab comes after it: met whatever the modality would be.
    let (truth, _, why) = result(c, events);
    assert_eq!(truth, Met, "{why}");
    assert!(
        why.starts_with("met whatever modality on the imaging of 2021-02-01"),
        "{why}"
    );
    // A lab between the two scans is after the first and not the second: unknown.
    let between = r#"{"date":"2021-01-01","kind":"imaging","modality":"CT"},{"date":"2021-01-15","kind":"lab","test":"AFP","value":5},{"date":"2021-02-01","kind":"imaging"}"#;
    assert_eq!(result(c, between).0, Unknown);
    let certain = r#"{"date":"2021-01-01","kind":"imaging","modality":"CT"},{"date":"2021-02-01","kind":"imaging","modality":"US"},{"date":"2021-02-10","kind":"lab","test":"AFP","value":5}"#;
    assert_eq!(result(c, certain).0, Met);
}

#[test]
fn no_is_met_at_the_last_event_examined() {
    let scans = r#"{"date":"2021-01-01","kind":"imaging","tumor_count":1},{"date":"2021-03-01","kind":"imaging","tumor_count":2}"#;
    let (truth, at, _) = result("no imaging shows tumor_count > 2", scans);
    assert_eq!((truth, at.as_deref()), (Met, Some("2021-03-01")));
}

#[test]
fn nadir_is_the_lowest_measurement_so_far() {
    // mRECIST overall progression: +20 % over the nadir, not over baseline.
    let c = "any imaging R after session 1: target_viable_sum_mm of R grew by at least 20 % from (lowest target_viable_sum_mm among imaging before R)";
    let scans = |sums: &[&str]| {
        let mut events = vec![r#"{"date":"2021-01-05","kind":"tace"}"#.to_string()];
        for (i, sum) in sums.iter().enumerate() {
            events.push(format!(
                r#"{{"date":"2021-0{}-01","kind":"imaging"{sum}}}"#,
                i + 1
            ));
        }
        events.join(",")
    };
    let sum = |n: u32| format!(r#","target_viable_sum_mm":{n}"#);
    // 50 (baseline) → 30 (nadir) → 36: +20 % over the nadir, though below baseline.
    let (truth, at, _) = result(c, &scans(&[&sum(50), &sum(30), &sum(36)]));
    assert_eq!((truth, at.as_deref()), (Met, Some("2021-03-01")));
    assert_eq!(result(c, &scans(&[&sum(50), &sum(30), &sum(35)])).0, NotMet);
    // A scan without the measurement could have been the nadir.
    assert_eq!(result(c, &scans(&[&sum(50), "", &sum(36)])).0, Unknown);
}

#[test]
fn a_change_shown_to_a_tenth_never_reads_as_the_threshold_it_misses() {
    let text = "definition d\n  outcome refractory\ncriterion c\n  source \"test\"\n  = latest imaging shows target_viable_sum_mm shrank by less than 25 % from earliest imaging\nmet when c\n";
    let patient = |later: &str| {
        format!(
            r#"{{"id":"p","events":[{{"date":"2021-01-01","kind":"imaging","target_viable_sum_mm":40}},{{"date":"2021-02-01","kind":"imaging","target_viable_sum_mm":{later}}}]}}"#
        )
    };
    // 40 to 30.01 is 24.975 % smaller: less than 25 %, though it rounds to 25.0.
    let outcome = run(text, &patient("30.01"));
    assert_eq!(outcome.result, Met);
    assert!(
        outcome.criteria[0].why.contains("is just under 25 % below"),
        "{}",
        outcome.criteria[0].why
    );
    // 40 to 29.99 is 25.025 %: not less than 25 %.
    let outcome = run(text, &patient("29.99"));
    assert_eq!(outcome.result, NotMet);
    assert!(
        outcome.criteria[0].why.contains("is just over 25 % below"),
        "{}",
        outcome.criteria[0].why
    );
    // No change at all says so.
    let outcome = run(text, &patient("40"));
    assert!(
        outcome.criteria[0].why.contains("is unchanged from"),
        "{}",
        outcome.criteria[0].why
    );
}

#[test]
fn a_part_description_quotes_its_arguments_and_none_for_an_absent_event() {
    let definition = |values: &str| {
        format!(
            "definition t\n  outcome refractory\n\
             part marker_between(S, T, M) \"{{M}} results from {{S}} to {{T}}\" =\n  \
               lab after S, before T, where test is M\n\
             criterion c = any session S: any M in [{values}]:\n  \
               at least 2 marker_between(S, next session after S, M)\n\
             met when c\n"
        )
    };
    let patient = format!(
        r#"{{"id":"p","events":[{TACE},{{"date":"2021-02-10","kind":"lab","test":"AFP","value":3}}]}}"#
    );
    let why = |values: &str| {
        run(&definition(values), &patient)
            .criteria
            .into_iter()
            .next()
            .expect("one criterion")
            .why
    };
    assert!(
        why("AFP").ends_with("only 1 of the 2 needed: AFP results from 2021-01-31 to none"),
        "{}",
        why("AFP")
    );
    // A quoted value with a brace is filled in as each parameter was before it: one
    // parameter after another, so a later one is read inside it.
    assert!(
        why(r#""{T}""#).ends_with("no none results from 2021-01-31 to none"),
        "{}",
        why(r#""{T}""#)
    );
}

#[test]
fn a_bare_word_passed_for_a_value_parameter_is_that_word() {
    // `marker_after(S, AFP)` passes the test AFP, as `[AFP, "PIVKA-II"]` lists it; read as
    // an attribute `AFP` of the session examined, it passed nothing, and a rise of AFP
    // was "unknown which results belong to none results".
    let definition = |marker: &str| {
        format!(
            "definition t\n  outcome refractory\n\
             part marker_after(S, M) \"{{M}} results after the session of {{S}}\" =\n  \
               lab after S, within 3 months after S, where test is M\n\
             part marker_before(S, M) \"{{M}} result before the session of {{S}}\" =\n  \
               latest lab on or before S, where test is M\n\
             criterion c source \"AFP rising after a session.\" = any session S:\n  \
               value of marker_after(S, {marker}) rises continuously above marker_before(S, {marker}), with at least 2 values\n\
             met when c\n"
        )
    };
    let patient = r#"{"id":"p","events":[
        {"date":"2021-01-01","kind":"lab","test":"AFP","value":10,"unit":"ng/mL"},
        {"date":"2021-01-05","kind":"tace"},
        {"date":"2021-01-20","kind":"lab","value":99},
        {"date":"2021-02-01","kind":"lab","test":"AFP","value":20,"unit":"ng/mL"},
        {"date":"2021-03-01","kind":"lab","test":"AFP","value":30,"unit":"ng/mL"}]}"#;
    let text = definition("AFP");
    let source = refract::source::SourceFile::new("t.crit", text.as_str());
    let (checked, warnings) =
        refract::compile(&source, &refract::vocabulary::Vocabulary::builtin()).expect("checks");
    assert!(
        warnings.problems.is_empty(),
        "{}",
        warnings.render_plain(100)
    );
    let bare = refract::eval::evaluate(&checked, &support::patient(patient));
    let c = &bare.criteria[0];
    assert_eq!(c.result, Unknown, "{}", c.why);
    assert!(
        c.why
            .contains("AFP results after the session of 2021-01-05"),
        "{}",
        c.why
    );
    // The lab without a test decides it: as AFP, 99 then 20 is not a continuous rise.
    assert!(
        c.why
            .ends_with("met if test on the lab of 2021-01-20 is not AFP"),
        "{}",
        c.why
    );
    // The same answer, in the same words, as the quoted word.
    let quoted = run(&definition("\"AFP\""), patient);
    assert_eq!(quoted.criteria[0].result, c.result);
    assert_eq!(quoted.criteria[0].why, c.why);
}

#[test]
fn a_number_given_for_a_category_value_is_that_category_word() {
    // `bclc is 0` compares with the stage "0"; `stage(S, 0)` and `any K in [0]` gave the
    // number 0, never equal to a category's word, and were silently not met.
    let definition = |criterion: &str| {
        format!(
            "definition t\n  outcome refractory\n\
             part stage(S, B) \"BCLC {{B}} before {{S}}\" = status on or before S, where bclc is B\n\
             criterion c source \"BCLC 0 before a session.\" = {criterion}\n\
             met when c\n"
        )
    };
    let patient = r#"{"id":"p","events":[
        {"date":"2021-01-01","kind":"status","bclc":"0"},
        {"date":"2021-01-05","kind":"tace"}]}"#;
    for criterion in [
        "any session S: any status on or before S, where bclc is 0",
        "any session S: any stage(S, 0)",
        "any session S: any stage(S, \"0\")",
        "any session S: any K in [0]: any stage(S, K)",
    ] {
        let outcome = run(&definition(criterion), patient);
        assert_eq!(
            outcome.criteria[0].result, Met,
            "{criterion}: {}",
            outcome.criteria[0].why
        );
    }
}
