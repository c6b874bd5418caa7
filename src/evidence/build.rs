//! Making a bundle: the committed tree of the archive, the selected records' versions, their
//! ledger lines with an inclusion proof each, the checkpoint (signed when a key is given), the
//! manifest, `SHA256SUMS`, `verify.py` and `VERIFY.md`, all as files in memory.

use std::borrow::Cow;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::select::Selection;
use super::{EvidenceError, FORMAT, Files};
use crate::archive::journal;
use crate::archive::ledger::{Action, Entry, LedgerFile};
use crate::archive::merkle::{self, Hash};
use crate::archive::state::State;
use crate::archive::{Archive, InclusionProof, is_safe_id, sha256_hex};
use crate::note::{Checkpoint, SignedNote, SignerKey, VerifierKey};
use crate::record::Incident;

/// The checker shipped in every bundle.
pub(crate) const VERIFY_PY: &str = include_str!("verify.py");
/// The walk-through shipped in every bundle, with `@NAME@` placeholders.
const VERIFY_MD: &str = include_str!("VERIFY.md");

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32-byte key follows.
pub(crate) const ED25519_SPKI_PREFIX: [u8; 12] =
    [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// What to export and how to sign it.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub selection: Selection,
    /// The checkpoint's origin line ([`crate::config::Config::origin`]).
    pub origin: String,
    /// The key that signs the checkpoint; `None`: an unsigned checkpoint.
    pub signer: Option<SignerKey>,
    /// The last checkpoint the archive's owner kept (`signing.keep`): a checkpoint is signed
    /// only when its tree extends this one's, so that the key never signs two checkpoints
    /// inconsistent with each other.
    pub kept: Option<Checkpoint>,
}

/// Reads a kept checkpoint (`signing.keep`): a signed note or a checkpoint's text; `None` when
/// the file does not exist yet.
pub fn read_kept(path: &Path) -> Result<Option<Checkpoint>, EvidenceError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(super::io(path)(e)),
    };
    let text = match SignedNote::parse(&bytes) {
        Ok(note) => note.text().to_string(),
        Err(_) => String::from_utf8_lossy(&bytes).into_owned(),
    };
    Checkpoint::parse(&text)
        .map(Some)
        .map_err(|e| EvidenceError::Kept { path: path.to_path_buf(), reason: e.to_string() })
}

/// A bundle made by [`export`]: its files, and what it holds.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub files: Files,
    /// The time every file carries (the last committed ledger entry's, in seconds since 1970).
    pub mtime: i64,
    /// Number of records, of versions with their bytes, of purged records and of ledger lines.
    pub records: usize,
    pub versions: usize,
    pub purged: usize,
    pub entries: usize,
    /// The checkpoint's tree size and root (hex).
    pub tree_size: u64,
    pub root: String,
    /// The verifier key when the checkpoint is signed.
    pub verifier: Option<VerifierKey>,
}

/// Makes the bundle of `opts.selection` at the archive's committed tree (`checkpoint.json`).
/// Takes the archive's shared lock while it reads, so that no writer changes it meanwhile.
pub fn export(archive: &Archive, opts: &ExportOptions) -> Result<Bundle, EvidenceError> {
    let _guard = archive.lock_shared()?;
    let cp = journal::Checkpoint::read(&archive.checkpoint_path())
        .map_err(|e| EvidenceError::Inconsistent(format!("`checkpoint.json` is unreadable: {e}")))?
        .ok_or_else(|| EvidenceError::Inconsistent("`checkpoint.json` is missing".into()))?;
    let ledger = LedgerFile::read(&archive.ledger_path())?;
    let size = usize::try_from(cp.size).unwrap_or(usize::MAX);
    if size > ledger.lines.len() {
        return Err(EvidenceError::Inconsistent(format!(
            "`checkpoint.json` commits {} entries, the ledger has {}",
            cp.size,
            ledger.lines.len()
        )));
    }
    let leaves: Vec<Hash> = ledger.lines[..size].iter().map(|l| l.leaf).collect();
    let tree = Levels::new(&leaves);
    if hex::encode(tree.root_of(size)) != cp.root {
        return Err(EvidenceError::Inconsistent(format!(
            "the ledger's first {size} entries do not hash to the root of `checkpoint.json`"
        )));
    }
    let entries = entries_of(&ledger, size)?;
    let state = State::from_entries(entries.iter().copied());
    let ids = opts.selection.resolve(archive.root(), &state)?;
    export_tree(
        archive,
        &Tree { ledger: &ledger, levels: &tree, entries: &entries, state: &state },
        size,
        &ids,
        opts,
    )
}

