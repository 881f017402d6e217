//! Part A of a review: what changed, in the file's words. Both syntax trees are walked
//! in parallel and each difference is said at the smallest node that differs (a
//! threshold, an operator, a window), quoting both versions with their lines.

use std::collections::HashMap;

use super::{Change, Quote};
use crate::ast::{Definition, Expr, ExprKind, Item, Literal, Window};
use crate::source::{SourceFile, Span, Spanned};

/// Old name → new name: renamed parts, criteria, parameters and bound names.
type Renames = HashMap<String, String>;

/// Both files, for quoting.
struct Files<'a> {
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
    fn quote_old(&self, span: Span) -> Quote {
        Quote::of(self.old, span)
    }
    fn quote_new(&self, span: Span) -> Quote {
        Quote::of(self.new, span)
    }
}

fn name_eq(a: &str, b: &str, renames: &Renames) -> bool {
    a == b || renames.get(a).is_some_and(|r| r == b)
}

/// Push one change of `what` between the two nodes at `a` and `b`.
fn push(files: &Files, place: &str, what: &str, a: Span, b: Span, out: &mut Vec<Change>) {
    out.push(Change::new(
        what,
        place,
        Some(files.quote_old(a)),
        Some(files.quote_new(b)),
    ));
}

fn literals_eq(a: &[Spanned<Literal>], b: &[Spanned<Literal>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.node == y.node)
}

fn literal_word(l: &Literal) -> String {
    match l {
        Literal::Number(n) => n.to_string(),
        Literal::Text(t) => format!("\"{t}\""),
        Literal::Word(w) => w.clone(),
    }
}

/// What was added to and removed from a list, in words.
fn list_note(a: &[Spanned<Literal>], b: &[Spanned<Literal>]) -> Option<String> {
    let added: Vec<String> = b
        .iter()
        .filter(|x| !a.iter().any(|y| y.node == x.node))
        .map(|x| literal_word(&x.node))
        .collect();
    let removed: Vec<String> = a
        .iter()
        .filter(|x| !b.iter().any(|y| y.node == x.node))
        .map(|x| literal_word(&x.node))
        .collect();
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("added {}", added.join(", ")));
    }
    if !removed.is_empty() {
        parts.push(format!("removed {}", removed.join(", ")));
    }
    if parts.is_empty() {
        parts.push("reordered".to_owned());
    }
    Some(parts.join("; "))
}

fn list_span(list: &[Spanned<Literal>], whole: Span) -> Span {
    list.iter()
        .map(|l| l.span)
        .reduce(Span::join)
        .unwrap_or(whole)
}

fn bind(a: &Spanned<String>, b: &Spanned<String>, renames: &Renames) -> Renames {
    let mut local = renames.clone();
    if a.node != b.node {
        local.insert(a.node.clone(), b.node.clone());
    }
    local
}

