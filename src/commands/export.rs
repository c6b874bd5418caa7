//! `export search`: the index documents as OpenSearch `_bulk` or Quickwit NDJSON files (the work
//! is [`incident_archive::bulk`]'s).

use incident_archive::archive::Archive;
use incident_archive::bulk::{self, BulkOptions, Exported, Format};

use super::{Context, Outcome};
use crate::cli::{SearchExportArgs, SearchFormat};
use crate::error::{Error, ResultExt as _};

pub fn run_search(ctx: &Context, o: SearchExportArgs) -> Result<Outcome, Error> {
    let archive = Archive::open(&ctx.config.archive)?;
    let format = match o.format {
        SearchFormat::Opensearch => Format::OpenSearch,
        SearchFormat::Ndjson => Format::Ndjson,
    };
    let opts = BulkOptions { format, since_seq: o.since_seq, index: o.index };
    let export = match bulk::export(&archive, &opts)? {
        Exported::Some(e) => e,
        Exported::NothingNew { since: Some(n), ledger_len } => {
            ctx.out.info(format!(
                "nothing new after ledger entry {n} (the archive's last is {}): nothing written",
                ledger_len.saturating_sub(1)
            ));
            return Ok(Outcome::Ok);
        }
        Exported::NothingNew { since: None, .. } => {
            ctx.out.info("the archive has no ledger entry: nothing written");
            return Ok(Outcome::Ok);
        }
    };
    let written = export
        .write(&o.out)
        .with_context(|| format!("cannot write the search export into `{}`", o.out.display()))?;
    let replaced = if export.replaced > 0 {
        format!(", {} replaced-document delete tasks", export.replaced)
    } else {
        String::new()
    };
    for p in &written.files {
        ctx.out.detail(format!("wrote `{}`", p.display()));
    }
    ctx.out.info(format!(
        "ledger entries {}..={}: {} documents, {} purges as deletes{replaced}; wrote {} (root {})",
        export.first,
        export.last,
        export.documents,
        export.purges,
        written.files.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", "),
        export.root
    ));
    for (p, n) in &written.scrubbed {
        ctx.out.info(format!(
            "rewrote `{}` without {n} document{} of records purged since it was written",
            p.display(),
            if *n == 1 { "" } else { "s" }
        ));
    }
    Ok(Outcome::Ok)
}
