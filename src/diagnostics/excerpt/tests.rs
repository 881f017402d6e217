use miette::{GraphicalReportHandler, GraphicalTheme};

use super::*;
use crate::diagnostics::{Problem, Shown};
use crate::source::Span;

fn excerpt(text: &str, span: (usize, usize)) -> Excerpt {
    Excerpt::new("f.crit", text, &LineIndex::new(text), span, 0)
}

fn labelled(excerpt: &Excerpt) -> &str {
    let label = excerpt.label();
    &excerpt.text[label.offset()..label.offset() + label.len()]
}

fn render(text: &str, span: (usize, usize)) -> String {
    let problem = Problem::error("refract::test", "wrong", Span::new(span.0, span.1), "here");
    let shown = Shown::new(&problem, Some(excerpt(text, span)));
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(80)
        .render_report(&mut out, &shown)
        .unwrap();
    out
}

#[test]
fn short_files_show_the_label_lines_and_their_neighbours_as_they_are() {
    let text = "one\ntwo\nthree four\nfive\nsix\nseven\n";
    let at = text.find("four").unwrap();
    let e = excerpt(text, (at, at + 4));
    assert_eq!(e.text, "one\ntwo\nthree four\nfive\nsix\n");
    assert_eq!(labelled(&e), "four");
    assert_eq!(e.first_line, 0);
    assert_eq!(e.label_at, (2, 6));
    assert!(render(text, (at, at + 4)).contains("[f.crit:3:7]"));
}

#[test]
fn a_label_far_along_a_long_line_is_shown_cut_around_it() {
    let mut text = "x".repeat(100_000);
    text.push_str(" broken ");
    text.push_str(&"y".repeat(50_000));
    let at = 100_001;
    let e = excerpt(&text, (at, at + 6));
    assert_eq!(labelled(&e), "broken");
    assert!(
        e.text.len() < 3 * (AROUND + LONGEST_LABEL),
        "{}",
        e.text.len()
    );
    assert!(e.text.starts_with(CUT) && e.text.ends_with(CUT));
    let shown = render(&text, (at, at + 6));
    assert!(shown.contains("[f.crit:1:100002]"), "{shown}");
    assert!(shown.contains("broken"));
}

#[test]
fn a_long_label_and_a_label_over_many_lines_are_shortened() {
    let text = "z".repeat(10_000);
    let e = excerpt(&text, (10, 9_000));
    assert_eq!(labelled(&e).len(), LONGEST_LABEL);
    let lines = "line\n".repeat(1_000);
    let e = excerpt(&lines, (5, 4_000));
    assert_eq!(labelled(&e), "line");
    assert!(e.text.lines().count() <= 1 + 2 * CONTEXT);
}

#[test]
fn escape_codes_in_the_file_are_shown_escaped_and_the_label_still_fits() {
    let text = "a \u{1b}[2J b\u{9b} target \u{7}\n";
    let at = text.find("target").unwrap();
    let e = excerpt(text, (at, at + 6));
    assert_eq!(labelled(&e), "target");
    assert!(!e.text.chars().any(|c| c.is_control() && c != '\n'));
    let shown = render(text, (at, at + 6));
    assert!(shown.contains("\\u{1b}[2J"), "{shown}");
    assert!(shown.contains(&format!("[f.crit:1:{}]", at + 1)), "{shown}");
}

#[test]
fn spans_past_the_end_on_a_break_or_inside_a_character_are_clamped() {
    let text = "é\r\nab\n";
    for span in [(0, 0), (1, 2), (2, 3), (3, 4), (7, 9), (100, 200), (5, 1)] {
        let e = excerpt(text, span);
        assert!(
            e.label().offset() + e.label().len() <= e.text.len(),
            "{span:?}"
        );
        render(text, span);
    }
    assert_eq!(excerpt(text, (0, 2)).text, text);
    assert_eq!(excerpt("", (0, 0)).text, "");
}

#[test]
fn cohort_lines_keep_their_line_number_in_the_file() {
    let text = r#"{"id":"P1","events":[{"date":"2021-02-30"}]}"#;
    let at = text.find("\"2021").unwrap();
    let e = Excerpt::new("c.jsonl", text, &LineIndex::new(text), (at, at + 12), 6);
    assert_eq!(e.first_line, 6);
    assert_eq!(e.label_at, (6, at));
}

#[test]
fn many_diagnostics_about_a_large_file_each_hold_a_small_excerpt() {
    // 4,000 problems about a 200 KB file: each report holds its lines, not the file.
    let line = format!("part p \"{}\" = latest imaging\n", "d".repeat(40));
    let source = crate::source::SourceFile::new("big.crit", line.repeat(200_000 / line.len()));
    let mut diagnostics = crate::diagnostics::Diagnostics::new(source.clone());
    for i in 0..4_000 {
        let at = (i * 97) % source.text.len();
        diagnostics.problems.push(Problem::warning(
            "refract::test",
            "unused",
            Span::new(at, at + 4),
            "here",
        ));
    }
    let shown = diagnostics.shown();
    let held: usize = shown
        .iter()
        .map(|s| s.excerpt.as_ref().map_or(0, |e| e.text.len()))
        .sum();
    assert!(held < 4_000 * 1_024, "{held} bytes of excerpts");
}
