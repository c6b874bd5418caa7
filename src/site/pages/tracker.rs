//! The data files of the action-item tracker (`assets/actions.js`): every action item, written
//! as classic scripts that register their data with `IATracker(name, data)`, so that the tracker
//! works from `file://` (no `fetch`), split so that a view loads only what it shows.
//!
//! - `tracker/meta.js`: the dictionaries (owners with their team, teams, customers, statuses),
//!   the build date, the number of items of each state, each owner's parts per state, and the
//!   parts of each id bucket.
//! - `tracker/t<state>.js`: the chunks of a state's list, each `[items, first due, last due]`
//!   (loaded only by views of that state: the done list has most). The default view (overdue,
//!   by due date) loads `meta.js`, `t0.js` and the first overdue chunk.
//! - `tracker/s<state>-<n>.js`: each state's items (0 overdue, 1 open, 2 done) in the static
//!   lists' order (due date, incident, item), cut into chunks.
//! - `tracker/o<owner>-<state>-<n>.js`: one owner's items of one state, in the same order: a
//!   view filtered by owner or team loads only these.
//! - `tracker/b<bucket>-<part>.js`: items by the FNV-1a hash of their id (bucket) and of their
//!   incident's id (part), so that an anchor `#INC-1/AI-2` loads one part and a bare `#AI-2`
//!   one bucket.
//!
//! Chunks are cut where the hash of an item's incident id and position says so (content-defined,
//! 96 to 512 items, the first chunks of a state's list 64 to 160: see [`CHUNK`] and
//! [`FIRST_CHUNK`]): an item added, or moved from open to overdue as the build date passes its
//! due date, changes its own chunk and, until the next cut made by a hash, the few after it; the
//! render engine keeps the bytes of the others. Owners, customers and statuses are numbered in the order
//! the archive's records first name them, so a new record's new name does not renumber the
//! others.
//!
//! An item is `[incident, position, id, action, owner, due, status, state]`: `incident` indexes
//! the file's own incident table (`[id, path or 0, severity, title, [customers]]`, the path
//! given only when it is not `incidents/<id>.html`), `due` is days since 1970-01-01 (or null).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::site::SiteError;
use crate::site::data::{ItemRef, ItemState, SiteData};
use crate::site::render::Renderer;

/// How chunks are cut: the fewest items of a chunk (unless its list ends), the most, and one in
/// how many items ends a chunk once it holds the fewest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    min: usize,
    max: usize,
    one_in: u32,
}

/// Most chunks: 96 to 512 items, about 260 on average. A view that reads a whole list (any
/// sort or filter but the plain list by due date) loads every chunk of it, and fewer files load
/// faster: at 100,000 records the 412,199 done items take 1,557 files this way, where chunks of
/// the first pages' size would take 3,671 and show such a view 50 % later.
const CHUNK: Cut = Cut { min: 96, max: 512, one_in: 192 };
/// The first chunks of a state's list, the pages a plain view shows first (the default view
/// among them): 64 to 160 items, about 115 on average. At least a page of the tracker
/// (`PAGE` in `actions.js`, 50 rows), so the first page is in the first chunk and every page in
/// one or two; at about 160 bytes an item, at most about 25 KB, where a first chunk of the
/// other size weighs from 16 to 85 KB depending on where the hashes cut it.
const FIRST_CHUNK: Cut = Cut { min: 64, max: 160, one_in: 64 };
/// How many chunks of a state's list are cut as [`FIRST_CHUNK`] (about 900 items: 18 pages).
const FIRST_CHUNKS: usize = 8;
/// About this many items per id bucket.
const BUCKET_ITEMS: usize = 512;
/// About this many items per part of a bucket.
const PART_ITEMS: usize = 256;

/// The team of an action item's owner: the text in the last parentheses when the owner is
/// written `Name (Team)` (`Ana Ruiz (SRE)` → `SRE`), else the owner itself (`DB Team`), trimmed.
/// Empty for an item without an owner.
pub fn team_of(owner: &str) -> &str {
    let owner = owner.trim();
    if let Some(inner) = owner.strip_suffix(')')
        && let Some(open) = inner.rfind('(')
    {
        let (name, team) = (inner[..open].trim(), inner[open + 1..].trim());
        if !name.is_empty() && !team.is_empty() {
            return team;
        }
    }
    owner
}

