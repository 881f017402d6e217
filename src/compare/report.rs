//! A comparison written out: for people (aligned text), as JSON, and as CSV in long form
//! (one measure a row, for R and pandas).

use std::fmt::Write;

use super::stats::Spread;
use super::{month_days, Report, MONTHS};
use crate::diagnostics::terminal;

/// Patients that change class listed in the human report; the rest are counted.
pub const CHANGERS_SHOWN: usize = 20;

const RESULTS: [&str; 3] = ["met", "not_met", "unknown"];

/// The report for people.
pub fn human(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} patients, {} definitions\n",
        report.patients,
        report.definitions.len()
    );
    let width = report
        .definitions
        .iter()
        .map(|d| d.id.len())
        .max()
        .unwrap_or(0)
        .max(10);
    let _ = writeln!(
        out,
        "Results (days from the first session to onset, among met: median [quartiles])"
    );
    let _ = writeln!(
        out,
        "  {:width$}  {:>7}  {:>7}  {:>7}  days to onset",
        "definition", "met", "not_met", "unknown"
    );
    for d in &report.definitions {
        let _ = writeln!(
            out,
            "  {:width$}  {:>7}  {:>7}  {:>7}  {}",
            d.id,
            d.met,
            d.not_met,
            d.unknown,
            d.days_to_onset.as_ref().map_or("-".to_string(), median_iqr)
        );
    }
    if let Some(two) = &report.two {
        if let Some(pair) = report.pairs.first() {
            let _ = writeln!(out, "\n{} (rows) × {} (columns)", pair.first, pair.second);
            let _ = writeln!(
                out,
                "  {:8}  {:>8}  {:>8}  {:>8}",
                "", RESULTS[0], RESULTS[1], RESULTS[2]
            );
            for (name, row) in RESULTS.iter().zip(pair.table) {
                let _ = writeln!(
                    out,
                    "  {:8}  {:>8}  {:>8}  {:>8}",
                    name, row[0], row[1], row[2]
                );
            }
            match &two.onset_difference_days {
                Some(s) => {
                    let _ = writeln!(
                        out,
                        "\nOnset, {} minus {}, among the {} met under both: median {} days, quartiles {} to {}, range {} to {}",
                        pair.second, pair.first, s.n, num(s.median), num(s.q1), num(s.q3), num(s.min), num(s.max)
                    );
                }
                None => {
                    let _ = writeln!(out, "\nNo patient met under both: no onset difference.");
                }
            }
            let _ = writeln!(out, "\nPatients that change class: {}", two.changers.len());
            for c in two.changers.iter().take(CHANGERS_SHOWN) {
                let _ = writeln!(
                    out,
                    "  {}: {} → {}",
                    terminal::escape(&c.patient),
                    c.first.result,
                    c.second.result
                );
                for (id, side) in [(&pair.first, &c.first), (&pair.second, &c.second)] {
                    let said = match (&side.criterion, &side.why) {
                        (Some(name), Some(why)) => format!("{name}: {}", terminal::escape(why)),
                        _ => "(no criterion with this result)".to_string(),
                    };
                    let _ = writeln!(out, "    {id}: {said}");
                }
            }
            if let Some(rest) = two
                .changers
                .len()
                .checked_sub(CHANGERS_SHOWN)
                .filter(|&r| r > 0)
            {
                let _ = writeln!(out, "  … and {rest} more (all are in --format json)");
            }
        }
    }
    if !report.pairs.is_empty() {
        let _ = writeln!(
            out,
            "\nConcordance: agreement and Cohen's kappa on met vs not met, among patients known under both"
        );
        let _ = writeln!(
            out,
            "  {:width$}  {:width$}  {:>7}  {:>6}  {:>7}  {:>7}",
            "first", "second", "agree", "kappa", "known", "unknown"
        );
        for p in &report.pairs {
            let _ = writeln!(
                out,
                "  {:width$}  {:width$}  {:>7}  {:>6}  {:>7}  {:>7}",
                p.first,
                p.second,
                p.agreement
                    .map_or("-".to_string(), |a| format!("{:.1}%", a * 100.0)),
                p.kappa.map_or("-".to_string(), |k| format!("{k:.3}")),
                p.known,
                p.unknown_either
            );
        }
    }
    // Saved outputs carry no event dates: there is no time to count.
    if report.definitions.iter().all(|d| d.in_curve == 0) {
        let _ = writeln!(
            out,
            "\nNo dated results (saved outputs have no first-session dates): no incidence curve."
        );
        return out;
    }
    let _ = writeln!(
        out,
        "\nCumulative incidence since the first session (Kaplan–Meier; met: event at onset; not met: censored at the last event; unknown not in the curve). Each cell: incidence (at risk)"
    );
    let mut header = format!("  {:width$}", "definition");
    for m in MONTHS {
        let _ = write!(header, "  {:>15}", format!("{m} mo ({} d)", month_days(m)));
    }
    let _ = writeln!(out, "{header}  unknown");
    for d in &report.definitions {
        let mut line = format!("  {:width$}", d.id);
        for p in &d.incidence {
            let _ = write!(
                line,
                "  {:>15}",
                format!("{:.1}% ({})", p.incidence * 100.0, p.at_risk)
            );
        }
        let _ = write!(line, "  {}", d.unknown);
        if d.undated > 0 {
            let _ = write!(line, " (+{} undated)", d.undated);
        }
        let _ = writeln!(out, "{line}");
    }
    out
}

