//! Distance windows (`more than 3 months after S`, `less than 1 month after S`, …) and
//! runs of consecutive sessions, against expectations worked out by hand from the
//! calendar: every end on the day before, on, and after it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use refract::eval::Truth::{self, Met, NotMet, Unknown};

fn definition(criterion: &str) -> String {
    format!(
        "definition windows\n  outcome refractory\n\
         part response(S) \"CT 1 to 3 months after the session of {{S}}\" =\n  \
           imaging from 1 month to 3 months after S, before next session after S, unknown if none\n\
         criterion c\n  source \"test\"\n  = {criterion}\nmet when c\n"
    )
}

fn result(criterion: &str, events: &str) -> (Truth, Option<String>, String) {
    let outcome = support::run(
        &definition(criterion),
        &format!(r#"{{"id":"p","events":[{events}]}}"#),
    );
    let c = outcome.criteria.into_iter().next().expect("one criterion");
    (c.result, c.at.map(|d| d.to_string()), c.why)
}

/// A session on 2021-01-31 (3 months later is 2021-04-30, clamped) and a scan.
fn session_and_scan(scan: &str, extra: &str) -> String {
    format!(
        r#"{{"date":"2021-01-31","kind":"tace"}},{{"date":"{scan}","kind":"imaging","new_intrahepatic_lesion":true}}{extra}"#
    )
}

fn found(window: &str, scan: &str) -> Truth {
    result(
        &format!("any imaging {window} session 1 shows new_intrahepatic_lesion"),
        &session_and_scan(scan, ""),
    )
    .0
}

#[test]
fn more_than_and_at_least_after_differ_on_the_day_at_the_distance() {
    // Jan 31 + 3 months = Apr 30.
    // Without `unknown if none`, a window with no scan is simply not met.
    assert_eq!(found("more than 3 months after", "2021-04-30"), NotMet);
    assert_eq!(found("more than 3 months after", "2021-05-01"), Met);
    assert_eq!(found("at least 3 months after", "2021-04-29"), NotMet);
    assert_eq!(found("at least 3 months after", "2021-04-30"), Met);
}

#[test]
fn less_than_and_at_most_after_differ_on_the_day_at_the_distance() {
    // Jan 31 + 1 month = Feb 28.
    assert_eq!(found("less than 1 month after", "2021-02-27"), Met);
    assert_eq!(found("less than 1 month after", "2021-02-28"), NotMet);
    assert_eq!(found("at most 1 month after", "2021-02-28"), Met);
    assert_eq!(found("at most 1 month after", "2021-03-01"), NotMet);
}

#[test]
fn the_near_end_is_the_session_in_timeline_order() {
    let same_day = |time: &str| {
        result(
            "any imaging less than 1 month after session 1 shows new_intrahepatic_lesion",
            &format!(
                r#"{{"date":"2021-01-31","time":"09:00","kind":"tace"}},{{"date":"2021-01-31","time":"{time}","kind":"imaging","new_intrahepatic_lesion":true}}"#
            ),
        )
        .0
    };
    assert_eq!(same_day("14:00"), Met, "timed after the session: after it");
    assert_eq!(
        same_day("08:00"),
        NotMet,
        "timed before the session: not after it"
    );
}

#[test]
fn before_windows_mirror_the_after_ones() {
    let before = |window: &str, scan: &str| {
        result(
            &format!("any imaging {window} session 1 shows new_intrahepatic_lesion"),
            &format!(
                r#"{{"date":"{scan}","kind":"imaging","new_intrahepatic_lesion":true}},{{"date":"2021-04-30","kind":"tace"}}"#
            ),
        )
        .0
    };
    // Apr 30 − 3 months = Jan 30.
    assert_eq!(before("more than 3 months before", "2021-01-29"), Met);
    assert_eq!(before("more than 3 months before", "2021-01-30"), NotMet);
    assert_eq!(before("at least 3 months before", "2021-01-30"), Met);
    assert_eq!(before("at least 3 months before", "2021-01-31"), NotMet);
    assert_eq!(before("less than 3 months before", "2021-01-30"), NotMet);
    assert_eq!(before("less than 3 months before", "2021-01-31"), Met);
    assert_eq!(before("at most 3 months before", "2021-01-30"), Met);
    assert_eq!(before("at most 3 months before", "2021-01-29"), NotMet);
}

#[test]
fn a_late_window_closed_by_the_next_session_is_unknown_only_while_it_can_hold_a_day() {
    let late = "any session S: any imaging more than 3 months after S, before next session after S, unknown if none shows new_intrahepatic_lesion";
    let sessions = |next: &str| {
        format!(r#"{{"date":"2021-01-31","kind":"tace"}},{{"date":"{next}","kind":"tace"}}"#)
    };
    // The window opens May 1. A next session on Apr 30 closes it before it opens: nothing
    // is missing from it, for the first session; the second's window is still open.
    let (truth, _, why) = result(late, &sessions("2021-04-30"));
    assert_eq!(truth, Unknown);
    assert!(why.contains("2021-04-30"), "{why}");
    // Every session's window empty of scans and closed: a scan in it would show.
    let (truth, _, _) = result(
        late,
        &session_and_scan(
            "2021-05-01",
            r#",{"date":"2021-05-02","kind":"tace"},{"date":"2021-08-03","kind":"imaging","new_intrahepatic_lesion":false}"#,
        ),
    );
    assert_eq!(
        truth, Met,
        "the scan of May 1 is more than 3 months after Jan 31"
    );
}

/// Sessions on the first of each month from January, each with a response scan 6 weeks
/// later carrying `lipiodol_percent`; `None` leaves that session without a scan.
fn sessions_with_necrosis(values: &[Option<u32>]) -> String {
    let mut events = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let month = 1 + 2 * i;
        events.push(format!(r#"{{"date":"2021-{month:02}-01","kind":"tace"}}"#));
        if let Some(v) = value {
            events.push(format!(
                r#"{{"date":"2021-{:02}-12","kind":"imaging","lipiodol_percent":{v}}}"#,
                month + 1
            ));
        }
    }
    events.join(",")
}

const RUN: &str = "at least 3 consecutive sessions S: any response(S) shows lipiodol_percent < 50";

#[test]
fn a_run_needs_that_many_sessions_in_a_row() {
    let run = |values: &[Option<u32>]| result(RUN, &sessions_with_necrosis(values));
    // Three in a row, met when the third one's scan is there (May 1 session, June 12).
    let (truth, at, _) = run(&[Some(10), Some(20), Some(30)]);
    assert_eq!((truth, at.as_deref()), (Met, Some("2021-06-12")));
    // Three, but not in a row.
    assert_eq!(run(&[Some(10), Some(20), Some(60), Some(30)]).0, NotMet);
    // Two only.
    assert_eq!(run(&[Some(10), Some(20)]).0, NotMet);
    // Exactly 50 is not incomplete necrosis (< 50).
    assert_eq!(run(&[Some(10), Some(50), Some(30)]).0, NotMet);
    // A session without a scan could complete the run.
    assert_eq!(run(&[Some(10), None, Some(30)]).0, Unknown);
    // … but not when every run has a session that breaks it.
    assert_eq!(run(&[Some(60), None, Some(60)]).0, NotMet);
    // The earliest completed run sets the onset: sessions 2 to 4 (scans to Aug 12).
    let (truth, at, _) = run(&[Some(90), Some(10), Some(20), Some(30), Some(40)]);
    assert_eq!((truth, at.as_deref()), (Met, Some("2021-08-12")));
}

#[test]
fn more_than_two_is_a_run_of_three() {
    let values = sessions_with_necrosis(&[Some(10), Some(20), Some(30)]);
    let strict = "more than 2 consecutive sessions S: any response(S) shows lipiodol_percent < 50";
    assert_eq!(result(strict, &values).0, Met);
    let two = sessions_with_necrosis(&[Some(10), Some(20)]);
    assert_eq!(result(strict, &two).0, NotMet);
}
