//! Integration tests of `archive`: `ingest`, `verify`, `show`, `proof`, `retention`, driven
//! through the binary in temp dirs, and the tamper matrix and crash test against real files.

use std::fs;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use incident_archive::archive::{self, Archive, IngestOptions, ProblemKind, VerifyReport};
use incident_archive::snapshot::{self, Content, Origin, Records, Snapshot, SnapshotOptions};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common;

/// The fixed clock of these tests.
const NOW: &str = "2026-01-31T02:00:00Z";

fn now() -> DateTime<Utc> {
    NOW.parse().unwrap()
}

/// The reference record (byte-identical to the shared sample).
fn reference() -> String {
    fs::read_to_string(common::fixture("archive/INC-2025-0023.md")).unwrap()
}

/// The reference record with another id, sign-off date and retention line.
fn record(id: &str, signed_off: &str, retention: &str) -> String {
    reference()
        .replace("INC-2025-0023", id)
        .replace("**Date**: 2025-01-15", &format!("**Date**: {signed_off}"))
        .replace("**Retention**: 7 years (compliance requirement)", &format!("**Retention**: {retention}"))
}

/// A short signed-off record: the crash test needs many records that are cheap to parse, so
/// that the kills land in the writes rather than in the parser.
fn minimal(id: &str, signed_off: &str, n: usize) -> String {
    format!(
        "# Incident Report: {id}\n\n## Incident Summary\n\n**Incident ID**: {id}  \n**Title**: Queue consumer {n} stalled  \n\
         **Severity**: P3 (Medium)  \n**Status**: Resolved  \n**Start Time**: {signed_off} 10:00:00 UTC  \n\n\
         ## Root Cause\n\n**Primary Cause**: consumer {n} deadlocked on a full buffer.\n\n## Sign-off\n\n\
         **Approved By**: Maria Garcia, CISO  \n**Date**: {signed_off}\n\n---\n\n**Retention**: 7 years\n"
    )
}

/// A small deterministic PRNG (splitmix64): fixed seeds, no dependency.
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
        self.next() % n
    }
}

/// A temp project: `records/` and `archive/`.
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

    fn records(&self) -> PathBuf {
        self.path().join("records")
    }

    fn archive(&self) -> PathBuf {
        self.path().join("archive")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.records().join(name);
        fs::write(&p, text).unwrap();
        p
    }

    /// The binary, run in the project with the fixed clock.
    fn cmd(&self) -> assert_cmd::Command {
        let mut c = common::bin();
        c.current_dir(self.path()).env("INCIDENT_ARCHIVE_NOW", NOW);
        c
    }

    fn run_once(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs the binary; exit 3 (locked) is retried for a moment, see [`lock`]: a lock this
    /// process released can look held while another test's child is between fork and exec.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let start = Instant::now();
        loop {
            let r = self.run_once(args);
            if r.0 != 3 || start.elapsed() > Duration::from_secs(5) {
                return r;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn json(&self, args: &[&str]) -> (i32, Value) {
        let (code, out, err) = self.run(args);
        let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
        (code, v)
    }

    fn ledger(&self) -> Vec<Value> {
        fs::read_to_string(self.archive().join("ledger.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn verify(&self) -> VerifyReport {
        archive::verify_root(&self.archive()).unwrap()
    }

    /// Ingests the records folder in-process (no clock from the environment).
    fn ingest_lib(&self) -> archive::IngestReport {
        let a = Archive::create(&self.archive()).unwrap();
        let guard = lock(&a);
        let files = incident_archive::record::discover(&[self.records()]).unwrap();
        archive::ingest(&a, &guard, &files, &IngestOptions::new(7, now())).unwrap()
    }

    fn object_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for d in fs::read_dir(self.archive().join("objects")).unwrap() {
            for f in fs::read_dir(d.unwrap().path()).unwrap() {
                out.push(f.unwrap().path());
            }
        }
        out.sort();
        out
    }
}

/// Takes the archive lock in-process. The test harness runs tests on threads while others spawn
/// processes, and a child holds a copy of every open descriptor between its fork and its exec
/// (close-on-exec closes it only then), so the lock this process just released can look held
/// for a moment: retry briefly. The binary runs one command and never meets this.
fn lock(a: &Archive) -> archive::LockGuard {
    let start = Instant::now();
    loop {
        match a.lock() {
            Err(archive::ArchiveError::Locked { .. }) if start.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(5))
            }
            r => return r.unwrap(),
        }
    }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Makes a read-only object writable, for tampering.
fn writable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(0o644)).unwrap();
}

fn kinds(r: &VerifyReport) -> Vec<ProblemKind> {
    r.problems.iter().map(|p| p.kind).collect()
}

/// A project with three archived records (one of them in two versions).
fn sample_project() -> Project {
    let p = Project::new();
    p.write("INC-2025-0023.md", &reference());
    p.write("INC-2024-0101.md", &record("INC-2024-0101", "2024-02-29", "10 years (contract)"));
    p.ingest_lib();
    p.write(
        "INC-2025-0023.md",
        &format!("{}\nAddendum: the index was verified in production.\n", reference()),
    );
    p.write("INC-2023-0042.md", &record("INC-2023-0042", "2023-06-30", "3 years"));
    p.ingest_lib();
    assert!(p.verify().ok, "{:#?}", p.verify());
    p
}

/// Ingest tells the [`Progress`] it is given of each phase and step, then that it is over.
#[test]
fn ingest_reports_its_progress_through_the_trait() {
    use incident_archive::progress::Progress;
    use std::sync::{Arc, Mutex};

    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);
    impl Progress for Log {
        fn start(&self, phase: &str, len: u64) {
            self.0.lock().unwrap().push(format!("{phase} {len}"));
        }
        fn inc(&self, n: u64) {
            self.0.lock().unwrap().push(format!("+{n}"));
        }
        fn finish(&self) {
            self.0.lock().unwrap().push("done".into());
        }
    }

    let p = Project::new();
    p.write("INC-2025-0023.md", &reference());
    p.write("INC-2022-0007.md", &record("INC-2022-0007", "2022-03-01", "5 years"));
    p.write("draft.md", "# Not a record\n");
    let a = Archive::create(&p.archive()).unwrap();
    let guard = lock(&a);
    let files = incident_archive::record::discover(&[p.records()]).unwrap();
    let log = Arc::new(Log::default());
    let mut opts = IngestOptions::new(7, now());
    opts.progress = log.clone();
    let report = archive::ingest(&a, &guard, &files, &opts).unwrap();
    assert_eq!(report.new, 2);
    let seen = log.0.lock().unwrap().clone();
    // Three files parsed, two objects stored.
    assert_eq!(seen, ["parse 3", "+1", "+1", "+1", "store 2", "+1", "+1", "done"]);
}

