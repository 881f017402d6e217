//! The `refract` command line.

use std::process::ExitCode;

use clap::Parser;

mod cli;

// Evaluation makes many small, short-lived allocations (reasons, selections); mimalloc
// serves them several times faster than the system allocator (measured in README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::run(args)
}
