//! The integration tests: one binary driving the built `incident-archive` in temp dirs.

mod common;

mod archive;
mod build;
mod check;
mod index;
mod shapes;
mod site;
