//! Patients built from the fuzzer's bytes the way a hostile export is built: many events
//! (sessions by the thousand), events tied on one day, values nested deep, very long
//! strings, repeated keys and escape codes, written as a JSON Lines line and as a
//! pretty-printed file (where an object may stand on a line of its own). Reading must not
//! panic, both forms must give the same patient, errors must render without a control
//! character, and every shipped definition must evaluate the patient on a 2 MiB thread.
//! Run with `-timeout` to catch evaluation that takes too long.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use refract::check::Checked;
use refract::source::SourceFile;
use refract::timeline::{parse_patient, read_cohort, Origin};
use refract::vocabulary::Vocabulary;

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(Vocabulary::builtin);

const DEFINITIONS: [(&str, &str); 6] = [
    ("cci-2022-unsuitable.crit", include_str!("../../definitions/cci-2022-unsuitable.crit")),
    ("cci-2022.crit", include_str!("../../definitions/cci-2022.crit")),
    ("epoihcc-2013.crit", include_str!("../../definitions/epoihcc-2013.crit")),
    ("europe-2014.crit", include_str!("../../definitions/europe-2014.crit")),
    ("jsh-2010.crit", include_str!("../../definitions/jsh-2010.crit")),
    ("jsh-lcsgj-2014.crit", include_str!("../../definitions/jsh-lcsgj-2014.crit")),
];

static CHECKED: LazyLock<Vec<Checked>> = LazyLock::new(|| {
    DEFINITIONS
        .iter()
        .map(|(name, text)| match refract::compile(&SourceFile::new(*name, *text), &VOCABULARY) {
            Ok((checked, _)) => checked,
            Err(problems) => panic!("{name} does not compile:\n{}", problems.render_plain(100)),
        })
        .collect()
});

const WORDS: &[&str] = &[
    "\"CT\"", "\"MRI\"", "\"PD\"", "\"SD\"", "\"PR\"", "\"CR\"", "\"AFP\"", "\"PIVKA-II\"",
    "\"S8\"", "\"curative\"", "\"palliative\"", "true", "false", "null", "0", "1", "35", "100",
    "101", "-1", "2.5", "1e400", "\"\\u001b[2J\"", "\"\\u009b\"", "\"\\ud800\"", "[\"epirubicin\"]",
    "{}", "[]", "\"x\"",
];

const KEYS: &[&str] = &[
    "modality", "mrecist", "mrecist_target", "viable_percent", "target_viable_sum_mm", "test",
    "value", "ecog", "target", "intent", "agents", "tumor_count", "vascular_invasion", "note",
    "time", "date", "kind", "x\\u0000",
];

/// A value: a word from the vocabulary's world, or something nested or long.
fn value(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=19)? {
        16 => {
            let n = u.int_in_range(1..=140)?;
            format!("{}1{}", "[".repeat(n), "]".repeat(n))
        }
        17 => {
            let n = u.int_in_range(1..=70)?;
            format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))
        }
        18 => format!("\"{}\"", "y".repeat(u.int_in_range(1..=100_000)?)),
        19 => "{\"a\":1,\"a\":2}".to_string(),
        _ => WORDS[u.choose_index(WORDS.len())?].to_string(),
    })
}

fn patient(u: &mut Unstructured<'_>) -> Result<String> {
    // Now and then a long treatment history; mostly a few sessions, so that each input
    // is quick and the fuzzer gets through many. (Bytes that run out read as 0: the
    // cheap choices come first.)
    let sessions: usize = match u.int_in_range(0..=31)? {
        31 => u.int_in_range(300..=2_000)?,
        _ => u.int_in_range(0..=8)?,
    };
    let mut events = Vec::new();
    for i in 0..sessions {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        let year = 1950 + i / 336;
        let date = format!("{year:04}-{month:02}-{day:02}");
        events.push(format!(r#"{{"date":"{date}","kind":"tace","target":"S8"}}"#));
        events.push(format!(
            r#"{{"date":"{date}","kind":"imaging","modality":"CT","mrecist":"SD","viable_percent":{}}}"#,
            i % 100
        ));
        if u.arbitrary()? {
            events.push(format!(r#"{{"date":"{date}","kind":"lab","test":"AFP","value":{i}}}"#));
        }
    }
    for _ in 0..u.int_in_range(0..=6)? {
        let kind = ["tace", "imaging", "lab", "status", "\\u001b]0;t\\u0007"][u.choose_index(5)?];
        let mut event = format!(r#"{{"date":"2021-01-0{}","kind":"{kind}""#, u.int_in_range(1..=9)?);
        for _ in 0..u.int_in_range(0..=4)? {
            let key = KEYS[u.choose_index(KEYS.len())?];
            event += &format!(r#","{key}":{}"#, value(u)?);
        }
        event.push('}');
        events.push(event);
    }
    let id = ["P1", "P\\u001b[31m", "", "P\\u0000"][u.choose_index(4)?];
    let facts = if u.arbitrary()? { format!(r#","facts":{{"a":{}}}"#, value(u)?) } else { String::new() };
    Ok(format!(r#"{{"id":"{id}"{facts},"events":[{}]}}"#, events.join(",")))
}

/// The patient written over many lines, one member per line (nested objects included).
fn pretty(line: &str) -> String {
    line.replace(",\"", ",\n\"").replace("{\"", "{\n\"").replace("},{", "},\n{")
}

fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
}

fuzz_target!(|data: &[u8]| {
    let Ok(line) = patient(&mut Unstructured::new(data)) else {
        return;
    };
    let origin = Origin::new("hostile.jsonl", Some(1));
    let read = parse_patient(&line, &origin, &VOCABULARY);
    // The same patient pretty-printed is one patient, the same one.
    let document = pretty(&line);
    let items: Vec<_> = read_cohort(document.as_bytes(), "hostile.json", &VOCABULARY).collect();
    match (&read, items.as_slice()) {
        (Ok(a), [Ok(b)]) => assert_eq!((&a.id, &a.events), (&b.id, &b.events)),
        (Err(_), [Err(_)]) => {}
        (a, b) => panic!("the line and the document read differently: {a:?} / {b:?}"),
    }
    match read {
        Err(error) => {
            let mut rendered = String::new();
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .render_report(&mut rendered, &error.shown())
                .unwrap();
            assert!(!has_control(&rendered), "{rendered}");
        }
        Ok(patient) => std::thread::scope(|scope| {
            let evaluation = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn_scoped(scope, || {
                    for checked in CHECKED.iter() {
                        let outcome = refract::eval::evaluate(checked, &patient);
                        let _ = refract::report::outcome_line(&outcome);
                    }
                })
                .unwrap();
            if evaluation.join().is_err() {
                panic!("evaluation panicked");
            }
        }),
    }
});
