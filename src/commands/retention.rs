//! `retention report|hold|release|purge`.

use chrono::NaiveDate;

use super::{Context, Outcome};
use crate::archive::retention::{self, PurgeOptions, RetentionItem};
use crate::archive::{Archive, clock};

#[derive(Debug)]
pub enum Options {
    Report { within_days: u32, as_of: Option<NaiveDate>, json: bool },
    Hold { id: String, reason: String },
    Release { id: String, reason: String },
    Purge { dry_run: bool, as_of: Option<NaiveDate>, reason: String },
}

pub fn run(ctx: &Context, o: Options) -> anyhow::Result<Outcome> {
    let archive = Archive::open(&ctx.config.archive)?;
    match o {
        Options::Report { within_days, as_of, json } => {
            let as_of = match as_of {
                Some(d) => d,
                None => clock::today()?,
            };
            let rep = retention::report(&archive, as_of, within_days)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rep)?);
                return Ok(Outcome::Ok);
            }
            println!("retention as of {as_of}: {} records", rep.total);
            section("expired (may be purged)", &rep.expired, |i| format!("expired {}", i.retain_until));
            section(&format!("expiring within {within_days} days"), &rep.expiring, |i| {
                format!("until {} ({} days)", i.retain_until, i.days_left)
            });
            section("on legal hold", &rep.on_hold, |i| {
                let h = i.legal_hold.as_ref().expect("on hold");
                format!("until {}, held since {}: {}", i.retain_until, h.since.date_naive(), h.reason)
            });
            section("purged", &rep.purged, |i| {
                let p = i.purged.as_ref().expect("purged");
                format!("purged {}: {} (sha256 {})", p.at.date_naive(), p.reason, i.object)
            });
            println!("{} other records are retained beyond {within_days} days", rep.retained);
            Ok(Outcome::Ok)
        }
        Options::Hold { id, reason } => {
            let guard = archive.lock()?;
            let e = retention::hold(&archive, &guard, &id, &reason, clock::now()?)?;
            ctx.out.info(format!("`{id}` is on legal hold (ledger entry {}): {}", e.seq, reason.trim()));
            Ok(Outcome::Ok)
        }
        Options::Release { id, reason } => {
            let guard = archive.lock()?;
            let e = retention::release(&archive, &guard, &id, &reason, clock::now()?)?;
            ctx.out.info(format!(
                "`{id}` is no longer on legal hold (ledger entry {}): {}",
                e.seq,
                reason.trim()
            ));
            Ok(Outcome::Ok)
        }
        Options::Purge { dry_run, as_of, reason } => {
            let now = clock::now()?;
            let as_of = as_of.unwrap_or(now.date_naive());
            let guard = archive.lock()?;
            let rep = retention::purge(&archive, &guard, &PurgeOptions { as_of, reason, dry_run, now })?;
            let verb = if dry_run { "would purge" } else { "purged" };
            for i in &rep.purged {
                println!("{verb} {} (retained until {}, sha256 {})", i.id, i.retain_until, i.object);
            }
            for i in &rep.kept_on_hold {
                let h = i.legal_hold.as_ref().expect("on hold");
                println!(
                    "kept {}: on legal hold ({}), although retained only until {}",
                    i.id, h.reason, i.retain_until
                );
            }
            if !ctx.out.quiet {
                println!(
                    "{verb} {} records as of {as_of}{}; root {} ({} ledger entries)",
                    rep.purged.len(),
                    if dry_run {
                        String::new()
                    } else {
                        format!(", {} objects removed", rep.objects_removed)
                    },
                    rep.root,
                    rep.ledger_len
                );
            }
            Ok(Outcome::Ok)
        }
    }
}

fn section(title: &str, items: &[RetentionItem], detail: impl Fn(&RetentionItem) -> String) {
    if items.is_empty() {
        return;
    }
    println!("\n{title}: {}", items.len());
    for i in items {
        println!("  {:<16} {}  {}", i.id, detail(i), i.title);
    }
}
