//! Checking a bundle as `verify-bundle` does: what the shipped `verify.py` checks (the
//! `SHA256SUMS`, each original against its ledger entry, each entry's inclusion proof against
//! the checkpoint's root, the checkpoint against the manifest), the checkpoint's signature, and,
//! given the archive, that the archive's ledger extends the bundle's tree. Every failure is
//! named, `path: error[kind]: message`; none stops the others from being checked.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Files;
use super::build::{is_version, pem};
use crate::archive::ledger::{self, Action, Entry};
use crate::archive::{Archive, InclusionProof, sha256_hex};
use crate::note::{Checkpoint, SignedNote, VerifierKey};

/// What to check a bundle against besides itself.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions<'a> {
    /// The verifier key the auditor holds (from elsewhere than the bundle): the checkpoint must
    /// be signed by it, and `checkpoint.pub` must be it.
    pub vkey: Option<VerifierKey>,
    /// The archive the bundle was exported from: its ledger must extend the bundle's tree.
    pub archive: Option<&'a Archive>,
}

/// One thing that did not check out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The bundle file (with `:line` for a line of a file).
    pub path: String,
    /// A stable name for the kind of failure (`file-changed`, `proof-invalid`, …).
    pub kind: &'static str,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: error[{}]: {}", self.path, self.kind, self.message)
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Each check that passed, in words.
    pub passed: Vec<String>,
    pub failures: Vec<Failure>,
    /// What was not checked, and why (an unsigned checkpoint, no archive at hand).
    pub notes: Vec<String>,
    /// The checkpoint's tree size and root (hex), when it could be read.
    pub tree_size: Option<u64>,
    pub root: Option<String>,
    /// True when the checkpoint's signature was verified.
    pub signature_verified: bool,
    /// True when the archive was found to extend the bundle's tree.
    pub archive_consistent: bool,
}

impl VerifyReport {
    /// True when nothing failed.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }

    fn fail(&mut self, path: impl Into<String>, kind: &'static str, message: impl Into<String>) {
        self.failures.push(Failure { path: path.into(), kind, message: message.into() });
    }

    fn pass(&mut self, what: impl Into<String>) {
        self.passed.push(what.into());
    }
}

