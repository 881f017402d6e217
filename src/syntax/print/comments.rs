//! Tokens as the printer takes them from the source, each with the comments that go with
//! it. pest drops comments, so they are found by [`limits::comments`] (which lexes strings
//! and `//` as the grammar does) and handed out by position: a comment alone on its line
//! goes before the token that follows it, a comment after code goes after the last token
//! of its line.

use super::doc::Doc;
use crate::syntax::limits;

/// The source, its comments, and how far the printer has taken them.
pub struct Tokens<'a> {
    text: &'a str,
    comments: Vec<(usize, usize)>,
    /// The first comment not yet printed.
    next: usize,
    /// Where the last token or comment printed ends.
    end: usize,
    /// Every token printed, in order: groups ask whether a comment lies inside them.
    pub spans: Vec<(usize, usize)>,
}

impl<'a> Tokens<'a> {
    pub fn new(text: &'a str) -> Tokens<'a> {
        Tokens {
            text,
            comments: limits::comments(text),
            next: 0,
            end: 0,
            spans: Vec::new(),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The token at `start..end` with the comments before and after it.
    pub fn token(&mut self, start: usize, end: usize) -> Vec<Doc> {
        let mut docs = Vec::with_capacity(1);
        if let Some(comments) = self.before(start) {
            docs.push(comments);
        }
        docs.push(Doc::Text(self.slice(start, end).to_string()));
        self.spans.push((start, end));
        self.end = end;
        if let Some(trailing) = self.trailing(end) {
            docs.push(trailing);
        }
        docs
    }

    /// The comments left after the last token.
    pub fn rest(&mut self) -> Option<Doc> {
        self.before(self.text.len())
    }

    /// Whether a comment lies between the tokens printed since `first` (an index into
    /// [`Tokens::spans`]): it ends its line, so the group around it must break. Where the
    /// author broke lines otherwise does not count, so one definition has one layout
    /// however it was wrapped (a reflowed line is not a change).
    pub fn broken_since(&self, first: usize) -> bool {
        match (self.spans.get(first), self.spans.last()) {
            (Some(&(start, _)), Some(&(_, end))) if start < end => self
                .comments
                .iter()
                .any(|&(from, _)| from > start && from < end),
            _ => false,
        }
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    /// The own-line comments before `start`, each noting whether an empty line precedes it.
    fn before(&mut self, start: usize) -> Option<Doc> {
        let mut lines = Vec::new();
        while let Some(&(from, to)) = self.comments.get(self.next) {
            if from >= start {
                break;
            }
            let blank = blank_between(self.slice(self.end, from));
            lines.push((self.slice(from, to).trim_end().to_string(), blank));
            self.end = to;
            self.next += 1;
        }
        if lines.is_empty() {
            return None;
        }
        Some(Doc::Comments {
            lines,
            blank_after: blank_between(self.slice(self.end, start)),
        })
    }

    /// The comment after `end` on the same line, if nothing else comes between.
    fn trailing(&mut self, end: usize) -> Option<Doc> {
        let &(from, to) = self.comments.get(self.next)?;
        let between = self.slice(end, from);
        if !between.chars().all(|c| c == ' ' || c == '\t') {
            return None;
        }
        self.next += 1;
        self.end = to;
        Some(Doc::Trailing(self.slice(from, to).trim_end().to_string()))
    }
}

/// Whether text between two tokens holds an empty line.
fn blank_between(text: &str) -> bool {
    text.matches('\n').count() >= 2
}
