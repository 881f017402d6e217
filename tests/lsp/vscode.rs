//! The VS Code extension's files.

use serde_json::{json, Value};

/// The VS Code extension is built, not published: its manifests are well-formed JSON
/// that name files that exist, and its TextMate grammar highlights every keyword of
/// `grammar/refract.pest` and every kind and attribute of the vocabulary.
#[test]
fn the_vscode_extension_is_well_formed_and_its_grammar_covers_the_language() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let read = |name: &str| -> Value {
        let text = std::fs::read_to_string(folder.join(name)).unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let package = read("package.json");
    assert_eq!(package["contributes"]["languages"][0]["id"], "refract");
    assert_eq!(
        package["contributes"]["languages"][0]["extensions"],
        json!([".crit"])
    );
    assert_eq!(package["activationEvents"], json!(["onLanguage:refract"]));
    assert!(package["dependencies"]["vscode-languageclient"].is_string());
    for key in ["name", "version", "publisher", "main"] {
        assert!(package[key].is_string(), "package.json has no {key}");
    }
    let main = package["main"].as_str().unwrap();
    let extension = std::fs::read_to_string(folder.join(main)).unwrap();
    assert!(
        extension.contains("args: ['lsp']"),
        "the extension runs `refract lsp`"
    );
    let configuration = package["contributes"]["languages"][0]["configuration"]
        .as_str()
        .unwrap();
    let configuration = read(configuration);
    assert_eq!(configuration["comments"]["lineComment"], "//");
    assert_eq!(configuration["brackets"], json!([["(", ")"], ["[", "]"]]));
    let grammar_entry = &package["contributes"]["grammars"][0];
    assert_eq!(grammar_entry["language"], "refract");
    let grammar = read(grammar_entry["path"].as_str().unwrap());
    assert_eq!(grammar["scopeName"], grammar_entry["scopeName"]);

    // Every word the grammar's patterns spell out.
    let mut patterns = Vec::new();
    collect_patterns(&grammar, &mut patterns);
    let words: std::collections::BTreeSet<&str> = patterns
        .iter()
        .flat_map(|p| p.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .collect();
    let pest = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar/refract.pest"),
    )
    .unwrap();
    let keyword_rule = pest.split("keyword = @{").nth(1).unwrap();
    let keyword_rule = keyword_rule.split('}').next().unwrap();
    let keywords: Vec<&str> = keyword_rule.split('"').skip(1).step_by(2).collect();
    assert!(keywords.len() > 60, "{keywords:?}");
    let vocabulary = refract::vocabulary::Vocabulary::builtin();
    let names = vocabulary
        .kinds()
        .chain(vocabulary.attributes().map(|a| a.name))
        .chain(["days", "weeks", "months", "number"]);
    let missing: Vec<String> = keywords
        .iter()
        .map(|k| k.to_string())
        .chain(names.map(String::from))
        .filter(|word| !words.contains(word.as_str()))
        .collect();
    assert!(missing.is_empty(), "not highlighted: {missing:?}");
}

fn collect_patterns<'v>(value: &'v Value, found: &mut Vec<&'v str>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str()) {
                    ("match" | "begin" | "end", Some(pattern)) => found.push(pattern),
                    _ => collect_patterns(value, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_patterns(item, found)),
        _ => {}
    }
}
