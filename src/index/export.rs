//! The browser search's files, read from the tantivy index's own term dictionaries, postings,
//! positions and fieldnorms: classic `<script>` files that call `IASearch(name, data)`, so
//! that the site's search works from `file://` and loads only what a query needs.
//!
//! Layout (all under `search/` of the site; every name is also the shard's `name`):
//!
//! - `meta.js`: format, live document count, per-field token totals (for BM25's average field
//!   length), the dictionary shard count, field names and analyzers, filter values, and the
//!   idf values the browser's `Math.log` would round differently from the CLI's `f32::ln`.
//! - `t/<n>.js`: dictionary shard `n` = FNV-1a 32 of `"<field number>:<term>"` modulo the shard
//!   count. Each entry is `[df, postings]` for a short list, or
//!   `[df, key, shift, chunks, tail_tf, tail_fieldnorm, tail_doc]` for a long one, whose
//!   postings live in `l/<key>/`: `h.js` the head (the best-scoring postings for a term alone),
//!   `<c>.js` the rest by document range (`doc >> shift == c`, present chunks listed in
//!   `chunks`); `(tail_tf, tail_fieldnorm)` is the best posting left out of the head, and
//!   `tail_doc` the smallest document with that score. `t/<n>.p.js`, `l/<key>/hp.js` and
//!   `l/<key>/<c>p.js` hold the positions of the same postings, for phrases.
//! - `d/<b>.js`: documents `8b..8b+7`: id, title, severity, status, start date, summary.
//! - `f/<kind>/<key>.js`: the documents with one severity, status, year or customer.
//!
//! Documents are numbered by the rank of their id among every id the archive has known (purged
//! ones keep their number), so ties by number are ties by id and an added record renumbers
//! nothing. Postings are strings of base64url varints (5 bits a character, the sixth bit says
//! "more"): per posting the document delta, then `(tf - 1) * 256 + fieldnorm_id`; positions
//! are per posting `tf` values, the first absolute, the rest deltas.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};
use tantivy::fieldnorm::{FieldNormReader, FieldNormReaders};
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, ReloadPolicy, Searcher, SegmentReader, TERMINATED};

use super::IndexError;
use super::indexer::{self, META_FILE};
use super::schema::{Analyzer, FIELD_ALIASES, Fields, SEARCH_FIELDS};
use super::stats::LiveStats;

/// Version of the format described above; `search.js` refuses others.
pub const FORMAT: u32 = 1;
/// Documents per `d/` bucket.
pub const DOC_BUCKET: u32 = 8;
/// Lists of at most this many postings are written inline in their dictionary entry.
pub const INLINE_MAX: usize = 32;
/// Aimed-at postings per tail chunk.
pub const CHUNK_POSTINGS: usize = 1024;
/// Aimed-at bytes per dictionary shard.
pub const SHARD_BYTES: usize = 8 * 1024;
/// The name of the global function every shard calls.
pub const CALLBACK: &str = "IASearch";

/// What an export wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    pub files: usize,
    pub bytes: u64,
    pub documents: u64,
    /// (field, term) lists exported.
    pub lists: usize,
    pub shards: usize,
}

/// All files of the browser search as (path under the site, e.g. `search/meta.js`, bytes),
/// in a deterministic order with deterministic content.
pub fn browser_export(index_dir: &Path) -> Result<Vec<(String, Vec<u8>)>, IndexError> {
    let mut files = Vec::new();
    browser_export_to(index_dir, &mut |path, bytes| {
        files.push((path.to_string(), bytes.to_vec()));
        Ok(())
    })?;
    Ok(files)
}

/// Like [`browser_export`], handing each file to `sink` as it is made (a 100,000-record site
/// has hundreds of megabytes of shards; this keeps them out of memory).
pub fn browser_export_to(
    index_dir: &Path,
    sink: &mut dyn FnMut(&str, &[u8]) -> io::Result<()>,
) -> Result<ExportReport, IndexError> {
    if !index_dir.join(META_FILE).is_file() {
        return Err(IndexError::Missing { path: index_dir.to_path_buf() });
    }
    let index = indexer::open(index_dir)?;
    let ids = indexer::read_ids(index_dir)?;
    let terr = |source| IndexError::Tantivy { path: index_dir.to_path_buf(), source };
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(terr)?;
    let searcher = reader.searcher();
    let mut out = Out { sink, report: ExportReport::default(), path: index_dir };
    export(&searcher, &ids, &mut out).map_err(|e| match e {
        Failure::Tantivy(source) => IndexError::Tantivy { path: index_dir.to_path_buf(), source },
        Failure::Io(source) => IndexError::Io { path: index_dir.to_path_buf(), source },
        Failure::Invalid(message) => IndexError::Invalid { path: index_dir.to_path_buf(), message },
    })?;
    Ok(out.report)
}

