//! Text that reaches a terminal: ids, values and file contents may hold escape codes
//! (a cohort exported from anywhere, a definition pasted from a word processor), and
//! written raw they would move the cursor, recolour or rewrite what is on screen.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character can act on a terminal instead of being shown: C0 and C1 controls,
/// DEL, and the marks that reorder text (bidirectional overrides and isolates, which can
/// make code read differently from what it is). A tab is shown as space and is kept.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every unsafe character written as a Rust-style escape (`\u{1b}`), line
/// breaks included: the result is one line that shows what the bytes were.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    push_escaped(&mut out, text);
    Cow::Owned(out)
}

/// Appends `text` to `out`, escaped as [`escape`] does.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        push_char(out, c);
    }
}

/// Appends one character, escaped when it is unsafe.
pub(crate) fn push_char(out: &mut String, c: char) {
    if is_unsafe(c) {
        // Writing into a String cannot fail.
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_codes_and_reordering_marks_are_shown_not_obeyed() {
        assert_eq!(escape("P\u{1b}[2J1"), "P\\u{1b}[2J1");
        assert_eq!(escape("a\nb\r"), "a\\u{a}b\\u{d}");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape("x\u{7f}"), "x\\u{7f}");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for text in ["plain", "tab\tkept", "ünïcödé ≥ 20 %", "日本語", ""] {
            assert!(matches!(escape(text), Cow::Borrowed(t) if t == text));
        }
    }
}
