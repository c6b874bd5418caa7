//! `export evidence` and `verify-bundle`: an evidence bundle made from the archive, and checked
//! as an auditor would (the work is [`incident_archive::evidence`]'s).

use std::fmt::Write as _;

use incident_archive::archive::{Archive, ArchiveError};
use incident_archive::evidence::{
    self, EvidenceError, ExportOptions, Selection, VerifyOptions, VerifyReport,
};
use incident_archive::index::IndexError;
use incident_archive::note::VerifierKey;

use super::{Context, Outcome, emit, term};
use crate::cli::{EvidenceArgs, VerifyBundleArgs};
use crate::error::{Error, ResultExt as _};

pub fn run_export(ctx: &Context, o: EvidenceArgs) -> Result<Outcome, Error> {
    evidence::check_output(&o.out)?;
    let archive = Archive::open(&ctx.config.archive)?;
    let signer = crate::pipeline::signer(&ctx.config)?;
    // A signed checkpoint must extend the one the owner kept (`signing.keep`), if any.
    let kept = match (&signer, &ctx.config.signing.keep) {
        (Some(_), Some(path)) => evidence::read_kept(path)?,
        _ => None,
    };
    let query = o.query.clone();
    let opts = ExportOptions {
        selection: Selection {
            ids: o.ids,
            query: o.query,
            customer: o.customer,
            since: o.since,
            until: o.until,
        },
        // The archive's own checkpoints' origin, so that the bundle's is the same log's.
        origin: crate::pipeline::checkpoint_origin(&ctx.config, &archive)?,
        signer,
        kept,
    };
    let bundle = match evidence::export(&archive, &opts) {
        Ok(b) => b,
        Err(EvidenceError::Index(IndexError::Query(error))) => {
            return Err(Error::Query { query: query.unwrap_or_default(), error });
        }
        Err(e) => return Err(e.into()),
    };
    bundle
        .write(&o.out)
        .with_context(|| format!("cannot write the evidence bundle `{}`", o.out.display()))?;
    let signed = match &bundle.verifier {
        Some(k) => format!("signed by `{}`", k.label()),
        None => "unsigned (no signing key)".to_string(),
    };
    let purged = if bundle.purged > 0 { format!(", {} purged", bundle.purged) } else { String::new() };
    ctx.out.info(format!(
        "wrote `{}`: {} records ({} versions{purged}), {} ledger entries with their inclusion proofs; \
         checkpoint of {} entries, root {}, {signed}",
        o.out.display(),
        bundle.records,
        bundle.versions,
        bundle.entries,
        bundle.tree_size,
        bundle.root
    ));
    Ok(Outcome::Ok)
}

/// A verifier key given as its text, or as a file holding it.
fn verifier_key(given: &str) -> Result<VerifierKey, Error> {
    match VerifierKey::parse(given) {
        Ok(k) => Ok(k),
        Err(e) => match std::fs::read_to_string(given) {
            Ok(text) => VerifierKey::parse(text.trim_end()).map_err(|e| {
                Error::msg(format!("`--vkey {given}`: the file does not hold a verifier key: {e}"))
            }),
            Err(_) => {
                Err(Error::msg(format!("`--vkey`: not a verifier key (`name+keyid+base64`) nor a file: {e}")))
            }
        },
    }
}

pub fn run_verify(ctx: &Context, o: VerifyBundleArgs) -> Result<Outcome, Error> {
    let vkey = o.vkey.as_deref().map(verifier_key).transpose()?;
    let files = evidence::read(&o.path)?;
    // Where the archive is (the configured one, or `--archive`), the bundle is checked against it.
    let archive = match Archive::open(&ctx.config.archive) {
        Ok(a) => Some(a),
        Err(ArchiveError::NoArchive { .. }) => None,
        Err(e) => return Err(e).context("cannot compare the bundle with the archive"),
    };
    let report = evidence::verify(&files, &VerifyOptions { vkey, archive: archive.as_ref() });
    if o.json {
        let json = serde_json::to_string_pretty(&report)?;
        emit(&format!("{}\n", incident_archive::text::json(&json)))?;
    } else {
        emit(&human(&report, &o.path.display().to_string(), ctx.out.quiet)?)?;
    }
    Ok(if report.ok() { Outcome::Ok } else { Outcome::Problems })
}

fn human(r: &VerifyReport, path: &str, quiet: bool) -> Result<String, Error> {
    let mut out = String::new();
    for f in &r.failures {
        writeln!(out, "{}", term(&f.to_string()))?;
    }
    if quiet {
        return Ok(out);
    }
    for p in &r.passed {
        writeln!(out, "ok: {}", term(p))?;
    }
    for n in &r.notes {
        writeln!(out, "note: {}", term(n))?;
    }
    match r.failures.len() {
        0 => writeln!(out, "bundle verified: `{}`", term(path))?,
        n => writeln!(out, "{n} problem{} in `{}`", if n == 1 { "" } else { "s" }, term(path))?,
    }
    Ok(out)
}
