//! The adversarial tests of the archive, kept: a test clock cannot purge early; `verify` names times
//! that go backwards or into the future, early purges, a wrong `ledger_bytes` and a
//! `pending.json` that describes no point of the ledger; `verify-proof` says what it checked; a
//! bit flip in every class of byte of every archive file is caught; `build` killed at random
//! moments converges. The long runs are `#[ignore]`d tests that `scripts/adversarial/` runs.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use incident_archive::archive::journal::{Checkpoint, Pending};
use incident_archive::archive::ledger::{self, GENESIS};
use incident_archive::archive::{
    self, Action, Archive, ArchiveError, Entry, IngestOptions, LockGuard, ProblemKind, VerifyReport, merkle,
};

use crate::common;

/// The test clock of these tests (ledger times of the debug binary and of in-process writes).
const NOW: &str = "2026-01-31T02:00:00Z";

fn now() -> DateTime<Utc> {
    NOW.parse().unwrap()
}

/// A small deterministic PRNG (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// A short signed-off record with multibyte UTF-8 in its title.
fn record(id: &str, signed_off: &str, retention: &str) -> String {
    format!(
        "# Incident Report: {id}\n\n## Incident Summary\n\n**Incident ID**: {id}  \n\
         **Title**: Queue consumer stalled – café “{id}”  \n**Severity**: P3 (Medium)  \n\
         **Status**: Resolved  \n**Start Time**: {signed_off} 10:00:00 UTC  \n\n## Root Cause\n\n\
         **Primary Cause**: the consumer deadlocked on a full buffer.\n\n## Sign-off\n\n\
         **Approved By**: Maria Garcia, CISO  \n**Date**: {signed_off}\n\n---\n\n**Retention**: {retention}\n"
    )
}

/// Takes the archive lock in-process, retrying briefly: a child spawned by another test holds a
/// copy of every descriptor between its fork and its exec.
fn lock(a: &Archive) -> LockGuard {
    let start = Instant::now();
    loop {
        match a.lock() {
            Err(ArchiveError::Locked { .. }) if start.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(5))
            }
            r => return r.unwrap(),
        }
    }
}

fn kinds(r: &VerifyReport) -> Vec<ProblemKind> {
    r.problems.iter().map(|p| p.kind).collect()
}

