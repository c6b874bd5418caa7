//! Running a search: plan, tantivy with live statistics, the collector, then titles, snippets
//! and matching fields for the hits only (no stored document is read for the others).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocSet, ReloadPolicy, Searcher, TantivyDocument, Term};

use super::collect::{Filters, TopCollector};
use super::indexer::{self, META_FILE};
use super::plan::{self, Plan};
use super::schema::{self, Fields, SEARCH_FIELDS};
use super::stats::LiveStats;
use super::{FacetCount, Facets, Hit, IndexError, SearchRequest, SearchResults, Snippet};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 200;

/// See [`super::search`].
pub fn search(dir: &Path, req: &SearchRequest) -> Result<SearchResults, IndexError> {
    if !dir.join(META_FILE).is_file() {
        return Err(IndexError::Missing { path: dir.to_path_buf() });
    }
    let plan = plan::parse(&req.query)?;
    let index = indexer::open(dir)?;
    let tantivy_err = |source| IndexError::Tantivy { path: dir.to_path_buf(), source };
    let reader =
        index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(tantivy_err)?;
    let searcher = reader.searcher();
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

    let snippets = snippet_generator(&plan, &stats, &fields).map_err(tantivy_err)?;
    let leaves: Vec<(Box<dyn Query>, &'static str)> = plan
        .positive_leaves()
        .into_iter()
        .filter_map(|leaf| match leaf {
            Plan::Term { field, .. } | Plan::Phrase { field, .. } => {
                Some((leaf.to_query(&fields), SEARCH_FIELDS[*field].name))
            }
            _ => None,
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
    Ok(SearchResults { query: req.query.clone(), parsed: plan.to_string(), total: found.total, hits, facets })
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

fn matching_fields(
    searcher: &Searcher,
    leaves: &[(Box<dyn Query>, &'static str)],
    address: tantivy::DocAddress,
) -> tantivy::Result<Vec<String>> {
    let reader = searcher.segment_reader(address.segment_ord);
    let mut out: Vec<String> = Vec::new();
    for (query, name) in leaves {
        if out.iter().any(|n| n == name) {
            continue;
        }
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let doc = address.doc_id;
        if scorer.doc() == doc || (scorer.doc() < doc && scorer.seek(doc) == doc) {
            out.push(name.to_string());
        }
    }
    out.sort_by_key(|n| SEARCH_FIELDS.iter().position(|f| f.name == n));
    Ok(out)
}

/// The start time of a hit, for display.
pub fn date(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}
