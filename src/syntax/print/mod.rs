//! `refract fmt`: a definition in its one canonical layout, comments kept.
//!
//! The layout: the header's metadata indented two spaces, values in one column; one empty
//! line between items; a part's body after its `=`, on the next line (indented two) when
//! the part does not fit on one; a criterion's `source` and `= body` on lines of their own,
//! indented two. Inside expressions (see `expr.rs`) a group of line breaks is taken when it
//! does not fit in [`WIDTH`] columns, or when a comment inside it ends a line. Where the
//! author wrapped lines does not count: one definition has one layout however it was
//! written, and a second run changes nothing. Tokens are printed as written; only the
//! space between them changes.

mod comments;
mod doc;
mod expr;

use std::sync::Arc;

use pest::iterators::Pair;
use pest::Parser as _;

use crate::ast::Definition;
use crate::diagnostics::{Diagnostics, Problem};
use crate::source::{SourceFile, Span};
use comments::Tokens;
use doc::Doc;
use expr::{node, piece, pieces, Built, Piece};

use super::grammar::{CriteriaParser, Rule};

pub use doc::WIDTH;

/// The text of `source` in the canonical layout. A file that does not parse is refused
/// with its diagnostics; the result is checked to read back as the same definition with
/// the same comments before it is returned.
pub fn format(source: &Arc<SourceFile>) -> Result<String, Diagnostics> {
    let before = super::parse(source)?;
    let text = &source.text;
    let formatted = stacker::grow(super::STACK_BYTES, || layout(text))
        .ok_or_else(|| internal(source, "the parser did not return the file it had read"))?;
    let reread = SourceFile::new(source.name.clone(), formatted.as_str());
    let same = super::parse(&reread).is_ok_and(|after| shape(&after) == shape(&before))
        && comment_texts(text) == comment_texts(&formatted);
    if !same {
        return Err(internal(
            source,
            "the formatted text would not read back the same",
        ));
    }
    Ok(formatted)
}

/// What a definition says, without where it says it: its Debug rendering without the
/// source and with every span left out. Two texts of the same definition, however laid out,
/// have the same shape (the AST's own equality compares a window's span).
pub fn shape(definition: &Definition) -> String {
    let rendered = format!(
        "{:?}",
        (
            &definition.id.node,
            &definition.title,
            &definition.society,
            &definition.year,
            &definition.citation,
            &definition.outcome,
            &definition.items,
        )
    );
    let mut out = String::with_capacity(rendered.len());
    let mut rest = rendered.as_str();
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at..).unwrap_or("");
        let close = after.find('}').map_or(after.len(), |end| end + 1);
        out.push_str("Span");
        rest = after.get(close..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The texts of a file's comments, in order (without trailing spaces).
pub fn comment_texts(text: &str) -> Vec<String> {
    super::limits::comments(text)
        .into_iter()
        .map(|(start, end)| text.get(start..end).unwrap_or("").trim_end().to_string())
        .collect()
}

fn internal(source: &Arc<SourceFile>, what: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new(source.clone());
    diagnostics.problems.push(
        Problem::error(
            "refract::fmt::internal",
            format!("refract cannot format this file: {what}"),
            Span::new(0, 0),
            "this file",
        )
        .with_help("the file is left as it is; please report it with the file attached"),
    );
    diagnostics
}

/// The layout of a text that parses.
fn layout(text: &str) -> Option<String> {
    let file = CriteriaParser::parse(Rule::file, text).ok()?.next()?;
    let mut tokens = Tokens::new(text);
    let mut docs = Vec::new();
    for child in file.into_inner() {
        match child.as_rule() {
            Rule::header => docs.extend(header(&mut tokens, child)),
            Rule::part => {
                docs.push(Doc::BlankLine);
                docs.extend(part(&mut tokens, child));
            }
            Rule::criterion => {
                docs.push(Doc::BlankLine);
                docs.extend(criterion(&mut tokens, child));
            }
            Rule::met_when => {
                docs.push(Doc::BlankLine);
                docs.extend(met_when(&mut tokens, child));
            }
            _ => {}
        }
    }
    if let Some(rest) = tokens.rest() {
        docs.push(Doc::HardLine);
        docs.push(rest);
    }
    Some(doc::render(&Doc::Nest(0, docs)))
}

fn leaf(tokens: &mut Tokens<'_>, pair: &Pair<'_, Rule>) -> Vec<Doc> {
    let span = pair.as_span();
    tokens.token(span.start(), span.end())
}

/// `definition ID`, then each metadata line indented, its value in the column after
/// `citation`.
fn header(tokens: &mut Tokens<'_>, pair: Pair<'_, Rule>) -> Vec<Doc> {
    let mut docs = Vec::new();
    let mut meta = Vec::new();
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::kw_definition => docs.extend(leaf(tokens, &child)),
            Rule::definition_id => {
                docs.push(Doc::Space);
                docs.extend(leaf(tokens, &child));
            }
            _ => {
                meta.push(Doc::HardLine);
                let mut parts = child.into_inner();
                if let Some(keyword) = parts.next() {
                    let pad = "citation ".len().saturating_sub(keyword.as_str().len());
                    meta.extend(leaf(tokens, &keyword));
                    meta.push(Doc::Text(" ".repeat(pad.max(1))));
                }
                for value in parts {
                    meta.extend(leaf(tokens, &value));
                }
            }
        }
    }
    docs.push(Doc::Nest(2, meta));
    docs
}

