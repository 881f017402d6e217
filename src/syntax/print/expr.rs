//! The layout of expressions, from the parse tree: it keeps every token as written
//! (parentheses, `more than 2`, `session` or `sessions`, a number's digits), which the AST
//! does not, and explanations quote selections as written.
//!
//! Lines break before `and`/`or`/`else`, after `shows` and `:`, between the windows and
//! filter of a selection, inside parentheses and between score items; nowhere else.

use pest::iterators::Pair;

use super::comments::Tokens;
use super::doc::Doc;
use crate::syntax::grammar::Rule;

/// How a piece of layout starts or ends, for the space between two pieces.
#[derive(Clone, Copy, PartialEq)]
pub enum Edge {
    /// `(` or `[`: nothing after it.
    Open,
    /// `)`, `]`, `,` or `:`: nothing before it.
    Close,
    /// A name, or `log10`: its `(` follows without a space.
    Name,
    /// Anything else.
    Word,
}

/// Layout with its first and last token's kind.
pub struct Built {
    pub docs: Vec<Doc>,
    pub first: Edge,
    pub last: Edge,
}

impl Built {
    pub fn empty() -> Built {
        Built {
            docs: Vec::new(),
            first: Edge::Word,
            last: Edge::Word,
        }
    }

    /// `self` then `next`, with a space between unless their tokens touch.
    pub fn then(mut self, next: Built) -> Built {
        if next.docs.is_empty() {
            return self;
        }
        if self.docs.is_empty() {
            return next;
        }
        let touch = self.last == Edge::Open
            || next.first == Edge::Close
            || (next.first == Edge::Open && self.last == Edge::Name);
        if !touch {
            self.docs.push(Doc::Space);
        }
        self.docs.extend(next.docs);
        self.last = next.last;
        self
    }

    fn edges(docs: Vec<Doc>, first: Edge, last: Edge) -> Built {
        Built { docs, first, last }
    }
}

/// A child of a rule as the printer meets it: a rule, or punctuation the grammar matches
/// as a literal (`(`, `,`, `=`, `%`, ...).
pub enum Piece<'i> {
    Rule(Pair<'i, Rule>),
    Punct(usize, usize),
}

/// The children and punctuation of `pair`, in source order.
pub fn pieces<'i>(pair: &Pair<'i, Rule>, text: &str) -> Vec<Piece<'i>> {
    let mut out = Vec::new();
    let mut at = pair.as_span().start();
    let end = pair.as_span().end();
    for child in pair.clone().into_inner() {
        punctuation(text, at, child.as_span().start(), &mut out);
        at = child.as_span().end();
        out.push(Piece::Rule(child));
    }
    punctuation(text, at, end, &mut out);
    out
}

/// The literal tokens between `from` and `to`: everything but spaces and comments.
fn punctuation(text: &str, from: usize, to: usize, out: &mut Vec<Piece<'_>>) {
    let gap = text.get(from..to).unwrap_or("");
    let mut chars = gap.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c == '/' && chars.peek().is_some_and(|&(_, next)| next == '/') {
            for (_, c) in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            continue;
        }
        out.push(Piece::Punct(from + at, from + at + c.len_utf8()));
    }
}

/// The layout of one rule of an expression.
pub fn node(tokens: &mut Tokens<'_>, pair: Pair<'_, Rule>) -> Built {
    match pair.as_rule() {
        Rule::expr => chain(tokens, pair),
        Rule::colon_tail => colon(tokens, pieces(&pair, tokens.text())),
        Rule::consecutive | Rule::run | Rule::each_value => quantifier_body(tokens, &pair),
        Rule::shows_tail => breaks_after_first(tokens, pair),
        Rule::selection => selection(tokens, pair),
        Rule::parenthesised => parenthesised(tokens, pair),
        Rule::selection_head if starts_with_paren(&pair, tokens.text()) => {
            parenthesised(tokens, pair)
        }
        Rule::score => score(tokens, pair),
        Rule::string => leaf(tokens, &pair),
        _ if pair.clone().into_inner().next().is_none() => leaf(tokens, &pair),
        _ => joined(tokens, &pair),
    }
}

/// A token: a keyword, a name, a number, a quoted text, an operator.
fn leaf(tokens: &mut Tokens<'_>, pair: &Pair<'_, Rule>) -> Built {
    let span = pair.as_span();
    let edge = match pair.as_rule() {
        Rule::ident | Rule::kw_log10 => Edge::Name,
        _ => Edge::Word,
    };
    Built::edges(tokens.token(span.start(), span.end()), edge, edge)
}

