//! Running a search: plan, tantivy with live statistics, the collector, then titles, snippets
//! and matching fields for the hits only (no stored document is read for the others).
//!
//! The index is opened read-only ([`MappedReadDirectory`]: no lock file, no write), after the
//! cheap checks of [`super::integrity`], and tantivy runs inside its panic guard.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocSet, ReloadPolicy, Searcher, TantivyDocument, Term};

use super::collect::{Filters, TopCollector};
use super::indexer::{self, FORMAT, META_FILE, Meta};
use super::integrity;
use super::plan::{self, Plan};
use super::readdir::MappedReadDirectory;
use super::schema::{self, Fields, SCHEMA_VERSION, SEARCH_FIELDS};
use super::stats::LiveStats;
use super::{
    FacetCount, Facets, Hit, IndexError, SUGGESTIONS_MAX, SearchRequest, SearchResults, Snippet, Suggestion,
};
use crate::archive::journal::Checkpoint;
use crate::archive::ledger::{self, Action};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 200;

/// The fields a hit of a word of `text` (the default field) is said to have matched in, in
/// this order; "text" when none of them has it (another section does). The browser search
/// names the same (`SECTIONS` in `search.js`).
pub const SECTIONS: [&str; 11] = [
    "title",
    "root_cause",
    "factors",
    "detection",
    "impact",
    "timeline",
    "resolution",
    "lessons",
    "actions",
    "customer",
    "owner",
];

/// See [`super::search`].
pub fn search(dir: &Path, req: &SearchRequest) -> Result<SearchResults, IndexError> {
    let damaged = |reason: String| IndexError::Damaged { path: dir.to_path_buf(), reason };
    let meta = match indexer::read_meta(dir) {
        Ok(Some(meta)) => meta,
        Ok(None) if dir.join("meta.json").exists() => {
            return Err(damaged(format!("`{META_FILE}` is missing")));
        }
        Ok(None) => return Err(IndexError::Missing { path: dir.to_path_buf() }),
        Err(IndexError::Invalid { message, .. }) => {
            return Err(damaged(format!("`{META_FILE}` is unreadable: {message}")));
        }
        Err(e) => return Err(e),
    };
    let plan = plan::parse(&req.query)?;
    if meta.format != FORMAT || meta.schema != SCHEMA_VERSION {
        return Err(damaged(format!(
            "it was made by another version of the program: format {}/{}, this one reads {FORMAT}/{SCHEMA_VERSION}",
            meta.format, meta.schema
        )));
    }
    if let Some(why) = integrity::check_files(dir, &meta.files, integrity::Depth::Light)? {
        return Err(damaged(why));
    }
    let warnings = match &req.archive {
        Some(archive) => behind(dir, archive, &meta)?,
        None => Vec::new(),
    };
    // Past the checks, tantivy failing on the index's data means the data is damaged.
    integrity::guard(dir, || run(dir, req, &plan, &meta, warnings)).map_err(|e| match e {
        IndexError::Tantivy { path, source } => {
            IndexError::Damaged { path, reason: format!("tantivy failed on its data: {source}") }
        }
        e => e,
    })
}