/// `part NAME(PARAMS) "description" = body`: on one line if it fits (and holds no
/// comment), else the body on the next line; a `score (` stays after the `=`.
fn part(tokens: &mut Tokens<'_>, pair: Pair<'_, Rule>) -> Vec<Doc> {
    let first_token = tokens.spans.len();
    let mut head = Built::empty();
    let mut body = Vec::new();
    let mut scored = false;
    for next in pieces(&pair, tokens.text()) {
        match next {
            Piece::Rule(expr) if expr.as_rule() == Rule::expr => {
                scored = is_score(&expr);
                body = node(tokens, expr).docs;
            }
            other => head = head.then(piece(tokens, other)),
        }
    }
    let mut docs = head.docs;
    if scored {
        docs.push(Doc::Space);
        docs.extend(body);
        return docs;
    }
    let broken = tokens.broken_since(first_token);
    docs.push(Doc::Nest(
        2,
        std::iter::once(Doc::Line).chain(body).collect(),
    ));
    vec![Doc::Group { docs, broken }]
}

/// Whether a part's body is one `score (...)` and nothing else.
fn is_score(expr: &Pair<'_, Rule>) -> bool {
    let mut pair = expr.clone();
    loop {
        let mut children = pair.clone().into_inner();
        let (Some(only), None) = (children.next(), children.next()) else {
            return false;
        };
        if only.as_rule() == Rule::score {
            return true;
        }
        pair = only;
    }
}

/// `criterion NAME`, then `source "..."` and `= body` on lines of their own.
fn criterion(tokens: &mut Tokens<'_>, pair: Pair<'_, Rule>) -> Vec<Doc> {
    let mut head = Built::empty();
    let mut docs = Vec::new();
    for next in pieces(&pair, tokens.text()) {
        match next {
            Piece::Rule(source) if source.as_rule() == Rule::source => {
                let source = node(tokens, source).docs;
                docs.push(Doc::Nest(
                    2,
                    std::iter::once(Doc::HardLine).chain(source).collect(),
                ));
            }
            Piece::Rule(expr) if expr.as_rule() == Rule::expr => {
                let body = Doc::Nest(2, node(tokens, expr).docs);
                docs.push(Doc::Nest(2, vec![Doc::Space, body]));
            }
            Piece::Punct(start, end) => {
                let equals = tokens.token(start, end);
                docs.push(Doc::Nest(
                    2,
                    std::iter::once(Doc::HardLine).chain(equals).collect(),
                ));
            }
            other => head = head.then(piece(tokens, other)),
        }
    }
    head.docs.extend(docs);
    head.docs
}

/// `met when body`, a broken body indented two.
fn met_when(tokens: &mut Tokens<'_>, pair: Pair<'_, Rule>) -> Vec<Doc> {
    let mut head = Built::empty();
    let mut body = Vec::new();
    for next in pieces(&pair, tokens.text()) {
        match next {
            Piece::Rule(expr) if expr.as_rule() == Rule::expr => body = node(tokens, expr).docs,
            other => head = head.then(piece(tokens, other)),
        }
    }
    head.docs.push(Doc::Space);
    head.docs.push(Doc::Nest(2, body));
    head.docs
}
