//! Before anything is evaluated: names, types, vocabulary. Produces the checked form the
//! evaluator runs, and warnings alongside it.

mod depth;
pub mod ir;
mod items;
mod reads;
mod resolve;
mod wording;

use std::sync::Arc;

use crate::ast::Definition;
use crate::diagnostics::Diagnostics;
use crate::source::SourceFile;
use crate::vocabulary::Vocabulary;
pub use ir::{Const, Node, NodeKind, Slot, Ty, ValueTy};
pub use reads::{attributes_read, criteria_used, definition_reads, parts_used};

/// A definition that passed the checker: what the evaluator runs.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The file it came from.
    pub source: Arc<SourceFile>,
    /// `definition ID`
    pub id: String,
    /// Where the id is written.
    pub id_span: crate::source::Span,
    /// `outcome NAME`
    pub outcome: String,
    /// Title, society, year and citation, for reports.
    pub title: Option<String>,
    /// The parts, by index.
    pub parts: Vec<CheckedPart>,
    /// The criteria, in file order.
    pub criteria: Vec<CheckedCriterion>,
    /// How the criteria combine.
    pub met_when: Node,
    /// How many slots evaluation needs.
    pub slots: usize,
    /// Every attribute the definition reads (`number` for a session's ordinal).
    pub reads: Vec<String>,
}

/// A checked part.
#[derive(Debug, Clone)]
pub struct CheckedPart {
    /// Its name.
    pub name: String,
    /// Its description, for explanations.
    pub description: Option<String>,
    /// Its name in words (`pre_session` → `pre session`), for explanations.
    pub label: String,
    /// The slots its parameters are bound to.
    pub params: Vec<Slot>,
    /// The parameters' names (a description may quote a value parameter as `{M}`).
    pub param_names: Vec<String>,
    /// Whether its result depends on the event examined where it is used, not only on its
    /// arguments (then it is not cached).
    pub reads_caller_it: bool,
    /// Whether each parameter is a value (`test is M`) rather than an event.
    pub value_params: Vec<bool>,
    /// Whether the description quotes each parameter as `{NAME}` (an event: its date).
    pub quoted_params: Vec<bool>,
    /// Its body.
    pub body: Node,
    /// What it stands for.
    pub ty: Ty,
}

/// A checked criterion.
#[derive(Debug, Clone)]
pub struct CheckedCriterion {
    /// Its name.
    pub name: String,
    /// The source sentence.
    pub source: Option<String>,
    /// The condition.
    pub body: Node,
}

/// Check a parsed definition. On success, the checked form and any warnings; on failure,
/// every error and warning found.
pub fn check(
    definition: &Definition,
    vocabulary: &Vocabulary,
) -> Result<(Checked, Diagnostics), Diagnostics> {
    // On a stack of known size, as parsing: the limits bound the recursion, this holds it.
    stacker::grow(crate::syntax::STACK_BYTES, || {
        items::check_definition(definition, vocabulary)
    })
}
