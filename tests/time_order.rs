//! Windows anchored on an event follow the timeline's total order at the anchor's end: a
//! scan timed after a session on its day is after it, while an untimed scan on a session's
//! day is still that session's pre-procedure imaging. Ends at a distance from the anchor
//! are dates. Also: narrowing a selection that is `unknown if none` keeps it so, and
//! windows that reach past the last supported date.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use refract::eval::Truth::{self, Met, NotMet, Unknown};
use support::run;

const PARTS: &str = "\
part response(S) \"CT/MRI 1 to 3 months after the session\" =
  imaging from 1 month to 3 months after S, on or before next session after S,
    unknown if none, where modality in [CT, MRI]
part baseline \"baseline imaging within 90 days before the first session\" =
  latest imaging on or before session 1, within 90 days before session 1
part pre_session(S) \"imaging before the session\" =
  latest imaging on or before S, after previous session before S
part marker_before(S, M) \"{M} result before the session\" =
  latest lab on or before S, where test is M
";

fn result(criterion: &str, events: &str) -> (Truth, String) {
    let definition = format!(
        "definition t\n  outcome refractory\n{PARTS}criterion c = {criterion}\nmet when c\n"
    );
    let outcome = run(&definition, &format!(r#"{{"id":"p","events":[{events}]}}"#));
    let c = outcome.criteria.into_iter().next().expect("one criterion");
    (c.result, c.why)
}

fn event(date: &str, time: Option<&str>, kind: &str, rest: &str) -> String {
    let time = time
        .map(|t| format!(r#","time":"{t}""#))
        .unwrap_or_default();
    format!(r#"{{"date":"{date}"{time},"kind":"{kind}"{rest}}}"#)
}

#[test]
fn a_scan_timed_after_the_first_session_is_not_its_baseline() {
    let older = event("2021-01-10", None, "imaging", r#","tumor_count":1"#);
    let session = event("2021-02-01", Some("09:00"), "tace", "");
    let after = event(
        "2021-02-01",
        Some("14:00"),
        "imaging",
        r#","tumor_count":4"#,
    );
    let events = [older.as_str(), &session, &after].join(",");
    // The 14:00 scan follows the 09:00 session: the baseline is the older scan.
    assert_eq!(result("baseline shows tumor_count is 1", &events).0, Met);
    assert_eq!(result("baseline shows tumor_count is 4", &events).0, NotMet);
}

#[test]
fn an_untimed_scan_on_the_session_day_is_still_its_baseline_and_pre_session_imaging() {
    let older = event("2021-01-10", None, "imaging", r#","tumor_count":1"#);
    let same_day = event("2021-02-01", None, "imaging", r#","tumor_count":4"#);
    for session_time in [None, Some("09:00")] {
        let session = event("2021-02-01", session_time, "tace", "");
        let events = [older.as_str(), &same_day, &session].join(",");
        assert_eq!(
            result("baseline shows tumor_count is 4", &events).0,
            Met,
            "session at {session_time:?}"
        );
        assert_eq!(
            result("pre_session(session 1) shows tumor_count is 4", &events).0,
            Met
        );
    }
}

#[test]
fn a_scan_timed_before_the_session_on_its_day_is_its_baseline() {
    let older = event("2021-01-10", None, "imaging", r#","tumor_count":1"#);
    let morning = event(
        "2021-02-01",
        Some("07:30"),
        "imaging",
        r#","tumor_count":4"#,
    );
    let session = event("2021-02-01", Some("09:00"), "tace", "");
    let events = [older.as_str(), &morning, &session].join(",");
    assert_eq!(result("baseline shows tumor_count is 4", &events).0, Met);
}

#[test]
fn a_scan_timed_after_the_next_session_is_not_the_previous_sessions_response() {
    let first = event("2021-01-05", None, "tace", "");
    let next = event("2021-03-01", Some("10:00"), "tace", "");
    let scan = |time: Option<&str>| {
        event(
            "2021-03-01",
            time,
            "imaging",
            r#","modality":"CT","mrecist":"PD""#,
        )
    };
    let c = "any response(session 1) shows mrecist is PD";
    // 16:30, after the 10:00 session: it belongs to the next session, so session 1 has no
    // response imaging.
    let late = [first.as_str(), &next, &scan(Some("16:30"))].join(",");
    assert_eq!(result(c, &late).0, Unknown);
    // 08:00, before it: session 1's response imaging.
    let early = [first.as_str(), &next, &scan(Some("08:00"))].join(",");
    assert_eq!(result(c, &early).0, Met);
    // Untimed on the next session's day: sorts before the session, so it still counts.
    let untimed = [first.as_str(), &next, &scan(None)].join(",");
    assert_eq!(result(c, &untimed).0, Met);
    // Both untimed: the same.
    let next_untimed = event("2021-03-01", None, "tace", "");
    let both = [first.as_str(), &next_untimed, &scan(None)].join(",");
    assert_eq!(result(c, &both).0, Met);
}

#[test]
fn a_lab_timed_after_the_session_is_not_its_reference_value() {
    let before = event("2021-01-20", None, "lab", r#","test":"AFP","value":100"#);
    let session = event("2021-02-01", Some("09:00"), "tace", "");
    let later = event(
        "2021-02-01",
        Some("15:00"),
        "lab",
        r#","test":"AFP","value":900"#,
    );
    let events = [before.as_str(), &session, &later].join(",");
    assert_eq!(
        result(
            "any M in [AFP]: value of marker_before(session 1, M) is 100",
            &events
        )
        .0,
        Met
    );
}

#[test]
fn within_before_ends_at_the_anchor_in_timeline_order() {
    let session = event("2021-02-01", Some("09:00"), "tace", "");
    let after = event("2021-02-01", Some("11:00"), "imaging", "");
    let untimed = event("2021-02-01", None, "imaging", "");
    let c = "any imaging within 30 days before session 1";
    assert_eq!(result(c, &[session.as_str(), &after].join(",")).0, NotMet);
    assert_eq!(result(c, &[session.as_str(), &untimed].join(",")).0, Met);
    // A `0 days` end is the anchor too; a `1 day` end is a date.
    let next_day = event("2021-02-02", Some("08:00"), "imaging", "");
    let c0 = "any imaging from 0 days to 1 day after session 1";
    assert_eq!(result(c0, &[session.as_str(), &after].join(",")).0, Met);
    assert_eq!(
        result(c0, &[session.as_str(), &untimed].join(",")).0,
        NotMet
    );
    assert_eq!(result(c0, &[session.as_str(), &next_day].join(",")).0, Met);
}

#[test]
fn narrowing_a_response_window_keeps_an_empty_window_unknown() {
    // No scan in session 1's response window: every narrowed form is unknown, as the
    // window itself is, and says what is missing.
    let events = [
        event("2021-01-05", None, "tace", ""),
        event(
            "2021-06-01",
            None,
            "imaging",
            r#","modality":"CT","mrecist":"PD""#,
        ),
    ]
    .join(",");
    for c in [
        "any response(session 1) shows mrecist is PD",
        "any response(session 1) R shows mrecist of R is PD",
        "any response(session 1), where mrecist is PD",
        "any response(session 1), within 2 months after session 1",
        "any (response(session 1), where modality is CT) shows mrecist is PD",
        "no response(session 1), where mrecist is PD",
        "at least 1 response(session 1) R, where mrecist of R is PD",
    ] {
        let (truth, why) = result(c, &events);
        assert_eq!(truth, Unknown, "{c}: {why}");
        assert!(
            why.contains("no CT/MRI 1 to 3 months after the session"),
            "{c}: {why}"
        );
    }
    // A window that holds a scan that the narrowing rejects is not missing data.
    let ct_sd = [
        event("2021-01-05", None, "tace", ""),
        event(
            "2021-02-20",
            None,
            "imaging",
            r#","modality":"CT","mrecist":"SD""#,
        ),
    ]
    .join(",");
    assert_eq!(
        result("any response(session 1), where mrecist is PD", &ct_sd).0,
        NotMet
    );
    assert_eq!(
        result("any response(session 1) R shows mrecist of R is PD", &ct_sd).0,
        NotMet
    );
}

#[test]
fn windows_reaching_past_2200_are_cut_at_the_last_date_not_emptied() {
    let c = "any session S: any response(S) shows mrecist is PD";
    let events = [
        event("2200-10-15", None, "tace", ""),
        event(
            "2200-12-01",
            None,
            "imaging",
            r#","modality":"CT","mrecist":"PD""#,
        ),
    ]
    .join(",");
    assert_eq!(result(c, &events).0, Met);
    // A window that opens after 2200-12-31 cannot be in the record: unknown, and says so.
    let late = event("2200-12-20", None, "tace", "");
    let (truth, why) = result(c, &late);
    assert_eq!(truth, Unknown);
    assert!(why.contains("after 2200-12-31"), "{why}");
    // The same window in 1800 behaves as any other.
    let early = [
        event("1800-10-15", None, "tace", ""),
        event(
            "1800-12-01",
            None,
            "imaging",
            r#","modality":"CT","mrecist":"PD""#,
        ),
    ]
    .join(",");
    assert_eq!(result(c, &early).0, Met);
}
