//! `proof` and `verify-proof`: RFC 6962 inclusion proofs for ledger entries.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context as _;

use super::{Context, Outcome, emit};
use crate::archive::{Archive, InclusionProof};

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

pub fn run(ctx: &Context, o: Options) -> anyhow::Result<Outcome> {
    let archive = Archive::open(&ctx.config.archive)?;
    let proof = archive.inclusion_proof(&o.id, o.version)?;
    emit(&format!("{}\n", serde_json::to_string_pretty(&proof)?))?;
    Ok(Outcome::Ok)
}

pub fn run_verify(ctx: &Context, o: VerifyOptions) -> anyhow::Result<Outcome> {
    let text = match o.proof.as_deref() {
        None => read_stdin()?,
        Some(p) if p.as_os_str() == "-" => read_stdin()?,
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("cannot read `{}`", p.display()))?,
    };
    let proof: InclusionProof =
        serde_json::from_str(&text).context("not an inclusion proof printed by `proof`")?;
    match proof.check(o.root.as_deref()) {
        Ok(root) => {
            if !ctx.out.quiet {
                emit(&format!(
                    "ok: entry {} about `{}` is in the ledger of {} entries with root {root}\n",
                    proof.leaf_index, proof.id, proof.tree_size
                ))?;
            }
            Ok(Outcome::Ok)
        }
        Err(why) => {
            emit(&format!("error: the proof does not check out: {why}\n"))?;
            Ok(Outcome::Problems)
        }
    }
}

fn read_stdin() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).context("cannot read the proof from standard input")?;
    Ok(s)
}
