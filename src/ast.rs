//! The typed syntax tree of a definition file. Every node carries its span; equality
//! ignores spans. Built once by `syntax::parse`, never from pest pairs later.

use std::sync::Arc;

use crate::number::Decimal;
use crate::source::{SourceFile, Span, Spanned};

/// A whole definition file.
#[derive(Debug, Clone)]
pub struct Definition {
    /// The file it was read from.
    pub source: Arc<SourceFile>,
    /// `definition ID`
    pub id: Spanned<String>,
    /// `title "..."`
    pub title: Option<Spanned<String>>,
    /// `society "..."`
    pub society: Option<Spanned<String>>,
    /// `year 2025`
    pub year: Option<Spanned<u32>>,
    /// `citation "..."`
    pub citation: Option<Spanned<String>>,
    /// `outcome refractory`
    pub outcome: Option<Spanned<String>>,
    /// Parts, criteria and the `met when` line, in file order.
    pub items: Vec<Item>,
    /// The header (`definition ID` and its metadata lines).
    pub header_span: Span,
}

impl PartialEq for Definition {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.title == other.title
            && self.society == other.society
            && self.year == other.year
            && self.citation == other.citation
            && self.outcome == other.outcome
            && self.items == other.items
    }
}

impl Definition {
    /// The parts, in file order.
    pub fn parts(&self) -> impl Iterator<Item = &Part> {
        self.items.iter().filter_map(|item| match item {
            Item::Part(part) => Some(part),
            _ => None,
        })
    }

    /// The criteria, in file order.
    pub fn criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.items.iter().filter_map(|item| match item {
            Item::Criterion(criterion) => Some(criterion),
            _ => None,
        })
    }

    /// The `met when` lines (a valid definition has exactly one).
    pub fn met_when(&self) -> impl Iterator<Item = &Expr> {
        self.items.iter().filter_map(|item| match item {
            Item::MetWhen(expr) => Some(expr),
            _ => None,
        })
    }
}

/// One top-level item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `part NAME(PARAMS) "description" = EXPR`
    Part(Part),
    /// `criterion NAME source "..." = EXPR`
    Criterion(Criterion),
    /// `met when EXPR`
    MetWhen(Expr),
}

/// A named reusable piece of a definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Its name.
    pub name: Spanned<String>,
    /// Its parameters.
    pub params: Vec<Spanned<String>>,
    /// What it means in words, used in explanations ("no {description}").
    pub description: Option<Spanned<String>>,
    /// What it stands for.
    pub body: Expr,
}

/// A named criterion with the sentence of the guideline it encodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// Its name, as reported in the output.
    pub name: Spanned<String>,
    /// The quoted source sentence.
    pub source: Option<Spanned<String>>,
    /// The condition.
    pub body: Expr,
}

/// An expression with its span.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
    /// Levels of the tree from here down (a leaf is 1), counted as it is built.
    height: usize,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

impl Expr {
    /// An expression at a span.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        let mut below = 0;
        kind.for_each_child(|child| below = below.max(child.height));
        Expr {
            kind,
            span,
            height: below + 1,
        }
    }

    /// Levels of the tree from here down (a leaf is 1): how deep checking recurses, and
    /// what the syntax limits bound.
    pub fn height(&self) -> usize {
        self.height
    }
}

