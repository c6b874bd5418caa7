//! Command-line definitions (clap). Nothing else imports clap: the commands take the argument
//! structs defined here as they are, so each option is defined once, with its default and its
//! check (a date, a number) as clap attributes. The shell completions and the manual pages are
//! made from the same definitions ([`completions`], [`man_page`]).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, CommandFactory, Parser, Subcommand};
use clap_complete::Shell;

/// Tamper-evident archive, full-text index and static site for signed-off incident postmortems.
#[derive(Debug, Parser)]
#[command(name = "incident-archive", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Cmd,
}

/// The options every command takes.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
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
    /// Private key that signs the archive's checkpoint, overriding `signing.key`.
    #[arg(long, global = true, value_name = "FILE")]
    pub signing_key: Option<PathBuf>,
}

/// The subcommands, each with its arguments.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Parse records and run the sign-off gate without archiving anything.
    Check(CheckArgs),
    /// Archive accepted records: new objects and ledger entries.
    Ingest(IngestArgs),
    /// Re-hash every object, check the ledger chain, the Merkle root and the retention fields.
    Verify(VerifyArgs),
    /// Show an archived record with its provenance.
    #[command(disable_version_flag = true)]
    Show(ShowArgs),
    /// Print an RFC 6962 inclusion proof for a record's latest ledger entry.
    #[command(disable_version_flag = true)]
    Proof(ProofArgs),
    /// Check an inclusion proof (the JSON printed by `proof`) against an archive root.
    VerifyProof(VerifyProofArgs),
    /// Retention: what expires when, legal holds, and disposal.
    #[command(subcommand)]
    Retention(RetentionCmd),
    /// Update the full-text index from the archive.
    Index(IndexArgs),
    /// Search the archive (tantivy query syntax).
    Search(SearchArgs),
    /// Render the static site from the archive.
    Site(SiteArgs),
    /// The nightly job: ingest, index, site, verify, and a summary.
    Build(BuildArgs),
    /// Signing keys for the archive's checkpoints (Ed25519, C2SP signed-note format).
    #[command(subcommand)]
    Key(KeyCmd),
    /// Prove that the archive extends the tree of a checkpoint kept from earlier.
    Consistency(ConsistencyArgs),
    /// Export what an auditor takes away.
    #[command(subcommand)]
    Export(ExportCmd),
    /// Check an evidence bundle (a folder or a `.tar.gz`): sums, originals, proofs, signature.
    VerifyBundle(VerifyBundleArgs),
    /// Print the completion script of a shell (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of the program, or of one of its commands.
    Man(ManArgs),
}

/// `check [PATHS…] [--json] [--explain]`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders (recursing into `*.md`); default: the inbox (`records/`).
    pub paths: Vec<PathBuf>,
    /// Print the parsed model and diagnostics as JSON.
    #[arg(long)]
    pub json: bool,
    /// For one file: where each kept field came from (line, label, heading, front matter,
    /// sidecar), or why it is empty.
    #[arg(long)]
    pub explain: bool,
}

/// `ingest [PATHS…] [--json]`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or folders (recursing into `*.md`); default: the inbox (`records/`).
    pub paths: Vec<PathBuf>,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `verify [--json]`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Print the problems and notes as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `show ID [--json | --raw] [--version N]`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Record id (`INC-2025-0023`).
    pub id: String,
    /// The parsed model and provenance as JSON.
    #[arg(long, conflicts_with = "raw")]
    pub json: bool,
    /// The original bytes, exactly as archived.
    #[arg(long)]
    pub raw: bool,
    /// Version number (1 is the first ingest); default: the latest.
    #[arg(long, value_name = "N")]
    pub version: Option<u32>,
}

/// `proof ID [--version N]`.
#[derive(Debug, Args)]
pub struct ProofArgs {
    pub id: String,
    /// Version number; default: the latest.
    #[arg(long, value_name = "N")]
    pub version: Option<u32>,
}

