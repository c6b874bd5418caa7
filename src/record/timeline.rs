//! The timeline reader: entries in the forms people write them (paragraph lines, list items,
//! table rows, headings), each stamped with a time of day or a date and time, placed on a day
//! by the start, by date lines and headings, and by rolling over midnight, in the zone the
//! entry, its table or the document (`all times in PDT`) names.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::Diags;
use super::blocks::{Block, Doc, Line, Table};
use super::model::{Incident, SectionKind as Kind, TimelineEntry};
use super::sections::Outline;
use super::values::{self, Zone};

/// What a timeline entry starts with: a date, a time of day, or both, and maybe a zone.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Stamp {
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub zone: Option<Zone>,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// True when `word` is `name` or its abbreviation of three letters or more (`Sept`, `Tue`).
fn names(word: &str, name: &str) -> bool {
    word.len() >= 3 && name.len() >= word.len() && name[..word.len()].eq_ignore_ascii_case(word)
}

/// True when `s` starts with `prefix`, in any case.
fn starts_ci(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// A cursor over the start of one line of text.
struct Cur<'s> {
    s: &'s str,
    i: usize,
}

impl<'s> Cur<'s> {
    fn rest(&self) -> &'s str {
        &self.s[self.i..]
    }

    fn skip_ws(&mut self) {
        let r = self.rest();
        self.i += r.len() - r.trim_start().len();
    }

    /// Skips opening markup and words of approximation: `**`, `` ` ``, `[`, `~`, `approx.`.
    fn skip_open(&mut self) {
        loop {
            self.skip_ws();
            let r = self.rest();
            if let Some(c) = r.chars().next().filter(|c| matches!(c, '*' | '_' | '`' | '[' | '(' | '~' | '≈'))
            {
                self.i += c.len_utf8();
            } else if let Some(w) =
                ["approx. ", "approx ", "around ", "about ", "circa ", "ca. ", "at ", "on "]
                    .iter()
                    .find(|w| starts_ci(r, w))
            {
                self.i += w.len();
            } else {
                return;
            }
        }
    }

    /// Skips closing markup: `**`, `` ` ``, `]`, `)`.
    fn skip_close(&mut self) {
        let r = self.rest();
        let t = r.trim_start_matches(['*', '_', '`', ']', ')']);
        self.i += r.len() - t.len();
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.rest().starts_with(p) {
            self.i += p.len();
            true
        } else {
            false
        }
    }

    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let r = self.rest();
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n < min || n > max {
            return None;
        }
        self.i += n;
        r[..n].parse().ok()
    }

    /// A word of letters (and `.`), without a last `.`.
    fn word(&mut self) -> Option<&'s str> {
        let r = self.rest();
        let n = r.find(|c: char| !(c.is_ascii_alphabetic() || c == '.')).unwrap_or(r.len());
        if n == 0 {
            return None;
        }
        self.i += n;
        Some(r[..n].trim_end_matches('.'))
    }

    /// Runs `f` and rewinds when it fails.
    fn try_<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let at = self.i;
        let out = f(self);
        if out.is_none() {
            self.i = at;
        }
        out
    }
}

fn month(word: &str) -> Option<u32> {
    MONTHS.iter().position(|m| names(word, m)).map(|i| i as u32 + 1)
}

fn ordinal(w: &str) -> bool {
    ["st", "nd", "rd", "th"].iter().any(|o| w.eq_ignore_ascii_case(o))
}

