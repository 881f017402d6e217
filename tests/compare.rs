//! `refract compare`: the statistics against values worked out by hand, and the command
//! end to end (human report, saved outputs, HTML page).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::process::{Command, Output};

use refract::compare::km::Times;
use refract::compare::stats::{kappa, Histogram, Spread};
use refract::compare::{Comparison, Summary};
use refract::date::Date;
use refract::eval::Truth;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

fn histogram(values: &[i64]) -> Histogram {
    let mut h = Histogram::new();
    for &v in values {
        *h.entry(v).or_default() += 1;
    }
    h
}

#[test]
fn kappa_by_hand() {
    // po = 35/50 = 0.7; pe = (25·30 + 25·20)/50² = 0.5; κ = 0.2/0.5.
    close(kappa([[20, 5], [10, 15]]).unwrap(), 0.4);
    // Agreement no better than chance: po = pe = 0.5.
    close(kappa([[1, 1], [1, 1]]).unwrap(), 0.0);
    // Worse than chance: po = 0, pe = 0.5.
    close(kappa([[0, 3], [3, 0]]).unwrap(), -1.0);
    // All agree, both classes seen: κ = 1.
    close(kappa([[3, 0], [0, 2]]).unwrap(), 1.0);
    // All agree on one class: chance agreement is certain, κ undefined.
    assert_eq!(kappa([[5, 0], [0, 0]]), None);
    assert_eq!(kappa([[0, 0], [0, 0]]), None);
}

#[test]
fn quartiles_are_type_7_by_hand() {
    // n = 4: h = 3p; q1 at 0.75 → 1 + 0.75, median 2.5, q3 3 + 0.25.
    let s = Spread::of(&histogram(&[4, 1, 3, 2])).unwrap();
    assert_eq!((s.n, s.min, s.max), (4, 1.0, 4.0));
    close(s.q1, 1.75);
    close(s.median, 2.5);
    close(s.q3, 3.25);
    // Ties: 10, 20, 20, 40, 100: h = 1, 2, 3 fall on values.
    let s = Spread::of(&histogram(&[20, 100, 10, 40, 20])).unwrap();
    close(s.q1, 20.0);
    close(s.median, 20.0);
    close(s.q3, 40.0);
    // Negative differences, n = 2: q1 = -4 + 0.25·6.
    let s = Spread::of(&histogram(&[-4, 2])).unwrap();
    close(s.q1, -2.5);
    close(s.median, -1.0);
    // One value is every quartile; none has no quartiles.
    let s = Spread::of(&histogram(&[7])).unwrap();
    assert_eq!(
        (s.min, s.q1, s.median, s.q3, s.max),
        (7.0, 7.0, 7.0, 7.0, 7.0)
    );
    assert_eq!(Spread::of(&Histogram::new()), None);
}

#[test]
fn kaplan_meier_by_hand_with_ties() {
    // Events at 2, 4, 4; censored at 3, 4 (tied with events: still at risk), 6.
    let mut t = Times::default();
    for (days, event) in [
        (2, true),
        (3, false),
        (4, true),
        (4, true),
        (4, false),
        (6, false),
    ] {
        t.add(days, event);
    }
    let steps = t.steps();
    assert_eq!(steps.len(), 2);
    assert_eq!(
        (steps[0].days, steps[0].at_risk, steps[0].events),
        (2, 6, 1)
    );
    close(steps[0].incidence, 1.0 / 6.0);
    // At 4: 4 at risk (3 left before), 2 events: S = 5/6 · 2/4 = 5/12.
    assert_eq!(
        (steps[1].days, steps[1].at_risk, steps[1].events),
        (4, 4, 2)
    );
    close(steps[1].incidence, 7.0 / 12.0);
    let at = t.at(&[0, 3, 5, 10]);
    assert_eq!(
        at.iter().map(|p| p.at_risk).collect::<Vec<_>>(),
        [6, 5, 1, 0]
    );
    close(at[0].incidence, 0.0);
    close(at[1].incidence, 1.0 / 6.0);
    close(at[2].incidence, 7.0 / 12.0);
    close(at[3].incidence, 7.0 / 12.0);
}

#[test]
fn kaplan_meier_edge_cases() {
    // Everyone censored (no events): no steps, incidence 0, at risk as the times say.
    let mut none = Times::default();
    for days in [0, 10, 10, 30] {
        none.add(days, false);
    }
    assert!(none.steps().is_empty());
    let at = none.at(&[0, 10, 11]);
    assert_eq!(at.iter().map(|p| p.at_risk).collect::<Vec<_>>(), [4, 3, 1]);
    assert!(at.iter().all(|p| p.incidence == 0.0));
    // Every event on one date: incidence goes from 0 to 1 that day.
    let mut all = Times::default();
    for _ in 0..3 {
        all.add(5, true);
    }
    let steps = all.steps();
    assert_eq!(steps.len(), 1);
    close(steps[0].incidence, 1.0);
    close(all.at(&[4])[0].incidence, 0.0);
    close(all.at(&[5])[0].incidence, 1.0);
    // Nobody: nothing at risk.
    assert_eq!(Times::default().at(&[0])[0].at_risk, 0);
}

