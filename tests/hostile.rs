//! Hostile input, generated: definitions built from deep chains of every recursive
//! construct, long lines and control characters, and patients with deep values, long
//! strings, repeated keys and many events, through `check` and `eval` with a time budget
//! per case. Nothing panics or overflows, everything refused is refused with a
//! diagnostic that renders and writes no control character, and everything accepted
//! evaluates within its budget on a 2 MiB thread. Then one regression test per case of
//! the hostile-input list that is not held elsewhere (tests/limits.rs, tests/output.rs
//! and tests/input.rs hold the others).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use refract::source::SourceFile;
use refract::timeline::{parse_patient, read_cohort, Origin};
use refract::vocabulary::Vocabulary;

/// How long one generated case may take, in a debug build on a loaded machine.
const BUDGET: Duration = Duration::from_secs(20);

/// Runs `work` on a plain thread with a 2 MiB stack; fails past [`BUDGET`].
fn within_budget<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = done.send(work());
        })
        .unwrap();
    match result.recv_timeout(BUDGET) {
        Ok(value) => value,
        Err(_) => panic!("{what}: no result within {BUDGET:?} (or it panicked)"),
    }
}

/// Whether `text` holds a character that would act on a terminal.
fn has_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// One recursive construct chained `n` deep around `inner`.
fn chain(construct: usize, n: usize, inner: &str) -> String {
    let r = |s: &str| s.repeat(n);
    match construct % 12 {
        0 => format!("{}{inner}", r("not ")),
        1 => format!("{inner}{}", r(" and any imaging")),
        2 => format!("{inner}{}", r(" else any session")),
        3 => format!(
            "any imaging shows viable_percent{} > 5 or {inner}",
            r(" * 1")
        ),
        4 => format!(
            "any imaging shows viable_percent{} > 5 or {inner}",
            r(" + 2 - 1")
        ),
        5 => format!(
            "{}(viable_percent > 1) or {inner}",
            r("latest imaging shows ")
        ),
        6 => format!(
            "any imaging after {}session 1 or {inner}",
            r("next session after ")
        ),
        7 => format!("{}{inner}", r("any imaging where ")),
        8 => format!("{}{inner}{}", r("("), r(")")),
        9 => format!("{}{inner}", r("any session: ")),
        10 => format!("{}{inner}", r("any M in [AFP]: ")),
        _ => format!(
            "any imaging after {}session 1 or {inner}",
            r("latest imaging after ")
        ),
    }
}

/// Characters a word processor or a hostile file can bring.
const NOISE: &[&str] = &[
    "\u{1b}[2J",
    "\u{9b}31m",
    "\u{7}",
    "\u{0}",
    "\r",
    "\u{202e}",
    "\u{feff}",
    "é",
    "\\",
    "\"",
    "\\\\\"",
    "//",
    "\t",
    "(",
    "[",
    ":",
    "\u{7f}",
];

prop_compose! {
    /// A definition: chains of constructs (some past the limits), a long line, noise.
    fn hostile_definition()(
        chains in proptest::collection::vec((0usize..12, prop_oneof![0usize..30, 0usize..260]), 1..4),
        long in prop_oneof![Just(0usize), 1usize..2_000, 60_000usize..70_000],
        noise in prop_oneof![
            Just(Vec::new()),
            proptest::collection::vec((0usize..NOISE.len(), any::<u16>()), 1..6),
        ],
        in_string in any::<bool>(),
    ) -> String {
        let mut body = "any session".to_string();
        for (construct, n) in chains {
            body = chain(construct, n, &body);
        }
        let pad = "x".repeat(long);
        let source = if in_string { format!("\"{pad}\"") } else { "\"s\"".to_string() };
        let mut text = format!(
            "definition hostile\n  outcome refractory\n// {pad}\npart p \"a part\" = any imaging\ncriterion c\n  source {source}\n  = {body} or p\nmet when c\n"
        );
        for (which, at) in noise {
            let mut at = usize::from(at) % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, NOISE[which]);
        }
        text
    }
}

