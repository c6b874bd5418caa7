//! `check`: parse records and run the sign-off gate, archiving nothing.

use std::path::PathBuf;

use super::{Context, Outcome};

#[derive(Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub json: bool,
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`check` is not implemented yet")
}
