//! Calling a part: the cache key of a call, and binding its arguments (with the values
//! its description quotes) for the evaluation of its body.

use std::rc::Rc;

use super::cache::CallKey;
use super::context::Context;
use super::value::{Bound, Datum, Found};
use super::why::{Quote, Quoted, Why};
use crate::check::Node;

impl<'a> Context<'a> {
    /// The cache key of a call, if its result depends only on up to two event arguments.
    pub fn call_key(&mut self, part: usize, args: &'a [Node]) -> Option<CallKey> {
        let checked = self.checked;
        let entry = checked.parts.get(part)?;
        if entry.reads_caller_it || args.len() > 2 || entry.value_params.iter().any(|v| *v) {
            return None;
        }
        let mut key = [0usize; 2];
        for (place, arg) in key.iter_mut().zip(args) {
            *place = match self.event(arg) {
                Found::At(position, ..) => position.checked_add(1)?,
                Found::Absent {
                    unbounded: false, ..
                } => 0,
                Found::Absent {
                    unbounded: true, ..
                } => usize::MAX,
                Found::Uncertain(_) => return None,
            };
        }
        Some((part, key[0], key[1]))
    }

    /// Bind a part's arguments and run `f` on its body, with the part's description (its
    /// `{M}` filled in, and the session it is about) for reasons.
    pub fn call<T>(
        &mut self,
        part: usize,
        args: &'a [Node],
        f: impl FnOnce(&mut Self, &'a Node, Why<'a>) -> T,
        absent: T,
    ) -> T {
        let checked = self.checked;
        let Some(part) = checked.parts.get(part) else {
            return absent;
        };
        // The slots' earlier contents wait on one stack shared by all calls.
        let saved_from = self.saved.len();
        let mut anchor = None;
        // The quotes of this call wait on one stack shared by all calls (an argument may
        // itself be a call), and are copied out once: one allocation per quoting call.
        let quoted_from = self.quoting.len();
        for (index, ((arg, &slot), &is_value)) in args
            .iter()
            .zip(&part.params)
            .zip(&part.value_params)
            .enumerate()
        {
            let value = if is_value {
                let datum = self.datum(arg);
                if let (Datum::Known(value, _), Some(name)) = (&datum, part.param_names.get(index))
                {
                    self.quoting
                        .push((name.as_str(), Quote::Value(value.clone())));
                }
                Bound::Value(datum)
            } else {
                match self.event(arg) {
                    Found::At(position, _, since) => {
                        let name = part.param_names.get(index);
                        if let (Some(name), Some(true), Some(date)) =
                            (name, part.quoted_params.get(index), self.date_at(position))
                        {
                            self.quoting.push((name.as_str(), Quote::Date(date)));
                        }
                        anchor.get_or_insert(position);
                        Bound::Event(Found::At(position, None, since))
                    }
                    found => Bound::Event(found),
                }
            };
            let old = self
                .slots
                .get_mut(slot)
                .map(|place| std::mem::replace(place, value))
                .unwrap_or(Bound::Empty);
            self.saved.push((slot, old));
        }
        let quoted: Option<Rc<[Quoted<'a>]>> = self
            .quoting
            .get(quoted_from..)
            .filter(|quotes| !quotes.is_empty())
            .map(Rc::from);
        self.quoting.truncate(quoted_from);
        let description = Why::Part {
            part,
            anchor,
            quoted,
        };
        let out = f(self, &part.body, description);
        while self.saved.len() > saved_from {
            if let Some((slot, old)) = self.saved.pop() {
                if let Some(place) = self.slots.get_mut(slot) {
                    *place = old;
                }
            }
        }
        out
    }
}
