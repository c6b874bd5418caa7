//! The browser search's files, read from the tantivy index's own term dictionaries, postings,
//! positions and fieldnorms: classic `<script>` files that call `IASearch(name, data)`, so
//! that the site's search works from `file://` and loads only what a query needs.
//!
//! Documents are numbered by the rank of their id among every id the archive has known (purged
//! ones keep their number), so ties by number are ties by id, and a new record, whose id
//! usually sorts last, renumbers nothing.
//!
//! The numbers are cut into two *levels*: the base, `[0, B)`, and the recent records,
//! `[B, space)`, where `B` is the number of ids rounded down to a multiple of a quantum (a
//! power of two near a sixteenth of the archive, 256 to 4096). Each level is exported on its
//! own, from its own documents only, so a nightly run that adds a few records rewrites the
//! small recent level and leaves every file of the base as it was; the base changes when `B`
//! moves (once every quantum of new ids) or when one of its records changes. The browser adds
//! up the document frequencies of the levels; everything else of the BM25 formula comes from
//! `meta.js`.
//!
//! Layout (all under `search/`; every file's name without `.js` is the name it registers):
//!
//! - `meta.js`: format, live document count, the id space, rows per `d/` file, per-field token
//!   totals (for the average field length), field names and analyzers, the idf values the
//!   browser's `Math.log` would round differently from the CLI's `f32::ln`, the small filter
//!   lists (severity, status, year), and the levels `[name, start, end, shards, packs, bases]`
//!   (`bases`: per field, see below).
//! - `<level>/t/<n>.js`: dictionary shard `n` = FNV-1a 32 of `"<field number>:<term>"` modulo
//!   the level's shard count. An entry is `[df, postings]` for a list of at most
//!   [`INLINE_MAX`] postings, `[df, packed postings, 0]` for a longer one of the recent level
//!   (whose lists are all written whole: small, and rewritten by every run that adds records
//!   anyway), else `[df, top, rest, dir, head, shift, chunks, layers, sizes…]`:
//!   - `top`: the list's best postings (BM25 over the level's own statistics: this keeps the
//!     base stable), inline: the whole head when it has at most [`HEAD_INLINE_MAX`] postings,
//!     else the best [`TOP_POSTINGS`] of it;
//!   - `rest`: the *frontier* of the postings not in `top`: the `(tf, fieldnorm)` pairs no
//!     other posting beats on both, from which the browser bounds their best score whatever
//!     the current average field length;
//!   - `dir`: the folder of the list's own files, or `null`;
//!   - `head`: `0` when `top` is the whole head, else the frontier of the postings not in the
//!     head file `<dir>/h.js` (which holds the head, `top` included: [`head_size`] postings);
//!   - `layers`: the frontier of the postings after each *layer*, the next best postings after
//!     the head in files `<dir>/g1.js`, `<dir>/g2.js`… of [`LAYERS`] heads each, written while
//!     the rest would be chunked; the browser reads them in order, each lowering the bound of
//!     what is left, when a query's proof of its top needs it;
//!   - `shift`, `chunks`: the tail (the postings after the head and the layers), by document
//!     range: chunk `doc >> shift` is `<dir>/<c>.js` ([`CHUNK_POSTINGS`] postings or so),
//!     `chunks` lists the chunks present; `shift` is `null` when the tail has at most
//!     [`PACK_MAX`] postings and lives in the level's pack `<level>/s/<g>.js` under the
//!     entry's key, `g` = the same FNV-1a 32 modulo the level's pack count.
//!   - `sizes…`, for a list with a folder: the characters of its frequencies file, of each
//!     layer, then of a chunk on average (when it has chunks): what the browser weighs the
//!     frequencies file against.
//!   - `<dir>/b.js`, for every list with a folder: the list's documents alone (no tf, no
//!     fieldnorm), what the browser counts the hits of a query with once its results are
//!     shown: `m` and a bitmap of the level, or `g` and gap varints, whichever is smaller,
//!     raw-deflated and in Z85 (`enc::z85`; a list holding two thirds of the 98,304 documents
//!     of a level takes 15 KB this way, where its postings take 230 KB).
//!   - `<dir>/f.js`, beside it: the tf of each of those documents, in their order (LEB128 of
//!     `tf - 1`, raw-deflated, Z85). With a document's fieldnorm, which any loaded posting of
//!     the same field holds, the browser has its exact score without the list's postings: a
//!     query of a common word and a rarer one reads the common word's frequencies (0.06 to
//!     0.6 bytes a document) instead of a chunk for each of the rarer word's documents.
//!
//!   A list's own postings files (head, layers, chunks) are deflated columns (see
//!   `Gathered::pack`); the entries and the packs are varints. Every deflated file is
//!   libdeflate's, at the level of its kind (`TEXT_LEVEL`, `POSTINGS_LEVEL`, `BITMAP_LEVEL`,
//!   `FREQUENCIES_LEVEL`).
//!
//!   Positions, for phrases only, are in files of their own, each for [`POS_GROUP`] shards,
//!   packs or chunks: `<level>/tp/<n / 4>.js` maps the keys of shards `n` to the positions of
//!   their inline postings (`[top, head file]` when there is a head file),
//!   `<level>/sp/<g / 4>.js` the keys of packs to their tails' positions,
//!   `<dir>/p<c / 4>.js` chunk numbers to their positions, and `<dir>/pg<n>.js` holds those
//!   of layer `n`.
//! - `d/<b>.js`: the rows of documents `b * bucket..(b + 1) * bucket` (`bucket` in `meta.js`,
//!   [`DOC_BUCKET`]: one): number, id, title, severity, status, start date, and the incident
//!   page's path in the site when it is not `incidents/<id>.html` (ids that differ only in
//!   case, `index`, `2025`, `CON`…: the site names those pages otherwise). A first query loads
//!   one such file per result shown: a file of one row is a third of one of four.
//! - `x/<n>.js`: what a shown hit explains itself with, loaded by the page for the results in
//!   view only (the first screen's; one below it when it is scrolled to):
//!   `[text, {field number: [value…]}]`, the stored `text` (the CLI cuts its snippets from
//!   it, and so does the browser) and the values of each prose field but `text` (which field a
//!   hit matched in), each value as `[start, end]` (UTF-16 offsets) where `text` holds it
//!   verbatim, else as a string; that JSON raw-deflated and in Z85 (the snippets are a tenth
//!   of a first query's bytes: this takes 6.8 KB of JSON to about 3.3 KB on the generated
//!   corpus; the browser inflates it with `DecompressionStream`).
//! - `w/<n>.js`: the vocabulary, every word of the live records' prose as written (lowercased)
//!   with its stem: the browser stems a query's words with it and loads the Snowball stemmer
//!   (`assets/stem.js`) only for a word no record holds (see [`vocabulary`]); `words` in
//!   `meta.js` is the shard count.
//! - `f/<kind>/<key>.js`: the documents with one severity, status or year; `f/customer.js`:
//!   the customer names and their groups (loaded when a customer filter is used: there can be
//!   thousands), `f/c/<group>.js` the documents of each customer of a group, by name.
//!
//! Postings in entries and packs are strings of base64url varints (5 bits a character, the
//! sixth bit says "more"):
//! per posting `delta * 4 + min(tf - 1, 3)` (the first delta from -1: numbers are absolute),
//! `tf - 4` when `tf >= 4`, and `(fieldnorm_id - base) mod 256`, `base` being the level's for
//! the field (the start of the 32 ids most of its documents have: one character for most
//! postings); a frontier is a string of `(tf - 1) * 256 + fieldnorm_id`; positions are per
//! posting `tf` values, the first absolute, the rest deltas.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rustc_hash::FxHashSet;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};

use serde::Serialize;
use serde_json::{Value, json};
use tantivy::columnar::StrColumn;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, ReloadPolicy, Searcher, SegmentReader, TERMINATED};

use super::IndexError;
use super::indexer::{self, META_FILE};
use super::schema::{Analyzer, FIELD_ALIASES, Fields, SEARCH_FIELDS};
use super::stats::LiveStats;

/// Version of the format described above; `search.js` refuses others.
pub const FORMAT: u32 = 5;
/// Documents per `d/` file.
pub const DOC_BUCKET: u32 = 1;
/// Lists of at most this many postings (in a level) are written whole in their entry.
pub const INLINE_MAX: usize = 64;
/// Heads of at most this many postings are written whole in their entry.
pub const HEAD_INLINE_MAX: usize = 128;
/// Best postings of a larger head written in its entry (the first answer to a one-word query).
pub const TOP_POSTINGS: usize = 64;
/// Tails (the postings after the head) of at most this many postings go to the level's packs.
pub const PACK_MAX: usize = 1024;
/// Aimed-at postings per chunk of a larger tail.
pub const CHUNK_POSTINGS: usize = 2048;
/// Customers per `f/c/` file (about: their count is a power of two).
pub const CUSTOMERS_PER_FILE: usize = 16;
/// Aimed-at bytes per dictionary shard (a first query loads one per word and level, of which
/// it needs the word's entry alone: at 100,000 records 1 KiB instead of 2 saves 3.4 KB a
/// first query on average, for twice the dictionary's files, 20,480 of 301,446).
pub const SHARD_BYTES: usize = 1024;
/// Least aimed-at bytes per pack (packs average one to two of these).
pub const PACK_BYTES: usize = 16 * 1024;
/// Aimed-at bytes per vocabulary shard (`w/`: a first query loads one per word, and needs only
/// the word's line: at 100,000 records 512 bytes instead of 1 KiB take half a KB off each word
/// of a query, for 2,048 more files; the vocabulary changes only with new words).
pub const WORD_SHARD_BYTES: usize = 512;
/// Positions files each hold the positions of this many dictionary shards, packs or chunks
/// (only phrases read them).
pub const POS_GROUP: usize = 4;
/// The name of the global function every shard calls.
pub const CALLBACK: &str = "IASearch";

