//! Windows relative to an anchor event. Each end is computed from the anchor's own date
//! (calendar months do not add up: Jan 31 + 1 month + 1 month is not Jan 31 + 2 months).
//! The anchors are resolved by the caller; this layer only does the arithmetic.

use super::truth::Truth;
use crate::ast::{Bound, Duration, Unit, WindowKind};
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

/// The intersection of a selection's windows. An end that is the anchor itself (`on or
/// before E`, the `E` end of `within D before E`, a `0 days` end) is the anchor's place in
/// the timeline order, so a scan timed after a session on its day is after it; an end at a
/// distance from the anchor is a date.
#[derive(Debug, Clone, Default)]
pub struct Bounds {
    /// The first date admitted.
    from: Option<Date>,
    /// The last date admitted.
    to: Option<Date>,
    /// The first position admitted, and the date of the event there.
    start: Option<(usize, Date)>,
    /// The first position no longer admitted, and the date of the event that ends it.
    end: Option<(usize, Date)>,
    empty: bool,
    uncertain: bool,
    /// A window opens after the last date refract reads: nothing in the record can be in
    /// it, and nothing can be said to be missing from it either.
    beyond_calendar: bool,
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

/// A window's shape in the definition's words, before its anchor: "within 6 months
/// after", "from 1 month to 3 months after", "on or before".
pub fn describe_window(kind: &WindowKind, out: &mut String) {
    use std::fmt::Write as _;
    let span = |d: &Duration| {
        let unit = match (d.unit, d.amount == 1) {
            (Unit::Days, true) => "day",
            (Unit::Days, false) => "days",
            (Unit::Weeks, true) => "week",
            (Unit::Weeks, false) => "weeks",
            (Unit::Months, true) => "month",
            (Unit::Months, false) => "months",
        };
        format!("{} {unit}", d.amount)
    };
    let _ = match kind {
        WindowKind::FromTo(a, b) => write!(out, "from {} to {} after", span(a), span(b)),
        WindowKind::WithinBefore(d) => write!(out, "within {} before", span(d)),
        WindowKind::WithinAfter(d) => write!(out, "within {} after", span(d)),
        WindowKind::OnOrBefore => write!(out, "on or before"),
        WindowKind::OnOrAfter => write!(out, "on or after"),
        WindowKind::UpTo => write!(out, "up to"),
        WindowKind::After => write!(out, "after"),
        WindowKind::Before => write!(out, "before"),
        WindowKind::Distance {
            bound,
            span: d,
            after,
        } => write!(
            out,
            "{} {} {}",
            match bound {
                Bound::AtLeast => "at least",
                Bound::MoreThan => "more than",
                Bound::AtMost => "at most",
                Bound::LessThan => "less than",
            },
            span(d),
            if *after { "after" } else { "before" }
        ),
    };
}

/// Whether a window has no end at a distance from its anchor on the anchor's far side: a
/// bound on a next or previous session that does not exist is then no bound.
pub fn one_sided(kind: &WindowKind) -> bool {
    matches!(
        kind,
        WindowKind::OnOrBefore
            | WindowKind::OnOrAfter
            | WindowKind::UpTo
            | WindowKind::After
            | WindowKind::Before
            | WindowKind::Distance {
                bound: Bound::AtLeast | Bound::MoreThan,
                ..
            }
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
        let at = (position, date);
        match kind {
            WindowKind::FromTo(first, last) => {
                if first.amount == 0 {
                    self.start_at(at);
                } else {
                    self.open_on(shift(date, *first, 1));
                }
                if last.amount == 0 {
                    self.end_after(at);
                } else {
                    self.close_on(shift(date, *last, 1));
                }
            }
            WindowKind::WithinBefore(span) => {
                self.open_on(shift(date, *span, -1).or(Some(Date::EARLIEST)));
                self.end_after(at);
            }
            WindowKind::WithinAfter(span) => {
                self.start_at(at);
                self.close_on(shift(date, *span, 1));
            }
            WindowKind::OnOrBefore | WindowKind::UpTo => self.end_after(at),
            WindowKind::OnOrAfter => self.start_at(at),
            WindowKind::After => self.start_after(at),
            WindowKind::Before => self.end_at(at),
            WindowKind::Distance { bound, span, after } => self.distance(*bound, *span, *after, at),
        }
    }

    /// `more than`/`at least`/`less than`/`at most` D after or before the event at `at`.
    /// The far end is a date (the day after S + D for `more than`, the day before S + D
    /// for `less than`); the near end of `less than`/`at most` is S in timeline order.
    fn distance(&mut self, bound: Bound, span: Duration, after: bool, at: (usize, Date)) {
        let sign = if after { 1 } else { -1 };
        let edge = shift(at.1, span, sign);
        // One day further from S for a strict far end beyond S + D, nearer for one short of it.
        let step = |date: Option<Date>, days: i64| date.and_then(|d| d.add_days(days));
        match (bound, after) {
            (Bound::AtLeast, true) if span.amount == 0 => self.start_at(at),
            (Bound::AtLeast, true) => self.open_on(edge),
            (Bound::MoreThan, true) => self.open_on(step(edge, 1)),
            (Bound::AtMost, true) => {
                self.start_after(at);
                if span.amount == 0 {
                    self.end_after(at);
                } else {
                    self.close_on(edge);
                }
            }
            (Bound::LessThan, true) => {
                self.start_after(at);
                self.close_before(edge);
            }
            (Bound::AtLeast, false) if span.amount == 0 => self.end_after(at),
            (Bound::AtLeast, false) => self.close_before_calendar(edge),
            (Bound::MoreThan, false) => self.close_before_calendar(step(edge, -1)),
            (Bound::AtMost, false) => {
                self.end_at(at);
                if span.amount == 0 {
                    self.start_at(at);
                } else {
                    self.open_on(edge.or(Some(Date::EARLIEST)));
                }
            }
            (Bound::LessThan, false) => {
                self.end_at(at);
                match edge {
                    Some(edge) => self.open_on(edge.add_days(1).or(Some(Date::LATEST))),
                    None => self.open_on(Some(Date::EARLIEST)),
                }
            }
        }
    }

    /// Admit nothing dated on or after `date` (`None`: past the calendar's end, no end).
    fn close_before(&mut self, date: Option<Date>) {
        match date {
            Some(date) => match date.add_days(-1) {
                Some(last) => self.close_on(Some(last)),
                None => self.empty = true,
            },
            None => self.close_on(None),
        }
    }

    /// Admit nothing dated after `date`, where `None` is before the calendar's start: then
    /// nothing is admitted.
    fn close_before_calendar(&mut self, date: Option<Date>) {
        match date {
            Some(date) => self.close_on(Some(date)),
            None => self.empty = true,
        }
    }

    /// Admit nothing dated before `date`. A start past the calendar's end leaves no date
    /// refract reads.
    fn open_on(&mut self, date: Option<Date>) {
        match date {
            Some(date) => self.from = Some(self.from.map_or(date, |d| d.max(date))),
            None => self.beyond_calendar = true,
        }
    }

    /// Admit nothing dated after `date`; an end past the calendar's end is no end, since
    /// no event is dated after it.
    fn close_on(&mut self, date: Option<Date>) {
        let date = date.unwrap_or(Date::LATEST);
        self.to = Some(self.to.map_or(date, |d| d.min(date)));
    }

    /// Admit nothing before the event at `at` (the event itself is admitted).
    fn start_at(&mut self, at: (usize, Date)) {
        if self.start.is_none_or(|(p, _)| at.0 > p) {
            self.start = Some(at);
        }
    }

    /// Admit nothing up to and including the event at `at`.
    fn start_after(&mut self, (position, date): (usize, Date)) {
        self.start_at((position.saturating_add(1), date));
    }

    /// Admit nothing from the event at `at` on.
    fn end_at(&mut self, at: (usize, Date)) {
        if self.end.is_none_or(|(p, _)| at.0 < p) {
            self.end = Some(at);
        }
    }

    /// Admit nothing after the event at `at` (the event itself is admitted).
    fn end_after(&mut self, (position, date): (usize, Date)) {
        self.end_at((position.saturating_add(1), date));
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
            && !self.beyond_calendar
            && self.from.is_none_or(|from| date >= from)
            && self.to.is_none_or(|to| date <= to)
            && self.start.is_none_or(|(s, _)| position >= s)
            && self.end.is_none_or(|(e, _)| position < e)
    }

    /// The positions every certain window admits: events are in date order, so each
    /// window is one run of positions, found by binary search.
    pub fn range(&self, events: &[Event]) -> std::ops::Range<usize> {
        if self.empty || self.beyond_calendar {
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
        if let Some((position, _)) = self.start {
            start = start.max(position);
        }
        if let Some((position, _)) = self.end {
            end = end.min(position);
        }
        start..end.max(start)
    }

    /// Whether an anchor is uncertain, so that every member's place is unknown.
    pub fn uncertain(&self) -> bool {
        self.uncertain
    }

    /// Whether the windows leave a day for an event (a window closed by the next session
    /// before it opens cannot hold a scan: nothing is missing from it). Anchors on one day
    /// leave that day: an event could be timed between them.
    pub fn could_hold_a_day(&self) -> bool {
        if self.empty || self.beyond_calendar {
            return false;
        }
        let (first, last) = self.days();
        first.zip(last).is_none_or(|(first, last)| first <= last)
    }

    /// The first and last days admitted (`None`: open on that side), for showing the
    /// windows; ends at an anchor's place in the timeline are its date.
    pub fn days(&self) -> (Option<Date>, Option<Date>) {
        let first = [self.from, self.start.map(|(_, d)| d)]
            .into_iter()
            .flatten()
            .max();
        let last = [self.to, self.end.map(|(_, d)| d)]
            .into_iter()
            .flatten()
            .min();
        (first, last)
    }

    /// Whether a window opens after the last date refract reads.
    pub fn beyond_calendar(&self) -> bool {
        self.beyond_calendar
    }
}
