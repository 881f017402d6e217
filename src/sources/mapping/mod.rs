//! Source mappings: which FHIR resources become which events, which codes which
//! attributes, which units are accepted and how they convert, and where dates are read.
//!
//! A mapping is a TOML file a site reads and changes like a definition (`mappings/*.toml`,
//! documented in `docs/mapping.md`), checked with the same spanned diagnostics.
//!
//! ```
//! use refract::sources::mapping::Mapping;
//! use refract::source::SourceFile;
//! use refract::vocabulary::Vocabulary;
//!
//! let text = r#"
//! mapping = "demo"
//! [systems]
//! loinc = "http://loinc.org"
//! [[observation]]
//! code = "loinc|1834-1"
//! kind = "lab"
//! attribute = "value"
//! fixed = { test = "AFP" }
//! unit = "ng/mL"
//! units = { "ng/mL" = 1, "ug/L" = 1 }
//! unit_attribute = "unit"
//! "#;
//! let (mapping, warnings) =
//!     Mapping::parse(&SourceFile::new("demo.toml", text), &Vocabulary::builtin()).unwrap();
//! assert!(warnings.problems.is_empty());
//! assert_eq!(mapping.observations[0].attribute, "value");
//! ```

mod read;
pub mod units;
mod values;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostics::Diagnostics;
use crate::number::Decimal;
use crate::source::SourceFile;
use crate::vocabulary::Vocabulary;

/// The largest mapping file read (1 MiB, like a definition).
pub const MAX_MAPPING_BYTES: u64 = 1024 * 1024;

/// The mapping shipped with refract: mCODE STU4 and plain FHIR R4.
pub const DEFAULT_MAPPING: &str = include_str!("../../../mappings/mcode-r4.toml");

/// A coding: a system URI and a code in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    /// The code system's URI (`http://loinc.org`).
    pub system: String,
    /// The code (`1834-1`).
    pub code: String,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|{}", self.system, self.code)
    }
}

/// Where a resource's group members are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Members {
    /// `DiagnosticReport.result`: references to Observations.
    Result,
    /// `Observation.hasMember`: references to Observations (a panel).
    HasMember,
    /// `Observation.component`: coded values inside the resource.
    Component,
}

/// Where an attribute is read from a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementSource {
    /// A dotted element path (`bodySite.text`); arrays on the way are walked through.
    Element(Vec<String>),
    /// The value of the extension with this URL.
    Extension(String),
}

/// One attribute read from an element of an event's resource.
#[derive(Debug, Clone)]
pub struct ElementRule {
    /// The attribute's name.
    pub attribute: String,
    /// Where its value is.
    pub from: ElementSource,
    /// Codes to values, for a coded element.
    pub values: Option<Arc<ValueSet>>,
}

/// A resource that becomes one event.
#[derive(Debug, Clone)]
pub struct EventRule {
    /// The resource type (`Procedure`).
    pub resource: String,
    /// The codes (any coding of `code`) that select the resource.
    pub codes: Vec<Code>,
    /// The event kind made.
    pub kind: String,
    /// Date elements tried in order (`performedDateTime`, `performedPeriod.start`).
    pub date: Vec<Vec<String>>,
    /// Where the group's members are, for a report or panel.
    pub members: Option<Members>,
    /// Each member is an event of its own (the results of a laboratory report), dated by
    /// its own date when it has one, else by the report's.
    pub each_member: bool,
    /// Attributes read from the resource itself.
    pub attributes: Vec<ElementRule>,
}

/// A coded value (an Observation, a report's member, a component) that becomes one
/// attribute, and on its own one event.
#[derive(Debug, Clone)]
pub struct ObservationRule {
    /// The code that selects it.
    pub code: Code,
    /// The kind of event it belongs to.
    pub kind: String,
    /// The attribute its value goes to.
    pub attribute: String,
    /// Attributes with fixed values set with it (`test = "AFP"`).
    pub fixed: Vec<(String, serde_json::Value)>,
    /// The attribute's unit; values in other accepted units are converted to it.
    pub unit: Option<String>,
    /// The accepted units and the factor from each to `unit`.
    pub units: Vec<(String, Decimal)>,
    /// The attribute that records `unit` (`unit` of a lab event).
    pub unit_attribute: Option<String>,
    /// Codes to values, for a coded value.
    pub values: Option<Arc<ValueSet>>,
}