#[test]
fn ingest_archives_objects_named_by_their_sha256_and_converges() {
    let p = Project::new();
    let text = reference();
    p.write("INC-2025-0023.md", &text);
    p.write("INC-2022-0007.md", &record("INC-2022-0007", "2022-03-01", "5 years"));
    let (code, out, err) = p.run(&["ingest"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 records: 2 new"), "{out}");

    // Each object's file name is the SHA-256 of its content, under a two-digit folder; read-only.
    let objects = p.object_files();
    assert_eq!(objects.len(), 2);
    for o in &objects {
        let bytes = fs::read(o).unwrap();
        let name = format!(
            "{}{}",
            o.parent().unwrap().file_name().unwrap().to_str().unwrap(),
            o.file_name().unwrap().to_str().unwrap()
        );
        assert_eq!(sha256(&bytes), name);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(fs::metadata(o).unwrap().permissions().mode() & 0o222, 0, "{} is writable", o.display());
    }
    let sha = sha256(text.as_bytes());
    assert!(
        fs::read(p.archive().join("objects").join(&sha[..2]).join(&sha[2..])).unwrap() == text.as_bytes()
    );

    // The ledger: the contract fields, in id order, chained.
    let ledger = p.ledger();
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[0]["id"], "INC-2022-0007");
    let e = &ledger[1];
    assert_eq!(e["seq"], 1);
    assert_eq!(e["at"], NOW);
    assert_eq!(e["action"], "ingest");
    assert_eq!(e["id"], "INC-2025-0023");
    assert_eq!(e["object"], sha.as_str());
    assert!(e.get("title").is_none(), "no title: a purge must leave none in the ledger: {e}");
    assert_eq!(e["sign_off"]["approved_by"], "Maria Garcia, CISO");
    assert_eq!(e["sign_off"]["date"], "2025-01-15");
    assert_eq!(e["retention_years"], 7);
    assert_eq!(e["retain_until"], "2032-01-15");
    assert_eq!(e["reason"], Value::Null);
    let first_line =
        fs::read_to_string(p.archive().join("ledger.jsonl")).unwrap().lines().next().unwrap().to_string();
    assert_eq!(e["prev"], sha256(first_line.as_bytes()).as_str());
    assert_eq!(ledger[0]["retain_until"], "2027-03-01");

    // The same bytes again change nothing, not even a file's modification time.
    let before: Vec<_> = ["ledger.jsonl", "checkpoint.json"]
        .iter()
        .map(|f| fs::metadata(p.archive().join(f)).unwrap().modified().unwrap())
        .collect();
    let (code, out, _) = p.run(&["ingest", "--json"]);
    assert_eq!(code, 0);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((r["seen"].as_u64(), r["new"].as_u64(), r["unchanged"].as_u64()), (Some(2), Some(0), Some(2)));
    let after: Vec<_> = ["ledger.jsonl", "checkpoint.json"]
        .iter()
        .map(|f| fs::metadata(p.archive().join(f)).unwrap().modified().unwrap())
        .collect();
    assert_eq!(before, after);
    assert!(!p.archive().join("pending.json").exists());

    // The same records ingested elsewhere, in another order, give the same root.
    let q = Project::new();
    q.write("b.md", &reference());
    q.write("a.md", &record("INC-2022-0007", "2022-03-01", "5 years"));
    let (_, r2) = q.json(&["ingest", "--json"]);
    assert_eq!(r2["root"], r["root"]);

    let (code, out, _) = p.run(&["verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(": ok"), "{out}");
}

#[test]
fn new_bytes_for_an_id_are_a_new_version_and_the_old_object_stays() {
    let p = Project::new();
    let v1 = reference();
    p.write("INC-2025-0023.md", &v1);
    assert_eq!(p.run(&["ingest"]).0, 0);
    let v2 = v1
        .replace("**Title**: Database Connection Pool Exhaustion - Production", "**Title**: Pool exhaustion");
    p.write("INC-2025-0023.md", &v2);
    let (code, r) = p.json(&["ingest", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(r["new_versions"], 1);
    assert_eq!(r["changes"][0]["action"], "new_version");
    assert_eq!(r["changes"][0]["version"], 2);
    assert_eq!(p.object_files().len(), 2);
    assert!(p.ledger()[1].get("title").is_none());
    // The title shown is the version's own, from its bytes.
    let (_, show2) = p.json(&["show", "INC-2025-0023", "--json"]);
    assert_eq!(show2["title"], "Pool exhaustion");
    let (_, show1) = p.json(&["show", "INC-2025-0023", "--json", "--version", "1"]);
    assert_eq!(show1["title"], "Database Connection Pool Exhaustion - Production");

    // Both versions stay readable, byte for byte.
    let (_, raw1, _) = p.run(&["show", "INC-2025-0023", "--raw", "--version", "1"]);
    assert_eq!(raw1, v1);
    let (_, raw2, _) = p.run(&["show", "INC-2025-0023", "--raw"]);
    assert_eq!(raw2, v2);

    // Going back to the first bytes is a third version pointing at the first object.
    p.write("INC-2025-0023.md", &v1);
    let (_, r) = p.json(&["ingest", "--json"]);
    assert_eq!(r["changes"][0]["version"], 3);
    assert_eq!(r["changes"][0]["object"], sha256(v1.as_bytes()).as_str());
    assert_eq!(p.object_files().len(), 2);

    let (code, show) = p.json(&["show", "INC-2025-0023", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(show["id"], "INC-2025-0023");
    assert_eq!(show["title"], "Database Connection Pool Exhaustion - Production");
    assert_eq!(show["sign_off"]["approved_by"], "Maria Garcia, CISO");
    let prov = &show["provenance"];
    assert_eq!(prov["versions"].as_array().unwrap().len(), 3);
    assert_eq!(prov["version"], 3);
    assert_eq!(prov["object"], sha256(v1.as_bytes()).as_str());
    assert_eq!(prov["retain_until"], "2032-01-15");
    assert_eq!(prov["versions"][1]["ingested_at"], NOW);
    assert_eq!(prov["entries"].as_array().unwrap().len(), 3);
    assert!(p.verify().ok);

    let (code, out, _) = p.run(&["show", "INC-2025-0023"]);
    assert_eq!(code, 0);
    assert!(out.contains("version       3 of 3"), "{out}");
    assert!(out.contains("retain until  2032-01-15"), "{out}");
}

#[test]
fn rejected_records_are_named_and_leave_no_trace() {
    let p = Project::new();
    p.write("good.md", &reference());
    p.write(
        "unsigned.md",
        &record("INC-2025-0031", "2025-02-01", "7 years").replace("**Approved By**", "**Noted By**"),
    );
    p.write("twin-a.md", &record("INC-2025-0040", "2025-02-01", "7 years"));
    p.write("twin-b.md", &record("INC-2025-0040", "2025-02-02", "7 years"));
    let (code, out, err) = p.run(&["ingest"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 new") && out.contains("3 rejected"), "{out}");
    assert!(err.contains("unsigned.md:") && err.contains("error[sign-off-missing]"), "{err}");
    assert!(err.contains("twin-a.md:") && err.contains("error[duplicate-id]"), "{err}");
    assert!(err.contains("twin-b.md"), "{err}");
    assert_eq!(p.ledger().len(), 1);
    assert_eq!(p.object_files().len(), 1);
    assert!(p.verify().ok);
    let (_, r) = p.json(&["ingest", "--json"]);
    let rejected = r["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 3);
    assert!(rejected[0]["path"].as_str().unwrap().ends_with("twin-a.md"));
    assert_eq!(rejected[2]["diagnostics"][0]["rule"], "sign-off-missing");

    // A second file with other bytes for an archived id is ambiguous too (taking it would flip
    // the record between the two files every night); an identical copy is harmless.
    p.write("good-copy.md", &reference());
    p.write("good-edited.md", &format!("{}\nedited\n", reference()));
    let (code, r) = p.json(&["ingest", "--json"]);
    assert_eq!(code, 1);
    let dup = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["path"].as_str().unwrap().ends_with("good-edited.md"));
    let msg = dup.unwrap()["diagnostics"][0]["message"].as_str().unwrap();
    assert!(msg.contains("good.md") && msg.contains("good-copy.md"), "{msg}");
    assert_eq!(r["new_versions"], 0);
    assert_eq!(p.ledger().len(), 1);
}

#[test]
fn path_traversal_in_ids_and_object_names_is_refused() {
    let p = Project::new();
    let long = "X".repeat(300);
    let bad_ids = ["../x", "/abs", "a/b", "a\0b", long.as_str(), ".hidden"];
    for (i, id) in bad_ids.iter().enumerate() {
        let text = reference().replace("**Incident ID**: INC-2025-0023", &format!("**Incident ID**: {id}"));
        p.write(&format!("bad{i}.md"), &text);
    }
    let (code, out, err) = p.run(&["ingest"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("6 rejected"), "{out}");
    for i in 0..bad_ids.len() {
        assert!(err.contains(&format!("bad{i}.md:")), "bad{i}.md not named in {err}");
    }
    assert!(!p.archive().join("ledger.jsonl").exists() || p.ledger().is_empty());
    let outside = p.path().join("x");
    assert!(!outside.exists());

    // Ids given on the command line never become paths.
    p.write("ok.md", &reference());
    assert_eq!(p.run(&["ingest", "records/ok.md"]).0, 0);
    for id in ["../x", "/etc/passwd", "a/b", long.as_str(), "..", "INC-2025-0023/../../x"] {
        let (code, _, err) = p.run(&["show", id, "--raw"]);
        assert_eq!(code, 2, "show {id}");
        assert!(err.contains("is not a record id"), "{err}");
    }

    // Object names are hashes; anything else is refused before touching the disk.
    let a = Archive::open(&p.archive()).unwrap();
    for name in ["../../ledger.jsonl", "/etc/passwd", "ab/../../x", "", "0"] {
        assert!(a.read_object(name).is_err(), "{name}");
    }

    // A ledger that names a traversal (re-chained, checkpoint recomputed: a careful forger)
    // is reported, and no path outside the store is read.
    forge_last_entry(&p.archive(), |e| {
        e.id = "../../x".into();
        e.object = "../../../../etc/passwd".into();
    });
    let r = p.verify();
    assert!(
        r.problems.iter().any(|x| x.kind == ProblemKind::LedgerInvalid && x.message.contains("safe form")),
        "{r:#?}"
    );
    assert!(
        r.problems
            .iter()
            .any(|x| x.kind == ProblemKind::LedgerInvalid && x.message.contains("not a SHA-256"))
    );
}

/// Rewrites the last ledger entry with `f`, keeping the line canonical and recomputing the
/// checkpoint, as a forger who knows the format would.
pub(crate) fn forge_last_entry(root: &Path, f: impl FnOnce(&mut archive::Entry)) {
    let path = root.join("ledger.jsonl");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut e: archive::Entry = serde_json::from_str(lines.last().unwrap()).unwrap();
    f(&mut e);
    *lines.last_mut().unwrap() = String::from_utf8(e.to_line()).unwrap();
    fs::write(&path, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    rewrite_checkpoint(root);
}

fn rewrite_checkpoint(root: &Path) {
    let text = fs::read(root.join("ledger.jsonl")).unwrap();
    let leaves: Vec<_> =
        text.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(archive::merkle::leaf_hash).collect();
    let cp = serde_json::json!({
        "size": leaves.len(),
        "root": hex::encode(archive::merkle::root(&leaves)),
        "ledger_bytes": text.len(),
    });
    fs::write(root.join("checkpoint.json"), serde_json::to_vec_pretty(&cp).unwrap()).unwrap();
}

/// Every single-bit flip, and the flip of all eight bits, at 1,000 random bytes of the objects
/// and the ledger is caught (a fixed seed; the byte is restored after each).
#[test]
fn tamper_matrix_every_bit_flip_at_1000_random_bytes_is_caught() {
    let p = sample_project();
    let mut files = vec![p.archive().join("ledger.jsonl")];
    files.extend(p.object_files());
    let sizes: Vec<u64> = files.iter().map(|f| fs::metadata(f).unwrap().len()).collect();
    let total: u64 = sizes.iter().sum();
    let a = Archive::open(&p.archive()).unwrap();
    let mut rng = Rng(0x1ce_2025_0023);
    let mut caught_by: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for n in 0..1000 {
        let mut pos = rng.below(total);
        let mut i = 0;
        while pos >= sizes[i] {
            pos -= sizes[i];
            i += 1;
        }
        let file = &files[i];
        writable(file);
        // In place: one byte rewritten, never a truncated file.
        let f = fs::OpenOptions::new().read(true).write(true).open(file).unwrap();
        let mut original = [0u8];
        f.read_exact_at(&mut original, pos).unwrap();
        // Each of the 8 bits alone, then all 8 at once.
        for mask in [1u8, 2, 4, 8, 16, 32, 64, 128, 255] {
            f.write_all_at(&[original[0] ^ mask], pos).unwrap();
            let r = archive::verify(&a).unwrap();
            assert!(
                !r.ok,
                "flip of {mask:#04x} at byte {pos} of {} (trial {n}) was not caught",
                file.display()
            );
            *caught_by.entry(r.problems[0].kind.name()).or_default() += 1;
        }
        f.write_all_at(&original, pos).unwrap();
    }
    assert!(archive::verify(&a).unwrap().ok);
    // Both the object checks and the ledger checks did the catching.
    assert!(caught_by.contains_key("object-changed"), "{caught_by:?}");
    assert!(caught_by.contains_key("ledger-edited"), "{caught_by:?}");
}

#[test]
fn each_kind_of_object_damage_is_named() {
    // Truncated.
    let p = sample_project();
    let objs = p.object_files();
    writable(&objs[0]);
    let b = fs::read(&objs[0]).unwrap();
    fs::write(&objs[0], &b[..b.len() - 10]).unwrap();
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::ObjectTruncated], "{r:#?}");
    assert_eq!(r.problems[0].path, objs[0]);

    // Appended bytes.
    let mut longer = b.clone();
    longer.extend_from_slice(b"\nadded later\n");
    fs::write(&objs[0], &longer).unwrap();
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::ObjectAppended], "{r:#?}");
    assert!(r.problems[0].message.contains("13 bytes appended"), "{r:#?}");

    // Changed in place.
    let mut changed = b.clone();
    changed[100] ^= 0x20;
    fs::write(&objs[0], &changed).unwrap();
    assert_eq!(kinds(&p.verify()), [ProblemKind::ObjectChanged]);
    fs::write(&objs[0], &b).unwrap();
    assert!(p.verify().ok);

    // Two objects with their names swapped.
    let (x, y) = (&objs[1], &objs[2]);
    let tmp = x.with_extension("swap");
    fs::rename(x, &tmp).unwrap();
    fs::rename(y, x).unwrap();
    fs::rename(&tmp, y).unwrap();
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::ObjectMisplaced, ProblemKind::ObjectMisplaced], "{r:#?}");
    fs::rename(x, &tmp).unwrap();
    fs::rename(y, x).unwrap();
    fs::rename(&tmp, y).unwrap();

    // Moved to the wrong folder.
    let wrong = p.archive().join("objects").join("zz");
    fs::create_dir(&wrong).unwrap();
    let moved = wrong.join(objs[1].file_name().unwrap());
    fs::rename(&objs[1], &moved).unwrap();
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::ObjectMisplaced], "{r:#?}");
    assert_eq!(r.problems[0].path, moved);

    // Missing.
    fs::remove_file(&moved).unwrap();
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::ObjectMissing], "{r:#?}");
    assert_eq!(r.problems[0].path, objs[1]);

    // Replaced by a symbolic link to a file with the same bytes: not stored in the archive any more.
    let outside = p.path().join("outside");
    fs::copy(&objs[2], &outside).unwrap();
    fs::remove_file(&objs[2]).unwrap();
    std::os::unix::fs::symlink(&outside, &objs[2]).unwrap();
    let r = p.verify();
    assert!(
        r.problems.iter().any(|x| x.kind == ProblemKind::ObjectChanged
            && x.path == objs[2]
            && x.message.contains("symbolic link")),
        "{r:#?}"
    );
    fs::remove_file(&objs[2]).unwrap();
    fs::copy(&outside, &objs[2]).unwrap();

    // And an extra file nobody references.
    let extra = p.archive().join("objects").join("ab").join("c".repeat(62));
    fs::create_dir_all(extra.parent().unwrap()).unwrap();
    fs::write(&extra, b"smuggled").unwrap();
    let r = p.verify();
    assert!(kinds(&r).contains(&ProblemKind::ObjectExtra), "{r:#?}");
    assert!(r.problems.iter().any(|x| x.kind == ProblemKind::ObjectExtra && x.path == extra));
}

#[test]
fn each_kind_of_ledger_damage_is_named() {
    let p = sample_project();
    let ledger = p.archive().join("ledger.jsonl");
    let original = fs::read_to_string(&ledger).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    assert_eq!(lines.len(), 4);
    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    let only = |r: &VerifyReport, kind: ProblemKind, line: Option<usize>| {
        assert!(!r.ok);
        assert!(
            r.problems.iter().any(|x| x.kind == kind && x.line == line),
            "want {kind} at {line:?}: {r:#?}"
        );
    };

    // A middle line deleted.
    fs::write(&ledger, join(&[lines[0], lines[2], lines[3]])).unwrap();
    let r = p.verify();
    only(&r, ProblemKind::LedgerRemoved, Some(2));
    assert!(r.problems[0].message.contains("seq 1 was removed"), "{r:#?}");

    // Two lines swapped.
    fs::write(&ledger, join(&[lines[0], lines[2], lines[1], lines[3]])).unwrap();
    only(&p.verify(), ProblemKind::LedgerReordered, Some(2));

    // The last line removed: only the checkpoint can tell.
    fs::write(&ledger, join(&lines[..3])).unwrap();
    only(&p.verify(), ProblemKind::LedgerRemoved, Some(4));

    // The last line cut short.
    fs::write(&ledger, &original[..original.len() - 20]).unwrap();
    only(&p.verify(), ProblemKind::LedgerTruncated, Some(4));

    // A line appended by someone else, properly chained.
    let mut forged: archive::Entry = serde_json::from_str(lines[3]).unwrap();
    forged.seq = 4;
    forged.prev = sha256(lines[3].as_bytes());
    forged.action = archive::Action::LegalHold;
    forged.reason = Some("forged".into());
    fs::write(&ledger, format!("{original}{}\n", String::from_utf8(forged.to_line()).unwrap())).unwrap();
    only(&p.verify(), ProblemKind::LedgerUnexpected, Some(5));

    // The last line edited (nothing chains to it; the checkpoint root catches it).
    let edited = lines[3].replace("\"approved_by\":\"", "\"approved_by\":\"X");
    assert_ne!(edited, lines[3]);
    fs::write(&ledger, join(&[lines[0], lines[1], lines[2], &edited])).unwrap();
    only(&p.verify(), ProblemKind::LedgerEdited, Some(4));

    // A middle line edited: `retain_until` pushed out, as if to keep a record longer.
    let changed = lines[1].replace("\"retain_until\":\"2032-01-15\"", "\"retain_until\":\"2099-01-15\"");
    assert_ne!(changed, lines[1]);
    fs::write(&ledger, join(&[lines[0], &changed, lines[2], lines[3]])).unwrap();
    let r = p.verify();
    only(&r, ProblemKind::RetentionChanged, Some(2));
    only(&r, ProblemKind::LedgerEdited, Some(2));

    // The same edit by a forger who re-chains everything and rewrites the checkpoint: the
    // retention rule still names it.
    fs::write(&ledger, &original).unwrap();
    forge_last_entry(&p.archive(), |e| e.retain_until = "2040-01-01".parse().unwrap());
    let r = p.verify();
    assert_eq!(kinds(&r), [ProblemKind::RetentionChanged], "{r:#?}");

    // Retention years changed together with retain_until: the record itself disagrees.
    fs::write(&ledger, &original).unwrap();
    rewrite_checkpoint(&p.archive());
    let last: Value = serde_json::from_str(lines[3]).unwrap();
    assert_eq!(last["id"], "INC-2025-0023");
    forge_last_entry(&p.archive(), |e| {
        e.retention_years = 1;
        e.retain_until = "2026-01-15".parse().unwrap();
    });
    let r = p.verify();
    assert!(
        r.problems.iter().any(|x| x.kind == ProblemKind::RetentionChanged && x.message.contains("states 7"))
    );

    // An entry moved to another id: the record itself says otherwise.
    fs::write(&ledger, &original).unwrap();
    forge_last_entry(&p.archive(), |e| e.id = "INC-2099-0001".into());
    let r = p.verify();
    assert!(r.problems.iter().any(|x| x.kind == ProblemKind::RecordMismatch && x.line == Some(4)), "{r:#?}");

    // An unknown format.
    fs::write(&ledger, &original).unwrap();
    rewrite_checkpoint(&p.archive());
    assert!(p.verify().ok);
    fs::write(p.archive().join("archive.json"), r#"{"format":2,"hash":"sha256"}"#).unwrap();
    assert_eq!(kinds(&p.verify()), [ProblemKind::UnknownFormat]);
}

#[test]
fn verify_exit_codes_and_output_name_the_problem() {
    let p = Project::new();
    p.write("INC-2025-0023.md", &reference());
    assert_eq!(p.run(&["ingest"]).0, 0);
    let (code, out, _) = p.run(&["verify"]);
    assert_eq!(code, 0, "{out}");
    let obj = &p.object_files()[0];
    writable(obj);
    let mut b = fs::read(obj).unwrap();
    b.truncate(100);
    fs::write(obj, b).unwrap();
    let (code, out, _) = p.run(&["verify"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!(
            "{}: error[object-truncated]:",
            Path::new("archive")
                .join("objects")
                .join(obj.strip_prefix(p.archive().join("objects")).unwrap())
                .display()
        )),
        "{out}"
    );
    assert!(out.contains("1 problem"), "{out}");
    let (code, v) = p.json(&["verify", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["kind"], "object-truncated");
    fs::write(p.archive().join("archive.json"), b"{\"format\":9}").unwrap();
    let (code, out, _) = p.run(&["verify"]);
    assert_eq!(code, 1);
    assert!(out.contains("error[unknown-format]"), "{out}");
    fs::rename(p.archive().join("archive.json"), p.path().join("format.bak")).unwrap();
    let (code, out, _) = p.run(&["verify"]);
    assert_eq!(code, 1);
    assert!(out.contains("archive.json: error[unknown-format]: missing"), "{out}");
    fs::rename(p.path().join("format.bak"), p.archive().join("archive.json")).unwrap();
    let (code, _, err) = p.run(&["verify", "--archive", "nowhere"]);
    assert_eq!(code, 2);
    assert!(err.contains("not an archive"), "{err}");
    // Writers refuse an unknown format.
    let (code, _, err) = p.run(&["ingest"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown archive format"), "{err}");
}

#[test]
fn writers_refuse_a_damaged_archive() {
    let p = sample_project();
    let ledger = p.archive().join("ledger.jsonl");
    let text = fs::read_to_string(&ledger).unwrap();
    fs::write(&ledger, text.replacen("\"size\":", "\"size\": ", 1)).unwrap();
    p.write("INC-2020-0001.md", &record("INC-2020-0001", "2020-01-01", "7 years"));
    let (code, _, err) = p.run(&["ingest"]);
    assert_eq!(code, 2);
    assert!(err.contains("refusing to write") && err.contains("ledger-edited"), "{err}");
}

#[test]
fn a_second_run_gets_exit_3_while_the_lock_is_held() {
    let p = Project::new();
    p.write("INC-2025-0023.md", &reference());
    assert_eq!(p.run(&["ingest"]).0, 0);
    let a = Archive::open(&p.archive()).unwrap();
    let guard = lock(&a);
    for args in [&["ingest"][..], &["verify"], &["retention", "hold", "INC-2025-0023", "--reason", "x"]] {
        let (code, out, err) = p.run_once(args);
        assert_eq!(code, 3, "{args:?}: {out}{err}");
        assert!(err.contains(".lock") && err.contains("locked by another run"), "{err}");
    }
    // In-process too: a second lock fails at once.
    assert!(matches!(a.lock(), Err(archive::ArchiveError::Locked { .. })));
    drop(guard);
    assert_eq!(p.run(&["verify"]).0, 0);

    // Two processes at once: whichever comes second exits 3 (or, if the first is already done,
    // finds nothing to do); the archive is whole either way.
    let many = Project::new();
    for i in 0..300 {
        many.write(&format!("r{i}.md"), &record(&format!("INC-2021-{i:04}"), "2021-05-05", "7 years"));
    }
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("incident-archive"))
        .arg("ingest")
        .current_dir(many.path())
        .env("INCIDENT_ARCHIVE_NOW", NOW)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !many.archive().join(".lock").exists() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let (second, _, err2) = many.run_once(&["ingest"]);
    let first = child.wait_with_output().unwrap();
    let codes = [first.status.code().unwrap(), second];
    assert!(codes.contains(&0) && codes.iter().all(|c| *c == 0 || *c == 3), "{codes:?}");
    if second == 3 {
        assert!(err2.contains("locked by another run"), "{err2}");
    }
    if codes[0] == 3 {
        assert!(String::from_utf8_lossy(&first.stderr).contains("locked by another run"));
    }
    assert_eq!(many.ledger().len(), 300);
    assert!(many.verify().ok);
}

#[test]
fn retention_leap_day_never_decreasing_and_purge_rules() {
    let p = Project::new();
    p.write("leap.md", &record("INC-2016-0229", "2016-02-29", "7 years"));
    p.write("default.md", &record("INC-2019-0001", "2019-06-01", "none stated"));
    p.write("held.md", &record("INC-2015-0002", "2015-05-01", "5 years"));
    p.write("fresh.md", &record("INC-2025-0100", "2025-06-01", "7 years"));
    assert_eq!(p.run(&["ingest"]).0, 0);
    let until = |id: &str| {
        p.ledger()
            .iter()
            .rev()
            .find(|e| e["id"] == id)
            .map(|e| e["retain_until"].as_str().unwrap().to_string())
    };
    assert_eq!(until("INC-2016-0229").as_deref(), Some("2023-02-28"));
    assert_eq!(until("INC-2019-0001").as_deref(), Some("2026-06-01"));

    // A new version with a shorter period keeps the later date; a later sign-off moves it on.
    p.write("fresh.md", &record("INC-2025-0100", "2025-06-01", "2 years").replace("Production", "Prod"));
    assert_eq!(p.run(&["ingest"]).0, 0);
    assert_eq!(until("INC-2025-0100").as_deref(), Some("2032-06-01"));
    p.write("fresh.md", &record("INC-2025-0100", "2025-12-01", "7 years"));
    assert_eq!(p.run(&["ingest"]).0, 0);
    assert_eq!(until("INC-2025-0100").as_deref(), Some("2032-12-01"));

    // Report.
    let (code, r) = p.json(&["retention", "report", "--json", "--within", "400"]);
    assert_eq!(code, 0);
    let ids = |k: &str| {
        r[k].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(ids("expired"), ["INC-2015-0002", "INC-2016-0229"]);
    assert_eq!(ids("expiring"), ["INC-2019-0001"]);

    // Hold, then purge: held and unexpired records are kept.
    let (code, _, err) = p.run(&["retention", "hold", "INC-2015-0002", "--reason", "litigation 2026-17"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = p.run(&["retention", "hold", "INC-2015-0002", "--reason", "again"]);
    assert_eq!(code, 2);
    assert!(err.contains("already on legal hold"), "{err}");
    let (code, _, err) = p.run(&["retention", "purge", "--as-of", "2030-01-01"]);
    assert_eq!(code, 2, "a purge in the future is refused");
    assert!(err.contains("after today"), "{err}");
    let (code, out, _) = p.run(&["retention", "purge", "--dry-run", "--as-of", "2030-01-01"]);
    assert_eq!(code, 0);
    assert!(out.contains("would purge INC-2016-0229") && out.contains("would purge INC-2019-0001"), "{out}");
    assert_eq!(p.object_files().len(), 6, "a dry run removes nothing");

    let (code, out, err) =
        p.run(&["retention", "purge", "--reason", "retention period elapsed (policy 4.2)"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("purged INC-2016-0229"), "{out}");
    assert!(out.contains("kept INC-2015-0002: on legal hold"), "{out}");
    assert!(!out.contains("INC-2019-0001") && !out.contains("INC-2025-0100 "), "{out}");
    let leap_sha = sha256(record("INC-2016-0229", "2016-02-29", "7 years").as_bytes());
    let purge = p.ledger().into_iter().find(|e| e["action"] == "purge").unwrap();
    assert_eq!(purge["id"], "INC-2016-0229");
    assert_eq!(purge["object"], leap_sha.as_str());
    assert_eq!(purge["reason"], "retention period elapsed (policy 4.2)");
    assert!(!p.archive().join("objects").join(&leap_sha[..2]).join(&leap_sha[2..]).exists());
    assert_eq!(p.object_files().len(), 5);
    assert!(p.verify().ok, "{:#?}", p.verify());

    let (code, _, err) = p.run(&["show", "INC-2016-0229", "--raw"]);
    assert_eq!(code, 2);
    assert!(err.contains("was purged") && err.contains(&leap_sha), "{err}");
    let (_, show) = p.json(&["show", "INC-2016-0229", "--json"]);
    assert_eq!(show["provenance"]["purged"]["reason"], "retention period elapsed (policy 4.2)");

    // The inbox copy of a purged record does not come back; other bytes under its id are refused.
    let (code, r) = p.json(&["ingest", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(r["new"], 0);
    assert!(r["warnings"].as_array().unwrap().iter().any(|w| w["rule"] == "purged"));
    p.write("leap.md", &record("INC-2016-0229", "2016-02-29", "9 years"));
    let (code, r) = p.json(&["ingest", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(r["rejected"][0]["diagnostics"][0]["rule"], "purged-id");

    // Release, and the record can go.
    assert_eq!(p.run(&["retention", "release", "INC-2015-0002", "--reason", "case closed"]).0, 0);
    let (_, out, _) = p.run(&["retention", "purge"]);
    assert!(out.contains("purged INC-2015-0002"), "{out}");
    let (_, r) = p.json(&["retention", "report", "--json"]);
    assert_eq!(r["purged"].as_array().unwrap().len(), 2);
    assert!(p.verify().ok);

    // A forged purge of an unexpired record is named by verify.
    forge_last_entry(&p.archive(), |e| e.retain_until = "2030-01-01".parse().unwrap());
    assert!(p.verify().problems.iter().any(|x| x.kind == ProblemKind::RetentionChanged));
}

#[test]
fn inclusion_proofs_check_against_the_root() {
    let p = sample_project();
    let a = Archive::open(&p.archive()).unwrap();
    let snap = Snapshot::read(&a, SnapshotOptions::default()).unwrap();
    for r in &snap.records {
        for v in &r.versions {
            let proof = a.inclusion_proof(&r.id, Some(v.version)).unwrap();
            assert_eq!(proof.root, snap.root);
            assert_eq!(proof.check(None).unwrap(), snap.root);
        }
    }
    let (code, out, _) = p.run(&["proof", "INC-2025-0023"]);
    assert_eq!(code, 0);
    let proof_file = p.path().join("proof.json");
    fs::write(&proof_file, &out).unwrap();
    let (code, ok, _) = p.run(&["verify-proof", "proof.json", "--root", &snap.root]);
    assert_eq!(code, 0, "{ok}");
    assert!(ok.starts_with("ok: entry 3 about `INC-2025-0023`"), "{ok}");
    let (code, bad, _) = p.run(&["verify-proof", "proof.json", "--root", &"0".repeat(64)]);
    assert_eq!(code, 1, "{bad}");
    let tampered = out.replace("\\\"retention_years\\\":7", "\\\"retention_years\\\":8");
    assert_ne!(tampered, out);
    fs::write(&proof_file, &tampered).unwrap();
    assert_eq!(p.run(&["verify-proof", "proof.json"]).0, 1);

    // Consistency: the root after more ingests extends the root kept earlier.
    let old = a.consistency_proof(2).unwrap();
    p.write("INC-2019-0005.md", &record("INC-2019-0005", "2019-08-08", "7 years"));
    p.ingest_lib();
    let c = a.consistency_proof(2).unwrap();
    assert_eq!(c.old_root, old.old_root);
    c.check().unwrap();
}

#[test]
fn snapshot_parses_every_current_version() {
    let p = sample_project();
    let snap = Snapshot::read(&Archive::open(&p.archive()).unwrap(), SnapshotOptions::default()).unwrap();
    let ids: Vec<_> = snap.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["INC-2023-0042", "INC-2024-0101", "INC-2025-0023"]);
    assert_eq!(snap.ledger_len, 4);
    let r = &snap.records[2];
    assert_eq!(r.versions.len(), 2);
    assert_eq!(r.last_seq, 3);
    assert_eq!(r.whole().unwrap().id, "INC-2025-0023");
    assert_eq!(r.retain_until.to_string(), "2032-01-15");
    assert_eq!(snap.records[1].retain_until.to_string(), "2034-02-28");
    // In chunks: the same records, in the same order.
    let mut chunked = Vec::new();
    let (root, len) = snapshot::read_in_chunks(&Archive::open(&p.archive()).unwrap(), 2, |part| {
        assert!(part.len() <= 2);
        chunked.extend(part);
        Ok::<_, archive::ArchiveError>(())
    })
    .unwrap();
    assert_eq!((root, len), (snap.root.clone(), snap.ledger_len));
    let ids2: Vec<_> = chunked.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids2, ids);
    assert_eq!(chunked[2].whole(), snap.records[2].whole());

    // A damaged object is not handed on as the record.
    let obj = Archive::open(&p.archive()).unwrap().object_path(&snap.records[0].object).unwrap();
    writable(&obj);
    fs::write(&obj, b"forged").unwrap();
    let snap = Snapshot::read(&Archive::open(&p.archive()).unwrap(), SnapshotOptions::default()).unwrap();
    assert!(snap.records[0].summary().is_none() && !snap.records[0].is_purged());
    assert!(snap.records[0].error().unwrap().contains("does not match"), "{:?}", snap.records[0].error());
    assert_eq!(snap.records[2].sign_off.approved_by, "Maria Garcia, CISO");
    assert_eq!(snap.records[1].retention_years, 10);
    assert!(snap.records[1].summary().is_some());
}

/// What a snapshot has of each record, and where it came from: parsed by this process (whole
/// within the budget, summarized beyond it), or the summary cache the first snapshot left; a
/// purged record's disposal; nothing read in a ledger-only snapshot.
#[test]
fn a_snapshot_says_what_it_has_of_each_record_and_where_it_came_from() {
    let p = sample_project();
    p.write("old.md", &record("INC-2015-0002", "2015-05-01", "5 years"));
    p.ingest_lib();
    let (code, out, _) = p.run(&["retention", "purge"]);
    assert_eq!(code, 0, "{out}");
    let a = Archive::open(&p.archive()).unwrap();
    let read = |opts| Snapshot::read(&a, opts).unwrap();
    fn purged(s: &Snapshot) -> Vec<&str> {
        s.records.iter().filter(|r| r.is_purged()).map(|r| r.id.as_str()).collect()
    }
    let live = |s: &Snapshot| s.records.iter().filter(|r| !r.is_purged()).count();
    let _ = fs::remove_dir_all(p.archive().join("cache"));

    let whole = read(SnapshotOptions { budget: u64::MAX, ..Default::default() });
    assert_eq!(purged(&whole), ["INC-2015-0002"]);
    let purge = whole.records.iter().find(|r| r.is_purged()).unwrap();
    assert!(purge.summary().is_none() && purge.title().is_none() && purge.error().is_none());
    assert_eq!(purge.purged().unwrap().reason, "retention period elapsed");
    assert_eq!(whole.records.iter().filter(|r| matches!(r.content, Content::Whole(_))).count(), live(&whole));
    assert!(whole.records.iter().filter(|r| !r.is_purged()).all(|r| r.parsed_here().is_some()));

    let _ = fs::remove_dir_all(p.archive().join("cache"));
    let small = read(SnapshotOptions { budget: 0, ..Default::default() });
    let parsed = |s: &Snapshot, origin: Origin| {
        s.records.iter().filter(|r| matches!(r.content, Content::Summary(_, o) if o == origin)).count()
    };
    assert_eq!(parsed(&small, Origin::Parsed), live(&small), "summarized by this process");
    assert!(small.records.iter().filter(|r| !r.is_purged()).all(|r| r.parsed_here().is_some()));
    for (w, s) in whole.records.iter().zip(&small.records) {
        assert_eq!(w.title(), s.title());
        assert_eq!(small.full_incident(s).as_deref(), w.whole(), "parsed again when needed");
    }

    let cached = read(SnapshotOptions::default());
    assert_eq!(parsed(&cached, Origin::Cache), live(&cached), "taken from the cache the last one left");
    assert!(cached.records.iter().all(|r| r.parsed_here().is_none()), "nothing parsed here");
    assert_eq!(purged(&cached), ["INC-2015-0002"]);

    let before = fs::read(p.archive().join("cache/summaries.json")).unwrap();
    let ledger = read(SnapshotOptions { records: Records::LedgerOnly, ..Default::default() });
    assert_eq!((&ledger.root, ledger.ledger_len), (&whole.root, whole.ledger_len));
    assert_eq!(purged(&ledger), ["INC-2015-0002"]);
    assert!(ledger.records.iter().filter(|r| !r.is_purged()).all(|r| matches!(r.content, Content::Nothing)));
    assert_eq!(
        fs::read(p.archive().join("cache/summaries.json")).unwrap(),
        before,
        "the cache is left as it is"
    );
}

/// SIGKILL `ingest` at random moments: `verify` passes after every kill, and finishing the job
/// gives the same root as a run that was never interrupted.
#[test]
fn killed_ingests_leave_a_consistent_archive_and_converge() {
    let inbox = tempfile::tempdir().unwrap();
    for i in 0..200 {
        let day = 1 + i % 28;
        let text = minimal(&format!("INC-2024-{i:04}"), &format!("2024-0{}-{day:02}", 1 + i % 9), i);
        fs::write(inbox.path().join(format!("INC-2024-{i:04}.md")), text).unwrap();
    }
    let run = |archive: &Path| {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("incident-archive"));
        c.args(["ingest", "-q", "--archive"])
            .arg(archive)
            .arg(inbox.path())
            .env("INCIDENT_ARCHIVE_NOW", NOW)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };

    // The uninterrupted run: its root, and how long it takes.
    let reference = tempfile::tempdir().unwrap();
    let start = Instant::now();
    assert!(run(&reference.path().join("a")).status().unwrap().success());
    let full = start.elapsed();
    let want =
        Snapshot::read(&Archive::open(&reference.path().join("a")).unwrap(), SnapshotOptions::default())
            .unwrap()
            .root;

    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("a");
    let mut rng = Rng(0xdead_beef);
    let entries = |root: &Path| {
        fs::read(root.join("ledger.jsonl")).map_or(0, |l| l.iter().filter(|b| **b == b'\n').count())
    };
    let (mut kills, mut mid_write, mut series) = (0, 0, 0);
    // Series from an empty archive of up to 8 kills each (a kill may land while the previous
    // one is being cleaned up), then a run to the end, until 50 kills hit a running ingest and
    // 10 of them a write in progress. How many kills a series gets depends on where the time
    // goes, which a loaded machine shifts (a slow fsync puts more kills after the commit, which
    // ends the series): the number of series is only bounded against a loop without end.
    while kills < 50 || mid_write < 10 {
        assert!(series < 300, "only {kills} kills landed in 300 series, {mid_write} of them during a write");
        if root.exists() {
            fs::remove_dir_all(&root).unwrap();
        }
        for attempt in 0..8 {
            // A random moment within the time the remaining work should take.
            let left = 200 - entries(&root);
            if left == 0 {
                break;
            }
            let budget = full.as_micros() as u64 * (left as u64 + 20) / 220;
            let delay = Duration::from_micros(rng.below(budget + 1));
            let mut child = run(&root).spawn().unwrap();
            let started = Instant::now();
            while started.elapsed() < delay && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_micros(200));
            }
            let killed = child.try_wait().unwrap().is_none();
            if killed {
                child.kill().unwrap(); // SIGKILL
                kills += 1;
            }
            child.wait().unwrap();
            if root.join("pending.json").exists() {
                mid_write += 1;
                let ledger = fs::read(root.join("ledger.jsonl")).unwrap_or_default();
                eprintln!(
                    "kill {series}.{attempt} after {delay:?}: mid-write, {} entries{}",
                    entries(&root),
                    if ledger.last().is_some_and(|b| *b != b'\n') { ", unfinished last line" } else { "" }
                );
            }
            match Archive::open(&root) {
                Ok(a) => {
                    let r = archive::verify(&a).unwrap();
                    assert!(r.ok, "series {series}, kill {attempt} after {delay:?}: {:#?}", r.problems);
                }
                // Killed before the archive was created: nothing to verify.
                Err(archive::ArchiveError::NoArchive { .. }) => {}
                Err(e) => panic!("series {series}, kill {attempt}: {e}"),
            }
        }
        let out = run(&root).stderr(Stdio::piped()).output().unwrap();
        assert!(out.status.success(), "series {series}: {}", String::from_utf8_lossy(&out.stderr));
        let a = Archive::open(&root).unwrap();
        assert_eq!(
            Snapshot::read(&a, SnapshotOptions::default()).unwrap().root,
            want,
            "series {series}: the rerun did not converge"
        );
        assert!(archive::verify(&a).unwrap().ok);
        assert!(!root.join("pending.json").exists());
        series += 1;
    }
    eprintln!("{kills} kills in {series} series, {mid_write} during a write");
}

/// Every state a kill can leave between the steps of a write (see `archive::journal`): `verify`
/// passes (with notes), the next locked run finishes the write, and the result is the archive
/// an uninterrupted run gives. The same leftovers without `pending.json` are damage.
#[test]
fn every_crash_window_verifies_and_is_recovered() {
    let p = Project::new();
    p.write("INC-2025-0023.md", &reference());
    p.ingest_lib();
    let before = p.path().join("before");
    common::copy_tree(&p.archive(), &before);
    let second = record("INC-2025-0099", "2025-03-03", "7 years");
    p.write("INC-2025-0099.md", &second);
    let after_report = p.ingest_lib();
    let after = p.archive();
    let sha2 = sha256(second.as_bytes());
    let rel2 = Path::new("objects").join(&sha2[..2]).join(&sha2[2..]);
    let before_ledger = fs::read(before.join("ledger.jsonl")).unwrap();
    let after_ledger = fs::read(after.join("ledger.jsonl")).unwrap();
    let pending = archive::journal::Pending {
        operation: "ingest".into(),
        size: 1,
        ledger_bytes: before_ledger.len() as u64,
        objects: vec![sha2.clone()],
        purge: vec![],
    };

    // (name, build the state from a copy of `before`, whether a rerun of ingest is needed)
    type Step = Box<dyn Fn(&Path)>;
    let with_object: Step = {
        let (after, rel2) = (after.clone(), rel2.clone());
        Box::new(move |root: &Path| {
            fs::create_dir_all(root.join(rel2.parent().unwrap())).unwrap();
            fs::copy(after.join(&rel2), root.join(&rel2)).unwrap();
            fs::write(root.join(rel2.parent().unwrap()).join(".tmp-999-0"), b"half").unwrap();
        })
    };
    let cases: Vec<(&str, Vec<Step>, bool)> = vec![
        ("after pending, before objects", vec![], true),
        ("after objects, before the ledger", vec![with_object], true),
        (
            "in the middle of the ledger append",
            vec![
                Box::new({
                    let (after, rel2) = (after.clone(), rel2.clone());
                    move |root: &Path| {
                        fs::create_dir_all(root.join(rel2.parent().unwrap())).unwrap();
                        fs::copy(after.join(&rel2), root.join(&rel2)).unwrap();
                    }
                }),
                Box::new({
                    let part = after_ledger[..before_ledger.len() + 60].to_vec();
                    move |root: &Path| fs::write(root.join("ledger.jsonl"), &part).unwrap()
                }),
            ],
            true,
        ),
        (
            "after the ledger, before the checkpoint",
            vec![
                Box::new({
                    let (after, rel2) = (after.clone(), rel2.clone());
                    move |root: &Path| {
                        fs::create_dir_all(root.join(rel2.parent().unwrap())).unwrap();
                        fs::copy(after.join(&rel2), root.join(&rel2)).unwrap();
                    }
                }),
                Box::new({
                    let l = after_ledger.clone();
                    move |root: &Path| fs::write(root.join("ledger.jsonl"), &l).unwrap()
                }),
            ],
            false,
        ),
        (
            "after the checkpoint, before the clean-up",
            vec![Box::new({
                let after = after.clone();
                move |root: &Path| {
                    fs::remove_dir_all(root).unwrap();
                    common::copy_tree(&after, root);
                }
            })],
            false,
        ),
    ];
    for (i, (name, steps, rerun)) in cases.iter().enumerate() {
        let root = p.path().join(format!("case{i}"));
        common::copy_tree(&before, &root);
        for s in steps {
            s(&root);
        }
        pending.write(&root.join("pending.json")).unwrap();
        let a = Archive::open(&root).unwrap();
        let r = archive::verify(&a).unwrap();
        assert!(r.ok, "{name}: {:#?}", r.problems);

        // Without `pending.json`, the same leftovers are damage (unless there are none).
        fs::rename(root.join("pending.json"), root.join("pending.bak")).unwrap();
        let damaged = archive::verify(&a).unwrap();
        let leftovers = i > 0 && i < 4;
        assert_eq!(!damaged.ok, leftovers, "{name} without pending.json: {:#?}", damaged.problems);
        fs::rename(root.join("pending.bak"), root.join("pending.json")).unwrap();

        let guard = lock(&a);
        assert!(!guard.recovered().is_empty(), "{name}");
        assert!(!root.join("pending.json").exists(), "{name}");
        let files = incident_archive::record::discover(&[p.records()]).unwrap();
        let rep = archive::ingest(&a, &guard, &files, &IngestOptions::new(7, now())).unwrap();
        assert_eq!(rep.new, usize::from(*rerun), "{name}");
        drop(guard);
        assert_eq!(rep.root, after_report.root, "{name}: did not converge");
        let r = archive::verify(&a).unwrap();
        assert!(r.ok && r.notes.is_empty(), "{name}: {r:#?}");
        assert_eq!(fs::read(root.join("ledger.jsonl")).unwrap(), after_ledger, "{name}");
    }

    // An interrupted purge: the entry is written, the bytes are not yet removed. The purge is
    // made in 2040, when the records have expired, and verified as of then (its entries are
    // dated in the future of today's clock).
    let root = p.path().join("purge");
    common::copy_tree(&after, &root);
    let a = Archive::open(&root).unwrap();
    let at: DateTime<Utc> = "2040-01-01T00:00:00Z".parse().unwrap();
    let verify = |a: &Archive| archive::verify::verify_at(a, &Default::default(), at).unwrap();
    {
        let guard = lock(&a);
        let opts = archive::PurgeOptions {
            as_of: at.date_naive(),
            reason: "elapsed".into(),
            dry_run: false,
            now: at,
        };
        archive::retention::purge(&a, &guard, &opts).unwrap();
    }
    let purged_object = root.join(&rel2);
    fs::create_dir_all(purged_object.parent().unwrap()).unwrap();
    fs::copy(after.join(&rel2), &purged_object).unwrap();
    let first = sha256(reference().as_bytes());
    let first_object = root.join("objects").join(&first[..2]).join(&first[2..]);
    fs::copy(after.join("objects").join(&first[..2]).join(&first[2..]), &first_object).unwrap();
    let pending = archive::journal::Pending {
        operation: "purge".into(),
        size: 2,
        ledger_bytes: after_ledger.len() as u64,
        objects: vec![],
        purge: vec!["INC-2025-0023".into(), "INC-2025-0099".into()],
    };
    pending.write(&root.join("pending.json")).unwrap();
    let r = verify(&a);
    assert!(r.ok && r.notes.len() == 2, "{r:#?}");
    fs::remove_file(root.join("pending.json")).unwrap();
    assert_eq!(kinds(&verify(&a)), [ProblemKind::PurgedObjectPresent; 2]);
    pending.write(&root.join("pending.json")).unwrap();
    drop(lock(&a));
    assert!(!purged_object.exists() && !first_object.exists());
    let r = verify(&a);
    assert!(r.ok && r.notes.is_empty(), "{r:#?}");
}

/// `build` gives verify the facts of the records it has just parsed; verify uses them instead of
/// parsing those objects again, and still hashes every object.
#[test]
fn verify_takes_the_facts_it_is_given_and_still_hashes_every_object() {
    let p = sample_project();
    let a = Archive::open(&p.archive()).unwrap();
    let snap = Snapshot::read(&a, SnapshotOptions { budget: u64::MAX, ..Default::default() }).unwrap();
    let known: std::collections::HashMap<String, archive::Facts> = snap
        .records
        .iter()
        .map(|r| (r.object.clone(), archive::Facts::of_incident(r.whole().unwrap())))
        .collect();
    let plain = archive::verify(&a).unwrap();
    let given = archive::verify_knowing(&a, &known).unwrap();
    assert!(plain.ok && given.ok, "{given:#?}");
    assert_eq!((given.objects, given.entries, &given.root), (plain.objects, plain.entries, &plain.root));

    // The given facts are what is checked (here, deliberately wrong ones)...
    let mut wrong = known.clone();
    let first = &snap.records[0];
    wrong.get_mut(&first.object).unwrap().retention_years = Some(99);
    let r = archive::verify_knowing(&a, &wrong).unwrap();
    assert_eq!(kinds(&r), [ProblemKind::RetentionChanged], "{r:#?}");
    // ...and a damaged object is caught whatever facts are given.
    let obj = p.archive().join("objects").join(&first.object[..2]).join(&first.object[2..]);
    writable(&obj);
    let mut bytes = fs::read(&obj).unwrap();
    bytes[10] ^= 1;
    fs::write(&obj, bytes).unwrap();
    assert!(!archive::verify_knowing(&a, &known).unwrap().ok);
}