/// Compare two expressions, pushing the smallest changes.
fn expr(files: &Files, place: &str, a: &Expr, b: &Expr, renames: &Renames, out: &mut Vec<Change>) {
    use ExprKind as K;
    let sub =
        |x: &Expr, y: &Expr, r: &Renames, out: &mut Vec<Change>| expr(files, place, x, y, r, out);
    match (&a.kind, &b.kind) {
        (K::Not(x), K::Not(y))
        | (K::Latest(x), K::Latest(y))
        | (K::Earliest(x), K::Earliest(y))
        | (K::NextSession(x), K::NextSession(y))
        | (K::PreviousSession(x), K::PreviousSession(y))
        | (K::Log10(x), K::Log10(y)) => sub(x, y, renames, out),
        (K::And(x1, x2), K::And(y1, y2))
        | (K::Or(x1, x2), K::Or(y1, y2))
        | (K::Else(x1, x2), K::Else(y1, y2))
        | (K::Shows(x1, x2), K::Shows(y1, y2))
        | (K::SameAs(x1, x2), K::SameAs(y1, y2))
        | (K::Differs(x1, x2), K::Differs(y1, y2)) => {
            sub(x1, y1, renames, out);
            sub(x2, y2, renames, out);
        }
        (K::Arith(o1, x1, x2), K::Arith(o2, y1, y2)) => {
            if o1 != o2 {
                push(files, place, "operator", a.span, b.span, out);
            }
            sub(x1, y1, renames, out);
            sub(x2, y2, renames, out);
        }
        (K::Compare(x1, o1, x2), K::Compare(y1, o2, y2)) => {
            if o1 != o2 {
                push(files, place, "operator", a.span, b.span, out);
            }
            sub(x1, y1, renames, out);
            sub(x2, y2, renames, out);
        }
        (
            K::Quantified {
                quantifier: q1,
                selection: s1,
                body: b1,
            },
            K::Quantified {
                quantifier: q2,
                selection: s2,
                body: b2,
            },
        ) => {
            if q1 != q2 {
                push(files, place, "quantifier", a.span, b.span, out);
            }
            sub(s1, s2, renames, out);
            match (b1, b2) {
                (Some((_, x)), Some((_, y))) => sub(x, y, renames, out),
                (None, None) => {}
                _ => push(files, place, "condition", a.span, b.span, out),
            }
        }
        (
            K::Consecutive {
                quantifier: q1,
                first: f1,
                second: g1,
                body: b1,
            },
            K::Consecutive {
                quantifier: q2,
                first: f2,
                second: g2,
                body: b2,
            },
        ) => {
            if q1 != q2 {
                push(files, place, "quantifier", a.span, b.span, out);
            }
            let local = bind(g1, g2, &bind(f1, f2, renames));
            sub(b1, b2, &local, out);
        }
        (
            K::Run {
                length: l1,
                name: n1,
                body: b1,
            },
            K::Run {
                length: l2,
                name: n2,
                body: b2,
            },
        ) => {
            if l1.node != l2.node {
                push(files, place, "session count", l1.span, l2.span, out);
            }
            sub(b1, b2, &bind(n1, n2, renames), out);
        }
        (
            K::EachValue {
                quantifier: q1,
                name: n1,
                values: v1,
                body: b1,
            },
            K::EachValue {
                quantifier: q2,
                name: n2,
                values: v2,
                body: b2,
            },
        ) => {
            if q1 != q2 {
                push(files, place, "quantifier", a.span, b.span, out);
            }
            if !literals_eq(v1, v2) {
                let mut change = Change::new(
                    "value list",
                    place,
                    Some(files.quote_old(list_span(v1, a.span))),
                    Some(files.quote_new(list_span(v2, b.span))),
                );
                change.note = list_note(v1, v2);
                out.push(change);
            }
            sub(b1, b2, &bind(n1, n2, renames), out);
        }
        (K::Occurs(x, w1), K::Occurs(y, w2)) => {
            sub(x, y, renames, out);
            window(files, place, w1, w2, renames, out);
        }
        (
            K::Is {
                value: x,
                negated: n1,
                literal: l1,
            },
            K::Is {
                value: y,
                negated: n2,
                literal: l2,
            },
        ) => {
            sub(x, y, renames, out);
            if n1 != n2 {
                push(files, place, "operator", a.span, b.span, out);
            }
            if l1.node != l2.node {
                push(files, place, "value", l1.span, l2.span, out);
            }
        }
        (
            K::In {
                value: x,
                negated: n1,
                list: l1,
            },
            K::In {
                value: y,
                negated: n2,
                list: l2,
            },
        ) => {
            sub(x, y, renames, out);
            if n1 != n2 {
                push(files, place, "operator", a.span, b.span, out);
            }
            if !literals_eq(l1, l2) {
                let mut change = Change::new(
                    "value list",
                    place,
                    Some(files.quote_old(list_span(l1, a.span))),
                    Some(files.quote_new(list_span(l2, b.span))),
                );
                change.note = list_note(l1, l2);
                out.push(change);
            }
        }
        (K::List(l1), K::List(l2)) => {
            if !literals_eq(l1, l2) {
                let mut change = Change::new(
                    "value list",
                    place,
                    Some(files.quote_old(a.span)),
                    Some(files.quote_new(b.span)),
                );
                change.note = list_note(l1, l2);
                out.push(change);
            }
        }
        (
            K::Change {
                value: x1,
                direction: d1,
                bound: o1,
                percent: p1,
                reference: x2,
            },
            K::Change {
                value: y1,
                direction: d2,
                bound: o2,
                percent: p2,
                reference: y2,
            },
        ) => {
            sub(x1, y1, renames, out);
            if d1 != d2 || o1 != o2 {
                push(files, place, "operator", a.span, b.span, out);
            }
            if p1.node != p2.node {
                push(files, place, "threshold", p1.span, p2.span, out);
            }
            sub(x2, y2, renames, out);
        }
        (
            K::Rises {
                series: x1,
                reference: x2,
                min_values: m1,
            },
            K::Rises {
                series: y1,
                reference: y2,
                min_values: m2,
            },
        ) => {
            sub(x1, y1, renames, out);
            sub(x2, y2, renames, out);
            if m1.node != m2.node {
                push(files, place, "count", m1.span, m2.span, out);
            }
        }
        (K::AttributeOf(n1, x), K::AttributeOf(n2, y)) => {
            if n1.node != n2.node {
                push(files, place, "attribute", n1.span, n2.span, out);
            }
            sub(x, y, renames, out);
        }
        (K::Extreme(l1, n1, x), K::Extreme(l2, n2, y)) => {
            if l1 != l2 || n1.node != n2.node {
                push(files, place, "extreme", a.span, b.span, out);
            }
            sub(x, y, renames, out);
        }
        (K::Name(x), K::Name(y)) => {
            if !name_eq(x, y, renames) {
                push(files, place, "reference", a.span, b.span, out);
            }
        }
        (K::Call(n1, x), K::Call(n2, y)) => {
            if !name_eq(&n1.node, &n2.node, renames) {
                push(files, place, "reference", n1.span, n2.span, out);
            }
            if x.len() == y.len() {
                for (x, y) in x.iter().zip(y) {
                    sub(x, y, renames, out);
                }
            } else {
                push(files, place, "arguments", a.span, b.span, out);
            }
        }
        (K::Score(x), K::Score(y)) if x.len() == y.len() => {
            for ((p1, c1), (p2, c2)) in x.iter().zip(y) {
                if p1.node != p2.node {
                    push(files, place, "points", p1.span, p2.span, out);
                }
                sub(c1, c2, renames, out);
            }
        }
        (K::Literal(Literal::Number(x)), K::Literal(Literal::Number(y))) => {
            if x != y {
                push(files, place, "threshold", a.span, b.span, out);
            }
        }
        (
            K::Select {
                head: h1,
                binder: n1,
                windows: w1,
                unknown_if_none: u1,
                filter: f1,
            },
            K::Select {
                head: h2,
                binder: n2,
                windows: w2,
                unknown_if_none: u2,
                filter: f2,
            },
        ) => {
            sub(h1, h2, renames, out);
            let local = match (n1, n2) {
                (Some(x), Some(y)) => bind(x, y, renames),
                _ => renames.clone(),
            };
            if w1.len() == w2.len() {
                for (x, y) in w1.iter().zip(w2) {
                    window(files, place, x, y, &local, out);
                }
            } else {
                push(files, place, "windows", a.span, b.span, out);
            }
            if u1 != u2 {
                let what = if *u1 {
                    "`unknown if none` removed"
                } else {
                    "`unknown if none` added"
                };
                push(files, place, what, a.span, b.span, out);
            }
            match (f1, f2) {
                (Some(x), Some(y)) => sub(x, y, &local, out),
                (None, None) => {}
                _ => push(files, place, "filter", a.span, b.span, out),
            }
        }
        // `and` for `or` and the like: the connective changed, its sides may not have.
        (
            K::And(x1, x2) | K::Or(x1, x2) | K::Else(x1, x2),
            K::And(y1, y2) | K::Or(y1, y2) | K::Else(y1, y2),
        ) => {
            push(files, place, "operator", a.span, b.span, out);
            sub(x1, y1, renames, out);
            sub(x2, y2, renames, out);
        }
        _ => {
            if a != b {
                push(files, place, "expression", a.span, b.span, out);
            }
        }
    }
}

fn window(
    files: &Files,
    place: &str,
    a: &Window,
    b: &Window,
    renames: &Renames,
    out: &mut Vec<Change>,
) {
    if a.kind != b.kind {
        push(files, place, "window", a.span, b.span, out);
    }
    expr(files, place, &a.anchor, &b.anchor, renames, out);
}
