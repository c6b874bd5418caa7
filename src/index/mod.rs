//! The tantivy full-text index over the archive: schema, incremental indexing, queries, snippets,
//! facets, and the export of terms and postings for the browser search.
//!
//! The index lives in `<archive>/index/` and is derived: [`rebuild`] recreates it from a
//! [`Snapshot`], [`update`] brings it forward from the last indexed ledger position (and
//! rebuilds, with a warning, when it is missing, damaged, or not the archive's: see
//! [`integrity`]). [`search`] runs a query in tantivy's syntax, reading the index without
//! writing or locking anything (it works on a read-only copy of the archive);
//! [`browser_export`] writes the shards the site's search loads.
//!
//! Ranking is BM25 (k1 1.2, b 0.75) as tantivy computes it, over statistics of live documents
//! ([`stats`]) and with intersections nested two by two ([`plan`]), so that a rebuilt and an
//! incrementally updated index rank alike; ties go to the smaller id.

mod collect;
pub mod document;
pub mod export;
mod indexer;
pub mod integrity;
pub mod plan;
mod readdir;
pub mod schema;
mod search;
pub mod stats;
mod stem;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::snapshot::Snapshot;
pub use export::{ExportReport, browser_export, browser_export_to};
pub use plan::QueryError;

/// Errors of the index stage.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Tantivy { path: PathBuf, source: tantivy::TantivyError },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("no index at `{}`: run `incident-archive index` first", path.display())]
    Missing { path: PathBuf },
    /// The index is not what was written: a file differs from its stamp, tantivy fails on it.
    #[error("the index at `{}` is damaged ({reason}): run `incident-archive index --rebuild`", path.display())]
    Damaged { path: PathBuf, reason: String },
    /// The index does not reflect the archive's ledger in a way a search must not ignore.
    #[error("the index at `{}` is behind the archive ({reason}): run `incident-archive index`", path.display())]
    Stale { path: PathBuf, reason: String },
    #[error("invalid query: {0}")]
    Query(#[from] QueryError),
}

/// What an update or rebuild did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexReport {
    /// The index was recreated from scratch.
    pub rebuilt: bool,
    /// Something was written (false when the index was already up to date).
    pub changed: bool,
    /// Documents (re)indexed.
    pub added: usize,
    /// Documents removed (purged records).
    pub removed: usize,
    /// Deleted documents dropped from the index's files (after a purge, the segments holding
    /// them are merged anew, so that no file keeps their text).
    pub expunged: u64,
    /// Live documents after the update.
    pub documents: u64,
    /// Ledger position the index now reflects.
    pub ledger_len: u64,
    /// Problems overcome (a damaged index rebuilt, …), one sentence each.
    pub warnings: Vec<String>,
    pub seconds: f64,
}

/// Brings the index in `index_dir` up to `snapshot`: records whose `last_seq` is at or past
/// the last indexed ledger position are reindexed (or removed when purged, and then dropped
/// from the index's files). The whole index is checked against its stamp first; a missing
/// index is built; a damaged, incompatible or foreign one is rebuilt with a warning in the
/// report. Leftovers of killed runs are removed (the caller holds the archive lock).
pub fn update(index_dir: &Path, snapshot: &Snapshot) -> Result<IndexReport, IndexError> {
    indexer::update(index_dir, snapshot)
}

/// Recreates the index in `index_dir` from `snapshot` (built aside, then moved into place).
pub fn rebuild(index_dir: &Path, snapshot: &Snapshot) -> Result<IndexReport, IndexError> {
    indexer::rebuild(index_dir, snapshot)
}

/// A search as the `search` command asks it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// tantivy query syntax: `root_cause:index AND severity:P1`, `"connection pool"`, `-timeout`.
    pub query: String,
    /// Keep records with one of these severities (case-insensitive); empty: any.
    pub severity: Vec<String>,
    /// Keep records that affected one of these customers (names as written, case-insensitive).
    pub customer: Vec<String>,
    /// Keep records with an action item owned by one of these.
    pub owner: Vec<String>,
    pub status: Vec<String>,
    /// Records that started on or after this date (UTC).
    pub since: Option<NaiveDate>,
    /// Records that started on or before this date (UTC).
    pub until: Option<NaiveDate>,
    /// Number of hits returned (all matches are counted).
    pub limit: usize,
    /// Count matching records per severity, customer, year, owner and status.
    pub facets: bool,
    /// The archive the index belongs to: its committed ledger (`checkpoint.json`) is compared
    /// with the ledger the index reflects. `None`: the index is taken as it is.
    pub archive: Option<PathBuf>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    /// How the query was understood (fields, stems, nesting), e.g. `(+root_cause:index +severity:p1)`.
    pub parsed: String,
    /// Number of matching records (after filters).
    pub total: u64,
    pub hits: Vec<Hit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    /// What the answer may miss: the archive has entries the index does not reflect yet.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Customer and owner filters that name no one exactly, with the names that contain them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
}

/// A `--customer` or `--owner` value that matches no name exactly (so it keeps no record),
/// and the names that contain it, ignoring case: what the user probably meant.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Suggestion {
    /// `customer` or `owner`.
    pub filter: String,
    /// The value as given.
    pub value: String,
    /// Names as written in the records, sorted; at most [`SUGGESTIONS_MAX`].
    pub names: Vec<String>,
}

/// Most names a [`Suggestion`] lists.
pub const SUGGESTIONS_MAX: usize = 8;

impl std::fmt::Display for Suggestion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no {} named `{}`", self.filter, self.value)?;
        if !self.names.is_empty() {
            write!(f, "; did you mean `{}`?", self.names.join("`, `"))?;
        }
        Ok(())
    }
}

/// One matching record.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// 1 for the best.
    pub rank: usize,
    pub id: String,
    pub title: String,
    pub severity: String,
    pub status: String,
    pub started_at: Option<DateTime<Utc>>,
    /// BM25 score as tantivy computes it (f32).
    pub score: f32,
    /// The searchable fields in which the query matched this record.
    pub fields: Vec<String>,
    pub snippet: Snippet,
}

/// A passage of the record with the matched terms marked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// `[start, end)` character offsets into `text` of each matched term.
    pub highlights: Vec<[usize; 2]>,
}

/// Counts of matching records per value.
#[derive(Debug, Clone, Serialize)]
pub struct Facets {
    pub severity: Vec<FacetCount>,
    pub customer: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    pub owner: Vec<FacetCount>,
    pub status: Vec<FacetCount>,
}

/// One facet value and how many matching records have it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Runs a search against the index in `index_dir`. A query that cannot be parsed is
/// [`IndexError::Query`] (with the column and what was expected). The index is checked for
/// cheap facts first (its files' names and sizes, its document count, and with
/// [`SearchRequest::archive`] the ledger it reflects); an index that fails them, or on whose
/// data tantivy fails, is [`IndexError::Damaged`]; one that misses purges of the archive is
/// [`IndexError::Stale`]. Nothing is written, created or locked.
pub fn search(index_dir: &Path, request: &SearchRequest) -> Result<SearchResults, IndexError> {
    search::search(index_dir, request)
}

/// `YYYY-MM-DD` of a hit's start, empty when unknown.
pub fn hit_date(hit: &Hit) -> String {
    search::date(hit.started_at)
}

#[cfg(test)]
mod tests;
