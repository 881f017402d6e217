//! Checking each kind of expression.

use super::{binder_of, comparable, literal_const};
use super::{Binding, Checked, Checker};
use crate::ast::{self, Expr, ExprKind};
use crate::check::ir::{Const, Node, NodeKind, Ty, ValueTy};
use crate::diagnostics::Problem;

impl<'d> Checker<'d> {
    /// Any expression, with its type (through [`Checker::any`], which counts the depth).
    pub(super) fn expression(&mut self, expr: &'d Expr) -> Checked {
        let span = expr.span;
        let node = |kind| Node { kind, span };
        match &expr.kind {
            ExprKind::Not(inner) => Some((
                node(NodeKind::Not(Box::new(self.condition(inner)?))),
                Ty::Cond,
            )),
            ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Else(a, b) => {
                let a = self.condition(a);
                // What the left operand examines frames the right one's mistakes.
                let left = a.as_ref().and_then(|a| self.left_examines(a));
                let saved = std::mem::replace(&mut self.left_operand, left);
                let b = self.condition(b);
                self.left_operand = saved;
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
                self.note_slot_kind(slot, &set);
                let kind = self.kind_of(&set);
                let binder = binder_of(selection);
                let body = match body {
                    None => None,
                    Some((_, body)) => {
                        let checked = self.with_it(kind, Some(slot), |c| match &binder {
                            Some(name) => {
                                c.bind_named(name, Binding::Event(slot), |c| c.condition(body))
                            }
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
                        reads_element: std::sync::OnceLock::new(),
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
                if let Some(tace) = self.vocabulary.known_kind("tace") {
                    self.slot_kinds.insert(a, tace);
                    self.slot_kinds.insert(b, tace);
                }
                if let ast::Quantifier::AtLeast(n) | ast::Quantifier::AtMost(n) = quantifier {
                    let run = if let ast::Quantifier::AtLeast(_) = quantifier {
                        "at least"
                    } else {
                        "at most"
                    };
                    return self.error(
                        Problem::error(
                            "refract::check::pairs_counted",
                            format!("`{run} {n} consecutive sessions {}, {}` counts pairs of consecutive sessions, not a run of {n} sessions", first.node, second.node),
                            span,
                            "this counts pairs, anywhere in the record",
                        )
                        .with_help(format!("for a run of {n} sessions in a row write `at least {n} consecutive sessions S: ...` (one name, each session of the run); pairs are counted with `any`, `every` or `no consecutive sessions A, B: ...`")),
                    );
                }
                let body = self.bind_named(first, Binding::Event(a), |c| {
                    c.bind_named(second, Binding::Event(b), |c| c.condition(body))
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
            ExprKind::Run { length, name, body } => {
                if length.node == 0 {
                    return self.error(
                        Problem::error(
                            "refract::check::always_true",
                            "a run of 0 sessions always exists",
                            length.span,
                            "this counts nothing",
                        )
                        .with_help("write the fewest sessions the run must have, e.g. `at least 3 consecutive sessions S:`"),
                    );
                }
                let slot = self.slot();
                if let Some(tace) = self.vocabulary.known_kind("tace") {
                    self.slot_kinds.insert(slot, tace);
                }
                let body = self.bind_named(name, Binding::Event(slot), |c| c.condition(body))?;
                Some((
                    node(NodeKind::Run {
                        length: length.node,
                        slot,
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
                let body = self.bind_named(name, Binding::Value(slot), |c| c.condition(body));
                // Checked against what the body compares the name with, which may turn a
                // number into a category's word (`any K in [0]: ... bclc is K`).
                let values = self.check_value_list(slot, values);
                let body = body?;
                let values = values?;
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
                if let ExprKind::Name(name) = &event.kind {
                    let in_filter = self.filters.last() == Some(&self.it_depth);
                    if in_filter
                        && self.lookup(name).is_none()
                        && self.vocabulary.attribute(None, name).is_some()
                    {
                        return self.error(
                            Problem::error(
                                "refract::check::where_took_shows",
                                format!("`where` took the `shows`: `{name} shows ...` is read as the filter"),
                                event.span,
                                "an attribute, not an event that can show something",
                            )
                            .with_help(format!("`where` filters with everything after it; to filter the events and then test each one, put the selection in parentheses, `any (imaging where {name}) shows ...`, or join the conditions with `and`")),
                        );
                    }
                }
                let event = self.event(event);
                let kind = event.as_ref().and_then(|e| self.kind_of(e));
                let slot = match event.as_ref().map(|e| &e.kind) {
                    Some(NodeKind::Slot(slot)) => Some(*slot),
                    _ => None,
                };
                let cond = self.with_it(kind, slot, |c| c.condition(cond));
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
                self.check_listed(&value, std::slice::from_ref(literal));
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
                self.check_listed(&value, list);
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
                self.check_attribute_of(&name.node, name.span, &of);
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
            ExprKind::Log10(inner) => {
                let (inner, ty) = self.value(inner)?;
                self.expect_number(ty, inner.span)?;
                Some((
                    node(NodeKind::Log10(Box::new(inner))),
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
}
