//! The archive's signed checkpoint, `archive/checkpoint`: the C2SP checkpoint of the committed
//! ledger (origin, size, base64 RFC 6962 root), signed as a note when a key is configured,
//! written after every run that changes the archive, and checked by `verify` and `consistency`.
//!
//! It lives here, above both [`crate::archive`] and the rest of [`crate::note`], because it
//! needs both and the archive must not import the notes (the notes import the archive's Merkle
//! tree). The rule it keeps is the one of every transparency log: never sign two checkpoints
//! that are inconsistent with each other. Before it replaces `archive/checkpoint` (or the copy
//! kept outside the archive, `signing.keep`), it proves with an RFC 6962 consistency proof
//! computed from the ledger that the current tree extends the tree that file states, and
//! refuses otherwise, leaving the old file.
//!
//! What it signs is what `checkpoint.json` commits: the first `size` lines of the ledger, whose
//! root must be the root `checkpoint.json` records (a ledger that disagrees is damage, and
//! nothing is signed over it).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::checkpoint::{Checkpoint, CheckpointError, verify_consistency};
use super::key::{KeyError, SignerKey, VerifierKey};
use super::signed::{NoteError, SignedNote, Verified};
use crate::archive::journal;
use crate::archive::ledger::LedgerFile;
use crate::archive::merkle::{self, Hash};
use crate::archive::{Archive, ArchiveError, LockGuard, Problem, ProblemKind};
use crate::fsx;

/// The name of the signed checkpoint in the archive root.
pub const NOTE_FILE: &str = "checkpoint";

/// Why the checkpoint could not be written or read, or a key file used.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Fs(#[from] fsx::Error),
    #[error("cannot read `{path}`")]
    Read { path: PathBuf, source: std::io::Error },
    /// A key file (or key text) that is no key of the kind asked for.
    #[error("`{path}` is not a key of the kind needed")]
    Key { path: PathBuf, source: KeyError },
    /// `--out` of `key generate` names a file that exists: keys are never overwritten.
    #[error("`{0}` exists: a key file is never overwritten; choose another name or remove it")]
    KeyExists(PathBuf),
    /// A checkpoint file that is not a checkpoint: nothing can be proven about it.
    #[error("`{path}` is not a checkpoint")]
    Malformed { path: PathBuf, source: CheckpointError },
    /// The configured origin cannot be a checkpoint's origin line.
    #[error("the origin `{origin}` cannot open a checkpoint")]
    Origin { origin: String, source: CheckpointError },
    /// The ledger does not hold what `checkpoint.json` commits.
    #[error("the ledger `{path}` does not match `checkpoint.json`: {why}; run `incident-archive verify`")]
    Uncommitted { path: PathBuf, why: String },
    #[error("cannot sign the checkpoint: {0}")]
    Sign(#[from] NoteError),
    /// `signing.keep` inside the archive, where the archive's writers could rewrite it with the
    /// archive: it must be kept elsewhere.
    #[error("`signing.keep` (`{0}`) is inside the archive; keep the copy of the checkpoint outside it")]
    KeepInside(PathBuf),
    /// The archive's tree does not extend the tree of a checkpoint already signed: nothing is
    /// signed and the old file stays.
    #[error(
        "refusing to sign: the archive's tree (size {new_size}, root `{new_root}`) does not extend the \
         checkpoint in `{path}` (size {old_size}, root `{old_root}`): {why}; `{path}` is left as it was"
    )]
    Inconsistent {
        path: PathBuf,
        old_size: u64,
        old_root: String,
        new_size: u64,
        new_root: String,
        why: String,
    },
}

impl PublishError {
    /// True when the archive's state is the problem (a checkpoint it does not extend, or that
    /// is not a checkpoint), not the input or the machine: a human must look (exit 1).
    pub fn is_refusal(&self) -> bool {
        matches!(self, PublishError::Inconsistent { .. } | PublishError::Malformed { .. })
    }
}

/// The path of the signed checkpoint of `archive`.
pub fn note_path(archive: &Archive) -> PathBuf {
    archive.root().join(NOTE_FILE)
}

/// The committed tree of an archive: the leaf hashes of the ledger entries `checkpoint.json`
/// commits, and their root.
#[derive(Debug, Clone)]
pub struct Tree {
    pub leaves: Vec<Hash>,
    pub root: Hash,
}

