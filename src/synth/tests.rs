//! The generator's invariants: deterministic, every patient loads, plausible numbers.

use super::dates::{civil_from_days, days_from_civil};
use super::writer::{push_date, push_dec1, push_uint};
use super::{patient_json, write_cohort};
use crate::timeline::{parse_patient, Origin};
use crate::vocabulary::Vocabulary;

fn cohort(n: usize, seed: u64) -> String {
    let mut out = Vec::new();
    write_cohort(n, seed, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn dates_round_trip() {
    for day in days_from_civil(1999, 1, 1)..days_from_civil(2031, 1, 1) {
        let (y, m, d) = civil_from_days(day);
        assert_eq!(days_from_civil(y, m, d), day);
        let mut s = String::new();
        push_date(&mut s, day);
        crate::date::Date::parse(&s).unwrap();
    }
    let mut s = String::new();
    push_date(&mut s, days_from_civil(2020, 2, 29));
    assert_eq!(s, "2020-02-29");
}

#[test]
fn numbers_are_written_plainly() {
    let mut s = String::new();
    push_uint(&mut s, 0);
    s.push(' ');
    push_uint(&mut s, 1_000_070);
    s.push(' ');
    push_dec1(&mut s, 3.45);
    s.push(' ');
    push_dec1(&mut s, 12.0);
    assert_eq!(s, "0 1000070 3.5 12");
}

#[test]
fn deterministic() {
    assert_eq!(cohort(200, 7), cohort(200, 7));
    assert_ne!(cohort(200, 7), cohort(200, 8));
}

#[test]
fn patient_json_is_the_line_of_the_cohort() {
    let text = cohort(300, 42);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 300);
    for i in [0, 1, 17, 150, 299] {
        assert_eq!(patient_json(i, 42), lines[i]);
    }
    assert!(lines[0].starts_with("{\"id\":\"S0000001\""));
    assert!(lines[299].starts_with("{\"id\":\"S0000300\""));
}

#[test]
fn every_patient_loads() {
    let vocab = Vocabulary::builtin();
    let text = cohort(2000, 2024);
    let first = days_from_civil(2015, 1, 1);
    let end = days_from_civil(2025, 12, 31);
    for (i, line) in text.lines().enumerate() {
        let patient = parse_patient(line, &Origin::new("synth", Some(i + 1)), &vocab)
            .unwrap_or_else(|e| panic!("patient {i} does not load: {e:?}\n{line}"));
        assert!(!patient.events.is_empty());
        for event in &patient.events {
            let (y, m, d) = (
                i64::from(event.date.year()),
                i64::from(event.date.month()),
                i64::from(event.date.day()),
            );
            let day = days_from_civil(y, m, d);
            assert!(
                (first..=end).contains(&day),
                "patient {i}: date {y}-{m}-{d}"
            );
        }
    }
}

#[test]
fn distribution_is_plausible() {
    let text = cohort(2000, 1);
    let mut three_or_more = 0;
    let mut sessions_total = 0;
    for line in text.lines() {
        let sessions = line.matches("\"kind\":\"tace\"").count();
        assert!((1..=8).contains(&sessions), "{sessions} sessions");
        sessions_total += sessions;
        if sessions >= 3 {
            three_or_more += 1;
        }
    }
    let share = f64::from(three_or_more) / 2000.0;
    assert!((0.10..=0.60).contains(&share), "{share} with >= 3 sessions");
    let mean = sessions_total as f64 / 2000.0;
    assert!((2.0..=4.0).contains(&mean), "mean {mean} sessions");
    // Some values are missing, some imaging is on the day of a session, some events are timed.
    assert!(text.contains("\"time\":"));
    assert!(text.contains("\"NE\""));
    assert!(text.contains("\"US\""));
}