fn median_iqr(s: &Spread) -> String {
    format!("{} [{}–{}]", num(s.median), num(s.q1), num(s.q3))
}

/// A number as short as it is exact to one decimal: `12`, `12.5`.
fn num(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// The report as one JSON object (pretty, with a final line break).
pub fn json(report: &Report) -> String {
    let mut text =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    text.push('\n');
    text
}

/// The report in long form: `table,definition,other,measure,value`, one measure a row.
pub fn csv(report: &Report) -> String {
    let mut out = String::from("table,definition,other,measure,value\n");
    let mut row = |table: &str, a: &str, b: &str, measure: &str, value: String| {
        let _ = writeln!(out, "{table},{},{},{measure},{value}", field(a), field(b));
    };
    for d in &report.definitions {
        row("results", &d.id, "", "met", d.met.to_string());
        row("results", &d.id, "", "not_met", d.not_met.to_string());
        row("results", &d.id, "", "unknown", d.unknown.to_string());
        if let Some(s) = &d.days_to_onset {
            for (name, v) in [
                ("min", s.min),
                ("q1", s.q1),
                ("median", s.median),
                ("q3", s.q3),
                ("max", s.max),
            ] {
                row("days_to_onset", &d.id, "", name, v.to_string());
            }
        }
        for p in &d.incidence {
            row(
                "incidence",
                &d.id,
                "",
                &format!("at_risk_day_{}", p.days),
                p.at_risk.to_string(),
            );
            row(
                "incidence",
                &d.id,
                "",
                &format!("incidence_day_{}", p.days),
                p.incidence.to_string(),
            );
        }
    }
    for p in &report.pairs {
        for (r, name) in RESULTS.iter().enumerate() {
            for (c, other) in RESULTS.iter().enumerate() {
                let n = p
                    .table
                    .get(r)
                    .and_then(|row| row.get(c))
                    .copied()
                    .unwrap_or(0);
                row(
                    "pair",
                    &p.first,
                    &p.second,
                    &format!("{name}_{other}"),
                    n.to_string(),
                );
            }
        }
        row(
            "pair",
            &p.first,
            &p.second,
            "agreement",
            p.agreement.map_or(String::new(), |a| a.to_string()),
        );
        row(
            "pair",
            &p.first,
            &p.second,
            "kappa",
            p.kappa.map_or(String::new(), |k| k.to_string()),
        );
    }
    out
}

/// A CSV field, quoted when it must be (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
