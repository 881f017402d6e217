//! The parallel walk of two expressions: each difference said at the smallest node
//! that differs, names compared through the renames found.

use super::{Files, Renames};
use crate::ast::{Expr, ExprKind, Literal, Window};
use crate::review::Change;
use crate::source::{Span, Spanned};

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
pub(super) fn expr(
    files: &Files,
    place: &str,
    a: &Expr,
    b: &Expr,
    renames: &Renames,
    out: &mut Vec<Change>,
) {
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
