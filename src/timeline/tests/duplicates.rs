//! A key given twice anywhere in a patient is an error naming the key and its path, on
//! both readers.

use super::*;

fn duplicate(text: &str) -> (String, String) {
    let error =
        load::checked_patient(text, &Origin::new("p.jsonl", Some(2)), &vocab()).unwrap_err();
    let TimelineErrorKind::DuplicateKey { key } = error.kind() else {
        panic!("{text}: {error}")
    };
    assert!(fast::patient(text, Some(2), &vocab()).is_none(), "{text}");
    (key.clone(), error.json_path().unwrap_or("").to_string())
}

#[test]
fn a_repeated_key_is_named_with_its_path_wherever_it_is() {
    let cases = [
        (
            r#"{"id":"P","events":[{"date":"2021-01-01","kind":"imaging","viable_percent":600,"viable_percent":60}]}"#,
            ("viable_percent", "events[0].viable_percent"),
        ),
        (r#"{"id":"P","id":"Q","events":[]}"#, ("id", "id")),
        (
            r#"{"id":"P","events":[],"events":[]}"#,
            ("events", "events"),
        ),
        (
            r#"{"id":"P","facts":{"a":[{"b":1},{"c":1,"c":2}]},"events":[]}"#,
            ("c", "facts.a[1].c"),
        ),
        (
            r#"{"id":"P","x y":{"n":1,"\u006e":2},"events":[]}"#,
            ("n", r#"["x y"].n"#),
        ),
        (
            r#"{"id":"P","events":[{"date":"2021-01-01","date":"2021-01-02","kind":"lab"}]}"#,
            ("date", "events[0].date"),
        ),
    ];
    for (text, (key, path)) in cases {
        assert_eq!(
            duplicate(text),
            (key.to_string(), path.to_string()),
            "{text}"
        );
    }
    // The same key in different objects is no repetition.
    let fine = r#"{"id":"P","facts":{"a":{"v":1},"b":{"v":1}},"events":[{"date":"2021-01-01","kind":"lab","value":1},{"date":"2021-01-02","kind":"lab","value":2}]}"#;
    assert!(parse(fine).is_ok());
    assert!(fast_agrees(fine));
}

#[test]
fn the_caret_points_at_the_second_occurrence() {
    let text = r#"{"id":"P","events":[{"date":"2021-01-01","kind":"imaging","viable_percent":600,"viable_percent":60}]}"#;
    let error = error(text);
    let second = text.rfind("\"viable_percent\"").unwrap();
    assert_eq!(error.span().map(|s| s.offset()), Some(second));
    assert_eq!(error.patient_id(), Some("P"));
    assert!(render(&error).contains("given again here"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(2026),
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// A key of a synthetic patient given again right after itself, anywhere: both readers
    /// refuse the patient, naming that key.
    #[test]
    fn a_key_repeated_anywhere_is_refused_by_both_readers(index in 0usize..100, pick in 0usize..10_000) {
        let text = crate::synth::patient_json(index, 11);
        let keys: Vec<usize> = text.match_indices("\":").map(|(at, _)| at + 2).collect();
        let at = keys[pick % keys.len()];
        let start = text[..at - 2].rfind('"').unwrap();
        // The key and its value, up to the comma or brace that ends the value.
        let end = value_end(&text, at);
        let member = &text[start..end];
        let key: String = serde_json::from_str(&text[start..at - 1]).unwrap();
        let doubled = format!("{}{member},{}", &text[..start], &text[start..]);
        let (found, _) = duplicate(&doubled);
        proptest::prop_assert_eq!(found, key);
    }
}

/// Where the JSON value starting at `at` ends.
fn value_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut in_string, mut escaped) = (0i32, false, false);
    let mut i = at;
    loop {
        let b = bytes[i];
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => depth += 1,
            (false, _, b']' | b'}') if depth == 0 => return i,
            (false, _, b']' | b'}') => depth -= 1,
            (false, _, b',') if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
}
