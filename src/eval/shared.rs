//! Criteria shared by the definitions of a run. A criterion written the same way in two
//! definitions (its condition as written, and every part it uses: name, description,
//! parameters and body) means the same in both: the first to evaluate it for a patient
//! keeps its result in the patient's [`SharedCriteria`], and the others take it as if
//! they had evaluated it themselves, with the data it read and the elements a filled-in
//! value could change. jsh-2010 and jsh-lcsgj-2014 share three criteria, the tumour-marker
//! one the costliest of either; two revisions of one definition share most of theirs.
//!
//! A result is taken only where evaluating again could not differ:
//! - outside trials of missing values, with no event examined, while no windows are
//!   recorded and before evaluation stopped;
//! - not by a definition in which another criterion uses it (a reason repeated between
//!   the two is written once only when both are the same kept reason);
//! - where the two definitions read other attributes, only if no two events of the
//!   patient at the same place of the timeline are told apart by the one and not the
//!   other (whether they are tied is asked of each definition's attributes);
//! - and when the steps it saves could not have reached the step limit: see
//!   [`Context::beyond_shared_slack`], which `evaluate_sharing` answers by evaluating the
//!   definition again, alone.
//!
//! A taken result's reasons are written from the definition it was made in
//! ([`Context::view_for`]): they name its parts by their place there.

use rustc_hash::FxHashMap as HashMap;

use super::cache::Entry;
use super::consult::Consult;
use super::context::Context;
use super::verdict::Verdict;
use crate::check::Checked;
use crate::timeline::{Event, Patient};

/// Which criteria of a run's definitions are written the same way in more than one of
/// them (found once per run, before any patient).
#[derive(Debug, Default)]
pub struct Sharing {
    /// Per definition (by address), the shared id of each criterion.
    ids: HashMap<usize, Vec<Option<usize>>>,
    /// Per two definitions (by address) that read other attributes: how they differ.
    reads: HashMap<(usize, usize), Reads>,
}

/// What two definitions read: what only the first reads, only the second, and both.
#[derive(Debug)]
struct Reads {
    only_first: Vec<String>,
    only_second: Vec<String>,
    both: Vec<String>,
}

impl Reads {
    /// `None` when `a` and `b` read the same attributes.
    fn of(a: &[String], b: &[String]) -> Option<Reads> {
        let only = |these: &[String], those: &[String]| -> Vec<String> {
            these
                .iter()
                .filter(|name| !those.contains(name))
                .cloned()
                .collect()
        };
        let (only_first, only_second) = (only(a, b), only(b, a));
        if only_first.is_empty() && only_second.is_empty() {
            return None;
        }
        let both = a.iter().filter(|name| b.contains(name)).cloned().collect();
        Some(Reads {
            only_first,
            only_second,
            both,
        })
    }
}

impl Sharing {
    /// The criteria `definitions` share.
    pub fn new<'d>(definitions: impl IntoIterator<Item = &'d Checked>) -> Sharing {
        let definitions: Vec<&Checked> = definitions.into_iter().collect();
        let texts: Vec<Vec<Option<String>>> = definitions
            .iter()
            .map(|checked| {
                // A criterion another criterion uses is not taken: its reason would meet
                // that one's, made here, and a reason is written once only when both are
                // the same one.
                let used: Vec<usize> = checked
                    .criteria
                    .iter()
                    .flat_map(|c| crate::check::criteria_used(checked, &c.body))
                    .collect();
                (0..checked.criteria.len())
                    .map(|c| {
                        (!used.contains(&c))
                            .then(|| fingerprint(checked, c))
                            .flatten()
                    })
                    .collect()
            })
            .collect();
        // Each text's id, and in how many definitions it occurs.
        let mut found: HashMap<&str, (usize, usize)> = HashMap::default();
        for criteria in &texts {
            let mut mine: Vec<&str> = criteria.iter().flatten().map(String::as_str).collect();
            mine.sort_unstable();
            mine.dedup();
            for text in mine {
                let next = found.len();
                found.entry(text).or_insert((next, 0)).1 += 1;
            }
        }
        let mut ids = HashMap::default();
        for (checked, criteria) in definitions.iter().zip(&texts) {
            let of_criteria = criteria
                .iter()
                .map(|text| match found.get(text.as_deref()?) {
                    Some(&(id, uses)) if uses > 1 => Some(id),
                    _ => None,
                })
                .collect();
            ids.insert(address(checked), of_criteria);
        }
        let mut reads = HashMap::default();
        for a in &definitions {
            for b in &definitions {
                if let Some(differ) = Reads::of(&a.reads, &b.reads) {
                    reads.insert((address(a), address(b)), differ);
                }
            }
        }
        Sharing { ids, reads }
    }

    /// How many criteria are shared, counting each definition's own.
    pub fn shared_criteria(&self) -> usize {
        self.ids.values().flatten().flatten().count()
    }

    fn id(&self, checked: &Checked, criterion: usize) -> Option<usize> {
        self.ids
            .get(&address(checked))?
            .get(criterion)
            .copied()
            .flatten()
    }
}

