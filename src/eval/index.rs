//! What every definition asks of a patient's timeline first: where the sessions are and
//! where each kind of event is. Built once per patient and shared by every definition of
//! a run ([`evaluate_with`](super::evaluate_with)), instead of once per definition; each
//! kind's positions are found the first time a definition asks for them.

use std::cell::RefCell;
use std::rc::Rc;

use crate::timeline::Patient;

/// The positions of a patient's sessions and of each kind of event, in timeline order.
pub struct Index<'p> {
    patient: &'p Patient,
    pub(super) sessions: Rc<[usize]>,
    /// By kind, in order of first request (a handful of kinds: a list is quickest).
    kinds: RefCell<Vec<Positions<'p>>>,
}

/// A kind and where its events are.
type Positions<'p> = (&'p str, Rc<[usize]>);

impl<'p> Index<'p> {
    /// The index of `patient` (whose events are in timeline order).
    pub fn new(patient: &'p Patient) -> Index<'p> {
        let sessions = patient
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_procedure())
            .map(|(position, _)| position)
            .collect();
        Index {
            patient,
            sessions,
            kinds: RefCell::default(),
        }
    }

    /// The positions of the events of `kind`.
    pub(super) fn of_kind(&self, kind: &'p str) -> Rc<[usize]> {
        if let Some((_, positions)) = self.kinds.borrow().iter().find(|(k, _)| *k == kind) {
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
        self.kinds.borrow_mut().push((kind, Rc::clone(&positions)));
        positions
    }
}
