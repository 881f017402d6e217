//! A small layout language and its printer, after Wadler's "prettier printer": text,
//! places where a line may break, and groups that break all their places or none.

/// The width the printer fills: the shipped definitions wrap their comments here.
pub const WIDTH: usize = 92;

/// A piece of layout.
#[derive(Debug, Clone)]
pub enum Doc {
    /// Text without line ends.
    Text(String),
    /// One space between tokens; none at the start of a line.
    Space,
    /// A space, or a line end when its group breaks.
    Line,
    /// Nothing, or a line end when its group breaks.
    SoftLine,
    /// A line end, always.
    HardLine,
    /// An empty line, always (two line ends, however many precede it).
    BlankLine,
    /// Printed only when the enclosing group breaks (a score's trailing comma).
    IfBroken(Box<Doc>),
    /// Lines inside are indented this much more.
    Nest(usize, Vec<Doc>),
    /// Lines inside are indented to the column where this starts.
    Align(Vec<Doc>),
    /// Breaks all its lines when it does not fit, or when `broken` (the author broke it).
    Group { docs: Vec<Doc>, broken: bool },
    /// Items separated by `Line`s, each broken only when the next item does not fit.
    Fill(Vec<Doc>),
    /// Own-line comments before a token: each on a line of its own, with an empty line
    /// before it where the author left one (`blank_before`), and after the last
    /// (`blank_after`).
    Comments {
        lines: Vec<(String, bool)>,
        blank_after: bool,
    },
    /// A comment at the end of the line of the token before it.
    Trailing(String),
}

/// Whether lines break in this part of the document.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Flat,
    Break,
}

/// Lays out `doc` in [`WIDTH`] columns.
pub fn render(doc: &Doc) -> String {
    let mut printer = Printer {
        out: String::new(),
        col: 0,
        pending: 0,
        pending_indent: 0,
    };
    printer.print(doc, 0, Mode::Break, 0);
    let mut out = printer.out;
    let kept = out.trim_end().len();
    out.truncate(kept);
    out.push('\n');
    out
}

struct Printer {
    out: String,
    /// The column the next character goes to.
    col: usize,
    /// Line ends owed before the next text (0, 1 or 2), and the indent after them:
    /// line ends are written lazily so that several in a row make at most one empty line.
    pending: usize,
    pending_indent: usize,
}

impl Printer {
    fn owe(&mut self, lines: usize, indent: usize) {
        self.pending = self.pending.max(lines);
        self.pending_indent = indent;
    }

    fn text(&mut self, text: &str) {
        if self.pending > 0 {
            let kept = self.out.trim_end_matches([' ', '\t']).len();
            self.out.truncate(kept);
            // Nothing yet: a file starts at its first token or comment.
            if !self.out.is_empty() {
                for _ in 0..self.pending {
                    self.out.push('\n');
                }
            }
            self.out
                .extend(std::iter::repeat_n(' ', self.pending_indent));
            self.col = self.pending_indent;
            self.pending = 0;
        }
        self.out.push_str(text);
        self.col += text.chars().count();
    }

    fn at_line_start(&self) -> bool {
        self.pending > 0 || self.out.is_empty()
    }

    /// `trail`: how many columns must follow `doc` on its line before a line may break.
    fn print(&mut self, doc: &Doc, indent: usize, mode: Mode, trail: usize) {
        match doc {
            Doc::Text(text) => self.text(text),
            Doc::Space => {
                if !self.at_line_start() {
                    self.text(" ");
                }
            }
            Doc::Line | Doc::SoftLine if mode == Mode::Break => self.owe(1, indent),
            Doc::Line => {
                if !self.at_line_start() {
                    self.text(" ");
                }
            }
            Doc::SoftLine => {}
            Doc::HardLine => self.owe(1, indent),
            Doc::BlankLine => self.owe(2, indent),
            Doc::IfBroken(inner) => {
                if mode == Mode::Break {
                    self.print(inner, indent, mode, trail);
                }
            }
            Doc::Nest(by, docs) => self.sequence(docs, indent + by, mode, trail),
            Doc::Align(docs) => {
                let column = if self.pending > 0 {
                    self.pending_indent
                } else {
                    self.col
                };
                self.sequence(docs, column, mode, trail);
            }
            Doc::Group { docs, broken } => {
                // Inside a flat group everything is flat.
                let flat = mode == Mode::Flat
                    || (!broken
                        && flat_width(doc).is_some_and(|w| self.start_col() + w + trail <= WIDTH));
                let mode = if flat { Mode::Flat } else { Mode::Break };
                self.sequence(docs, indent, mode, trail);
            }
            Doc::Fill(items) => self.fill(items, indent, mode, trail),
            Doc::Comments { lines, blank_after } => {
                for (text, blank_before) in lines {
                    let owed = if *blank_before { 2 } else { 1 };
                    if !self.out.is_empty() {
                        self.owe(owed, indent);
                    }
                    self.text(text);
                    self.owe(1, indent);
                }
                if *blank_after {
                    self.owe(2, indent);
                }
            }
            Doc::Trailing(text) => {
                self.text(" ");
                self.text(text);
                self.owe(1, indent);
            }
        }
    }

