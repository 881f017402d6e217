//! `refract lsp` driven by a scripted client: the real binary on stdio pipes, spoken to
//! in Content-Length framed JSON-RPC as an editor would. Positions are hand-counted on
//! `definitions/cci-2022.crit` (0-based lines, UTF-16 columns).
//!
//! `lsp/client.rs` is the client; `lsp/vscode.rs` checks the VS Code extension's files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "lsp/client.rs"]
mod client;
#[path = "lsp/vscode.rs"]
mod vscode;

use std::io::Write;
use std::process::{Command, Stdio};

use client::{at, range, shipped, Client, URI};
use serde_json::{json, Value};

#[test]
fn a_misspelled_attribute_is_reported_with_the_did_you_mean_and_the_fix_clears_it() {
    let mut client = Client::start();
    let text = shipped();
    let misspelt = text.replace("target_viable_sum_mm grew", "target_viable_sum_nm grew");
    let published = client.open(&misspelt);
    // `  target_viable_sum_nm grew by ...` is line 23 of the file: columns 2 to 22.
    assert_eq!(
        published,
        json!({
            "uri": URI,
            "version": 1,
            "diagnostics": [{
                "range": range(22, 2, 22),
                "severity": 1,
                "code": "refract::check::unknown_name",
                "source": "refract",
                "message": "`target_viable_sum_nm` is not defined\nhelp: did you mean `target_viable_sum_mm`?",
                "relatedInformation": [{
                    "location": {"uri": URI, "range": range(22, 2, 22)},
                    "message": "not a part, criterion, attribute or event kind",
                }],
            }],
        })
    );
    let fixed = client.change(2, &text);
    assert_eq!(fixed, json!({"uri": URI, "version": 2, "diagnostics": []}));
    assert_eq!(client.finish(), 0);
}

#[test]
fn columns_are_utf16_code_units_and_warnings_are_warnings() {
    let mut client = Client::start();
    // `é` is 2 bytes and 1 UTF-16 unit, `𝄞` 4 bytes and 2 units: `viable_precent` starts
    // at byte 48 of its line and at character 45.
    let text = "definition t\n  outcome x\ncriterion c source \"é𝄞\" = any imaging shows viable_precent > 50\nmet when c\n";
    let published = client.open(text);
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{published}");
    assert_eq!(diagnostics[0]["range"], range(2, 45, 59));
    assert_eq!(
        diagnostics[0]["message"],
        "`viable_precent` is not defined\nhelp: did you mean `viable_percent`?"
    );
    // A value the contract does not list is a warning.
    let warned = client.change(
        2,
        "definition t\n  outcome x\ncriterion c source \"é\" = any imaging shows modality is PET\nmet when c\n",
    );
    let diagnostics = warned["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{warned}");
    assert_eq!(diagnostics[0]["severity"], 2);
    assert_eq!(diagnostics[0]["range"], range(2, 55, 58));
    assert_eq!(client.finish(), 0);
}

#[test]
fn hover_says_what_an_attribute_a_part_a_bound_name_and_a_value_mean() {
    let mut client = Client::start();
    client.open(&shipped());
    let hover = client.request("textDocument/hover", at(22, 5));
    assert_eq!(
        hover,
        json!({
            "contents": {
                "kind": "markdown",
                "value": "**attribute** `target_viable_sum_mm` of `imaging` events: a number ≥ 0, in mm\n\nsum of the longest viable (enhancing) diameters of the target lesions",
            },
            "range": range(22, 2, 22),
        })
    );
    // `response` in `any response(S) shows progression` (line 27, columns 41 to 49).
    let hover = client.request("textDocument/hover", at(26, 45));
    assert_eq!(
        hover["contents"]["value"],
        "**part** `response(S)`\n\nCT/MRI 1 to 3 months after the session of {S}\n\nselects `imaging` events"
    );
    assert_eq!(hover["range"], range(26, 41, 49));
    // The criterion's name: its source sentence.
    let hover = client.request("textDocument/hover", at(24, 12));
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("**criterion** `intrahepatic_progression`\n\nsource: \"After at least 3 consecutive TACE sessions,"),
        "{value}"
    );
    let hover = client.request("textDocument/hover", at(26, 16));
    assert_eq!(
        hover["contents"]["value"],
        "`S`: a session, bound by `session S where number >= 3`"
    );
    let hover = client.request("textDocument/hover", at(22, 83));
    assert_eq!(
        hover["contents"]["value"],
        "`PD`: a value of `mrecist_target` (CR, PR, SD, PD, NE): mRECIST response of the target lesions only"
    );
    let hover = client.request("textDocument/hover", at(16, 4));
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("**event kind** `imaging`: one response assessment (CT, MRI, …)\n\nattributes: `modality`, `contrast`,"),
        "{value}"
    );
    // Nothing to say on a keyword.
    assert_eq!(
        client.request("textDocument/hover", at(26, 55)),
        Value::Null
    );
    assert_eq!(client.finish(), 0);
}

