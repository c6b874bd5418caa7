//! The `incident-archive` binary: parse arguments, run one command, exit with its code.
//!
//! The binary owns the application: [`cli`] (the clap definitions, the only user of clap),
//! [`commands`] (one file per subcommand), [`error`] (the one error type, which knows its
//! exit code) and [`pipeline`] (the nightly job as timed steps). They
//! drive the stages of the library, `incident_archive`, through its public API only.

mod cli;
mod commands;
mod error;
mod pipeline;

use clap::Parser;

/// mimalloc instead of glibc's malloc: parsing, indexing and rendering allocate many small
/// strings, and glibc's allocator took about a quarter of the parser's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let result = commands::run(cli::Cli::parse());
    std::process::ExitCode::from(commands::exit_code(result))
}
