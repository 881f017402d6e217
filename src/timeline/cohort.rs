//! Reading a cohort as a stream of patients.
//!
//! A cohort file is JSON Lines (one patient per line, blank lines ignored) or
//! one JSON object for the whole file, possibly pretty-printed over many
//! lines. The reader decides which from the first non-blank line:
//!
//! - it is a complete JSON value, or does not start with `{`: JSON Lines;
//! - it starts with `{` but the JSON is cut short at the end of the line:
//!   one multi-line object. The rest of the input is read (up to
//!   [`MAX_DOCUMENT_BYTES`]) and parsed as one patient. Should a later line
//!   turn out to be a complete patient object on its own (`{"id": …,
//!   "events": …}`), the file was JSON Lines with a broken first line after
//!   all, and reading goes on line by line, so one bad patient never hides
//!   the others.
//!
//! In JSON Lines mode memory does not grow with the cohort: one line is held
//! at a time (at most [`MAX_LINE_BYTES`]).

use std::collections::VecDeque;
use std::io::BufRead;

use serde::de::IgnoredAny;

use super::error::{Origin, TimelineError, TimelineErrorKind as Kind};
use super::load::parse_patient;
use super::Patient;
use crate::vocabulary::Vocabulary;

/// The longest line of a JSON Lines cohort, in bytes (16 MiB).
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;
/// The largest whole-file (multi-line) patient, in bytes (64 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;
/// How far past [`MAX_LINE_BYTES`] an overlong line is skipped to reach the next line;
/// with no line break by then the input is not JSON Lines and reading stops (64 MiB).
pub const MAX_SKIPPED_BYTES: usize = 64 * 1024 * 1024;

/// A line as read: its 1-based number and its text, or why it has none.
type Line = (usize, Result<String, TimelineError>);

/// Streams the patients of a cohort; see the [module docs](self) for the
/// formats. Each item is one patient or one error; errors do not end the
/// stream, except a failure to read the input at all.
pub struct CohortReader<R: BufRead> {
    reader: R,
    file: String,
    vocab: Vocabulary,
    /// Lines consumed so far.
    line_no: usize,
    state: State,
    /// Lines read ahead while telling the formats apart, still to be parsed.
    pending: VecDeque<Line>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first non-blank line.
    Start,
    /// JSON Lines.
    Lines,
    /// Finished: input exhausted, unreadable, or the single object was read.
    Done,
}

/// A cohort: a single JSON object (file whose first non-space char is `{` and that parses as one object spanning the file) or JSON Lines (one patient per line, blank lines ignored). Streaming: an iterator over `Result<Patient, TimelineError>`, reading line by line from any BufRead, so memory does not grow with the cohort.
pub fn read_cohort<R: BufRead>(reader: R, file_name: &str, vocab: &Vocabulary) -> CohortReader<R> {
    CohortReader {
        reader,
        file: file_name.to_owned(),
        vocab: vocab.clone(),
        line_no: 0,
        state: State::Start,
        pending: VecDeque::new(),
    }
}

/// One patient's text as read from the cohort, not yet parsed (so that parsing can run in
/// parallel while reading stays in order), or why there is none.
#[derive(Debug, Clone)]
pub enum Record {
    /// The JSON text of one patient and where it was read.
    Text(String, Origin),
    /// The input could not be read here.
    Failed(TimelineError),
}

impl Record {
    /// Parse and check the patient.
    pub fn parse(&self, vocab: &Vocabulary) -> Result<Patient, TimelineError> {
        match self {
            Record::Text(text, origin) => parse_patient(text, origin, vocab),
            Record::Failed(error) => Err(error.clone()),
        }
    }
}

impl<R: BufRead> Iterator for CohortReader<R> {
    type Item = Result<Patient, TimelineError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.next_record()?;
        Some(record.parse(&self.vocab))
    }
}

impl<R: BufRead> CohortReader<R> {
    /// The next patient's text, unparsed, in input order.
    pub fn next_record(&mut self) -> Option<Record> {
        loop {
            if let Some(line) = self.pending.pop_front() {
                match self.parse_line(line) {
                    Some(item) => return Some(item),
                    None => continue,
                }
            }
            match self.state {
                State::Done => return None,
                State::Lines => {
                    let line = self.read_line()?;
                    if let Some(item) = self.parse_line(line) {
                        return Some(item);
                    }
                }
                State::Start => {
                    let Some((number, line)) = self.read_line() else {
                        self.state = State::Done;
                        return None;
                    };
                    let text = match line {
                        Ok(text) if text.trim().is_empty() => continue,
                        Ok(text) => text,
                        Err(error) => {
                            // An unreadable input has already ended the stream.
                            if self.state == State::Start {
                                self.state = State::Lines;
                            }
                            return Some(Record::Failed(error));
                        }
                    };
                    if opens_multi_line_object(&text) {
                        if let Some(item) = self.read_document(number, text) {
                            return Some(item);
                        }
                    } else {
                        self.state = State::Lines;
                        self.pending.push_back((number, Ok(text)));
                    }
                }
            }
        }
    }

