//! Selections: events of a kind, narrowed by windows and `where` filters, and parts that
//! select events. Windows visit only the positions they admit; the commonest filters are
//! read directly.

use super::context::Context;
use super::temporal::{Anchor, Bounds};
use super::truth::Truth;
use std::rc::Rc;

use super::value::{Bound, Found, IfEmpty, Selection};
use super::why::Why;
use crate::check::ir::Window;
use crate::check::{Node, NodeKind};

/// Candidates beyond which a list filter's events are looked up in an index of the
/// events it could keep, rather than each tested.
const KEPT_INDEX_FROM: usize = 32;

/// How much of a selection is wanted: all of it, or only what decides the latest or
/// earliest member.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// Every member.
    All,
    /// The last member that decides which event is the latest.
    Latest,
    /// The first member that decides which event is the earliest.
    Earliest,
}

impl<'a> Context<'a> {
    /// The events a node selects.
    pub fn selection(&mut self, node: &'a Node) -> Selection<'a> {
        match &node.kind {
            NodeKind::Sessions => Selection {
                members: self.sessions.iter().map(|&s| (s, Truth::Met)).collect(),
                if_empty: IfEmpty::None,
                inherited: false,
                description: Why::Static("session"),
                since: None,
            },
            NodeKind::Kind(kind) => Selection {
                members: self
                    .of_kind(kind)
                    .iter()
                    .map(|&p| (p, Truth::Met))
                    .collect(),
                if_empty: IfEmpty::None,
                inherited: false,
                description: Why::Borrowed(kind),
                since: None,
            },
            NodeKind::Call(part, args) => {
                let key = self.call_key(*part, args);
                if let Some(entry) = key.and_then(|key| self.selections.get(&key, self.trying)) {
                    // Reusing it reads the same data: its readings count again.
                    return entry.replay(&mut self.consults, &mut self.missing, &mut self.cold);
                }
                let (mark, cold_from) = (self.mark(), self.cold);
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
                    let entry = self.entry(selection.clone(), mark, cold_from);
                    self.selections.insert(key, entry, self.trying);
                }
                selection
            }
            NodeKind::Select { .. } => self
                .scan_select(node, Scan::All)
                .unwrap_or_else(Selection::empty),
            _ => Selection::empty(),
        }
    }

    /// The bounds a list of windows puts on a selection, anchors resolved here; and the
    /// date from which they stand: the latest of the anchors whose absence would empty a
    /// window (an absent next or previous session is no bound on one side, so those do
    /// not count).
    pub fn bounds(&mut self, windows: &'a [Window]) -> (Bounds, Option<crate::date::Date>) {
        let mut bounds = Bounds::default();
        let mut since = None;
        // Kept only while windows are recorded (`refract serve`): no allocation otherwise.
        let mut anchors = Vec::new();
        for window in windows {
            let anchor = match self.event(&window.anchor) {
                Found::At(position, _, anchor_since) => match self.date_at(position) {
                    Some(date) => {
                        if !(one_sided(&window.kind) && may_be_no_bound(&window.anchor)) {
                            since = since.max(Some(anchor_since.max(date)));
                        }
                        Anchor::At(position, date)
                    }
                    None => Anchor::Absent { unbounded: false },
                },
                Found::Absent { unbounded, .. } => Anchor::Absent { unbounded },
                Found::Uncertain(_) => Anchor::Uncertain,
            };
            if self.windows.is_some() {
                anchors.push(anchor);
            }
            bounds.narrow(&window.kind, anchor);
        }
        self.note_windows(windows, &anchors, &bounds);
        (bounds, since)
    }

