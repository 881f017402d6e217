//! `refract test`: each definition against its deck (src/deck), a report of every patient
//! whose result differs, and `--update` to accept the current results.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use refract::deck::{self, Case, DeckRun, Mismatch};
use refract::vocabulary::Vocabulary;

use super::output::{say, show};

/// `refract test`
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Definition files, decks or folders (searched recursively; default: the shipped definitions).
    paths: Vec<PathBuf>,
    /// Write the actual results into the decks' expectations, listing each change.
    #[arg(long)]
    update: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    format: TestFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TestFormat {
    /// A report of each failure and a summary line per deck.
    Text,
    /// JUnit XML: one testsuite per deck, one testcase per patient.
    Junit,
}

/// Exit 1 if a definition does not load, a deck cannot be read, or a patient fails.
pub fn run(args: TestArgs) -> ExitCode {
    let vocabulary = Vocabulary::builtin();
    let paths = if args.paths.is_empty() {
        vec![refract::shipped_definitions()]
    } else {
        args.paths.clone()
    };
    let files = match deck::definition_files(&paths) {
        Ok(files) => files,
        Err(error) => {
            say(&format!("error: cannot list definitions: {error}"));
            return ExitCode::from(1);
        }
    };
    let mut failed = false;
    let mut text = String::new();
    let mut suites = Vec::new();
    for file in files {
        let definition = match refract::load_definition(&file, &vocabulary) {
            Ok((checked, _)) => checked,
            Err(diagnostics) => {
                failed = true;
                diagnostics.shown().into_iter().for_each(show);
                continue;
            }
        };
        let deck_file = deck::deck_path(&file);
        if !deck_file.is_file() {
            let _ = writeln!(
                text,
                "{}: no deck ({} not found)",
                definition.id,
                deck_file.display()
            );
            continue;
        }
        let mut run = match deck::run(&definition, &deck_file, &vocabulary) {
            Ok(run) => run,
            Err(error) => {
                failed = true;
                say(&format!("error: {}: {error}", deck_file.display()));
                continue;
            }
        };
        if args.update {
            match update(&mut run, &mut text) {
                Ok(()) => {}
                Err(error) => {
                    failed = true;
                    say(&format!(
                        "error: {}: cannot write: {error}",
                        deck_file.display()
                    ));
                }
            }
        }
        let failures = run.cases.iter().filter(|c| c.failed()).count();
        failed |= failures > 0;
        for case in run.cases.iter().filter(|c| c.failed()) {
            text.push_str(&report(&run, case));
        }
        let _ = writeln!(
            text,
            "{}: {} patients, {failures} failed",
            definition.id,
            run.cases.len()
        );
        suites.push((definition.id.clone(), run));
    }
    match args.format {
        TestFormat::Text => print!("{text}"),
        TestFormat::Junit => print!("{}", junit(&suites)),
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The failure of one case, in lines: `FILE line N: ID: …`.
fn report(run: &DeckRun, case: &Case) -> String {
    let mut out = String::new();
    match case {
        Case::Unreadable { message, .. } => {
            let _ = writeln!(out, "{message}");
        }
        Case::Evaluated {
            line,
            id,
            mismatches,
            ..
        } => {
            let _ = writeln!(out, "{} line {line}: {id}: FAILED", run.path.display());
            for mismatch in mismatches {
                let _ = writeln!(out, "  {}", describe(mismatch));
            }
        }
    }
    out
}

fn describe(mismatch: &Mismatch) -> String {
    match mismatch {
        Mismatch::Result { want, got } => format!("result: expected {want}, got {got}"),
        Mismatch::Onset { want, got } => format!("onset: expected {want}, got {got}"),
        Mismatch::Criterion {
            name,
            want,
            got,
            why,
        } => {
            format!("{name}: expected {want}, got {got} ({why})")
        }
        Mismatch::Expectation(message) => message.clone(),
        Mismatch::Stopped(at) => format!("evaluation stopped at its work limit in {at}"),
    }
}

/// Rewrites the failing lines' `facts.expect` and writes the deck back; the changes are
/// listed in `text`, and the cases now pass.
fn update(run: &mut DeckRun, text: &mut String) -> std::io::Result<()> {
    let mut lines: Vec<String> = run.text.lines().map(String::from).collect();
    let mut changed = false;
    for case in &mut run.cases {
        let Case::Evaluated {
            line,
            id,
            expect,
            outcome,
            mismatches,
        } = case
        else {
            continue;
        };
        if mismatches.is_empty() {
            continue;
        }
        let actual = deck::actual(outcome, expect.as_ref());
        let Some(slot) = lines.get_mut(*line - 1) else {
            continue;
        };
        let Some(new) = deck::rewrite(slot, &actual) else {
            continue;
        };
        let _ = writeln!(text, "{} line {line}: {id}: updated", run.path.display());
        for mismatch in mismatches.iter() {
            let _ = writeln!(text, "  {}", describe(mismatch));
        }
        *slot = new;
        mismatches.clear();
        changed = true;
    }
    if changed {
        let mut joined = lines.join("\n");
        if run.text.ends_with('\n') {
            joined.push('\n');
        }
        std::fs::write(&run.path, joined)?;
    }
    Ok(())
}

/// JUnit XML, one testsuite per deck and one testcase per line.
fn junit(suites: &[(String, DeckRun)]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (id, run) in suites {
        let failures = run.cases.iter().filter(|c| c.failed()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
            xml(id),
            run.cases.len()
        );
        for case in &run.cases {
            let name = match case {
                Case::Evaluated { id, .. } => id.clone(),
                Case::Unreadable { line, .. } => format!("line {line}"),
            };
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(id),
                xml(&name)
            );
            if case.failed() {
                let body = report(run, case);
                let first = body
                    .lines()
                    .nth(1)
                    .or(body.lines().next())
                    .unwrap_or("failed")
                    .trim();
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                    xml(first),
                    xml(&body)
                );
            } else {
                out.push_str("/>\n");
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn xml(text: &str) -> String {
    refract::report::markup_escape(text)
}
