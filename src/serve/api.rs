//! The routes of `refract serve` (docs/serve.md lists them with their bodies and errors).
//! Each handler reads a JSON body, runs the pipeline, and answers JSON; every refusal is
//! `{"error":{"code":…,"message":…}}` with a status that says which kind it is.

use serde::Deserialize;
use serde_json::{json, Value};

use super::http::{Request, Response};
use super::{evaluate, files, shapes, State};
use crate::check::Checked;
use crate::diagnostics::Diagnostics;
use crate::source::SourceFile;

/// The page and its files, compiled in.
const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const PLOT: &str = include_str!("assets/plot.js");
const STYLE: &str = include_str!("assets/app.css");

/// Answer one request.
pub fn handle(state: &State, request: &Request) -> Response {
    if let Some(hosts) = &state.hosts {
        let known = request
            .host
            .as_deref()
            .is_some_and(|h| hosts.iter().any(|k| k.eq_ignore_ascii_case(h)));
        if !known {
            return Response::error(
                403,
                "unknown_host",
                "refract serve answers only requests addressed to 127.0.0.1, localhost or [::1] on its port",
            );
        }
    }
    let asset = |content_type: &'static str, text: &str| Response {
        status: 200,
        content_type,
        body: text.as_bytes().to_vec(),
    };
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/") | ("GET", "/index.html") => asset("text/html; charset=utf-8", INDEX),
        ("GET", "/app.js") => asset("text/javascript; charset=utf-8", SCRIPT),
        ("GET", "/plot.js") => asset("text/javascript; charset=utf-8", PLOT),
        ("GET", "/app.css") => asset("text/css; charset=utf-8", STYLE),
        ("GET", "/api/info") => ok(info(state)),
        ("GET", "/api/definitions") => ok(definitions(state)),
        ("GET", "/api/patients") => ok(patients(state)),
        ("POST", path) if path.starts_with("/api/") => {
            // A page on another site can post a form or text/plain to a local port, but
            // not `application/json` without a preflight, which is never granted here.
            let json_body = request
                .content_type
                .as_deref()
                .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"));
            if !json_body {
                return Response::error(
                    415,
                    "not_json",
                    "send the body as JSON with `Content-Type: application/json`",
                );
            }
            let result = match path {
                "/api/open" => body(request).and_then(|b| open(state, b)),
                "/api/check" => body(request).map(|b| check(state, b)),
                "/api/format" => body(request).and_then(format),
                "/api/cohort" => body(request).and_then(|b| evaluate::cohort(state, b)),
                "/api/patient" => body(request).and_then(|b| evaluate::patient(state, b)),
                "/api/compare" => body(request).and_then(|b| evaluate::compare(state, b)),
                "/api/save" => body(request).and_then(|b| save(state, b)),
                _ => Err(Failure::new(
                    404,
                    "not_found",
                    format!("no API route {path}"),
                )),
            };
            match result {
                Ok(value) => ok(value),
                Err(failure) => failure.response(),
            }
        }
        (_, "/" | "/index.html" | "/app.js" | "/plot.js" | "/app.css") => {
            Response::error(405, "method_not_allowed", "use GET")
        }
        (_, "/api/info" | "/api/definitions" | "/api/patients") => {
            Response::error(405, "method_not_allowed", "use GET")
        }
        (_, path) => Response::error(
            404,
            "not_found",
            &format!("nothing at {}", crate::diagnostics::terminal::escape(path)),
        ),
    }
}

/// A refused request: status, code, message and more fields for the error object.
pub struct Failure {
    status: u16,
    code: &'static str,
    message: String,
    extra: serde_json::Map<String, Value>,
}

impl Failure {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            code,
            message: message.into(),
            extra: serde_json::Map::new(),
        }
    }

    pub fn with(mut self, key: &str, value: Value) -> Failure {
        self.extra.insert(key.into(), value);
        self
    }

    fn response(self) -> Response {
        let mut error = self.extra;
        error.insert("code".into(), json!(self.code));
        error.insert("message".into(), json!(self.message));
        Response::json(self.status, json!({ "error": error }).to_string())
    }
}

impl From<files::Refusal> for Failure {
    fn from(r: files::Refusal) -> Failure {
        Failure::new(r.status, r.code, r.message)
    }
}

fn ok(value: Value) -> Response {
    Response::json(200, value.to_string())
}

/// The request body as `T`.
fn body<T: for<'de> Deserialize<'de>>(request: &Request) -> Result<T, Failure> {
    serde_json::from_slice(&request.body).map_err(|e| {
        Failure::new(
            400,
            "bad_request",
            format!("the body is not the JSON this route takes: {e}"),
        )
    })
}

/// A definition as a request names it: a file of the folder, or a text being edited.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    file: Option<String>,
    text: Option<String>,
    /// The name shown in diagnostics for a text (default `draft.crit`).
    name: Option<String>,
}

