//! `show`: an archived record, parsed or raw, with its provenance.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use super::{Context, Outcome};
use crate::archive::{Archive, RecordHistory, VersionInfo};

#[derive(Debug)]
pub struct Options {
    pub id: String,
    pub json: bool,
    pub raw: bool,
    pub version: Option<u32>,
}

pub fn run(ctx: &Context, o: Options) -> anyhow::Result<Outcome> {
    let archive = Archive::open(&ctx.config.archive)?;
    let history = archive.history(&o.id)?;
    let rec = &history.record;
    let version = match o.version {
        None => rec.versions.last().expect("a record has a version"),
        Some(n) => rec.versions.iter().find(|v| v.version == n).with_context(|| {
            format!("`{}` has no version {n} (versions 1 to {})", rec.id, rec.versions.len())
        })?,
    };
    let bytes = match &rec.purged {
        Some(p) => {
            if o.raw {
                bail!(
                    "`{}` was purged on {} (`{}`): its bytes are gone; the ledger keeps their hash `{}`",
                    rec.id,
                    p.at.date_naive(),
                    p.reason,
                    version.object
                );
            }
            None
        }
        None => Some(archive.read_verified(&version.object).map_err(anyhow::Error::msg)?),
    };
    if o.raw {
        let (_, bytes) = bytes.expect("not purged");
        std::io::stdout().lock().write_all(&bytes)?;
        return Ok(Outcome::Ok);
    }
    let incident = bytes.and_then(|(path, b)| crate::record::parse(&path, &b).incident);
    if o.json {
        let mut doc = match &incident {
            Some(i) => serde_json::to_value(i)?,
            None => json!({ "id": rec.id, "title": rec.title }),
        };
        if let Value::Object(m) = &mut doc {
            m.insert("provenance".into(), provenance(&history, version));
        }
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(Outcome::Ok);
    }
    print_human(&history, version, incident.as_ref());
    Ok(Outcome::Ok)
}

/// The provenance object of `show --json`.
fn provenance(h: &RecordHistory, shown: &VersionInfo) -> Value {
    let r = &h.record;
    json!({
        "version": shown.version,
        "object": shown.object,
        "ingested_at": shown.ingested_at,
        "latest_version": r.versions.len(),
        "versions": r.versions,
        "size": h.size,
        "sign_off": h.sign_off,
        "retention_years": h.retention_years,
        "retain_until": r.retain_until,
        "legal_hold": r.legal_hold,
        "purged": r.purged,
        "last_seq": r.last_seq,
        "root": h.root,
        "ledger_len": h.ledger_len,
        "entries": h.entries,
    })
}

fn print_human(h: &RecordHistory, shown: &VersionInfo, incident: Option<&crate::record::Incident>) {
    let r = &h.record;
    println!("{}  {}", r.id, r.title);
    if let Some(i) = incident {
        let label = i.severity_label.as_deref().map(|l| format!(" ({l})")).unwrap_or_default();
        println!("severity      {}{label}", i.severity);
        println!("status        {}", i.status);
        if let Some(s) = i.started_at {
            let end = i.ended_at.map(|e| format!(" to {}", utc(&e))).unwrap_or_default();
            println!("time          {}{end}", utc(&s));
        }
    }
    println!("signed off    {} by {}", h.sign_off.date, h.sign_off.approved_by);
    println!(
        "version       {} of {}, sha256 {} ({} bytes at the latest version)",
        shown.version,
        r.versions.len(),
        shown.object,
        h.size
    );
    println!("ingested at   {}", utc(&shown.ingested_at));
    println!("retain until  {} ({} years after sign-off)", r.retain_until, h.retention_years);
    match &r.legal_hold {
        Some(hold) => println!("legal hold    since {}: {}", hold.since.date_naive(), hold.reason),
        None => println!("legal hold    none"),
    }
    if let Some(p) = &r.purged {
        println!("purged        {}: {}", utc(&p.at), p.reason);
    }
    println!("history (archive root {}, {} entries):", h.root, h.ledger_len);
    for e in &h.entries {
        let reason = e.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
        println!("  seq {:<6} {}  {:<12} {}{reason}", e.seq, utc(&e.at), e.action.as_str(), e.object);
    }
}

fn utc(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
