//! `verify`: re-hash every object and check the ledger, the root and the retention fields.

use super::{Context, Outcome};

#[derive(Debug)]
pub struct Options {
    pub json: bool,
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`verify` is not implemented yet")
}
