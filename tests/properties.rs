//! Properties of the parser, the timeline reader and the evaluator, over generated input:
//! nothing panics, every diagnostic points inside the text, and results do not depend on
//! the order events are given in.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use refract::source::SourceFile;
use refract::timeline::{parse_patient, read_cohort, sort_events, Origin};
use refract::vocabulary::Vocabulary;

/// Words and symbols of the language, so generated text reaches deep into the grammar.
const TOKENS: &[&str] = &[
    "definition",
    "d",
    "outcome",
    "refractory",
    "part",
    "criterion",
    "source",
    "\"s\"",
    "met",
    "when",
    "=",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "any",
    "every",
    "no",
    "at least 2",
    "at most 1",
    "session",
    "sessions",
    "S",
    "T",
    "imaging",
    "lab",
    "status",
    "tace",
    "shows",
    "where",
    "is",
    "not",
    "in",
    "and",
    "or",
    "else",
    "latest",
    "earliest",
    "next session after",
    "previous session before",
    "session 1",
    "from 1 month to 3 months after",
    "within 90 days before",
    "on or before",
    "up to",
    "after",
    "before",
    "unknown if none",
    "viable_percent",
    "mrecist",
    "PD",
    "CR",
    ">",
    ">=",
    "<",
    "50",
    "12.5",
    "grew by at least 20 % from",
    "differs from",
    "is the same as",
    "of",
    "value",
    "rises continuously above",
    "with at least 2 values",
    "score",
    "4 if",
    "+",
    "-",
    "*",
    "consecutive",
    "\n",
    "//c\n",
    "number",
    "agents",
    "baseline",
    "response(S)",
];

fn compile(text: &str) -> Result<(), refract::diagnostics::Diagnostics> {
    refract::compile(&SourceFile::new("p.crit", text), &Vocabulary::builtin()).map(|_| ())
}

/// Every label lies inside the text, on character boundaries.
fn labels_in_bounds(text: &str, diagnostics: &refract::diagnostics::Diagnostics) {
    for problem in &diagnostics.problems {
        if let Some((span, _)) = &problem.label {
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "{span:?} outside {}",
                text.len()
            );
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
    }
    // Rendering never panics either.
    let _ = diagnostics.render_plain(80);
}

fn shipped_texts() -> Vec<String> {
    refract::definition_files(&[support::root().join("definitions")])
        .unwrap()
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, rng_seed: RngSeed::Fixed(2026), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_the_compiler(text in "\\PC{0,200}") {
        if let Err(diagnostics) = compile(&text) {
            labels_in_bounds(&text, &diagnostics);
        }
    }

    #[test]
    fn token_soup_never_panics_the_compiler(tokens in proptest::collection::vec(0..TOKENS.len(), 0..60)) {
        let text: String = tokens.iter().map(|&i| TOKENS[i]).collect::<Vec<_>>().join(" ");
        let text = format!("definition d\n outcome refractory\n{text}");
        if let Err(diagnostics) = compile(&text) {
            labels_in_bounds(&text, &diagnostics);
        }
    }

    #[test]
    fn edited_shipped_definitions_never_panic(file in 0usize..6, edits in proptest::collection::vec((any::<u16>(), 0u8..3, "\\PC{0,3}"), 1..4)) {
        let texts = shipped_texts();
        let mut text = texts[file % texts.len()].clone();
        for (at, action, insert) in edits {
            let mut at = usize::from(at) % (text.len() + 1);
            while !text.is_char_boundary(at) { at -= 1; }
            match action {
                0 => text.insert_str(at, &insert),
                1 => { let end = (at + 4).min(text.len()); let mut end = end; while !text.is_char_boundary(end) { end -= 1; } text.replace_range(at..end, ""); }
                _ => { let mut end = (at + insert.len()).min(text.len()); while !text.is_char_boundary(end) { end -= 1; } text.replace_range(at..end, &insert); }
            }
        }
        if let Err(diagnostics) = compile(&text) {
            labels_in_bounds(&text, &diagnostics);
        }
    }

    #[test]
    fn arbitrary_lines_never_panic_the_reader(lines in proptest::collection::vec("\\PC{0,80}", 0..8)) {
        let text = lines.join("\n");
        let _ = parse_patient(&text, &Origin::new("p.json", None), &Vocabulary::builtin());
        let count = read_cohort(text.as_bytes(), "p.jsonl", &Vocabulary::builtin()).count();
        prop_assert!(count <= lines.len().max(1));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, rng_seed: RngSeed::Fixed(2026), failure_persistence: None, ..ProptestConfig::default() })]

    /// Evaluation is deterministic and depends on the events, not on the order they are
    /// listed in: shuffled input gives the same results (evidence names input indices, so
    /// it is compared as dates and kinds).
    #[test]
    fn results_do_not_depend_on_input_order(events in support::timelines::events(), seed in any::<u64>()) {
        let vocabulary = Vocabulary::builtin();
        let json = format!(r#"{{"id":"p","events":[{}]}}"#, events.join(","));
        let patient = parse_patient(&json, &Origin::new("p.json", None), &vocabulary).unwrap();
        let mut shuffled = patient.clone();
        // A seeded Fisher-Yates shuffle of the events, then the engine's own ordering.
        let mut state = seed | 1;
        for i in (1..shuffled.events.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            let j = (state % (i as u64 + 1)) as usize;
            shuffled.events.swap(i, j);
        }
        sort_events(&mut shuffled.events);
        for definition in support::shipped() {
            let a = refract::eval::evaluate(&definition, &patient);
            let b = refract::eval::evaluate(&definition, &shuffled);
            prop_assert_eq!(a.result, b.result, "{}", definition.id);
            prop_assert_eq!(a.onset, b.onset);
            for (x, y) in a.criteria.iter().zip(&b.criteria) {
                prop_assert_eq!(x.result, y.result, "{} {}", definition.id, x.name);
                prop_assert_eq!(&x.why, &y.why);
                let dates = |c: &refract::eval::CriterionResult| c.evidence.iter().map(|e| (e.date, e.kind.clone())).collect::<Vec<_>>();
                prop_assert_eq!(dates(x), dates(y));
            }
            let again = refract::eval::evaluate(&definition, &patient);
            prop_assert_eq!(refract::report::outcome_line(&a), refract::report::outcome_line(&again));
        }
    }
}