impl Tree {
    /// The number of entries.
    pub fn size(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// The RFC 6962 consistency proof from the first `old_size` entries to this tree, `None`
    /// when the tree is smaller.
    pub fn consistency_proof(&self, old_size: u64) -> Option<Vec<Hash>> {
        merkle::consistency_proof(&self.leaves, usize::try_from(old_size).ok()?)
    }
}

/// Reads the committed tree: the ledger's first `size` entries of `checkpoint.json` (none
/// without one), which must hash to its root.
pub fn committed_tree(archive: &Archive) -> Result<Tree, PublishError> {
    let path = archive.ledger_path();
    let ledger = LedgerFile::read(&path)?;
    let uncommitted = |why: String| PublishError::Uncommitted { path: path.clone(), why };
    let committed = journal::Checkpoint::read(&archive.checkpoint_path())
        .map_err(|e| uncommitted(format!("`checkpoint.json` is unreadable: {e}")))?;
    let Some(cp) = committed else {
        if ledger.lines.is_empty() {
            return Ok(Tree { leaves: Vec::new(), root: merkle::empty_root() });
        }
        return Err(uncommitted("it has entries but `checkpoint.json` is missing".into()));
    };
    let size = usize::try_from(cp.size).unwrap_or(usize::MAX);
    if size > ledger.lines.len() {
        return Err(uncommitted(format!(
            "it has {} complete entries, `checkpoint.json` commits {}",
            ledger.lines.len(),
            cp.size
        )));
    }
    let leaves: Vec<Hash> = ledger.lines[..size].iter().map(|l| l.leaf).collect();
    let root = merkle::root(&leaves);
    if hex::encode(root) != cp.root {
        return Err(uncommitted(format!(
            "its first {} entries hash to `{}`, `checkpoint.json` records `{}`",
            cp.size,
            hex::encode(root),
            cp.root
        )));
    }
    Ok(Tree { leaves, root })
}

/// A checkpoint as read from a file: its body and, when signed, the note.
#[derive(Debug, Clone)]
pub struct CheckpointFile {
    pub bytes: Vec<u8>,
    pub checkpoint: Checkpoint,
    pub note: Option<SignedNote>,
}

impl CheckpointFile {
    /// Reads a checkpoint's bytes: a signed note (the text, a blank line, signature lines) or
    /// the bare checkpoint text. A checkpoint holds no blank line, so one means a signed note.
    pub fn parse(bytes: Vec<u8>) -> Result<CheckpointFile, CheckpointError> {
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| CheckpointError::Note(NoteError::NotUtf8 { offset: e.valid_up_to() }))?;
        let (checkpoint, note) = if text.contains("\n\n") {
            let note = SignedNote::parse(text.as_bytes())?;
            (Checkpoint::parse(note.text())?, Some(note))
        } else {
            (Checkpoint::parse(text)?, None)
        };
        Ok(CheckpointFile { bytes, checkpoint, note })
    }

    /// Reads `path`: `Ok(None)` when there is no such file.
    pub fn read(path: &Path) -> Result<Option<CheckpointFile>, PublishError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(PublishError::Read { path: path.to_path_buf(), source }),
        };
        CheckpointFile::parse(bytes)
            .map(Some)
            .map_err(|source| PublishError::Malformed { path: path.to_path_buf(), source })
    }

    /// Verifies the signature by `key`.
    pub fn verify(&self, key: &VerifierKey) -> Result<Verified, NoteError> {
        match &self.note {
            Some(note) => note.verify(std::slice::from_ref(key)),
            None => Err(NoteError::NoSignatures),
        }
    }
}

/// An error and its causes, joined by `: `.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    std::iter::successors(Some(e), |e| e.source()).map(ToString::to_string).collect::<Vec<_>>().join(": ")
}

/// The base64 of a root, as checkpoints and the tlog tools print it.
pub fn b64(hash: &Hash) -> String {
    STANDARD.encode(hash)
}

/// The origin of the archive's checkpoints: `configured` (`signing.origin`) when set, else the
/// origin of the checkpoint the archive already has (so that renaming the site, from which the
/// default comes, does not start another log), else `default` ([`crate::config::Config::origin`]).
pub fn archive_origin(existing: Option<&CheckpointFile>, configured: Option<&str>, default: &str) -> String {
    configured
        .map(str::to_string)
        .or_else(|| existing.map(|f| f.checkpoint.origin().to_string()))
        .unwrap_or_else(|| default.to_string())
}

