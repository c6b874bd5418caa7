//! The collector of `search`: filters on fast fields (they never change a score), the top hits
//! ranked by score then id, the number of matches, and facet counts over all matches.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashSet};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Which records may be counted, from the command's flags; empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub severity: Vec<String>,
    pub customer: Vec<String>,
    pub owner: Vec<String>,
    pub status: Vec<String>,
    /// Start time bounds in seconds since the epoch, inclusive / exclusive.
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// The fast columns counted by `--facets`, in output order.
pub const FACETS: [&str; 5] = ["severity", "customer_name", "year", "owner_name", "status"];

/// Collects the best `limit` hits (score descending, then id ascending), the number of
/// matches and, when asked, facet counts.
pub struct TopCollector {
    pub limit: usize,
    pub filters: Filters,
    pub facets: bool,
}

/// What a search found.
#[derive(Debug, Default)]
pub struct Found {
    /// (score, id, address), best first.
    pub top: Vec<(Score, String, DocAddress)>,
    pub total: u64,
    /// Facet name → value → number of matching records.
    pub facets: BTreeMap<&'static str, BTreeMap<String, u64>>,
}

/// A heap entry: the heap's top is the worst kept hit.
#[derive(Debug, Clone, Copy)]
struct Entry {
    score: Score,
    key: u64,
    doc: DocId,
}

impl Entry {
    /// `Less` when `self` ranks before `other`.
    fn rank_cmp(&self, other: &Entry) -> Ordering {
        other.score.total_cmp(&self.score).then(self.key.cmp(&other.key))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.rank_cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank_cmp(other)
    }
}

struct StrFilter {
    column: StrColumn,
    ords: HashSet<u64>,
}

impl StrFilter {
    fn new(
        reader: &SegmentReader,
        field: &str,
        wanted: &[String],
    ) -> tantivy::Result<Option<Option<StrFilter>>> {
        if wanted.is_empty() {
            return Ok(None);
        }
        let Some(column) = reader.fast_fields().str(field)? else { return Ok(Some(None)) };
        let wanted: Vec<String> = wanted.iter().map(|w| w.trim().to_lowercase()).collect();
        // One pass over the column's dictionary (`ord_to_str` per term would open a block of
        // the dictionary per call: at 100,000 records, thousands of customers).
        let mut ords = HashSet::new();
        let mut stream = column.dictionary().stream()?;
        while stream.advance() {
            if let Ok(value) = std::str::from_utf8(stream.key())
                && wanted.contains(&value.to_lowercase())
            {
                ords.insert(stream.term_ord());
            }
        }
        Ok(Some(Some(StrFilter { column, ords })))
    }

    fn accepts(&self, doc: DocId) -> bool {
        self.column.term_ords(doc).any(|o| self.ords.contains(&o))
    }
}

