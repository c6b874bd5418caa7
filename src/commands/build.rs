//! `build`: the nightly job (ingest, index, site, verify) and its summary.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{Context, Outcome};

#[derive(Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub json: bool,
    pub report: Option<PathBuf>,
    pub as_of: Option<NaiveDate>,
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`build` is not implemented yet")
}
