//! Exact `unknown`. Kleene logic is sound but not exact: a series [missing, 911.7] after a
//! value of 1755.9 can never rise continuously above 1755.9, yet Kleene says unknown. When
//! a result is unknown, the missing values it read are filled in, each with one value of
//! every region that could change a comparison it takes part in (see `consult.rs`), and
//! the result evaluated again. If every way of filling them in gives the same answer,
//! that is the answer; otherwise it stays unknown, and the single values that decide it
//! are what the output reports as `decided_by`.
//!
//! Soundness rests on Kleene's: a trial that is decided with some cells still missing is
//! decided for every value of them, so the search only fills cells while a trial is
//! unknown. A cell that the left side of an `else` read, when the fallback was used, is
//! not filled in: the definition says what to do when it is missing.

use super::consult::{candidates, covered, Candidate, Consult, Hint};
use super::context::Context;
use super::truth::Truth;
use super::value::Cell;
use super::why::Why;
use crate::check::Node;
use crate::date::Date;
use crate::timeline::Value;
use crate::vocabulary::AttrType;

/// Trials per patient and definition: beyond it, a result stays unknown and says so.
pub const MAX_TRIALS: u32 = 256;

/// Cells whose single values are reported as deciding a result.
const MAX_DECIDERS: usize = 4;

/// Missing values a search fills in combination: a result that read more (a finding
/// missing on every one of thousands of scans) is only probed value by value, so the work
/// stays proportional to the patient.
pub const MAX_SEARCHED: usize = 64;

/// What the trials may still spend, for one patient and definition.
#[derive(Debug)]
pub struct Budget {
    left: u32,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { left: MAX_TRIALS }
    }
}

impl Budget {
    fn take(&mut self) -> bool {
        match self.left.checked_sub(1) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }
}

/// What is settled about a result that Kleene evaluation left unknown.
pub struct Settled<'a> {
    /// Met or not met when every way of filling in the missing data agrees; else unknown.
    pub truth: Truth,
    /// For a settled `met`: the latest date at which a trial was met.
    pub at: Option<Date>,
    /// The cells that were filled in to settle it, for "whatever X would be".
    pub filled: Vec<Cell<'a>>,
    /// For each of the first cells read, the values tried alone and what each gave.
    pub probes: Vec<Probe<'a>>,
    /// The trials ran out before it was settled, or it read too many missing values to
    /// search their combinations.
    pub exhausted: bool,
    /// It read more than [`MAX_SEARCHED`] missing values (how many).
    pub too_many: Option<usize>,
}

/// One cell filled in alone: the values tried and the answer each gave.
pub struct Probe<'a> {
    /// The cell.
    pub cell: Cell<'a>,
    /// Its type, as the vocabulary knows it.
    pub ty: Option<AttrType>,
    /// Each value tried (in order) and the answer.
    pub results: Vec<(Candidate, Truth)>,
}

impl Probe<'_> {
    /// Whether some value of the cell alone decides the result.
    pub fn decides(&self) -> bool {
        self.results.iter().any(|(_, t)| *t != Truth::Unknown)
    }
}

/// What is evaluated again: a criterion, or the `met when` line.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// The criterion at this index.
    Criterion(usize),
    /// A condition over the criteria (`met when`).
    Condition(&'a Node),
}

/// One evaluation with values filled in.
struct Trial<'a> {
    truth: Truth,
    at: Option<Date>,
    consults: Vec<Consult<'a>>,
}

/// A point of the search: the values filled in, and what the trial with them read.
struct Branch<'a> {
    overlay: Vec<(Cell<'a>, Value)>,
    consults: Vec<Consult<'a>>,
}

