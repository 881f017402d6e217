//! Events a definition names: `session N`, `next session after`, `latest`/`earliest`, the
//! nadir, parts that name one event, bound names.

use super::consult::Hint;
use super::context::Context;
use super::selections::Scan;
use super::truth::Truth;
use super::value::Cell;
use super::value::{Bound, Found, Selection};
use super::why::Why;
use crate::check::{Node, NodeKind};
use crate::number::Decimal;
use crate::timeline::Value;

impl<'a> Context<'a> {
    /// The event a node names.
    pub fn event(&mut self, node: &'a Node) -> Found<'a> {
        match &node.kind {
            NodeKind::Slot(slot) => match self.slots.get(*slot) {
                Some(Bound::Event(found)) => found.clone(),
                _ => Found::absent("nothing bound"),
            },
            NodeKind::SessionNumber(n) => {
                match self.sessions.get((*n as usize).saturating_sub(1)) {
                    Some(&position) => self.found(position),
                    None => Found::absent(format!("no session {n}")),
                }
            }
            NodeKind::NextSession(of) | NodeKind::PreviousSession(of) => {
                let next = matches!(node.kind, NodeKind::NextSession(_));
                match self.event(of) {
                    // The next session is that session from its own date; the previous one,
                    // from when the event it is before is that event.
                    Found::At(position, _, since) => match self.adjacent_session(position, next) {
                        Some(s) if next => self.found(s),
                        Some(s) => Found::At(s, None, since),
                        None => Found::Absent {
                            why: Why::Static(if next {
                                "no next session"
                            } else {
                                "no previous session"
                            }),
                            unbounded: true,
                        },
                    },
                    absent => absent,
                }
            }
            NodeKind::Extreme(lowest, attribute, set) => {
                let selection = self.selection(set);
                self.extreme(selection, attribute, *lowest)
            }
            NodeKind::Latest(set) | NodeKind::Earliest(set) => {
                let latest = matches!(node.kind, NodeKind::Latest(_));
                let scan = if latest { Scan::Latest } else { Scan::Earliest };
                let selection = match self.scan_select(set, scan) {
                    Some(selection) => selection,
                    None => self.selection(set),
                };
                self.pick(selection, latest)
            }
            NodeKind::Call(part, args) => {
                let key = self.call_key(*part, args);
                if let Some(entry) = key.and_then(|key| self.events.get(&key, self.trying)) {
                    // Reusing it reads the same data: its readings count again.
                    return entry.replay(&mut self.consults, &mut self.missing, &mut self.cold);
                }
                let (mark, cold_from) = (self.mark(), self.cold);
                let label = self.checked.parts.get(*part).map(|p| p.label.as_str());
                let found = self.call(
                    *part,
                    args,
                    |ctx, body, description| match ctx.event(body) {
                        Found::At(position, None, since) => Found::At(position, label, since),
                        Found::Absent { unbounded, .. } => Found::Absent {
                            why: Why::always_writes(move |view, out| {
                                out.push_str("no ");
                                description.render_into(view, out);
                            }),
                            unbounded,
                        },
                        found => found,
                    },
                    Found::absent("no such part"),
                );
                if let Some(key) = key {
                    let entry = self.entry(found.clone(), mark, cold_from);
                    self.events.insert(key, entry, self.trying);
                }
                found
            }
            _ => Found::absent("not an event"),
        }
    }

    /// The member with the lowest (or highest) value of `attribute`, the earliest on a
    /// tie. A member whose membership or value is unknown could be the one: then which
    /// event it is, is unknown.
    fn extreme(&mut self, selection: Selection<'a>, attribute: &'a str, lowest: bool) -> Found<'a> {
        let values: Vec<(usize, Truth, Option<Decimal>)> = selection
            .members
            .iter()
            .map(|&(p, m)| (p, m, self.attr(p, attribute).and_then(Value::as_number)))
            .collect();
        // A missing value decides by where it falls among the others.
        for &(position, _, value) in &values {
            let cell = Cell {
                position,
                attribute,
            };
            if value.is_none() || self.filled(cell) {
                for &(other, _, known) in &values {
                    if let (true, Some(known)) = (other != position, known) {
                        self.consult(cell, Hint::Near(known));
                    }
                }
                if values.len() == 1 {
                    self.consult(cell, Hint::Open);
                }
            }
        }
        let mut best: Option<(usize, Decimal)> = None;
        for &(position, membership, value) in &values {
            let (Truth::Met, Some(value)) = (membership, value) else {
                let description = selection.description;
                let which = if lowest { "lowest" } else { "highest" };
                return Found::Uncertain(Why::always(move |view| {
                    format!(
                        "unknown which {} has the {which} {attribute}",
                        description.render(view)
                    )
                }));
            };
            let better = best.is_none_or(|(_, b)| if lowest { value < b } else { value > b });
            if better {
                best = Some((position, value));
            }
        }
        match best {
            // Which member is the extreme one is settled once every member is there.
            Some((position, _)) => {
                let last = selection.members.last().and_then(|&(p, _)| self.date_at(p));
                let since = [last, selection.since, self.date_at(position)]
                    .into_iter()
                    .flatten()
                    .max()
                    .unwrap_or(crate::date::Date::EARLIEST);
                Found::At(position, None, since)
            }
            None => {
                let description = selection.description;
                Found::absent(Why::always(move |view| {
                    format!("no {}", description.render(view))
                }))
            }
        }
    }
}

impl<'a> Context<'a> {
    /// The latest (or earliest) member. A later member whose membership is unknown makes
    /// the choice itself unknown. The member is that event from its own date, and not
    /// before the windows stand.
    fn pick(&self, selection: Selection<'a>, latest: bool) -> Found<'a> {
        let ordered: Box<dyn Iterator<Item = &(usize, Truth)>> = if latest {
            Box::new(selection.members.iter().rev())
        } else {
            Box::new(selection.members.iter())
        };
        let members = &selection.members;
        for (index, &(position, membership)) in ordered.enumerate() {
            // Another member at the same place of the timeline, differing: which is the
            // latest (or earliest) depends on an order the record does not give.
            let next = if latest {
                members
                    .len()
                    .checked_sub(index + 2)
                    .and_then(|i| members.get(i))
            } else {
                members.get(index + 1)
            };
            if let Some(&(other, _)) = next.filter(|(p, _)| self.tied(position, *p)) {
                let description = selection.description;
                return Found::Uncertain(Why::always_writes(move |view, out| {
                    out.push_str("unknown which is the ");
                    out.push_str(if latest { "latest " } else { "earliest " });
                    description.render_into(view, out);
                    out.push_str(": ");
                    view.describe_into(out, position, None);
                    out.push_str(" and ");
                    view.describe_into(out, other, None);
                    out.push_str(" differ, at the same time of day or without one");
                }));
            }
            match membership {
                Truth::Met => {
                    let since = self
                        .date_at(position)
                        .max(selection.since)
                        .unwrap_or(crate::date::Date::EARLIEST);
                    return Found::At(position, None, since);
                }
                Truth::Unknown => {
                    let description = selection.description;
                    return Found::Uncertain(Why::always(move |view| {
                        format!(
                            "unknown which is the {} {}",
                            if latest { "latest" } else { "earliest" },
                            description.render(view)
                        )
                    }));
                }
                Truth::NotMet => {}
            }
        }
        let description = selection.description;
        Found::absent(Why::always(move |view| {
            format!("no {}", description.render(view))
        }))
    }
}
