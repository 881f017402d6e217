//! The report as one self-contained HTML page: the concordance matrix as a heat map and
//! the incidence curves as a plot, both inline SVG (no scripts, fonts or other files).
//! Meant to be read printed in black and white too: cells are grey levels with their
//! value written in, and curves differ by dash pattern and carry their name at the end.

use std::fmt::Write;

use super::{month_days, Report};

/// Dash patterns, one per curve in turn (SVG `stroke-dasharray`; empty is solid).
const DASHES: [&str; 6] = ["", "8 4", "2 3", "10 3 2 3", "4 4", "12 2 2 2 2 2"];

/// The page for one or more reports (saved-output mode gives one per definition).
pub fn page(reports: &[Report]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>refract compare</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#000}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;text-align:right}svg text{font-family:sans-serif}</style>\n</head>\n<body>\n<h1>refract compare</h1>\n",
    );
    for report in reports {
        let _ = writeln!(
            out,
            "<p>{} patients, {} definitions.</p>",
            report.patients,
            report.definitions.len()
        );
        out.push_str(&counts_table(report));
        if !report.pairs.is_empty() {
            out.push_str("<h2>Concordance (Cohen's kappa, met vs not met)</h2>\n");
            out.push_str(&heat_map(report));
        }
        if report.definitions.iter().any(|d| d.in_curve > 0) {
            out.push_str("<h2>Cumulative incidence since the first session (Kaplan–Meier)</h2>\n");
            out.push_str(&curves(report));
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn counts_table(report: &Report) -> String {
    let mut out = String::from(
        "<table class=\"counts\">\n<tr><th>definition</th><th>met</th><th>not met</th><th>unknown</th></tr>\n",
    );
    for d in &report.definitions {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&d.id),
            d.met,
            d.not_met,
            d.unknown
        );
    }
    out.push_str("</table>\n");
    out
}

/// The kappa of definitions `i` and `j` (1 on the diagonal).
fn kappa_of(report: &Report, i: usize, j: usize) -> Option<f64> {
    if i == j {
        return Some(1.0);
    }
    let (a, b) = (report.definitions.get(i)?, report.definitions.get(j)?);
    report
        .pairs
        .iter()
        .find(|p| (p.first == a.id && p.second == b.id) || (p.first == b.id && p.second == a.id))
        .and_then(|p| p.kappa)
}

fn heat_map(report: &Report) -> String {
    let n = report.definitions.len();
    let (cell, left, top) = (70usize, 190usize, 30usize);
    let (w, h) = (left + cell * n + 10, top + cell * n + 10);
    let mut out = format!(
        "<svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"kappa matrix\">\n"
    );
    for (i, d) in report.definitions.iter().enumerate() {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>",
            left - 6,
            top + cell * i + cell / 2 + 4,
            escape(&d.id)
        );
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
            left + cell * i + cell / 2,
            top - 8,
            i + 1
        );
        for j in 0..n {
            let kappa = kappa_of(report, i, j);
            // Darker is more agreement; text turns white on the darkest cells.
            let level = kappa.map_or(255.0, |k| 255.0 - 200.0 * k.clamp(0.0, 1.0));
            let grey = level.round() as u8;
            let ink = if grey < 128 { "#fff" } else { "#000" };
            let (x, y) = (left + cell * j, top + cell * i);
            let _ = writeln!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"rgb({grey},{grey},{grey})\" stroke=\"#000\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" fill=\"{ink}\">{}</text>",
                x + cell / 2,
                y + cell / 2 + 5,
                kappa.map_or("–".to_string(), |k| format!("{k:.2}"))
            );
        }
    }
    out.push_str("</svg>\n<p>Columns are numbered in the order of the rows.</p>\n");
    out
}

fn curves(report: &Report) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 380.0, 50.0, 170.0, 15.0, 40.0);
    let end_days = report
        .definitions
        .iter()
        .filter_map(|d| d.curve.last().map(|s| s.days))
        .max()
        .unwrap_or(0)
        .max(month_days(24)) as f64;
    let top_incidence = report
        .definitions
        .iter()
        .filter_map(|d| d.curve.last().map(|s| s.incidence))
        .fold(0.0f64, f64::max)
        .max(0.05);
    let scale_y = (top_incidence * 10.0).ceil() / 10.0;
    let x = |days: f64| left + (w - left - right) * days / end_days;
    let y = |p: f64| h - bottom - (h - top - bottom) * p / scale_y;
    let mut out = format!(
        "<svg class=\"incidence\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"cumulative incidence curves\">\n"
    );
    let _ = writeln!(
        out,
        "<path d=\"M{l} {t} V{b} H{r}\" fill=\"none\" stroke=\"#000\"/>",
        l = left,
        t = top,
        b = h - bottom,
        r = w - right
    );
    let mut months = 0;
    while month_days(months) as f64 <= end_days {
        let px = x(month_days(months) as f64);
        let _ = writeln!(
            out,
            "<text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{months}</text>",
            h - bottom + 15.0
        );
        months += 6;
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\">months since the first session</text>",
        (left + w - right) / 2.0,
        h - 5.0
    );
    for tick in 0..=((scale_y * 10.0).round() as u32) {
        let p = f64::from(tick) / 10.0;
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\">{:.0}%</text>",
            left - 5.0,
            y(p) + 4.0,
            p * 100.0
        );
    }
    let mut labels: Vec<(f64, String, &str)> = Vec::new();
    for (i, d) in report.definitions.iter().enumerate() {
        let mut path = format!("M{:.1} {:.1}", x(0.0), y(0.0));
        let mut last = 0.0;
        for step in &d.curve {
            let _ = write!(
                path,
                " H{:.1} V{:.1}",
                x(step.days as f64),
                y(step.incidence)
            );
            last = step.incidence;
        }
        let _ = write!(path, " H{:.1}", x(end_days));
        let dash = DASHES.get(i % DASHES.len()).copied().unwrap_or("");
        let _ = writeln!(
            out,
            "<path class=\"curve\" d=\"{path}\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.6\" stroke-dasharray=\"{dash}\"><title>{}</title></path>",
            escape(&d.id)
        );
        labels.push((y(last), d.id.clone(), dash));
    }
    // Direct labels at the right end, pushed apart so none overlap, each after a sample
    // of its curve's dash pattern.
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut floor = f64::MIN;
    let mut placed: Vec<(f64, String, &str)> = Vec::new();
    for (at, id, dash) in labels {
        floor = at.max(floor + 13.0);
        placed.push((floor, id, dash));
    }
    // Labels pushed below the axis move up together, still 13 px apart.
    let overflow = (floor - (h - bottom)).max(0.0);
    for (at, id, dash) in placed {
        let at = at - overflow;
        let _ = writeln!(
            out,
            "<path d=\"M{:.1} {at:.1} h24\" stroke=\"#000\" stroke-width=\"1.6\" stroke-dasharray=\"{dash}\"/><text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>",
            w - right + 4.0,
            w - right + 32.0,
            at + 4.0,
            escape(&id)
        );
    }
    out.push_str("</svg>\n");
    out
}

fn escape(text: &str) -> String {
    crate::report::markup_escape(text)
}