/// What an export wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    pub files: usize,
    pub bytes: u64,
    pub documents: u64,
    /// (field, term) lists exported, counted once per level.
    pub lists: usize,
    /// Dictionary shards, all levels.
    pub shards: usize,
}

/// All files of the browser search as (path under the site, e.g. `search/meta.js`, bytes),
/// sorted by path, with deterministic content; every incident's page taken to be
/// `incidents/<id>.html` (the site gives [`browser_export_to`] the pages it names otherwise).
pub fn browser_export(index_dir: &Path) -> Result<Vec<(String, Vec<u8>)>, IndexError> {
    let mut files = Vec::new();
    browser_export_to(index_dir, &BTreeMap::new(), &mut |path, bytes| {
        files.push((path.to_string(), bytes.to_vec()));
        Ok(())
    })?;
    files.sort();
    Ok(files)
}

/// Like [`browser_export`], handing each file to `sink` as it is made, in no particular order
/// (a 100,000-record site has hundreds of megabytes of shards; this keeps them out of memory).
/// The lists are read on worker threads; `sink` is only called on this one. `pages` gives the
/// page path of the incidents whose page is not `incidents/<id>.html`, by id.
pub fn browser_export_to(
    index_dir: &Path,
    pages: &BTreeMap<String, String>,
    sink: &mut dyn FnMut(&str, &[u8]) -> io::Result<()>,
) -> Result<ExportReport, IndexError> {
    if !index_dir.join(META_FILE).is_file() {
        return Err(IndexError::Missing { path: index_dir.to_path_buf() });
    }
    let terr = |source| IndexError::Tantivy { path: index_dir.to_path_buf(), source };
    // Read with pread, not a memory map: every posting is read once (see `readdir`).
    let index = tantivy::Index::open(super::readdir::ReadDirectory::new(index_dir)).map_err(terr)?;
    super::schema::register(&index);
    let ids = indexer::read_ids(index_dir)?;
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(terr)?;
    let searcher = reader.searcher();
    let mut out = Out { sink, report: ExportReport::default() };
    export(&searcher, &ids, pages, &mut out).map_err(|e| match e {
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
}

/// `search/<name>.js` calling the callback with `json`: (path, bytes).
fn script(name: &str, json: &str) -> (String, Vec<u8>) {
    // Controls and bidi overrides as `\uXXXX` escapes: the same data, no raw ones in the file.
    let json = crate::text::json(json);
    let mut bytes = Vec::with_capacity(json.len() + name.len() + 16);
    bytes.extend_from_slice(CALLBACK.as_bytes());
    bytes.extend_from_slice(b"(\"");
    bytes.extend_from_slice(name.as_bytes());
    bytes.extend_from_slice(b"\",");
    bytes.extend_from_slice(json.as_bytes());
    bytes.extend_from_slice(b");\n");
    (format!("search/{name}.js"), bytes)
}

/// Where shards go: the sink, or the channel of a worker thread.
trait Emit {
    /// Writes the shard `name` with `json` as its data.
    fn emit(&mut self, name: &str, json: &str) -> Result<(), Failure>;

    /// Writes a shard whose data is one string of varints (no JSON escaping needed).
    fn emit_str(&mut self, name: &str, s: &str) -> Result<(), Failure> {
        let mut json = String::with_capacity(s.len() + 2);
        json.push('"');
        json.push_str(s);
        json.push('"');
        self.emit(name, &json)
    }
}

impl Out<'_> {
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), Failure> {
        self.report.files += 1;
        self.report.bytes += bytes.len() as u64;
        (self.sink)(path, bytes)?;
        Ok(())
    }

    /// Writes `search/<name>.js` calling the callback with `data`.
    fn shard(&mut self, name: &str, data: &Value) -> Result<(), Failure> {
        self.emit(name, &serde_json::to_string(data).expect("json to memory"))
    }
}

impl Emit for Out<'_> {
    fn emit(&mut self, name: &str, json: &str) -> Result<(), Failure> {
        let (path, bytes) = script(name, json);
        self.put(&path, &bytes)
    }
}

/// A worker's end: shards go to the thread that owns the sink.
struct Channel(mpsc::SyncSender<(String, Vec<u8>)>);

impl Emit for Channel {
    fn emit(&mut self, name: &str, json: &str) -> Result<(), Failure> {
        self.0
            .send(script(name, json))
            .map_err(|_| Failure::Io(io::Error::other("the export's writer stopped")))
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

    /// Z85's alphabet (ZeroMQ RFC 32): 85 printable characters, no quote and no backslash, so
    /// that a JSON string holds them as they are.
    pub const Z85: &[u8; 85] =
        b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    /// Bytes as text, five characters for four bytes (base64 takes 5.33): each group of four
    /// bytes, big-endian, in base 85, most significant digit first; a last group of `r < 4`
    /// bytes is padded with zeros and cut to its first `r + 1` digits (as Ascii85 does; the
    /// reader pads it with the largest digit). Written out because the browser reads it with
    /// the same few lines (`search.js`), which a crate's choice of padding must not change.
    pub fn z85(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len() / 4 * 5 + 5);
        for group in bytes.chunks(4) {
            let mut word = [0u8; 4];
            word[..group.len()].copy_from_slice(group);
            let mut v = u32::from_be_bytes(word);
            let mut digits = [0u8; 5];
            for d in digits.iter_mut().rev() {
                *d = Z85[(v % 85) as usize];
                v /= 85;
            }
            let keep = if group.len() == 4 { 5 } else { group.len() + 1 };
            out.extend(digits[..keep].iter().map(|&c| c as char));
        }
        out
    }

