//! The walk over a definition's AST that resolves its names, with the scopes of the
//! names it binds and the kinds of the events examined.

use std::collections::HashMap;

use super::{Bound, Context, Index, Meaning, Occurrence};
use crate::ast::{Definition, Expr, ExprKind, Literal};
use crate::source::{Span, Spanned};
use crate::vocabulary::Vocabulary;

/// How deep the walk follows an expression: the parser's limits keep real trees far
/// shallower ([`crate::syntax::MAX_DEPTH`] levels); past this the rest is not indexed.
const MAX_WALK: usize = 4 * crate::syntax::MAX_DEPTH;
/// How many parts deep the kind of a part's events is looked for (the checker refuses
/// chains of more than 32).
const MAX_PART_CHAIN: usize = 40;

pub(super) fn walk_all(
    definition: &Definition,
    vocabulary: &Vocabulary,
    placeholder: Option<&str>,
) -> Index {
    let mut walker = Walker {
        vocabulary,
        text: &definition.source.text,
        parts: definition.parts().collect(),
        part_index: HashMap::new(),
        criterion_index: HashMap::new(),
        scopes: Vec::new(),
        it: Vec::new(),
        index: Index::default(),
        placeholder,
    };
    for (i, part) in walker.parts.iter().enumerate() {
        walker
            .part_index
            .entry(part.name.node.as_str())
            .or_insert(i);
    }
    for (i, criterion) in definition.criteria().enumerate() {
        walker
            .criterion_index
            .entry(criterion.name.node.as_str())
            .or_insert(i);
    }
    walker.index.part_kinds = (walker.parts.iter())
        .map(|part| walker.kind_of(&part.body, 0, false))
        .collect();
    let mut part_number = 0;
    let mut criterion_number = 0;
    for item in &definition.items {
        match item {
            crate::ast::Item::Part(part) => {
                walker.note(part.name.span, Meaning::Part(part_number), true);
                let mark = walker.scopes.len();
                for param in &part.params {
                    let how = format!("a parameter of part `{}`", part.name.node);
                    walker.define(param, None, how);
                }
                // A part's body may read the event examined where it is used: an event
                // of a kind known only there.
                walker.it.push(None);
                walker.expr(&part.body, 0);
                walker.it.pop();
                walker.scopes.truncate(mark);
                part_number += 1;
            }
            crate::ast::Item::Criterion(criterion) => {
                walker.note(
                    criterion.name.span,
                    Meaning::Criterion(criterion_number),
                    true,
                );
                walker.expr(&criterion.body, 0);
                criterion_number += 1;
            }
            crate::ast::Item::MetWhen(expr) => walker.expr(expr, 0),
        }
    }
    walker.index
}

struct Walker<'a> {
    vocabulary: &'a Vocabulary,
    text: &'a str,
    parts: Vec<&'a crate::ast::Part>,
    part_index: HashMap<&'a str, usize>,
    criterion_index: HashMap<&'a str, usize>,
    /// Names in scope, innermost last, each with its place in `index.bound`.
    scopes: Vec<(String, usize)>,
    /// The kind of each event examined, innermost last (`None`: not known here).
    it: Vec<Option<&'static str>>,
    index: Index,
    placeholder: Option<&'a str>,
}

impl<'a> Walker<'a> {
    fn note(&mut self, span: Span, meaning: Meaning, declaration: bool) {
        self.index.occurrences.push(Occurrence {
            span,
            meaning,
            declaration,
        });
    }

