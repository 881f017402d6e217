//! Words written for a bound value: a part's argument (`marker_after(S, AFP)`) and the
//! list of `any M in [AFP, "PIVKA-II"]`. The value is compared somewhere else (`where test
//! is M`), so a word written for it is checked where it is written, against what the value
//! is compared with there: the attribute's type (a category's words, yes/no, a number) and
//! its list in the timeline format.

use super::{literal_const, Binding, Checker};
use crate::ast::{Expr, ExprKind, Literal};
use crate::check::ir::{Const, Node, NodeKind, Slot, ValueTy};
use crate::diagnostics::Problem;
use crate::source::Spanned;

/// What a bound value is compared with, gathered while its uses are checked.
#[derive(Clone, Default)]
pub struct Compared {
    /// The types of what it is compared with (`test is M`: text).
    types: Vec<ValueTy>,
    /// The attributes it is compared with (`test`).
    attributes: Vec<String>,
}

/// One comparison of a bound value.
pub(super) enum Against<'a> {
    /// With a value of this type.
    Type(ValueTy),
    /// With this attribute.
    Attribute(&'a str),
}

impl<'d> Checker<'d> {
    /// The bound value `binding` is compared with `against`.
    pub(super) fn note_compared(&mut self, binding: Binding, against: Against<'_>) {
        let (Binding::Value(slot) | Binding::Param(_, _, slot)) = binding else {
            return;
        };
        let compared = self.compared.entry(slot).or_default();
        match against {
            Against::Type(ty) if !compared.types.contains(&ty) => compared.types.push(ty),
            Against::Attribute(name) if !compared.attributes.iter().any(|a| a == name) => {
                compared.attributes.push(name.to_string());
            }
            _ => {}
        }
    }

    /// An argument for the value parameter in `param`. A bare name that nothing defines is
    /// the word it spells, as in a list or after `is`: `marker_after(S, AFP)` passes the test
    /// AFP. Read as an attribute of the event examined (a session has no `AFP`), it would
    /// pass nothing, and the file would not mean what it reads.
    pub(super) fn value_argument(&mut self, arg: &'d Expr, param: Slot) -> Option<Node> {
        match &arg.kind {
            ExprKind::Name(word) => {
                if let Some(binding) = self.lookup(word) {
                    // Passed on (`any M in [...]: marker_after(S, M)`): compared with what
                    // the parameter is.
                    let compared = self.compared.get(&param).cloned().unwrap_or_default();
                    for ty in compared.types {
                        self.note_compared(binding, Against::Type(ty));
                    }
                    for attribute in &compared.attributes {
                        self.note_compared(binding, Against::Attribute(attribute));
                    }
                } else if !self.names_something(word) && word != "number" {
                    return self.word_argument(word, arg, param);
                }
            }
            ExprKind::Literal(literal @ (Literal::Text(_) | Literal::Number(_))) => {
                let written = Spanned {
                    node: literal.clone(),
                    span: arg.span,
                };
                let constant = self.check_written(param, &written, false)?;
                return Some(Node {
                    kind: NodeKind::Const(constant),
                    span: arg.span,
                });
            }
            _ => {}
        }
        self.value(arg).map(|(n, _)| n)
    }

    fn word_argument(&mut self, word: &str, arg: &'d Expr, param: Slot) -> Option<Node> {
        let written = Spanned {
            node: Literal::Word(word.to_string()),
            span: arg.span,
        };
        // A word close to a name may be that name misspelt, unless it is one of the values
        // the parameter is compared with (`TAE`, close to `tace`, is a technique).
        if !self.is_known_value(param, word) {
            let near = self.similar(word, super::names::Among::Everything, arg.span)?;
            if let Some(best) = near.first() {
                return self
                    .error(
                        Problem::error(
                            "refract::check::unknown_name",
                            format!("`{word}` is not defined"),
                            arg.span,
                            "not a part, criterion, attribute, event kind or known value",
                        )
                        .with_help(format!(
                            "did you mean `{best}`? To pass the word {word}, quote it: `\"{word}\"`"
                        )),
                    )
                    .map(|(n, _)| n);
            }
        }
        let constant = self.check_written(param, &written, true)?;
        Some(Node {
            kind: NodeKind::Const(constant),
            span: arg.span,
        })
    }

