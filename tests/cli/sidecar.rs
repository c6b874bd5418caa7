//! Import with an attested sign-off: the `X.signoff.yaml` sidecar beside `X.md`.

use std::path::Path;

use predicates::prelude::*;

use crate::common::bin;

/// A public postmortem as people write it: a title and a status, no id, no sign-off.
const DOC: &str = "# Outage of the payment API\n\n**Title**: Outage of the payment API\n\
    **Status**: Resolved\n**Start Time**: 2020-07-09 10:00 UTC\n\n## Root Cause\n\nA bad deploy.\n";

const SIDECAR: &str = "id: EXT-2020-0709\napproved_by: Jane Doe, Head of Compliance\n\
    approved_on: 2020-07-20\nreference: TICKET-123\n";

fn setup(dir: &Path, sidecar: &str) {
    std::fs::create_dir_all(dir.join("records")).unwrap();
    std::fs::write(dir.join("records/ext.md"), DOC).unwrap();
    std::fs::write(dir.join("records/ext.signoff.yaml"), sidecar).unwrap();
}

fn ledger(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("archive/ledger.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn object(dir: &Path, sha: &str) -> std::path::PathBuf {
    dir.join("archive/objects").join(&sha[..2]).join(&sha[2..])
}

#[test]
fn a_document_without_id_or_approver_passes_with_its_sidecar_and_is_archived_with_it() {
    let t = tempfile::tempdir().unwrap();
    setup(t.path(), SIDECAR);
    bin().current_dir(t.path()).args(["check"]).assert().success();
    std::fs::remove_file(t.path().join("records/ext.signoff.yaml")).unwrap();
    bin().current_dir(t.path()).args(["check"]).assert().code(1);
    setup(t.path(), SIDECAR);

    bin().current_dir(t.path()).args(["ingest"]).assert().success();
    let l = ledger(t.path());
    assert_eq!(l.len(), 1);
    assert_eq!(l[0]["id"], "EXT-2020-0709");
    assert_eq!(l[0]["sign_off"]["approved_by"], "Jane Doe, Head of Compliance");
    // Retention counts from `approved_on`.
    assert_eq!(l[0]["retain_until"], "2027-07-20");
    let sidecar = l[0]["attestation"]["object"].as_str().unwrap().to_string();
    assert_eq!(std::fs::read(object(t.path(), &sidecar)).unwrap(), SIDECAR.as_bytes());
    assert!(object(t.path(), l[0]["object"].as_str().unwrap()).exists());
    bin().current_dir(t.path()).args(["verify"]).assert().success();

    // The same bytes and the same sidecar again: nothing new.
    bin()
        .current_dir(t.path())
        .args(["ingest"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 unchanged"));
    assert_eq!(ledger(t.path()).len(), 1);
    // The same bytes with another sidecar: a new version (the attestation changed).
    std::fs::write(t.path().join("records/ext.signoff.yaml"), format!("{SIDECAR}severity: P2\n")).unwrap();
    bin().current_dir(t.path()).args(["ingest"]).assert().success();
    let l = ledger(t.path());
    assert_eq!(l.len(), 2);
    assert_eq!(l[1]["action"], "new_version");
    assert_eq!(l[1]["object"], l[0]["object"]);
    assert_ne!(l[1]["attestation"], l[0]["attestation"]);
    bin().current_dir(t.path()).args(["verify"]).assert().success();
}

#[test]
fn verify_catches_a_changed_or_missing_sidecar_object() {
    let t = tempfile::tempdir().unwrap();
    setup(t.path(), SIDECAR);
    bin().current_dir(t.path()).args(["ingest"]).assert().success();
    let sha = ledger(t.path())[0]["attestation"]["object"].as_str().unwrap().to_string();
    let path = object(t.path(), &sha);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, SIDECAR.replace("Jane", "John")).unwrap();
    bin()
        .current_dir(t.path())
        .args(["verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("object-changed"));
    std::fs::remove_file(&path).unwrap();
    bin()
        .current_dir(t.path())
        .args(["verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("object-missing"));
}

#[test]
fn a_sign_off_conflict_is_an_error_and_other_conflicts_warn_naming_both() {
    let t = tempfile::tempdir().unwrap();
    setup(t.path(), SIDECAR);
    let doc = format!("{DOC}\n## Sign-off\n\n**Approved By**: Bob Smith\n**Date**: 2020-07-20\n");
    std::fs::write(t.path().join("records/ext.md"), doc).unwrap();
    bin()
        .current_dir(t.path())
        .args(["check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ext.signoff.yaml:2: error[sidecar-sign-off-conflict]"))
        .stdout(predicate::str::contains("Bob Smith").and(predicate::str::contains("Jane Doe")));

    setup(t.path(), &format!("{SIDECAR}status: Closed\n"));
    bin()
        .current_dir(t.path())
        .args(["check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("warning[sidecar-mismatch]"))
        .stdout(predicate::str::contains("`Closed`").and(predicate::str::contains("`Resolved`")));
}

#[test]
fn unknown_keys_and_orphans() {
    let t = tempfile::tempdir().unwrap();
    setup(t.path(), &format!("{SIDECAR}colour: red\n"));
    bin()
        .current_dir(t.path())
        .args(["check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ext.signoff.yaml:5: error[sidecar-invalid]"))
        .stdout(predicate::str::contains("colour"));

    setup(t.path(), SIDECAR);
    std::fs::write(t.path().join("records/lost.signoff.yaml"), SIDECAR).unwrap();
    bin()
        .current_dir(t.path())
        .args(["check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("lost.signoff.yaml:1: warning[sidecar-orphan]"));
    bin()
        .current_dir(t.path())
        .args(["ingest"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning[sidecar-orphan]"));
    let out = bin().current_dir(t.path()).args(["build"]).output().unwrap();
    assert!(out.status.success());
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(all.contains("lost.signoff.yaml:1: warning[sidecar-orphan]"), "{all}");
    bin()
        .current_dir(t.path())
        .args(["check", "--json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning[sidecar-orphan]"));
}

#[test]
fn purge_removes_the_record_and_its_sidecar() {
    let t = tempfile::tempdir().unwrap();
    setup(t.path(), &SIDECAR.replace("2020-07-20", "2010-07-20").replace("2020", "2009"));
    std::fs::write(t.path().join("records/ext.md"), DOC.replace("2020-07-09", "2009-07-09")).unwrap();
    bin().current_dir(t.path()).args(["ingest"]).assert().success();
    let l = ledger(t.path());
    let (rec, side) = (
        l[0]["object"].as_str().unwrap().to_string(),
        l[0]["attestation"]["object"].as_str().unwrap().to_string(),
    );
    bin().current_dir(t.path()).args(["retention", "purge", "--reason", "expired"]).assert().success();
    assert!(!object(t.path(), &rec).exists());
    assert!(!object(t.path(), &side).exists());
    bin().current_dir(t.path()).args(["verify"]).assert().success();
}

#[test]
fn show_and_the_incident_page_say_attested_with_the_sidecar_hash() {
    let t = tempfile::tempdir().unwrap();
    // The sidecar gives a fact the document lacks (severity): the site shows it.
    setup(t.path(), &format!("{SIDECAR}severity: P2\n"));
    bin().current_dir(t.path()).args(["build"]).assert().success();
    let sha = ledger(t.path())[0]["attestation"]["object"].as_str().unwrap().to_string();
    bin()
        .current_dir(t.path())
        .args(["show", "EXT-2020-0709"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("attested on import: sidecar sha256 {sha}")))
        .stdout(predicate::str::contains("reference TICKET-123"))
        .stdout(predicate::str::contains("severity      P2"));
    let out = bin().current_dir(t.path()).args(["show", "EXT-2020-0709", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["provenance"]["sign_off_source"], "attested on import");
    assert_eq!(json["provenance"]["attestation"]["object"], sha.as_str());
    assert_eq!(json["attestation"]["reference"], "TICKET-123");
    let page = std::fs::read_to_string(t.path().join("public/incidents/EXT-2020-0709.html")).unwrap();
    assert!(
        page.contains(&format!("sign-off attested on import: sidecar <code class=\"hash\">{sha}</code>")),
        "{page}"
    );
    assert!(page.contains("TICKET-123"));

    // A sign-off written in the document is shown as such.
    let doc = format!(
        "{DOC}\n## Sign-off\n\n**Approved By**: Jane Doe, Head of Compliance\n**Date**: 2020-07-20\n"
    )
    .replace("**Title**", "**Incident ID**: INC-1\n**Title**");
    std::fs::write(t.path().join("records/doc.md"), doc).unwrap();
    bin().current_dir(t.path()).args(["build"]).assert().success();
    bin()
        .current_dir(t.path())
        .args(["show", "INC-1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("sign-off      written in the document"));
    let page = std::fs::read_to_string(t.path().join("public/incidents/INC-1.html")).unwrap();
    assert!(!page.contains("attested on import"));
}

#[test]
fn verify_checks_the_entry_against_the_record_read_with_its_sidecar() {
    let t = tempfile::tempdir().unwrap();
    setup(t.path(), SIDECAR);
    bin().current_dir(t.path()).args(["ingest"]).assert().success();
    let root = t.path().join("archive");
    // A forger who re-chains and rewrites the checkpoint: another approver in the entry.
    crate::archive::forge_last_entry(&root, |e| e.sign_off.approved_by = "Mallory".into());
    bin()
        .current_dir(t.path())
        .args(["verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("record-mismatch").and(predicate::str::contains("Mallory")));
    // The entry no longer names the sidecar: the record alone has no id, and the sidecar's
    // object is no longer referenced.
    crate::archive::forge_last_entry(&root, |e| {
        e.sign_off.approved_by = "Jane Doe, Head of Compliance".into();
        e.attestation = None;
    });
    bin()
        .current_dir(t.path())
        .args(["verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("record-mismatch"))
        .stdout(predicate::str::contains("object-extra"));
}

#[test]
fn a_sidecar_shared_by_two_records_stays_while_one_is_kept() {
    let t = tempfile::tempdir().unwrap();
    let records = t.path().join("records");
    std::fs::create_dir_all(&records).unwrap();
    // The same attestation (no id) for two documents that have ids; the first is kept one year.
    let side = "approved_by: Jane Doe\napproved_on: 2010-07-20\n";
    let doc = |id: &str, extra: &str| {
        DOC.replace("**Title**", &format!("**Incident ID**: {id}\n{extra}**Title**"))
            .replace("2020-07-09", "2010-07-09")
    };
    std::fs::write(records.join("a.md"), doc("A-1", "**Retention**: 1 year\n")).unwrap();
    std::fs::write(records.join("b.md"), doc("B-1", "**Retention**: 50 years\n")).unwrap();
    std::fs::write(records.join("a.signoff.yaml"), side).unwrap();
    std::fs::write(records.join("b.signoff.yaml"), side).unwrap();
    bin().current_dir(t.path()).args(["ingest"]).assert().success();
    let l = ledger(t.path());
    assert_eq!(l.len(), 2);
    assert_eq!(l[0]["attestation"], l[1]["attestation"]);
    let shared = l[0]["attestation"]["object"].as_str().unwrap().to_string();
    bin().current_dir(t.path()).args(["retention", "purge", "--reason", "expired"]).assert().success();
    assert_eq!(ledger(t.path()).len(), 3);
    assert!(!object(t.path(), l[0]["object"].as_str().unwrap()).exists());
    assert!(object(t.path(), &shared).exists(), "B-1 still names the sidecar");
    bin().current_dir(t.path()).args(["verify"]).assert().success();
}

#[test]
fn facts_from_the_sidecar_show_on_the_site_and_in_search() {
    let t = tempfile::tempdir().unwrap();
    // No title anywhere in the document (neither a `Title` label nor a level-one heading).
    let doc = DOC
        .replace("# Outage of the payment API\n\n", "")
        .replace("**Title**: Outage of the payment API\n", "")
        .replace("**Start Time**: 2020-07-09 10:00 UTC\n", "");
    setup(t.path(), &format!("{SIDECAR}title: Zanzibar gateway outage\nstarted_at: 2020-07-09\n"));
    std::fs::write(t.path().join("records/ext.md"), doc).unwrap();
    bin()
        .current_dir(t.path())
        .args(["check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("warning[start-date-only]"));
    bin().current_dir(t.path()).args(["build"]).assert().success();
    let page = std::fs::read_to_string(t.path().join("public/incidents/EXT-2020-0709.html")).unwrap();
    assert!(page.contains("Zanzibar gateway outage"));
    let index = std::fs::read_to_string(t.path().join("public/index.html")).unwrap();
    assert!(index.contains("Zanzibar gateway outage"));
    bin()
        .current_dir(t.path())
        .args(["search", "title:zanzibar"])
        .assert()
        .success()
        .stdout(predicate::str::contains("EXT-2020-0709"));
}

/// A sidecar beside its record is read with it: it is neither a record nor a skipped file.
#[test]
fn a_paired_sidecar_is_not_counted_as_skipped() {
    let t = tempfile::tempdir().unwrap();
    setup(t.path(), SIDECAR);
    bin()
        .current_dir(t.path())
        .args(["check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("checked 1 record: 1 accepted"))
        .stdout(predicate::str::contains("skipped").not());
}
