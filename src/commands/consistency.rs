//! `consistency OLD_CHECKPOINT [--vkey KEY|FILE] [--json]`: proves, with an RFC 6962
//! consistency proof computed from the ledger, that the archive's committed tree extends the
//! tree of a checkpoint kept from earlier, and prints the proof as the tlog tools do (base64
//! hashes). Exit 0 when it does; 1 when it does not (history rewritten, the old tree larger,
//! another origin) or the old checkpoint's signature does not check with `--vkey`; 2 on bad
//! input.

use std::fmt::Write as _;

use incident_archive::archive::Archive;
use incident_archive::note::Checkpoint;
use incident_archive::note::publish::{self, CheckpointFile, b64};
use serde::Serialize;

use super::{Context, Outcome, emit};
use crate::cli::ConsistencyArgs;
use crate::error::{Error, ResultExt as _};

/// One checkpoint as printed.
#[derive(Debug, Serialize)]
struct Shown {
    origin: String,
    size: u64,
    root: String,
}

impl Shown {
    fn of(cp: &Checkpoint) -> Shown {
        Shown { origin: cp.origin().to_string(), size: cp.size(), root: b64(cp.root()) }
    }
}

/// The outcome, printed as JSON with `--json`.
#[derive(Debug, Serialize)]
struct Report {
    old: Shown,
    new: Shown,
    /// `verified by name+keyid`, or why the signature was not checked.
    signature: String,
    /// The consistency proof, base64, oldest subtree first (as RFC 6962 orders it).
    proof: Vec<String>,
    /// True when the archive extends the old checkpoint (and its signature checked, with
    /// `--vkey`).
    consistent: bool,
    /// Why not, when not.
    problem: Option<String>,
}

pub fn run(ctx: &Context, o: ConsistencyArgs) -> Result<Outcome, Error> {
    let vkey = o.vkey.as_deref().map(publish::read_verifier_key).transpose().context("bad `--vkey`")?;
    // A file that is not a checkpoint is bad input here (exit 2), not a refusal.
    let old = CheckpointFile::read(&o.old)
        .map_err(|e| Error::msg(publish::chain(&e)))?
        .ok_or_else(|| Error::msg(format!("cannot read `{}`: no such file", o.old.display())))?;
    let root = &ctx.config.archive;
    let archive =
        Archive::open(root).with_context(|| format!("cannot open the archive `{}`", root.display()))?;
    // Not half of a write in progress.
    let _guard = archive.lock_shared()?;
    let tree = publish::committed_tree(&archive)?;
    let current = CheckpointFile::read(&publish::note_path(&archive)).ok().flatten();
    let origin = ctx.config.origin();
    let origin = publish::archive_origin(current.as_ref(), ctx.config.signing.origin.as_deref(), &origin);
    let new = Checkpoint::new(&origin, tree.size(), tree.root)
        .map_err(|e| Error::msg(format!("the origin `{origin}` cannot open a checkpoint: {e}")))?;

    let mut problem = None;
    let signature = match (&vkey, &old.note) {
        (Some(k), _) => match old.verify(k) {
            Ok(v) => format!("verified by `{}`", v.verified[0].label()),
            Err(e) => {
                problem =
                    Some(format!("the old checkpoint's signature does not check with `{}`: {e}", k.label()));
                "invalid".to_string()
            }
        },
        (None, Some(note)) => {
            let by: Vec<String> = note.signatures().iter().map(|s| format!("`{}`", s.label())).collect();
            format!("not checked (signed by {}; give `--vkey` to check it)", by.join(", "))
        }
        (None, None) => "not checked (the old checkpoint is unsigned)".to_string(),
    };
    let proof = match publish::prove_extends(&tree, &new, &old.checkpoint) {
        Ok(p) => p.iter().map(b64).collect(),
        Err(why) => {
            problem.get_or_insert(format!("the archive does not extend the old checkpoint: {why}"));
            // The proof as the ledger gives it, for whoever wants to look.
            tree.consistency_proof(old.checkpoint.size()).unwrap_or_default().iter().map(b64).collect()
        }
    };
    let report = Report {
        old: Shown::of(&old.checkpoint),
        new: Shown::of(&new),
        signature,
        proof,
        consistent: problem.is_none(),
        problem,
    };
    let mut out = String::new();
    if o.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        let line = |s: &Shown| format!("{} size {} root {}", super::term(&s.origin), s.size, s.root);
        writeln!(out, "old: {}", line(&report.old))?;
        writeln!(out, "new: {}", line(&report.new))?;
        writeln!(out, "signature: {}", report.signature)?;
        writeln!(out, "proof: {} hashes", report.proof.len())?;
        for h in &report.proof {
            writeln!(out, "  {h}")?;
        }
        match &report.problem {
            None => writeln!(
                out,
                "ok: the archive (size {}) extends the old checkpoint (size {}): nothing it covered was changed or removed",
                report.new.size, report.old.size
            )?,
            Some(p) => writeln!(out, "error: {}", super::term(p))?,
        }
    }
    emit(&out)?;
    Ok(if report.consistent { Outcome::Ok } else { Outcome::Problems })
}
