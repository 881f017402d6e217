//! `eval::windows_examined`, the windows the workbench shades: days worked out by hand for
//! calendar months, a window closed by the next session before it opens, an open end, and
//! one list per criterion in file order.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use refract::eval::{windows_examined, Examined};
use refract::source::SourceFile;
use refract::timeline::{parse_patient, Origin};
use refract::vocabulary::Vocabulary;

const DEFINITION: &str = r#"definition windows
  outcome refractory

part response(S) "CT/MRI 1 to 3 months after the session" =
  imaging from 1 month to 3 months after S, on or before next session after S,
    unknown if none, where modality in [CT, MRI]

criterion progression
  source "Progression on the response imaging of a session."
  = any session S: any response(S) shows mrecist is PD

criterion poor_status
  source "ECOG above 2 on the latest assessment."
  = latest status shows ecog > 2

met when progression or poor_status
"#;

fn day(text: &str) -> Option<refract::date::Date> {
    Some(text.parse().unwrap())
}

#[test]
fn each_session_window_is_given_in_days_with_its_anchors() {
    let vocabulary = Vocabulary::builtin();
    let (checked, _) =
        refract::compile(&SourceFile::new("windows.crit", DEFINITION), &vocabulary).unwrap();
    // Session 1 on 2021-01-31: 1 to 3 months after is 2021-02-28 to 2021-04-30 (calendar
    // months from the anchor's own date, clamped to the month's end), closed earlier by
    // session 2 on 2021-03-15. Session 2's window would open on 2021-04-15, but session 3
    // on 2021-03-25 closes it before: it admits no day. Session 3's runs from 2021-04-25
    // to 2021-06-25, with no next session to close it; its CT shows SD.
    let patient = parse_patient(
        r#"{"id":"P","events":[
          {"date":"2021-01-31","kind":"tace"},
          {"date":"2021-03-15","kind":"tace"},
          {"date":"2021-03-25","kind":"tace"},
          {"date":"2021-05-01","kind":"imaging","modality":"CT","mrecist":"SD"},
          {"date":"2021-05-02","kind":"status","ecog":1}]}"#,
        &Origin::new("inline", None),
        &vocabulary,
    )
    .unwrap();
    let found = windows_examined(&checked, &patient);
    let names: Vec<&str> = found.iter().map(|c| c.criterion.as_str()).collect();
    assert_eq!(names, ["progression", "poor_status"]);
    // `latest status` has no window.
    assert!(found[1].windows.is_empty());
    assert!(!found[1].truncated);
    let windows = &found[0].windows;
    assert_eq!(
        windows,
        &[
            Examined {
                from: day("2021-02-28"),
                to: day("2021-03-15"),
                description: "from 1 month to 3 months after the session of 2021-01-31; on or before the session of 2021-03-15".into(),
                empty: false,
                uncertain: false,
            },
            Examined {
                from: day("2021-04-15"),
                to: day("2021-03-25"),
                description: "from 1 month to 3 months after the session of 2021-03-15; on or before the session of 2021-03-25".into(),
                empty: true,
                uncertain: false,
            },
            Examined {
                from: day("2021-04-25"),
                to: day("2021-06-25"),
                description: "from 1 month to 3 months after the session of 2021-03-25; on or before the next session (none in the record: no bound)".into(),
                empty: false,
                uncertain: false,
            },
        ]
    );
    // The result: session 1's window holds no CT/MRI (`unknown if none`), session 2's
    // admits no day (nothing is missing from it), session 3's shows SD: unknown.
    let outcome = refract::eval::evaluate(&checked, &patient);
    assert_eq!(outcome.result, refract::eval::Truth::Unknown);
    assert!(
        outcome.criteria[0]
            .why
            .contains("the session of 2021-01-31"),
        "{}",
        outcome.criteria[0].why
    );
}
