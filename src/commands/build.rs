//! `build`: the nightly job (ingest, index, site, verify) and its summary.

use std::fmt::Write as _;

use super::{Context, Outcome, emit};
use crate::cli::BuildArgs;
use crate::error::{Error, ResultExt as _};
use crate::pipeline::{self, BuildOptions, BuildReport};

pub fn run(ctx: &Context, o: BuildArgs) -> Result<Outcome, Error> {
    let out = ctx.out;
    let opts = BuildOptions { paths: o.paths, as_of: o.as_of, progress: out.bar(0, "ingest") };
    let log: Box<dyn Fn(&str)> = Box::new(move |line: &str| out.detail(line));
    let report = pipeline::build(&ctx.config, &opts, log)?;
    // Controls and bidi overrides of record text (in diagnostics) as JSON escapes: same data.
    let json = incident_archive::text::json(&serde_json::to_string_pretty(&report)?).into_owned();
    if let Some(path) = &o.report {
        std::fs::write(path, format!("{json}\n"))
            .with_context(|| format!("cannot write the report `{}`", path.display()))?;
    }
    if o.json {
        emit(&format!("{json}\n"))?;
    } else {
        emit(&summary(ctx, &report))?;
    }
    Ok(if report.ok() { Outcome::Ok } else { Outcome::Problems })
}

/// Prints diagnostics on standard error and returns the summary for standard output.
fn summary(ctx: &Context, r: &BuildReport) -> String {
    for note in &r.ingest.recovered {
        eprintln!("note: {note}");
    }
    for (_, diagnostics) in r.rejected() {
        for d in diagnostics {
            eprintln!("{}", super::term(&d.to_string()));
        }
    }
    // A sign-off sidecar without its record is no record's warning: it is always shown.
    let orphan = |w: &&incident_archive::record::Diagnostic| w.rule == "sidecar-orphan";
    for w in &r.ingest.warnings {
        if orphan(&w) {
            ctx.out.info(w);
        } else {
            ctx.out.detail(w);
        }
    }
    for skipped in &r.skipped {
        ctx.out.detail(skipped);
    }
    for w in &r.index.warnings {
        eprintln!("warning: {w}");
    }
    for p in &r.verify.problems {
        eprintln!("error[verify]: {p}");
    }
    let mut s = String::new();
    if ctx.out.quiet {
        return s;
    }
    let i = &r.ingest;
    _ = writeln!(
        s,
        "records: {} seen, {} new, {} new versions, {} unchanged, {} rejected",
        i.seen,
        i.new,
        i.new_versions,
        i.unchanged,
        i.rejected.len()
    );
    let warnings = i.warnings.iter().filter(|w| !orphan(w)).count();
    if warnings > 0 {
        _ = writeln!(s, "warnings: {warnings} in accepted records (see them with -v or `check`)");
    }
    if !r.skipped.is_empty() {
        let files = if r.skipped.len() == 1 { "file that is no record" } else { "files that are no records" };
        _ = writeln!(s, "skipped: {} {files} (`-v` lists them)", r.skipped.len());
    }
    if !r.overdue_action_items.is_empty() {
        _ = writeln!(
            s,
            "warning: {} open action items are overdue as of {}",
            r.overdue_action_items.len(),
            r.build_date
        );
    }
    _ = writeln!(s, "archive: {} ledger entries, root {}", r.verify.entries, r.verify.root);
    let p = &r.checkpoint;
    _ = writeln!(s, "{}{}", super::key::published_line(p), if p.written { "" } else { " (unchanged)" });
    _ = writeln!(
        s,
        "verify:  {} ({} objects hashed)",
        if r.verify.ok { "ok".to_string() } else { format!("{} problems", r.verify.problems.len()) },
        r.verify.objects
    );
    _ = writeln!(
        s,
        "index:   {} documents, {} reindexed, {} removed{}",
        r.index.documents,
        r.index.added,
        r.index.removed,
        if r.index.rebuilt { " (rebuilt)" } else { "" }
    );
    _ = writeln!(
        s,
        "site:    `{}` as of {}: {} pages rendered, {} reused; {} files written, {} unchanged, {} removed",
        r.output.display(),
        r.build_date,
        r.site.rendered,
        r.site.reused,
        r.site.write.written,
        r.site.write.unchanged,
        r.site.write.removed
    );
    let steps: Vec<String> = r.timings.iter().map(|t| format!("{} {:.2} s", t.step, t.seconds)).collect();
    _ = writeln!(s, "time:    {:.2} s ({})", r.seconds, steps.join(", "));
    if !r.site.timings.is_empty() {
        let parts: Vec<String> = r
            .site
            .timings
            .iter()
            .map(|t| format!("{} {:.2} s", t.part, t.milliseconds as f64 / 1000.0))
            .collect();
        _ = writeln!(s, "         site: {}", parts.join(", "));
    }
    s
}
