//! The `incident-archive` binary: parse arguments, run one command, exit with its code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let (global, command) = incident_archive::cli::Cli::parse().into_command();
    let outcome = incident_archive::commands::run(global, command);
    std::process::ExitCode::from(outcome as u8)
}
