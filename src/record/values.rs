//! Tolerant readers for the values people write in records: dates, times, durations, counts,
//! severities, and the done/not-done markers (✅, ⏳, `[x]`, …).
//!
//! Each reader takes the text of one field or cell and either returns the value or says why not;
//! none of them scans more than its input once.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// Lower-cases `s` and keeps only its words (letters and digits), joined by single spaces:
/// `Customer-Specific Impact` → `customer specific impact`, `What Went Well ✅` → `what went well`.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        let word = if c.is_ascii() { c.is_ascii_alphanumeric() } else { c.is_alphanumeric() };
        if !word {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// True when `norm` (already [`normalize`]d) is `prefix` or starts with `prefix` and a space.
pub fn starts_with_words(norm: &str, prefix: &str) -> bool {
    norm.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

/// A calendar date: `2025-01-15` (also `2025/01/15`, `January 15, 2025`, `15 January 2025`).
///
/// The error says whether the text is not a date at all or names a day that does not exist.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    if let Some((y, m, d)) = split_ymd(s) {
        return NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("`{s}` is not a date that exists"));
    }
    for fmt in ["%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Ok(d);
        }
    }
    Err(format!("`{s}` is not a date (expected `YYYY-MM-DD`)"))
}

/// `YYYY-MM-DD` or `YYYY/MM/DD` with a four-digit year, as numbers (not checked for existence).
fn split_ymd(s: &str) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() < 8 || b.len() > 10 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sep = b[4];
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let mut parts = s[5..].split(sep as char);
    let m = parts.next()?;
    let d = parts.next()?;
    if parts.next().is_some() || !is_digits(m, 1, 2) || !is_digits(d, 1, 2) {
        return None;
    }
    Some((s[..4].parse().ok()?, m.parse().ok()?, d.parse().ok()?))
}

fn is_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit())
}

/// A time of day: `14:23`, `14:23:47`, `14:23:47.120` (24-hour clock).
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    let (hms, frac) = match s.split_once('.') {
        Some((a, f)) if is_digits(f, 1, 9) => (a, f),
        Some(_) => return None,
        None => (s, ""),
    };
    let mut parts = hms.split(':');
    let h = parts.next()?;
    let m = parts.next()?;
    let sec = parts.next();
    if parts.next().is_some() || !is_digits(h, 1, 2) || !is_digits(m, 2, 2) {
        return None;
    }
    let sec = match sec {
        Some(x) if is_digits(x, 2, 2) => x.parse().ok()?,
        Some(_) => return None,
        None if !frac.is_empty() => return None,
        None => 0,
    };
    let nanos = if frac.is_empty() { 0 } else { format!("{frac:0<9}").parse().ok()? };
    NaiveTime::from_hms_nano_opt(h.parse().ok()?, m.parse().ok()?, sec, nanos)
}

/// A point in time, converted to UTC: `2025-01-14 14:23:47 UTC`, `2025-01-14T14:23:47Z`,
/// `2025-01-14 14:23 UTC`, `2025-01-14T15:23:47+01:00`, `January 14, 2025 2:23:47 PM UTC`,
/// `14 Jan 2025 at 14:23`. Without a zone, UTC is meant.
pub fn parse_datetime(s: &str) -> Result<DateTime<Utc>, String> {
    parse_datetime_in(s, Zone::UTC)
}

/// Like [`parse_datetime`], with `default` the zone of a time written without one (the
/// record's `Timezone`).
pub fn parse_datetime_in(s: &str, default: Zone) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    let (date, rest) = match s.as_bytes().get(10) {
        Some(b'T' | b't') => (&s[..10], &s[11..]),
        _ => match time_word(s) {
            Some(i) => {
                let date = s[..i].trim_end().trim_end_matches(',');
                (date.strip_suffix(" at").unwrap_or(date).trim_end_matches(','), &s[i..])
            }
            None => (s, ""),
        },
    };
    let date = parse_date(date)?;
    if rest.is_empty() {
        return Err(format!("`{s}` has no time of day"));
    }
    let time_end = rest.find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.')).unwrap_or(rest.len());
    let token =
        if time_end == 0 { rest.split_whitespace().next().unwrap_or(rest) } else { &rest[..time_end] };
    let mut time = parse_time(token).ok_or_else(|| format!("`{token}` is not a time of day"))?;
    let mut zone = rest[time_end..].trim();
    // A 12-hour clock: `2:23 PM`, `2:23pm`, `2:23 p.m.`.
    let lower = zone.get(..4).unwrap_or(zone).to_ascii_lowercase();
    let meridiem = ["a.m.", "p.m.", "am", "pm"]
        .into_iter()
        .find(|m| lower.starts_with(m) && !zone[m.len()..].starts_with(char::is_alphabetic));
    if let Some(m) = meridiem {
        let hour = chrono::Timelike::hour(&time);
        if hour == 0 || hour > 12 {
            return Err(format!("`{token} {}` is not a time of day", &zone[..m.len()]));
        }
        let hour = hour % 12 + if m.starts_with('p') { 12 } else { 0 };
        time = chrono::Timelike::with_hour(&time, hour).unwrap_or(time);
        zone = zone[m.len()..].trim();
    }
    let zone = if zone.is_empty() { default } else { parse_zone(zone).ok_or_else(|| unknown_zone(zone))? };
    Ok(zone.to_utc(date.and_time(time)))
}