/// Checks that `tree`, as the checkpoint `new`, extends `old`: same origin, old size at most the
/// new, and the RFC 6962 consistency proof computed from the ledger verifies. Returns the proof.
pub fn prove_extends(tree: &Tree, new: &Checkpoint, old: &Checkpoint) -> Result<Vec<Hash>, String> {
    if old.size() > tree.size() {
        return Err(format!(
            "the old tree is larger: {} entries, the archive has {}",
            old.size(),
            tree.size()
        ));
    }
    let proof = tree.consistency_proof(old.size()).expect("old size within the tree");
    verify_consistency(old, new, &proof).map_err(|e| e.to_string())?;
    Ok(proof)
}

/// What [`publish`] needs beyond the archive.
#[derive(Debug, Clone, Copy)]
pub struct PublishOptions<'a> {
    /// `signing.origin`, when set.
    pub origin: Option<&'a str>,
    /// The origin when neither `origin` nor an existing checkpoint gives one.
    pub default_origin: &'a str,
    /// The key that signs; unsigned without one.
    pub signer: Option<&'a SignerKey>,
    /// `signing.keep`: a copy of the last checkpoint outside the archive, which the new one must
    /// extend too.
    pub keep: Option<&'a Path>,
}

/// What [`publish`] did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Published {
    /// `archive/checkpoint`.
    pub path: PathBuf,
    pub origin: String,
    pub size: u64,
    /// The root, base64.
    pub root: String,
    /// `name+keyid` of the key that signed; `None` when unsigned.
    pub signed_by: Option<String>,
    /// False when the file already stated this tree (signed by this key, or unsigned without
    /// one) and was left as it was.
    pub written: bool,
    /// The `signing.keep` copy, when configured.
    pub kept: Option<PathBuf>,
    /// The exact text of the checkpoint.
    #[serde(skip)]
    pub text: String,
}

/// True when `file` states `cp` exactly and is signed by `signer` (or unsigned without one).
fn states(file: &CheckpointFile, cp: &Checkpoint, signer: Option<&SignerKey>) -> bool {
    file.checkpoint == *cp
        && match signer {
            None => file.note.is_none(),
            Some(k) => file.verify(&k.verifier()).is_ok(),
        }
}

/// Writes `archive/checkpoint` for the committed ledger, under the archive's write lock: the
/// checkpoint of `opts`' origin (see [`archive_origin`]), signed by `opts.signer` when given.
/// Refuses ([`PublishError::Inconsistent`]) when the tree does not extend the checkpoint the
/// file already states, or the one kept at `opts.keep`, changing neither. Leaves a file that
/// already states this tree; then updates the `keep` copy the same way.
pub fn publish(
    archive: &Archive,
    _lock: &LockGuard,
    opts: &PublishOptions,
) -> Result<Published, PublishError> {
    let tree = committed_tree(archive)?;
    let path = note_path(archive);
    let existing = CheckpointFile::read(&path)?;
    let origin = archive_origin(existing.as_ref(), opts.origin, opts.default_origin);
    let cp = Checkpoint::new(&origin, tree.size(), tree.root)
        .map_err(|source| PublishError::Origin { origin: origin.clone(), source })?;
    let text = match opts.signer {
        Some(k) => cp.sign(k)?.to_string(),
        None => cp.to_string(),
    };
    let kept = match opts.keep {
        Some(keep) => {
            check_outside(archive, keep)?;
            Some((keep, CheckpointFile::read(keep)?))
        }
        None => None,
    };
    for (file_path, file) in
        [(path.as_path(), existing.as_ref())].into_iter().chain(kept.iter().map(|(p, f)| (*p, f.as_ref())))
    {
        let Some(old) = file else { continue };
        prove_extends(&tree, &cp, &old.checkpoint).map_err(|why| PublishError::Inconsistent {
            path: file_path.to_path_buf(),
            old_size: old.checkpoint.size(),
            old_root: b64(old.checkpoint.root()),
            new_size: tree.size(),
            new_root: b64(&tree.root),
            why,
        })?;
    }
    let written = !existing.as_ref().is_some_and(|f| states(f, &cp, opts.signer));
    if written {
        fsx::write_atomic(&path, text.as_bytes())?;
    }
    if let Some((keep, file)) = &kept
        && !file.as_ref().is_some_and(|f| states(f, &cp, opts.signer))
    {
        fsx::write_atomic(keep, text.as_bytes())?;
    }
    Ok(Published {
        path,
        origin,
        size: tree.size(),
        root: b64(&tree.root),
        signed_by: opts.signer.map(|k| k.verifier().label()),
        written,
        kept: opts.keep.map(Path::to_path_buf),
        text,
    })
}