/// Compile a source; an uncompilable one is a `422 definition_errors` with its diagnostics.
pub fn compile(state: &State, source: &Source) -> Result<Checked, Failure> {
    let (name, text) = match (&source.file, &source.text) {
        (_, Some(text)) => (
            source
                .name
                .clone()
                .or(source.file.clone())
                .unwrap_or_else(|| "draft.crit".into()),
            text.clone(),
        ),
        (Some(file), None) => (file.clone(), files::open(&state.root, file)?.0),
        (None, None) => {
            return Err(Failure::new(
                400,
                "bad_request",
                "name a definition with `file` or give its `text`",
            ))
        }
    };
    match crate::compile(&SourceFile::new(name.clone(), text), &state.vocabulary) {
        Ok((checked, _)) => Ok(checked),
        Err(found) => Err(Failure::new(
            422,
            "definition_errors",
            format!("{name} has errors: fix them to evaluate it"),
        )
        .with("definition", json!(name))
        .with("diagnostics", json!(shapes::diagnostics(&found)))),
    }
}

pub fn compile_all(state: &State, sources: &[Source]) -> Result<Vec<Checked>, Failure> {
    if sources.len() > state.limits.max_definitions {
        return Err(Failure::new(
            400,
            "too_many_definitions",
            format!(
                "at most {} definitions per request",
                state.limits.max_definitions
            ),
        ));
    }
    sources.iter().map(|s| compile(state, s)).collect()
}

fn info(state: &State) -> Value {
    let cohort = &state.cohort;
    json!({
        "definitions_folder": state.root.display().to_string(),
        "cohort": {
            "name": cohort.name,
            "patients": cohort.patients.len(),
            "left_out": cohort.left_out,
            "unreadable": cohort.error_count,
            "errors": cohort.errors,
        },
        "limits": {
            "max_body_bytes": state.limits.max_body,
            "evaluation_seconds": state.limits.evaluation_time.as_secs_f64(),
            "max_definitions": state.limits.max_definitions,
        },
    })
}

/// Each definition file with its id, title and outcome, or that it does not compile.
fn definitions(state: &State) -> Value {
    let list: Vec<Value> = files::list(&state.root)
        .into_iter()
        .map(|file| match files::open(&state.root, &file) {
            Ok((text, _)) => match crate::compile(&SourceFile::new(file.clone(), text), &state.vocabulary) {
                Ok((checked, _)) => json!({"file": file, "id": checked.id, "title": checked.title, "outcome": checked.outcome}),
                Err(found) => json!({"file": file, "errors": found.problems.iter().filter(|p| p.is_error()).count()}),
            },
            Err(refusal) => json!({"file": file, "error": refusal.message}),
        })
        .collect();
    json!({ "definitions": list })
}

fn patients(state: &State) -> Value {
    let list: Vec<Value> = state
        .cohort
        .patients
        .iter()
        .map(|p| json!({"id": p.id, "events": p.events.len()}))
        .collect();
    json!({ "patients": list })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Named {
    file: String,
}

fn open(state: &State, named: Named) -> Result<Value, Failure> {
    let (text, token) = files::open(&state.root, &named.file)?;
    Ok(json!({"file": named.file, "text": text, "token": token}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Text {
    text: String,
    name: Option<String>,
}

/// Every problem of a text, errors and warnings, at their spans.
fn check(state: &State, body: Text) -> Value {
    let name = body.name.unwrap_or_else(|| "draft.crit".into());
    let source = SourceFile::new(name, body.text);
    let (id, found): (Option<String>, Diagnostics) =
        match crate::compile(&source, &state.vocabulary) {
            Ok((checked, warnings)) => (Some(checked.id.clone()), warnings),
            Err(found) => (None, found),
        };
    let errors = found.problems.iter().filter(|p| p.is_error()).count();
    json!({
        "ok": id.is_some(),
        "id": id,
        "errors": errors,
        "warnings": found.problems.len() - errors,
        "diagnostics": shapes::diagnostics(&found),
    })
}

/// The text in the canonical layout (`refract fmt`).
fn format(body: Text) -> Result<Value, Failure> {
    let name = body.name.unwrap_or_else(|| "draft.crit".into());
    let source = SourceFile::new(name, body.text);
    match crate::syntax::format(&source) {
        Ok(text) => Ok(json!({"changed": *text != *source.text, "text": text})),
        Err(found) => Err(Failure::new(
            422,
            "definition_errors",
            "the text does not parse: fix its syntax errors to format it",
        )
        .with("diagnostics", json!(shapes::diagnostics(&found)))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Save {
    file: String,
    text: String,
    /// The token of the version opened; `null` for a new file.
    token: Option<String>,
}

/// Write the definition file being edited, if it is still the version opened.
fn save(state: &State, body: Save) -> Result<Value, Failure> {
    let token =
        files::save(&state.root, &body.file, &body.text, body.token.as_deref()).map_err(|r| {
            let current = (r.code == "stale")
                .then(|| {
                    std::fs::read(state.root.join(&body.file))
                        .ok()
                        .map(|b| files::token(&b))
                })
                .flatten();
            let failure = Failure::from(r);
            match current {
                Some(current) => failure.with("current_token", json!(current)),
                None => failure,
            }
        })?;
    Ok(json!({"file": body.file, "token": token}))
}
