//! How long `refract lsp` takes to answer, in process (`refract::lsp::serve` over
//! in-memory streams, so no pipe or process start is counted): a document change (parse,
//! check, diagnostics), hover, references, completion and formatting, on a shipped
//! definition and on one of 1 MiB, refract's size limit. `cargo bench --bench lsp`.
//!
//! Each figure is (a session with N requests − the same session with none) / N, the
//! best of 3 runs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Cursor;
use std::time::Instant;

use serde_json::{json, Value};

const URI: &str = "file:///bench.crit";

fn frame(out: &mut Vec<u8>, message: Value) {
    let body = message.to_string();
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body.as_bytes());
}

/// Seconds to serve: initialize, open `text`, `repeat` × `operation`, shut down.
fn session(text: &str, operation: &dyn Fn(usize) -> Value, repeat: usize) -> f64 {
    let mut input = Vec::new();
    frame(
        &mut input,
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}}}),
    );
    frame(
        &mut input,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": URI, "languageId": "refract", "version": 1, "text": text}}}),
    );
    for i in 0..repeat {
        frame(&mut input, operation(i));
    }
    frame(
        &mut input,
        json!({"jsonrpc": "2.0", "id": 1_000_000, "method": "shutdown"}),
    );
    frame(&mut input, json!({"jsonrpc": "2.0", "method": "exit"}));
    let mut output = Vec::with_capacity(1 << 20);
    let start = Instant::now();
    let ending = refract::lsp::serve(Cursor::new(input), &mut output).unwrap();
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(ending, refract::lsp::Ending::Orderly);
    // Every request answered, none with an error: a figure of error answers means nothing.
    let text = String::from_utf8(output).unwrap();
    assert!(
        !text.contains("\"error\":{"),
        "{}",
        &text[..text.len().min(2000)]
    );
    seconds
}

/// Milliseconds per operation.
fn per_operation(text: &str, operation: &dyn Fn(usize) -> Value, repeat: usize) -> f64 {
    let best = |n: usize| {
        (0..3)
            .map(|_| session(text, operation, n))
            .fold(f64::INFINITY, f64::min)
    };
    (best(repeat) - best(0)).max(0.0) / repeat as f64 * 1000.0
}

fn request(id: usize, method: &str, line: u32, character: u32) -> Value {
    let context = match method {
        "textDocument/references" => json!({"includeDeclaration": true}),
        _ => json!({"triggerKind": 1}),
    };
    json!({"jsonrpc": "2.0", "id": id + 1, "method": method, "params": {
        "textDocument": {"uri": URI},
        "position": {"line": line, "character": character},
        "context": context,
    }})
}

/// The parts and criterion of cci-2022 written `copies` times under names of their own,
/// to about `bytes`.
fn large(shipped: &str, bytes: usize) -> (String, usize) {
    let at = shipped.find("// The latest imaging").unwrap();
    let (head, body) = shipped.split_at(at);
    let body = body.split("met when").next().unwrap();
    let mut text = head.to_string();
    let mut copies = 0;
    while text.len() + body.len() + 64 < bytes {
        let renamed = body
            .replace("baseline", &format!("baseline_{copies}"))
            .replace("response", &format!("response_{copies}"))
            .replace("part progression", &format!("part progression_{copies}"))
            .replace("shows progression", &format!("shows progression_{copies}"))
            .replace(
                "intrahepatic_progression",
                &format!("intrahepatic_progression_{copies}"),
            );
        text.push_str(&renamed);
        copies += 1;
    }
    text.push_str("met when intrahepatic_progression_0\n");
    (text, copies)
}

const CHANGE: &str = "didChange → publishDiagnostics";

/// An operation measured: its name, and its `i`-th message on a document's text.
type Operation = (&'static str, fn(&str, usize) -> Value);

const OPERATIONS: &[Operation] = &[
    (CHANGE, |text, i| {
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": URI, "version": i + 2},
            "contentChanges": [{"text": text}],
        }})
    }),
    ("hover on a part (`response`, line 27)", |_, i| {
        request(i, "textDocument/hover", 26, 43)
    }),
    ("references of a part (`response`)", |_, i| {
        request(i, "textDocument/references", 26, 43)
    }),
    ("completion (`number`, line 27)", |_, i| {
        request(i, "textDocument/completion", 26, 27)
    }),
    ("formatting (whole document)", |_, i| {
        json!({"jsonrpc": "2.0", "id": i + 1, "method": "textDocument/formatting", "params": {
            "textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}})
    }),
];

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/definitions/cci-2022.crit");
    let shipped = std::fs::read_to_string(path).unwrap();
    let (big, copies) = large(&shipped, 1 << 20);
    assert!(big.len() <= 1 << 20);
    println!("refract lsp, in process; milliseconds per request (best of 3)");
    println!(
        "{:<44} {:>12} {:>16}",
        "request",
        "cci-2022",
        format!("{} KiB", big.len() / 1024)
    );
    let documents = [(&shipped, 200usize), (&big, 5usize)];
    for (name, make) in OPERATIONS {
        let mut cells = Vec::new();
        for (text, repeat) in documents {
            let operation = |i: usize| make(text, i);
            // Requests are quicker than changes: more of them for a steady figure.
            let repeat = if *name == CHANGE { repeat } else { repeat * 4 };
            cells.push(per_operation(text, &operation, repeat));
        }
        println!("{:<44} {:>12.3} {:>16.1}", name, cells[0], cells[1]);
    }
    println!(
        "(the large document: cci-2022's parts and criterion {copies} times under new names, {} bytes)",
        big.len()
    );
}
