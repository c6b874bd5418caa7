//! `index`: update (or rebuild) the tantivy index from the archive.

use super::{Context, Outcome};

#[derive(Debug)]
pub struct Options {
    pub rebuild: bool,
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`index` is not implemented yet")
}
