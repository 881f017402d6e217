use std::io::{BufRead, BufReader, Cursor, Read};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use super::locate::{locate, At};
use super::*;
use crate::vocabulary::Vocabulary;

mod containers;
mod duplicates;
mod scanner;

fn vocab() -> Vocabulary {
    Vocabulary::builtin()
}

fn parse(text: &str) -> Result<Patient, TimelineError> {
    parse_patient(text, &Origin::new("cohort.jsonl", Some(7)), &vocab())
}

/// A patient whose only event is `{"date": "2021-01-04", "kind": kind, <extra>}`.
fn one_event(kind: &str, extra: &str) -> String {
    format!(r#"{{"id":"P1","events":[{{"date":"2021-01-04","kind":"{kind}"{extra}}}]}}"#)
}

fn error(text: &str) -> TimelineError {
    parse(text).unwrap_err()
}

fn render(error: &TimelineError) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, error)
        .unwrap();
    out
}

fn cohort(text: &str) -> Vec<Result<Patient, TimelineError>> {
    read_cohort(
        Cursor::new(text.as_bytes().to_vec()),
        "cohort.jsonl",
        &vocab(),
    )
    .collect()
}

fn summary(items: &[Result<Patient, TimelineError>]) -> Vec<String> {
    items
        .iter()
        .map(|item| match item {
            Ok(p) => format!("{}@{:?}", p.id, p.line),
            Err(e) => format!("error: {e}"),
        })
        .collect()
}

#[test]
fn loads_a_patient() {
    let text = r#"{"id": "P0001", "facts": {"sex": "M"}, "extra": 1, "events": [
        {"date": "2021-02-01", "kind": "tace", "agents": ["epirubicin"], "selective": true, "adequate": null},
        {"date": "2021-02-01", "kind": "imaging", "viable_percent": 12.50, "mrecist": "PR", "time": null},
        {"date": "2021-01-04", "time": "09:30", "kind": "lab", "test": "AFP", "value": 1.5e3, "unit": "ng/mL"},
        {"date": "2021-01-04", "kind": "biopsy", "grade": "G2", "scores": [1, "x", [true]], "detail": {"a": null}},
        {"date": "2021-01-04", "kind": "imaging", "afp_ratio": 2, "value": "text is fine on imaging"}
    ]}"#;
    let patient = parse(text).unwrap();
    assert_eq!(patient.id, "P0001");
    assert_eq!(patient.line, Some(7));
    assert_eq!(patient.facts.get("sex"), Some(&serde_json::json!("M")));
    let order: Vec<usize> = patient.events.iter().map(|e| e.index).collect();
    assert_eq!(order, [3, 4, 2, 1, 0]);
    let [biopsy, imaging_jan, lab, imaging, tace] = patient.events.as_slice() else {
        panic!()
    };
    assert_eq!(lab.time, Some((9, 30)));
    assert_eq!(
        lab.get("value").and_then(Value::as_number),
        crate::number::Decimal::parse("1500")
    );
    assert_eq!(
        imaging.get("viable_percent").unwrap().to_json().to_string(),
        "12.5"
    );
    assert_eq!(imaging.get("mrecist").and_then(Value::as_text), Some("PR"));
    assert!(tace.is_procedure() && !imaging.is_procedure());
    assert_eq!(tace.get("adequate"), None, "null is absent");
    assert_eq!(tace.get("selective").and_then(Value::as_bool), Some(true));
    assert_eq!(
        tace.get("agents")
            .and_then(Value::as_list)
            .map(<[Value]>::len),
        Some(1)
    );
    assert_eq!(biopsy.kind, "biopsy");
    assert_eq!(
        biopsy.get("scores").unwrap().to_json(),
        serde_json::json!([1, "x", [true]])
    );
    assert!(matches!(biopsy.get("detail"), Some(Value::Object(_))));
    assert_eq!(
        imaging_jan.get("value").map(Value::type_name),
        Some("a string")
    );
}

