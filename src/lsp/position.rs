//! Byte offsets (refract's spans) to LSP positions and back. LSP counts a line's
//! characters in UTF-16 code units (the protocol's default encoding, the one every client
//! supports), so `é` is one unit and `𝄞` two, while a span counts bytes. Lines end at
//! `\n`, `\r\n` or a lone `\r`, as the protocol says.

use lsp_types::{Position, Range};

use crate::source::Span;

/// Where each line of a text starts, made once per version of a document.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// The byte offset of each line's first character.
    starts: Vec<usize>,
    /// The text's length in bytes.
    len: usize,
}

impl LineIndex {
    /// The line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(&byte) = bytes.get(at) {
            at += 1;
            match byte {
                b'\n' => starts.push(at),
                b'\r' if bytes.get(at) == Some(&b'\n') => {}
                b'\r' => starts.push(at),
                _ => {}
            }
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The end of line `line`'s text (before its line break).
    fn line_end(&self, text: &str, line: usize) -> usize {
        let next = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let content = text.get(self.start(line)..next).unwrap_or("");
        let trimmed = content
            .strip_suffix("\r\n")
            .or_else(|| content.strip_suffix('\n'))
            .or_else(|| content.strip_suffix('\r'))
            .unwrap_or(content);
        self.start(line) + trimmed.len()
    }

    fn start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// The position of byte `offset` (clamped to the text, and back to a character start).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char(text, offset.min(self.len));
        let line = self
            .starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.start(line);
        let character: usize = text
            .get(start..offset)
            .unwrap_or("")
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(to_u32(line), to_u32(character))
    }

    /// The positions of many offsets, in their order: one pass over the text whatever
    /// their number, so a thousand diagnostics on one long line cost the line once.
    pub fn positions(&self, text: &str, offsets: &[usize]) -> Vec<Position> {
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_by_key(|&i| offsets.get(i).copied().unwrap_or(0));
        let mut found = vec![Position::new(0, 0); offsets.len()];
        // The last position found, and the offset it is at: the next, later one counts on
        // from there when it is on the same line.
        let mut last: Option<(usize, Position)> = None;
        for i in order {
            let offset = floor_char(text, offsets.get(i).copied().unwrap_or(0).min(self.len));
            let line = self
                .starts
                .partition_point(|&start| start <= offset)
                .saturating_sub(1);
            let (from, base) = match last {
                Some((at, position)) if position.line as usize == line && at <= offset => {
                    (at, position.character)
                }
                _ => (self.start(line), 0),
            };
            let more: usize = text
                .get(from..offset)
                .unwrap_or("")
                .chars()
                .map(char::len_utf16)
                .sum();
            let position = Position::new(to_u32(line), base.saturating_add(to_u32(more)));
            if let Some(slot) = found.get_mut(i) {
                *slot = position;
            }
            last = Some((offset, position));
        }
        found
    }

    /// The range of a span.
    pub fn range(&self, text: &str, span: Span) -> Range {
        let found = self.positions(text, &[span.start, span.end.max(span.start)]);
        match found.as_slice() {
            [start, end] => Range::new(*start, *end),
            _ => Range::default(),
        }
    }

    /// The byte offset of a position. A character past the line's end means its end, a
    /// line past the last the text's end, and a position inside a surrogate pair the
    /// character's start.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let start = self.start(line);
        let end = self.line_end(text, line);
        let mut units = 0usize;
        for (at, c) in text.get(start..end).unwrap_or("").char_indices() {
            let next = units + c.len_utf16();
            if next > position.character as usize {
                return start + at;
            }
            units = next;
        }
        end
    }

    /// The position just past the text's end.
    pub fn end(&self, text: &str) -> Position {
        self.position(text, self.len)
    }
}

/// The start of the character holding byte `offset`.
fn floor_char(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns() {
        // `é` is 2 bytes and 1 unit, `𝄞` 4 bytes and 2 units.
        let text = "ab\né𝄞x\r\ny\rz";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position::new(0, 0));
        assert_eq!(index.position(text, 3), Position::new(1, 0));
        assert_eq!(index.position(text, 5), Position::new(1, 1));
        assert_eq!(index.position(text, 9), Position::new(1, 3));
        // Inside `𝄞`: its start.
        assert_eq!(index.position(text, 7), Position::new(1, 1));
        assert_eq!(index.position(text, 12), Position::new(2, 0));
        assert_eq!(index.position(text, 14), Position::new(3, 0));
        assert_eq!(index.end(text), Position::new(3, 1));
        assert_eq!(index.offset(text, Position::new(1, 3)), 9);
        assert_eq!(index.offset(text, Position::new(1, 2)), 5);
        assert_eq!(index.offset(text, Position::new(1, 99)), 10);
        assert_eq!(index.offset(text, Position::new(9, 0)), text.len());
        let offsets = [14, 5, 9, 0, 7];
        let one_by_one: Vec<Position> = offsets.iter().map(|&o| index.position(text, o)).collect();
        assert_eq!(index.positions(text, &offsets), one_by_one);
    }
}