    /// Reads [`z85`] back (for tests).
    pub fn unz85(s: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for group in s.as_bytes().chunks(5) {
            let mut v: u64 = 0;
            for k in 0..5 {
                let d = group.get(k).map_or(84, |c| Z85.iter().position(|a| a == c).expect("alphabet"));
                v = v * 85 + d as u64;
            }
            let word = (v as u32).to_be_bytes();
            out.extend_from_slice(&word[..if group.len() == 5 { 4 } else { group.len() - 1 }]);
        }
        out
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

/// FNV-1a, 32 bits, over UTF-8: the dictionary shard and the pack of a `"<field>:<term>"` key.
///
/// Written out rather than taken from a hashing crate (the hash maps use `rustc-hash`): its values
/// are part of the export's format, the file names the browser computes with the same function
/// in `search.js`, so they must never change with a dependency.
pub fn fnv32(s: &str) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// FNV-1a, 64 bits: folders of long lists and filter values.
fn fnv64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The document-number ranges exported as levels, base first (empty ones left out).
pub fn levels(space: u32) -> Vec<(u32, u32)> {
    let quantum = (1u32 << (space / 16).max(1).ilog2()).clamp(256, 4096);
    let base = space / quantum * quantum;
    [(0, base), (base, space)].into_iter().filter(|(a, z)| a < z).collect()
}

/// How many postings of a long list of `df` go in its head: a sixteenth, at most 1,024 (a
/// query that the heads settle reads no more; one that needs more reads the layers).
pub fn head_size(df: usize) -> usize {
    (df / 16).clamp(32, 1024).min(df - 1)
}

/// The layers after the head, in heads: while the rest of a list would be chunked, and while
/// the head and its layers hold at most half of it, the next best postings go in layer files
/// of these sizes, read one by one as a query's proof needs them. With heads of a sixteenth
/// that is three layers; a list of more than 32,768 postings, whose head is capped, has a
/// fourth. (The tail stays in chunks by document range, which a rare word's few documents
/// read cheaply.)
pub const LAYERS: [usize; 4] = [1, 2, 4, 8];

/// The sizes of the layers of a list of `df` postings whose head holds `head` ([`LAYERS`]):
/// a long tail's bound falls little with the head alone, and a query of two or three common
/// words needs it lower to prove its top without reading chunks.
pub fn layer_sizes(df: usize, head: usize) -> Vec<usize> {
    let mut layers = Vec::new();
    let mut left = df - head;
    for scale in LAYERS {
        let size = (head * scale).min(left - 1);
        if left <= PACK_MAX || df - left + size > df / 2 {
            break;
        }
        layers.push(size);
        left -= size;
    }
    layers
}

/// Every value of a fast text column, by term ordinal: the dictionary is read block by block
/// once, not decompressed again for each document.
fn column_values(col: &StrColumn) -> Result<Vec<String>, Failure> {
    let mut out = Vec::with_capacity(col.num_terms());
    let mut stream = col.dictionary().stream()?;
    while stream.advance() {
        out.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    if out.len() != col.num_terms() {
        return Err(Failure::Invalid("a fast column's dictionary is incomplete".into()));
    }
    Ok(out)
}

/// One segment's fast text columns as values by ordinal.
struct Strs {
    column: Option<StrColumn>,
    values: Vec<String>,
}

impl Strs {
    fn new(reader: &SegmentReader, name: &str) -> Result<Strs, Failure> {
        let column = reader.fast_fields().str(name)?;
        let values = column.as_ref().map(column_values).transpose()?.unwrap_or_default();
        Ok(Strs { column, values })
    }

    fn first(&self, doc: u32) -> &str {
        self.column
            .as_ref()
            .and_then(|c| c.term_ords(doc).next())
            .and_then(|o| self.values.get(o as usize))
            .map_or("", String::as_str)
    }

    fn all(&self, doc: u32) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        if let Some(c) = &self.column {
            for o in c.term_ords(doc) {
                if let Some(v) = self.values.get(o as usize)
                    && !out.contains(&v.as_str())
                {
                    out.push(v);
                }
            }
        }
        out
    }
}

/// Per segment: document number of each tantivy doc (`u32::MAX` when deleted).
fn doc_numbers(reader: &SegmentReader, numbers: &HashMap<&str, u32>) -> Result<Vec<u32>, Failure> {
    let keys = Strs::new(reader, "key")?;
    let Some(column) = &keys.column else {
        return Err(Failure::Invalid("the index has no `key` column".into()));
    };
    let by_ord: Vec<Option<u32>> = keys.values.iter().map(|k| numbers.get(k.as_str()).copied()).collect();
    let alive = reader.alive_bitset();
    let mut out = vec![u32::MAX; reader.max_doc() as usize];
    for doc in 0..reader.max_doc() {
        if alive.is_some_and(|a| a.is_deleted(doc)) {
            continue;
        }
        let ord = column.term_ords(doc).next();
        out[doc as usize] = ord.and_then(|o| by_ord[o as usize]).ok_or_else(|| {
            Failure::Invalid(format!("a document's id is not in `{}`; rebuild the index", indexer::IDS_FILE))
        })?;
    }
    Ok(out)
}

/// The postings of one (field, term), gathered across segments.
#[derive(Default)]
struct Gathered {
    doc: Vec<u32>,
    tf: Vec<u32>,
    norm: Vec<u8>,
    /// Where each posting's positions start in `positions` (one more entry at the end).
    pos_at: Vec<u32>,
    positions: Vec<u32>,
    /// Where each segment's postings start.
    runs: Vec<u32>,
    /// Posting indices in document order.
    order: Vec<u32>,
    /// A buffer for merging.
    merged: Vec<u32>,
}

impl Gathered {
    fn clear(&mut self) {
        self.doc.clear();
        self.tf.clear();
        self.norm.clear();
        self.pos_at.clear();
        self.positions.clear();
        self.runs.clear();
        self.order.clear();
    }

    /// Puts `order` in document order: the segments' runs are merged two by two (each run is
    /// usually in order already, a rebuild adding records by id), else sorted.
    fn sort(&mut self) {
        self.pos_at.push(self.positions.len() as u32);
        let n = self.doc.len() as u32;
        self.runs.push(n);
        self.order.extend(0..n);
        let doc = &self.doc;
        if !self.runs.windows(2).all(|w| doc[w[0] as usize..w[1] as usize].is_sorted()) {
            self.order.sort_unstable_by_key(|&i| doc[i as usize]);
            return;
        }
        let mut runs = self.runs.clone();
        let mut next = std::mem::take(&mut self.merged);
        while runs.len() > 2 {
            next.clear();
            let mut joined = vec![0];
            for pair in runs.windows(3).step_by(2) {
                let (a, b) = (
                    &self.order[pair[0] as usize..pair[1] as usize],
                    &self.order[pair[1] as usize..pair[2] as usize],
                );
                let (mut i, mut j) = (0, 0);
                while i < a.len() && j < b.len() {
                    if doc[a[i] as usize] < doc[b[j] as usize] {
                        next.push(a[i]);
                        i += 1;
                    } else {
                        next.push(b[j]);
                        j += 1;
                    }
                }
                next.extend_from_slice(&a[i..]);
                next.extend_from_slice(&b[j..]);
                joined.push(pair[2]);
            }
            if runs.len().is_multiple_of(2) {
                // An odd number of runs: the last one waits for the next pass.
                let last = runs[runs.len() - 2] as usize;
                next.extend_from_slice(&self.order[last..]);
                joined.push(n);
            }
            std::mem::swap(&mut self.order, &mut next);
            runs = joined;
        }
        self.merged = next;
    }

    fn positions_of(&self, i: u32) -> &[u32] {
        let i = i as usize;
        &self.positions[self.pos_at[i] as usize..self.pos_at[i + 1] as usize]
    }

    /// The postings `idx` (indices, in document order) as varints: per posting
    /// `delta * 4 + min(tf - 1, 3)`, then `tf - 4` when `tf >= 4`, then the fieldnorm id minus
    /// the field's `base` (modulo 256: one character when within 32 above the base).
    fn encode(&self, idx: impl IntoIterator<Item = u32>, base: u8) -> String {
        let mut s = String::new();
        let mut prev: i64 = -1;
        for i in idx {
            let (d, tf) = (self.doc[i as usize], u64::from(self.tf[i as usize]));
            enc::push(&mut s, (i64::from(d) - prev) as u64 * 4 + (tf - 1).min(3));
            prev = i64::from(d);
            if tf >= 4 {
                enc::push(&mut s, tf - 4);
            }
            enc::push(&mut s, u64::from(self.norm[i as usize].wrapping_sub(base)));
        }
        s
    }

    /// The postings `idx` (in document order) as a file of their own (a head, a layer,
    /// a chunk): `n`, then `n` gaps (the document minus the one before minus one, the first
    /// from -1), `n` values `tf - 1`, all LEB128, and `n` bytes `fieldnorm_id - base` (mod
    /// 256), raw-deflated and in Z85. Columns deflate well: the gaps of a common word are
    /// small, most tfs are 1 and most fieldnorm ids sit within a few of the base (a posting
    /// takes 1 to 2 characters, about half what varints take).
    fn pack(&self, idx: impl IntoIterator<Item = u32>, base: u8) -> io::Result<String> {
        let idx: Vec<u32> = idx.into_iter().collect();
        let mut bytes = Vec::with_capacity(idx.len() * 4 + 4);
        leb128(&mut bytes, idx.len() as u64);
        let mut prev: i64 = -1;
        for &i in &idx {
            let d = i64::from(self.doc[i as usize]);
            leb128(&mut bytes, (d - prev - 1) as u64);
            prev = d;
        }
        for &i in &idx {
            leb128(&mut bytes, u64::from(self.tf[i as usize] - 1));
        }
        bytes.extend(idx.iter().map(|&i| self.norm[i as usize].wrapping_sub(base)));
        deflated_at(&bytes, POSTINGS_LEVEL)
    }

    /// Their positions: per posting the first absolute, the rest deltas.
    fn encode_positions(&self, idx: impl IntoIterator<Item = u32>) -> String {
        let mut s = String::new();
        for i in idx {
            let mut last = 0;
            for (k, &q) in self.positions_of(i).iter().enumerate() {
                enc::push(&mut s, u64::from(if k == 0 { q } else { q - last }));
                last = q;
            }
        }
        s
    }

    /// The frontier of the postings `idx`: `(tf, fieldnorm)` pairs that no other posting has
    /// both a larger-or-equal tf and a smaller-or-equal fieldnorm for, by tf descending.
    fn frontier(&self, idx: impl IntoIterator<Item = u32>) -> String {
        // Smallest fieldnorm id per tf (256: none).
        let mut best: Vec<u16> = Vec::new();
        for i in idx {
            let (tf, norm) = (self.tf[i as usize] as usize, u16::from(self.norm[i as usize]));
            if tf >= best.len() {
                best.resize(tf + 1, 256);
            }
            best[tf] = best[tf].min(norm);
        }
        let mut s = String::new();
        let mut lowest = 256;
        for (tf, &norm) in best.iter().enumerate().rev() {
            if norm < lowest {
                lowest = norm;
                enc::push(&mut s, (tf as u64 - 1) * 256 + u64::from(norm));
            }
        }
        s
    }
}

/// A level's range and its own BM25 statistics (used to pick each list's best postings).
struct Level {
    name: String,
    start: u32,
    end: u32,
    /// Live documents.
    docs: u64,
    /// Per searchable field, the token total of its live documents.
    tokens: Vec<u64>,
    /// Per searchable field, the start of the 32 fieldnorm ids most of its documents have
    /// (postings write their fieldnorm relative to it).
    bases: Vec<u8>,
    /// Every list written whole in its entry (the recent level: small, and rewritten by every
    /// run that adds records anyway).
    inline_all: bool,
}

/// What one field adds to one level until its dictionary shards and packs are written.
#[derive(Default)]
struct LevelOut {
    /// (key, entry as JSON, positions of its inline postings).
    entries: Vec<(String, String, Option<String>)>,
    /// (key, postings, positions) of tails small enough to share files.
    packs: Vec<(String, String, Option<String>)>,
    /// Folder keys given so far and the dictionary keys that hashed to them.
    dirs: HashMap<u64, Vec<String>>,
}

/// One field's part of the export.
struct FieldOut {
    levels: Vec<LevelOut>,
    /// Document frequency of each of its terms (all levels).
    doc_freqs: Vec<u64>,
    lists: usize,
}

/// What every field's export reads.
struct Context<'a> {
    readers: &'a [SegmentReader],
    /// Document number of each tantivy doc, per segment (`u32::MAX` when deleted).
    segments: &'a [Vec<u32>],
    levels: &'a [Level],
    fields: &'a Fields,
}

fn export(
    searcher: &Searcher,
    ids: &[String],
    pages: &BTreeMap<String, String>,
    out: &mut Out,
) -> Result<(), Failure> {
    let fields = Fields::new();
    let numbers: HashMap<&str, u32> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
    let readers = searcher.segment_readers();
    let segments: Vec<Vec<u32>> =
        readers.iter().map(|r| doc_numbers(r, &numbers)).collect::<Result<_, _>>()?;
    let stats = LiveStats::new(searcher);
    let docs = stats.num_docs();
    out.report.documents = docs;
    let space = ids.len() as u32;

    documents(readers, &segments, pages, out)?;
    let filter_meta = filters(readers, &segments, out)?;

    let mut levels: Vec<Level> = levels(space)
        .into_iter()
        .map(|(start, end)| Level {
            name: if start == 0 { "0".into() } else { "1".into() },
            start,
            end,
            docs: 0,
            tokens: vec![0; SEARCH_FIELDS.len()],
            bases: vec![0; SEARCH_FIELDS.len()],
            inline_all: start > 0,
        })
        .collect();
    let level_of = |n: u32, levels: &[Level]| levels.iter().position(|l| n >= l.start && n < l.end);
    for numbers in &segments {
        for &n in numbers.iter().filter(|&&n| n != u32::MAX) {
            if let Some(l) = level_of(n, &levels) {
                levels[l].docs += 1;
            }
        }
    }
    let mut field_meta = Vec::new();
    for (fi, sf) in SEARCH_FIELDS.iter().enumerate() {
        let field = fields.search[fi];
        let mut histograms = vec![[0u64; 256]; levels.len()];
        for (reader, numbers) in readers.iter().zip(&segments) {
            let Some(r) = reader.fieldnorms_readers().get_field(field)? else { continue };
            for (doc, &n) in numbers.iter().enumerate() {
                if n != u32::MAX
                    && let Some(l) = level_of(n, &levels)
                {
                    let id = r.fieldnorm_id(doc as u32);
                    levels[l].tokens[fi] += u64::from(FieldNormReader::id_to_fieldnorm(id));
                    histograms[l][id as usize] += 1;
                }
            }
        }
        for (level, h) in levels.iter_mut().zip(&histograms) {
            level.bases[fi] = norm_base(h);
        }
        field_meta.push(json!([sf.name, sf.analyzer.name(), stats.field_tokens(field)?]));
    }

    // Postings, field by field on worker threads (the whole text, by far the largest, first),
    // while this thread hands their files to the sink.
    let ctx = Context { readers, segments: &segments, levels: &levels, fields: &fields };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<FieldOut>>> = Mutex::new((0..SEARCH_FIELDS.len()).map(|_| None).collect());
    let words: Mutex<Vec<FxHashSet<String>>> = Mutex::new(Vec::new());
    let (tx, rx) = mpsc::sync_channel::<(String, Vec<u8>)>(256);
    let results: Vec<Result<(), Failure>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let mut channel = Channel(tx.clone());
                let (ctx, next, done, words) = (&ctx, &next, &done, &words);
                scope.spawn(move || -> Result<(), Failure> {
                    loop {
                        let fi = next.fetch_add(1, Ordering::Relaxed);
                        if fi >= SEARCH_FIELDS.len() + TEXT_PARTS {
                            return Ok(());
                        }
                        if fi >= SEARCH_FIELDS.len() {
                            // The `x/` files, a part of the documents at a time.
                            let part = texts(ctx, fi - SEARCH_FIELDS.len(), &mut channel)?;
                            words.lock().expect("no poisoning").push(part);
                            continue;
                        }
                        let result = field(ctx, fi, &mut channel)?;
                        done.lock().expect("no poisoning")[fi] = Some(result);
                    }
                })
            })
            .collect();
        drop(tx);
        let mut written = Ok(());
        for (path, bytes) in rx {
            if written.is_ok() {
                written = out.put(&path, &bytes);
            }
            if written.is_err() {
                break;
            }
        }
        let mut results: Vec<Result<(), Failure>> =
            handles.into_iter().map(|h| h.join().expect("an export thread panicked")).collect();
        results.insert(0, written);
        results
    });
    for r in results {
        r?;
    }
    let done = done.into_inner().expect("no poisoning");

    let mut doc_freqs: Vec<u64> = Vec::new();
    let mut level_outs: Vec<LevelOut> = levels.iter().map(|_| LevelOut::default()).collect();
    for f in done.into_iter().map(|f| f.expect("every field exported")) {
        out.report.lists += f.lists;
        doc_freqs.extend(f.doc_freqs);
        for (all, mine) in level_outs.iter_mut().zip(f.levels) {
            all.entries.extend(mine.entries);
            all.packs.extend(mine.packs);
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

    let words: BTreeSet<String> = words.into_inner().expect("no poisoning").into_iter().flatten().collect();
    let word_shards = vocabulary(words, out)?;

    let mut level_meta = Vec::new();
    for (level, lo) in levels.iter().zip(level_outs) {
        let (shards, packs) = write_level(&level.name, lo, out)?;
        out.report.shards += shards;
        level_meta.push(json!([level.name, level.start, level.end, shards, packs, level.bases]));
    }

    let aliases: serde_json::Map<String, Value> =
        FIELD_ALIASES.iter().map(|(a, f)| (a.to_string(), Value::String(f.to_string()))).collect();
    let meta = json!({
        "format": FORMAT,
        "docs": docs,
        "space": space,
        "bucket": DOC_BUCKET,
        "fields": field_meta,
        "default": super::schema::DEFAULT_FIELD,
        "aliases": aliases,
        "idf": idf_fix,
        "filters": filter_meta,
        "levels": level_meta,
        "words": word_shards,
    });
    out.shard("meta", &meta)?;
    Ok(())
}

/// Exports every list of searchable field `fi`, term by term across segments.
fn field(ctx: &Context, fi: usize, out: &mut dyn Emit) -> Result<FieldOut, Failure> {
    let sf = &SEARCH_FIELDS[fi];
    let field = ctx.fields.search[fi];
    let caches: Vec<[f32; 256]> =
        ctx.levels.iter().map(|l| bm25::tf_cache(bm25::average(l.tokens[fi], l.docs.max(1)))).collect();
    let with_positions = sf.analyzer == Analyzer::En;
    let option =
        if with_positions { IndexRecordOption::WithFreqsAndPositions } else { IndexRecordOption::WithFreqs };
    let inverted: Vec<_> = ctx.readers.iter().map(|r| r.inverted_index(field)).collect::<Result<_, _>>()?;
    let norm_readers: Vec<Option<FieldNormReader>> =
        ctx.readers.iter().map(|r| r.fieldnorms_readers().get_field(field)).collect::<Result<_, _>>()?;
    let mut streams = Vec::new();
    for inv in &inverted {
        streams.push(inv.terms().stream()?);
    }
    let mut live: Vec<bool> = streams.iter_mut().map(|s| s.advance()).collect();
    let mut result = FieldOut {
        levels: ctx.levels.iter().map(|_| LevelOut::default()).collect(),
        doc_freqs: Vec::new(),
        lists: 0,
    };
    let mut g = Gathered::default();
    let mut key: Vec<u8> = Vec::new();
    loop {
        // The smallest current term across segments.
        let mut smallest: Option<&[u8]> = None;
        for (s, &l) in streams.iter().zip(&live) {
            if l && smallest.is_none_or(|k| s.key() < k) {
                smallest = Some(s.key());
            }
        }
        let Some(k) = smallest else { break };
        key.clear();
        key.extend_from_slice(k);
        g.clear();
        for (si, stream) in streams.iter_mut().enumerate() {
            if !live[si] || stream.key() != key.as_slice() {
                continue;
            }
            g.runs.push(g.doc.len() as u32);
            let info = stream.value().clone();
            let mut p = inverted[si].read_postings_from_terminfo(&info, option)?;
            let numbers = &ctx.segments[si];
            let norm_reader = norm_readers[si].as_ref();
            let mut doc = p.doc();
            while doc != TERMINATED {
                let n = numbers[doc as usize];
                if n != u32::MAX {
                    g.doc.push(n);
                    g.tf.push(p.term_freq());
                    g.norm.push(norm_reader.map_or(0, |r| r.fieldnorm_id(doc)));
                    g.pos_at.push(g.positions.len() as u32);
                    if with_positions {
                        p.append_positions_with_offset(0, &mut g.positions);
                    }
                }
                doc = p.advance();
            }
            live[si] = stream.advance();
        }
        if g.doc.is_empty() {
            continue;
        }
        let term = std::str::from_utf8(&key)
            .map_err(|_| Failure::Invalid(format!("a term of `{}` is not UTF-8", sf.name)))?;
        g.sort();
        result.doc_freqs.push(g.doc.len() as u64);
        let dict_key = format!("{fi}:{term}");
        let mut from = 0;
        for (l, level) in ctx.levels.iter().enumerate() {
            let to = from + g.order[from..].partition_point(|&i| g.doc[i as usize] < level.end);
            if to > from {
                let lo = &mut result.levels[l];
                list(&g, &g.order[from..to], fi, &dict_key, level, lo, &caches[l], with_positions, out)?;
                result.lists += 1;
            }
            from = to;
        }
    }
    Ok(result)
}

/// Exports one list of one level: its entry, and its own files or its share of a pack.
#[allow(clippy::too_many_arguments)]
fn list(
    g: &Gathered,
    idx: &[u32],
    fi: usize,
    dict_key: &str,
    level: &Level,
    lo: &mut LevelOut,
    cache: &[f32; 256],
    with_positions: bool,
    out: &mut dyn Emit,
) -> Result<(), Failure> {
    let df = idx.len();
    let base = level.bases[fi];
    let pos = |s: String| with_positions.then_some(s);
    if df <= INLINE_MAX || level.inline_all {
        let entry = if df > INLINE_MAX {
            // A long list of the recent level: deflated columns, as a list's own files are
            // (`[df, packed, 0]`; a common word's entry is most of its shard).
            format!("[{df},\"{}\",0]", g.pack(idx.iter().copied(), base)?)
        } else {
            format!("[{df},\"{}\"]", g.encode(idx.iter().copied(), base))
        };
        lo.entries.push((dict_key.to_string(), entry, pos(g.encode_positions(idx.iter().copied()))));
        return Ok(());
    }
    // Postings ranked by score over the level's statistics, ties by document: (factor, doc,
    // place in `idx`). Only who is in the head and in the top matters, not their order.
    let mut ranked: Vec<(f32, u32, u32)> = idx
        .iter()
        .enumerate()
        .map(|(p, &i)| {
            (bm25::tf_factor(cache, g.tf[i as usize], g.norm[i as usize]), g.doc[i as usize], p as u32)
        })
        .collect();
    let better = |a: &(f32, u32, u32), b: &(f32, u32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let head = head_size(df);
    let layers = layer_sizes(df, head);
    ranked.select_nth_unstable_by(head, better);
    let mut from = head;
    for &size in &layers {
        ranked[from..].select_nth_unstable_by(size, better);
        from += size;
    }
    let top = if head <= HEAD_INLINE_MAX { head } else { TOP_POSTINGS };
    if top < head {
        ranked[..head].select_nth_unstable_by(top, better);
    }
    // 0: in the top, 1: in the head, 1 + n: in layer n, TAIL: in the tail.
    const TAIL: u8 = u8::MAX;
    let mut tier = vec![TAIL; df];
    let mut ends = vec![top, head];
    for &size in &layers {
        ends.push(ends[ends.len() - 1] + size);
    }
    for (k, r) in ranked[..from].iter().enumerate() {
        tier[r.2 as usize] = ends.iter().position(|&end| k < end).expect("ranked within the layers") as u8;
    }
    let in_tier = |t: u8| idx.iter().zip(&tier).filter(move |(_, x)| **x == t).map(|(&i, _)| i);
    let at_most = |t: u8| idx.iter().zip(&tier).filter(move |(_, x)| **x <= t).map(|(&i, _)| i);
    let after = |t: u8| idx.iter().zip(&tier).filter(move |(_, x)| **x > t).map(|(&i, _)| i);
    let rest = g.frontier(after(0));
    let tail: Vec<u32> = in_tier(TAIL).collect();

    let needs_dir = head > top || !layers.is_empty() || tail.len() > PACK_MAX;
    let dir = if needs_dir {
        let mut file_key = fnv64(&format!("{}/{dict_key}", level.name));
        let names = lo.dirs.entry(file_key).or_default();
        names.push(dict_key.to_string());
        if names.len() > 1 {
            file_key = fnv64(&format!("{}/{dict_key}#{}", level.name, names.len()));
        }
        let hex = format!("{file_key:016x}");
        // The field number in the path keeps folders of different fields apart.
        Some(format!("{}/l/{fi}/{}/{}", level.name, &hex[..2], &hex[2..]))
    } else {
        None
    };
    let mut head_positions = None;
    let head_json = if head > top {
        let dir = dir.as_deref().expect("a head file has a folder");
        out.emit_str(&format!("{dir}/h"), &g.pack(at_most(1), base)?)?;
        head_positions = pos(g.encode_positions(at_most(1)));
        format!("\"{}\"", g.frontier(after(1)))
    } else {
        "0".to_string()
    };
    let mut layers_json = String::from("[");
    // What the browser weighs a frequencies file against: the sizes of the layers, then of a
    // chunk on average (characters, as in the files).
    let mut sizes = Vec::new();
    for n in 1..=layers.len() {
        let dir = dir.as_deref().expect("a layer has a folder");
        let t = 1 + n as u8;
        let packed = g.pack(in_tier(t), base)?;
        sizes.push(packed.len());
        out.emit_str(&format!("{dir}/g{n}"), &packed)?;
        if with_positions {
            out.emit_str(&format!("{dir}/pg{n}"), &g.encode_positions(in_tier(t)))?;
        }
        if n > 1 {
            layers_json.push(',');
        }
        layers_json.push_str(&format!("\"{}\"", g.frontier(after(t))));
    }
    layers_json.push(']');
    let (shift, chunks) = if tail.len() <= PACK_MAX {
        lo.packs.push((
            dict_key.to_string(),
            g.encode(tail.iter().copied(), base),
            pos(g.encode_positions(tail.iter().copied())),
        ));
        ("null".to_string(), String::new())
    } else {
        let dir = dir.as_deref().expect("chunks have a folder");
        let span = f64::from(level.end - level.start);
        let density = tail.len() as f64 / span;
        let shift = ((CHUNK_POSTINGS as f64 / density).log2().round() as u32).clamp(4, 30);
        let mut chunks = String::new();
        let (mut count, mut bytes) = (0, 0);
        let mut prev: i64 = -1;
        // Positions of chunks c with the same c / POS_GROUP, in `<dir>/p<c / POS_GROUP>.js`.
        let mut group: Option<(u32, String)> = None;
        for part in tail.chunk_by(|&a, &b| g.doc[a as usize] >> shift == g.doc[b as usize] >> shift) {
            let c = g.doc[part[0] as usize] >> shift;
            let packed = g.pack(part.iter().copied(), base)?;
            (count, bytes) = (count + 1, bytes + packed.len());
            out.emit_str(&format!("{dir}/{c}"), &packed)?;
            if with_positions {
                let k = c / POS_GROUP as u32;
                if let Some((gk, obj)) = group.take_if(|(gk, _)| *gk != k) {
                    out.emit(&format!("{dir}/p{gk}"), &format!("{obj}}}"))?;
                }
                let (_, obj) = group.get_or_insert_with(|| (k, String::new()));
                obj.push(if obj.is_empty() { '{' } else { ',' });
                obj.push_str(&format!("\"{c}\":\"{}\"", g.encode_positions(part.iter().copied())));
            }
            enc::push(&mut chunks, (i64::from(c) - prev) as u64);
            prev = i64::from(c);
        }
        if let Some((gk, obj)) = group {
            out.emit(&format!("{dir}/p{gk}"), &format!("{obj}}}"))?;
        }
        sizes.push(bytes / count.max(1));
        (shift.to_string(), chunks)
    };
    let mut sizes_json = String::new();
    if let Some(dir) = &dir {
        let docs = idx.iter().map(|&i| g.doc[i as usize]);
        out.emit_str(&format!("{dir}/b"), &documents_of(docs, level.start, level.end)?)?;
        let frequencies = frequencies_of(idx.iter().map(|&i| g.tf[i as usize]))?;
        sizes_json = format!(",{}", frequencies.len());
        for size in sizes {
            sizes_json.push_str(&format!(",{size}"));
        }
        out.emit_str(&format!("{dir}/f"), &frequencies)?;
    }
    let dir_json = dir.map_or("null".to_string(), |d| format!("\"{d}\""));
    let entry = format!(
        "[{df},\"{}\",\"{rest}\",{dir_json},{head_json},{shift},\"{chunks}\",{layers_json}{sizes_json}]",
        g.encode(in_tier(0), base)
    );
    // The positions of the top, and of the head file when there is one.
    let positions = pos(g.encode_positions(in_tier(0))).map(|top| match head_positions {
        Some(head) => format!("[\"{top}\",\"{head}\"]"),
        None => top,
    });
    lo.entries.push((dict_key.to_string(), entry, positions));
    Ok(())
}

/// The documents of a list alone, for the browser's count (which needs neither tf nor
/// fieldnorm), the smaller of two forms, both raw-deflated and in Z85:
/// - `g…`: per document the gap to the one before minus one (the first from -1), as varints
///   (sparse lists);
/// - `m…`: a bitmap of the level's documents, bit `d - start` (low bit first) set when
///   document `d` is in the list (dense ones: a list holding two thirds of the level costs
///   about as many bits as the level has documents, the least such a set can take).
fn documents_of(docs: impl Iterator<Item = u32>, start: u32, end: u32) -> io::Result<String> {
    let mut gaps = String::new();
    let mut map = vec![0u8; (end - start).div_ceil(8) as usize];
    let mut prev: i64 = -1;
    for d in docs {
        enc::push(&mut gaps, (i64::from(d) - prev - 1) as u64);
        prev = i64::from(d);
        let bit = d - start;
        map[(bit / 8) as usize] |= 1 << (bit % 8);
    }
    let gaps = deflated_at(gaps.as_bytes(), POSTINGS_LEVEL)?;
    let map = deflated_at(&map, BITMAP_LEVEL)?;
    Ok(if map.len() < gaps.len() { format!("m{map}") } else { format!("g{gaps}") })
}

/// The tf of each document of a list's documents file, in its order (the documents'), as
/// LEB128 of `tf - 1`, raw-deflated ([`FREQUENCIES_LEVEL`]) and in Z85: with a document's fieldnorm,
/// which any posting of the same field holds, its exact score without the list's postings.
fn frequencies_of(tfs: impl Iterator<Item = u32>) -> io::Result<String> {
    let mut bytes = Vec::new();
    for tf in tfs {
        leb128(&mut bytes, u64::from(tf.saturating_sub(1)));
    }
    deflated_at(&bytes, FREQUENCIES_LEVEL)
}

/// The start of the window of 32 fieldnorm ids that holds the most documents.
fn norm_base(histogram: &[u64; 256]) -> u8 {
    let mut best = (0, 0);
    let mut sum: u64 = histogram[..32].iter().sum();
    for start in 0..=224 {
        if start > 0 {
            sum = sum + histogram[start + 31] - histogram[start - 1];
        }
        if sum > best.1 {
            best = (start, sum);
        }
    }
    best.0 as u8
}

/// Writes a level's dictionary shards and packs; returns their counts.
fn write_level(name: &str, lo: LevelOut, out: &mut Out) -> Result<(usize, usize), Failure> {
    let total: usize = lo.entries.iter().map(|(k, v, _)| k.len() + v.len() + 4).sum();
    let shards = (total / SHARD_BYTES).max(1).next_power_of_two();
    write_objects(out, &format!("{name}/t/"), &format!("{name}/tp/"), shards, lo.entries)?;
    let mut packs = 0;
    if !lo.packs.is_empty() {
        let total: usize =
            lo.packs.iter().map(|(k, v, p)| k.len() + v.len() + p.as_ref().map_or(0, String::len)).sum();
        packs = 1 << (total / PACK_BYTES).max(1).ilog2();
        write_objects(out, &format!("{name}/s/"), &format!("{name}/sp/"), packs, lo.packs)?;
    }
    Ok((shards, packs))
}

/// Writes `(key, value JSON or string, positions)` objects grouped by FNV-1a 32 of the key
/// modulo `count`: `<values><n>.js` maps each key to its value (every one is written, so that a
/// term found nowhere finds an empty shard), `<positions><n / 4>.js` maps the keys of four
/// such files to their positions. Values that are not JSON arrays are varint strings.
fn write_objects(
    out: &mut Out,
    values: &str,
    positions: &str,
    count: usize,
    items: Vec<(String, String, Option<String>)>,
) -> Result<(), Failure> {
    let quoted = |out: &mut String, v: &str| {
        if v.starts_with('[') {
            out.push_str(v);
        } else {
            out.push('"');
            out.push_str(v);
            out.push('"');
        }
    };
    let mut objects: Vec<String> = vec![String::new(); count];
    let mut groups: Vec<String> = vec![String::new(); count.div_ceil(POS_GROUP)];
    for (key, value, pos) in items {
        let n = (fnv32(&key) as usize) & (count - 1);
        let key_json = Value::String(key).to_string();
        if let Some(p) = pos {
            let group = &mut groups[n / POS_GROUP];
            group.push(if group.is_empty() { '{' } else { ',' });
            group.push_str(&key_json);
            group.push(':');
            quoted(group, &p);
        }
        let obj = &mut objects[n];
        obj.push(if obj.is_empty() { '{' } else { ',' });
        obj.push_str(&key_json);
        obj.push(':');
        quoted(obj, &value);
    }
    for (n, obj) in objects.into_iter().enumerate() {
        out.emit(
            &format!("{values}{}", hex(n, count)),
            &format!("{}}}", if obj.is_empty() { "{" } else { &obj }),
        )?;
    }
    let group_count = groups.len();
    for (g, obj) in groups.into_iter().enumerate() {
        if !obj.is_empty() {
            out.emit(&format!("{positions}{}", hex(g, group_count)), &format!("{obj}}}"))?;
        }
    }
    Ok(())
}

/// `n` in hexadecimal, as wide as `count - 1` (so names sort like numbers).
pub(crate) fn hex(n: usize, count: usize) -> String {
    let width = format!("{:x}", count.max(1) - 1).len();
    format!("{n:0width$x}")
}

/// `d/<b>.js`: the rows the result list shows, from fast columns only, and the page paths of
/// `pages` (only there: most ids' pages are `incidents/<id>.html`, and every byte counts).
fn documents(
    readers: &[SegmentReader],
    segments: &[Vec<u32>],
    pages: &BTreeMap<String, String>,
    out: &mut Out,
) -> Result<(), Failure> {
    let mut rows: Vec<(u32, String)> = Vec::new();
    for (reader, numbers) in readers.iter().zip(segments) {
        let ff = reader.fast_fields();
        let cols: Vec<Strs> = ["key", "title", "severity", "status"]
            .iter()
            .map(|n| Strs::new(reader, n))
            .collect::<Result<_, _>>()?;
        let started = ff.date("started")?;
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
            // The title is shown as the site's pages show it: controls and bidi overrides as
            // visible escapes (`\u{202e}`).
            let shown = crate::text::markup;
            let id = cols[0].first(doc);
            let row = (n, id, shown(cols[1].first(doc)), cols[2].first(doc), cols[3].first(doc), date);
            let row = match pages.get(id) {
                Some(page) => serde_json::to_string(&(row.0, row.1, row.2, row.3, row.4, row.5, page)),
                None => serde_json::to_string(&row),
            }
            .expect("json to memory");
            rows.push((n, row));
        }
    }
    rows.sort_unstable_by_key(|r| r.0);
    for bucket in rows.chunk_by(|a, b| a.0 / DOC_BUCKET == b.0 / DOC_BUCKET) {
        let mut json = String::from("[");
        for (i, (_, row)) in bucket.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(row);
        }
        json.push(']');
        out.emit(&format!("d/{}", bucket[0].0 / DOC_BUCKET), &json)?;
    }
    Ok(())
}

