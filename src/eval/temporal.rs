//! Windows relative to an anchor event. Each end is computed from the anchor's own date
//! (calendar months do not add up: Jan 31 + 1 month + 1 month is not Jan 31 + 2 months).

use super::context::{Context, Found};
use super::truth::Truth;
use crate::ast::{Duration, Unit, WindowKind};
use crate::check::ir::Window;
use crate::date::Date;

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

/// The bounds the windows put on a selection, anchors resolved for this patient.
pub fn bounds<'a>(ctx: &mut Context<'a>, windows: &'a [Window]) -> Bounds {
    let mut bounds = Bounds::default();
    for window in windows {
        let anchor = ctx.event(&window.anchor);
        let (position, date) = match anchor {
            Found::At(position, _) => match ctx.date_at(position) {
                Some(date) => (position, date),
                None => {
                    bounds.empty = true;
                    continue;
                }
            },
            // A one-sided bound on a next/previous session that does not exist is no
            // bound ("not after the next session" when there is none).
            Found::Absent {
                unbounded: true, ..
            } if one_sided(&window.kind) => continue,
            Found::Absent { .. } => {
                bounds.empty = true;
                continue;
            }
            // Which event anchors the window depends on missing data: so does every
            // event's place in it.
            Found::Uncertain(_) => {
                bounds.uncertain = true;
                continue;
            }
        };
        match &window.kind {
            WindowKind::FromTo(start, end) => {
                bounds.narrow_from(shift(date, *start, 1));
                bounds.narrow_to(shift(date, *end, 1));
            }
            WindowKind::WithinBefore(span) => {
                bounds.narrow_from(shift(date, *span, -1));
                bounds.narrow_to(Some(date));
            }
            WindowKind::WithinAfter(span) => {
                bounds.narrow_from(Some(date));
                bounds.narrow_to(shift(date, *span, 1));
            }
            WindowKind::OnOrBefore => bounds.narrow_to(Some(date)),
            WindowKind::OnOrAfter => bounds.narrow_from(Some(date)),
            WindowKind::UpTo => {
                bounds.up_to = Some(bounds.up_to.map_or(position, |p| p.min(position)))
            }
            WindowKind::After => {
                bounds.after = Some(bounds.after.map_or(position, |p| p.max(position)))
            }
            WindowKind::Before => {
                bounds.before = Some(bounds.before.map_or(position, |p| p.min(position)))
            }
        }
    }
    bounds
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
    pub fn membership(&self, ctx: &Context<'_>, position: usize) -> Truth {
        match (self.contains(ctx, position), self.uncertain) {
            (false, _) => Truth::NotMet,
            (true, false) => Truth::Met,
            (true, true) => Truth::Unknown,
        }
    }

    /// Whether the event at `position` lies within every certain window.
    pub fn contains(&self, ctx: &Context<'_>, position: usize) -> bool {
        let Some(date) = ctx.date_at(position) else {
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
    pub fn range(&self, ctx: &Context<'_>) -> std::ops::Range<usize> {
        if self.empty {
            return 0..0;
        }
        let events = &ctx.patient.events;
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