/// One event of each kind, so every chain is followed to its end; quantifiers nested
/// over many events are the evaluator's cost question, not this test's.
const SMALL: &str = r#"{"id":"small","events":[{"date":"2021-01-01","kind":"imaging","viable_percent":60},{"date":"2021-01-05","kind":"tace"},{"date":"2021-02-01","kind":"lab","test":"AFP","value":30}]}"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, rng_seed: RngSeed::Fixed(2026), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hostile_definitions_are_checked_and_evaluated_within_budget(text in hostile_definition()) {
        within_budget("a hostile definition", move || {
            let vocabulary = Vocabulary::builtin();
            match refract::compile(&SourceFile::new("hostile.crit", text), &vocabulary) {
                Err(diagnostics) => {
                    assert!(!diagnostics.problems.is_empty());
                    let rendered = diagnostics.render_plain(100);
                    assert!(!has_control(&rendered), "{rendered}");
                }
                Ok((checked, warnings)) => {
                    assert!(!has_control(&warnings.render_plain(100)));
                    let patient = support::patient(SMALL);
                    let _ = refract::eval::evaluate(&checked, &patient);
                }
            }
        });
    }
}

/// Values a hostile patient can hold where an attribute is expected.
fn hostile_value() -> impl Strategy<Value = String> {
    prop_oneof![
        (1usize..120).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n))),
        (1usize..60).prop_map(|n| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))),
        (1usize..70_000).prop_map(|n| format!("\"{}\"", "y".repeat(n))),
        Just(r#""\u001b[2J\u0007""#.to_string()),
        Just("600,\"viable_percent\":60".to_string()),
        Just("1e400".to_string()),
        Just("-0.000000000000000000001".to_string()),
    ]
}