    fn origin(&self, line: Option<usize>) -> Origin {
        Origin::new(self.file.clone(), line)
    }

    /// One patient's record from one JSON Lines line; `None` for a blank line.
    fn parse_line(&self, (number, line): Line) -> Option<Record> {
        match line {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => Some(Record::Text(text, self.origin(Some(number)))),
            Err(error) => Some(Record::Failed(error)),
        }
    }

    /// Reads the rest of a multi-line object that starts with `first`.
    /// `None` when it turned out to be JSON Lines (the lines are then pending).
    fn read_document(&mut self, first_number: usize, first: String) -> Option<Record> {
        let mut size = first.len() + 1;
        let mut lines: Vec<(usize, String)> = vec![(first_number, first)];
        while let Some((number, line)) = self.read_line() {
            let text = match line {
                Ok(text) => text,
                Err(error) => {
                    self.state = State::Done;
                    return Some(Record::Failed(error));
                }
            };
            if is_patient_line(&text) {
                self.pending
                    .extend(lines.into_iter().map(|(n, t)| (n, Ok(t))));
                self.pending.push_back((number, Ok(text)));
                self.state = State::Lines;
                return None;
            }
            size += text.len() + 1;
            if size > MAX_DOCUMENT_BYTES {
                self.state = State::Done;
                let kind = Kind::DocumentTooLarge {
                    limit: MAX_DOCUMENT_BYTES,
                };
                return Some(Record::Failed(TimelineError::new(kind, self.origin(None))));
            }
            lines.push((number, text));
        }
        self.state = State::Done;
        // Leading blank lines are kept as empty lines so that serde_json's
        // line numbers are the file's.
        let mut document = "\n".repeat(first_number.saturating_sub(1));
        for (_, text) in &lines {
            document.push_str(text);
            document.push('\n');
        }
        Some(Record::Text(document, self.origin(None)))
    }

    /// The next line, without its line ending; `None` at the end of input.
    fn read_line(&mut self) -> Option<Line> {
        let mut buf = Vec::new();
        let limit = u64::try_from(MAX_LINE_BYTES)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let read = std::io::Read::take(&mut self.reader, limit).read_until(b'\n', &mut buf);
        let number = self.line_no + 1;
        match read {
            Ok(0) => return None,
            Ok(_) => self.line_no = number,
            Err(error) => {
                // Reading again would likely fail again; stop the stream.
                self.state = State::Done;
                let kind = Kind::Io {
                    message: error.to_string(),
                };
                return Some((
                    number,
                    Err(TimelineError::new(kind, self.origin(Some(number)))),
                ));
            }
        }
        let ended = buf.last() == Some(&b'\n');
        if ended {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        } else if buf.len() > MAX_LINE_BYTES {
            let kind = if self.skip_rest_of_line() {
                Kind::LineTooLong {
                    limit: MAX_LINE_BYTES,
                }
            } else {
                // Not JSON Lines at all (or `/dev/zero`): reading on would never end.
                self.state = State::Done;
                Kind::NoLineBreak {
                    limit: MAX_LINE_BYTES + MAX_SKIPPED_BYTES,
                }
            };
            return Some((
                number,
                Err(TimelineError::new(kind, self.origin(Some(number)))),
            ));
        }
        if number == 1 && buf.starts_with("\u{feff}".as_bytes()) {
            buf.drain(..3);
        }
        let text = String::from_utf8(buf).map_err(|error| {
            let kind = Kind::NotUtf8 {
                offset: error.utf8_error().valid_up_to(),
            };
            TimelineError::new(kind, self.origin(Some(number)))
        });
        Some((number, text))
    }

    /// Discards input up to and including the next newline; `false` when none comes
    /// within [`MAX_SKIPPED_BYTES`].
    fn skip_rest_of_line(&mut self) -> bool {
        let mut skipped = 0usize;
        loop {
            let (consumed, done) = match self.reader.fill_buf() {
                Ok([]) => return true,
                Ok(buf) => match buf.iter().position(|&b| b == b'\n') {
                    Some(at) => (at + 1, true),
                    None => (buf.len(), false),
                },
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    // The next read reports the failure.
                    return true;
                }
            };
            self.reader.consume(consumed);
            skipped = skipped.saturating_add(consumed);
            if done {
                return true;
            }
            if skipped > MAX_SKIPPED_BYTES {
                return false;
            }
        }
    }
}

/// Whether `line` starts a JSON object that goes on past the end of the line.
fn opens_multi_line_object(line: &str) -> bool {
    line.trim_start().starts_with('{')
        && serde_json::from_str::<IgnoredAny>(line).is_err_and(|e| e.is_eof())
}

/// Whether `line` alone is a patient object (`{"id": …, "events": …}`),
/// which a line inside a pretty-printed patient never is.
fn is_patient_line(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.starts_with('{')
        && trimmed.ends_with('}')
        && serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(trimmed)
            .is_ok_and(|object| object.contains_key("id") && object.contains_key("events"))
}