fn unknown_zone(z: &str) -> String {
    format!(
        "unknown time zone `{z}` (write `UTC`, an offset like `+01:00`, an abbreviation like `PDT` or a name like `Europe/Berlin`)"
    )
}

/// Where the time of day starts in `s`: the first word after the start that begins with a digit
/// and holds a `:`.
fn time_word(s: &str) -> Option<usize> {
    s.split_whitespace()
        .map(|w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
        .find(|(at, w)| *at > 0 && w.starts_with(|c: char| c.is_ascii_digit()) && w.contains(':'))
        .map(|(at, _)| at)
}

/// A time zone as written after a time: a fixed offset (`UTC`, `+01:00`, `PDT`, `CEST`), or a
/// zone whose offset follows daylight saving time (`Pacific Time`, `ET`, `America/Chicago`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// Seconds east of UTC.
    Fixed(i32),
    Named(chrono_tz::Tz),
}

impl Zone {
    pub const UTC: Zone = Zone::Fixed(0);

    /// The instant of a local date and time in this zone; in a clock change's gap or overlap,
    /// the offset before the change.
    pub fn to_utc(self, local: NaiveDateTime) -> DateTime<Utc> {
        use chrono::TimeZone as _;
        match self {
            Zone::Fixed(secs) => (local - Duration::seconds(i64::from(secs))).and_utc(),
            Zone::Named(tz) => {
                let before = tz.offset_from_utc_datetime(&(local - Duration::hours(3)));
                let offset = match tz.offset_from_local_datetime(&local) {
                    chrono::LocalResult::Single(o) | chrono::LocalResult::Ambiguous(o, _) => o,
                    chrono::LocalResult::None => before,
                };
                let secs = chrono::Offset::fix(&offset).local_minus_utc();
                (local - Duration::seconds(i64::from(secs))).and_utc()
            }
        }
    }

    /// The local date and time of an instant in this zone.
    pub fn local(self, at: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Fixed(secs) => at.naive_utc() + Duration::seconds(i64::from(secs)),
            Zone::Named(tz) => at.with_timezone(&tz).naive_local(),
        }
    }
}

