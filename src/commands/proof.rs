//! `proof` and `verify-proof`: RFC 6962 inclusion proofs for ledger entries.

use std::path::PathBuf;

use super::{Context, Outcome};

#[derive(Debug)]
pub struct Options {
    pub id: String,
    pub version: Option<u32>,
}

#[derive(Debug)]
pub struct VerifyOptions {
    pub proof: Option<PathBuf>,
    pub root: Option<String>,
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`proof` is not implemented yet")
}

pub fn run_verify(_ctx: &Context, _o: VerifyOptions) -> anyhow::Result<Outcome> {
    anyhow::bail!("`verify-proof` is not implemented yet")
}
