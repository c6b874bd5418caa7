//! Proofs an auditor can check without the archive: that a ledger entry is in the tree of a
//! root (inclusion), and that a later root extends an earlier one (consistency).
//!
//! A proof carries the root it leads to, so on its own it only shows that it is consistent
//! with itself: anyone can make one for an entry never archived. It proves something when it
//! is checked against a root the auditor trusts, or against the archive itself
//! ([`InclusionProof::check_in`]).

use serde::{Deserialize, Serialize};

use super::error::ArchiveError;
use super::layout::Archive;
use super::ledger::{self, Action, LedgerFile};
use super::merkle::{self, Hash, parse_hash};

/// An RFC 6962 inclusion proof of one ledger entry, self-contained: the entry's exact bytes,
/// its index, the tree size, the audit path and the root it leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// The record the entry is about.
    pub id: String,
    /// The entry's index in the ledger (its `seq`).
    pub leaf_index: u64,
    /// Number of ledger entries when the proof was made.
    pub tree_size: u64,
    /// The Merkle root of the ledger at `tree_size`, hex.
    pub root: String,
    /// The ledger line, exactly.
    pub entry: String,
    /// SHA-256(0x00 ‖ entry), hex.
    pub leaf_hash: String,
    /// Sibling hashes from the leaf up, hex.
    pub audit_path: Vec<String>,
}

fn hash_field(name: &str, s: &str) -> Result<Hash, String> {
    parse_hash(s).ok_or_else(|| format!("`{name}` is not a 64-digit hex SHA-256"))
}

impl InclusionProof {
    /// Checks the proof: the entry hashes to `leaf_hash`, is the entry of `id` with `seq` =
    /// `leaf_index`, and the audit path leads to `root` (or to `expected_root` when given: a
    /// root the auditor kept from the same tree size). Returns the root checked against.
    pub fn check(&self, expected_root: Option<&str>) -> Result<String, String> {
        let leaf = merkle::leaf_hash(self.entry.as_bytes());
        if hex::encode(leaf) != self.leaf_hash {
            return Err("the entry does not hash to `leaf_hash`".into());
        }
        let e = ledger::parse_entry(self.entry.as_bytes()).map_err(|m| format!("`entry`: {m}"))?;
        if e.id != self.id || e.seq != self.leaf_index {
            return Err(format!(
                "the entry is seq {} about `{}`, not seq {} about `{}`",
                e.seq, e.id, self.leaf_index, self.id
            ));
        }
        let path =
            self.audit_path.iter().map(|h| hash_field("audit_path", h)).collect::<Result<Vec<_>, _>>()?;
        let want = expected_root.unwrap_or(&self.root);
        let root = hash_field("root", want.trim())?;
        merkle::verify_inclusion(self.leaf_index, self.tree_size, &leaf, &path, &root)
            .map_err(|e| e.to_string())?;
        Ok(hex::encode(root))
    }
}

impl InclusionProof {
    /// Checks the proof against `archive` after [`InclusionProof::check`] found it leads to
    /// `root`: the archive's ledger holds the proof's entry, byte for byte, at `leaf_index`, and
    /// its first `tree_size` entries hash to `root`. Returns the number of entries the ledger
    /// has now (at least `tree_size`: a ledger only grows), or, inside `Ok(Err(why))`, why the
    /// archive does not hold the proof's entry; `Err` when the ledger cannot be read at all.
    pub fn check_in(&self, archive: &Archive, root: &str) -> Result<Result<u64, String>, ArchiveError> {
        let ledger = LedgerFile::read(&archive.ledger_path())?;
        Ok(self.check_in_ledger(archive, &ledger, root))
    }

