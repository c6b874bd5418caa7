//! incident-archive: signed-off incident postmortems → a tamper-evident archive, a tantivy index
//! for auditors, and a static site that engineers read and auditors open from disk.
//!
//! Stages, imports flowing one way: [`record`] → [`archive`] → [`index`] → [`site`], with
//! [`config`] read by all. [`text`] says how every output shows the characters of record text
//! that are not text (controls, bidi overrides). [`fsx`], at the bottom, is the one file-system
//! layer (locks, atomic writes, durability barriers, sweeps) that the archive, the index and the
//! site share. Long steps report through [`progress::Progress`]; only the binary draws it. The
//! command line (arguments, commands, the nightly pipeline, exit codes) is the binary's
//! (`src/main.rs`), not this library's.

pub mod archive;
pub mod config;
pub mod evidence;
pub mod fsx;
pub mod index;
pub mod note;
pub mod progress;
pub mod record;
pub mod site;
pub mod text;
