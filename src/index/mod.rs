//! The tantivy full-text index over the archive: schema, incremental indexing, queries, snippets,
//! and the export of terms and postings for the browser search.
