//! Which attributes a definition reads: for reports (the values a result rests on) and for
//! the evaluator (two events at the same place of the timeline that agree on all of them
//! are interchangeable).

use super::{Checked, Node, NodeKind};

/// The attribute names a condition reads, through the parts it uses (each part once);
/// `number` stands for a session's ordinal number.
pub fn attributes_read(checked: &Checked, body: &Node) -> Vec<String> {
    let mut names = Vec::new();
    let mut parts_seen = Vec::new();
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Attribute(name, of) => {
                if !names.contains(name) {
                    names.push(name.clone());
                }
                stack.extend(of.as_deref());
            }
            NodeKind::Rises {
                attribute,
                series,
                reference,
                ..
            } => {
                if !names.contains(attribute) {
                    names.push(attribute.clone());
                }
                stack.push(series);
                stack.push(reference);
            }
            NodeKind::Extreme(_, attribute, set) => {
                if !names.contains(attribute) {
                    names.push(attribute.clone());
                }
                stack.push(set);
            }
            NodeKind::SessionOrdinal(of) => {
                if !names.iter().any(|n| n == "number") {
                    names.push("number".to_string());
                }
                stack.extend(of.as_deref());
            }
            NodeKind::Call(part, args) => {
                stack.extend(args.iter());
                if !parts_seen.contains(part) {
                    parts_seen.push(*part);
                    if let Some(p) = checked.parts.get(*part) {
                        stack.push(&p.body);
                    }
                }
            }
            other => children(other, &mut stack),
        }
    }
    names
}

/// The nodes directly under a node (those not handled above).
fn children<'n>(kind: &'n NodeKind, stack: &mut Vec<&'n Node>) {
    match kind {
        NodeKind::Not(a) | NodeKind::Truthy(a) | NodeKind::Latest(a) | NodeKind::Earliest(a) => {
            stack.push(a)
        }
        NodeKind::NextSession(a) | NodeKind::PreviousSession(a) => stack.push(a),
        NodeKind::SessionOrdinal(of) => stack.extend(of.as_deref()),
        NodeKind::And(a, b)
        | NodeKind::Or(a, b)
        | NodeKind::Else(a, b)
        | NodeKind::Shows(a, b)
        | NodeKind::Compare(a, _, b)
        | NodeKind::Arith(_, a, b) => {
            stack.push(a);
            stack.push(b);
        }
        NodeKind::Same { left, right, .. } => {
            stack.push(left);
            stack.push(right);
        }
        NodeKind::Change {
            value, reference, ..
        } => {
            stack.push(value);
            stack.push(reference);
        }
        NodeKind::In { value, list, .. } => {
            stack.push(value);
            stack.extend(list.iter());
        }
        NodeKind::Occurs(event, window) => {
            stack.push(event);
            stack.push(&window.anchor);
        }
        NodeKind::Quantified { set, body, .. } => {
            stack.push(set);
            stack.extend(body.as_deref());
        }
        NodeKind::Consecutive { body, .. }
        | NodeKind::Run { body, .. }
        | NodeKind::EachValue { body, .. }
        | NodeKind::Log10(body) => stack.push(body),
        NodeKind::Score(items) => stack.extend(items.iter().map(|(_, c)| c)),
        NodeKind::Select {
            head,
            windows,
            filter,
            ..
        } => {
            stack.push(head);
            stack.extend(windows.iter().map(|w| w.anchor.as_ref()));
            stack.extend(filter.as_deref());
        }
        NodeKind::Attribute(..)
        | NodeKind::Rises { .. }
        | NodeKind::Extreme(..)
        | NodeKind::Call(..)
        | NodeKind::Criterion(_)
        | NodeKind::Const(_)
        | NodeKind::Slot(_)
        | NodeKind::SessionNumber(_)
        | NodeKind::Sessions
        | NodeKind::Kind(_) => {}
    }
}

/// Every attribute name the whole definition reads (its criteria and `met when`).
pub fn definition_reads(checked: &Checked) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let roots = checked
        .criteria
        .iter()
        .map(|c| &c.body)
        .chain(std::iter::once(&checked.met_when));
    for root in roots {
        for name in attributes_read(checked, root) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// The criteria a condition uses, directly or through the parts it uses.
pub fn criteria_used(checked: &Checked, body: &Node) -> Vec<usize> {
    uses(checked, body).1
}

/// The parts a condition uses, directly or through each other (each once, by index);
/// `None` when it uses a criterion. A criterion written the same way in two definitions,
/// using parts written the same way, means the same in both.
pub fn parts_used(checked: &Checked, body: &Node) -> Option<Vec<usize>> {
    let (parts, criteria) = uses(checked, body);
    criteria.is_empty().then_some(parts)
}

/// The parts and the criteria a condition uses, each once, by index.
fn uses(checked: &Checked, body: &Node) -> (Vec<usize>, Vec<usize>) {
    let (mut parts, mut criteria) = (Vec::new(), Vec::new());
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Criterion(index) => {
                if !criteria.contains(index) {
                    criteria.push(*index);
                }
            }
            NodeKind::Call(part, args) => {
                stack.extend(args.iter());
                if !parts.contains(part) {
                    parts.push(*part);
                    stack.extend(checked.parts.get(*part).map(|p| &p.body));
                }
            }
            NodeKind::Attribute(_, of) => stack.extend(of.as_deref()),
            NodeKind::Rises {
                series, reference, ..
            } => {
                stack.push(series);
                stack.push(reference);
            }
            NodeKind::Extreme(_, _, set) => stack.push(set),
            other => children(other, &mut stack),
        }
    }
    (parts, criteria)
}
