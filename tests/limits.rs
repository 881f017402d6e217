//! The limits on definitions: every recursive construct, chained or nested past its
//! limit, is refused with a limit error that names it (never a stack overflow), and the
//! deepest definition each construct allows evaluates on a plain 2 MiB thread, the
//! default stack of a spawned thread.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use refract::check::Checked;
use refract::diagnostics::Diagnostics;
use refract::source::SourceFile;
use refract::syntax::{MAX_DEPTH, MAX_NESTING};
use refract::vocabulary::Vocabulary;

const HEAD: &str = "definition d\n  outcome x\n";

/// A definition whose one criterion is `body`.
fn criterion(body: &str) -> String {
    format!("{HEAD}criterion c = {body}\nmet when c\n")
}

/// A definition with a construct chained `n` deep.
type Chain = Box<dyn Fn(usize) -> String>;

/// Each recursive construct, by the name its error uses.
fn constructs() -> Vec<(&'static str, Chain)> {
    let r = |s: &str, n: usize| s.repeat(n);
    vec![
        (
            "`not`",
            Box::new(move |n| criterion(&format!("{}any session", r("not ", n)))),
        ),
        (
            "`and`",
            Box::new(move |n| criterion(&format!("any session{}", r(" and any imaging", n)))),
        ),
        (
            "`or`",
            Box::new(move |n| criterion(&format!("any session{}", r(" or any imaging", n)))),
        ),
        (
            "`else`",
            Box::new(move |n| criterion(&format!("any session{}", r(" else any imaging", n)))),
        ),
        (
            "arithmetic",
            Box::new(move |n| {
                criterion(&format!(
                    "any imaging shows viable_percent{} > 5",
                    r(" * 1", n)
                ))
            }),
        ),
        (
            "arithmetic",
            Box::new(move |n| {
                criterion(&format!(
                    "any imaging shows viable_percent{} > 5",
                    r(" + 1", n)
                ))
            }),
        ),
        (
            "`shows`",
            Box::new(move |n| {
                criterion(&format!(
                    "{}viable_percent > 1",
                    r("latest imaging shows ", n)
                ))
            }),
        ),
        (
            "`next session after",
            Box::new(move |n| {
                criterion(&format!(
                    "any imaging after {}session 1",
                    r("next session after ", n)
                ))
            }),
        ),
        (
            "`previous session before",
            Box::new(move |n| {
                criterion(&format!(
                    "any imaging before {}session 3",
                    r("previous session before ", n)
                ))
            }),
        ),
        (
            "`latest",
            Box::new(move |n| {
                criterion(&format!(
                    "any imaging after {}session 1",
                    r("latest imaging after ", n)
                ))
            }),
        ),
        (
            "`where",
            Box::new(move |n| {
                criterion(&format!("{}viable_percent > 1", r("any imaging where ", n)))
            }),
        ),
        (
            "parentheses",
            Box::new(move |n| criterion(&format!("{}any session{}", r("(", n), r(")", n)))),
        ),
        (
            "quantifier bodies",
            Box::new(move |n| criterion(&format!("{}any imaging", r("any session: ", n)))),
        ),
        (
            "`any M in",
            Box::new(move |n| {
                // Each level names its value anew: a name may not hide another.
                let levels: String = (0..n).map(|i| format!("any M{i} in [AFP]: ")).collect();
                criterion(&format!(
                    "{levels}any lab where test is M{}",
                    n.saturating_sub(1)
                ))
            }),
        ),
        (
            "`score",
            Box::new(move |n| {
                criterion(&format!(
                    "{}any session{}",
                    r("score (1 if ", n),
                    r(") > 0", n)
                ))
            }),
        ),
        ("parts", Box::new(parts_chain)),
        ("parts", Box::new(parts_diamond)),
    ]
}

/// Parts that each use the one before: `n` of them.
fn parts_chain(n: usize) -> String {
    let mut text = format!("{HEAD}part p0 = any session and any imaging\n");
    for i in 1..=n {
        text += &format!("part p{i} = not p{} and any lab\n", i - 1);
    }
    text + &format!("criterion c = p{n}\nmet when c\n")
}

/// Parts that each use the one before twice (a diamond of parts, not a tree).
fn parts_diamond(n: usize) -> String {
    let mut text = format!("{HEAD}part p0 = any session\n");
    for i in 1..=n {
        text += &format!("part p{i} = p{0} and not p{0}\n", i - 1);
    }
    text + &format!("criterion c = p{n}\nmet when c\n")
}

fn compile(text: &str) -> Result<Checked, Diagnostics> {
    refract::compile(&SourceFile::new("deep.crit", text), &Vocabulary::builtin()).map(|(c, _)| c)
}