/// FNV-1a (32 bits) of a string's UTF-8 bytes: the hash `actions.js` computes the same way to
/// find an item's bucket and part.
pub fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193))
}

/// Days from 1970-01-01.
fn day(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date")).num_days()
}

/// Cuts `items` into chunks: after an item whose incident and position hash to a cut, and at
/// the most items; the first `first` chunks as [`FIRST_CHUNK`], the others as [`CHUNK`].
fn chunks(d: &SiteData<'_>, items: &[ItemRef], first: usize) -> Vec<Vec<ItemRef>> {
    cut(items, first, |r| fnv1a(&d.record(r.rec).id) ^ (r.item as u32).wrapping_mul(0x9e37_79b9))
}

/// Cuts `items` after each one whose `hash` is a multiple of the cut's `one_in` once the chunk
/// holds its `min` items, and at its `max` items; the first `first` chunks as [`FIRST_CHUNK`].
/// An item added changes its own chunk and, until the next cut made by a hash, the few after it.
fn cut<T: Copy>(items: &[T], first: usize, hash: impl Fn(&T) -> u32) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut cur = Vec::new();
    for r in items {
        cur.push(*r);
        let c = if out.len() < first { FIRST_CHUNK } else { CHUNK };
        if cur.len() >= c.max || (cur.len() >= c.min && hash(r).is_multiple_of(c.one_in)) {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// One data file and the items it holds.
#[derive(Debug)]
pub(crate) struct TrackerFile {
    /// The name it registers (`s0-3`); the file is `tracker/<name>.js`.
    name: String,
    items: Vec<ItemRef>,
}

/// Every data file of the tracker, planned once per build.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    /// `tracker/meta.js`, already serialized (small).
    meta: String,
    /// `tracker/t<state>.js`: each state's chunks, `[items, first due, last due]`.
    tables: [String; 3],
    /// The other files.
    pub(crate) files: Vec<TrackerFile>,
    /// Owner (in `SiteData::owners`) → code.
    owner_code: Vec<u32>,
    /// Customer (in `SiteData::customers`) → code.
    customer_code: Vec<u32>,
    /// Status → code.
    status_code: BTreeMap<String, u32>,
}

/// A chunk in `tracker/meta.js`: its number of items, its first and last due date (days).
type ChunkInfo = (usize, Option<i64>, Option<i64>);

/// An item in a data file: `[incident, position, id, action, owner, due, status, state]`.
type ItemData<'a> = (usize, usize, &'a str, &'a str, u32, Option<i64>, u32, usize);

/// `tracker/meta.js`'s data.
#[derive(Serialize)]
struct Meta<'a> {
    /// Format version.
    v: u32,
    /// The build date, in days.
    d: i64,
    /// Items per state (overdue, open, done).
    n: [usize; 3],
    /// Owners by code.
    o: Vec<&'a str>,
    /// Each owner's team (in `t`).
    ot: Vec<u32>,
    /// Teams: the code of the owner of the same name (most teams are owners), else the name.
    t: Vec<TeamName<'a>>,
    /// Customers by code.
    c: Vec<&'a str>,
    /// Statuses by code.
    st: Vec<&'a str>,
    /// Per owner code, per state: `[items, parts]`.
    op: Vec<[(usize, usize); 3]>,
    /// Per id bucket, its number of parts.
    b: Vec<usize>,
}

/// A team in `tracker/meta.js`: an owner's code when an owner has its name.
#[derive(Serialize)]
#[serde(untagged)]
enum TeamName<'a> {
    Owner(u32),
    Name(&'a str),
}

/// Codes in order of first appearance.
fn code_by_first_use<K: Ord + Clone>(keys: impl Iterator<Item = K>) -> BTreeMap<K, u32> {
    let mut codes = BTreeMap::new();
    for k in keys {
        let next = codes.len() as u32;
        codes.entry(k).or_insert(next);
    }
    codes
}

