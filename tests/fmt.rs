//! `refract fmt`: on every definition in the repository and on shipped files with their
//! spacing, line breaks and comments shuffled, formatting keeps the definition and its
//! comments, and formatting twice changes nothing; a file that does not parse is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use refract::source::SourceFile;
use refract::syntax::{comment_texts, format, parse, shape};

fn crit_files(folder: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            crit_files(&entry, found);
        } else if entry.extension().is_some_and(|ext| ext == "crit") {
            found.push(entry);
        }
    }
}

fn repository_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for folder in ["definitions", "tests/errors", "tests/studies", "examples"] {
        let folder = support::root().join(folder);
        if folder.is_dir() {
            crit_files(&folder, &mut files);
        }
    }
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path.display().to_string(), text)
        })
        .collect()
}

fn source(name: &str, text: &str) -> Arc<SourceFile> {
    SourceFile::new(name, text)
}

/// The properties of one text that parses: the same definition and comments after
/// formatting, and a second run changes nothing.
fn assert_formats(name: &str, text: &str) -> String {
    let before = parse(&source(name, text)).unwrap();
    let formatted = match format(&source(name, text)) {
        Ok(formatted) => formatted,
        Err(diagnostics) => panic!("{name}: {}", diagnostics.render_plain(100)),
    };
    let after = parse(&source(name, &formatted)).unwrap();
    assert_eq!(
        shape(&after),
        shape(&before),
        "{name}: the definition changed:\n{formatted}"
    );
    assert_eq!(
        comment_texts(&formatted),
        comment_texts(text),
        "{name}: comments changed"
    );
    let again = format(&source(name, &formatted)).unwrap();
    assert_eq!(again, formatted, "{name}: a second run changed the layout");
    formatted
}

#[test]
fn every_file_that_parses_keeps_its_meaning_and_comments_and_is_stable() {
    let (mut parsed, mut refused) = (0, 0);
    for (name, text) in repository_files() {
        match parse(&source(&name, &text)) {
            Ok(_) => {
                assert_formats(&name, &text);
                parsed += 1;
            }
            Err(expected) => {
                let refusal = format(&source(&name, &text)).expect_err(&name);
                let codes = |d: &refract::diagnostics::Diagnostics| {
                    d.problems.iter().map(|p| p.code).collect::<Vec<_>>()
                };
                assert_eq!(codes(&refusal), codes(&expected), "{name}");
                refused += 1;
            }
        }
    }
    // The shipped definitions and the error files that are wrong only when checked parse;
    // the syntax error files do not.
    assert!(parsed >= 45, "{parsed} files parsed");
    assert!(refused >= 10, "{refused} files refused");
}

#[test]
fn the_shipped_definitions_are_formatted() {
    let mut files = Vec::new();
    crit_files(&support::root().join("definitions"), &mut files);
    assert!(files.len() >= 17);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        assert_eq!(format(&source(&name, &text)).unwrap(), text, "{name}");
    }
}

#[test]
fn comments_stay_before_the_token_they_precede_and_after_the_line_they_end() {
    let text = "// about the file\ndefinition d // the id\n  outcome   x\n\n\n\
        // about a\n\npart a = latest   imaging // trailing\n\
        criterion c\n  source \"s // not a comment\"\n  = a // after a\n    // before or\n    or a\n\
        met when c\n// at the end\n";
    let formatted = assert_formats("t.crit", text);
    assert_eq!(
        formatted,
        "// about the file\ndefinition d // the id\n  outcome  x\n\n// about a\n\n\
         part a = latest imaging // trailing\n\ncriterion c\n  source \"s // not a comment\"\n\
         \x20 = a // after a\n    // before or\n    or a\n\nmet when c\n// at the end\n"
    );
}

#[test]
fn long_lines_break_where_the_layout_allows_and_short_ones_join() {
    let text = "definition d\npart p = score (1 if a, 2.5 if b)\n\
        criterion c = any session S: any imaging after S, on or before next session after S, within 3 months after S, where modality in [CT, MRI]\n\
        met when c or\n   c";
    let formatted = assert_formats("t.crit", text);
    assert_eq!(
        formatted,
        "definition d\n\npart p = score (1 if a, 2.5 if b)\n\ncriterion c\n\
         \x20 = any session S: any imaging after S, on or before next session after S,\n\
         \x20     within 3 months after S, where modality in [CT, MRI]\n\n\
         met when c or c\n"
    );
    assert!(formatted
        .lines()
        .all(|line| line.len() <= refract::syntax::WIDTH));
    // One layout however the author wrapped it: a reflowed line is no change.
    let rewrapped = text
        .replace("after S, within", "after S,\n within")
        .replace("c or\n   c", "c or c");
    assert_eq!(assert_formats("t.crit", &rewrapped), formatted);
}

