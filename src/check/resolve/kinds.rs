//! Which kind of event an expression stands for, and attributes read from an event of a
//! kind that never has them. Each attribute of the vocabulary belongs to one kind:
//! `mrecist of S` with `S` a session reads nothing in any record, and is an error where
//! it is written rather than an `unknown` for every patient.

use super::{Binding, Checker};
use crate::check::ir::{Node, NodeKind, Slot};
use crate::check::resolve::PartState;
use crate::diagnostics::Problem;
use crate::source::Span;

/// What stands just before the operand being checked in an `and`/`or`: a form that
/// examines events of a kind, so that an attribute of that kind read right after it was
/// most likely meant to be read there.
#[derive(Clone, Copy)]
pub(super) struct LeftOperand {
    /// The kind of the events the left operand examines.
    pub kind: &'static str,
    /// `any X shows A` / `E shows A` (true), or `any X` alone (false).
    pub shows: bool,
    /// Where the left operand is.
    pub span: Span,
    /// The number of events examined where it stands (it applies only there).
    pub depth: usize,
}

impl<'d> Checker<'d> {
    /// The kind of event a checked event or selection stands for, when it is one kind of
    /// the vocabulary.
    pub(super) fn kind_of(&self, node: &Node) -> Option<&'static str> {
        self.kind_within(node, 0)
    }

    fn kind_within(&self, node: &Node, depth: usize) -> Option<&'static str> {
        // Parts in parts are bounded by the checker's part depth; this only follows them.
        if depth > 64 {
            return None;
        }
        match &node.kind {
            NodeKind::Kind(kind) => self.vocabulary.known_kind(kind),
            NodeKind::Sessions
            | NodeKind::SessionNumber(_)
            | NodeKind::NextSession(_)
            | NodeKind::PreviousSession(_) => self.vocabulary.known_kind("tace"),
            NodeKind::Latest(set) | NodeKind::Earliest(set) | NodeKind::Extreme(_, _, set) => {
                self.kind_within(set, depth + 1)
            }
            NodeKind::Select { head, .. } => self.kind_within(head, depth + 1),
            NodeKind::Slot(slot) => self.slot_kinds.get(slot).copied(),
            NodeKind::Call(part, _) => match self.parts.get(*part).map(|p| &p.state) {
                Some(PartState::Done(body, _)) => self.kind_within(body, depth + 1),
                _ => None,
            },
            _ => None,
        }
    }

    /// Remember that `slot` holds events of the kind `set` stands for.
    pub(super) fn note_slot_kind(&mut self, slot: Slot, set: &Node) {
        if let Some(kind) = self.kind_of(set) {
            self.slot_kinds.insert(slot, kind);
        }
    }

    /// What a checked left operand of `and`/`or` examines: `any X shows A`, `E shows A`
    /// or `any X` (first in a chain of them).
    pub(super) fn left_examines(&self, node: &Node) -> Option<LeftOperand> {
        let (set, shows) = match &node.kind {
            NodeKind::Quantified { set, body, .. } => (set.as_ref(), body.is_some()),
            NodeKind::Shows(event, _) => (event.as_ref(), true),
            NodeKind::And(first, _) | NodeKind::Or(first, _) => return self.left_examines(first),
            _ => return None,
        };
        Some(LeftOperand {
            kind: self.kind_of(set)?,
            shows,
            span: node.span,
            depth: self.it_depth,
        })
    }

    /// The kind a known attribute belongs to, when the vocabulary gives it one.
    fn attribute_kind(&self, name: &str) -> Option<&'static str> {
        self.vocabulary.attribute(None, name).map(|spec| spec.kind)
    }

    /// Whether `name` can be read from an event of `kind`: unknown attributes, and
    /// attributes of kinds outside the vocabulary, can.
    fn readable(&self, name: &str, kind: &str) -> bool {
        match (
            self.attribute_kind(name),
            self.vocabulary.kind_attributes(kind),
        ) {
            (Some(_), Some(attributes)) => attributes.get(name).is_some(),
            _ => true,
        }
    }

    /// The names in scope bound to events of `kind`, innermost first.
    fn names_of_kind(&self, kind: &str) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (name, binding) in self.scopes.iter().rev() {
            let slot = match binding {
                Binding::Event(slot) | Binding::Param(_, _, slot) => *slot,
                Binding::Value(_) => continue,
            };
            if self.slot_kinds.get(&slot).is_some_and(|k| *k == kind) && !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// `ATTRIBUTE of EVENT`: an error when EVENT's kind never has the attribute.
    pub(super) fn check_attribute_of(&mut self, name: &str, name_span: Span, of: &Node) {
        let (Some(kind), Some(belongs)) = (self.kind_of(of), self.attribute_kind(name)) else {
            return;
        };
        if self.readable(name, kind) {
            return;
        }
        let event = self.source_text(of.span);
        let help = match self.names_of_kind(belongs).first() {
            Some(other) => format!("did you mean `{name} of {other}`? (`{other}` is the {belongs} event here)"),
            None => format!("read it from {}, e.g. `{name} of latest {belongs} after {event}` or `any {belongs} after {event} shows {name} ...`", one(belongs)),
        };
        self.problems.push(
            Problem::error(
                "refract::check::attribute_wrong_kind",
                format!(
                    "`{name}` is recorded on {belongs} events, and `{event}` is {}",
                    one(kind)
                ),
                name_span,
                format!("{} never has `{name}`", one(kind)),
            )
            .with_help(help),
        );
    }

    /// A bare attribute of the event examined: an error when that event's kind never has
    /// it, with the likeliest slip in the help.
    pub(super) fn check_bare_attribute(&mut self, name: &str, span: Span) -> bool {
        let Some(Some(kind)) = self.it_kinds.last().copied() else {
            return true;
        };
        let Some(belongs) = self.attribute_kind(name) else {
            return true;
        };
        if self.readable(name, kind) {
            return true;
        }
        let left = self
            .left_operand
            .filter(|left| left.depth == self.it_depth && left.kind == belongs);
        let examined = self.examined_name(kind);
        let problem = match left {
            Some(left) if left.shows => Problem::error(
                "refract::check::shows_binds_tightly",
                format!("`{name}` is read from {examined} here, not from the {belongs} before `shows`"),
                span,
                format!("{} never has `{name}`", one(kind)),
            )
            .with_help(format!("`shows` takes only the condition right after it (`{}`): to test more on the {belongs}, put the conditions in parentheses, `shows (A or B)`", self.source_text(left.span))),
            Some(left) => Problem::error(
                "refract::check::selection_as_condition",
                format!("`{name}` is read from {examined}: `and`/`or` do not look inside the {belongs} selected before"),
                span,
                format!("{} never has `{name}`", one(kind)),
            )
            .with_help(format!("`{}` only says such an event exists; to test the {belongs} itself, write `... shows {name} ...` (with parentheses around several conditions)", self.source_text(left.span))),
            None => {
                let help = match self.names_of_kind(belongs).first() {
                    Some(other) => format!("did you mean `{name} of {other}`?"),
                    None => format!("read it from {}, e.g. `any {belongs} after S shows {name} ...`", one(belongs)),
                };
                Problem::error(
                    "refract::check::attribute_wrong_kind",
                    format!("`{name}` is recorded on {belongs} events, and the event examined here is {examined}"),
                    span,
                    format!("{} never has `{name}`", one(kind)),
                )
                .with_help(help)
            }
        };
        self.problems.push(problem);
        false
    }

    /// The event examined, in words: "the session `S`" when it has a name.
    fn examined_name(&self, kind: &'static str) -> String {
        let name = self
            .scopes
            .iter()
            .rev()
            .find_map(|(name, binding)| match binding {
                Binding::Event(slot) if self.it_slots.last().copied().flatten() == Some(*slot) => {
                    Some(name.clone())
                }
                _ => None,
            });
        match name {
            Some(name) => format!("the {} `{name}`", kind_word(kind)),
            None => one(kind),
        }
    }

    /// The text written at `span`, shortened for a message.
    fn source_text(&self, span: Span) -> String {
        let text = self.text.get(span.start..span.end).unwrap_or("the event");
        let mut short: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if short.chars().count() > 40 {
            short = short.chars().take(37).collect::<String>() + "...";
        }
        short
    }
}

/// A kind in words: a `tace` event is a session.
fn kind_word(kind: &str) -> &str {
    match kind {
        "tace" => "session",
        other => other,
    }
}

/// One event of a kind, in words: "a session", "an imaging event".
fn one(kind: &str) -> String {
    match kind {
        "tace" => "a session".to_string(),
        "imaging" => "an imaging event".to_string(),
        other => format!("a {other} event"),
    }
}
