//! What evaluation knows about one patient: the sorted timeline, the sessions, the bound
//! slots and the event examined; and how events, selections and values are found.

use super::temporal;
use super::truth::Truth;
use super::verdict::Verdict;
use crate::check::{Checked, Const, Node, NodeKind};
use crate::date::Date;
use crate::number::Decimal;
use crate::timeline::{Event, Patient, Value};

/// One event found, or why there is none.
#[derive(Debug, Clone)]
pub enum Found {
    /// The event at this position of the sorted timeline, with a name for it in reasons.
    At(usize, Option<String>),
    /// Which event is meant depends on missing data (a later candidate might belong).
    Uncertain(String),
    /// No such event. `unbounded`: a bound on it is no bound (no next session: ever after).
    Absent {
        /// Why there is none, in words.
        why: String,
        /// Whether a window on it is open rather than empty.
        unbounded: bool,
    },
}

/// A selection: events with how sure each is to belong.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Positions in the sorted timeline, in timeline order, each with its membership.
    pub members: Vec<(usize, Truth)>,
    /// `unknown if none` and the window could hold a day: empty means missing data.
    pub missing_if_empty: bool,
    /// What was selected, for reasons ("CT/MRI 1 to 3 months after the session of ...").
    pub description: String,
}

/// A value read from the timeline or written in the definition.
#[derive(Debug, Clone)]
pub enum Datum {
    /// The value, and the event it was read from.
    Known(Value, Option<usize>),
    /// Missing, and why.
    Missing(String),
    /// A number known only to lie in `[low, high]` (a score with unknown items), and why.
    Range(Decimal, Decimal, String),
}

