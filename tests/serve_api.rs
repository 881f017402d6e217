//! The HTTP API of `refract serve`, over real connections to a server started in-process
//! on a free port: check, format, evaluate, the windows examined, and the refusals (path
//! traversal and symlinks on save, stale saves, oversized bodies, requests from elsewhere).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use refract::serve::{Config, Limits, Server};
use serde_json::{json, Value};

const COHORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cohort.jsonl");

/// A fresh copy of the six top-level shipped definitions in a folder of its own.
fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("defs")).unwrap();
    for file in std::fs::read_dir(refract::shipped_definitions()).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_some_and(|e| e == "crit") {
            std::fs::copy(&path, dir.join("defs").join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn start_with(dir: &Path, limits: Limits) -> SocketAddr {
    let mut config = Config::new(dir.join("defs"));
    config.cohort = Some(PathBuf::from(COHORT));
    config.limits = limits;
    let server = Server::bind(config).unwrap();
    let address = server.local_addr();
    std::thread::spawn(move || server.run());
    address
}

fn start(dir: &Path) -> SocketAddr {
    start_with(dir, Limits::default())
}

/// Send `raw` as is; the status and the body as JSON (or as a string when it is not).
fn raw(address: SocketAddr, raw: &[u8]) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(raw).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()));
    (status, body)
}

fn post(address: SocketAddr, path: &str, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(address, request.as_bytes())
}

fn get(address: SocketAddr, path: &str) -> (u16, Value) {
    raw(
        address,
        format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes(),
    )
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("(no error code)")
}

const MISSPELLED: &str = "definition demo\n  outcome refractory\n\ncriterion growth\n  source \"Target lesions grow.\"\n  = latest imaging shows target_viabel_sum_mm > 50\n\nmet when growth\n";

#[test]
fn check_reports_each_problem_at_its_place_with_the_did_you_mean() {
    let address = start(&folder("check"));
    let (status, body) = post(address, "/api/check", &json!({"text": MISSPELLED}));
    assert_eq!(status, 200);
    assert_eq!(body["ok"], false);
    assert_eq!(body["errors"], 1);
    let problem = &body["diagnostics"][0];
    assert_eq!(problem["code"], "refract::check::unknown_name");
    assert_eq!(problem["help"], "did you mean `target_viable_sum_mm`?");
    // Line 6 is `  = latest imaging shows target_viabel_sum_mm > 50`: the name starts in
    // column 26, at byte 112 of the text (lines 1 to 5 are 16 + 21 + 1 + 17 + 32 bytes
    // with their line breaks, and 25 bytes of line 6 come before it).
    let start = MISSPELLED.find("target_viabel").unwrap();
    assert_eq!(start, 112);
    let span = &problem["span"];
    assert_eq!(span["line"], 6);
    assert_eq!(span["column"], 26);
    assert_eq!(span["start"], start);
    assert_eq!(span["end"], start + "target_viabel_sum_mm".len());
    // ASCII text: UTF-16 units and bytes agree.
    assert_eq!(span["from"], span["start"]);

    let fixed = MISSPELLED.replace("viabel", "viable");
    let (status, body) = post(address, "/api/check", &json!({"text": fixed}));
    assert_eq!(status, 200);
    assert_eq!(body["ok"], true);
    assert_eq!(body["id"], "demo");
    assert_eq!(body["diagnostics"], json!([]));
}

#[test]
fn spans_are_given_in_utf16_units_for_the_browser() {
    let address = start(&folder("utf16"));
    // `é` is 2 bytes and 1 UTF-16 unit; `𝑥` is 4 bytes and 2 units.
    let text = MISSPELLED.replace("Target lesions", "Tumeur é 𝑥");
    let (_, body) = post(address, "/api/check", &json!({"text": text}));
    let span = &body["diagnostics"][0]["span"];
    let start = text.find("target_viabel").unwrap();
    assert_eq!(span["start"], start);
    assert_eq!(span["from"], text[..start].encode_utf16().count());
    assert_eq!(span["from"].as_u64().unwrap() + 3, start as u64);
}

