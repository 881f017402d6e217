//! What every definition asks of a patient's timeline first: where the sessions are and
//! where each kind of event is. Built once per patient and shared by every definition of
//! a run ([`evaluate_with`](super::evaluate_with)), instead of once per definition.

use std::rc::Rc;

use crate::timeline::Patient;

/// The positions of a patient's sessions and of each kind of event, in timeline order.
pub struct Index {
    pub(super) sessions: Rc<[usize]>,
    /// By kind, in order of first appearance (a handful of kinds: a list is quickest).
    kinds: Vec<(String, Rc<[usize]>)>,
    none: Rc<[usize]>,
}

impl Index {
    /// The index of `patient` (whose events are in timeline order).
    pub fn new(patient: &Patient) -> Index {
        let mut kinds: Vec<(&str, Vec<usize>)> = Vec::new();
        for (position, event) in patient.events.iter().enumerate() {
            let kind: &str = &event.kind;
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, positions)) => positions.push(position),
                None => kinds.push((kind, vec![position])),
            }
        }
        let sessions = patient
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_procedure())
            .map(|(position, _)| position)
            .collect();
        Index {
            sessions,
            kinds: kinds
                .into_iter()
                .map(|(kind, positions)| (kind.to_owned(), positions.into()))
                .collect(),
            none: Rc::from([]),
        }
    }

    /// The positions of the events of `kind`.
    pub(super) fn of_kind(&self, kind: &str) -> Rc<[usize]> {
        let found = self.kinds.iter().find(|(k, _)| k == kind);
        Rc::clone(found.map_or(&self.none, |(_, positions)| positions))
    }
}
