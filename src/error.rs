//! The application's one error type: whatever a command can fail with, the stage error it wraps
//! kept typed (never turned into a string), and the exit code it means ([`Error::code`], as in
//! `just`). A command returns `Result<Outcome, Error>`: [`crate::commands::Outcome`] says how a
//! command that ran to its end went (0 all good, 1 a human must look), an `Error` that it could
//! not (2, or 3 when another run holds the lock).
//!
//! An error is printed as its chain, outermost first, joined by `: ` ([`Error::message`]):
//! `cannot open the archive `archive`: archive/ledger.jsonl: Permission denied (os error 13)`.
//! [`ResultExt`] adds the outer sentences (`context`, `with_context`).

use std::error::Error as StdError;

use incident_archive::archive::ArchiveError;
use incident_archive::bulk::BulkError;
use incident_archive::config::ConfigError;
use incident_archive::evidence::EvidenceError;
use incident_archive::index::{IndexError, QueryError};
use incident_archive::note::publish::PublishError;
use incident_archive::record::DiscoverError;
use incident_archive::site::SiteError;

/// Exit code of a refusal that a human must look at (a checkpoint the archive does not extend).
pub const PROBLEMS: u8 = 1;
/// Exit code of a usage or fatal error.
pub const FATAL: u8 = 2;
/// Exit code when another run holds the archive lock (or a site's).
pub const LOCKED: u8 = 3;

