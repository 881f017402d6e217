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
    /// A patient read by another source (`refract::sources`), as that source grouped it,
    /// built into a [`Patient`] when parsed, so that this too runs in parallel.
    Assembled(std::sync::Arc<dyn Assemble>),
}

/// One patient's input in a format other than JSON, grouped by its reader and not yet
/// checked: each source of `refract::sources` has its own. Building it goes through the
/// same value checks as JSON (`load`), so every message of the native format applies.
pub trait Assemble: Send + Sync + std::fmt::Debug {
    /// Build and check the patient.
    fn assemble(&self, vocab: &Vocabulary) -> Result<Patient, TimelineError>;

    /// What the input held that the patient leaves out, each as (what, why): an empty
    /// cell, say (`("imaging.viable_percent", "empty value: unknown")`). For
    /// `check --input`.
    fn skipped(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

impl Record {
    /// Parse and check the patient.
    pub fn parse(&self, vocab: &Vocabulary) -> Result<Patient, TimelineError> {
        self.parse_with(vocab, super::Reader::default())
    }

    /// [`Record::parse`] with the JSON tiers of `reader`.
    pub fn parse_with(
        &self,
        vocab: &Vocabulary,
        reader: super::Reader,
    ) -> Result<Patient, TimelineError> {
        match self {
            Record::Text(text, origin) => super::parse_patient_with(text, origin, vocab, reader),
            Record::Failed(error) => Err(error.clone()),
            Record::Assembled(pending) => pending.assemble(vocab),
        }
    }

    /// What the input held that the patient leaves out ([`Assemble::skipped`]); nothing
    /// for JSON.
    pub fn skipped(&self) -> Vec<(String, String)> {
        match self {
            Record::Assembled(pending) => pending.skipped(),
            Record::Text(..) | Record::Failed(_) => Vec::new(),
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

    /// Reads on from a first line that opens a JSON object and does not close it: one
    /// patient spread over the whole input, or JSON Lines with a broken first line.
    /// `None` when it is JSON Lines (the lines read are then pending).
    ///
    /// The JSON is read on, as one value, from the first line. If it is complete, or
    /// breaks where the lines read since the first are not each a JSON object of their
    /// own, the input is one patient (complete, or with an error at its place). Only when
    /// it breaks after lines that are each a whole object of their own is it JSON Lines.
    /// An object nested on a line of its own in a pretty-printed patient cannot fool
    /// this: the patient is complete, or the lines around the object are fragments.
    fn read_document(&mut self, first_number: usize, first: String) -> Option<Record> {
        let mut read = first.into_bytes();
        read.push(b'\n');
        let outcome = {
            let head = std::io::Cursor::new(std::mem::take(&mut read));
            let tee = Tee {
                inner: std::io::Read::chain(head, &mut self.reader),
                read: &mut read,
            };
            let mut json = serde_json::Deserializer::from_reader(std::io::BufReader::new(tee));
            serde::Deserialize::deserialize(&mut json).map(|IgnoredAny| ())
        };
        match outcome {
            Err(error) if error.is_io() => {
                self.state = State::Done;
                let kind = if read.len() > MAX_DOCUMENT_BYTES {
                    Kind::DocumentTooLarge {
                        limit: MAX_DOCUMENT_BYTES,
                    }
                } else {
                    Kind::Io {
                        message: error.to_string(),
                    }
                };
                return Some(Record::Failed(TimelineError::new(kind, self.origin(None))));
            }
            Err(error) if !error.is_eof() && error.line() > 1 => {
                // The rest of the line where the JSON broke, to see the line whole.
                if read.last() != Some(&b'\n') && !self.read_rest_of_line(&mut read) {
                    return Some(self.too_large());
                }
                if lines_after_first_are_objects(&read, error.line()) {
                    self.pend_lines(first_number, &read);
                    self.state = State::Lines;
                    return None;
                }
            }
            _ => {}
        }
        // One patient: the whole input is its text.
        self.state = State::Done;
        if std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut self.reader, MAX_DOCUMENT_BYTES as u64),
            &mut read,
        )
        .is_err()
            || read.len() > MAX_DOCUMENT_BYTES
        {
            return Some(self.too_large());
        }
        let mut document = "\n".repeat(first_number.saturating_sub(1)).into_bytes();
        document.append(&mut read);
        match String::from_utf8(document) {
            Ok(text) => Some(Record::Text(text, self.origin(None))),
            Err(error) => {
                let kind = Kind::NotUtf8 {
                    offset: error.utf8_error().valid_up_to(),
                };
                Some(Record::Failed(TimelineError::new(kind, self.origin(None))))
            }
        }
    }

    /// The document is larger than [`MAX_DOCUMENT_BYTES`] (or could not be read to its
    /// end): reading stops.
    fn too_large(&mut self) -> Record {
        self.state = State::Done;
        let kind = Kind::DocumentTooLarge {
            limit: MAX_DOCUMENT_BYTES,
        };
        Record::Failed(TimelineError::new(kind, self.origin(None)))
    }

    /// Appends the input up to and including the next line break; `false` past the
    /// document limit.
    fn read_rest_of_line(&mut self, read: &mut Vec<u8>) -> bool {
        let limit = MAX_DOCUMENT_BYTES.saturating_sub(read.len()) as u64 + 1;
        let mut rest = std::io::Read::take(&mut self.reader, limit);
        rest.read_until(b'\n', read).is_ok() && read.len() <= MAX_DOCUMENT_BYTES
    }

    /// The lines of `read` (starting at line `first_number`) as pending JSON Lines lines.
    fn pend_lines(&mut self, first_number: usize, read: &[u8]) {
        let mut number = first_number;
        for line in read.split_inclusive(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let text = String::from_utf8(line.to_vec()).map_err(|error| {
                let kind = Kind::NotUtf8 {
                    offset: error.utf8_error().valid_up_to(),
                };
                TimelineError::new(kind, self.origin(Some(number)))
            });
            self.pending.push_back((number, text));
            number += 1;
        }
        self.line_no = number - 1;
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

/// Whether each non-blank line of `read` after the first, up to line `last` (1-based in
/// `read`), is a whole JSON object of its own, as in JSON Lines (and never in a
/// pretty-printed patient, whose inner lines are fragments such as `"id": "P1",`).
fn lines_after_first_are_objects(read: &[u8], last: usize) -> bool {
    read.split(|&b| b == b'\n')
        .take(last)
        .skip(1)
        .filter(|line| !line.trim_ascii().is_empty())
        .all(|line| {
            line.trim_ascii().starts_with(b"{")
                && serde_json::from_slice::<IgnoredAny>(line).is_ok()
        })
}

/// A reader that keeps a copy of everything read through it, so that what a JSON parser
/// consumed (and read ahead) can be looked at again. It stops with an error past
/// [`MAX_DOCUMENT_BYTES`].
struct Tee<'a, R> {
    inner: R,
    read: &'a mut Vec<u8>,
}

impl<R: std::io::Read> std::io::Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read.len() > MAX_DOCUMENT_BYTES {
            return Err(std::io::Error::other("the document is too large"));
        }
        let n = self.inner.read(buf)?;
        self.read
            .extend_from_slice(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}
