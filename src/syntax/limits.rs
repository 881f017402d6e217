//! The limits that keep a hostile definition from exhausting the stack, memory or time.
//! Each is checked where it can be checked exactly, and each has its own error code:
//!
//! | limit | checked | code |
//! |---|---|---|
//! | [`MAX_SOURCE_BYTES`] per file | before parsing | `refract::syntax::too_large` |
//! | [`MAX_NESTING`] brackets and `:` bodies | before parsing, on the text as the grammar lexes it | `refract::syntax::too_deep` |
//! | [`MAX_OPERATORS`] `not`/`and`/`or`/`else` per item | the same | `refract::syntax::too_long` |
//! | what the parser can nest on its stack, [`MAX_GRAMMAR_DEPTH`] rules | while and after parsing, on the parse tree | `refract::syntax::too_nested` |
//! | [`MAX_DEPTH`] levels of one expression | as the syntax tree is built | `refract::syntax::expression_too_deep` |
//!
//! The checker adds its own (parts used through parts, and the depth of the checked tree
//! with the parts it uses): see `check`.

use pest::iterators::{Pair, Pairs};

use super::grammar::Rule;
use super::rule_names;
use crate::ast::ExprKind;
use crate::diagnostics::Problem;
use crate::source::Span;

/// The largest definition file refract reads; a guideline fits in far less.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// How deeply parentheses, brackets and quantifier bodies may nest.
pub const MAX_NESTING: usize = 64;

/// The most `not`/`and`/`or`/`else` in one item. Guidelines need a handful.
pub const MAX_OPERATORS: usize = 256;

/// How many levels one expression may nest (a leaf is one level; `a and b` is two):
/// checking and evaluation recurse this deep, and with this limit they stay well within
/// a 2 MiB thread stack (a test holds them to it). The checker applies the same limit to
/// a criterion with the parts it uses written out.
pub const MAX_DEPTH: usize = 100;

/// How many grammar rules may nest in the parse tree. Each level of an expression is a
/// few rules (a statement, its operand, a selection, ...), so this allows [`MAX_DEPTH`]
/// levels of any construct, and bounds how deep lowering recurses.
pub const MAX_GRAMMAR_DEPTH: usize = 8 * MAX_DEPTH;

/// The text checks made before parsing: size, nesting of brackets and bodies, operators.
pub fn scan(text: &str) -> Option<Problem> {
    if text.len() > MAX_SOURCE_BYTES {
        return Some(
            Problem::error(
                "refract::syntax::too_large",
                format!(
                    "the file is larger than {} MiB ({MAX_SOURCE_BYTES} bytes), the most refract reads for a definition",
                    MAX_SOURCE_BYTES >> 20
                ),
                Span::new(0, 0),
                "this file",
            )
            .with_help("split the definition, or check that this is the file you meant"),
        );
    }
    // Brackets nest until closed; each `:` opens a body that lasts to the end of its item
    // (the next line starting with `part`, `criterion` or `met`: keywords, so such a line
    // always starts an item).
    let (mut brackets, mut bodies, mut operators) = (0usize, 0usize, 0usize);
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if ["part", "criterion", "met"].iter().any(|kw| {
            trimmed
                .strip_prefix(kw)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_whitespace()))
        }) {
            bodies = 0;
            operators = 0;
        }
        let (code, parsed_past, _) = code_of(line);
        let mut word_start = None;
        for (at, c) in code.iter().copied().chain([(line.len(), ' ')]) {
            if c.is_alphanumeric() || c == '_' {
                word_start = word_start.or(Some(at));
                continue;
            }
            if let Some(start) = word_start.take() {
                let word = line.get(start..at).unwrap_or("");
                if matches!(word, "not" | "and" | "or" | "else") {
                    operators += 1;
                }
                if operators > MAX_OPERATORS {
                    return Some(
                        Problem::error(
                            "refract::syntax::too_long",
                            format!(
                                "an item uses more than {MAX_OPERATORS} `not`/`and`/`or`/`else`"
                            ),
                            Span::new(offset + start, offset + at),
                            "the limit is passed here",
                        )
                        .with_help("split the condition into named parts and combine their names"),
                    );
                }
            }
            match c {
                '(' | '[' => brackets += 1,
                ')' | ']' => brackets = brackets.saturating_sub(1),
                ':' => bodies += 1,
                _ => continue,
            }
            if brackets + bodies > MAX_NESTING {
                return Some(
                    Problem::error(
                        "refract::syntax::too_deep",
                        format!("the file nests more than {MAX_NESTING} levels deep"),
                        Span::new(offset + at, offset + at + 1),
                        "the limit is passed here",
                    )
                    .with_help("name the inner condition as a `part` and use its name"),
                );
            }
        }
        // The parser cannot read past a quoted text it cannot close: nor need the scan.
        if !parsed_past {
            return None;
        }
        offset += line.len();
    }
    None
}

/// The characters of a line outside its comment and quoted texts, with their offsets,
/// lexed as the grammar lexes them (a quoted text ends at an unescaped `"`; `\"` and `\\`
/// are its only escapes, and it cannot span lines); whether the parser can read past
/// the line: not when a quoted text in it is left open or escapes anything else; and where
/// its `//` comment starts, if it has one.
fn code_of(line: &str) -> (Vec<(usize, char)>, bool, Option<usize>) {
    let mut code = Vec::with_capacity(line.len());
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => loop {
                match chars.next().map(|(_, c)| c) {
                    Some('"') => break,
                    Some('\\') => match chars.next().map(|(_, c)| c) {
                        Some('"' | '\\') => {}
                        _ => return (code, false, None),
                    },
                    Some('\n') | None => return (code, false, None),
                    Some(_) => {}
                }
            },
            '/' if chars.peek().is_some_and(|&(_, next)| next == '/') => {
                return (code, true, Some(at))
            }
            _ => code.push((at, c)),
        }
    }
    (code, true, None)
}

