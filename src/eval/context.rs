//! What evaluation knows about one patient: the sorted timeline, the sessions, the bound
//! slots and the event examined, and the results of parts already called. The ways events,
//! selections, values and conditions are found are in the files beside this one, each an
//! `impl Context` of its own topic.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use super::value::{Bound, Datum, Found, Selection};
use super::verdict::Verdict;
use super::why::{View, Why};
use crate::check::{Checked, Node};
use crate::date::Date;
use crate::timeline::{Event, Patient, Value};

/// A part and the events it was called with (positions + 1; 0 and MAX for absent events).
pub type CallKey = (usize, usize, usize);

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
    pub selections: HashMap<CallKey, Selection<'a>>,
    /// Parts that name one event, by the same key.
    pub events: HashMap<CallKey, Found<'a>>,
    /// Slot contents hidden by the arguments of the calls under way, innermost last.
    saved: Vec<(usize, Bound<'a>)>,
    /// The positions of each kind of event asked for.
    kinds: Vec<(&'a str, Rc<[usize]>)>,
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
            selections: HashMap::new(),
            events: HashMap::new(),
            saved: Vec::new(),
            kinds: Vec::new(),
        }
    }

    /// The positions of the events of `kind`, in timeline order (found once per kind).
    pub fn of_kind(&mut self, kind: &'a str) -> Rc<[usize]> {
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

    /// The index among the sessions of the session at `position`, if it is one (sessions
    /// are in timeline order: a binary search).
    pub fn session_index(&self, position: usize) -> Option<usize> {
        self.sessions.binary_search(&position).ok()
    }

    /// The first session after `position`, or the last before it.
    pub fn adjacent_session(&self, position: usize, next: bool) -> Option<usize> {
        let at = self.sessions.partition_point(|&s| s <= position);
        if next {
            self.sessions.get(at).copied()
        } else {
            let before = self.sessions.partition_point(|&s| s < position);
            before.checked_sub(1).and_then(|i| self.sessions.get(i).copied())
        }
    }

    /// The cache key of a call, if its result depends only on up to two event arguments.
    pub fn call_key(&mut self, part: usize, args: &'a [Node]) -> Option<CallKey> {
        let checked = self.checked;
        let entry = checked.parts.get(part)?;
        if entry.reads_caller_it || args.len() > 2 || entry.value_params.iter().any(|v| *v) {
            return None;
        }
        let mut key = [0usize; 2];
        for (place, arg) in key.iter_mut().zip(args) {
            *place = match self.event(arg) {
                Found::At(position, ..) => position.checked_add(1)?,
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

    /// The event at a position, as found: it is itself from its own date.
    pub fn found(&self, position: usize) -> Found<'a> {
        Found::At(
            position,
            None,
            self.date_at(position).unwrap_or(Date::EARLIEST),
        )
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
                    Found::At(position, _, since) => {
                        anchor.get_or_insert(position);
                        Bound::Event(Found::At(position, None, since))
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
}