impl ExprKind {
    /// Calls `f` on each expression directly inside this one (window anchors included).
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        match self {
            ExprKind::Not(a)
            | ExprKind::AttributeOf(_, a)
            | ExprKind::Extreme(_, _, a)
            | ExprKind::Latest(a)
            | ExprKind::Earliest(a)
            | ExprKind::NextSession(a)
            | ExprKind::PreviousSession(a)
            | ExprKind::Is { value: a, .. }
            | ExprKind::In { value: a, .. }
            | ExprKind::Log10(a)
            | ExprKind::Consecutive { body: a, .. }
            | ExprKind::Run { body: a, .. }
            | ExprKind::EachValue { body: a, .. } => f(a),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Else(a, b)
            | ExprKind::Shows(a, b)
            | ExprKind::Compare(a, _, b)
            | ExprKind::SameAs(a, b)
            | ExprKind::Differs(a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Change {
                value: a,
                reference: b,
                ..
            }
            | ExprKind::Rises {
                series: a,
                reference: b,
                ..
            } => {
                f(a);
                f(b);
            }
            ExprKind::Quantified {
                selection, body, ..
            } => {
                f(selection);
                if let Some((_, body)) = body {
                    f(body);
                }
            }
            ExprKind::Occurs(event, window) => {
                f(event);
                f(&window.anchor);
            }
            ExprKind::Call(_, args) => args.iter().for_each(f),
            ExprKind::Score(items) => items.iter().for_each(|(_, condition)| f(condition)),
            ExprKind::Select {
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
            ExprKind::Name(_)
            | ExprKind::SessionNumber(_)
            | ExprKind::Sessions
            | ExprKind::Literal(_)
            | ExprKind::List(_) => {}
        }
    }
}

/// `any`, `every`, `no`, `at least N`, `at most N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// At least one.
    Any,
    /// All of them (and, with `unknown if none`, at least one).
    Every,
    /// None of them.
    No,
    /// At least N.
    AtLeast(u32),
    /// At most N.
    AtMost(u32),
}

/// How a quantifier's body was written: `shows X` (binds tightly) or `: X`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connective {
    /// `shows COND`
    Shows,
    /// `: COND`
    Colon,
}

/// `>`, `>=`, `<`, `<=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
}

/// `grew` or `shrank`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The value rose.
    Grew,
    /// The value fell.
    Shrank,
}

/// `at least`, `more than`, `at most`, `less than`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `>=`
    AtLeast,
    /// `>`
    MoreThan,
    /// `<=`
    AtMost,
    /// `<`
    LessThan,
}

/// `+`, `-`, `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `50`, `12.5`
    Number(Decimal),
    /// `"PIVKA-II"`
    Text(String),
    /// `PD`, `curative` — or a bound name, resolved by the checker.
    Word(String),
}

/// A time unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Exact days.
    Days,
    /// Exact weeks (7 days).
    Weeks,
    /// Calendar months, clamped to the month's end.
    Months,
}

/// `3 months`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: Unit,
}

/// A window relative to an anchor event.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowKind {
    /// `from D1 to D2 after X`: date in [X + D1, X + D2].
    FromTo(Duration, Duration),
    /// `within D before X`: date in [X − D, X].
    WithinBefore(Duration),
    /// `within D after X`: date in [X, X + D].
    WithinAfter(Duration),
    /// `on or before X`: date ≤ X's date.
    OnOrBefore,
    /// `on or after X`: date ≥ X's date.
    OnOrAfter,
    /// `up to X`: at or before X in timeline order.
    UpTo,
    /// `after X`: later than X in timeline order.
    After,
    /// `before X`: earlier than X in timeline order.
    Before,
    /// `more than 3 months after X` and the like: a distance from X's date, strict or
    /// not (`more than`, `less than` / `at least`, `at most`), after or before X. The
    /// side towards X is X's place in the timeline order (`less than 1 month after X`
    /// starts after X), the other end is a date.
    Distance {
        /// How the distance compares with `span`.
        bound: Bound,
        /// The distance.
        span: Duration,
        /// After X (`true`) or before it.
        after: bool,
    },
}

