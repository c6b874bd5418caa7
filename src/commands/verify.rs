//! `verify`: re-hash every object and check the ledger, the root and the retention fields.

use std::fmt::Write as _;

use incident_archive::archive::{self, Archive, ArchiveError};

use super::{Context, Outcome, emit};
use crate::cli::VerifyArgs;
use crate::error::Error;

pub fn run(ctx: &Context, o: VerifyArgs) -> Result<Outcome, Error> {
    let root = &ctx.config.archive;
    // A shared lock: never verify half of a write in progress.
    let opened = match Archive::open(root) {
        Ok(a) => Some(a),
        Err(ArchiveError::UnknownFormat { .. } | ArchiveError::NoArchive { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let _guard = opened.as_ref().map(Archive::lock_shared).transpose()?;
    let mut report = archive::verify_root(root)?;
    // The signed checkpoint, with the configured key's signature.
    if let Some(a) = &opened {
        let key = crate::pipeline::signer(&ctx.config)?.map(|k| k.verifier());
        crate::pipeline::check_signed(a, &mut report, key.as_ref());
        // With an S3 store: every object, version, lock and hold in the bucket.
        let a = a.clone().with_storage(crate::pipeline::storage_of(&ctx.config)?);
        crate::pipeline::check_store(&a, &mut report)?;
    }
    let mut out = String::new();
    if o.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        for p in &report.problems {
            writeln!(out, "{p}")?;
        }
        for n in &report.notes {
            ctx.out.info(format!("note: {n}"));
        }
        if !ctx.out.quiet || !report.ok {
            let summary = format!(
                "verified {} ledger entries and {} objects in `{}`: root {}",
                report.entries,
                report.objects,
                root.display(),
                if report.root.is_empty() { "unknown" } else { &report.root }
            );
            match report.problems.len() {
                0 => writeln!(out, "{summary}: ok")?,
                1 => writeln!(out, "{summary}: 1 problem")?,
                n => writeln!(out, "{summary}: {n} problems")?,
            }
        }
    }
    emit(&out)?;
    Ok(if report.ok { Outcome::Ok } else { Outcome::Problems })
}
