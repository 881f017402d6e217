//! Reading values: a coded value's `value[x]` (units converted by the mapping's exact
//! factors) and an element of a resource, each checked against the vocabulary's type.

use serde_json::Value as Json;

use super::findings::Reason;
use super::json::{codings, extension, value_x, walk};
use crate::number::Decimal;
use crate::sources::mapping::{ElementRule, ElementSource, ObservationRule};
use crate::vocabulary::{AttrType, Vocabulary};

/// The attributes one coded value gives: its value (converted to the rule's unit), the
/// fixed ones and the unit. The error names the element at fault.
pub(super) fn apply(
    vocab: &Vocabulary,
    rule: &ObservationRule,
    holder: &Json,
) -> Result<Vec<(String, Json)>, (Reason, String)> {
    let Some((name, value)) = value_x(holder) else {
        return Err((Reason::NoValue, "value[x]".into()));
    };
    let fail = |reason: Reason, at: &str| (reason, at.to_owned());
    let json = if let Some(set) = &rule.values {
        let codes = codings(value);
        let found = codes.iter().find_map(|code| set.value_of(code)).cloned();
        found.ok_or_else(|| {
            let shown = codes
                .first()
                .map_or_else(|| "the value".to_owned(), ToString::to_string);
            fail(Reason::UnmappedValue(shown), name)
        })?
    } else {
        match name {
            "valueQuantity" => quantity(rule, value).map_err(|r| {
                let at = if matches!(r, Reason::Unit { .. }) {
                    "valueQuantity.code"
                } else {
                    "valueQuantity"
                };
                fail(r, at)
            })?,
            "valueInteger" if rule.unit.is_none() => value.clone(),
            "valueBoolean" | "valueString" | "valueCode" => value.clone(),
            "valueInteger" => return Err(fail(unit_reason(rule, "(none)"), name)),
            other => {
                return Err(fail(
                    Reason::BadValue(format!("{other} is not read for {}", rule.attribute)),
                    other,
                ))
            }
        }
    };
    let ty = vocab
        .attribute(Some(&rule.kind), &rule.attribute)
        .map(|s| s.ty);
    if !fits(ty, &json) {
        let expected = ty.map_or_else(String::new, |t| t.describe());
        return Err(fail(
            Reason::BadValue(format!("{} must be {expected}", rule.attribute)),
            name,
        ));
    }
    let mut out: Vec<(String, Json)> = rule.fixed.clone();
    out.push((rule.attribute.clone(), json));
    if let (Some(attribute), Some(unit)) = (&rule.unit_attribute, &rule.unit) {
        out.push((attribute.clone(), Json::String(unit.clone())));
    }
    Ok(out)
}

fn unit_reason(rule: &ObservationRule, unit: &str) -> Reason {
    let accepted: Vec<&str> = rule.units.iter().map(|(u, _)| u.as_str()).collect();
    Reason::Unit {
        unit: unit.to_owned(),
        accepted: if accepted.is_empty() {
            "no unit".into()
        } else {
            accepted.join(", ")
        },
    }
}

/// A Quantity's value in the rule's unit, converted by the mapping's exact factor.
fn quantity(rule: &ObservationRule, value: &Json) -> Result<Json, Reason> {
    let number = value
        .get("value")
        .and_then(Json::as_number)
        .and_then(Decimal::from_json)
        .ok_or_else(|| Reason::BadValue("the quantity has no exact number".into()))?;
    let code = value.get("code").and_then(Json::as_str);
    let text = value.get("unit").and_then(Json::as_str);
    let written = code.or(text);
    if rule.unit.is_none() {
        return match written {
            None => Ok(number.to_json()),
            Some(unit) => Err(unit_reason(rule, unit)),
        };
    }
    let factor = [code, text]
        .into_iter()
        .flatten()
        .find_map(|unit| rule.units.iter().find(|(u, _)| u == unit))
        .map(|(_, factor)| *factor);
    match factor {
        Some(factor) => number
            .checked_mul(factor)
            .map(|n| n.to_json())
            .ok_or_else(|| Reason::BadValue("the converted value is too large".into())),
        None => Err(unit_reason(rule, written.unwrap_or("(none)"))),
    }
}

/// An attribute read from an element of the resource: `None` when absent.
pub(super) fn read_element(
    vocab: &Vocabulary,
    kind: &str,
    rule: &ElementRule,
    json: &Json,
) -> Option<Result<Json, Reason>> {
    let found: Vec<&Json> = match &rule.from {
        ElementSource::Element(path) => walk(json, path),
        ElementSource::Extension(url) => extension(json, url).into_iter().collect(),
    };
    if found.is_empty() {
        return None;
    }
    let decode = |value: &Json| -> Result<Json, Reason> {
        match &rule.values {
            Some(set) => {
                let codes = codings(value);
                codes
                    .iter()
                    .find_map(|c| set.value_of(c))
                    .cloned()
                    .ok_or_else(|| {
                        Reason::UnmappedValue(
                            codes
                                .first()
                                .map_or_else(|| "the value".into(), ToString::to_string),
                        )
                    })
            }
            None => Ok(value.clone()),
        }
    };
    let ty = vocab.attribute(Some(kind), &rule.attribute).map(|s| s.ty);
    let json = if matches!(ty, Some(AttrType::TextList)) {
        match found.into_iter().map(decode).collect::<Result<Vec<_>, _>>() {
            Ok(items) => Json::Array(items),
            Err(reason) => return Some(Err(reason)),
        }
    } else {
        match found.first().map(|v| decode(v)) {
            Some(Ok(value)) => value,
            Some(Err(reason)) => return Some(Err(reason)),
            None => return None,
        }
    };
    if fits(ty, &json) {
        Some(Ok(json))
    } else {
        let expected = ty.map_or_else(String::new, |t| t.describe());
        Some(Err(Reason::BadValue(format!(
            "{} must be {expected}",
            rule.attribute
        ))))
    }
}

/// Whether a value has the attribute's type (any value but null when unknown).
fn fits(ty: Option<AttrType>, json: &Json) -> bool {
    match (ty, json) {
        (_, Json::Null) => false,
        (None, _) => true,
        (Some(AttrType::Bool), Json::Bool(_)) => true,
        (Some(AttrType::Text), Json::String(_)) => true,
        (Some(AttrType::Category(words)), Json::String(s)) => words.contains(&s.as_str()),
        (Some(AttrType::TextList), Json::Array(items)) => items.iter().all(Json::is_string),
        (Some(AttrType::Number { min, max, integer }), Json::Number(n)) => Decimal::from_json(n)
            .is_some_and(|d| {
                (!integer || d.is_integer())
                    && min.is_none_or(|lo| d >= Decimal::from_i64(lo))
                    && max.is_none_or(|hi| d <= Decimal::from_i64(hi))
            }),
        _ => false,
    }
}
