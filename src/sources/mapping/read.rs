//! From TOML text to a checked [`Mapping`]: every problem found at once, each at its
//! place in the file, like the checker of definitions.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::units::{check_conversion, ConversionError};
use super::{Code, ElementRule, ElementSource, EventRule, Mapping, Members, ObservationRule};
use crate::diagnostics::{Diagnostics, Problem};

use crate::source::{SourceFile, Span};
use crate::vocabulary::{suggest, AttrType, Vocabulary};

pub(super) type S<T> = Spanned<T>;
/// A value set as written: each value and the codes meaning it.
pub(super) type RawSet = BTreeMap<S<String>, Vec<S<String>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    mapping: S<String>,
    #[serde(default)]
    #[expect(dead_code, reason = "a title for readers of the file")]
    title: Option<String>,
    #[serde(default)]
    pub(super) systems: BTreeMap<String, S<String>>,
    #[serde(default)]
    observation_date: Vec<S<String>>,
    #[serde(default)]
    facts_extension: Option<S<String>>,
    #[serde(default)]
    event: Vec<RawEvent>,
    #[serde(default)]
    observation: Vec<RawObservation>,
    #[serde(default)]
    values: BTreeMap<S<String>, RawSet>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    resource: S<String>,
    codes: Vec<S<String>>,
    kind: S<String>,
    date: Vec<S<String>>,
    #[serde(default)]
    members: Option<S<String>>,
    #[serde(default)]
    each_member: bool,
    #[serde(default)]
    attribute: Vec<RawElement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawElement {
    name: S<String>,
    #[serde(default)]
    element: Option<S<String>>,
    #[serde(default)]
    extension: Option<S<String>>,
    #[serde(default)]
    values: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObservation {
    code: S<String>,
    kind: S<String>,
    attribute: S<String>,
    #[serde(default)]
    fixed: BTreeMap<S<String>, S<toml::Value>>,
    #[serde(default)]
    unit: Option<S<String>>,
    #[serde(default)]
    units: BTreeMap<S<String>, S<toml::Value>>,
    #[serde(default)]
    unit_attribute: Option<S<String>>,
    #[serde(default)]
    values: Option<S<String>>,
}

pub(super) fn span<T>(s: &S<T>) -> Span {
    let range = s.span();
    Span::new(range.start, range.end)
}

/// The checking state: the vocabulary and the problems found so far.
pub(super) struct Checker<'v> {
    pub(super) vocab: &'v Vocabulary,
    pub(super) problems: Vec<Problem>,
    systems: BTreeMap<String, S<String>>,
    pub(super) sets: HashMap<String, (Span, RawSet)>,
}

pub(super) fn read(
    source: &Arc<SourceFile>,
    vocab: &Vocabulary,
) -> Result<(Mapping, Diagnostics), Diagnostics> {
    let raw: RawMapping = match toml::from_str(&source.text) {
        Ok(raw) => raw,
        Err(error) => {
            let at = error
                .span()
                .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
            let mut diagnostics = Diagnostics::new(source.clone());
            let message = error.message().trim().to_owned();
            diagnostics.problems.push(
                Problem::error(
                    "refract::mapping::syntax",
                    format!("the mapping is not valid here: {message}"),
                    at,
                    message,
                )
                .with_help("a mapping is TOML with the tables of docs/mapping.md"),
            );
            return Err(diagnostics);
        }
    };
    let mut checker = Checker {
        vocab,
        problems: Vec::new(),
        systems: raw.systems,
        sets: raw
            .values
            .into_iter()
            .map(|(name, set)| {
                let at = span(&name);
                (name.into_inner(), (at, set))
            })
            .collect(),
    };
    for uri in checker.systems.values() {
        if !uri.get_ref().contains(':') {
            checker.problems.push(
                Problem::error(
                    "refract::mapping::system",
                    format!("`{}` is not a URI", uri.get_ref()),
                    span(uri),
                    "a code system is named by a URI",
                )
                .with_help("write the system's URI, e.g. \"http://loinc.org\""),
            );
        }
    }
    let events: Vec<EventRule> = raw
        .event
        .into_iter()
        .filter_map(|e| checker.event(e))
        .collect();
    let observations: Vec<ObservationRule> = raw
        .observation
        .into_iter()
        .filter_map(|o| checker.observation(o))
        .collect();
    let observation_date = raw
        .observation_date
        .iter()
        .filter_map(|path| checker.path(path))
        .collect();
    let mut by_event_code = HashMap::new();
    for (at, rule) in events.iter().enumerate() {
        for code in &rule.codes {
            by_event_code
                .entry((rule.resource.clone(), code.clone()))
                .or_insert(at);
        }
    }
    let mut by_observation_code = HashMap::new();
    for (at, rule) in observations.iter().enumerate() {
        by_observation_code.entry(rule.code.clone()).or_insert(at);
    }
    checker.duplicates(&events, &observations, source);
    let mut diagnostics = Diagnostics::new(source.clone());
    diagnostics.problems = checker.problems;
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let mapping = Mapping {
        name: raw.mapping.into_inner(),
        source: source.clone(),
        events,
        observations,
        observation_date,
        facts_extension: raw.facts_extension.map(Spanned::into_inner),
        by_event_code,
        by_observation_code,
    };
    Ok((mapping, diagnostics))
}