/// A value set: the codes that mean each value of an attribute.
#[derive(Debug, Clone)]
pub struct ValueSet {
    /// The set's name in the mapping.
    pub name: String,
    /// Each code and the attribute value it means.
    pub entries: Vec<(Code, serde_json::Value)>,
}

impl ValueSet {
    /// The value a code means.
    pub fn value_of(&self, code: &Code) -> Option<&serde_json::Value> {
        self.entries
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, value)| value)
    }

    /// The first code meaning `value` (for writing).
    pub fn code_for(&self, value: &serde_json::Value) -> Option<&Code> {
        self.entries
            .iter()
            .find(|(_, v)| v == value)
            .map(|(code, _)| code)
    }
}

/// A checked mapping.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// Its `mapping` name.
    pub name: String,
    /// The file it was read from.
    pub source: Arc<SourceFile>,
    /// Resources that become events.
    pub events: Vec<EventRule>,
    /// Coded values that become attributes.
    pub observations: Vec<ObservationRule>,
    /// Date elements tried for an Observation that is an event on its own.
    pub observation_date: Vec<Vec<String>>,
    /// The Patient extension whose `valueString` holds the patient's facts as JSON.
    pub facts_extension: Option<String>,
    by_event_code: HashMap<(String, Code), usize>,
    by_observation_code: HashMap<Code, usize>,
}

impl Mapping {
    /// Parse and check a mapping: the mapping and its warnings, or every problem.
    pub fn parse(
        source: &Arc<SourceFile>,
        vocab: &Vocabulary,
    ) -> Result<(Mapping, Diagnostics), Diagnostics> {
        read::read(source, vocab)
    }

    /// The shipped default mapping (`mappings/mcode-r4.toml`).
    pub fn builtin(vocab: &Vocabulary) -> Result<Mapping, Diagnostics> {
        let source = SourceFile::new("mappings/mcode-r4.toml", DEFAULT_MAPPING);
        Mapping::parse(&source, vocab).map(|(mapping, _)| mapping)
    }

    /// Read a mapping file (at most [`MAX_MAPPING_BYTES`]) and check it.
    pub fn load(path: &Path, vocab: &Vocabulary) -> Result<(Mapping, Diagnostics), Diagnostics> {
        use std::io::Read;
        let name = path.display().to_string();
        let mut text = String::new();
        let read = std::fs::File::open(path).and_then(|file| {
            file.take(MAX_MAPPING_BYTES + 1)
                .read_to_string(&mut text)
                .map(|_| ())
        });
        let problem = match read {
            Err(error) => Some(format!("cannot read the mapping {name}: {error}")),
            Ok(()) if text.len() as u64 > MAX_MAPPING_BYTES => {
                Some(format!("the mapping {name} is larger than 1 MiB"))
            }
            Ok(()) => None,
        };
        if let Some(message) = problem {
            let mut diagnostics = Diagnostics::new(SourceFile::new(name, ""));
            diagnostics.problems.push(crate::diagnostics::Problem {
                code: "refract::mapping::unreadable",
                message,
                label: None,
                help: Some("give the path of a mapping file (TOML, see docs/mapping.md)".into()),
                severity: miette::Severity::Error,
            });
            return Err(diagnostics);
        }
        Mapping::parse(&SourceFile::new(name, text), vocab)
    }

    /// The event rule for a resource of `resource` type with one of `codes`.
    pub fn event_rule<'a>(
        &self,
        resource: &str,
        codes: impl IntoIterator<Item = &'a Code>,
    ) -> Option<&EventRule> {
        codes.into_iter().find_map(|code| {
            self.by_event_code
                .get(&(resource.to_owned(), code.clone()))
                .and_then(|&at| self.events.get(at))
        })
    }

    /// The observation rule for one of `codes`.
    pub fn observation_rule<'a>(
        &self,
        codes: impl IntoIterator<Item = &'a Code>,
    ) -> Option<&ObservationRule> {
        codes.into_iter().find_map(|code| {
            self.by_observation_code
                .get(code)
                .and_then(|&at| self.observations.get(at))
        })
    }

    /// Whether any event rule reads this resource type.
    pub fn reads_resource(&self, resource: &str) -> bool {
        resource == "Observation" || self.events.iter().any(|rule| rule.resource == resource)
    }
}