fn address(checked: &Checked) -> usize {
    checked as *const Checked as usize
}

/// A criterion as written with the parts it uses, for finding it in other definitions;
/// `None` for one that uses another criterion.
fn fingerprint(checked: &Checked, criterion: usize) -> Option<String> {
    let text = &checked.source.text;
    let criterion = checked.criteria.get(criterion)?;
    let parts = crate::check::parts_used(checked, &criterion.body)?;
    let mut written = Vec::with_capacity(parts.len());
    for part in parts {
        let part = checked.parts.get(part)?;
        let body = text.get(part.body.span.start..part.body.span.end)?;
        written.push(format!(
            "{}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{}\u{0}{body}",
            part.name,
            part.label,
            part.description,
            part.param_names,
            part.value_params,
            part.quoted_params,
            part.ty,
            part.reads_caller_it,
        ));
    }
    written.sort_unstable();
    let mut out = text
        .get(criterion.body.span.start..criterion.body.span.end)?
        .to_string();
    for part in written {
        out.push('\u{1}');
        out.push_str(&part);
    }
    Some(out)
}

/// One definition's result for a shared criterion and patient.
pub(super) struct Shared<'a> {
    /// The definition that made it.
    by: &'a Checked,
    /// The conditions evaluated to make it (its cold cost is in the entry).
    steps: u64,
    entry: Entry<'a, Verdict<'a>>,
    focus: Option<Vec<usize>>,
    unknown: Vec<(usize, Vec<Consult<'a>>)>,
    /// Its reason as the maker wrote it, once written: a definition that takes the result
    /// writes it from the maker's definition, so the same words.
    reason: Option<String>,
}

/// The results of shared criteria for one patient, kept between the definitions of a run:
/// made with the patient's [`Index`](super::Index) and given to each definition's
/// evaluation ([`evaluate_sharing`](super::evaluate_sharing)).
pub struct SharedCriteria<'a> {
    sharing: &'a Sharing,
    results: HashMap<usize, Shared<'a>>,
    /// Whether the patient's ties are told apart alike by two definitions (by address).
    ties: Vec<(usize, usize, bool)>,
}

impl<'a> SharedCriteria<'a> {
    /// No results yet, for the criteria `sharing` finds shared.
    pub fn new(sharing: &'a Sharing) -> SharedCriteria<'a> {
        SharedCriteria {
            sharing,
            results: HashMap::default(),
            ties: Vec::new(),
        }
    }

    /// The results, leaving none.
    pub(super) fn take(&mut self) -> SharedCriteria<'a> {
        std::mem::replace(self, SharedCriteria::new(self.sharing))
    }
}

impl<'a> Context<'a> {
    /// The shared id of criterion `index`, when its result may be shared now.
    pub(super) fn sharing_id(&self, index: usize) -> Option<usize> {
        if self.trying || self.stopped || self.windows.is_some() || !self.it.is_empty() {
            return None;
        }
        self.shared.as_ref()?.sharing.id(self.checked, index)
    }

