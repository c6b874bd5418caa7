//! What an auditor takes away from the site: the ledger and the signed checkpoint the site is
//! given besides the snapshot ([`Evidence`]), where each record's originals and proofs live in
//! the output, and the inclusion proofs themselves.
//!
//! A proof against the current root would change for every record at every build (the root
//! does), so that every proof file would be rewritten every night. Each ledger entry the site
//! proves is proven instead against the tree of the ledger's first `seq + 1` entries: the tree
//! in which it is the last leaf. That tree never changes (the ledger only grows), so neither
//! does the proof, and `incident-archive consistency` (or the checkpoint page) links that tree
//! to the current one. The audit path of the last leaf of a tree is the roots of the perfect
//! subtrees to its left (RFC 6962 §2.1.1 with `m = n - 1`), so one pass over the ledger keeping
//! those roots gives every such proof: O(n) hashing in all instead of O(n) per proof.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::archive::InclusionProof;
use crate::archive::ledger::{Entry, LedgerFile};
use crate::archive::merkle::{Hash, node_hash};
use crate::note::{Checkpoint, SignerKey};

/// What the site shows besides the records: the ledger, the signed checkpoint and the key that
/// verifies it. Empty by default (a site of a snapshot made by hand has no ledger to prove
/// against: its pages offer no proofs).
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// The ledger the snapshot was read from (shared, not copied: it can be large).
    pub ledger: Arc<LedgerFile>,
    /// `archive/checkpoint` as the archive holds it (signed or not), when there is one.
    pub checkpoint: Option<String>,
    /// The verifier key of the configured signing key (`name+keyid+base64`), when there is one.
    pub verifier_key: Option<String>,
    /// How to make each record's evidence bundle; `None`: the site offers none.
    pub bundles: Option<Bundles>,
}

/// How the site makes each record's one-record evidence bundle (`bundles/<stem>.tar.gz`, the
/// bundle `incident-archive export evidence ID` makes, proven against the tree the record's last
/// entry closed).
#[derive(Debug, Clone)]
pub struct Bundles {
    /// The origin line of the bundles' checkpoints: the archive's own checkpoints' origin.
    pub origin: String,
    /// The key that signs each bundle's checkpoint; unsigned without one.
    pub signer: Option<SignerKey>,
    /// The checkpoint kept outside the archive (`signing.keep`): each signed tree must be
    /// consistent with it.
    pub kept: Option<Checkpoint>,
}

impl Bundles {
    /// What a bundle's bytes depend on besides the record: the origin and the key.
    fn identity(&self) -> (String, Option<String>) {
        (self.origin.clone(), self.signer.as_ref().map(|k| k.verifier().to_string()))
    }
}

impl PartialEq for Evidence {
    /// The same ledger bytes, checkpoint and key.
    fn eq(&self, other: &Evidence) -> bool {
        self.ledger.bytes == other.ledger.bytes
            && self.checkpoint == other.checkpoint
            && self.verifier_key == other.verifier_key
            && self.bundles.as_ref().map(Bundles::identity) == other.bundles.as_ref().map(Bundles::identity)
    }
}

impl Evidence {
    /// The number of complete ledger lines (entries `0..len`).
    pub fn len(&self) -> usize {
        self.ledger.lines.len()
    }

    /// True when the site has no ledger.
    pub fn is_empty(&self) -> bool {
        self.ledger.lines.is_empty()
    }

    /// Entry `seq`, when the ledger has it and the line is an entry.
    pub fn entry(&self, seq: u64) -> Option<&Entry> {
        self.ledger.lines.get(usize::try_from(seq).ok()?)?.entry.as_ref().ok()
    }
}

/// Where the original of object `sha` is in the site: `originals/<sha256>.md`. Named by the
/// hash, so that `sha256sum` checks it against its own name, a version's file never changes,
/// and a record archived again with the same bytes is one file.
pub fn original_path(sha: &str) -> String {
    format!("originals/{sha}.md")
}

/// Where the sign-off sidecar of object `sha` is in the site: `originals/<sha256>.yaml`.
pub fn sidecar_path(sha: &str) -> String {
    format!("originals/{sha}.yaml")
}

/// Where the inclusion proof of ledger entry `seq` is in the site: `proofs/<seq>.json`.
pub fn proof_path(seq: u64) -> String {
    format!("proofs/{seq}.json")
}