/// A zone as written: ``, `Z`, `UTC`, `GMT`, `(UTC)`, `+01:00`, `-0500`, `UTC+1`, an
/// abbreviation (`PST`, `PDT`, `EST`, `EDT`, `CET`, `CEST`, `BST`, `IST`, `JST`, …), a zone
/// name (`Pacific Time`, `Eastern`, `ET`) or an IANA name (`Europe/Berlin`). `None` when
/// unknown. `IST` is India's, `BST` British Summer Time, `CST` the US's.
pub fn parse_zone(z: &str) -> Option<Zone> {
    let bare = z.trim().trim_matches(|c| c == '(' || c == ')').trim();
    if bare.contains('/') {
        return bare.parse::<chrono_tz::Tz>().ok().map(Zone::Named);
    }
    let lower = bare.to_ascii_lowercase();
    let lower = lower.trim_end_matches('.');
    let hours = |h: f64| Some(Zone::Fixed((h * 3600.0) as i32));
    let named = |tz: chrono_tz::Tz| Some(Zone::Named(tz));
    use chrono_tz::America;
    match lower {
        "" | "z" | "utc" | "gmt" | "zulu" | "utc time" | "gmt time" => return Some(Zone::UTC),
        "pst" => return hours(-8.0),
        "pdt" => return hours(-7.0),
        "mst" => return hours(-7.0),
        "mdt" => return hours(-6.0),
        "cst" => return hours(-6.0),
        "cdt" => return hours(-5.0),
        "est" => return hours(-5.0),
        "edt" => return hours(-4.0),
        "akst" => return hours(-9.0),
        "akdt" => return hours(-8.0),
        "hst" => return hours(-10.0),
        "brt" | "art" => return hours(-3.0),
        "wet" => return hours(0.0),
        "bst" | "west" | "cet" => return hours(1.0),
        "cest" | "eet" => return hours(2.0),
        "eest" | "msk" => return hours(3.0),
        "ist" => return hours(5.5),
        "sgt" | "hkt" | "awst" => return hours(8.0),
        "jst" | "kst" => return hours(9.0),
        "acst" => return hours(9.5),
        "aest" => return hours(10.0),
        "aedt" => return hours(11.0),
        "nzst" => return hours(12.0),
        "nzdt" => return hours(13.0),
        "pt" | "pacific" | "pacific time" | "us pacific" => return named(America::Los_Angeles),
        "mt" | "mountain" | "mountain time" => return named(America::Denver),
        "ct" | "central" | "central time" => return named(America::Chicago),
        "et" | "eastern" | "eastern time" => return named(America::New_York),
        _ => {}
    }
    let signed = match lower {
        l if l.starts_with("utc") || l.starts_with("gmt") => l[3..].trim(),
        l => l,
    };
    let (sign, digits) = if let Some(d) = signed.strip_prefix('+') {
        (1, d)
    } else if let Some(d) = signed.strip_prefix(['-', '−']) {
        (-1, d)
    } else {
        return None;
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    if !is_digits(h, 1, 2) || !is_digits(m, 1, 2) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    Some(Zone::Fixed(sign * (h * 3600 + m * 60)))
}

/// A duration in seconds: `44 minutes 35 seconds`, `1 hour, 5 minutes`, `2h 15m`, `1m 30s`,
/// `45s`, `90 seconds`, `1.5 min`, `1:02:03`. `default_unit` (in seconds) applies to a bare
/// number. `None` when the text is not a duration.
pub fn parse_duration(s: &str, default_unit: Option<f64>) -> Option<f64> {
    duration_with_precision(s, default_unit).map(|(total, _)| total)
}

/// Like [`parse_duration`], with the smallest unit written (`44 minutes` → 60): how precise the
/// writer was, for comparing with a computed duration.
pub fn duration_with_precision(s: &str, default_unit: Option<f64>) -> Option<(f64, f64)> {
    let s = strip_approx(s.trim());
    if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        if parts.len() == 3 && parts.iter().all(|p| is_digits(p, 1, 3)) {
            let n: Vec<f64> = parts.iter().map(|p| p.parse().unwrap_or(0.0)).collect();
            return Some((n[0] * 3600.0 + n[1] * 60.0 + n[2], 1.0));
        }
        return None;
    }
    let lower = s.to_lowercase();
    let mut total = 0.0;
    let mut smallest = f64::INFINITY;
    let mut rest = lower.as_str();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '+' | ';' | '.'));
        if let Some(r) = rest.strip_prefix("and ") {
            rest = r;
            continue;
        }
        if rest.is_empty() {
            break;
        }
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = rest[num_end..].trim_start_matches('+').trim_start();
        let unit_end = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
        let unit = match &rest[..unit_end] {
            "" => default_unit?,
            "ms" | "msec" | "millisecond" | "milliseconds" => 0.001,
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86400.0,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += n * unit;
        smallest = smallest.min(unit);
    }
    smallest.is_finite().then_some((total, smallest))
}

/// A delay as written in a table cell: `45s`, `2m`, `1m 30s`, or a range `18-25s` / `1m–2m`,
/// as whole seconds `(min, max)`. A single value gives `(v, v)`.
pub fn parse_delay_range(s: &str) -> Option<(u64, u64)> {
    let s = s.trim();
    let secs = |x: f64| x.round() as u64;
    let split = s.find(['-', '–', '—']).map(|i| (i, s[i..].chars().next().map_or(1, char::len_utf8)));
    let split = split.or_else(|| s.find(" to ").map(|i| (i, 4)));
    if let Some((i, len)) = split {
        let (a, b) = (s[..i].trim(), s[i + len..].trim());
        let hi = parse_duration(b, None)?;
        // `18-25s`: the unit of the upper bound applies to a bare lower bound.
        let unit = unit_of(b);
        let lo = parse_duration(a, unit)?;
        return Some((secs(lo), secs(hi)));
    }
    let v = secs(parse_duration(s, None)?);
    Some((v, v))
}

