//! How deep evaluation recurses: the height of the checked tree with the parts and
//! criteria it uses written out. The evaluator recurses along it, so a definition whose
//! criteria are within [`MAX_DEPTH`] levels evaluates within a 2 MiB thread stack (a test
//! holds it to that), whatever the patient.
//!
//! Heights of parts and criteria are found once each (a part used many times, or a
//! diamond of parts, costs one visit), and the nodes of one body are walked with a stack
//! of their own, so nothing here recurses with the size of the definition.

use super::ir::{Node, NodeKind};
use crate::diagnostics::Problem;
use crate::source::Span;
use crate::syntax::MAX_DEPTH;

/// The bodies to measure: parts and criteria by index.
pub struct Bodies<'a> {
    /// Each part's body.
    pub parts: Vec<&'a Node>,
    /// Each criterion's body.
    pub criteria: Vec<&'a Node>,
}

/// What is called from a node: a part or a criterion, by index.
#[derive(Clone, Copy)]
enum Callee {
    Part(usize),
    Criterion(usize),
}

/// Heights found so far.
struct Heights<'a> {
    bodies: Bodies<'a>,
    parts: Vec<Option<usize>>,
    criteria: Vec<Option<usize>>,
}

impl<'a> Heights<'a> {
    fn new(bodies: Bodies<'a>) -> Heights<'a> {
        Heights {
            parts: vec![None; bodies.parts.len()],
            criteria: vec![None; bodies.criteria.len()],
            bodies,
        }
    }

    /// The height of a callee's body, found the first time it is asked for. Callees call
    /// only callees checked before them (the checker refused cycles), at most a few dozen
    /// deep (the checker's limits), so this recursion is short.
    fn callee(&mut self, callee: Callee) -> usize {
        let (known, body) = match callee {
            Callee::Part(i) => (self.parts.get(i), self.bodies.parts.get(i)),
            Callee::Criterion(i) => (self.criteria.get(i), self.bodies.criteria.get(i)),
        };
        if let Some(Some(height)) = known {
            return *height;
        }
        let Some(body) = body.copied() else {
            return 0;
        };
        let height = self.of(body);
        let slot = match callee {
            Callee::Part(i) => self.parts.get_mut(i),
            Callee::Criterion(i) => self.criteria.get_mut(i),
        };
        if let Some(slot) = slot {
            *slot = Some(height);
        }
        height
    }

    /// The height of `root` with callees written out: the deepest node's level plus, for a
    /// call, the height of what it calls (evaluated one level below the call).
    fn of(&mut self, root: &'a Node) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(root, 1usize)];
        while let Some((node, level)) = stack.pop() {
            let below = match node.kind {
                NodeKind::Call(part, _) => self.callee(Callee::Part(part)),
                NodeKind::Criterion(criterion) => self.callee(Callee::Criterion(criterion)),
                _ => 0,
            };
            deepest = deepest.max(level + below);
            node.kind
                .for_each_child(|child| stack.push((child, level + 1)));
        }
        deepest
    }
}

/// The criteria (named, with the span of their name) and the `met when` line whose
/// evaluation would nest deeper than [`MAX_DEPTH`], as errors.
pub fn check(
    bodies: Bodies<'_>,
    criteria: &[(&str, Span)],
    met_when: (&Node, Span),
) -> Vec<Problem> {
    let mut heights = Heights::new(bodies);
    let mut problems = Vec::new();
    for (index, (name, span)) in criteria.iter().enumerate() {
        let height = heights.callee(Callee::Criterion(index));
        if height > MAX_DEPTH {
            problems.push(too_deep(
                &format!("criterion `{name}`"),
                *span,
                Some(height),
            ));
        }
    }
    // The criteria it names were reported on their own.
    if problems.is_empty() {
        let height = heights.of(met_when.0);
        if height > MAX_DEPTH {
            problems.push(too_deep("the `met when` line", met_when.1, Some(height)));
        }
    }
    problems
}

/// The error for `what` nesting `height` levels deep (when known; more than
/// [`MAX_DEPTH`] in any case) once its parts and criteria are written out.
pub fn too_deep(what: &str, span: Span, height: Option<usize>) -> Problem {
    let height = height.map_or(format!("more than {MAX_DEPTH}"), |h| h.to_string());
    Problem::error(
        "refract::check::expanded_too_deep",
        format!(
            "{what} nests {height} levels deep with the parts and criteria it uses written out; refract evaluates up to {MAX_DEPTH}"
        ),
        span,
        "too deep to evaluate",
    )
    .with_help("a part used inside a part inside a part adds up: write some of the inner parts more simply, or use fewer levels of them")
}