#[derive(Debug, Deserialize)]
struct Manifest {
    format: u32,
    tree_size: u64,
    root: String,
    signed: bool,
    verifier_key: Option<String>,
    records: Vec<ManifestRecord>,
    files: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct ManifestRecord {
    id: String,
    purged: Option<serde_json::Value>,
    entries: Vec<u64>,
    versions: Vec<ManifestVersion>,
}

#[derive(Debug, Deserialize)]
struct ManifestVersion {
    version: u32,
    seq: u64,
    object: String,
    size: u64,
    original: Option<String>,
    sidecar: Option<ManifestSidecar>,
}

#[derive(Debug, Deserialize)]
struct ManifestSidecar {
    object: String,
    file: Option<String>,
}

/// Checks the bundle `files` (as [`super::read`] gives them).
pub fn verify(files: &Files, opts: &VerifyOptions<'_>) -> VerifyReport {
    let mut r = VerifyReport::default();
    check_sums(files, &mut r);
    let manifest = match files.get("manifest.json").map(|b| serde_json::from_slice::<Manifest>(b)) {
        None => {
            r.fail("manifest.json", "file-missing", "the bundle has no manifest");
            None
        }
        Some(Err(e)) => {
            r.fail("manifest.json", "manifest-invalid", format!("not a bundle manifest: {e}"));
            None
        }
        Some(Ok(m)) if m.format != super::FORMAT => {
            r.fail(
                "manifest.json",
                "manifest-invalid",
                format!("format {} (this program reads {})", m.format, super::FORMAT),
            );
            None
        }
        Some(Ok(m)) => Some(m),
    };
    if let Some(m) = &manifest {
        let missing: Vec<&String> = m.files.keys().filter(|p| !files.contains_key(*p)).collect();
        for p in &missing {
            r.fail(p.as_str(), "file-missing", "the manifest lists this file, the bundle does not have it");
        }
        if missing.is_empty() {
            r.pass(format!("every file the manifest lists is there ({})", m.files.len()));
        }
    }
    let checkpoint = check_checkpoint(files, manifest.as_ref(), opts, &mut r);
    let entries = check_entries(files, manifest.as_ref(), checkpoint.as_ref(), &mut r);
    if let Some(m) = &manifest {
        check_records(files, m, &entries, &mut r);
    }
    if let (Some(cp), Some(archive)) = (&checkpoint, opts.archive) {
        match archive.consistency_proof(cp.size()) {
            Err(e) => r.fail("checkpoint", "archive-inconsistent", format!("the archive cannot extend the bundle's tree: {e}")),
            Ok(p) if p.old_root != hex::encode(cp.root()) => r.fail(
                "checkpoint",
                "archive-inconsistent",
                format!(
                    "the archive's first {} entries hash to `{}`, not to the bundle's root `{}`: its history differs",
                    cp.size(),
                    p.old_root,
                    hex::encode(cp.root())
                ),
            ),
            Ok(p) => match p.check() {
                Ok(()) => {
                    r.archive_consistent = true;
                    r.pass(format!(
                        "the archive `{}` ({} entries, root {}) extends the bundle's tree of {} entries (RFC 6962 consistency proof of {} hashes)",
                        archive.root().display(),
                        p.new_size,
                        p.new_root,
                        p.old_size,
                        p.proof.len()
                    ))
                }
                Err(e) => r.fail("checkpoint", "archive-inconsistent", format!("the consistency proof fails: {e}")),
            },
        }
    } else if opts.archive.is_none() {
        r.notes.push("no archive at hand: the bundle's tree was not compared with the archive's".into());
    }
    r
}

/// `SHA256SUMS`: every line's file is there with that hash, and every other file is listed.
fn check_sums(files: &Files, r: &mut VerifyReport) {
    let Some(sums) = files.get("SHA256SUMS") else {
        r.fail("SHA256SUMS", "file-missing", "the bundle has no SHA256SUMS");
        return;
    };
    let Ok(text) = std::str::from_utf8(sums) else {
        r.fail("SHA256SUMS", "sums-invalid", "not UTF-8 text");
        return;
    };
    let mut listed = BTreeSet::new();
    let failures = r.failures.len();
    for (i, line) in text.lines().enumerate() {
        let parsed = line
            .split_once("  ")
            .or_else(|| line.split_once(" *"))
            .filter(|(h, p)| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) && !p.is_empty());
        let Some((hash, path)) = parsed else {
            r.fail(format!("SHA256SUMS:{}", i + 1), "sums-invalid", "not `<sha256>  <path>`");
            continue;
        };
        listed.insert(path.to_string());
        match files.get(path) {
            None => r.fail(path, "file-missing", "listed in SHA256SUMS, not in the bundle"),
            Some(b) if sha256_hex(b) != hash.to_ascii_lowercase() => r.fail(
                path,
                "file-changed",
                format!("its SHA-256 is {}, SHA256SUMS says {hash}", sha256_hex(b)),
            ),
            Some(_) => {}
        }
    }
    for p in files.keys().filter(|p| p.as_str() != "SHA256SUMS" && !listed.contains(*p)) {
        r.fail(p.as_str(), "file-unlisted", "in the bundle but not in SHA256SUMS");
    }
    if r.failures.len() == failures {
        r.pass(format!("SHA256SUMS: the {} files it lists match, and it lists every file", listed.len()));
    }
}

fn text<'a>(files: &'a Files, path: &str, r: &mut VerifyReport) -> Option<&'a str> {
    match files.get(path).map(|b| std::str::from_utf8(b)) {
        None => {
            r.fail(path, "file-missing", "the bundle does not have it");
            None
        }
        Some(Err(_)) => {
            r.fail(path, "checkpoint-invalid", "not UTF-8 text");
            None
        }
        Some(Ok(s)) => Some(s),
    }
}

