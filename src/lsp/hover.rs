//! Hover: what the name under the cursor means — a part's description, a criterion's
//! source sentence, a bound name's binding, and from the vocabulary an attribute's
//! meaning, type and unit, a kind's meaning, a value's attribute.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::document::Document;
use super::names::{Index, Meaning};
use crate::ast::Definition;
use crate::source::Span;
use crate::vocabulary::{AttrType, Vocabulary};

/// The hover at a position, when there is something to say.
pub fn hover(document: &Document, position: Position, vocabulary: &Vocabulary) -> Option<Hover> {
    let offset = document.offset(position);
    let (text, span) = match (&document.ast, document.names(vocabulary)) {
        (Some(ast), Some(index)) => {
            let at = index.at(offset)?;
            (describe(&at.meaning, ast, index, vocabulary)?, at.span)
        }
        // A text that does not parse: the vocabulary's words still mean what they mean.
        _ => {
            let span = word_at(document.text(), offset)?;
            let word = document.text().get(span.start..span.end)?;
            (vocabulary_word(word, vocabulary)?, span)
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(document.range(span)),
    })
}

/// The name (letters, digits, `_`) around a byte offset.
pub fn word_at(text: &str, offset: usize) -> Option<Span> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(at, _)| at);
    let after = text.get(offset..)?;
    let end = offset + after.find(|c: char| !is_word(c)).unwrap_or(after.len());
    (start < end).then_some(Span::new(start, end))
}

/// A word of the vocabulary on its own: an attribute or an event kind.
fn vocabulary_word(word: &str, vocabulary: &Vocabulary) -> Option<String> {
    if let Some(kind) = session_kind(word, vocabulary) {
        return Some(kind_text(word, kind, vocabulary));
    }
    vocabulary.attribute(None, word)?;
    Some(attribute_text(word, vocabulary))
}

/// The kind a word names: an event kind, or `session`/`sessions` for `tace`.
fn session_kind(word: &str, vocabulary: &Vocabulary) -> Option<&'static str> {
    match word {
        "session" | "sessions" => vocabulary.known_kind("tace"),
        other => vocabulary.known_kind(other),
    }
}

fn describe(
    meaning: &Meaning,
    ast: &Definition,
    index: &Index,
    vocabulary: &Vocabulary,
) -> Option<String> {
    match meaning {
        Meaning::Part(at) => {
            let part = ast.parts().nth(*at)?;
            let params: Vec<&str> = part.params.iter().map(|p| p.node.as_str()).collect();
            let head = if params.is_empty() {
                part.name.node.clone()
            } else {
                format!("{}({})", part.name.node, params.join(", "))
            };
            let mut text = format!("**part** `{head}`");
            if let Some(description) = &part.description {
                text.push_str(&format!("\n\n{}", description.node));
            }
            if let Some(Some(kind)) = index.part_kinds.get(*at) {
                text.push_str(&format!("\n\n{}", selects(kind)));
            }
            Some(text)
        }
        Meaning::Criterion(at) => {
            let criterion = ast.criteria().nth(*at)?;
            let mut text = format!("**criterion** `{}`", criterion.name.node);
            if let Some(source) = &criterion.source {
                text.push_str(&format!("\n\nsource: \"{}\"", source.node));
            }
            Some(text)
        }
        Meaning::Bound(at) => {
            let bound = index.bound.get(*at)?;
            let what = match bound.kind {
                Some("tace") => "a session".to_string(),
                Some(kind) => format!("an event of kind `{kind}`"),
                None => "a name".to_string(),
            };
            Some(format!(
                "`{}`: {what}, bound by {}",
                bound.name, bound.bound_by
            ))
        }
        Meaning::Attribute { name, .. } => Some(attribute_text(name, vocabulary)),
        Meaning::Kind(kind) => Some(kind_text(kind, kind, vocabulary)),
        Meaning::Ordinal => Some(
            "`number`: the session's ordinal number, 1 for the patient's first session".to_string(),
        ),
        Meaning::Value { attribute, value } => {
            let spec = vocabulary.attribute(None, attribute)?;
            let listed: Vec<&str> = match spec.ty {
                AttrType::Category(values) => values.to_vec(),
                _ => vocabulary.listed_values(attribute)?.to_vec(),
            };
            let known = if listed.contains(&value.as_str()) {
                "a value"
            } else {
                "not a value the timeline format lists"
            };
            Some(format!(
                "`{value}`: {known} of `{attribute}` ({}): {}",
                listed.join(", "),
                spec.meaning
            ))
        }
    }
}

/// What a part's events are, in words.
fn selects(kind: &str) -> String {
    match kind {
        "tace" => "selects sessions (`tace` events)".to_string(),
        other => format!("selects `{other}` events"),
    }
}

/// What the vocabulary says of an attribute.
fn attribute_text(name: &str, vocabulary: &Vocabulary) -> String {
    let Some(spec) = vocabulary.attribute(None, name) else {
        return format!("`{name}`: an attribute outside the timeline format");
    };
    let mut text = format!(
        "**attribute** `{name}` of `{}` events: {}",
        spec.kind,
        spec.ty.describe()
    );
    if let Some(unit) = unit(name) {
        text.push_str(&format!(", {unit}"));
    }
    text.push_str(&format!("\n\n{}", spec.meaning));
    if let Some(values) = vocabulary.listed_values(name) {
        text.push_str(&format!("\n\nlisted values: {}", values.join(", ")));
    }
    text
}

/// The unit an attribute's value is in, as the timeline format gives it.
fn unit(name: &str) -> Option<&'static str> {
    if name.ends_with("_mm") {
        Some("in mm")
    } else if name.ends_with("_percent") {
        Some("in %")
    } else if name == "value" {
        Some("in the event's `unit` (never converted: PIVKA-II in ng/mL and in mAU/mL are different assays)")
    } else {
        None
    }
}

/// What the vocabulary says of an event kind.
fn kind_text(word: &str, kind: &str, vocabulary: &Vocabulary) -> String {
    let meaning = vocabulary.kind_meaning(kind).unwrap_or("");
    let attributes: Vec<String> = vocabulary
        .attributes()
        .filter(|a| a.kind == kind)
        .map(|a| format!("`{}`", a.name))
        .collect();
    let head = if word == kind {
        format!("**event kind** `{kind}`")
    } else {
        format!("`{word}`: the `{kind}` events")
    };
    format!("{head}: {meaning}\n\nattributes: {}", attributes.join(", "))
}
