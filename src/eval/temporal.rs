//! Windows relative to an anchor event. Each end is computed from the anchor's own date
//! (calendar months do not add up: Jan 31 + 1 month + 1 month is not Jan 31 + 2 months).
//! The anchors are resolved by the caller; this layer only does the arithmetic.

use super::truth::Truth;
use crate::ast::{Duration, Unit, WindowKind};
use crate::date::Date;
use crate::timeline::Event;

/// A window's anchor, resolved for one patient.
#[derive(Debug, Clone, Copy)]
pub enum Anchor {
    /// The event at this position of the sorted timeline, on this date.
    At(usize, Date),
    /// No such event; `unbounded`: a one-sided bound on it is no bound.
    Absent {
        /// Whether a one-sided window on it is open rather than empty.
        unbounded: bool,
    },
    /// Which event it is depends on missing data.
    Uncertain,
}

/// The intersection of a selection's windows.
#[derive(Debug, Clone, Default)]
pub struct Bounds {
    from: Option<Date>,
    to: Option<Date>,
    after: Option<usize>,
    before: Option<usize>,
    up_to: Option<usize>,
    empty: bool,
    uncertain: bool,
}

/// `date + duration`, or `None` past the calendar's end.
pub fn shift(date: Date, duration: Duration, sign: i64) -> Option<Date> {
    let amount = i64::from(duration.amount) * sign;
    match duration.unit {
        Unit::Days => date.add_days(amount),
        Unit::Weeks => date.add_days(amount * 7),
        Unit::Months => date.add_months(amount),
    }
}

fn one_sided(kind: &WindowKind) -> bool {
    matches!(
        kind,
        WindowKind::OnOrBefore
            | WindowKind::OnOrAfter
            | WindowKind::UpTo
            | WindowKind::After
            | WindowKind::Before
    )
}

impl Bounds {
    /// Narrow by one window on its resolved anchor.
    pub fn narrow(&mut self, kind: &WindowKind, anchor: Anchor) {
        let (position, date) = match anchor {
            Anchor::At(position, date) => (position, date),
            // A one-sided bound on a next/previous session that does not exist is no
            // bound ("not after the next session" when there is none).
            Anchor::Absent { unbounded: true } if one_sided(kind) => return,
            Anchor::Absent { .. } => {
                self.empty = true;
                return;
            }
            // Which event anchors the window depends on missing data: so does every
            // event's place in it.
            Anchor::Uncertain => {
                self.uncertain = true;
                return;
            }
        };
        match kind {
            WindowKind::FromTo(start, end) => {
                self.narrow_from(shift(date, *start, 1));
                self.narrow_to(shift(date, *end, 1));
            }
            WindowKind::WithinBefore(span) => {
                self.narrow_from(shift(date, *span, -1));
                self.narrow_to(Some(date));
            }
            WindowKind::WithinAfter(span) => {
                self.narrow_from(Some(date));
                self.narrow_to(shift(date, *span, 1));
            }
            WindowKind::OnOrBefore => self.narrow_to(Some(date)),
            WindowKind::OnOrAfter => self.narrow_from(Some(date)),
            WindowKind::UpTo => {
                self.up_to = Some(self.up_to.map_or(position, |p| p.min(position)))
            }
            WindowKind::After => {
                self.after = Some(self.after.map_or(position, |p| p.max(position)))
            }
            WindowKind::Before => {
                self.before = Some(self.before.map_or(position, |p| p.min(position)))
            }
        }
    }

    fn narrow_from(&mut self, date: Option<Date>) {
        match date {
            Some(date) => self.from = Some(self.from.map_or(date, |d| d.max(date))),
            None => self.empty = true,
        }
    }

    fn narrow_to(&mut self, date: Option<Date>) {
        match date {
            Some(date) => self.to = Some(self.to.map_or(date, |d| d.min(date))),
            None => self.empty = true,
        }
    }

    /// Whether the event at `position` lies within every window: met, not met, or unknown
    /// when an anchor is uncertain.
    pub fn membership(&self, events: &[Event], position: usize) -> Truth {
        match (self.contains(events, position), self.uncertain) {
            (false, _) => Truth::NotMet,
            (true, false) => Truth::Met,
            (true, true) => Truth::Unknown,
        }
    }

    /// Whether the event at `position` lies within every certain window.
    pub fn contains(&self, events: &[Event], position: usize) -> bool {
        let Some(date) = events.get(position).map(|e| e.date) else {
            return false;
        };
        !self.empty
            && self.from.is_none_or(|from| date >= from)
            && self.to.is_none_or(|to| date <= to)
            && self.after.is_none_or(|a| position > a)
            && self.before.is_none_or(|b| position < b)
            && self.up_to.is_none_or(|u| position <= u)
    }

    /// The positions every certain window admits: events are in date order, so each
    /// window is one run of positions, found by binary search.
    pub fn range(&self, events: &[Event]) -> std::ops::Range<usize> {
        if self.empty {
            return 0..0;
        }
        let mut start = match self.from {
            Some(from) => events.partition_point(|e| e.date < from),
            None => 0,
        };
        let mut end = match self.to {
            Some(to) => events.partition_point(|e| e.date <= to),
            None => events.len(),
        };
        if let Some(after) = self.after {
            start = start.max(after.saturating_add(1));
        }
        if let Some(before) = self.before {
            end = end.min(before);
        }
        if let Some(up_to) = self.up_to {
            end = end.min(up_to.saturating_add(1));
        }
        start..end.max(start)
    }

    /// Whether an anchor is uncertain, so that every member's place is unknown.
    pub fn uncertain(&self) -> bool {
        self.uncertain
    }

    /// Whether the windows leave at least one day (a window closed by the next session
    /// before it opens cannot hold a scan: nothing is missing from it).
    pub fn could_hold_a_day(&self) -> bool {
        !self.empty
            && match (self.from, self.to) {
                (Some(from), Some(to)) => from <= to,
                _ => true,
            }
    }
}