/// Why a command could not finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A path given to `check`, `ingest` or `build` that cannot be used.
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error(transparent)]
    Index(#[from] IndexError),
    /// Making or reading an evidence bundle.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error(transparent)]
    Site(#[from] SiteError),
    /// Making or writing the search export (`export search`).
    #[error(transparent)]
    SearchExport(#[from] BulkError),
    /// The signed checkpoint or a key file: exit 1 when it refuses to sign over a checkpoint
    /// the archive does not extend, 2 otherwise.
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// Reading a file or writing standard output.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// Formatting into a `String`, which does not fail in practice.
    #[error(transparent)]
    Fmt(#[from] std::fmt::Error),
    /// A query the search cannot run, shown with a caret under the column it names.
    #[error("invalid query: {}{}", error.message, caret(query, error.column))]
    Query { query: String, error: QueryError },
    /// A search found the index missing or damaged while another run holds the archive lock,
    /// so that run is probably rewriting it: exit 3, as for the lock itself.
    #[error("{index}; another run is updating it")]
    IndexBusy {
        index: Box<IndexError>,
        #[source]
        locked: ArchiveError,
    },
    /// A sentence of the application's own (a usage mistake, a purged record's bytes asked for),
    /// or the library's where it reports a problem as a sentence (an object that does not match
    /// its hash).
    #[error("{0}")]
    Message(String),
    /// What was being done when `source` happened.
    #[error("{context}")]
    Context { context: String, source: Box<Error> },
}

impl Error {
    /// An error of the application's own words.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::Message(message.into())
    }

    /// The process exit code: [`LOCKED`] (3) when another run holds the archive's lock or the
    /// site's, or a search met an index that such a run is rewriting; [`PROBLEMS`] (1) when a
    /// checkpoint was not signed because the archive does not extend the one already signed;
    /// [`FATAL`] (2) otherwise.
    pub fn code(&self) -> u8 {
        match self {
            Error::Archive(ArchiveError::Locked { .. })
            | Error::Site(SiteError::Locked { .. })
            | Error::Evidence(EvidenceError::Archive(ArchiveError::Locked { .. }))
            | Error::SearchExport(BulkError::Archive(ArchiveError::Locked { .. }))
            | Error::IndexBusy { .. } => LOCKED,
            Error::Context { source, .. } => source.code(),
            Error::Publish(e) if e.is_refusal() => PROBLEMS,
            Error::Publish(PublishError::Archive(ArchiveError::Locked { .. })) => LOCKED,
            _ => FATAL,
        }
    }

    /// The error and its causes, outermost first; a wrapped stage error stands for itself (not
    /// for the variant that wraps it), so that it can be downcast.
    pub fn chain(&self) -> Vec<&(dyn StdError + 'static)> {
        let mut chain = Vec::new();
        let mut e = self;
        while let Error::Context { source, .. } = e {
            chain.push(e as &(dyn StdError + 'static));
            e = source;
        }
        chain.extend(std::iter::successors(Some(e.inner()), |&c| c.source()));
        chain
    }

    /// The chain as one line: each error's text, joined by `: `.
    pub fn message(&self) -> String {
        self.chain().iter().map(ToString::to_string).collect::<Vec<_>>().join(": ")
    }

    /// The error came from writing to a pipe whose reader is gone (`| head`): the reader has
    /// what it wanted, and the command ends quietly.
    pub fn is_broken_pipe(&self) -> bool {
        self.chain().into_iter().any(|c| {
            c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                || c.downcast_ref::<serde_json::Error>()
                    .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
        })
    }

    /// The wrapped error of a transparent variant, else the error itself.
    fn inner(&self) -> &(dyn StdError + 'static) {
        match self {
            Error::Archive(e) => e,
            Error::Config(e) => e,
            Error::Discover(e) => e,
            Error::Index(e) => e,
            Error::Evidence(e) => e,
            Error::Site(e) => e,
            Error::SearchExport(e) => e,
            Error::Publish(e) => e,
            Error::Io(e) => e,
            Error::Json(e) => e,
            Error::Fmt(e) => e,
            Error::Query { .. } | Error::IndexBusy { .. } | Error::Message(_) | Error::Context { .. } => self,
        }
    }
}

/// The query again under the message, with a caret under `column` (1-based), when it has one.
fn caret(query: &str, column: Option<usize>) -> String {
    match column {
        Some(col) => format!("\n  {query}\n  {}^", " ".repeat(col.saturating_sub(1))),
        None => String::new(),
    }
}

/// Says what was being done when an error happened, keeping the error as the source (anyhow's
/// `Context`, for this error type).
pub trait ResultExt<T> {
    /// Wraps the error in `context`.
    fn context(self, context: impl Into<String>) -> Result<T, Error>;
    /// Wraps the error in the sentence `f` makes, made only on error.
    fn with_context<S: Into<String>>(self, f: impl FnOnce() -> S) -> Result<T, Error>;
}

impl<T, E: Into<Error>> ResultExt<T> for Result<T, E> {
    fn context(self, context: impl Into<String>) -> Result<T, Error> {
        self.map_err(|e| Error::Context { context: context.into(), source: Box::new(e.into()) })
    }

    fn with_context<S: Into<String>>(self, f: impl FnOnce() -> S) -> Result<T, Error> {
        self.map_err(|e| Error::Context { context: f().into(), source: Box::new(e.into()) })
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn locked() -> ArchiveError {
        ArchiveError::Locked { path: PathBuf::from("archive/.lock") }
    }

    #[test]
    fn the_lock_is_exit_3_however_deep_and_the_rest_exit_2() {
        assert_eq!(Error::from(locked()).code(), LOCKED);
        let site = SiteError::Locked { path: PathBuf::from("public") };
        assert_eq!(Err::<(), _>(site).context("cannot build the site").unwrap_err().code(), LOCKED);
        let deep = Err::<(), _>(locked()).context("a").context("b").unwrap_err();
        assert_eq!(deep.code(), LOCKED);
        let missing = IndexError::Missing { path: PathBuf::from("archive/index") };
        assert_eq!(Error::IndexBusy { index: Box::new(missing), locked: locked() }.code(), LOCKED);
        assert_eq!(Error::from(ArchiveError::Invalid("bad".into())).code(), FATAL);
        assert_eq!(Error::msg("usage").code(), FATAL);
    }

    #[test]
    fn a_refusal_to_sign_is_exit_1_and_a_key_problem_exit_2() {
        let refused = PublishError::Inconsistent {
            path: PathBuf::from("archive/checkpoint"),
            old_size: 9,
            old_root: "a".into(),
            new_size: 8,
            new_root: "b".into(),
            why: "the old tree is larger".into(),
        };
        assert_eq!(Err::<(), _>(refused).context("cannot sign").unwrap_err().code(), PROBLEMS);
        assert_eq!(Error::from(PublishError::KeyExists(PathBuf::from("k"))).code(), FATAL);
        assert_eq!(Error::from(PublishError::Archive(locked())).code(), LOCKED);
    }

    #[test]
    fn the_message_is_the_chain_and_the_stage_error_stays_typed() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let e = Err::<(), _>(ArchiveError::Io { path: PathBuf::from("a/ledger.jsonl"), source: io })
            .context("cannot open the archive `a`")
            .unwrap_err();
        // Every error of the chain, the stage error's source too (as the program always printed it).
        assert_eq!(e.message(), "cannot open the archive `a`: a/ledger.jsonl: denied: denied");
        assert!(e.chain()[1].downcast_ref::<ArchiveError>().is_some());
        let busy = Error::IndexBusy {
            index: Box::new(IndexError::Missing { path: PathBuf::from("i") }),
            locked: locked(),
        };
        assert_eq!(
            busy.message(),
            "no index at `i`: run `incident-archive index` first; another run is updating it: \
             `archive/.lock` is locked by another run"
        );
        let missing = IndexError::Missing { path: PathBuf::from("i") };
        let export = SiteError::Extra { what: "exporting the browser search", source: Box::new(missing) };
        let export =
            Err::<(), _>(Error::from(export)).context("cannot build the site into `public`").unwrap_err();
        assert_eq!(
            export.message(),
            "cannot build the site into `public`: exporting the browser search: no index at `i`: run \
             `incident-archive index` first"
        );
        assert!(export.chain().iter().any(|c| c.downcast_ref::<IndexError>().is_some()));
    }

    #[test]
    fn a_query_error_points_at_its_column() {
        let error = QueryError { column: Some(7), message: "expected word".into() };
        let e = Error::Query { query: "title:".into(), error };
        assert_eq!(e.message(), "invalid query: expected word\n  title:\n        ^");
        let error = QueryError { column: None, message: "unknown field `x`".into() };
        assert_eq!(Error::Query { query: "x:1".into(), error }.message(), "invalid query: unknown field `x`");
    }

    #[test]
    fn a_closed_pipe_is_seen_through_context_and_json() {
        let pipe = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(Err::<(), _>(pipe()).context("writing").unwrap_err().is_broken_pipe());
        assert!(Error::from(serde_json::Error::io(pipe())).is_broken_pipe());
        assert!(!Error::from(std::io::Error::from(std::io::ErrorKind::NotFound)).is_broken_pipe());
    }
}
