//! One JSON object per patient and definition, fields in the contract's order. Written
//! directly into a string: this runs once per patient and definition, millions of times.

use std::fmt::Write as _;

use crate::eval::{Decider, Missing, Outcome};

/// The output line for one outcome (no trailing newline).
pub fn outcome_line(outcome: &Outcome) -> String {
    // Room for the whole line, so that it is written without growing: the reasons are
    // most of it (a guess of 160 bytes a criterion had a third of the lines grow).
    let named = 128 + outcome.patient.len() + outcome.definition.len() + outcome.outcome.len();
    let room = outcome.criteria.iter().fold(named, |room, c| {
        let evidence = 96 * c.evidence.len() + 256 * c.decided_by.len();
        room + 128 + c.name.len() + c.why.len() + evidence
    });
    let mut out = String::with_capacity(room);
    out.push_str("{\"patient\":");
    string(&mut out, &outcome.patient);
    out.push_str(",\"definition\":");
    string(&mut out, &outcome.definition);
    out.push_str(",\"outcome\":");
    string(&mut out, &outcome.outcome);
    out.push_str(",\"result\":\"");
    out.push_str(outcome.result.as_str());
    out.push_str("\",\"onset\":");
    match outcome.onset {
        Some(date) => {
            out.push('"');
            date.push_to(&mut out);
            out.push('"');
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"criteria\":[");
    for (i, criterion) in outcome.criteria.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        string(&mut out, &criterion.name);
        out.push_str(",\"result\":\"");
        out.push_str(criterion.result.as_str());
        out.push_str("\",\"why\":");
        string(&mut out, &criterion.why);
        out.push_str(",\"evidence\":[");
        for (j, evidence) in criterion.evidence.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str("{\"event\":");
            push_count(&mut out, evidence.event);
            out.push_str(",\"date\":\"");
            evidence.date.push_to(&mut out);
            out.push_str("\",\"kind\":");
            string(&mut out, &evidence.kind);
            // Written only when the reader knew it, so JSON input gives the output it did.
            if let Some(source) = &evidence.source {
                out.push_str(",\"source\":");
                string(&mut out, source);
            }
            out.push('}');
        }
        out.push(']');
        if !criterion.decided_by.is_empty() {
            out.push_str(",\"decided_by\":[");
            for (j, decider) in criterion.decided_by.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                push_decider(&mut out, decider);
            }
            out.push(']');
        }
        out.push('}');
    }
    out.push_str("]}");
    out
}

/// One entry of `decided_by`: an attribute of an event and the values that decide, or an
/// event that is not in the record.
fn push_decider(out: &mut String, decider: &Decider) {
    match &decider.missing {
        Missing::Attribute {
            event,
            date,
            kind,
            attribute,
        } => {
            out.push_str("{\"event\":");
            push_count(out, *event);
            out.push_str(",\"date\":\"");
            date.push_to(out);
            out.push_str("\",\"kind\":");
            string(out, kind);
            out.push_str(",\"attribute\":");
            string(out, attribute);
        }
        Missing::Event(what) => {
            out.push_str("{\"missing\":");
            string(out, what);
        }
    }
    if let Some(condition) = &decider.met_if {
        out.push_str(",\"met_if\":");
        string(out, &condition.written);
    }
    if let Some(condition) = &decider.not_met_if {
        out.push_str(",\"not_met_if\":");
        string(out, &condition.written);
    }
    out.push('}');
}

/// A whole number in decimal, without the formatting machinery.
fn push_count(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(digits.get(start..).unwrap_or_default()).unwrap_or(""));
}

/// The output line for a patient and definition whose evaluation stopped at its work
/// limit: `{"patient":…,"definition":…,"error":…}`.
pub fn stopped_line(outcome: &Outcome, reason: &str) -> String {
    let mut out = String::from("{\"patient\":");
    string(&mut out, &outcome.patient);
    out.push_str(",\"definition\":");
    string(&mut out, &outcome.definition);
    out.push_str(",\"error\":");
    string(&mut out, reason);
    out.push('}');
    out
}

/// The output line for a patient that could not be read.
pub fn error_line(patient: Option<&str>, error: &str) -> String {
    let mut out = String::from("{\"patient\":");
    match patient {
        Some(id) => string(&mut out, id),
        None => out.push_str("null"),
    }
    out.push_str(",\"error\":");
    string(&mut out, error);
    out.push('}');
    out
}

/// A JSON string literal, escaped as serde_json does. Runs of plain text are copied
/// whole; only `"`, `\\` and control characters are escaped.
fn string(out: &mut String, text: &str) {
    out.push('"');
    // Most texts need no escape at all: one scan, one copy.
    if !needs_escape(text.as_bytes()) {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(text.get(plain..at).unwrap_or(""));
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        plain = at + 1;
    }
    out.push_str(text.get(plain..).unwrap_or(""));
    out.push('"');
}

/// Whether any byte is `"`, `\\` or a control character, looked for eight bytes at a time
/// (the classic "has a zero byte" bit trick on each of the three tests).
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // High bit set in each byte of the result where the byte is zero (and maybe above
    // one): whether any byte is zero is exact.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // A control byte (below 0x20) is one whose top three bits are all clear. The
        // three tests are joined before one branch: most words pass all three.
        let found = zero(x & 0xE0E0_E0E0_E0E0_E0E0)
            | zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')));
        if found & HIGHS != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b == b'"' || b == b'\\' || b < 0x20)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

    #[test]
    fn strings_escape_like_serde_json() {
        for text in [
            "plain",
            "quote \" and \\ slash",
            "line\nbreak\ttab\u{1}\u{1f}",
            "ünïcödé ≥ 20 %",
        ] {
            let mut ours = String::new();
            string(&mut ours, text);
            assert_eq!(ours, serde_json::Value::from(text).to_string());
        }
    }

    #[test]
    fn escape_scan_finds_every_special_byte_anywhere() {
        for special in [b'"', b'\\', 0x00, 0x0a, 0x1f] {
            for at in 0..19 {
                let mut bytes = vec![b'a'; 19];
                bytes[at] = special;
                assert!(needs_escape(&bytes), "{special} at {at}");
            }
        }
        let plain = "ünïcödé ≥ 20 % ~ DEL\u{7f} and 0x20: !#$%&'()*+,-./";
        assert!(!needs_escape(plain.as_bytes()));
        assert!(!needs_escape(" ~\u{80}\u{ff}".as_bytes()));
    }

    #[test]
    fn counts_and_dates_are_written_as_display_writes_them() {
        for n in [0usize, 7, 10, 99, 12_345, usize::MAX] {
            let mut out = String::new();
            push_count(&mut out, n);
            assert_eq!(out, n.to_string());
        }
        let date = Date::parse("2021-03-09").unwrap();
        let mut out = String::new();
        date.push_to(&mut out);
        assert_eq!(out, date.to_string());
    }

    #[test]
    fn error_lines_are_json() {
        let line = error_line(Some("P\"1"), "bad\nthing");
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["patient"], "P\"1");
        assert_eq!(value["error"], "bad\nthing");
        assert_eq!(error_line(None, "x"), r#"{"patient":null,"error":"x"}"#);
    }
}