/// A window and its anchor.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// The shape of the window.
    pub kind: WindowKind,
    /// The event it is relative to.
    pub anchor: Box<Expr>,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `not X`
    Not(Box<Expr>),
    /// `X and Y`
    And(Box<Expr>, Box<Expr>),
    /// `X or Y`
    Or(Box<Expr>, Box<Expr>),
    /// `X else Y`: Y only when X is unknown.
    Else(Box<Expr>, Box<Expr>),
    /// `any SELECTION shows X`, `at least 3 SELECTION`, `every session S: X`
    Quantified {
        /// How many must hold.
        quantifier: Quantifier,
        /// What is counted.
        selection: Box<Expr>,
        /// The condition on each, if any.
        body: Option<(Connective, Box<Expr>)>,
    },
    /// `any consecutive sessions A, B: X`
    Consecutive {
        /// How many pairs must hold.
        quantifier: Quantifier,
        /// The earlier session's name.
        first: Spanned<String>,
        /// The later session's name.
        second: Spanned<String>,
        /// The condition on the pair.
        body: Box<Expr>,
    },
    /// `at least 3 consecutive sessions S: X`: a run of that many consecutive sessions,
    /// each of which satisfies X (`more than 2` is written as `at least 3`).
    Run {
        /// The fewest sessions in the run.
        length: Spanned<u32>,
        /// The name of each session of the run.
        name: Spanned<String>,
        /// The condition on each session.
        body: Box<Expr>,
    },
    /// `any M in [AFP, "PIVKA-II"]: X`
    EachValue {
        /// How many values must hold.
        quantifier: Quantifier,
        /// The name bound to each value.
        name: Spanned<String>,
        /// The values.
        values: Vec<Spanned<Literal>>,
        /// The condition.
        body: Box<Expr>,
    },
    /// `EVENT shows X`
    Shows(Box<Expr>, Box<Expr>),
    /// `EVENT is within 6 months after T`
    Occurs(Box<Expr>, Window),
    /// `A > B`
    Compare(Box<Expr>, CompareOp, Box<Expr>),
    /// `A is [not] LITERAL`
    Is {
        /// The value examined.
        value: Box<Expr>,
        /// `is not`
        negated: bool,
        /// What it is compared with.
        literal: Spanned<Literal>,
    },
    /// `A [not] in [..]`
    In {
        /// The value examined.
        value: Box<Expr>,
        /// `not in`
        negated: bool,
        /// The allowed values.
        list: Vec<Spanned<Literal>>,
    },
    /// `A is the same as B`
    SameAs(Box<Expr>, Box<Expr>),
    /// `A differs from B`
    Differs(Box<Expr>, Box<Expr>),
    /// `A grew by at least 20 % from B`
    Change {
        /// The new value.
        value: Box<Expr>,
        /// Grew or shrank.
        direction: Direction,
        /// How the change compares with the percentage.
        bound: Bound,
        /// The percentage.
        percent: Spanned<Decimal>,
        /// The reference value (an event: the same attribute of it).
        reference: Box<Expr>,
    },
    /// `value of SELECTION rises continuously above REF, with at least N values`
    Rises {
        /// The series.
        series: Box<Expr>,
        /// The value it must end above (an event: the same attribute of it).
        reference: Box<Expr>,
        /// The fewest values that make a series (default 2).
        min_values: Spanned<u32>,
    },
    /// `ATTRIBUTE of EVENT`
    AttributeOf(Spanned<String>, Box<Expr>),
    /// A bare name: a part, a criterion, a bound name, an attribute of the event examined.
    Name(String),
    /// `part(args)`
    Call(Spanned<String>, Vec<Expr>),
    /// `log10(X)`: the base-10 logarithm of a positive number.
    Log10(Box<Expr>),
    /// `lowest ATTR among SELECTION` (`true`) or `highest ATTR among SELECTION`: the event
    /// with the extreme value, the earliest on a tie (the nadir of a measurement).
    Extreme(bool, Spanned<String>, Box<Expr>),
    /// `latest SELECTION`
    Latest(Box<Expr>),
    /// `earliest SELECTION`
    Earliest(Box<Expr>),
    /// `session 3`
    SessionNumber(u32),
    /// `next session after X`
    NextSession(Box<Expr>),
    /// `previous session before X`
    PreviousSession(Box<Expr>),
    /// `session`/`sessions`: all TACE sessions.
    Sessions,
    /// Events narrowed by windows and a filter.
    Select {
        /// The events before narrowing (a kind, a part, `sessions`).
        head: Box<Expr>,
        /// The name each event is bound to.
        binder: Option<Spanned<String>>,
        /// The windows, all of which must hold.
        windows: Vec<Window>,
        /// `unknown if none`
        unknown_if_none: bool,
        /// `where COND`
        filter: Option<Box<Expr>>,
    },
    /// `A + B`, `A - B`, `A * B` on numbers.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `score (4 if A, 1.5 if B)`: points for each condition that holds.
    Score(Vec<(Spanned<Decimal>, Expr)>),
    /// A number, text or list standing as a value.
    Literal(Literal),
    /// `[a, b]`
    List(Vec<Spanned<Literal>>),
}