impl Checker<'_> {
    pub(super) fn error(
        &mut self,
        code: &'static str,
        message: String,
        at: Span,
        label: &str,
        help: &str,
    ) {
        self.problems
            .push(Problem::error(code, message, at, label).with_help(help));
    }

    /// `alias|code` or `uri|code`.
    pub(super) fn code(&mut self, text: &S<String>) -> Option<Code> {
        let Some((system, code)) = text.get_ref().split_once('|') else {
            self.error(
                "refract::mapping::code",
                format!("`{}` is not a code", text.get_ref()),
                span(text),
                "expected system|code",
                "write the system (a name from [systems] or a URI), `|`, and the code: \"loinc|1834-1\"",
            );
            return None;
        };
        if code.is_empty() || code.contains('|') {
            self.error(
                "refract::mapping::code",
                format!("`{}` is not a code", text.get_ref()),
                span(text),
                "expected one `|` between system and code",
                "write \"system|code\", e.g. \"loinc|1834-1\"",
            );
            return None;
        }
        let system = match self.systems.get(system) {
            Some(uri) => uri.get_ref().clone(),
            None if system.contains(':') => system.to_owned(),
            None => {
                let names: Vec<&str> = self.systems.keys().map(String::as_str).collect();
                let close = suggest(system, names.iter().copied());
                let help = match close.first() {
                    Some(name) => {
                        format!("did you mean `{name}`? Or add `{system} = \"URI\"` to [systems]")
                    }
                    None => format!("add `{system} = \"URI\"` to [systems], or write the URI"),
                };
                self.error(
                    "refract::mapping::unknown_system",
                    format!("the code system `{system}` is not named in [systems]"),
                    span(text),
                    "unknown system",
                    &help,
                );
                return None;
            }
        };
        Some(Code {
            system,
            code: code.to_owned(),
        })
    }

    /// A dotted element path.
    fn path(&mut self, text: &S<String>) -> Option<Vec<String>> {
        let steps: Vec<String> = text.get_ref().split('.').map(str::to_owned).collect();
        let good = steps
            .iter()
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if good {
            Some(steps)
        } else {
            self.error(
                "refract::mapping::element",
                format!("`{}` is not an element path", text.get_ref()),
                span(text),
                "expected names joined by `.`",
                "write FHIR element names joined by dots, e.g. \"performedPeriod.start\"",
            );
            None
        }
    }

    /// A known kind, or a warning with the closest known one.
    fn kind(&mut self, kind: &S<String>) {
        if !self.vocab.is_kind(kind.get_ref()) {
            let close = suggest(kind.get_ref(), self.vocab.kinds());
            let mut problem = Problem::warning(
                "refract::mapping::unknown_kind",
                format!(
                    "`{}` is not an event kind of the timeline format",
                    kind.get_ref()
                ),
                span(kind),
                "unknown kind",
            );
            if let Some(name) = close.first() {
                problem = problem.with_help(format!("did you mean `{name}`?"));
            }
            self.problems.push(problem);
        }
    }

    /// The type of a kind's attribute, or a warning when the vocabulary does not know it.
    fn attribute(&mut self, kind: &str, name: &S<String>) -> Option<AttrType> {
        if let Some(spec) = self.vocab.attribute(Some(kind), name.get_ref()) {
            return Some(spec.ty);
        }
        if self.vocab.is_kind(kind) {
            let names = self
                .vocab
                .attributes()
                .filter(|s| s.kind == kind)
                .map(|s| s.name);
            let close = suggest(name.get_ref(), names);
            let mut problem = Problem::warning(
                "refract::mapping::unknown_attribute",
                format!(
                    "`{kind}` events have no attribute `{}` in the vocabulary",
                    name.get_ref()
                ),
                span(name),
                "unknown attribute",
            );
            if let Some(known) = close.first() {
                problem = problem.with_help(format!("did you mean `{known}`?"));
            }
            self.problems.push(problem);
        }
        None
    }

    fn event(&mut self, raw: RawEvent) -> Option<EventRule> {
        self.kind(&raw.kind);
        let codes: Vec<Code> = raw.codes.iter().filter_map(|c| self.code(c)).collect();
        let date: Vec<Vec<String>> = raw.date.iter().filter_map(|d| self.path(d)).collect();
        if raw.date.is_empty() {
            self.error(
                "refract::mapping::no_date",
                format!("`{}` events have no date element", raw.kind.get_ref()),
                span(&raw.kind),
                "no `date` list",
                "list the date elements to try, e.g. date = [\"performedDateTime\", \"performedPeriod.start\"]",
            );
        }
        let members = match raw.members.as_ref().map(|m| (m, m.get_ref().as_str())) {
            None => None,
            Some((_, "result")) => Some(Members::Result),
            Some((_, "hasMember")) => Some(Members::HasMember),
            Some((_, "component")) => Some(Members::Component),
            Some((m, other)) => {
                self.error(
                    "refract::mapping::members",
                    format!("`{other}` is not a way to find members"),
                    span(m),
                    "unknown members",
                    "write \"result\" (DiagnosticReport), \"hasMember\" (panel) or \"component\"",
                );
                None
            }
        };
        let kind = raw.kind.get_ref().clone();
        let attributes = raw
            .attribute
            .iter()
            .filter_map(|element| self.element(&kind, element))
            .collect();
        Some(EventRule {
            resource: raw.resource.into_inner(),
            codes,
            kind,
            date,
            members,
            each_member: raw.each_member,
            attributes,
        })
    }

    fn element(&mut self, kind: &str, raw: &RawElement) -> Option<ElementRule> {
        let ty = self.attribute(kind, &raw.name);
        let from = match (&raw.element, &raw.extension) {
            (Some(path), None) => ElementSource::Element(self.path(path)?),
            (None, Some(url)) => ElementSource::Extension(url.get_ref().clone()),
            _ => {
                self.error(
                    "refract::mapping::element",
                    format!("say where `{}` is read", raw.name.get_ref()),
                    span(&raw.name),
                    "needs exactly one of `element` or `extension`",
                    "give element = \"bodySite.text\" or extension = \"URL\"",
                );
                return None;
            }
        };
        let values = match &raw.values {
            Some(name) => Some(self.value_set(name, ty)?),
            None => None,
        };
        Some(ElementRule {
            attribute: raw.name.get_ref().clone(),
            from,
            values,
        })
    }

    fn observation(&mut self, raw: RawObservation) -> Option<ObservationRule> {
        self.kind(&raw.kind);
        let kind = raw.kind.get_ref().clone();
        let code = self.code(&raw.code);
        let ty = self.attribute(&kind, &raw.attribute);
        let mut fixed = Vec::new();
        for (name, value) in &raw.fixed {
            let attr_ty = self.attribute(&kind, name);
            if let Some(json) = self.typed(value.get_ref(), span(value), attr_ty) {
                fixed.push((name.get_ref().clone(), json));
            }
        }
        let unit = raw.unit.as_ref().map(|u| u.get_ref().clone());
        let mut units = Vec::new();
        for (from, factor) in &raw.units {
            let Some(to) = &unit else {
                self.error(
                    "refract::mapping::no_unit",
                    format!(
                        "`{}` has accepted units but no unit of its own",
                        raw.attribute.get_ref()
                    ),
                    span(from),
                    "converted to what?",
                    "add unit = \"…\": the unit values are converted to",
                );
                break;
            };
            let Some(factor_value) = self.factor(factor) else {
                continue;
            };
            match check_conversion(from.get_ref(), to, factor_value) {
                Ok(()) => units.push((from.get_ref().clone(), factor_value)),
                Err(ConversionError::Quantities { from: a, to: b }) => self.error(
                    "refract::mapping::assay_conversion",
                    format!("{} cannot be converted to {to}: {a} and {b} are different quantities", from.get_ref()),
                    span(from),
                    "no conversion between these",
                    "values of different assays or quantities are never converted: map the other unit to a code of its own (PIVKA-II in mAU/mL and in ng/mL are different tests)",
                ),
                Err(ConversionError::Unknown { unit: u }) => self.error(
                    "refract::mapping::unknown_unit",
                    format!("refract knows no conversion for `{u}`"),
                    span(from),
                    "unknown unit",
                    "accept only the attribute's own unit, or a unit of docs/mapping.md's table",
                ),
                Err(ConversionError::Factor { expected }) => self.error(
                    "refract::mapping::wrong_factor",
                    format!("1 {} is {expected} {to}, not {factor_value}", from.get_ref()),
                    span(factor),
                    "wrong factor",
                    &format!("write \"{expected}\""),
                ),
            }
        }
        if let (Some(u), Some(at)) = (&raw.unit, &raw.unit_attribute) {
            let attr_ty = self.attribute(&kind, at);
            let value = toml::Value::String(u.get_ref().clone());
            self.typed(&value, span(u), attr_ty)?;
        }
        if ty.is_some_and(|t| !matches!(t, AttrType::Number { .. })) && raw.unit.is_some() {
            if let Some(u) = &raw.unit {
                self.error(
                    "refract::mapping::unit_not_number",
                    format!(
                        "`{}` is not a number and has no unit",
                        raw.attribute.get_ref()
                    ),
                    span(u),
                    "unit on a value that is not a number",
                    "remove `unit` and `units`",
                );
            }
        }
        let values = match &raw.values {
            Some(name) => Some(self.value_set(name, ty)?),
            None => None,
        };
        Some(ObservationRule {
            code: code?,
            kind,
            attribute: raw.attribute.into_inner(),
            fixed,
            unit,
            units,
            unit_attribute: raw.unit_attribute.map(Spanned::into_inner),
            values,
        })
    }
}
