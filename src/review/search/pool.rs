//! What both definitions talk about, gathered from their checked forms: the event kinds
//! and attributes they read, every numeric constant and the values just either side,
//! every window's length in days and the days either side, session counts around every
//! count, and every text value. The generator draws from these, so boundaries are hit.

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{Duration, Quantifier, Unit, WindowKind};
use crate::check::ir::{Const, Node, NodeKind};
use crate::check::Checked;
use crate::number::Decimal;
use crate::vocabulary::{AttrType, Vocabulary};

/// An attribute to fill in, on the kinds that carry it.
#[derive(Debug, Clone)]
pub(super) struct Attr {
    pub(super) name: String,
    pub(super) kinds: Vec<String>,
    pub(super) ty: Option<AttrType>,
    /// Values the definitions compare it with (and either side).
    pub(super) numbers: Vec<Decimal>,
    pub(super) texts: Vec<String>,
}

/// Everything drawn from.
#[derive(Debug, Clone, Default)]
pub(super) struct Pool {
    /// Kinds other than `tace` that the definitions select.
    pub(super) kinds: Vec<String>,
    pub(super) attrs: Vec<Attr>,
    /// Every numeric constant and its neighbours.
    pub(super) numbers: Vec<Decimal>,
    /// Every text constant.
    pub(super) texts: Vec<String>,
    /// Day offsets: window lengths and a day either side.
    pub(super) offsets: Vec<i64>,
    /// Session counts around every count.
    pub(super) counts: Vec<i64>,
}

#[derive(Default)]
struct Gather {
    kinds: BTreeSet<String>,
    attrs: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
    numbers: BTreeSet<String>,
    texts: BTreeSet<String>,
    offsets: BTreeSet<i64>,
    counts: BTreeSet<i64>,
}

fn days(d: &Duration) -> Vec<i64> {
    let n = i64::from(d.amount);
    match d.unit {
        Unit::Days => vec![n],
        Unit::Weeks => vec![7 * n],
        // Calendar months are 28 to 31 days long: every length n months can be.
        Unit::Months => vec![28 * n, 30 * n, 31 * n, 30 * n + n / 2],
    }
}

fn neighbours(n: Decimal) -> Vec<Decimal> {
    let mut out = vec![n];
    for step in ["1", "0.1", "0.01"] {
        if let Some(step) = Decimal::parse(step) {
            out.extend(n.checked_add(step));
            out.extend(n.checked_sub(step));
        }
    }
    out
}

impl Gather {
    fn number(&mut self, n: Decimal, attr: Option<&str>) {
        for v in neighbours(n) {
            self.numbers.insert(v.to_string());
            if let Some(attr) = attr {
                self.attrs
                    .entry(attr.to_owned())
                    .or_default()
                    .0
                    .insert(v.to_string());
            }
        }
    }

    fn constant(&mut self, c: &Const, attr: Option<&str>) {
        match c {
            Const::Number(n) => self.number(*n, attr),
            Const::Text(t) => {
                self.texts.insert(t.to_string());
                if let Some(attr) = attr {
                    self.attrs
                        .entry(attr.to_owned())
                        .or_default()
                        .1
                        .insert(t.to_string());
                }
            }
            Const::List(items) => items.iter().for_each(|i| self.constant(i, attr)),
            Const::Bool(_) | Const::Object(_) => {}
        }
    }

    fn count(&mut self, n: i64) {
        for c in [n - 1, n, n + 1] {
            if c >= 0 {
                self.counts.insert(c);
            }
        }
    }

    fn window(&mut self, kind: &WindowKind) {
        let mut lengths = Vec::new();
        match kind {
            WindowKind::FromTo(a, b) => {
                lengths.extend(days(a));
                lengths.extend(days(b));
            }
            WindowKind::WithinBefore(d) | WindowKind::WithinAfter(d) => lengths.extend(days(d)),
            WindowKind::Distance { span, .. } => lengths.extend(days(span)),
            _ => {}
        }
        for n in lengths {
            for d in [n - 1, n, n + 1] {
                self.offsets.insert(d);
            }
        }
    }

