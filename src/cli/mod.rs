//! Command-line types and dispatch.

mod check;
mod cohort_check;
mod compare;
mod convert;
mod diff;
mod eval;
mod fhir_input;
mod fmt;
mod input;
// The language server (`refract lsp`).
mod lsp;
mod output;
mod pipeline;
// The workbench page (`refract serve`).
mod serve;
mod test;
mod ties;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Definitions of TACE failure/refractoriness, evaluated against patient timelines.
#[derive(Debug, Parser)]
#[command(name = "refract", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate definitions against a patient (JSON) or a cohort (JSON Lines); `-` reads stdin.
    Eval(EvalArgs),
    /// Parse and check definition files (and, with --input, a cohort); exit 1 on any error.
    Check(CheckArgs),
    /// Write a seeded synthetic cohort (JSON Lines) to standard output, for benchmarks.
    Synth(SynthArgs),
    /// Rewrite definition files in the canonical layout; `--check` prints a diff instead.
    Fmt(fmt::FmtArgs),
    /// Review a revision of a definition: what changed, and a patient on which the meaning differs.
    Diff(diff::DiffArgs),
    /// Compare definitions over a cohort (agreement, kappa, changers, incidence), or two saved outputs.
    Compare(compare::CompareArgs),
    /// Run each definition's test deck (X.deck.jsonl beside X.crit); exit 1 on any failure.
    Test(test::TestArgs),
    /// Convert patients between formats (JSON Lines, long-format CSV), exactly.
    Convert(convert::ConvertArgs),
    /// A language server (LSP) on standard input and output, for editors.
    Lsp(lsp::LspArgs),
    /// Serve the workbench page: edit a definition, see each patient's timeline and verdict.
    Serve(serve::ServeArgs),
}

/// `refract synth`
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// How many patients.
    #[arg(long, default_value_t = 1000)]
    patients: usize,
    /// The seed: the same seed gives the same cohort, byte for byte.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// `refract eval`
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// A definition file or a folder of `.crit` files (repeatable; default: the shipped definitions).
    #[arg(long = "definition", short = 'd', value_name = "PATH")]
    definitions: Vec<PathBuf>,
    /// Ignore events after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Stop with exit code 1 at the first patient that cannot be read.
    #[arg(long)]
    strict: bool,
    /// Only read and check the timelines, evaluate nothing (the floor for benchmarks).
    #[arg(long)]
    parse_only: bool,
    /// Which reader reads JSON: `serde` is the reader before the byte scanner, for
    /// benchmarks that measure both in one run (benches/scale.sh). Same output.
    #[arg(long, value_enum, default_value_t = JsonReader::Scan, hide = true)]
    reader: JsonReader,
    /// Only the patient with this id (repeatable); exit 1 if one is not in the input.
    #[arg(long = "patient", value_name = "ID")]
    patients: Vec<String>,
    #[command(flatten)]
    from: input::From,
    /// The patient or cohort file.
    input: PathBuf,
}

/// The JSON reader's tiers ([`refract::timeline::Reader`]).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum JsonReader {
    /// The byte scanner first.
    Scan,
    /// serde's fast path and the checked path only.
    Serde,
}

impl From<JsonReader> for refract::timeline::Reader {
    fn from(reader: JsonReader) -> Self {
        match reader {
            JsonReader::Scan => refract::timeline::Reader::Scan,
            JsonReader::Serde => refract::timeline::Reader::Serde,
        }
    }
}

/// `refract check`
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Definition files or folders (default: the shipped definitions).
    paths: Vec<PathBuf>,
    /// Also validate a patient or cohort file against the vocabulary, and summarise its problems.
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    #[command(flatten)]
    from: input::From,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// JSON Lines, one object per patient and definition.
    Json,
    /// An aligned text table.
    Table,
    /// Comma-separated values: one row per patient and definition, one column per criterion.
    Csv,
    /// A readable block per patient and definition: every criterion with its reason, the
    /// events and values it rests on, and what would decide an unknown one.
    Report,
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Eval(args) => eval::run(args),
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Test(args) => test::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Synth(args) => {
            let mut out = output::Output::stdout(1 << 16);
            let mut target = OutputWriter(&mut out);
            // A failed write has ended `out`; finish() says whether it was a closed pipe.
            let _ = refract::synth::write_cohort(args.patients, args.seed, &mut target);
            if out.finish() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// The definition files to use: those given, or the shipped ones.
fn definition_paths(given: &[PathBuf]) -> Vec<PathBuf> {
    if given.is_empty() {
        vec![refract::shipped_definitions()]
    } else {
        given.to_vec()
    }
}

/// [`output::Output`] as an `io::Write` that fails once output has ended, so a writer
/// stops at the first failure.
struct OutputWriter<'a>(&'a mut output::Output);

impl std::io::Write for OutputWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        if self.0.is_open() {
            Ok(bytes.len())
        } else {
            Err(std::io::ErrorKind::WriteZero.into())
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