/// Filters of the commonest shapes (`ATTRIBUTE [not] in [...]`, `is`, `ATTRIBUTE > N`,
/// `number >= N`, `ATTRIBUTE is the same as E`, `E is within D after it`, and `and`/`or`
/// of these) are read directly by the evaluator (with a tumour marker's rise over them);
/// written another way they take the general path. Both must agree.
const FILTER_SHAPES: &str = r#"
definition filter-shapes
  outcome refractory

part marker(S, M) "{M} before the session" = latest lab on or before S, where test is M
part marker_general(S, M) "{M} before the session" =
  latest lab on or before S, where not (test not in [M])
part marker_after(S, M) "{M} after the session" =
  lab after S, on or before next session after S, within 3 months after S, where test is M
part marker_after_general(S, M) "{M} after the session" =
  lab after S, on or before next session after S, within 3 months after S,
    where not (test not in [M])

criterion quick_is = any session S: any M in [AFP, "PIVKA-II"]: value of marker(S, M) > 100
criterion general_is = any session S: any M in [AFP, "PIVKA-II"]: value of marker_general(S, M) > 100
criterion quick_rises = any session S: any M in [AFP, "PIVKA-II"]:
  value of marker_after(S, M) rises continuously above marker(S, M), with at least 2 values
criterion general_rises = any session S: any M in [AFP, "PIVKA-II"]:
  value of marker_after_general(S, M) rises continuously above marker_general(S, M), with at least 2 values
criterion quick_in = at least 2 imaging where mrecist in [PD, NE]
criterion general_in = at least 2 imaging where not (mrecist not in [PD, NE])
criterion quick_not_in = at least 2 imaging where modality not in [CT]
criterion general_not_in = at least 2 imaging where not (modality in [CT])
criterion quick_compare = at least 2 imaging where viable_percent > 50
criterion general_compare = at least 2 imaging where not (viable_percent <= 50)
criterion quick_number = any session S where number >= 2: any imaging after S where tumor_count < 3
criterion general_number = any session S where not (number < 2): any imaging after S where not (tumor_count >= 3)
criterion quick_same = any session S: at least 2 session T up to S, where target is the same as S
criterion general_same = any session S: at least 2 session T up to S, where not (not (target is the same as S))
criterion quick_differs = any session S: at least 2 session T up to S, where agents differs from S
criterion general_differs = any session S: at least 2 session T up to S, where not (not (agents differs from S))
criterion quick_within = any session S: at least 2 session T up to S, where S is within 2 months after T
criterion general_within = any session S: at least 2 session T up to S, where not (not (S is within 2 months after T))
criterion quick_and = any session S: at least 3 session T up to S, where target is the same as S and S is within 6 months after T
criterion general_and = any session S: at least 3 session T up to S, where not (not (target is the same as S and S is within 6 months after T))
criterion quick_or = at least 2 imaging where mrecist in [PD] or viable_percent > 50
criterion general_or = at least 2 imaging where not (not (mrecist in [PD] or viable_percent > 50))

met when quick_is or general_is or quick_rises or general_rises or quick_in or general_in or quick_not_in or general_not_in
  or quick_compare or general_compare or quick_number or general_number
  or quick_same or general_same or quick_differs or general_differs or quick_within
  or general_within or quick_and or general_and or quick_or or general_or
"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, rng_seed: RngSeed::Fixed(2026), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn direct_filters_agree_with_general_evaluation(events in support::timelines::events()) {
        let definition = support::compile(FILTER_SHAPES);
        let json = format!(r#"{{"id":"p","events":[{}]}}"#, events.join(","));
        let patient = parse_patient(&json, &Origin::new("p.json", None), &Vocabulary::builtin()).unwrap();
        let outcome = refract::eval::evaluate(&definition, &patient);
        for pair in outcome.criteria.chunks(2) {
            let [quick, general] = pair else { panic!("criteria come in pairs") };
            prop_assert_eq!(quick.result, general.result, "{}", quick.name);
            prop_assert_eq!(&quick.evidence, &general.evidence, "{}", quick.name);
        }
    }
}