/// A slot's content.
#[derive(Debug, Clone)]
pub enum Bound {
    /// Nothing bound yet.
    Empty,
    /// An event.
    Event(Found),
    /// A value.
    Value(Datum),
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
    pub slots: Vec<Bound>,
    /// The events examined, innermost last.
    pub it: Vec<usize>,
    /// Criteria already evaluated.
    pub criteria: Vec<Option<Verdict>>,
}

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

    /// "the imaging of 2021-03-01", or the name a part gave it.
    pub fn describe(&self, position: usize, label: Option<&str>) -> String {
        match (label, self.event_at(position)) {
            (Some(label), Some(event)) => format!("{label} ({})", event.date),
            (_, Some(event)) if event.is_procedure() => format!("the session of {}", event.date),
            (_, Some(event)) => format!("the {} of {}", event.kind, event.date),
            (_, None) => "an event".to_string(),
        }
    }

    /// Bind a slot for the duration of `f`.
    pub fn with_slot<T>(&mut self, slot: usize, bound: Bound, f: impl FnOnce(&mut Self) -> T) -> T {
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

    /// Bind a part's arguments and run `f` on its body.
    pub fn call<T>(
        &mut self,
        part: usize,
        args: &'a [Node],
        f: impl FnOnce(&mut Self, &'a Node, Option<String>) -> T,
        absent: T,
    ) -> T {
        let checked = self.checked;
        let Some(part) = checked.parts.get(part) else {
            return absent;
        };
        let mut bound = Vec::new();
        let mut anchor = None;
        let mut quoted: Vec<(String, String)> = Vec::new();
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
                    quoted.push((format!("{{{name}}}"), super::compare::show(value)));
                }
                Bound::Value(datum)
            } else {
                match self.event(arg) {
                    Found::At(position, _) => {
                        anchor.get_or_insert_with(|| match self.event_at(position) {
                            Some(event) if event.is_procedure() => format!(" of {}", event.date),
                            _ => format!(" ({})", self.describe(position, None)),
                        });
                        Bound::Event(Found::At(position, None))
                    }
                    found => Bound::Event(found),
                }
            };
            bound.push((slot, value));
        }
        let olds: Vec<(usize, Bound)> = bound
            .into_iter()
            .map(|(slot, value)| {
                let old = self
                    .slots
                    .get_mut(slot)
                    .map(|place| std::mem::replace(place, value))
                    .unwrap_or(Bound::Empty);
                (slot, old)
            })
            .collect();
        let description = part.description.clone().map(|d| {
            let d = quoted
                .iter()
                .fold(d, |d, (name, value)| d.replace(name, value));
            format!("{d}{}", anchor.unwrap_or_default())
        });
        let description = description.or_else(|| Some(part.name.replace('_', " ")));
        let out = f(self, &part.body, description);
        for (slot, old) in olds {
            if let Some(place) = self.slots.get_mut(slot) {
                *place = old;
            }
        }
        out
    }

    /// The event a node names.
    pub fn event(&mut self, node: &'a Node) -> Found {
        match &node.kind {
            NodeKind::Slot(slot) => match self.slots.get(*slot) {
                Some(Bound::Event(found)) => found.clone(),
                _ => Found::Absent {
                    why: "nothing bound".to_string(),
                    unbounded: false,
                },
            },
            NodeKind::SessionNumber(n) => {
                match self.sessions.get((*n as usize).saturating_sub(1)) {
                    Some(&position) => Found::At(position, None),
                    None => Found::Absent {
                        why: format!("no session {n}"),
                        unbounded: false,
                    },
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
                                why: format!(
                                    "no {} session",
                                    if next { "next" } else { "previous" }
                                ),
                                unbounded: true,
                            },
                        }
                    }
                    absent => absent,
                }
            }
            NodeKind::Latest(set) | NodeKind::Earliest(set) => {
                let latest = matches!(node.kind, NodeKind::Latest(_));
                let selection = self.selection(set);
                pick(&selection, latest)
            }
            NodeKind::Call(part, args) => self.call(
                *part,
                args,
                |ctx, body, description| match ctx.event(body) {
                    Found::At(position, None) => Found::At(
                        position,
                        ctx.checked
                            .parts
                            .get(*part)
                            .map(|p| p.name.replace('_', " ")),
                    ),
                    Found::Absent { unbounded, .. } => Found::Absent {
                        why: format!("no {}", description.unwrap_or_default()),
                        unbounded,
                    },
                    found => found,
                },
                Found::Absent {
                    why: "no such part".to_string(),
                    unbounded: false,
                },
            ),
            _ => Found::Absent {
                why: "not an event".to_string(),
                unbounded: false,
            },
        }
    }

    /// The events a node selects.
    pub fn selection(&mut self, node: &'a Node) -> Selection {
        match &node.kind {
            NodeKind::Sessions => Selection {
                members: self.sessions.iter().map(|&s| (s, Truth::Met)).collect(),
                missing_if_empty: false,
                description: "session".to_string(),
            },
            NodeKind::Kind(kind) => Selection {
                members: (0..self.patient.events.len())
                    .filter(|&p| self.event_at(p).is_some_and(|e| &e.kind == kind))
                    .map(|p| (p, Truth::Met))
                    .collect(),
                missing_if_empty: false,
                description: kind.clone(),
            },
            NodeKind::Call(part, args) => self.call(
                *part,
                args,
                |ctx, body, description| {
                    let mut selection = ctx.selection(body);
                    if let Some(description) = description {
                        selection.description = description;
                    }
                    selection
                },
                Selection {
                    members: Vec::new(),
                    missing_if_empty: false,
                    description: String::new(),
                },
            ),
            NodeKind::Select {
                head,
                slot,
                windows,
                unknown_if_none,
                filter,
            } => {
                let base = self.selection(head);
                let bounds = temporal::bounds(self, windows);
                let mut members = Vec::new();
                for (position, membership) in base.members {
                    let membership = membership.and(bounds.membership(self, position));
                    if membership == Truth::NotMet {
                        continue;
                    }
                    let keep = match filter {
                        None => membership,
                        Some(filter) => {
                            let found = Bound::Event(Found::At(position, None));
                            let verdict = self.with_slot(*slot, found, |ctx| {
                                ctx.with_it(position, |ctx| ctx.condition(filter))
                            });
                            membership.and(verdict.truth)
                        }
                    };
                    if keep != Truth::NotMet {
                        members.push((position, keep));
                    }
                }
                Selection {
                    members,
                    missing_if_empty: *unknown_if_none && bounds.could_hold_a_day(),
                    description: base.description,
                }
            }
            _ => Selection {
                members: Vec::new(),
                missing_if_empty: false,
                description: String::new(),
            },
        }
    }

    /// The value a node stands for.
    pub fn datum(&mut self, node: &'a Node) -> Datum {
        match &node.kind {
            NodeKind::Const(constant) => Datum::Known(const_value(constant), None),
            NodeKind::Slot(slot) => match self.slots.get(*slot) {
                Some(Bound::Value(datum)) => datum.clone(),
                _ => Datum::Missing("nothing bound".to_string()),
            },
            NodeKind::Attribute(name, of) => {
                let found = match of {
                    None => match self.it.last() {
                        Some(&position) => Found::At(position, None),
                        None => Found::Absent {
                            why: "no event examined".to_string(),
                            unbounded: false,
                        },
                    },
                    Some(of) => self.event(of),
                };
                match found {
                    Found::At(position, label) => {
                        match self.event_at(position).and_then(|e| e.get(name)) {
                            Some(value) => Datum::Known(value.clone(), Some(position)),
                            None => Datum::Missing(format!(
                                "{name} missing on {}",
                                self.describe(position, label.as_deref())
                            )),
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
                                Value::Number(crate::number::Decimal::from_i64(index as i64 + 1)),
                                Some(position),
                            ),
                            None => Datum::Missing("not a session".to_string()),
                        }
                    }
                    _ => Datum::Missing("no session".to_string()),
                }
            }
            NodeKind::Call(part, args) => self.call(
                *part,
                args,
                |ctx, body, _| ctx.datum(body),
                Datum::Missing("no such part".to_string()),
            ),
            NodeKind::Arith(op, left, right) => {
                let (left, right) = (self.datum(left), self.datum(right));
                super::arith::arith(*op, &left, &right)
            }
            NodeKind::Score(items) => {
                let verdicts: Vec<(Decimal, super::truth::Truth, String)> = items
                    .iter()
                    .map(|(points, condition)| {
                        let verdict = self.condition(condition);
                        (*points, verdict.truth, verdict.why)
                    })
                    .collect();
                super::arith::score(&verdicts)
            }
            _ => Datum::Missing("not a value".to_string()),
        }
    }
}

/// The latest (or earliest) member. A later member whose membership is unknown makes the
/// choice itself unknown.
fn pick(selection: &Selection, latest: bool) -> Found {
    let ordered: Box<dyn Iterator<Item = &(usize, Truth)>> = if latest {
        Box::new(selection.members.iter().rev())
    } else {
        Box::new(selection.members.iter())
    };
    for &(position, membership) in ordered {
        match membership {
            Truth::Met => return Found::At(position, None),
            Truth::Unknown => {
                return Found::Uncertain(format!(
                    "unknown which is the {} {}",
                    if latest { "latest" } else { "earliest" },
                    selection.description
                ));
            }
            Truth::NotMet => {}
        }
    }
    Found::Absent {
        why: format!("no {}", selection.description),
        unbounded: false,
    }
}

pub fn const_value(constant: &Const) -> Value {
    match constant {
        Const::Number(n) => Value::Number(*n),
        Const::Text(t) => Value::Text(t.clone()),
        Const::Bool(b) => Value::Bool(*b),
    }
}