/// The seconds per unit of the last unit word in `s` (`25s` → 1, `2 min` → 60).
fn unit_of(s: &str) -> Option<f64> {
    let start = s.char_indices().rfind(|(_, c)| !c.is_alphabetic()).map_or(0, |(i, c)| i + c.len_utf8());
    parse_duration(&format!("1{}", &s[start..]), None)
}

fn strip_approx(s: &str) -> &str {
    let mut s = s;
    loop {
        let t = s.trim_start_matches(['~', '≈', '<', '>', '≤', '≥']).trim_start();
        let t = ["approximately ", "approx. ", "approx ", "about ", "around ", "under ", "over "]
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .unwrap_or(t);
        if t.len() == s.len() {
            return s;
        }
        s = t;
    }
}

/// A whole count: `347`, `1,234`, `~1,247`, `120+`, `1 234`; `None` / `none` is 0.
pub fn parse_count(s: &str) -> Option<u64> {
    let s = strip_approx(s.trim()).trim_end_matches('+').trim();
    if s.eq_ignore_ascii_case("none") {
        return Some(0);
    }
    let mut n: u64 = 0;
    let mut any = false;
    let mut prev_digit = false;
    for c in s.chars() {
        match c {
            '0'..='9' => {
                n = n.checked_mul(10)?.checked_add(u64::from(c as u8 - b'0'))?;
                any = true;
                prev_digit = true;
            }
            ',' | '_' | ' ' | '\u{202f}' | '\u{a0}' | '\'' if prev_digit => prev_digit = false,
            _ => return None,
        }
    }
    (any && prev_digit).then_some(n)
}

/// The first count in running text: `~1,247 users across 12 customer accounts` → 1247.
pub fn first_count(s: &str) -> Option<u64> {
    s.split_whitespace().find_map(|w| parse_count(w.trim_end_matches([',', '.', ';', ':', ')'])))
}

/// The count written just before one of `words`: `across 12 customer accounts` with
/// `["customer", "account", "accounts", "customers"]` → 12.
pub fn count_before(s: &str, words: &[&str]) -> Option<u64> {
    let tokens: Vec<&str> =
        s.split(|c: char| c.is_whitespace() || c == '(' || c == ')').filter(|t| !t.is_empty()).collect();
    tokens.windows(2).find_map(|w| {
        let next = w[1].trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        if words.contains(&next.as_str()) { parse_count(w[0].trim_start_matches('(')) } else { None }
    })
}

/// A done/not-done marker at the start of `s`, and the rest: ✅ ✔ ☑ `[x]` are done;
/// ⏳ ❌ ⬜ ☐ 🔄 🚧 `[ ]` are not. `None` when there is no marker.
pub fn strip_marker(s: &str) -> (Option<bool>, &str) {
    const DONE: [&str; 5] = ["✅", "✔", "☑", "[x]", "[X]"];
    const OPEN: [&str; 8] = ["⏳", "⌛", "❌", "⬜", "☐", "🔄", "🚧", "[ ]"];
    let t = s.trim_start();
    for (set, done) in [(&DONE[..], true), (&OPEN[..], false)] {
        for m in set {
            if let Some(rest) = t.strip_prefix(m) {
                return (Some(done), rest.trim_start_matches('\u{fe0f}').trim_start());
            }
        }
    }
    (None, t)
}

