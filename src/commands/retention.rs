//! `retention report|hold|release|purge`.

use std::fmt::Write as _;

use incident_archive::archive::retention::{self, PurgeOptions, RetentionItem};
use incident_archive::archive::{Archive, clock};

use super::{Context, Outcome, emit};
use crate::cli::RetentionCmd;
use crate::error::Error;
use crate::pipeline;

pub fn run(ctx: &Context, o: RetentionCmd) -> Result<Outcome, Error> {
    let archive = match &o {
        // A report reads the local copy alone.
        RetentionCmd::Report { .. } => Archive::open(&ctx.config.archive)?,
        _ => pipeline::open_archive(&ctx.config)?,
    };
    let mut out = String::new();
    let mut refused = false;
    match o {
        RetentionCmd::Report { within, as_of, json } => {
            let as_of = match as_of {
                Some(d) => d,
                None => clock::today()?,
            };
            let rep = retention::report(&archive, as_of, within)?;
            if json {
                writeln!(out, "{}", incident_archive::text::json(&serde_json::to_string_pretty(&rep)?))?;
            } else {
                writeln!(out, "retention as of {as_of}: {} records", rep.total)?;
                section(&mut out, "expired (may be purged)", &rep.expired, |i| {
                    format!("expired {}", i.retain_until)
                })?;
                section(&mut out, &format!("expiring within {within} days"), &rep.expiring, |i| {
                    format!("until {} ({} days)", i.retain_until, i.days_left)
                })?;
                section(&mut out, "on legal hold", &rep.on_hold, |i| {
                    let h = i.legal_hold.as_ref().expect("on hold");
                    format!("until {}, held since {}: {}", i.retain_until, h.since.date_naive(), h.reason)
                })?;
                section(&mut out, "purged", &rep.purged, |i| {
                    let p = i.purged.as_ref().expect("purged");
                    format!("purged {}: {} (sha256 {})", p.at.date_naive(), p.reason, i.object)
                })?;
                writeln!(out, "{} other records are retained beyond {within} days", rep.retained)?;
            }
        }
        RetentionCmd::Hold { id, reason } => {
            let signer = pipeline::signer(&ctx.config)?;
            let guard = archive.lock()?;
            let e = retention::hold(&archive, &guard, &id, &reason, clock::now()?);
            // Written even when the change failed (taking the lock may have finished an
            // interrupted write); the change's error comes first.
            let published = publish_after(ctx, &archive, &guard, signer.as_ref());
            let e = e?;
            published?;
            ctx.out.info(format!("`{id}` is on legal hold (ledger entry {}): {}", e.seq, reason.trim()));
        }
        RetentionCmd::Release { id, reason } => {
            let signer = pipeline::signer(&ctx.config)?;
            let guard = archive.lock()?;
            let e = retention::release(&archive, &guard, &id, &reason, clock::now()?);
            let published = publish_after(ctx, &archive, &guard, signer.as_ref());
            let e = e?;
            published?;
            ctx.out.info(format!(
                "`{id}` is no longer on legal hold (ledger entry {}): {}",
                e.seq,
                reason.trim()
            ));
        }
        RetentionCmd::Purge { dry_run, as_of, reason } => {
            // The system clock decides what may go; a debug build's fixed clock can only hold
            // it back (see `clock`).
            let now = clock::purge_now()?;
            let as_of = as_of.unwrap_or(now.date_naive());
            let signer = if dry_run { None } else { pipeline::signer(&ctx.config)? };
            let guard = archive.lock()?;
            let rep = retention::purge(&archive, &guard, &PurgeOptions { as_of, reason, dry_run, now })?;
            if !dry_run {
                publish_after(ctx, &archive, &guard, signer.as_ref())?;
            }
            refused = !rep.refused_by_store.is_empty();
            let verb = if dry_run { "would purge" } else { "purged" };
            for i in &rep.purged {
                writeln!(out, "{verb} {} (retained until {}, sha256 {})", i.id, i.retain_until, i.object)?;
            }
            for (i, why) in &rep.refused_by_store {
                writeln!(
                    out,
                    "kept {}: the store refused to delete it ({why}); no purge was recorded",
                    i.id
                )?;
            }
            for i in &rep.kept_on_hold {
                let h = i.legal_hold.as_ref().expect("on hold");
                writeln!(
                    out,
                    "kept {}: on legal hold ({}), although retained only until {}",
                    i.id, h.reason, i.retain_until
                )?;
            }
            if !ctx.out.quiet {
                let n = rep.purged.len();
                writeln!(
                    out,
                    "{verb} {n} {} as of {as_of}{}; root {} ({} ledger entries)",
                    if n == 1 { "record" } else { "records" },
                    if dry_run {
                        String::new()
                    } else {
                        format!(", {} objects removed", rep.objects_removed)
                    },
                    rep.root,
                    rep.ledger_len
                )?;
            }
            if !dry_run && !rep.purged.is_empty() {
                // Still under the lock: the purged text leaves the index, the cache and the site.
                let refreshed = pipeline::refresh_after_purge(&ctx.config, &archive, &guard);
                drop(guard);
                match refreshed {
                    Ok(r) => refreshed_lines(ctx, &mut out, &r)?,
                    Err(e) => {
                        emit(&out)?;
                        eprintln!("error: {}", e.message());
                        eprintln!(
                            "the purge is recorded and its bytes removed, but the index, the summary cache or the \
                             site may still hold the purged text: run `incident-archive build`"
                        );
                        return Ok(Outcome::Problems);
                    }
                }
            }
        }
    }
    emit(&out)?;
    Ok(if refused { Outcome::Problems } else { Outcome::Ok })
}