    fn check_in_ledger(&self, archive: &Archive, ledger: &LedgerFile, root: &str) -> Result<u64, String> {
        let path = archive.ledger_path();
        let n = ledger.lines.len() as u64;
        if self.tree_size > n {
            return Err(format!(
                "the proof is for a ledger of {} entries, but `{}` has {n}",
                self.tree_size,
                path.display()
            ));
        }
        if self.leaf_index >= self.tree_size {
            return Err(format!(
                "entry {} is not among the {} of the proof",
                self.leaf_index, self.tree_size
            ));
        }
        if ledger.line_bytes(self.leaf_index as usize) != self.entry.as_bytes() {
            return Err(format!(
                "line {} of `{}` is not the proof's entry: the entry was never archived there, or was changed",
                self.leaf_index + 1,
                path.display()
            ));
        }
        let have = hex::encode(ledger.root_of(self.tree_size as usize));
        if have != root {
            return Err(format!(
                "the first {} entries of `{}` hash to `{have}`, not to `{root}`",
                self.tree_size,
                path.display()
            ));
        }
        Ok(n)
    }
}

/// An RFC 6962 consistency proof: the tree of `new_size` entries extends the tree of
/// `old_size` entries, so nothing the old root covered was changed or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub old_root: String,
    pub new_size: u64,
    pub new_root: String,
    pub proof: Vec<String>,
}

impl ConsistencyProof {
    /// Checks the proof between its two roots.
    pub fn check(&self) -> Result<(), String> {
        let proof = self.proof.iter().map(|h| hash_field("proof", h)).collect::<Result<Vec<_>, _>>()?;
        merkle::verify_consistency(
            self.old_size,
            self.new_size,
            &proof,
            &hash_field("old_root", &self.old_root)?,
            &hash_field("new_root", &self.new_root)?,
        )
        .map_err(|e| e.to_string())
    }
}

impl Archive {
    /// The inclusion proof of the entry that added `version` of `id` (default: the latest entry
    /// about `id`, whatever its action), against the current root.
    pub fn inclusion_proof(&self, id: &str, version: Option<u32>) -> Result<InclusionProof, ArchiveError> {
        let history = self.history(id)?;
        let (_, ledger) = self.load_state()?;
        let seq = match version {
            None => history.record.last_seq(),
            Some(n) => {
                history.record.versions.iter().find(|v| v.version == n).map(|v| v.seq).ok_or_else(|| {
                    ArchiveError::Invalid(format!(
                        "`{id}` has no version {n} (it has {})",
                        history.record.versions.len()
                    ))
                })?
            }
        };
        let leaves = ledger.leaves();
        let index = seq as usize;
        let line = ledger
            .lines
            .get(index)
            .filter(|l| {
                l.entry.as_ref().is_ok_and(|e| e.id == id && (version.is_none() || e.action != Action::Purge))
            })
            .ok_or_else(|| ArchiveError::Invalid(format!("the ledger has no entry {seq} about `{id}`")))?;
        let path = merkle::inclusion_proof(&leaves, index).expect("index is a leaf");
        Ok(InclusionProof {
            id: id.to_string(),
            leaf_index: seq,
            tree_size: leaves.len() as u64,
            root: hex::encode(merkle::root(&leaves)),
            entry: String::from_utf8_lossy(ledger.line_bytes(index)).into_owned(),
            leaf_hash: hex::encode(line.leaf),
            audit_path: path.iter().map(hex::encode).collect(),
        })
    }

    /// The consistency proof from the first `old_size` entries to the whole ledger.
    pub fn consistency_proof(&self, old_size: u64) -> Result<ConsistencyProof, ArchiveError> {
        let (_, ledger) = self.load_state()?;
        let leaves = ledger.leaves();
        let old = usize::try_from(old_size).unwrap_or(usize::MAX);
        let proof = merkle::consistency_proof(&leaves, old).ok_or_else(|| {
            ArchiveError::Invalid(format!("the ledger has {} entries, fewer than {old_size}", leaves.len()))
        })?;
        Ok(ConsistencyProof {
            old_size,
            old_root: hex::encode(merkle::root(&leaves[..old])),
            new_size: leaves.len() as u64,
            new_root: hex::encode(merkle::root(&leaves)),
            proof: proof.iter().map(hex::encode).collect(),
        })
    }
}