fn date(s: &str) -> Option<Date> {
    Some(Date::parse(s).unwrap())
}

fn row(result: Truth, onset: &str, last: &str) -> Summary {
    let onset = (!onset.is_empty()).then(|| Date::parse(onset).unwrap());
    let why = Some(("c".to_string(), format!("{result}")));
    Summary::from_parts(result, onset, date("2021-01-01"), date(last), why)
}

#[test]
fn comparison_by_hand() {
    use Truth::*;
    let mut c = Comparison::new(vec!["a".into(), "b".into()]);
    // P1 met under both, b 10 days later; P2 met → not met; P3 both not met;
    // P4 unknown under a; P5 met under both, b 4 days earlier.
    c.add(
        "P1",
        &[
            row(Met, "2021-02-01", "2021-06-01"),
            row(Met, "2021-02-11", "2021-06-01"),
        ],
    );
    c.add(
        "P2",
        &[
            row(Met, "2021-03-02", "2021-06-01"),
            row(NotMet, "", "2021-06-01"),
        ],
    );
    c.add(
        "P3",
        &[row(NotMet, "", "2021-04-01"), row(NotMet, "", "2021-04-01")],
    );
    c.add(
        "P4",
        &[
            row(Unknown, "", "2021-04-01"),
            row(Met, "2021-01-31", "2021-04-01"),
        ],
    );
    c.add(
        "P5",
        &[
            row(Met, "2021-01-11", "2021-06-01"),
            row(Met, "2021-01-07", "2021-06-01"),
        ],
    );
    let r = c.finish();
    assert_eq!(r.patients, 5);
    let pair = &r.pairs[0];
    assert_eq!(pair.table, [[2, 1, 0], [0, 1, 0], [1, 0, 0]]);
    assert_eq!((pair.known, pair.unknown_either), (4, 1));
    close(pair.agreement.unwrap(), 0.75);
    // 2×2 [[2,1],[0,1]]: po = 3/4, pe = (3·2 + 1·2)/16 = 1/2, κ = 1/2.
    close(pair.kappa.unwrap(), 0.5);
    let two = r.two.as_ref().unwrap();
    let ids: Vec<&str> = two.changers.iter().map(|c| c.patient.as_str()).collect();
    assert_eq!(ids, ["P2", "P4"]);
    assert_eq!(
        (two.changers[0].first.result, two.changers[0].second.result),
        ("met", "not_met")
    );
    let diff = two.onset_difference_days.as_ref().unwrap();
    assert_eq!(
        (diff.n, diff.min, diff.max, diff.median),
        (2, -4.0, 10.0, 3.0)
    );
    // a: met at days 31, 60, 10; P3 censored at 90; P4 (unknown) not in the curve.
    let a = &r.definitions[0];
    assert_eq!((a.met, a.not_met, a.unknown, a.in_curve), (3, 1, 1, 4));
    let onset = a.days_to_onset.as_ref().unwrap();
    assert_eq!((onset.min, onset.median, onset.max), (10.0, 31.0, 60.0));
    // At 0: 4 at risk; at 3 months (91 d): nobody, incidence 1 − (3/4)(2/3)(1/2) = 3/4.
    assert_eq!(a.incidence[0].at_risk, 4);
    assert_eq!(a.incidence[1].days, 91);
    close(a.incidence[1].incidence, 0.75);
}

#[test]
fn all_agree_gives_kappa_one_and_no_changers() {
    use Truth::*;
    let mut c = Comparison::new(vec!["a".into(), "b".into(), "c".into()]);
    for (i, result) in [Met, NotMet, Met, NotMet].into_iter().enumerate() {
        let onset = if result == Met { "2021-02-01" } else { "" };
        let r = row(result, onset, "2021-05-01");
        c.add(&format!("P{i}"), &[r.clone(), r.clone(), r]);
    }
    let r = c.finish();
    assert!(r.two.is_none());
    assert_eq!(r.pairs.len(), 3);
    for pair in &r.pairs {
        close(pair.agreement.unwrap(), 1.0);
        close(pair.kappa.unwrap(), 1.0);
    }
}

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

const TWO: [&str; 5] = [
    "compare",
    "-d",
    "definitions/cci-2022.crit",
    "-d",
    "definitions/europe-2014.crit",
];

