//! The results table, built as Arrow buffers (validity bitmaps, offsets, values) that the
//! Python side wraps with `pyarrow.Array.from_buffers`: no Python object per cell, and no
//! Arrow crate to build.

use refract::check::Checked;
use refract::date::Date;
use refract::eval::Truth;

use crate::evaluate::Evaluated;

/// A column of nullable strings (Arrow `large_string`).
#[derive(Default)]
pub struct Strings {
    /// Validity, one bit per row (least significant bit first).
    pub validity: Vec<u8>,
    /// `len + 1` offsets into `data`.
    pub offsets: Vec<i64>,
    /// The bytes of every value, one after another.
    pub data: Vec<u8>,
    /// How many rows are null.
    pub nulls: usize,
    len: usize,
}

impl Strings {
    fn push(&mut self, value: Option<&str>) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        if self.len % 8 == 0 {
            self.validity.push(0);
        }
        match value {
            Some(text) => {
                self.data.extend_from_slice(text.as_bytes());
                if let Some(byte) = self.validity.last_mut() {
                    *byte |= 1 << (self.len % 8);
                }
            }
            None => self.nulls += 1,
        }
        self.offsets
            .push(i64::try_from(self.data.len()).unwrap_or(i64::MAX));
        self.len += 1;
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.len
    }
}

/// A column of nullable dates (Arrow `date32`: days since 1970-01-01).
#[derive(Default)]
pub struct Dates {
    /// Validity, one bit per row.
    pub validity: Vec<u8>,
    /// The days, 0 where null.
    pub days: Vec<i32>,
    /// How many rows are null.
    pub nulls: usize,
}

impl Dates {
    fn push(&mut self, date: Option<Date>) {
        let len = self.days.len();
        if len % 8 == 0 {
            self.validity.push(0);
        }
        match date.and_then(days_since_epoch) {
            Some(days) => {
                if let Some(byte) = self.validity.last_mut() {
                    *byte |= 1 << (len % 8);
                }
                self.days.push(days);
            }
            None => {
                self.nulls += 1;
                self.days.push(0);
            }
        }
    }
}

fn days_since_epoch(date: Date) -> Option<i32> {
    let epoch = Date::new(1970, 1, 1).ok()?;
    i32::try_from(epoch.days_until(date)).ok()
}

/// Every column of the results table.
pub struct Columns {
    /// `patient`
    pub patient: Strings,
    /// `definition`
    pub definition: Strings,
    /// `outcome`
    pub outcome: Strings,
    /// `result`: `met`, `not_met`, `unknown`, or `error`.
    pub result: Strings,
    /// `onset`
    pub onset: Dates,
    /// One per criterion name.
    pub criteria: Vec<Strings>,
    /// `error`: why a row has no result.
    pub error: Strings,
    /// `json`, when asked for.
    pub json: Option<Strings>,
}

impl Columns {
    /// No rows yet, `criteria` criterion columns.
    pub fn new(criteria: usize, json: bool) -> Columns {
        Columns {
            patient: Strings::default(),
            definition: Strings::default(),
            outcome: Strings::default(),
            result: Strings::default(),
            onset: Dates::default(),
            criteria: (0..criteria).map(|_| Strings::default()).collect(),
            error: Strings::default(),
            json: json.then(Strings::default),
        }
    }

    /// One evaluated row.
    pub fn push(&mut self, patient: &str, definition: &Checked, result: Evaluated) {
        self.patient.push(Some(patient));
        self.definition.push(Some(&definition.id));
        self.outcome.push(Some(&definition.outcome));
        self.result
            .push(Some(result.result.map_or("error", Truth::as_str)));
        self.onset.push(result.onset);
        for (column, cell) in self.criteria.iter_mut().zip(&result.criteria) {
            column.push(cell.map(Truth::as_str));
        }
        self.error.push(result.error.as_deref());
        if let Some(json) = &mut self.json {
            json.push(result.json.as_deref());
        }
    }

    /// One row of a patient that could not be read.
    pub fn push_error(
        &mut self,
        patient: Option<&str>,
        definition: &Checked,
        message: &str,
        json: Option<String>,
    ) {
        self.patient.push(patient);
        self.definition.push(Some(&definition.id));
        self.outcome.push(Some(&definition.outcome));
        self.result.push(Some("error"));
        self.onset.push(None);
        for column in &mut self.criteria {
            column.push(None);
        }
        self.error.push(Some(message));
        if let Some(column) = &mut self.json {
            column.push(json.as_deref());
        }
    }
}