    /// A `Select` node's events, as much of them as `scan` asks for; `None` for any other
    /// node.
    pub fn scan_select(&mut self, node: &'a Node, scan: Scan) -> Option<Selection<'a>> {
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
        let mut selection = self.select(head, *slot, windows, *unknown_if_none, filter, scan);
        // A narrowed selection is named as written: "no session where technique is
        // DEB-TACE", not "no session"; but one whose base is missing is named by what is
        // missing ("no CT/MRI 1 to 3 months after the session of …").
        let narrowed = !windows.is_empty() || filter.is_some();
        if narrowed && !selection.inherited {
            if let Some(text) = self.checked.source.text.get(node.span.start..node.span.end) {
                selection.description = Why::Source(text);
            }
        }
        Some(selection)
    }

    /// The events of `head` inside the windows that pass the filter. Only the positions the
    /// windows admit are visited; a scan for the latest (earliest) stops at the first member
    /// from the end (start) that decides which event it is.
    fn select(
        &mut self,
        head: &'a Node,
        slot: usize,
        windows: &'a [Window],
        unknown_if_none: bool,
        filter: Option<&'a Node>,
        scan: Scan,
    ) -> Selection<'a> {
        let (bounds, mut since) = self.bounds(windows);
        let range = bounds.range(&self.patient.events);
        let place = if bounds.uncertain() {
            Truth::Unknown
        } else {
            Truth::Met
        };
        // Narrowing a selection that is due to hold something keeps that: no certain
        // member of `response(S)` is still missing data after `where` or a window.
        let mut inherited = IfEmpty::None;
        // The candidates: events of the kind inside the windows (only those a `where` of
        // the form `ATTRIBUTE in [...]` could keep, when the record has them indexed), or
        // the members of the selection this one narrows.
        // No list for a narrowed selection (its members are `owned`): an empty `Rc` would
        // cost an allocation on every evaluation of one.
        let mut positions: Option<Rc<[usize]>> = None;
        let mut owned: Vec<(usize, Truth)> = Vec::new();
        let description = match &head.kind {
            NodeKind::Sessions => {
                positions = Some(Rc::clone(&self.sessions));
                Why::Static("session")
            }
            NodeKind::Kind(kind) => {
                let mut of_kind = self.of_kind(kind);
                // Worth an index only when the windows leave many events to look at.
                let many = of_kind.partition_point(|&p| p < range.end)
                    - of_kind.partition_point(|&p| p < range.start)
                    > KEPT_INDEX_FROM;
                if many {
                    if let Some(kept) = filter.and_then(|f| self.kept_by(kind, f, slot)) {
                        of_kind = kept;
                    }
                }
                positions = Some(of_kind);
                Why::Borrowed(kind.as_str())
            }
            _ => {
                let base = self.selection(head);
                if base.missing() {
                    inherited = base.if_empty;
                }
                since = since.max(base.since);
                owned = base
                    .members
                    .into_iter()
                    .filter(|(p, _)| range.contains(p))
                    .map(|(p, membership)| (p, membership.and(place)))
                    .collect();
                base.description
            }
        };
        let positions: &[usize] = positions.as_deref().unwrap_or_default();
        let mut from = positions.partition_point(|&p| p < range.start);
        let to = positions.partition_point(|&p| p < range.end);
        // `S is within D after T` in the filter, with T the candidate: only candidates
        // from which S is within D can be kept, and they are a run of the latest ones.
        if let Some((reach, until)) = filter.and_then(|f| self.reach_back(f, slot)) {
            let events = &self.patient.events;
            let skip = positions
                .get(from..to)
                .unwrap_or_default()
                .partition_point(|&p| {
                    events
                        .get(p)
                        .and_then(|e| super::temporal::shift(e.date, reach, 1))
                        .is_some_and(|end| end < until)
                });
            from += skip;
        }
        let inside = positions.get(from..to).unwrap_or_default();
        let mut members = Vec::with_capacity(match scan {
            Scan::All => inside.len() + owned.len(),
            Scan::Latest | Scan::Earliest => 1,
        });
        let forward = inside
            .iter()
            .map(|&p| (p, place))
            .chain(owned.iter().copied());
        // A latest or earliest stops at the member that decides; past it only its ties
        // (same day and time, no time to order them) can still matter: which is meant is open.
        match scan {
            Scan::All => self.gather(forward, filter, slot, false, &mut members),
            Scan::Earliest => self.gather(forward, filter, slot, true, &mut members),
            Scan::Latest => {
                let backward = owned
                    .iter()
                    .rev()
                    .copied()
                    .chain(inside.iter().rev().map(|&p| (p, place)));
                self.gather(backward, filter, slot, true, &mut members);
            }
        }
        if scan == Scan::Latest {
            members.reverse();
        }
        Selection {
            members,
            inherited: inherited != IfEmpty::None,
            if_empty: match inherited {
                IfEmpty::None if !unknown_if_none => IfEmpty::None,
                IfEmpty::None if bounds.beyond_calendar() => IfEmpty::BeyondCalendar,
                IfEmpty::None if bounds.could_hold_a_day() => IfEmpty::Missing,
                IfEmpty::None => IfEmpty::None,
                inherited => inherited,
            },
            since,
            description,
        }
    }