/// The checkpoint: its text, its agreement with the manifest and with `checkpoint`, and its
/// signature. Returns the checkpoint when its text could be read.
fn check_checkpoint(
    files: &Files,
    m: Option<&Manifest>,
    opts: &VerifyOptions<'_>,
    r: &mut VerifyReport,
) -> Option<Checkpoint> {
    let txt = text(files, "checkpoint.txt", r)?;
    let cp = match Checkpoint::parse(txt) {
        Ok(cp) => cp,
        Err(e) => {
            r.fail("checkpoint.txt", "checkpoint-invalid", e.to_string());
            return None;
        }
    };
    r.tree_size = Some(cp.size());
    r.root = Some(hex::encode(cp.root()));
    if let Some(m) = m {
        if m.tree_size != cp.size() || m.root != hex::encode(cp.root()) {
            r.fail(
                "checkpoint.txt",
                "checkpoint-mismatch",
                format!(
                    "the checkpoint states {} entries with root {}, the manifest {} with root {}",
                    cp.size(),
                    hex::encode(cp.root()),
                    m.tree_size,
                    m.root
                ),
            );
        } else {
            r.pass(format!(
                "the checkpoint states the manifest's tree: {} entries, root {}",
                cp.size(),
                m.root
            ));
        }
    }
    let note = text(files, "checkpoint", r)?;
    let signed = m.map_or(note != txt, |m| m.signed);
    if !signed {
        if note != txt {
            r.fail("checkpoint", "checkpoint-mismatch", "the unsigned checkpoint is not `checkpoint.txt`");
        }
        match &opts.vkey {
            Some(k) => r.fail("checkpoint", "signature-missing", format!("the checkpoint is not signed; `{}` was to sign it", k.label())),
            None => r.notes.push(
                "the checkpoint is not signed: its root cannot be tied to the archive's owner; compare it with a root obtained elsewhere".into(),
            ),
        }
        return Some(cp);
    }
    let parsed = match SignedNote::parse(note.as_bytes()) {
        Ok(n) => n,
        Err(e) => {
            r.fail("checkpoint", "signature-invalid", e.to_string());
            return Some(cp);
        }
    };
    if parsed.text() != txt {
        r.fail("checkpoint", "checkpoint-mismatch", "the signed text is not `checkpoint.txt`");
    }
    let bundled = match files.get("checkpoint.pub").map(|b| std::str::from_utf8(b).map(str::trim_end)) {
        Some(Ok(s)) => match VerifierKey::parse(s) {
            Ok(k) => Some(k),
            Err(e) => {
                r.fail("checkpoint.pub", "key-invalid", e.to_string());
                None
            }
        },
        Some(Err(_)) => {
            r.fail("checkpoint.pub", "key-invalid", "not UTF-8 text");
            None
        }
        None => {
            r.fail("checkpoint.pub", "file-missing", "a signed bundle carries its verifier key");
            None
        }
    };
    if let (Some(m), Some(k)) = (m, &bundled)
        && m.verifier_key.as_deref() != Some(k.to_string().as_str())
    {
        r.fail("checkpoint.pub", "key-mismatch", "not the verifier key the manifest names");
    }
    let key = match (&opts.vkey, &bundled) {
        (Some(given), Some(b)) if given != b => {
            r.fail(
                "checkpoint.pub",
                "key-mismatch",
                format!("the bundle's key `{}` is not the key given, `{}`", b.label(), given.label()),
            );
            Some(given.clone())
        }
        (Some(given), _) => Some(given.clone()),
        (None, b) => b.clone(),
    };
    let Some(key) = key else { return Some(cp) };
    match parsed.verify(std::slice::from_ref(&key)) {
        Ok(_) => {
            r.signature_verified = true;
            r.pass(format!(
                "the checkpoint's Ed25519 signature verifies with `{}`{}",
                key.label(),
                if opts.vkey.is_some() {
                    " (the key given)"
                } else {
                    " (the bundle's key: compare it with one you trust)"
                }
            ));
        }
        Err(e) => r.fail("checkpoint", "signature-invalid", e.to_string()),
    }
    let sig = parsed.signatures().iter().find(|s| s.name == key.name() && s.key_id == key.id());
    match (files.get("checkpoint.sig"), sig) {
        (None, _) => r.fail("checkpoint.sig", "file-missing", "a signed bundle carries the raw signature"),
        (Some(b), Some(s)) if *b != s.bytes => {
            r.fail("checkpoint.sig", "signature-mismatch", "not the signature of the `checkpoint` note")
        }
        _ => {}
    }
    match files.get("checkpoint.pem") {
        None => r.fail("checkpoint.pem", "file-missing", "a signed bundle carries the public key as PEM"),
        Some(b) if *b != pem(&key.public_key()).into_bytes() => {
            r.fail("checkpoint.pem", "key-mismatch", format!("not the public key of `{}`", key.label()))
        }
        Some(_) => {}
    }
    Some(cp)
}