impl Tracker {
    /// Plans the files from the site's data.
    pub(crate) fn new(d: &SiteData<'_>) -> Tracker {
        // Every item, in the archive's record order: the order names are first met in.
        let mut in_archive_order: Vec<ItemRef> = Vec::with_capacity(d.items.len());
        for rec in 0..d.snapshot.records.len() {
            if let Some(inc) = d.record(rec).summary() {
                let n = inc.action_items().len();
                in_archive_order.extend((0..n).map(|item| ItemRef { rec, item, state: ItemState::Open }));
            }
        }
        let owners = code_by_first_use(in_archive_order.iter().map(|r| d.item_owner[r.rec][r.item]));
        let mut owner_code = vec![0; d.owners.len()];
        for (&o, &code) in &owners {
            owner_code[o as usize] = code;
        }
        let mut owner_by_code = vec![0usize; owners.len()];
        for (&o, &code) in &owners {
            owner_by_code[code as usize] = o as usize;
        }
        let customers =
            code_by_first_use(d.row_customer.iter().flat_map(|rows| rows.iter().flatten().copied()));
        let mut customer_code = vec![0; d.customers.len()];
        let mut customer_by_code = vec![""; customers.len()];
        for (&c, &code) in &customers {
            customer_code[c as usize] = code;
            customer_by_code[code as usize] = d.customers[c as usize].name;
        }
        let status_code = code_by_first_use(in_archive_order.iter().map(|r| d.item(r).status.clone()));
        let mut statuses = vec![""; status_code.len()];
        for (s, &code) in &status_code {
            statuses[code as usize] = s.as_str();
        }
        let team_codes = code_by_first_use(owner_by_code.iter().map(|&o| team_of(d.owners[o].name)));
        let mut teams = vec![""; team_codes.len()];
        for (t, &code) in &team_codes {
            teams[code as usize] = t;
        }

        let mut files = Vec::new();
        // The state lists.
        let mut s: [Vec<ChunkInfo>; 3] = Default::default();
        let mut n = [0; 3];
        for (state, range) in d.item_ranges.iter().enumerate() {
            n[state] = range.len();
            for (i, chunk) in chunks(d, &d.items[range.clone()], FIRST_CHUNKS).into_iter().enumerate() {
                let due = |r: &ItemRef| d.item(r).due.map(day);
                s[state].push((chunk.len(), due(&chunk[0]), due(&chunk[chunk.len() - 1])));
                files.push(TrackerFile { name: format!("s{state}-{i}"), items: chunk });
            }
        }
        // Each owner's items by state.
        let mut op = vec![[(0, 0); 3]; owner_by_code.len()];
        for (code, &o) in owner_by_code.iter().enumerate() {
            let items = &d.owners[o].items;
            for (state, parts) in op[code].iter_mut().enumerate() {
                let mine: Vec<ItemRef> =
                    items.iter().filter(|r| r.state as usize == state).copied().collect();
                // An owner's view loads all of its files: no small first chunks.
                let cut = chunks(d, &mine, 0);
                *parts = (mine.len(), cut.len());
                for (i, chunk) in cut.into_iter().enumerate() {
                    files.push(TrackerFile { name: format!("o{code}-{state}-{i}"), items: chunk });
                }
            }
        }
        // Id buckets, each in parts by incident.
        let buckets = d.items.len().div_ceil(BUCKET_ITEMS).max(1);
        let mut by_bucket: Vec<Vec<ItemRef>> = vec![Vec::new(); buckets];
        for r in &d.items {
            by_bucket[fnv1a(&d.item(r).id) as usize % buckets].push(*r);
        }
        let mut b = Vec::with_capacity(buckets);
        for (bucket, items) in by_bucket.into_iter().enumerate() {
            let parts = items.len().div_ceil(PART_ITEMS).max(1);
            let mut by_part: Vec<Vec<ItemRef>> = vec![Vec::new(); parts];
            for r in items {
                by_part[fnv1a(&d.record(r.rec).id) as usize % parts].push(r);
            }
            b.push(parts);
            for (part, items) in by_part.into_iter().enumerate() {
                files.push(TrackerFile { name: format!("b{bucket}-{part}"), items });
            }
        }

        let owners_by_name: BTreeMap<&str, u32> =
            owner_by_code.iter().enumerate().map(|(code, &o)| (d.owners[o].name, code as u32)).collect();
        let meta = Meta {
            v: 1,
            d: day(d.build_date),
            n,
            o: owner_by_code.iter().map(|&o| d.owners[o].name).collect(),
            ot: owner_by_code.iter().map(|&o| team_codes[team_of(d.owners[o].name)]).collect(),
            t: teams
                .into_iter()
                .map(|t| match owners_by_name.get(t) {
                    Some(&code) => TeamName::Owner(code),
                    None => TeamName::Name(t),
                })
                .collect(),
            c: customer_by_code,
            st: statuses,
            op,
            b,
        };
        let meta = script("meta", &meta);
        let tables = [0, 1, 2].map(|state| script(&format!("t{state}"), &s[state]));
        Tracker { meta, tables, files, owner_code, customer_code, status_code }
    }

