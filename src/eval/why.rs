//! Reasons, rendered late. Evaluation visits many elements whose reasons are thrown away
//! (every scan that did not decide); a reason is therefore kept as what is needed to
//! write it, and written only for the results that are reported.

use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::rc::Rc;

use std::borrow::Cow;

use crate::check::{Checked, CheckedPart};
use crate::timeline::{Patient, Value};

thread_local! {
    /// Above zero while a condition is evaluated only for its truth (a `where` filter):
    /// its reasons are never read, so none is kept.
    static QUIET: Cell<u32> = const { Cell::new(0) };
}

/// Whether reasons are being dropped (inside [`quietly`]).
pub fn is_quiet() -> bool {
    QUIET.with(Cell::get) > 0
}

/// Run `f` keeping no reasons made with [`Why::lazy`].
pub fn quietly<T>(f: impl FnOnce() -> T) -> T {
    QUIET.with(|q| q.set(q.get() + 1));
    let out = f();
    QUIET.with(|q| q.set(q.get().saturating_sub(1)));
    out
}

/// Run `f` keeping reasons even inside [`quietly`] (for results that are remembered and
/// reported later, such as a criterion's verdict).
pub fn loudly<T>(f: impl FnOnce() -> T) -> T {
    let saved = QUIET.with(|q| q.replace(0));
    let out = f();
    QUIET.with(|q| q.set(saved));
    out
}

/// What rendering a reason may look at: the patient and the definition.
#[derive(Clone, Copy)]
pub struct View<'a> {
    /// The patient, events in timeline order.
    pub patient: &'a Patient,
    /// The definition.
    pub checked: &'a Checked,
}

impl View<'_> {
    /// "the imaging of 2021-03-01", "the session of ...", or the name a part gave it.
    pub fn describe(&self, position: usize, label: Option<&str>) -> String {
        let mut out = String::with_capacity(32);
        self.describe_into(&mut out, position, label);
        out
    }

    /// [`View::describe`], appended to `out`.
    pub fn describe_into(&self, out: &mut String, position: usize, label: Option<&str>) {
        let Some(event) = self.patient.events.get(position) else {
            out.push_str("an event");
            return;
        };
        match label {
            Some(label) => {
                out.push_str(label);
                out.push_str(" (");
                event.date.push_to(out);
                out.push(')');
            }
            None => {
                out.push_str("the ");
                out.push_str(if event.is_procedure() {
                    "session"
                } else {
                    &event.kind
                });
                out.push_str(" of ");
                event.date.push_to(out);
            }
        }
    }

    /// The date of the event at a position, appended to `out`.
    pub fn date_into(&self, out: &mut String, position: usize) {
        if let Some(event) = self.patient.events.get(position) {
            event.date.push_to(out);
        }
    }
}

/// The length past which a reason is not written further (a sentence or two is a few
/// hundred bytes; [`cut`] marks where it stops).
pub const MAX_REASON: usize = 4096;

/// A rendered reason cut at [`MAX_REASON`] bytes, on a character boundary, saying so.
pub fn cut(mut reason: String) -> String {
    if reason.len() <= MAX_REASON {
        return reason;
    }
    let mut end = MAX_REASON;
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason.truncate(end);
    reason.push_str(" … (reason cut at 4096 bytes)");
    reason
}

/// Writes a reason onto the end of a buffer, from the patient and the definition.
pub type Writer<'a> = Rc<Write<'a>>;

/// What a [`Writer`] calls.
pub type Write<'a> = dyn Fn(&View<'a>, &mut String) + 'a;

/// A value a part was called with, by its parameter's name (`M` = `AFP`).
pub type Quoted<'a> = (&'a str, Quote<'a>);

/// What a part's description quotes for one parameter: a value, or the date of the event
/// it was called with (written only when the reason is, so a call formats no date).
#[derive(Clone)]
pub enum Quote<'a> {
    /// A value argument.
    Value(Cow<'a, Value>),
    /// An event argument's date.
    Date(crate::date::Date),
}

impl Quote<'_> {
    /// The quote as written in reasons, appended to `out`.
    fn write_into(&self, out: &mut String) {
        match self {
            Quote::Value(value) => show_into(value, out),
            Quote::Date(date) => date.push_to(out),
        }
    }

    /// Whether the quote, as written, has a brace.
    fn has_brace(&self) -> bool {
        match self {
            Quote::Value(value) => has_brace(value),
            Quote::Date(_) => false,
        }
    }
}

