//! Integration tests of `build`.