/// A temp folder with `records/` and an archive in `archive/` written in-process at [`NOW`].
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("records")).unwrap();
        Project { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn root(&self) -> PathBuf {
        self.path().join("archive")
    }

    fn archive(&self) -> Archive {
        Archive::create(&self.root()).unwrap()
    }

    fn write(&self, id: &str, signed_off: &str, retention: &str) {
        fs::write(self.path().join("records").join(format!("{id}.md")), record(id, signed_off, retention))
            .unwrap();
    }

    fn ingest(&self) -> archive::IngestReport {
        let a = self.archive();
        let guard = lock(&a);
        let files = incident_archive::record::discover(&[self.path().join("records")]).unwrap();
        archive::ingest(&a, &guard, &files, &IngestOptions::new(7, now())).unwrap()
    }

    fn verify(&self) -> VerifyReport {
        archive::verify(&self.archive()).unwrap()
    }

    fn entries(&self) -> Vec<Entry> {
        fs::read_to_string(self.root().join("ledger.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The debug binary in this folder, with `clock` as its test clock.
    fn bin(&self, clock: &str) -> assert_cmd::Command {
        let mut c = common::bin();
        c.current_dir(self.path()).env("INCIDENT_ARCHIVE_NOW", clock);
        c
    }

    fn run(&self, clock: &str, args: &[&str]) -> (i32, String, String) {
        let out = self.bin(clock).args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// Three records, one of them ingested as a second version.
fn three_records() -> Project {
    let p = Project::new();
    p.write("INC-2024-0001", "2024-03-01", "7 years");
    p.write("INC-2024-0002", "2024-04-01", "10 years");
    p.ingest();
    p.write("INC-2024-0002", "2024-04-02", "10 years");
    p.write("INC-2024-0003", "2024-05-01", "7 years");
    p.ingest();
    assert!(p.verify().ok, "{:#?}", p.verify());
    p
}

/// Rewrites the ledger as a forger who knows the format would: `f` edits the entries, then every
/// line is written canonically with its `seq` and `prev` recomputed, and `checkpoint.json` is
/// rewritten to match (size, root, `ledger_bytes`). Only a rule about the entries' content can
/// then tell.
fn forge(root: &Path, f: impl FnOnce(&mut Vec<Entry>)) {
    let path = root.join("ledger.jsonl");
    let mut entries: Vec<Entry> =
        fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    f(&mut entries);
    let mut bytes = Vec::new();
    let mut prev = GENESIS.to_string();
    for (seq, e) in entries.iter_mut().enumerate() {
        e.seq = seq as u64;
        e.prev = prev;
        let line = e.to_line();
        prev = hex::encode(ledger::line_hash(&line));
        bytes.extend_from_slice(&line);
        bytes.push(b'\n');
    }
    fs::write(&path, &bytes).unwrap();
    write_checkpoint(root, &bytes);
}

/// `checkpoint.json` for ledger bytes made of complete lines.
fn write_checkpoint(root: &Path, ledger_bytes: &[u8]) {
    let leaves: Vec<_> =
        ledger_bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(merkle::leaf_hash).collect();
    Checkpoint {
        size: leaves.len() as u64,
        root: hex::encode(merkle::root(&leaves)),
        ledger_bytes: ledger_bytes.len() as u64,
    }
    .write(&root.join("checkpoint.json"))
    .unwrap();
}

fn object_path(root: &Path, sha: &str) -> PathBuf {
    root.join("objects").join(&sha[..2]).join(&sha[2..])
}

// --- The clock ---

/// An adversarial run found: `INCIDENT_ARCHIVE_NOW=2099-01-02T00:00:00Z … retention purge --as-of
/// 2099-01-01` purged records kept until 2032. Even the debug binary, which takes the test clock
/// for ledger times, decides a purge by the system clock.
#[test]
fn a_test_clock_in_the_future_purges_nothing_before_its_time() {
    let p = Project::new();
    p.write("INC-2016-0001", "2016-01-15", "7 years"); // kept until 2023-01-15
    p.write("INC-2025-0023", "2025-01-15", "7 years"); // kept until 2032-01-15
    let (code, _, err) = p.run(NOW, &["ingest"]);
    assert_eq!(code, 0, "{err}");
    let before = fs::read(p.root().join("ledger.jsonl")).unwrap();
    let future = "2099-01-02T00:00:00Z";

    let (code, out, err) = p.run(future, &["retention", "purge", "--as-of", "2099-01-01", "--reason", "x"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("refusing to purge as of 2099-01-01, which is after today"), "{err}");
    assert_eq!(fs::read(p.root().join("ledger.jsonl")).unwrap(), before, "nothing was purged");
    // A dry run may look ahead.
    let (code, out, _) =
        p.run(future, &["retention", "purge", "--dry-run", "--as-of", "2099-01-01", "--reason", "x"]);
    assert_eq!(code, 0);
    assert!(out.contains("would purge INC-2025-0023"), "{out}");

    // Without `--as-of`, under the same clock: only what the system clock has seen expire.
    let (code, out, err) = p.run(future, &["retention", "purge", "--reason", "retention elapsed"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("purged INC-2016-0001"), "{out}");
    assert!(!out.contains("INC-2025-0023"), "{out}");
    let purge = p.entries().into_iter().find(|e| e.action == Action::Purge).unwrap();
    assert!(purge.at <= Utc::now(), "the purge is dated by the system clock, not 2099: {}", purge.at);
    assert!(object_path(&p.root(), &p.entries()[1].object).exists(), "INC-2025-0023 is kept");
    let (code, out, _) = p.run(NOW, &["verify"]);
    assert_eq!(code, 0, "{out}");
}

/// A test clock earlier than the system's holds a purge back (tests stay the same every day):
/// the purge is as of the test clock's date and dated by it.
#[test]
fn a_test_clock_in_the_past_holds_a_purge_back() {
    let p = Project::new();
    p.write("INC-2019-0001", "2019-06-01", "7 years"); // kept until 2026-06-01
    assert_eq!(p.run(NOW, &["ingest"]).0, 0);
    let (code, out, _) = p.run(NOW, &["retention", "purge", "--reason", "x"]);
    assert_eq!(code, 0);
    assert!(out.contains("purged 0 records as of 2026-01-31"), "{out}");
    let (code, _, err) = p.run(NOW, &["retention", "purge", "--as-of", "2026-07-01", "--reason", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("after today (2026-01-31)"), "{err}");
}

// --- verify: times, early purges, the checkpoint's byte length, pending.json ---

#[test]
fn verify_names_an_entry_dated_before_the_one_above_it() {
    let p = three_records();
    forge(&p.root(), |es| es[2].at = "2026-01-30T23:59:59Z".parse().unwrap());
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::LedgerTimeBackwards], "{r:#?}");
    assert_eq!(r.problems[0].line, Some(3));
    let m = &r.problems[0].message;
    assert!(m.contains("seq 2 is dated 2026-01-30T23:59:59Z, before seq 1") && m.contains(NOW), "{m}");
    // Nothing is written onto it.
    let (code, _, err) = p.run(NOW, &["retention", "hold", "INC-2024-0001", "--reason", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("refusing to write") && err.contains("ledger-time-backwards"), "{err}");
}

#[test]
fn writers_never_date_an_entry_before_the_last_one() {
    let p = three_records();
    // A hold made with a clock set back a day is dated like the last entry.
    let a = p.archive();
    let earlier: DateTime<Utc> = "2026-01-30T02:00:00Z".parse().unwrap();
    archive::retention::hold(&a, &lock(&a), "INC-2024-0001", "case 7", earlier).unwrap();
    let entries = p.entries();
    assert_eq!(entries.last().unwrap().at, now());
    assert!(p.verify().ok);
}

#[test]
fn verify_names_entries_dated_in_the_future() {
    let p = three_records();
    forge(&p.root(), |es| es.last_mut().unwrap().at = "2099-01-02T00:00:00Z".parse().unwrap());
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::LedgerTimeFuture], "{r:#?}");
    assert!(r.problems[0].message.contains("dated 2099-01-02T00:00:00Z, after the time of this check"));
    // As of a later day, the same ledger is fine.
    let later: DateTime<Utc> = "2099-01-02T00:00:00Z".parse().unwrap();
    assert!(archive::verify::verify_at(&p.archive(), &Default::default(), later).unwrap().ok);
}

/// A purge entry dated before the record's `retain_until`, appended and re-chained by a forger
/// who also removed the bytes.
#[test]
fn verify_names_a_purge_dated_before_retain_until() {
    let p = three_records();
    let first = p.entries()[0].clone();
    assert_eq!((first.id.as_str(), first.retain_until.to_string().as_str()), ("INC-2024-0001", "2031-03-01"));
    forge(&p.root(), |es| {
        let mut purge = first.clone();
        purge.action = Action::Purge;
        purge.reason = Some("retention elapsed".into());
        es.push(purge);
    });
    fs::remove_file(object_path(&p.root(), &first.object)).unwrap();
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::PurgedEarly], "{r:#?}");
    assert!(
        r.problems[0].message.contains("purged on 2026-01-31 but must be kept until 2031-03-01"),
        "{r:#?}"
    );
    let (code, out, _) = p.run(NOW, &["verify"]);
    assert_eq!(code, 1);
    assert!(out.contains("error[purged-early]"), "{out}");
}

#[test]
fn verify_checks_the_checkpoints_ledger_bytes() {
    let p = three_records();
    let cp_path = p.root().join("checkpoint.json");
    let cp = Checkpoint::read(&cp_path).unwrap().unwrap();
    // `ledger_bytes` alone changed (size and root intact).
    Checkpoint { ledger_bytes: cp.ledger_bytes - 1, ..cp.clone() }.write(&cp_path).unwrap();
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::CheckpointInvalid], "{r:#?}");
    assert!(r.problems[0].message.contains(&format!("`ledger_bytes` is {}", cp.ledger_bytes - 1)), "{r:#?}");
    cp.write(&cp_path).unwrap();
    assert!(p.verify().ok);

    // The last entry cut off, and the checkpoint's size and root rewritten to match, but not
    // its byte length: the ledger is shorter than what was committed.
    let a = p.archive();
    archive::retention::hold(&a, &lock(&a), "INC-2024-0001", "case 7", now()).unwrap();
    let committed = Checkpoint::read(&cp_path).unwrap().unwrap();
    let bytes = fs::read(p.root().join("ledger.jsonl")).unwrap();
    let cut = bytes[..bytes.len() - 1].iter().rposition(|b| *b == b'\n').unwrap() + 1;
    fs::write(p.root().join("ledger.jsonl"), &bytes[..cut]).unwrap();
    write_checkpoint(&p.root(), &bytes[..cut]);
    let forged = Checkpoint::read(&cp_path).unwrap().unwrap();
    Checkpoint { ledger_bytes: committed.ledger_bytes, ..forged }.write(&cp_path).unwrap();
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::LedgerTruncated], "{r:#?}");
    assert!(r.problems[0].message.contains("cut short"), "{r:#?}");
}