/// The ledger lines and their proofs. Returns the entries that parsed, by seq.
fn check_entries(
    files: &Files,
    m: Option<&Manifest>,
    cp: Option<&Checkpoint>,
    r: &mut VerifyReport,
) -> BTreeMap<u64, Entry> {
    const PATH: &str = "ledger/entries.jsonl";
    let mut entries = BTreeMap::new();
    let Some(bytes) = files.get(PATH) else {
        r.fail(PATH, "file-missing", "the bundle does not have it");
        return entries;
    };
    let ids: Option<BTreeSet<&str>> = m.map(|m| m.records.iter().map(|x| x.id.as_str()).collect());
    let root = cp.map(|c| hex::encode(c.root()));
    let failures = r.failures.len();
    let mut last: Option<u64> = None;
    let mut proved = 0;
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        r.fail(PATH, "entry-invalid", "the last line has no newline");
    }
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for (i, line) in lines.into_iter().enumerate() {
        let at = format!("{PATH}:{}", i + 1);
        let e = match ledger::parse_entry(line) {
            Ok(e) => e,
            Err(why) => {
                r.fail(at, "entry-invalid", why);
                continue;
            }
        };
        if last.is_some_and(|l| e.seq <= l) {
            r.fail(&at, "entry-order", format!("seq {} after seq {}", e.seq, last.unwrap_or_default()));
        }
        last = Some(e.seq);
        if let Some(ids) = &ids
            && !ids.contains(e.id.as_str())
        {
            r.fail(
                &at,
                "entry-unexpected",
                format!("an entry about `{}`, which the manifest does not select", e.id),
            );
        }
        let name = format!("proofs/{}.json", e.seq);
        match files.get(&name).map(|b| serde_json::from_slice::<InclusionProof>(b)) {
            None => r.fail(
                &name,
                "proof-missing",
                format!("line {} (seq {}) has no inclusion proof", i + 1, e.seq),
            ),
            Some(Err(err)) => r.fail(&name, "proof-invalid", format!("not an inclusion proof: {err}")),
            Some(Ok(p)) => {
                if p.entry.as_bytes() != line {
                    r.fail(
                        &name,
                        "proof-mismatch",
                        format!("the proof is of another entry than line {} of `{PATH}`", i + 1),
                    );
                } else if let (Some(cp), Some(root)) = (cp, &root) {
                    if p.tree_size != cp.size() {
                        r.fail(
                            &name,
                            "proof-invalid",
                            format!(
                                "a proof in a tree of {} entries, the checkpoint's has {}",
                                p.tree_size,
                                cp.size()
                            ),
                        );
                    } else {
                        match p.check(Some(root)) {
                            Ok(_) => proved += 1,
                            Err(why) => r.fail(
                                &name,
                                "proof-invalid",
                                format!("{why} (against the checkpoint's root {root})"),
                            ),
                        }
                    }
                }
            }
        }
        if entries.insert(e.seq, e).is_some() {
            r.fail(&at, "entry-order", "a seq that appears twice");
        }
    }
    for name in files.keys().filter(|p| p.starts_with("proofs/")) {
        let seq = name
            .strip_prefix("proofs/")
            .and_then(|s| s.strip_suffix(".json"))
            .and_then(|s| s.parse::<u64>().ok());
        if !seq.is_some_and(|s| entries.contains_key(&s)) {
            r.fail(
                name.as_str(),
                "entry-missing",
                format!("a proof of an entry that `{PATH}` does not have"),
            );
        }
    }
    if let Some(m) = m {
        for rec in &m.records {
            for s in rec.entries.iter().filter(|s| !entries.contains_key(s)) {
                r.fail(
                    PATH,
                    "entry-missing",
                    format!("the manifest lists entry {s} about `{}`, the file does not have it", rec.id),
                );
            }
        }
    }
    if r.failures.len() == failures {
        r.pass(format!(
            "{PATH}: {} entries, each with an RFC 6962 inclusion proof in the checkpoint's tree ({proved} proofs checked)",
            entries.len()
        ));
    }
    entries
}

