//! Names and types of expressions: every AST expression becomes a typed IR node.

use std::collections::HashMap;

use super::ir::{Const, Node, NodeKind, Slot, Ty, ValueTy, Window};
use crate::ast::{self, Definition, Expr, ExprKind, Literal};
use crate::diagnostics::Problem;
use crate::number::Decimal;
use crate::source::Span;
use crate::vocabulary::{suggest, AttrType, Vocabulary};

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
    /// Slots handed out so far.
    pub slots: usize,
    /// Parts being checked inside each other right now.
    part_depth: usize,
    /// The parts being checked, innermost last.
    part_stack: Vec<usize>,
    /// Problems found.
    pub problems: Vec<Problem>,
}

type Checked = Option<(Node, Ty)>;

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
            slots: 0,
            part_depth: 0,
            part_stack: Vec::new(),
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
        let saved = std::mem::take(&mut self.scopes);
        let depth = std::mem::take(&mut self.it_depth);
        let out = f(self);
        self.scopes = saved;
        self.it_depth = depth;
        out
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
        let saved = std::mem::replace(&mut self.scopes, params);
        // A part may speak of "the event examined" (`it`): its users supply one.
        let depth = std::mem::replace(&mut self.it_depth, 1);
        self.part_depth += 1;
        self.part_stack.push(index);
        let result = self.any(&ast.body);
        self.part_stack.pop();
        self.part_depth -= 1;
        self.scopes = saved;
        self.it_depth = depth;
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

    fn with_it<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.it_depth += 1;
        let out = f(self);
        self.it_depth -= 1;
        out
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

    /// Any expression, with its type.
    pub fn any(&mut self, expr: &'d Expr) -> Checked {
        let span = expr.span;
        let node = |kind| Node { kind, span };
        match &expr.kind {
            ExprKind::Not(inner) => Some((
                node(NodeKind::Not(Box::new(self.condition(inner)?))),
                Ty::Cond,
            )),
            ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Else(a, b) => {
                let (a, b) = (self.condition(a), self.condition(b));
                let (a, b) = (Box::new(a?), Box::new(b?));
                let kind = match &expr.kind {
                    ExprKind::And(..) => NodeKind::And(a, b),
                    ExprKind::Or(..) => NodeKind::Or(a, b),
                    _ => NodeKind::Else(a, b),
                };
                Some((node(kind), Ty::Cond))
            }
            ExprKind::Quantified {
                quantifier,
                selection,
                body,
            } => {
                if let ast::Quantifier::AtLeast(0) = quantifier {
                    return self.error(
                        Problem::error(
                            "refract::check::always_true",
                            "`at least 0` always holds",
                            span,
                            "this counts nothing",
                        )
                        .with_help("write `at least 1` (or `any`) for one or more, `no` for none"),
                    );
                }
                let (set, slot) = self.selection_with_slot(selection)?;
                let binder = binder_of(selection);
                let body = match body {
                    None => None,
                    Some((_, body)) => {
                        let checked = self.with_it(|c| match &binder {
                            Some(name) => c.bind(name, Binding::Event(slot), |c| c.condition(body)),
                            None => c.condition(body),
                        });
                        Some(Box::new(checked?))
                    }
                };
                Some((
                    node(NodeKind::Quantified {
                        quantifier: *quantifier,
                        set: Box::new(set),
                        slot,
                        body,
                    }),
                    Ty::Cond,
                ))
            }
            ExprKind::Consecutive {
                quantifier,
                first,
                second,
                body,
            } => {
                let (a, b) = (self.slot(), self.slot());
                let body = self.bind(&first.node, Binding::Event(a), |c| {
                    c.bind(&second.node, Binding::Event(b), |c| c.condition(body))
                })?;
                Some((
                    node(NodeKind::Consecutive {
                        quantifier: *quantifier,
                        first: a,
                        second: b,
                        body: Box::new(body),
                    }),
                    Ty::Cond,
                ))
            }
            ExprKind::EachValue {
                quantifier,
                name,
                values,
                body,
            } => {
                let slot = self.slot();
                let values = values.iter().map(|v| literal_const(&v.node)).collect();
                let body = self.bind(&name.node, Binding::Value(slot), |c| c.condition(body))?;
                Some((
                    node(NodeKind::EachValue {
                        quantifier: *quantifier,
                        slot,
                        values,
                        body: Box::new(body),
                    }),
                    Ty::Cond,
                ))
            }
            ExprKind::Shows(event, cond) => {
                let event = self.event(event);
                let cond = self.with_it(|c| c.condition(cond));
                Some((
                    node(NodeKind::Shows(Box::new(event?), Box::new(cond?))),
                    Ty::Cond,
                ))
            }
            ExprKind::Occurs(event, window) => {
                let event = self.event(event);
                let window = self.window(window);
                Some((node(NodeKind::Occurs(Box::new(event?), window?)), Ty::Cond))
            }
            ExprKind::Compare(left, op, right) => {
                let (left, lty) = self.value(left)?;
                let (right, rty) = self.value_like(right, &left)?;
                self.expect_number(lty, left.span)?;
                self.expect_number(rty, right.span)?;
                self.check_range(&left, *op, &right, span);
                Some((
                    node(NodeKind::Compare(Box::new(left), *op, Box::new(right))),
                    Ty::Cond,
                ))
            }
            ExprKind::Is {
                value,
                negated,
                literal,
            } => {
                let (value, vty) = self.value(value)?;
                let item = self.literal_in(literal, vty)?;
                Some((
                    node(NodeKind::In {
                        value: Box::new(value),
                        negated: *negated,
                        list: vec![item],
                    }),
                    Ty::Cond,
                ))
            }
            ExprKind::In {
                value,
                negated,
                list,
            } => {
                let (value, vty) = self.value(value)?;
                let mut items = Vec::new();
                let mut ok = true;
                for literal in list {
                    match self.literal_in(literal, vty) {
                        Some(item) => items.push(item),
                        None => ok = false,
                    }
                }
                ok.then_some(())?;
                Some((
                    node(NodeKind::In {
                        value: Box::new(value),
                        negated: *negated,
                        list: items,
                    }),
                    Ty::Cond,
                ))
            }
            ExprKind::SameAs(left, right) | ExprKind::Differs(left, right) => {
                let (left, lty) = self.value(left)?;
                let (right, rty) = self.value_like(right, &left)?;
                if !comparable(lty, rty) {
                    return self.wrong_type(
                        right.span,
                        Ty::Value(lty).describe(),
                        Ty::Value(rty),
                        "`is the same as` and `differs from` compare values of one kind: a word with a word, a number with a number",
                    );
                }
                let differs = matches!(expr.kind, ExprKind::Differs(..));
                Some((
                    node(NodeKind::Same {
                        left: Box::new(left),
                        right: Box::new(right),
                        differs,
                    }),
                    Ty::Cond,
                ))
            }
            ExprKind::Change {
                value,
                direction,
                bound,
                percent,
                reference,
            } => {
                let (value, vty) = self.value(value)?;
                let (reference, rty) = self.value_like(reference, &value)?;
                self.expect_number(vty, value.span)?;
                self.expect_number(rty, reference.span)?;
                if percent.node.is_negative() {
                    return self.error(
                        Problem::error("refract::check::negative_percent", "a change is given as a negative percentage", percent.span, "negative")
                            .with_help("write the size of the change and say its direction with `grew` or `shrank`"),
                    );
                }
                Some((
                    node(NodeKind::Change {
                        value: Box::new(value),
                        direction: *direction,
                        bound: *bound,
                        percent: percent.node,
                        reference: Box::new(reference),
                    }),
                    Ty::Cond,
                ))
            }
            ExprKind::Rises {
                series,
                reference,
                min_values,
            } => self.rises(expr, series, reference, min_values.node),
            ExprKind::AttributeOf(name, of) => {
                if name.node == "number" {
                    let of = self.event(of)?;
                    return Some((
                        node(NodeKind::SessionOrdinal(Some(Box::new(of)))),
                        Ty::Value(ValueTy::Number),
                    ));
                }
                let of = self.event(of)?;
                let vty = self.known_attribute(&name.node, name.span)?;
                Some((
                    node(NodeKind::Attribute(name.node.clone(), Some(Box::new(of)))),
                    Ty::Value(vty),
                ))
            }
            ExprKind::Name(name) => self.name(name, span),
            ExprKind::Call(name, args) => self.call(name, args, span),
            ExprKind::Latest(sel) | ExprKind::Earliest(sel) => {
                let set = Box::new(self.events(sel)?);
                let kind = if matches!(expr.kind, ExprKind::Latest(_)) {
                    NodeKind::Latest(set)
                } else {
                    NodeKind::Earliest(set)
                };
                Some((node(kind), Ty::Event))
            }
            ExprKind::Extreme(lowest, attribute, selection) => {
                let set = self.events(selection)?;
                let vty = self.known_attribute(&attribute.node, attribute.span)?;
                self.expect_number(vty, attribute.span)?;
                Some((
                    node(NodeKind::Extreme(
                        *lowest,
                        attribute.node.clone(),
                        Box::new(set),
                    )),
                    Ty::Event,
                ))
            }
            ExprKind::SessionNumber(n) => Some((node(NodeKind::SessionNumber(*n)), Ty::Event)),
            ExprKind::NextSession(of) | ExprKind::PreviousSession(of) => {
                let of = Box::new(self.event(of)?);
                let kind = if matches!(expr.kind, ExprKind::NextSession(_)) {
                    NodeKind::NextSession(of)
                } else {
                    NodeKind::PreviousSession(of)
                };
                Some((node(kind), Ty::Event))
            }
            ExprKind::Sessions => Some((node(NodeKind::Sessions), Ty::Events)),
            ExprKind::Select { .. } => {
                let (set, _) = self.selection_with_slot(expr)?;
                Some((set, Ty::Events))
            }
            ExprKind::Literal(literal) => {
                let constant = literal_const(literal);
                let vty = match constant {
                    Const::Number(_) => ValueTy::Number,
                    Const::Text(_) => ValueTy::Text,
                    Const::Bool(_) => ValueTy::Bool,
                    Const::List(_) | Const::Object(_) => ValueTy::Any,
                };
                Some((node(NodeKind::Const(constant)), Ty::Value(vty)))
            }
            ExprKind::Arith(op, left, right) => {
                let (left, right) = (self.value(left), self.value(right));
                let ((left, lty), (right, rty)) = (left?, right?);
                self.expect_number(lty, left.span)?;
                self.expect_number(rty, right.span)?;
                Some((
                    node(NodeKind::Arith(*op, Box::new(left), Box::new(right))),
                    Ty::Value(ValueTy::Number),
                ))
            }
            ExprKind::Score(items) => {
                let mut checked = Vec::new();
                for (points, condition) in items {
                    checked.push(self.condition(condition).map(|c| (points.node, c)));
                }
                let checked: Option<Vec<_>> = checked.into_iter().collect();
                Some((node(NodeKind::Score(checked?)), Ty::Value(ValueTy::Number)))
            }
            ExprKind::List(_) => self.error(
                Problem::error(
                    "refract::check::list_outside_in",
                    "a list can only follow `in`",
                    span,
                    "a list here",
                )
                .with_help("write `VALUE in [A, B]`"),
            ),
        }
    }

    fn expect_number(&mut self, vty: ValueTy, span: Span) -> Option<()> {
        match vty {
            ValueTy::Number | ValueTy::Any => Some(()),
            other => {
                self.wrong_type(span, "a number", Ty::Value(other), "only numbers can be compared with `>`, `<` or a percentage; compare words with `is` or `in`");
                None
            }
        }
    }

    /// Warn when a threshold lies outside what the attribute can take (`ecog > 7`): the
    /// comparison then always or never holds, which is almost always a slip.
    fn check_range(&mut self, left: &Node, op: ast::CompareOp, right: &Node, span: Span) {
        let (NodeKind::Attribute(name, _), NodeKind::Const(Const::Number(limit))) =
            (&left.kind, &right.kind)
        else {
            return;
        };
        let Some(AttrType::Number { min, max, .. }) =
            self.vocabulary.attribute(None, name).map(|a| a.ty)
        else {
            return;
        };
        let (low, high) = (min.map(Decimal::from_i64), max.map(Decimal::from_i64));
        let limit = *limit;
        let (never, always) = match op {
            ast::CompareOp::Greater => (
                high.is_some_and(|h| h <= limit),
                low.is_some_and(|l| l > limit),
            ),
            ast::CompareOp::GreaterOrEqual => (
                high.is_some_and(|h| h < limit),
                low.is_some_and(|l| l >= limit),
            ),
            ast::CompareOp::Less => (
                low.is_some_and(|l| l >= limit),
                high.is_some_and(|h| h < limit),
            ),
            ast::CompareOp::LessOrEqual => (
                low.is_some_and(|l| l > limit),
                high.is_some_and(|h| h <= limit),
            ),
        };
        if !(never || always) {
            return;
        }
        let range = match (min, max) {
            (Some(lo), Some(hi)) => format!("from {lo} to {hi}"),
            (Some(lo), None) => format!("at least {lo}"),
            (None, Some(hi)) => format!("at most {hi}"),
            (None, None) => return,
        };
        let verdict = if never { "never holds" } else { "always holds" };
        self.problems.push(
            Problem::warning(
                "refract::check::outside_range",
                format!("`{name}` is {range}, so this comparison {verdict}"),
                span,
                verdict,
            )
            .with_help(format!(
                "check the threshold against the range of `{name}` in the timeline format"
            )),
        );
    }

    /// A literal on the right of `is`/`in`, checked against the value's type.
    fn literal_in(
        &mut self,
        literal: &crate::source::Spanned<Literal>,
        vty: ValueTy,
    ) -> Option<Node> {
        let span = literal.span;
        if let Literal::Word(word) = &literal.node {
            if let Some(binding) = self.lookup(word) {
                let slot = match binding {
                    Binding::Value(slot) => slot,
                    Binding::Param(part, i, slot) => {
                        if let Some(flag) = self
                            .parts
                            .get_mut(part)
                            .and_then(|p| p.value_params.get_mut(i))
                        {
                            *flag = true;
                        }
                        slot
                    }
                    Binding::Event(_) => {
                        return self.error(
                            Problem::error("refract::check::wrong_type", format!("`{word}` is an event, not a value"), span, "an event")
                                .with_help(format!("compare an attribute of it, e.g. `target is the same as {word}`")),
                        ).map(|(n, _)| n);
                    }
                };
                return Some(Node {
                    kind: NodeKind::Slot(slot),
                    span,
                });
            }
        }
        let constant = literal_const(&literal.node);
        if let ValueTy::Category(values) = vty {
            let shown = constant_text(&constant);
            if !matches!(constant, Const::Bool(_)) && !values.iter().any(|v| *v == shown) {
                let near = suggest(&shown, values.iter().copied());
                let help = match near.first() {
                    Some(best) => format!(
                        "did you mean `{best}`? The values are {}",
                        values.join(", ")
                    ),
                    None => format!("the values are {}", values.join(", ")),
                };
                return self
                    .error(
                        Problem::error(
                            "refract::check::unknown_value",
                            format!("`{shown}` is not a value this attribute takes"),
                            span,
                            "not one of its values",
                        )
                        .with_help(help),
                    )
                    .map(|(n, _)| n);
            }
            return Some(Node {
                kind: NodeKind::Const(Const::Text(shown)),
                span,
            });
        }
        match (vty, &constant) {
            (ValueTy::Bool, Const::Text(text)) => self
                .error(
                    Problem::error("refract::check::wrong_type", format!("a yes/no attribute is compared with `{text}`"), span, "never equal to a yes/no value")
                        .with_help("name a yes/no attribute on its own to test it (`vascular_invasion`), or write `is true` / `is false`"),
                )
                .map(|(n, _)| n),
            (ValueTy::Number, Const::Text(text)) => self
                .error(
                    Problem::error(
                        "refract::check::wrong_type",
                        format!("a number is compared with the word `{text}`"),
                        span,
                        "a word, where a number is needed",
                    )
                    .with_help("write a number, e.g. `ecog is 3`"),
                )
                .map(|(n, _)| n),
            (ValueTy::Text, Const::Number(n)) => self
                .error(
                    Problem::error(
                        "refract::check::wrong_type",
                        format!("a text attribute is compared with the number {n}"),
                        span,
                        "a number, where a word is needed",
                    )
                    .with_help(format!("quote it: `\"{n}\"`")),
                )
                .map(|(n, _)| n),
            _ => Some(Node {
                kind: NodeKind::Const(constant),
                span,
            }),
        }
    }

    fn rises(
        &mut self,
        expr: &'d Expr,
        series: &'d Expr,
        reference: &'d Expr,
        min_values: u32,
    ) -> Checked {
        let ExprKind::AttributeOf(name, of) = &series.kind else {
            return self.error(
                Problem::error(
                    "refract::check::wrong_type",
                    "a trend needs the attribute of a selection",
                    series.span,
                    "which values?",
                )
                .with_help("write `value of SELECTION rises continuously above REFERENCE`"),
            );
        };
        let set = self.events(of)?;
        let vty = self.known_attribute(&name.node, name.span)?;
        self.expect_number(vty, name.span)?;
        let like = Node {
            kind: NodeKind::Attribute(name.node.clone(), None),
            span: name.span,
        };
        let (reference, rty) = self.value_like(reference, &like)?;
        self.expect_number(rty, reference.span)?;
        if min_values < 2 {
            return self.error(
                Problem::error(
                    "refract::check::short_series",
                    "a rise needs at least 2 values",
                    expr.span,
                    "fewer than 2",
                )
                .with_help("write `with at least 2 values` or more"),
            );
        }
        Some((
            Node {
                kind: NodeKind::Rises {
                    attribute: name.node.clone(),
                    series: Box::new(set),
                    reference: Box::new(reference),
                    min_values,
                },
                span: expr.span,
            },
            Ty::Cond,
        ))
    }

    fn window(&mut self, window: &'d ast::Window) -> Option<Window> {
        let anchor = self.event(&window.anchor)?;
        Some(Window {
            kind: window.kind.clone(),
            anchor: Box::new(anchor),
        })
    }

    /// A selection, with the slot its events are bound to.
    fn selection_with_slot(&mut self, expr: &'d Expr) -> Option<(Node, Slot)> {
        let slot = self.slot();
        let ExprKind::Select {
            head,
            binder,
            windows,
            unknown_if_none,
            filter,
        } = &expr.kind
        else {
            let set = self.events(expr)?;
            return Some((set, slot));
        };
        let head = self.events(head);
        let windows: Vec<Option<Window>> = windows.iter().map(|w| self.window(w)).collect();
        let filter = filter.as_ref().map(|filter| {
            self.with_it(|c| match binder {
                Some(name) => c.bind(&name.node, Binding::Event(slot), |c| c.condition(filter)),
                None => c.condition(filter),
            })
        });
        let windows: Option<Vec<Window>> = windows.into_iter().collect();
        let filter = match filter {
            None => None,
            Some(f) => Some(Box::new(f?)),
        };
        let node = NodeKind::Select {
            head: Box::new(head?),
            slot,
            windows: windows?,
            unknown_if_none: *unknown_if_none,
            filter,
        };
        Some((
            Node {
                kind: node,
                span: expr.span,
            },
            slot,
        ))
    }

    fn name(&mut self, name: &str, span: Span) -> Checked {
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
            self.note_reads_it();
            let vty = self.attribute_type(name);
            return Some((
                node(NodeKind::Attribute(name.to_string(), None)),
                Ty::Value(vty),
            ));
        }
        self.unknown_name(name, span)
    }

    /// Where events are expected, a name nothing defines and no known name is close to is a
    /// new event kind: allowed (a consensus may need one), with a warning.
    fn new_kind(&mut self, name: &str, span: Span) -> Option<Node> {
        let defined = self.lookup(name).is_some()
            || self.part_index.contains_key(name)
            || self.criterion_index.contains_key(name)
            || self.vocabulary.is_kind(name)
            || self.vocabulary.attribute(None, name).is_some();
        if defined {
            return None;
        }
        let mut known: Vec<&str> = self.vocabulary.kinds().collect();
        known.extend(self.part_index.keys().copied());
        if !suggest(name, known).is_empty() {
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
    fn unknown_name(&mut self, name: &str, span: Span) -> Checked {
        let mut candidates: Vec<String> = self.part_index.keys().map(|k| k.to_string()).collect();
        candidates.extend(self.criterion_index.keys().map(|k| k.to_string()));
        candidates.extend(self.scopes.iter().map(|(n, _)| n.clone()));
        candidates.extend(self.vocabulary.kinds().map(String::from));
        candidates.extend(self.vocabulary.attributes().map(|a| a.name.to_string()));
        candidates.sort_unstable();
        candidates.dedup();
        let near: Vec<String> = suggest(name, candidates.iter().map(String::as_str))
            .into_iter()
            .map(String::from)
            .collect();
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
    fn known_attribute(&mut self, name: &str, span: Span) -> Option<ValueTy> {
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

    fn attribute_type(&self, name: &str) -> ValueTy {
        match self.vocabulary.attribute(None, name).map(|a| a.ty) {
            Some(AttrType::Bool) => ValueTy::Bool,
            Some(AttrType::Number { .. }) => ValueTy::Number,
            Some(AttrType::Text) => ValueTy::Text,
            Some(AttrType::Category(values)) => ValueTy::Category(values),
            Some(AttrType::TextList) => ValueTy::TextList,
            None => ValueTy::Any,
        }
    }

    fn call(
        &mut self,
        name: &crate::source::Spanned<String>,
        args: &'d [Expr],
        span: Span,
    ) -> Checked {
        match self.part_index.get(name.node.as_str()) {
            Some(&index) => self.call_part(index, args, span),
            None => {
                let near = suggest(&name.node, self.part_index.keys().copied());
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

    fn call_part(&mut self, index: usize, args: &'d [Expr], span: Span) -> Checked {
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
        for (arg, is_value) in args.iter().zip(value_params) {
            let node = if is_value {
                self.value(arg).map(|(n, _)| n)
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

fn binder_of(selection: &Expr) -> Option<String> {
    match &selection.kind {
        ExprKind::Select {
            binder: Some(binder),
            ..
        } => Some(binder.node.clone()),
        _ => None,
    }
}

fn literal_const(literal: &Literal) -> Const {
    match literal {
        Literal::Number(n) => Const::Number(*n),
        Literal::Text(t) => Const::Text(t.clone()),
        Literal::Word(w) if w == "true" => Const::Bool(true),
        Literal::Word(w) if w == "false" => Const::Bool(false),
        Literal::Word(w) => Const::Text(w.clone()),
    }
}

fn constant_text(constant: &Const) -> String {
    match constant {
        Const::Number(n) => n.to_string(),
        Const::Text(t) => t.clone(),
        Const::Bool(b) => b.to_string(),
        Const::List(_) | Const::Object(_) => String::new(),
    }
}