/// The committed ledger's entries `0..size`; a line that is not an entry is an inconsistency.
pub fn entries_of(ledger: &LedgerFile, size: usize) -> Result<Vec<&Entry>, EvidenceError> {
    let mut entries = Vec::with_capacity(size);
    for (i, line) in ledger.lines[..size].iter().enumerate() {
        match &line.entry {
            Ok(e) => entries.push(e),
            Err(why) => {
                return Err(EvidenceError::Inconsistent(format!(
                    "ledger line {} is not an entry: {why}",
                    i + 1
                )));
            }
        }
    }
    Ok(entries)
}

/// A committed ledger read once, for many bundles: its lines, every level of its Merkle tree,
/// its entries and the state they fold into. The caller holds a lock on the archive (shared or
/// exclusive) while it is used.
pub struct Tree<'a> {
    pub ledger: &'a LedgerFile,
    pub levels: &'a Levels,
    pub entries: &'a [&'a Entry],
    pub state: &'a State,
}

/// The bundle of records `ids` at the tree of the ledger's first `size` entries: every entry of
/// those records must be among them. [`export`] gives the committed tree; the site gives each
/// record the tree its last entry closed, which never changes, so that the record's bundle is
/// the same bytes until the record changes.
pub fn export_tree(
    archive: &Archive,
    tree: &Tree<'_>,
    size: usize,
    ids: &[String],
    opts: &ExportOptions,
) -> Result<Bundle, EvidenceError> {
    export_tree_with(archive, tree, size, ids, opts, &|_| None)
}