    /// The column the next text starts at.
    fn start_col(&self) -> usize {
        if self.pending > 0 {
            self.pending_indent
        } else {
            self.col
        }
    }

    fn sequence(&mut self, docs: &[Doc], indent: usize, mode: Mode, trail: usize) {
        for (at, doc) in docs.iter().enumerate() {
            let after = docs.get(at + 1..).unwrap_or(&[]);
            let follows = head_width(after).unwrap_or_else(|| line_width(after) + trail);
            self.print(doc, indent, mode, follows);
        }
    }

    fn fill(&mut self, items: &[Doc], indent: usize, mode: Mode, trail: usize) {
        // What follows the last item counts on its line; a separator follows the others.
        let trail_of = |at: usize| if at + 1 >= items.len() { trail } else { 0 };
        for (at, item) in items.iter().enumerate() {
            if matches!(item, Doc::Line) {
                let fits = items
                    .get(at + 1)
                    .and_then(flat_width)
                    .is_some_and(|w| self.start_col() + 1 + w + trail_of(at + 1) <= WIDTH);
                let line_mode = if mode == Mode::Flat || fits {
                    Mode::Flat
                } else {
                    Mode::Break
                };
                self.print(item, indent, line_mode, 0);
            } else {
                self.print(item, indent, mode, trail_of(at));
            }
        }
    }
}

/// The width of `doc` on one line, or `None` if it must break.
fn flat_width(doc: &Doc) -> Option<usize> {
    match doc {
        Doc::Text(text) => Some(text.chars().count()),
        Doc::Space | Doc::Line => Some(1),
        // Comments inside a group come with a line end the author wrote, which breaks it
        // (see `Tokens::broken_since`); before its first token they do not count.
        Doc::SoftLine | Doc::IfBroken(_) | Doc::Trailing(_) | Doc::Comments { .. } => Some(0),
        Doc::HardLine | Doc::BlankLine => None,
        Doc::Group { broken: true, .. } => None,
        Doc::Nest(_, docs) | Doc::Align(docs) | Doc::Group { docs, .. } | Doc::Fill(docs) => docs
            .iter()
            .try_fold(0, |sum, doc| Some(sum + flat_width(doc)?)),
    }
}

/// The width of `docs` on one line, counting a part that must break as nothing.
fn line_width(docs: &[Doc]) -> usize {
    docs.iter().map(|doc| flat_width(doc).unwrap_or(0)).sum()
}

/// The width of the text `docs` start with, up to the first place a line may break;
/// `None` if they end first (what follows them then counts too).
fn head_width(docs: &[Doc]) -> Option<usize> {
    let mut width = 0;
    for doc in docs {
        match doc {
            Doc::Text(text) => width += text.chars().count(),
            Doc::Space => width += 1,
            Doc::IfBroken(_) | Doc::Trailing(_) => {}
            Doc::Line | Doc::SoftLine | Doc::HardLine | Doc::BlankLine | Doc::Comments { .. } => {
                return Some(width)
            }
            Doc::Nest(_, inner)
            | Doc::Align(inner)
            | Doc::Group { docs: inner, .. }
            | Doc::Fill(inner) => match head_width(inner) {
                Some(w) => return Some(width + w),
                None => width += flat_width(doc).unwrap_or(0),
            },
        }
    }
    None
}
