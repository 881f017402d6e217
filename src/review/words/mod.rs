//! Part A of a review: what changed, in the file's words. Both syntax trees are walked
//! in parallel and each difference is said at the smallest node that differs (a
//! threshold, an operator, a window), quoting both versions with their lines.

use std::collections::HashMap;

mod expr;

use expr::expr;

use super::{Change, Quote};
use crate::ast::{Definition, Expr, Item};
use crate::source::{SourceFile, Span, Spanned};

/// Old name → new name: renamed parts, criteria, parameters and bound names.
pub(super) type Renames = HashMap<String, String>;

/// Both files, for quoting.
pub(super) struct Files<'a> {
    old: &'a SourceFile,
    new: &'a SourceFile,
}

/// Every change from `old` to `new`, in the new file's order.
pub(super) fn changes(old: &Definition, new: &Definition) -> Vec<Change> {
    let files = Files {
        old: &old.source,
        new: &new.source,
    };
    let mut out = Vec::new();
    metadata(&files, old, new, &mut out);
    items(&files, old, new, &mut out);
    out
}

fn metadata(files: &Files, old: &Definition, new: &Definition, out: &mut Vec<Change>) {
    let text = |field: &str,
                a: &Option<Spanned<String>>,
                b: &Option<Spanned<String>>,
                out: &mut Vec<Change>| {
        if a.as_ref().map(|s| &s.node) != b.as_ref().map(|s| &s.node) {
            out.push(Change::new(
                field,
                "metadata",
                a.as_ref().map(|s| files.quote_old(s.span)),
                b.as_ref().map(|s| files.quote_new(s.span)),
            ));
        }
    };
    if old.id.node != new.id.node {
        out.push(Change::new(
            "id",
            "metadata",
            Some(files.quote_old(old.id.span)),
            Some(files.quote_new(new.id.span)),
        ));
    }
    text("title", &old.title, &new.title, out);
    text("society", &old.society, &new.society, out);
    if old.year.as_ref().map(|y| y.node) != new.year.as_ref().map(|y| y.node) {
        out.push(Change::new(
            "year",
            "metadata",
            old.year.as_ref().map(|s| files.quote_old(s.span)),
            new.year.as_ref().map(|s| files.quote_new(s.span)),
        ));
    }
    text("citation", &old.citation, &new.citation, out);
    text("outcome", &old.outcome, &new.outcome, out);
}

/// A part or criterion, as the walk sees it.
struct Named<'a> {
    kind: &'static str,
    name: &'a Spanned<String>,
    params: &'a [Spanned<String>],
    words: Option<&'a Spanned<String>>,
    body: &'a Expr,
}

fn named(definition: &Definition) -> Vec<Named<'_>> {
    definition
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Part(p) => Some(Named {
                kind: "part",
                name: &p.name,
                params: &p.params,
                words: p.description.as_ref(),
                body: &p.body,
            }),
            Item::Criterion(c) => Some(Named {
                kind: "criterion",
                name: &c.name,
                params: &[],
                words: c.source.as_ref(),
                body: &c.body,
            }),
            Item::MetWhen(_) => None,
        })
        .collect()
}

fn items(files: &Files, old: &Definition, new: &Definition, out: &mut Vec<Change>) {
    let olds = named(old);
    let news = named(new);
    let find = |list: &[Named], kind: &str, name: &str| {
        list.iter()
            .position(|n| n.kind == kind && n.name.node == name)
    };
    // Pairs by name first, then renames: an unpaired old item whose body equals an
    // unpaired new one's (with the renames found so far).
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (i, o) in olds.iter().enumerate() {
        if let Some(j) = find(&news, o.kind, &o.name.node) {
            pairs.push((i, j));
        }
    }
    let mut renames = Renames::new();
    loop {
        let mut found = false;
        for (i, o) in olds.iter().enumerate() {
            if pairs.iter().any(|&(a, _)| a == i) {
                continue;
            }
            let candidate = news.iter().enumerate().find(|(j, n)| {
                !pairs.iter().any(|&(_, b)| b == *j)
                    && n.kind == o.kind
                    && n.params.len() == o.params.len()
                    && same_body(files, o, n, &renames)
            });
            if let Some((j, n)) = candidate {
                pairs.push((i, j));
                renames.insert(o.name.node.clone(), n.name.node.clone());
                found = true;
            }
        }
        if !found {
            break;
        }
    }

    for (j, n) in news.iter().enumerate() {
        let Some(&(i, _)) = pairs.iter().find(|&&(_, b)| b == j) else {
            out.push(Change::new(
                &format!("{} added", n.kind),
                &format!("{} {}", n.kind, n.name.node),
                None,
                Some(files.quote_new(item_span(n))),
            ));
            continue;
        };
        let Some(o) = olds.get(i) else { continue };
        let place = format!("{} {}", n.kind, n.name.node);
        if o.name.node != n.name.node {
            out.push(Change::new(
                "renamed",
                &place,
                Some(files.quote_old(o.name.span)),
                Some(files.quote_new(n.name.span)),
            ));
        }
        if o.words.map(|w| &w.node) != n.words.map(|w| &w.node) {
            let field = if n.kind == "part" {
                "description"
            } else {
                "source sentence"
            };
            out.push(Change::new(
                field,
                &place,
                o.words.map(|w| files.quote_old(w.span)),
                n.words.map(|w| files.quote_new(w.span)),
            ));
        }
        let mut local = renames.clone();
        bind_params(o.params, n.params, &mut local, files, &place, out);
        expr(files, &place, o.body, n.body, &local, out);
    }
    for (i, o) in olds.iter().enumerate() {
        if !pairs.iter().any(|&(a, _)| a == i) {
            out.push(Change::new(
                &format!("{} removed", o.kind),
                &format!("{} {}", o.kind, o.name.node),
                Some(files.quote_old(item_span(o))),
                None,
            ));
        }
    }
    let old_met: Vec<&Expr> = old.met_when().collect();
    let new_met: Vec<&Expr> = new.met_when().collect();
    if let (Some(a), Some(b)) = (old_met.first(), new_met.first()) {
        expr(files, "met when", a, b, &renames, out);
    }
}

fn bind_params(
    old: &[Spanned<String>],
    new: &[Spanned<String>],
    renames: &mut Renames,
    files: &Files,
    place: &str,
    out: &mut Vec<Change>,
) {
    if old.len() != new.len() {
        let span = |list: &[Spanned<String>]| {
            list.iter()
                .map(|p| p.span)
                .reduce(Span::join)
                .unwrap_or_default()
        };
        out.push(Change::new(
            "parameters",
            place,
            Some(files.quote_old(span(old))),
            Some(files.quote_new(span(new))),
        ));
        return;
    }
    for (a, b) in old.iter().zip(new) {
        if a.node != b.node {
            renames.insert(a.node.clone(), b.node.clone());
        }
    }
}

fn item_span(n: &Named) -> Span {
    n.name.span.join(n.body.span)
}

fn same_body(files: &Files, o: &Named, n: &Named, renames: &Renames) -> bool {
    let mut local = renames.clone();
    let mut scratch = Vec::new();
    bind_params(o.params, n.params, &mut local, files, "", &mut scratch);
    expr(files, "", o.body, n.body, &local, &mut scratch);
    scratch.is_empty()
}

impl Files<'_> {
    pub(super) fn quote_old(&self, span: Span) -> Quote {
        Quote::of(self.old, span)
    }
    pub(super) fn quote_new(&self, span: Span) -> Quote {
        Quote::of(self.new, span)
    }
}
