//! The name index on the deepest definitions the parser accepts, on a small stack: the
//! walk is bounded by the parser's limits, whatever the caller's stack.

use super::names::{index, index_with_placeholder, Context, Meaning};
use crate::source::SourceFile;
use crate::vocabulary::Vocabulary;

const HEAD: &str = "definition d\n  outcome x\n";

/// Index `text` (which must parse) on a 1 MiB thread; the index's occurrences.
fn occurrences_on_small_stack(text: String) -> usize {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let source = SourceFile::new("deep.crit", text);
            let ast = crate::syntax::parse(&source).map_err(|d| d.render_plain(100))?;
            Ok::<usize, String>(index(&ast, &Vocabulary::builtin()).occurrences.len())
        })
        .unwrap()
        .join()
        .unwrap()
        .unwrap()
}

#[test]
fn the_deepest_expressions_are_indexed_on_a_small_stack() {
    let deepest = crate::syntax::MAX_DEPTH - 2;
    let shows = format!(
        "{HEAD}criterion c = {}viable_percent > 1\nmet when c\n",
        "latest imaging shows ".repeat(deepest)
    );
    // Each `imaging`, the attribute, the criterion twice.
    assert_eq!(occurrences_on_small_stack(shows), deepest + 3);
    let parens = format!(
        "{HEAD}criterion c = {}any session{}\nmet when c\n",
        "(".repeat(60),
        ")".repeat(60)
    );
    assert_eq!(occurrences_on_small_stack(parens), 3);
    let nots = format!(
        "{HEAD}criterion c = {}any session\nmet when c\n",
        "not ".repeat(deepest)
    );
    assert_eq!(occurrences_on_small_stack(nots), 3);
}

#[test]
fn a_long_chain_of_parts_is_followed_a_bounded_way_for_kinds() {
    let mut text = format!("{HEAD}part p0 = latest imaging\n");
    for i in 1..=2000 {
        text += &format!("part p{i} = p{}\n", i - 1);
    }
    text += "criterion c = p2000 shows mrecist is PD\nmet when c\n";
    let source = SourceFile::new("chain.crit", text);
    let ast = crate::syntax::parse(&source).unwrap();
    let found = index(&ast, &Vocabulary::builtin());
    // Near the start of the chain the kind is found; 2000 parts away it is not looked for.
    assert_eq!(found.part_kinds.get(10), Some(&Some("imaging")));
    assert_eq!(found.part_kinds.get(2000), Some(&None));
    assert!(found
        .occurrences
        .iter()
        .any(|o| o.meaning == Meaning::Part(1999) && !o.declaration));
}

#[test]
fn the_placeholder_says_what_is_expected() {
    let vocabulary = Vocabulary::builtin();
    let cases = [
        (
            "any session S: P",
            Context::Condition {
                examined: Some(Some("tace")),
            },
        ),
        (
            "latest lab shows test is P",
            Context::Value("test".to_string()),
        ),
        (
            "any imaging where mrecist in [CR, P]",
            Context::Value("mrecist".to_string()),
        ),
        (
            "lowest P among imaging > 1",
            Context::Attribute(Some("imaging")),
        ),
        ("P of latest status > 1", Context::Attribute(Some("status"))),
        ("earliest P", Context::Events),
        ("P", Context::Condition { examined: None }),
    ];
    for (body, expected) in cases {
        let text = format!("{HEAD}criterion c = {body}\nmet when c\n");
        let source = SourceFile::new("p.crit", text);
        let ast = crate::syntax::parse(&source).unwrap();
        let found = index_with_placeholder(&ast, &vocabulary, "P");
        assert_eq!(found.context.map(|(c, _)| c), Some(expected), "{body}");
    }
}