/// An entry's inclusion proof in the tree of the ledger's first `seq + 1` entries, kept small
/// (binary hashes, no copy of the entry) while the site is built: [`PrefixProof::proof`] makes
/// the JSON form when its file is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixProof {
    /// The root of that tree.
    pub root: Hash,
    /// The audit path, bottom-up.
    pub path: Vec<Hash>,
}

impl PrefixProof {
    /// The proof of entry `seq` of `ledger` as `incident-archive proof` gives it.
    pub fn proof(&self, ledger: &LedgerFile, seq: u64) -> InclusionProof {
        let i = seq as usize;
        let line = &ledger.lines[i];
        InclusionProof {
            id: line.entry.as_ref().map(|e| e.id.clone()).unwrap_or_default(),
            leaf_index: seq,
            tree_size: seq + 1,
            root: hex::encode(self.root),
            entry: String::from_utf8_lossy(ledger.line_bytes(i)).into_owned(),
            leaf_hash: hex::encode(line.leaf),
            audit_path: self.path.iter().map(hex::encode).collect(),
        }
    }
}

/// The inclusion proof of each entry of `wanted` (by seq) in the tree of the first `seq + 1`
/// entries of `ledger`. Entries past the ledger are left out.
pub fn prefix_proofs(ledger: &LedgerFile, wanted: &BTreeSet<u64>) -> BTreeMap<u64, PrefixProof> {
    let mut out = BTreeMap::new();
    // The perfect subtrees of the leaves so far, left to right: (number of leaves, root).
    let mut frontier: Vec<(u64, Hash)> = Vec::new();
    for (i, line) in ledger.lines.iter().enumerate() {
        let seq = i as u64;
        if wanted.contains(&seq) {
            // The audit path of the last leaf: the frontier's roots, smallest (rightmost) first.
            let path: Vec<Hash> = frontier.iter().rev().map(|(_, h)| *h).collect();
            let root = path.iter().fold(line.leaf, |acc, sibling| node_hash(sibling, &acc));
            out.insert(seq, PrefixProof { root, path });
        }
        let mut node = (1u64, line.leaf);
        while let Some(&(n, h)) = frontier.last() {
            if n != node.0 {
                break;
            }
            frontier.pop();
            node = (n * 2, node_hash(&h, &node.1));
        }
        frontier.push(node);
    }
    out
}

/// A proof as `incident-archive proof` prints it.
pub fn proof_json(proof: &InclusionProof) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(proof).expect("a proof serializes");
    s.push('\n');
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::merkle;

    fn ledger(n: usize) -> LedgerFile {
        let text: String = (0..n).map(|i| format!("line {i}\n")).collect();
        LedgerFile::parse(std::path::Path::new("ledger.jsonl"), text.into_bytes())
    }

    /// Each proof is the archive's own inclusion proof of the last leaf of the tree of
    /// `seq + 1` leaves, with that tree's root, and checks.
    #[test]
    fn prefix_proofs_are_the_archives_proofs_of_the_last_leaf() {
        let lines = ledger(70);
        let leaves = lines.leaves();
        let wanted: BTreeSet<u64> = (0..75).collect();
        let proofs = prefix_proofs(&lines, &wanted);
        assert_eq!(proofs.len(), 70);
        for (seq, p) in &proofs {
            let p = p.proof(&lines, *seq);
            assert_eq!(p.entry.as_bytes(), lines.line_bytes(*seq as usize));
            let n = *seq as usize + 1;
            let want = merkle::inclusion_proof(&leaves[..n], n - 1).unwrap();
            assert_eq!(p.audit_path, want.iter().map(hex::encode).collect::<Vec<_>>(), "seq {seq}");
            assert_eq!(p.root, hex::encode(merkle::root(&leaves[..n])), "seq {seq}");
            assert_eq!(p.tree_size, n as u64);
            let path: Vec<Hash> = want.clone();
            merkle::verify_inclusion(*seq, n as u64, &leaves[n - 1], &path, &merkle::root(&leaves[..n]))
                .unwrap();
        }
    }

    #[test]
    fn only_the_wanted_entries_are_proven() {
        let proofs = prefix_proofs(&ledger(5), &BTreeSet::from([1, 3, 9]));
        assert_eq!(proofs.keys().copied().collect::<Vec<_>>(), [1, 3]);
    }
}