#[test]
fn format_gives_what_refract_fmt_gives() {
    let address = start(&folder("format"));
    let messy = "definition demo\n outcome   refractory\ncriterion growth\n source \"s\"\n = latest imaging shows target_viable_sum_mm>50\nmet when growth\n";
    let (status, body) = post(address, "/api/format", &json!({"text": messy}));
    assert_eq!(status, 200);
    let expected =
        refract::syntax::format(&refract::source::SourceFile::new("draft.crit", messy)).unwrap();
    assert_eq!(body["text"], expected.as_str());
    assert_eq!(body["changed"], true);
    let (status, body) = post(address, "/api/format", &json!({"text": "definition"}));
    assert_eq!(status, 422);
    assert_eq!(code(&body), "definition_errors");
    assert!(!body["error"]["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn evaluating_a_patient_gives_the_eval_line_and_the_windows_examined() {
    let address = start(&folder("patient"));
    let request =
        json!({"id": "cci-pd-at-third-session", "definitions": [{"file": "cci-2022.crit"}]});
    let (status, body) = post(address, "/api/patient", &request);
    assert_eq!(status, 200, "{body}");
    let result = &body["results"][0];
    // The same object `refract eval` writes for this patient, plus `windows`.
    let vocabulary = refract::vocabulary::Vocabulary::builtin();
    let (checked, _) = refract::load_definition(
        &refract::shipped_definitions().join("cci-2022.crit"),
        &vocabulary,
    )
    .unwrap();
    let patient = refract::timeline::read_cohort(
        std::io::BufReader::new(std::fs::File::open(COHORT).unwrap()),
        "cohort",
        &vocabulary,
    )
    .flatten()
    .find(|p| p.id == "cci-pd-at-third-session")
    .unwrap();
    let line = refract::report::outcome_line(&refract::eval::evaluate(&checked, &patient));
    let mut without_windows = result.clone();
    without_windows.as_object_mut().unwrap().remove("windows");
    assert_eq!(
        without_windows,
        serde_json::from_str::<Value>(&line).unwrap()
    );
    assert_eq!(result["result"], "met");
    assert_eq!(result["onset"], "2021-08-23");
    // The criterion looked at the response window of the third session (2021-07-19): from
    // 1 month to 3 months after it, 2021-08-19 to 2021-10-19, with no next session to
    // close it; and at the baseline window, 90 days before the first session (2021-03-01).
    let windows = &result["windows"][0];
    assert_eq!(windows["criterion"], "intrahepatic_progression");
    let list = windows["windows"].as_array().unwrap();
    let response = list
        .iter()
        .find(|w| w["from"] == "2021-08-19")
        .expect("the response window of the third session");
    assert_eq!(response["to"], "2021-10-19");
    assert_eq!(
        response["description"],
        "from 1 month to 3 months after the session of 2021-07-19; on or before the next session (none in the record: no bound)"
    );
    let baseline = list
        .iter()
        .find(|w| w["to"] == "2021-03-01")
        .expect("the baseline window");
    assert_eq!(baseline["from"], "2020-12-01");
    assert_eq!(list.len(), 2, "{list:?}");
    // The patient's events, for the plot, with their input indices.
    let events = body["patient"]["events"].as_array().unwrap();
    assert_eq!(events.len(), patient.events.len());
    assert_eq!(events[1]["kind"], "imaging");
    assert_eq!(events[1]["attributes"]["target_viable_sum_mm"], 40);
}

#[test]
fn evaluating_the_cohort_counts_each_result() {
    let address = start(&folder("cohort"));
    let request = json!({"definitions": [{"file": "cci-2022.crit"}, {"file": "jsh-2010.crit"}]});
    let (status, body) = post(address, "/api/cohort", &request);
    assert_eq!(status, 200, "{body}");
    // The counts `refract compare -d definitions examples/cohort.jsonl` reports.
    assert_eq!(
        body["definitions"][0],
        json!({"id": "cci-2022", "outcome": "refractory", "met": 7, "not_met": 28, "unknown": 4, "error": 0})
    );
    assert_eq!(body["definitions"][1]["met"], 8);
    assert_eq!(body["definitions"][1]["unknown"], 6);
    assert_eq!(body["patients"].as_array().unwrap().len(), 39);
    let (status, body) = post(
        address,
        "/api/patient",
        &json!({"id": "nobody", "definitions": [{"file": "cci-2022.crit"}]}),
    );
    assert_eq!((status, code(&body)), (404, "unknown_patient"));
    let (status, body) = post(
        address,
        "/api/cohort",
        &json!({"definitions": [{"text": MISSPELLED}]}),
    );
    assert_eq!((status, code(&body)), (422, "definition_errors"));
    assert_eq!(
        body["error"]["diagnostics"][0]["help"],
        "did you mean `target_viable_sum_mm`?"
    );
}

#[test]
fn a_request_past_the_evaluation_time_limit_is_cut_off() {
    let limits = Limits {
        evaluation_time: Duration::ZERO,
        ..Limits::default()
    };
    let address = start_with(&folder("time"), limits);
    let (status, body) = post(
        address,
        "/api/cohort",
        &json!({"definitions": [{"file": "cci-2022.crit"}]}),
    );
    assert_eq!((status, code(&body)), (503, "evaluation_time_limit"));
    assert_eq!(body["error"]["evaluated"], 0);
    let request =
        json!({"id": "cci-pd-at-third-session", "definitions": [{"file": "cci-2022.crit"}]});
    let (status, body) = post(address, "/api/patient", &request);
    assert_eq!((status, code(&body)), (503, "evaluation_time_limit"));
    let request = json!({"first": {"file": "cci-2022.crit"}, "second": {"file": "jsh-2010.crit"}});
    let (status, body) = post(address, "/api/compare", &request);
    assert_eq!((status, code(&body)), (503, "evaluation_time_limit"));
}

#[test]
fn two_definitions_side_by_side() {
    let address = start(&folder("compare"));
    let request = json!({"first": {"file": "cci-2022.crit"}, "second": {"file": "jsh-2010.crit"}});
    let (status, body) = post(address, "/api/compare", &request);
    assert_eq!(status, 200, "{body}");
    let report = &body["report"];
    assert_eq!(report["patients"], 39);
    assert_eq!(report["pairs"][0]["first"], "cci-2022");
    let table = report["pairs"][0]["table"].as_array().unwrap();
    let total: u64 = table
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total, 39);
    assert!(body["html"]
        .as_str()
        .unwrap()
        .contains("<svg class=\"heatmap\""));
    // A definition against its own draft: two names in the report.
    let draft = std::fs::read_to_string(refract::shipped_definitions().join("cci-2022.crit"))
        .unwrap()
        .replace("20 %", "40 %");
    let request = json!({"first": {"file": "cci-2022.crit"}, "second": {"text": draft}});
    let (status, body) = post(address, "/api/compare", &request);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["report"]["pairs"][0]["second"], "cci-2022 (edited)");
}

