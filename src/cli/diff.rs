//! `refract diff OLD NEW`: a review of a revision of a definition.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::ValueEnum;
use refract::review::{self, Meaning, Options};
use refract::source::SourceFile;
use refract::vocabulary::Vocabulary;

use super::output::{say, show, Output};

/// `refract diff`
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The definition as it was.
    old: PathBuf,
    /// The definition as revised.
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// The seed of the search for a counterexample (the same seed, the same report).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seconds the search for a counterexample may take.
    #[arg(long, default_value_t = 3.0)]
    budget: f64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Readable text.
    Text,
    /// One JSON object.
    Json,
    /// Markdown, to paste into a pull request.
    Markdown,
}

fn read(path: &PathBuf) -> Result<std::sync::Arc<SourceFile>, String> {
    std::fs::read_to_string(path)
        .map(|text| SourceFile::new(path.display().to_string(), text))
        .map_err(|error| format!("error: cannot read {}: {error}", path.display()))
}

/// Exit 0 when the meaning is the same or no difference was found, 2 when a
/// counterexample was found (as `diff` does for differing files), 1 on an error.
pub fn run(args: DiffArgs) -> ExitCode {
    let (old, new) = match (read(&args.old), read(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(error), _) | (_, Err(error)) => {
            say(&error);
            return ExitCode::from(1);
        }
    };
    if !(args.budget.is_finite() && args.budget >= 0.0) {
        say("error: --budget must be a number of seconds, 0 or more");
        return ExitCode::from(1);
    }
    let options = Options {
        seed: args.seed,
        budget: Duration::from_secs_f64(args.budget.min(86_400.0)),
        shrink: true,
    };
    let report = match review::diff(&old, &new, &Vocabulary::builtin(), &options) {
        Ok(report) => report,
        Err(diagnostics) => {
            for shown in diagnostics.shown() {
                show(shown);
            }
            return ExitCode::from(1);
        }
    };
    let text = match args.format {
        DiffFormat::Text => review::text(&report),
        DiffFormat::Json => review::json(&report),
        DiffFormat::Markdown => review::markdown(&report),
    };
    let mut out = Output::stdout(1 << 16);
    out.write(text.as_bytes());
    if !text.ends_with('\n') {
        out.write(b"\n");
    }
    if !out.finish() {
        return ExitCode::from(1);
    }
    match report.meaning {
        Meaning::Different(_) => ExitCode::from(2),
        _ => ExitCode::SUCCESS,
    }
}
