//! Values, literals, trends, windows and selections.

use super::{constant_text, literal_const};
use super::{words, Binding, Checked, Checker};
use crate::ast::{self, Expr, ExprKind, Literal};
use crate::check::ir::{Const, Node, NodeKind, Slot, Ty, ValueTy, Window};
use crate::diagnostics::Problem;
use crate::number::Decimal;
use crate::source::Span;
use crate::vocabulary::{suggest, AttrType};

impl<'d> Checker<'d> {
    pub(super) fn expect_number(&mut self, vty: ValueTy, span: Span) -> Option<()> {
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
    pub(super) fn check_range(
        &mut self,
        left: &Node,
        op: ast::CompareOp,
        right: &Node,
        span: Span,
    ) {
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
    /// A free-text attribute compared with a value its list in the contract does not have:
    /// a warning naming the nearest listed value (`deb-TACE`: did you mean `DEB-TACE`?).
    pub(super) fn check_listed(
        &mut self,
        value: &Node,
        literals: &[crate::source::Spanned<Literal>],
    ) {
        let NodeKind::Attribute(name, _) = &value.kind else {
            return;
        };
        // A bound value (`test is M`) is checked where its values are written (words.rs).
        for literal in literals {
            if let Literal::Word(word) = &literal.node {
                if let Some(binding) = self.lookup(word) {
                    self.note_compared(binding, words::Against::Attribute(name));
                }
            }
        }
        let Some(listed) = self.vocabulary.listed_values(name) else {
            return;
        };
        for literal in literals {
            let (Literal::Text(text) | Literal::Word(text)) = &literal.node else {
                continue;
            };
            if self.lookup(text).is_some() || listed.contains(&text.as_str()) {
                continue;
            }
            let same_letters = listed.iter().find(|v| v.eq_ignore_ascii_case(text));
            let near = same_letters
                .copied()
                .or_else(|| suggest(text, listed.iter().copied()).first().copied());
            let help = match near {
                Some(best) => format!(
                    "did you mean `{best}`? Values are compared exactly; the contract lists {}",
                    listed.join(", ")
                ),
                None => format!(
                    "if the timelines carry this value, nothing to do; the contract lists {}",
                    listed.join(", ")
                ),
            };
            self.problems.push(
                Problem::warning(
                    "refract::check::unlisted_value",
                    format!(
                        "`{text}` is not one of the values the timeline format lists for `{name}`"
                    ),
                    literal.span,
                    "not a listed value",
                )
                .with_help(help),
            );
        }
    }

    pub(super) fn literal_in(
        &mut self,
        literal: &crate::source::Spanned<Literal>,
        vty: ValueTy,
    ) -> Option<Node> {
        let span = literal.span;
        if let Literal::Word(word) = &literal.node {
            if let Some(binding) = self.lookup(word) {
                self.note_compared(binding, words::Against::Type(vty));
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
                kind: NodeKind::Const(Const::Text(shown.into())),
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

    pub(super) fn rises(
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

    pub(super) fn window(&mut self, window: &'d ast::Window) -> Option<Window> {
        let anchor = self.event(&window.anchor)?;
        Some(Window {
            kind: window.kind.clone(),
            anchor: Box::new(anchor),
        })
    }

    /// A selection, with the slot its events are bound to.
    pub(super) fn selection_with_slot(&mut self, expr: &'d Expr) -> Option<(Node, Slot)> {
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
        if let Some(head) = &head {
            self.note_slot_kind(slot, head);
        }
        let kind = head.as_ref().and_then(|h| self.kind_of(h));
        let windows: Vec<Option<Window>> = windows.iter().map(|w| self.window(w)).collect();
        let filter = filter.as_ref().map(|filter| {
            self.with_it(kind, Some(slot), |c| {
                c.filters.push(c.it_depth);
                let checked = match binder {
                    Some(name) => c.bind(&name.node, Binding::Event(slot), |c| c.condition(filter)),
                    None => c.condition(filter),
                };
                c.filters.pop();
                checked
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
}
