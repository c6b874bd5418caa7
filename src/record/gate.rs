//! The sign-off gate: what compliance needs before a record may be archived (a safe id, a
//! title, a closed status, a start time, an approver and a sign-off date), and the warnings for
//! inconsistencies that do not block archiving.
//!
//! The rules are listed in the module docs of [`crate::record`].

use super::Diags;
use super::header::{Header, Key, Slot};
use super::model::{Incident, Precision};
use super::values::{self, shown};

/// Moves the header values into `inc`, reading times, dates, severity, duration and retention;
/// a value that cannot be read is an error when the gate needs it, else a warning.
pub(crate) fn apply_header(header: &Header, inc: &mut Incident, diags: &mut Diags<'_>) {
    let text = |k: Key| header.get(k).map(|s| s.value.clone()).unwrap_or_default();
    if let (Some(id), Some(named)) = (header.get(Key::Id), &header.title_id)
        && id.value != named.value
    {
        diags.warn(
            named.line,
            "id-mismatch",
            format!("the title names `{}` but `Incident ID` is `{}`", shown(&named.value), shown(&id.value)),
        );
    }
    inc.id = header.get(Key::Id).or(header.title_id.as_ref()).map(|s| s.value.clone()).unwrap_or_default();
    inc.title = text(Key::Title);
    inc.status = text(Key::Status);
    inc.customer_impact = text(Key::CustomerImpact);
    inc.classification = text(Key::Classification);

    if let Some(s) = header.get(Key::Severity).filter(|s| !s.value.is_empty()) {
        match values::parse_severity(&s.value) {
            Some((level, label)) => {
                inc.severity = level;
                inc.severity_label = label;
            }
            None => diags.warn(
                s.line,
                "severity-invalid",
                format!("severity `{}` is not one of `P1`..`P5`", shown(&s.value)),
            ),
        }
    }
    let zone = header.zone();
    if let Some(s) = header.get(Key::Start).filter(|s| !s.value.is_empty()) {
        match values::parse_datetime_in(&s.value, zone)
            .map(|t| (t, false))
            .or_else(|why| moment(&s.value, zone).ok_or(why))
        {
            Ok((t, false)) => inc.started_at = Some(t),
            Ok((t, true)) => {
                inc.started_at = Some(t);
                inc.start_precision = Some(Precision::Day);
                diags.warn(
                    s.line,
                    "start-date-only",
                    format!(
                        "the start `{}` is a date without a time of day; kept as that day",
                        shown(&s.value)
                    ),
                );
            }
            Err(why) => diags.error(s.line, "start-invalid", format!("`Start Time` cannot be read: {why}")),
        }
    }
    if let Some(s) = header.get(Key::End).filter(|s| !s.value.is_empty()) {
        match values::parse_datetime_in(&s.value, zone)
            .or_else(|why| moment(&s.value, zone).filter(|m| !m.1).map(|m| m.0).ok_or(why))
        {
            Ok(t) => inc.ended_at = Some(t),
            Err(why) => diags.warn(s.line, "date-invalid", format!("`End Time` cannot be read: {why}")),
        }
    }
    // A start known to the day says nothing of the duration.
    let actual = inc
        .started_at
        .zip(inc.ended_at)
        .filter(|_| inc.start_precision.is_none())
        .map(|(a, b)| (b - a).num_seconds());
    inc.duration_seconds = actual;
    if let Some(s) = header.get(Key::Duration).filter(|s| !s.value.is_empty()) {
        inc.duration_text = Some(s.value.clone());
        match values::duration_with_precision(&s.value, None) {
            None => diags.warn(
                s.line,
                "duration-invalid",
                format!("duration `{}` cannot be read (write e.g. `44 minutes 35 seconds`)", shown(&s.value)),
            ),
            Some((stated, precision)) => match actual {
                Some(actual) if (stated - actual as f64).abs() >= precision => diags.warn(
                    s.line,
                    "duration-mismatch",
                    format!(
                        "stated duration `{}` is {} s, but `End Time` - `Start Time` is {actual} s",
                        shown(&s.value),
                        stated.round() as i64
                    ),
                ),
                Some(_) => {}
                None => inc.duration_seconds = Some(stated.round() as i64),
            },
        }
    }
    if let Some(s) = header.get(Key::Retention) {
        inc.retention.text = s.value.clone();
        inc.retention.years = values::parse_retention_years(&s.value);
        if let Some(years) = inc.retention.years.filter(|&y| y > values::MAX_RETENTION_YEARS) {
            diags.error(
                s.line,
                "retention-too-long",
                format!(
                    "retention `{}` is {years} years; the most a record may ask for is {} years",
                    shown(&s.value),
                    values::MAX_RETENTION_YEARS
                ),
            );
        }
        if inc.retention.years.is_none() {
            diags.warn(
                s.line,
                "retention-invalid",
                format!(
                    "retention `{}` states no number of years; the configured default applies",
                    shown(&s.value)
                ),
            );
        }
    }
    if let Some(s) = &header.approved_by {
        inc.sign_off.approved_by = s.value.clone();
    }
    if let Some(s) = header.sign_off_date.as_ref().filter(|s| !s.value.is_empty()) {
        match values::parse_date(&s.value) {
            Ok(d) => inc.sign_off.date = Some(d),
            Err(why) => {
                diags.error(s.line, "sign-off-date-invalid", format!("sign-off `Date` cannot be read: {why}"))
            }
        }
    }
    // A postmortem published without a status (most templates have none) is final once it is
    // signed off: an approver and a sign-off date.
    let approved = header.approved_by.as_ref().is_some_and(|a| !values::is_placeholder(&a.value));
    if header.get(Key::Status).is_none() && approved && inc.sign_off.date.is_some() {
        inc.status = "Closed".to_string();
        diags.warn(
            header.sign_off_line.unwrap_or(1),
            "status-inferred",
            "no `Status` is given; the signed-off record is taken as `Closed`",
        );
    }
}

