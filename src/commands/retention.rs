//! `retention report|hold|release|purge`.

use chrono::NaiveDate;

use super::{Context, Outcome};

#[derive(Debug)]
pub enum Options {
    Report { within_days: u32, as_of: Option<NaiveDate>, json: bool },
    Hold { id: String, reason: String },
    Release { id: String, reason: String },
    Purge { dry_run: bool, as_of: Option<NaiveDate>, reason: String },
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`retention` is not implemented yet")
}
