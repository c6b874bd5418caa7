//! The files an auditor downloads from an incident page: each version's original Markdown and
//! sign-off sidecar as archived (`originals/<sha256>.md`, `.yaml`) and the inclusion proof of
//! each of the record's ledger entries the page names (`proofs/<seq>.json`; see
//! [`crate::site::evidence`] for the tree each is proven against).
//!
//! Both are stable across builds: an original is named by its hash and carried over from the
//! last build without reading the archive again; a proof is a function of the ledger's first
//! `seq + 1` entries, which never change.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::site::SiteError;
use crate::site::data::SiteData;
use crate::site::evidence::{
    Evidence, PrefixProof, original_path, prefix_proofs, proof_json, proof_path, sidecar_path,
};
use crate::site::render::Renderer;

/// The originals and proofs of a site, worked out once per build.
#[derive(Debug, Default)]
pub(in crate::site) struct Originals {
    /// Every object the site offers, sorted: `(sha256, path)`.
    pub files: Vec<(String, String)>,
    /// The proofs, by seq.
    pub proofs: BTreeMap<u64, PrefixProof>,
    /// The seqs of `proofs`, in order (the jobs).
    pub seqs: Vec<u64>,
}

impl Originals {
    /// The originals of every version of every record that was not purged, when the archive
    /// still holds the object (a missing one is `verify`'s to report; the page then offers
    /// none); the proofs of those versions' entries and of each record's latest entry (a purged
    /// record's too, unless that entry is one written when entries still carried a title: a
    /// disposed-of record's title is never shown).
    pub fn new(data: &SiteData<'_>, evidence: &Evidence) -> Originals {
        let snapshot = data.snapshot;
        let mut wanted: Vec<(String, String)> = Vec::new();
        let mut seqs = BTreeSet::new();
        for r in &snapshot.records {
            let last = evidence.entry(r.last_seq);
            if last.is_some_and(|e| e.id == r.id && !(r.is_purged() && e.title.is_some())) {
                seqs.insert(r.last_seq);
            }
            if r.is_purged() {
                continue;
            }
            for v in &r.versions {
                wanted.push((v.object.clone(), original_path(&v.object)));
                if let Some(a) = &v.attestation {
                    wanted.push((a.object.clone(), sidecar_path(&a.object)));
                }
                if evidence.entry(v.seq).is_some_and(|e| e.id == r.id) {
                    seqs.insert(v.seq);
                }
            }
        }
        wanted.sort();
        wanted.dedup();
        let files = match &snapshot.source {
            Some(archive) => wanted
                .into_par_iter()
                .filter(|(sha, _)| archive.object_path(sha).is_ok_and(|p| p.is_file()))
                .collect(),
            None => Vec::new(),
        };
        let proofs = prefix_proofs(&evidence.ledger, &seqs);
        let seqs = proofs.keys().copied().collect();
        Originals { files, proofs, seqs }
    }

    /// The site path of object `sha`'s original (or sidecar), when the site offers it.
    pub fn path_of(&self, sha: &str) -> Option<&str> {
        let i = self.files.partition_point(|(s, _)| s.as_str() < sha);
        self.files.get(i).filter(|(s, _)| s == sha).map(|(_, p)| p.as_str())
    }
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// An original, copied from the archive only when the last build did not already have it
    /// (its name is its hash: the file is the same). An object that no longer matches its hash
    /// is not published.
    pub(super) fn render_original(&self, i: usize) -> Result<(), SiteError> {
        let (sha, path) = &self.originals.files[i];
        let key = format!("object:{sha}");
        if self.reuse(path, &key)? {
            return Ok(());
        }
        let Some(archive) = &self.data.snapshot.source else { return Ok(()) };
        match archive.read_verified(sha) {
            Ok((_, bytes)) => self.put(path, bytes, key),
            Err(_) => Ok(()),
        }
    }

    /// The proof of the `i`-th proven entry.
    pub(super) fn render_proof(&self, i: usize) -> Result<(), SiteError> {
        let seq = self.originals.seqs[i];
        self.bytes(
            &proof_path(seq),
            proof_json(&self.originals.proofs[&seq].proof(&self.evidence.ledger, seq)),
        )
    }
}
