//! The sign-off sidecar `X.signoff.yaml` beside `X.md`: an operator's attestation of what a
//! document lacks (its id, its approver and approval date, and optionally its title, status,
//! start, severity and retention), applied to the parsed record before it is archived.
//!
//! The document's own statements win: a sidecar fills only what the document does not state.
//! A value that differs from the document's is a warning naming both (`sidecar-mismatch`),
//! except the sign-off, where it is an error (`sidecar-sign-off-conflict`): an attestation
//! cannot overrule the approver or date a document was signed with. A sidecar that is not
//! valid YAML, lacks `approved_by` or `approved_on`, or has a key not listed below is an error
//! (`sidecar-invalid`, with the sidecar's file and line).
//!
//! ```yaml
//! id: EXT-2020-0709            # when the document has none
//! approved_by: Jane Doe, Head of Compliance
//! approved_on: 2020-07-20      # retention counts from here
//! reference: TICKET-123        # optional: where the approval is recorded
//! title: …                     # optional facts the document lacks
//! status: Resolved
//! started_at: 2020-07-09       # a date (day precision) or a datetime with a zone
//! severity: P2
//! retention_years: 7
//! ```
//!
//! A `started_at` date without a time of day is a start known to the day (`start_precision:
//! "day"`, the `start-date-only` warning), as in a document. A status or start that the parser
//! only inferred (`status-inferred`, `start-inferred`) is no statement of the document: the
//! sidecar's replaces it. A record signed off by its sidecar and with no status anywhere is taken
//! as closed (`status-inferred`), as one signed off in the document is.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::Precision;
use super::values::{self, shown};
use super::{Diagnostic, Parsed};

/// The suffix that replaces a record's `.md` to name its sidecar.
pub const SIDECAR_SUFFIX: &str = ".signoff.yaml";

/// Sidecars larger than this are refused (`sidecar-invalid`) without being read: a sidecar holds
/// a handful of short values.
pub const MAX_SIDECAR_BYTES: usize = 16 * 1024;

/// What an operator attested on import, as kept on the record (the JSON of `check --json` and
/// `show --json`, and what the incident page's provenance shows).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attestation {
    /// SHA-256 of the sidecar's bytes (hex): the name of its object in the archive.
    pub sidecar: String,
    pub approved_by: String,
    pub approved_on: NaiveDate,
    /// Where the approval is recorded (a ticket, a minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The facts the record takes from the sidecar because the document does not state them
    /// (`id`, `title`, `status`, `started_at`, `severity`, `retention_years`, `approved_by`,
    /// `approved_on`).
    #[serde(default)]
    pub supplied: Vec<String>,
}

/// The sidecar's keys; any other is an error.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SidecarFile {
    id: Option<String>,
    approved_by: String,
    approved_on: String,
    reference: Option<String>,
    title: Option<String>,
    status: Option<String>,
    started_at: Option<String>,
    severity: Option<String>,
    retention_years: Option<u32>,
}

/// The sidecar path of a record: `X.md` → `X.signoff.yaml` (any case of `.md`); `None` for a
/// file that does not end in `.md`.
pub fn sidecar_path(record: &Path) -> Option<PathBuf> {
    let name = record.file_name()?.to_str()?;
    let stem = name
        .len()
        .checked_sub(3)
        .filter(|&i| name.is_char_boundary(i) && name[i..].eq_ignore_ascii_case(".md"))?;
    Some(record.with_file_name(format!("{}{SIDECAR_SUFFIX}", &name[..stem])))
}

/// The record a sidecar belongs to: `X.signoff.yaml` → `X.md`; `None` when the name is not a
/// sidecar's.
pub fn record_of_sidecar(sidecar: &Path) -> Option<PathBuf> {
    let name = sidecar.file_name()?.to_str()?;
    let stem = name.strip_suffix(SIDECAR_SUFFIX).filter(|s| !s.is_empty())?;
    Some(sidecar.with_file_name(format!("{stem}.md")))
}

