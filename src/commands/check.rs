//! `check`: parse records and run the sign-off gate, archiving nothing.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use rayon::prelude::*;
use serde::Serialize;

use super::{Context, Outcome};
use crate::record::{self, Diagnostic, Incident, Level, Parsed};

#[derive(Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub json: bool,
}

/// One checked file.
pub struct Checked {
    pub path: PathBuf,
    pub parsed: Parsed,
}

/// Records parsed at a time: enough to keep both cores busy, few enough to keep memory small.
const CHUNK: usize = 512;

/// Reads and parses `files` in parallel, in their order.
pub fn check_files(files: &[PathBuf]) -> Vec<Checked> {
    files.par_iter().map(|path| Checked { path: path.clone(), parsed: record::parse_file(path).1 }).collect()
}

pub fn run(ctx: &Context, o: Options) -> anyhow::Result<Outcome> {
    let single_file = o.paths.len() == 1 && o.paths[0].is_file();
    let paths = if o.paths.is_empty() { vec![ctx.config.inbox.clone()] } else { o.paths };
    let files = match record::discover(&paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {}", super::term(&e.to_string()));
            return Ok(Outcome::Fatal);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut rejected, mut warnings) = (0usize, 0usize);
    let array = o.json && !(single_file && files.len() == 1);
    if array {
        write!(out, "[")?;
    }
    // In chunks, so that memory stays bounded however many records there are.
    for (n, chunk) in files.chunks(CHUNK).enumerate() {
        for (i, c) in check_files(chunk).iter().enumerate() {
            rejected += usize::from(!c.parsed.accepted());
            warnings += c.parsed.warnings().count();
            if o.json {
                if array {
                    writeln!(out, "{}", if n == 0 && i == 0 { "" } else { "," })?;
                }
                let json = serde_json::to_string_pretty(&report(c)).context("writing JSON")?;
                write!(out, "{}", crate::text::json(&json))?;
                continue;
            }
            for d in &c.parsed.diagnostics {
                if !(ctx.out.quiet && d.level == Level::Warning) {
                    writeln!(out, "{}", paint(d, ctx.out.color))?;
                }
            }
            if c.parsed.accepted() {
                ctx.out.detail(format_args!("ok {}", c.path.display()));
            }
        }
    }
    if array {
        write!(out, "{}]", if files.is_empty() { "" } else { "\n" })?;
    }
    if o.json {
        writeln!(out)?;
    } else if !ctx.out.quiet {
        let noun = if files.len() == 1 { "record" } else { "records" };
        let warn_noun = if warnings == 1 { "warning" } else { "warnings" };
        writeln!(
            out,
            "checked {} {noun}: {} accepted, {rejected} rejected, {warnings} {warn_noun}",
            files.len(),
            files.len() - rejected,
        )?;
    }
    out.flush()?;
    if files.is_empty() {
        ctx.out.info(format_args!(
            "note: no `*.md` records under {}",
            paths.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(if rejected > 0 { Outcome::Problems } else { Outcome::Ok })
}

/// The record's model with its keys at the top level (in the model's order), then `path`,
/// `accepted` and `diagnostics`.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    incident: Option<&'a Incident>,
    path: String,
    accepted: bool,
    diagnostics: &'a [Diagnostic],
}

fn report(c: &Checked) -> Report<'_> {
    Report {
        incident: c.parsed.incident.as_ref(),
        path: c.path.display().to_string(),
        accepted: c.parsed.accepted(),
        diagnostics: &c.parsed.diagnostics,
    }
}

/// `path:line: error[rule]: message`, with the level coloured on a terminal; the record text
/// and path in it cannot drive the terminal ([`super::term`]).
fn paint(d: &Diagnostic, color: bool) -> String {
    if !color {
        return super::term(&d.to_string()).into_owned();
    }
    let (word, code) = match d.level {
        Level::Error => ("error", "1;31"),
        Level::Warning => ("warning", "1;33"),
    };
    let path = d.path.display().to_string();
    let (path, message) = (super::term(&path), super::term(&d.message));
    format!("{path}:{}: \x1b[{code}m{word}[{}]\x1b[0m: {message}", d.line, d.rule)
}
