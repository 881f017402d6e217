//! Completion. What is expected at the cursor is found by the parser itself: the word
//! being typed is replaced by a placeholder name and the text parsed again; where the
//! placeholder lands in the AST says what it stands for ([`names::Context`]): a value of
//! an attribute after `is`, an attribute of the kind examined after `shows`/`where`,
//! events after a quantifier. A text that does not parse even so falls back on the words
//! just before the cursor.

use lsp_types::{CompletionItem, CompletionItemKind, Position};

use super::document::Document;
use super::hover::word_at;
use super::names::{self, Context};
use crate::source::SourceFile;
use crate::vocabulary::{AttrType, Vocabulary};

/// A name no definition uses (names are ASCII letters, digits and `_`).
const PLACEHOLDER: &str = "refract_completion_placeholder_";

/// The words after which a typed space or `[` asks for completion.
const TRIGGERS: &[&str] = &[
    "is", "not", "shows", "where", "any", "every", "no", "latest", "earliest", "among", "lowest",
    "highest", "of", "[", ",",
];

/// The completion items at a position. `trigger` is the character typed that asked for
/// them, if one did: then only a place that expects something gets any.
pub fn complete(
    document: &Document,
    position: Position,
    trigger: Option<char>,
    vocabulary: &Vocabulary,
) -> Vec<CompletionItem> {
    let text = document.text();
    let offset = document.offset(position);
    let (start, end) = match word_at(text, offset) {
        Some(span) => (span.start, span.end),
        None => (offset, offset),
    };
    let before = text.get(..start).unwrap_or("");
    if trigger.is_some()
        && !previous_tokens(before, 1)
            .iter()
            .any(|t| TRIGGERS.contains(t))
    {
        return Vec::new();
    }
    let mut probe = String::with_capacity(text.len() + PLACEHOLDER.len());
    probe.push_str(before);
    probe.push_str(PLACEHOLDER);
    probe.push_str(text.get(end..).unwrap_or(""));
    let source = SourceFile::new(document.source.name.clone(), probe);
    let (context, names) = match crate::syntax::parse(&source) {
        Ok(ast) => {
            let index = names::index_with_placeholder(&ast, vocabulary, PLACEHOLDER);
            let bound: Vec<String> = match &index.context {
                Some((_, names)) => names
                    .iter()
                    .filter_map(|at| index.bound.get(*at).map(|b| b.name.clone()))
                    .collect(),
                None => Vec::new(),
            };
            let parts: Vec<String> = ast.parts().map(|p| p.name.node.clone()).collect();
            let criteria: Vec<String> = ast.criteria().map(|c| c.name.node.clone()).collect();
            let context = index.context.map(|(context, _)| context);
            (
                context,
                Names {
                    bound,
                    parts,
                    criteria,
                },
            )
        }
        Err(_) => (guess(before, vocabulary), Names::written(text)),
    };
    let Some(context) = context else {
        return Vec::new();
    };
    items(&context, &names, vocabulary)
}

/// The names a definition defines, for completion.
struct Names {
    bound: Vec<String>,
    parts: Vec<String>,
    criteria: Vec<String>,
}

impl Names {
    /// The parts and criteria of a text that does not parse: its `part NAME` and
    /// `criterion NAME` lines.
    fn written(text: &str) -> Names {
        let named = |keyword: &str| -> Vec<String> {
            text.lines()
                .filter_map(|line| line.trim_start().strip_prefix(keyword))
                .filter_map(|rest| {
                    let name: String = rest
                        .trim_start()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    (!name.is_empty() && rest.starts_with([' ', '\t'])).then_some(name)
                })
                .collect()
        };
        Names {
            bound: Vec::new(),
            parts: named("part"),
            criteria: named("criterion"),
        }
    }
}

/// The last `n` tokens before the cursor: words, or one character of punctuation each.
fn previous_tokens(before: &str, n: usize) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut rest = before.trim_end();
    while tokens.len() < n && !rest.is_empty() {
        let word_start = rest
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
            .last()
            .map(|(at, _)| at);
        let at = match word_start {
            Some(at) => at,
            None => rest.char_indices().next_back().map_or(0, |(at, _)| at),
        };
        tokens.push(rest.get(at..).unwrap_or(""));
        rest = rest.get(..at).unwrap_or("").trim_end();
    }
    tokens
}

