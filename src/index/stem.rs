//! Snowball English stemming with a memo: the prose analyzer sees the same few thousand words
//! again and again (the whole text and each section are indexed), and stemming was a quarter
//! of the indexing time.
//!
//! [`CachedStemmer`] gives exactly the stems of tantivy's `Stemmer::new(Language::English)`: a
//! word not seen yet is stemmed by that very filter, then remembered.

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Words remembered per analyzer before the memo starts over (a bound on its memory).
const MAX_WORDS: usize = 200_000;

/// A token filter that stems lowercased words like tantivy's English [`Stemmer`], memoized.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter { inner: tokenizer, memo: Memo::default() }
    }
}

/// The word → stem memo and the stemmer that fills it. Its hash is rustc's Fx
/// (`rustc-hash`): words are short and not adversarial here, and SipHash was a tenth of the time
/// spent in the memo.
struct Memo {
    stems: FxHashMap<String, String>,
    stemmer: TextAnalyzer,
}

impl Default for Memo {
    fn default() -> Self {
        Memo { stems: FxHashMap::default(), stemmer: english_stemmer() }
    }
}

impl Clone for Memo {
    /// A clone starts with an empty memo (clones go to other indexing threads).
    fn clone(&self) -> Self {
        Memo::default()
    }
}

impl Memo {
    /// Replaces `word` by its stem.
    fn stem(&mut self, word: &mut String) {
        if let Some(stem) = self.stems.get(word.as_str()) {
            word.clear();
            word.push_str(stem);
            return;
        }
        let mut stem = None;
        self.stemmer.token_stream(word).process(&mut |t: &Token| stem = Some(t.text.clone()));
        let Some(stem) = stem else { return };
        if self.stems.len() >= MAX_WORDS {
            self.stems.clear();
        }
        self.stems.insert(std::mem::replace(word, stem.clone()), stem);
    }
}

/// tantivy's English stemmer on one word taken whole (a lowercased token of the prose analyzer):
/// the stem [`CachedStemmer`] gives it.
pub fn english_stemmer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(Language::English)).build()
}

/// [`CachedStemmer`] applied to a tokenizer.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    memo: Memo,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream { tail: self.inner.token_stream(text), memo: &mut self.memo }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    memo: &'a mut Memo,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        self.memo.stem(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer};

    fn run(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String, usize, usize)> {
        let mut out = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |t: &Token| out.push((t.position, t.text.clone(), t.offset_from, t.offset_to)));
        out
    }

    #[test]
    fn memoized_stems_equal_tantivys_every_time() {
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer)
            .build();
        let text = "Connections leaking; the LEAKED connection pool was exhausted, exhausting pools \
                    généralement cafés naïve 1234 runs running ran generously";
        let want = run(&mut plain, text);
        assert_eq!(run(&mut cached, text), want, "first pass: stems computed");
        assert_eq!(run(&mut cached, text), want, "second pass: stems remembered");
        assert_eq!(run(&mut cached.clone(), text), want, "a clone starts afresh");
    }
}