#[test]
fn definition_and_references_of_a_part_and_a_bound_name() {
    let mut client = Client::start();
    client.open(&shipped());
    // From the use of `response` to `part response(S)` (line 16, columns 5 to 13).
    let found = client.request("textDocument/definition", at(26, 43));
    assert_eq!(found, json!({"uri": URI, "range": range(15, 5, 13)}));
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": {"line": 15, "character": 7}, "context": {"includeDeclaration": true}}),
    );
    assert_eq!(
        references,
        json!([
            {"uri": URI, "range": range(15, 5, 13)},
            {"uri": URI, "range": range(26, 41, 49)},
        ])
    );
    // `baseline` is used once, in `progression`'s body.
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": {"line": 22, "character": 52}, "context": {"includeDeclaration": false}}),
    );
    assert_eq!(
        references,
        json!([{"uri": URI, "range": range(22, 50, 58)}])
    );
    // `S` of `any session S`: bound at column 16, used in `response(S)`.
    let found = client.request("textDocument/definition", at(26, 50));
    assert_eq!(found, json!({"uri": URI, "range": range(26, 16, 17)}));
    // A parameter is its own name: `S` of `part response(S)` is not the criterion's.
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": {"line": 15, "character": 14}, "context": {"includeDeclaration": true}}),
    );
    assert_eq!(
        references,
        json!([
            {"uri": URI, "range": range(15, 14, 15)},
            {"uri": URI, "range": range(16, 41, 42)},
            {"uri": URI, "range": range(16, 76, 77)},
        ])
    );
    // A criterion from `met when`.
    let found = client.request("textDocument/definition", at(28, 12));
    assert_eq!(found, json!({"uri": URI, "range": range(24, 10, 34)}));
    assert_eq!(client.finish(), 0);
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn completion_after_shows_gives_the_attributes_of_the_kind_and_after_is_the_values() {
    let mut client = Client::start();
    let text = shipped();
    client.open(&text.replace("shows progression", "shows "));
    // Typing the space after `shows`: `response(S)` selects imaging.
    let items = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 26, "character": 60}, "context": {"triggerKind": 2, "triggerCharacter": " "}}),
    );
    assert_eq!(
        labels(&items),
        [
            "modality",
            "contrast",
            "mrecist",
            "mrecist_target",
            "target_viable_sum_mm",
            "largest_diameter_mm",
            "viable_percent",
            "lipiodol_percent",
            "tumor_count",
            "new_intrahepatic_lesion",
            "vascular_invasion",
            "extrahepatic_spread",
            "S",
            "baseline",
            "response",
            "progression",
            "intrahepatic_progression",
        ]
    );
    assert_eq!(items[0]["detail"], "imaging: a string");
    assert_eq!(items[0]["documentation"], "CT, MRI, CEUS, US");
    // After `is`: the categories of `mrecist_target`.
    client.change(
        2,
        &text.replace("mrecist_target is PD", "mrecist_target is "),
    );
    let items = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 22, "character": 82}, "context": {"triggerKind": 2, "triggerCharacter": " "}}),
    );
    assert_eq!(labels(&items), ["CR", "PR", "SD", "PD", "NE"]);
    // Halfway through a value, without a trigger character: the same list, which the
    // editor filters.
    client.change(
        3,
        &text.replace("mrecist_target is PD", "mrecist_target is P"),
    );
    let items = client.request("textDocument/completion", at(22, 83));
    assert_eq!(labels(&items), ["CR", "PR", "SD", "PD", "NE"]);
    // After `where` in a selection of lab events: lab attributes; a listed value with a
    // `-` is inserted quoted.
    let lab = "definition t\n  outcome x\ncriterion c source \"s\" = any lab where test is \nmet when c\n";
    client.change(4, lab);
    let items = client.request("textDocument/completion", at(2, 47));
    assert_eq!(
        labels(&items),
        ["AFP", "PIVKA-II", "AST", "ALT", "bilirubin", "albumin"]
    );
    assert_eq!(items[1]["insertText"], "\"PIVKA-II\"");
    let lab = "definition t\n  outcome x\ncriterion c source \"s\" = any lab where \nmet when c\n";
    client.change(5, lab);
    let items = client.request("textDocument/completion", at(2, 39));
    assert_eq!(labels(&items), ["test", "value", "unit", "c"]);
    // After `any`: event kinds and sessions (and parts, names in scope; not criteria).
    let events = "definition t\n  outcome x\ncriterion c source \"s\" = any \nmet when c\n";
    client.change(6, events);
    let items = client.request("textDocument/completion", at(2, 29));
    assert_eq!(
        labels(&items),
        ["tace", "imaging", "lab", "status", "session", "sessions"]
    );
    // A space typed where nothing in particular is expected pops nothing up.
    let items = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 9}, "context": {"triggerKind": 2, "triggerCharacter": " "}}),
    );
    assert_eq!(items, json!([]));
    assert_eq!(client.finish(), 0);
}