/// `2021-06-29`, `2021/06/29`, `2018 October 21`, `July 11, 2025`, `Jul 11th`, `11 July 2025`,
/// `Tuesday, June 29`.
fn date(c: &mut Cur<'_>, year_hint: Option<i32>) -> Option<NaiveDate> {
    if let Some(d) = c.try_(|c| {
        let y = c.digits(4, 4)? as i32;
        let sep = if c.eat("-") {
            "-"
        } else if c.eat("/") {
            "/"
        } else {
            return None;
        };
        let m = c.digits(1, 2)?;
        if !c.eat(sep) {
            return None;
        }
        let d = c.digits(1, 2)?;
        NaiveDate::from_ymd_opt(y, m, d)
    }) {
        return Some(d);
    }
    // `2018 October 21`.
    if let Some(d) = c.try_(|c| {
        let y = c.digits(4, 4)? as i32;
        c.skip_ws();
        let m = month(c.word()?)?;
        c.skip_ws();
        let d = c.digits(1, 2)?;
        NaiveDate::from_ymd_opt(y, m, d)
    }) {
        return Some(d);
    }
    c.try_(|c| {
        // An optional weekday.
        c.try_(|c| {
            let w = c.word()?;
            WEEKDAYS.iter().any(|d| names(w, d)).then_some(())?;
            c.eat(",");
            c.skip_ws();
            Some(())
        });
        let year = |c: &mut Cur<'_>| {
            c.try_(|c| {
                c.eat(",");
                c.skip_ws();
                c.digits(4, 4).map(|y| y as i32)
            })
        };
        if let Some(m) = c.try_(|c| month(c.word()?)) {
            c.skip_ws();
            let d = c.digits(1, 2)?;
            c.try_(|c| c.word().filter(|w| ordinal(w)));
            let y = year(c).or(year_hint)?;
            return NaiveDate::from_ymd_opt(y, m, d);
        }
        let d = c.digits(1, 2)?;
        c.try_(|c| c.word().filter(|w| ordinal(w)));
        c.skip_ws();
        let m = month(c.word()?)?;
        let y = year(c).or(year_hint)?;
        NaiveDate::from_ymd_opt(y, m, d)
    })
}

/// `14:02`, `9:44:10`, `14:02:33.120`, `2:30 PM`, `2pm`, `10:01-10:02` (the first).
fn time(c: &mut Cur<'_>) -> Option<NaiveTime> {
    c.try_(|c| {
        let h = c.digits(1, 2)?;
        let minutes = c.try_(|c| {
            c.eat(":").then_some(())?;
            let m = c.digits(2, 2)?;
            let s = c.try_(|c| {
                c.eat(":").then_some(())?;
                let s = c.digits(2, 2)?;
                let start = c.i;
                let nanos = c
                    .try_(|c| {
                        c.eat(".").then_some(())?;
                        c.digits(1, 9)?;
                        format!("{:0<9}", &c.s[start + 1..c.i]).parse::<u32>().ok()
                    })
                    .unwrap_or(0);
                Some((s, nanos))
            });
            Some((m, s.unwrap_or((0, 0))))
        });
        let had_minutes = minutes.is_some();
        let (m, (s, nanos)) = minutes.unwrap_or_default();
        // A range: the start counts.
        c.try_(|c| {
            let r = c.rest();
            let skip = r.len() - r.trim_start_matches([' ', '-', '–', '—']).len();
            (skip > 0 && r[..skip].trim().len() <= 3 && !r[..skip].trim().is_empty()).then_some(())?;
            c.i += skip;
            c.digits(1, 2)?;
            c.eat(":").then_some(())?;
            c.digits(2, 2)
        });
        let meridiem = c.try_(|c| {
            c.skip_ws();
            let w = c.word()?;
            if w.eq_ignore_ascii_case("am") || w.eq_ignore_ascii_case("a.m") {
                Some(false)
            } else if w.eq_ignore_ascii_case("pm") || w.eq_ignore_ascii_case("p.m") {
                Some(true)
            } else {
                None
            }
        });
        let h = match meridiem {
            Some(pm) if (1..=12).contains(&h) => h % 12 + if pm { 12 } else { 0 },
            Some(_) => return None,
            None if !had_minutes => return None,
            None => h,
        };
        NaiveTime::from_hms_nano_opt(h, m, s, nanos)
    })
}

/// A zone after a time: `UTC`, `(PDT)`, `+02:00`, `UTC+2`, `Europe/Berlin`, `Pacific Time`.
fn zone(c: &mut Cur<'_>) -> Option<Zone> {
    c.try_(|c| {
        c.skip_ws();
        let r = c.rest();
        let (inner, len) = if let Some(p) = r.strip_prefix('(') {
            let end = p.find(')')?;
            (&p[..end], end + 2)
        } else {
            let end = r
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '/' | '_' | '+' | '-' | ':')))
                .unwrap_or(r.len());
            // Two words for `Pacific Time`.
            let two = r[end..].strip_prefix(' ').and_then(|t| {
                let e2 = t.find(|ch: char| !ch.is_ascii_alphabetic()).unwrap_or(t.len());
                t[..e2].eq_ignore_ascii_case("time").then(|| end + 1 + e2)
            });
            match two {
                Some(e) => (&r[..e], e),
                None => (&r[..end], end),
            }
        };
        if inner.is_empty() || inner.starts_with('-') {
            return None;
        }
        // `14:02 UTC: text`: the colon separates.
        let (z, len) = match values::parse_zone(inner) {
            Some(z) => (z, len),
            None => (values::parse_zone(inner.strip_suffix(':')?)?, len - 1),
        };
        c.i += len;
        Some(z)
    })
}

