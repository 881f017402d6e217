//! Names: bound events and values, parts, criteria, attributes and event kinds.

use super::{Binding, Checked, Checker, PartState};
use crate::ast::Expr;
use crate::check::ir::{Node, NodeKind, Ty, ValueTy};
use crate::diagnostics::Problem;
use crate::source::Span;
use crate::vocabulary::{suggest, AttrType};

/// How much looking for similar names may cost one definition, in cells of edit-distance
/// tables (a few hundredths of a second): enough for hundreds of misspellings among
/// thousands of names. Past it, the file is not one a person typed, and unknown names are
/// errors without a suggestion, so checking stays linear in the file.
pub(super) const SUGGESTION_BUDGET: usize = 20_000_000;

/// The names in the lists of `candidates` close to `word` (see [`suggest`]), or `None`
/// once the definition's `budget` (of [`SUGGESTION_BUDGET`]) is spent.
fn near<'c>(budget: &mut usize, word: &str, candidates: &[&[&'c str]]) -> Option<Vec<&'c str>> {
    let all = || candidates.iter().flat_map(|list| list.iter().copied());
    // Counted before the search, stopping as soon as it would not fit.
    let mut left = *budget;
    for candidate in all() {
        let cost = (candidate.len() + 1).saturating_mul(word.len() + 1);
        match left.checked_sub(cost) {
            Some(rest) => left = rest,
            None => {
                *budget = 0;
                return None;
            }
        }
    }
    *budget = left;
    Some(suggest(word, all()))
}

/// Which names a misspelling is looked for among.
#[derive(Clone, Copy)]
pub(super) enum Among {
    /// Parts, criteria, the vocabulary, and the names in scope.
    Everything,
    /// Event kinds and parts (where events are expected).
    KindsAndParts,
    /// Parts (after a name with arguments).
    Parts,
}

impl<'d> Checker<'d> {
    /// The names close to `word`, or `None` once the [`SUGGESTION_BUDGET`] is spent: that
    /// is reported once, at `span`, as an error of its own, so that a file past it is
    /// refused whatever the search would have found.
    pub(super) fn similar(&mut self, word: &str, among: Among, span: Span) -> Option<Vec<String>> {
        let scopes: Vec<&str> = match among {
            Among::Everything => self.scopes.iter().map(|(n, _)| n.as_str()).collect(),
            Among::KindsAndParts | Among::Parts => Vec::new(),
        };
        let list = match among {
            Among::Everything => &self.all_names,
            Among::KindsAndParts => &self.kind_names,
            Among::Parts => &self.part_names,
        };
        let found = near(&mut self.suggestion_budget, word, &[list, &scopes])
            .map(|near| near.into_iter().map(String::from).collect());
        if found.is_none() && !self.suggestions_spent {
            self.suggestions_spent = true;
            self.problems.push(
                Problem::error(
                    "refract::check::too_many_unknown_names",
                    "this file has more names that nothing defines than refract looks through for misspellings",
                    span,
                    "the limit is reached here",
                )
                .with_help("define the parts and criteria it uses, and check the spelling of its names; a definition someone wrote has a handful of new names at most"),
            );
        }
        found
    }
    pub(super) fn name(&mut self, name: &str, span: Span) -> Checked {
        let node = |kind| Node { kind, span };
        if let Some(binding) = self.lookup(name) {
            return match binding {
                Binding::Event(slot) | Binding::Param(_, _, slot) => {
                    Some((node(NodeKind::Slot(slot)), Ty::Event))
                }
                Binding::Value(slot) => Some((node(NodeKind::Slot(slot)), Ty::Value(ValueTy::Any))),
            };
        }
        if let Some(&index) = self.part_index.get(name) {
            return self.call_part(index, &[], span);
        }
        // Where an event is examined, an attribute of the vocabulary means that attribute
        // even when a criterion has the same name (`vascular_invasion`).
        let is_attribute = self.vocabulary.attribute(None, name).is_some();
        if let (Some(&index), false) = (
            self.criterion_index.get(name),
            is_attribute && self.it_depth > 0,
        ) {
            if let Some(entry) = self.criteria.get_mut(index) {
                entry.used = true;
            }
            self.criterion(index)?;
            return Some((node(NodeKind::Criterion(index)), Ty::Cond));
        }
        if name == "number" && self.it_depth > 0 {
            self.note_reads_it();
            return Some((
                node(NodeKind::SessionOrdinal(None)),
                Ty::Value(ValueTy::Number),
            ));
        }
        if self.vocabulary.is_kind(name) {
            return Some((node(NodeKind::Kind(name.to_string())), Ty::Events));
        }
        if self.vocabulary.attribute(None, name).is_some() {
            if self.it_depth == 0 {
                return self.error(
                    Problem::error(
                        "refract::check::no_event_examined",
                        format!("`{name}` of which event?"),
                        span,
                        "no event is being examined here",
                    )
                    .with_help(format!(
                        "write `{name} of EVENT`, or use it after `shows` or `where`"
                    )),
                );
            }
            if !self.check_bare_attribute(name, span) {
                return None;
            }
            self.note_reads_it();
            let vty = self.attribute_type(name);
            return Some((
                node(NodeKind::Attribute(name.to_string(), None)),
                Ty::Value(vty),
            ));
        }
        self.unknown_name(name, span)
    }