#[test]
fn formatting_returns_the_text_of_refract_fmt() {
    let mut client = Client::start();
    let text = shipped();
    let messy = text
        .replace("\n  ", "\n      ")
        .replace(" = any", " =     any");
    assert_ne!(messy, text);
    client.open(&messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    // The whole document (29 lines and the empty one after the last line break) replaced.
    let lines = u32::try_from(messy.lines().count()).unwrap();
    assert_eq!(
        edits[0]["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}})
    );
    let formatted = edits[0]["newText"].as_str().unwrap();
    // `refract fmt -` on the same text.
    let mut fmt = Command::new(env!("CARGO_BIN_EXE_refract"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    fmt.stdin
        .take()
        .unwrap()
        .write_all(messy.as_bytes())
        .unwrap();
    let output = fmt.wait_with_output().unwrap();
    assert_eq!(formatted, String::from_utf8(output.stdout).unwrap());
    assert_eq!(
        formatted, text,
        "the shipped file is in the canonical layout"
    );
    // Formatted already: no edits. A syntax error: nothing to do (its diagnostic says why).
    client.change(2, &text);
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));
    let broken = client.change(3, &text.replace("met when", "met whenever"));
    assert_eq!(broken["diagnostics"][0]["severity"], 1);
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, Value::Null);
    assert_eq!(client.finish(), 0);
}

#[test]
fn malformed_messages_and_unknown_methods_do_not_end_the_session() {
    let mut client = Client::spawn();
    // Before `initialize`.
    let early = client.call("textDocument/hover", at(0, 0));
    assert_eq!(early["error"]["code"], -32002);
    let result = client.request("initialize", json!({"capabilities": {}}));
    assert_eq!(result["capabilities"]["textDocumentSync"], 1);
    // Not JSON: a parse error with a null id.
    client.send_raw(b"{not json");
    let error = client.receive();
    assert_eq!(error["id"], Value::Null);
    assert_eq!(error["error"]["code"], -32700);
    // JSON, but not a message: an invalid request with its id.
    client.send(json!({"jsonrpc": "2.0", "id": 99, "method": 7}));
    let error = client.receive();
    assert_eq!(error["id"], 99);
    assert_eq!(error["error"]["code"], -32600);
    // A frame without Content-Length, and a length past the limit: skipped and logged.
    client.stdin.write_all(b"Content-Type: x\r\n\r\n").unwrap();
    let logged = client.notification("window/logMessage");
    assert_eq!(
        logged["message"],
        "refract lsp skipped a frame without Content-Length"
    );
    let huge = 17 << 20;
    write!(client.stdin, "Content-Length: {huge}\r\n\r\n").unwrap();
    client.stdin.write_all(&vec![b' '; huge]).unwrap();
    let logged = client.notification("window/logMessage");
    assert_eq!(
        logged["message"],
        "refract lsp skipped a message of 17825792 bytes, more than the 16777216 refract reads"
    );
    // Unknown request: method not found; unknown notification: ignored; bad params.
    let unknown = client.call("textDocument/semanticTokens/full", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    client.notify("$/somethingNew", json!({"x": 1}));
    let bad = client.call("textDocument/hover", json!({"position": 3}));
    assert_eq!(bad["error"]["code"], -32602);
    // A document not open: no answer to give.
    assert_eq!(client.request("textDocument/hover", at(0, 0)), Value::Null);
    // Still serving.
    let published = client.open(&shipped());
    assert_eq!(published["diagnostics"], json!([]));
    assert_eq!(client.finish(), 0);
}

#[test]
fn documents_up_to_the_size_limit_are_checked_and_larger_ones_refused() {
    let mut client = Client::start();
    let text = shipped();
    // A comment line making the file exactly 1 MiB.
    let mut large = text.clone();
    large.push_str("// ");
    while large.len() < (1 << 20) - 1 {
        large.push('x');
    }
    large.push('\n');
    assert_eq!(large.len(), 1 << 20);
    assert_eq!(client.open(&large)["diagnostics"], json!([]));
    large.push(' ');
    let refused = client.change(2, &large);
    assert_eq!(
        refused["diagnostics"][0]["code"],
        "refract::syntax::too_large"
    );
    // Closing clears the diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    let cleared = client.notification("textDocument/publishDiagnostics");
    assert_eq!(cleared["diagnostics"], json!([]));
    assert_eq!(client.finish(), 0);
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let mut client = Client::start();
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(1));
}
