//! The piece of a file a diagnostic shows: the labelled lines and a little context, long
//! lines cut around the label, unsafe characters escaped.
//!
//! Handing miette the whole file instead costs in three ways: it copies the file into
//! every report and scans it from the top for every label (N diagnostics in a file of S
//! bytes cost N × S), it cannot draw a label past column 65,535 (its padding overflows
//! and panics), and it would write the file's escape codes to the terminal raw. An
//! excerpt is found by binary search in a [`LineIndex`] made once per file and holds a
//! few hundred bytes, so N diagnostics cost S + N.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::terminal::{escape, push_char};

/// A line longer than this (in bytes) is cut around the label.
const WIDE: usize = 160;
/// Bytes kept before the label's start and after its end on a cut line.
const AROUND: usize = 60;
/// The most bytes of a label shown on one cut line.
const LONGEST_LABEL: usize = 100;
/// Lines shown before and after the label (miette shows one of them).
const CONTEXT: usize = 2;
/// A label over more lines than this is shown on its first line only.
const MOST_LABEL_LINES: usize = 12;
/// Marks where a line was cut.
const CUT: &str = "…";

/// Where each line of a text starts, found once for all the diagnostics about the text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// The line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, byte)| byte == b'\n')
                .map(|(at, _)| at + 1),
        );
        LineIndex { starts }
    }

    /// The 0-based line that holds byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// How many lines there are (a text ending in a line break has an empty last line).
    fn len(&self) -> usize {
        self.starts.len()
    }

    /// Line `line`'s start, the end of its text (before `\n` or `\r\n`), and the start of
    /// the next line.
    fn bounds(&self, text: &str, line: usize) -> (usize, usize, usize) {
        let start = self.starts.get(line).copied().unwrap_or(text.len());
        let next = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len())
            .max(start);
        let bytes = text.as_bytes();
        let mut end = next;
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
            if end > start && bytes.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        (start, end, next)
    }
}

/// The lines around one label, ready for miette: its line numbers are the file's.
#[derive(Debug, Clone)]
pub struct Excerpt {
    /// The file's name, escaped.
    name: String,
    /// The lines shown.
    text: String,
    /// The file's 0-based line number of the excerpt's first line.
    first_line: usize,
    /// The label in the excerpt.
    label: SourceSpan,
    /// Where the label starts in the file: 0-based line and byte column.
    label_at: (usize, usize),
}

impl Excerpt {
    /// The excerpt of `text` (named `name`, its lines indexed by `index`) around the byte
    /// span `[start, end)`. `line_base` is the file's 0-based line number of the text's
    /// first line (a cohort line is one line of a larger file).
    pub fn new(
        name: &str,
        text: &str,
        index: &LineIndex,
        (start, end): (usize, usize),
        line_base: usize,
    ) -> Excerpt {
        let start = floor_boundary(text, start);
        let mut end = floor_boundary(text, end).max(start);
        let first = index.line_of(start);
        let mut last = if end > start {
            index.line_of(end - 1)
        } else {
            first
        };
        if last - first >= MOST_LABEL_LINES {
            last = first;
            end = index.bounds(text, first).1.max(start);
        }
        if first == last && end - start > LONGEST_LABEL {
            end = floor_boundary(text, start + LONGEST_LABEL);
        }
        let mut out = String::new();
        let mut marks = Marks {
            wanted: [start, end],
            found: [None, None],
        };
        let from = first.saturating_sub(CONTEXT);
        let to = (last + CONTEXT).min(index.len().saturating_sub(1));
        for line in from..=to {
            let (line_start, line_end, next) = index.bounds(text, line);
            let (shown_start, shown_end) = window(text, (line_start, line_end), (start, end));
            if shown_start > line_start {
                marks.within(line_start, shown_start - 1, out.len());
                out.push_str(CUT);
            }
            let shown = text.get(shown_start..shown_end).unwrap_or("");
            for (at, c) in shown.char_indices() {
                marks.at(shown_start + at, out.len());
                push_char(&mut out, c);
            }
            // What is cut from the end, and the line break, show where the line stops.
            marks.within(shown_end, next.saturating_sub(1).max(line_end), out.len());
            if shown_end < line_end {
                out.push_str(CUT);
            }
            // Line breaks are kept as they are; a lone `\r` is in the line and escaped.
            out.push_str(text.get(line_end..next).unwrap_or(""));
        }
        let at_end = out.len();
        let [label_start, label_end] = marks.found.map(|found| found.unwrap_or(at_end));
        let line_start = index.bounds(text, first).0;
        Excerpt {
            name: escape(name).into_owned(),
            text: out,
            first_line: line_base + from,
            label: SourceSpan::from((label_start, label_end.saturating_sub(label_start))),
            label_at: (line_base + first, start - line_start),
        }
    }

    /// The label's span in the excerpt.
    pub fn label(&self) -> SourceSpan {
        self.label
    }
}

/// Where the label's start and end land in the excerpt.
struct Marks {
    wanted: [usize; 2],
    found: [Option<usize>; 2],
}

impl Marks {
    /// Positions `from..=to` of the text (cut away or at a line's end) show at `here`.
    fn within(&mut self, from: usize, to: usize, here: usize) {
        for (wanted, found) in self.wanted.iter().zip(self.found.iter_mut()) {
            if found.is_none() && (from..=to).contains(wanted) {
                *found = Some(here);
            }
        }
    }

    /// Position `at` of the text shows at `here`.
    fn at(&mut self, at: usize, here: usize) {
        self.within(at, at, here);
    }
}

/// The part of a line shown: all of a short line; around the label on a long one.
fn window(
    text: &str,
    (start, end): (usize, usize),
    (label, label_end): (usize, usize),
) -> (usize, usize) {
    if end - start <= WIDE {
        return (start, end);
    }
    if (start..=end).contains(&label) {
        let from = floor_boundary(text, label.saturating_sub(AROUND).max(start));
        let to = floor_boundary(text, (label_end.max(label) + AROUND).min(end));
        return (from, to.max(from));
    }
    (start, floor_boundary(text, start + WIDE))
}

/// `at`, clamped to the text and moved back onto a character boundary.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // The place named in the report's header is the file's, not the excerpt's (which
        // may be cut or escaped before the label).
        let column = if context_lines_before == 0 && span.offset() == self.label.offset() {
            self.label_at.1
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests;
