//! Names and types of expressions: every AST expression becomes a typed IR node. The
//! checker's state and the typed entry points are here; expressions in `exprs.rs`,
//! values, literals and selections in `values.rs`, names and parts in `names.rs`.

mod exprs;
mod kinds;
mod names;
mod values;
mod words;

use std::collections::HashMap;

use super::ir::{Const, Node, NodeKind, Slot, Ty, ValueTy};
use crate::ast::{self, Definition, Expr, ExprKind, Literal};
use crate::diagnostics::Problem;
use crate::source::Span;
use crate::syntax::MAX_DEPTH;
use crate::vocabulary::Vocabulary;

/// How deeply parts may use parts (evaluation follows the chain recursively).
const MAX_PART_DEPTH: usize = 32;

/// Where a part or criterion is in its checking.
#[derive(Debug)]
pub enum PartState {
    /// Not checked yet.
    Unvisited,
    /// Being checked: meeting it again is a cycle.
    InProgress,
    /// Checked.
    Done(Node, Ty),
    /// Checked, with errors.
    Failed,
}

/// A part while the definition is checked.
pub struct PartEntry<'d> {
    /// Its AST.
    pub ast: &'d ast::Part,
    /// Its parameters' slots.
    pub params: Vec<Slot>,
    /// Whether each parameter is used as a value (`is M`) rather than an event.
    pub value_params: Vec<bool>,
    /// Progress.
    pub state: PartState,
    /// Whether anything uses it.
    pub used: bool,
    /// Whether its body reads the event examined where it is used (a bare attribute
    /// outside any `shows`/`where` of its own): then its result depends on more than its
    /// arguments.
    pub reads_caller_it: bool,
}

/// A criterion while the definition is checked.
pub struct CriterionEntry<'d> {
    /// Its AST.
    pub ast: &'d ast::Criterion,
    /// Progress.
    pub state: PartState,
    /// Whether anything uses it.
    pub used: bool,
}

/// What is in scope at a place of the definition: the names bound, and the events
/// examined there (see the fields of [`Checker`] of the same names).
#[derive(Default)]
struct Place {
    scopes: Vec<(String, Binding)>,
    it_depth: usize,
    it_kinds: Vec<Option<&'static str>>,
    it_slots: Vec<Option<Slot>>,
    left_operand: Option<kinds::LeftOperand>,
    filters: Vec<usize>,
}

#[derive(Clone, Copy)]
enum Binding {
    Event(Slot),
    Value(Slot),
    /// A part's parameter: event or value depending on use.
    Param(usize, usize, Slot),
}

/// The checker's state over one definition.
pub struct Checker<'d> {
    vocabulary: &'d Vocabulary,
    /// Parts in file order.
    pub parts: Vec<PartEntry<'d>>,
    /// Criteria in file order.
    pub criteria: Vec<CriterionEntry<'d>>,
    part_index: HashMap<&'d str, usize>,
    criterion_index: HashMap<&'d str, usize>,
    scopes: Vec<(String, Binding)>,
    /// Depth of places where `it` (the event examined) exists.
    it_depth: usize,
    /// The kind of each event examined, innermost last (`None`: not known here).
    it_kinds: Vec<Option<&'static str>>,
    /// The slot of each event examined, when it has one.
    it_slots: Vec<Option<Slot>>,
    /// The kind of events each slot holds, when it is one kind.
    slot_kinds: HashMap<Slot, &'static str>,
    /// What each bound value (a part's parameter, the name of `any M in [...]`) is
    /// compared with, for the words written for it (see [`words`]).
    compared: HashMap<Slot, words::Compared>,
    /// What examines events just before the operand being checked (see [`kinds`]).
    left_operand: Option<kinds::LeftOperand>,
    /// The definition's text, for messages that quote it.
    text: &'d str,
    /// The depths of the events examined by the `where` filters being checked.
    filters: Vec<usize>,
    /// Slots handed out so far.
    pub slots: usize,
    /// Parts being checked inside each other right now.
    part_depth: usize,
    /// The parts being checked, innermost last.
    part_stack: Vec<usize>,
    /// How many expressions are being checked inside each other right now, through the
    /// parts and criteria checked inside them.
    nesting: usize,
    /// Whether [`MAX_DEPTH`] was passed (it is reported once).
    too_deep: bool,
    /// What looking for similar names may still cost (see [`names::SUGGESTION_BUDGET`]).
    suggestion_budget: usize,
    /// Every name of the definition and the vocabulary, once each: what a misspelling is
    /// compared with.
    all_names: Vec<&'d str>,
    /// The event kinds and the parts: what a new event kind is compared with.
    kind_names: Vec<&'d str>,
    /// The parts: what a name given arguments is compared with.
    part_names: Vec<&'d str>,
    /// Whether the suggestion budget ran out (reported once).
    suggestions_spent: bool,
    /// Problems found.
    pub problems: Vec<Problem>,
}

