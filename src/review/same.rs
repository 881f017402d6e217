//! Whether two checked definitions are the same after renaming and reordering: each is
//! written in a canonical form in which parts and criteria are inlined where they are
//! used (so names, order, descriptions and source sentences drop out, and a part inlined
//! by hand reads as the part), slots are numbered by first appearance, and spans are
//! left out. Equal forms mean equal results and onsets on every timeline.

use std::collections::HashMap;
use std::fmt::Write;

use crate::check::ir::{Const, Node, NodeKind, Slot};
use crate::check::Checked;

/// A canonical form longer than this (parts used within parts, many times) is not
/// worth building: the definitions are then compared by searching.
const MAX_FORM: usize = 1 << 22;

/// Whether `a` and `b` mean the same: the same outcome, the same `met when` and the
/// same criteria (in any order).
pub(super) fn equivalent(a: &Checked, b: &Checked) -> bool {
    if a.outcome != b.outcome || a.criteria.len() != b.criteria.len() {
        return false;
    }
    let (Some(met_a), Some(met_b)) = (form(a, &a.met_when), form(b, &b.met_when)) else {
        return false;
    };
    if met_a != met_b {
        return false;
    }
    let criteria = |c: &Checked| -> Option<Vec<String>> {
        let mut forms = c
            .criteria
            .iter()
            .map(|criterion| form(c, &criterion.body))
            .collect::<Option<Vec<String>>>()?;
        forms.sort();
        Some(forms)
    };
    matches!((criteria(a), criteria(b)), (Some(x), Some(y)) if x == y)
}

/// The canonical form of `node` in `checked`, or `None` when too long.
fn form(checked: &Checked, node: &Node) -> Option<String> {
    let mut writer = Canon {
        checked,
        slots: HashMap::new(),
        args: HashMap::new(),
        out: String::new(),
        depth: 0,
    };
    writer.node(node).then_some(writer.out)
}

struct Canon<'a> {
    checked: &'a Checked,
    /// Slot → its number in order of first appearance.
    slots: HashMap<Slot, usize>,
    /// A parameter slot of an inlined part → the form of its argument.
    args: HashMap<Slot, String>,
    out: String,
    depth: usize,
}