/// [`export_tree`] with the records some versions parse to already at hand: `parsed(object)`
/// gives the record that the object of a version without a sign-off sidecar parses to, when
/// the caller holds it (the site holds each record's current version, parsed by this run from
/// those verified bytes), which spares parsing it again. The object's bytes are read and
/// verified all the same, and the bundle is the same bytes either way.
pub fn export_tree_with<'p>(
    archive: &Archive,
    tree: &Tree<'_>,
    size: usize,
    ids: &[String],
    opts: &ExportOptions,
    parsed: &dyn Fn(&str) -> Option<&'p Incident>,
) -> Result<Bundle, EvidenceError> {
    let Tree { ledger, levels, entries, state } = *tree;
    let size = size.min(entries.len());
    let root = levels.root_of(size);
    let (tree_size, root_hex) = (size as u64, hex::encode(root));
    for id in ids {
        if state.records.get(id).is_some_and(|r| r.seqs.iter().any(|&s| s as usize >= size)) {
            return Err(EvidenceError::Inconsistent(format!(
                "record `{}` has entries past the tree of {size} entries",
                id.escape_debug()
            )));
        }
    }
    let mtime = size.checked_sub(1).map_or(0, |last| entries[last].at.timestamp());
    let checkpoint = Checkpoint::new(&opts.origin, tree_size, root)?;
    if let (Some(_), Some(old)) = (&opts.signer, &opts.kept) {
        let kept_size = usize::try_from(old.size()).unwrap_or(usize::MAX);
        let consistent = if old.origin() != checkpoint.origin() {
            Err(format!(
                "the kept checkpoint is of `{}`, this one of `{}`",
                old.origin(),
                checkpoint.origin()
            ))
        } else if kept_size >= size {
            // A prefix of the kept tree: consistent when the ledger still has the kept tree.
            if kept_size <= entries.len() && levels.root_of(kept_size) == *old.root() {
                Ok(())
            } else {
                Err(format!("the ledger's first {kept_size} entries are not the kept tree"))
            }
        } else {
            let leaves: Vec<Hash> = ledger.lines[..size].iter().map(|l| l.leaf).collect();
            match merkle::consistency_proof(&leaves, kept_size) {
                Some(proof) => {
                    crate::note::verify_consistency(old, &checkpoint, &proof).map_err(|e| e.to_string())
                }
                None => Err(format!("the kept tree has {} entries, the archive's {tree_size}", old.size())),
            }
        };
        if let Err(why) = consistent {
            return Err(EvidenceError::NotExtending(why));
        }
    }
    let text = checkpoint.to_string();
    let mut files = Files::new();
    let mut what: Vec<(String, String)> = Vec::new();
    let mut describe = |path: &str, w: String| what.push((path.to_string(), w));

    // The checkpoint, and its signature in the forms other tools read.
    let verifier = match &opts.signer {
        Some(key) => {
            let note = checkpoint.sign(key).map_err(crate::note::CheckpointError::from)?;
            let sig = &note.signatures()[0].bytes;
            let verifier = key.verifier();
            files.insert("checkpoint".into(), note.to_string().into_bytes());
            files.insert("checkpoint.sig".into(), sig.clone());
            files.insert("checkpoint.pub".into(), format!("{verifier}\n").into_bytes());
            files.insert("checkpoint.pem".into(), pem(&verifier.public_key()).into_bytes());
            describe("checkpoint", "the signed checkpoint (C2SP tlog-checkpoint in a signed note)".into());
            describe("checkpoint.sig", "the raw 64-byte Ed25519 signature of checkpoint.txt".into());
            describe("checkpoint.pub", "the verifier key, name+keyid+base64 (C2SP signed-note)".into());
            describe("checkpoint.pem", "the Ed25519 public key as SPKI PEM, for openssl".into());
            Some(verifier)
        }
        None => {
            files.insert("checkpoint".into(), text.clone().into_bytes());
            describe("checkpoint", "the checkpoint, unsigned: no signing key was configured".into());
            None
        }
    };
    files.insert("checkpoint.txt".into(), text.clone().into_bytes());
    describe("checkpoint.txt", "the checkpoint text: origin, tree size, base64 root (what is signed)".into());

    // The records: versions, sidecars, parsed JSON, and the seqs of their entries.
    let mut seqs: Vec<u64> = Vec::new();
    let mut records = Vec::new();
    let (mut n_versions, mut n_purged) = (0, 0);
    for id in ids {
        // Ids name folders of the bundle: only the safe form (`verify` names any other).
        if !is_safe_id(id) {
            return Err(EvidenceError::Inconsistent(format!(
                "the ledger has a record id of an unsafe form, `{}`",
                id.escape_debug()
            )));
        }
        let r = state
            .records
            .get(id)
            .ok_or_else(|| EvidenceError::UnknownRecord { id: id.escape_debug().to_string() })?;
        seqs.extend(&r.seqs);
        let mut versions = Vec::new();
        for v in &r.versions {
            let entry = entries[v.seq as usize];
            let base = format!("records/{id}/v{}", v.version);
            let sidecar_meta = v.attestation.as_ref().map(|a| (a.object.clone(), a.size));
            if r.purged.is_some() {
                versions.push(json!({
                    "version": v.version, "seq": v.seq, "object": v.object, "size": entry.size,
                    "original": null, "parsed": null,
                    "sidecar": sidecar_meta.map(|(o, s)| json!({"object": o, "size": s, "file": null})),
                }));
                continue;
            }
            let (_, bytes) = archive.read_verified(&v.object)?;
            let sidecar = match &v.attestation {
                Some(a) => Some(archive.read_verified(&a.object)?.1),
                None => None,
            };
            let md = format!("{base}.md");
            let side = format!("{base}.signoff.yaml");
            let parsed_path = format!("{base}.json");
            // A sidecar's parse names the sidecar's path, which is the bundle's own here.
            let known = if sidecar.is_none() { parsed(&v.object) } else { None };
            let parsed = match known {
                Some(inc) => Some(Cow::Borrowed(inc)),
                None => crate::record::parse_with_sidecar(
                    Path::new(&md),
                    &bytes,
                    sidecar.as_deref().map(|b| (Path::new(&side), b)),
                )
                .incident
                .map(Cow::Owned),
            };
            describe(
                &md,
                format!(
                    "{id} version {}: the original bytes, as archived (sha256 = object of ledger entry {})",
                    v.version, v.seq
                ),
            );
            files.insert(md.clone(), bytes);
            if let Some(b) = sidecar {
                describe(
                    &side,
                    format!("{id} version {}: the import sign-off sidecar, as archived", v.version),
                );
                files.insert(side.clone(), b);
            }
            let parsed_file = match parsed {
                Some(inc) => {
                    let text = serde_json::to_string_pretty(&inc).expect("a record serializes");
                    describe(
                        &parsed_path,
                        format!("{id} version {}: the record as parsed (`show --json`)", v.version),
                    );
                    files.insert(parsed_path.clone(), format!("{}\n", crate::text::json(&text)).into_bytes());
                    Some(parsed_path)
                }
                None => None,
            };
            n_versions += 1;
            versions.push(json!({
                "version": v.version, "seq": v.seq, "object": v.object, "size": entry.size,
                "original": md, "parsed": parsed_file,
                "sidecar": sidecar_meta.map(|(o, s)| json!({"object": o, "size": s, "file": side})),
            }));
        }
        if r.purged.is_some() {
            n_purged += 1;
        }
        records.push(json!({
            "id": id,
            "purged": r.purged.as_ref().map(|p| json!({
                "at": utc(&p.at),
                "reason": p.reason,
                "note": "the record's bytes were disposed of: the bundle holds its ledger entries and their proofs only",
            })),
            "legal_hold": r.legal_hold.is_some(),
            "entries": r.seqs,
            "versions": versions,
        }));
    }
    seqs.sort_unstable();
    seqs.dedup();

    // The ledger lines and their proofs, from the tree's levels.
    let mut jsonl = Vec::new();
    for &seq in &seqs {
        let i = seq as usize;
        let line = ledger.line_bytes(i);
        jsonl.extend_from_slice(line);
        jsonl.push(b'\n');
        let path = levels.inclusion_proof_in(i, size);
        let proof = InclusionProof {
            id: entries[i].id.clone(),
            leaf_index: seq,
            tree_size,
            root: root_hex.clone(),
            entry: String::from_utf8_lossy(line).into_owned(),
            leaf_hash: hex::encode(ledger.lines[i].leaf),
            audit_path: path.iter().map(hex::encode).collect(),
        };
        let name = format!("proofs/{seq}.json");
        let mut bytes = serde_json::to_vec_pretty(&proof).expect("a proof serializes");
        bytes.push(b'\n');
        describe(
            &name,
            format!(
                "RFC 6962 inclusion proof of ledger entry {seq} ({} of `{}`) in the checkpoint's tree",
                entries[i].action, entries[i].id
            ),
        );
        files.insert(name, bytes);
    }
    files.insert("ledger/entries.jsonl".into(), jsonl);
    describe(
        "ledger/entries.jsonl",
        "the exact ledger lines about the selected records, in seq order (not the whole ledger)".into(),
    );

    files.insert("verify.py".into(), VERIFY_PY.as_bytes().to_vec());
    describe("verify.py", "the checker: python3 verify.py (standard library only)".into());
    let readme = verify_md(&checkpoint, verifier.as_ref(), &opts.selection, ids.len());
    files.insert("VERIFY.md".into(), readme.into_bytes());
    describe("VERIFY.md", "how to check this bundle, step by step".into());
    describe("manifest.json", "this file".into());
    describe("SHA256SUMS", "the SHA-256 of every other file (sha256sum -c SHA256SUMS)".into());

    what.sort();
    let manifest = json!({
        "format": FORMAT,
        "generator": concat!("incident-archive ", env!("CARGO_PKG_VERSION")),
        "selection": opts.selection,
        "origin": opts.origin,
        "tree_size": tree_size,
        "root": root_hex,
        "root_base64": STANDARD.encode(root),
        "checkpoint_time": DateTime::from_timestamp(mtime, 0).map(|t| utc(&t)),
        "signed": verifier.is_some(),
        "verifier_key": verifier.as_ref().map(ToString::to_string),
        "records": records,
        "files": what.into_iter().map(|(p, w)| (p, Value::String(w))).collect::<serde_json::Map<_, _>>(),
    });
    let mut bytes = serde_json::to_vec_pretty(&manifest).expect("the manifest serializes");
    bytes.push(b'\n');
    files.insert("manifest.json".into(), bytes);
    files.insert("SHA256SUMS".into(), sha256sums(&files).into_bytes());

    Ok(Bundle {
        files,
        mtime,
        records: ids.len(),
        versions: n_versions,
        purged: n_purged,
        entries: seqs.len(),
        tree_size,
        root: root_hex,
        verifier,
    })
}

