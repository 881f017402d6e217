//! Whole-file JSON or JSON Lines: the rule of `timeline-format.md`, which an object on a
//! line of its own inside a pretty-printed patient cannot fool.

use super::*;

#[test]
fn a_pretty_printed_single_patient() {
    let text = "\n\n{\n  \"id\": \"P1\",\n  \"events\": [\n    {\"date\": \"2021-01-04\", \"kind\": \"lab\"}\n  ]\n}\n";
    assert_eq!(summary(&cohort(text)), ["P1@None"]);
    let bad = text.replace("2021-01-04", "2021-01-32");
    let items = cohort(&bad);
    let [Err(e)] = items.as_slice() else {
        panic!("{items:?}")
    };
    assert_eq!(
        e.to_string(),
        r#"cohort.jsonl: events[0].date: "2021-01-32" is not a valid date (January 2021 has 31 days)"#
    );
    assert!(render(e).contains("[cohort.jsonl:6:"), "{}", render(e));
    let broken = text.replace("\"P1\",", "\"P1\"");
    let items = cohort(&broken);
    let [Err(e)] = items.as_slice() else {
        panic!("{items:?}")
    };
    assert!(
        e.to_string()
            .starts_with("cohort.jsonl: invalid JSON at line 5, column 3: "),
        "{e}"
    );
}

#[test]
fn a_truncated_first_line_falls_back_to_json_lines() {
    let text =
        "{\"id\":\"A\",\"events\":[\n{\"id\":\"B\",\"events\":[]}\n{\"id\":\"C\",\"events\":[]}\n";
    let items = cohort(text);
    assert_eq!(summary(&items)[1..], ["B@Some(2)", "C@Some(3)"]);
    assert!(summary(&items)[0].starts_with("error: cohort.jsonl line 1: invalid JSON at column 20: the line ends before the JSON is complete (EOF while parsing a list)"), "{:?}", summary(&items));
}

#[test]
fn an_object_on_a_line_of_its_own_inside_a_patient_is_no_patient() {
    let phantom = "{\n  \"id\": \"REAL\",\n  \"facts\": {\n    \"previous\":\n{\"id\": \"OLD\", \"events\": []}\n  },\n  \"events\": [\n    {\"date\": \"2021-01-01\", \"kind\": \"imaging\"}\n  ]\n}\n";
    assert_eq!(summary(&cohort(phantom)), ["REAL@None"]);
    // Broken elsewhere, it is still one patient, with one error at its place.
    let broken = phantom.replace("\"REAL\",", "\"REAL\",,");
    let items = cohort(&broken);
    let [Err(e)] = items.as_slice() else {
        panic!("{items:?}")
    };
    assert!(e.to_string().contains("line 2, column 16"), "{e}");
    // Several patients pretty-printed one after another are not a format: one error.
    let two = format!("{phantom}{phantom}");
    assert!(matches!(cohort(&two).as_slice(), [Err(_)]));
}

#[test]
fn a_broken_first_line_before_json_lines_hides_no_patient() {
    // The broken line happens to open a list that the next line's object would fit into.
    let text =
        "{\"id\":\"A\",\"facts\":\n{\"id\":\"B\",\"events\":[]}\n\n{\"id\":\"C\",\"events\":[]}\n";
    let items = cohort(text);
    assert_eq!(summary(&items)[1..], ["B@Some(2)", "C@Some(4)"]);
    assert!(summary(&items)[0].starts_with("error: cohort.jsonl line 1:"));
}
