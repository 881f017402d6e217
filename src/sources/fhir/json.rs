//! Reading FHIR JSON: element paths, codings, value[x], dates and references.

use serde_json::Value as Json;

use crate::date::Date;
use crate::sources::mapping::Code;

/// Every value at a dotted path; arrays on the way are walked through, as FHIRPath does.
pub fn walk<'a>(json: &'a Json, path: &[String]) -> Vec<&'a Json> {
    let mut here = vec![json];
    for step in path {
        let mut next = Vec::new();
        for value in here {
            match value.get(step.as_str()) {
                Some(Json::Array(items)) => next.extend(items.iter()),
                Some(Json::Null) | None => {}
                Some(other) => next.push(other),
            }
        }
        here = next;
    }
    here
}

/// The codings of a CodeableConcept (or of a bare Coding).
pub fn codings(concept: &Json) -> Vec<Code> {
    let one = |coding: &Json| {
        Some(Code {
            system: coding.get("system")?.as_str()?.to_owned(),
            code: coding.get("code")?.as_str()?.to_owned(),
        })
    };
    match concept.get("coding") {
        Some(Json::Array(items)) => items.iter().filter_map(one).collect(),
        _ => one(concept).into_iter().collect(),
    }
}

/// The codings of a resource's (or component's) `code`.
pub fn code_of(resource: &Json) -> Vec<Code> {
    resource.get("code").map(codings).unwrap_or_default()
}

/// `system|code` of the first coding, or `-`, for counting.
pub fn first_code(resource: &Json) -> String {
    code_of(resource)
        .first()
        .map_or_else(|| "-".to_owned(), ToString::to_string)
}

/// The `value[x]` of an Observation or component, with its element name.
pub fn value_x(json: &Json) -> Option<(&str, &Json)> {
    let object = json.as_object()?;
    object
        .iter()
        .find(|(key, value)| key.starts_with("value") && key.len() > 5 && !value.is_null())
        .map(|(key, value)| (key.as_str(), value))
}

/// The value of the extension with `url`.
pub fn extension<'a>(json: &'a Json, url: &str) -> Option<&'a Json> {
    json.get("extension")?
        .as_array()?
        .iter()
        .find(|e| e.get("url").and_then(Json::as_str) == Some(url))
        .and_then(value_x)
        .map(|(_, value)| value)
}

/// Why a FHIR date cannot be an event date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    /// Only a year or a month: `2021-03`.
    Partial,
    /// Not a date.
    Invalid,
}

/// A FHIR `date`, `dateTime` or `instant` as a calendar date and a time of day. The date
/// and the clock time are taken as written: the offset is not applied, so an event never
/// moves to another day.
pub fn date_time(text: &str) -> Result<(Date, Option<(u8, u8)>), DateProblem> {
    let bytes = text.as_bytes();
    if bytes.len() < 10 {
        let partial = (bytes.len() == 4 || bytes.len() == 7)
            && bytes.iter().all(|b| b.is_ascii_digit() || *b == b'-');
        return Err(if partial {
            DateProblem::Partial
        } else {
            DateProblem::Invalid
        });
    }
    let day = text.get(..10).ok_or(DateProblem::Invalid)?;
    let date = Date::parse(day).map_err(|_| DateProblem::Invalid)?;
    let Some(rest) = text.get(10..).filter(|r| !r.is_empty()) else {
        return Ok((date, None));
    };
    let clock = rest.strip_prefix('T').ok_or(DateProblem::Invalid)?;
    let digits = |s: Option<&str>| s.and_then(|s| s.parse::<u8>().ok());
    let hour = digits(clock.get(0..2)).filter(|h| *h < 24);
    let minute = digits(clock.get(3..5)).filter(|m| *m < 60);
    match (hour, minute, clock.get(2..3)) {
        (Some(h), Some(m), Some(":")) => Ok((date, Some((h, m)))),
        _ => Err(DateProblem::Invalid),
    }
}

/// The `Type/id` (or the id alone, for `Patient`) a reference points at: `Patient/p1`,
/// `https://server/fhir/Patient/p1/_history/2` and `urn:uuid:…` (resolved by the caller).
pub fn reference_target(reference: &str) -> Option<(&str, &str)> {
    let trimmed = match reference.find("/_history/") {
        Some(at) => reference.get(..at)?,
        None => reference,
    };
    let mut parts = trimmed.rsplitn(3, '/');
    let id = parts.next()?;
    let kind = parts.next()?;
    (!id.is_empty() && kind.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .then_some((kind, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_day_and_clock() {
        let (date, time) = date_time("2021-03-01T23:30:00-05:00").unwrap();
        assert_eq!(date.to_string(), "2021-03-01");
        assert_eq!(time, Some((23, 30)));
        assert_eq!(date_time("2021-03-01").unwrap().1, None);
        assert_eq!(date_time("2021-03"), Err(DateProblem::Partial));
        assert_eq!(date_time("2021-02-30"), Err(DateProblem::Invalid));
        assert_eq!(date_time("2021-03-01X"), Err(DateProblem::Invalid));
    }

    #[test]
    fn references() {
        assert_eq!(reference_target("Patient/p1"), Some(("Patient", "p1")));
        assert_eq!(
            reference_target("https://x.org/fhir/Patient/p1/_history/3"),
            Some(("Patient", "p1"))
        );
        assert_eq!(reference_target("urn:uuid:1234"), None);
    }

    #[test]
    fn walking_through_arrays() {
        let json: Json = serde_json::from_str(
            r#"{"usedCode":[{"text":"epirubicin"},{"text":"cisplatin"}],"bodySite":{"text":"S8"}}"#,
        )
        .unwrap();
        let path = |p: &str| p.split('.').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(walk(&json, &path("usedCode.text")).len(), 2);
        assert_eq!(walk(&json, &path("bodySite.text"))[0], "S8");
    }
}