/// Every level of an RFC 6962 tree, leaves first, so that each inclusion proof takes O(log n)
/// instead of [`merkle::inclusion_proof`]'s O(n) (a bundle of every record has a proof per
/// entry). A level pairs the nodes of the one below and carries an unpaired last node up as it
/// is, which gives RFC 6962's tree (split at the largest power of two below the size).
///
/// The node at level `k`, index `j` of a block of `2^k` whole leaves is that block's hash in
/// the tree of any size that holds the block, so the levels of the whole ledger also give the
/// root of, and the proofs in, the tree of its first `t` entries ([`Levels::root_of`],
/// [`Levels::inclusion_proof_in`]) in O(log² t), with no hashing of the leaves again.
pub struct Levels {
    levels: Vec<Vec<Hash>>,
}

impl Levels {
    /// The levels of the tree over `leaves`.
    pub fn new(leaves: &[Hash]) -> Levels {
        let mut levels = vec![leaves.to_vec()];
        while levels.last().is_some_and(|l| l.len() > 1) {
            let below = levels.last().expect("a level");
            let up = below
                .chunks(2)
                .map(|pair| match pair {
                    [l, r] => merkle::node_hash(l, r),
                    [single] => *single,
                    _ => unreachable!("chunks of two"),
                })
                .collect();
            levels.push(up);
        }
        Levels { levels }
    }