#[test]
fn save_refuses_every_name_outside_the_folder() {
    let dir = folder("traversal");
    let defs = dir.join("defs");
    std::fs::create_dir_all(defs.join("studies")).unwrap();
    let outside = dir.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("target.crit"), "outside\n").unwrap();
    // A symlinked file and a symlinked folder, both pointing out of the folder.
    std::os::unix::fs::symlink(outside.join("target.crit"), defs.join("link.crit")).unwrap();
    std::os::unix::fs::symlink(&outside, defs.join("escape")).unwrap();
    let address = start(&dir);
    let inside_absolute = defs.join("cci-2022.crit").display().to_string();
    let outside_absolute = outside.join("target.crit").display().to_string();
    let cases: Vec<(&str, u16, &str)> = vec![
        ("../x.crit", 400, "bad_file_name"),
        ("../outside/target.crit", 400, "bad_file_name"),
        ("studies/../../x.crit", 400, "bad_file_name"),
        (&outside_absolute, 400, "bad_file_name"),
        (&inside_absolute, 400, "bad_file_name"),
        ("%2e%2e/x.crit", 400, "bad_file_name"),
        ("..%2fx.crit", 400, "bad_file_name"),
        ("%2e%2e%2foutside%2ftarget.crit", 400, "bad_file_name"),
        ("..\\x.crit", 400, "bad_file_name"),
        (".hidden.crit", 400, "bad_file_name"),
        ("notes.txt", 400, "bad_file_name"),
        ("studies//x.crit", 400, "bad_file_name"),
        ("", 400, "bad_file_name"),
        ("x.crit\u{0}.txt", 400, "bad_file_name"),
        ("link.crit", 403, "outside_definitions"),
        ("escape/target.crit", 403, "outside_definitions"),
        ("escape/new.crit", 403, "outside_definitions"),
        ("missing/x.crit", 404, "no_such_folder"),
    ];
    for (name, status, error) in &cases {
        let body = json!({"file": name, "text": "written\n", "token": null});
        let (got, answer) = post(address, "/api/save", &body);
        assert_eq!((got, code(&answer)), (*status, *error), "save {name:?}");
        let (got, answer) = post(address, "/api/open", &json!({"file": name}));
        assert!(got >= 400, "open {name:?}: {answer}");
    }
    // Nothing was written anywhere outside, or as the link's target.
    assert_eq!(
        std::fs::read_to_string(outside.join("target.crit")).unwrap(),
        "outside\n"
    );
    assert!(!outside.join("new.crit").exists());
    assert!(!dir.join("x.crit").exists());
    let mut left: Vec<_> = std::fs::read_dir(&outside)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["target.crit"]);
    // A symlink planted under the name of the temporary file of a save is not followed.
    std::os::unix::fs::symlink(
        outside.join("target.crit"),
        defs.join(".cci-2022.crit.refract-save"),
    )
    .unwrap();
    let (_, opened) = post(address, "/api/open", &json!({"file": "cci-2022.crit"}));
    let save = json!({"file": "cci-2022.crit", "text": "saved\n", "token": opened["token"]});
    assert_eq!(post(address, "/api/save", &save).0, 200);
    assert_eq!(
        std::fs::read_to_string(defs.join("cci-2022.crit")).unwrap(),
        "saved\n"
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("target.crit")).unwrap(),
        "outside\n"
    );
    // A URL with encoded dots reaches no file either.
    let (status, _) = get(address, "/%2e%2e/%2e%2e/etc/passwd");
    assert_eq!(status, 404);
    let (status, _) = get(address, "/../Cargo.toml");
    assert_eq!(status, 404);
}