    /// Another definition's result for criterion `index` (shared as `id`), taken as this
    /// definition's own, if one may be.
    pub(super) fn take_shared(&mut self, index: usize, id: usize) -> Option<Verdict<'a>> {
        let store = self.shared.as_mut()?;
        let shared = store.results.get(&id)?;
        let (by, me) = (address(shared.by), address(self.checked));
        if by == me {
            return None;
        }
        if let Some(reads) = store.sharing.reads.get(&(by, me)) {
            let agree = match store.ties.iter().find(|t| (t.0, t.1) == (by, me)) {
                Some(&(.., agree)) => agree,
                None => {
                    let agree = ties_agree(self.patient, reads);
                    store.ties.push((by, me, agree));
                    agree
                }
            };
            if !agree {
                return None;
            }
        }
        let (by_checked, entry, steps) = (shared.by, shared.entry.clone(), shared.steps);
        let (focus, unknown) = (shared.focus.clone(), shared.unknown.clone());
        // Counted as its maker's steps; evaluated here, it could cost up to its cold cost.
        self.steps = self.steps.saturating_add(steps);
        self.shared_slack = self
            .shared_slack
            .saturating_add(entry.cold.saturating_sub(steps));
        self.shared_hits += 1;
        let value = entry.replay(&mut self.consults, &mut self.missing, &mut self.cold);
        if let Some(place) = self.criteria.get_mut(index) {
            *place = Some(entry);
        }
        if let Some(place) = self.focus.get_mut(index) {
            *place = focus;
        }
        if let Some(place) = self.unknown_elements.get_mut(index) {
            *place = unknown;
        }
        if self.taken.len() <= index {
            self.taken.resize(index + 1, None);
        }
        if let Some(place) = self.taken.get_mut(index) {
            *place = Some(by_checked);
        }
        Some(value)
    }

    /// After this definition evaluated criterion `index` (shared as `id`), begun at
    /// `before` steps: keep its result for the others.
    pub(super) fn offer_shared(&mut self, index: usize, id: usize, before: u64) {
        if self.stopped {
            return;
        }
        let Some(Some(entry)) = self.criteria.get(index) else {
            return;
        };
        let shared = Shared {
            by: self.checked,
            steps: self.steps.saturating_sub(before),
            entry: entry.clone(),
            focus: self.focus.get(index).cloned().flatten(),
            unknown: self
                .unknown_elements
                .get(index)
                .cloned()
                .unwrap_or_default(),
            reason: None,
        };
        if let Some(store) = self.shared.as_mut() {
            store.results.entry(id).or_insert(shared);
        }
    }

    /// What criterion `index`'s reasons are written from: the definition it was taken from,
    /// whose parts its reasons name by their place in that definition.
    pub(super) fn view_for(&self, index: usize) -> super::why::View<'a> {
        match self.taken.get(index).copied().flatten() {
            Some(checked) => super::why::View {
                patient: self.patient,
                checked,
            },
            None => self.view(),
        }
    }

    /// The reason of criterion `index`, taken from another definition, as that definition
    /// wrote it (the same verdict, written from the same definition).
    pub(super) fn shared_reason(&self, index: usize) -> Option<String> {
        let by = self.taken.get(index).copied().flatten()?;
        let store = self.shared.as_ref()?;
        let shared = store.results.get(&store.sharing.id(self.checked, index)?)?;
        (address(shared.by) == address(by))
            .then(|| shared.reason.clone())
            .flatten()
    }

    /// Keep the reason written for criterion `index` with its result, when this definition
    /// made the result the others take (a taken result's maker is never this one).
    pub(super) fn keep_shared_reason(&mut self, index: usize, why: &str) {
        let me = address(self.checked);
        let Some(store) = self.shared.as_mut() else {
            return;
        };
        let Some(id) = store.sharing.id(self.checked, index) else {
            return;
        };
        if let Some(shared) = store.results.get_mut(&id) {
            if address(shared.by) == me && shared.reason.is_none() {
                shared.reason = Some(why.to_owned());
            }
        }
    }

    /// Whether evaluating the shared criteria here could have cost steps enough to reach
    /// the step limit: then the definition is evaluated again, sharing nothing. Taking a
    /// result counts the steps it cost its maker; evaluating it here could cost at most its
    /// cold cost, what it costs reusing nothing (results made in a filter are not kept, so
    /// one reused ten times there would be made ten times); the rest of the evaluation
    /// costs no more for the results it reused (more kept results never cost steps).
    pub(super) fn beyond_shared_slack(&self) -> bool {
        self.shared_hits > 0
            && (self.stopped || self.steps.saturating_add(self.shared_slack) > self.step_limit)
    }
}

/// Whether every two events of one kind at the same place of the timeline (one day, the
/// same or no time) are told apart by the attributes one definition reads exactly when
/// they are by those the other reads.
fn ties_agree(patient: &Patient, reads: &Reads) -> bool {
    let events = &patient.events;
    let place = |e: &Event| {
        let key = crate::timeline::order::sort_key(e);
        (key.0, key.1, key.2)
    };
    for (at, x) in events.iter().enumerate() {
        for y in events.iter().skip(at + 1) {
            if place(y) != place(x) {
                break;
            }
            // Told apart by one and not the other only by what one of them alone reads,
            // and by nothing both read.
            if x.kind == y.kind
                && tells_apart(&reads.only_first, x, y) != tells_apart(&reads.only_second, x, y)
                && !tells_apart(&reads.both, x, y)
            {
                return false;
            }
        }
    }
    true
}

/// Whether two events differ in what a definition reading `reads` reads (two sessions
/// also in their number, when that is read).
pub(super) fn tells_apart(reads: &[String], x: &Event, y: &Event) -> bool {
    reads.iter().any(|name| {
        if name == "number" {
            return x.is_procedure() && y.is_procedure();
        }
        x.get(name) != y.get(name)
    })
}