    /// Bind a name, noting its declaration; returns its place in `index.bound`.
    fn define(
        &mut self,
        name: &Spanned<String>,
        kind: Option<&'static str>,
        bound_by: String,
    ) -> usize {
        let at = self.index.bound.len();
        self.index.bound.push(Bound {
            name: name.node.clone(),
            span: name.span,
            kind,
            bound_by,
        });
        self.note(name.span, Meaning::Bound(at), true);
        self.scopes.push((name.node.clone(), at));
        at
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        self.scopes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, at)| *at)
    }

    fn is_placeholder(&self, name: &str) -> bool {
        self.placeholder == Some(name)
    }

    fn expect(&mut self, context: Context) {
        if self.index.context.is_none() {
            let names = self.scopes.iter().map(|(_, at)| *at).collect();
            self.index.context = Some((context, names));
        }
    }

    /// The kind of events an expression stands for, when it is one kind of the
    /// vocabulary (the checker's `kind_of`, on the AST).
    fn kind_of(&self, expr: &Expr, chain: usize, scoped: bool) -> Option<&'static str> {
        if chain > MAX_PART_CHAIN {
            return None;
        }
        let tace = || self.vocabulary.known_kind("tace");
        match &expr.kind {
            ExprKind::Name(name) => {
                if scoped {
                    if let Some(at) = self.lookup(name) {
                        return self.index.bound.get(at).and_then(|b| b.kind);
                    }
                }
                if let Some(&part) = self.part_index.get(name.as_str()) {
                    let body = &self.parts.get(part)?.body;
                    return self.kind_of(body, chain + 1, false);
                }
                self.vocabulary.known_kind(name)
            }
            ExprKind::Call(name, _) => {
                let part = *self.part_index.get(name.node.as_str())?;
                self.kind_of(&self.parts.get(part)?.body, chain + 1, false)
            }
            ExprKind::Sessions
            | ExprKind::SessionNumber(_)
            | ExprKind::NextSession(_)
            | ExprKind::PreviousSession(_) => tace(),
            ExprKind::Latest(set) | ExprKind::Earliest(set) | ExprKind::Extreme(_, _, set) => {
                self.kind_of(set, chain, scoped)
            }
            ExprKind::Select { head, .. } => self.kind_of(head, chain, scoped),
            _ => None,
        }
    }

    /// The attribute a value expression reads, when it is one.
    fn attribute_read(&self, value: &Expr) -> Option<String> {
        match &value.kind {
            ExprKind::AttributeOf(name, _) => Some(name.node.clone()),
            ExprKind::Name(name)
                if self.lookup(name).is_none() && !self.part_index.contains_key(name.as_str()) =>
            {
                Some(name.clone())
            }
            _ => None,
        }
    }

    /// A name where a condition or value is expected.
    fn name(&mut self, name: &str, span: Span) {
        if self.is_placeholder(name) {
            let examined = self.it.last().copied();
            self.expect(Context::Condition { examined });
            return;
        }
        if let Some(at) = self.lookup(name) {
            return self.note(span, Meaning::Bound(at), false);
        }
        if let Some(&part) = self.part_index.get(name) {
            return self.note(span, Meaning::Part(part), false);
        }
        let is_attribute = self.vocabulary.attribute(None, name).is_some();
        if let Some(&criterion) = self.criterion_index.get(name) {
            // Where an event is examined, an attribute's name is the attribute.
            if !is_attribute || self.it.is_empty() {
                return self.note(span, Meaning::Criterion(criterion), false);
            }
        }
        if name == "number" && !self.it.is_empty() {
            return self.note(span, Meaning::Ordinal, false);
        }
        if let Some(kind) = self.vocabulary.known_kind(name) {
            return self.note(span, Meaning::Kind(kind), false);
        }
        if is_attribute {
            let kind = self.it.last().copied().flatten();
            let name = name.to_string();
            self.note(span, Meaning::Attribute { name, kind }, false);
        }
    }

    /// An expression where events are expected.
    fn events(&mut self, expr: &Expr, depth: usize) {
        match &expr.kind {
            ExprKind::Name(name) if self.is_placeholder(name) => self.expect(Context::Events),
            ExprKind::Sessions => {
                if let Some(tace) = self.vocabulary.known_kind("tace") {
                    self.note(expr.span, Meaning::Kind(tace), false);
                }
            }
            _ => self.expr(expr, depth),
        }
    }

    /// A selection; the binder it names stays in scope (for a quantifier's body) until
    /// the caller truncates the scopes.
    fn selection(&mut self, expr: &Expr, depth: usize) {
        let ExprKind::Select {
            head,
            binder,
            windows,
            filter,
            ..
        } = &expr.kind
        else {
            return self.events(expr, depth);
        };
        self.events(head, depth + 1);
        for window in windows {
            self.expr(&window.anchor, depth + 1);
        }
        let kind = self.kind_of(head, 0, true);
        if let Some(binder) = binder {
            let how = format!("`{}`", self.short(expr));
            self.define(binder, kind, how);
        }
        if let Some(filter) = filter {
            self.it.push(kind);
            self.expr(filter, depth + 1);
            self.it.pop();
        }
    }

    /// A literal compared with the attribute `value` reads.
    fn compared(&mut self, value: &Expr, literal: &Spanned<Literal>) {
        let Literal::Word(word) = &literal.node else {
            return;
        };
        if let Some(at) = self.lookup(word) {
            return self.note(literal.span, Meaning::Bound(at), false);
        }
        let attribute = self.attribute_read(value);
        if self.is_placeholder(word) {
            if let Some(attribute) = attribute {
                self.expect(Context::Value(attribute));
            }
            return;
        }
        if let Some(attribute) = attribute {
            let value = word.clone();
            self.note(literal.span, Meaning::Value { attribute, value }, false);
        }
    }

    /// An attribute named before `of` or after `lowest`/`highest`.
    fn attribute(&mut self, name: &Spanned<String>, kind: Option<&'static str>) {
        if self.is_placeholder(&name.node) {
            return self.expect(Context::Attribute(kind));
        }
        if name.node == "value" && self.vocabulary.attribute(None, "value").is_none() {
            return;
        }
        let meaning = Meaning::Attribute {
            name: name.node.clone(),
            kind,
        };
        self.note(name.span, meaning, false);
    }

    fn expr(&mut self, expr: &Expr, depth: usize) {
        if depth > MAX_WALK {
            return;
        }
        let next = depth + 1;
        match &expr.kind {
            ExprKind::Name(name) => self.name(name, expr.span),
            ExprKind::Quantified {
                selection, body, ..
            } => {
                let mark = self.scopes.len();
                self.selection(selection, next);
                if let Some((_, body)) = body {
                    let kind = self.kind_of(selection, 0, true);
                    self.it.push(kind);
                    self.expr(body, next);
                    self.it.pop();
                }
                self.scopes.truncate(mark);
            }
            ExprKind::Select { .. } => {
                let mark = self.scopes.len();
                self.selection(expr, next);
                self.scopes.truncate(mark);
            }
            ExprKind::Consecutive {
                first,
                second,
                body,
                ..
            } => {
                let mark = self.scopes.len();
                let tace = self.vocabulary.known_kind("tace");
                let how = format!("`consecutive sessions {}, {}`", first.node, second.node);
                self.define(first, tace, how.clone());
                self.define(second, tace, how);
                self.expr(body, next);
                self.scopes.truncate(mark);
            }
            ExprKind::Run { name, body, .. } => {
                let mark = self.scopes.len();
                let tace = self.vocabulary.known_kind("tace");
                self.define(name, tace, format!("`consecutive sessions {}`", name.node));
                self.expr(body, next);
                self.scopes.truncate(mark);
            }
            ExprKind::EachValue {
                name, values, body, ..
            } => {
                let mark = self.scopes.len();
                let listed: Vec<String> = values.iter().map(|v| literal_text(&v.node)).collect();
                let how = format!("each value of [{}]", listed.join(", "));
                self.define(name, None, how);
                self.expr(body, next);
                self.scopes.truncate(mark);
            }
            ExprKind::Shows(subject, condition) => {
                self.events(subject, next);
                let kind = self.kind_of(subject, 0, true);
                self.it.push(kind);
                self.expr(condition, next);
                self.it.pop();
            }
            ExprKind::Occurs(event, window) => {
                self.events(event, next);
                self.expr(&window.anchor, next);
            }
            ExprKind::Is { value, literal, .. } => {
                self.expr(value, next);
                self.compared(value, literal);
            }
            ExprKind::In { value, list, .. } => {
                self.expr(value, next);
                for literal in list {
                    self.compared(value, literal);
                }
            }
            ExprKind::AttributeOf(name, of) => {
                self.events(of, next);
                let kind = self.kind_of(of, 0, true);
                self.attribute(name, kind);
            }
            ExprKind::Extreme(_, name, set) => {
                let mark = self.scopes.len();
                self.selection(set, next);
                self.scopes.truncate(mark);
                let kind = self.kind_of(set, 0, true);
                self.attribute(name, kind);
            }
            ExprKind::Latest(set) | ExprKind::Earliest(set) => {
                let mark = self.scopes.len();
                self.selection(set, next);
                self.scopes.truncate(mark);
            }
            ExprKind::Call(name, args) => {
                if let Some(&part) = self.part_index.get(name.node.as_str()) {
                    self.note(name.span, Meaning::Part(part), false);
                }
                for arg in args {
                    self.events(arg, next);
                }
            }
            ExprKind::Sessions => self.events(expr, next),
            _ => expr.kind.for_each_child(|child| self.expr(child, next)),
        }
    }

    /// The text of an expression on one line, shortened, for hovers.
    fn short(&self, expr: &Expr) -> String {
        let text = self.text.get(expr.span.start..expr.span.end).unwrap_or("");
        let words: Vec<&str> = text.split_whitespace().collect();
        let line = words.join(" ");
        if line.chars().count() > 60 {
            line.chars().take(57).collect::<String>() + "..."
        } else {
            line
        }
    }
}

/// A literal as written.
fn literal_text(literal: &Literal) -> String {
    match literal {
        Literal::Number(n) => n.to_string(),
        Literal::Text(t) => format!("{t:?}"),
        Literal::Word(w) => w.clone(),
    }
}
