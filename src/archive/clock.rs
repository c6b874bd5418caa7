//! The archive's clock: the time written into ledger entries and the "today" of retention.
//!
//! `INCIDENT_ARCHIVE_NOW` (RFC 3339, e.g. `2026-01-31T02:00:00Z`) fixes it, for tests and
//! reproducible builds: ingesting the same records into an empty archive then gives the same
//! ledger bytes and the same root.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

use super::ArchiveError;

/// The environment variable that fixes the clock.
pub const NOW_VAR: &str = "INCIDENT_ARCHIVE_NOW";

/// The current time in whole seconds, or the fixed time of `INCIDENT_ARCHIVE_NOW`.
pub fn now() -> Result<DateTime<Utc>, ArchiveError> {
    match std::env::var(NOW_VAR) {
        Ok(v) if !v.trim().is_empty() => parse(v.trim()),
        _ => Ok(Utc::now().trunc_subsecs(0)),
    }
}

/// Today's UTC date by [`now`].
pub fn today() -> Result<NaiveDate, ArchiveError> {
    Ok(now()?.date_naive())
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
}
