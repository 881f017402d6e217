//! Long-format CSV input and `refract convert`: the example cohort in both forms gives the
//! same results, conversions are exact both ways (hand-written values and property tests
//! over synthetic and generated cohorts), and each bad row is named with file, line and
//! column while the other patients are read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;
use std::process::{Command, Output};

use proptest::prelude::*;
use refract::sources::long::{patients, LongRow};
use refract::sources::{self, Format, Target};
use refract::timeline::Patient;
use refract::vocabulary::Vocabulary;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn refract(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refract"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// The patients (or error messages) read from `text` in `format`.
fn read(text: &str, format: Format) -> Vec<Result<Patient, String>> {
    let vocabulary = Vocabulary::builtin();
    let reader = Box::new(Cursor::new(text.as_bytes().to_vec()));
    sources::records(format, reader, "t", &vocabulary)
        .map(|record| record.parse(&vocabulary).map_err(|e| e.to_string()))
        .collect()
}

/// `text` converted from `from` to `to` by the library, as `refract convert` does.
fn convert(text: &str, from: Format, to: Target) -> String {
    let vocabulary = Vocabulary::builtin();
    let mut out = Vec::new();
    {
        let mut writer = sources::writer(to, Box::new(&mut out));
        for patient in read(text, from) {
            let patient = patient.unwrap_or_else(|e| panic!("{e}\nin:\n{text}"));
            writer.write(&patient, &vocabulary).unwrap();
        }
        writer.finish().unwrap();
    }
    String::from_utf8(out).unwrap()
}

/// Both round trips are the identity on canonical forms: JSON Lines → CSV → JSON Lines
/// and CSV → JSON Lines → CSV.
fn assert_round_trips(jsonl: &str) {
    let canonical = convert(jsonl, Format::Jsonl, Target::Jsonl);
    assert_eq!(
        convert(&canonical, Format::Jsonl, Target::Jsonl),
        canonical,
        "the canonical form is a fixed point"
    );
    let csv = convert(&canonical, Format::Jsonl, Target::Csv);
    let back = convert(&csv, Format::Csv, Target::Jsonl);
    assert_eq!(back, canonical, "jsonl → csv → jsonl, via:\n{csv}");
    assert_eq!(
        convert(&back, Format::Jsonl, Target::Csv),
        csv,
        "csv → jsonl → csv"
    );
    assert_eq!(convert(&csv, Format::Csv, Target::Csv), csv, "csv → csv");
}

#[test]
fn the_example_csv_is_the_example_cohort_converted() {
    let out = refract(&["convert", "--to", "csv", "examples/cohort.jsonl"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shipped = std::fs::read(root().join("examples/cohort.csv")).unwrap();
    assert!(
        out.stdout == shipped,
        "examples/cohort.csv is out of date: refract convert --to csv --out examples/cohort.csv examples/cohort.jsonl"
    );
    let back = refract(&[
        "convert",
        "--from",
        "csv",
        "--to",
        "jsonl",
        "examples/cohort.csv",
    ]);
    let canonical = refract(&["convert", "--to", "jsonl", "examples/cohort.jsonl"]);
    assert!(back.status.success() && canonical.status.success());
    assert_eq!(back.stdout, canonical.stdout);
}

/// `eval --from csv examples/cohort.csv` gives `eval examples/cohort.jsonl` byte for byte,
/// once each evidence entry's `source` is taken out; and each `source` names the line of
/// the first row of that very event.
#[test]
fn eval_of_the_csv_equals_eval_of_the_jsonl_and_names_each_events_line() {
    let jsonl = refract(&["eval", "examples/cohort.jsonl"]);
    let csv = refract(&["eval", "--from", "csv", "examples/cohort.csv"]);
    assert!(jsonl.status.success() && csv.status.success());
    assert!(
        csv.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&csv.stderr)
    );
    let csv_text = String::from_utf8(csv.stdout).unwrap();
    let jsonl_text = String::from_utf8(jsonl.stdout).unwrap();
    assert!(!jsonl_text.contains("\"source\""));
    assert_eq!(strip_sources(&csv_text), jsonl_text);

    // The line of each event's first row, read from the CSV itself.
    let mut first_rows: HashMap<(String, String), u64> = HashMap::new();
    let mut reader = csv::Reader::from_path(root().join("examples/cohort.csv")).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let line = record.position().unwrap().line();
        if !record[3].is_empty() {
            first_rows
                .entry((record[0].to_owned(), record[3].to_owned()))
                .or_insert(line);
        }
    }
    let mut checked = 0;
    for line in csv_text.lines() {
        let output: serde_json::Value = serde_json::from_str(line).unwrap();
        let patient = output["patient"].as_str().unwrap().to_owned();
        for criterion in output["criteria"].as_array().unwrap() {
            for evidence in criterion["evidence"].as_array().unwrap() {
                let event = evidence["event"].to_string();
                let expected = first_rows[&(patient.clone(), event)];
                assert_eq!(evidence["source"], format!("line {expected}"), "{patient}");
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} evidence entries");
}

/// `text` without the `,"source":"line N"` of its evidence entries.
fn strip_sources(text: &str) -> String {
    const FIELD: &str = ",\"source\":\"line ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(FIELD) {
        out.push_str(&rest[..at]);
        let after = &rest[at + FIELD.len()..];
        let digits = after.find('"').unwrap();
        assert!(after[..digits].bytes().all(|b| b.is_ascii_digit()));
        rest = &after[digits + 1..];
    }
    out.push_str(rest);
    out
}

/// Values that are easy to get wrong, written as the documentation says.
#[test]
fn tricky_values_are_written_as_documented_and_read_back_exactly() {
    let jsonl = concat!(
        r#"{"id":"P,1","facts":{"age":68,"empty":"","nested":{"a":[1,"2"]},"nothing":null,"quoted":"\"hi\"","three":"3","yes":"true"},"#,
        r#""events":[{"date":"2021-01-04","time":"08:30","kind":"tace","agents":["epirubicin","mitomycin C"],"target":"S8, right lobe\nsecond line"},"#,
        r#"{"date":"2021-01-04","kind":"tace","agents":[],"target":""},"#,
        r#"{"date":"2021-02-10","kind":"imaging","viable_percent":12.50,"contrast":false,"note":"3","flag":true,"size":"[x","obj":{"k":1}},"#,
        r#"{"date":"2021-02-11","kind":"biopsy"}]}"#,
        "\n",
        r#"{"id":"P2","events":[]}"#,
        "\n",
    );
    let csv = convert(jsonl, Format::Jsonl, Target::Csv);
    let expected = concat!(
        "patient,date,time,event,kind,attribute,value\n",
        "\"P,1\",,,,,age,68\n",
        "\"P,1\",,,,,empty,\"\"\"\"\"\"\n",
        "\"P,1\",,,,,nested,\"{\"\"a\"\":[1,\"\"2\"\"]}\"\n",
        "\"P,1\",,,,,nothing,null\n",
        "\"P,1\",,,,,quoted,\"\"\"\\\"\"hi\\\"\"\"\"\"\n",
        "\"P,1\",,,,,three,\"\"\"3\"\"\"\n",
        "\"P,1\",,,,,yes,\"\"\"true\"\"\"\n",
        "\"P,1\",2021-01-04,08:30,0,tace,agents,\"[\"\"epirubicin\"\",\"\"mitomycin C\"\"]\"\n",
        "\"P,1\",2021-01-04,08:30,0,tace,target,\"S8, right lobe\nsecond line\"\n",
        "\"P,1\",2021-01-04,,1,tace,agents,[]\n",
        "\"P,1\",2021-01-04,,1,tace,target,\"\"\"\"\"\"\n",
        "\"P,1\",2021-02-10,,2,imaging,contrast,false\n",
        "\"P,1\",2021-02-10,,2,imaging,flag,true\n",
        "\"P,1\",2021-02-10,,2,imaging,note,\"\"\"3\"\"\"\n",
        "\"P,1\",2021-02-10,,2,imaging,obj,\"{\"\"k\"\":1}\"\n",
        "\"P,1\",2021-02-10,,2,imaging,size,[x\n",
        "\"P,1\",2021-02-10,,2,imaging,viable_percent,12.5\n",
        "\"P,1\",2021-02-11,,3,biopsy,,\n",
        "P2,,,,,,\n",
    );
    assert_eq!(csv, expected);
    assert_round_trips(jsonl);
    // The line of an event's first row is its source, even when a cell spans lines.
    let read = read(&csv, Format::Csv);
    let first = read[0].as_ref().unwrap();
    let source = |index: usize| {
        let event = first.events.iter().find(|e| e.index == index).unwrap();
        event.source.as_deref().unwrap().to_owned()
    };
    assert_eq!(
        [source(0), source(1), source(3)],
        ["line 9", "line 12", "line 20"]
    );
    assert_eq!(read[1].as_ref().unwrap().line, Some(21));
}

/// What people write by hand reads as they mean it: a plain word for a list of one,
/// values in any order of rows, an event's rows apart, `null` for an unknown attribute.
#[test]
fn hand_written_rows_read_as_meant() {
    let csv = "\u{feff}Patient,Event,Kind,Date,Time,Attribute,Value\r\n\
               P1,a,tace,2021-01-04,,agents,epirubicin\r\n\
               P1,b,imaging,2021-02-10,,mrecist,PD\r\n\
               P1,a,tace,2021-01-04,,selective,true\r\n\
               P1,b,imaging,2021-02-10,,viable_percent,\r\n\
               P1,b,imaging,2021-02-10,,custom,null\r\n\
               \r\n";
    let read = read(csv, Format::Csv);
    let patient = read[0].as_ref().unwrap();
    assert_eq!(
        refract::sources::native::patient_line(patient),
        r#"{"id":"P1","events":[{"date":"2021-01-04","kind":"tace","agents":["epirubicin"],"selective":true},{"date":"2021-02-10","kind":"imaging","mrecist":"PD"}]}"#
    );
    assert_eq!(read.len(), 1);
}

/// Rows given by a program (a data frame's columns) build the same patient, and errors
/// name the row's line and the field.
#[test]
fn rows_from_a_program() {
    let row =
        |patient: &str, event: &str, kind: &str, attribute: &str, value: &str, line| LongRow {
            patient: patient.into(),
            date: "2021-02-01".into(),
            time: String::new(),
            event: event.into(),
            kind: kind.into(),
            attribute: attribute.into(),
            value: value.into(),
            line,
        };
    let rows = vec![
        row("P1", "0", "imaging", "viable_percent", "40", 1),
        row("P2", "0", "imaging", "viable_percent", "400", 2),
        row("P3", "0", "tace", "", "", 3),
        row("P1", "1", "tace", "", "", 4),
    ];
    let read: Vec<_> = patients(rows, "frame", &Vocabulary::builtin())
        .map(|r| r.map(|p| p.id).map_err(|e| e.to_string()))
        .collect();
    assert_eq!(
        read,
        [
            Ok("P1".to_owned()),
            Err("frame line 2: value: 400 is outside 0–100".to_owned()),
            Ok("P3".to_owned()),
            Err("frame line 4: the patient's rows are not together: its first rows are at line 1, before other patients'".to_owned()),
        ]
    );
}

fn render(error: &refract::timeline::TimelineError) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(80);
    let mut rendered = String::new();
    handler.render_report(&mut rendered, error).unwrap();
    rendered
}

fn display_name(path: &Path) -> String {
    let relative = path.strip_prefix(root().join("tests")).unwrap_or(path);
    relative.to_string_lossy().replace('\\', "/")
}

fn read_file(path: &Path) -> Vec<Result<Patient, refract::timeline::TimelineError>> {
    let vocabulary = Vocabulary::builtin();
    let reader = Box::new(Cursor::new(std::fs::read(path).unwrap()));
    sources::records(Format::Csv, reader, &display_name(path), &vocabulary)
        .map(|record| record.parse(&vocabulary))
        .collect()
}

/// Each file under `tests/errors/csv/` is a cohort of three patients whose middle one has
/// one mistake: it is reported with file, line, column (where a cell is to blame) and a
/// fix, and the patients before and after it are read.
#[test]
fn csv_error_corpus() {
    insta::glob!("errors/csv/*.csv", |path| {
        let name = display_name(path);
        let results = read_file(path);
        let ids: Vec<&str> = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(ids, ["before", "after"], "{name}");
        let errors: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(errors.len(), 1, "{name}: exactly one problem");
        let error = errors[0];
        assert!(error.kind().is_patient_error(), "{name}");
        assert_eq!(error.patient_id(), Some("P2"), "{name}");
        assert!(
            error.to_string().starts_with(&format!("{name} line ")),
            "{error}"
        );
        insta::assert_snapshot!(render(error));
    });
}

/// A header refract cannot read, or a quote never closed, ends the input with an error
/// that is not one patient's (the run fails), after the patients before it.
#[test]
fn csv_layout_errors() {
    insta::glob!("errors/csv_layout/*.csv", |path| {
        let results = read_file(path);
        let errors: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(errors.len(), 1);
        assert!(!errors[0].kind().is_patient_error());
        let read = results.iter().filter(|r| r.is_ok()).count();
        let expected = usize::from(path.ends_with("unclosed_quote.csv"));
        assert_eq!(read, expected);
        insta::assert_snapshot!(render(errors[0]));
    });
}

/// `check --input --from csv` counts what was read per kind and attribute and what was
/// left out, beside the errors.
#[test]
fn check_input_counts_what_was_read_and_skipped() {
    let out = refract(&[
        "check",
        "--from",
        "csv",
        "--input",
        "tests/errors/csv/wrong_type_number.csv",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
    let out = refract(&["check", "--from", "csv", "--input", "examples/cohort.csv"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("examples/cohort.csv: 39 patients (372 events) read, 0 problems"));
    assert!(text.contains("read (events of each kind, values of each attribute, facts):"));
}

/// One row that leaves a value empty is counted as skipped, by kind and attribute.
#[test]
fn check_input_counts_empty_cells() {
    let dir = std::env::temp_dir().join(format!("refract-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("empty.csv");
    std::fs::write(
        &file,
        "patient,date,time,event,kind,attribute,value\nP1,2021-01-04,,0,imaging,viable_percent,\nP1,2021-01-04,,0,imaging,mrecist,PD\nP1,,,,,sex,\n",
    )
    .unwrap();
    let out = refract(&["check", "--from", "csv", "--input", file.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    let tail = text.split_once("read (").unwrap().1;
    assert_eq!(
        tail,
        "events of each kind, values of each attribute, facts):\n\
         \x20      1 × imaging\n\
         \x20      1 × imaging.mrecist\n\
         skipped:\n\
         \x20      1 × facts.sex: empty value: unknown\n\
         \x20      1 × imaging.viable_percent: empty value: unknown\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `convert` refuses what it cannot convert exactly: a patient that cannot be read is
/// reported and left out (exit 1); the others are converted.
#[test]
fn convert_reports_bad_patients_and_converts_the_rest() {
    let out = refract(&[
        "convert",
        "--from",
        "csv",
        "--to",
        "jsonl",
        "tests/errors/csv/invalid_date.csv",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        "{\"id\":\"before\",\"events\":[{\"date\":\"2021-01-04\",\"kind\":\"tace\",\"agents\":[\"epirubicin\"]}]}\n\
         {\"id\":\"after\",\"events\":[{\"date\":\"2021-01-04\",\"kind\":\"tace\"}]}\n"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("line 4: column 2 (date)"), "{stderr}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Synthetic cohorts convert exactly both ways.
    #[test]
    fn synthetic_cohorts_round_trip(seed in any::<u64>(), patients in 1usize..40) {
        let mut jsonl = Vec::new();
        refract::synth::write_cohort(patients, seed, &mut jsonl).unwrap();
        assert_round_trips(&String::from_utf8(jsonl).unwrap());
    }

    /// Generated patients with awkward texts, numbers, lists, objects and facts convert
    /// exactly both ways.
    #[test]
    fn generated_values_round_trip(patients in proptest::collection::vec(patient(), 1..6)) {
        let jsonl: String = patients
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{{\"id\":\"{i}{}\",{p}}}\n", ["", ",", "\\\"", " "][i % 4]))
            .collect();
        assert_round_trips(&jsonl);
    }
}

/// Texts that look like other things in a cell: numbers, booleans, JSON, quotes,
/// commas, line breaks, spaces, nothing.
fn awkward_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("3".to_owned()),
        Just(" 3".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("[".to_owned()),
        Just("[\"a\"]".to_owned()),
        Just("\"".to_owned()),
        Just("{}".to_owned()),
        "[a-z ,\"\n\r\\[\\]{}0-9.-]{0,12}",
    ]
}

fn json_text(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// One attribute (or fact) value as JSON text.
fn json_value() -> impl Strategy<Value = String> {
    prop_oneof![
        awkward_text().prop_map(|t| json_text(&t)),
        any::<bool>().prop_map(|b| b.to_string()),
        (-100_000i64..100_000, 0u32..4).prop_map(|(n, places)| {
            let s = format!(
                "{:.*}",
                places as usize,
                n as f64 / 10f64.powi(places as i32)
            );
            s
        }),
        proptest::collection::vec(awkward_text(), 0..3).prop_map(|items| {
            let items: Vec<String> = items.iter().map(|t| json_text(t)).collect();
            format!("[{}]", items.join(","))
        }),
        awkward_text().prop_map(|t| format!("{{\"k\":{}}}", json_text(&t))),
    ]
}

/// A patient's `facts` and `events` (the text after its id).
fn patient() -> impl Strategy<Value = String> {
    let fact = ("[a-z]{1,6}", json_value().boxed()).prop_map(|(k, v)| format!("\"{k}\":{v}"));
    let unknown = ("x[a-z]{0,4}", json_value()).prop_map(|(k, v)| format!(",\"{k}\":{v}"));
    let known = prop_oneof![
        awkward_text().prop_map(|t| format!(",\"target\":{}", json_text(&t))),
        proptest::collection::vec(awkward_text(), 0..3).prop_map(|items| {
            let items: Vec<String> = items.iter().map(|t| json_text(t)).collect();
            format!(",\"agents\":[{}]", items.join(","))
        }),
        any::<bool>().prop_map(|b| format!(",\"selective\":{b}")),
        (0u32..=1000).prop_map(|v| format!(",\"value\":{}.{}", v / 10, v % 10)),
    ];
    let event = (
        0u32..60,
        prop_oneof![Just(String::new()), Just(",\"time\":\"07:05\"".to_owned())],
        prop_oneof![
            Just("tace"),
            Just("lab"),
            Just("imaging"),
            Just("odd, kind")
        ],
        proptest::collection::btree_map("[a-z]{1}", prop_oneof![known, unknown], 0..4),
    )
        .prop_map(|(day, time, kind, attrs)| {
            let date = refract::date::Date::parse("2021-01-01")
                .unwrap()
                .add_days(i64::from(day))
                .unwrap();
            // Unique names per event: one per map key, the attribute's own name inside.
            let mut seen = std::collections::BTreeSet::new();
            let attrs: String = attrs
                .into_values()
                .filter(|a| seen.insert(a.split(':').next().unwrap_or_default().to_owned()))
                .collect();
            format!("{{\"date\":\"{date}\"{time},\"kind\":\"{kind}\"{attrs}}}")
        });
    (
        proptest::collection::btree_map("[a-z]{1,3}", fact, 0..3),
        proptest::collection::vec(event, 0..5),
    )
        .prop_map(|(facts, events)| {
            let facts: Vec<String> = facts.into_values().collect();
            let mut seen = std::collections::BTreeSet::new();
            let facts: Vec<String> = facts
                .into_iter()
                .filter(|f| seen.insert(f.split(':').next().unwrap_or_default().to_owned()))
                .collect();
            format!(
                "\"facts\":{{{}}},\"events\":[{}]",
                facts.join(","),
                events.join(",")
            )
        })
}

/// Bytes that are not the layout at all: the reader never panics, never loops, and each
/// item is a patient or an error naming the file.
fn hostile_csv() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just(b"patient,date,time,event,kind,attribute,value\n".to_vec()),
        Just(b"patient,event,date,kind,time,value,attribute\r\n".to_vec()),
        Just(Vec::new()),
    ];
    let piece = prop_oneof![
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"P1".to_vec()),
        Just(b"2021-01-04".to_vec()),
        Just(b"tace".to_vec()),
        Just(b"imaging,viable_percent,40".to_vec()),
        Just(b"agents,[\"a\"".to_vec()),
        Just(vec![0xff]),
        Just("\u{feff}".as_bytes().to_vec()),
        "[a-z0-9 ]{0,4}".prop_map(String::into_bytes),
    ];
    (header, proptest::collection::vec(piece, 0..60)).prop_map(|(header, pieces)| {
        header
            .into_iter()
            .chain(pieces.into_iter().flatten())
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn hostile_csv_is_read_without_panics(bytes in hostile_csv()) {
        let vocabulary = Vocabulary::builtin();
        let reader = Box::new(Cursor::new(bytes.clone()));
        for record in sources::records(Format::Csv, reader, "h.csv", &vocabulary).take(1000) {
            match record.parse(&vocabulary) {
                Ok(patient) => prop_assert!(!patient.id.is_empty()),
                Err(error) => prop_assert!(error.to_string().starts_with("h.csv")),
            }
        }
        // Whatever was read converts exactly.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let good: String = read(&text, Format::Csv)
            .into_iter()
            .filter_map(Result::ok)
            .map(|p| refract::sources::native::patient_line(&p) + "\n")
            .collect();
        let mut ids = std::collections::HashSet::new();
        let unique: String = good
            .lines()
            .filter(|line| ids.insert(serde_json::from_str::<serde_json::Value>(line).unwrap()["id"].clone()))
            .map(|line| format!("{line}\n"))
            .collect();
        assert_round_trips(&unique);
    }
}