/// `verify-proof [FILE] [--root HEX]`.
#[derive(Debug, Args)]
pub struct VerifyProofArgs {
    /// Proof file; `-` or nothing reads standard input.
    pub proof: Option<PathBuf>,
    /// The root to check against (hex); default: the root recorded in the proof.
    #[arg(long, value_name = "HEX")]
    pub root: Option<String>,
}

/// `retention report|hold|release|purge`, each with its arguments.
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

/// `index [--rebuild]`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Recreate the index from the ledger instead of updating it.
    #[arg(long)]
    pub rebuild: bool,
}

/// `search QUERY [filters…] [--limit N] [--facets] [--json]`.
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

/// `site [--out DIR] [--templates DIR] [--as-of DATE]`.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// Output folder; default from the configuration (`public/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Folder of templates and assets overriding the embedded defaults.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Build date (`YYYY-MM-DD`); default: `SOURCE_DATE_EPOCH` or today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
}

/// `build [PATHS…] [--json] [--report FILE] [--as-of DATE]`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Inbox folders or files; default from the configuration (`records/`).
    pub paths: Vec<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the JSON summary to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Build date (`YYYY-MM-DD`); default: `SOURCE_DATE_EPOCH` or today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
}

/// `key generate|public`.
#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// Write a new private key (mode 0600, never over a file) and print its verifier key.
    Generate {
        /// The key's name, which signature lines carry (no `+`, no white space): the log's
        /// origin is a good choice.
        #[arg(long)]
        name: String,
        /// The private key file to create.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the verifier key of a private key file.
    Public {
        /// The private key file.
        #[arg(value_name = "FILE")]
        key: PathBuf,
    },
}

/// `consistency OLD_CHECKPOINT [--vkey KEY|FILE] [--json]`.
#[derive(Debug, Args)]
pub struct ConsistencyArgs {
    /// A checkpoint kept from earlier (`archive/checkpoint` of that time), signed or not.
    #[arg(value_name = "OLD_CHECKPOINT")]
    pub old: PathBuf,
    /// The verifier key (`name+keyid+base64`, or a file holding it) whose signature the old
    /// checkpoint must carry; without it the signature is not checked.
    #[arg(long, value_name = "KEY|FILE")]
    pub vkey: Option<String>,
    /// Print the checkpoints, the proof and the verdict as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `export evidence|search`.
#[derive(Debug, Subcommand)]
pub enum ExportCmd {
    /// An evidence bundle: records' originals, ledger entries, inclusion proofs, a signed
    /// checkpoint, `SHA256SUMS`, a checker script and `VERIFY.md`.
    Evidence(EvidenceArgs),
    /// The search index's documents for OpenSearch / Elasticsearch (`_bulk` NDJSON) or
    /// Quickwit (NDJSON), one file per range of ledger entries.
    Search(SearchExportArgs),
}

/// The formats of `export search`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SearchFormat {
    /// OpenSearch / Elasticsearch `_bulk` NDJSON: action lines (`index`, `delete`) and documents.
    Opensearch,
    /// One document a line (`quickwit index ingest`), and the purges and replaced documents as
    /// Quickwit delete tasks in a `.deletes.ndjson` file.
    Ndjson,
}

