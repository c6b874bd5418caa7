//! incident-archive: signed-off incident postmortems → a tamper-evident archive, a tantivy index
//! for auditors, and a static site that engineers read and auditors open from disk.
//!
//! Stages, imports flowing one way: [`record`] → [`archive`] → [`index`] → [`site`];
//! [`commands`] drive them, [`cli`] is the only user of clap. [`text`] says how every output shows
//! the characters of record text that are not text (controls, bidi overrides).

pub mod archive;
pub mod cli;
pub mod commands;
pub mod config;
pub mod corpus;
pub mod index;
pub mod note;
pub mod pipeline;
pub mod record;
pub mod site;
pub mod text;