    fn node(&mut self, node: &Node) {
        use NodeKind as K;
        match &node.kind {
            K::Kind(k) => {
                self.kinds.insert(k.clone());
            }
            K::Attribute(name, _) => {
                self.attrs.entry(name.clone()).or_default();
            }
            K::Compare(a, _, b)
            | K::Same {
                left: a, right: b, ..
            } => {
                for (x, y) in [(a, b), (b, a)] {
                    if let (K::Attribute(name, _), K::Const(c)) = (&x.kind, &y.kind) {
                        self.constant(c, Some(name));
                    }
                    if let (K::SessionOrdinal(_), K::Const(Const::Number(n))) = (&x.kind, &y.kind) {
                        if let Some(n) = n.to_i64() {
                            self.count(n);
                        }
                    }
                }
            }
            K::In { value, list, .. } => {
                let attr = match &value.kind {
                    K::Attribute(name, _) => Some(name.clone()),
                    _ => None,
                };
                for item in list {
                    if let K::Const(c) = &item.kind {
                        self.constant(c, attr.as_deref());
                    }
                }
            }
            K::Change { percent, .. } => {
                // A change of p % from 100 (and either side), and 100 itself.
                let hundred = Decimal::from_i64(100);
                self.number(hundred, None);
                if let (Some(up), Some(down)) =
                    (hundred.checked_add(*percent), hundred.checked_sub(*percent))
                {
                    self.number(up, None);
                    self.number(down, None);
                }
            }
            K::Quantified {
                quantifier: Quantifier::AtLeast(n) | Quantifier::AtMost(n),
                ..
            }
            | K::Consecutive {
                quantifier: Quantifier::AtLeast(n) | Quantifier::AtMost(n),
                ..
            } => {
                self.count(i64::from(*n));
            }
            K::Run { length, .. } => self.count(i64::from(*length)),
            K::SessionNumber(n) => self.count(i64::from(*n)),
            K::Select { windows, .. } => {
                for window in windows {
                    self.window(&window.kind);
                }
            }
            K::Occurs(_, window) => self.window(&window.kind),
            K::EachValue { values, .. } => values.iter().for_each(|v| self.constant(v, None)),
            K::Const(c) => self.constant(c, None),
            _ => {}
        }
        node.kind.for_each_child(|child| self.node(child));
    }

    fn definition(&mut self, checked: &Checked) {
        self.node(&checked.met_when);
        for part in &checked.parts {
            self.node(&part.body);
        }
        for criterion in &checked.criteria {
            self.node(&criterion.body);
        }
        for read in &checked.reads {
            self.attrs.entry(read.clone()).or_default();
        }
    }
}

/// The pool of both definitions.
pub(super) fn gather(a: &Checked, b: &Checked, vocabulary: &Vocabulary) -> Pool {
    let mut g = Gather::default();
    g.definition(a);
    g.definition(b);
    g.offsets.extend([0, 1, 7, 14, 30, 60, 90]);
    g.counts.extend([1, 2, 3]);
    let mut kinds: Vec<String> = g.kinds.iter().filter(|k| *k != "tace").cloned().collect();
    let parse = |set: &BTreeSet<String>| {
        set.iter()
            .filter_map(|s| Decimal::parse(s))
            .collect::<Vec<_>>()
    };
    let mut attrs = Vec::new();
    for (name, (numbers, texts)) in &g.attrs {
        if name == "number" {
            continue;
        }
        let specs: Vec<_> = vocabulary.attributes().filter(|s| s.name == name).collect();
        let mut on: Vec<String> = specs.iter().map(|s| s.kind.to_owned()).collect();
        if on.is_empty() {
            // Outside the vocabulary: on every kind the definitions select.
            on = kinds.clone();
            on.push("tace".to_owned());
        }
        for kind in &on {
            if kind != "tace" && !kinds.contains(kind) {
                kinds.push(kind.clone());
            }
        }
        let mut texts: Vec<String> = texts.iter().cloned().collect();
        if let Some(listed) = vocabulary.listed_values(name) {
            texts.extend(listed.iter().map(|s| (*s).to_owned()));
        }
        attrs.push(Attr {
            name: name.clone(),
            kinds: on,
            ty: specs.first().map(|s| s.ty),
            numbers: parse(numbers),
            texts,
        });
    }
    Pool {
        kinds,
        attrs,
        numbers: parse(&g.numbers),
        texts: g.texts.into_iter().collect(),
        offsets: g.offsets.into_iter().collect(),
        counts: g.counts.into_iter().filter(|c| *c <= 12).collect(),
    }
}