/// Writes the signed checkpoint under the lock the write held (see
/// [`pipeline::publish_checkpoint`]); with `-v`, says so.
fn publish_after(
    ctx: &Context,
    archive: &Archive,
    guard: &incident_archive::archive::LockGuard,
    signer: Option<&incident_archive::note::SignerKey>,
) -> Result<(), Error> {
    let p = pipeline::publish_checkpoint(archive, guard, &ctx.config, signer)?;
    if p.written {
        ctx.out.detail(super::key::published_line(&p));
    }
    pipeline::sync_store(archive)
}

/// What a purge refreshed, a line each.
fn refreshed_lines(ctx: &Context, out: &mut String, r: &pipeline::PurgeRefresh) -> Result<(), Error> {
    for w in r.index.iter().flat_map(|i| &i.warnings) {
        eprintln!("warning: {w}");
    }
    if ctx.out.quiet {
        return Ok(());
    }
    if r.cache {
        writeln!(out, "cache: rewritten without the purged records' summaries")?;
    }
    match &r.index {
        Some(i) if i.rebuilt => writeln!(out, "index: rebuilt without them, {} documents", i.documents)?,
        Some(i) => writeln!(
            out,
            "index: {} documents removed, {} deleted documents dropped from its files; {} documents",
            i.removed, i.expunged, i.documents
        )?,
        None => writeln!(out, "index: none in the archive")?,
    }
    match &r.site {
        Some(s) => writeln!(
            out,
            "site: `{}` rendered again: {} pages rendered, {} files written, {} removed",
            r.output.display(),
            s.rendered,
            s.write.written,
            s.write.removed
        )?,
        None => writeln!(
            out,
            "site: no site in `{}`; a site rendered elsewhere (`site --out`) must be rendered again",
            r.output.display()
        )?,
    }
    Ok(())
}

/// A listed record's title, or, for a purged record, that its content is gone (its title with
/// it).
fn shown_title(i: &RetentionItem) -> String {
    match (&i.purged, &i.title) {
        (Some(p), _) => p.disposal_note(),
        (None, Some(t)) => super::term(t).into_owned(),
        (None, None) => "(content unreadable: run `incident-archive verify`)".to_string(),
    }
}

fn section(
    out: &mut String,
    title: &str,
    items: &[RetentionItem],
    detail: impl Fn(&RetentionItem) -> String,
) -> std::fmt::Result {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title}: {}", items.len())?;
    for i in items {
        writeln!(out, "  {:<16} {}  {}", i.id, super::term(&detail(i)), shown_title(i))?;
    }
    Ok(())
}