    /// Whether `word` is a part, a criterion, or an event kind or attribute of the timeline
    /// format.
    pub(super) fn names_something(&self, word: &str) -> bool {
        self.part_index.contains_key(word)
            || self.criterion_index.contains_key(word)
            || self.vocabulary.is_kind(word)
            || self.vocabulary.attribute(None, word).is_some()
    }

    /// Where events are expected, a name nothing defines and no known name is close to is a
    /// new event kind: allowed (a consensus may need one), with a warning.
    pub(super) fn new_kind(&mut self, name: &str, span: Span) -> Option<Node> {
        if self.lookup(name).is_some() || self.names_something(name) {
            return None;
        }
        // Close to a known name (or too many names to look through): not a new kind.
        if self
            .similar(name, Among::KindsAndParts, span)
            .is_none_or(|near| !near.is_empty())
        {
            return None;
        }
        self.problems.push(
            Problem::warning("refract::check::unfamiliar_kind", format!("`{name}` is not an event kind of the timeline format"), span, "events of this kind are read as they are")
                .with_help("if the timelines carry this new kind of event, nothing to do; the known kinds are tace, imaging, lab and status"),
        );
        Some(Node {
            kind: NodeKind::Kind(name.to_string()),
            span,
        })
    }

    /// A name nothing defines: a misspelling (error), or an attribute or kind outside the
    /// vocabulary (warning; the timeline format allows new ones).
    pub(super) fn unknown_name(&mut self, name: &str, span: Span) -> Checked {
        let Some(near) = self.similar(name, Among::Everything, span) else {
            return self.error(
                Problem::error(
                    "refract::check::unknown_name",
                    format!("`{name}` is not defined"),
                    span,
                    "not a part, criterion, attribute or event kind",
                )
                .with_help("check the spelling"),
            );
        };
        if let Some(best) = near.first() {
            let help = match near.get(1..) {
                Some(others) if !others.is_empty() => {
                    let others: Vec<String> = others.iter().map(|n| format!("`{n}`")).collect();
                    format!("did you mean `{best}`? (also close: {})", others.join(", "))
                }
                _ => format!("did you mean `{best}`?"),
            };
            return self.error(
                Problem::error(
                    "refract::check::unknown_name",
                    format!("`{name}` is not defined"),
                    span,
                    "not a part, criterion, attribute or event kind",
                )
                .with_help(help),
            );
        }
        if self.it_depth == 0 {
            return self.error(
                Problem::error("refract::check::unknown_name", format!("`{name}` is not defined"), span, "not a part, criterion, attribute or event kind")
                    .with_help("define it with `part` or `criterion`, or use an attribute after `shows` or `where`"),
            );
        }
        self.problems.push(
            Problem::warning("refract::check::unfamiliar_attribute", format!("`{name}` is not an attribute of the timeline format"), span, "read from the timeline as it is")
                .with_help("if this is a new attribute the timelines carry, nothing to do; otherwise check the spelling"),
        );
        self.note_reads_it();
        Some((
            Node {
                kind: NodeKind::Attribute(name.to_string(), None),
                span,
            },
            Ty::Value(ValueTy::Any),
        ))
    }

