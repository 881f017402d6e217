//! What evaluation knows about one patient: the sorted timeline, the sessions, the bound
//! slots and the event examined; and how events, selections and values are found.

use std::borrow::Cow;
use std::rc::Rc;

use super::temporal;
use super::truth::Truth;
use super::verdict::Verdict;
use super::why::{View, Why};
use crate::ast::CompareOp;
use crate::check::ir::Window;
use crate::check::{Checked, Node, NodeKind};
use crate::date::Date;
use crate::number::Decimal;
use crate::timeline::{Event, Patient, Value};

/// One event found, or why there is none.
#[derive(Debug, Clone)]
pub enum Found<'a> {
    /// The event at this position of the sorted timeline, with a name for it in reasons.
    At(usize, Option<&'a str>),
    /// Which event is meant depends on missing data (a later candidate might belong).
    Uncertain(Why<'a>),
    /// No such event. `unbounded`: a bound on it is no bound (no next session: ever after).
    Absent {
        /// Why there is none.
        why: Why<'a>,
        /// Whether a window on it is open rather than empty.
        unbounded: bool,
    },
}

impl<'a> Found<'a> {
    fn absent(why: impl Into<Why<'a>>) -> Found<'a> {
        Found::Absent {
            why: why.into(),
            unbounded: false,
        }
    }
}

/// A selection: events with how sure each is to belong.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    /// Positions in the sorted timeline, in timeline order, each with its membership.
    pub members: Vec<(usize, Truth)>,
    /// `unknown if none` and the window could hold a day: empty means missing data.
    pub missing_if_empty: bool,
    /// What was selected, for reasons ("CT/MRI 1 to 3 months after the session of ...").
    pub description: Why<'a>,
}

impl<'a> Selection<'a> {
    fn empty() -> Selection<'a> {
        Selection {
            members: Vec::new(),
            missing_if_empty: false,
            description: Why::Static(""),
        }
    }
}

