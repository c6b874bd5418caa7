//! The integration tests: one binary driving the built `incident-archive` in temp dirs.

mod common;

mod adversarial;
mod archive;
mod build;
mod check;
mod compat;
mod docs;
mod evidence;
mod explain;
mod export_search;
mod hostile;
mod index;
mod purge;
mod s3;
mod seaweed;
mod shapes;
mod sidecar;
mod signing;
mod site;
mod site_evidence;
mod site_exports;
