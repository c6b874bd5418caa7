//! `generate-corpus` (hidden): a deterministic synthetic corpus for the benchmarks.

use std::path::PathBuf;

use super::{Context, Outcome};

#[derive(Debug)]
pub struct Options {
    pub count: usize,
    pub seed: u64,
    pub out: PathBuf,
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`generate-corpus` is not implemented yet")
}
