//! Integration tests of `site`.