/// What the index misses of the archive's committed ledger: nothing (no warning), entries that
/// add or change records (a warning each time), or a purge, or another ledger altogether
/// ([`IndexError::Stale`]: the index may still hold what the archive has disposed of).
fn behind(dir: &Path, archive: &Path, meta: &Meta) -> Result<Vec<String>, IndexError> {
    let stale = |reason: String| IndexError::Stale { path: dir.to_path_buf(), reason };
    let cp = match Checkpoint::read(&archive.join(crate::archive::CHECKPOINT_FILE)) {
        Ok(Some(cp)) => cp,
        Ok(None) => return Ok(Vec::new()),
        Err(e) => {
            return Ok(vec![format!("the index could not be compared with the archive's ledger: {e}")]);
        }
    };
    if cp.size < meta.ledger_len || (cp.size == meta.ledger_len && cp.root != meta.root) {
        return Err(stale(format!(
            "it was made from another ledger: {} entries, root `{}`; the archive has {}, root `{}`",
            meta.ledger_len, meta.root, cp.size, cp.root
        )));
    }
    if cp.size == meta.ledger_len {
        return Ok(Vec::new());
    }
    // The entries the index has not seen: read from where its ledger ended.
    let path = archive.join(crate::archive::LEDGER_FILE);
    let io = |source| IndexError::Io { path: path.clone(), source };
    let tail = match meta.ledger_bytes.filter(|&at| at <= cp.ledger_bytes) {
        Some(at) => {
            let bytes = read_range(&path, at.saturating_sub(1), cp.ledger_bytes).map_err(io)?;
            match bytes.split_first() {
                Some((b'\n', rest)) if at > 0 => rest.to_vec(),
                _ if at == 0 => bytes,
                _ => {
                    return Err(stale(
                        "the ledger it was made from is not the start of the archive's".into(),
                    ));
                }
            }
        }
        None => {
            let bytes = read_range(&path, 0, cp.ledger_bytes).map_err(io)?;
            let mut rest = &bytes[..];
            for _ in 0..meta.ledger_len {
                rest = rest.iter().position(|b| *b == b'\n').map_or(&[][..], |i| &rest[i + 1..]);
            }
            rest.to_vec()
        }
    };
    // Holds and releases do not change what the index holds; new versions do, and a purge
    // must not be ignored.
    let mut versions = 0u64;
    let mut purged = Vec::new();
    for line in tail.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        match ledger::parse_entry(line) {
            Ok(e) if e.action == Action::Purge => purged.push(e.id),
            Ok(e) if matches!(e.action, Action::Ingest | Action::NewVersion) => versions += 1,
            Ok(_) => {}
            Err(e) => return Err(stale(format!("an entry it has not seen cannot be read: {e}"))),
        }
    }
    if !purged.is_empty() {
        return Err(stale(format!(
            "{} purged since it was updated: `{}`",
            if purged.len() == 1 { "a record was" } else { "records were" },
            purged.join("`, `")
        )));
    }
    Ok((versions > 0)
        .then(|| {
            format!(
                "the index does not include the last {versions} {} ingested into the archive: run `incident-archive index`",
                if versions == 1 { "record version" } else { "record versions" }
            )
        })
        .into_iter()
        .collect())
}

/// Bytes `[start, end)` of a file (fewer when it is shorter).
fn read_range(path: &Path, start: u64, end: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(start))?;
    let mut out = Vec::new();
    f.take(end.saturating_sub(start)).read_to_end(&mut out)?;
    Ok(out)
}

