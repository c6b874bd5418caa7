//! The archive on S3 Object Lock, against a real SeaweedFS server ([`crate::seaweed`]): every
//! object stored locked until its record's `retain_until` with the right legal hold (read back
//! with the tests' own client), the store refusing deletions of locked versions, `verify` naming
//! an object overwritten behind the archive's back, purges the store refuses, a bucket without
//! Object Lock refused, a cold cache rebuilt from the bucket, and a server killed mid-build.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aws_sdk_s3::primitives::{ByteStream, DateTime as S3Time};
use aws_sdk_s3::types::{
    ChecksumMode, ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetention, ObjectLockRetentionMode,
};
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{self, Run};
use crate::seaweed::Seaweed;

/// The fixed ledger clock of these tests.
const NOW: &str = "2026-01-31T02:00:00Z";
/// The key prefix the tests configure.
const PREFIX: &str = "inc/";

/// A short signed-off record.
fn record(id: &str, signed_off: &str, years: u32) -> String {
    format!(
        "# Incident Report: {id}\n\n## Incident Summary\n\n**Incident ID**: {id}  \n**Title**: Queue consumer stalled  \n\
         **Severity**: P3 (Medium)  \n**Status**: Resolved  \n**Start Time**: {signed_off} 10:00:00 UTC  \n\n\
         ## Root Cause\n\n**Primary Cause**: a consumer deadlocked on a full buffer.\n\n## Sign-off\n\n\
         **Approved By**: Maria Garcia, CISO  \n**Date**: {signed_off}\n\n---\n\n**Retention**: {years} years\n"
    )
}

/// A project whose archive is kept in `bucket` on `server`.
struct Project<'a> {
    dir: tempfile::TempDir,
    server: &'a Seaweed,
}

impl<'a> Project<'a> {
    fn new(server: &'a Seaweed, bucket: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("records")).unwrap();
        let p = Project { dir, server };
        p.configure("incident-archive.yaml", bucket);
        p
    }

