//! What each name written in a definition stands for, read off the AST with the
//! checker's rules of precedence (a bound name, then a part, then a criterion — unless an
//! event is examined and the name is an attribute —, then `number`, an event kind, an
//! attribute): the occurrences hover, go to definition and find references look up, and,
//! for completion, what is expected where a placeholder name stands.
//!
//! Only names are resolved here; types and every error stay the checker's. A name the
//! checker would reject is simply not an occurrence.
//!
//! The types and lookups are here; the walk over the AST is in `walk.rs`.

mod walk;

use crate::ast::Definition;
use crate::source::Span;
use crate::vocabulary::Vocabulary;

/// What a name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meaning {
    /// A part, by its place among the definition's parts.
    Part(usize),
    /// A criterion, by its place among the definition's criteria.
    Criterion(usize),
    /// A name bound in the definition (see [`Index::bound`]).
    Bound(usize),
    /// An attribute of the event examined, or of a named event.
    Attribute {
        /// Its name.
        name: String,
        /// The kind of the event it is read from, when that is known here.
        kind: Option<&'static str>,
    },
    /// An event kind (`session`/`sessions` stand for `tace`).
    Kind(&'static str),
    /// `number`: the session's ordinal.
    Ordinal,
    /// A word compared with an attribute (`PD` in `mrecist is PD`).
    Value {
        /// The attribute.
        attribute: String,
        /// The word.
        value: String,
    },
}

/// One name as written.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// Where.
    pub span: Span,
    /// What it stands for.
    pub meaning: Meaning,
    /// Whether this is where it is defined (`part NAME`, `any session S`).
    pub declaration: bool,
}

/// A name bound by the definition: a part's parameter, an event a quantifier or a
/// selection names, a value of `any M in [..]`.
#[derive(Debug, Clone)]
pub struct Bound {
    /// The name.
    pub name: String,
    /// Where it is bound.
    pub span: Span,
    /// The kind of events it stands for, when one.
    pub kind: Option<&'static str>,
    /// What binds it, in words ("a parameter of part `response`").
    pub bound_by: String,
}

/// What a placeholder's place expects (see [`index_with_placeholder`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// A condition or value: attributes when an event is examined (of its kind, when
    /// known), parts, criteria, names in scope.
    Condition {
        /// Whether an event is examined there, and its kind when known.
        examined: Option<Option<&'static str>>,
    },
    /// Events: kinds, `session`/`sessions`, parts, names in scope.
    Events,
    /// An attribute of an event of a kind (when known), as after `lowest` or before `of`.
    Attribute(Option<&'static str>),
    /// A value of an attribute, as after `is` or in `[..]`.
    Value(String),
}

/// The names of one definition.
#[derive(Debug, Default)]
pub struct Index {
    /// Every name resolved, in the order walked.
    pub occurrences: Vec<Occurrence>,
    /// The names the definition binds.
    pub bound: Vec<Bound>,
    /// What the placeholder's place expects, with the names bound there.
    pub context: Option<(Context, Vec<usize>)>,
    /// The kind of the events each part stands for, when one.
    pub part_kinds: Vec<Option<&'static str>>,
}

impl Index {
    /// The occurrence at a byte offset: the one whose span holds it, or, for a cursor
    /// just after a word, the one that ends there.
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let inside = |o: &&Occurrence| o.span.start <= offset && offset < o.span.end;
        let touching = |o: &&Occurrence| o.span.start <= offset && offset <= o.span.end;
        let smallest = |o: &&Occurrence| o.span.end - o.span.start;
        self.occurrences
            .iter()
            .filter(inside)
            .min_by_key(smallest)
            .or_else(|| {
                self.occurrences
                    .iter()
                    .filter(touching)
                    .min_by_key(smallest)
            })
    }

    /// Every occurrence of what `meaning` names (parts, criteria and bound names only).
    pub fn references(&self, meaning: &Meaning) -> Vec<&Occurrence> {
        match meaning {
            Meaning::Part(_) | Meaning::Criterion(_) | Meaning::Bound(_) => self
                .occurrences
                .iter()
                .filter(|o| o.meaning == *meaning)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Where what `meaning` names is defined.
    pub fn declaration(&self, meaning: &Meaning) -> Option<&Occurrence> {
        self.references(meaning).into_iter().find(|o| o.declaration)
    }
}

/// The names of a definition.
pub fn index(definition: &Definition, vocabulary: &Vocabulary) -> Index {
    walk::walk_all(definition, vocabulary, None)
}

/// The names of a definition in which `placeholder` was written where completion was
/// asked for: [`Index::context`] says what is expected there.
pub fn index_with_placeholder(
    definition: &Definition,
    vocabulary: &Vocabulary,
    placeholder: &str,
) -> Index {
    walk::walk_all(definition, vocabulary, Some(placeholder))
}