    /// Whether `word` is a value of a category `slot` is compared with, or a listed or
    /// common word of an attribute it is compared with (`S8` of `target`).
    fn is_known_value(&self, slot: Slot, word: &str) -> bool {
        let Some(compared) = self.compared.get(&slot) else {
            return false;
        };
        let in_category = compared
            .types
            .iter()
            .any(|ty| matches!(ty, ValueTy::Category(values) if values.contains(&word)));
        in_category
            || compared.attributes.iter().any(|name| {
                self.vocabulary
                    .listed_values(name)
                    .is_some_and(|listed| listed.contains(&word))
                    || self
                        .vocabulary
                        .attribute(None, name)
                        .is_some_and(|spec| spec.words.contains(&word))
            })
    }

    /// Check a word, text or number written for the bound value in `slot` against what it is
    /// compared with, and give the constant it stands for: `None` after an error. Compared
    /// with a category only, a number is that category's word (`stage(S, 0)` for `bclc is
    /// B` is stage "0", as `bclc is 0` is). A bare word (`bare`) for a value compared with
    /// neither a list, a category nor an attribute's common words may be a name left
    /// unbound (`same_target(S, T)`): a warning says it is read as a word.
    pub(super) fn check_written(
        &mut self,
        slot: Slot,
        written: &Spanned<Literal>,
        bare: bool,
    ) -> Option<Const> {
        let compared = self.compared.get(&slot).cloned().unwrap_or_default();
        let typed: Vec<ValueTy> = compared
            .types
            .iter()
            .copied()
            .filter(|ty| *ty != ValueTy::Any)
            .collect();
        let mut constant = literal_const(&written.node);
        let mut ok = true;
        for ty in &compared.types {
            match self.literal_in(written, *ty) {
                Some(Node {
                    kind: NodeKind::Const(c),
                    ..
                }) if typed == [*ty] => constant = c,
                Some(_) => {}
                None => ok = false,
            }
        }
        ok.then_some(())?;
        let (Literal::Word(text) | Literal::Text(text)) = &written.node else {
            return Some(constant);
        };
        if self.is_known_value(slot, text) {
            return Some(constant);
        }
        let listed = compared
            .attributes
            .iter()
            .find(|name| self.vocabulary.listed_values(name).is_some());
        if let Some(first) = listed {
            let attribute = Node {
                kind: NodeKind::Attribute(first.clone(), None),
                span: written.span,
            };
            self.check_listed(&attribute, std::slice::from_ref(written));
            return Some(constant);
        }
        // An attribute outside the vocabulary is warned about where it is compared.
        let checked = typed
            .iter()
            .any(|ty| matches!(ty, ValueTy::Category(_) | ValueTy::Bool | ValueTy::Number))
            || compared
                .attributes
                .iter()
                .any(|name| self.vocabulary.attribute(None, name).is_none());
        if bare && !checked && text != "true" && text != "false" {
            self.problems.push(
                Problem::warning(
                    "refract::check::word_argument",
                    format!("`{text}` is passed as the word {text}"),
                    written.span,
                    "nothing of this name is bound here",
                )
                .with_help(format!(
                    "if a value is meant, quote it (`\"{text}\"`); if an event or a value \
                     named `{text}`, bind it first (`any session {text}: ...`)"
                )),
            );
        }
        Some(constant)
    }

    /// The list of `any M in [...]`, checked once its body is: a word against what `M` is
    /// compared with there. A name bound outside is an error: the list holds words, so
    /// `[M, AFP]` would compare with the word M, not with M's value.
    pub(super) fn check_value_list(
        &mut self,
        slot: Slot,
        values: &[Spanned<Literal>],
    ) -> Option<Vec<Const>> {
        let mut ok = true;
        let mut constants = Vec::with_capacity(values.len());
        for value in values {
            if let Literal::Word(word) = &value.node {
                if self.lookup(word).is_some() {
                    self.problems.push(
                        Problem::error(
                            "refract::check::bound_name_in_list",
                            format!("`{word}` is a name bound here, in a list of words"),
                            value.span,
                            "read as the word, not as what it names",
                        )
                        .with_help(format!(
                            "a list of `any ... in [...]` holds words and numbers; to include \
                             the word {word}, quote it (`\"{word}\"`)"
                        )),
                    );
                    ok = false;
                    continue;
                }
            }
            match self.check_written(slot, value, false) {
                Some(constant) => constants.push(constant),
                None => ok = false,
            }
        }
        ok.then_some(constants)
    }
}
