//! `refract check`: parse and check definitions, print every diagnostic.

use std::process::ExitCode;

use refract::vocabulary::Vocabulary;

use super::{definition_paths, CheckArgs};

/// Check each definition; exit 1 if any has an error.
pub fn run(args: CheckArgs) -> ExitCode {
    let vocabulary = Vocabulary::builtin();
    // `check --input FILE` alone checks the cohort; definitions only when named too.
    let paths = if args.input.is_some() && args.paths.is_empty() {
        Vec::new()
    } else {
        definition_paths(&args.paths)
    };
    let files = match refract::definition_files(&paths) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: cannot list definitions: {error}");
            return ExitCode::from(1);
        }
    };
    let mut failed = false;
    for file in &files {
        let diagnostics = match refract::load_definition(file, &vocabulary) {
            Ok((checked, warnings)) => {
                println!(
                    "{}: ok ({}, {} criteria)",
                    file.display(),
                    checked.id,
                    checked.criteria.len()
                );
                warnings
            }
            Err(diagnostics) => {
                failed = true;
                diagnostics
            }
        };
        for report in diagnostics.reports() {
            eprintln!("{report:?}");
        }
    }
    if let Some(input) = &args.input {
        failed |= !super::cohort_check::run(input, &vocabulary);
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
