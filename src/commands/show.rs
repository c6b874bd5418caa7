//! `show`: an archived record, parsed or raw, with its provenance.

use super::{Context, Outcome};

#[derive(Debug)]
pub struct Options {
    pub id: String,
    pub json: bool,
    pub raw: bool,
    pub version: Option<u32>,
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`show` is not implemented yet")
}
