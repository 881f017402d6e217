//! The checked form of a definition: names resolved to criteria, parts and slots, every
//! node typed. The evaluator reads only this.

use crate::ast::{ArithOp, Bound, CompareOp, Direction, Quantifier, WindowKind};
use crate::number::Decimal;
use crate::source::Span;

/// A variable slot: a bound event or value, numbered across the whole definition.
pub type Slot = usize;

/// A constant value: the same type as a timeline value, so evaluation compares the two
/// without converting (only numbers, texts and yes/no occur in definitions).
pub use crate::timeline::Value as Const;

/// A window on an anchor event.
#[derive(Debug, Clone)]
pub struct Window {
    /// Its shape.
    pub kind: WindowKind,
    /// The anchor (an event node).
    pub anchor: Box<Node>,
}

/// A checked expression.
#[derive(Debug, Clone)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of checked expression.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// `not X`
    Not(Box<Node>),
    /// `X and Y`
    And(Box<Node>, Box<Node>),
    /// `X or Y`
    Or(Box<Node>, Box<Node>),
    /// `X else Y`
    Else(Box<Node>, Box<Node>),
    /// A quantifier over a selection; each element is bound to `slot` and is `it` in `body`.
    Quantified {
        /// How many.
        quantifier: Quantifier,
        /// Events.
        set: Box<Node>,
        /// The slot each element is bound to.
        slot: Slot,
        /// The condition (none: the element merely exists).
        body: Option<Box<Node>>,
        /// Whether the body depends on which element is bound to `slot`: found by the
        /// evaluator the first time it is asked, then kept with the definition for every
        /// patient and thread (it depends on the definition alone).
        reads_element: std::sync::OnceLock<bool>,
    },
    /// Pairs of consecutive sessions.
    Consecutive {
        /// How many pairs.
        quantifier: Quantifier,
        /// Slot of the earlier session.
        first: Slot,
        /// Slot of the later session.
        second: Slot,
        /// The condition.
        body: Box<Node>,
    },
    /// A run of at least `length` consecutive sessions, each bound to `slot` in turn and
    /// each satisfying `body`.
    Run {
        /// The fewest sessions in the run.
        length: u32,
        /// The slot each session is bound to.
        slot: Slot,
        /// The condition on each session.
        body: Box<Node>,
    },
    /// Each of several values, bound to `slot`.
    EachValue {
        /// How many.
        quantifier: Quantifier,
        /// The slot.
        slot: Slot,
        /// The values.
        values: Vec<Const>,
        /// The condition.
        body: Box<Node>,
    },
    /// `EVENT shows X`
    Shows(Box<Node>, Box<Node>),
    /// `EVENT is WINDOW`
    Occurs(Box<Node>, Window),
    /// `A > B` on numbers.
    Compare(Box<Node>, CompareOp, Box<Node>),
    /// `A [not] in [..]` (and `is`).
    In {
        /// The value.
        value: Box<Node>,
        /// `not in`
        negated: bool,
        /// Constants or bound values.
        list: Vec<Node>,
    },
    /// `A is the same as B` / `A differs from B`
    Same {
        /// Left.
        left: Box<Node>,
        /// Right.
        right: Box<Node>,
        /// `differs from`
        differs: bool,
    },
    /// `A grew by at least P % from B`
    Change {
        /// The new value.
        value: Box<Node>,
        /// Grew or shrank.
        direction: Direction,
        /// The comparison with the percentage.
        bound: Bound,
        /// The percentage.
        percent: Decimal,
        /// The reference value.
        reference: Box<Node>,
    },
    /// `ATTR of SET rises continuously above REF, with at least N values`
    Rises {
        /// The attribute read from each event of the series.
        attribute: String,
        /// The events.
        series: Box<Node>,
        /// The value to end above.
        reference: Box<Node>,
        /// The fewest values that make a series.
        min_values: u32,
    },
    /// Arithmetic on two numbers.
    Arith(ArithOp, Box<Node>, Box<Node>),
    /// The base-10 logarithm of a positive number.
    Log10(Box<Node>),
    /// Points for each condition that holds.
    Score(Vec<(Decimal, Node)>),
    /// A boolean value used as a condition.
    Truthy(Box<Node>),
    /// A criterion, by index.
    Criterion(usize),
    /// A part, by index, with its arguments.
    Call(usize, Vec<Node>),
    /// An attribute of an event (`None`: of the event examined, `it`).
    Attribute(String, Option<Box<Node>>),
    /// The session's ordinal number (`number`).
    SessionOrdinal(Option<Box<Node>>),
    /// A constant.
    Const(Const),
    /// A bound event or value.
    Slot(Slot),
    /// The event with the lowest (`true`) or highest value of an attribute in a selection.
    Extreme(bool, String, Box<Node>),
    /// The latest event of a selection.
    Latest(Box<Node>),
    /// The earliest event of a selection.
    Earliest(Box<Node>),
    /// The N-th session.
    SessionNumber(u32),
    /// The session after an event.
    NextSession(Box<Node>),
    /// The session before an event.
    PreviousSession(Box<Node>),
    /// All sessions.
    Sessions,
    /// All events of a kind.
    Kind(String),
    /// A narrowed selection.
    Select {
        /// The events before narrowing.
        head: Box<Node>,
        /// The slot each event is bound to while the filter runs.
        slot: Slot,
        /// All must hold.
        windows: Vec<Window>,
        /// An empty result is missing data.
        unknown_if_none: bool,
        /// `where`
        filter: Option<Box<Node>>,
    },
}

