//! Hand-written Rust for two shipped definitions, `cci-2022` and `jsh-lcsgj-2014`: the
//! baseline against which the interpreter's overhead is measured.
//!
//! Each module reads the same parsed [`Patient`](refract::timeline::Patient) (events
//! already in timeline order) as `refract::eval::evaluate` and gives the same `result`,
//! `onset` and per-criterion truth, following the evaluator's rules exactly: windows whose
//! ends are computed from the anchor's date (calendar months clamped), `unknown if none`,
//! Kleene logic, the `else` fallback, exact decimal comparison, the marker trend with its
//! unit check. `tests/handwritten.rs` holds them to that, patient by patient.
//!
//! Documented difference: these functions only decide. The interpreter also explains
//! (a `why` sentence per criterion, the evidence events, the date each criterion was met),
//! so part of the overhead measured against them is the explanation, not the
//! interpretation.

pub mod cci;
pub mod lcsgj;

use refract::date::Date;
use refract::eval::Truth;
use refract::timeline::{Event, Value};

/// One definition's result for one patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Result {
    /// The `met when` line: met, not met or unknown.
    pub result: Truth,
    /// When met: the earliest date at which a criterion was met.
    pub onset: Option<Date>,
    /// Each criterion's truth, in the `.crit` file's order.
    pub criteria: Vec<Truth>,
}

/// A truth and, when met, the date at which it was met.
type Decided = (Truth, Option<Date>);

/// Positions of the sessions (`tace` events) in the sorted timeline, in order.
fn sessions(events: &[Event]) -> Vec<usize> {
    events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.is_procedure())
        .map(|(position, _)| position)
        .collect()
}

/// The event at a position of the sorted timeline.
fn at(events: &[Event], position: usize) -> Option<&Event> {
    events.get(position)
}

/// The session with this number, counted from 0.
fn session<'a>(events: &'a [Event], sessions: &[usize], k: usize) -> Option<(usize, &'a Event)> {
    let position = *sessions.get(k)?;
    Some((position, at(events, position)?))
}

/// The events at positions `start..end`, or none when the range is empty or inverted.
fn slice(events: &[Event], start: usize, end: usize) -> &[Event] {
    events.get(start..end).unwrap_or(&[])
}

/// The first position dated on or after `date` (events are sorted by date first).
fn first_from(events: &[Event], date: Date) -> usize {
    events.partition_point(|e| e.date < date)
}

/// The position just past the last event dated on or before `date`.
fn end_through(events: &[Event], date: Date) -> usize {
    events.partition_point(|e| e.date <= date)
}

/// A yes/no attribute used as a condition: unknown when absent or not a yes/no value.
fn truthy(value: Option<&Value>) -> Truth {
    match value {
        Some(Value::Bool(b)) => Truth::from_bool(*b),
        _ => Truth::Unknown,
    }
}

/// The later of two dates, either of which may be missing.
fn later(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// `any` over elements: met at the earliest met element, else unknown if an element is
/// unknown (or the selection is missing data), else not met.
#[derive(Debug, Clone, Copy, Default)]
struct Any {
    met: bool,
    /// The earliest date of a met element; a met element without a date comes first.
    at: Option<Date>,
    undated: bool,
    unknown: bool,
}

impl Any {
    /// Count one element: its truth, and the date at which it is met.
    fn add(&mut self, truth: Truth, date: Option<Date>) {
        match truth {
            Truth::Met => {
                self.met = true;
                match date {
                    Some(date) => self.at = Some(self.at.map_or(date, |d| d.min(date))),
                    None => self.undated = true,
                }
            }
            Truth::Unknown => self.unknown = true,
            Truth::NotMet => {}
        }
    }

    /// The result; `missing`: the selection is `unknown if none` and holds nothing certain.
    fn finish(self, missing: bool) -> Decided {
        if self.met {
            (Truth::Met, if self.undated { None } else { self.at })
        } else if self.unknown || missing {
            (Truth::Unknown, None)
        } else {
            (Truth::NotMet, None)
        }
    }
}

/// Where the response imaging of a session may lie: positions `start..end`, and whether
/// the window could hold a day (if not, an empty window is not missing data).
#[derive(Debug, Clone, Copy)]
struct Window {
    start: usize,
    end: usize,
    could_hold_a_day: bool,
}

impl Window {
    const EMPTY: Window = Window {
        start: 0,
        end: 0,
        could_hold_a_day: false,
    };
}

/// `imaging from 1 month to 3 months after S, on or before next session after S`: both
/// date ends from S's own date (an end past the calendar is no end); the next session
/// bounds in timeline order, and a missing one is no bound.
fn response_window(events: &[Event], sessions: &[usize], k: usize) -> Window {
    let Some((_, s)) = session(events, sessions, k) else {
        return Window::EMPTY;
    };
    // A window that opens after the last date refract reads cannot be in the record:
    // whether it holds a scan is unknown.
    let Some(from) = s.date.add_months(1) else {
        return Window {
            could_hold_a_day: true,
            ..Window::EMPTY
        };
    };
    let mut to = s.date.add_months(3).unwrap_or(Date::LATEST);
    let mut end = end_through(events, to);
    if let Some((next_position, next)) = session(events, sessions, k + 1) {
        to = to.min(next.date);
        end = end.min(next_position + 1);
    }
    Window {
        start: first_from(events, from),
        end,
        could_hold_a_day: from <= to,
    }
}

/// `where modality in [CT, MRI]`: unknown without a modality.
fn is_ct_or_mri(scan: &Event) -> Truth {
    match scan.get("modality") {
        None => Truth::Unknown,
        Some(Value::Text(m)) => Truth::from_bool(m == "CT" || m == "MRI"),
        Some(_) => Truth::NotMet,
    }
}

/// `any response(S) shows BODY`, `unknown if none`: met at the earliest scan that shows it.
/// A scan of uncertain membership is never met (`unknown and BODY`). `body` may only rest
/// on the scan and on events before it, so an element is met on the scan's date.
fn any_response(
    events: &[Event],
    window: Window,
    mut body: impl FnMut(&Event) -> Truth,
) -> Decided {
    let mut any = Any::default();
    let mut certain = false;
    for scan in slice(events, window.start, window.end) {
        if scan.kind != "imaging" {
            continue;
        }
        let membership = is_ct_or_mri(scan);
        if membership == Truth::NotMet {
            continue;
        }
        certain |= membership == Truth::Met;
        any.add(membership.and(body(scan)), Some(scan.date));
    }
    any.finish(window.could_hold_a_day && !certain)
}

/// `latest imaging on or before session 1, within 90 days before session 1`: up to the
/// session in timeline order, from 90 days before its date.
fn baseline<'a>(events: &'a [Event], sessions: &[usize]) -> Option<&'a Event> {
    let (position, first) = session(events, sessions, 0)?;
    let from = first.date.add_days(-90).unwrap_or(Date::EARLIEST);
    let end = position + 1;
    slice(events, 0, end)
        .iter()
        .rev()
        .find(|e| e.kind == "imaging")
        .filter(|e| e.date >= from)
}
