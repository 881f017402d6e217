//! What evaluation knows about one patient: the sorted timeline, the sessions, the bound
//! slots and the event examined, and the results of parts already called. The ways events,
//! selections, values and conditions are found are in the files beside this one, each an
//! `impl Context` of its own topic.

use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;

use super::cache::{Cache, Entry};
use super::consult::{Consult, Hint};
use super::value::{Bound, Cell, Datum, Found, Selection, Source};
use super::verdict::Verdict;
use super::why::{Quoted, View, Why};
use crate::check::{Checked, Node, NodeKind};
use crate::date::Date;
use crate::timeline::{Event, Patient, Value};

/// Conditions one patient and definition may evaluate (a patient of 16,000 sessions under
/// a shipped definition takes under 900,000, a synthetic patient under 1,000): beyond it,
/// evaluation stops, in a second or two, and the patient's line for that definition says
/// so.
pub const MAX_STEPS: u64 = 4_000_000;

/// The evaluation state for one patient and one definition.
pub struct Context<'a> {
    /// The definition.
    pub checked: &'a Checked,
    /// The patient, events sorted.
    pub patient: &'a Patient,
    /// Positions of the sessions, in order.
    pub sessions: Rc<[usize]>,
    /// Bound slots.
    pub slots: Vec<Bound<'a>>,
    /// The events examined, innermost last.
    pub it: Vec<usize>,
    /// Criteria already evaluated (and, while missing data is filled in, in this trial).
    pub criteria: Vec<Option<Entry<'a, Verdict<'a>>>>,
    /// Criteria evaluated in the current trial.
    pub trial_criteria: Vec<Option<Entry<'a, Verdict<'a>>>>,
    /// Parts already called with the same events (`response(S)` is asked for again and
    /// again): a part that depends only on its arguments gives the same answer.
    pub selections: Cache<'a, Selection<'a>>,
    /// Parts that name one event, by the same key.
    pub events: Cache<'a, Found<'a>>,
    /// Parts that are conditions, by the same key.
    pub verdicts: Cache<'a, Verdict<'a>>,
    /// Missing values filled in for a trial: (cell, value).
    pub overlay: Vec<(Cell<'a>, Value)>,
    /// Whether a trial with filled-in values is under way.
    pub trying: bool,
    /// The cells read, in order, since the last criterion began.
    pub consults: Vec<Consult<'a>>,
    /// The events found missing, in order, since the last criterion began.
    pub missing: Vec<Why<'a>>,
    /// The address of the criterion body under evaluation, until a quantifier that is
    /// that body claims it: an `any` written at the top of a criterion notes which of its
    /// elements could still change, and a trial evaluates only those.
    pub top: usize,
    /// Per criterion: the elements of its top `any` (or `no`) that a filled-in value could
    /// change (unknown, or read a value an `else` fallback covered), by element number.
    pub focus: Vec<Option<Vec<usize>>>,
    /// The elements noted for the criterion under evaluation: number, and for an unknown
    /// one what it read.
    pub noting: Option<Vec<(usize, Option<Vec<Consult<'a>>>)>>,
    /// Per criterion: the unknown elements of its top `any`, with what each read. A met
    /// `any` may have an unknown element that is met whatever its missing data, earlier.
    pub unknown_elements: Vec<Vec<(usize, Vec<Consult<'a>>)>>,
    /// In a trial: the elements to evaluate of the criterion under evaluation.
    pub trial_focus: Option<Vec<usize>>,
    /// Slot contents hidden by the arguments of the calls under way, innermost last.
    pub(super) saved: Vec<(usize, Bound<'a>)>,
    /// The quoted arguments of the calls under way, innermost last.
    pub(super) quoting: Vec<Quoted<'a>>,
    /// Where the sessions and each kind of event are, shared by the definitions of a run.
    index: &'a super::index::Index<'a>,
    /// Conditions evaluated so far for this patient and definition.
    pub steps: u64,
    /// The conditions evaluating so far would have cost reusing no result: each step, and
    /// for each result reused, what making it would. What a result shared from another
    /// definition could cost here is bounded by it (`shared.rs`).
    pub cold: u64,
    /// The most conditions that may be evaluated before evaluation stops.
    pub step_limit: u64,
    /// Whether the limit was reached.
    pub stopped: bool,
    /// The criteria shared with the run's other definitions (`shared.rs`), when they are;
    /// how many results were taken, and the most steps evaluating them here could have
    /// cost more.
    pub shared: Option<super::shared::SharedCriteria<'a>>,
    pub shared_hits: u32,
    pub shared_slack: u64,
    /// Per criterion taken from another definition: that definition.
    pub taken: Vec<Option<&'a Checked>>,
    /// The events of a kind a list filter could keep, by (kind, filter, values).
    pub kept: HashMap<(usize, usize, String), Rc<[usize]>>,
    /// The windows resolved, when they are being recorded (`windows::windows_examined`).
    pub windows: Option<super::windows::Recorder>,
}

impl<'a> Context<'a> {
    /// A fresh context; `index` is the patient's.
    pub fn new(
        checked: &'a Checked,
        patient: &'a Patient,
        index: &'a super::index::Index<'a>,
    ) -> Context<'a> {
        Context {
            checked,
            patient,
            sessions: Rc::clone(&index.sessions),
            slots: vec![Bound::Empty; checked.slots],
            it: Vec::new(),
            criteria: vec![None; checked.criteria.len()],
            // Made at the first trial: most patients have none.
            trial_criteria: Vec::new(),
            selections: Cache::default(),
            events: Cache::default(),
            verdicts: Cache::default(),
            overlay: Vec::new(),
            trying: false,
            consults: Vec::new(),
            missing: Vec::new(),
            top: 0,
            focus: vec![None; checked.criteria.len()],
            noting: None,
            unknown_elements: vec![Vec::new(); checked.criteria.len()],
            trial_focus: None,
            saved: Vec::new(),
            quoting: Vec::new(),
            index,
            kept: HashMap::default(),
            steps: 0,
            cold: 0,
            step_limit: MAX_STEPS,
            stopped: false,
            shared: None,
            shared_hits: 0,
            shared_slack: 0,
            taken: Vec::new(),
            windows: None,
        }
    }

    /// The positions of the events of `kind`, in timeline order.
    pub fn of_kind(&mut self, kind: &'a str) -> Rc<[usize]> {
        self.index.of_kind(kind)
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
            before
                .checked_sub(1)
                .and_then(|i| self.sessions.get(i).copied())
        }
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

    /// The attribute `name` of the event at `position`: a filled-in value first.
    #[inline(always)]
    pub fn attr(&self, position: usize, name: &str) -> Option<&Value> {
        if !self.overlay.is_empty() {
            if let Some((_, value)) = self
                .overlay
                .iter()
                .find(|(c, _)| c.position == position && c.attribute == name)
            {
                return Some(value);
            }
        }
        self.event_at(position)?.get(name)
    }

    /// Whether a value is filled in for `cell` in this trial.
    pub fn filled(&self, cell: Cell<'_>) -> bool {
        self.overlay
            .iter()
            .any(|(c, _)| c.position == cell.position && c.attribute == cell.attribute)
    }

    /// Note how a cell was used.
    pub fn consult(&mut self, cell: Cell<'a>, hint: Hint<'a>) {
        self.consults.push(Consult {
            cell,
            hint,
            covered: false,
        });
    }

    /// The cell a value came from, when it is missing, `NE`, or filled in for this trial:
    /// the readings that tell which values of it could change an answer.
    pub fn cell_of(&self, node: &'a Node, datum: &Datum<'a>) -> Option<Cell<'a>> {
        match datum {
            Datum::Missing(_, cell) => *cell,
            Datum::Known(value, Source::Event(position, _)) => {
                let NodeKind::Attribute(name, _) = &node.kind else {
                    return None;
                };
                let cell = Cell {
                    position: *position,
                    attribute: name,
                };
                (self.filled(cell) || super::compare::is_not_evaluable(name, value)).then_some(cell)
            }
            Datum::Known(..) | Datum::Range(..) => None,
        }
    }

    /// The positions consulted and found missing so far, to keep with a result.
    pub fn mark(&self) -> (usize, usize) {
        (self.consults.len(), self.missing.len())
    }

    /// Whether `node` is the body of the criterion under evaluation, claimed once: only
    /// the quantifier written at the top of a criterion is focused.
    pub fn claim_top(&mut self, node: &Node) -> bool {
        let top = self.top == node as *const Node as usize;
        self.top = 0;
        top
    }

    /// Whether the element numbered `key` of the top quantifier need be evaluated in this
    /// trial (those that could not change keep their answer, which cannot be met).
    pub fn in_focus(&self, top: bool, key: usize) -> bool {
        // Noted in increasing order: a binary search.
        !top || !self.trying
            || self
                .trial_focus
                .as_ref()
                .is_none_or(|f| f.binary_search(&key).is_ok())
    }

    /// Note the element numbered `key` of the top quantifier if a filled-in value could
    /// change it: unknown, or it kept readings (of values an `else` fallback covered).
    pub fn note_element(
        &mut self,
        top: bool,
        key: usize,
        truth: super::truth::Truth,
        mark: (usize, usize),
    ) {
        let unknown = truth == super::truth::Truth::Unknown;
        if top && !self.trying && (unknown || self.consults.len() > mark.0) {
            let read = unknown.then(|| self.consults.get(mark.0..).unwrap_or_default().to_vec());
            if let Some(noting) = &mut self.noting {
                noting.push((key, read));
            }
        }
    }

    /// Forget the readings of missing values and the missing events made between two
    /// marks (readings of filled-in values stay: they show where else those values are
    /// compared, which the search must know).
    #[inline]
    pub fn forget_between(&mut self, from: (usize, usize), to: (usize, usize)) {
        if to.0 > from.0 || to.1 > from.1 {
            self.forget_range(from, to);
        }
    }

    fn forget_range(&mut self, (c0, m0): (usize, usize), (c1, m1): (usize, usize)) {
        let end = c1.min(self.consults.len());
        if end > c0 {
            // An `else` is not sound the way Kleene logic is: a value its fallback covered
            // can still change a decided answer, so its readings stay too. The range is
            // compacted in place; what follows it moves down once.
            let mut kept = c0;
            for at in c0..self.consults.len() {
                let keep = at >= end
                    || self.consults.get(at).is_some_and(|c| {
                        c.covered
                            || self.overlay.iter().any(|(f, _)| {
                                f.position == c.cell.position && f.attribute == c.cell.attribute
                            })
                    });
                if keep {
                    self.consults.swap(kept, at);
                    kept += 1;
                }
            }
            self.consults.truncate(kept);
        }
        if m1 > m0 {
            self.missing.drain(m0..m1.min(self.missing.len()));
        }
    }

    /// A result with what it consulted since `mark`.
    /// A result kept for reuse: what it read since `mark`, and what it cost since the
    /// cold count was `cold_from`.
    pub fn entry<T>(
        &self,
        value: T,
        (consults, missing): (usize, usize),
        cold_from: u64,
    ) -> Entry<'a, T> {
        // Most results read no missing data: no copy at all.
        let from = self.consults.get(consults..).unwrap_or_default();
        Entry {
            value,
            cold: self.cold.saturating_sub(cold_from),
            consults: if from.is_empty() {
                Vec::new()
            } else {
                from.to_vec()
            },
            missing: self.missing.get(missing..).map_or_else(Vec::new, |m| {
                if m.is_empty() {
                    Vec::new()
                } else {
                    m.to_vec()
                }
            }),
        }
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
}