/// Refuses a `keep` path inside the archive (its folder as it resolves, links followed).
fn check_outside(archive: &Archive, keep: &Path) -> Result<(), PublishError> {
    let resolve = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let folder = resolve(fsx::parent(keep));
    if folder.starts_with(resolve(archive.root())) {
        return Err(PublishError::KeepInside(keep.to_path_buf()));
    }
    Ok(())
}

/// `archive/checkpoint` as `verify` sees it: problems ([`ProblemKind::CheckpointSignedInvalid`])
/// and notes.
#[derive(Debug, Clone, Default)]
pub struct NoteCheck {
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
}

/// Checks `archive/checkpoint` when present: it must be a checkpoint, state the committed tree
/// or an earlier one that the committed tree extends (a note then: a run that stopped before
/// writing it), and, with `key`, carry a valid signature by it.
pub fn check(archive: &Archive, key: Option<&VerifierKey>) -> NoteCheck {
    let path = note_path(archive);
    let mut out = NoteCheck::default();
    let problem = |message: String| Problem {
        kind: ProblemKind::CheckpointSignedInvalid,
        path: path.clone(),
        line: None,
        message,
    };
    let file = match CheckpointFile::read(&path) {
        Ok(Some(f)) => f,
        Ok(None) => return out,
        Err(PublishError::Malformed { source, .. }) => {
            out.problems.push(problem(format!("not a checkpoint: {source}")));
            return out;
        }
        Err(e) => {
            out.problems.push(problem(chain(&e)));
            return out;
        }
    };
    if let Some(key) = key {
        match file.verify(key) {
            Ok(_) => {}
            Err(NoteError::NoSignatures) => out.notes.push(format!(
                "{}: unsigned, although `signing.key` is configured; the next run that changes the archive signs it",
                path.display()
            )),
            Err(e) => out.problems.push(problem(format!("the signature does not check with `{}`: {e}", key.label()))),
        }
    }
    // The ledger's own problems are the rest of `verify`'s to name.
    let Ok(tree) = committed_tree(archive) else { return out };
    let cp = &file.checkpoint;
    let Ok(now) = Checkpoint::new(cp.origin(), tree.size(), tree.root) else { return out };
    match prove_extends(&tree, &now, cp) {
        Ok(_) if cp.size() == tree.size() => {}
        Ok(_) => out.notes.push(format!(
            "{}: states an earlier tree ({} of the {} committed entries), which the ledger extends: a run \
             stopped before writing it; the next run that changes the archive writes it",
            path.display(),
            cp.size(),
            tree.size()
        )),
        Err(why) => out.problems.push(problem(format!(
            "states size {} and root `{}`, which the committed ledger (size {}, root `{}`) does not extend: {why}",
            cp.size(),
            b64(cp.root()),
            tree.size(),
            b64(&tree.root)
        ))),
    }
    out
}

/// A key file's key, and a warning when others may read the file.
#[derive(Debug, Clone)]
pub struct KeyFile<K> {
    pub key: K,
    /// Set when the file's mode lets its group or others read or write it.
    pub warning: Option<String>,
}

/// Reads a key file's text, without its final newline.
fn read_key_text(path: &Path) -> Result<String, PublishError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| PublishError::Read { path: path.to_path_buf(), source })?;
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_string())
}

/// Reads a private key file (as `key generate` writes it), warning when its mode lets others
/// read it.
pub fn read_signer_key(path: &Path) -> Result<KeyFile<SignerKey>, PublishError> {
    let text = read_key_text(path)?;
    let key =
        SignerKey::parse(&text).map_err(|source| PublishError::Key { path: path.to_path_buf(), source })?;
    let warning = mode_warning(path);
    Ok(KeyFile { key, warning })
}

#[cfg(unix)]
fn mode_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "the private key `{}` may be read by others (mode {mode:04o}): `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn mode_warning(_: &Path) -> Option<String> {
    None
}