/// The per-segment part of [`TopCollector`].
pub struct TopSegmentCollector {
    segment: SegmentOrdinal,
    limit: usize,
    heap: BinaryHeap<Entry>,
    keys: StrColumn,
    /// `None` when a filter cannot match anything in this segment.
    filters: Option<Vec<StrFilter>>,
    started: Option<(Column<tantivy::DateTime>, Option<i64>, Option<i64>)>,
    facets: Vec<(&'static str, StrColumn, Vec<u64>)>,
    total: u64,
    seen: Vec<u64>,
}

impl Collector for TopCollector {
    type Fruit = Found;
    type Child = TopSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TopSegmentCollector> {
        let keys = reader
            .fast_fields()
            .str("key")?
            .ok_or_else(|| tantivy::TantivyError::SchemaError("no `key` column".into()))?;
        let f = &self.filters;
        let mut filters = Some(Vec::new());
        for (field, wanted) in [
            ("severity", &f.severity),
            ("customer_name", &f.customer),
            ("owner_name", &f.owner),
            ("status", &f.status),
        ] {
            match StrFilter::new(reader, field, wanted)? {
                None => {}
                Some(None) => filters = None,
                Some(Some(sf)) => {
                    if sf.ords.is_empty() {
                        filters = None;
                    } else if let Some(v) = filters.as_mut() {
                        v.push(sf);
                    }
                }
            }
        }
        let started = if f.since.is_some() || f.until.is_some() {
            Some((reader.fast_fields().date("started")?, f.since, f.until))
        } else {
            None
        };
        let mut facets = Vec::new();
        if self.facets {
            for name in FACETS {
                if let Some(col) = reader.fast_fields().str(name)? {
                    let n = col.num_terms();
                    facets.push((name, col, vec![0; n]));
                }
            }
        }
        Ok(TopSegmentCollector {
            segment,
            limit: self.limit,
            heap: BinaryHeap::with_capacity(self.limit + 1),
            keys,
            filters,
            started,
            facets,
            total: 0,
            seen: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFound>) -> tantivy::Result<Found> {
        let mut found = Found::default();
        let mut top = Vec::new();
        for fruit in fruits {
            found.total += fruit.total;
            top.extend(fruit.top);
            for (name, values) in fruit.facets {
                let dest = found.facets.entry(name).or_default();
                for (v, n) in values {
                    *dest.entry(v).or_default() += n;
                }
            }
        }
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        top.truncate(self.limit);
        found.top = top;
        if self.facets {
            for name in FACETS {
                found.facets.entry(name).or_default();
            }
        }
        Ok(found)
    }
}

/// One segment's hits, counts and facets.
pub struct SegmentFound {
    top: Vec<(Score, String, DocAddress)>,
    total: u64,
    facets: Vec<(&'static str, BTreeMap<String, u64>)>,
}

impl TopSegmentCollector {
    fn accepts(&self, doc: DocId) -> bool {
        let Some(filters) = &self.filters else { return false };
        if !filters.iter().all(|f| f.accepts(doc)) {
            return false;
        }
        if let Some((col, since, until)) = &self.started {
            let Some(t) = col.first(doc) else { return false };
            let secs = t.into_timestamp_secs();
            if since.is_some_and(|s| secs < s) || until.is_some_and(|u| secs >= u) {
                return false;
            }
        }
        true
    }
}

impl SegmentCollector for TopSegmentCollector {
    type Fruit = SegmentFound;

    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.accepts(doc) {
            return;
        }
        self.total += 1;
        for (_, col, counts) in &mut self.facets {
            self.seen.clear();
            for ord in col.term_ords(doc) {
                if !self.seen.contains(&ord) {
                    self.seen.push(ord);
                    counts[ord as usize] += 1;
                }
            }
        }
        if self.limit == 0 {
            return;
        }
        let key = self.keys.term_ords(doc).next().unwrap_or(u64::MAX);
        let entry = Entry { score, key, doc };
        if self.heap.len() < self.limit {
            self.heap.push(entry);
        } else if let Some(worst) = self.heap.peek()
            && entry.rank_cmp(worst) == Ordering::Less
        {
            self.heap.pop();
            self.heap.push(entry);
        }
    }

    fn harvest(self) -> SegmentFound {
        let mut s = String::new();
        let top = self
            .heap
            .into_iter()
            .map(|e| {
                s.clear();
                let _ = self.keys.ord_to_str(e.key, &mut s);
                (e.score, s.clone(), DocAddress::new(self.segment, e.doc))
            })
            .collect();
        let facets = self
            .facets
            .into_iter()
            .map(|(name, col, counts)| {
                // One pass over the dictionary, as in `StrFilter::new`.
                let mut values = BTreeMap::new();
                if let Ok(mut stream) = col.dictionary().stream() {
                    while stream.advance() {
                        let n = counts.get(stream.term_ord() as usize).copied().unwrap_or(0);
                        if n > 0
                            && let Ok(value) = std::str::from_utf8(stream.key())
                        {
                            values.insert(value.to_string(), n);
                        }
                    }
                }
                (name, values)
            })
            .collect();
        SegmentFound { top, total: self.total, facets }
    }
}
