//! Candidate timelines drawn from the pool: sessions spaced by window lengths, events of
//! the kinds the definitions select placed a window length (or a day either side) from
//! a session, attributes present or missing, values at and just around every constant.
//! Every fourth candidate is a synthetic patient (`refract synth`), half the time with
//! some values moved onto a boundary.

use serde_json::Value;

use super::pool::{Attr, Pool};
use super::timeline::{Ev, Timeline};
use crate::number::Decimal;
use crate::vocabulary::AttrType;

/// splitmix64, seeded by the search's seed: the same seed gives the same candidates.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi].
    pub(super) fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }

    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get((self.next() % items.len() as u64) as usize)
    }
}

/// A JSON number of exactly this decimal.
fn number(n: Decimal) -> Value {
    serde_json::from_str(&n.to_string()).unwrap_or(Value::Null)
}

fn value(rng: &mut Rng, pool: &Pool, attr: &Attr) -> Value {
    match attr.ty {
        Some(AttrType::Bool) => Value::Bool(rng.chance(50)),
        Some(AttrType::Number { min, max, integer }) => {
            let drawn = if rng.chance(65) {
                rng.pick(&attr.numbers).copied()
            } else if rng.chance(50) {
                rng.pick(&pool.numbers).copied()
            } else {
                None
            };
            let mut n = drawn.unwrap_or_else(|| Decimal::from_i64(rng.int(0, 150)));
            if integer && !n.is_integer() {
                n = n.floor().unwrap_or(n);
            }
            if let Some(lo) = min {
                if n < Decimal::from_i64(lo) {
                    n = Decimal::from_i64(lo);
                }
            }
            if let Some(hi) = max {
                if n > Decimal::from_i64(hi) {
                    n = Decimal::from_i64(hi);
                }
            }
            number(n)
        }
        Some(AttrType::Category(values)) => {
            let listed: Vec<&String> = attr
                .texts
                .iter()
                .filter(|t| values.contains(&t.as_str()))
                .collect();
            let text = match rng.pick(&listed) {
                Some(t) if rng.chance(70) => (*t).clone(),
                _ => rng
                    .pick(values)
                    .map(|s| (*s).to_owned())
                    .unwrap_or_default(),
            };
            Value::String(text)
        }
        Some(AttrType::TextList) => {
            let n = rng.int(0, 3);
            let items = (0..n)
                .filter_map(|_| rng.pick(&pool.texts).cloned().map(Value::String))
                .collect();
            Value::Array(items)
        }
        Some(AttrType::Text) | None => {
            // Free text the definitions never name is compared with other events' (`the
            // same as`): two words make equal values likely.
            let text = match rng.pick(&attr.texts) {
                Some(t) if rng.chance(70) => Some(t.clone()),
                _ if attr.texts.is_empty() && rng.chance(80) => {
                    Some(if rng.chance(50) { "S5" } else { "S8" }.to_owned())
                }
                _ => rng.pick(&pool.texts).cloned(),
            };
            match text {
                Some(t) if attr.ty.is_some() || rng.chance(50) => Value::String(t),
                _ => number(
                    rng.pick(&pool.numbers)
                        .copied()
                        .unwrap_or_else(|| Decimal::from_i64(1)),
                ),
            }
        }
    }
}

/// Times of day, for events on one day in both orders (a session sorts after the day's
/// observations unless both are timed).
const TIMES: [&str; 3] = ["08:00", "12:00", "16:00"];

fn attributes(rng: &mut Rng, pool: &Pool, kind: &str) -> Vec<(String, Value)> {
    let mut attrs = Vec::new();
    if rng.chance(12) {
        let time = rng.pick(&TIMES).copied().unwrap_or("12:00");
        attrs.push(("time".to_owned(), Value::String(time.to_owned())));
    }
    for attr in pool
        .attrs
        .iter()
        .filter(|a| a.kinds.iter().any(|k| k == kind))
    {
        if rng.chance(15) {
            continue;
        }
        let v = value(rng, pool, attr);
        if !v.is_null() {
            attrs.push((attr.name.clone(), v));
        }
    }
    attrs
}

/// One drawn timeline.
pub(super) fn draw(rng: &mut Rng, pool: &Pool) -> Timeline {
    let sessions = if rng.chance(60) {
        rng.pick(&pool.counts).copied().unwrap_or(1)
    } else {
        rng.int(0, 4)
    };
    let mut events = Vec::new();
    let mut days = Vec::new();
    let mut day = 0;
    for k in 0..sessions {
        if k > 0 {
            let gap = match rng.pick(&pool.offsets) {
                Some(&g) if g >= 1 && rng.chance(50) => g,
                _ => rng.int(28, 90),
            };
            day += gap;
        }
        days.push(day);
        let attrs = attributes(rng, pool, "tace");
        events.push(Ev {
            day,
            kind: "tace".to_owned(),
            attrs,
        });
    }
    for kind in &pool.kinds {
        let n = rng.int(0, sessions + 2);
        for _ in 0..n {
            let anchor = rng.pick(&days).copied().unwrap_or(0);
            let offset = match rng.pick(&pool.offsets) {
                Some(&o) if rng.chance(75) => {
                    if rng.chance(70) {
                        o
                    } else {
                        -o
                    }
                }
                _ => rng.int(-100, 200),
            };
            let attrs = attributes(rng, pool, kind);
            events.push(Ev {
                day: anchor + offset,
                kind: kind.clone(),
                attrs,
            });
        }
    }
    // An observation on a session's day is before the session unless both are timed:
    // half of them are timed after it, so both orders are tried.
    let session_days: Vec<i64> = days.clone();
    let mut timed_days = Vec::new();
    for ev in events.iter_mut().filter(|e| e.kind != "tace") {
        if session_days.contains(&ev.day) && rng.chance(50) {
            ev.attrs.retain(|(k, _)| k != "time");
            ev.attrs
                .push(("time".to_owned(), Value::String("16:00".to_owned())));
            timed_days.push(ev.day);
        }
    }
    for ev in events
        .iter_mut()
        .filter(|e| e.kind == "tace" && timed_days.contains(&e.day))
    {
        ev.attrs.retain(|(k, _)| k != "time");
        ev.attrs
            .push(("time".to_owned(), Value::String("08:00".to_owned())));
    }
    events.sort_by_key(|e| e.day);
    Timeline { events }
}

/// A synthetic patient, sometimes with values moved onto the pool's boundaries.
pub(super) fn synthetic(rng: &mut Rng, pool: &Pool, index: usize, seed: u64) -> Option<Timeline> {
    let mut timeline = Timeline::from_json(&crate::synth::patient_json(index, seed))?;
    if rng.chance(50) {
        for ev in &mut timeline.events {
            for (name, v) in &mut ev.attrs {
                if let Some(attr) = pool.attrs.iter().find(|a| &a.name == name) {
                    if rng.chance(30) {
                        let drawn = value(rng, pool, attr);
                        if !drawn.is_null() {
                            *v = drawn;
                        }
                    }
                }
            }
        }
    }
    Some(timeline)
}