/// A verifier key given as its text (`name+keyid+base64`) or as a file holding it.
pub fn read_verifier_key(arg: &str) -> Result<VerifierKey, PublishError> {
    match VerifierKey::parse(arg) {
        Ok(k) => Ok(k),
        Err(e) if !Path::new(arg).is_file() => Err(PublishError::Key { path: PathBuf::from(arg), source: e }),
        Err(_) => {
            let path = Path::new(arg);
            let text = read_key_text(path)?;
            VerifierKey::parse(&text).map_err(|source| PublishError::Key { path: path.to_path_buf(), source })
        }
    }
}

/// Writes `key`'s private text and a newline to `path`, a new file of mode 0600: never over an
/// existing file ([`PublishError::KeyExists`]).
pub fn create_key_file(path: &Path, key: &SignerKey) -> Result<(), PublishError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let io = |source| PublishError::Read { path: path.to_path_buf(), source };
    let mut f = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(PublishError::KeyExists(path.to_path_buf()));
        }
        Err(e) => return Err(io(e)),
    };
    f.write_all(format!("{}\n", key.private_text()).as_bytes()).and_then(|()| f.sync_all()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| merkle::leaf_hash(format!("entry {i}").as_bytes())).collect()
    }

    fn tree(n: usize) -> Tree {
        let leaves = leaves(n);
        let root = merkle::root(&leaves);
        Tree { leaves, root }
    }

    #[test]
    fn a_grown_tree_extends_its_prefix_and_nothing_else() {
        let old = Checkpoint::new("o", 3, tree(3).root).unwrap();
        let big = tree(7);
        let new = Checkpoint::new("o", 7, big.root).unwrap();
        assert_eq!(prove_extends(&big, &new, &old).unwrap().len(), big.consistency_proof(3).unwrap().len());
        // Another history of the same size, a larger tree, another origin.
        let other = Checkpoint::new("o", 3, merkle::root(&leaves(4)[1..])).unwrap();
        assert!(prove_extends(&big, &new, &other).unwrap_err().contains("does not extend"));
        let larger = Checkpoint::new("o", 8, tree(8).root).unwrap();
        assert!(prove_extends(&big, &new, &larger).unwrap_err().contains("the old tree is larger"));
        let renamed = Checkpoint::new("p", 3, tree(3).root).unwrap();
        assert!(prove_extends(&big, &new, &renamed).unwrap_err().contains("different logs"));
        let empty = Checkpoint::new("o", 0, merkle::empty_root()).unwrap();
        assert!(prove_extends(&big, &new, &empty).unwrap().is_empty());
    }

    #[test]
    fn checkpoint_files_are_read_signed_or_not() {
        let key = SignerKey::from_seed("test", &[7; 32]).unwrap();
        let cp = Checkpoint::new("o", 3, tree(3).root).unwrap();
        let bare = CheckpointFile::parse(cp.to_string().into_bytes()).unwrap();
        assert!(bare.note.is_none() && bare.checkpoint == cp);
        assert!(states(&bare, &cp, None) && !states(&bare, &cp, Some(&key)));
        let signed = CheckpointFile::parse(cp.sign(&key).unwrap().to_string().into_bytes()).unwrap();
        assert!(signed.verify(&key.verifier()).is_ok());
        assert!(states(&signed, &cp, Some(&key)) && !states(&signed, &cp, None));
        let other = SignerKey::from_seed("test", &[8; 32]).unwrap();
        assert!(!states(&signed, &cp, Some(&other)));
        assert!(CheckpointFile::parse(b"o\n3\n".to_vec()).is_err());
    }

    #[test]
    fn verifier_keys_are_text_or_files() {
        let key = SignerKey::from_seed("test", &[7; 32]).unwrap();
        let vkey = key.verifier().to_string();
        assert_eq!(read_verifier_key(&vkey).unwrap(), key.verifier());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k.pub");
        std::fs::write(&file, format!("{vkey}\n")).unwrap();
        assert_eq!(read_verifier_key(file.to_str().unwrap()).unwrap(), key.verifier());
        assert!(read_verifier_key("nope").is_err());
        let private = dir.path().join("k");
        create_key_file(&private, &key).unwrap();
        assert!(matches!(create_key_file(&private, &key), Err(PublishError::KeyExists(_))));
        let read = read_signer_key(&private).unwrap();
        assert_eq!(read.key.verifier(), key.verifier());
        assert!(read.warning.is_none());
    }
}