/// A reason under a prefix written late ([`Why::prefixed`]).
pub struct Prefix<'a, F: ?Sized> {
    /// The reason.
    inner: Why<'a>,
    /// Writes the prefix.
    write: F,
}

/// One reason, written when asked.
#[derive(Clone)]
pub enum Why<'a> {
    /// Fixed text.
    Static(&'static str),
    /// Text already written.
    Text(Rc<str>),
    /// Text from the definition.
    Borrowed(&'a str),
    /// Text from the definition's source, written with each run of spaces and line breaks
    /// as one space (a selection as its author wrote it: "session where technique is
    /// DEB-TACE"), without its `unknown if none`.
    Source(&'a str),
    /// Written from the patient and definition when rendered, onto the end of a buffer.
    Lazy(Writer<'a>),
    /// "`prefix`: reason" (an element of a quantifier: "the session of ...: ...").
    Prefixed(Rc<Prefix<'a, Write<'a>>>),
    /// "first; second", in one allocation (every `or` of two unmet sides makes one).
    Joined(Rc<(Why<'a>, Why<'a>)>),
    /// What a part selects, in its own words: its description with the values it was
    /// called with quoted in place of `{M}`, and the session (or event) it is about.
    Part {
        /// The part.
        part: &'a CheckedPart,
        /// The first event argument.
        anchor: Option<usize>,
        /// The value arguments by parameter name.
        quoted: Option<Rc<[Quoted<'a>]>>,
    },
    /// "not met for any `noun` (`total` examined); last: `last`", where only the innermost
    /// finding of `last` is written (nested counts are noise).
    NoneOf(Rc<NoneOf<'a>>),
}

/// The parts of [`Why::NoneOf`], in one allocation.
pub struct NoneOf<'a> {
    /// What was examined.
    noun: Why<'a>,
    /// How many.
    total: usize,
    /// The last one's reason.
    last: Why<'a>,
}

impl<'a> Why<'a> {
    /// A reason written only if it is reported; none at all inside [`quietly`].
    pub fn lazy(write: impl Fn(&View<'a>) -> String + 'a) -> Why<'a> {
        Why::writes(move |view, out| out.push_str(&write(view)))
    }

    /// Like [`Why::lazy`], writing straight onto the end of the reason being rendered.
    pub fn writes(write: impl Fn(&View<'a>, &mut String) + 'a) -> Why<'a> {
        if is_quiet() {
            return Why::Static("");
        }
        Why::Lazy(Rc::new(write))
    }

    /// A reason kept even inside [`quietly`]: for what is cached and reused elsewhere.
    pub fn always(write: impl Fn(&View<'a>) -> String + 'a) -> Why<'a> {
        Why::always_writes(move |view, out| out.push_str(&write(view)))
    }

    /// Like [`Why::always`], writing straight onto the end of the reason being rendered.
    pub fn always_writes(write: impl Fn(&View<'a>, &mut String) + 'a) -> Why<'a> {
        Why::Lazy(Rc::new(write))
    }

    /// The reason in words.
    pub fn render(&self, view: &View<'a>) -> String {
        // Most reported reasons are a sentence or two.
        let mut out = String::with_capacity(256);
        self.render_into(view, &mut out);
        out
    }

    /// The reason in words, appended to `out`: nested reasons write into one buffer.
    /// Writing stops past [`MAX_REASON`] bytes, so no definition, however its parts share
    /// each other, makes a reason without end.
    pub fn render_into(&self, view: &View<'a>, out: &mut String) {
        if out.len() > MAX_REASON {
            return;
        }
        match self {
            Why::Static(text) => out.push_str(text),
            Why::Text(text) => out.push_str(text),
            Why::Borrowed(text) => out.push_str(text),
            Why::Source(text) => {
                let start = out.len();
                // Whether the words written hold the text `unknown if none` (it can only
                // span a word ending `unknown`, the word `if` and one starting `none`):
                // most selections do not, and are not searched.
                let mut words = (false, false);
                let mut flagged = false;
                for (i, word) in text.split_whitespace().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(word);
                    flagged |= words.1 && word.starts_with("none");
                    words = (word.ends_with("unknown"), words.0 && word == "if");
                }
                // `unknown if none` says how to read an empty selection, not what it holds.
                if let (true, Some(written)) = (flagged, out.get(start..)) {
                    if written.contains("unknown if none") {
                        let cleaned = written
                            .replace(", unknown if none", "")
                            .replace(" unknown if none", "");
                        out.truncate(start);
                        out.push_str(&cleaned);
                    }
                }
            }
            Why::Lazy(write) => write(view, out),
            Why::Prefixed(prefixed) => {
                (prefixed.write)(view, out);
                out.push_str(": ");
                prefixed.inner.render_into(view, out);
            }
            Why::Joined(pair) => {
                pair.0.render_into(view, out);
                out.push_str("; ");
                pair.1.render_into(view, out);
            }
            Why::Part {
                part,
                anchor,
                quoted,
            } => render_part(view, part, *anchor, quoted.as_deref().unwrap_or(&[]), out),
            Why::NoneOf(none) => {
                let NoneOf { noun, total, last } = none.as_ref();
                out.push_str("not met for any ");
                noun.render_into(view, out);
                let _ = write!(out, " ({total} examined); last: ");
                last.innermost_into(view, out);
            }
        }
    }

    /// The concrete finding inside nested "not met for any ..." reasons, keeping the
    /// element that led there ("sessions of A and B: ...") and dropping the counts between.
    fn innermost_into(&self, view: &View<'a>, out: &mut String) {
        match self {
            Why::NoneOf(none) => none.last.innermost_into(view, out),
            Why::Prefixed(prefixed) => match &prefixed.inner {
                Why::NoneOf(none) => {
                    (prefixed.write)(view, out);
                    out.push_str(": ");
                    none.last.innermost_unprefixed_into(view, out);
                }
                _ => self.render_into(view, out),
            },
            other => other.render_into(view, out),
        }
    }

    /// Like [`Why::innermost_into`], for a reason already under the element's prefix:
    /// deeper prefixes are dropped with the counts.
    fn innermost_unprefixed_into(&self, view: &View<'a>, out: &mut String) {
        match self {
            Why::NoneOf(none) => none.last.innermost_unprefixed_into(view, out),
            Why::Prefixed(prefixed) if matches!(prefixed.inner, Why::NoneOf(_)) => {
                prefixed.inner.innermost_unprefixed_into(view, out)
            }
            other => other.render_into(view, out),
        }
    }

    /// "not met for any `noun` (`total` examined); last: `last`".
    pub fn none_of(noun: Why<'a>, total: usize, last: Why<'a>) -> Why<'a> {
        Why::NoneOf(Rc::new(NoneOf { noun, total, last }))
    }

    /// "`prefix`: reason", written late.
    pub fn prefixed(self, prefix: impl Fn(&View<'a>, &mut String) + 'a) -> Why<'a> {
        if is_quiet() {
            return Why::Static("");
        }
        // One allocation for the writer and the reason (one per quantifier element).
        Why::Prefixed(Rc::new(Prefix {
            inner: self,
            write: prefix,
        }))
    }

    /// "first; second", written late. A reason joined with itself is written once (a
    /// part used twice gives the same reason twice).
    pub fn join(self, other: Why<'a>) -> Why<'a> {
        if is_quiet() {
            return Why::Static("");
        }
        if self.same_as(&other) {
            return self;
        }
        Why::Joined(Rc::new((self, other)))
    }

    /// Whether two reasons are the same reason (the same shared parts, not equal text).
    fn same_as(&self, other: &Why<'a>) -> bool {
        match (self, other) {
            (Why::Static(a), Why::Static(b)) => a == b,
            (Why::Text(a), Why::Text(b)) => Rc::ptr_eq(a, b),
            (Why::Borrowed(a), Why::Borrowed(b)) | (Why::Source(a), Why::Source(b)) => {
                std::ptr::eq(*a, *b)
            }
            (Why::Lazy(a), Why::Lazy(b)) => Rc::ptr_eq(a, b),
            // Each is made once by `prefixed` or `join`: the same only as copies of one.
            (Why::Prefixed(a), Why::Prefixed(b)) => Rc::ptr_eq(a, b),
            (Why::Joined(a), Why::Joined(b)) => Rc::ptr_eq(a, b),
            (Why::NoneOf(a), Why::NoneOf(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// A part's description for [`Why::Part`]: "CT/MRI 1 to 3 months after the session of
/// 2021-03-01", "AFP result before the session of ...".
fn render_part<'a>(
    view: &View<'a>,
    part: &CheckedPart,
    anchor: Option<usize>,
    quoted: &[Quoted<'a>],
    out: &mut String,
) {
    let Some(text) = &part.description else {
        out.push_str(&part.label);
        return;
    };
    let quotes_event = part.quoted_params.iter().any(|&q| q);
    if quoted.is_empty() && !quotes_event {
        out.push_str(text);
    } else if !fill_in_place(part, text, quoted, out) {
        let mut text = quoted.iter().fold(text.clone(), |text, (name, quote)| {
            let mut shown = String::new();
            quote.write_into(&mut shown);
            text.replace(&format!("{{{name}}}"), &shown)
        });
        // An event that does not exist (no next session) has no date to place.
        for (name, _) in part
            .param_names
            .iter()
            .zip(&part.quoted_params)
            .filter(|(_, &q)| q)
        {
            text = text.replace(&format!("{{{name}}}"), "none");
        }
        out.push_str(&text);
    }
    // A description that places an event's date itself (`{S}`) needs no more.
    if quotes_event {
        return;
    }
    match anchor.and_then(|p| view.patient.events.get(p).map(|e| (p, e))) {
        Some((position, event)) if event.is_procedure() => {
            out.push_str(" (session of ");
            view.date_into(out, position);
            out.push(')');
        }
        Some((position, _)) => {
            out.push_str(" (");
            view.describe_into(out, position, None);
            out.push(')');
        }
        None => {}
    }
}

/// [`render_part`]'s placeholders filled in one pass onto `out`, when that writes what
/// replacing them one parameter after another (above) writes: every `{` of the description
/// opens a placeholder of a parameter, and no quoted value has a brace that a later
/// replacement could read as one. `false`, with nothing written, otherwise.
fn fill_in_place(part: &CheckedPart, text: &str, quoted: &[Quoted<'_>], out: &mut String) -> bool {
    if quoted.iter().any(|(_, quote)| quote.has_brace()) {
        return false;
    }
    let start = out.len();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let (before, from) = rest.split_at(open);
        let name = from
            .get(1..)
            .and_then(|after| after.find('}').and_then(|close| after.get(..close)));
        let Some(name) = name else {
            out.truncate(start);
            return false;
        };
        out.push_str(before);
        if let Some((_, quote)) = quoted.iter().find(|(n, _)| *n == name) {
            quote.write_into(out);
        } else if part
            .param_names
            .iter()
            .zip(&part.quoted_params)
            .any(|(n, &q)| q && n == name)
        {
            // An event that does not exist (no next session) has no date to place.
            out.push_str("none");
        } else {
            out.truncate(start);
            return false;
        }
        rest = from.get(name.len() + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    true
}

/// Whether a value, as written in reasons, has a brace.
fn has_brace(value: &Value) -> bool {
    match value {
        Value::Text(t) => t.contains(['{', '}']),
        Value::List(items) => items.iter().any(has_brace),
        Value::Object(_) => true,
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// A value as written in reasons.
pub fn show(value: &Value) -> String {
    let mut out = String::new();
    show_into(value, &mut out);
    out
}

/// [`show`], appended to `out`.
pub fn show_into(value: &Value, out: &mut String) {
    match value {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Text(t) => out.push_str(t),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                show_into(item, out);
            }
            out.push(']');
        }
        Value::Object(_) => out.push_str("{…}"),
    }
}

impl From<&'static str> for Why<'_> {
    fn from(text: &'static str) -> Self {
        Why::Static(text)
    }
}

impl From<String> for Why<'_> {
    fn from(text: String) -> Self {
        Why::Text(text.into())
    }
}

impl fmt::Debug for Why<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Static(text) => write!(f, "{text:?}"),
            Why::Text(text) => write!(f, "{text:?}"),
            Why::Borrowed(text) | Why::Source(text) => write!(f, "{text:?}"),
            Why::Lazy(_)
            | Why::Prefixed(..)
            | Why::Joined(..)
            | Why::Part { .. }
            | Why::NoneOf(_) => f.write_str("<reason>"),
        }
    }
}