fn run(
    dir: &Path,
    req: &SearchRequest,
    plan: &Plan,
    meta: &Meta,
    warnings: Vec<String>,
) -> Result<SearchResults, IndexError> {
    let tantivy_err = |source| IndexError::Tantivy { path: dir.to_path_buf(), source };
    let index =
        tantivy::Index::open(MappedReadDirectory::open(dir).map_err(tantivy_err)?).map_err(tantivy_err)?;
    schema::register(&index);
    let reader =
        index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(tantivy_err)?;
    let searcher = reader.searcher();
    if searcher.num_docs() != meta.documents {
        return Err(IndexError::Damaged {
            path: dir.to_path_buf(),
            reason: format!(
                "it holds {} documents where {} were written",
                searcher.num_docs(),
                meta.documents
            ),
        });
    }
    let fields = Fields::new();
    let query = plan.to_query(&fields);
    let stats = LiveStats::new(&searcher);
    let day = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp();
    let collector = TopCollector {
        limit: req.limit,
        facets: req.facets,
        filters: Filters {
            severity: req.severity.clone(),
            customer: req.customer.clone(),
            owner: req.owner.clone(),
            status: req.status.clone(),
            since: req.since.map(day),
            until: req.until.and_then(|d| d.succ_opt()).map(day),
        },
    };
    let found = searcher.search_with_statistics_provider(&*query, &collector, &stats).map_err(tantivy_err)?;

    let snippets = snippet_generator(plan, &stats, &fields).map_err(tantivy_err)?;
    let leaves: Vec<Leaf> = plan
        .positive_leaves()
        .into_iter()
        .filter_map(|leaf| {
            let in_field = |field: usize| {
                let mut leaf = leaf.clone();
                if let Plan::Term { field: f, .. } | Plan::Phrase { field: f, .. } = &mut leaf {
                    *f = field;
                }
                (leaf.to_query(&fields), SEARCH_FIELDS[field].name)
            };
            match leaf {
                Plan::Term { field, .. } | Plan::Phrase { field, .. } => Some(Leaf {
                    query: leaf.to_query(&fields),
                    name: SEARCH_FIELDS[*field].name,
                    // A word of the whole record: the sections that have it.
                    sections: if SEARCH_FIELDS[*field].name == schema::DEFAULT_FIELD {
                        SECTIONS
                            .iter()
                            .filter_map(|n| SEARCH_FIELDS.iter().position(|f| f.name == *n))
                            .map(in_field)
                            .collect()
                    } else {
                        Vec::new()
                    },
                }),
                _ => None,
            }
        })
        .collect();
    let mut hits = Vec::with_capacity(found.top.len());
    for (rank, (score, id, address)) in found.top.into_iter().enumerate() {
        let doc: TantivyDocument = searcher.doc(address).map_err(tantivy_err)?;
        let text = first_str(&doc, fields.text);
        let started_at = doc
            .get_first(fields.started)
            .and_then(|v| v.as_datetime())
            .and_then(super::document::from_tantivy);
        hits.push(Hit {
            rank: rank + 1,
            id,
            title: first_str(&doc, fields.title),
            severity: first_str(&doc, fields.severity),
            status: first_str(&doc, fields.status),
            started_at,
            score,
            fields: matching_fields(&searcher, &leaves, address).map_err(tantivy_err)?,
            snippet: snippet(&snippets, &text),
        });
    }
    let facets = req.facets.then(|| {
        let take = |name: &str| -> Vec<FacetCount> {
            let mut v: Vec<FacetCount> = found
                .facets
                .get(name)
                .map(|m| {
                    m.iter()
                        .map(|(value, count)| FacetCount { value: value.clone(), count: *count })
                        .collect()
                })
                .unwrap_or_default();
            v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            v
        };
        Facets {
            severity: take("severity"),
            customer: take("customer_name"),
            year: take("year"),
            owner: take("owner_name"),
            status: take("status"),
        }
    });
    Ok(SearchResults {
        query: req.query.clone(),
        parsed: plan.to_string(),
        total: found.total,
        hits,
        facets,
        warnings,
        suggestions: suggestions(&searcher, req).map_err(tantivy_err)?,
    })
}

/// For each customer or owner filter value that is no one's name (ignoring case and the
/// spaces around it, as the filter does), the names that contain it.
fn suggestions(searcher: &Searcher, req: &SearchRequest) -> tantivy::Result<Vec<Suggestion>> {
    let mut out = Vec::new();
    for (filter, column, wanted) in
        [("customer", "customer_name", &req.customer), ("owner", "owner_name", &req.owner)]
    {
        if wanted.is_empty() {
            continue;
        }
        let mut names = std::collections::BTreeSet::new();
        for reader in searcher.segment_readers() {
            if let Some(col) = reader.fast_fields().str(column)? {
                let mut stream = col.dictionary().stream()?;
                while stream.advance() {
                    if let Ok(name) = std::str::from_utf8(stream.key()) {
                        names.insert(name.to_string());
                    }
                }
            }
        }
        for value in wanted {
            let w = value.trim().to_lowercase();
            if names.iter().any(|n| n.to_lowercase() == w) {
                continue;
            }
            let names = if w.is_empty() {
                Vec::new()
            } else {
                names
                    .iter()
                    .filter(|n| n.to_lowercase().contains(&w))
                    .take(SUGGESTIONS_MAX)
                    .cloned()
                    .collect()
            };
            out.push(Suggestion { filter: filter.into(), value: value.clone(), names });
        }
    }
    Ok(out)
}