    /// The number of leaves.
    pub fn len(&self) -> usize {
        self.levels.first().map_or(0, Vec::len)
    }

    /// True when there are no leaves.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The hash of the leaves `a..b` (`b - a` > 0), where `a` is a multiple of the largest power
    /// of two below `b - a` (as every subtree of RFC 6962's split is): a whole block is read
    /// from its level, any other range split as RFC 6962 splits it.
    fn range(&self, a: usize, b: usize) -> Hash {
        let n = b - a;
        if n.is_power_of_two() && a.is_multiple_of(n) {
            return self.levels[n.trailing_zeros() as usize][a / n];
        }
        let k = largest_power_below(n);
        merkle::node_hash(&self.range(a, a + k), &self.range(a + k, b))
    }

    /// The root of the tree of the first `size` leaves (`size` ≤ [`Levels::len`]).
    pub fn root_of(&self, size: usize) -> Hash {
        if size == 0 { merkle::empty_root() } else { self.range(0, size) }
    }

    /// The audit path of leaf `index` in the tree of the first `size` leaves, bottom-up (as
    /// [`merkle::inclusion_proof`] gives it): RFC 6962's `PATH(m, D[n])`.
    pub fn inclusion_proof_in(&self, index: usize, size: usize) -> Vec<Hash> {
        let mut path = Vec::new();
        let (mut a, mut b) = (0, size);
        // Top-down, the sibling at each split; reversed at the end.
        while b - a > 1 {
            let k = largest_power_below(b - a);
            if index < a + k {
                path.push(self.range(a + k, b));
                b = a + k;
            } else {
                path.push(self.range(a, a + k));
                a += k;
            }
        }
        path.reverse();
        path
    }
}

