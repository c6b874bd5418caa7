//! `index`: update (or rebuild) the tantivy index from the archive.

use incident_archive::archive::Archive;
use incident_archive::snapshot::{Snapshot, SnapshotOptions};

use super::{Context, Outcome};
use crate::cli::IndexArgs;
use crate::error::{Error, ResultExt as _};

pub fn run(ctx: &Context, o: IndexArgs) -> Result<Outcome, Error> {
    let root = &ctx.config.archive;
    let archive =
        Archive::open(root).with_context(|| format!("cannot open the archive `{}`", root.display()))?;
    // The lock: one writer of the index at a time, and what killed runs left can be removed.
    let guard = archive.lock()?;
    crate::pipeline::publish_if_recovered(&ctx.config, &archive, &guard)?;
    let snapshot = Snapshot::read(&archive, SnapshotOptions::default())
        .with_context(|| format!("cannot read the archive `{}`", root.display()))?;
    let dir = root.join("index");
    let report = if o.rebuild {
        incident_archive::index::rebuild(&dir, &snapshot)
    } else {
        incident_archive::index::update(&dir, &snapshot)
    }
    .with_context(|| format!("cannot index the archive `{}`", root.display()))?;
    drop(guard);
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let took = format!("{:.2} s", report.seconds);
    if report.rebuilt {
        ctx.out.info(format!("indexed {} records into `{}` ({took})", report.documents, dir.display()));
    } else if report.changed {
        ctx.out.info(format!(
            "index updated: {} reindexed, {} removed, {} records ({took})",
            report.added, report.removed, report.documents
        ));
        if report.expunged > 0 {
            ctx.out.info(format!(
                "index: {} deleted documents dropped from its files (segments merged anew)",
                report.expunged
            ));
        }
    } else {
        ctx.out.info(format!("index up to date: {} records", report.documents));
    }
    Ok(Outcome::Ok)
}
