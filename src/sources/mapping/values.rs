//! Checking a mapping's values: conversion factors, fixed values, value sets, and codes
//! mapped twice.

use std::collections::HashMap;
use std::sync::Arc;

use super::read::{span, Checker, S};
use crate::number::Decimal;
use crate::source::{SourceFile, Span};
use crate::sources::mapping::{Code, EventRule, ObservationRule, ValueSet};
use crate::vocabulary::{suggest, AttrType};

impl Checker<'_> {
    /// A conversion factor: a whole number or a decimal written as a string.
    pub(super) fn factor(&mut self, value: &S<toml::Value>) -> Option<Decimal> {
        let parsed = match value.get_ref() {
            toml::Value::Integer(n) => Some(Decimal::from_i64(*n)),
            toml::Value::String(s) => Decimal::parse(s),
            _ => None,
        };
        if parsed.is_none() {
            self.error(
                "refract::mapping::factor",
                "a factor must be exact".to_owned(),
                span(value),
                "not a whole number or a decimal string",
                "write a whole number (10) or a decimal as a string (\"0.1\"), so it stays exact",
            );
        }
        parsed
    }

    /// A TOML value as the JSON value of an attribute of type `ty`.
    pub(super) fn typed(
        &mut self,
        value: &toml::Value,
        at: Span,
        ty: Option<AttrType>,
    ) -> Option<serde_json::Value> {
        let json = match value {
            toml::Value::String(s) => serde_json::Value::String(s.clone()),
            toml::Value::Integer(n) => Decimal::from_i64(*n).to_json(),
            toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
            _ => serde_json::Value::Null,
        };
        let fits = match (ty, &json) {
            (None, j) => !j.is_null(),
            (Some(AttrType::Bool), serde_json::Value::Bool(_)) => true,
            (Some(AttrType::Number { .. }), serde_json::Value::Number(_)) => true,
            (Some(AttrType::Text), serde_json::Value::String(_)) => true,
            (Some(AttrType::Category(words)), serde_json::Value::String(s)) => {
                words.contains(&s.as_str())
            }
            _ => false,
        };
        if fits {
            Some(json)
        } else {
            let expected = ty.map_or("a string, number or boolean".to_owned(), |t| t.describe());
            self.error(
                "refract::mapping::value",
                format!("this value does not fit the attribute: expected {expected}"),
                at,
                "wrong value",
                &format!("write {expected}"),
            );
            None
        }
    }

    /// A named value set, its values checked against the attribute's type.
    pub(super) fn value_set(
        &mut self,
        name: &S<String>,
        ty: Option<AttrType>,
    ) -> Option<Arc<ValueSet>> {
        let Some((_, set)) = self.sets.get(name.get_ref()).cloned() else {
            let names: Vec<String> = self.sets.keys().cloned().collect();
            let close = suggest(name.get_ref(), names.iter().map(String::as_str));
            let help = close
                .first()
                .map_or("add a [values.NAME] table".to_owned(), |n| {
                    format!("did you mean `{n}`?")
                });
            self.error(
                "refract::mapping::unknown_values",
                format!("there is no value set `{}`", name.get_ref()),
                span(name),
                "unknown value set",
                &help,
            );
            return None;
        };
        let mut entries = Vec::new();
        for (value, codes) in &set {
            let json = match ty {
                Some(AttrType::Number { .. }) => match Decimal::parse(value.get_ref()) {
                    Some(n) => n.to_json(),
                    None => {
                        self.error(
                            "refract::mapping::value",
                            format!("`{}` is not a number", value.get_ref()),
                            span(value),
                            "the attribute is a number",
                            "name the value as a number, e.g. \"2\"",
                        );
                        continue;
                    }
                },
                Some(AttrType::Bool) => match value.get_ref().as_str() {
                    "true" => serde_json::Value::Bool(true),
                    "false" => serde_json::Value::Bool(false),
                    _ => continue,
                },
                _ => {
                    let text = toml::Value::String(value.get_ref().clone());
                    self.typed(&text, span(value), ty)?
                }
            };
            for code in codes {
                if let Some(code) = self.code(code) {
                    entries.push((code, json.clone()));
                }
            }
        }
        Some(Arc::new(ValueSet {
            name: name.get_ref().clone(),
            entries,
        }))
    }

    /// A code selecting two rules is an error: which one would be meant?
    pub(super) fn duplicates(
        &mut self,
        events: &[EventRule],
        observations: &[ObservationRule],
        source: &SourceFile,
    ) {
        let mut seen: HashMap<Code, &str> = HashMap::new();
        for rule in observations {
            if let Some(first) = seen.insert(rule.code.clone(), &rule.attribute) {
                let at = find_text(&source.text, &rule.code.code);
                self.error(
                    "refract::mapping::duplicate_code",
                    format!(
                        "{} is mapped twice: to `{first}` and to `{}`",
                        rule.code, rule.attribute
                    ),
                    at,
                    "mapped again",
                    "keep one [[observation]] per code",
                );
            }
        }
        let mut seen: HashMap<(String, Code), &str> = HashMap::new();
        for rule in events {
            for code in &rule.codes {
                if seen
                    .insert((rule.resource.clone(), code.clone()), &rule.kind)
                    .is_some()
                {
                    let at = find_text(&source.text, &code.code);
                    self.error(
                        "refract::mapping::duplicate_code",
                        format!("{} selects two {} rules", code, rule.resource),
                        at,
                        "selected again",
                        "keep each code in one [[event]] of a resource type",
                    );
                }
            }
        }
    }
}

/// The last place `needle` is written (the repeated one), for a diagnostic's label.
fn find_text(text: &str, needle: &str) -> Span {
    text.rfind(needle)
        .map_or(Span::new(0, 0), |at| Span::new(at, at + needle.len()))
}