pub(super) type Checked = Option<(Node, Ty)>;

impl<'d> Checker<'d> {
    /// A checker for `definition`.
    pub fn new(definition: &'d Definition, vocabulary: &'d Vocabulary) -> Checker<'d> {
        let mut checker = Checker {
            vocabulary,
            parts: Vec::new(),
            criteria: Vec::new(),
            part_index: HashMap::new(),
            criterion_index: HashMap::new(),
            scopes: Vec::new(),
            it_depth: 0,
            it_kinds: Vec::new(),
            it_slots: Vec::new(),
            slot_kinds: HashMap::new(),
            compared: HashMap::new(),
            left_operand: None,
            text: &definition.source.text,
            filters: Vec::new(),
            slots: 0,
            part_depth: 0,
            part_stack: Vec::new(),
            nesting: 0,
            too_deep: false,
            suggestion_budget: names::SUGGESTION_BUDGET,
            all_names: Vec::new(),
            kind_names: Vec::new(),
            part_names: Vec::new(),
            suggestions_spent: false,
            problems: Vec::new(),
        };
        for part in definition.parts() {
            let params = part.params.iter().map(|_| checker.slot()).collect();
            checker
                .part_index
                .entry(&part.name.node)
                .or_insert(checker.parts.len());
            checker.parts.push(PartEntry {
                ast: part,
                params,
                value_params: vec![false; part.params.len()],
                state: PartState::Unvisited,
                used: false,
                reads_caller_it: false,
            });
        }
        for criterion in definition.criteria() {
            checker
                .criterion_index
                .entry(&criterion.name.node)
                .or_insert(checker.criteria.len());
            checker.criteria.push(CriterionEntry {
                ast: criterion,
                state: PartState::Unvisited,
                used: false,
            });
        }
        checker.part_names = checker.part_index.keys().copied().collect();
        checker.kind_names = vocabulary.kinds().collect();
        checker
            .kind_names
            .extend(checker.part_index.keys().copied());
        let mut all: Vec<&'d str> = vocabulary.kinds().collect();
        all.extend(vocabulary.attributes().map(|a| a.name));
        all.extend(
            checker
                .part_index
                .keys()
                .chain(checker.criterion_index.keys()),
        );
        all.sort_unstable();
        all.dedup();
        checker.all_names = all;
        checker
    }

    fn slot(&mut self) -> Slot {
        self.slots += 1;
        self.slots - 1
    }

    fn error(&mut self, problem: Problem) -> Checked {
        self.problems.push(problem);
        None
    }

    fn wrong_type(&mut self, span: Span, expected: &str, found: Ty, help: &str) -> Checked {
        self.error(
            Problem::error(
                "refract::check::wrong_type",
                format!("expected {expected}, found {}", found.describe()),
                span,
                format!("this is {}", found.describe()),
            )
            .with_help(help.to_string()),
        )
    }

    /// The `met when` line (and criteria bodies): a condition with no event examined.
    pub fn condition_top(&mut self, expr: &'d Expr) -> Node {
        let node = self.at_top_level(|c| c.condition(expr));
        node.unwrap_or(Node {
            kind: NodeKind::Const(Const::Bool(false)),
            span: expr.span,
        })
    }

    /// Check `f` where a criterion stands: no bound names, no event examined.
    fn at_top_level<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.swap_place(Place::default());
        let out = f(self);
        self.swap_place(saved);
        out
    }

    /// Puts `place` in force and returns the one it replaces: what is in scope where a
    /// criterion or a part's body is checked does not depend on where it is reached from.
    fn swap_place(&mut self, mut place: Place) -> Place {
        std::mem::swap(&mut self.scopes, &mut place.scopes);
        std::mem::swap(&mut self.it_depth, &mut place.it_depth);
        std::mem::swap(&mut self.it_kinds, &mut place.it_kinds);
        std::mem::swap(&mut self.it_slots, &mut place.it_slots);
        std::mem::swap(&mut self.left_operand, &mut place.left_operand);
        std::mem::swap(&mut self.filters, &mut place.filters);
        place
    }

    /// Check criterion `index` once.
    pub fn criterion(&mut self, index: usize) -> Option<()> {
        let entry = self.criteria.get_mut(index)?;
        match enter(&entry.state, &entry.ast.name) {
            Ok(true) => {}
            Ok(false) => return Some(()),
            Err(problem) => {
                self.error(problem);
                return None;
            }
        }
        entry.state = PartState::InProgress;
        let ast = entry.ast;
        let node = self.at_top_level(|c| c.condition(&ast.body));
        let entry = self.criteria.get_mut(index)?;
        entry.state = match node {
            Some(node) => PartState::Done(node, Ty::Cond),
            None => PartState::Failed,
        };
        Some(())
    }

    /// Check part `index` once.
    pub fn part(&mut self, index: usize) -> Option<()> {
        let entry = self.parts.get_mut(index)?;
        match enter(&entry.state, &entry.ast.name) {
            Ok(true) => {}
            Ok(false) => return Some(()),
            Err(problem) => {
                self.error(problem);
                return None;
            }
        }
        if self.part_depth >= MAX_PART_DEPTH {
            let name = entry.ast.name.clone();
            self.error(
                Problem::error("refract::check::too_deep", format!("parts nest more than {MAX_PART_DEPTH} deep at `{}`", name.node), name.span, "too deep here")
                    .with_help("a part may use other parts, but not in a chain this long; write some of them out"),
            );
            return None;
        }
        entry.state = PartState::InProgress;
        let ast = entry.ast;
        let params: Vec<(String, Binding)> = ast
            .params
            .iter()
            .zip(entry.params.iter())
            .enumerate()
            .map(|(i, (name, slot))| (name.node.clone(), Binding::Param(index, i, *slot)))
            .collect();
        // A part may speak of "the event examined" (`it`): its users supply one, of
        // whatever kind each use gives it.
        let saved = self.swap_place(Place {
            scopes: params,
            it_depth: 1,
            it_kinds: vec![None],
            it_slots: vec![None],
            ..Place::default()
        });
        self.part_depth += 1;
        self.part_stack.push(index);
        let result = self.any(&ast.body);
        self.part_stack.pop();
        self.part_depth -= 1;
        self.swap_place(saved);
        let entry = self.parts.get_mut(index)?;
        entry.state = match result {
            Some((node, ty)) => PartState::Done(node, ty),
            None => PartState::Failed,
        };
        Some(())
    }

    /// A bare attribute (or `number`) at a part's own level reads its caller's event.
    fn note_reads_it(&mut self) {
        if self.it_depth == 1 {
            if let Some(entry) = self.part_stack.last().and_then(|&i| self.parts.get_mut(i)) {
                entry.reads_caller_it = true;
            }
        }
    }

    fn lookup(&self, name: &str) -> Option<Binding> {
        self.scopes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, b)| *b)
    }

    fn bind<T>(&mut self, name: &str, binding: Binding, f: impl FnOnce(&mut Self) -> T) -> T {
        self.scopes.push((name.to_string(), binding));
        let out = f(self);
        self.scopes.pop();
        out
    }

    /// [`Checker::bind`] for a name the definition gives (`any session S`): a name already
    /// in scope would be hidden inside, and the file would not read as it means, so that
    /// is an error; the inner one is still bound, to check the body.
    fn bind_named<T>(
        &mut self,
        name: &crate::source::Spanned<String>,
        binding: Binding,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        if self.lookup(&name.node).is_some() {
            self.problems.push(
                Problem::error(
                    "refract::check::shadowed_name",
                    format!("`{}` is already the name of an event here", name.node),
                    name.span,
                    "this hides the outer one",
                )
                .with_help(format!(
                    "give the inner one a name of its own, e.g. `{}2`; inside it, `{}` could only mean one of them",
                    name.node, name.node
                )),
            );
        }
        self.bind(&name.node, binding, f)
    }

    /// Check `f` where the event examined (`it`) is of `kind`, bound to `slot`.
    fn with_it<T>(
        &mut self,
        kind: Option<&'static str>,
        slot: Option<Slot>,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        self.it_depth += 1;
        self.it_kinds.push(kind);
        self.it_slots.push(slot);
        let left = self.left_operand.take();
        let out = f(self);
        self.left_operand = left;
        self.it_slots.pop();
        self.it_kinds.pop();
        self.it_depth -= 1;
        out
    }

    /// Any expression, with its type. Every recursion of the checker comes through here,
    /// so this is where its depth is held to [`MAX_DEPTH`], counting the parts and
    /// criteria checked inside: a definition that deep is refused after checking anyway
    /// (`depth.rs`), and stopping here bounds the checker's own recursion.
    pub fn any(&mut self, expr: &'d Expr) -> Checked {
        if self.nesting >= MAX_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                let what = crate::syntax::limits::construct(&expr.kind);
                let span = Span::new(expr.span.start, (expr.span.start + 1).min(expr.span.end));
                self.problems.push(super::depth::too_deep(what, span, None));
            }
            return None;
        }
        self.nesting += 1;
        let checked = self.expression(expr);
        self.nesting -= 1;
        checked
    }

    /// An expression that must be a condition (a yes/no value is one too).
    pub fn condition(&mut self, expr: &'d Expr) -> Option<Node> {
        let (node, ty) = self.any(expr)?;
        match ty {
            Ty::Cond => Some(node),
            Ty::Value(ValueTy::Bool) | Ty::Value(ValueTy::Any) => Some(Node {
                span: node.span,
                kind: NodeKind::Truthy(Box::new(node)),
            }),
            other => {
                self.wrong_type(expr.span, "a condition", other, "a condition compares a value (`viable_percent > 50`), names a yes/no attribute, a criterion, or uses `shows`");
                None
            }
        }
    }

    fn event(&mut self, expr: &'d Expr) -> Option<Node> {
        let (node, ty) = self.any(expr)?;
        if ty == Ty::Event {
            return Some(node);
        }
        self.wrong_type(expr.span, "an event", ty, "name one event: `S`, `session 1`, `latest imaging ...`, `next session after S`, or a part that gives one");
        None
    }

    fn events(&mut self, expr: &'d Expr) -> Option<Node> {
        if let ExprKind::Name(name) = &expr.kind {
            if let Some(node) = self.new_kind(name, expr.span) {
                return Some(node);
            }
        }
        let (node, ty) = self.any(expr)?;
        if ty == Ty::Events {
            return Some(node);
        }
        self.wrong_type(
            expr.span,
            "a selection of events",
            ty,
            "select events by kind (`imaging`, `lab`, `session`) or with a part that selects them",
        );
        None
    }

    fn value(&mut self, expr: &'d Expr) -> Option<(Node, ValueTy)> {
        let (node, ty) = self.any(expr)?;
        match ty {
            Ty::Value(vty) => Some((node, vty)),
            other => {
                self.wrong_type(expr.span, "a value", other, "compare an attribute, e.g. `viable_percent of S` or a bare attribute of the event examined");
                None
            }
        }
    }

    /// A value, or an event standing for "the same attribute of that event" as `like`.
    fn value_like(&mut self, expr: &'d Expr, like: &Node) -> Option<(Node, ValueTy)> {
        let (node, ty) = self.any(expr)?;
        match ty {
            Ty::Value(vty) => Some((node, vty)),
            Ty::Event => {
                let span = node.span;
                match &like.kind {
                    NodeKind::Attribute(name, _) => {
                        let vty = self.attribute_type(name);
                        Some((
                            Node {
                                kind: NodeKind::Attribute(name.clone(), Some(Box::new(node))),
                                span,
                            },
                            vty,
                        ))
                    }
                    _ => {
                        self.error(
                            Problem::error(
                                "refract::check::no_attribute_to_match",
                                "an event is compared, but there is no attribute to take from it",
                                expr.span,
                                "which attribute of this event?",
                            )
                            .with_help("name the attribute: `viable_percent of baseline`, or put an attribute on the other side"),
                        );
                        None
                    }
                }
            }
            other => {
                self.wrong_type(expr.span, "a value or an event", other, "compare with a number, an attribute, or an event (meaning the same attribute of it)");
                None
            }
        }
    }
}

