//! `man [COMMAND…]`: the manual page (roff) of the program or of one command, made from the clap
//! definitions.

use super::{Outcome, emit_bytes};
use crate::cli::{self, ManArgs};
use crate::error::Error;

/// Prints the page on standard output (`incident-archive man | man -l -`).
pub fn run(o: ManArgs) -> Result<Outcome, Error> {
    let Some(page) = cli::man_page(&o.command) else {
        return Err(Error::msg(format!(
            "no command `{}`: `incident-archive --help` lists them",
            super::term(&o.command.join(" "))
        )));
    };
    emit_bytes(&page)?;
    Ok(Outcome::Ok)
}
