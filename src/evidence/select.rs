//! Which records a bundle holds: ids as given, a search through the index (every hit, with
//! its filters), or, with no selector, every record of the archive; selectors combine with AND.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::EvidenceError;
use crate::archive::state::State;
use crate::index::{self, SearchRequest};

/// What `export evidence` was asked for; recorded as such in the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Selection {
    /// Record ids, each of which must be in the archive.
    pub ids: Vec<String>,
    /// A query in the search's syntax.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Incidents that affected one of these customers (a search filter).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub customer: Vec<String>,
    /// Incidents that started on or after this date (a search filter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    /// Incidents that started on or before this date (a search filter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl Selection {
    /// True when the selection goes through the index.
    pub fn searches(&self) -> bool {
        self.query.is_some() || !self.customer.is_empty() || self.since.is_some() || self.until.is_some()
    }

    /// The selection in words, for messages.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.ids.is_empty() {
            parts.push(format!("ids `{}`", self.ids.join("`, `")));
        }
        if let Some(q) = &self.query {
            parts.push(format!("query `{q}`"));
        }
        if !self.customer.is_empty() {
            parts.push(format!("customer `{}`", self.customer.join("`, `")));
        }
        if let Some(d) = self.since {
            parts.push(format!("since {d}"));
        }
        if let Some(d) = self.until {
            parts.push(format!("until {d}"));
        }
        if parts.is_empty() { "every record".into() } else { parts.join(" and ") }
    }

    /// The ids selected among the records of `state` (the committed ledger's), sorted. A search
    /// runs against the index of `archive_root` and must see the whole committed ledger.
    pub(crate) fn resolve(&self, archive_root: &Path, state: &State) -> Result<Vec<String>, EvidenceError> {
        let mut chosen: BTreeSet<String> = if self.ids.is_empty() {
            state.records.keys().cloned().collect()
        } else {
            let mut set = BTreeSet::new();
            for id in &self.ids {
                if !state.records.contains_key(id) {
                    return Err(EvidenceError::UnknownRecord { id: id.escape_debug().to_string() });
                }
                set.insert(id.clone());
            }
            set
        };
        if self.searches() {
            let hits = search_all(archive_root, self)?;
            chosen.retain(|id| hits.contains(id));
        }
        if chosen.is_empty() {
            return Err(EvidenceError::Empty(self.describe()));
        }
        Ok(chosen.into_iter().collect())
    }
}

/// Every record the search of `sel` finds (not the first page of hits).
fn search_all(archive_root: &Path, sel: &Selection) -> Result<BTreeSet<String>, EvidenceError> {
    let dir = archive_root.join("index");
    let mut request = SearchRequest {
        query: sel.query.clone().unwrap_or_else(|| "*".into()),
        customer: sel.customer.clone(),
        since: sel.since,
        until: sel.until,
        limit: 1,
        archive: Some(archive_root.to_path_buf()),
        ..SearchRequest::default()
    };
    let first = index::search(&dir, &request)?;
    if let Some(w) = first.warnings.first() {
        return Err(EvidenceError::IndexBehind(w.clone()));
    }
    if first.total == 0 {
        return Ok(BTreeSet::new());
    }
    request.limit = usize::try_from(first.total).unwrap_or(usize::MAX);
    let all = index::search(&dir, &request)?;
    Ok(all.hits.into_iter().map(|h| h.id).collect())
}
