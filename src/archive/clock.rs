//! The archive's clock: the time written into ledger entries and the "today" of retention.
//!
//! Two clocks, on purpose:
//! - [`system_now`] is the system clock, always. What may not happen early is bounded by it:
//!   `retention purge` ([`purge_now`]: which records are past `retain_until`, and the time
//!   its entries carry) and `verify`'s check that no entry is dated in the future.
//! - [`now`] is the time of ledger entries (ingest, new versions, holds). In a debug
//!   build, the one the tests drive, `INCIDENT_ARCHIVE_NOW` (RFC 3339, e.g.
//!   `2026-01-31T02:00:00Z`) fixes it, so that ingesting the same records into an empty archive
//!   gives the same ledger bytes and the same root. A release build has no such override: it
//!   ignores the variable and says so once on standard error.
//!
//! Which clock applies is decided by [`source`], a pure function of the kind of build and the
//! variable's value, so that both kinds of build are tested by the one `cargo test` runs.

use std::sync::Once;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

use super::error::ArchiveError;

/// The environment variable that fixes the clock of a debug build (ignored by a release build).
pub const NOW_VAR: &str = "INCIDENT_ARCHIVE_NOW";

/// True in a build with debug assertions (`cargo build`, `cargo test`): the only kind of build
/// that honours [`NOW_VAR`].
pub const OVERRIDE_ALLOWED: bool = cfg!(debug_assertions);

/// Where [`now`] takes the time from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The system clock; the variable is not set.
    System,
    /// The fixed time of [`NOW_VAR`] (debug builds only).
    Fixed(DateTime<Utc>),
    /// The system clock; the variable is set, and ignored because this is a release build.
    Ignored,
}

/// Where the clock comes from, given whether this build allows the override (`debug_build`)
/// and the value of [`NOW_VAR`] (`None` when unset; blank counts as unset). A release build
/// never reads the value: a bad one is not even an error there.
pub fn source(debug_build: bool, value: Option<&str>) -> Result<Source, ArchiveError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(Source::System),
        Some(_) if !debug_build => Ok(Source::Ignored),
        Some(v) => parse(v).map(Source::Fixed),
    }
}

/// The source of this process's clock.
fn this_source() -> Result<Source, ArchiveError> {
    let value = std::env::var(NOW_VAR).ok();
    let s = source(OVERRIDE_ALLOWED, value.as_deref())?;
    if s == Source::Ignored {
        static WARNED: Once = Once::new();
        WARNED.call_once(|| eprintln!("warning: {}", ignored_message()));
    }
    Ok(s)
}

/// The warning a release build prints (once) when [`NOW_VAR`] is set.
pub fn ignored_message() -> String {
    format!("`{NOW_VAR}` is set but ignored: a release build always uses the system clock")
}

/// The time of an ordinary ledger entry, in whole seconds: the system clock, or in a debug
/// build the fixed time of [`NOW_VAR`].
pub fn now() -> Result<DateTime<Utc>, ArchiveError> {
    match this_source()? {
        Source::Fixed(t) => Ok(t),
        Source::System | Source::Ignored => Ok(system_now()),
    }
}

/// Today's UTC date by [`now`] (the default date of reports).
pub fn today() -> Result<NaiveDate, ArchiveError> {
    Ok(now()?.date_naive())
}

/// The time of a purge: the system clock, or the earlier time of [`now`]. A debug build's
/// fixed clock can hold a purge back (so that tests give the same ledger every day), never
/// move it forward: no record is ever purged before the system clock has passed its
/// `retain_until`.
pub fn purge_now() -> Result<DateTime<Utc>, ArchiveError> {
    Ok(now()?.min(system_now()))
}

/// The system clock in whole seconds, whatever [`NOW_VAR`] says.
pub fn system_now() -> DateTime<Utc> {
    // Only for the warning of a release build; the value is never used here.
    let _ = this_source();
    Utc::now().trunc_subsecs(0)
}

fn parse(v: &str) -> Result<DateTime<Utc>, ArchiveError> {
    DateTime::parse_from_rfc3339(v).map(|t| t.with_timezone(&Utc).trunc_subsecs(0)).map_err(|e| {
        ArchiveError::Invalid(format!(
            "`{NOW_VAR}`: `{v}` is not an RFC 3339 time ({e}); e.g. `2026-01-31T02:00:00Z`"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_times_are_parsed_to_whole_utc_seconds() {
        assert_eq!(parse("2026-01-31T03:00:00.75+01:00").unwrap().to_rfc3339(), "2026-01-31T02:00:00+00:00");
        assert!(parse("yesterday").unwrap_err().to_string().contains(NOW_VAR));
    }

    #[test]
    fn a_debug_build_takes_the_fixed_time() {
        let t: DateTime<Utc> = "2099-01-02T00:00:00Z".parse().unwrap();
        assert_eq!(source(true, Some("2099-01-02T00:00:00Z")).unwrap(), Source::Fixed(t));
        assert_eq!(source(true, None).unwrap(), Source::System);
        assert_eq!(source(true, Some("  ")).unwrap(), Source::System);
        assert!(source(true, Some("yesterday")).is_err());
    }

    #[test]
    fn a_release_build_ignores_the_variable_whatever_its_value() {
        assert_eq!(source(false, Some("2099-01-02T00:00:00Z")).unwrap(), Source::Ignored);
        assert_eq!(source(false, Some("yesterday")).unwrap(), Source::Ignored);
        assert_eq!(source(false, None).unwrap(), Source::System);
        assert_eq!(source(false, Some("")).unwrap(), Source::System);
        assert!(ignored_message().contains(NOW_VAR));
    }

    #[test]
    fn this_test_build_is_the_kind_that_allows_the_override() {
        // `cargo test` builds with debug assertions; a `--release` test run would not.
        assert_eq!(OVERRIDE_ALLOWED, cfg!(debug_assertions));
        assert_eq!(system_now().timestamp_subsec_nanos(), 0);
    }
}