#[test]
fn empty_events_and_absent_facts_are_fine() {
    let patient = parse(r#"{"id":"P2","events":[],"facts":null}"#).unwrap();
    assert!(patient.events.is_empty() && patient.facts.is_empty());
}

#[test]
fn invalid_date_message_names_file_line_and_path() {
    let text = r#"{"id":"P9","events":[{},{},{},{"date":"2021-02-30","kind":"lab"}]}"#.replace(
        "{},{},{}",
        r#"{"date":"2021-01-01","kind":"lab"},{"date":"2021-01-02","kind":"lab"},{"date":"2021-01-03","kind":"lab"}"#,
    );
    let e = error(&text);
    assert_eq!(
        e.to_string(),
        r#"cohort.jsonl line 7: events[3].date: "2021-02-30" is not a valid date (February 2021 has 28 days)"#
    );
    assert_eq!(e.patient_id(), Some("P9"));
    assert_eq!(e.origin(), &Origin::new("cohort.jsonl", Some(7)));
    assert_eq!(e.json_path(), Some("events[3].date"));
    assert_eq!(
        e.code().unwrap().to_string(),
        "refract::timeline::invalid_date"
    );
    assert!(e.help().unwrap().to_string().contains("YYYY-MM-DD"));
    let span = e.span().unwrap();
    assert_eq!(
        text.get(span.offset()..span.offset() + span.len()),
        Some(r#""2021-02-30""#)
    );
    let report = render(&e);
    assert!(report.contains("[cohort.jsonl:7:"), "{report}");
    assert!(report.contains("February 2021 has 28 days"), "{report}");
    assert!(report.contains('╰'), "{report}");
}

/// `(extra attributes or whole text, expected code, expected message after the origin)`
#[test]
fn every_check_reports_its_path_and_reason() {
    let cases: &[(String, &str, &str)] = &[
        (r#"[1]"#.into(), "not_an_object", "a patient must be a JSON object, found an array"),
        (r#"{"events":[]}"#.into(), "missing_field", r#"id: required but missing ("id": a string naming the patient)"#),
        (r#"{"id":7,"events":[]}"#.into(), "wrong_type", "id: expected a non-empty string, found the number 7"),
        (r#"{"id":"","events":[]}"#.into(), "wrong_type", "id: expected a non-empty string, found an empty string"),
        (r#"{"id":"P1"}"#.into(), "missing_field", r#"events: required but missing ("events": an array, possibly empty)"#),
        (r#"{"id":"P1","events":{}}"#.into(), "wrong_type", "events: expected an array of events, found an object"),
        (r#"{"id":"P1","events":[],"facts":[]}"#.into(), "wrong_type", "facts: expected an object of facts, found an array"),
        (r#"{"id":"P1","events":[null]}"#.into(), "wrong_type", "events[0]: expected an event object, found null"),
        (r#"{"id":"P1","events":[{"kind":"lab"}]}"#.into(), "missing_field", r#"events[0].date: required but missing ("date": "YYYY-MM-DD")"#),
        (r#"{"id":"P1","events":[{"date":20210104,"kind":"lab"}]}"#.into(), "wrong_type", r#"events[0].date: expected a date as a string "YYYY-MM-DD", found the number 20210104"#),
        (r#"{"id":"P1","events":[{"date":"2021/01/04","kind":"lab"}]}"#.into(), "invalid_date", r#"events[0].date: "2021/01/04" is not a valid date (expected a date written YYYY-MM-DD, e.g. 2021-03-15)"#),
        (r#"{"id":"P1","events":[{"date":"1700-01-04","kind":"lab"}]}"#.into(), "invalid_date", r#"events[0].date: "1700-01-04" is not a valid date (the year 1700 is out of range (dates must fall in the years 1800 to 2200))"#),
        (r#"{"id":"P1","events":[{"date":"2021-01-04"}]}"#.into(), "missing_field", r#"events[0].kind: required but missing ("kind": a string such as "tace" or "imaging")"#),
        (r#"{"id":"P1","events":[{"date":"2021-01-04","kind":["lab"]}]}"#.into(), "wrong_type", "events[0].kind: expected a non-empty string, found an array"),
        (one_event("lab", r#","time":"8:30""#), "invalid_time", r#"events[0].time: "8:30" is not a time of day (expected HH:MM, from 00:00 to 23:59)"#),
        (one_event("lab", r#","time":"24:00""#), "invalid_time", r#"events[0].time: "24:00" is not a time of day (expected HH:MM, from 00:00 to 23:59)"#),
        (one_event("lab", r#","time":830"#), "wrong_type", r#"events[0].time: expected a time as a string "HH:MM", found the number 830"#),
        (one_event("imaging", r#","viable_percent":140"#), "out_of_range", "events[0].viable_percent: 140 is outside 0–100"),
        (one_event("imaging", r#","lipiodol_percent":-0.5"#), "out_of_range", "events[0].lipiodol_percent: -0.5 is outside 0–100"),
        (one_event("imaging", r#","viable_percent":"40""#), "wrong_type", r#"events[0].viable_percent: expected a number from 0 to 100, found the string "40""#),
        (one_event("imaging", r#","mrecist":"XX""#), "unknown_category", r#"events[0].mrecist: "XX" is not one of CR, PR, SD, PD, NE"#),
        (one_event("imaging", r#","tumor_count":-1"#), "out_of_range", "events[0].tumor_count: -1 is negative"),
        (one_event("imaging", r#","tumor_count":2.5"#), "not_integer", "events[0].tumor_count: 2.5 is not a whole number"),
        (one_event("imaging", r#","target_viable_sum_mm":-3"#), "out_of_range", "events[0].target_viable_sum_mm: -3 is negative"),
        (one_event("imaging", r#","contrast":"yes""#), "wrong_type", r#"events[0].contrast: expected true or false, found the string "yes""#),
        (one_event("status", r#","ecog":7"#), "out_of_range", "events[0].ecog: 7 is outside 0–5"),
        (one_event("status", r#","child_pugh_score":4"#), "out_of_range", "events[0].child_pugh_score: 4 is outside 5–15"),
        (one_event("status", r#","child_pugh_score":6.5"#), "not_integer", "events[0].child_pugh_score: 6.5 is not a whole number"),
        (one_event("status", r#","bclc":0"#), "wrong_type", "events[0].bclc: expected one of 0, A, B, C, D, found the number 0"),
        (one_event("tace", r#","agents":["epirubicin",3]"#), "wrong_type", "events[0].agents[1]: expected a string, found the number 3"),
        (one_event("tace", r#","agents":"epirubicin""#), "wrong_type", r#"events[0].agents: expected a list of strings, found the string "epirubicin""#),
        (one_event("tace", r#","intent":"Curative""#), "unknown_category", r#"events[0].intent: "Curative" is not one of curative, palliative"#),
        (one_event("lab", r#","value":1e400"#), "unrepresentable_number", "events[0].value: the number 1e+400 cannot be held exactly (at most 30 significant digits and 18 decimal places)"),
        (one_event("other", r#","x":[1,null]"#), "wrong_type", "events[0].x[1]: expected a value (null is not allowed inside a list), found null"),
        (one_event("other", r#",",odd key":true"#), "", ""),
    ];
    for (text, code, message) in cases {
        let result = parse(text);
        if code.is_empty() {
            assert!(result.is_ok(), "{text}: {result:?}");
            continue;
        }
        let e = result.unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("cohort.jsonl line 7: {message}"),
            "{text}"
        );
        assert_eq!(
            e.code().unwrap().to_string(),
            format!("refract::timeline::{code}"),
            "{text}"
        );
        assert!(e.help().is_some());
        // Every error but a syntax error can point at something in the line.
        assert!(e.span().is_some(), "no span for {text}");
        render(&e);
    }
}

#[test]
fn category_help_suggests_the_right_case() {
    let e = error(&one_event("imaging", r#","mrecist":"pd""#));
    assert_eq!(
        e.help().unwrap().to_string(),
        r#"did you mean "PD"? Categories are case-sensitive"#
    );
}

#[test]
fn spans_point_at_the_offending_value() {
    let text = one_event("imaging", r#","viable_percent": 140 , "mrecist":"PR""#);
    let span = error(&text).span().unwrap();
    assert_eq!(
        text.get(span.offset()..span.offset() + span.len()),
        Some("140")
    );
    // A missing key points at the object that lacks it.
    let text = r#"{"id":"P1","events":[ {"kind":"lab"} ]}"#;
    let span = error(text).span().unwrap();
    assert_eq!(
        text.get(span.offset()..span.offset() + span.len()),
        Some(r#"{"kind":"lab"}"#)
    );
}

#[test]
fn locate_handles_escapes_duplicates_and_nesting() {
    let text = r#" {"a\"b": [1, {"x": "]}\""}, 3], "k": 1, "k": [ {"d": "2"} ] }"#;
    let at = |path: At<'_>| locate(text, &path.to_path()).map(|(s, l)| &text[s..s + l]);
    let root = At::Root;
    assert_eq!(at(root.key("a\"b").index(1).key("x")), Some(r#""]}\"""#));
    assert_eq!(at(root.key("a\"b").index(2)), Some("3"));
    assert_eq!(at(root.key("k").index(0).key("d")), Some(r#""2""#));
    assert_eq!(at(root.key("a\"b").index(3)), None);
    assert_eq!(at(root.key("missing")), None);
    assert_eq!(
        root.key("events")
            .index(3)
            .key("date")
            .to_path()
            .to_string(),
        "events[3].date"
    );
    assert_eq!(
        root.key("a b").index(0).to_path().to_string(),
        r#"["a b"][0]"#
    );
}

#[test]
fn syntax_errors_carry_position_and_span() {
    let text = r#"{"id": "P1",, "events": []}"#;
    let e = error(text);
    assert!(
        e.to_string()
            .starts_with("cohort.jsonl line 7: invalid JSON at column 13: "),
        "{e}"
    );
    assert_eq!(
        e.code().unwrap().to_string(),
        "refract::timeline::json_syntax"
    );
    assert_eq!(e.span().unwrap().offset(), 12);
    // The id is read whole before the break: it is taken all the same.
    assert_eq!(e.patient_id(), Some("P1"));
    assert_eq!(error(r#"{"events": [], "id": "P1"#).patient_id(), None);
    assert_eq!(error(r#"{"events": [}, "id": "P1"}"#).patient_id(), None);
    assert!(render(&e).contains("[cohort.jsonl:7:13]"), "{}", render(&e));
    let pretty = "{\n  \"id\": \"P1\",\n  \"events\": [,]\n}\n";
    let e = parse_patient(pretty, &Origin::new("p.json", None), &vocab()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("p.json: invalid JSON at line 3, column "),
        "{e}"
    );
    assert!(render(&e).contains("[p.json:3:"), "{}", render(&e));
}

#[test]
fn too_many_events() {
    let event = r#"{"date":"2021-01-01","kind":"lab"},"#.repeat(MAX_EVENTS + 1);
    let text = format!(
        r#"{{"id":"P1","events":[{}]}}"#,
        event.trim_end_matches(',')
    );
    let e = error(&text);
    assert_eq!(
        e.to_string(),
        "cohort.jsonl line 7: events: 100001 events are more than the limit of 100000 per patient"
    );
}

#[test]
fn a_broken_line_does_not_stop_the_cohort() {
    let text = [
        r#"{"id":"A","events":[]}"#,
        "",
        r#"{"id":"B","events":[{"date":"2021-02-30","kind":"lab"}]}"#,
        r#"{"id":"C","events":[}"#,
        "   ",
        r#"[]"#,
        r#"{"id":"D","events":[{"date":"2021-01-01","kind":"lab"}]}"#,
    ]
    .join("\n");
    let items = cohort(&text);
    assert_eq!(
        summary(&items),
        [
            "A@Some(1)",
            r#"error: cohort.jsonl line 3: events[0].date: "2021-02-30" is not a valid date (February 2021 has 28 days)"#,
            "error: cohort.jsonl line 4: invalid JSON at column 21: expected value",
            "error: cohort.jsonl line 6: a patient must be a JSON object, found an array",
            "D@Some(7)",
        ]
    );
    let Err(e) = &items[1] else { panic!() };
    assert_eq!(e.patient_id(), Some("B"));
    assert!(render(e).contains("[cohort.jsonl:3:"));
}

#[test]
fn line_endings_bom_and_empty_input() {
    let items = cohort("\u{feff}{\"id\":\"A\",\"events\":[]}\r\n\r\n{\"id\":\"B\",\"events\":[]}");
    assert_eq!(summary(&items), ["A@Some(1)", "B@Some(3)"]);
    assert!(cohort("").is_empty());
    assert!(cohort("\n \n\t\n").is_empty());
}

#[test]
fn overlong_lines_and_bad_bytes_are_errors_not_aborts() {
    let mut input = br#"{"id":"A","events":[]}"#.to_vec();
    input.push(b'\n');
    input.extend(vec![b' '; MAX_LINE_BYTES + 10]);
    input.extend(b"\n\xff\xfe\n");
    input.extend(br#"{"id":"B","events":[]}"#);
    let items: Vec<_> = read_cohort(Cursor::new(input), "c.jsonl", &vocab()).collect();
    assert_eq!(
        summary(&items),
        [
            "A@Some(1)",
            "error: c.jsonl line 2: the line is longer than 16 MiB",
            "error: c.jsonl line 3: the text is not valid UTF-8 (at byte 0)",
            "B@Some(4)",
        ]
    );
}

/// A reader that fails after its data.
struct Failing(Cursor<Vec<u8>>);

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.read(buf)? {
            0 => Err(std::io::Error::other("disk on fire")),
            n => Ok(n),
        }
    }
}

#[test]
fn a_read_failure_ends_the_stream_once() {
    let data = b"{\"id\":\"A\",\"events\":[]}\n".to_vec();
    let reader: Box<dyn BufRead> = Box::new(BufReader::new(Failing(Cursor::new(data))));
    let items: Vec<_> = read_cohort(reader, "c.jsonl", &vocab()).take(10).collect();
    assert_eq!(
        summary(&items),
        [
            "A@Some(1)",
            "error: c.jsonl line 2: could not read the input: disk on fire"
        ]
    );
}

#[test]
fn garbage_never_panics() {
    let valid = r#"{"id":"P1","facts":{"a":[1,{"b":null}]},"events":[{"date":"2021-01-04","time":"08:00","kind":"imaging","viable_percent":40.5,"mrecist":"PD","tumor_count":3,"agents":["x"]},{"date":"2021-01-05","kind":"tace","agents":["a","b"],"selective":true}]}"#;
    let alphabet: Vec<char> = r#"{}[]":,.-+eE0123456789 \/tfnulrsa_é😀"#.chars().collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % bound as u64).unwrap()
    };
    let mut lines = Vec::new();
    for round in 0..3000 {
        let mut chars: Vec<char> = valid.chars().collect();
        for _ in 0..1 + round % 4 {
            let at = next(chars.len());
            match next(3) {
                0 => chars[at] = alphabet[next(alphabet.len())],
                1 => chars.insert(at, alphabet[next(alphabet.len())]),
                _ => {
                    chars.remove(at);
                }
            }
        }
        let line: String = chars.into_iter().collect();
        if let Err(e) = parse(&line) {
            let _ = (e.to_string(), render(&e), e.json_path(), e.patient_id());
        }
        lines.push(line);
    }
    for _ in 0..300 {
        let len = next(80);
        lines.push((0..len).map(|_| alphabet[next(alphabet.len())]).collect());
    }
    let items = cohort(&lines.join("\n"));
    assert!(items.len() > 3000);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(cohort(&deep).len(), 1);
    let deep_pretty = format!("{{\n{}", "[".repeat(100_000));
    assert_eq!(cohort(&deep_pretty).len(), 1);
}

/// Each tier of the fast path (the byte scanner, serde's visitors) gives up or agrees
/// with the checked path: never a different patient.
pub(super) fn fast_agrees(text: &str) -> bool {
    let origin = Origin::new("p.jsonl", Some(3));
    let checked = load::checked_patient(text, &origin, &vocab());
    let agrees = |tier: Option<Patient>| match tier {
        Some(fast) => checked.as_ref().ok() == Some(&fast),
        None => true,
    };
    agrees(fast::patient(text, Some(3), &vocab())) && agrees(scan::patient(text, Some(3), &vocab()))
}

#[test]
fn fast_path_takes_plain_patients_and_gives_up_on_the_rest() {
    let taken = [
        r#"{"id":"P","events":[]}"#,
        r#"{"id":"P","facts":null,"extra":[1,{"a":null}],"events":[]}"#,
        r#" { "events" : [ { "kind" : "lab" , "value" : -0.50 , "date" : "2021-02-01" , "time" : null } ] , "id" : "P" } "#,
        r#"{"id":"P","facts":{"sex":"F"},"events":[{"date":"2021-02-01","kind":"imaging","tumor_count":3,"mrecist":"PD","contrast":true,"viable_percent":1.5e1,"vascular_invasion":null}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"tace","time":"09:30","agents":["a","b"],"custom":{"x":[1]},"note":"caf\u00e9","list":[true,2,"x"]}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"status","ecog":2.0,"child_pugh_score":5}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"status","ecog":null,"bclc":null}]}"#,
    ];
    for text in taken {
        assert!(fast::patient(text, None, &vocab()).is_some(), "{text}");
        assert!(fast_agrees(text), "{text}");
    }
    let refused = [
        r#"{"id":"P","id":"Q","events":[]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"lab","value":1,"value":2}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","date":"2021-02-02","kind":"lab"}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-30","kind":"lab"}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"status","ecog":2.5}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"imaging","mrecist":"XX"}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"imaging","viable_percent":"40"}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"imaging","viable_percent":101}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"tace","agents":["a",null]}]}"#,
        r#"{"id":"P","events":[{"date":"2021-02-01","kind":"","time":"25:00"}]}"#,
        r#"{"id":"","events":[]}"#,
        r#"{"id":"P","events":null}"#,
        r#"{"id":"P"}"#,
        r#"{"id":"P","events":[]} x"#,
        r#"[]"#,
        // A repeated key, even when one of them is null, wherever it is.
        r#"{"id":"P","events":[{"date":"2021-01-01","kind":"status","ecog":4,"ecog":null}]}"#,
        r#"{"id":"P","x":1,"x":1,"events":[]}"#,
        r#"{"id":"P","facts":{"a":{"b":1,"b":1}},"events":[]}"#,
        r#"{"id":"P","z":[{"q":1,"q":2}],"events":[]}"#,
        r#"{"id":"P","events":[{"date":"2021-01-01","kind":"lab","o":{"k":1,"k":2}}]}"#,
        // What serde_json's tree reads as a number.
        r#"{"$serde_json::private::Number":"1","id":"P","events":[]}"#,
        r#"{"id":"P","facts":{"$serde_json::private::Number":"1"},"events":[]}"#,
        r#"{"id":"P","events":[{"$serde_json::private::Number":"1","date":"2021-01-01","kind":"lab"}]}"#,
    ];
    for text in refused {
        assert!(fast::patient(text, None, &vocab()).is_none(), "{text}");
        assert!(scan::patient(text, None, &vocab()).is_none(), "{text}");
    }
    // Unread values are still checked as the checked path checks them: escapes and depth.
    let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
    let broken = [
        r#"{"id":"P","events":[],"x":"\ud800"}"#.to_owned(),
        format!(r#"{{"id":"P","events":[],"x":{}}}"#, deep(127)),
        format!(
            r#"{{"id":"P","events":[{{"date":"2021-02-01","kind":"lab","x":{}}}]}}"#,
            deep(126)
        ),
    ];
    for text in &broken {
        assert!(fast::patient(text, None, &vocab()).is_none(), "{text}");
        assert!(scan::patient(text, None, &vocab()).is_none(), "{text}");
        assert!(load::checked_patient(text, &Origin::new("p", None), &vocab()).is_err());
    }
    let fine = format!(
        r#"{{"id":"P","events":[{{"date":"2021-02-01","kind":"lab","x":{}}}]}}"#,
        deep(100)
    );
    assert!(fast::patient(&fine, None, &vocab()).is_some());
    assert!(fast_agrees(&fine));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(2026),
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Synthetic patients with a few bytes changed: whatever the fast path accepts, the
    /// checked path reads the same.
    #[test]
    fn fast_path_never_disagrees(
        index in 0usize..200,
        edits in proptest::collection::vec((proptest::prelude::any::<u16>(), "[-0-9a-zA-Z\":,{}\\[\\]\\\\. eE+]{0,3}", 0u8..4), 0..4),
    ) {
        let mut text = crate::synth::patient_json(index, 7);
        for (at, insert, cut) in edits {
            let mut at = usize::from(at) % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let end = (at + usize::from(cut)).min(text.len());
            if text.is_char_boundary(end) {
                text.replace_range(at..end, &insert);
            }
        }
        proptest::prop_assert!(fast_agrees(&text), "{}", text);
    }
}

#[test]
fn fast_path_takes_every_synthetic_patient() {
    for index in 0..500 {
        let text = crate::synth::patient_json(index, 2026);
        assert!(fast::patient(&text, None, &vocab()).is_some(), "{text}");
        assert!(scan::patient(&text, None, &vocab()).is_some(), "{text}");
        assert!(fast_agrees(&text));
    }
}
