//! What the FHIR reader did with each resource: the resources it skipped, each named with
//! file, line (NDJSON), resource and JSON path, and counts per resource type and code.

use std::collections::BTreeMap;
use std::fmt;

use miette::Diagnostic;

/// Why a resource, or one value of it, was not read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// No rule of the mapping reads this resource type.
    UnmappedType,
    /// No rule of the mapping knows the resource's code.
    UnmappedCode,
    /// A coded value outside the rule's value set.
    UnmappedValue(String),
    /// A quantity in a unit the mapping does not accept for the attribute.
    Unit {
        /// The unit written.
        unit: String,
        /// The units accepted.
        accepted: String,
    },
    /// None of the rule's date elements is present.
    MissingDate(String),
    /// The date is not a calendar day (`2021-03`, `2021-02-30`).
    BadDate(String),
    /// The resource refers to a patient the input does not have.
    UnknownPatient(String),
    /// The resource names no patient (`subject`).
    NoPatient,
    /// The value does not fit the attribute.
    BadValue(String),
    /// The resource has no value.
    NoValue,
    /// The text is not JSON (or not a resource).
    Invalid(String),
    /// A second resource for the same patient id or event attribute.
    Duplicate(String),
    /// A member of a report or panel that is not in the input.
    MissingMember(String),
}

impl Reason {
    /// The diagnostic code: `refract::fhir::…`.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::UnmappedType => "refract::fhir::unmapped_resource",
            Reason::UnmappedCode => "refract::fhir::unmapped_code",
            Reason::UnmappedValue(_) => "refract::fhir::unmapped_value",
            Reason::Unit { .. } => "refract::fhir::unit",
            Reason::MissingDate(_) => "refract::fhir::missing_date",
            Reason::BadDate(_) => "refract::fhir::bad_date",
            Reason::UnknownPatient(_) => "refract::fhir::unknown_patient",
            Reason::NoPatient => "refract::fhir::no_patient",
            Reason::BadValue(_) => "refract::fhir::bad_value",
            Reason::NoValue => "refract::fhir::no_value",
            Reason::Invalid(_) => "refract::fhir::invalid",
            Reason::Duplicate(_) => "refract::fhir::duplicate",
            Reason::MissingMember(_) => "refract::fhir::missing_member",
        }
    }

    /// A short name for the counts of `check --input`.
    pub fn short(&self) -> &'static str {
        match self {
            Reason::UnmappedType => "resource type not mapped",
            Reason::UnmappedCode => "code not mapped",
            Reason::UnmappedValue(_) => "value not in the value set",
            Reason::Unit { .. } => "unit not accepted",
            Reason::MissingDate(_) => "no date",
            Reason::BadDate(_) => "date not a day",
            Reason::UnknownPatient(_) => "unknown patient",
            Reason::NoPatient => "no patient reference",
            Reason::BadValue(_) => "value does not fit",
            Reason::NoValue => "no value",
            Reason::Invalid(_) => "not a resource",
            Reason::Duplicate(_) => "given twice",
            Reason::MissingMember(_) => "member missing",
        }
    }

    fn help(&self) -> String {
        match self {
            Reason::UnmappedType | Reason::UnmappedCode => {
                "add a rule for it to the mapping (--mapping FILE, docs/mapping.md) if it matters".into()
            }
            Reason::UnmappedValue(_) => "add the code to the value set of the mapping".into(),
            Reason::Unit { accepted, .. } => format!(
                "record the value in {accepted}, or add the unit with its exact factor to the mapping; values of different assays are never converted"
            ),
            Reason::MissingDate(_) | Reason::BadDate(_) => {
                "give the day the event happened (YYYY-MM-DD, optionally with a time)".into()
            }
            Reason::UnknownPatient(_) | Reason::NoPatient => {
                "include the Patient resource, or correct the reference".into()
            }
            Reason::BadValue(_) | Reason::NoValue => "correct the value".into(),
            Reason::Invalid(_) => "each line of an NDJSON file is one FHIR resource".into(),
            Reason::Duplicate(_) => "keep one".into(),
            Reason::MissingMember(_) => "include the referenced Observation".into(),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::UnmappedType => write!(f, "no rule of the mapping reads this resource type"),
            Reason::UnmappedCode => write!(f, "no rule of the mapping knows its code"),
            Reason::UnmappedValue(code) => write!(f, "{code} is in none of the rule's values"),
            Reason::Unit { unit, accepted } => {
                write!(
                    f,
                    "the unit \"{unit}\" is not accepted (accepted: {accepted})"
                )
            }
            Reason::MissingDate(tried) => write!(f, "no date: none of {tried} is given"),
            Reason::BadDate(text) => write!(f, "\"{text}\" is not a calendar day"),
            Reason::UnknownPatient(id) if id.contains('/') || id.contains(':') => {
                write!(f, "it refers to {id}, which the input does not have")
            }
            Reason::UnknownPatient(id) => {
                write!(
                    f,
                    "it refers to Patient/{id}, which the input does not have"
                )
            }
            Reason::NoPatient => write!(f, "it names no patient (subject)"),
            Reason::BadValue(why) => write!(f, "{why}"),
            Reason::NoValue => write!(f, "it has no value"),
            Reason::Invalid(why) => write!(f, "not a FHIR resource: {why}"),
            Reason::Duplicate(what) => write!(f, "{what} is given twice; the first is kept"),
            Reason::MissingMember(target) => write!(f, "its member {target} is not in the input"),
        }
    }
}

