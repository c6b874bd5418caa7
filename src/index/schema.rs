//! The tantivy schema: which fields exist, how each is analysed, and the names people type.
//!
//! Two analyzers: `en` (words, lowercased, Snowball English stems: `leaking` → `leak`) for
//! prose, and `kw` (the whole value lowercased: `P1` → `p1`) for ids and labels. The browser
//! search reimplements both (`src/index/search.js`), so any change here is a change
//! of the export format too.

use tantivy::Index;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};

use super::stem::CachedStemmer;

/// Name of the prose analyzer.
pub const EN: &str = "en";
/// Name of the whole-value analyzer.
pub const KW: &str = "kw";
/// Tokens of this many bytes or more are dropped (tantivy's `en_stem` default).
pub const MAX_TOKEN_BYTES: usize = 40;

/// Bumped whenever the schema or an analyzer changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 4;

/// How a searchable field is analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analyzer {
    /// Words, lowercased, stemmed; positions kept for phrases.
    En,
    /// The whole value as one lowercased token.
    Kw,
}

impl Analyzer {
    /// The tokenizer name registered on the index.
    pub fn name(self) -> &'static str {
        match self {
            Analyzer::En => EN,
            Analyzer::Kw => KW,
        }
    }
}

/// A field users can search, in schema order (the browser export numbers fields in this order).
#[derive(Debug, Clone, Copy)]
pub struct SearchField {
    pub name: &'static str,
    pub analyzer: Analyzer,
    /// What it holds, for `--help`-style listings and the README.
    pub about: &'static str,
}

/// Every searchable field. `text` is the default field of a query without `field:`.
pub const SEARCH_FIELDS: &[SearchField] = &[
    SearchField { name: "text", analyzer: Analyzer::En, about: "the whole record" },
    SearchField { name: "title", analyzer: Analyzer::En, about: "the title" },
    SearchField { name: "root_cause", analyzer: Analyzer::En, about: "the Root Cause section" },
    SearchField { name: "factors", analyzer: Analyzer::En, about: "contributing factors" },
    SearchField { name: "detection", analyzer: Analyzer::En, about: "how the incident was detected" },
    SearchField { name: "impact", analyzer: Analyzer::En, about: "customer, user and business impact" },
    SearchField { name: "timeline", analyzer: Analyzer::En, about: "the timeline entries" },
    SearchField {
        name: "resolution",
        analyzer: Analyzer::En,
        about: "immediate, short- and long-term fixes",
    },
    SearchField {
        name: "lessons",
        analyzer: Analyzer::En,
        about: "lessons learned (went well and to improve)",
    },
    SearchField { name: "went_well", analyzer: Analyzer::En, about: "lessons: what went well" },
    SearchField { name: "to_improve", analyzer: Analyzer::En, about: "lessons: what could be improved" },
    SearchField {
        name: "actions",
        analyzer: Analyzer::En,
        about: "action items (id, action, owner, status)",
    },
    SearchField { name: "customer", analyzer: Analyzer::En, about: "names of the customers affected" },
    SearchField { name: "owner", analyzer: Analyzer::En, about: "action-item owners" },
    SearchField { name: "id", analyzer: Analyzer::Kw, about: "the record id (`INC-2025-0023`)" },
    SearchField { name: "severity", analyzer: Analyzer::Kw, about: "`P1`..`P5`" },
    SearchField { name: "status", analyzer: Analyzer::Kw, about: "`Resolved`, `Closed`, …" },
    SearchField { name: "year", analyzer: Analyzer::Kw, about: "the year the incident started" },
];

/// Other spellings accepted before `:` (`contributing_factors:timeout`).
pub const FIELD_ALIASES: &[(&str, &str)] = &[
    ("all", "text"),
    ("cause", "root_cause"),
    ("rootcause", "root_cause"),
    ("contributing_factors", "factors"),
    ("lessons_learned", "lessons"),
    ("action_items", "actions"),
    ("action", "actions"),
    ("customers", "customer"),
    ("owners", "owner"),
    ("sev", "severity"),
];