    fn configure(&self, file: &str, bucket: &str) {
        let yaml = format!(
            "storage:\n  kind: s3\n  endpoint: {}\n  bucket: {bucket}\n  prefix: {PREFIX}\n  lock_mode: compliance\n",
            self.server.endpoint
        );
        fs::write(self.path().join(file), yaml).unwrap();
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn archive(&self) -> PathBuf {
        self.path().join("archive")
    }

    fn write(&self, id: &str, signed_off: &str, years: u32) {
        fs::write(self.path().join("records").join(format!("{id}.md")), record(id, signed_off, years))
            .unwrap();
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut c = common::bin();
        c.current_dir(self.path()).env("INCIDENT_ARCHIVE_NOW", NOW);
        self.server.env(&mut c);
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::of(self.cmd().args(args))
    }

    /// The ledger's entries.
    fn entries(&self) -> Vec<Value> {
        let text = fs::read_to_string(self.archive().join("ledger.jsonl")).unwrap();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

/// The key of object `sha` under the tests' prefix.
fn key_of(sha: &str) -> String {
    format!("{PREFIX}objects/{}/{}", &sha[..2], &sha[2..])
}

/// The instant a `retain_until` date's lock ends (the end of that day, UTC).
fn lock_end(retain_until: &str) -> i64 {
    let d = chrono::NaiveDate::parse_from_str(retain_until, "%Y-%m-%d").unwrap();
    d.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
}

/// Every version id of `key` in `bucket` (delete markers too), as the server lists them.
fn versions(s: &Seaweed, bucket: &str, key: &str) -> Vec<String> {
    let out = s.run(s.client().list_object_versions().bucket(bucket).prefix(key).send()).unwrap();
    let v = out.versions().iter().filter(|v| v.key() == Some(key)).filter_map(|v| v.version_id());
    let m = out.delete_markers().iter().filter(|m| m.key() == Some(key)).filter_map(|m| m.version_id());
    v.chain(m).map(str::to_string).collect()
}

fn get(s: &Seaweed, bucket: &str, key: &str) -> Vec<u8> {
    let out = s.run(s.client().get_object().bucket(bucket).key(key).send()).unwrap();
    s.run(out.body.collect()).unwrap().into_bytes().to_vec()
}

/// Every key under `prefix` in `bucket`.
fn keys(s: &Seaweed, bucket: &str, prefix: &str) -> Vec<String> {
    let out =
        s.run(s.client().list_objects_v2().bucket(bucket).prefix(prefix).max_keys(1000).send()).unwrap();
    let mut keys: Vec<String> = out.contents().iter().filter_map(|o| o.key()).map(str::to_string).collect();
    keys.sort();
    keys
}

/// The ledger segments in the bucket, joined in order.
fn stored_ledger(s: &Seaweed, bucket: &str) -> Vec<u8> {
    keys(s, bucket, &format!("{PREFIX}ledger/")).iter().flat_map(|k| get(s, bucket, k)).collect()
}

#[test]
fn s3_build_stores_every_object_locked_and_verify_names_an_overwrite() {
    let s = Seaweed::start();
    s.create_bucket("archive", true);
    let p = Project::new(&s, "archive");
    p.write("INC-2026-0001", "2026-01-15", 7);
    p.write("INC-2025-0107", "2025-06-01", 10);
    p.write("INC-2025-0042", "2025-11-20", 3);
    let r = p.run(&["build"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // Every object: one version, its SHA-256 checked by the store, compliance mode until the end
    // of its `retain_until`, no legal hold.
    let entries = p.entries();
    assert_eq!(entries.len(), 3);
    let c = s.client();
    for e in &entries {
        let sha = e["object"].as_str().unwrap();
        let key = key_of(sha);
        let vs = versions(&s, "archive", &key);
        assert_eq!(vs.len(), 1, "{key}: {vs:?}");
        let head = s
            .run(
                c.head_object()
                    .bucket("archive")
                    .key(&key)
                    .version_id(&vs[0])
                    .checksum_mode(ChecksumMode::Enabled)
                    .send(),
            )
            .unwrap();
        assert_eq!(head.object_lock_mode(), Some(&ObjectLockMode::Compliance), "{key}");
        let until = head.object_lock_retain_until_date().expect("a retain-until date").secs();
        assert_eq!(until, lock_end(e["retain_until"].as_str().unwrap()), "{key}");
        assert_ne!(head.object_lock_legal_hold_status(), Some(&ObjectLockLegalHoldStatus::On), "{key}");
        let b64 = base64::engine::general_purpose::STANDARD.encode(hex::decode(sha).unwrap());
        assert_eq!(head.checksum_sha256(), Some(b64.as_str()), "{key}");
        let bytes = get(&s, "archive", &key);
        assert_eq!(hex::encode(Sha256::digest(&bytes)), sha);
        // The store itself refuses to delete the locked version.
        let deleted = s.run(c.delete_object().bucket("archive").key(&key).version_id(&vs[0]).send());
        assert!(deleted.is_err(), "{key}: a locked version was deleted");
    }
    // The ledger as locked segments, the signed checkpoint beside it.
    let ledger = fs::read(p.archive().join("ledger.jsonl")).unwrap();
    assert_eq!(stored_ledger(&s, "archive"), ledger);
    assert_eq!(
        keys(&s, "archive", &format!("{PREFIX}ledger/")),
        [format!("{PREFIX}ledger/000000000000-000000000002.jsonl")]
    );
    let checkpoint = get(&s, "archive", &format!("{PREFIX}checkpoints/000000000003"));
    assert_eq!(checkpoint, fs::read(p.archive().join("checkpoint")).unwrap());

    // A legal hold is the object's own, set and cleared in the store.
    let held = entries.iter().find(|e| e["id"] == "INC-2025-0107").unwrap();
    let held_key = key_of(held["object"].as_str().unwrap());
    let hold_of = |key: &str| {
        let h = s.run(c.get_object_legal_hold().bucket("archive").key(key).send()).unwrap();
        h.legal_hold().and_then(|l| l.status()).cloned()
    };
    let r = p.run(&["retention", "hold", "INC-2025-0107", "--reason", "litigation"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(hold_of(&held_key), Some(ObjectLockLegalHoldStatus::On));
    let r = p.run(&["verify"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = p.run(&["retention", "release", "INC-2025-0107", "--reason", "settled"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(hold_of(&held_key), Some(ObjectLockLegalHoldStatus::Off));
    assert_eq!(stored_ledger(&s, "archive"), fs::read(p.archive().join("ledger.jsonl")).unwrap());
    let r = p.run(&["verify"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // A new version that retains the record longer extends the older object's lock.
    let first = entries.iter().find(|e| e["id"] == "INC-2025-0042").unwrap();
    let first_key = key_of(first["object"].as_str().unwrap());
    p.write("INC-2025-0042", "2025-11-20", 10);
    let r = p.run(&["ingest"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let newest = p.entries().pop().unwrap();
    assert_eq!(
        (newest["action"].as_str(), newest["retain_until"].as_str()),
        (Some("new_version"), Some("2035-11-20"))
    );
    let retention = s.run(c.get_object_retention().bucket("archive").key(&first_key).send()).unwrap();
    let until = retention.retention().and_then(|r| r.retain_until_date()).expect("a retention").secs();
    assert_eq!(until, lock_end("2035-11-20"), "the first version is kept as long as the record");
    let r = p.run(&["verify"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // Overwritten behind the archive's back: a newer version over the locked one.
    let victim = entries.iter().find(|e| e["id"] == "INC-2026-0001").unwrap();
    let victim_key = key_of(victim["object"].as_str().unwrap());
    s.run(c.put_object().bucket("archive").key(&victim_key).body(ByteStream::from_static(b"forged")).send())
        .unwrap();
    let r = p.run(&["verify"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let named: Vec<&str> = r.stdout.lines().filter(|l| l.contains("store-object-overwritten")).collect();
    assert_eq!(named.len(), 1, "{}", r.stdout);
    assert!(named[0].contains(&victim_key) && named[0].contains("INC-2026-0001"), "{}", named[0]);
}

#[test]
fn s3_purge_keeps_what_the_store_refuses_and_a_cold_cache_is_rebuilt() {
    let s = Seaweed::start();
    s.create_bucket("plain", false);
    s.create_bucket("archive", true);
    let p = Project::new(&s, "plain");
    p.write("INC-2018-0001", "2018-03-01", 1);
    p.write("INC-2018-0002", "2018-03-02", 1);
    p.write("INC-2026-0003", "2026-01-15", 7);

    // A bucket without Object Lock is refused before anything is written.
    let r = p.run(&["build"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("bucket `plain` does not have Object Lock enabled"), "{}", r.stderr);
    assert!(!p.archive().join("ledger.jsonl").exists() || p.entries().is_empty());

    p.configure("incident-archive.yaml", "archive");
    let r = p.run(&["build"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let entries = p.entries();
    let object =
        |id: &str| entries.iter().find(|e| e["id"] == id).unwrap()["object"].as_str().unwrap().to_string();
    // The second expired record's object is locked again in the store, by someone else.
    let locked_key = key_of(&object("INC-2018-0002"));
    let version = versions(&s, "archive", &locked_key).remove(0);
    let retention = ObjectLockRetention::builder()
        .mode(ObjectLockRetentionMode::Compliance)
        .retain_until_date(S3Time::from_secs(chrono::Utc::now().timestamp() + 86_400))
        .build();
    s.run(
        s.client()
            .put_object_retention()
            .bucket("archive")
            .key(&locked_key)
            .version_id(&version)
            .retention(retention)
            .send(),
    )
    .unwrap();

    let r = p.run(&["retention", "purge", "--reason", "retention schedule"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("purged INC-2018-0001"), "{}", r.stdout);
    assert!(r.stdout.contains("kept INC-2018-0002: the store refused to delete it"), "{}", r.stdout);
    let purges: Vec<Value> = p.entries().into_iter().filter(|e| e["action"] == "purge").collect();
    assert_eq!(purges.len(), 1, "no purge entry for what the store kept");
    assert_eq!(purges[0]["id"], "INC-2018-0001");
    assert!(
        versions(&s, "archive", &key_of(&object("INC-2018-0001"))).is_empty(),
        "the exact version is deleted"
    );
    assert_eq!(versions(&s, "archive", &locked_key), [version]);
    let r = p.run(&["verify"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // A cold cache: the local folder is rebuilt from the bucket, then built on as usual.
    let ledger = fs::read(p.archive().join("ledger.jsonl")).unwrap();
    fs::remove_dir_all(p.archive()).unwrap();
    let r = p.run(&["build"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(fs::read(p.archive().join("ledger.jsonl")).unwrap(), ledger);
    for (id, present) in [("INC-2018-0001", false), ("INC-2018-0002", true), ("INC-2026-0003", true)] {
        let sha = object(id);
        let path = p.archive().join("objects").join(&sha[..2]).join(&sha[2..]);
        assert_eq!(path.exists(), present, "{id}");
    }
    assert!(p.path().join("public/index.html").is_file());
    let r = p.run(&["verify"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // Another archive pointed at the same bucket and prefix is refused, not chained on.
    let q = Project::new(&s, "archive");
    for i in 0..6 {
        q.write(&format!("INC-2026-09{i:02}"), "2026-01-20", 7);
    }
    fs::write(q.path().join("local.yaml"), "storage:\n  kind: local\n").unwrap();
    let r = q.run(&["--config", "local.yaml", "ingest"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = q.run(&["build"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("the bucket's ledger is not this archive's"), "{}", r.stderr);
    assert_eq!(stored_ledger(&s, "archive"), ledger, "the bucket's ledger is untouched");
}

#[test]
fn s3_a_server_killed_mid_build_leaves_a_ledger_that_verifies_and_the_next_run_completes() {
    let s = Seaweed::start();
    s.create_bucket("archive", true);
    let p = Project::new(&s, "archive");
    fs::write(p.path().join("local.yaml"), "storage:\n  kind: local\n").unwrap();
    const N: usize = 240;
    for i in 0..N {
        p.write(&format!("INC-2026-{i:04}"), "2026-01-15", 7);
    }
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("incident-archive"));
    cmd.current_dir(p.path())
        .args(["build", "-q"])
        .env("INCIDENT_ARCHIVE_NOW", NOW)
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", crate::seaweed::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", crate::seaweed::SECRET_KEY)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    // Killed as soon as the first records are committed: the rest of the build meets no server.
    let ledger = p.archive().join("ledger.jsonl");
    let started = Instant::now();
    while fs::metadata(&ledger).map_or(0, |m| m.len()) == 0 {
        assert!(started.elapsed() < Duration::from_secs(120), "the build committed nothing");
        std::thread::sleep(Duration::from_millis(2));
    }
    s.kill();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("PutObject") || stderr.contains("ListObjectsV2"), "{stderr}");
    let recorded = p.entries().len();
    assert!(recorded > 0 && recorded < N, "{recorded} of {N} recorded");

    // What was recorded verifies (the folder alone: the server is down).
    let r = p.run(&["--config", "local.yaml", "verify"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // The server back, the archive verifies against it: every recorded object is stored.
    s.restart();
    let r = p.run(&["verify"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // The next run uploads the missing segment and completes the work.
    let r = p.run(&["build"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let entries = p.entries();
    assert_eq!(entries.len(), N);
    assert_eq!(stored_ledger(&s, "archive"), fs::read(&ledger).unwrap());
    for e in &entries {
        let key = key_of(e["object"].as_str().unwrap());
        assert_eq!(versions(&s, "archive", &key).len(), 1, "{key}");
    }
    let r = p.run(&["verify"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn s3_credentials_come_from_the_environment_only() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("records")).unwrap();
    fs::write(dir.path().join("records/INC-2026-0001.md"), record("INC-2026-0001", "2026-01-15", 7)).unwrap();
    let yaml = "storage:\n  kind: s3\n  endpoint: http://127.0.0.1:9\n  bucket: archive\n";
    fs::write(dir.path().join("incident-archive.yaml"), yaml).unwrap();
    let run = |extra: &str| {
        fs::write(dir.path().join("incident-archive.yaml"), format!("{yaml}{extra}")).unwrap();
        let mut c = common::bin();
        c.current_dir(dir.path()).env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY");
        Run::of(c.args(["build"]))
    };
    // None in the environment: refused before anything is written, naming the variable.
    let r = run("");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("`AWS_ACCESS_KEY_ID` is not set"), "{}", r.stderr);
    assert!(!dir.path().join("archive").exists());
    // One in the file: refused, the value not repeated.
    let r = run("  secret_access_key: hunter2\n");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("credentials are never read from the configuration file"), "{}", r.stderr);
    assert!(!r.stderr.contains("hunter2"), "{}", r.stderr);
}