prop_compose! {
    fn hostile_patient()(
        sessions in 0usize..1_500,
        extra in proptest::collection::vec((0usize..4, hostile_value()), 0..4),
        id in prop_oneof![Just("P".to_string()), Just("P\\u001b]0;t\\u0007".to_string())],
    ) -> String {
        let kinds = ["imaging", "lab", "status", "tace"];
        let mut events: Vec<String> = (0..sessions)
            .map(|i| {
                let day = refract::date::Date::parse("2001-01-01").unwrap().add_days(i64::try_from(i).unwrap() * 3).unwrap();
                format!(r#"{{"date":"{day}","kind":"tace"}},{{"date":"{day}","kind":"imaging","modality":"CT","mrecist":"SD","viable_percent":50}}"#)
            })
            .collect();
        for (kind, value) in extra {
            events.push(format!(r#"{{"date":"2021-01-01","kind":"{}","viable_percent":{value}}}"#, kinds[kind]));
        }
        format!(r#"{{"id":"{id}","events":[{}]}}"#, events.join(","))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, rng_seed: RngSeed::Fixed(2026), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hostile_patients_are_read_and_evaluated_within_budget(json in hostile_patient()) {
        within_budget("a hostile patient", move || {
            let vocabulary = Vocabulary::builtin();
            match parse_patient(&json, &Origin::new("hostile.jsonl", Some(1)), &vocabulary) {
                Err(error) => {
                    let mut rendered = String::new();
                    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                        .render_report(&mut rendered, &error.shown())
                        .unwrap();
                    assert!(!has_control(&rendered), "{rendered}");
                }
                Ok(patient) => {
                    for definition in support::shipped() {
                        let _ = refract::eval::evaluate(&definition, &patient);
                    }
                }
            }
        });
    }
}

/// `long_line_panic.jsonl`: a bad date after 65,500 characters on one line.
#[test]
fn a_bad_value_far_along_a_line_is_shown_and_the_other_patients_are_read() {
    let far = format!(
        "{{\"id\":\"first\",\"events\":[]}}\n{{\"id\":\"x\",\"pad\":\"{}\",\"events\":[{{\"date\":\"2021-02-30\",\"kind\":\"imaging\"}}]}}\n{{\"id\":\"last\",\"events\":[]}}\n",
        "a".repeat(65_500)
    );
    let items: Vec<_> = read_cohort(far.as_bytes(), "long.jsonl", &Vocabulary::builtin()).collect();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[2].is_ok());
    let error = items[1].as_ref().unwrap_err();
    let mut rendered = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(80)
        .render_report(&mut rendered, &error.shown())
        .unwrap();
    assert!(rendered.contains("[long.jsonl:2:65538]"), "{rendered}");
    assert!(rendered.contains("\"2021-02-30\""));
    assert!(rendered.len() < 2_000);
}

/// `long_line_panic.crit`: an error (and a warning) past column 65,535.
#[test]
fn a_mistake_past_column_65535_is_shown() {
    let pad = " ".repeat(65_600);
    let error = format!("definition d\n  outcome x\ncriterion c = any session{pad})\nmet when c\n");
    let diagnostics = refract::compile(&SourceFile::new("far.crit", error), &Vocabulary::builtin())
        .err()
        .unwrap();
    let rendered = diagnostics.render_plain(80);
    assert!(rendered.contains("[far.crit:3:65626]"), "{rendered}");
    let warning = format!("definition d\n  outcome x\ncriterion c = {pad}any imaging where novel_attribute > 1\nmet when c\n");
    let (_, warnings) = refract::compile(
        &SourceFile::new("far.crit", warning),
        &Vocabulary::builtin(),
    )
    .unwrap();
    assert_eq!(
        warnings.problems[0].code,
        "refract::check::unfamiliar_attribute"
    );
    let rendered = warnings.render_plain(80);
    assert!(rendered.contains("[far.crit:3:65633]"), "{rendered}");
}

/// An oversize definition on one line is refused from its first MiB, quickly.
#[test]
fn an_oversize_single_line_definition_is_refused_as_too_large() {
    let path = std::env::temp_dir().join(format!("refract-huge-{}.crit", std::process::id()));
    std::fs::write(&path, "x".repeat(3 << 20)).unwrap();
    let refused = refract::load_definition(&path, &Vocabulary::builtin())
        .err()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(refused.problems[0].code, "refract::syntax::too_large");
    assert!(refused.source.text.len() <= refract::syntax::MAX_SOURCE_BYTES + 1);
    assert!(refused.render_plain(80).contains("larger than 1 MiB"));
}

/// Thousands of names nothing defines among thousands of parts: each one reported, the
/// search for misspellings stops at its budget (refusing the file, once), and the time
/// stays linear in the file.
#[test]
fn thousands_of_unknown_names_are_each_reported_within_a_budget() {
    let file = |n: usize, name: &dyn Fn(usize) -> String| {
        let mut text = String::from("definition d\n  outcome x\n");
        for i in 0..n {
            text += &format!("part p{i:04} = latest {}\n", name(i));
        }
        text + "criterion c = any session\nmet when c\n"
    };
    let count = |diagnostics: &refract::diagnostics::Diagnostics, code: &str| {
        diagnostics
            .problems
            .iter()
            .filter(|p| p.code == code)
            .count()
    };
    let many = file(3_000, &|i| format!("abcd{i:04}"));
    let refused = within_budget("3,000 unknown names", move || {
        refract::compile(&SourceFile::new("many.crit", many), &Vocabulary::builtin())
            .err()
            .unwrap()
    });
    assert_eq!(count(&refused, "refract::check::too_many_unknown_names"), 1);
    let named = count(&refused, "refract::check::unknown_name")
        + count(&refused, "refract::check::unfamiliar_kind");
    assert_eq!(named, 3_000);
    // Misspellings in a file of ordinary size all get their suggestion.
    let few = file(150, &|i| format!("p{:04}x", (i + 1) % 150));
    let refused = refract::compile(&SourceFile::new("few.crit", few), &Vocabulary::builtin())
        .err()
        .unwrap();
    assert_eq!(count(&refused, "refract::check::too_many_unknown_names"), 0);
    assert!(refused
        .problems
        .iter()
        .filter(|p| p.code == "refract::check::unknown_name")
        .all(|p| p.help.as_deref().unwrap_or("").starts_with("did you mean")));
}