/// A shipped file with every run of spaces between tokens replaced (`spaces` picks from
/// a list of runs, with and without line ends), and comments added at some of them.
fn perturbed(text: &str, spaces: &[u8], comments: &[bool]) -> String {
    const RUNS: &[&str] = &[" ", "  ", "\n", "\n  ", "\n\n", "\t", " \n      "];
    let mut out = String::with_capacity(text.len() * 2);
    let mut chars = text.chars().peekable();
    let mut run = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push(c);
                while let Some(c) = chars.next() {
                    out.push(c);
                    if c == '\\' {
                        out.extend(chars.next());
                    } else if c == '"' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                out.push(c);
                for c in chars.by_ref() {
                    out.push(c);
                    if c == '\n' {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                let pick = spaces.get(run % spaces.len().max(1)).copied().unwrap_or(0);
                out.push_str(RUNS[usize::from(pick) % RUNS.len()]);
                if comments.get(run % comments.len().max(1)) == Some(&true) {
                    out.push_str(if pick % 2 == 0 { " // c" } else { "\n// c" });
                    out.push_str(&run.to_string());
                    out.push('\n');
                }
                run += 1;
            }
            c => out.push(c),
        }
    }
    out
}

fn shipped() -> Vec<(String, String)> {
    repository_files()
        .into_iter()
        .filter(|(name, _)| name.contains("/definitions/"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, rng_seed: RngSeed::Fixed(2026), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn shuffled_spacing_and_comments_keep_meaning_and_format_stably(
        file in 0usize..64,
        spaces in proptest::collection::vec(0u8..16, 1..40),
        comments in proptest::collection::vec(proptest::bool::weighted(0.08), 1..60),
    ) {
        let files = shipped();
        let (name, text) = &files[file % files.len()];
        let shuffled = perturbed(text, &spaces, &comments);
        let original = parse(&source(name, text)).unwrap();
        let formatted = assert_formats(name, &shuffled);
        let after = parse(&source(name, &formatted)).unwrap();
        prop_assert_eq!(shape(&after), shape(&original));
    }

    #[test]
    fn a_file_broken_anywhere_is_refused_never_printed(file in 0usize..64, at in 0usize..4000) {
        let files = shipped();
        let (name, text) = &files[file % files.len()];
        // `@` is no token of the language: outside a comment or text, it is an error.
        let cut = text.char_indices().map(|(i, _)| i).rfind(|&i| i <= at).unwrap_or(0);
        let broken = format!("{}@{}", &text[..cut], &text[cut..]);
        let parses = parse(&source(name, &broken)).is_ok();
        prop_assert_eq!(format(&source(name, &broken)).is_ok(), parses);
    }
}

fn refract(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_refract"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

#[test]
fn the_command_rewrites_checks_reads_stdin_and_refuses_syntax_errors() {
    let folder = std::env::temp_dir().join(format!("refract-fmt-{}", std::process::id()));
    let nested = folder.join("inner");
    std::fs::create_dir_all(&nested).unwrap();
    let messy = "definition d\n  outcome x\npart a =   latest imaging\nmet when a\n";
    let tidy = "definition d\n  outcome  x\n\npart a = latest imaging\n\nmet when a\n";
    let file = nested.join("d.crit");
    std::fs::write(&file, messy).unwrap();
    let broken = folder.join("broken.crit");
    std::fs::write(&broken, "definition d\nmet when (a\n").unwrap();

    let checked = refract(&["fmt", "--check", nested.to_str().unwrap()], None);
    assert_eq!(checked.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&checked.stdout);
    assert!(diff.contains("\n-part a =   latest imaging\n"), "{diff}");
    assert!(diff.contains("\n+part a = latest imaging\n"), "{diff}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), messy);

    let rewritten = refract(&["fmt", folder.to_str().unwrap()], None);
    assert_eq!(
        rewritten.status.code(),
        Some(1),
        "the broken file fails the run"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), tidy);
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "definition d\nmet when (a\n"
    );
    let errors = String::from_utf8_lossy(&rewritten.stderr);
    assert!(errors.contains("refract::syntax"), "{errors}");

    let again = refract(&["fmt", "--check", nested.to_str().unwrap()], None);
    assert_eq!(again.status.code(), Some(0));
    assert!(again.stdout.is_empty());

    let piped = refract(&["fmt", "-"], Some(messy));
    assert_eq!(piped.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&piped.stdout), tidy);
    let piped_error = refract(&["fmt", "-"], Some("definition d\nmet when (a\n"));
    assert_eq!(piped_error.status.code(), Some(1));
    assert!(piped_error.stdout.is_empty());
    std::fs::remove_dir_all(&folder).unwrap();
}