/// A sidecar's path and bytes.
pub type SidecarBytes = (PathBuf, Vec<u8>);

/// The sign-off sidecar beside a record file and its bytes, when there is one (a path that is
/// not there is none; one that is there but cannot be read, or is not a regular file, is an
/// error with its path).
pub fn read_sidecar(record: &Path) -> Result<Option<SidecarBytes>, (PathBuf, std::io::Error)> {
    let Some(spath) = sidecar_path(record) else { return Ok(None) };
    match std::fs::symlink_metadata(&spath) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        // Never followed: a link could archive any file the run can read as an attestation.
        Ok(meta) if meta.file_type().is_symlink() => {
            let e = std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a symbolic link is not followed: the sidecar must be a regular file",
            );
            return Err((spath, e));
        }
        _ => {}
    }
    match super::read_file(&spath) {
        Ok(bytes) => Ok(Some((spath, bytes))),
        Err(e) => Err((spath, e)),
    }
}

/// Parses and gates a record together with its sidecar (`path` and bytes), when it has one.
pub fn parse_with_sidecar(path: &Path, bytes: &[u8], sidecar: Option<(&Path, &[u8])>) -> Parsed {
    let mut parsed = super::parse(path, bytes);
    if let Some((spath, sbytes)) = sidecar {
        apply(&mut parsed, path, spath, sbytes);
    }
    parsed
}

/// The 1-based line of `key:` at the start of a line of the sidecar, else 1.
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':')))
        .map_or(1, |i| i + 1)
}