/// Each version's original (and sidecar) against the `object` its ledger entry records.
fn check_records(files: &Files, m: &Manifest, entries: &BTreeMap<u64, Entry>, r: &mut VerifyReport) {
    let failures = r.failures.len();
    let mut checked = 0;
    for rec in &m.records {
        for v in &rec.versions {
            let label = format!("`{}` version {}", rec.id, v.version);
            let Some(e) = entries.get(&v.seq) else {
                r.fail(
                    "manifest.json",
                    "entry-missing",
                    format!("{label}: entry {} is not in the bundle's ledger lines", v.seq),
                );
                continue;
            };
            if e.id != rec.id || !is_version(e.action) || e.object != v.object || e.size != v.size {
                r.fail(
                    "manifest.json",
                    "manifest-invalid",
                    format!(
                        "{label}: entry {} is not the entry of this version ({} of `{}`, object {})",
                        v.seq, e.action, e.id, e.object
                    ),
                );
                continue;
            }
            if rec.purged.is_some() {
                continue;
            }
            let Some(path) = &v.original else {
                r.fail(
                    "manifest.json",
                    "manifest-invalid",
                    format!("{label}: no original, and the record is not purged"),
                );
                continue;
            };
            match files.get(path) {
                None => r.fail(path.as_str(), "file-missing", format!("the original of {label}")),
                Some(b) if sha256_hex(b) != e.object || b.len() as u64 != e.size => r.fail(
                    path.as_str(),
                    "object-mismatch",
                    format!(
                        "its SHA-256 is {} ({} bytes); ledger entry {} records {} ({} bytes)",
                        sha256_hex(b),
                        b.len(),
                        e.seq,
                        e.object,
                        e.size
                    ),
                ),
                Some(_) => checked += 1,
            }
            match (&v.sidecar, &e.attestation) {
                (None, None) => {}
                (Some(s), Some(a)) if s.object == a.object => {
                    let Some(path) = &s.file else { continue };
                    match files.get(path) {
                        None => r.fail(path.as_str(), "file-missing", format!("the sidecar of {label}")),
                        Some(b) if sha256_hex(b) != a.object => r.fail(
                            path.as_str(),
                            "object-mismatch",
                            format!(
                                "its SHA-256 is {}; ledger entry {} records the sidecar {}",
                                sha256_hex(b),
                                e.seq,
                                a.object
                            ),
                        ),
                        Some(_) => checked += 1,
                    }
                }
                _ => r.fail(
                    "manifest.json",
                    "manifest-invalid",
                    format!("{label}: the sidecar is not the one entry {} records", e.seq),
                ),
            }
        }
        if rec.purged.is_some()
            && !rec.entries.iter().any(|s| entries.get(s).is_some_and(|e| e.action == Action::Purge))
        {
            r.fail(
                "manifest.json",
                "manifest-invalid",
                format!("`{}` is stated purged, but no purge entry is in the bundle", rec.id),
            );
        }
    }
    if r.failures.len() == failures {
        r.pass(format!("{checked} originals and sidecars hash to the objects their ledger entries record"));
    }
}