/// Reads a stamp at the start of `s`: the stamp and the byte offset after it (and its closing
/// markup). `year_hint` completes dates written without a year.
pub(crate) fn scan(s: &str, year_hint: Option<i32>) -> Option<(Stamp, usize)> {
    let mut c = Cur { s, i: 0 };
    c.skip_open();
    let mut stamp = Stamp { date: date(&mut c, year_hint), ..Stamp::default() };
    if stamp.date.is_some() {
        c.try_(|c| {
            let r = c.rest();
            let skip = r.len() - r.trim_start_matches([',', ' ', 'T', '\u{a0}']).len();
            c.i += skip;
            c.try_(|c| c.word().filter(|w| w.eq_ignore_ascii_case("at")).map(|_| c.skip_ws()));
            c.skip_open();
            let t = time(c)?;
            stamp.time = Some(t);
            Some(())
        });
    } else {
        stamp.time = Some(time(&mut c)?);
    }
    if stamp.time.is_some() {
        stamp.zone = zone(&mut c);
    }
    c.skip_close();
    // A stamp is followed by a separator, a space or nothing, never by more of a word.
    if c.rest().starts_with(|ch: char| ch.is_alphanumeric()) {
        return None;
    }
    Some((stamp, c.i))
}

/// Looks like a time someone meant to write (`25:61`, `14:2 UTC`), for a warning.
fn timeish(s: &str) -> bool {
    let t = s.trim().trim_start_matches(['[', '`', '*', '~']);
    let first = t.split_whitespace().next().unwrap_or("").trim_end_matches(['*', '`', ']']);
    first.contains(':')
        && first.len() <= 12
        && first.starts_with(|c: char| c.is_ascii_digit())
        && first.bytes().all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
}

fn strip_separator(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | '|' | ','))
        .trim_end()
}

/// The zone a document names for all its times: `(all times in PDT)`, `All times are UTC`,
/// `Timeline (all times in Pacific Time)`.
fn zone_note(s: &str) -> Option<Zone> {
    let b = s.as_bytes();
    // Each `time` (`times`, `timestamps`, `time zone`), then filler words, then the zone.
    let mut from = 0;
    while let Some(at) = b.get(from..)?.windows(4).position(|w| w.eq_ignore_ascii_case(b"time")) {
        let start = from + at + 4;
        from = start;
        let mut c = Cur { s, i: start };
        c.word();
        loop {
            c.skip_ws();
            c.eat(":");
            c.skip_ws();
            let at = c.i;
            match c.word() {
                Some(w)
                    if ["are", "is", "in", "shown", "given", "listed", "expressed", "all", "zone", "the"]
                        .iter()
                        .any(|f| w.eq_ignore_ascii_case(f)) => {}
                _ => {
                    c.i = at;
                    break;
                }
            }
        }
        if let Some(z) = zone(&mut c) {
            return Some(z);
        }
    }
    None
}

/// One entry as found, before it is placed.
enum Raw<'r> {
    /// A date line or heading: the day of the entries below.
    Day(NaiveDate),
    Entry {
        stamp: Option<Stamp>,
        written: Cow<'r, str>,
        text: String,
        line: usize,
        zone: Option<Zone>,
    },
}