/// Applies a sidecar's attestation to a parsed record: fills what the document lacks, lifts the
/// gate's errors about what the sidecar now supplies, and adds the sidecar's own diagnostics.
pub fn apply(parsed: &mut Parsed, record: &Path, spath: &Path, sbytes: &[u8]) {
    let mut out: Vec<Diagnostic> = Vec::new();
    let invalid = |line: usize, msg: String| Diagnostic::error(spath, line, "sidecar-invalid", msg);
    if sbytes.len() > MAX_SIDECAR_BYTES {
        let msg =
            format!("the sidecar is {} bytes; the limit is {MAX_SIDECAR_BYTES} bytes (16 KiB)", sbytes.len());
        parsed.diagnostics.push(invalid(1, msg));
        return;
    }
    let text = match std::str::from_utf8(sbytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let line = sbytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            parsed.diagnostics.push(invalid(line, "the sidecar is not UTF-8 text".into()));
            return;
        }
    };
    let file: SidecarFile = match serde_norway::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.location().map_or(1, |l| l.line());
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg);
            parsed
                .diagnostics
                .push(invalid(line, format!("the sidecar is not a valid sign-off attestation: {msg}")));
            return;
        }
    };
    let line = |key: &str| key_line(text, key);
    let approved_on = match values::parse_date(&file.approved_on) {
        Ok(d) => Some(d),
        Err(why) => {
            out.push(invalid(line("approved_on"), format!("`approved_on` cannot be read: {why}")));
            None
        }
    };
    if values::is_placeholder(&file.approved_by) {
        let msg = format!("`approved_by` is `{}`, not a name", shown(&file.approved_by));
        out.push(invalid(line("approved_by"), msg));
    }
    let Some(approved_on) = approved_on else {
        parsed.diagnostics.extend(out);
        return;
    };
    let Some(inc) = parsed.incident.as_mut() else {
        parsed.diagnostics.extend(out);
        return;
    };
    let has = |rule: &str| parsed.diagnostics.iter().any(|d| d.path == record && d.rule == rule);
    let start_invalid = has("start-invalid");
    // A status or start the parser inferred (`status-inferred`, `start-inferred`) is not stated by
    // the document: what the sidecar attests replaces it, and the inference's warning goes.
    let status_inferred = has("status-inferred");
    let status_missing = has("status-missing");
    let start_inferred = has("start-inferred");
    let date_invalid = has("sign-off-date-invalid");
    let mut lifted: Vec<&str> = Vec::new();
    let mut supplied: Vec<String> = Vec::new();
    let mismatch = |out: &mut Vec<Diagnostic>, key: &str, doc: &str, side: &str| {
        out.push(Diagnostic::warning(
            spath,
            line(key),
            "sidecar-mismatch",
            format!(
                "the sidecar's `{key}` is `{}` but the document `{}` states `{}`; the document's is kept",
                shown(side),
                record.display(),
                shown(doc)
            ),
        ));
    };

    if let Some(id) = file.id.as_deref().map(str::trim) {
        if inc.id.is_empty() {
            if values::is_safe_id(id) {
                inc.id = id.to_string();
                supplied.push("id".into());
                lifted.push("id-missing");
            } else {
                let msg =
                    format!("id `{}` is not of the safe form `[A-Za-z0-9][A-Za-z0-9._-]{{0,63}}`", shown(id));
                out.push(Diagnostic::error(spath, line("id"), "id-unsafe", msg));
            }
        } else if inc.id != id {
            mismatch(&mut out, "id", &inc.id.clone(), id);
        }
    }
    if let Some(title) = file.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if inc.title.is_empty() {
            inc.title = title.to_string();
            supplied.push("title".into());
            lifted.push("title-missing");
        } else if inc.title.trim() != title {
            mismatch(&mut out, "title", &inc.title.clone(), title);
        }
    }
    if let Some(status) = file.status.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if inc.status.is_empty() || status_inferred {
            if values::is_closed_status(status) {
                inc.status = status.to_string();
                supplied.push("status".into());
                lifted.push("status-missing");
                lifted.push("status-inferred");
            } else {
                let msg = format!(
                    "status is `{}`; only `Resolved` or `Closed` records can be archived",
                    shown(status)
                );
                out.push(Diagnostic::error(spath, line("status"), "status-not-closed", msg));
            }
        } else if !inc.status.trim().eq_ignore_ascii_case(status) {
            mismatch(&mut out, "status", &inc.status.clone(), status);
        }
    }
    if let Some(start) = file.started_at.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let read = match NaiveDate::parse_from_str(start, "%Y-%m-%d") {
            Ok(day) => Ok((day.and_time(NaiveTime::MIN).and_utc(), true)),
            Err(_) => values::parse_datetime(start).map(|t| (t, false)),
        };
        match read {
            Err(why) => out.push(Diagnostic::error(
                spath,
                line("started_at"),
                "start-invalid",
                format!("`started_at` cannot be read: {why}"),
            )),
            Ok((at, day)) => match inc.started_at.filter(|_| !start_inferred) {
                None if !start_invalid => {
                    inc.started_at = Some(at);
                    inc.start_precision = day.then_some(Precision::Day);
                    lifted.push("start-inferred");
                    if let Some(end) = inc.ended_at {
                        inc.duration_seconds = Some((end - at).num_seconds());
                    }
                    supplied.push("started_at".into());
                    lifted.push("start-missing");
                    if day {
                        out.push(Diagnostic::warning(
                            spath,
                            line("started_at"),
                            "start-date-only",
                            format!("the sidecar's `started_at` {start} is a date without a time of day; kept as that day"),
                        ));
                    }
                }
                None => {}
                Some(doc) if (day && doc.date_naive() != at.date_naive()) || (!day && doc != at) => {
                    mismatch(&mut out, "started_at", &doc.format("%Y-%m-%d %H:%M:%S UTC").to_string(), start)
                }
                Some(_) => {}
            },
        }
    }
    if let Some(sev) = file.severity.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        match values::parse_severity(sev) {
            None => out.push(Diagnostic::warning(
                spath,
                line("severity"),
                "severity-invalid",
                format!("severity `{}` is not one of `P1`..`P5`", shown(sev)),
            )),
            Some((level, label)) if inc.severity.is_empty() => {
                inc.severity = level;
                inc.severity_label = label;
                supplied.push("severity".into());
            }
            Some((level, _)) if level != inc.severity => {
                mismatch(&mut out, "severity", &inc.severity.clone(), sev)
            }
            Some(_) => {}
        }
    }
    if let Some(years) = file.retention_years {
        match inc.retention.years {
            _ if years == 0 || years > values::MAX_RETENTION_YEARS => out.push(Diagnostic::error(
                spath,
                line("retention_years"),
                "retention-too-long",
                format!(
                    "`retention_years` is {years}; it must be 1 to {} years",
                    values::MAX_RETENTION_YEARS
                ),
            )),
            None => {
                inc.retention.years = Some(years);
                supplied.push("retention_years".into());
            }
            Some(doc) if doc != years => {
                mismatch(&mut out, "retention_years", &doc.to_string(), &years.to_string())
            }
            Some(_) => {}
        }
    }

    // The sign-off: the document's wins, and a different one is an error.
    let approver = file.approved_by.trim();
    let doc_approver = inc.sign_off.approved_by.trim().to_string();
    if values::is_placeholder(&doc_approver) {
        if !values::is_placeholder(approver) {
            inc.sign_off.approved_by = approver.to_string();
            supplied.push("approved_by".into());
            lifted.push("sign-off-missing");
        }
    } else if doc_approver != approver {
        out.push(Diagnostic::error(
            spath,
            line("approved_by"),
            "sidecar-sign-off-conflict",
            format!(
                "the sidecar's `approved_by` is `{}` but the document `{}` is approved by `{}`",
                shown(approver),
                record.display(),
                shown(&doc_approver)
            ),
        ));
    }
    match inc.sign_off.date {
        None if !date_invalid => {
            inc.sign_off.date = Some(approved_on);
            supplied.push("approved_on".into());
            lifted.push("sign-off-date-missing");
        }
        None => {}
        Some(doc) if doc != approved_on => out.push(Diagnostic::error(
            spath,
            line("approved_on"),
            "sidecar-sign-off-conflict",
            format!(
                "the sidecar's `approved_on` is {approved_on} but the document `{}` is signed off on {doc}",
                record.display()
            ),
        )),
        Some(_) => {}
    }
    if let (Some(start), true) =
        (inc.started_at, supplied.iter().any(|s| s == "approved_on" || s == "started_at"))
        && approved_on < start.date_naive()
        && inc.sign_off.date == Some(approved_on)
    {
        out.push(Diagnostic::warning(
            spath,
            line("approved_on"),
            "sign-off-before-incident",
            format!("sign-off date {approved_on} is before the incident started ({})", start.date_naive()),
        ));
    }

    // Signed off by attestation and with no status anywhere: as for a sign-off in the document,
    // the record is taken as closed.
    if inc.status.is_empty()
        && status_missing
        && !values::is_placeholder(&inc.sign_off.approved_by)
        && inc.sign_off.date.is_some()
    {
        inc.status = "Closed".to_string();
        lifted.push("status-missing");
        out.push(Diagnostic::warning(
            spath,
            1,
            "status-inferred",
            "no `Status` is given in the record or its sidecar; the record signed off by the sidecar is taken as `Closed`",
        ));
    }
    inc.attestation = Some(Attestation {
        sidecar: hex::encode(Sha256::digest(sbytes)),
        approved_by: approver.to_string(),
        approved_on,
        reference: file.reference.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
        supplied,
    });
    parsed.diagnostics.retain(|d| !(d.path == record && lifted.contains(&d.rule.as_str())));
    parsed.diagnostics.extend(out);
}

