//! `search`: tantivy queries with filters, snippets and facet counts.

use chrono::NaiveDate;

use super::{Context, Outcome};

#[derive(Debug)]
pub struct Options {
    pub query: String,
    pub severity: Vec<String>,
    pub customer: Vec<String>,
    pub owner: Vec<String>,
    pub status: Vec<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub limit: usize,
    pub json: bool,
    pub facets: bool,
}

pub fn run(_ctx: &Context, _o: Options) -> anyhow::Result<Outcome> {
    anyhow::bail!("`search` is not implemented yet")
}