impl<'a> Context<'a> {
    /// Settle a result that came out unknown, given what it read.
    pub fn settle(
        &mut self,
        target: Target<'a>,
        consults: &[Consult<'a>],
        budget: &mut Budget,
    ) -> Settled<'a> {
        let mut settled = Settled {
            truth: Truth::Unknown,
            at: None,
            filled: Vec::new(),
            probes: Vec::new(),
            exhausted: false,
            too_many: None,
        };
        let searchable = cells(consults, &[], false).len();
        let first = self.branch_cell(consults, &[]);
        let (mut met, mut not_met) = (false, false);
        let mut approximate = false;
        let mut stack: Vec<Branch<'a>> = Vec::new();
        let mut irreducible = false;
        let mut probed: Vec<Cell<'a>> = cells(consults, &[], true)
            .into_iter()
            .take(MAX_DECIDERS)
            .collect();
        if let Some(first) = first.filter(|f| !probed.contains(f)) {
            probed.push(first);
        }
        // The first cells alone, until one decides the result: what the output reports as
        // the way to decide it.
        for cell in probed {
            // One cell that decides it alone is what the output reports; the search below
            // settles whether anything could.
            if settled.probes.iter().any(|p| p.decides()) {
                break;
            }
            let branchable = Some(cell) == first || !covered_only(consults, cell);
            let Some((tried, complete)) = self.try_cell(target, &[], consults, cell, budget) else {
                irreducible |= Some(cell) == first;
                continue;
            };
            settled.exhausted |= !complete;
            approximate |= branchable && tried.approximate;
            let mut results = Vec::with_capacity(tried.values.len());
            for (candidate, trial) in tried.values {
                if branchable {
                    match trial.truth {
                        Truth::Met => {
                            met = true;
                            settled.at = settled.at.max(trial.at);
                        }
                        Truth::NotMet => not_met = true,
                        Truth::Unknown if Some(cell) == first => stack.push(Branch {
                            overlay: vec![(cell, candidate.value.clone())],
                            consults: trial.consults,
                        }),
                        Truth::Unknown => {}
                    }
                }
                results.push((candidate, trial.truth));
            }
            settled.probes.push(Probe {
                cell,
                ty: self.cell_type(cell),
                results,
            });
        }
        let Some(first) = first else {
            return settled;
        };
        if searchable > MAX_SEARCHED && !(met && not_met) {
            settled.exhausted = true;
            settled.too_many = Some(searchable);
            return settled;
        }
        let mut filled = vec![first];
        // The rest of the space, one more cell at a time, while trials stay unknown.
        while let Some(branch) = stack.pop() {
            if (met && not_met) || settled.exhausted {
                break;
            }
            let Some(next) = self.branch_cell(&branch.consults, &branch.overlay) else {
                irreducible = true;
                break;
            };
            let Some((tried, complete)) =
                self.try_cell(target, &branch.overlay, &branch.consults, next, budget)
            else {
                irreducible = true;
                break;
            };
            settled.exhausted |= !complete;
            approximate |= tried.approximate;
            if !filled.contains(&next) {
                filled.push(next);
            }
            for (candidate, trial) in tried.values {
                match trial.truth {
                    Truth::Met => {
                        met = true;
                        settled.at = settled.at.max(trial.at);
                    }
                    Truth::NotMet => not_met = true,
                    Truth::Unknown => {
                        let mut overlay = branch.overlay.clone();
                        overlay.push((next, candidate.value));
                        stack.push(Branch {
                            overlay,
                            consults: trial.consults,
                        });
                    }
                }
            }
        }
        let decided = !irreducible && !approximate && !settled.exhausted && stack.is_empty();
        settled.truth = match (decided, met, not_met) {
            (true, true, false) => Truth::Met,
            (true, false, true) => Truth::NotMet,
            _ => Truth::Unknown,
        };
        if settled.truth != Truth::Met {
            settled.at = None;
        }
        // Several answers seen: it is unknown for certain, whatever ran out.
        if met && not_met {
            settled.exhausted = false;
        }
        settled.filled = filled;
        settled
    }

