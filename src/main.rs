//! The `incident-archive` binary: parse arguments, run one command, exit with its code.

use clap::Parser;

/// mimalloc instead of glibc's malloc: parsing, indexing and rendering allocate many small
/// strings, and glibc's allocator took about a quarter of the parser's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let (global, command) = incident_archive::cli::Cli::parse().into_command();
    let outcome = incident_archive::commands::run(global, command);
    std::process::ExitCode::from(outcome as u8)
}