/// One resource (or value) not read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The file.
    pub file: String,
    /// The 1-based line of an NDJSON file.
    pub line: Option<usize>,
    /// `Type/id` of the resource.
    pub resource: String,
    /// The JSON path of the value at fault (`entry[3].resource.valueQuantity.code`).
    pub path: String,
    /// Why.
    pub reason: Reason,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        write!(f, ", {}", self.resource)?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for Skip {}

impl Diagnostic for Skip {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.reason.code()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.reason.help()))
    }
}

/// Resources mapped and skipped, per resource type and code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// `(type, system|code)` → counts.
    pub counts: BTreeMap<(String, String), Counts>,
}

/// The counts of one resource type and code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Resources (or members) read into events.
    pub mapped: u64,
    /// Skipped, by reason.
    pub skipped: BTreeMap<&'static str, u64>,
}

impl Tally {
    /// One resource read.
    pub fn mapped(&mut self, kind: &str, code: &str) {
        self.entry(kind, code).mapped += 1;
    }

    /// One resource skipped.
    pub fn skipped(&mut self, kind: &str, code: &str, reason: &Reason) {
        *self
            .entry(kind, code)
            .skipped
            .entry(reason.short())
            .or_default() += 1;
    }

    fn entry(&mut self, kind: &str, code: &str) -> &mut Counts {
        self.counts
            .entry((kind.to_owned(), code.to_owned()))
            .or_default()
    }

    /// Add another tally's counts.
    pub fn merge(&mut self, other: Tally) {
        for (key, counts) in other.counts {
            let entry = self.counts.entry(key).or_default();
            entry.mapped += counts.mapped;
            for (reason, n) in counts.skipped {
                *entry.skipped.entry(reason).or_default() += n;
            }
        }
    }

    /// The counts as an aligned table, one line per resource type and code.
    pub fn render(&self) -> String {
        let mut out = String::from("resource type and code: mapped, skipped (why)\n");
        for ((kind, code), counts) in &self.counts {
            let skipped: u64 = counts.skipped.values().sum();
            out.push_str(&format!("  {kind} {code}: {} mapped", counts.mapped));
            if skipped > 0 {
                let why: Vec<String> = counts
                    .skipped
                    .iter()
                    .map(|(reason, n)| format!("{n} {reason}"))
                    .collect();
                out.push_str(&format!(", {skipped} skipped ({})", why.join(", ")));
            }
            out.push('\n');
        }
        out
    }
}