/// What is expected after `before`, judged by its last words (for a text that does not
/// parse).
fn guess(before: &str, vocabulary: &Vocabulary) -> Option<Context> {
    let tokens = previous_tokens(before, 4);
    let word = |i: usize| tokens.get(i).copied().unwrap_or("");
    let is_attribute = |name: &str| vocabulary.attribute(None, name).is_some();
    match word(0) {
        "is" if is_attribute(word(1)) => Some(Context::Value(word(1).to_string())),
        "not" if word(1) == "is" && is_attribute(word(2)) => {
            Some(Context::Value(word(2).to_string()))
        }
        "[" if word(1) == "in" && is_attribute(word(2)) => {
            Some(Context::Value(word(2).to_string()))
        }
        "any" | "every" | "no" | "latest" | "earliest" | "among" | "of" => Some(Context::Events),
        "lowest" | "highest" => Some(Context::Attribute(None)),
        "shows" | "where" => {
            let kind = match word(1) {
                "session" | "sessions" => vocabulary.known_kind("tace"),
                other => vocabulary.known_kind(other),
            };
            Some(Context::Condition {
                examined: Some(kind),
            })
        }
        _ => Some(Context::Condition {
            examined: Some(None),
        }),
    }
}

fn items(context: &Context, names: &Names, vocabulary: &Vocabulary) -> Vec<CompletionItem> {
    let mut items = Vec::new();
    match context {
        Context::Value(attribute) => values(attribute, vocabulary, &mut items),
        Context::Attribute(kind) => attributes(*kind, vocabulary, &mut items),
        Context::Condition { examined } => {
            if let Some(kind) = examined {
                attributes(*kind, vocabulary, &mut items);
            }
            defined(names, true, &mut items);
        }
        Context::Events => {
            for kind in vocabulary.kinds() {
                let meaning = vocabulary.kind_meaning(kind).unwrap_or("");
                items.push(item(kind, CompletionItemKind::CLASS, "event kind", meaning));
            }
            for word in ["session", "sessions"] {
                items.push(item(
                    word,
                    CompletionItemKind::KEYWORD,
                    "the TACE sessions",
                    "",
                ));
            }
            // Criteria are conditions, never events.
            defined(names, false, &mut items);
        }
    }
    // The order given, kept by clients that sort by `sortText`.
    for (n, item) in items.iter_mut().enumerate() {
        item.sort_text = Some(format!("{n:04}"));
    }
    items
}

/// The attributes of a kind (all of them when the kind is not known).
fn attributes(kind: Option<&str>, vocabulary: &Vocabulary, items: &mut Vec<CompletionItem>) {
    for spec in vocabulary.attributes() {
        if kind.is_some_and(|k| vocabulary.is_kind(k) && spec.kind != k) {
            continue;
        }
        let detail = format!("{}: {}", spec.kind, spec.ty.describe());
        items.push(item(
            spec.name,
            CompletionItemKind::FIELD,
            &detail,
            spec.meaning,
        ));
    }
    if kind.is_none_or(|k| k == "tace") {
        items.push(item(
            "number",
            CompletionItemKind::FIELD,
            "tace: a whole number ≥ 1",
            "the session's ordinal number, 1 for the patient's first session",
        ));
    }
}

/// The values of an attribute: its categories, yes/no, or the values the format lists.
fn values(attribute: &str, vocabulary: &Vocabulary, items: &mut Vec<CompletionItem>) {
    let Some(spec) = vocabulary.attribute(None, attribute) else {
        return;
    };
    let listed: Vec<&str> = match spec.ty {
        AttrType::Category(values) => values.to_vec(),
        AttrType::Bool => vec!["true", "false"],
        _ => vocabulary.listed_values(attribute).unwrap_or(&[]).to_vec(),
    };
    let detail = format!("a value of {attribute}");
    for value in listed {
        let mut entry = item(
            value,
            CompletionItemKind::ENUM_MEMBER,
            &detail,
            spec.meaning,
        );
        // A bare word is letters, digits and `_`, and does not start with a digit (a
        // number would be read): anything else is written quoted.
        let bare = value.starts_with(|c: char| c.is_ascii_alphabetic())
            && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !bare {
            entry.insert_text = Some(format!("\"{value}\""));
        }
        items.push(entry);
    }
}

/// The names in scope, the parts and (with `criteria`) the criteria.
fn defined(names: &Names, criteria: bool, items: &mut Vec<CompletionItem>) {
    for name in &names.bound {
        items.push(item(name, CompletionItemKind::VARIABLE, "bound here", ""));
    }
    for name in &names.parts {
        items.push(item(name, CompletionItemKind::FUNCTION, "part", ""));
    }
    for name in names.criteria.iter().filter(|_| criteria) {
        items.push(item(name, CompletionItemKind::MODULE, "criterion", ""));
    }
}

fn item(label: &str, kind: CompletionItemKind, detail: &str, doc: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        documentation: (!doc.is_empty()).then(|| lsp_types::Documentation::String(doc.to_string())),
        ..CompletionItem::default()
    }
}