/// `export search --format opensearch|ndjson [--since-seq N] [--index NAME] --out DIR`.
#[derive(Debug, Args)]
pub struct SearchExportArgs {
    /// The format of the files.
    #[arg(long, value_enum)]
    pub format: SearchFormat,
    /// Only the changes of the ledger entries after this one (the last number of the previous
    /// export's file name); default: every current record.
    #[arg(long, value_name = "N")]
    pub since_seq: Option<u64>,
    /// The OpenSearch index the `_bulk` action lines name.
    #[arg(long, value_name = "NAME", default_value = "incidents")]
    pub index: String,
    /// The folder to write into (created when missing): `search-FIRST-LAST.ndjson` (and
    /// `search-FIRST-LAST.deletes.ndjson` for `ndjson`).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `export evidence [ID…] [--query Q] [--customer C] [--since DATE] [--until DATE] --out PATH`.
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Record ids; default: every record (selectors combine with AND).
    pub ids: Vec<String>,
    /// Records the search finds with this query (tantivy syntax), every hit.
    #[arg(long, value_name = "Q")]
    pub query: Option<String>,
    /// Incidents that affected this customer, as named in the records (repeat for several).
    #[arg(long, value_name = "C")]
    pub customer: Vec<String>,
    /// Incidents that started on or after this date.
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Incidents that started on or before this date.
    #[arg(long, value_name = "DATE")]
    pub until: Option<NaiveDate>,
    /// Where to write: a `.tar.gz` file, or else a folder that must not exist or be empty. The
    /// checkpoint is signed with `--signing-key` or `signing.key`, unsigned without either.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
}

/// `verify-bundle PATH [--vkey KEY] [--json]`.
#[derive(Debug, Args)]
pub struct VerifyBundleArgs {
    /// The bundle: a folder, or a `.tar.gz` made by `export evidence`.
    pub path: PathBuf,
    /// The verifier key (`name+keyid+base64`) you hold from elsewhere than the bundle: the
    /// checkpoint must be signed by it and the bundle's `checkpoint.pub` must be it.
    #[arg(long, value_name = "KEY")]
    pub vkey: Option<String>,
    /// Print the checks and failures as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `man [COMMAND…]`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command (`check`, `retention purge`): its page instead of the program's.
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// The name the program is called by, in the completion scripts and the manual pages.
const BIN: &str = "incident-archive";

/// The completion script of `shell` for every visible command and option.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut script);
    script
}

/// The manual page (roff) of the program, or of the visible command that `command` names, one
/// word per level (`["retention", "purge"]` gives `incident-archive-retention-purge(1)`, the page
/// the program's own lists under SUBCOMMANDS); `None` when there is no such command.
pub fn man_page(command: &[String]) -> Option<Vec<u8>> {
    let mut cmd = Cli::command().bin_name(BIN).disable_help_subcommand(true);
    cmd.build();
    let mut page = &cmd;
    for word in command {
        page = page.get_subcommands().find(|c| c.get_name() == word && !c.is_hide_set())?;
    }
    let mut roff = Vec::new();
    clap_mangen::Man::new(page.clone()).render(&mut roff).expect("writing to memory does not fail");
    Some(roff)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    /// Every visible command, as the words that name it (`["retention", "purge"]`).
    fn visible_commands() -> Vec<Vec<String>> {
        fn walk(cmd: &clap::Command, path: &[String], out: &mut Vec<Vec<String>>) {
            for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
                let mut words = path.to_vec();
                words.push(sub.get_name().to_string());
                walk(sub, &words, out);
                out.push(words);
            }
        }
        let mut out = Vec::new();
        walk(&Cli::command(), &[], &mut out);
        out
    }

    #[test]
    fn the_bash_script_and_the_man_pages_cover_every_command() {
        let commands = visible_commands();
        assert!(commands.len() > 15, "{commands:?}");
        let bash = String::from_utf8(completions(Shell::Bash)).unwrap();
        let main = String::from_utf8(man_page(&[]).unwrap()).unwrap().replace("\\-", "-");
        assert!(main.starts_with(".ie") && main.contains("\n.TH incident-archive 1 "), "{main}");
        for words in &commands {
            let name = words.last().unwrap();
            assert!(bash.contains(&format!(",{name})")), "bash completes `{}`", words.join(" "));
            let page = String::from_utf8(man_page(words).unwrap()).unwrap().replace("\\-", "-");
            assert!(page.contains(&format!(".TH incident-archive-{} 1 ", words.join("-"))), "{page}");
            if let [top] = words.as_slice() {
                assert!(main.contains(&format!("incident-archive-{top}(1)")), "{top} in {main}");
            }
        }
        assert!(man_page(&["retention".to_string(), "nope".to_string()]).is_none());
    }
}