fn first_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

/// Highlights every term the query searches for, whatever its field, in the stored text.
fn snippet_generator(plan: &Plan, stats: &LiveStats, fields: &Fields) -> tantivy::Result<SnippetGenerator> {
    let mut terms: BTreeMap<String, f32> = BTreeMap::new();
    for (field, term) in plan.positive_terms() {
        let df = stats.live_doc_freq(&Term::from_field_text(fields.search[field], &term))?;
        if df > 0 {
            let weight = 1.0 / (1.0 + df as f32);
            let entry = terms.entry(term).or_insert(0.0);
            *entry = entry.max(weight);
        }
    }
    Ok(SnippetGenerator::new(terms, schema::en_analyzer(), fields.text, SNIPPET_CHARS))
}

fn snippet(generator: &SnippetGenerator, text: &str) -> Snippet {
    let s = generator.snippet(text);
    if s.is_empty() || s.highlighted().is_empty() {
        let end = text.char_indices().nth(SNIPPET_CHARS).map_or(text.len(), |(i, _)| i);
        let end = text[..end].rfind(char::is_whitespace).filter(|_| end < text.len()).unwrap_or(end);
        let mut out = text[..end].trim_end().to_string();
        if end < text.len() {
            out.push('…');
        }
        return Snippet { text: out.replace('\n', " "), highlights: Vec::new() };
    }
    let fragment = s.fragment();
    let range = s.fragment_range();
    let mut out = String::new();
    let mut shift = 0;
    if range.start > 0 {
        out.push('…');
        shift = 1;
    }
    out.push_str(&fragment.replace('\n', " "));
    if range.end < text.len() {
        out.push('…');
    }
    let highlights = s
        .highlighted()
        .iter()
        .map(|r| [fragment[..r.start].chars().count() + shift, fragment[..r.end].chars().count() + shift])
        .collect();
    Snippet { text: out, highlights }
}

/// A positive leaf of the plan, and for a leaf of `text`, the same leaf in each of
/// [`SECTIONS`].
struct Leaf {
    query: Box<dyn Query>,
    name: &'static str,
    sections: Vec<(Box<dyn Query>, &'static str)>,
}

/// The fields a hit matched in: each positive leaf's field, or for a leaf of `text`, the
/// [`SECTIONS`] that have it (`text` when none does); in schema order.
fn matching_fields(
    searcher: &Searcher,
    leaves: &[Leaf],
    address: tantivy::DocAddress,
) -> tantivy::Result<Vec<String>> {
    let reader = searcher.segment_reader(address.segment_ord);
    let matches = |query: &dyn Query| -> tantivy::Result<bool> {
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let doc = address.doc_id;
        Ok(scorer.doc() == doc || (scorer.doc() < doc && scorer.seek(doc) == doc))
    };
    let mut out: Vec<String> = Vec::new();
    for leaf in leaves {
        if !matches(&*leaf.query)? {
            continue;
        }
        let mut found = false;
        for (query, name) in &leaf.sections {
            if matches(&**query)? {
                found = true;
                out.push(name.to_string());
            }
        }
        if !found {
            out.push(leaf.name.to_string());
        }
    }
    out.sort_by_key(|n| SEARCH_FIELDS.iter().position(|f| f.name == n));
    out.dedup();
    Ok(out)
}

/// The start time of a hit, for display.
pub fn date(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}
