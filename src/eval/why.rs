//! Reasons, rendered late. Evaluation visits many elements whose reasons are thrown away
//! (every scan that did not decide); a reason is therefore kept as what is needed to
//! write it, and written only for the results that are reported.

use std::fmt;
use std::rc::Rc;

use crate::check::Checked;
use crate::timeline::Patient;

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
        let Some(event) = self.patient.events.get(position) else {
            return "an event".to_string();
        };
        let date = event.date.to_bytes();
        let date = std::str::from_utf8(&date).unwrap_or("");
        let mut out = String::with_capacity(32);
        match label {
            Some(label) => {
                out.push_str(label);
                out.push_str(" (");
                out.push_str(date);
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
                out.push_str(date);
            }
        }
        out
    }

    /// The date of the event at a position, as text.
    pub fn date(&self, position: usize) -> String {
        self.patient
            .events
            .get(position)
            .map(|e| e.date.to_string())
            .unwrap_or_default()
    }
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
    /// Written from the patient and definition when rendered.
    Lazy(Rc<dyn Fn(&View<'a>) -> String + 'a>),
}

impl<'a> Why<'a> {
    /// A reason written only if it is reported.
    pub fn lazy(write: impl Fn(&View<'a>) -> String + 'a) -> Why<'a> {
        Why::Lazy(Rc::new(write))
    }

    /// The reason in words.
    pub fn render(&self, view: &View<'a>) -> String {
        match self {
            Why::Static(text) => (*text).to_string(),
            Why::Text(text) => text.to_string(),
            Why::Borrowed(text) => (*text).to_string(),
            Why::Lazy(write) => write(view),
        }
    }

    /// "`prefix`: reason", written late.
    pub fn prefixed(self, prefix: impl Fn(&View<'a>) -> String + 'a) -> Why<'a> {
        Why::lazy(move |view| {
            let mut out = prefix(view);
            out.push_str(": ");
            out.push_str(&self.render(view));
            out
        })
    }

    /// "first; second", written late.
    pub fn join(self, other: Why<'a>) -> Why<'a> {
        Why::lazy(move |view| {
            let mut out = self.render(view);
            out.push_str("; ");
            out.push_str(&other.render(view));
            out
        })
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
            Why::Borrowed(text) => write!(f, "{text:?}"),
            Why::Lazy(_) => f.write_str("<reason>"),
        }
    }
}