    /// The data of file `f`: its incidents and items.
    fn data(&self, d: &SiteData<'_>, f: &TrackerFile) -> String {
        #[derive(Serialize)]
        struct Data<'a> {
            /// Incidents: `[id, path or 0, severity, title, [customer codes]]`.
            i: Vec<(&'a str, PathOrZero<'a>, &'a str, &'a str, Vec<u32>)>,
            /// Items: `[incident, position, id, action, owner, due, status, state]`.
            r: Vec<ItemData<'a>>,
        }
        #[derive(Serialize)]
        #[serde(untagged)]
        enum PathOrZero<'a> {
            Zero(u8),
            Path(&'a str),
        }
        let mut local: BTreeMap<usize, usize> = BTreeMap::new();
        let mut data = Data { i: Vec::new(), r: Vec::with_capacity(f.items.len()) };
        for r in &f.items {
            let next = local.len();
            let inc = *local.entry(r.rec).or_insert_with(|| {
                let rec = d.record(r.rec);
                let sum = d.summary(r.rec);
                let path = d.paths[r.rec].as_str();
                let path = if path == format!("incidents/{}.html", rec.id) {
                    PathOrZero::Zero(0)
                } else {
                    PathOrZero::Path(path)
                };
                let mut customers: Vec<u32> =
                    d.row_customer[r.rec].iter().flatten().map(|&c| self.customer_code[c as usize]).collect();
                customers.sort_unstable();
                customers.dedup();
                data.i.push((rec.id.as_str(), path, sum.severity(), sum.title(), customers));
                next
            });
            let item = d.item(r);
            data.r.push((
                inc,
                r.item,
                item.id.as_str(),
                item.action.as_str(),
                self.owner_code[d.item_owner[r.rec][r.item] as usize],
                item.due.map(day),
                self.status_code[&item.status],
                r.state as usize,
            ));
        }
        script(&f.name, &data)
    }
}

/// `IATracker("name",{…});`: a classic script that registers its data.
fn script<T: Serialize>(name: &str, data: &T) -> String {
    let json = serde_json::to_string(data).expect("tracker data serializes");
    // Record text keeps its hidden characters, written as `\uXXXX` escapes.
    format!("IATracker({name:?},{});\n", crate::text::json(&json))
}

/// An item's anchor on `actions.html`: `<incident id>/<item id>`, or `<incident id>/<n>` (its
/// position in the record, from 1) for an item without an id.
pub fn anchor(incident: &str, item_id: &str, position: usize) -> String {
    if item_id.is_empty() { format!("{incident}/{}", position + 1) } else { format!("{incident}/{item_id}") }
}