#[test]
fn verify_checks_that_pending_json_describes_the_ledger() {
    let p = three_records();
    let bytes = fs::read(p.root().join("ledger.jsonl")).unwrap();
    let n = p.entries().len() as u64;
    let good = Pending {
        operation: "legal_hold".into(),
        size: n,
        ledger_bytes: bytes.len() as u64,
        objects: vec![],
        purge: vec![],
    };
    let pending = p.root().join("pending.json");
    good.write(&pending).unwrap();
    assert!(p.verify().ok, "{:#?}", p.verify());
    for (bad, says) in [
        (Pending { size: n + 1, ..good.clone() }, "records 5 entries before its write"),
        (Pending { ledger_bytes: bytes.len() as u64 - 5, ..good.clone() }, "`ledger_bytes` is"),
        (Pending { objects: vec!["../../x".into()], ..good.clone() }, "is not a SHA-256"),
        (Pending { purge: vec!["../x".into()], ..good.clone() }, "is not a record id"),
    ] {
        bad.write(&pending).unwrap();
        let r = p.verify();
        assert_eq!(kinds(&r), [ProblemKind::PendingInvalid], "{r:#?}");
        assert!(r.problems[0].message.contains(says), "{says}: {r:#?}");
    }
}

// --- verify-proof ---

