//! Definitions built from the fuzzer's bytes the way a hostile file is built: deep chains
//! of each recursive construct (some past the limits), parts shaped as a DAG (each using
//! earlier ones several times), very long lines, and control characters or stray quotes
//! spliced in. Compiling must not panic, every diagnostic must render, and a definition
//! that compiles must evaluate a few small patients on a 2 MiB thread (the stack the
//! limits promise evaluation fits in). Run with `-timeout` to catch evaluation that does
//! not end in time.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use refract::source::SourceFile;
use refract::timeline::{parse_patient, Origin, Patient};
use refract::vocabulary::Vocabulary;

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(Vocabulary::builtin);

/// One event of each kind, and two sessions with scans and markers around them.
static PATIENTS: LazyLock<Vec<Patient>> = LazyLock::new(|| {
    [
        r#"{"id":"one","events":[{"date":"2021-01-01","kind":"imaging","viable_percent":60},{"date":"2021-01-05","kind":"tace"},{"date":"2021-02-01","kind":"lab","test":"AFP","value":30},{"date":"2021-02-02","kind":"status","ecog":1}]}"#,
        r#"{"id":"two","events":[{"date":"2021-01-01","kind":"imaging","modality":"CT","viable_percent":60,"mrecist":"SD"},{"date":"2021-01-05","kind":"tace","target":"S8"},{"date":"2021-01-20","kind":"lab","test":"AFP","value":30},{"date":"2021-02-10","kind":"imaging","modality":"MRI","viable_percent":40,"mrecist":"PD"},{"date":"2021-03-01","kind":"tace","target":"S8"},{"date":"2021-04-01","kind":"imaging","modality":"CT","viable_percent":20,"mrecist":"PR"}]}"#,
    ]
    .iter()
    .map(|text| parse_patient(text, &Origin::new("p", None), &VOCABULARY).unwrap())
    .collect()
});

/// A construct chained `n` deep around `inner`.
fn chain(construct: u8, n: usize, inner: &str) -> String {
    let r = |s: &str| s.repeat(n);
    match construct % 16 {
        0 => format!("{}{inner}", r("not ")),
        1 => format!("{inner}{}", r(" and any imaging")),
        2 => format!("{inner}{}", r(" or any lab")),
        3 => format!("{inner}{}", r(" else any session")),
        4 => format!("any imaging shows viable_percent{} > 5 or {inner}", r(" * 1")),
        5 => format!("any imaging shows viable_percent{} > 5 or {inner}", r(" + 1")),
        6 => format!("{}(viable_percent > 1) or {inner}", r("latest imaging shows ")),
        7 => format!("any imaging after {}session 1 or {inner}", r("next session after ")),
        8 => format!("any imaging before {}session 2 or {inner}", r("previous session before ")),
        9 => format!("{}{inner}", r("any imaging where ")),
        10 => format!("{}{inner}{}", r("("), r(")")),
        11 => format!("{}{inner}", r("any session: ")),
        12 => format!("{}{inner}", r("any session shows ")),
        13 => format!("{}{inner}", r("any M in [AFP, \"PIVKA-II\"]: ")),
        14 => format!("{}any session{} or {inner}", r("score (1 if "), r(") > 0")),
        _ => format!("any imaging after {}session 1 or {inner}", r("latest imaging after ")),
    }
}

/// What a word processor or a hostile file brings.
const NOISE: &[&str] = &[
    "\u{1b}[2J", "\u{9b}", "\u{7}", "\u{0}", "\r", "\u{202e}", "\u{feff}", "\\", "\"", "\\\\\"",
    "//", "(", ")", "[", ":", " and", " not ", "\n", "part", "criterion",
];

fn depth(u: &mut Unstructured<'_>) -> Result<usize> {
    // Mostly within the limits, sometimes at them, sometimes far past.
    Ok(match u.int_in_range(0..=9)? {
        0..=5 => u.int_in_range(0..=12)?,
        6 | 7 => u.int_in_range(80..=110)?,
        _ => u.int_in_range(0..=3_000)?,
    })
}

fn definition(u: &mut Unstructured<'_>) -> Result<String> {
    let mut text = String::from("definition hostile\n  outcome refractory\n");
    // Bytes that run out read as 0: the cheap choices come first.
    let pad = match u.int_in_range(0..=5)? {
        5 => u.int_in_range(60_000..=70_000)?,
        4 => u.int_in_range(100..=5_000)?,
        _ => 0,
    };
    if pad > 0 {
        text += &format!("// {}\n", "x".repeat(pad));
    }
    // Parts that each use the ones before, some twice: a DAG, not a tree.
    let parts: usize = u.int_in_range(0..=24)?;
    for i in 0..parts {
        let mut body = "any session".to_string();
        for _ in 0..u.int_in_range(0..=3)? {
            let uses = u.int_in_range(0..=i.saturating_sub(1))?;
            let used = if i == 0 { "any imaging".to_string() } else { format!("p{uses}") };
            body = match u.int_in_range(0..=2)? {
                0 => format!("{used} and not {used}"),
                1 => format!("({body}) or {used}"),
                _ => chain(u.arbitrary()?, depth(u)?, &used),
            };
        }
        text += &format!("part p{i} \"part {i}\" = {body}\n");
    }
    let criteria = u.int_in_range(1..=3)?;
    for c in 0..criteria {
        let mut body = match parts {
            0 => "any session".to_string(),
            n => format!("p{}", n - 1),
        };
        for _ in 0..u.int_in_range(0..=3)? {
            body = chain(u.arbitrary()?, depth(u)?, &body);
        }
        let source = if pad > 0 && u.arbitrary()? { "y".repeat(pad) } else { "s".to_string() };
        text += &format!("criterion c{c}\n  source \"{source}\"\n  = {body}\n");
    }
    let joined: Vec<String> = (0..criteria).map(|c| format!("c{c}")).collect();
    text += &format!("met when {}\n", joined.join(" or "));
    for _ in 0..u.int_in_range(0..=4)? {
        let noise = NOISE[u.choose_index(NOISE.len())?];
        let mut at = u.int_in_range(0..=text.len())?;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.insert_str(at, noise);
    }
    Ok(text)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = definition(&mut Unstructured::new(data)) else {
        return;
    };
    match refract::compile(&SourceFile::new("hostile.crit", text), &VOCABULARY) {
        Ok((checked, warnings)) => {
            let _ = warnings.render_plain(100);
            std::thread::scope(|scope| {
                let evaluation = std::thread::Builder::new()
                    .stack_size(2 << 20)
                    .spawn_scoped(scope, || {
                        for patient in PATIENTS.iter() {
                            let outcome = refract::eval::evaluate(&checked, patient);
                            let _ = refract::report::outcome_line(&outcome);
                        }
                    })
                    .unwrap();
                if evaluation.join().is_err() {
                    panic!("evaluation panicked");
                }
            });
        }
        Err(problems) => {
            let _ = problems.render_plain(100);
        }
    }
});
