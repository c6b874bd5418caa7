//! `completions SHELL`: the shell's completion script, made from the clap definitions.

use super::{Outcome, emit_bytes};
use crate::cli::{self, CompletionsArgs};
use crate::error::Error;

/// Prints the script on standard output (`incident-archive completions bash > …`).
pub fn run(o: CompletionsArgs) -> Result<Outcome, Error> {
    emit_bytes(&cli::completions(o.shell))?;
    Ok(Outcome::Ok)
}