/// The `x/` files are made in this many parts, each on a worker thread (deflating them is
/// most of their cost).
const TEXT_PARTS: usize = 4;

/// `x/<n>.js` for the live documents of part `part` (`n % TEXT_PARTS`): its stored `text` and
/// the values of its prose fields (see the module's doc). Returns the words of those (each
/// token of the `en` analyzer before it is stemmed), for [`vocabulary`].
fn texts(ctx: &Context, part: usize, out: &mut impl Emit) -> Result<FxHashSet<String>, Failure> {
    // Fx, not SipHash: every word of every record is looked up here.
    let mut words = FxHashSet::default();
    let mut surface = super::schema::en_surface_analyzer();
    let mut add = |text: &str| {
        surface.token_stream(text).process(&mut |t: &tantivy::tokenizer::Token| {
            if !words.contains(&t.text) {
                words.insert(t.text.clone());
            }
        })
    };
    let (readers, segments, fields) = (ctx.readers, ctx.segments, ctx.fields);
    use tantivy::schema::Value as _;
    let prose: Vec<(usize, tantivy::schema::Field)> = SEARCH_FIELDS
        .iter()
        .enumerate()
        .filter(|(_, f)| f.analyzer == Analyzer::En && f.name != "text")
        .map(|(i, _)| (i, fields.search[i]))
        .collect();
    for (reader, numbers) in readers.iter().zip(segments) {
        let store = reader.get_store_reader(4)?;
        for doc in 0..reader.max_doc() {
            let n = numbers[doc as usize];
            if n == u32::MAX || n as usize % TEXT_PARTS != part {
                continue;
            }
            let stored: tantivy::TantivyDocument = store.get(doc)?;
            let text = stored.get_first(fields.text).and_then(|v| v.as_str()).unwrap_or_default();
            add(text);
            let mut by_field = serde_json::Map::new();
            for (number, field) in &prose {
                let values: Vec<Value> = stored
                    .get_all(*field)
                    .filter_map(|v| v.as_str())
                    .map(|v| match text.find(v).filter(|_| !v.is_empty()) {
                        Some(at) => {
                            let start = text[..at].encode_utf16().count();
                            json!([start, start + v.encode_utf16().count()])
                        }
                        None => {
                            add(v);
                            json!(v)
                        }
                    })
                    .collect();
                if !values.is_empty() {
                    by_field.insert(number.to_string(), Value::Array(values));
                }
            }
            let json = serde_json::to_string(&(text, by_field)).expect("json to memory");
            out.emit_str(&format!("x/{n}"), &deflated_at(json.as_bytes(), TEXT_LEVEL)?)?;
        }
    }
    Ok(words)
}

