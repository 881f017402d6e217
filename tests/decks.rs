//! `refract test`: the shipped decks pass, a changed threshold fails with a report that
//! names the patient and both results, `--update` accepts the new results (and says
//! which), and `--format junit` carries the failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

fn refract(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refract"))
        .args(args)
        .current_dir(support::root())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary folder holding cci-2022 with `number >= 4` for its third session, and its deck.
fn edited_copy(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("refract-decks-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let root = support::root().join("definitions");
    let crit = std::fs::read_to_string(root.join("cci-2022.crit")).unwrap();
    assert!(
        crit.contains("number >= 3"),
        "the threshold this test edits"
    );
    std::fs::write(
        dir.join("cci-2022.crit"),
        crit.replace("number >= 3", "number >= 4"),
    )
    .unwrap();
    std::fs::copy(
        root.join("cci-2022.deck.jsonl"),
        dir.join("cci-2022.deck.jsonl"),
    )
    .unwrap();
    dir
}

fn arg(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn the_shipped_decks_pass_and_every_definition_has_one() {
    let out = refract(&["test", "definitions"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("cci-2022: 39 patients, 0 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("lin-2020: 14 patients, 0 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("albi-grade: 25 patients, 0 failed"),
        "{stdout}"
    );
    assert!(!stdout.contains("no deck"), "{stdout}");
    assert_eq!(
        stdout.lines().count(),
        17,
        "six society definitions, eight studies, three scores"
    );
}

#[test]
fn a_changed_threshold_fails_naming_the_patient_and_both_results() {
    let dir = edited_copy("fail");
    let out = refract(&["test", &arg(&dir)]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("cci-2022.deck.jsonl line 1: cci-pd-at-third-session: FAILED"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("  result: expected met, got not_met\n  onset: expected 2021-08-23, got -\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "intrahepatic_progression: expected met, got not_met (no session S where number >= 4)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("cci-2022: 39 patients, 10 failed"),
        "{stdout}"
    );
}

#[test]
fn update_rewrites_only_the_expectations_and_lists_each_change() {
    let dir = edited_copy("update");
    let deck = dir.join("cci-2022.deck.jsonl");
    let before = std::fs::read_to_string(&deck).unwrap();
    let out = refract(&["test", "--update", &arg(&dir)]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout.matches(": updated\n").count(), 10, "{stdout}");
    assert!(
        stdout.contains(
            "line 1: cci-pd-at-third-session: updated\n  result: expected met, got not_met"
        ),
        "{stdout}"
    );
    let after = std::fs::read_to_string(&deck).unwrap();
    let first = after.lines().next().unwrap();
    assert!(
        first.starts_with(r#"{"id": "cci-pd-at-third-session", "facts": {"expect": {"result":"not_met","onset":null,"criteria":{"intrahepatic_progression":"not_met"}}, "sex": "M""#),
        "{first}"
    );
    // Outside `expect` every line is as it was, and the passing lines are untouched.
    for (old, new) in before.lines().zip(after.lines()) {
        let strip = |line: &str| {
            line.split_once(", \"sex\"")
                .map(|(_, rest)| rest.to_string())
        };
        assert_eq!(strip(old), strip(new));
    }
    assert_eq!(before.lines().nth(2), after.lines().nth(2));
    let again = refract(&["test", &arg(&dir)]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
    assert!(text(&again.stdout).contains("cci-2022: 39 patients, 0 failed"));
}

#[test]
fn junit_has_a_suite_per_deck_a_case_per_patient_and_the_failure() {
    let dir = edited_copy("junit");
    let out = refract(&["test", "--format", "junit", &arg(&dir)]);
    let xml = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{xml}");
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testsuite name="cci-2022" tests="39" failures="10">"#),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 39);
    assert_eq!(xml.matches("<failure ").count(), 10);
    assert!(xml.contains("number &gt;= 4"), "{xml}");
    // Well-formed: every element opened is closed, in order.
    let mut open: Vec<String> = Vec::new();
    for tag in xml.split('<').skip(2) {
        let body = tag.split('>').next().unwrap();
        if let Some(name) = body.strip_prefix('/') {
            assert_eq!(open.pop().as_deref(), Some(name), "{xml}");
        } else if !body.ends_with('/') {
            open.push(body.split(' ').next().unwrap().to_string());
        }
    }
    assert!(open.is_empty(), "{open:?}");
}

#[test]
fn an_unreadable_patient_fails_with_its_line_and_a_definition_without_a_deck_is_listed() {
    let dir = edited_copy("unreadable");
    std::fs::write(
        dir.join("cci-2022.crit"),
        std::fs::read_to_string(support::root().join("definitions/cci-2022.crit")).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("cci-2022.deck.jsonl"), "{\"id\":\"a\",\"facts\":{\"expect\":{\"result\":\"not_met\"}},\"events\":[]}\n{\"id\":\"b\",\"events\":[{\"date\":\"2021-02-30\",\"kind\":\"tace\"}]}\n").unwrap();
    std::fs::copy(
        support::root().join("definitions/jsh-2010.crit"),
        dir.join("jsh-2010.crit"),
    )
    .unwrap();
    let out = refract(&["test", &arg(&dir)]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("cci-2022.deck.jsonl line 2: events[0].date:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cci-2022: 2 patients, 1 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("jsh-2010: no deck"), "{stdout}");
}