fn punct(tokens: &mut Tokens<'_>, start: usize, end: usize) -> Built {
    let edge = match tokens.text().get(start..end) {
        Some("(" | "[") => Edge::Open,
        Some(")" | "]" | "," | ":") => Edge::Close,
        _ => Edge::Word,
    };
    Built::edges(tokens.token(start, end), edge, edge)
}

pub fn piece(tokens: &mut Tokens<'_>, piece: Piece<'_>) -> Built {
    match piece {
        Piece::Rule(pair) => node(tokens, pair),
        Piece::Punct(start, end) => punct(tokens, start, end),
    }
}

/// The pieces of a rule one after another, with single spaces.
fn joined(tokens: &mut Tokens<'_>, pair: &Pair<'_, Rule>) -> Built {
    pieces(pair, tokens.text())
        .into_iter()
        .fold(Built::empty(), |built, next| {
            let next = piece(tokens, next);
            built.then(next)
        })
}

/// `[docs]` as a group that breaks where the author broke it, or where it does not fit.
fn group(tokens: &Tokens<'_>, first_token: usize, built: Built) -> Built {
    let broken = tokens.broken_since(first_token);
    Built::edges(
        vec![Doc::Group {
            docs: built.docs,
            broken,
        }],
        built.first,
        built.last,
    )
}

/// `a and b or not c`: a line may break before each operator.
fn chain(tokens: &mut Tokens<'_>, pair: Pair<'_, Rule>) -> Built {
    let first_token = tokens.spans.len();
    let mut built = Built::empty();
    let mut infix = false;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::op_and | Rule::op_or | Rule::op_else => {
                infix = true;
                built.docs.push(Doc::Line);
                let op = leaf(tokens, &child);
                built.docs.extend(op.docs);
                built.last = Edge::Word;
            }
            _ => built = built.then(node(tokens, child)),
        }
    }
    if infix {
        group(tokens, first_token, built)
    } else {
        built
    }
}

/// Whether an expression is one quantifier, such as `any response(S) shows PD`.
fn is_quantifier(pair: &Pair<'_, Rule>) -> bool {
    let mut children = pair.clone().into_inner();
    let first = children.next();
    children.next().is_none()
        && first.is_some_and(|only| {
            matches!(
                only.as_rule(),
                Rule::quantified | Rule::consecutive | Rule::run | Rule::each_value
            )
        })
}

/// `: body`. Quantifiers in a row stay on one line (`any session S: any M in [..]:`);
/// otherwise the line may break after the colon, the body indented.
fn colon(tokens: &mut Tokens<'_>, parts: Vec<Piece<'_>>) -> Built {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Built::empty();
    };
    let first_token = tokens.spans.len();
    let colon = piece(tokens, first);
    let mut body = Built::empty();
    let mut chained = false;
    for next in parts {
        if let Piece::Rule(expr) = &next {
            chained = is_quantifier(expr);
        }
        body = body.then(piece(tokens, next));
    }
    if chained {
        return colon.then(body);
    }
    let mut docs = colon.docs;
    docs.push(Doc::Nest(
        2,
        std::iter::once(Doc::Line).chain(body.docs).collect(),
    ));
    group(
        tokens,
        first_token,
        Built::edges(docs, colon.first, body.last),
    )
}

/// `any consecutive sessions A, B: body` and the like: a heading, then `:` and the body
/// laid out as a `colon_tail`.
fn quantifier_body(tokens: &mut Tokens<'_>, pair: &Pair<'_, Rule>) -> Built {
    let mut all = pieces(pair, tokens.text());
    let text = tokens.text();
    let colon_at = all
        .iter()
        .rposition(|piece| matches!(piece, Piece::Punct(s, e) if text.get(*s..*e) == Some(":")));
    let tail = colon_at.map_or_else(Vec::new, |at| all.split_off(at));
    let heading = all.into_iter().fold(Built::empty(), |built, next| {
        let next = piece(tokens, next);
        built.then(next)
    });
    heading.then(colon(tokens, tail))
}

/// `shows body`: the line may break after the keyword, the body indented.
fn breaks_after_first(tokens: &mut Tokens<'_>, pair: Pair<'_, Rule>) -> Built {
    let first_token = tokens.spans.len();
    let mut parts = pieces(&pair, tokens.text()).into_iter();
    let Some(first) = parts.next() else {
        return Built::empty();
    };
    let head = piece(tokens, first);
    let body = parts.fold(Built::empty(), |built, next| {
        let next = piece(tokens, next);
        built.then(next)
    });
    let mut docs = head.docs;
    docs.push(Doc::Nest(
        2,
        std::iter::once(Doc::Line).chain(body.docs).collect(),
    ));
    group(
        tokens,
        first_token,
        Built::edges(docs, head.first, body.last),
    )
}

