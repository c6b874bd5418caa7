//! Command-line definitions (clap). Nothing else imports clap: this file turns arguments into the
//! checked option structs of `commands`.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::commands::{self, Command, Global};

/// Tamper-evident archive, full-text index and static site for signed-off incident postmortems.
#[derive(Debug, Parser)]
#[command(name = "incident-archive", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Configuration file (default: `incident-archive.yaml` in the current folder, when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Archive root, overriding the configuration.
    #[arg(long, global = true, value_name = "DIR")]
    pub archive: Option<PathBuf>,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Parse records and run the sign-off gate without archiving anything.
    Check {
        /// Files or folders (recursing into `*.md`); default: the inbox (`records/`).
        paths: Vec<PathBuf>,
        /// Print the parsed model and diagnostics as JSON.
        #[arg(long)]
        json: bool,
        /// For one file: where each kept field came from (line, label, heading, front matter,
        /// sidecar), or why it is empty.
        #[arg(long)]
        explain: bool,
    },
    /// Archive accepted records: new objects and ledger entries.
    Ingest {
        /// Files or folders (recursing into `*.md`); default: the inbox (`records/`).
        paths: Vec<PathBuf>,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Re-hash every object, check the ledger chain, the Merkle root and the retention fields.
    Verify {
        /// Print the problems and notes as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show an archived record with its provenance.
    #[command(disable_version_flag = true)]
    Show {
        /// Record id (`INC-2025-0023`).
        id: String,
        /// The parsed model and provenance as JSON.
        #[arg(long, conflicts_with = "raw")]
        json: bool,
        /// The original bytes, exactly as archived.
        #[arg(long)]
        raw: bool,
        /// Version number (1 is the first ingest); default: the latest.
        #[arg(long, value_name = "N")]
        version: Option<u32>,
    },
    /// Print an RFC 6962 inclusion proof for a record's latest ledger entry.
    #[command(disable_version_flag = true)]
    Proof {
        id: String,
        /// Version number; default: the latest.
        #[arg(long, value_name = "N")]
        version: Option<u32>,
    },
    /// Check an inclusion proof (the JSON printed by `proof`) against an archive root.
    VerifyProof {
        /// Proof file; `-` or nothing reads standard input.
        proof: Option<PathBuf>,
        /// The root to check against (hex); default: the root recorded in the proof.
        #[arg(long, value_name = "HEX")]
        root: Option<String>,
    },
    /// Retention: what expires when, legal holds, and disposal.
    #[command(subcommand)]
    Retention(RetentionCmd),
    /// Update the full-text index from the archive.
    Index {
        /// Recreate the index from the ledger instead of updating it.
        #[arg(long)]
        rebuild: bool,
    },
    /// Search the archive (tantivy query syntax).
    Search(SearchArgs),
    /// Render the static site from the archive.
    Site {
        /// Output folder; default from the configuration (`public/`).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Folder of templates and assets overriding the embedded defaults.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Build date (`YYYY-MM-DD`); default: `SOURCE_DATE_EPOCH` or today.
        #[arg(long, value_name = "DATE")]
        as_of: Option<NaiveDate>,
    },
    /// The nightly job: ingest, index, site, verify, and a summary.
    Build {
        /// Inbox folders or files; default from the configuration (`records/`).
        paths: Vec<PathBuf>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Also write the JSON summary to this file.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Build date (`YYYY-MM-DD`); default: `SOURCE_DATE_EPOCH` or today.
        #[arg(long, value_name = "DATE")]
        as_of: Option<NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RetentionCmd {
    /// Expired, expiring, on hold and purged records.
    Report {
        /// Report records expiring within this many days.
        #[arg(long, default_value_t = 90, value_name = "DAYS")]
        within: u32,
        /// Date to report as of; default: today.
        #[arg(long, value_name = "DATE")]
        as_of: Option<NaiveDate>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Put a record on legal hold: it cannot be purged until released.
    Hold {
        id: String,
        /// Why (recorded in the ledger entry).
        #[arg(long)]
        reason: String,
    },
    /// Release a legal hold.
    Release {
        id: String,
        /// Why (recorded in the ledger entry).
        #[arg(long)]
        reason: String,
    },
    /// Remove the bytes of records past `retain_until` and not on hold, keeping a `purge` entry.
    Purge {
        /// List what would be purged without changing anything.
        #[arg(long)]
        dry_run: bool,
        /// Date to purge as of; default: today.
        #[arg(long, value_name = "DATE")]
        as_of: Option<NaiveDate>,
        /// Reason recorded in each purge entry.
        #[arg(long, default_value = "retention period elapsed")]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query in tantivy syntax: `root_cause:index AND severity:P1`, `"connection pool"`, `-timeout`.
    pub query: String,
    /// Only these severities (`P1`; repeat for several).
    #[arg(long)]
    pub severity: Vec<String>,
    /// Only incidents that affected this customer, as named in the records (repeat for several).
    #[arg(long)]
    pub customer: Vec<String>,
    /// Action-item owner.
    #[arg(long)]
    pub owner: Vec<String>,
    /// Record status.
    #[arg(long)]
    pub status: Vec<String>,
    /// Incidents that started on or after this date.
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Incidents that started on or before this date.
    #[arg(long, value_name = "DATE")]
    pub until: Option<NaiveDate>,
    /// Number of hits to show.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Print hits with scores and matching fields as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print counts per severity, customer, year and owner for the matching records.
    #[arg(long)]
    pub facets: bool,
}

impl Cli {
    /// Splits the arguments into global settings and one command's options.
    pub fn into_command(self) -> (Global, Command) {
        let global =
            Global { config: self.config, archive: self.archive, quiet: self.quiet, verbose: self.verbose };
        let command = match self.command {
            Cmd::Check { paths, json, explain } => {
                Command::Check(commands::check::Options { paths, json, explain })
            }
            Cmd::Ingest { paths, json } => Command::Ingest(commands::ingest::Options { paths, json }),
            Cmd::Verify { json } => Command::Verify(commands::verify::Options { json }),
            Cmd::Show { id, json, raw, version } => {
                Command::Show(commands::show::Options { id, json, raw, version })
            }
            Cmd::Proof { id, version } => Command::Proof(commands::proof::Options { id, version }),
            Cmd::VerifyProof { proof, root } => {
                Command::VerifyProof(commands::proof::VerifyOptions { proof, root })
            }
            Cmd::Retention(r) => Command::Retention(match r {
                RetentionCmd::Report { within, as_of, json } => {
                    commands::retention::Options::Report { within_days: within, as_of, json }
                }
                RetentionCmd::Hold { id, reason } => commands::retention::Options::Hold { id, reason },
                RetentionCmd::Release { id, reason } => commands::retention::Options::Release { id, reason },
                RetentionCmd::Purge { dry_run, as_of, reason } => {
                    commands::retention::Options::Purge { dry_run, as_of, reason }
                }
            }),
            Cmd::Index { rebuild } => Command::Index(commands::index::Options { rebuild }),
            Cmd::Search(a) => Command::Search(commands::search::Options {
                query: a.query,
                severity: a.severity,
                customer: a.customer,
                owner: a.owner,
                status: a.status,
                since: a.since,
                until: a.until,
                limit: a.limit,
                json: a.json,
                facets: a.facets,
            }),
            Cmd::Site { out, templates, as_of } => {
                Command::Site(commands::site::Options { out, templates, as_of })
            }
            Cmd::Build { paths, json, report, as_of } => {
                Command::Build(commands::build::Options { paths, json, report, as_of })
            }
        };
        (global, command)
    }
}