#[test]
fn save_writes_only_over_the_version_opened() {
    let dir = folder("stale");
    let address = start(&dir);
    let path = dir.join("defs").join("cci-2022.crit");
    let (status, opened) = post(address, "/api/open", &json!({"file": "cci-2022.crit"}));
    assert_eq!(status, 200);
    let original = opened["text"].as_str().unwrap().to_string();
    let token = opened["token"].as_str().unwrap().to_string();
    assert_eq!(token, refract::serve::token(original.as_bytes()));
    // Someone else changes the file on disk after it was opened.
    let theirs = original.replace("90 days", "60 days");
    std::fs::write(&path, &theirs).unwrap();
    let mine = original.replace("20 %", "25 %");
    let save = json!({"file": "cci-2022.crit", "text": mine, "token": token});
    let (status, body) = post(address, "/api/save", &save);
    assert_eq!((status, code(&body)), (409, "stale"));
    assert_eq!(
        body["error"]["current_token"],
        refract::serve::token(theirs.as_bytes())
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);
    // With the current version's token the save goes through, and says the new token.
    let save =
        json!({"file": "cci-2022.crit", "text": mine, "token": body["error"]["current_token"]});
    let (status, body) = post(address, "/api/save", &save);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token"], refract::serve::token(mine.as_bytes()));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), mine);
    // The old token is stale now.
    let save = json!({"file": "cci-2022.crit", "text": original, "token": token});
    assert_eq!(code(&post(address, "/api/save", &save).1), "stale");
    // A new file: `null` token, and only if it does not exist yet.
    let new = json!({"file": "mine.crit", "text": "definition mine\n", "token": null});
    assert_eq!(post(address, "/api/save", &new).0, 200);
    assert_eq!(
        std::fs::read_to_string(dir.join("defs").join("mine.crit")).unwrap(),
        "definition mine\n"
    );
    let (status, body) = post(address, "/api/save", &new);
    assert_eq!((status, code(&body)), (409, "exists"));
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.join("defs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn oversized_and_malformed_requests_are_refused_with_structured_errors() {
    let limits = Limits {
        max_body: 64 * 1024,
        ..Limits::default()
    };
    let address = start_with(&folder("limits"), limits);
    // Announced too large: refused before the body is read.
    let request = format!(
        "POST /api/check HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        64 * 1024 + 1
    );
    let (status, body) = raw(address, request.as_bytes());
    assert_eq!((status, code(&body)), (413, "body_too_large"));
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("65537 bytes"));
    // Sent too large, whole.
    let text = "x".repeat(70 * 1024);
    let (status, body) = post(address, "/api/check", &json!({ "text": text }));
    assert_eq!((status, code(&body)), (413, "body_too_large"));
    // Chunked bodies cannot be measured first: refused.
    let request = format!("POST /api/check HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    assert_eq!(raw(address, request.as_bytes()).0, 411);
    // Headers without end.
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {address}\r\nX-Long: {}",
        "a".repeat(20_000)
    );
    let (status, body) = raw(address, request.as_bytes());
    assert_eq!((status, code(&body)), (431, "headers_too_large"));
    // Not JSON, JSON of the wrong shape, a form post from another page, a foreign Host.
    let request = format!("POST /api/check HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello");
    let (status, body) = raw(address, request.as_bytes());
    assert_eq!((status, code(&body)), (400, "bad_request"));
    let (status, body) = post(address, "/api/check", &json!({"txt": "x"}));
    assert_eq!((status, code(&body)), (400, "bad_request"));
    let request = format!("POST /api/save HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{{}}");
    let (status, body) = raw(address, request.as_bytes());
    assert_eq!((status, code(&body)), (415, "not_json"));
    let request = "GET /api/info HTTP/1.1\r\nHost: attacker.example:80\r\n\r\n";
    let (status, body) = raw(address, request.as_bytes());
    assert_eq!((status, code(&body)), (403, "unknown_host"));
    let (status, body) = raw(address, b"BREW / HTCPCP/1.0\r\n\r\n");
    assert_eq!((status, code(&body)), (400, "bad_request"));
    let (status, body) = get(address, "/api/nothing");
    assert_eq!((status, code(&body)), (404, "not_found"));
    let (status, body) = post(address, "/api/info", &json!({}));
    assert_eq!((status, code(&body)), (404, "not_found"));
}

