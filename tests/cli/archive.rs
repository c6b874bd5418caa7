//! Integration tests of `archive`.