/// The byte ranges of the `//` comments of a text the parser can read, lexed as the grammar
/// lexes them (a `//` inside a quoted text is no comment), without the line ends.
pub(crate) fn comments(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let (_, parsed_past, comment) = code_of(line);
        if let Some(start) = comment {
            found.push((
                offset + start,
                offset + line.trim_end_matches(['\n', '\r']).len(),
            ));
        }
        if !parsed_past {
            break;
        }
        offset += line.len();
    }
    found
}

/// The parse tree checked for depth before it is lowered (lowering recurses along it):
/// deeper than [`MAX_GRAMMAR_DEPTH`] rules is refused, naming the construct that repeats
/// most on the way down. The walk keeps its own stack, so it cannot overflow.
pub fn tree_depth(root: Pair<'_, Rule>) -> Option<Problem> {
    let mut path: Vec<(Rule, Span)> = Vec::new();
    let mut stack: Vec<Pairs<'_, Rule>> = vec![Pairs::single(root)];
    while let Some(top) = stack.last_mut() {
        let Some(pair) = top.next() else {
            stack.pop();
            path.pop();
            continue;
        };
        let span = pair.as_span();
        path.push((pair.as_rule(), Span::new(span.start(), span.end())));
        if path.len() > MAX_GRAMMAR_DEPTH {
            return Some(too_nested(&path));
        }
        stack.push(pair.into_inner());
    }
    None
}

/// The error for a parse tree (or a parse) that nests too deeply along `path`.
pub fn too_nested(path: &[(Rule, Span)]) -> Problem {
    let mut counts: Vec<(Rule, usize)> = Vec::new();
    for (rule, _) in path {
        if !is_construct(*rule) {
            continue;
        }
        match counts.iter_mut().find(|(r, _)| r == rule) {
            Some((_, n)) => *n += 1,
            None => counts.push((*rule, 1)),
        }
    }
    // Constructs that repeat together (`any X where any X where ...`) are named together;
    // the walk may have stopped between two of them, so nearly as often counts.
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let often = |n: usize| n * 10 >= most * 9;
    let named: Vec<&str> = counts
        .iter()
        .filter(|(_, n)| often(*n))
        .map(|(rule, _)| rule_names::describe(*rule))
        .collect();
    let at = path
        .iter()
        .rev()
        .find(|(rule, _)| counts.iter().any(|(r, n)| r == rule && often(*n)))
        .or(path.last())
        .map_or(0, |(_, span)| span.start);
    let what = if named.is_empty() {
        "constructs".to_string()
    } else {
        named.join(" and ")
    };
    nested_at(at, &what)
}

/// The error for constructs (`what`) nested too deeply to read, at byte `at`.
pub fn nested_at(at: usize, what: &str) -> Problem {
    let span = Span::new(at, at + 1);
    Problem::error(
        "refract::syntax::too_nested",
        format!("{what} nested inside each other too deeply to read"),
        span,
        "nested too deeply by here",
    )
    .with_help(format!(
        "refract reads up to {MAX_DEPTH} levels of one expression; name an inner piece as a `part` and use its name"
    ))
}

/// Rules a reader would call a construct (rather than grammar plumbing).
fn is_construct(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::consecutive
            | Rule::each_value
            | Rule::quantified
            | Rule::shows_tail
            | Rule::colon_tail
            | Rule::negated
            | Rule::parenthesised
            | Rule::score
            | Rule::extreme
            | Rule::attribute_of
            | Rule::latest
            | Rule::earliest
            | Rule::next_session
            | Rule::previous_session
            | Rule::call_args
            | Rule::where_clause
            | Rule::window
            | Rule::list
    )
}

/// The error for an expression deeper than [`MAX_DEPTH`], at the node that passes it.
pub fn too_deep(kind: &ExprKind, span: Span, height: usize) -> Problem {
    let what = construct(kind);
    let span = Span::new(span.start, span.start.max(span.end.min(span.start + 1)));
    Problem::error(
        "refract::syntax::expression_too_deep",
        format!("{what} nests {height} levels deep here; refract allows {MAX_DEPTH}"),
        span,
        format!("level {height} of this expression"),
    )
    .with_help("each operator, quantifier or reference is a level; name an inner piece as a `part` and use its name")
}

/// The construct an expression is, in the words of an error about its depth.
pub(crate) fn construct(kind: &ExprKind) -> &'static str {
    match kind {
        ExprKind::Not(_) => "`not`",
        ExprKind::And(..) => "`and`",
        ExprKind::Or(..) => "`or`",
        ExprKind::Else(..) => "`else`",
        ExprKind::Arith(..) => "arithmetic (`+`, `-`, `*`)",
        ExprKind::Shows(..) => "`shows`",
        ExprKind::Quantified { .. }
        | ExprKind::Consecutive { .. }
        | ExprKind::Run { .. }
        | ExprKind::EachValue { .. } => "quantifiers (`any`, `every`, ...)",
        ExprKind::NextSession(_) => "`next session after`",
        ExprKind::PreviousSession(_) => "`previous session before`",
        ExprKind::Latest(_) => "`latest`",
        ExprKind::Earliest(_) => "`earliest`",
        ExprKind::Extreme(..) => "`lowest`/`highest ... among`",
        ExprKind::AttributeOf(..) => "`ATTRIBUTE of`",
        ExprKind::Select { .. } => "selections (windows and `where`)",
        ExprKind::Score(_) => "`score`",
        ExprKind::Log10(_) => "`log10`",
        ExprKind::Call(..) | ExprKind::Name(_) => "parts",
        _ => "comparisons",
    }
}