    /// The type of an attribute named with `of`, warning when it is outside the vocabulary.
    pub(super) fn known_attribute(&mut self, name: &str, span: Span) -> Option<ValueTy> {
        if self.vocabulary.attribute(None, name).is_some() {
            return Some(self.attribute_type(name));
        }
        let near = suggest(name, self.vocabulary.attributes().map(|a| a.name));
        if let Some(best) = near.first() {
            self.error(
                Problem::error(
                    "refract::check::unknown_attribute",
                    format!("`{name}` is not an attribute of the timeline format"),
                    span,
                    "unknown attribute",
                )
                .with_help(format!("did you mean `{best}`?")),
            );
            return None;
        }
        self.problems.push(
            Problem::warning("refract::check::unfamiliar_attribute", format!("`{name}` is not an attribute of the timeline format"), span, "read from the timeline as it is")
                .with_help("if this is a new attribute the timelines carry, nothing to do; otherwise check the spelling"),
        );
        Some(ValueTy::Any)
    }

    pub(super) fn attribute_type(&self, name: &str) -> ValueTy {
        match self.vocabulary.attribute(None, name).map(|a| a.ty) {
            Some(AttrType::Bool) => ValueTy::Bool,
            Some(AttrType::Number { .. }) => ValueTy::Number,
            Some(AttrType::Text) => ValueTy::Text,
            Some(AttrType::Category(values)) => ValueTy::Category(values),
            Some(AttrType::TextList) => ValueTy::TextList,
            None => ValueTy::Any,
        }
    }

    pub(super) fn call(
        &mut self,
        name: &crate::source::Spanned<String>,
        args: &'d [Expr],
        span: Span,
    ) -> Checked {
        match self.part_index.get(name.node.as_str()) {
            Some(&index) => self.call_part(index, args, span),
            None => {
                let near = self
                    .similar(&name.node, Among::Parts, name.span)
                    .unwrap_or_default();
                let help = match near.first() {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "define it with `part NAME(PARAMS) = ...`".to_string(),
                };
                self.error(
                    Problem::error(
                        "refract::check::unknown_part",
                        format!("there is no part `{}`", name.node),
                        name.span,
                        "not defined",
                    )
                    .with_help(help),
                )
            }
        }
    }

    pub(super) fn call_part(&mut self, index: usize, args: &'d [Expr], span: Span) -> Checked {
        if let Some(entry) = self.parts.get_mut(index) {
            entry.used = true;
        }
        self.part(index)?;
        let entry = self.parts.get(index)?;
        let PartState::Done(_, ty) = entry.state else {
            return None;
        };
        let (name, expected) = (entry.ast.name.node.clone(), entry.params.len());
        let value_params = entry.value_params.clone();
        let param_slots = entry.params.clone();
        if entry.reads_caller_it {
            if self.it_depth == 0 {
                return self.error(
                    Problem::error(
                        "refract::check::no_event_examined",
                        format!("part `{name}` reads attributes of the event being examined, but no event is examined here"),
                        span,
                        "which event?",
                    )
                    .with_help(format!("use it after `shows` or `where`, e.g. `any response(S) shows {name}`")),
                );
            }
            self.note_reads_it();
        }
        if args.len() != expected {
            return self.error(
                Problem::error(
                    "refract::check::wrong_arguments",
                    format!(
                        "part `{name}` takes {expected} argument{}, {} given",
                        if expected == 1 { "" } else { "s" },
                        args.len()
                    ),
                    span,
                    "here",
                )
                .with_help(format!("see the `part {name}` line for its parameters")),
            );
        }
        let mut checked = Vec::new();
        for ((arg, is_value), param) in args.iter().zip(value_params).zip(param_slots) {
            let node = if is_value {
                self.value_argument(arg, param)
            } else {
                self.event(arg)
            };
            checked.push(node);
        }
        let args: Option<Vec<Node>> = checked.into_iter().collect();
        Some((
            Node {
                kind: NodeKind::Call(index, args?),
                span,
            },
            ty,
        ))
    }
}
