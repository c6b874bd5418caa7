//! `site`: render the static site from the archive.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{Context, Outcome};

#[derive(Debug)]
pub struct Options {
    pub out: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub as_of: Option<NaiveDate>,
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`site` is not implemented yet")
}
