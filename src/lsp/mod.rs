//! `refract lsp`: a Language Server Protocol server over a byte stream (standard input
//! and output), a thin loop over the pipeline the command line uses: each version of a
//! document is parsed and checked as `refract check` does ([`syntax::parse`],
//! [`check::check`]), formatted as `refract fmt` does ([`syntax::format`]), and its names
//! are looked up on the AST's spans ([`names`]) and in the [`Vocabulary`].
//!
//! Synchronous and single-threaded: a request is answered before the next is read. The
//! whole text comes with each change (full document sync). A message that cannot be read
//! is answered with an error (a request) or dropped (a notification); only the end of
//! the stream or `exit` ends the loop.
//!
//! [`syntax::parse`]: crate::syntax::parse
//! [`check::check`]: crate::check::check
//! [`syntax::format`]: crate::syntax::format

mod complete;
mod document;
mod hover;
pub mod names;
mod position;
#[cfg(test)]
mod tests;
mod transport;

use std::collections::HashMap;
use std::io::{self, BufRead, Write};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CompletionOptions, CompletionParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentFormattingParams, GotoDefinitionParams, HoverParams,
    HoverProviderCapability, InitializeResult, Location, OneOf, PublishDiagnosticsParams,
    ReferenceParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextEdit, Uri,
};
use serde::de::DeserializeOwned;

