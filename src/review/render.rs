//! A review as text (for a terminal), Markdown (for a pull request) and JSON.

use std::fmt::Write;

use super::search::{Counterexample, Side};
use super::{Change, Meaning, Report};

fn quote_line(label: &str, file: &str, q: &Option<super::Quote>) -> Option<String> {
    q.as_ref()
        .map(|q| format!("{label} {file}:{}: {}", q.line, q.text))
}

fn change_lines(c: &Change, report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    let note = c
        .note
        .as_ref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    lines.push(format!("{}: {}{}", c.place, c.what, note));
    lines.extend(quote_line("-", &report.old_file, &c.old));
    lines.extend(quote_line("+", &report.new_file, &c.new));
    lines
}

fn side_lines(label: &str, side: &Side) -> Vec<String> {
    let onset = side
        .onset
        .as_ref()
        .map(|d| format!(" on {d}"))
        .unwrap_or_default();
    let mut lines = vec![format!("{label}: {}{}", side.result, onset)];
    for c in &side.criteria {
        let at =
            c.at.as_ref()
                .map(|d| format!(" on {d}"))
                .unwrap_or_default();
        lines.push(format!("  {}: {}{} ({})", c.name, c.result, at, c.why));
    }
    lines
}

fn verdict(meaning: &Meaning) -> String {
    match meaning {
        Meaning::Equivalent => "equivalent: same meaning (the checked forms are the same after renaming and reordering)".to_owned(),
        Meaning::Different(c) => format!(
            "different: a timeline of {} event{} on which the results differ (found in the first {} timelines)",
            c.events,
            if c.events == 1 { "" } else { "s" },
            c.tried
        ),
        Meaning::NoDifferenceFound { timelines } => {
            format!("no difference found in {timelines} timelines (this is not a proof that the meaning is the same)")
        }
    }
}

fn counterexample_text(c: &Counterexample, out: &mut String) {
    let _ = writeln!(out, "\ntimeline:");
    let _ = writeln!(out, "{}", c.patient);
    for line in side_lines("old", &c.old)
        .into_iter()
        .chain(side_lines("new", &c.new))
    {
        let _ = writeln!(out, "{line}");
    }
    if !c.criteria.is_empty() {
        let _ = writeln!(out, "criteria that differ: {}", c.criteria.join(", "));
    }
}

/// The report as text.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "refract diff {} {}", report.old_file, report.new_file);
    let _ = writeln!(out, "\nwhat changed:");
    if report.changes.is_empty() {
        let _ = writeln!(out, "  nothing but layout and comments");
    }
    for c in &report.changes {
        for (i, line) in change_lines(c, report).into_iter().enumerate() {
            let indent = if i == 0 { "  " } else { "    " };
            let _ = writeln!(out, "{indent}{line}");
        }
    }
    let _ = writeln!(out, "\nmeaning: {}", verdict(&report.meaning));
    if let Meaning::Different(c) = &report.meaning {
        counterexample_text(c, &mut out);
    }
    out
}

/// The report as Markdown, to paste into a pull request.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### `refract diff` {} → {}\n",
        report.old_file, report.new_file
    );
    let _ = writeln!(out, "#### What changed\n");
    if report.changes.is_empty() {
        let _ = writeln!(out, "Nothing but layout and comments.");
    }
    for c in &report.changes {
        let note = c
            .note
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let _ = writeln!(out, "- **{}**: {}{}", c.place, c.what, note);
        for (sign, file, q) in [
            ("-", &report.old_file, &c.old),
            ("+", &report.new_file, &c.new),
        ] {
            if let Some(q) = q {
                let _ = writeln!(
                    out,
                    "  - {sign} `{file}:{}`: `{}`",
                    q.line,
                    q.text.replace('`', "'")
                );
            }
        }
    }
    let _ = writeln!(out, "\n#### Meaning\n\n{}", verdict(&report.meaning));
    if let Meaning::Different(c) = &report.meaning {
        let _ = writeln!(out, "\n```json\n{}\n```\n", c.patient);
        let _ = writeln!(out, "| | result | onset |\n|---|---|---|");
        for (label, side) in [("old", &c.old), ("new", &c.new)] {
            let _ = writeln!(
                out,
                "| {label} | {} | {} |",
                side.result,
                side.onset.as_deref().unwrap_or("")
            );
        }
        let _ = writeln!(out);
        for (label, side) in [("old", &c.old), ("new", &c.new)] {
            for crit in side
                .criteria
                .iter()
                .filter(|x| c.criteria.contains(&x.name))
            {
                let _ = writeln!(
                    out,
                    "- {label} `{}`: {} — {}",
                    crit.name, crit.result, crit.why
                );
            }
        }
    }
    out
}

/// The report as one JSON object.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default()
}