fn made_up_proof() -> String {
    let mut e = three_records().entries()[0].clone();
    e.id = "INC-1999-0001".into();
    e.seq = 0;
    e.prev = GENESIS.into();
    let line = String::from_utf8(e.to_line()).unwrap();
    let leaf = hex::encode(merkle::leaf_hash(line.as_bytes()));
    serde_json::json!({
        "id": "INC-1999-0001", "leaf_index": 0, "tree_size": 1, "root": leaf,
        "entry": line, "leaf_hash": leaf, "audit_path": [],
    })
    .to_string()
}

#[test]
fn verify_proof_says_what_it_checked_the_proof_against() {
    let p = three_records();
    let (code, proof, _) = p.run(NOW, &["proof", "INC-2024-0003"]);
    assert_eq!(code, 0);
    fs::write(p.path().join("proof.json"), &proof).unwrap();
    fs::write(p.path().join("fake.json"), made_up_proof()).unwrap();
    let root: serde_json::Value = serde_json::from_str(&proof).unwrap();
    let root = root["root"].as_str().unwrap().to_string();

    // In the archive: checked against its ledger.
    let (code, out, _) = p.run(NOW, &["verify-proof", "proof.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("ok: entry 3 about `INC-2024-0003`") && out.contains("checked against the archive"),
        "{out}"
    );
    let (code, out, _) = p.run(NOW, &["verify-proof", "fake.json"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does not match the archive") && out.contains("never archived"), "{out}");

    // Elsewhere, with no archive and no root: only the proof's own consistency, which a made-up
    // proof has too. Never a bare "ok".
    let elsewhere = tempfile::tempdir().unwrap();
    for file in ["proof.json", "fake.json"] {
        let out = common::bin()
            .current_dir(elsewhere.path())
            .arg("verify-proof")
            .arg(p.path().join(file))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{file}: {text}");
        assert!(text.starts_with("internally consistent only: not checked against any root"), "{text}");
        assert!(!text.contains("ok:"), "{text}");
    }
    // With a root the auditor kept.
    let out = common::bin()
        .current_dir(elsewhere.path())
        .arg("verify-proof")
        .arg(p.path().join("proof.json"))
        .args(["--root", &root])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("checked against the root given with `--root`"), "{text}");

    // The archive grew: an earlier proof still checks against it.
    let a = p.archive();
    archive::retention::hold(&a, &lock(&a), "INC-2024-0001", "case 7", now()).unwrap();
    let (code, out, _) = p.run(NOW, &["verify-proof", "proof.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(5 entries now)"), "{out}");
    // Another archive does not hold the entry.
    let q = Project::new();
    q.write("INC-2024-0003", "2024-05-01", "7 years");
    q.ingest();
    let (code, out, _) = p.run(NOW, &["--archive", q.root().to_str().unwrap(), "verify-proof", "proof.json"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does not match the archive"), "{out}");
}

// --- Bit flips ---

/// The class of a byte, for the sweep: each class must be covered in each file.
fn class(b: u8) -> &'static str {
    match b {
        b'0'..=b'9' => "digit",
        b'a'..=b'f' => "hex letter",
        b'A'..=b'Z' | b'g'..=b'z' => "other letter",
        b'{' | b'}' | b'[' | b']' | b':' | b',' | b'"' => "JSON syntax",
        b' ' | b'\t' => "space",
        b'\n' | b'\r' => "newline",
        0x21..=0x7e => "other punctuation",
        0x80..=0xff => "UTF-8 multibyte",
        _ => "control",
    }
}

/// One file of the sweep, with the byte range whose flips are harmless by design, if any.
struct Target {
    /// What the file is (`object`, `ledger.jsonl`, …): the rows of the figures.
    label: String,
    path: PathBuf,
    harmless: Option<Range<usize>>,
}

/// How many flips, and how many `verify` caught.
#[derive(Default)]
struct Counts {
    flips: u64,
    caught: u64,
    /// Flips in harmless bytes, and how many of those `verify` caught anyway.
    harmless: u64,
    harmless_caught: u64,
}

/// The result of a sweep: counts by file and class, the flips that were not caught, and the
/// problem kinds that did the catching.
#[derive(Default)]
struct Tally {
    counts: BTreeMap<(String, &'static str), Counts>,
    missed: Vec<String>,
    by_kind: BTreeMap<&'static str, u64>,
}

impl Tally {
    fn total(&self) -> Counts {
        let mut t = Counts::default();
        for c in self.counts.values() {
            t.flips += c.flips;
            t.caught += c.caught;
            t.harmless += c.harmless;
            t.harmless_caught += c.harmless_caught;
        }
        t
    }

    fn print(&self, title: &str) {
        eprintln!("{title}");
        eprintln!("{:<16} {:<18} {:>7} {:>7} {:>9}", "file", "byte class", "flips", "caught", "harmless");
        for ((file, class), c) in &self.counts {
            eprintln!("{file:<16} {class:<18} {:>7} {:>7} {:>9}", c.flips, c.caught, c.harmless);
        }
        let t = self.total();
        eprintln!(
            "total: {} flips, {} caught by verify, {} in harmless bytes ({} of those caught anyway), {} missed",
            t.flips,
            t.caught,
            t.harmless,
            t.harmless_caught,
            self.missed.len()
        );
        eprintln!("caught first by: {:?}", self.by_kind);
        for m in self.missed.iter().take(20) {
            eprintln!("missed: {m}");
        }
    }
}

/// Flips each of the 8 bits of each byte at `positions(file bytes)` of each target, alone, in
/// place; runs `verify` on `archive` (as the command does: `archive.json` first) after each,
/// and restores the byte.
fn sweep(
    archive: &Archive,
    targets: &[Target],
    mut positions: impl FnMut(&[u8]) -> Vec<usize>,
    tally: &mut Tally,
) {
    use std::os::unix::fs::PermissionsExt;
    for t in targets {
        let bytes = fs::read(&t.path).unwrap();
        let mode = fs::metadata(&t.path).unwrap().permissions().mode();
        fs::set_permissions(&t.path, fs::Permissions::from_mode(0o644)).unwrap();
        let f = fs::OpenOptions::new().read(true).write(true).open(&t.path).unwrap();
        for pos in positions(&bytes) {
            let b = bytes[pos];
            let harmless = t.harmless.as_ref().is_some_and(|r| r.contains(&pos));
            for bit in 0..8 {
                let mask = 1u8 << bit;
                f.write_all_at(&[b ^ mask], pos as u64).unwrap();
                let r = archive::verify_root(archive.root()).unwrap();
                let c = tally.counts.entry((t.label.clone(), class(b))).or_default();
                c.flips += 1;
                c.harmless += u64::from(harmless);
                if !r.ok {
                    c.caught += 1;
                    c.harmless_caught += u64::from(harmless);
                    *tally.by_kind.entry(r.problems[0].kind.name()).or_default() += 1;
                } else if !harmless {
                    let from = pos.saturating_sub(12);
                    let to = (pos + 12).min(bytes.len());
                    tally.missed.push(format!(
                        "{} byte {pos} ({}, {b:#04x} ^ {mask:#04x}) near {:?}",
                        t.path.display(),
                        class(b),
                        String::from_utf8_lossy(&bytes[from..to])
                    ));
                }
            }
            f.write_all_at(&[b], pos as u64).unwrap();
        }
        fs::set_permissions(&t.path, fs::Permissions::from_mode(mode)).unwrap();
    }
    assert!(archive::verify_root(archive.root()).unwrap().ok, "a byte was not restored");
}

/// The archive of the sweep, in two states: committed (every kind of entry: ingest, new
/// version, hold, release, purge) and, in a copy, killed in the middle of an ingest after its
/// new object was written and before the ledger append (where every field of `pending.json`
/// counts).
struct SweepArchives {
    _project: Project,
    committed: Archive,
    crashed: Archive,
}

fn sweep_archives() -> SweepArchives {
    let p = three_records();
    p.write("INC-2016-0001", "2016-01-15", "7 years"); // kept until 2023-01-15
    p.ingest();
    let a = p.archive();
    {
        let guard = lock(&a);
        archive::retention::hold(&a, &guard, "INC-2024-0003", "Rechtsstreit – Akte 7", now()).unwrap();
        archive::retention::release(&a, &guard, "INC-2024-0003", "closed", now()).unwrap();
        let opts = archive::PurgeOptions {
            as_of: now().date_naive(),
            reason: "retention elapsed (policy 4.2)".into(),
            dry_run: false,
            now: now(),
        };
        let rep = archive::retention::purge(&a, &guard, &opts).unwrap();
        assert_eq!(rep.purged.len(), 1);
    }
    assert!(p.verify().ok, "{:#?}", p.verify());

    // The crashed copy: a new record's object in the store, announced by pending.json.
    let crashed_root = p.path().join("crashed");
    common::copy_tree(&p.root(), &crashed_root);
    let text = record("INC-2024-0009", "2024-09-09", "7 years");
    let sha = archive::sha256_hex(text.as_bytes());
    let obj = object_path(&crashed_root, &sha);
    fs::create_dir_all(obj.parent().unwrap()).unwrap();
    fs::write(&obj, &text).unwrap();
    let ledger = fs::read(crashed_root.join("ledger.jsonl")).unwrap();
    Pending {
        operation: "ingest".into(),
        size: p.entries().len() as u64,
        ledger_bytes: ledger.len() as u64,
        objects: vec![sha],
        purge: vec![],
    }
    .write(&crashed_root.join("pending.json"))
    .unwrap();
    let crashed = Archive::open(&crashed_root).unwrap();
    let r = archive::verify(&crashed).unwrap();
    assert!(r.ok && !r.notes.is_empty(), "{r:#?}");
    SweepArchives { committed: a, crashed, _project: p }
}

/// The evidence files of an archive: `archive.json`, `checkpoint.json`, `ledger.jsonl`, every
/// object, and `pending.json` when there is one (its `operation` is only a label: harmless).
fn targets(a: &Archive) -> Vec<Target> {
    let root = a.root();
    let mut out: Vec<Target> = ["archive.json", "checkpoint.json", "ledger.jsonl"]
        .iter()
        .map(|f| Target { label: f.to_string(), path: root.join(f), harmless: None })
        .collect();
    let pending = root.join("pending.json");
    if pending.exists() {
        let text = fs::read_to_string(&pending).unwrap();
        let key = "\"operation\": \"";
        let start = text.find(key).unwrap() + key.len();
        let end = start + text[start..].find('"').unwrap();
        out.push(Target { label: "pending.json".into(), path: pending, harmless: Some(start..end) });
    }
    for o in a.store().list().unwrap().files {
        out.push(Target { label: "object".into(), path: o, harmless: None });
    }
    out
}

/// The CI sweep: in every evidence file of both archives, up to 3 bytes of each class present,
/// each bit alone: `verify` fails and names a problem every time, except in harmless bytes.
#[test]
fn a_bit_flip_in_every_class_of_byte_of_every_archive_file_is_caught() {
    let s = sweep_archives();
    let mut tally = Tally::default();
    let mut rng = Rng(0xb17_f11b);
    let mut sample = |bytes: &[u8]| {
        let mut by_class: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, b) in bytes.iter().enumerate() {
            by_class.entry(class(*b)).or_default().push(i);
        }
        let mut picked = Vec::new();
        for v in by_class.values() {
            for _ in 0..3.min(v.len()) {
                picked.push(v[rng.below(v.len() as u64) as usize]);
            }
        }
        picked.sort();
        picked.dedup();
        picked
    };
    sweep(&s.committed, &targets(&s.committed), &mut sample, &mut tally);
    sweep(&s.crashed, &targets(&s.crashed), &mut sample, &mut tally);
    tally.print("bit flips (sample of every class)");
    assert!(tally.missed.is_empty(), "{} flips not caught: {:#?}", tally.missed.len(), tally.missed);
    // Every class of every file was tried.
    let classes: BTreeSet<&str> = tally.counts.keys().map(|(_, c)| *c).collect();
    for c in ["digit", "hex letter", "other letter", "JSON syntax", "space", "newline", "UTF-8 multibyte"] {
        assert!(classes.contains(c), "no {c} byte was flipped: {classes:?}");
    }
    for f in ["archive.json", "checkpoint.json", "ledger.jsonl", "pending.json", "object"] {
        assert!(tally.counts.keys().any(|(l, _)| l == f), "{f} was not swept");
    }
}

/// The full sweep, every bit of every byte of every evidence file (about 60,000 runs of
/// `verify`); `scripts/adversarial/bitflip.sh` runs it and prints the figures.
#[test]
#[ignore = "long: run by scripts/adversarial/bitflip.sh"]
fn bitflip_full_sweep() {
    let s = sweep_archives();
    let mut tally = Tally::default();
    let started = Instant::now();
    let all = |bytes: &[u8]| (0..bytes.len()).collect::<Vec<_>>();
    sweep(&s.committed, &targets(&s.committed), all, &mut tally);
    sweep(&s.crashed, &targets(&s.crashed), all, &mut tally);
    tally.print(&format!("bit flips (every bit of every byte), {:.0} s", started.elapsed().as_secs_f64()));
    assert!(tally.missed.is_empty(), "{} flips not caught", tally.missed.len());
}

// --- Killed builds ---

/// Temporaries of the tool under `dir` (files and folders): what a dead run may leave.
fn temporaries(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let temp = name.starts_with(".tmp-")
                || name.contains(".rebuild-")
                || name.contains(".new-")
                || name.contains(".old-")
                || name.ends_with(".tmp")
                || name == "pending.json";
            if temp {
                out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// What a kill loop saw.
#[derive(Debug, Default)]
struct KillFigures {
    records: usize,
    trials: usize,
    kills: usize,
    finished_before_the_kill: usize,
    /// Kills after which `pending.json` announced an unfinished write.
    mid_write: usize,
    /// Kills after which temporaries were left (before the next build).
    left_temporaries: usize,
    /// Kills that left no archive yet.
    before_the_archive: usize,
    clean_build: Duration,
    /// Temporaries of a killed run still there after the next build, by trial.
    stale: Vec<(usize, Vec<String>)>,
}

/// Kills `build` (SIGKILL) at random moments of a run from an empty project on a generated
/// corpus of `records`, until `kills` kills have landed; after each, `verify` passes (notes
/// allowed), then a normal `build` exits 0 and leaves: an archive that verifies with no notes,
/// every record (no record lost), the root of an uninterrupted run. The temporaries the next
/// build left are collected for [`check_kills`] (so that a failure there still gives figures).
fn kill_loop(records: usize, kills: usize, seed: u64, progress: bool) -> KillFigures {
    let base = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("incident-archive");
    incident_corpus::Corpus::new(records, 11).write(&base.path().join("records")).unwrap();
    let project = |name: &str| {
        let dir = base.path().join(name);
        if dir.exists() {
            fs::remove_dir_all(&dir).unwrap();
        }
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("incident-archive.yaml"), "inbox: ../records\narchive: archive\noutput: public\n")
            .unwrap();
        dir
    };
    let build = |dir: &Path| {
        let mut c = Command::new(&bin);
        c.args(["-q", "build", "--as-of", "2026-01-31"])
            .current_dir(dir)
            .env("INCIDENT_ARCHIVE_NOW", NOW)
            .env("NO_COLOR", "1")
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    };
    let ids = |root: &Path| -> BTreeSet<String> {
        fs::read_to_string(root.join("ledger.jsonl"))
            .unwrap()
            .lines()
            .map(|l| {
                let e: Entry = serde_json::from_str(l).unwrap();
                e.id
            })
            .collect()
    };

    // The uninterrupted run.
    let clean = project("clean");
    let started = Instant::now();
    let out = build(&clean).output().unwrap();
    let mut figures = KillFigures { records, clean_build: started.elapsed(), ..Default::default() };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let want_root = archive::verify_root(&clean.join("archive")).unwrap().root;
    let want_ids = ids(&clean.join("archive"));
    assert_eq!(want_ids.len(), records);

    let mut rng = Rng(seed);
    // How long a whole build takes now: the clean run's time at first, then that of the last
    // run that finished before its kill (the machine's load changes while the loop runs).
    let mut estimate = figures.clean_build;
    while figures.kills < kills {
        assert!(
            figures.trials < 4 * kills + 20,
            "only {} of {} runs were killed before they finished",
            figures.kills,
            figures.trials
        );
        figures.trials += 1;
        let work = project("work");
        // A moment within a build's time (a bit beyond, for a slower run).
        let delay = Duration::from_micros(rng.below(estimate.as_micros() as u64 * 11 / 10));
        let mut child = build(&work).stderr(Stdio::null()).spawn().unwrap();
        let t0 = Instant::now();
        let mut finished = None;
        while t0.elapsed() < delay && finished.is_none() {
            std::thread::sleep(Duration::from_micros(500));
            finished = child.try_wait().unwrap().map(|_| t0.elapsed());
        }
        let finished = finished.or_else(|| child.try_wait().unwrap().map(|_| t0.elapsed()));
        match finished {
            Some(took) => {
                figures.finished_before_the_kill += 1;
                estimate = took;
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                figures.kills += 1;
            }
        }
        if progress {
            eprintln!(
                "trial {}: {} after {delay:?}",
                figures.trials,
                if finished.is_some() { "finished first" } else { "killed" }
            );
        }
        child.wait().unwrap();
        let root = work.join("archive");
        let trial = format!("trial {} (kill after {delay:?})", figures.trials);
        match Archive::open(&root) {
            Ok(a) => {
                let r = archive::verify(&a).unwrap();
                assert!(r.ok, "{trial}: verify after the kill: {:#?}", r.problems);
            }
            Err(ArchiveError::NoArchive { .. }) => figures.before_the_archive += 1,
            Err(e) => panic!("{trial}: {e}"),
        }
        figures.mid_write += usize::from(root.join("pending.json").exists());
        figures.left_temporaries += usize::from(!temporaries(&work).is_empty());

        let out = build(&work).output().unwrap();
        assert!(out.status.success(), "{trial}: the next build: {}", String::from_utf8_lossy(&out.stderr));
        let r = archive::verify_root(&root).unwrap();
        assert!(r.ok && r.notes.is_empty(), "{trial}: {r:#?}");
        assert_eq!(ids(&root), want_ids, "{trial}: records lost");
        assert_eq!(r.root, want_root, "{trial}: the root differs from an uninterrupted run's");
        let left = temporaries(&work);
        if !left.is_empty() {
            figures.stale.push((figures.trials, left));
        }
    }
    figures
}

/// Prints the figures, then fails if a killed run's temporaries outlived the next build. (This
/// one depends on the sweep of stale temporaries of dead runs.)
fn check_kills(f: &KillFigures) {
    print_kills(f);
    assert!(
        f.stale.is_empty(),
        "temporaries of killed runs left after the next build, by trial: {:?}",
        f.stale
    );
}

fn print_kills(f: &KillFigures) {
    eprintln!(
        "kill loop: {} records, clean build {:.2} s; {} runs, {} killed (kill -9), {} finished first; \
         after the kills: {} before the archive existed, {} with a write in progress (pending.json), \
         {} with temporaries; after each next build: verify ok, 0 records lost, the clean run's root; \
         temporaries left by {} of them",
        f.records,
        f.clean_build.as_secs_f64(),
        f.trials,
        f.kills,
        f.finished_before_the_kill,
        f.before_the_archive,
        f.mid_write,
        f.left_temporaries,
        f.stale.len()
    );
}

/// The CI loop: a handful of kills.
#[test]
fn builds_killed_at_random_moments_converge() {
    check_kills(&kill_loop(30, 5, 0x6b11_1001, false));
}

/// The long loop: `IA_KILLS` kills (default 50) on `IA_RECORDS` records (default 200);
/// `scripts/adversarial/kill-loop.sh N` runs it.
#[test]
#[ignore = "long: run by scripts/adversarial/kill-loop.sh"]
fn kill_loop_by_hand() {
    let var = |k: &str, d: usize| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let started = Instant::now();
    let f = kill_loop(var("IA_RECORDS", 200), var("IA_KILLS", 50), var("IA_SEED", 0x6b11) as u64, true);
    eprintln!("kill loop took {:.0} s", started.elapsed().as_secs_f64());
    check_kills(&f);
}