/// A value read from the timeline or written in the definition.
#[derive(Debug, Clone)]
pub enum Datum<'a> {
    /// The value, and the event it was read from.
    Known(Cow<'a, Value>, Option<usize>),
    /// Missing, and why.
    Missing(Why<'a>),
    /// A number known only to lie in `[low, high]` (a score with unknown items), and why.
    Range(Decimal, Decimal, Why<'a>),
}

/// A slot's content.
#[derive(Debug, Clone)]
pub enum Bound<'a> {
    /// Nothing bound yet.
    Empty,
    /// An event.
    Event(Found<'a>),
    /// A value.
    Value(Datum<'a>),
}

/// The evaluation state for one patient and one definition.
pub struct Context<'a> {
    /// The definition.
    pub checked: &'a Checked,
    /// The patient, events sorted.
    pub patient: &'a Patient,
    /// Positions of the sessions, in order.
    pub sessions: Vec<usize>,
    /// Bound slots.
    pub slots: Vec<Bound<'a>>,
    /// The events examined, innermost last.
    pub it: Vec<usize>,
    /// Criteria already evaluated.
    pub criteria: Vec<Option<Verdict<'a>>>,
    /// Parts already called with the same events (`response(S)` is asked for again and
    /// again): a part that depends only on its arguments gives the same answer.
    selections: Vec<(CallKey, Selection<'a>)>,
    events: Vec<(CallKey, Found<'a>)>,
    /// Slot contents hidden by the arguments of the calls under way, innermost last.
    saved: Vec<(usize, Bound<'a>)>,
    /// The positions of each kind of event asked for.
    kinds: Vec<(&'a str, Rc<[usize]>)>,
}

/// How much of a selection is wanted: all of it, or only what decides the latest or
/// earliest member.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scan {
    All,
    Latest,
    Earliest,
}

/// A part and the events it was called with (positions; 0 and MAX for absent events).
type CallKey = (usize, usize, usize);

impl<'a> Context<'a> {
    /// A fresh context.
    pub fn new(checked: &'a Checked, patient: &'a Patient) -> Context<'a> {
        let sessions = patient
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_procedure())
            .map(|(position, _)| position)
            .collect();
        Context {
            checked,
            patient,
            sessions,
            slots: vec![Bound::Empty; checked.slots],
            it: Vec::new(),
            criteria: vec![None; checked.criteria.len()],
            selections: Vec::new(),
            events: Vec::new(),
            saved: Vec::new(),
            kinds: Vec::new(),
        }
    }

    /// The positions of the events of `kind`, in timeline order (found once per kind).
    fn of_kind(&mut self, kind: &'a str) -> Rc<[usize]> {
        if let Some((_, positions)) = self.kinds.iter().find(|(k, _)| *k == kind) {
            return Rc::clone(positions);
        }
        let positions: Rc<[usize]> = self
            .patient
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == kind)
            .map(|(p, _)| p)
            .collect();
        self.kinds.push((kind, Rc::clone(&positions)));
        positions
    }

    /// The cache key of a call, if its result depends only on up to two event arguments.
    fn call_key(&mut self, part: usize, args: &'a [Node]) -> Option<CallKey> {
        let checked = self.checked;
        let entry = checked.parts.get(part)?;
        if entry.reads_caller_it || args.len() > 2 || entry.value_params.iter().any(|v| *v) {
            return None;
        }
        let mut key = [0usize; 2];
        for (place, arg) in key.iter_mut().zip(args) {
            *place = match self.event(arg) {
                Found::At(position, _) => position.checked_add(1)?,
                Found::Absent {
                    unbounded: false, ..
                } => 0,
                Found::Absent {
                    unbounded: true, ..
                } => usize::MAX,
                Found::Uncertain(_) => return None,
            };
        }
        Some((part, key[0], key[1]))
    }

    /// What reasons are rendered from.
    pub fn view(&self) -> View<'a> {
        View {
            patient: self.patient,
            checked: self.checked,
        }
    }

    /// The event at a position.
    pub fn event_at(&self, position: usize) -> Option<&'a Event> {
        self.patient.events.get(position)
    }

    /// The date of the event at a position.
    pub fn date_at(&self, position: usize) -> Option<Date> {
        self.event_at(position).map(|e| e.date)
    }

    /// Bind a slot for the duration of `f`.
    pub fn with_slot<T>(
        &mut self,
        slot: usize,
        bound: Bound<'a>,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let old = match self.slots.get_mut(slot) {
            Some(place) => std::mem::replace(place, bound),
            None => Bound::Empty,
        };
        let out = f(self);
        if let Some(place) = self.slots.get_mut(slot) {
            *place = old;
        }
        out
    }

    /// Examine an event for the duration of `f`.
    pub fn with_it<T>(&mut self, position: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        self.it.push(position);
        let out = f(self);
        self.it.pop();
        out
    }

    /// Bind a part's arguments and run `f` on its body, with the part's description (its
    /// `{M}` filled in, and the session it is about) for reasons.
    pub fn call<T>(
        &mut self,
        part: usize,
        args: &'a [Node],
        f: impl FnOnce(&mut Self, &'a Node, Why<'a>) -> T,
        absent: T,
    ) -> T {
        let checked = self.checked;
        let Some(part) = checked.parts.get(part) else {
            return absent;
        };
        // The slots' earlier contents wait on one stack shared by all calls.
        let saved_from = self.saved.len();
        let mut anchor = None;
        let mut quoted: Vec<(&'a str, Cow<'a, Value>)> = Vec::new();
        for (index, ((arg, &slot), &is_value)) in args
            .iter()
            .zip(&part.params)
            .zip(&part.value_params)
            .enumerate()
        {
            let value = if is_value {
                let datum = self.datum(arg);
                if let (Datum::Known(value, _), Some(name)) = (&datum, part.param_names.get(index))
                {
                    quoted.push((name.as_str(), value.clone()));
                }
                Bound::Value(datum)
            } else {
                match self.event(arg) {
                    Found::At(position, _) => {
                        anchor.get_or_insert(position);
                        Bound::Event(Found::At(position, None))
                    }
                    found => Bound::Event(found),
                }
            };
            let old = self
                .slots
                .get_mut(slot)
                .map(|place| std::mem::replace(place, value))
                .unwrap_or(Bound::Empty);
            self.saved.push((slot, old));
        }
        let description = Why::Part {
            part,
            anchor,
            quoted: (!quoted.is_empty()).then(|| quoted.into()),
        };
        let out = f(self, &part.body, description);
        while self.saved.len() > saved_from {
            if let Some((slot, old)) = self.saved.pop() {
                if let Some(place) = self.slots.get_mut(slot) {
                    *place = old;
                }
            }
        }
        out
    }

    /// The event a node names.
    pub fn event(&mut self, node: &'a Node) -> Found<'a> {
        match &node.kind {
            NodeKind::Slot(slot) => match self.slots.get(*slot) {
                Some(Bound::Event(found)) => found.clone(),
                _ => Found::absent("nothing bound"),
            },
            NodeKind::SessionNumber(n) => {
                match self.sessions.get((*n as usize).saturating_sub(1)) {
                    Some(&position) => Found::At(position, None),
                    None => Found::absent(format!("no session {n}")),
                }
            }
            NodeKind::NextSession(of) | NodeKind::PreviousSession(of) => {
                let next = matches!(node.kind, NodeKind::NextSession(_));
                match self.event(of) {
                    Found::At(position, _) => {
                        let found = if next {
                            self.sessions.iter().find(|&&s| s > position)
                        } else {
                            self.sessions.iter().rev().find(|&&s| s < position)
                        };
                        match found {
                            Some(&s) => Found::At(s, None),
                            None => Found::Absent {
                                why: Why::Static(if next {
                                    "no next session"
                                } else {
                                    "no previous session"
                                }),
                                unbounded: true,
                            },
                        }
                    }
                    absent => absent,
                }
            }
            NodeKind::Extreme(lowest, attribute, set) => {
                let selection = self.selection(set);
                self.extreme(selection, attribute, *lowest)
            }
            NodeKind::Latest(set) | NodeKind::Earliest(set) => {
                let latest = matches!(node.kind, NodeKind::Latest(_));
                let scan = if latest { Scan::Latest } else { Scan::Earliest };
                let selection = match self.scan_select(set, scan) {
                    Some(selection) => selection,
                    None => self.selection(set),
                };
                pick(selection, latest)
            }
            NodeKind::Call(part, args) => {
                let key = self.call_key(*part, args);
                if let Some(found) = key.and_then(|key| self.events.iter().find(|(k, _)| *k == key))
                {
                    return found.1.clone();
                }
                let label = self.checked.parts.get(*part).map(|p| p.label.as_str());
                let found = self.call(
                    *part,
                    args,
                    |ctx, body, description| match ctx.event(body) {
                        Found::At(position, None) => Found::At(position, label),
                        Found::Absent { unbounded, .. } => Found::Absent {
                            why: Why::always_writes(move |view, out| {
                                out.push_str("no ");
                                description.render_into(view, out);
                            }),
                            unbounded,
                        },
                        found => found,
                    },
                    Found::absent("no such part"),
                );
                if let Some(key) = key {
                    self.events.push((key, found.clone()));
                }
                found
            }
            _ => Found::absent("not an event"),
        }
    }

    /// The events a node selects.
    pub fn selection(&mut self, node: &'a Node) -> Selection<'a> {
        match &node.kind {
            NodeKind::Sessions => Selection {
                members: self.sessions.iter().map(|&s| (s, Truth::Met)).collect(),
                missing_if_empty: false,
                description: Why::Static("session"),
            },
            NodeKind::Kind(kind) => Selection {
                members: self
                    .of_kind(kind)
                    .iter()
                    .map(|&p| (p, Truth::Met))
                    .collect(),
                missing_if_empty: false,
                description: Why::Borrowed(kind),
            },
            NodeKind::Call(part, args) => {
                let key = self.call_key(*part, args);
                if let Some(cached) =
                    key.and_then(|key| self.selections.iter().find(|(k, _)| *k == key))
                {
                    return cached.1.clone();
                }
                let selection = self.call(
                    *part,
                    args,
                    |ctx, body, description| {
                        let mut selection = ctx.selection(body);
                        selection.description = description;
                        selection
                    },
                    Selection::empty(),
                );
                if let Some(key) = key {
                    self.selections.push((key, selection.clone()));
                }
                selection
            }
            NodeKind::Select { .. } => self
                .scan_select(node, Scan::All)
                .unwrap_or_else(Selection::empty),
            _ => Selection::empty(),
        }
    }

    /// A `Select` node's events, as much of them as `scan` asks for; `None` for any other
    /// node.
    fn scan_select(&mut self, node: &'a Node, scan: Scan) -> Option<Selection<'a>> {
        let NodeKind::Select {
            head,
            slot,
            windows,
            unknown_if_none,
            filter,
        } = &node.kind
        else {
            return None;
        };
        let filter = filter.as_deref();
        Some(self.select(head, *slot, windows, *unknown_if_none, filter, scan))
    }

    /// The events of `head` inside the windows that pass the filter. Only the positions the
    /// windows admit are visited; a scan for the latest (earliest) stops at the first member
    /// from the end (start) that decides which event it is, as [`pick`] would.
    fn select(
        &mut self,
        head: &'a Node,
        slot: usize,
        windows: &'a [Window],
        unknown_if_none: bool,
        filter: Option<&'a Node>,
        scan: Scan,
    ) -> Selection<'a> {
        let bounds = temporal::bounds(self, windows);
        let range = bounds.range(self);
        let place = if bounds.uncertain() {
            Truth::Unknown
        } else {
            Truth::Met
        };
        let (mut candidates, description) = match &head.kind {
            NodeKind::Kind(kind) => {
                let positions = self.of_kind(kind);
                let from = positions.partition_point(|&p| p < range.start);
                let to = positions.partition_point(|&p| p < range.end);
                let inside = positions.get(from..to).unwrap_or_default();
                let candidates: Vec<(usize, Truth)> = inside.iter().map(|&p| (p, place)).collect();
                (candidates, Why::Borrowed(kind.as_str()))
            }
            _ => {
                let base = self.selection(head);
                let candidates = base
                    .members
                    .into_iter()
                    .filter(|(p, _)| range.contains(p))
                    .map(|(p, membership)| (p, membership.and(place)))
                    .collect();
                (candidates, base.description)
            }
        };
        if scan == Scan::Latest {
            candidates.reverse();
        }
        let mut members = Vec::with_capacity(match scan {
            Scan::All => candidates.len(),
            Scan::Latest | Scan::Earliest => 1,
        });
        for (position, membership) in candidates {
            let keep = match filter {
                None => membership,
                Some(filter) => {
                    let truth = match self.quick_truth(filter, position, slot) {
                        Some(truth) => truth,
                        None => {
                            let found = Bound::Event(Found::At(position, None));
                            // Only the truth of a filter is used: keep no reasons.
                            super::why::quietly(|| {
                                self.with_slot(slot, found, |ctx| {
                                    ctx.with_it(position, |ctx| ctx.condition(filter))
                                })
                            })
                            .truth
                        }
                    };
                    membership.and(truth)
                }
            };
            if keep != Truth::NotMet {
                members.push((position, keep));
                if scan != Scan::All {
                    break;
                }
            }
        }
        if scan == Scan::Latest {
            members.reverse();
        }
        Selection {
            members,
            missing_if_empty: unknown_if_none && bounds.could_hold_a_day(),
            description,
        }
    }

    /// The truth of a filter of the commonest shape, `ATTRIBUTE [not] in [...]` (and `is`)
    /// on the event at `position`, read directly as the general evaluation would decide it
    /// but without building a verdict; `None` for any other shape.
    fn quick_truth(&self, filter: &'a Node, position: usize, own_slot: usize) -> Option<Truth> {
        let (value, negated, list) = match &filter.kind {
            NodeKind::In {
                value,
                negated,
                list,
            } => (value, negated, list),
            NodeKind::Compare(left, op, right) => {
                return self.quick_compare(left, *op, right, position)
            }
            _ => return None,
        };
        let NodeKind::Attribute(name, None) = &value.kind else {
            return None;
        };
        let event = self.event_at(position)?;
        let truth = match event.get(name) {
            None => Truth::Unknown,
            Some(value) if super::compare::is_not_evaluable(name, value) => Truth::Unknown,
            Some(value) => {
                let mut unknown = false;
                let mut met = false;
                for item in list {
                    let candidate = match &item.kind {
                        NodeKind::Const(constant) => Some(constant),
                        // The element's own slot holds an event, not a value: missing.
                        NodeKind::Slot(slot) if *slot == own_slot => None,
                        NodeKind::Slot(slot) => match self.slots.get(*slot) {
                            Some(Bound::Value(Datum::Known(known, _))) => Some(known.as_ref()),
                            _ => None,
                        },
                        _ => return None,
                    };
                    match candidate {
                        Some(candidate) if super::compare::equal(value, candidate) => {
                            met = true;
                            break;
                        }
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                match (met, unknown) {
                    (true, _) => Truth::Met,
                    (false, true) => Truth::Unknown,
                    (false, false) => Truth::NotMet,
                }
            }
        };
        Some(if *negated { truth.not() } else { truth })
    }

    /// [`Context::quick_truth`] for `ATTRIBUTE > NUMBER` (any comparison) and `number >= N`
    /// on the event at `position`: unknown when the value is missing or not a number.
    fn quick_compare(
        &self,
        left: &'a Node,
        op: CompareOp,
        right: &'a Node,
        position: usize,
    ) -> Option<Truth> {
        let NodeKind::Const(constant) = &right.kind else {
            return None;
        };
        let threshold = constant.as_number()?;
        let value = match &left.kind {
            NodeKind::Attribute(name, None) => self.event_at(position)?.get(name),
            NodeKind::SessionOrdinal(None) => {
                return Some(match self.sessions.iter().position(|&s| s == position) {
                    Some(index) => compare_op(Decimal::from_i64(index as i64 + 1), op, threshold),
                    None => Truth::Unknown,
                });
            }
            _ => return None,
        };
        Some(match value.and_then(Value::as_number) {
            Some(number) => compare_op(number, op, threshold),
            None => Truth::Unknown,
        })
    }

    /// The member with the lowest (or highest) value of `attribute`, the earliest on a
    /// tie. A member whose membership or value is unknown could be the one: then which
    /// event it is, is unknown.
    fn extreme(&self, selection: Selection<'a>, attribute: &'a str, lowest: bool) -> Found<'a> {
        let mut best: Option<(usize, crate::number::Decimal)> = None;
        for &(position, membership) in &selection.members {
            let value = self
                .event_at(position)
                .and_then(|e| e.get(attribute))
                .and_then(Value::as_number);
            let (Truth::Met, Some(value)) = (membership, value) else {
                let description = selection.description;
                let which = if lowest { "lowest" } else { "highest" };
                return Found::Uncertain(Why::always(move |view| {
                    format!(
                        "unknown which {} has the {which} {attribute}",
                        description.render(view)
                    )
                }));
            };
            let better = best.is_none_or(|(_, b)| if lowest { value < b } else { value > b });
            if better {
                best = Some((position, value));
            }
        }
        match best {
            Some((position, _)) => Found::At(position, None),
            None => {
                let description = selection.description;
                Found::absent(Why::always(move |view| {
                    format!("no {}", description.render(view))
                }))
            }
        }
    }

    /// The value a node stands for.
    pub fn datum(&mut self, node: &'a Node) -> Datum<'a> {
        match &node.kind {
            NodeKind::Const(constant) => Datum::Known(Cow::Borrowed(constant), None),
            NodeKind::Slot(slot) => match self.slots.get(*slot) {
                Some(Bound::Value(datum)) => datum.clone(),
                _ => Datum::Missing(Why::Static("nothing bound")),
            },
            NodeKind::Attribute(name, of) => {
                let found = match of {
                    None => match self.it.last() {
                        Some(&position) => Found::At(position, None),
                        None => Found::absent("no event examined"),
                    },
                    Some(of) => self.event(of),
                };
                match found {
                    Found::At(position, label) => {
                        match self.event_at(position).and_then(|e| e.get(name)) {
                            Some(value) => Datum::Known(Cow::Borrowed(value), Some(position)),
                            None => Datum::Missing(Why::writes(move |view, out| {
                                out.push_str(name);
                                out.push_str(" missing on ");
                                view.describe_into(out, position, label);
                            })),
                        }
                    }
                    Found::Absent { why, .. } | Found::Uncertain(why) => Datum::Missing(why),
                }
            }
            NodeKind::SessionOrdinal(of) => {
                let found = match of {
                    None => self.it.last().map(|&p| Found::At(p, None)),
                    Some(of) => Some(self.event(of)),
                };
                match found {
                    Some(Found::At(position, _)) => {
                        match self.sessions.iter().position(|&s| s == position) {
                            Some(index) => Datum::Known(
                                Cow::Owned(Value::Number(Decimal::from_i64(index as i64 + 1))),
                                Some(position),
                            ),
                            None => Datum::Missing(Why::Static("not a session")),
                        }
                    }
                    _ => Datum::Missing(Why::Static("no session")),
                }
            }
            NodeKind::Call(part, args) => self.call(
                *part,
                args,
                |ctx, body, _| ctx.datum(body),
                Datum::Missing(Why::Static("no such part")),
            ),
            NodeKind::Arith(op, left, right) => {
                let (left, right) = (self.datum(left), self.datum(right));
                super::arith::arith(*op, &left, &right)
            }
            NodeKind::Score(items) => {
                let verdicts: Vec<(Decimal, Truth, Why<'a>)> = items
                    .iter()
                    .map(|(points, condition)| {
                        let verdict = self.condition(condition);
                        (*points, verdict.truth, verdict.why)
                    })
                    .collect();
                super::arith::score(verdicts)
            }
            _ => Datum::Missing(Why::Static("not a value")),
        }
    }
}

/// The latest (or earliest) member. A later member whose membership is unknown makes the
/// choice itself unknown.
fn pick(selection: Selection<'_>, latest: bool) -> Found<'_> {
    let ordered: Box<dyn Iterator<Item = &(usize, Truth)>> = if latest {
        Box::new(selection.members.iter().rev())
    } else {
        Box::new(selection.members.iter())
    };
    for &(position, membership) in ordered {
        match membership {
            Truth::Met => return Found::At(position, None),
            Truth::Unknown => {
                let description = selection.description;
                return Found::Uncertain(Why::always(move |view| {
                    format!(
                        "unknown which is the {} {}",
                        if latest { "latest" } else { "earliest" },
                        description.render(view)
                    )
                }));
            }
            Truth::NotMet => {}
        }
    }
    let description = selection.description;
    Found::absent(Why::always(move |view| {
        format!("no {}", description.render(view))
    }))
}

/// `a OP b` on exact numbers.
fn compare_op(a: Decimal, op: CompareOp, b: Decimal) -> Truth {
    Truth::from_bool(match op {
        CompareOp::Greater => a > b,
        CompareOp::GreaterOrEqual => a >= b,
        CompareOp::Less => a < b,
        CompareOp::LessOrEqual => a <= b,
    })
}