/// Reads one line: an entry, a day, or nothing (a line of prose).
fn line_entry<'r>(src: &'r str, line: usize, year: Option<i32>, diags: &mut Diags<'_>) -> Option<Raw<'r>> {
    match scan(src, year) {
        Some((stamp, end)) => {
            let rest = strip_separator(&src[end..]);
            if stamp.time.is_none() {
                // A date alone (perhaps with a note: `2015-10-21 (all times UTC)`) sets the day.
                return stamp.date.map(Raw::Day);
            }
            let written = Cow::Borrowed(src[..end].trim());
            Some(Raw::Entry { stamp: Some(stamp), written, text: rest.to_string(), line, zone: None })
        }
        None if timeish(src) => {
            let first = src.split_whitespace().next().unwrap_or("");
            let written = Cow::Borrowed(first.trim_matches(['*', '`', '[', ']', '~']));
            diags.warn(
                line,
                "timeline-time-invalid",
                format!(
                    "timeline time `{}` is not a time of day; the entry is kept unplaced",
                    values::shown(&written)
                ),
            );
            let text = strip_separator(&src[first.len()..]).to_string();
            Some(Raw::Entry { stamp: None, written, text, line, zone: None })
        }
        None => None,
    }
}

fn table_entries(t: &Table<'_>, year: Option<i32>, out: &mut Vec<Raw>, diags: &mut Diags<'_>) {
    let col = |pred: &dyn Fn(&str) -> bool| t.header_norm.iter().position(|n| pred(n));
    let time = col(&|n| n.contains("time") || matches!(n, "when" | "at" | "timestamp" | "utc"));
    let date = col(&|n| n == "date" || n == "day");
    let Some(tc) = time.or(date) else { return };
    let event = col(&|n| {
        matches!(
            n,
            "event"
                | "events"
                | "description"
                | "action"
                | "what"
                | "details"
                | "activity"
                | "what happened"
                | "action impact"
                | "update"
                | "notes"
                | "note"
                | "summary"
        ) || n.starts_with("event")
    })
    .or_else(|| (0..t.header.len()).rev().find(|&c| c != tc && Some(c) != date));
    let Some(ec) = event else { return };
    // `Time (PDT)` names the zone of the column.
    let zone = t
        .header
        .get(tc)
        .and_then(|h| h.plain.find('(').and_then(|i| values::parse_zone(h.plain[i..].trim())));
    for row in &t.rows {
        let (Some(tcell), Some(ecell)) = (row.cells.get(tc), row.cells.get(ec)) else { continue };
        let mut when = tcell.plain.trim().to_string();
        if let Some(d) = date.filter(|&d| d != tc).and_then(|d| row.cells.get(d)) {
            when = format!("{} {when}", d.plain.trim());
        }
        if when.is_empty() && ecell.plain.trim().is_empty() {
            continue;
        }
        match line_entry(&when, row.line, year, diags) {
            Some(Raw::Entry { stamp, written, line, .. }) => {
                let written = Cow::Owned(written.into_owned());
                out.push(Raw::Entry { stamp, written, text: ecell.src.to_string(), line, zone })
            }
            Some(Raw::Day(d)) => out.push(Raw::Day(d)),
            None => {}
        }
    }
}

/// Reads the Timeline section (and its sub-headings) into `inc.timeline`.
pub(crate) fn read(
    doc: &Doc<'_>,
    outline: &Outline,
    record_zone: Option<Zone>,
    inc: &mut Incident,
    diags: &mut Diags<'_>,
) {
    let year = inc.started_at.map(|s| s.year());
    let Some((raw, note)) = collect(doc, outline, year, record_zone, diags) else { return };
    place(raw, note, inc, diags);
}

/// The instant of the first entry that names its own date and time, for a record that gives
/// no start.
pub(crate) fn first_dated(
    doc: &Doc<'_>,
    outline: &Outline,
    record_zone: Zone,
    year: Option<i32>,
) -> Option<DateTime<Utc>> {
    let path = std::path::Path::new("");
    let mut quiet = Diags::new(path);
    let (raw, note) = collect(doc, outline, year, Some(record_zone), &mut quiet)?;
    raw.into_iter().find_map(|r| match r {
        Raw::Entry { stamp: Some(Stamp { date: Some(d), time: Some(t), zone }), zone: table, .. } => {
            Some(zone.or(table).unwrap_or(note).to_utc(d.and_time(t)))
        }
        _ => None,
    })
}

