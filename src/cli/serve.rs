//! `refract serve`: the workbench page on a local port.

use std::path::PathBuf;
use std::process::ExitCode;

use refract::serve::{Config, Server};

/// `refract serve`
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The port (0: any free one; the address is printed).
    #[arg(long, default_value_t = 8707)]
    port: u16,
    /// The address to listen on. Anything but loopback lets other machines read the cohort
    /// and write the definitions folder.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The definitions folder the page opens, lists and saves into (default: the shipped
    /// definitions).
    #[arg(long = "definitions", short = 'd', value_name = "FOLDER")]
    definitions: Option<PathBuf>,
    /// The most patients kept from the cohort (each is held in memory, about 11 kB for a
    /// synthetic patient); the rest are counted and left out.
    #[arg(long, default_value_t = 20_000, value_name = "N")]
    max_patients: usize,
    /// The patient or cohort file (JSON or JSON Lines) shown on the page.
    cohort: Option<PathBuf>,
}

/// Run `refract serve` until interrupted.
pub fn run(args: ServeArgs) -> ExitCode {
    let mut config = Config::new(
        args.definitions
            .unwrap_or_else(refract::shipped_definitions),
    );
    config.address = if args.host.contains(':') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    config.cohort = args.cohort;
    config.limits.max_patients = args.max_patients;
    let server = match Server::bind(config) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("refract serve: {error}");
            return ExitCode::from(1);
        }
    };
    let state = server.state();
    let cohort = &state.cohort;
    let mut line = format!("refract serve: http://{}/", server.local_addr());
    line.push_str(&format!(" (definitions: {}", state.root.display()));
    if !cohort.name.is_empty() {
        line.push_str(&format!(
            "; {}: {} patients",
            cohort.name,
            cohort.patients.len()
        ));
        if cohort.error_count > 0 {
            line.push_str(&format!(", {} unreadable", cohort.error_count));
        }
        if cohort.left_out > 0 {
            line.push_str(&format!(", {} beyond the limit not shown", cohort.left_out));
        }
    }
    line.push(')');
    if !server.local_addr().ip().is_loopback() {
        eprintln!("refract serve: listening beyond this machine: anyone who can reach it can read the cohort and save definitions");
    }
    println!("{line}");
    // Tests and scripts read the address from the first line: send it now.
    let _ = std::io::Write::flush(&mut std::io::stdout());
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("refract serve: {error}");
            ExitCode::from(1)
        }
    }
}