/// The part of a URL fragment `encodeURIComponent` would write for `s` (what `actions.js` reads
/// back with `decodeURIComponent`).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// `tracker/meta.js` (`None`) or a data file of the tracker; kept when its bytes are those of
    /// the last build.
    pub(super) fn render_tracker(&self, file: Option<usize>) -> Result<(), SiteError> {
        let t = &self.shared.tracker;
        match file {
            None => {
                for (state, table) in t.tables.iter().enumerate() {
                    self.bytes(&format!("tracker/t{state}.js"), table.clone().into_bytes())?;
                }
                self.bytes("tracker/meta.js", t.meta.clone().into_bytes())
            }
            Some(i) => {
                let f = &t.files[i];
                self.bytes(&format!("tracker/{}.js", f.name), t.data(self.data, f).into_bytes())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_is_the_part_in_parentheses_else_the_owner() {
        assert_eq!(team_of("Ana Ruiz (SRE)"), "SRE");
        assert_eq!(team_of("  Sarah Mitchell ( DB Team ) "), "DB Team");
        assert_eq!(team_of("DB Team"), "DB Team");
        assert_eq!(team_of("Sarah Mitchell"), "Sarah Mitchell");
        assert_eq!(team_of("Bob (ex-SRE) (Platform)"), "Platform");
        // Not `Name (Team)`: the owner is the team.
        assert_eq!(team_of("(SRE)"), "(SRE)");
        assert_eq!(team_of("Ana ()"), "Ana ()");
        assert_eq!(team_of("Ana (SRE"), "Ana (SRE");
        assert_eq!(team_of(""), "");
    }

    #[test]
    fn chunks_are_bounded_cut_by_content_and_the_first_hold_a_page() {
        // The first page of a list is in its first chunk, and a page in at most two.
        let script = include_str!("../../../site-templates/assets/actions.js");
        let page: usize = script
            .split_once("var PAGE = ")
            .and_then(|(_, rest)| rest.split_once(';'))
            .map(|(n, _)| n.parse().expect("PAGE is a number"))
            .expect("actions.js has `var PAGE = N;`");
        for k in [FIRST_CHUNK, CHUNK] {
            assert!(k.min >= page, "{k:?} holds less than a page of {page}");
        }
        // 100,000 items of pseudo-random hashes.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let items: Vec<u32> = (0..100_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u32
            })
            .collect();
        let chunks = cut(&items, FIRST_CHUNKS, |h| *h);
        assert_eq!(chunks.concat(), items);
        let (last, full) = chunks.split_last().expect("chunks");
        let within = |c: &Vec<u32>, k: Cut| (k.min..=k.max).contains(&c.len());
        assert!(full[..FIRST_CHUNKS].iter().all(|c| within(c, FIRST_CHUNK)));
        assert!(full[FIRST_CHUNKS..].iter().all(|c| within(c, CHUNK)));
        assert!(last.len() <= CHUNK.max);
        let first = FIRST_CHUNKS * 100_000 / chunks[..FIRST_CHUNKS].concat().len();
        let rest = (chunks.len() - FIRST_CHUNKS) * 100_000 / chunks[FIRST_CHUNKS..].concat().len();
        assert!((700..1100).contains(&first), "{first} first chunks per 100,000 items");
        assert!((300..450).contains(&rest), "{rest} other chunks per 100,000 items");
        // Without first chunks, every chunk is cut as most are.
        assert!(cut(&items, 0, |h| *h).split_last().expect("chunks").1.iter().all(|c| within(c, CHUNK)));
        // Content-defined: an item added changes its chunk and, until the next cut made by a
        // hash, the few after it; every other chunk stays as it was.
        for at in [300, 50_000] {
            let mut more = items.clone();
            more.insert(at, 7);
            let again = cut(&more, FIRST_CHUNKS, |h| *h);
            let before = chunks.iter().zip(&again).take_while(|(a, b)| a == b).count();
            let after = chunks.iter().rev().zip(again.iter().rev()).take_while(|(a, b)| a == b).count();
            assert!(before >= at / CHUNK.max, "{before} chunks kept before item {at}");
            assert!(again.len() - before - after <= 3, "{} chunks changed", again.len() - before - after);
        }
        // A list shorter than a chunk is one chunk.
        assert_eq!(cut(&items[..40], FIRST_CHUNKS, |h| *h).len(), 1);
    }

    #[test]
    fn fnv1a_is_the_reference_function() {
        // The published FNV-1a 32-bit test vectors.
        assert_eq!(fnv1a(""), 0x811c9dc5);
        assert_eq!(fnv1a("a"), 0xe40c292c);
        assert_eq!(fnv1a("foobar"), 0xbf9cf968);
    }

    #[test]
    fn components_are_encoded_as_encode_uri_component_does() {
        assert_eq!(encode_component("DB Team"), "DB%20Team");
        assert_eq!(encode_component("Ana Ruiz (SRE)"), "Ana%20Ruiz%20(SRE)");
        assert_eq!(encode_component("a&b=c#d/é"), "a%26b%3Dc%23d%2F%C3%A9");
    }
}