#[test]
fn human_report_of_two_definitions_on_the_example_cohort() {
    let mut args = TWO.to_vec();
    args.push("examples/cohort.jsonl");
    let out = refract(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn json_of_the_shipped_six_counts_every_patient_under_each() {
    let out = refract(&["compare", "--format", "json", "examples/cohort.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let patients = report["patients"].as_u64().unwrap();
    assert_eq!(patients, 39);
    let definitions = report["definitions"].as_array().unwrap();
    assert_eq!(definitions.len(), 6);
    for d in definitions {
        let sum: u64 = ["met", "not_met", "unknown"]
            .iter()
            .map(|k| d[k].as_u64().unwrap())
            .sum();
        assert_eq!(sum, patients, "{}", d["id"]);
    }
    assert_eq!(report["pairs"].as_array().unwrap().len(), 15);
    assert!(report.get("two").is_none());
}

#[test]
fn saved_outputs_are_compared_by_patient_and_definition() {
    let dir = std::env::temp_dir().join(format!("refract-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let old = dir.join("old.jsonl");
    let new = dir.join("new.jsonl");
    // What was known on 2021-06-01 against what is known now.
    let early = refract(&[
        "eval",
        "--as-of",
        "2021-06-01",
        "-d",
        "definitions/cci-2022.crit",
        "examples/cohort.jsonl",
    ]);
    let late = refract(&[
        "eval",
        "-d",
        "definitions/cci-2022.crit",
        "examples/cohort.jsonl",
    ]);
    std::fs::write(&old, &early.stdout).unwrap();
    std::fs::write(&new, &late.stdout).unwrap();
    let out = refract(&[
        "compare",
        "--format",
        "json",
        "--results",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["patients"].as_u64(), Some(39));
    let table = &report["pairs"][0]["table"];
    // The table holds the whole cohort, and its off-diagonal cells are the changers.
    let total: u64 = (0..3)
        .flat_map(|r| (0..3).map(move |c| (r, c)))
        .map(|(r, c)| table[r][c].as_u64().unwrap())
        .sum();
    assert_eq!(total, 39);
    let changers = report["two"]["changers"].as_array().unwrap();
    let off_diagonal: u64 = (0..3)
        .flat_map(|r| (0..3).map(move |c| (r, c)))
        .filter(|(r, c)| r != c)
        .map(|(r, c)| table[r][c].as_u64().unwrap())
        .sum();
    assert_eq!(changers.len() as u64, off_diagonal);
    assert!(changers
        .iter()
        .all(|c| c["first"]["result"] != c["second"]["result"]));
    // The same file against itself: total agreement.
    let same = refract(&[
        "compare",
        "--format",
        "json",
        "--results",
        new.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(report["two"]["changers"].as_array().unwrap().len(), 0);
    // A line that is not eval output is named by file and line.
    std::fs::write(&old, "{\"patient\":\"P1\"}\n").unwrap();
    let bad = refract(&[
        "compare",
        "--results",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("old.jsonl line 1:"),
        "{}",
        text(&bad.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn html_page_holds_the_heat_map_and_the_curves() {
    let page = std::env::temp_dir().join(format!("refract-compare-{}.html", std::process::id()));
    let out = refract(&[
        "compare",
        "--html",
        page.to_str().unwrap(),
        "examples/cohort.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    std::fs::remove_file(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained: nothing fetched.
    assert!(!html.contains("src=") && !html.contains("href=") && !html.contains("<script"));
    // The matrix: 6 × 6 cells, the diagonal 1.00.
    assert!(html.contains("class=\"heatmap\""));
    assert_eq!(html.matches("<rect ").count(), 36);
    assert!(html.contains(">1.00</text>"));
    // The curves: one path per definition, each with its own dash pattern and a label.
    assert!(html.contains("class=\"incidence\""));
    let curves: Vec<&str> = html
        .match_indices("class=\"curve\"")
        .map(|(i, _)| &html[i..])
        .collect();
    assert_eq!(curves.len(), 6);
    let dashes: std::collections::BTreeSet<&str> = curves
        .iter()
        .map(|c| {
            c.split("stroke-dasharray=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(dashes.len(), 6);
    assert_eq!(html.matches("class=\"label\"").count(), 6);
    for id in [
        "cci-2022",
        "cci-2022-unsuitable",
        "epoihcc-2013",
        "europe-2014",
        "jsh-2010",
        "jsh-lcsgj-2014",
    ] {
        assert!(html.contains(&format!(">{id}</text>")), "{id}");
    }
}

#[test]
fn saved_outputs_have_no_incidence_curve_and_say_so() {
    let dir = std::env::temp_dir().join(format!("refract-compare-human-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("saved.jsonl");
    let eval = refract(&[
        "eval",
        "-d",
        "definitions/cci-2022.crit",
        "examples/cohort.jsonl",
    ]);
    std::fs::write(&saved, &eval.stdout).unwrap();
    let path = saved.to_str().unwrap();
    let out = refract(&["compare", "--results", path, path]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("Patients that change class: 0"), "{report}");
    assert!(report.contains("no incidence curve"), "{report}");
    assert!(!report.contains("Kaplan"), "{report}");
}