#[test]
fn the_page_and_the_lists_are_served() {
    let address = start(&folder("page"));
    let (status, page) = get(address, "/");
    assert_eq!(status, 200);
    assert!(page
        .as_str()
        .unwrap()
        .contains("<title>refract workbench</title>"));
    let (status, _) = get(address, "/plot.js");
    assert_eq!(status, 200);
    let (_, info) = get(address, "/api/info");
    assert_eq!(info["cohort"]["patients"], 39);
    let (_, list) = get(address, "/api/definitions");
    let files: Vec<&str> = list["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "cci-2022-unsuitable.crit",
            "cci-2022.crit",
            "epoihcc-2013.crit",
            "europe-2014.crit",
            "jsh-2010.crit",
            "jsh-lcsgj-2014.crit"
        ]
    );
    let (_, patients) = get(address, "/api/patients");
    assert_eq!(patients["patients"][0]["id"], "cci-pd-at-third-session");
}

#[test]
fn a_full_queue_is_answered_busy_at_once() {
    let limits = Limits {
        workers: 1,
        queue: 1,
        ..Limits::default()
    };
    let address = start_with(&folder("busy"), limits);
    // The one worker waits for the rest of this request; the next connection waits in the
    // queue; the one after that finds the queue full.
    let mut first = TcpStream::connect(address).unwrap();
    first.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut second = TcpStream::connect(address).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let (status, body) = get(address, "/api/info");
    assert_eq!((status, code(&body)), (503, "busy"));
    // The first and second are still answered once the first one's request is complete.
    first
        .write_all(format!("Host: {address}\r\n\r\n").as_bytes())
        .unwrap();
    let mut answer = String::new();
    first.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    second
        .write_all(format!("GET /api/info HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes())
        .unwrap();
    let mut answer = String::new();
    second.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
