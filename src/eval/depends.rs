//! Whether a quantifier's body depends on its element. `any session shows any session
//! shows …` nests bodies that never look at the outer element: evaluated once instead of
//! once per element, thirty such levels are thirty evaluations, not 2^30.

use crate::check::{Checked, Node, NodeKind};

/// Whether evaluating `node` with another element bound to `slot` (and examined as `it`
/// when `examined`) could give another answer.
pub fn depends(checked: &Checked, node: &Node, slot: usize, examined: bool) -> bool {
    let on = |n: &Node| depends(checked, n, slot, examined);
    // Inside a `where` or a quantifier's body, `it` is that construct's own element.
    let inside = |n: &Node| depends(checked, n, slot, false);
    match &node.kind {
        NodeKind::Attribute(_, None) | NodeKind::SessionOrdinal(None) => examined,
        NodeKind::Attribute(_, Some(of)) | NodeKind::SessionOrdinal(Some(of)) => on(of),
        NodeKind::Slot(s) => *s == slot,
        NodeKind::Quantified { set, body, .. } => on(set) || body.as_deref().is_some_and(inside),
        NodeKind::Shows(event, cond) => on(event) || inside(cond),
        NodeKind::Select {
            head,
            windows,
            filter,
            ..
        } => {
            on(head)
                || windows.iter().any(|w| on(&w.anchor))
                || filter.as_deref().is_some_and(inside)
        }
        // A part sees only its arguments, and the event examined where it is used.
        NodeKind::Call(part, args) => {
            args.iter().any(on)
                || (examined && checked.parts.get(*part).is_none_or(|p| p.reads_caller_it))
        }
        // Their bodies examine no event of their own: `it` is still the element.
        NodeKind::Consecutive { body, .. }
        | NodeKind::Run { body, .. }
        | NodeKind::EachValue { body, .. } => on(body),
        NodeKind::Not(a) | NodeKind::Truthy(a) | NodeKind::Log10(a) => on(a),
        NodeKind::Latest(a) | NodeKind::Earliest(a) | NodeKind::Extreme(_, _, a) => on(a),
        NodeKind::NextSession(a) | NodeKind::PreviousSession(a) => on(a),
        NodeKind::And(a, b)
        | NodeKind::Or(a, b)
        | NodeKind::Else(a, b)
        | NodeKind::Compare(a, _, b)
        | NodeKind::Arith(_, a, b) => on(a) || on(b),
        NodeKind::Same { left, right, .. } => on(left) || on(right),
        NodeKind::Change {
            value, reference, ..
        } => on(value) || on(reference),
        NodeKind::In { value, list, .. } => on(value) || list.iter().any(on),
        NodeKind::Occurs(event, window) => on(event) || on(&window.anchor),
        NodeKind::Rises {
            series, reference, ..
        } => on(series) || on(reference),
        NodeKind::Score(items) => items.iter().any(|(_, c)| on(c)),
        // Criteria are evaluated on their own, with nothing bound.
        NodeKind::Criterion(_)
        | NodeKind::Const(_)
        | NodeKind::SessionNumber(_)
        | NodeKind::Sessions
        | NodeKind::Kind(_) => false,
    }
}
