//! `refract lsp`: the language server, on standard input and output.

use std::process::ExitCode;

use super::output::say;

/// `refract lsp`
#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Talk over standard input and output (the only way there is; editors' clients
    /// such as vscode-languageclient pass it).
    #[arg(long)]
    stdio: bool,
}

/// Serve until the client exits: status 0 after `shutdown` and `exit`, 1 otherwise.
pub fn run(args: LspArgs) -> ExitCode {
    let _ = args.stdio;
    match refract::lsp::serve_stdio() {
        Ok(refract::lsp::Ending::Orderly) => ExitCode::SUCCESS,
        Ok(refract::lsp::Ending::Abrupt) => ExitCode::from(1),
        Err(error) => {
            say(&format!("error: refract lsp: {error}"));
            ExitCode::from(1)
        }
    }
}