/// The entries of the Timeline section as found, and the zone the document names for them.
fn collect<'d>(
    doc: &'d Doc<'_>,
    outline: &Outline,
    year: Option<i32>,
    record_zone: Option<Zone>,
    diags: &mut Diags<'_>,
) -> Option<(Vec<Raw<'d>>, Zone)> {
    let mut raw: Vec<Raw> = Vec::new();
    let Some(h) = outline.find(Kind::Timeline) else {
        // `**Timeline**` over the entries, under any heading.
        let at = doc.blocks.iter().position(|b| match b {
            Block::Lines(ls) => ls.last().is_some_and(|l| {
                l.label.is_some()
                    && l.value_plain().is_empty()
                    && super::sections::classify(l.label_norm()) == Kind::Timeline
            }),
            _ => false,
        })?;
        let end = doc.headings.iter().map(|h| h.first_block).find(|&b| b > at).unwrap_or(doc.blocks.len());
        let mut note = None;
        let line = match &doc.blocks[at] {
            Block::Lines(ls) => ls.last().map_or(1, |l| l.line),
            _ => 1,
        };
        read_blocks(&doc.blocks[at + 1..end], year, line, &mut raw, &mut note, diags);
        return (!raw.is_empty()).then(|| (raw, note.or(record_zone).unwrap_or(Zone::UTC)));
    };
    let end = doc.extent_end(h);
    let mut note = zone_note(&doc.headings[h].text);
    for i in h..end.max(h + 1) {
        let mut blocks = doc.own_blocks(i);
        let heading = &doc.headings[i];
        if i > h {
            match line_entry(&heading.text, heading.line, year, diags) {
                Some(Raw::Entry { stamp, written, text, line, zone }) => {
                    // `### 2021-06-29 18:30` with the event below it, or `### 07:35 - Alert`
                    // with details: the paragraphs and lists below that are no entries of
                    // their own belong to it (the page draws the entry, not the heading).
                    let mut text = text;
                    while let Some((first, rest)) = blocks.split_first() {
                        let own = match first {
                            Block::Lines(ls) => ls.first().is_some_and(|l| scan(l.src, year).is_none()),
                            Block::List(items) => items
                                .first()
                                .and_then(|i| i.lines.first())
                                .is_some_and(|l| scan(l.src, year).is_none()),
                            _ => false,
                        };
                        if !own {
                            break;
                        }
                        let more = block_text(first);
                        if !more.is_empty() {
                            if !text.is_empty() {
                                text.push(' ');
                            }
                            text.push_str(&more);
                        }
                        blocks = rest;
                    }
                    raw.push(Raw::Entry { stamp, written, text, line, zone });
                }
                Some(day) => raw.push(day),
                None => {}
            }
        }
        read_blocks(blocks, year, heading.line, &mut raw, &mut note, diags);
    }
    if note.is_none() {
        // A note anywhere before the timeline: under the title or in the summary.
        note = doc.blocks[..doc.headings[h].first_block]
            .iter()
            .filter_map(|b| match b {
                Block::Lines(ls) => ls.iter().find_map(|l: &Line<'_>| zone_note(&l.plain)),
                _ => None,
            })
            .next();
    }
    Some((raw, note.or(record_zone).unwrap_or(Zone::UTC)))
}

/// The entries of timeline blocks: paragraph lines, list items, table rows and the lines of a
/// code block (`line` is where the code block's section starts), and the zone note among them.
fn read_blocks<'d>(
    blocks: &'d [Block<'_>],
    year: Option<i32>,
    line: usize,
    raw: &mut Vec<Raw<'d>>,
    note: &mut Option<Zone>,
    diags: &mut Diags<'_>,
) {
    let mut taken = false;
    for (n, b) in blocks.iter().enumerate() {
        if std::mem::take(&mut taken) {
            continue;
        }
        match b {
            Block::Lines(ls) => {
                for (k, l) in ls.iter().enumerate() {
                    let mut entry = line_entry(l.src, l.line, year, diags);
                    // A note stands on a line of its own or beside a date, not in an entry.
                    if !matches!(entry, Some(Raw::Entry { .. })) {
                        *note = note.or_else(|| zone_note(&l.plain));
                    }
                    // `**2018 October 21 22:52**` alone, with the event in the paragraph below.
                    if let Some(Raw::Entry { text, .. }) = &mut entry
                        && text.is_empty()
                        && k + 1 == ls.len()
                        && let Some(next @ Block::Lines(below)) = blocks.get(n + 1)
                        && below.first().is_some_and(|b| scan(b.src, year).is_none())
                    {
                        *text = block_text(next);
                        taken = true;
                    }
                    raw.extend(entry);
                }
            }
            Block::List(items) => {
                for item in items {
                    let Some(first) = item.lines.first() else { continue };
                    let entry = line_entry(first.src, first.line, year, diags);
                    if !matches!(entry, Some(Raw::Entry { .. })) {
                        *note = note.or_else(|| zone_note(&first.plain));
                    }
                    match entry {
                        Some(Raw::Entry { stamp, written, mut text, line, zone }) => {
                            for more in &item.lines[1..] {
                                text.push(' ');
                                text.push_str(more.src);
                            }
                            raw.push(Raw::Entry { stamp, written, text, line, zone });
                        }
                        Some(day) => raw.push(day),
                        None => {}
                    }
                }
            }
            Block::Table(t) => table_entries(t, year, raw, diags),
            Block::Code(c) => {
                for l in c.code.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    let entry = line_entry(l, line, year, diags);
                    if !matches!(entry, Some(Raw::Entry { .. })) {
                        *note = note.or_else(|| zone_note(l));
                    }
                    raw.extend(entry);
                }
            }
        }
    }
}