fn starts_with_paren(pair: &Pair<'_, Rule>, text: &str) -> bool {
    text.get(pair.as_span().start()..)
        .is_some_and(|rest| rest.starts_with('('))
}

/// `( expr )`: broken lines line up just inside the parenthesis.
fn parenthesised(tokens: &mut Tokens<'_>, pair: Pair<'_, Rule>) -> Built {
    let mut parts = pieces(&pair, tokens.text()).into_iter();
    let Some(open) = parts.next() else {
        return Built::empty();
    };
    let open = piece(tokens, open);
    let inside = parts.fold(Built::empty(), |built, next| {
        let next = piece(tokens, next);
        built.then(next)
    });
    let mut docs = open.docs;
    docs.push(Doc::Align(inside.docs));
    Built::edges(docs, open.first, inside.last)
}

/// A selection: its head, then its windows, `unknown if none` and `where`, filling
/// lines; a broken line is indented under the head.
fn selection(tokens: &mut Tokens<'_>, pair: Pair<'_, Rule>) -> Built {
    let mut items: Vec<Built> = vec![Built::empty()];
    for next in pieces(&pair, tokens.text()) {
        let clause = matches!(
            &next,
            Piece::Rule(child) if matches!(
                child.as_rule(),
                Rule::window | Rule::unknown_if_none | Rule::where_clause
            )
        );
        let built = piece(tokens, next);
        match items.last_mut() {
            Some(last) if !clause => *last = std::mem::replace(last, Built::empty()).then(built),
            _ => items.push(built),
        }
    }
    let first = items.first().map_or(Edge::Word, |item| item.first);
    let last = items.last().map_or(Edge::Word, |item| item.last);
    let mut items = items.into_iter().filter(|item| !item.docs.is_empty());
    let Some(head) = items.next() else {
        return Built::empty();
    };
    let mut fill = vec![Doc::Group {
        docs: head.docs,
        broken: false,
    }];
    for item in items {
        fill.push(Doc::Line);
        fill.push(Doc::Group {
            docs: item.docs,
            broken: false,
        });
    }
    if fill.len() == 1 {
        return Built::edges(fill, first, last);
    }
    Built::edges(vec![Doc::Nest(2, vec![Doc::Fill(fill)])], first, last)
}

/// `score (4 if A, 1.5 if B)`; broken, one item a line with the points aligned and a
/// comma after the last (printed only when broken).
fn score(tokens: &mut Tokens<'_>, pair: Pair<'_, Rule>) -> Built {
    let first_token = tokens.spans.len();
    let text = tokens.text();
    let all = pieces(&pair, text);
    let widest = all
        .iter()
        .filter_map(|piece| match piece {
            Piece::Rule(item) if item.as_rule() == Rule::score_item => {
                item.clone().into_inner().next()
            }
            _ => None,
        })
        .map(|points| points.as_str().chars().count())
        .max()
        .unwrap_or(0);
    let mut head = Built::empty();
    let mut inside = vec![Doc::SoftLine];
    let mut close = Built::empty();
    let mut trailing_comma = false;
    let mut rest = all.into_iter().peekable();
    while let Some(next) = rest.next() {
        let before_close = matches!(
            rest.peek(),
            Some(Piece::Punct(start, end)) if text.get(*start..*end) == Some(")")
        );
        match next {
            Piece::Rule(item) if item.as_rule() == Rule::score_item => {
                let mut parts = item.into_inner();
                let mut built = Built::empty();
                if let Some(points) = parts.next() {
                    let pad = widest.saturating_sub(points.as_str().chars().count());
                    built = leaf(tokens, &points);
                    if pad > 0 {
                        built
                            .docs
                            .push(Doc::IfBroken(Box::new(Doc::Text(" ".repeat(pad)))));
                    }
                }
                for part in parts {
                    built = built.then(node(tokens, part));
                }
                inside.extend(built.docs);
            }
            Piece::Punct(start, end) if text.get(start..end) == Some(",") => {
                let comma = tokens.token(start, end);
                if before_close {
                    trailing_comma = true;
                    inside.push(Doc::IfBroken(Box::new(Doc::Nest(0, comma))));
                } else {
                    inside.extend(comma);
                    inside.push(Doc::Line);
                }
            }
            Piece::Punct(start, end) if text.get(start..end) == Some(")") => {
                close = punct(tokens, start, end);
            }
            other => head = head.then(piece(tokens, other)),
        }
    }
    if !trailing_comma {
        inside.push(Doc::IfBroken(Box::new(Doc::Text(",".to_string()))));
    }
    let mut docs = head.docs;
    docs.push(Doc::Nest(2, inside));
    docs.push(Doc::SoftLine);
    docs.extend(close.docs);
    group(
        tokens,
        first_token,
        Built::edges(docs, head.first, Edge::Close),
    )
}
