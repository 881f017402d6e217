//! The windows a criterion examined, for pictures of a patient's course (`refract serve`
//! shades them on the timeline plot). Not part of [`super::evaluate`]'s result: that stays
//! what `eval` writes. [`windows_examined`] evaluates each criterion again in a context of
//! its own with a [`Recorder`] attached, and every time a selection's windows are resolved
//! against their anchors (the one place windows become dates, `Context::bounds`) the
//! recorder notes the days they admit.
//!
//! Only the plain (Kleene) evaluation is recorded: the trials that fill in missing data
//! look at the same windows, since a filled-in value never moves an event's date.

use super::context::Context;
use super::temporal::{describe_window, Anchor, Bounds};
use crate::check::ir::Window;
use crate::check::{Checked, Node, NodeKind};
use crate::date::Date;
use crate::timeline::Patient;

/// At most this many windows are kept per criterion (a criterion over every session of a
/// patient with thousands of sessions would otherwise list thousands).
pub const MAX_WINDOWS: usize = 200;

/// How an anchor that is not one event of the record is named.
fn absent_name(anchor: &Node) -> &'static str {
    match anchor.kind {
        NodeKind::NextSession(_) => "the next session",
        NodeKind::PreviousSession(_) => "the previous session",
        _ => "its anchor",
    }
}

/// One window examined: the days it admits, and how the definition says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Examined {
    /// The first day admitted; `None`: open towards the past.
    pub from: Option<Date>,
    /// The last day admitted; `None`: open towards the future.
    pub to: Option<Date>,
    /// The windows in the definition's words, each with its anchor's date: "from 1 month
    /// to 3 months after the tace of 2021-03-01; on or before the tace of 2021-05-10".
    pub description: String,
    /// The windows admit no day (an anchor is absent, or the window closes before it opens).
    pub empty: bool,
    /// An anchor depends on missing data, so every event's place in it is unknown.
    pub uncertain: bool,
}

/// The windows one criterion examined, in the order they were first resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionWindows {
    /// The criterion's name.
    pub criterion: String,
    /// Each distinct window once.
    pub windows: Vec<Examined>,
    /// More than [`MAX_WINDOWS`] were examined; the rest are left out.
    pub truncated: bool,
}

/// Collects the windows resolved while one criterion is evaluated.
#[derive(Debug, Default)]
pub struct Recorder {
    windows: Vec<Examined>,
    truncated: bool,
}

/// For each criterion of `checked`, in file order, the windows it examined on `patient`.
pub fn windows_examined(checked: &Checked, patient: &Patient) -> Vec<CriterionWindows> {
    let mut out = Vec::with_capacity(checked.criteria.len());
    let events = super::Index::new(patient);
    for (index, criterion) in checked.criteria.iter().enumerate() {
        // A fresh context per criterion: parts already called by an earlier criterion are
        // cached, and a cached selection resolves no window again.
        let mut ctx = Context::new(checked, patient, &events);
        ctx.windows = Some(Recorder::default());
        let _ = ctx.criterion(index);
        let recorder = ctx.windows.take().unwrap_or_default();
        out.push(CriterionWindows {
            criterion: criterion.name.clone(),
            windows: recorder.windows,
            truncated: recorder.truncated,
        });
    }
    out
}

impl<'a> Context<'a> {
    /// Note the days `bounds` admits, when a recorder is attached (the hook in `bounds`).
    /// `anchors` are the windows' anchors as resolved there, one per window.
    pub fn note_windows(&mut self, windows: &'a [Window], anchors: &[Anchor], bounds: &Bounds) {
        if self.windows.is_none() || windows.is_empty() {
            return;
        }
        let view = self.view();
        let mut description = String::new();
        for (i, window) in windows.iter().enumerate() {
            if i > 0 {
                description.push_str("; ");
            }
            describe_window(&window.kind, &mut description);
            description.push(' ');
            match anchors.get(i) {
                Some(Anchor::At(position, _)) => {
                    view.describe_into(&mut description, *position, None)
                }
                Some(Anchor::Uncertain) => {
                    description.push_str(absent_name(&window.anchor));
                    description.push_str(", which depends on missing data");
                }
                Some(Anchor::Absent { unbounded }) => {
                    description.push_str(absent_name(&window.anchor));
                    description.push_str(if *unbounded {
                        " (none in the record: no bound)"
                    } else {
                        " (none in the record)"
                    });
                }
                None => description.push_str("an event"),
            }
        }
        let (from, to) = bounds.days();
        let examined = Examined {
            from,
            to,
            description,
            empty: !bounds.could_hold_a_day(),
            uncertain: bounds.uncertain(),
        };
        let Some(recorder) = self.windows.as_mut() else {
            return;
        };
        if recorder.windows.contains(&examined) {
            return;
        }
        if recorder.windows.len() >= MAX_WINDOWS {
            recorder.truncated = true;
            return;
        }
        recorder.windows.push(examined);
    }
}