/// The limit codes: each limit has its own.
const LIMITS: &[&str] = &[
    "refract::syntax::too_deep",
    "refract::syntax::too_long",
    "refract::syntax::too_nested",
    "refract::syntax::expression_too_deep",
    "refract::check::too_deep",
    "refract::check::expanded_too_deep",
];

#[test]
fn every_construct_chained_past_its_limit_is_refused_by_a_limit() {
    for (name, make) in constructs() {
        for n in [MAX_DEPTH + 1, 400, 3000] {
            let text = make(n);
            let diagnostics = match compile(&text) {
                Ok(_) => panic!("{name} chained {n} deep was accepted"),
                Err(diagnostics) => diagnostics,
            };
            let first = &diagnostics.problems[0];
            assert!(
                LIMITS.contains(&first.code),
                "{name} × {n}: {}",
                diagnostics.render_plain(100)
            );
            // The error shows without trouble, and says where.
            assert!(diagnostics.render_plain(100).contains("deep.crit:"));
        }
    }
}

#[test]
fn the_errors_name_the_construct_that_is_too_deep() {
    for (name, make) in constructs() {
        // These are held by the nesting limit on the text, or by the limit on parts.
        if [
            "parts",
            "quantifier bodies",
            "parentheses",
            "`any M in",
            "`score",
        ]
        .contains(&name)
        {
            continue;
        }
        let rendered = compile(&make(MAX_DEPTH * 2))
            .err()
            .unwrap()
            .render_plain(200);
        assert!(rendered.contains(name), "{name}: {rendered}");
    }
}

/// The deepest chain of a construct that still compiles.
fn deepest(make: &dyn Fn(usize) -> String) -> (usize, Checked) {
    let (mut low, mut high) = (1, 4 * MAX_DEPTH);
    assert!(compile(&make(high)).is_err());
    while low + 1 < high {
        let middle = (low + high) / 2;
        match compile(&make(middle)) {
            Ok(_) => low = middle,
            Err(_) => high = middle,
        }
    }
    (low, compile(&make(low)).unwrap())
}

/// One event of each kind a construct reads, so evaluation follows every chain to its
/// end (and nested quantifiers have one element each: this measures depth, not time).
const PATIENT: &str = r#"{"id":"deep","events":[
    {"date":"2021-01-01","kind":"imaging","viable_percent":60},
    {"date":"2021-01-05","kind":"tace"},
    {"date":"2021-02-01","kind":"lab","test":"AFP","value":30}]}"#;

#[test]
fn the_deepest_definitions_the_limits_allow_evaluate_on_a_2_mib_thread() {
    let patient = support::patient(PATIENT);
    for (name, make) in constructs() {
        let (depth, checked) = deepest(make.as_ref());
        assert!(
            depth >= MAX_DEPTH / 4,
            "{name}: only {depth} levels allowed"
        );
        let patient = patient.clone();
        let outcome = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || refract::eval::evaluate(&checked, &patient).result)
            .unwrap()
            .join();
        assert!(outcome.is_ok(), "{name} at {depth} levels");
    }
}

#[test]
fn quoted_texts_hide_nothing_from_the_limits_and_add_nothing_to_them() {
    // `"x\\"` ends the text at its second quote: what follows is code and is counted.
    let open = "(".repeat(MAX_NESTING + 1);
    let close = ")".repeat(MAX_NESTING + 1);
    let text =
        format!("{HEAD}criterion c source \"x\\\\\" = {open}any session{close}\nmet when c\n");
    let refused = compile(&text).err().unwrap();
    assert_eq!(refused.problems[0].code, "refract::syntax::too_deep");
    let nots = "not ".repeat(300);
    let text = format!("{HEAD}criterion c source \"x\\\\\" = {nots}any session\nmet when c\n");
    assert_eq!(
        compile(&text).err().unwrap().problems[0].code,
        "refract::syntax::too_long"
    );
    // Brackets, colons and operators inside texts and comments are not code.
    let quoted = format!("\"{open} and not or \\\" {open}\"");
    let text = format!(
        "{HEAD}part p {quoted} = any session // {open} :::: and and\ncriterion c source {quoted} = p\nmet when c\n"
    );
    compile(&text).unwrap();
}

#[test]
fn the_limits_in_the_language_docs_and_readme_are_the_code_s() {
    let readme = std::fs::read_to_string(support::root().join("README.md")).unwrap();
    for figure in [
        format!("{MAX_DEPTH} levels"),
        format!("{MAX_NESTING} levels"),
    ] {
        assert!(readme.contains(&figure), "README.md does not say {figure}");
    }
}