/// Severity as written (`P1 (High)`, `P2 - Medium`, `SEV-1`, `Sev 2`, `High (P1)`): the level
/// `P1`..`P5` and the label around it. `None` when no level 1-5 can be found.
pub fn parse_severity(s: &str) -> Option<(String, Option<String>)> {
    // A bare level: `2`, `SEV 2` is read below.
    if let [d @ b'1'..=b'5'] = s.trim().as_bytes() {
        return Some((format!("P{}", *d as char), None));
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if word_start {
            let rest = &s[i..];
            let lower = rest.get(..rest.len().min(9)).unwrap_or(rest).to_ascii_lowercase();
            let skip = if lower.starts_with('p') {
                1
            } else if lower.starts_with("severity") {
                8
            } else if lower.starts_with("sev") {
                3
            } else {
                0
            };
            if skip > 0 {
                let mut j = i + skip;
                if skip > 1 {
                    while j < b.len() && (b[j] == b'-' || b[j] == b' ' || b[j] == b'_') {
                        j += 1;
                    }
                }
                let ends = j + 1 >= b.len() || !b[j + 1].is_ascii_alphanumeric();
                if j < b.len() && (b'1'..=b'5').contains(&b[j]) && ends {
                    let level = format!("P{}", b[j] as char);
                    let around = format!("{} {}", &s[..i], &s[j + 1..]);
                    let label = around.trim_matches(|c: char| c.is_whitespace() || "()[]-–—:,".contains(c));
                    let label = label.replace("()", "");
                    let label = label.trim();
                    return Some((level, (!label.is_empty()).then(|| label.to_string())));
                }
            }
        }
        i += s[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// The longest retention a record (or the configuration) may ask for, in years: longer is
/// refused (`retention-too-long`) rather than kept for less than asked.
pub const MAX_RETENTION_YEARS: u32 = 100;

/// Years of retention from `7 years (compliance requirement)`, `10 yrs`, `seven years`, `7y`.
pub fn parse_retention_years(s: &str) -> Option<u32> {
    const WORDS: [&str; 12] =
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    let lower = s.to_lowercase();
    let mut words =
        lower.split(|c: char| c.is_whitespace() || c == '(' || c == ',').filter(|w| !w.is_empty());
    let first = words.next()?;
    let (num, unit) = match first.find(|c: char| !c.is_ascii_digit()) {
        Some(0) => (first, words.next().unwrap_or("")),
        Some(i) => (&first[..i], &first[i..]),
        None => (first, words.next().unwrap_or("")),
    };
    let n: u32 = match num.parse() {
        Ok(n) => n,
        Err(_) => WORDS.iter().position(|w| *w == num)? as u32 + 1,
    };
    let unit = unit.trim_end_matches(['.', ')']);
    (n > 0 && matches!(unit, "y" | "yr" | "yrs" | "year" | "years")).then_some(n)
}

/// True for statuses that let a record into the archive, those of a finished postmortem:
/// `Resolved`, `Closed`, `Complete(d)`, `Final`, `Done`, `Published` (any case, whatever
/// follows: `Closed, action items in progress`). Drafts (`Draft`, `In review`, `Open`) are not.
pub fn is_closed_status(s: &str) -> bool {
    let first = s.split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty()).unwrap_or("");
    ["resolved", "closed", "complete", "completed", "final", "finalized", "finalised", "done", "published"]
        .iter()
        .any(|w| first.eq_ignore_ascii_case(w))
}

/// True for action-item statuses that mean done: `Done`, `Closed`, `Complete(d)`, `Resolved`, `Fixed`.
pub fn is_done_status(s: &str) -> bool {
    matches!(normalize(s).as_str(), "done" | "closed" | "complete" | "completed" | "resolved" | "fixed")
}

/// Placeholders that are not a name: `TBD`, `TODO`, `pending`, `N/A`, `-`, `[name]`, `<name>`, `???`.
pub fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() || t.chars().all(|c| !c.is_alphanumeric()) {
        return true;
    }
    if (t.starts_with('[') && t.ends_with(']')) || (t.starts_with('<') && t.ends_with('>')) {
        return true;
    }
    matches!(
        normalize(t).as_str(),
        "tbd" | "tba" | "todo" | "pending" | "n a" | "na" | "none" | "name" | "unknown" | "to be determined"
    )
}

/// A template's prompt, not data, judged on the text as written: wholly italic
/// (`_What caused this?_`, `*Describe the impact*`), wholly bracketed (`[Date]`, `<fill in>`,
/// `{{owner}}`, `(Names)`), only question marks or ellipses (`??`, `...`), or a filler word
/// (`TBD`, `TODO`, `fill in`, `YYYY-MM-DD`). Task markers (`[x]`, `[ ]`) and links are not.
pub fn is_prompt(src: &str) -> bool {
    let t = src.trim();
    // Italic inside bold (`**_x_**`) is italic.
    let t = match t.strip_prefix("**").and_then(|x| x.strip_suffix("**")) {
        Some(x) if x.starts_with(['_', '*']) => x,
        _ => t,
    };
    let Some(first) = t.chars().next() else { return false };
    let last = t.chars().next_back().unwrap_or(first);
    let inner = t.get(1..t.len().saturating_sub(1)).unwrap_or("");
    let wrapped = match (first, last) {
        // Wholly italic, once (`_a_ and _b_` is text).
        ('_', '_') | ('*', '*') => t.len() > 2 && !inner.contains(first),
        ('[', ']') | ('<', '>') | ('{', '}') | ('(', ')') => {
            !matches!(inner.trim(), "" | "x" | "X")
                && !inner.contains(['[', ']', '(', ')'])
                // `<https://…>` and `<ops@example.com>` are autolinks, not prompts, and so is a
                // line of them.
                && !(first == '<'
                    && (inner.contains(['<', '>'])
                        || inner.contains("://")
                        || (inner.contains('@') && !inner.contains(' '))))
        }
        _ => false,
    };
    if wrapped {
        return true;
    }
    if !t.chars().any(char::is_alphanumeric) {
        return t.contains('?') || t.contains("...") || t.contains('…');
    }
    // The words below, or `TODO …` / `TBD …`: nothing longer needs a look (most text).
    let todo = starts_with_ci(t, "todo") || starts_with_ci(t, "tbd");
    if t.len() > 24 && !todo {
        return false;
    }
    // Each filler below starts with one of these letters (most short values do not).
    let lead = t.chars().find(|c| c.is_alphanumeric()).map_or(' ', |c| c.to_ascii_lowercase());
    if !matches!(lead, 't' | 'f' | 'x' | 'p' | 'i' | 'y' | 'd' | 'm' | 'h') {
        return false;
    }
    let n = normalize(t);
    matches!(
        n.as_str(),
        "tbd"
            | "tba"
            | "todo"
            | "fixme"
            | "xxx"
            | "fill in"
            | "fill me in"
            | "to be filled"
            | "to be filled in"
            | "to be determined"
            | "placeholder"
            | "insert here"
            | "yyyy mm dd"
            | "yyyy mm dd hh mm"
            | "dd mm yyyy"
            | "mm dd yyyy"
            | "hh mm"
            | "hh mm ss"
    ) || n.starts_with("todo ")
        || n.starts_with("tbd ")
}

/// True when `s` starts with `prefix`, in any case.
fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// `id` has the safe form `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`: usable as a file name anywhere.
pub fn is_safe_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// `s` for a message: control characters escaped, at most 64 characters, no backticks.
pub fn shown(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(80));
    for c in s.chars().take(64) {
        match c {
            '`' => out.push('\''),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    if s.chars().nth(64).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_headings_and_labels() {
        assert_eq!(normalize("Customer-Specific Impact"), "customer specific impact");
        assert_eq!(normalize("What Went Well ✅"), "what went well");
        assert_eq!(normalize("  **Sign-off** "), "sign off");
        assert!(starts_with_words("immediate actions during incident", "immediate"));
        assert!(!starts_with_words("immediately", "immediate"));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2025-01-15"), Ok(NaiveDate::from_ymd_opt(2025, 1, 15).unwrap()));
        assert_eq!(parse_date("2025/1/5"), Ok(NaiveDate::from_ymd_opt(2025, 1, 5).unwrap()));
        assert_eq!(parse_date("January 15, 2025"), Ok(NaiveDate::from_ymd_opt(2025, 1, 15).unwrap()));
        assert_eq!(parse_date("2025-02-30").unwrap_err(), "`2025-02-30` is not a date that exists");
        assert!(parse_date("soon").unwrap_err().contains("is not a date"));
        assert!(parse_date("2025-1").is_err());
    }

    #[test]
    fn datetimes_in_the_forms_people_write() {
        let want = "2025-01-14T14:23:47Z";
        for s in [
            "2025-01-14 14:23:47 UTC",
            "2025-01-14T14:23:47Z",
            "2025-01-14 14:23:47",
            "2025-01-14T15:23:47+01:00",
            "2025-01-14 09:23:47 -0500",
            "2025-01-14 14:23:47 (UTC)",
            "2025-01-14 16:23:47 UTC+2",
            "2025-01-14\u{a0}14:23:47\u{a0}UTC",
            "January 14, 2025 2:23:47 PM UTC",
            "14 Jan 2025 at 14:23:47",
            "2025-01-14, 2:23:47pm",
            "2025-01-14 at 02:23:47 p.m. (UTC)",
        ] {
            assert_eq!(
                parse_datetime(s).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                Ok(want.into()),
                "{s}"
            );
        }
        assert_eq!(parse_datetime("2025-01-14 14:23 UTC").unwrap().to_rfc3339(), "2025-01-14T14:23:00+00:00");
        assert!(parse_datetime("2025-01-14 14:23:47 XST").unwrap_err().contains("unknown time zone `XST`"));
        assert!(parse_datetime("2025-01-14").unwrap_err().contains("no time of day"));
        assert!(parse_datetime("2025-01-14 25:00 UTC").unwrap_err().contains("not a time of day"));
        assert_eq!(parse_datetime("2025-01-14 12:05 AM").unwrap().to_rfc3339(), "2025-01-14T00:05:00+00:00");
        // Zones by abbreviation, name and IANA name, with daylight saving time where it applies.
        let utc = |s: &str| parse_datetime(s).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        assert_eq!(utc("2025-01-14 06:23:47 PST"), Ok("2025-01-14T14:23:47Z".into()));
        assert_eq!(utc("2025-07-14 07:23:47 PDT"), Ok("2025-07-14T14:23:47Z".into()));
        assert_eq!(utc("2025-07-14 15:23:47 BST"), Ok("2025-07-14T14:23:47Z".into()));
        assert_eq!(utc("2025-07-14 16:23:47 CEST"), Ok("2025-07-14T14:23:47Z".into()));
        assert_eq!(utc("2025-01-14 19:53:47 IST"), Ok("2025-01-14T14:23:47Z".into()));
        assert_eq!(utc("2025-01-14 08:23:47 America/Chicago"), Ok("2025-01-14T14:23:47Z".into()));
        assert_eq!(utc("2025-07-14 09:23:47 America/Chicago"), Ok("2025-07-14T14:23:47Z".into()));
        assert_eq!(utc("2025-07-14 07:23:47 Pacific Time"), Ok("2025-07-14T14:23:47Z".into()));
        assert_eq!(utc("2025-01-14 09:23:47 ET"), Ok("2025-01-14T14:23:47Z".into()));
        assert!(parse_datetime("2025-01-14 09:05 Mars/Olympus").unwrap_err().contains("unknown time zone"));
        assert_eq!(parse_datetime("2025-01-14 13:05 PM").unwrap_err(), "`13:05 PM` is not a time of day");
        assert_eq!(
            parse_datetime("yesterday afternoon").unwrap_err(),
            "`yesterday afternoon` is not a date (expected `YYYY-MM-DD`)"
        );
        assert!(parse_datetime("2025-02-30 10:00 UTC").unwrap_err().contains("not a date that exists"));
    }

    #[test]
    fn times_of_day() {
        assert_eq!(parse_time("14:23:47"), NaiveTime::from_hms_opt(14, 23, 47));
        assert_eq!(parse_time("9:05"), NaiveTime::from_hms_opt(9, 5, 0));
        assert_eq!(parse_time("14:23:47.5"), NaiveTime::from_hms_milli_opt(14, 23, 47, 500));
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_time("14:61"), None);
        assert_eq!(parse_time("1423"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("44 minutes 35 seconds", None), Some(2675.0));
        assert_eq!(parse_duration("1 hour, 5 minutes and 2 seconds", None), Some(3902.0));
        assert_eq!(parse_duration("2h 15m", None), Some(8100.0));
        assert_eq!(parse_duration("1m 30s", None), Some(90.0));
        assert_eq!(parse_duration("~45s", None), Some(45.0));
        assert_eq!(parse_duration("1:02:03", None), Some(3723.0));
        assert_eq!(parse_duration("120+ seconds", None), Some(120.0));
        assert_eq!(parse_duration("45", None), None);
        assert_eq!(parse_duration("45", Some(1.0)), Some(45.0));
        assert_eq!(parse_duration("forever", None), None);
        assert_eq!(parse_duration("", None), None);
        assert_eq!(duration_with_precision("44 minutes", None), Some((2640.0, 60.0)));
        assert_eq!(duration_with_precision("1 hour 2 seconds", None), Some((3602.0, 1.0)));
    }

    #[test]
    fn delay_ranges() {
        assert_eq!(parse_delay_range("45s"), Some((45, 45)));
        assert_eq!(parse_delay_range("18-25s"), Some((18, 25)));
        assert_eq!(parse_delay_range("2m"), Some((120, 120)));
        assert_eq!(parse_delay_range("1m 30s"), Some((90, 90)));
        assert_eq!(parse_delay_range("30s–2m"), Some((30, 120)));
        assert_eq!(parse_delay_range("1 to 2 minutes"), Some((60, 120)));
        assert_eq!(parse_delay_range("fast"), None);
        assert_eq!(parse_delay_range("18-25½"), None);
        assert_eq!(parse_delay_range("18-25\u{a0}s"), Some((18, 25)));
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("347"), Some(347));
        assert_eq!(parse_count("1,234"), Some(1234));
        assert_eq!(parse_count("~1,247"), Some(1247));
        assert_eq!(parse_count("120+"), Some(120));
        assert_eq!(parse_count("None"), Some(0));
        assert_eq!(parse_count("1,"), None);
        assert_eq!(parse_count("12a"), None);
        assert_eq!(parse_count("99999999999999999999999"), None);
        assert_eq!(first_count("~1,247 users across 12 customer accounts"), Some(1247));
        let words = ["customer", "customers", "account", "accounts"];
        assert_eq!(count_before("~1,247 users across 12 customer accounts", &words), Some(12));
        assert_eq!(
            count_before("Moderate (12 customers experienced degraded performance)", &words),
            Some(12)
        );
        assert_eq!(count_before("Others (8 accounts)", &words), Some(8));
    }

    #[test]
    fn markers() {
        assert_eq!(strip_marker("✅ Done"), (Some(true), "Done"));
        assert_eq!(strip_marker("✔️ Done"), (Some(true), "Done"));
        assert_eq!(strip_marker("⏳ In Progress"), (Some(false), "In Progress"));
        assert_eq!(strip_marker("[x] a"), (Some(true), "a"));
        assert_eq!(strip_marker("[ ] a"), (Some(false), "a"));
        assert_eq!(strip_marker("❌ a"), (Some(false), "a"));
        assert_eq!(strip_marker("Planned"), (None, "Planned"));
    }

    #[test]
    fn severities() {
        let sev = |s| parse_severity(s);
        assert_eq!(sev("P1 (High)"), Some(("P1".into(), Some("High".into()))));
        assert_eq!(sev("P2 - Medium"), Some(("P2".into(), Some("Medium".into()))));
        assert_eq!(sev("High (P1)"), Some(("P1".into(), Some("High".into()))));
        assert_eq!(sev("SEV-3"), Some(("P3".into(), None)));
        assert_eq!(sev("Severity 4 (Low)"), Some(("P4".into(), Some("Low".into()))));
        assert_eq!(sev("p5"), Some(("P5".into(), None)));
        assert_eq!(sev("P7"), None);
        assert_eq!(sev("Critical"), None);
        assert_eq!(sev("P12"), None);
    }

    #[test]
    fn retention_years() {
        assert_eq!(parse_retention_years("7 years (compliance requirement)"), Some(7));
        assert_eq!(parse_retention_years("10 yrs"), Some(10));
        assert_eq!(parse_retention_years("seven years"), Some(7));
        assert_eq!(parse_retention_years("7y"), Some(7));
        assert_eq!(parse_retention_years("forever"), None);
        assert_eq!(parse_retention_years("0 years"), None);
        assert_eq!(parse_retention_years("18 months"), None);
    }

    #[test]
    fn template_prompts() {
        for p in [
            "_What caused this?_",
            "*Describe the customer impact*",
            "**_Who fixed it?_**",
            "[Date]",
            "<fill in>",
            "{{owner}}",
            "(Names)",
            "??",
            "...",
            "TBD",
            "todo: add graphs",
            "YYYY-MM-DD",
            "hh:mm",
        ] {
            assert!(is_prompt(p), "{p}");
        }
        for data in [
            "",
            "**Root cause**: a leak",
            "[x]",
            "[ ]",
            "[the doc](https://x)",
            "A cache flush (staging) hit production",
            "N/A",
            "-",
            "_internal_ tooling failed",
            "_some_ users saw _errors_",
            "**Label**",
            "2025-01-14",
            "<https://status.example.com>",
            "<ops@example.com>",
            "<http://a> <http://a>",
        ] {
            assert!(!is_prompt(data), "{data}");
        }
    }

    #[test]
    fn statuses_placeholders_ids() {
        assert!(is_closed_status("Resolved"));
        assert!(is_closed_status("closed (monitoring ended)"));
        assert!(!is_closed_status("Investigating"));
        for done in
            ["Complete", "Complete, action items in progress", "Final", "Done", "Published", "completed"]
        {
            assert!(is_closed_status(done), "{done}");
        }
        for draft in ["Draft", "In review", "Open", "Under review", "WIP"] {
            assert!(!is_closed_status(draft), "{draft}");
        }
        assert!(is_done_status("Done") && is_done_status("Completed") && !is_done_status("In Progress"));
        for p in ["TBD", "", "-", "[Name]", "<approver>", "pending", "N/A"] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(!is_placeholder("Maria Garcia, CISO"));
        assert!(is_safe_id("INC-2025-0023") && is_safe_id("a") && is_safe_id("x.y_z"));
        for bad in ["", "../x", "/abs", "a/b", "a\0b", ".hidden", "-x", "a b", "é"] {
            assert!(!is_safe_id(bad), "{bad:?}");
        }
        assert!(is_safe_id(&"a".repeat(64)) && !is_safe_id(&"a".repeat(65)));
        assert_eq!(shown("a\0b`c\"d"), "a\\u{0}b'c\"d");
        assert_eq!(shown(&"x".repeat(300)).chars().count(), 65);
    }
}