impl Canon<'_> {
    fn slot(&mut self, slot: Slot) {
        if let Some(arg) = self.args.get(&slot) {
            let arg = arg.clone();
            self.out.push_str(&arg);
            return;
        }
        let next = self.slots.len();
        let number = *self.slots.entry(slot).or_insert(next);
        let _ = write!(self.out, "${number}");
    }

    fn constant(&mut self, value: &Const) {
        match value {
            Const::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Const::Number(n) => {
                let text = n.to_string();
                // 12.50 and 12.5 are one number.
                let text = if text.contains('.') {
                    text.trim_end_matches('0').trim_end_matches('.').to_owned()
                } else {
                    text
                };
                self.out.push_str(&text);
            }
            Const::Text(t) => {
                let _ = write!(self.out, "{t:?}");
            }
            Const::List(items) => {
                self.out.push('[');
                for item in items {
                    self.constant(item);
                    self.out.push(',');
                }
                self.out.push(']');
            }
            Const::Object(map) => {
                let _ = write!(self.out, "{map:?}");
            }
        }
    }

    /// Writes the node; false when the form grew too long or too deep.
    fn node(&mut self, node: &Node) -> bool {
        if self.out.len() > MAX_FORM || self.depth > 256 {
            return false;
        }
        self.depth += 1;
        let ok = self.kind(&node.kind);
        self.depth -= 1;
        ok
    }

    fn children(&mut self, kind: &NodeKind) -> bool {
        let mut nodes = Vec::new();
        kind.for_each_child(|child| nodes.push(child));
        self.out.push('(');
        for child in nodes {
            if !self.node(child) {
                return false;
            }
            self.out.push(',');
        }
        self.out.push(')');
        true
    }

    fn kind(&mut self, kind: &NodeKind) -> bool {
        use NodeKind as K;
        match kind {
            K::Criterion(index) => {
                let Some(criterion) = self.checked.criteria.get(*index) else {
                    return false;
                };
                self.out.push_str("criterion");
                self.out.push('(');
                let ok = self.node(&criterion.body);
                self.out.push(')');
                return ok;
            }
            K::Call(index, args) => {
                let Some(part) = self.checked.parts.get(*index) else {
                    return false;
                };
                let mut forms = Vec::new();
                for arg in args {
                    let start = self.out.len();
                    if !self.node(arg) {
                        return false;
                    }
                    forms.push(self.out.split_off(start));
                }
                let saved = std::mem::take(&mut self.args);
                self.args = saved.clone();
                for (slot, form) in part.params.iter().zip(forms) {
                    self.args.insert(*slot, form);
                }
                let ok = self.node(&part.body);
                self.args = saved;
                return ok;
            }
            K::Slot(slot) => {
                self.slot(*slot);
                return true;
            }
            K::Const(value) => {
                self.constant(value);
                return true;
            }
            K::Quantified {
                quantifier, slot, ..
            } => {
                let _ = write!(self.out, "quantified {quantifier:?} ");
                self.slot(*slot);
            }
            K::Consecutive {
                quantifier,
                first,
                second,
                ..
            } => {
                let _ = write!(self.out, "consecutive {quantifier:?} ");
                self.slot(*first);
                self.slot(*second);
            }
            K::Run { length, slot, .. } => {
                let _ = write!(self.out, "run {length} ");
                self.slot(*slot);
            }
            K::EachValue {
                quantifier,
                slot,
                values,
                ..
            } => {
                let _ = write!(self.out, "each {quantifier:?} ");
                self.slot(*slot);
                for value in values {
                    self.constant(value);
                    self.out.push(',');
                }
            }
            K::Compare(_, op, _) => {
                let _ = write!(self.out, "compare {op:?}");
            }
            K::In { negated, .. } => {
                let _ = write!(self.out, "in {negated}");
            }
            K::Same { differs, .. } => {
                let _ = write!(self.out, "same {differs}");
            }
            K::Change {
                direction,
                bound,
                percent,
                ..
            } => {
                let _ = write!(self.out, "change {direction:?} {bound:?} ");
                self.constant(&Const::Number(*percent));
            }
            K::Rises {
                attribute,
                min_values,
                ..
            } => {
                let _ = write!(self.out, "rises {attribute:?} {min_values}");
            }
            K::Arith(op, _, _) => {
                let _ = write!(self.out, "arith {op:?}");
            }
            K::Score(items) => {
                self.out.push_str("score");
                for (points, _) in items {
                    self.constant(&Const::Number(*points));
                    self.out.push(',');
                }
            }
            K::Attribute(name, _) => {
                let _ = write!(self.out, "attribute {name:?}");
            }
            K::Extreme(lowest, name, _) => {
                let _ = write!(self.out, "extreme {lowest} {name:?}");
            }
            K::SessionNumber(n) => {
                let _ = write!(self.out, "session {n}");
            }
            K::Kind(name) => {
                let _ = write!(self.out, "kind {name:?}");
            }
            K::Select {
                slot,
                windows,
                unknown_if_none,
                ..
            } => {
                let _ = write!(self.out, "select {unknown_if_none} ");
                self.slot(*slot);
                for window in windows {
                    let _ = write!(self.out, " {:?}", window.kind);
                }
            }
            K::Occurs(_, window) => {
                let _ = write!(self.out, "occurs {:?}", window.kind);
            }
            K::Not(_) => self.out.push_str("not"),
            K::And(..) => self.out.push_str("and"),
            K::Or(..) => self.out.push_str("or"),
            K::Else(..) => self.out.push_str("else"),
            K::Shows(..) => self.out.push_str("shows"),
            K::Log10(_) => self.out.push_str("log10"),
            K::Truthy(_) => self.out.push_str("truthy"),
            K::SessionOrdinal(_) => self.out.push_str("ordinal"),
            K::Latest(_) => self.out.push_str("latest"),
            K::Earliest(_) => self.out.push_str("earliest"),
            K::NextSession(_) => self.out.push_str("next"),
            K::PreviousSession(_) => self.out.push_str("previous"),
            K::Sessions => self.out.push_str("sessions"),
        }
        self.children(kind)
    }
}