/// Writes `w/<n>.js`, the vocabulary: every word of the live records' prose as it is written
/// (each token of the `en` analyzer before it is stemmed: lowercased), by FNV-1a 32 of the
/// word modulo the shard count, with its stem and the other words of that stem: `word: stem`
/// when no other word has its stem, else `word: [stem, other…]`. The browser finds a query's
/// stems here rather than running the Snowball stemmer (which it loads only for a word no
/// record holds: such a word may still share a stem with one that does), and tells which words
/// of a hit's text are the query's stems by their families. Every shard is written, so that a
/// word found nowhere finds an empty one. Returns the shard count.
fn vocabulary(words: BTreeSet<String>, out: &mut Out) -> Result<usize, Failure> {
    let mut stemmer = super::stem::english_stemmer();
    let mut families: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stems = Vec::with_capacity(words.len());
    for word in &words {
        let mut stem = word.clone();
        stemmer.token_stream(word).process(&mut |t: &tantivy::tokenizer::Token| stem = t.text.clone());
        families.entry(stem.clone()).or_default().push(word.clone());
        stems.push(stem);
    }
    let count = {
        let total: usize = words.iter().zip(&stems).map(|(w, s)| w.len() + s.len() + 8).sum();
        (total / WORD_SHARD_BYTES).max(1).next_power_of_two()
    };
    let mut objects: Vec<String> = vec![String::new(); count];
    for (word, stem) in words.iter().zip(&stems) {
        let family = &families[stem];
        let value = if family.len() == 1 {
            Value::String(stem.clone())
        } else {
            let others = family.iter().filter(|w| *w != word).map(|w| Value::String(w.clone()));
            Value::Array(std::iter::once(Value::String(stem.clone())).chain(others).collect())
        };
        let obj = &mut objects[(fnv32(word) as usize) & (count - 1)];
        obj.push(if obj.is_empty() { '{' } else { ',' });
        obj.push_str(&Value::String(word.clone()).to_string());
        obj.push(':');
        obj.push_str(&value.to_string());
    }
    for (n, obj) in objects.into_iter().enumerate() {
        out.emit(&format!("w/{}", hex(n, count)), &format!("{}}}", if obj.is_empty() { "{" } else { &obj }))?;
    }
    Ok(count)
}

