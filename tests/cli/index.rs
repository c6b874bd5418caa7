//! Integration tests of `index`.
