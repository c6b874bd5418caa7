//! `ingest`: archive accepted records as objects and ledger entries.

use std::path::PathBuf;

use super::{Context, Outcome};

#[derive(Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub json: bool,
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`ingest` is not implemented yet")
}
