//! The contract's total order of events: (date, time key, kind class,
//! input position).

use super::Event;
use crate::date::Date;

/// The sort key of an event. Distinct events (distinct `index`) never share
/// a key, so the order is total and does not depend on the input order.
pub fn sort_key(event: &Event) -> (Date, u16, u8, usize) {
    // Time keys: 0 for an untimed observation (start of its day), 1 + minutes
    // since midnight for a timed event, and past 23:59 for an untimed TACE
    // (end of its day). So, without times, imaging on the day of a session is
    // that session's pre-procedure imaging.
    const END_OF_DAY: u16 = 1 + 24 * 60;
    let time_key = match event.time {
        Some((hour, minute)) => 1 + u16::from(hour) * 60 + u16::from(minute),
        None if event.is_procedure() => END_OF_DAY,
        None => 0,
    };
    // At equal keys observations come before procedures.
    let class = u8::from(event.is_procedure());
    (event.date, time_key, class, event.index)
}

/// Sorts events by [`sort_key`].
pub fn sort_events(events: &mut [Event]) {
    events.sort_by_key(sort_key);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(index: usize, date: &str, time: Option<(u8, u8)>, kind: &str) -> Event {
        Event {
            index,
            date: Date::parse(date).unwrap(),
            time,
            kind: kind.to_owned().into(),
            attributes: Default::default(),
            source: None,
        }
    }

    fn order(events: &[Event]) -> Vec<usize> {
        let mut sorted = events.to_vec();
        sort_events(&mut sorted);
        sorted.iter().map(|e| e.index).collect()
    }

    #[test]
    fn untimed_imaging_precedes_untimed_tace_on_its_day() {
        let events = [
            event(0, "2021-02-01", None, "tace"),
            event(1, "2021-02-01", None, "imaging"),
        ];
        assert_eq!(order(&events), [1, 0]);
    }

    #[test]
    fn times_order_a_day() {
        let events = [
            event(0, "2021-02-01", Some((9, 0)), "imaging"),
            event(1, "2021-02-01", Some((8, 0)), "tace"),
            event(2, "2021-02-01", None, "lab"),
            event(3, "2021-02-01", None, "tace"),
            event(4, "2021-01-31", None, "tace"),
            event(5, "2021-02-01", Some((23, 59)), "status"),
        ];
        assert_eq!(order(&events), [4, 2, 1, 0, 5, 3]);
    }

    #[test]
    fn observations_precede_procedures_at_the_same_time() {
        let events = [
            event(0, "2021-02-01", Some((8, 0)), "tace"),
            event(1, "2021-02-01", Some((8, 0)), "imaging"),
        ];
        assert_eq!(order(&events), [1, 0]);
    }

    #[test]
    fn input_position_breaks_remaining_ties() {
        let events = [
            event(2, "2021-02-01", None, "lab"),
            event(0, "2021-02-01", None, "lab"),
            event(1, "2021-02-01", None, "biopsy"),
        ];
        assert_eq!(order(&events), [0, 1, 2]);
    }

    #[test]
    fn shuffling_never_changes_the_result() {
        let kinds = ["tace", "imaging", "lab", "status", "other"];
        let times = [
            None,
            Some((0, 0)),
            Some((8, 0)),
            Some((8, 0)),
            Some((23, 59)),
        ];
        let dates = ["2021-01-01", "2021-01-02"];
        let mut events = Vec::new();
        for (i, kind) in kinds.iter().cycle().take(40).enumerate() {
            let time = times.get(i % times.len()).copied().flatten();
            let date = dates.get((i / 7) % 2).copied().unwrap();
            events.push(event(i, date, time, kind));
        }
        let expected = order(&events);
        // A small deterministic generator stands in for a random shuffle.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..200 {
            for i in (1..events.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let j = usize::try_from(state % (i as u64 + 1)).unwrap();
                events.swap(i, j);
            }
            assert_eq!(order(&events), expected);
        }
        let sorted: Vec<_> = expected
            .iter()
            .map(|&i| events.iter().find(|e| e.index == i).unwrap())
            .collect();
        assert!(sorted.windows(2).all(|w| sort_key(w[0]) < sort_key(w[1])));
    }
}
