//! Each record's one-record evidence bundle (`bundles/<stem>.tar.gz`), made with the same code
//! as `incident-archive export evidence`: its originals, parsed JSON, ledger lines with their
//! inclusion proofs, a checkpoint (signed with the configured key), `verify.py` and
//! `VERIFY.md`.
//!
//! A bundle proven against the current tree would change for every record at every build (the
//! root does). Each record's bundle is proven instead against the tree its last ledger entry
//! closed (the ledger's first `last_seq + 1` entries), as the site's proofs are: that tree never
//! changes, so the bundle is the same bytes until the record changes (a new version, a hold, a
//! release), and a nightly build makes only the bundles of the records it touched. The roots of
//! and proofs in every such tree come from the levels of the whole ledger, hashed once.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::archive::ledger::Entry;
use crate::archive::state::State;
use crate::evidence::{EvidenceError, ExportOptions, Levels, Selection, Tree, entries_of, export_tree_with};
use crate::record::Incident;
use crate::site::SiteError;
use crate::site::data::SiteData;
use crate::site::evidence::{Bundles, Evidence};
use crate::site::render::Renderer;

/// The bundles a build offers, and the ledger read once for all of them.
pub(in crate::site) struct BundleSet<'r> {
    bundles: &'r Bundles,
    evidence: &'r Evidence,
    levels: Levels,
    entries: Vec<&'r Entry>,
    state: State,
    /// `(record index, site path, tree size)`, in record order (each made by its record's
    /// incident page job).
    pub jobs: Vec<(usize, String, usize)>,
    /// Record index → its bundle's site path.
    pub paths: BTreeMap<usize, String>,
    /// Held while a large record's bundle is made: making one parses every version again, and
    /// several records near the size limit in parallel would take a few times the memory of
    /// one (small records, nearly all of them, are made in parallel).
    large: std::sync::Mutex<()>,
}

/// The bytes of a record's versions above which its bundle is made alone.
const LARGE_RECORD_BYTES: u64 = 1 << 20;

impl<'r> BundleSet<'r> {
    /// The bundles of every record that is not purged and whose objects (every version's, and
    /// their sidecars') the archive still holds, when the site is configured to offer them and
    /// has the ledger; `None` otherwise.
    pub fn new(data: &SiteData<'_>, evidence: &'r Evidence) -> Option<BundleSet<'r>> {
        let bundles = evidence.bundles.as_ref()?;
        let archive = data.snapshot.source.as_ref()?;
        let present = |sha: &str| archive.object_path(sha).is_ok_and(|p| p.is_file());
        let ledger = &evidence.ledger;
        let entries = entries_of(ledger, ledger.lines.len()).ok()?;
        let leaves: Vec<_> = ledger.lines.iter().map(|l| l.leaf).collect();
        let levels = Levels::new(&leaves);
        let state = State::from_entries(entries.iter().copied());
        let mut jobs = Vec::new();
        let mut paths = BTreeMap::new();
        for (i, r) in data.snapshot.records.iter().enumerate() {
            let Some(rs) = state.records.get(&r.id) else { continue };
            if rs.purged.is_some()
                || !rs
                    .versions
                    .iter()
                    .all(|v| present(&v.object) && v.attestation.as_ref().is_none_or(|a| present(&a.object)))
            {
                continue;
            }
            let Some(last) = rs.seqs.iter().max() else { continue };
            let path = bundle_path(&data.paths[i]);
            paths.insert(i, path.clone());
            jobs.push((i, path, *last as usize + 1));
        }
        Some(BundleSet { bundles, evidence, levels, entries, state, jobs, paths, large: Default::default() })
    }

    /// What a bundle is made of: the tree it is proven against, the record's ledger lines
    /// (which name its objects by hash), the origin and the signing key. The program's version
    /// is the site manifest's: another build of the program renders every file again.
    fn key(&self, id: &str, size: usize) -> String {
        let mut h = Sha256::new();
        h.update(b"bundle 1\0");
        h.update(self.bundles.origin.as_bytes());
        h.update(b"\0");
        h.update(self.bundles.signer.as_ref().map(|k| k.verifier().to_string()).unwrap_or_default());
        h.update((size as u64).to_le_bytes());
        for &seq in self.state.records.get(id).map(|r| r.seqs.as_slice()).unwrap_or_default() {
            let line = self.evidence.ledger.line_bytes(seq as usize);
            h.update((line.len() as u64).to_le_bytes());
            h.update(line);
        }
        hex::encode(h.finalize())
    }
}

/// Where the bundle of the record whose page is `page` (`incidents/<stem>.html`) is:
/// `bundles/<stem>.tar.gz`.
pub(super) fn bundle_path(page: &str) -> String {
    let stem = page.strip_prefix("incidents/").unwrap_or(page);
    format!("bundles/{}.tar.gz", stem.strip_suffix(".html").unwrap_or(stem))
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// The bundle of record `rec` (when the site offers one), made only when the last build did
    /// not already have it. `full` gives the record's current version parsed whole, as its
    /// incident page has it (made by the incident page's job, so that the record is parsed at
    /// most once for both). An object that no longer matches its hash leaves the bundle out, as
    /// it leaves its original out (`verify` names it).
    pub(super) fn render_bundle<'p>(
        &self,
        rec: usize,
        full: &dyn Fn() -> Option<&'p Incident>,
    ) -> Result<(), SiteError> {
        let Some(set) = &self.bundles else { return Ok(()) };
        let Ok(i) = set.jobs.binary_search_by_key(&rec, |j| j.0) else { return Ok(()) };
        let (_, path, size) = &set.jobs[i];
        let id = &self.data.record(rec).id;
        let key = set.key(id, *size);
        if self.reuse(path, &key)? {
            return Ok(());
        }
        let Some(archive) = &self.data.snapshot.source else { return Ok(()) };
        let bytes: u64 = set
            .state
            .records
            .get(id)
            .map(|r| r.versions.iter().filter_map(|v| set.entries.get(v.seq as usize)).map(|e| e.size).sum())
            .unwrap_or(0);
        let _alone =
            (bytes > LARGE_RECORD_BYTES).then(|| set.large.lock().unwrap_or_else(|e| e.into_inner()));
        let tree = Tree {
            ledger: &set.evidence.ledger,
            levels: &set.levels,
            entries: &set.entries,
            state: &set.state,
        };
        let opts = ExportOptions {
            selection: Selection { ids: vec![id.clone()], ..Selection::default() },
            origin: set.bundles.origin.clone(),
            signer: set.bundles.signer.clone(),
            kept: set.bundles.kept.clone(),
        };
        // The record's current version as its page has it: not parsed again for its bundle.
        let record = self.data.record(rec);
        let current = |object: &str| if object == record.object { full() } else { None };
        match export_tree_with(archive, &tree, *size, std::slice::from_ref(id), &opts, &current)
            .and_then(|b| b.tar_gz())
        {
            Ok(bytes) => self.put(path, bytes, key),
            Err(EvidenceError::NotExtending(why)) => Err(SiteError::Extra {
                what: "signing an evidence bundle",
                source: Box::new(EvidenceError::NotExtending(why)),
            }),
            Err(_) => Ok(()),
        }
    }
}