use crate::vocabulary::Vocabulary;
use document::Document;
pub use position::LineIndex;

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown`, then `exit`: exit status 0.
    Orderly,
    /// `exit` without `shutdown`, or the end of the input: exit status 1, as the
    /// protocol asks.
    Abrupt,
}

/// Serve one client on standard input and output until it exits.
pub fn serve_stdio() -> io::Result<Ending> {
    let stdin = io::stdin();
    let stdout = io::stdout();
    serve(stdin.lock(), stdout.lock())
}

/// Serve one client: requests and notifications read from `input`, answers and
/// diagnostics written to `output`.
pub fn serve(mut input: impl BufRead, mut output: impl Write) -> io::Result<Ending> {
    let mut server = Server {
        vocabulary: Vocabulary::builtin(),
        documents: HashMap::new(),
        initialized: false,
        shutdown: false,
    };
    while let Some(incoming) = transport::read(&mut input)? {
        let message = match incoming {
            transport::Incoming::Message(message) => message,
            transport::Incoming::Malformed {
                id,
                not_json,
                error,
            } => {
                // A request is answered (JSON-RPC's parse error or invalid request); a
                // notification, which has no id, gets nothing.
                if not_json || id.is_some() {
                    let code = if not_json {
                        ErrorCode::ParseError
                    } else {
                        ErrorCode::InvalidRequest
                    };
                    transport::write_error(&mut output, id, code as i32, &error)?;
                }
                continue;
            }
            transport::Incoming::Skipped(why) => {
                log(&mut output, &format!("refract lsp skipped {why}"))?;
                continue;
            }
        };
        match message {
            Message::Request(request) => {
                let response = server.request(request);
                transport::write(&mut output, response.into())?;
            }
            Message::Notification(notification) => {
                if notification.method == "exit" {
                    return Ok(if server.shutdown {
                        Ending::Orderly
                    } else {
                        Ending::Abrupt
                    });
                }
                for out in server.notification(notification) {
                    transport::write(&mut output, out.into())?;
                }
            }
            // refract sends no requests, so no response is awaited.
            Message::Response(_) => {}
        }
    }
    Ok(Ending::Abrupt)
}

/// A message for the client's log (`window/logMessage`).
fn log(output: &mut impl Write, text: &str) -> io::Result<()> {
    let params = lsp_types::LogMessageParams {
        typ: lsp_types::MessageType::WARNING,
        message: text.to_string(),
    };
    let notification = Notification::new("window/logMessage".to_string(), params);
    transport::write(output, notification.into())
}

struct Server {
    vocabulary: Vocabulary,
    /// Open documents, by URI.
    documents: HashMap<Uri, Document>,
    initialized: bool,
    shutdown: bool,
}

/// The error answer to a request.
fn failure(id: RequestId, code: ErrorCode, message: impl Into<String>) -> Response {
    Response::new_err(id, code as i32, message.into())
}

/// A request's parameters, or the error answer that says why they cannot be read.
fn params<P: DeserializeOwned>(request: &Request) -> Result<P, Response> {
    serde_json::from_value(request.params.clone()).map_err(|error| {
        failure(
            request.id.clone(),
            ErrorCode::InvalidParams,
            format!("invalid parameters for {}: {error}", request.method),
        )
    })
}

impl Server {
    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        if request.method == "initialize" {
            self.initialized = true;
            return Response::new_ok(id, capabilities());
        }
        if !self.initialized {
            return failure(id, ErrorCode::ServerNotInitialized, "initialize first");
        }
        if self.shutdown {
            return failure(id, ErrorCode::InvalidRequest, "the server is shutting down");
        }
        let answer = match request.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Ok(serde_json::Value::Null)
            }
            "textDocument/hover" => params::<HoverParams>(&request).map(|p| {
                let at = p.text_document_position_params;
                let hover = self
                    .documents
                    .get(&at.text_document.uri)
                    .and_then(|doc| hover::hover(doc, at.position, &self.vocabulary));
                to_json(hover)
            }),
            "textDocument/definition" => params::<GotoDefinitionParams>(&request).map(|p| {
                let at = p.text_document_position_params;
                let found = self.documents.get(&at.text_document.uri).and_then(|doc| {
                    let declaration = doc.declaration_at(at.position, &self.vocabulary)?;
                    Some(Location::new(at.text_document.uri.clone(), declaration))
                });
                to_json(found)
            }),
            "textDocument/references" => params::<ReferenceParams>(&request).map(|p| {
                let at = p.text_document_position;
                let include = p.context.include_declaration;
                let found = self.documents.get(&at.text_document.uri).map(|doc| {
                    doc.references_at(at.position, include, &self.vocabulary)
                        .into_iter()
                        .map(|range| Location::new(at.text_document.uri.clone(), range))
                        .collect::<Vec<_>>()
                });
                to_json(found)
            }),
            "textDocument/completion" => params::<CompletionParams>(&request).map(|p| {
                let at = p.text_document_position;
                let trigger = p
                    .context
                    .and_then(|c| c.trigger_character)
                    .and_then(|c| c.chars().next());
                let items = self
                    .documents
                    .get(&at.text_document.uri)
                    .map(|doc| complete::complete(doc, at.position, trigger, &self.vocabulary));
                to_json(items)
            }),
            "textDocument/formatting" => params::<DocumentFormattingParams>(&request).map(|p| {
                let edits: Option<Vec<TextEdit>> = self
                    .documents
                    .get(&p.text_document.uri)
                    .and_then(Document::formatted);
                to_json(edits)
            }),
            other => Err(failure(
                id.clone(),
                ErrorCode::MethodNotFound,
                format!("refract lsp does not answer {other}"),
            )),
        };
        match answer {
            Ok(result) => Response::new_ok(id, result),
            Err(response) => response,
        }
    }

    /// Handle a notification; what to send back (diagnostics).
    fn notification(&mut self, notification: Notification) -> Vec<Notification> {
        if !self.initialized || self.shutdown {
            return Vec::new();
        }
        let value = notification.params;
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(value) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let document = Document::new(&uri, p.text_document.text, &self.vocabulary);
                let published = document.diagnostics(&uri, Some(p.text_document.version));
                self.documents.insert(uri, document);
                vec![published]
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(value) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let Some(document) = self.documents.get_mut(&uri) else {
                    return Vec::new();
                };
                document.change(&uri, p.content_changes, &self.vocabulary);
                vec![document.diagnostics(&uri, Some(p.text_document.version))]
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(value) else {
                    return Vec::new();
                };
                self.documents.remove(&p.text_document.uri);
                let cleared = PublishDiagnosticsParams::new(p.text_document.uri, Vec::new(), None);
                vec![Notification::new(
                    "textDocument/publishDiagnostics".to_string(),
                    cleared,
                )]
            }
            // `initialized`, `didSave`, `$/cancelRequest` (every request is answered
            // before the next is read) and anything unknown: nothing to do.
            _ => Vec::new(),
        }
    }
}

fn to_json(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// What refract answers.
fn capabilities() -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            document_formatting_provider: Some(OneOf::Left(true)),
            completion_provider: Some(CompletionOptions {
                // After `is `, `shows `, `[`: answered only where a value, an attribute or
                // an event kind is expected, so a space elsewhere pops nothing up.
                trigger_characters: Some(vec![" ".to_string(), "[".to_string()]),
                ..CompletionOptions::default()
            }),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "refract".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    }
}
