//! Patients as handed in from Python, made into what the library's reader takes: JSON
//! Lines text or files are read by [`refract::timeline::read_cohort`] itself; Python
//! dicts are written as JSON text (numbers exactly as Python holds them) and read by the
//! same reader, so every check and message of the timeline format applies.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor};
use std::path::Path;

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use refract::timeline::{read_cohort, CohortReader, Origin, Record};
use refract::vocabulary::Vocabulary;

use crate::evaluate::{Item, Items};

/// How deep a patient's Python value may nest (a timeline needs 4 levels: patient,
/// events, event, list attribute); deeper values are refused, so conversion never
/// recurses without bound.
const MAX_DEPTH: usize = 64;

/// A cohort read by the library's own JSON Lines reader.
pub struct Cohort<R: BufRead + Send>(CohortReader<R>);

impl<R: BufRead + Send> Items for Cohort<R> {
    fn next_chunk(&mut self, n: usize) -> Vec<Item> {
        std::iter::from_fn(|| self.0.next_record())
            .take(n)
            .map(Item::Record)
            .collect()
    }
}

/// JSON Lines (or one whole-file patient) given as text, named `name` in messages.
pub fn text(text: String, name: &str) -> Cohort<Cursor<String>> {
    Cohort(read_cohort(Cursor::new(text), name, &Vocabulary::builtin()))
}

/// A JSON Lines file (or one whole-file patient), named in messages as its path is given.
pub fn file(path: &Path) -> PyResult<(String, Cohort<BufReader<File>>)> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(PyOSError::new_err(format!(
            "cannot read {name}: it is a folder; name a patient file or a JSON Lines cohort"
        )));
    }
    let opened = File::open(path)
        .map_err(|error| PyOSError::new_err(format!("cannot read {name}: {error}")))?;
    let reader = BufReader::with_capacity(1 << 18, opened);
    let cohort = Cohort(read_cohort(reader, &name, &Vocabulary::builtin()));
    Ok((name, cohort))
}

/// Patients given as Python mappings: the N-th (from 1) is "line N" of `name`.
pub fn dicts(patients: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<Item>> {
    let mut items = Vec::new();
    for (index, patient) in patients.try_iter()?.enumerate() {
        let patient = patient?;
        let origin = Origin::new(name, Some(index + 1));
        let mut text = String::with_capacity(512);
        let item = match write_json(&patient, &mut text, 0) {
            Ok(()) => Item::Record(Record::Text(text, origin)),
            Err(why) => Item::Bad {
                id: patient
                    .cast::<PyDict>()
                    .ok()
                    .and_then(|d| d.get_item("id").ok().flatten())
                    .and_then(|id| id.extract::<String>().ok()),
                message: format!("{origin}: {why}"),
            },
        };
        items.push(item);
    }
    Ok(items)
}

/// `value` as JSON text onto `out`; `Err` names the place and the value JSON has no form
/// for. Python's numbers are written exactly (an int's digits, a float's shortest repr, a
/// `Decimal`'s text), `None` and NaN (pandas' missing value) as `null`, dates and
/// times by their ISO text.
fn write_json(value: &Bound<'_, PyAny>, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested more than {MAX_DEPTH} levels deep"));
    }
    if value.is_none() {
        out.push_str("null");
    } else if let Ok(b) = value.cast::<PyBool>() {
        out.push_str(if b.is_true() { "true" } else { "false" });
    } else if let Ok(s) = value.cast::<PyString>() {
        let text = s.to_cow().map_err(|e| e.to_string())?;
        push_string(out, &text);
    } else if value.is_instance_of::<PyInt>() {
        out.push_str(&value.str().map_err(|e| e.to_string())?.to_string());
    } else if let Ok(f) = value.cast::<PyFloat>() {
        let v = f.value();
        if v.is_nan() {
            out.push_str("null");
        } else if v.is_finite() {
            out.push_str(&value.repr().map_err(|e| e.to_string())?.to_string());
        } else {
            return Err(format!("{v} is not a number JSON can hold"));
        }
    } else if let Ok(dict) = value.cast::<PyDict>() {
        out.push('{');
        for (i, (key, item)) in dict.iter().enumerate() {
            let key = key
                .cast::<PyString>()
                .map_err(|_| "a key that is not a string".to_string())?;
            let key = key.to_cow().map_err(|e| e.to_string())?;
            let key: &str = &key;
            if i > 0 {
                out.push(',');
            }
            push_string(out, key);
            out.push(':');
            write_json(&item, out, depth + 1).map_err(|why| at(key, why))?;
        }
        out.push('}');
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        out.push('[');
        for (i, item) in value.try_iter().map_err(|e| e.to_string())?.enumerate() {
            let item = item.map_err(|e| e.to_string())?;
            if i > 0 {
                out.push(',');
            }
            write_json(&item, out, depth + 1).map_err(|why| at(&format!("[{i}]"), why))?;
        }
        out.push(']');
    } else {
        other(value, out, depth)?;
    }
    Ok(())
}

/// Values that are none of JSON's own types, recognised by what they can do: a
/// `Decimal`, a date or time, a mapping, a NumPy scalar or array.
fn other(value: &Bound<'_, PyAny>, out: &mut String, depth: usize) -> Result<(), String> {
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    if type_name == "Decimal" {
        let text = value.str().map_err(|e| e.to_string())?.to_string();
        if text.contains(['N', 'n', 'I', 'i']) {
            // NaN, sNaN, Infinity: missing or not a number.
            if text.to_ascii_lowercase().contains("nan") {
                out.push_str("null");
                return Ok(());
            }
            return Err(format!("{text} is not a number JSON can hold"));
        }
        out.push_str(&text);
        return Ok(());
    }
    if value.hasattr("isoformat").unwrap_or(false) {
        let text: String = value
            .call_method0("isoformat")
            .and_then(|t| t.extract())
            .map_err(|e| e.to_string())?;
        // A datetime at midnight is its date (pandas reads dates as timestamps).
        let text = text
            .strip_suffix("T00:00:00")
            .or_else(|| text.strip_suffix(" 00:00:00"))
            .unwrap_or(&text)
            .to_string();
        push_string(out, &text);
        return Ok(());
    }
    // NumPy scalars and arrays turn themselves into Python values.
    if value.hasattr("tolist").unwrap_or(false) {
        let plain = value.call_method0("tolist").map_err(|e| e.to_string())?;
        if !plain.is(value) {
            return write_json(&plain, out, depth + 1);
        }
    }
    if value.hasattr("items").unwrap_or(false) {
        let dict = PyDict::new(value.py());
        let items = value.call_method0("items").map_err(|e| e.to_string())?;
        for pair in items.try_iter().map_err(|e| e.to_string())? {
            let (key, item): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
                pair.and_then(|p| p.extract()).map_err(|e| e.to_string())?;
            dict.set_item(key, item).map_err(|e| e.to_string())?;
        }
        return write_json(dict.as_any(), out, depth + 1);
    }
    Err(format!("a Python {type_name}, which has no JSON form"))
}

/// `why`, placed under `key` (`events[3].date: …`).
fn at(key: &str, why: String) -> String {
    match why.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => {
            let separator = if path.starts_with('[') { "" } else { "." };
            format!("{key}{separator}{path}: {rest}")
        }
        _ => format!("{key}: {why}"),
    }
}

/// A JSON string literal.
fn push_string(out: &mut String, text: &str) {
    match serde_json::to_string(text) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}