/// A warning for a sidecar with no record beside it.
pub fn orphan(sidecar: &Path) -> Diagnostic {
    let record = record_of_sidecar(sidecar).unwrap_or_default();
    Diagnostic::warning(
        sidecar,
        1,
        "sidecar-orphan",
        format!("a sign-off sidecar without its record `{}`: it is not read", record.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Level;

    const DOC_NO_SIGNOFF: &str = "# Outage of the payment API\n\n**Title**: Outage of the payment API\n\
        **Status**: Resolved\n**Start Time**: 2020-07-09 10:00 UTC\n\n## Root Cause\n\nA bad deploy.\n";

    fn run(doc: &str, side: &str) -> Parsed {
        parse_with_sidecar(
            Path::new("X.md"),
            doc.as_bytes(),
            Some((Path::new("X.signoff.yaml"), side.as_bytes())),
        )
    }

    fn rules(p: &Parsed) -> Vec<(String, Level)> {
        p.diagnostics.iter().map(|d| (d.rule.clone(), d.level)).collect()
    }

    #[test]
    fn what_the_parser_only_inferred_gives_way_to_the_sidecar() {
        // No status, no start; a timeline that would give the start, a sign-off in the document.
        let doc = "# Outage of the payment API\n\n## Timeline\n\n- 2020-07-09 10:00 UTC: alerts fired\n\n\
            ## Root Cause\n\nA bad deploy.\n\n## Sign-off\n\n**Approved By**: J\n**Date**: 2020-07-20\n";
        let plain = parse_with_sidecar(Path::new("X.md"), doc.as_bytes(), None);
        assert!(
            rules(&plain).contains(&("status-inferred".into(), Level::Warning)),
            "{:?}",
            plain.diagnostics
        );
        assert!(
            rules(&plain).contains(&("start-inferred".into(), Level::Warning)),
            "{:?}",
            plain.diagnostics
        );

        let p = run(
            doc,
            "id: E\napproved_by: J\napproved_on: 2020-07-20\nstatus: Resolved\nstarted_at: 2020-07-09T09:55:00Z\n",
        );
        assert!(p.accepted(), "{:?}", p.diagnostics);
        let got = rules(&p);
        for gone in ["status-inferred", "start-inferred", "sidecar-mismatch"] {
            assert!(!got.iter().any(|(r, _)| r == gone), "{gone}: {got:?}");
        }
        let inc = p.incident.unwrap();
        assert_eq!(inc.status, "Resolved");
        assert_eq!(inc.started_at.unwrap().to_rfc3339(), "2020-07-09T09:55:00+00:00");

        // Signed off by the sidecar alone, with no status anywhere: closed, as a signed-off document.
        let bare = "# Outage of the payment API\n\n**Start Time**: 2020-07-09 10:00 UTC\n\n## Root Cause\n\nA bad deploy.\n";
        let p = run(bare, "id: E\napproved_by: J\napproved_on: 2020-07-20\n");
        assert!(p.accepted(), "{:?}", p.diagnostics);
        assert!(rules(&p).contains(&("status-inferred".into(), Level::Warning)));
        assert_eq!(p.incident.unwrap().status, "Closed");
    }

    #[test]
    fn names_pair_up() {
        assert_eq!(sidecar_path(Path::new("a/X.md")), Some(PathBuf::from("a/X.signoff.yaml")));
        assert_eq!(sidecar_path(Path::new("a/X.MD")), Some(PathBuf::from("a/X.signoff.yaml")));
        assert_eq!(sidecar_path(Path::new("a/X.txt")), None);
        assert_eq!(record_of_sidecar(Path::new("a/X.signoff.yaml")), Some(PathBuf::from("a/X.md")));
        assert_eq!(record_of_sidecar(Path::new("a/.signoff.yaml")), None);
    }

    #[test]
    fn a_linked_sidecar_is_not_followed() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("other.yaml"), "approved_by: J\napproved_on: 2020-01-01\n").unwrap();
        std::os::unix::fs::symlink(t.path().join("other.yaml"), t.path().join("X.signoff.yaml")).unwrap();
        let (spath, e) = read_sidecar(&t.path().join("X.md")).unwrap_err();
        assert_eq!(spath, t.path().join("X.signoff.yaml"));
        assert!(e.to_string().contains("symbolic link"));
        assert!(read_sidecar(&t.path().join("Y.md")).unwrap().is_none());
    }

    #[test]
    fn a_sidecar_supplies_id_and_sign_off() {
        let without = parse_with_sidecar(Path::new("X.md"), DOC_NO_SIGNOFF.as_bytes(), None);
        assert!(!without.accepted());
        let p = run(
            DOC_NO_SIGNOFF,
            "id: EXT-1\napproved_by: Jane Doe\napproved_on: 2020-07-20\nreference: T-1\n",
        );
        assert!(p.accepted(), "{:?}", p.diagnostics);
        let inc = p.incident.unwrap();
        assert_eq!(inc.id, "EXT-1");
        assert_eq!(inc.sign_off.approved_by, "Jane Doe");
        assert_eq!(inc.sign_off.date, NaiveDate::from_ymd_opt(2020, 7, 20));
        let a = inc.attestation.unwrap();
        assert_eq!(a.reference.as_deref(), Some("T-1"));
        assert_eq!(a.sidecar.len(), 64);
        assert!(a.supplied.contains(&"id".to_string()));
    }

    #[test]
    fn a_day_start_is_a_start_known_to_the_day() {
        let doc = DOC_NO_SIGNOFF.replace("**Start Time**: 2020-07-09 10:00 UTC\n", "");
        let p = run(&doc, "id: E\napproved_by: J\napproved_on: 2020-07-20\nstarted_at: 2020-07-09\n");
        assert!(p.accepted(), "{:?}", p.diagnostics);
        assert!(rules(&p).contains(&("start-date-only".into(), Level::Warning)));
        let inc = p.incident.unwrap();
        assert_eq!(inc.started_at.unwrap().to_rfc3339(), "2020-07-09T00:00:00+00:00");
        assert_eq!(inc.start_precision, Some(Precision::Day));
    }

    #[test]
    fn conflicts() {
        let doc = format!("{DOC_NO_SIGNOFF}\n## Sign-off\n\n**Approved By**: Bob\n**Date**: 2020-07-21\n");
        let p = run(&doc, "id: E\napproved_by: Jane\napproved_on: 2020-07-20\n");
        assert!(!p.accepted());
        let conflicts: Vec<_> =
            p.diagnostics.iter().filter(|d| d.rule == "sidecar-sign-off-conflict").collect();
        assert_eq!(conflicts.len(), 2, "{:?}", p.diagnostics);
        assert!(conflicts[0].message.contains("Jane") && conflicts[0].message.contains("Bob"));
        assert_eq!(conflicts[0].line, 2);
        assert_eq!(conflicts[1].line, 3);

        let p = run(DOC_NO_SIGNOFF, "id: E\napproved_by: J\napproved_on: 2020-07-20\nstatus: Closed\n");
        assert!(p.accepted());
        assert!(rules(&p).contains(&("sidecar-mismatch".into(), Level::Warning)));
        assert!(p.diagnostics.iter().any(|d| d.message.contains("Closed") && d.message.contains("Resolved")));
        assert_eq!(p.incident.unwrap().status, "Resolved");
    }

    #[test]
    fn unknown_keys_and_bad_yaml_are_errors_with_a_line() {
        let p = run(DOC_NO_SIGNOFF, "id: E\napproved_by: J\napproved_on: 2020-07-20\ncolour: red\n");
        let d = p.diagnostics.iter().find(|d| d.rule == "sidecar-invalid").expect("invalid");
        assert_eq!(d.path, Path::new("X.signoff.yaml"));
        assert_eq!(d.line, 4);
        assert!(d.message.contains("colour"), "{}", d.message);
        let p = run(DOC_NO_SIGNOFF, "id: E\napproved_by: [J\n");
        assert!(rules(&p).contains(&("sidecar-invalid".into(), Level::Error)));
        let p = run(DOC_NO_SIGNOFF, "id: E\n");
        assert!(
            p.diagnostics.iter().any(|d| d.rule == "sidecar-invalid" && d.message.contains("approved_by"))
        );
    }
}
