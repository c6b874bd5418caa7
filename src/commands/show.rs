//! `show`: an archived record, parsed or raw, with its provenance.
//!
//! Record text is untrusted: the human form shows its controls and bidi overrides as visible
//! escapes ([`term`]), `--json` writes them as JSON escapes (the same data), and `--raw` writes the
//! exact bytes, but not to a terminal when they hold characters a terminal would act on.

use std::fmt::Write as _;
use std::io::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use incident_archive::archive::{Archive, RecordHistory, VersionInfo};
use incident_archive::record::Incident;
use serde_json::{Value, json};

use super::{Context, Outcome, emit, term};
use crate::cli::ShowArgs;
use crate::error::Error;

pub fn run(ctx: &Context, o: ShowArgs) -> Result<Outcome, Error> {
    let archive = Archive::open(&ctx.config.archive)?;
    let history = archive.history(&o.id)?;
    let rec = &history.record;
    let version = match o.version {
        None => rec.versions.last().expect("a record has a version"),
        Some(n) => rec.versions.iter().find(|v| v.version == n).ok_or_else(|| {
            Error::msg(format!("`{}` has no version {n} (versions 1 to {})", rec.id, rec.versions.len()))
        })?,
    };
    let bytes = match &rec.purged {
        Some(p) => {
            if o.raw {
                return Err(Error::msg(format!(
                    "`{}` was purged on {} (`{}`): its bytes are gone; the ledger keeps their hash `{}`",
                    rec.id,
                    p.at.date_naive(),
                    term(&p.reason),
                    version.object
                )));
            }
            None
        }
        None => Some(archive.read_verified(&version.object)?),
    };
    if o.raw {
        let (_, bytes) = bytes.expect("not purged");
        if ctx.out.terminal
            && let Some(why) = terminal_controls(&bytes)
        {
            return Err(Error::msg(format!(
                "`{}` holds {why}, which a terminal would act on: `--raw` writes the exact bytes to a \
                 file or a pipe only (`incident-archive show {} --raw | cat -v`); `show` without \
                 `--raw` shows them escaped",
                rec.id, rec.id
            )));
        }
        let mut out = std::io::stdout().lock();
        return match out.write_all(&bytes).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(Outcome::Ok),
        };
    }
    // The record is read with the sign-off sidecar archived with this version, if any.
    let sidecar = match (&bytes, &version.attestation) {
        (Some(_), Some(a)) => Some(archive.read_verified(&a.object)?),
        _ => None,
    };
    let incident = bytes.and_then(|(path, b)| {
        let sidecar = sidecar.as_ref().map(|(p, b)| (p.as_path(), &b[..]));
        incident_archive::record::parse_with_sidecar(&path, &b, sidecar).incident
    });
    if o.json {
        let mut doc = match &incident {
            Some(i) => serde_json::to_value(i)?,
            None => json!({ "id": rec.id }),
        };
        if let Value::Object(m) = &mut doc {
            m.insert("provenance".into(), provenance(&history, version));
        }
        let json = serde_json::to_string_pretty(&doc)?;
        emit(&format!("{}\n", incident_archive::text::json(&json)))?;
        return Ok(Outcome::Ok);
    }
    emit(&human(&history, version, incident.as_ref())?)?;
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
        "sign_off_source": if shown.attestation.is_some() { "attested on import" } else { "document" },
        "attestation": shown.attestation,
        "retention_years": h.retention_years,
        "retain_until": r.retain_until,
        "legal_hold": r.legal_hold,
        "purged": r.purged,
        "last_seq": r.last_seq(),
        "root": h.root,
        "ledger_len": h.ledger_len,
        "entries": h.entries,
    })
}

/// Why `bytes` must not be written raw to a terminal: the first character, other than tab, line
/// feed and carriage return, that is a control (ESC, C1…), a bidi override or a noncharacter,
/// and its line; `None` when there is none.
fn terminal_controls(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let at = text.find(incident_archive::text::is_hidden)?;
    let c = text[at..].chars().next()?;
    let line = text[..at].matches('\n').count() + 1;
    Some(format!("the control character `{}` (line {line})", term(c.encode_utf8(&mut [0; 4]))))
}

fn human(h: &RecordHistory, shown: &VersionInfo, incident: Option<&Incident>) -> Result<String, Error> {
    let r = &h.record;
    let mut out = String::new();
    match (&r.purged, incident) {
        (Some(p), _) => writeln!(out, "{}  {}", term(&r.id), p.disposal_note())?,
        (None, Some(i)) => writeln!(out, "{}  {}", term(&r.id), term(&i.title))?,
        (None, None) => writeln!(out, "{}", term(&r.id))?,
    }
    if let Some(i) = incident {
        let label = i.severity_label.as_deref().map(|l| format!(" ({})", term(l))).unwrap_or_default();
        writeln!(out, "severity      {}{label}", term(&i.severity))?;
        writeln!(out, "status        {}", term(&i.status))?;
        if let Some(s) = i.started_at {
            let end = i.ended_at.map(|e| format!(" to {}", utc(&e))).unwrap_or_default();
            writeln!(out, "time          {}{end}", utc(&s))?;
        }
    }
    writeln!(out, "signed off    {} by {}", h.sign_off.date, term(&h.sign_off.approved_by))?;
    if let Some(a) = &shown.attestation {
        let reference = incident
            .and_then(|i| i.attestation.as_ref()?.reference.as_deref())
            .map(|r| format!(", reference {}", term(r)))
            .unwrap_or_default();
        writeln!(
            out,
            "sign-off      attested on import: sidecar sha256 {} ({} bytes){reference}",
            a.object, a.size
        )?;
    } else {
        writeln!(out, "sign-off      written in the document")?;
    }
    writeln!(
        out,
        "version       {} of {}, sha256 {} ({} bytes at the latest version)",
        shown.version,
        r.versions.len(),
        shown.object,
        h.size
    )?;
    writeln!(out, "ingested at   {}", utc(&shown.ingested_at))?;
    writeln!(out, "retain until  {} ({} years after sign-off)", r.retain_until, h.retention_years)?;
    match &r.legal_hold {
        Some(hold) => {
            writeln!(out, "legal hold    since {}: {}", hold.since.date_naive(), term(&hold.reason))?
        }
        None => writeln!(out, "legal hold    none")?,
    }
    if let Some(p) = &r.purged {
        writeln!(out, "purged        {}: {}", utc(&p.at), term(&p.reason))?;
    }
    writeln!(out, "history (archive root {}, {} entries):", h.root, h.ledger_len)?;
    for e in &h.entries {
        let reason = e.reason.as_deref().map(|r| format!(": {}", term(r))).unwrap_or_default();
        writeln!(out, "  seq {:<6} {}  {:<12} {}{reason}", e.seq, utc(&e.at), e.action.as_str(), e.object)?;
    }
    Ok(out)
}

fn utc(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_bytes_with_terminal_controls_are_named() {
        assert_eq!(terminal_controls(b"# a\r\n\tb \xc3\xa9\n"), None);
        assert_eq!(
            terminal_controls(b"# a\nb\n x \x1b[2J"),
            Some("the control character `\\u{1b}` (line 3)".to_string())
        );
        assert_eq!(
            terminal_controls("a \u{202e}gnp.exe".as_bytes()),
            Some("the control character `\\u{202e}` (line 1)".to_string())
        );
        assert!(terminal_controls(b"\xc2\x9b31m").is_some(), "C1 CSI");
    }
}
