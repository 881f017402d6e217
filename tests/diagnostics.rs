//! The error corpus: every file under `tests/errors/` is one realistic mistake in a
//! definition, and its rendered diagnostics are pinned as a snapshot. The first line of
//! each file, `// expect: error refract::check::unknown_name`, names the severity and
//! code of the first problem it must produce; that is checked before the snapshot.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use miette::Severity;
use refract::diagnostics::Diagnostics;
use refract::source::SourceFile;
use refract::vocabulary::Vocabulary;

/// Files that make several independent mistakes: all of them must be reported.
const SEVERAL: &[&str] = &["several_independent_errors.crit"];

/// The `// expect: SEVERITY CODE` header of an error input.
fn expectation(text: &str, name: &str) -> (String, String) {
    let first = text.lines().next().unwrap_or("");
    let rest = first
        .strip_prefix("// expect:")
        .unwrap_or_else(|| panic!("{name}: the first line must be `// expect: SEVERITY CODE`"));
    let mut words = rest.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(severity @ ("error" | "warning")), Some(code), None) => {
            (severity.to_string(), code.to_string())
        }
        _ => panic!("{name}: write the header as `// expect: error CODE` or `// expect: warning CODE`, found `{first}`"),
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "advice",
    }
}

/// The file's name as the snapshot shows it: relative to `tests/`, with `/`.
fn display_name(path: &Path) -> String {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let relative = path.strip_prefix(&tests).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn error_corpus() {
    insta::glob!("errors/**/*.crit", |path| {
        let name = display_name(path);
        let text = std::fs::read_to_string(path).unwrap();
        let (severity, code) = expectation(&text, &name);

        let diagnostics: Diagnostics =
            match refract::compile(&SourceFile::new(name.clone(), text), &Vocabulary::builtin()) {
                Err(diagnostics) => diagnostics,
                Ok((_, warnings)) => warnings,
            };
        let rendered = diagnostics.render_plain(80);

        let first = diagnostics.problems.first().unwrap_or_else(|| {
            panic!("{name}: expected {severity} {code}, but the file compiled with no problems")
        });
        assert_eq!(
            (severity_word(first.severity), first.code),
            (severity.as_str(), code.as_str()),
            "{name}: the first problem is not the one its `// expect:` line names\n{rendered}"
        );
        assert!(!diagnostics.problems.is_empty());
        let file_name = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
        if SEVERAL.contains(&file_name) {
            assert!(
                diagnostics.problems.len() >= 3,
                "{name}: makes several independent mistakes, but only {} reported\n{rendered}",
                diagnostics.problems.len()
            );
        }

        insta::assert_snapshot!(rendered);
    });
}

/// The shipped definitions are the examples people copy: not even a warning.
#[test]
fn shipped_definitions_have_no_problems() {
    let files = refract::definition_files(&[refract::shipped_definitions()]).unwrap();
    assert!(!files.is_empty(), "no definitions found in definitions/");
    for file in files {
        match refract::load_definition(&file, &Vocabulary::builtin()) {
            Ok((_, warnings)) => assert!(
                warnings.problems.is_empty(),
                "{} has warnings:\n{}",
                file.display(),
                warnings.render_plain(80)
            ),
            Err(diagnostics) => panic!(
                "{} does not compile:\n{}",
                file.display(),
                diagnostics.render_plain(80)
            ),
        }
    }
}

/// The timeline corpus: each file under `tests/errors/timeline/` is a three-line cohort
/// whose middle patient has one mistake. The rendered report names file, line, JSON path
/// and a fix, and the patients before and after it are still read.
#[test]
fn timeline_error_corpus() {
    insta::glob!("errors/timeline/*.jsonl", |path| {
        let name = display_name(path);
        let text = std::fs::read_to_string(path).unwrap();
        let results: Vec<_> =
            refract::timeline::read_cohort(text.as_bytes(), &name, &Vocabulary::builtin())
                .collect();
        let ids: Vec<String> = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|p| p.id.clone())
            .collect();
        assert_eq!(
            ids,
            ["before", "after"],
            "{name}: the good patients around the bad one are read"
        );
        let errors: Vec<_> = results.into_iter().filter_map(Result::err).collect();
        assert_eq!(errors.len(), 1, "{name}: exactly one problem");
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(80);
        let mut rendered = String::new();
        for error in &errors {
            assert!(
                error.to_string().contains("line 2"),
                "{name}: the message names the line: {error}"
            );
            handler.render_report(&mut rendered, error).unwrap();
        }
        insta::assert_snapshot!(rendered);
    });
}
