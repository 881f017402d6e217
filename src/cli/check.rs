//! `refract check`: parse and check definitions, print every diagnostic.

use std::process::ExitCode;

use refract::diagnostics::terminal;
use refract::vocabulary::Vocabulary;

use super::output::{say, show, Output};
use super::{definition_paths, CheckArgs};

/// Check each definition; exit 1 if any has an error (or the output could not be written).
pub fn run(args: CheckArgs) -> ExitCode {
    let vocabulary = Vocabulary::builtin();
    // `check --input FILE` alone checks the cohort; definitions only when named too.
    let alone = args.input.is_some() || args.from.mapping.is_some();
    let paths = if alone && args.paths.is_empty() {
        Vec::new()
    } else {
        definition_paths(&args.paths)
    };
    let files = match refract::definition_files(&paths) {
        Ok(files) => files,
        Err(error) => {
            say(&format!("error: cannot list definitions: {error}"));
            return ExitCode::from(1);
        }
    };
    let mut out = Output::stdout(1 << 16);
    let mut failed = false;
    let mut loaded = Vec::new();
    for file in &files {
        // A closed pipe (`| head`) has all it wants: stop.
        if !out.is_open() {
            break;
        }
        let diagnostics = match refract::load_definition(file, &vocabulary) {
            Ok((checked, warnings)) => {
                let counted = counts(&warnings);
                let line = format!(
                    "{}: ok{}{} ({}, {} criteria)",
                    file.display(),
                    if counted.is_empty() { "" } else { ", " },
                    counted,
                    checked.id,
                    checked.criteria.len()
                );
                loaded.push(checked);
                out.line(&terminal::escape(&line));
                warnings
            }
            Err(diagnostics) => {
                failed = true;
                let line = format!("{}: {}", file.display(), counts(&diagnostics));
                out.line(&terminal::escape(&line));
                diagnostics
            }
        };
        for shown in diagnostics.shown() {
            show(shown);
        }
    }
    let all: Vec<&refract::check::Checked> = loaded.iter().collect();
    for diagnostics in refract::duplicate_ids(&all) {
        failed = true;
        for shown in diagnostics.shown() {
            show(shown);
        }
    }
    // `check --mapping FILE`: the mapping too (and `--input` then reads through it).
    if let (Some(path), None) = (&args.from.mapping, &args.input) {
        match refract::sources::mapping::Mapping::load(path, &vocabulary) {
            Ok((mapping, warnings)) => {
                let line = format!(
                    "{}: ok{}{} (mapping {}, {} event rules, {} observation rules)",
                    path.display(),
                    if warnings.problems.is_empty() {
                        ""
                    } else {
                        ", "
                    },
                    counts(&warnings),
                    mapping.name,
                    mapping.events.len(),
                    mapping.observations.len()
                );
                out.line(&terminal::escape(&line));
                warnings.shown().into_iter().for_each(show);
            }
            Err(diagnostics) => {
                failed = true;
                out.line(&terminal::escape(&format!(
                    "{}: {}",
                    path.display(),
                    counts(&diagnostics)
                )));
                diagnostics.shown().into_iter().for_each(show);
            }
        }
    }
    if let Some(input) = &args.input {
        if out.is_open() {
            failed |= !super::cohort_check::run(input, args.from, &vocabulary, &mut out);
        }
    }
    if !out.finish() || failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// "2 errors, 1 warning": how many of each a file has (nothing when none).
fn counts(diagnostics: &refract::diagnostics::Diagnostics) -> String {
    let errors = diagnostics.problems.iter().filter(|p| p.is_error()).count();
    let warnings = diagnostics.problems.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => String::new(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}