    /// For a filter that requires `E is within D after IT` (alone or in an `and`), with
    /// `E` a bound event: `D` and `E`'s date. A candidate from which `D` does not reach
    /// `E`'s date fails the filter, whatever else it says.
    fn reach_back(
        &mut self,
        filter: &'a Node,
        own_slot: usize,
    ) -> Option<(crate::ast::Duration, crate::date::Date)> {
        match &filter.kind {
            NodeKind::And(a, b) => self
                .reach_back(a, own_slot)
                .or_else(|| self.reach_back(b, own_slot)),
            NodeKind::Occurs(event, window) => {
                let (crate::ast::WindowKind::WithinAfter(reach), NodeKind::Slot(anchor)) =
                    (&window.kind, &window.anchor.kind)
                else {
                    return None;
                };
                if *anchor != own_slot {
                    return None;
                }
                let NodeKind::Slot(other) = event.kind else {
                    return None;
                };
                match self.slots.get(other) {
                    Some(Bound::Event(Found::At(position, ..))) => {
                        Some((*reach, self.date_at(*position)?))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The candidates the filter keeps, in the order given; with `to_first_decider`, up to
    /// the first kept one and its ties.
    fn gather(
        &mut self,
        candidates: impl Iterator<Item = (usize, Truth)>,
        filter: Option<&'a Node>,
        slot: usize,
        to_first_decider: bool,
        members: &mut Vec<(usize, Truth)>,
    ) {
        for (position, membership) in candidates {
            if let (true, Some(&(first, _))) = (to_first_decider, members.first()) {
                if !self.tied(first, position) {
                    break;
                }
            }
            let keep = self.keep(filter, position, slot, membership);
            if keep != Truth::NotMet {
                members.push((position, keep));
            }
        }
    }

    /// Whether two events of one kind fall at the same place of the timeline but for their
    /// order in the input (one day, no time or the same time), and differ in what
    /// the definition reads: which of them comes first is then not in the record, and it
    /// may matter. (Two sessions also differ in their number, when that is read.)
    pub fn tied(&self, a: usize, b: usize) -> bool {
        let (Some(x), Some(y)) = (self.event_at(a), self.event_at(b)) else {
            return false;
        };
        let (kx, ky) = (
            crate::timeline::order::sort_key(x),
            crate::timeline::order::sort_key(y),
        );
        if (kx.0, kx.1, kx.2) != (ky.0, ky.1, ky.2) || a == b || x.kind != y.kind {
            return false;
        }
        super::shared::tells_apart(&self.checked.reads, x, y)
    }

    /// A candidate's membership after the filter.
    fn keep(
        &mut self,
        filter: Option<&'a Node>,
        position: usize,
        slot: usize,
        membership: Truth,
    ) -> Truth {
        let Some(filter) = filter else {
            return membership;
        };
        let truth = match self.quick_truth(filter, position, slot) {
            Some(truth) => truth,
            None => {
                let found = Bound::Event(self.found(position));
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
}

use super::temporal::one_sided;

/// Whether an anchor may be a next or previous session that does not exist, which is no
/// bound on a one-sided window.
fn may_be_no_bound(anchor: &Node) -> bool {
    matches!(
        anchor.kind,
        NodeKind::NextSession(_) | NodeKind::PreviousSession(_)
    )
}
