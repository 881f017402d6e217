//! End to end: input that must not be misread. A pretty-printed patient is one patient
//! whatever its facts hold, a repeated key is an error, an id first seen on an unreadable
//! line is taken, and events that only their input order tells apart are named.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn refract(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_refract"))
        .args(args)
        .current_dir(support::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const SIMPLE: &str = "definitions/scores/up-to-seven.crit";

#[test]
fn a_pretty_printed_patient_holding_a_patient_shaped_object_is_one_patient() {
    let phantom = "{\n  \"id\": \"REAL-PATIENT\",\n  \"facts\": {\n    \"previous_record\":\n{\"id\": \"OLD-COPY\", \"events\": []}\n  },\n  \"events\": [\n    {\"date\": \"2021-01-01\", \"kind\": \"imaging\", \"viable_percent\": 60}\n  ]\n}\n";
    let out = refract(&["eval", "-d", SIMPLE, "-"], phantom);
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.starts_with("{\"patient\":\"REAL-PATIENT\""),
        "{stdout}"
    );
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn a_repeated_key_does_not_pass_with_its_last_value() {
    let patient = r#"{"id":"P1","events":[{"date":"2021-01-01","kind":"imaging","viable_percent":600,"viable_percent":60}]}"#;
    let out = refract(&["eval", "-d", SIMPLE, "-"], &format!("{patient}\n"));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(r#""error":"stdin line 1: events[0].viable_percent: the key \"viable_percent\" is given twice in one object""#), "{stdout}");
    assert!(text(&out.stderr).contains("refract::timeline::duplicate_key"));
}

#[test]
fn an_id_first_seen_on_an_unreadable_line_is_taken() {
    let cohort = "{\"id\":\"P1\",\"events\":[{\"date\":\"2021-02-30\",\"kind\":\"lab\"}]}\n{\"id\":\"P2\",\"events\":[]}\n{\"id\":\"P1\",\"events\":[]}\n";
    let out = refract(&["eval", "-d", SIMPLE, "-"], cohort);
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].contains("is not a valid date"));
    assert!(lines[1].starts_with("{\"patient\":\"P2\",\"definition\""));
    assert!(
        lines[2].contains("patient id \\\"P1\\\" was already used at line 1"),
        "{}",
        lines[2]
    );
    let checked = refract(&["check", "--input", "-"], cohort);
    assert!(
        text(&checked.stdout).contains("1 × duplicate patient id"),
        "{}",
        text(&checked.stdout)
    );
}

#[test]
fn check_input_names_events_only_their_input_order_tells_apart() {
    // Two untimed AFP values on one day: `latest lab ... where test is AFP` takes the one
    // written last. Labs of two tests on one day, and equal events, are no such tie.
    let cohort = concat!(
        r#"{"id":"order1","events":[{"date":"2021-01-01","kind":"lab","test":"AFP","value":100},"#,
        r#"{"date":"2021-01-01","kind":"lab","test":"AFP","value":200},{"date":"2021-01-02","kind":"tace"}]}"#,
        "\n",
        r#"{"id":"fine","events":[{"date":"2021-01-01","kind":"lab","test":"AFP","value":100},"#,
        r#"{"date":"2021-01-01","kind":"lab","test":"PIVKA-II","value":200},"#,
        r#"{"date":"2021-01-01","time":"08:00","kind":"imaging","viable_percent":10},"#,
        r#"{"date":"2021-01-01","time":"09:00","kind":"imaging","viable_percent":20},"#,
        r#"{"date":"2021-01-03","kind":"status","ecog":1},{"date":"2021-01-03","kind":"status","ecog":1}]}"#,
        "\n",
        r#"{"id":"three","events":[{"date":"2021-05-05","kind":"imaging","mrecist":"PD"},"#,
        r#"{"date":"2021-05-05","kind":"imaging","mrecist":"SD"},{"date":"2021-05-05","kind":"imaging","mrecist":"SD"}]}"#,
        "\n",
    );
    let out = refract(&["check", "--input", "-"], cohort);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("2 × same-day events left to input order"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            r#"first: line 1: "order1" on 2021-01-01: events[0] and events[1] (lab AFP)"#
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            r#"also:  line 3: "three" on 2021-05-05: events[0], events[1] and events[2] (imaging)"#
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("\"fine\""), "{stdout}");
}

#[test]
fn escape_codes_in_ids_and_values_reach_no_terminal_raw() {
    let cohort = "{\"id\":\"P\\u001b[2J\",\"events\":[{\"date\":\"2021-01-01\",\"kind\":\"lab\",\"test\":\"AFP\",\"value\":1},{\"date\":\"2021-01-01\",\"kind\":\"lab\",\"test\":\"AFP\",\"value\":2}]}\n{\"id\":\"P\\u001b[2J\",\"events\":[]}\n{\"id\":\"Q\",\"events\":[{\"date\":\"2021-01-01\",\"kind\":\"\\u001b]0;x\\u0007\"}]}\n{\"id\":\"R\\u009b31m\",\"events\":[{\"date\":\"2021-02-30\",\"kind\":\"lab\"}]}\n";
    for args in [
        &["eval", "--format", "table", "-d", SIMPLE, "-"][..],
        &["check", "--input", "-"],
        &["eval", "-d", SIMPLE, "-"],
    ] {
        let out = refract(args, cohort);
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(!bytes.contains(&0x1b), "{args:?} {stream}: {}", text(bytes));
            assert!(!bytes.contains(&0x07), "{args:?} {stream}: {}", text(bytes));
            // A C1 control (here CSI) in UTF-8; JSON output keeps it as JSON allows.
            let json = stream == "stdout" && args[0] == "eval" && !args.contains(&"table");
            let csi = bytes.windows(2).any(|w| w == [0xc2, 0x9b]);
            assert!(json || !csi, "{args:?} {stream}: {}", text(bytes));
        }
    }
}