/// A moment in the other forms people write (`Tuesday, March 5, 2024 2:30 PM PDT`), or a date
/// alone (`2015-10-21`, `March 5, 2024`) as its day's start: the instant, and whether it is a
/// day only. Only when the whole value (but a note in parentheses) is read.
fn moment(s: &str, zone: values::Zone) -> Option<(chrono::DateTime<chrono::Utc>, bool)> {
    let (stamp, end) = super::timeline::scan(s, None)?;
    let rest = s[end..].trim();
    if !(rest.is_empty() || (rest.starts_with('(') && rest.ends_with(')'))) {
        return None;
    }
    let date = stamp.date?;
    match stamp.time {
        Some(t) => Some((stamp.zone.unwrap_or(zone).to_utc(date.and_time(t)), false)),
        None => Some((date.and_time(chrono::NaiveTime::MIN).and_utc(), true)),
    }
}

/// The gate's rules and the cross-checks; `last_line` is where a missing section is reported.
pub(crate) fn check(header: &Header, inc: &Incident, last_line: usize, diags: &mut Diags<'_>) {
    let slot = |k: Key| header.get(k);
    let missing = |diags: &mut Diags<'_>, key: Key, rule: &str| match slot(key) {
        Some(s) => diags.error(s.line, rule, format!("`{}` is empty", key.name())),
        None => diags.error(
            header.missing_line(),
            rule,
            format!("no `{}` in the summary or front matter", key.name()),
        ),
    };

    if inc.id.is_empty() {
        missing(diags, Key::Id, "id-missing");
    } else if !values::is_safe_id(&inc.id) {
        let line = slot(Key::Id).or(header.title_id.as_ref()).map_or(1, |s| s.line);
        let len = if inc.id.len() > 64 { format!(" ({} bytes)", inc.id.len()) } else { String::new() };
        diags.error(
            line,
            "id-unsafe",
            format!(
                "id `{}`{len} is not of the safe form `[A-Za-z0-9][A-Za-z0-9._-]{{0,63}}`",
                shown(&inc.id)
            ),
        );
    }
    if inc.title.is_empty() {
        missing(diags, Key::Title, "title-missing");
    }
    if inc.status.is_empty() {
        missing(diags, Key::Status, "status-missing");
    } else if !values::is_closed_status(&inc.status) {
        let line = slot(Key::Status).map_or(1, |s| s.line);
        diags.error(
            line,
            "status-not-closed",
            format!(
                "status is `{}`; only a finished postmortem (`Resolved`, `Closed`, `Complete`, `Final`, `Done`, `Published`) can be archived",
                shown(&inc.status)
            ),
        );
    }
    if slot(Key::Start).is_none_or(|s| s.value.is_empty()) {
        missing(diags, Key::Start, "start-missing");
    }
    sign_off(header, last_line, diags);

    if let (Some(start), Some(end)) = (inc.started_at, inc.ended_at)
        && end < start
    {
        let line = slot(Key::End).map_or(1, |s| s.line);
        diags.warn(
            line,
            "end-before-start",
            format!(
                "`End Time` {} is before `Start Time` {}",
                end.format("%Y-%m-%d %H:%M:%S UTC"),
                start.format("%Y-%m-%d %H:%M:%S UTC")
            ),
        );
    }
    let Some(start) = inc.started_at.map(|s| s.date_naive()) else { return };
    if let (Some(date), Some(s)) = (inc.sign_off.date, &header.sign_off_date)
        && date < start
    {
        diags.warn(
            s.line,
            "sign-off-before-incident",
            format!("sign-off date {date} is before the incident started ({start})"),
        );
    }
    for (item, &line) in inc.action_items.iter().zip(&header.action_lines) {
        if let Some(due) = item.due
            && due < start
        {
            diags.warn(
                line,
                "action-due-before-incident",
                format!(
                    "action item `{}` is due {due}, before the incident started ({start})",
                    shown(&item.id)
                ),
            );
        }
    }
}

fn sign_off(header: &Header, last_line: usize, diags: &mut Diags<'_>) {
    let Some(section) = header.sign_off_line else {
        diags.error(
            last_line,
            "sign-off-missing",
            "no Sign-off section (it needs `Approved By` and `Date`): the record is not signed off",
        );
        return;
    };
    match &header.approved_by {
        None => diags.error(section, "sign-off-missing", "no `Approved By` in the Sign-off section"),
        Some(Slot { value, line, .. }) if values::is_placeholder(value) => diags.error(
            *line,
            "sign-off-missing",
            if value.is_empty() {
                "`Approved By` is empty: the record is not signed off".to_string()
            } else {
                format!("`Approved By` is `{}`, not a name: the record is not signed off", shown(value))
            },
        ),
        Some(_) => {}
    }
    match &header.sign_off_date {
        None => diags.error(section, "sign-off-date-missing", "no `Date` in the Sign-off section"),
        Some(s) if s.value.is_empty() => {
            diags.error(s.line, "sign-off-date-missing", "the sign-off `Date` is empty")
        }
        Some(_) => {}
    }
}