    /// The first cell read, not filled in and not covered by a fallback, that a finite set
    /// of values covers: the one the search fills in next.
    fn branch_cell(
        &self,
        consults: &[Consult<'a>],
        overlay: &[(Cell<'a>, Value)],
    ) -> Option<Cell<'a>> {
        let cells = cells(consults, overlay, false);
        if consults.len() <= 32 {
            return cells.into_iter().find(|cell| {
                let hints: Vec<&Hint<'a>> = consults
                    .iter()
                    .filter(|c| c.cell == *cell)
                    .map(|c| &c.hint)
                    .collect();
                covered(self.cell_type(*cell), &hints)
            });
        }
        let mut hints: rustc_hash::FxHashMap<Cell<'a>, Vec<&Hint<'a>>> =
            rustc_hash::FxHashMap::default();
        for consult in consults {
            hints.entry(consult.cell).or_default().push(&consult.hint);
        }
        cells.into_iter().find(|cell| {
            let hints = hints.get(cell).map(Vec::as_slice).unwrap_or_default();
            covered(self.cell_type(*cell), hints)
        })
    }

    /// For a criterion met by Kleene logic whose top `any` has unknown elements: whether
    /// those elements alone are met whatever their missing data (together: one missing
    /// agents list can change one pair or the next, and so meet one of them either way),
    /// and from when, if that is earlier than `at`. The record cut at that date is met
    /// too, so that is the criterion's date.
    pub fn earlier_settled(
        &mut self,
        index: usize,
        at: Option<Date>,
        budget: &mut Budget,
    ) -> Option<Settled<'a>> {
        let unknown = self
            .unknown_elements
            .get(index)
            .cloned()
            .unwrap_or_default();
        if unknown.is_empty() {
            return None;
        }
        let saved = self.focus.get(index).cloned().flatten();
        if let Some(place) = self.focus.get_mut(index) {
            *place = Some(unknown.iter().map(|(key, _)| *key).collect());
        }
        let consults: Vec<Consult<'a>> = unknown.into_iter().flat_map(|(_, c)| c).collect();
        let settled = self.settle(Target::Criterion(index), &consults, budget);
        if let Some(place) = self.focus.get_mut(index) {
            *place = saved;
        }
        let earlier = match (settled.at, at) {
            (Some(d), Some(at)) => d < at,
            (Some(_), None) => true,
            _ => false,
        };
        (settled.truth == Truth::Met && earlier).then_some(settled)
    }

    /// The vocabulary's type of a cell's attribute, for its event's kind.
    pub fn cell_type(&self, cell: Cell<'_>) -> Option<AttrType> {
        let kind = self.event_at(cell.position).map(|e| e.kind.as_ref());
        super::compare::VOCABULARY
            .attribute(kind, cell.attribute)
            .map(|spec| spec.ty)
    }

    /// Try every value of `cell` that could change the answer, with `overlay` filled in.
    /// A trial may show that the cell is also compared with other numbers once it has a
    /// value (it then takes a path it did not take while missing): those are tried too.
    /// `None` when no finite set of values covers it; `complete` is false when the
    /// trials ran out.
    fn try_cell(
        &mut self,
        target: Target<'a>,
        overlay: &[(Cell<'a>, Value)],
        consults: &[Consult<'a>],
        cell: Cell<'a>,
        budget: &mut Budget,
    ) -> Option<(Tried<'a>, bool)> {
        let ty = self.cell_type(cell);
        let mut hints: Vec<Hint<'a>> = consults
            .iter()
            .filter(|c| c.cell == cell)
            .map(|c| c.hint.clone())
            .collect();
        let mut tried: Vec<(Candidate, Trial<'a>)> = Vec::new();
        let mut approximate = false;
        loop {
            let refs: Vec<&Hint<'a>> = hints.iter().collect();
            let set = candidates(ty, &refs)?;
            approximate |= set.approximate;
            let fresh: Vec<Candidate> = set
                .values
                .iter()
                .filter(|c| !tried.iter().any(|(t, _)| t.value == c.value))
                .cloned()
                .collect();
            if fresh.is_empty() {
                // Report in the order of the final set: its regions partition the values.
                let mut ordered = Vec::with_capacity(set.values.len());
                for candidate in set.values {
                    if let Some(at) = tried.iter().position(|(t, _)| t.value == candidate.value) {
                        let (_, trial) = tried.swap_remove(at);
                        ordered.push((candidate, trial));
                    }
                }
                return Some((
                    Tried {
                        values: ordered,
                        approximate,
                    },
                    true,
                ));
            }
            for candidate in fresh {
                if !budget.take() {
                    return Some((
                        Tried {
                            values: tried,
                            approximate,
                        },
                        false,
                    ));
                }
                let mut filled = overlay.to_vec();
                filled.push((cell, candidate.value.clone()));
                let trial = self.trial(target, filled);
                for consult in trial.consults.iter().filter(|c| c.cell == cell) {
                    if !matches!(consult.hint, Hint::Open) {
                        hints.push(consult.hint.clone());
                    }
                }
                tried.push((candidate, trial));
            }
        }
    }

    /// Evaluate `target` again with `overlay` filled in, keeping only its truth and what
    /// it read. Results that read no missing data are reused; the others are made again.
    fn trial(&mut self, target: Target<'a>, overlay: Vec<(Cell<'a>, Value)>) -> Trial<'a> {
        let saved_consults = std::mem::take(&mut self.consults);
        let saved_missing = std::mem::take(&mut self.missing);
        self.overlay = overlay;
        self.trying = true;
        let verdict = super::why::quietly(|| match target {
            Target::Criterion(index) => self.criterion(index),
            Target::Condition(node) => self.condition(node),
        });
        self.trying = false;
        self.overlay.clear();
        self.selections.clear_scratch();
        self.events.clear_scratch();
        self.verdicts.clear_scratch();
        for entry in &mut self.trial_criteria {
            *entry = None;
        }
        self.missing = saved_missing;
        let consults = std::mem::replace(&mut self.consults, saved_consults);
        Trial {
            truth: verdict.truth,
            at: verdict.at,
            consults,
        }
    }
}

/// The values tried for one cell.
struct Tried<'a> {
    values: Vec<(Candidate, Trial<'a>)>,
    approximate: bool,
}

/// The cells read, in the order first read, that are not filled in; with `covered`, also
/// those read only on the left of an `else` whose fallback was used.
pub fn cells<'a>(
    consults: &[Consult<'a>],
    overlay: &[(Cell<'a>, Value)],
    covered: bool,
) -> Vec<Cell<'a>> {
    let mut out: Vec<Cell<'a>> = Vec::new();
    let wanted = |c: &Consult<'a>| covered || !c.covered;
    // Most results read a handful of cells: a scan beats a hash set.
    if consults.len() <= 32 {
        for consult in consults.iter().filter(|c| wanted(c)) {
            if !out.contains(&consult.cell) && !overlay.iter().any(|(c, _)| *c == consult.cell) {
                out.push(consult.cell);
            }
        }
        return out;
    }
    let mut seen: rustc_hash::FxHashSet<Cell<'a>> = overlay.iter().map(|(c, _)| *c).collect();
    for consult in consults.iter().filter(|c| wanted(c)) {
        if seen.insert(consult.cell) {
            out.push(consult.cell);
        }
    }
    out
}

/// Whether every reading of `cell` is covered by an `else` fallback.
fn covered_only(consults: &[Consult<'_>], cell: Cell<'_>) -> bool {
    consults
        .iter()
        .filter(|c| c.cell == cell)
        .all(|c| c.covered)
}

/// The missing events a result found, in words, each once ("CT/MRI 1 to 3 months after
/// the session of 2021-05-02").
pub fn missing_events<'a>(missing: &[Why<'a>], view: &super::why::View<'a>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for why in missing {
        let text = why.render(view);
        let text = text.strip_prefix("no ").unwrap_or(&text).to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push(text);
        }
    }
    out
}