/// A block's text as written, for an entry whose heading holds only its time.
fn block_text(b: &Block<'_>) -> String {
    match b {
        Block::Lines(ls) => ls.iter().map(|l| l.src).collect::<Vec<_>>().join(" "),
        Block::List(items) => items.iter().map(|i| i.src()).collect::<Vec<_>>().join("; "),
        _ => String::new(),
    }
}

/// Places each entry on a day in its zone: a date it names, else the day of the date line or
/// heading above it, else the start's day; a time more than six hours earlier than the one
/// before is on the next day. Entries that cannot be placed are kept after the one before.
fn place(raw: Vec<Raw>, note: Zone, inc: &mut Incident, diags: &mut Diags<'_>) {
    let start = inc.started_at;
    // A start known to the day is that day, in any zone.
    let day_only = inc.start_precision.is_some();
    let mut day: Option<NaiveDate> =
        start.map(|s| if day_only { s.date_naive() } else { note.local(s).date() });
    let mut prev: Option<(NaiveDateTime, Zone)> = None;
    let mut last_at: Option<DateTime<Utc>> = None;
    // A date line or a dated entry has set the day.
    let mut day_set = false;
    for r in raw {
        let (stamp, written, text, line, table_zone) = match r {
            Raw::Day(d) => {
                day = Some(d);
                day_set = true;
                prev = None;
                continue;
            }
            Raw::Entry { stamp, written, text, line, zone } => (stamp, written, text, line, zone),
        };
        if values::is_prompt(&text) {
            continue;
        }
        let placed = stamp.and_then(|s| {
            let zone = s.zone.or(table_zone).unwrap_or(note);
            let t = s.time?;
            let local = match s.date {
                Some(d) => {
                    day = Some(d);
                    day_set = true;
                    d.and_time(t)
                }
                None => {
                    let mut local = day?.and_time(t);
                    // The first entry, long before a start late in the day, is after midnight.
                    if prev.is_none()
                        && !day_set
                        && let Some(s) = start.filter(|_| !day_only).map(|s| zone.local(s))
                        && s - local > Duration::hours(6)
                    {
                        local += Duration::days(1);
                        day = Some(local.date());
                    }
                    if let Some((p, _)) = prev
                        && local < p
                    {
                        if p - local > Duration::hours(6) {
                            local += Duration::days(1);
                            day = Some(local.date());
                        } else {
                            diags.warn(
                                line,
                                "timeline-order",
                                format!(
                                    "timeline entry at `{}` is earlier than the one before (`{}`)",
                                    t.format("%H:%M:%S"),
                                    p.time().format("%H:%M:%S")
                                ),
                            );
                        }
                    }
                    local
                }
            };
            prev = Some((local, zone));
            Some(zone.to_utc(local))
        });
        let entry = match placed {
            Some(at) => {
                last_at = Some(at);
                TimelineEntry { at, text, unplaced: None }
            }
            None => {
                // Without a day (no readable start, no date line above: the gate rejects the
                // record for its start) or without a time of day (warned as it was read).
                let at = last_at.or(start).unwrap_or(DateTime::UNIX_EPOCH);
                TimelineEntry { at, text, unplaced: Some(written.into_owned()) }
            }
        };
        inc.timeline.push(entry);
    }
}