/// The default field of a query term without `field:`.
pub const DEFAULT_FIELD: &str = "text";

/// Resolves a field name as typed (case-insensitive, aliases) to a searchable field.
pub fn resolve_field(typed: &str) -> Option<&'static SearchField> {
    let lower = typed.to_ascii_lowercase();
    let name = FIELD_ALIASES.iter().find(|(alias, _)| *alias == lower).map_or(lower.as_str(), |(_, n)| n);
    SEARCH_FIELDS.iter().find(|f| f.name == name)
}

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    pub schema: Schema,
    /// Searchable fields, in [`SEARCH_FIELDS`] order.
    pub search: Vec<Field>,
    /// The record id as written (raw, fast): deletes and tie-breaks.
    pub key: Field,
    pub id: Field,
    pub title: Field,
    pub text: Field,
    pub severity: Field,
    pub status: Field,
    pub year: Field,
    /// The browser's result passage.
    pub summary: Field,
    /// Customer names as written (fast, for facets and `--customer`).
    pub customer_name: Field,
    /// Action-item owners as written (fast, for facets and `--owner`).
    pub owner_name: Field,
    pub started: Field,
    pub signed_off: Field,
}

impl Fields {
    /// Builds the schema.
    pub fn new() -> Fields {
        let mut b = Schema::builder();
        let mut search = Vec::new();
        for f in SEARCH_FIELDS {
            let options = match f.analyzer {
                Analyzer::En => {
                    let mut o = TextOptions::default().set_indexing_options(
                        TextFieldIndexing::default()
                            .set_tokenizer(EN)
                            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
                    );
                    // Stored: the browser search's `x/` files give each shown hit the text of
                    // its fields (which one it matched in), as the CLI reads them.
                    o = o.set_stored();
                    if f.name == "title" {
                        o = o.set_fast("raw");
                    }
                    o
                }
                Analyzer::Kw => {
                    let mut o = TextOptions::default().set_indexing_options(
                        TextFieldIndexing::default()
                            .set_tokenizer(KW)
                            .set_index_option(IndexRecordOption::WithFreqs),
                    );
                    // The fast column keeps the value as written, for facets and filters.
                    if f.name != "id" {
                        o = o.set_fast("raw");
                    }
                    if f.name != "year" {
                        o = o.set_stored();
                    }
                    o
                }
            };
            search.push(b.add_text_field(f.name, options));
        }
        // The id exactly as written: what updates delete by, and what ranks ties.
        let key = b.add_text_field(
            "key",
            TextOptions::default()
                .set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer("raw")
                        .set_index_option(IndexRecordOption::Basic),
                )
                .set_fast("raw"),
        );
        // A short passage (primary cause, customer impact) for the browser's result list.
        let summary = b.add_text_field("summary", TextOptions::default().set_fast("raw"));
        let customer_name = b.add_text_field("customer_name", TextOptions::default().set_fast("raw"));
        let owner_name = b.add_text_field("owner_name", TextOptions::default().set_fast("raw"));
        let date = DateOptions::from(INDEXED | STORED | FAST).set_precision(DateTimePrecision::Seconds);
        let started = b.add_date_field("started", date.clone());
        let signed_off = b.add_date_field("signed_off", date);
        let schema = b.build();
        let get = |name: &str| schema.get_field(name).expect("field defined above");
        Fields {
            key,
            id: get("id"),
            title: get("title"),
            text: get("text"),
            severity: get("severity"),
            status: get("status"),
            year: get("year"),
            summary,
            customer_name,
            owner_name,
            started,
            signed_off,
            search,
            schema,
        }
    }

    /// The tantivy field of a searchable field.
    pub fn field(&self, f: &SearchField) -> Field {
        let i = SEARCH_FIELDS.iter().position(|s| s.name == f.name).expect("a field of SEARCH_FIELDS");
        self.search[i]
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

/// The prose analyzer: tantivy's `en_stem` chain (split on non-alphanumerics, drop tokens of
/// 40 bytes or more, lowercase, Snowball English), with the stems memoized ([`CachedStemmer`]).
pub fn en_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(CachedStemmer)
        .build()
}