/// Appends `v` as LEB128: seven bits a byte, low bits first, the high bit says "more".
fn leb128(out: &mut Vec<u8>, mut v: u64) {
    while v >= 128 {
        out.push(0x80 | (v & 127) as u8);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The LEB128 value of `raw` at `*at`, `*at` moved past it (for tests).
#[cfg(test)]
pub(crate) fn read_leb128(raw: &[u8], at: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let b = raw[*at];
        *at += 1;
        v |= u64::from(b & 127) << shift;
        shift += 7;
        if b < 128 {
            return v;
        }
    }
}

/// Reads a list's own postings file back ([`Gathered::pack`]): its gaps, its `tf - 1` values and
/// its fieldnorm bytes, as written (for tests).
#[cfg(test)]
pub(crate) fn unpack_columns(file: &str) -> (Vec<u64>, Vec<u64>, Vec<u8>) {
    let raw = inflated_z85(file);
    let mut at = 0;
    let mut leb = || read_leb128(&raw, &mut at);
    let n = leb() as usize;
    let gaps: Vec<u64> = (0..n).map(|_| leb()).collect();
    let tfs: Vec<u64> = (0..n).map(|_| leb()).collect();
    assert_eq!(raw.len() - at, n, "one fieldnorm byte a posting");
    (gaps, tfs, raw[at..].to_vec())
}

/// The bytes of a raw deflate in Z85 ([`deflated_at`]; for tests).
#[cfg(test)]
pub(crate) fn inflated_z85(file: &str) -> Vec<u8> {
    use std::io::Read as _;
    let mut raw = Vec::new();
    flate2::read::DeflateDecoder::new(&enc::unz85(file)[..]).read_to_end(&mut raw).unwrap();
    raw
}

/// libdeflate's level for record text: 12 to 13 % smaller than miniz_oxide's fastest level
/// (flate2's, used before) on the generated records' text, and faster; the levels above it
/// gain 1 % more at a fifth of the speed.
const TEXT_LEVEL: i32 = 9;
/// libdeflate's level for postings files: as small as miniz_oxide's best level, twice as fast
/// (the levels above gain 1 % at a quarter of the speed).
const POSTINGS_LEVEL: i32 = 9;
/// libdeflate's level for the bitmaps of documents files: a bitmap of a common word's documents
/// is nearly random, and from level 10 libdeflate codes it without LZ77 matches, which cost
/// more than they save there (level 9 takes 7 % more; Huffman codes alone, what the export took
/// before, as much as level 10). Their gaps, the other form, are deflated at
/// [`POSTINGS_LEVEL`]: at level 11 they took a fifth of the export's time.
const BITMAP_LEVEL: i32 = 11;
/// libdeflate's level for frequencies files: its near-optimal parsing codes a column of tfs
/// about 10 % smaller than miniz_oxide's best level or than Huffman codes alone, whichever was
/// smaller (what the export did before), at 5 MB/s: a few seconds of an export of 100,000
/// records.
const FREQUENCIES_LEVEL: i32 = 11;

/// Raw deflate by libdeflate at `level` (1 to 12), in Z85.
fn deflated_at(bytes: &[u8], level: i32) -> io::Result<String> {
    Ok(enc::z85(&deflate(bytes, level)?))
}

/// Raw deflate by libdeflate at `level` (1 to 12), with a compressor per thread and level.
fn deflate(bytes: &[u8], level: i32) -> io::Result<Vec<u8>> {
    thread_local! {
        static COMPRESSORS: std::cell::RefCell<[Option<libdeflater::Compressor>; 13]> =
            std::cell::RefCell::new(Default::default());
    }
    COMPRESSORS.with_borrow_mut(|compressors| {
        let lvl = libdeflater::CompressionLvl::new(level)
            .map_err(|e| io::Error::other(format!("deflate level {level}: {e:?}")))?;
        let c = compressors[level as usize].get_or_insert_with(|| libdeflater::Compressor::new(lvl));
        let mut out = vec![0; c.deflate_compress_bound(bytes.len())];
        let n =
            c.deflate_compress(bytes, &mut out).map_err(|e| io::Error::other(format!("deflate: {e:?}")))?;
        out.truncate(n);
        Ok(out)
    })
}

/// `f/<kind>/<key>.js` for every filter value, `f/customer.js`; returns the small lists for
/// `meta.js`.
fn filters(
    readers: &[SegmentReader],
    segments: &[Vec<u32>],
    out: &mut Out,
) -> Result<BTreeMap<&'static str, Vec<Value>>, Failure> {
    let mut filters: BTreeMap<(&str, String), Vec<u32>> = BTreeMap::new();
    for (reader, numbers) in readers.iter().zip(segments) {
        let cols: Vec<Strs> = ["severity", "status", "year", "customer_name"]
            .iter()
            .map(|n| Strs::new(reader, n))
            .collect::<Result<_, _>>()?;
        for doc in 0..reader.max_doc() {
            let n = numbers[doc as usize];
            if n == u32::MAX {
                continue;
            }
            for (kind, col) in [("severity", 0), ("status", 1), ("year", 2)] {
                let v = cols[col].first(doc);
                if !v.is_empty() {
                    filters.entry((kind, v.to_string())).or_default().push(n);
                }
            }
            for c in cols[3].all(doc) {
                filters.entry(("customer", c.to_string())).or_default().push(n);
            }
        }
    }
    let encode = |docs: &mut Vec<u32>| {
        docs.sort_unstable();
        docs.dedup();
        let mut s = String::with_capacity(docs.len());
        let mut prev: i64 = -1;
        for d in docs.iter() {
            enc::push(&mut s, (i64::from(*d) - prev) as u64);
            prev = i64::from(*d);
        }
        s
    };
    let mut meta: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let customer_count = filters.keys().filter(|(kind, _)| *kind == "customer").count();
    let groups = 1 << (customer_count / CUSTOMERS_PER_FILE).max(1).ilog2();
    let mut customers: Vec<Value> = Vec::new();
    let mut grouped: Vec<String> = vec![String::new(); groups];
    for ((kind, value), mut docs) in filters {
        let s = encode(&mut docs);
        if kind == "customer" {
            let g = (fnv32(&value) as usize) & (groups - 1);
            let obj = &mut grouped[g];
            obj.push(if obj.is_empty() { '{' } else { ',' });
            obj.push_str(&format!("{}:\"{s}\"", Value::String(value.clone())));
            customers.push(json!([value, hex(g, groups)]));
        } else {
            let key = format!("{:016x}", fnv64(&value));
            out.emit_str(&format!("f/{kind}/{key}"), &s)?;
            meta.entry(kind).or_default().push(json!([value, key]));
        }
    }
    for (g, obj) in grouped.into_iter().enumerate() {
        if !obj.is_empty() {
            out.emit(&format!("f/c/{}", hex(g, groups)), &format!("{obj}}}"))?;
        }
    }
    out.shard("f/customer", &Value::Array(customers))?;
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::Bm25Weight;

    /// `tests/browser/fixtures/fieldnorms.json` is tantivy's field length of each fieldnorm id,
    /// the ids the exported postings hold; `search.js` computes its table of them, and a node
    /// test checks that table against the same file.
    #[test]
    fn the_browser_fieldnorm_fixture_is_tantivys_table() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/fixtures/fieldnorms.json");
        let lengths: Vec<u32> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let tantivy: Vec<u32> = (0..=255u8).map(FieldNormReader::id_to_fieldnorm).collect();
        assert_eq!(lengths, tantivy);
    }

    /// The site ships `site-templates/assets/search.js`, the minified build of `search.js` here
    /// (tests/browser/build-search.mjs), whose banner names the SHA-256 of the source it was built
    /// from: an edit of the source that was not rebuilt fails here, not only in the node tests.
    #[test]
    fn the_shipped_search_js_is_the_build_of_its_source() {
        // `tests/browser/build-search.mjs` writes the SHA-256 of the source and of what it built
        // from it; an edit of either file since then (a source not rebuilt, a shipped file
        // edited by hand) fails here, without node.
        use sha2::{Digest, Sha256};
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let sums = std::fs::read_to_string(root.join("src/index/search.js.sha256")).unwrap();
        let mut checked = Vec::new();
        for line in sums.lines() {
            let (sum, path) =
                line.split_once("  ").unwrap_or_else(|| panic!("not a `sha256sum` line: {line}"));
            let bytes = std::fs::read(root.join(path)).unwrap();
            assert_eq!(
                hex::encode(Sha256::digest(&bytes)),
                sum,
                "{path} changed since site-templates/assets/ was built from src/index/: run `npm run build` in tests/browser"
            );
            checked.push(path);
        }
        assert_eq!(
            checked,
            [
                "src/index/search.js",
                "site-templates/assets/search.js",
                "src/index/parse.js",
                "site-templates/assets/parse.js",
                "src/index/stem.js",
                "site-templates/assets/stem.js"
            ]
        );
    }

    /// A documents file's two forms, read back as the browser reads them.
    fn read_documents(file: &str, start: u32) -> Vec<u32> {
        let raw = inflated_z85(&file[1..]);
        match &file[..1] {
            "m" => (0..raw.len() as u32 * 8)
                .filter(|b| raw[(b / 8) as usize] >> (b % 8) & 1 == 1)
                .map(|b| start + b)
                .collect(),
            "g" => {
                let mut d: i64 = -1;
                enc::decode(std::str::from_utf8(&raw).unwrap())
                    .into_iter()
                    .map(|g| {
                        d += g as i64 + 1;
                        d as u32
                    })
                    .collect()
            }
            other => panic!("unknown form {other}"),
        }
    }

    #[test]
    fn documents_files_take_the_smaller_form_and_hold_exactly_the_list() {
        // Dense: about two thirds of a level starting at 4096, drawn by xorshift64 (deflate
        // cannot shorten such a set much); sparse: a few documents.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let dense: Vec<u32> = (4096..20480)
            .filter(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state % 3 < 2
            })
            .collect();
        let file = documents_of(dense.iter().copied(), 4096, 20480).unwrap();
        assert!(file.starts_with('m'), "{} {}", file.len(), &file[..20]);
        assert!(file.len() < (20480 - 4096) / 6 + 64, "{} bytes: about a bit per document", file.len());
        assert_eq!(read_documents(&file, 4096), dense);
        let sparse = vec![4100, 4101, 9000, 20479];
        let file = documents_of(sparse.iter().copied(), 4096, 20480).unwrap();
        assert!(file.starts_with('g'));
        assert_eq!(read_documents(&file, 4096), sparse);
    }

    #[test]
    fn long_lists_have_heads_of_a_sixteenth_up_to_1024_and_layers_up_to_half() {
        let plan = |df: usize| {
            let head = head_size(df);
            (head, layer_sizes(df, head))
        };
        // Short: no layer (the rest fits in the level's pack).
        assert_eq!(plan(1000), (62, vec![]));
        assert_eq!(plan(2000), (125, vec![125, 250, 500]));
        // A sixteenth and three layers: half of the list.
        assert_eq!(plan(8000), (500, vec![500, 1000, 2000]));
        assert_eq!(plan(16_384), (1024, vec![1024, 2048, 4096]));
        // Capped heads: a fourth layer once it keeps to half of the list.
        assert_eq!(plan(20_000), (1024, vec![1024, 2048, 4096]));
        assert_eq!(plan(32_768), (1024, vec![1024, 2048, 4096, 8192]));
        assert_eq!(plan(100_000), (1024, vec![1024, 2048, 4096, 8192]));
        for df in [1100, 3000, 9999, 16_385, 32_767, 40_000, 98_304] {
            let (head, layers) = plan(df);
            let held = head + layers.iter().sum::<usize>();
            assert!(held <= df / 2, "{df}: {held}");
            assert!(held < df, "{df}: a tail");
        }
    }

    /// What miniz_oxide (flate2) gives at `level`, the coder the export used before libdeflate.
    fn miniz(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
        use std::io::Write as _;
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), level);
        z.write_all(bytes).unwrap();
        z.finish().unwrap()
    }

    #[test]
    fn a_column_of_tfs_deflates_a_tenth_smaller_than_before_and_inflates_back() {
        // A frequencies file's bytes (LEB128 of `tf - 1` per document of the list) from the
        // site of `incident-corpus --count 100000 --seed 7`: a word in 33,663 of the base
        // level's records. miniz_oxide's best level was what the export took for it before (Huffman
        // codes alone, the other choice, took 4,425 bytes).
        let tfs = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/frequencies/common-word.tfs"),
        )
        .unwrap();
        let file = deflated_at(&tfs, FREQUENCIES_LEVEL).unwrap();
        assert_eq!(inflated_z85(&file), tfs);
        let before = miniz(&tfs, flate2::Compression::best()).len();
        let now = enc::unz85(&file).len();
        assert!(now * 10 < before * 9, "{now} bytes against {before}");
    }

    #[test]
    fn record_text_deflates_smaller_than_before_and_inflates_back() {
        // The reference record's text, as an `x/` file holds it.
        let text =
            std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("records/INC-2025-0023.md")).unwrap();
        let file = deflated_at(&text, TEXT_LEVEL).unwrap();
        assert_eq!(inflated_z85(&file), text);
        let before = miniz(&text, flate2::Compression::fast()).len();
        let now = enc::unz85(&file).len();
        assert!(now * 100 < before * 95, "{now} bytes against {before}");
    }

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

    #[test]
    fn z85_round_trips_every_length_and_matches_the_standard() {
        // ZeroMQ RFC 32's test vector: 86 4F D2 6F B5 59 F7 5B is "HelloWorld".
        assert_eq!(enc::z85(&[0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]), "HelloWorld");
        let bytes: Vec<u8> = (0..64u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for n in 0..bytes.len() {
            let text = enc::z85(&bytes[..n]);
            assert_eq!(text.len(), n / 4 * 5 + if n % 4 == 0 { 0 } else { n % 4 + 1 });
            assert_eq!(enc::unz85(&text), &bytes[..n], "{n} bytes");
        }
        // The largest group and the largest partial ones.
        for n in 1..=4 {
            assert_eq!(enc::unz85(&enc::z85(&vec![0xff; n])), vec![0xff; n]);
        }
    }

    #[test]
    fn packed_postings_read_back_as_written() {
        let g = Gathered {
            doc: vec![3, 4, 900, 70_000, 70_001],
            tf: vec![1, 7, 2, 300, 1],
            norm: vec![12, 10, 250, 9, 11],
            ..Gathered::default()
        };
        let (gaps, tfs, norms) = unpack_columns(&g.pack([0, 1, 2, 3, 4], 10).unwrap());
        assert_eq!(gaps, [3, 0, 895, 69_099, 0]);
        assert_eq!(tfs, [0, 6, 1, 299, 0]);
        assert_eq!(norms, [2, 0, 240, 255, 1]);
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

    #[test]
    fn levels_keep_the_base_until_a_quantum_of_new_ids() {
        assert_eq!(levels(0), []);
        assert_eq!(levels(100), [(0, 100)]);
        assert_eq!(levels(300), [(0, 256), (256, 300)]);
        assert_eq!(levels(10_000), [(0, 9728), (9728, 10_000)]);
        assert_eq!(levels(10_010), [(0, 9728), (9728, 10_010)]);
        assert_eq!(levels(10_240), [(0, 10_240)]);
        assert_eq!(levels(100_000), [(0, 98_304), (98_304, 100_000)]);
    }

    /// Segments' postings come in document order per segment: merged two by two, whatever
    /// their number; out-of-order runs are sorted.
    #[test]
    fn postings_of_segments_merge_into_document_order() {
        for runs in [
            vec![vec![5u32, 9, 30]],
            vec![vec![1, 4], vec![2, 3, 8]],
            vec![vec![7], vec![], vec![0, 9], vec![3, 5]],
            vec![vec![6, 10, 11], vec![2], vec![4, 12], vec![1, 3], vec![0]],
            vec![vec![3, 1], vec![2]],
        ] {
            let mut g = Gathered::default();
            for run in &runs {
                g.runs.push(g.doc.len() as u32);
                for &d in run {
                    g.doc.push(d);
                    g.pos_at.push(0);
                }
            }
            g.sort();
            let docs: Vec<u32> = g.order.iter().map(|&i| g.doc[i as usize]).collect();
            let mut want: Vec<u32> = runs.concat();
            want.sort_unstable();
            assert_eq!(docs, want, "{runs:?}");
        }
    }

    /// The frontier bounds every posting left out, whatever the average field length.
    #[test]
    fn frontier_bounds_the_rest_for_any_average() {
        let mut g = Gathered::default();
        let postings = [(1u32, 40u8), (1, 12), (2, 60), (3, 90), (2, 30), (5, 200), (1, 12), (4, 95)];
        for (d, (tf, norm)) in postings.iter().enumerate() {
            g.doc.push(d as u32);
            g.tf.push(*tf);
            g.norm.push(*norm);
        }
        let f = g.frontier(0..postings.len() as u32);
        let pairs: Vec<(u32, u8)> =
            enc::decode(&f).iter().map(|v| ((v / 256 + 1) as u32, (v % 256) as u8)).collect();
        assert_eq!(pairs, [(5, 200), (4, 95), (3, 90), (2, 30), (1, 12)]);
        for avg in [1.0f32, 10.0, 55.5, 400.0, 10_000.0] {
            let cache = bm25::tf_cache(avg);
            let best = postings.iter().map(|&(tf, n)| bm25::tf_factor(&cache, tf, n)).fold(0f32, f32::max);
            let bound = pairs.iter().map(|&(tf, n)| bm25::tf_factor(&cache, tf, n)).fold(0f32, f32::max);
            assert_eq!(best.to_bits(), bound.to_bits(), "average {avg}");
        }
    }
}