impl NodeKind {
    /// Calls `f` on each node directly inside this one (window anchors included).
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Node)) {
        match self {
            NodeKind::Not(a)
            | NodeKind::Truthy(a)
            | NodeKind::Extreme(_, _, a)
            | NodeKind::Latest(a)
            | NodeKind::Earliest(a)
            | NodeKind::NextSession(a)
            | NodeKind::PreviousSession(a)
            | NodeKind::Log10(a)
            | NodeKind::Consecutive { body: a, .. }
            | NodeKind::Run { body: a, .. }
            | NodeKind::EachValue { body: a, .. } => f(a),
            NodeKind::And(a, b)
            | NodeKind::Or(a, b)
            | NodeKind::Else(a, b)
            | NodeKind::Shows(a, b)
            | NodeKind::Compare(a, _, b)
            | NodeKind::Arith(_, a, b)
            | NodeKind::Same {
                left: a, right: b, ..
            }
            | NodeKind::Change {
                value: a,
                reference: b,
                ..
            }
            | NodeKind::Rises {
                series: a,
                reference: b,
                ..
            } => {
                f(a);
                f(b);
            }
            NodeKind::Quantified { set, body, .. } => {
                f(set);
                if let Some(body) = body {
                    f(body);
                }
            }
            NodeKind::Occurs(event, window) => {
                f(event);
                f(&window.anchor);
            }
            NodeKind::In { value, list, .. } => {
                f(value);
                list.iter().for_each(f);
            }
            NodeKind::Call(_, args) => args.iter().for_each(f),
            NodeKind::Score(items) => items.iter().for_each(|(_, condition)| f(condition)),
            NodeKind::Attribute(_, of) | NodeKind::SessionOrdinal(of) => {
                if let Some(of) = of {
                    f(of);
                }
            }
            NodeKind::Select {
                head,
                windows,
                filter,
                ..
            } => {
                f(head);
                windows.iter().for_each(|window| f(&window.anchor));
                if let Some(filter) = filter {
                    f(filter);
                }
            }
            NodeKind::Criterion(_)
            | NodeKind::Const(_)
            | NodeKind::Slot(_)
            | NodeKind::SessionNumber(_)
            | NodeKind::Sessions
            | NodeKind::Kind(_) => {}
        }
    }
}

/// What a checked expression stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A three-valued condition.
    Cond,
    /// One event (possibly absent).
    Event,
    /// Events.
    Events,
    /// A value.
    Value(ValueTy),
}

/// The type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueTy {
    /// A number.
    Number,
    /// Free text.
    Text,
    /// One of a set of words.
    Category(&'static [&'static str]),
    /// `true`/`false`.
    Bool,
    /// A list of texts.
    TextList,
    /// Not known (an attribute outside the vocabulary, a bound value).
    Any,
}

impl Ty {
    /// The type in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Ty::Cond => "a condition",
            Ty::Event => "an event",
            Ty::Events => "a selection of events",
            Ty::Value(ValueTy::Number) => "a number",
            Ty::Value(ValueTy::Text) | Ty::Value(ValueTy::Category(_)) => "a text value",
            Ty::Value(ValueTy::Bool) => "a yes/no value",
            Ty::Value(ValueTy::TextList) => "a list of texts",
            Ty::Value(ValueTy::Any) => "a value",
        }
    }
}