/// The largest power of two strictly below `n` (`n` ≥ 2).
fn largest_power_below(n: usize) -> usize {
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// `SHA256SUMS`: `<hex>  <path>` for every file but itself, sorted by path.
pub(crate) fn sha256sums(files: &Files) -> String {
    files
        .iter()
        .filter(|(p, _)| p.as_str() != "SHA256SUMS")
        .map(|(p, b)| format!("{}  {p}\n", sha256_hex(b)))
        .collect()
}

/// The Ed25519 public key as an SPKI PEM (RFC 8410), as `openssl pkey -pubout` writes it.
pub(crate) fn pem(public: &[u8; 32]) -> String {
    let mut der = ED25519_SPKI_PREFIX.to_vec();
    der.extend_from_slice(public);
    format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", STANDARD.encode(der))
}

fn utc(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `VERIFY.md` for this checkpoint and key.
fn verify_md(cp: &Checkpoint, key: Option<&VerifierKey>, sel: &Selection, records: usize) -> String {
    let signature = match key {
        Some(k) => format!(
            "The checkpoint is signed by the key `{}`.\n\
             Check the key against one you obtained from the archive's owner by another channel:\n\
             `checkpoint.pub` must be that key, byte for byte. Then:\n\n\
             ```sh\n\
             openssl pkeyutl -verify -pubin -inkey checkpoint.pem -rawin -in checkpoint.txt -sigfile checkpoint.sig\n\
             ```\n\n\
             prints `Signature Verified Successfully`. `checkpoint.pem` is the public key of\n\
             `checkpoint.pub` in the form openssl reads; `verify.py` checks that the two are the same\n\
             key, that `checkpoint.sig` is the signature in the `checkpoint` note, and the signature\n\
             itself (RFC 8032, in Python).\n\n\
             The signature proves that the holder of the key stated this tree size and root. It\n\
             does not prove which records are in the tree: step 3 does.",
            k.label()
        ),
        None => "**This checkpoint is not signed**: the archive had no signing key when the bundle was\n\
                 made. Its size and root cannot be tied to the archive's owner: the bundle shows only\n\
                 that its files agree with each other and with that root. Compare the root with one you\n\
                 obtained from the archive by another channel (`incident-archive verify-bundle` run\n\
                 where the archive is does that)."
            .to_string(),
    };
    let selection = if sel.ids.is_empty() && !sel.searches() {
        format!("every record of the archive ({records})")
    } else {
        format!("{} ({records} records)", sel.describe())
    };
    VERIFY_MD
        .replace("@ORIGIN@", cp.origin())
        .replace("@SIZE@", &cp.size().to_string())
        .replace("@ROOT@", &hex::encode(cp.root()))
        .replace("@SELECTION@", &selection)
        .replace("@SIGNATURE@", &signature)
}

/// True for the actions that add a version of a record (ingest, new version).
pub(crate) fn is_version(a: Action) -> bool {
    matches!(a, Action::Ingest | Action::NewVersion)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pem_is_the_spki_of_rfc_8410() {
        // RFC 8410 §10.1's example public key.
        let public = hex::decode("19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1").unwrap();
        let pem = pem(&public.try_into().unwrap());
        assert_eq!(
            pem,
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n"
        );
    }

    #[test]
    fn the_levels_give_rfc_6962_proofs_and_root() {
        for n in 1..=70u32 {
            let leaves: Vec<Hash> = (0..n).map(|i| merkle::leaf_hash(&i.to_be_bytes())).collect();
            let tree = Levels::new(&leaves);
            assert_eq!(tree.levels.last().unwrap(), &vec![merkle::root(&leaves)], "root of {n}");
            // Every prefix tree's root and proofs, from the levels of the whole tree.
            for t in 0..=n as usize {
                assert_eq!(tree.root_of(t), merkle::root(&leaves[..t]), "root of the first {t} of {n}");
                for i in 0..t {
                    assert_eq!(
                        tree.inclusion_proof_in(i, t),
                        merkle::inclusion_proof(&leaves[..t], i).unwrap(),
                        "{i} in the first {t} of {n}"
                    );
                }
            }
        }
    }

    #[test]
    fn sums_list_every_other_file_sorted() {
        let mut files = Files::new();
        files.insert("b".into(), b"x".to_vec());
        files.insert("SHA256SUMS".into(), b"old".to_vec());
        files.insert("a/c".into(), Vec::new());
        assert_eq!(
            sha256sums(&files),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/c\n\
             2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  b\n"
        );
    }
}