/// Whether two value types can be equal at all (unknown attributes match anything).
fn comparable(a: ValueTy, b: ValueTy) -> bool {
    use ValueTy::*;
    matches!(
        (a, b),
        (Any, _)
            | (_, Any)
            | (Number, Number)
            | (Bool, Bool)
            | (TextList, TextList)
            | (Text | Category(_), Text | Category(_))
    )
}

/// Whether a part or criterion still needs checking; meeting one that is being checked
/// is a cycle.
fn enter(state: &PartState, name: &crate::source::Spanned<String>) -> Result<bool, Problem> {
    match state {
        PartState::Unvisited => Ok(true),
        PartState::InProgress => Err(circular(&name.node, name.span)),
        PartState::Done(..) | PartState::Failed => Ok(false),
    }
}

fn circular(name: &str, span: Span) -> Problem {
    Problem::error("refract::check::circular", format!("`{name}` is defined in terms of itself"), span, "used inside its own definition")
        .with_help("a part or criterion cannot use itself, directly or through others; write the condition out")
}

fn binder_of(selection: &Expr) -> Option<&crate::source::Spanned<String>> {
    match &selection.kind {
        ExprKind::Select {
            binder: Some(binder),
            ..
        } => Some(binder),
        _ => None,
    }
}

fn literal_const(literal: &Literal) -> Const {
    match literal {
        Literal::Number(n) => Const::Number(*n),
        Literal::Text(t) => Const::Text(t.clone().into()),
        Literal::Word(w) if w == "true" => Const::Bool(true),
        Literal::Word(w) if w == "false" => Const::Bool(false),
        Literal::Word(w) => Const::Text(w.clone().into()),
    }
}

fn constant_text(constant: &Const) -> String {
    match constant {
        Const::Number(n) => n.to_string(),
        Const::Text(t) => t.to_string(),
        Const::Bool(b) => b.to_string(),
        Const::List(_) | Const::Object(_) => String::new(),
    }
}
