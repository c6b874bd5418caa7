//! `proof` and `verify-proof`: RFC 6962 inclusion proofs for ledger entries.
//!
//! `verify-proof` checks a proof against the archive when it runs where one is (the configured
//! archive or `--archive`), against `--root` when given, and otherwise says that it checked
//! only the proof's own consistency (exit 1: that proves nothing about any archive).

use std::io::Read;

use incident_archive::archive::{Archive, ArchiveError, InclusionProof};

use super::{Context, Outcome, emit};
use crate::cli::{ProofArgs, VerifyProofArgs};
use crate::error::{Error, ResultExt as _};

pub fn run(ctx: &Context, o: ProofArgs) -> Result<Outcome, Error> {
    let archive = Archive::open(&ctx.config.archive)?;
    let proof = archive.inclusion_proof(&o.id, o.version)?;
    emit(&format!("{}\n", serde_json::to_string_pretty(&proof)?))?;
    Ok(Outcome::Ok)
}

pub fn run_verify(ctx: &Context, o: VerifyProofArgs) -> Result<Outcome, Error> {
    let text = match o.proof.as_deref() {
        None => read_stdin()?,
        Some(p) if p.as_os_str() == "-" => read_stdin()?,
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("cannot read `{}`", p.display()))?,
    };
    let proof: InclusionProof =
        serde_json::from_str(&text).context("not an inclusion proof printed by `proof`")?;
    // Inside an archive (the configured one, or `--archive`), the proof is checked against it.
    let dir = &ctx.config.archive;
    let archive = match Archive::open(dir) {
        Ok(a) => Some(a),
        Err(ArchiveError::NoArchive { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let root = match proof.check(o.root.as_deref()) {
        Ok(root) => root,
        Err(why) => {
            emit(&format!("error: the proof does not check out: {why}\n"))?;
            return Ok(Outcome::Problems);
        }
    };
    let entries = |n: u64| if n == 1 { "1 entry".to_string() } else { format!("{n} entries") };
    let what = format!(
        "entry {} about `{}` is in the ledger of {} with root {root}",
        proof.leaf_index,
        proof.id,
        entries(proof.tree_size)
    );
    let checked = match (&archive, &o.root) {
        (Some(a), _) => match proof.check_in(a, &root)? {
            Ok(n) => format!(
                "checked against the archive `{}`, whose ledger holds this entry and has this root at {}{}",
                dir.display(),
                entries(proof.tree_size),
                if n > proof.tree_size { format!(" ({} now)", entries(n)) } else { String::new() }
            ),
            Err(why) => {
                emit(&format!("error: the proof does not match the archive `{}`: {why}\n", dir.display()))?;
                return Ok(Outcome::Problems);
            }
        },
        (None, Some(_)) => "checked against the root given with `--root`".to_string(),
        (None, None) => {
            // The proof states its own root: without a root to compare it with, a proof made up
            // for an entry never archived passes this far.
            emit(&format!(
                "internally consistent only: not checked against any root: the audit path of entry {} \
                 about `{}` leads to the root the proof states itself ({root}, {}), as it would for an \
                 entry never archived; no archive at `{}` to check it against: give `--root HEX` with a \
                 root you trust, or run this where the archive is\n",
                proof.leaf_index,
                proof.id,
                entries(proof.tree_size),
                dir.display()
            ))?;
            return Ok(Outcome::Problems);
        }
    };
    if !ctx.out.quiet {
        emit(&format!("ok: {what}; {checked}\n"))?;
    }
    Ok(Outcome::Ok)
}

fn read_stdin() -> Result<String, Error> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).context("cannot read the proof from standard input")?;
    Ok(s)
}
