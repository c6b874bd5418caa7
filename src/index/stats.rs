//! BM25 statistics over live documents only, so that scores do not depend on segment history.
//!
//! tantivy's own statistics count deleted documents until a merge drops them (`max_doc`, the
//! term dictionary's `doc_freq`, the segment's token total), so an index updated incrementally
//! would rank slightly differently from a rebuilt one. These count what is searchable now:
//! live documents, live postings, and the field lengths of live documents as their fieldnorms
//! record them. The browser export uses the very same numbers.

use std::collections::HashMap;
use std::sync::Mutex;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

/// Live-document statistics, computed lazily and cached per field and term.
pub struct LiveStats<'a> {
    searcher: &'a Searcher,
    tokens: Mutex<HashMap<Field, u64>>,
    freqs: Mutex<HashMap<Term, u64>>,
}

impl<'a> LiveStats<'a> {
    /// Statistics of what `searcher` sees.
    pub fn new(searcher: &'a Searcher) -> Self {
        LiveStats { searcher, tokens: Mutex::default(), freqs: Mutex::default() }
    }

    /// Number of live documents.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Sum over live documents of the field length their fieldnorm id stands for.
    pub fn field_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(n) = self.tokens.lock().expect("no poisoning").get(&field) {
            return Ok(*n);
        }
        let mut total = 0u64;
        for reader in self.searcher.segment_readers() {
            let Some(norms) = reader.fieldnorms_readers().get_field(field)? else { continue };
            let alive = reader.alive_bitset();
            for doc in 0..reader.max_doc() {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    total += u64::from(FieldNormReader::id_to_fieldnorm(norms.fieldnorm_id(doc)));
                }
            }
        }
        self.tokens.lock().expect("no poisoning").insert(field, total);
        Ok(total)
    }

    /// Number of live documents containing `term`.
    pub fn live_doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(n) = self.freqs.lock().expect("no poisoning").get(term) {
            return Ok(*n);
        }
        let mut n = 0u64;
        for reader in self.searcher.segment_readers() {
            let inverted = reader.inverted_index(term.field())?;
            let Some(info) = inverted.get_term_info(term)? else { continue };
            match reader.alive_bitset() {
                None => n += u64::from(info.doc_freq),
                Some(alive) => {
                    let postings = inverted.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
                    n += u64::from(postings.doc_freq_given_deletes(alive));
                }
            }
        }
        self.freqs.lock().expect("no poisoning").insert(term.clone(), n);
        Ok(n)
    }
}

impl Bm25StatisticsProvider for LiveStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.field_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.num_docs())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.live_doc_freq(term)
    }
}
