//! One open document: its text, its lines, its AST when it parses, and its problems as
//! `refract check` finds them.

use std::cell::OnceCell;
use std::sync::Arc;

use lsp_server::Notification;
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, PublishDiagnosticsParams, Range, TextDocumentContentChangeEvent, TextEdit, Uri,
};

use super::names::{self, Index};
use super::position::LineIndex;
use crate::ast::Definition;
use crate::diagnostics::Problem;
use crate::source::{SourceFile, Span};
use crate::vocabulary::Vocabulary;

/// A document as last sent by the client, parsed and checked.
pub struct Document {
    /// Its name (the URI) and text.
    pub source: Arc<SourceFile>,
    /// Where its lines start.
    pub lines: LineIndex,
    /// Its syntax tree, when it parses.
    pub ast: Option<Definition>,
    /// Its errors and warnings.
    problems: Vec<Problem>,
    /// Its names, indexed on the first request that needs them.
    names: OnceCell<Option<Index>>,
}

impl Document {
    /// A document with this text, parsed and checked.
    pub fn new(uri: &Uri, text: String, vocabulary: &Vocabulary) -> Document {
        let source = SourceFile::new(uri.as_str(), text);
        let lines = LineIndex::new(&source.text);
        // The pipeline of `refract::compile`, in its two steps, so the AST is kept.
        let (ast, problems) = match crate::syntax::parse(&source) {
            Err(diagnostics) => (None, diagnostics.problems),
            Ok(ast) => {
                let problems = match crate::check::check(&ast, vocabulary) {
                    Ok((_, warnings)) => warnings.problems,
                    Err(diagnostics) => diagnostics.problems,
                };
                (Some(ast), problems)
            }
        };
        Document {
            source,
            lines,
            ast,
            problems,
            names: OnceCell::new(),
        }
    }

    /// The document after the client's changes (whole texts, or ranges replaced).
    pub fn change(
        &mut self,
        uri: &Uri,
        changes: Vec<TextDocumentContentChangeEvent>,
        vocabulary: &Vocabulary,
    ) {
        let mut text = self.source.text.to_string();
        for change in changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let lines = LineIndex::new(&text);
                    let start = lines.offset(&text, range.start);
                    let end = lines.offset(&text, range.end).max(start);
                    text.replace_range(start..end, &change.text);
                }
            }
        }
        *self = Document::new(uri, text, vocabulary);
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.source.text
    }

    /// The range of a span.
    pub fn range(&self, span: Span) -> Range {
        self.lines.range(self.text(), span)
    }

    /// The byte offset of a position.
    pub fn offset(&self, position: Position) -> usize {
        self.lines.offset(self.text(), position)
    }

    /// The `textDocument/publishDiagnostics` notification for this version.
    pub fn diagnostics(&self, uri: &Uri, version: Option<i32>) -> Notification {
        let text = self.text();
        let mut offsets = Vec::with_capacity(self.problems.len() * 2);
        for problem in &self.problems {
            let span = problem
                .label
                .as_ref()
                .map(|(span, _)| *span)
                .unwrap_or_default();
            offsets.push(span.start);
            offsets.push(span.end.max(span.start));
        }
        let positions = self.lines.positions(text, &offsets);
        let diagnostics = self
            .problems
            .iter()
            .zip(positions.chunks(2))
            .map(|(problem, ends)| {
                let range = match ends {
                    [start, end] => Range::new(*start, *end),
                    _ => Range::default(),
                };
                diagnostic(uri, problem, range)
            })
            .collect();
        let params = PublishDiagnosticsParams::new(uri.clone(), diagnostics, version);
        Notification::new("textDocument/publishDiagnostics".to_string(), params)
    }

    /// The names of the document, when it parses.
    pub fn names(&self, vocabulary: &Vocabulary) -> Option<&Index> {
        self.names
            .get_or_init(|| self.ast.as_ref().map(|ast| names::index(ast, vocabulary)))
            .as_ref()
    }

    /// Where the part, criterion or bound name at a position is defined.
    pub fn declaration_at(&self, position: Position, vocabulary: &Vocabulary) -> Option<Range> {
        let index = self.names(vocabulary)?;
        let at = index.at(self.offset(position))?;
        let declaration = index.declaration(&at.meaning)?;
        Some(self.range(declaration.span))
    }

    /// Every place the part, criterion or bound name at a position is written.
    pub fn references_at(
        &self,
        position: Position,
        include_declaration: bool,
        vocabulary: &Vocabulary,
    ) -> Vec<Range> {
        let Some(index) = self.names(vocabulary) else {
            return Vec::new();
        };
        let Some(at) = index.at(self.offset(position)) else {
            return Vec::new();
        };
        let mut spans: Vec<Span> = index
            .references(&at.meaning)
            .into_iter()
            .filter(|o| include_declaration || !o.declaration)
            .map(|o| o.span)
            .collect();
        spans.sort_by_key(|span| (span.start, span.end));
        spans.dedup();
        let offsets: Vec<usize> = spans.iter().flat_map(|s| [s.start, s.end]).collect();
        self.lines
            .positions(self.text(), &offsets)
            .chunks(2)
            .filter_map(|ends| match ends {
                [start, end] => Some(Range::new(*start, *end)),
                _ => None,
            })
            .collect()
    }

    /// The edits that give the canonical layout of `refract fmt` (none when the text has
    /// it already), or `None` when it cannot be formatted (its diagnostics say why).
    pub fn formatted(&self) -> Option<Vec<TextEdit>> {
        let formatted = crate::syntax::format(&self.source).ok()?;
        if formatted == self.text() {
            return Some(Vec::new());
        }
        let whole = Range::new(Position::new(0, 0), self.lines.end(self.text()));
        Some(vec![TextEdit::new(whole, formatted)])
    }
}

/// One problem as an LSP diagnostic: the message with the help after it (editors show
/// the message, not always the related information), the label as related information
/// at the same place, the code.
fn diagnostic(uri: &Uri, problem: &Problem, range: Range) -> Diagnostic {
    let severity = match problem.severity {
        miette::Severity::Error => DiagnosticSeverity::ERROR,
        miette::Severity::Warning => DiagnosticSeverity::WARNING,
        miette::Severity::Advice => DiagnosticSeverity::INFORMATION,
    };
    let message = match &problem.help {
        Some(help) => format!("{}\nhelp: {help}", problem.message),
        None => problem.message.clone(),
    };
    let related = problem
        .label
        .as_ref()
        .filter(|(_, label)| !label.is_empty())
        .map(|(_, label)| {
            vec![DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), range),
                message: label.clone(),
            }]
        });
    Diagnostic {
        range,
        severity: Some(severity),
        code: Some(NumberOrString::String(problem.code.to_string())),
        source: Some("refract".to_string()),
        message,
        related_information: related,
        ..Diagnostic::default()
    }
}