enum Failure {
    Tantivy(tantivy::TantivyError),
    Io(io::Error),
    Invalid(String),
}

impl From<tantivy::TantivyError> for Failure {
    fn from(e: tantivy::TantivyError) -> Self {
        Failure::Tantivy(e)
    }
}
impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

struct Out<'a> {
    sink: &'a mut dyn FnMut(&str, &[u8]) -> io::Result<()>,
    report: ExportReport,
    #[allow(dead_code)]
    path: &'a Path,
}

impl Out<'_> {
    /// Writes `search/<name>.js` calling the callback with `data`.
    fn shard(&mut self, name: &str, data: &Value) -> Result<(), Failure> {
        self.shard_json(name, &serde_json::to_string(data).expect("json to memory"))
    }

    /// Same, with `data` already serialized.
    fn shard_json(&mut self, name: &str, json: &str) -> Result<(), Failure> {
        let mut bytes = Vec::with_capacity(json.len() + name.len() + 16);
        bytes.extend_from_slice(CALLBACK.as_bytes());
        bytes.extend_from_slice(b"(\"");
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(b"\",");
        bytes.extend_from_slice(json.as_bytes());
        bytes.extend_from_slice(b");\n");
        self.report.files += 1;
        self.report.bytes += bytes.len() as u64;
        (self.sink)(&format!("search/{name}.js"), &bytes)?;
        Ok(())
    }
}

/// Base64url varints.
pub mod enc {
    /// The alphabet: values 0..32 end a number, 32..64 continue it.
    pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// Appends `v`, five bits a character, low bits first.
    pub fn push(out: &mut String, mut v: u64) {
        while v >= 32 {
            out.push(ALPHABET[(32 | (v & 31)) as usize] as char);
            v >>= 5;
        }
        out.push(ALPHABET[v as usize] as char);
    }

    /// Decodes a whole string (for tests).
    pub fn decode(s: &str) -> Vec<u64> {
        let mut out = Vec::new();
        let (mut v, mut shift) = (0u64, 0u32);
        for b in s.bytes() {
            let d = ALPHABET.iter().position(|&a| a == b).expect("alphabet") as u64;
            v |= (d & 31) << shift;
            if d >= 32 {
                shift += 5;
            } else {
                out.push(v);
                v = 0;
                shift = 0;
            }
        }
        out
    }
}

/// tantivy's BM25 pieces, replicated to order postings by score exactly as the CLI and the
/// browser compute it (tested against `Bm25Weight`).
pub mod bm25 {
    use tantivy::fieldnorm::FieldNormReader;

    pub const K1: f32 = 1.2;
    pub const B: f32 = 0.75;

