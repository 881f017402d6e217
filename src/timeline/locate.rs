//! JSON paths (`events[3].date`) and where their values sit in the text.
//!
//! `serde_json::Value` forgets positions, so on the (rare) error path the
//! text is scanned once more to find the byte span of the offending value.
//! The scanner only runs on text that serde_json has already accepted, and
//! any surprise makes it give up (`None`): a missing caret, never a panic.

use std::collections::HashSet;
use std::fmt;

/// One step of a JSON path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// A JSON path from the patient object down.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Path(pub(crate) Vec<Seg>);

impl Path {
    /// The path without its last step.
    pub(crate) fn parent(&self) -> Path {
        let mut segs = self.0.clone();
        segs.pop();
        Path(segs)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                // Keys that are not identifiers are quoted so the path stays readable.
                Seg::Key(key) if is_identifier(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Seg::Key(key) => write!(f, "[{}]", serde_json::Value::from(key.as_str()))?,
                Seg::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A path under construction, borrowed from the stack: checking a value
/// that is fine costs no allocation; [`At::to_path`] runs only on failure.
#[derive(Clone, Copy, Debug)]
pub(crate) enum At<'a> {
    /// The patient object.
    Root,
    /// A member of the object at the parent path.
    Key(&'a At<'a>, &'a str),
    /// An element of the array at the parent path.
    Index(&'a At<'a>, usize),
}

impl<'a> At<'a> {
    /// This path extended by an object member.
    pub(crate) fn key(&'a self, key: &'a str) -> At<'a> {
        At::Key(self, key)
    }

    /// This path extended by an array index.
    pub(crate) fn index(&'a self, index: usize) -> At<'a> {
        At::Index(self, index)
    }

    /// The owned path.
    pub(crate) fn to_path(self) -> Path {
        let mut segs = Vec::new();
        let mut at = self;
        loop {
            match at {
                At::Root => break,
                At::Key(parent, key) => {
                    segs.push(Seg::Key(key.to_owned()));
                    at = *parent;
                }
                At::Index(parent, index) => {
                    segs.push(Seg::Index(index));
                    at = *parent;
                }
            }
        }
        segs.reverse();
        Path(segs)
    }
}

fn is_identifier(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The byte range `(start, length)` of the value at `path` in the JSON `text`.
pub(crate) fn locate(text: &str, path: &Path) -> Option<(usize, usize)> {
    let mut scan = Scanner { text, pos: 0 };
    scan.skip_space();
    for seg in &path.0 {
        match seg {
            Seg::Key(key) => scan.enter_member(key)?,
            Seg::Index(index) => scan.enter_element(*index)?,
        }
    }
    let start = scan.pos;
    scan.skip_value()?;
    Some((start, scan.pos - start))
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Moves to the value of the last member named `key` of the object here
    /// (serde_json keeps the last of duplicate keys).
    fn enter_member(&mut self, key: &str) -> Option<()> {
        self.eat(b'{')?;
        let mut found = None;
        loop {
            self.skip_space();
            if self.eat(b'}').is_some() {
                break;
            }
            let key_start = self.pos;
            self.skip_string()?;
            let name: String = serde_json::from_str(self.text.get(key_start..self.pos)?).ok()?;
            self.skip_space();
            self.eat(b':')?;
            self.skip_space();
            if name == key {
                found = Some(self.pos);
            }
            self.skip_value()?;
            self.skip_space();
            if self.eat(b',').is_none() {
                self.eat(b'}')?;
                break;
            }
        }
        self.pos = found?;
        Some(())
    }

    /// Moves to element `index` of the array here.
    fn enter_element(&mut self, index: usize) -> Option<()> {
        self.eat(b'[')?;
        for _ in 0..index {
            self.skip_space();
            self.skip_value()?;
            self.skip_space();
            self.eat(b',')?;
        }
        self.skip_space();
        (!matches!(self.peek()?, b']')).then_some(())
    }

    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
    }

    /// Skips one value of any type.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => self.skip_container(),
            _ => {
                // A number or literal runs until a delimiter.
                let start = self.pos;
                while self.peek().is_some_and(|b| {
                    !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.pos += 1;
                }
                (self.pos > start).then_some(())
            }
        }
    }

    /// Skips an object or array; nesting is counted, not recursed into, so
    /// deep input cannot exhaust the stack.
    fn skip_container(&mut self) -> Option<()> {
        let mut depth: usize = 0;
        loop {
            match self.peek()? {
                b'"' => {
                    self.skip_string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.pos += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }
}

/// A key given twice in one object: the path to it, and where its second occurrence is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Duplicate {
    /// The path from the patient down to the repeated key (its last step).
    pub(crate) path: Path,
    /// The key as JSON reads it (escapes undone: `"a"` and `"\u0061"` are one key).
    pub(crate) key: String,
    /// The byte range `(start, length)` of the second occurrence.
    pub(crate) at: (usize, usize),
}

/// The first key given twice in an object anywhere in the JSON `text` (which serde_json
/// has accepted). serde_json keeps the last of them without a word, so
/// `"viable_percent": 600, "viable_percent": 60` would pass as 60. The text is scanned
/// once, with a stack of its own; any surprise gives up (`None`).
pub(crate) fn first_duplicate(text: &str) -> Option<Duplicate> {
    enum Frame {
        Object {
            keys: HashSet<String>,
            key: Option<String>,
            expect_key: bool,
        },
        Array {
            index: usize,
        },
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut scan = Scanner { text, pos: 0 };
    loop {
        scan.skip_space();
        match scan.peek() {
            None => return None,
            Some(b'{') => {
                scan.pos += 1;
                stack.push(Frame::Object {
                    keys: HashSet::new(),
                    key: None,
                    expect_key: true,
                });
            }
            Some(b'[') => {
                scan.pos += 1;
                stack.push(Frame::Array { index: 0 });
            }
            Some(b'}' | b']') => {
                scan.pos += 1;
                stack.pop();
            }
            Some(b',') => {
                scan.pos += 1;
                match stack.last_mut() {
                    Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                    Some(Frame::Array { index }) => *index += 1,
                    None => return None,
                }
            }
            Some(b':') => scan.pos += 1,
            Some(b'"') => {
                let start = scan.pos;
                scan.skip_string()?;
                let Some(Frame::Object {
                    keys,
                    key,
                    expect_key: expect @ true,
                }) = stack.last_mut()
                else {
                    continue;
                };
                *expect = false;
                let name: String = serde_json::from_str(text.get(start..scan.pos)?).ok()?;
                if keys.contains(&name) {
                    *key = Some(name.clone());
                    let path = stack
                        .iter()
                        .map(|frame| match frame {
                            Frame::Object { key, .. } => Seg::Key(key.clone().unwrap_or_default()),
                            Frame::Array { index } => Seg::Index(*index),
                        })
                        .collect();
                    return Some(Duplicate {
                        path: Path(path),
                        key: name,
                        at: (start, scan.pos - start),
                    });
                }
                keys.insert(name.clone());
                *key = Some(name);
            }
            Some(_) => scan.skip_value()?,
        }
    }
}
