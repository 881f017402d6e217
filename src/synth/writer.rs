//! The JSON text of the cohort, written by hand: numbers and dates digit by digit and
//! events into one reused buffer, because writing is most of the generator's time.

use super::dates::civil_from_days;

pub(super) fn push_digit(buf: &mut String, d: u64) {
    buf.push(char::from(b'0' + (d % 10) as u8));
}

pub(super) fn push_uint(buf: &mut String, n: u64) {
    let mut div = 1u64;
    while div <= n / 10 {
        div *= 10;
    }
    let mut rest = n;
    while div > 0 {
        push_digit(buf, rest / div);
        rest %= div;
        div /= 10;
    }
}

/// Two digits, zero-padded.
pub(super) fn push_2(buf: &mut String, n: i64) {
    let n = n.clamp(0, 99) as u64;
    push_digit(buf, n / 10);
    push_digit(buf, n);
}

pub(super) fn push_date(buf: &mut String, day: i64) {
    let (y, m, d) = civil_from_days(day);
    push_uint(buf, y.clamp(0, 9999) as u64);
    buf.push('-');
    push_2(buf, m);
    buf.push('-');
    push_2(buf, d);
}

/// A non-negative number with at most one decimal (`12`, `3.4`).
pub(super) fn push_dec1(buf: &mut String, v: f64) {
    let tenths = (v.max(0.0) * 10.0).round() as u64;
    push_uint(buf, tenths / 10);
    if tenths % 10 != 0 {
        buf.push('.');
        push_digit(buf, tenths % 10);
    }
}

/// One event in the making: its sort key and where its text lies in `Scratch::text`.
#[derive(Clone, Copy)]
pub(super) struct Slot {
    pub(super) day: i64,
    pub(super) rank: u8,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Buffers reused from patient to patient.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) text: String,
    pub(super) slots: Vec<Slot>,
    /// The last date written, as text (events cluster on few days).
    date_day: Option<i64>,
    date_text: String,
}

/// Kind ranks for the order of events within a day in the output (refract sorts by
/// its own rules anyway; this only makes the file read naturally).
pub(super) const RANK_STATUS: u8 = 0;
pub(super) const RANK_IMAGING: u8 = 1;
pub(super) const RANK_LAB: u8 = 2;
pub(super) const RANK_TACE: u8 = 3;

impl Scratch {
    pub(super) fn begin(&mut self, day: i64, kind: &str, minutes: Option<i64>) -> usize {
        let start = self.text.len();
        self.text.push_str("{\"date\":\"");
        if self.date_day != Some(day) {
            self.date_day = Some(day);
            self.date_text.clear();
            push_date(&mut self.date_text, day);
        }
        self.text.push_str(&self.date_text);
        self.text.push('"');
        if let Some(m) = minutes {
            self.text.push_str(",\"time\":\"");
            push_2(&mut self.text, m / 60);
            self.text.push(':');
            push_2(&mut self.text, m % 60);
            self.text.push('"');
        }
        self.text.push_str(",\"kind\":\"");
        self.text.push_str(kind);
        self.text.push('"');
        start
    }

    pub(super) fn end(&mut self, start: usize, day: i64, rank: u8) {
        self.text.push('}');
        self.slots.push(Slot {
            day,
            rank,
            start,
            end: self.text.len(),
        });
    }

    pub(super) fn key(&mut self, key: &str) {
        self.text.push_str(",\"");
        self.text.push_str(key);
        self.text.push_str("\":");
    }

    pub(super) fn str_attr(&mut self, key: &str, value: &str) {
        self.key(key);
        self.text.push('"');
        self.text.push_str(value);
        self.text.push('"');
    }

    pub(super) fn bool_attr(&mut self, key: &str, value: bool) {
        self.key(key);
        self.text.push_str(if value { "true" } else { "false" });
    }

    pub(super) fn int_attr(&mut self, key: &str, value: i64) {
        self.key(key);
        push_uint(&mut self.text, value.max(0) as u64);
    }

    pub(super) fn dec_attr(&mut self, key: &str, value: f64) {
        self.key(key);
        push_dec1(&mut self.text, value);
    }

    pub(super) fn list_attr(&mut self, key: &str, values: &[&str]) {
        self.key(key);
        self.text.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            self.text.push('"');
            self.text.push_str(v);
            self.text.push('"');
        }
        self.text.push(']');
    }
}