    /// `idf = ln(1 + (N - n + 0.5) / (n + 0.5))` in f32.
    pub fn idf(doc_freq: u64, doc_count: u64) -> f32 {
        let x = ((doc_count - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
        (1.0 + x).ln()
    }

    /// The same with the logarithm in f64 rounded to f32, as `search.js` computes it.
    pub fn idf_js(doc_freq: u64, doc_count: u64) -> f32 {
        let x = ((doc_count - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
        f64::from(1.0f32 + x).ln() as f32
    }

    /// The per-fieldnorm-id denominators `K1 * (1 - B + B * dl / avgdl)`.
    pub fn tf_cache(average_fieldnorm: f32) -> [f32; 256] {
        let mut cache = [0f32; 256];
        for (id, c) in cache.iter_mut().enumerate() {
            let fieldnorm = FieldNormReader::id_to_fieldnorm(id as u8);
            *c = K1 * (1.0 - B + B * fieldnorm as f32 / average_fieldnorm);
        }
        cache
    }

    /// `tf / (tf + cache[fieldnorm_id])`: a posting's score divided by the term's weight.
    pub fn tf_factor(cache: &[f32; 256], tf: u32, fieldnorm_id: u8) -> f32 {
        let tf = tf as f32;
        tf / (tf + cache[fieldnorm_id as usize])
    }

    /// `total / docs` in f32, as `Bm25Weight::for_terms`.
    pub fn average(total_tokens: u64, docs: u64) -> f32 {
        total_tokens as f32 / docs as f32
    }
}

/// FNV-1a, 32 bits, over UTF-8: the dictionary shard of a `"<field>:<term>"` key.
pub fn fnv32(s: &str) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// FNV-1a, 64 bits: file keys of long lists and filter values.
fn fnv64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// One posting, gathered across segments.
struct Posting {
    doc: u32,
    tf: u32,
    fieldnorm: u8,
    positions: Vec<u32>,
}

/// Per segment: document number of each tantivy doc (`u32::MAX` when deleted).
fn doc_numbers(reader: &SegmentReader, numbers: &HashMap<&str, u32>) -> Result<Vec<u32>, Failure> {
    let keys = reader
        .fast_fields()
        .str("key")?
        .ok_or_else(|| Failure::Invalid("the index has no `key` column".into()))?;
    let alive = reader.alive_bitset();
    let mut by_ord = Vec::with_capacity(keys.num_terms());
    let mut s = String::new();
    for ord in 0..keys.num_terms() as u64 {
        s.clear();
        keys.ord_to_str(ord, &mut s)?;
        by_ord.push(numbers.get(s.as_str()).copied());
    }
    let mut out = vec![u32::MAX; reader.max_doc() as usize];
    for doc in 0..reader.max_doc() {
        if alive.is_some_and(|a| a.is_deleted(doc)) {
            continue;
        }
        let ord = keys.term_ords(doc).next();
        out[doc as usize] = ord.and_then(|o| by_ord[o as usize]).ok_or_else(|| {
            Failure::Invalid(format!("a document's id is not in `{}`; rebuild the index", indexer::IDS_FILE))
        })?;
    }
    Ok(out)
}

fn first_str(col: &Option<tantivy::columnar::StrColumn>, doc: DocId, buf: &mut String) -> String {
    buf.clear();
    if let Some(c) = col
        && let Some(ord) = c.term_ords(doc).next()
    {
        let _ = c.ord_to_str(ord, buf);
    }
    buf.clone()
}

fn all_strs(col: &Option<tantivy::columnar::StrColumn>, doc: DocId) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = col {
        for ord in c.term_ords(doc) {
            let mut s = String::new();
            if c.ord_to_str(ord, &mut s).unwrap_or(false) && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn export(searcher: &Searcher, ids: &[String], out: &mut Out) -> Result<(), Failure> {
    let fields = Fields::new();
    let numbers: HashMap<&str, u32> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
    let segments: Vec<Vec<u32>> =
        searcher.segment_readers().iter().map(|r| doc_numbers(r, &numbers)).collect::<Result<_, _>>()?;
    let stats = LiveStats::new(searcher);
    let docs = stats.num_docs();
    out.report.documents = docs;

    // Documents and filter values, from fast columns only.
    let mut rows: BTreeMap<u32, String> = BTreeMap::new();
    let mut filters: BTreeMap<(&str, String), Vec<u32>> = BTreeMap::new();
    for (reader, numbers) in searcher.segment_readers().iter().zip(&segments) {
        let ff = reader.fast_fields();
        let cols: Vec<Option<tantivy::columnar::StrColumn>> =
            ["key", "title", "severity", "status", "year", "summary", "customer_name"]
                .iter()
                .map(|n| ff.str(n))
                .collect::<Result<_, _>>()?;
        let started = ff.date("started")?;
        let mut buf = String::new();
        for doc in 0..reader.max_doc() {
            let n = numbers[doc as usize];
            if n == u32::MAX {
                continue;
            }
            let date = started
                .first(doc)
                .and_then(super::document::from_tantivy)
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            let row: Vec<String> = [0, 1, 2, 3].iter().map(|&i| first_str(&cols[i], doc, &mut buf)).collect();
            let row = json!([n, row[0], row[1], row[2], row[3], date, first_str(&cols[5], doc, &mut buf)]);
            rows.insert(n, row.to_string());
            for (kind, col) in [("severity", 2), ("status", 3), ("year", 4)] {
                let v = first_str(&cols[col], doc, &mut buf);
                if !v.is_empty() {
                    filters.entry((kind, v)).or_default().push(n);
                }
            }
            for c in all_strs(&cols[6], doc) {
                filters.entry(("customer", c)).or_default().push(n);
            }
        }
    }
    let mut bucket: Vec<String> = Vec::new();
    let mut current = None;
    for (n, row) in rows {
        let b = n / DOC_BUCKET;
        if let Some(c) = current.filter(|c| *c != b) {
            out.shard_json(&format!("d/{c}"), &format!("[{}]", bucket.join(",")))?;
            bucket.clear();
        }
        current = Some(b);
        bucket.push(row);
    }
    if let Some(c) = current {
        out.shard_json(&format!("d/{c}"), &format!("[{}]", bucket.join(",")))?;
    }
    let mut filter_meta: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for ((kind, value), mut docs) in filters {
        docs.sort_unstable();
        docs.dedup();
        let key = format!("{:016x}", fnv64(&value));
        let mut s = String::with_capacity(docs.len());
        let mut prev: i64 = -1;
        for d in &docs {
            enc::push(&mut s, (i64::from(*d) - prev) as u64);
            prev = i64::from(*d);
        }
        out.shard(&format!("f/{kind}/{key}"), &Value::String(s))?;
        filter_meta.entry(kind).or_default().push(json!([value, key, docs.len()]));
    }

    // Postings, field by field, term by term across segments.
    // (key, entry as JSON, positions of a short list): ~1M of them at 100,000 records, so
    // serialized at once rather than kept as `Value`s.
    let mut entries: Vec<(String, String, Option<String>)> = Vec::new();
    let mut field_meta = Vec::new();
    let mut doc_freqs: Vec<u64> = Vec::new();
    let mut collision: HashMap<u64, Vec<String>> = HashMap::new();
    let norms: Vec<FieldNormReaders> =
        searcher.segment_readers().iter().map(|r| r.fieldnorms_readers().clone()).collect();
    for (fi, sf) in SEARCH_FIELDS.iter().enumerate() {
        let field = fields.search[fi];
        let total = stats.field_tokens(field)?;
        field_meta.push(json!([sf.name, sf.analyzer.name(), total]));
        let cache = bm25::tf_cache(bm25::average(total, docs));
        let with_positions = sf.analyzer == Analyzer::En;
        let option = if with_positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let inverted: Vec<_> =
            searcher.segment_readers().iter().map(|r| r.inverted_index(field)).collect::<Result<_, _>>()?;
        let norm_readers: Vec<Option<FieldNormReader>> =
            norms.iter().map(|n| n.get_field(field)).collect::<Result<_, _>>()?;
        let mut streams = Vec::new();
        for inv in &inverted {
            streams.push(inv.terms().stream()?);
        }
        let mut live: Vec<bool> = streams.iter_mut().map(|s| s.advance()).collect();
        // Terms in order, the smallest current key across segments first.
        while let Some(key) =
            streams.iter().zip(&live).filter(|(_, l)| **l).map(|(s, _)| s.key().to_vec()).min()
        {
            let mut postings: Vec<Posting> = Vec::new();
            for (si, stream) in streams.iter_mut().enumerate() {
                if !live[si] || stream.key() != key.as_slice() {
                    continue;
                }
                let info = stream.value().clone();
                let mut p = inverted[si].read_postings_from_terminfo(&info, option)?;
                let numbers = &segments[si];
                let mut doc = p.doc();
                while doc != TERMINATED {
                    let n = numbers[doc as usize];
                    if n != u32::MAX {
                        let mut positions = Vec::new();
                        if with_positions {
                            p.positions(&mut positions);
                        }
                        let fieldnorm = norm_readers[si].as_ref().map_or(0, |r| r.fieldnorm_id(doc));
                        postings.push(Posting { doc: n, tf: p.term_freq(), fieldnorm, positions });
                    }
                    doc = p.advance();
                }
                live[si] = stream.advance();
            }
            if postings.is_empty() {
                continue;
            }
            let term = String::from_utf8(key)
                .map_err(|_| Failure::Invalid(format!("a term of `{}` is not UTF-8", sf.name)))?;
            postings.sort_by_key(|p| p.doc);
            doc_freqs.push(postings.len() as u64);
            let dict_key = format!("{fi}:{term}");
            let (value, positions) = if postings.len() <= INLINE_MAX {
                let (p, pos) = encode(&postings, with_positions);
                (json!([postings.len(), p]), pos)
            } else {
                let mut list_key = fnv64(&dict_key);
                {
                    let names = collision.entry(list_key).or_default();
                    names.push(dict_key.clone());
                    if names.len() > 1 {
                        list_key = fnv64(&format!("{dict_key}#{}", names.len()));
                    }
                }
                (long_list(&postings, &cache, list_key, with_positions, docs, ids.len(), out)?, None)
            };
            entries.push((dict_key, value.to_string(), positions));
            out.report.lists += 1;
        }
    }

    // idf values the browser would round differently.
    doc_freqs.sort_unstable();
    doc_freqs.dedup();
    let mut idf_fix = serde_json::Map::new();
    for df in doc_freqs {
        let (exact, js) = (bm25::idf(df, docs), bm25::idf_js(df, docs));
        if exact.to_bits() != js.to_bits() {
            idf_fix.insert(df.to_string(), json!(f64::from(exact)));
        }
    }

    // Dictionary shards.
    let total_bytes: usize = entries.iter().map(|(k, v, _)| k.len() + v.len() + 4).sum();
    let shards = (total_bytes / SHARD_BYTES).max(1).next_power_of_two();
    out.report.shards = shards;
    let width = format!("{:x}", shards - 1).len();
    // Each shard's object, its keys in (field, term) order.
    let mut by_shard: BTreeMap<usize, (String, String)> = BTreeMap::new();
    for (key, value, positions) in entries {
        let shard = (fnv32(&key) as usize) & (shards - 1);
        let (dict, pos) = by_shard.entry(shard).or_default();
        let key_json = Value::String(key).to_string();
        if let Some(p) = positions {
            pos.push_str(if pos.is_empty() { "{" } else { "," });
            pos.push_str(&key_json);
            pos.push(':');
            pos.push_str(&Value::String(p).to_string());
        }
        dict.push_str(if dict.is_empty() { "{" } else { "," });
        dict.push_str(&key_json);
        dict.push(':');
        dict.push_str(&value);
    }
    for (shard, (dict, pos)) in by_shard {
        let name = format!("t/{shard:0width$x}");
        out.shard_json(&name, &format!("{dict}}}"))?;
        if !pos.is_empty() {
            out.shard_json(&format!("{name}.p"), &format!("{pos}}}"))?;
        }
    }

    let aliases: serde_json::Map<String, Value> =
        FIELD_ALIASES.iter().map(|(a, f)| (a.to_string(), Value::String(f.to_string()))).collect();
    let meta = json!({
        "format": FORMAT,
        "docs": docs,
        "space": ids.len(),
        "shards": shards,
        "bucket": DOC_BUCKET,
        "fields": field_meta,
        "default": super::schema::DEFAULT_FIELD,
        "aliases": aliases,
        "idf": idf_fix,
        "filters": filter_meta,
    });
    out.shard("meta", &meta)?;
    Ok(())
}

/// Postings (in the given order) and, when asked, their positions.
fn encode<'a>(
    postings: impl IntoIterator<Item = &'a Posting>,
    with_positions: bool,
) -> (String, Option<String>) {
    let mut s = String::new();
    let mut pos = with_positions.then(String::new);
    let mut prev: i64 = -1;
    for p in postings {
        enc::push(&mut s, (i64::from(p.doc) - prev) as u64);
        prev = i64::from(p.doc);
        enc::push(&mut s, u64::from(p.tf - 1) * 256 + u64::from(p.fieldnorm));
        if let Some(out) = pos.as_mut() {
            let mut last = 0;
            for (i, &q) in p.positions.iter().enumerate() {
                enc::push(out, u64::from(if i == 0 { q } else { q - last }));
                last = q;
            }
        }
    }
    (s, pos)
}

/// Writes a long list's head and tail chunks; returns its dictionary entry.
fn long_list(
    postings: &[Posting],
    cache: &[f32; 256],
    key: u64,
    with_positions: bool,
    _docs: u64,
    space: usize,
    out: &mut Out,
) -> Result<Value, Failure> {
    let df = postings.len();
    let mut order: Vec<(f32, u32, usize)> = postings
        .iter()
        .enumerate()
        .map(|(i, p)| (bm25::tf_factor(cache, p.tf, p.fieldnorm), p.doc, i))
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let head_len = head_size(df);
    let mut head: Vec<usize> = order[..head_len].iter().map(|o| o.2).collect();
    head.sort_unstable();
    let tail_best = &postings[order[head_len].2];
    let hex = format!("{key:016x}");
    let dir = format!("l/{}/{}", &hex[..2], &hex[2..]);
    let head_postings: Vec<&Posting> = head.iter().map(|&i| &postings[i]).collect();
    write_part(out, &format!("{dir}/h"), &head_postings, with_positions)?;
    // Tail chunks: the rest, by document range.
    let mut in_head = vec![false; df];
    for &i in &head {
        in_head[i] = true;
    }
    let tail_len = df - head_len;
    let density = tail_len as f64 / space.max(1) as f64;
    let shift = ((CHUNK_POSTINGS as f64 / density).log2().round() as u32).clamp(4, 30);
    let mut chunks = String::new();
    let mut prev_chunk: i64 = -1;
    let mut part: Vec<&Posting> = Vec::new();
    let mut current: Option<u32> = None;
    for (i, p) in postings.iter().enumerate() {
        if in_head[i] {
            continue;
        }
        let c = p.doc >> shift;
        if current.is_some_and(|cur| cur != c) {
            let cur = current.expect("checked");
            write_part(out, &format!("{dir}/{cur}"), &part, with_positions)?;
            enc::push(&mut chunks, (i64::from(cur) - prev_chunk) as u64);
            prev_chunk = i64::from(cur);
            part.clear();
        }
        current = Some(c);
        part.push(p);
    }
    if let Some(cur) = current {
        write_part(out, &format!("{dir}/{cur}"), &part, with_positions)?;
        enc::push(&mut chunks, (i64::from(cur) - prev_chunk) as u64);
    }
    Ok(json!([df, dir, shift, chunks, tail_best.tf, tail_best.fieldnorm, order[head_len].1]))
}

/// How many of a long list's postings go in its head.
pub fn head_size(df: usize) -> usize {
    (df / 8).clamp(INLINE_MAX, 4096).min(df - 1)
}

fn write_part(out: &mut Out, name: &str, postings: &[&Posting], with_positions: bool) -> Result<(), Failure> {
    let (s, pos) = encode(postings.iter().copied(), with_positions);
    out.shard(name, &Value::String(s))?;
    if let Some(pos) = pos {
        out.shard(&format!("{name}p"), &Value::String(pos))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::Bm25Weight;

    #[test]
    fn varints_round_trip() {
        let mut s = String::new();
        let values = [0u64, 1, 31, 32, 1023, 1024, 123_456_789];
        for v in values {
            enc::push(&mut s, v);
        }
        assert_eq!(enc::decode(&s), values);
        assert_eq!(s.len(), 1 + 1 + 1 + 2 + 2 + 3 + 6);
        // The same string is decoded by tests/browser/analyzer.test.mjs.
        assert!(s.starts_with("ABfgB_fggB"));
    }

    /// The replicated pieces give tantivy's own scores, bit for bit.
    #[test]
    fn replicated_bm25_equals_tantivys() {
        for (total, docs) in [(1_000u64, 10u64), (123_457, 999), (80_000_000, 100_000), (5, 5)] {
            let avg = bm25::average(total, docs);
            let cache = bm25::tf_cache(avg);
            for df in [1, 2, docs / 3, docs - 1, docs] {
                let tantivy = Bm25Weight::for_one_term(df, docs, avg);
                let weight = bm25::idf(df, docs) * (1.0 + bm25::K1);
                for tf in [1u32, 2, 3, 7, 40] {
                    for fieldnorm in [0u8, 1, 17, 100, 200, 255] {
                        let ours = weight * bm25::tf_factor(&cache, tf, fieldnorm);
                        assert_eq!(ours.to_bits(), tantivy.score(fieldnorm, tf).to_bits());
                    }
                }
            }
        }
    }

    #[test]
    fn fnv_matches_known_values() {
        assert_eq!(fnv32(""), 0x811c9dc5);
        assert_eq!(fnv32("a"), 0xe40c292c);
        assert_eq!(fnv64("a"), 0xaf63dc4c8601ec8c);
    }
}