/// The prose analyzer without its stemmer: the words as records write them, lowercased (the
/// browser's vocabulary, `w/` in the search export).
pub fn en_surface_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// The whole-value analyzer: one lowercased token.
pub fn kw_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser).build()
}

/// Registers both analyzers on an index (they are not persisted by tantivy).
pub fn register(index: &Index) {
    index.tokenizers().register(EN, en_analyzer());
    index.tokenizers().register(KW, kw_analyzer());
}

/// The analyzer of a searchable field.
pub fn analyzer(a: Analyzer) -> TextAnalyzer {
    match a {
        Analyzer::En => en_analyzer(),
        Analyzer::Kw => kw_analyzer(),
    }
}

/// The tokens of `text` as the field's analyzer produces them: (position, term).
pub fn tokens(a: Analyzer, text: &str) -> Vec<(usize, String)> {
    let mut analyzer = analyzer(a);
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    stream.process(&mut |t| out.push((t.position, t.text.clone())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_stems_and_lowercases() {
        let toks: Vec<String> =
            tokens(Analyzer::En, "Connections LEAKING; leaked leak").into_iter().map(|t| t.1).collect();
        assert_eq!(toks, ["connect", "leak", "leak", "leak"]);
    }

    #[test]
    fn keyword_keeps_the_whole_value() {
        assert_eq!(tokens(Analyzer::Kw, "INC-2025-0023"), [(0, "inc-2025-0023".to_string())]);
    }

    #[test]
    fn long_tokens_are_dropped_but_keep_their_position() {
        let long = "x".repeat(40);
        let toks = tokens(Analyzer::En, &format!("a {long} b"));
        assert_eq!(toks, [(0, "a".to_string()), (2, "b".to_string())]);
    }

    /// `tests/browser/fixtures/analyzer.jsonl` holds texts and the tokens both analyzers give;
    /// `search.js` is tested against the same file, so both sides tokenize and stem alike.
    /// `ANALYZER_FIXTURE_WORDS=<file of lines>` rewrites it from a list of texts.
    #[test]
    fn browser_analyzer_fixture_matches_tantivy() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/fixtures/analyzer.jsonl");
        let line = |a: Analyzer, text: &str| {
            let name = a.name();
            serde_json::to_string(&serde_json::json!([name, text, tokens(a, text)])).unwrap()
        };
        if let Ok(words) = std::env::var("ANALYZER_FIXTURE_WORDS") {
            let mut out = String::new();
            for text in std::fs::read_to_string(words).unwrap().lines().filter(|l| !l.is_empty()) {
                out.push_str(&line(Analyzer::En, text));
                out.push('\n');
                if !text.chars().all(|c| c.is_ascii_lowercase()) {
                    out.push_str(&line(Analyzer::Kw, text));
                    out.push('\n');
                }
            }
            std::fs::write(&path, out).unwrap();
        }
        let fixture = std::fs::read_to_string(&path).unwrap();
        let mut n = 0;
        for l in fixture.lines() {
            let (a, text, _): (String, String, serde_json::Value) = serde_json::from_str(l).unwrap();
            let a = if a == EN { Analyzer::En } else { Analyzer::Kw };
            assert_eq!(line(a, &text), l);
            n += 1;
        }
        assert!(n > 10_000, "{n} lines");
    }

    #[test]
    fn fields_resolve_case_insensitively_and_by_alias() {
        assert_eq!(resolve_field("Root_Cause").unwrap().name, "root_cause");
        assert_eq!(resolve_field("contributing_factors").unwrap().name, "factors");
        assert!(resolve_field("nope").is_none());
        assert_eq!(Fields::new().search.len(), SEARCH_FIELDS.len());
    }
}
