//! Syntax errors that teach: the slips a clinician makes when writing a guideline
//! sentence as a definition, recognised from the text around the place the parser
//! stopped, each with the label and the fix in the language's own words.

use crate::source::Span;

/// A recognised slip: where to point, what is wrong, the label and the help.
pub struct Slip {
    /// Where.
    pub span: Span,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The label at the span.
    pub label: String,
    /// The fix.
    pub help: String,
}

/// A recognised slip at byte `at`, where the parser stopped on `found`.
pub fn slip(text: &str, at: usize, found: &str) -> Option<Slip> {
    let (span, label, help) = recognise(text, at, found)?;
    let shown = text.get(span.start..span.end).unwrap_or(found);
    Some(Slip {
        span,
        message: format!("refract cannot read `{shown}` here"),
        label,
        help,
    })
}

fn recognise(text: &str, at: usize, found: &str) -> Option<(Span, String, String)> {
    let before = text.get(..at).unwrap_or("");
    let here = |len: usize| Span::new(at, at + len);
    match found {
        "%" if before.trim_end().ends_with(|c: char| c.is_ascii_digit()) => Some((
            here(1),
            "no `%` after a threshold".to_string(),
            "percentages are compared as plain numbers: write `> 50`, not `> 50%` (`viable_percent` and `lipiodol_percent` are numbers from 0 to 100); `%` belongs only in `grew by at least 20 % from ...`".to_string(),
        )),
        "“" | "”" | "„" | "‘" | "’" => Some((
            here(found.len()),
            "a curly quote".to_string(),
            "type straight double quotes `\"` around a text: word processors turn them into curly ones, which refract does not read".to_string(),
        )),
        "≥" | "≤" | "≠" | "−" | "×" => {
            let typed = match found {
                "≥" => "`>=`",
                "≤" => "`<=`",
                "≠" => "`is not` (or `differs from`)",
                "−" => "`-` (the minus on the keyboard)",
                _ => "`*`",
            };
            Some((
                here(found.len()),
                format!("`{found}` is not typed on a keyboard"),
                format!("write {typed} instead"),
            ))
        }
        _ if found.starts_with('-') && found.len() > 1 && before.ends_with(word_char) => {
            let start = before
                .char_indices()
                .rev()
                .take_while(|(_, c)| word_char(*c))
                .last()
                .map_or(at, |(i, _)| i);
            let word = text.get(start..at + found.len()).unwrap_or(found);
            Some((
                Span::new(start, at + found.len()),
                "a value with a hyphen".to_string(),
                format!("quote a value that has a hyphen: write `\"{word}\"`; unquoted, `-` is a minus"),
            ))
        }
        "consecutive" => {
            // `any consecutive sessions A, B, C:`: the parser gave up at the start.
            let after = text.get(at..).unwrap_or("");
            let comma = third_name_comma(after)?;
            recognise(text, at + comma, ",")
        }
        "," if consecutive_pair_before(before) => {
            // Point at `, C`: the comma and the extra name.
            let rest = text.get(at + 1..).unwrap_or("");
            let spaces = rest.len() - rest.trim_start().len();
            let name = rest
                .trim_start()
                .chars()
                .take_while(|c| word_char(*c))
                .map(char::len_utf8)
                .sum::<usize>();
            Some((
                Span::new(at, at + 1 + spaces + name),
                "a third name".to_string(),
                "`consecutive sessions A, B` names a pair of sessions in a row; for a run of three or more, write `at least 3 consecutive sessions S: ...` with one name for each session of the run".to_string(),
            ))
        }
        _ => None,
    }
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether the text ends with `consecutive sessions A, B` (the pair is complete).
fn consecutive_pair_before(before: &str) -> bool {
    let words: Vec<&str> = before
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .rev()
        .take(4)
        .collect();
    matches!(words.as_slice(), [_, _, "sessions", "consecutive"])
        && before.trim_end().ends_with(word_char)
}

/// In `consecutive sessions A, B, C...`, the offset of the comma before `C`.
fn third_name_comma(text: &str) -> Option<usize> {
    // Tokens after `consecutive`: `sessions`, a name, `,`, a name, `,` (the slip).
    let mut at = "consecutive".len();
    let mut commas = 0;
    let mut names = 0;
    let mut expect_sessions = true;
    while let Some(c) = text.get(at..).and_then(|t| t.chars().next()) {
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        let rest = text.get(at..).unwrap_or("");
        if expect_sessions {
            rest.strip_prefix("sessions")?;
            at += "sessions".len();
            expect_sessions = false;
        } else if c == ',' {
            if names != commas + 1 {
                return None;
            }
            if commas == 1 {
                return Some(at);
            }
            commas += 1;
            at += 1;
        } else if word_char(c) {
            if names != commas {
                return None;
            }
            let len: usize = rest
                .chars()
                .take_while(|c| word_char(*c))
                .map(char::len_utf8)
                .sum();
            at += len;
            names += 1;
        } else {
            return None;
        }
    }
    None
}
