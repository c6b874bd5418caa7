//! A deterministic synthetic corpus of signed-off postmortems in the reference format, so that
//! the benchmarks and the tests at scale run on realistic records: the same count and seed always
//! give the same bytes, whatever the machine or the number of threads.
//!
//! A crate of its own, beside the product rather than in it: the product never generates records,
//! and this crate does not depend on it (the product's tests check that every record generated
//! here passes its sign-off gate without a warning). Its binary, `incident-corpus`, writes a
//! corpus to a folder for `benches/` and the browser tests.
//!
//! Records look like `INC-2025-0023.md`: the same headings, labels, tables and emoji markers.
//! Customers, owners, people, services and words are drawn with Zipf-like frequencies (a few
//! very common, most rare), dates spread over 2015–2026, severities P1–P4, timelines of realistic
//! length (some crossing midnight), durations equal to End − Start, customer users that add up to
//! the stated total, and action items of which some are still open past their due date.
//! Optional sections (self-healing, communication, technical details, references) are missing
//! from some records, as in real archives.
//!
//! Everything random comes from [`SplitMix64`] seeded from the corpus seed and the record's
//! position, and every table is integer arithmetic, so records can be rendered in parallel.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use rayon::prelude::*;

/// The first day an incident of the corpus can start.
pub const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
/// The last day an incident of the corpus can start.
pub const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();

/// A failure while writing a corpus to disk.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("cannot create the folder `{path}`")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot write `{path}`")]
    Write { path: PathBuf, source: std::io::Error },
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough to draw synthetic text.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator whose sequence depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A generator for one item of a stream: independent of the other items' generators.
    pub fn for_item(seed: u64, stream: u64, item: u64) -> Self {
        let mut g = Self(seed ^ 0x6A09_E667_F3BC_C908);
        let a = g.next_u64() ^ stream.wrapping_mul(0xD6E8_FEB8_6659_FD93);
        let mut g = Self(a);
        let b = g.next_u64() ^ item.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Self(Self(b).next_u64())
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice, uniformly.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// An index drawn with the given integer weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut r = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

/// Zipf's law with exponent 1 over ranks `0..n`: rank `k` has weight `1 / (k + 1)`.
///
/// Integer weights, so the table and the draws are the same on every platform.
#[derive(Debug, Clone)]
pub struct Zipf {
    cumulative: Vec<u64>,
}

impl Zipf {
    /// The distribution over `n > 0` ranks.
    pub fn new(n: usize) -> Self {
        const SCALE: u64 = 1 << 40;
        let mut total = 0u64;
        let cumulative = (0..n as u64)
            .map(|k| {
                total += SCALE / (k + 1);
                total
            })
            .collect();
        Self { cumulative }
    }

    /// A rank: 0 is the most frequent.
    pub fn sample(&self, rng: &mut SplitMix64) -> usize {
        let r = rng.below(*self.cumulative.last().expect("non-empty"));
        self.cumulative.partition_point(|&c| c <= r)
    }

    /// Number of ranks.
    pub fn len(&self) -> usize {
        self.cumulative.len()
    }

    /// Never true: a distribution has at least one rank.
    pub fn is_empty(&self) -> bool {
        self.cumulative.is_empty()
    }
}

/// A list of names with Zipf frequencies by position.
struct Ranked {
    names: Vec<String>,
    zipf: Zipf,
}

impl Ranked {
    fn new(names: Vec<String>) -> Self {
        let zipf = Zipf::new(names.len());
        Self { names, zipf }
    }

    fn draw(&self, rng: &mut SplitMix64) -> &str {
        &self.names[self.zipf.sample(rng)]
    }
}

/// The name universes shared by every corpus (independent of the seed).
struct Vocab {
    customers: Ranked,
    owners: Ranked,
    people: Ranked,
    approvers: Ranked,
    services: Ranked,
    words: Ranked,
}

static VOCAB: LazyLock<Vocab> = LazyLock::new(Vocab::build);

/// `n` distinct strings from `make`, which draws candidates from a fixed generator.
fn distinct(n: usize, stream: u64, mut make: impl FnMut(&mut SplitMix64) -> String) -> Vec<String> {
    let mut rng = SplitMix64::for_item(0x5EED, stream, 0);
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n && tries < n * 50 {
        tries += 1;
        let s = make(&mut rng);
        if seen.insert(s.clone()) {
            out.push(s);
        }
    }
    out
}

impl Vocab {
    fn build() -> Self {
        let mut customers: Vec<String> =
            ["GlobalBank Corp", "HealthTech Systems", "RetailChain Inc", "TechStartup LLC"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let known = customers.clone();
        customers.extend(
            distinct(420, 1, |r| {
                format!("{}{} {}", r.pick(CUSTOMER_HEAD), r.pick(CUSTOMER_TAIL), r.pick(CUSTOMER_FORM))
            })
            .into_iter()
            .filter(|c| !known.contains(c))
            .take(396),
        );

        let mut owners: Vec<String> =
            ["Platform", "DB Team", "QA Team", "SRE", "Security"].iter().map(|s| s.to_string()).collect();
        let fixed = owners.clone();
        owners.extend(
            distinct(400, 2, |r| format!("{} {}", r.pick(TEAM_AREAS), r.pick(TEAM_KINDS)))
                .into_iter()
                .filter(|o| !fixed.contains(o))
                .take(345),
        );

        let people = distinct(900, 3, |r| format!("{} {}", r.pick(FIRST_NAMES), r.pick(LAST_NAMES)));
        let mut approvers = vec!["Maria Garcia, CISO".to_string()];
        approvers.extend(distinct(30, 4, |r| {
            format!("{} {}, {}", r.pick(FIRST_NAMES), r.pick(LAST_NAMES), r.pick(APPROVER_ROLES))
        }));

        let services = distinct(3200, 5, |r| {
            let mut s = String::new();
            for _ in 0..r.range(2, 3) {
                s.push_str(r.pick::<&str>(SYLLABLES));
            }
            if r.chance(60) {
                s.push('-');
                s.push_str(r.pick::<&str>(SERVICE_KINDS));
            }
            s
        });
        let mut words: Vec<String> = COMMON_WORDS.iter().map(|s| s.to_string()).collect();
        let rare = distinct(2600, 6, |r| {
            let mut s = String::new();
            for _ in 0..r.range(2, 4) {
                s.push_str(r.pick::<&str>(SYLLABLES));
            }
            s
        });
        words.extend(rare.into_iter().filter(|w| !COMMON_WORDS.contains(&w.as_str())));

        Vocab {
            customers: Ranked::new(customers),
            owners: Ranked::new(owners),
            people: Ranked::new(people),
            approvers: Ranked::new(approvers),
            services: Ranked::new(services),
            words: Ranked::new(words),
        }
    }
}

/// Where and when one record of the corpus happens, fixed before any text is drawn.
#[derive(Debug, Clone)]
struct Plan {
    id: String,
    start: NaiveDateTime,
}

/// A corpus of `count` records for one seed: ids and start times are fixed up front (sorted by
/// time, numbered per year), the text of each record is drawn on demand.
#[derive(Debug, Clone)]
pub struct Corpus {
    seed: u64,
    plans: Vec<Plan>,
}

/// What [`Corpus::write`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub records: usize,
    pub bytes: u64,
}

/// Relative number of incidents per year from 2015 to 2026: the archive grows with the company.
const YEAR_WEIGHTS: [u64; 12] = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 12];
/// Relative number of incidents starting in each UTC hour: more during working and deploy hours.
const HOUR_WEIGHTS: [u64; 24] =
    [3, 3, 2, 2, 2, 3, 4, 6, 8, 10, 11, 11, 10, 11, 12, 12, 11, 10, 8, 7, 6, 5, 4, 4];

impl Corpus {
    /// Plans `count` records for `seed`.
    pub fn new(count: usize, seed: u64) -> Self {
        let mut rng = SplitMix64::for_item(seed, 0, 0);
        let mut starts: Vec<NaiveDateTime> = (0..count)
            .map(|_| {
                let year = 2015 + rng.weighted(&YEAR_WEIGHTS) as i32;
                let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
                let last = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year").min(LAST_DAY);
                let span = (last - first).num_days() as u64;
                let day = first + Duration::days(rng.range(0, span) as i64);
                let hour = rng.weighted(&HOUR_WEIGHTS) as u32;
                let secs = rng.below(3600) as u32;
                day.and_hms_opt(hour, secs / 60, secs % 60).expect("valid time")
            })
            .collect();
        starts.sort_unstable();
        let mut per_year = [0u32; 12];
        let plans = starts
            .into_iter()
            .map(|start| {
                let y = start.year();
                let n = &mut per_year[(y - 2015) as usize];
                *n += 1;
                Plan { id: format!("INC-{y}-{n:05}"), start }
            })
            .collect();
        Self { seed, plans }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    /// True for a corpus of zero records.
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// The id of record `i` (records are ordered by start time).
    pub fn id(&self, i: usize) -> &str {
        &self.plans[i].id
    }

    /// The start time (UTC) that record `i` states.
    pub fn start(&self, i: usize) -> NaiveDateTime {
        self.plans[i].start
    }

    /// The Markdown of record `i`, appended to `out`.
    pub fn render_into(&self, i: usize, out: &mut String) {
        let rng = SplitMix64::for_item(self.seed, 1, i as u64);
        Writer::new(out, rng, &self.plans[i]).record();
    }

    /// The Markdown of record `i`.
    pub fn record(&self, i: usize) -> String {
        let mut s = String::with_capacity(8 * 1024);
        self.render_into(i, &mut s);
        s
    }

    /// Writes every record as `<dir>/<id>.md` (creating `dir`), in parallel. Existing files of the
    /// same names are overwritten; nothing else in `dir` is touched.
    pub fn write(&self, dir: &Path) -> Result<Written, CorpusError> {
        std::fs::create_dir_all(dir)
            .map_err(|source| CorpusError::CreateDir { path: dir.to_path_buf(), source })?;
        let bytes = (0..self.len())
            .into_par_iter()
            .map_init(
                || (String::with_capacity(16 * 1024), PathBuf::new()),
                |(buf, path), i| {
                    buf.clear();
                    self.render_into(i, buf);
                    path.clear();
                    path.push(dir);
                    path.push(format!("{}.md", self.id(i)));
                    std::fs::write(&*path, buf.as_bytes())
                        .map_err(|source| CorpusError::Write { path: path.clone(), source })?;
                    Ok(buf.len() as u64)
                },
            )
            .try_reduce(|| 0, |a, b| Ok(a + b))?;
        Ok(Written { records: self.len(), bytes })
    }
}

/// Severity, its label and the customer-impact level that goes with it.
struct Severity {
    code: &'static str,
    labels: &'static [&'static str],
    levels: &'static [&'static str],
}

static SEVERITIES: [Severity; 4] = [
    Severity { code: "P1", labels: &["Critical", "Critical", "High"], levels: &["Severe", "Major"] },
    Severity { code: "P2", labels: &["High"], levels: &["Major", "Moderate"] },
    Severity { code: "P3", labels: &["Medium"], levels: &["Moderate", "Minor"] },
    Severity { code: "P4", labels: &["Low"], levels: &["Minor", "Minimal"] },
];

/// Renders one record into a string, drawing from one generator.
struct Writer<'a> {
    out: &'a mut String,
    rng: SplitMix64,
    v: &'static Vocab,
    plan: &'a Plan,
    scenario: &'static Scenario,
    service: &'static str,
    version: (u64, u64, u64),
    oncall: &'static str,
    region: &'static str,
    end: NaiveDateTime,
}

impl<'a> Writer<'a> {
    fn new(out: &'a mut String, mut rng: SplitMix64, plan: &'a Plan) -> Self {
        let v: &'static Vocab = &VOCAB;
        let scenario = &SCENARIOS[rng.weighted(&SCENARIO_WEIGHTS)];
        let service = v.services.draw(&mut rng);
        let version = (rng.range(1, 9), rng.range(0, 24), rng.range(0, 30));
        let oncall = v.people.draw(&mut rng);
        let region = *rng.pick(REGIONS);
        let minutes = match rng.weighted(&[35, 30, 22, 10, 3]) {
            0 => rng.range(8, 45),
            1 => rng.range(45, 120),
            2 => rng.range(120, 360),
            3 => rng.range(360, 720),
            _ => rng.range(720, 1200),
        };
        let dur = (minutes * 60 + rng.below(60)) as i64;
        let end = plan.start + Duration::seconds(dur);
        Self { out, rng, v, plan, scenario, service, version, oncall, region, end }
    }

    fn record(&mut self) {
        let sev = &SEVERITIES[self.rng.weighted(&[10, 25, 40, 25])];
        let id = self.plan.id.as_str();
        let start = self.plan.start;
        let dur = (self.end - start).num_seconds();
        let rich = self.rng.chance(35);

        let _ = write!(self.out, "# Incident Report: {id}\n\n## Incident Summary\n\n");
        let _ = write!(self.out, "**Incident ID**: {id}  \n**Title**: ");
        self.expand(self.scenario.title);
        let env = *self.rng.pick(ENVIRONMENTS);
        let _ =
            write!(self.out, " - {env}  \n**Severity**: {} ({})  \n", sev.code, self.rng.pick(sev.labels));
        let status = if self.rng.chance(85) { "Resolved" } else { "Closed" };
        let _ = write!(self.out, "**Status**: {status}  \n**Start Time**: ");
        datetime(self.out, start);
        self.out.push_str(" UTC  \n**End Time**: ");
        datetime(self.out, self.end);
        self.out.push_str(" UTC  \n**Duration**: ");
        duration_text(self.out, dur);

        // Customers first: the summary line states their number.
        let customers = self.customers();
        let accounts: u64 = customers.iter().map(|c| c.accounts).sum();
        let users: u64 = customers.iter().map(|c| c.users).sum();
        let level = *self.rng.pick(sev.levels);
        let effect = *self.rng.pick(self.scenario.effects);
        let plural = if accounts == 1 { "customer" } else { "customers" };
        let _ = write!(
            self.out,
            "  \n**Customer Impact**: {level} ({accounts} {plural} experienced {effect})\n\n"
        );

        self.timeline(dur);
        self.root_cause();
        if self.rng.chance(95) {
            self.detection();
        }
        self.impact(&customers, users, accounts);
        self.resolution(dur);
        if rich || self.rng.chance(20) {
            self.self_healing();
        }
        if self.rng.chance(85) {
            self.communication(rich, dur);
        }
        self.lessons();
        if rich || self.rng.chance(15) {
            self.technical_details();
        }
        if self.rng.chance(85) {
            self.references();
        }
        self.sign_off();
    }

    /// Fills `{…}` slots of a template: `{svc}` the record's service, `{svc2}` another service,
    /// `{w}` a word, `{n}` a small number, `{big}` a large one, `{pct}` a percentage, `{ver}` the
    /// deployed version, `{host}`, `{region}`, `{person}` the on-call engineer, `{team}` an owner.
    fn expand(&mut self, tpl: &str) {
        let mut rest = tpl;
        while let Some(open) = rest.find('{') {
            self.out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let key = after.find('}').map_or("", |close| &after[..close]);
            if !self.slot(key) {
                // Not a slot (PromQL label braces, say): keep the brace and read on.
                self.out.push('{');
                rest = after;
                continue;
            }
            rest = &after[key.len() + 1..];
        }
        self.out.push_str(rest);
    }

    /// Writes the value of slot `key`; false when `key` is not a slot.
    fn slot(&mut self, key: &str) -> bool {
        match key {
            "svc" => self.out.push_str(self.service),
            "svc2" => self.out.push_str(self.v.services.draw(&mut self.rng)),
            "w" => self.out.push_str(self.v.words.draw(&mut self.rng)),
            "n" => {
                let n = self.rng.range(2, 48);
                let _ = write!(self.out, "{n}");
            }
            "big" => thousands(self.out, self.rng.range(1_200, 4_800_000)),
            "pct" => {
                let (a, b) = (self.rng.range(1, 99), self.rng.below(10));
                let _ = write!(self.out, "{a}.{b}%");
            }
            "ms" => {
                let n = self.rng.range(40, 2_000);
                let _ = write!(self.out, "{n}ms");
            }
            "ver" => {
                let (a, b, c) = self.version;
                let _ = write!(self.out, "v{a}.{b}.{c}");
            }
            "host" => {
                let (k, n) = (*self.rng.pick(HOST_KINDS), self.rng.range(1, 64));
                let _ = write!(self.out, "{k}-{n:02}");
            }
            "region" => self.out.push_str(self.region),
            "person" => self.out.push_str(self.oncall),
            "team" => self.out.push_str(self.v.owners.draw(&mut self.rng)),
            "cust" => self.out.push_str(self.v.customers.draw(&mut self.rng)),
            _ => return false,
        }
        true
    }

    /// A sentence of the long tail: rare terms people write in postmortems.
    fn remark(&mut self) {
        let tpl = *self.rng.pick(REMARKS);
        self.expand(tpl);
    }

    fn timeline(&mut self, dur: i64) {
        self.out.push_str("## Timeline\n\n");
        let start = self.plan.start;
        // Offsets: alert at 0, page and acknowledgement within minutes, the rest spread out.
        let page = self.rng.range(5, 60) as i64;
        let ack = page + self.rng.range(30, 300) as i64;
        let extra = 3 + (dur / 3600).min(6) as usize + self.rng.below(4) as usize;
        let mut steps: Vec<i64> =
            (0..extra).map(|_| ack + 1 + self.rng.below((dur - ack - 2) as u64) as i64).collect();
        steps.sort_unstable();
        steps.dedup();

        self.line(start, |w| {
            w.out.push_str("Alert fired: \"");
            w.expand(w.scenario.alert_text);
            w.out.push('"');
        });
        self.line(start + Duration::seconds(page), |w| {
            w.out.push_str("Automated page sent to on-call engineer (");
            w.out.push_str(w.oncall);
            w.out.push(')');
        });
        self.line(start + Duration::seconds(ack), |w| {
            w.out.push_str("On-call acknowledged, began investigation")
        });
        let n = steps.len();
        let specific = self.scenario.steps;
        for (k, &at) in steps.iter().enumerate() {
            self.line(start + Duration::seconds(at), |w| {
                if k + 2 == n {
                    w.out.push_str("Monitoring: ");
                    let t = *w.rng.pick(MONITORING);
                    w.expand(t);
                } else if k + 1 == n {
                    w.out.push_str("Verified: All services recovered");
                } else if k < specific.len() && w.rng.chance(80) {
                    w.expand(specific[k]);
                } else {
                    let t = *w.rng.pick(GENERIC_STEPS);
                    w.expand(t);
                }
            });
        }
        self.line(self.end, |w| w.out.push_str("Incident closed"));
        self.out.push('\n');
    }

    fn line(&mut self, at: NaiveDateTime, text: impl FnOnce(&mut Self)) {
        self.out.push_str("**");
        hms(self.out, at);
        self.out.push_str("** - ");
        text(self);
        self.out.push_str("  \n");
    }

    fn root_cause(&mut self) {
        self.out.push_str("## Root Cause\n\n**Primary Cause**: ");
        let t = *self.rng.pick(self.scenario.causes);
        self.expand(t);
        self.out.push_str("\n\n");
        if let Some((label, lang, code)) = self.scenario.code
            && self.rng.chance(60)
        {
            let _ = write!(self.out, "**{label}**: \n```{lang}\n");
            self.expand(code);
            self.out.push_str("\n```\n\n");
        }
        self.out.push_str("**Problem**: ");
        let t = *self.rng.pick(self.scenario.problems);
        self.expand(t);
        if self.rng.chance(40) {
            self.out.push(' ');
            self.remark();
        }
        self.out.push_str("\n\n**Contributing Factors**:\n");
        let k = self.rng.range(2, 5) as usize;
        let factors = self.choose(self.scenario.factors, k.min(self.scenario.factors.len()));
        let generic = self.rng.chance(50).then(|| *self.rng.pick(GENERIC_FACTORS));
        for (n, f) in factors.iter().copied().chain(generic).enumerate() {
            let _ = write!(self.out, "{}. ", n + 1);
            self.expand(f);
            self.out.push('\n');
        }
        self.out.push('\n');
    }

    fn detection(&mut self) {
        let s = self.scenario;
        let how = *self.rng.pick(DETECTION_HOW);
        let _ = write!(self.out, "## Detection\n\n**How Detected**: {how}\n\n");
        if self.rng.chance(75) {
            let _ = write!(self.out, "**Alert Configuration**:\n```yaml\nalert: {}\nexpr: ", s.alert);
            self.expand(s.expr);
            let f = self.rng.range(1, 10);
            let sev = if self.rng.chance(70) { "critical" } else { "warning" };
            let _ = write!(self.out, "\nfor: {f}m\nseverity: {sev}\n```\n\n");
        }
        let secs = self.rng.range(12, 900);
        self.out.push_str("**Time to Detect**: ");
        if secs < 120 {
            let _ = write!(self.out, "{secs} seconds");
        } else {
            let _ = write!(self.out, "{} minutes", secs / 60);
        }
        let _ = write!(self.out, " after {}  \n**Detection Method**: ", self.rng.pick(DETECTION_AFTER));
        let m = *self.rng.pick(DETECTION_METHOD);
        self.out.push_str(m);
        self.out.push_str("\n\n");
    }

    fn customers(&mut self) -> Vec<CustomerRow> {
        let named = self.rng.weighted(&[10, 22, 24, 20, 14, 10]) + 1;
        let mut rows: Vec<CustomerRow> = Vec::with_capacity(named + 1);
        while rows.len() < named {
            let name = self.v.customers.draw(&mut self.rng);
            if rows.iter().any(|r| r.name == name) {
                continue;
            }
            let users = self.rng.range(3, 60) * self.rng.range(1, 12);
            let delay = self.rng.range(5, 90);
            let complaints = self.rng.weighted(&[40, 30, 15, 8, 4, 3]) as u64;
            rows.push(CustomerRow { name, users, accounts: 1, delay: (None, delay), complaints });
        }
        rows.sort_by(|a, b| b.users.cmp(&a.users).then(a.name.cmp(b.name)));
        if self.rng.chance(55) {
            let accounts = self.rng.range(2, 40);
            let users = accounts * self.rng.range(8, 60);
            let hi = self.rng.range(8, 40);
            let lo = hi - self.rng.range(1, hi - 3);
            let complaints = self.rng.weighted(&[70, 20, 10]) as u64;
            rows.push(CustomerRow { name: "", users, accounts, delay: (Some(lo), hi), complaints });
        }
        rows
    }

    fn impact(&mut self, rows: &[CustomerRow], users: u64, accounts: u64) {
        self.out.push_str("## Impact Analysis\n\n### User Impact\n- **Users Affected**: ~");
        thousands(self.out, users);
        let plural = if accounts == 1 { "account" } else { "accounts" };
        let _ = write!(self.out, " users across {accounts} customer {plural}\n- **Impact Type**: ");
        let t = *self.rng.pick(self.scenario.impact_types);
        self.expand(t);
        self.out.push('\n');
        if self.rng.chance(70) {
            let d = *self.rng.pick(DATA_LOSS);
            self.expand(d);
            self.out.push('\n');
        }
        if self.rng.chance(75) {
            let (a, b) = (self.rng.range(1, 9), self.rng.range(10, 400));
            let _ =
                writeln!(self.out, "- **API Error Rate**: Increased from 0.{a}% to {}.{}%", b / 10, b % 10);
        }
        self.out.push_str(
            "\n### Customer-Specific Impact\n| Customer | Users Affected | Max Delay | Complaints |\n\
             |----------|---------------|-----------|------------|\n",
        );
        for r in rows {
            if r.name.is_empty() {
                let _ = write!(self.out, "| Others ({} accounts) | {} | ", r.accounts, r.users);
            } else {
                let _ = write!(self.out, "| {} | {} | ", r.name, r.users);
            }
            match r.delay {
                (Some(lo), hi) => {
                    let _ = write!(self.out, "{lo}-{hi}s");
                }
                (None, hi) => {
                    let _ = write!(self.out, "{hi}s");
                }
            }
            let _ = writeln!(self.out, " | {} |", r.complaints);
        }
        if self.rng.chance(85) {
            self.out.push_str("\n### Business Impact\n");
            let credits = self.rng.range(0, 400) * 25;
            if credits == 0 {
                self.out.push_str("- **Revenue Impact**: None\n");
            } else {
                let size = match credits {
                    0..1000 => "Minimal",
                    1000..5000 => "Low",
                    _ => "Moderate",
                };
                let _ = write!(self.out, "- **Revenue Impact**: {size} (~$");
                thousands(self.out, credits);
                self.out.push_str(" in SLA credits)\n");
            }
            let rep = *self.rng.pick(REPUTATION);
            let tickets = self.rng.range(0, 40);
            let churn = *self.rng.pick(CHURN);
            let _ = write!(
                self.out,
                "- **Reputation Impact**: {rep}\n- **Support Tickets**: {tickets} tickets opened\n\
                 - **Customer Churn Risk**: {churn}\n"
            );
        }
        self.out.push('\n');
    }

    fn resolution(&mut self, dur: i64) {
        let s = self.scenario;
        self.out.push_str("## Resolution\n\n### Immediate Actions (During Incident)\n");
        let k = self.rng.range(2, s.immediate.len() as u64) as usize;
        let mut at: Vec<i64> = (0..k).map(|_| self.rng.range(60, (dur - 60) as u64) as i64).collect();
        at.sort_unstable();
        for (n, (t, off)) in self.choose(s.immediate, k).into_iter().zip(at).enumerate() {
            let when = self.plan.start + Duration::seconds(off);
            let _ = write!(self.out, "{}. ✅ **{:02}:{:02}** - ", n + 1, when.hour(), when.minute());
            self.expand(t);
            self.out.push('\n');
        }
        // Old incidents had time to finish their follow-ups; recent ones less so.
        let age_days = (LAST_DAY - self.plan.start.date()).num_days();
        let done_pct = if age_days > 365 {
            92
        } else if age_days > 60 {
            70
        } else {
            35
        };
        self.out.push_str("\n### Short-term Fixes (Within 24 hours)\n");
        let k = self.rng.range(2, s.short_term.len() as u64) as usize;
        for (n, t) in self.choose(s.short_term, k).into_iter().enumerate() {
            let mark = if self.rng.chance(done_pct.max(80)) { "✅" } else { "⏳" };
            let _ = write!(self.out, "{}. {mark} ", n + 1);
            self.expand(t);
            self.out.push('\n');
        }
        self.out.push_str("\n### Long-term Improvements (Within 30 days)\n");
        let k = self.rng.range(2, s.long_term.len() as u64) as usize;
        for (n, t) in self.choose(s.long_term, k).into_iter().enumerate() {
            let mark = if self.rng.chance(done_pct) { "✅" } else { "⏳" };
            let _ = write!(self.out, "{}. {mark} ", n + 1);
            self.expand(t);
            self.out.push('\n');
        }
        self.out.push('\n');
    }

    fn self_healing(&mut self) {
        let s = self.scenario;
        let taken = self.rng.range(0, 3);
        let _ =
            write!(self.out, "## Self-Healing Performance\n\n**Self-Healing Actions Taken**: {taken}  \n");
        if taken > 0 {
            self.out.push_str("**Action**: ");
            self.expand(s.healing);
            let (result, eff) = match self.rng.below(3) {
                0 => ("Success (resolved without manual intervention)", self.rng.range(85, 100)),
                1 => ("Partial success (bought time for manual intervention)", self.rng.range(40, 80)),
                _ => ("No effect (symptom persisted)", self.rng.range(0, 20)),
            };
            let _ = write!(self.out, "  \n**Result**: {result}  \n**Effectiveness**: {eff}% - ");
            let t = *self.rng.pick(EFFECTIVENESS);
            self.out.push_str(t);
            self.out.push_str("\n\n**Why Self-Healing Didn't Fully Resolve**:\n");
            for t in {
                let k = self.rng.range(2, 3) as usize;
                self.choose(WHY_NOT_HEALED, k)
            } {
                self.out.push_str("- ");
                self.expand(t);
                self.out.push('\n');
            }
        } else {
            self.out.push_str("**Result**: No playbook matched this failure mode\n");
        }
        self.out.push_str("\n**Recommendations for Self-Healing Enhancement**:\n");
        for (n, t) in {
            let k = self.rng.range(2, 3) as usize;
            self.choose(HEALING_RECOMMENDATIONS, k)
        }
        .into_iter()
        .enumerate()
        {
            let _ = write!(self.out, "{}. ", n + 1);
            self.expand(t);
            self.out.push('\n');
        }
        self.out.push('\n');
    }

    fn communication(&mut self, rich: bool, dur: i64) {
        let (year, seq) = self.id_parts();
        let every = *self.rng.pick(&[5, 10, 15, 30]);
        let engineers = self.rng.range(2, 14);
        let csm = self.rng.range(0, 4);
        let pm = self.plan.start.date() + Duration::days(self.rng.range(1, 5) as i64);
        let _ = write!(
            self.out,
            "## Communication\n\n### Internal\n- **Incident Slack Channel**: #incident-{year}-{seq}\n\
             - **Status Updates**: Every {every} minutes\n\
             - **Participants**: {engineers} engineers, {csm} customer success managers\n\
             - **Post-Mortem Meeting**: Scheduled for {pm}\n\n### External\n"
        );
        let into = self.rng.range(5, (dur as u64 / 60).clamp(6, 90));
        let sent = self.plan.start + Duration::minutes(into as i64);
        let _ = writeln!(
            self.out,
            "- **Customer Notification**: Sent at {:02}:{:02} ({into} minutes into incident)",
            sent.hour(),
            sent.minute()
        );
        let page = *self.rng.pick(&[10, 15, 20, 30]);
        let fin = self.end + Duration::minutes(self.rng.range(5, 40) as i64);
        let _ = write!(
            self.out,
            "- **Status Page**: Updated every {page} minutes\n\
             - **Final Communication**: Sent at {:02}:{:02} (after verification)\n\n",
            fin.hour(),
            fin.minute()
        );
        if rich && self.rng.chance(70) {
            let s = self.scenario;
            let _ = write!(
                self.out,
                "**Customer Communication Template Used**:\n```\nSubject: Resolved: {}\n\n\
                 We experienced {} from {:02}:{:02}-{:02}:{:02} UTC\n today due to {}. The issue has been resolved.\n\n\
                 Impact: ",
                s.subject,
                s.subject.to_lowercase(),
                self.plan.start.hour(),
                self.plan.start.minute(),
                self.end.hour(),
                self.end.minute(),
                s.plain_cause
            );
            let t = *self.rng.pick(s.impact_types);
            self.expand(t);
            self.out.push_str(
                "\nResolution: We deployed a fix and added safeguards\n\
                 Next Steps: We're implementing additional safeguards to prevent recurrence\n\n\
                 We apologize for any inconvenience. If you have questions, please contact\n\
                 support@example.com\n```\n\n",
            );
        }
    }

    fn lessons(&mut self) {
        self.out.push_str("## Lessons Learned\n\n### What Went Well ✅\n");
        for (n, t) in {
            let k = self.rng.range(2, 5) as usize;
            self.choose(WENT_WELL, k)
        }
        .into_iter()
        .enumerate()
        {
            let _ = write!(self.out, "{}. ", n + 1);
            self.expand(t);
            self.out.push('\n');
        }
        self.out.push_str("\n### What Could Be Improved ⚠️\n");
        let k = self.rng.range(2, 5) as usize;
        let specific = *self.rng.pick(self.scenario.factors);
        let mut items = self.choose(TO_IMPROVE, k - 1);
        items.insert(0, specific);
        for (n, t) in items.into_iter().enumerate() {
            let _ = write!(self.out, "{}. ", n + 1);
            self.expand(t);
            if n == 0 && self.rng.chance(30) {
                self.out.push_str(" (");
                self.remark();
                self.out.push(')');
            }
            self.out.push('\n');
        }
        self.action_items();
    }

    fn action_items(&mut self) {
        let (year, seq) = self.id_parts();
        self.out.push_str(
            "\n### Action Items\n| ID | Action | Owner | Due Date | Status |\n\
             |----|--------|-------|----------|--------|\n",
        );
        let k = self.rng.range(2, 7) as usize;
        let base = self.end.date();
        let pool: Vec<&'static str> = self.scenario.long_term.iter().chain(ACTIONS).copied().collect();
        for (n, t) in self.choose(&pool, k).into_iter().enumerate() {
            let due = base + Duration::days(self.rng.range(3, 60) as i64);
            let age_days = (LAST_DAY - due).num_days();
            let done_pct = if age_days > 730 {
                97
            } else if age_days > 365 {
                92
            } else if age_days > 90 {
                75
            } else if age_days > 0 {
                45
            } else {
                15
            };
            let status = if self.rng.chance(done_pct) {
                "✅ Done"
            } else {
                *self.rng.pick(&["⏳ In Progress", "⏳ In Progress", "⏳ Planned", "❌ Blocked"])
            };
            let _ = write!(self.out, "| AI-{year}-{seq}-{} | ", n + 1);
            self.expand(t);
            let owner = self.v.owners.draw(&mut self.rng);
            let _ = writeln!(self.out, " | {owner} | {due} | {status} |");
        }
        self.out.push('\n');
    }

    fn technical_details(&mut self) {
        self.out.push_str("## Technical Details\n\n### System Metrics During Incident\n\n");
        for &(label, lines) in METRICS {
            let _ = writeln!(self.out, "**{label}**:");
            let k = self.rng.range(2, lines.len() as u64) as usize;
            for t in self.choose(lines, k) {
                self.out.push_str("- ");
                self.expand(t);
                self.out.push('\n');
            }
            self.out.push('\n');
        }
        if self.rng.chance(40) {
            self.out.push_str("**Notes**: ");
            self.remark();
            self.out.push(' ');
            self.remark();
            self.out.push_str("\n\n");
        }
        let dep = self.plan.start - Duration::minutes(self.rng.range(20, 600) as i64);
        let (a, b, c) = self.version;
        let method = *self.rng.pick(&["Rolling update", "Blue/green", "Canary (5% → 100%)", "Helm upgrade"]);
        let rollback = if self.rng.chance(50) {
            "N/A (hotfix deployed instead)".to_string()
        } else {
            format!("{} minutes", self.rng.range(3, 40))
        };
        let _ = write!(
            self.out,
            "### Deployment Information\n- **Version**: v{a}.{b}.{c}\n- **Deployment Time**: {} {:02}:{:02} UTC\n\
             - **Deployment Method**: {method}\n- **Rollback Time**: {rollback}\n\n",
            dep.date(),
            dep.hour(),
            dep.minute()
        );
    }

    fn references(&mut self) {
        let id = self.plan.id.as_str();
        let s = self.plan.start;
        let (d, h, m, sec) = (s.date(), s.hour(), s.minute(), s.second());
        let _ = write!(
            self.out,
            "## References\n- **Incident Timeline**: [incident_timelines/{id}-timeline.json](../incident_timelines/{id}-timeline.json)\n\
             - **Alert Payload**: [monitoring/alerts/alert-{d}-{h:02}{m:02}{sec:02}.json](../monitoring/alerts/alert-{d}-{h:02}{m:02}{sec:02}.json)\n"
        );
        if self.rng.chance(40) {
            let _ = writeln!(self.out, "- **Runbook**: [runbooks/{0}.md](../runbooks/{0}.md)", self.service);
        }
        if self.rng.chance(60) {
            self.out.push_str("- **Post-Mortem Recording**: [Link to recording]\n");
        }
        let (year, seq) = self.id_parts();
        let _ = write!(self.out, "- **Slack Thread**: #incident-{year}-{seq}\n\n");
    }

    fn sign_off(&mut self) {
        let commander = self.v.people.draw(&mut self.rng);
        let role = *self.rng.pick(COMMANDER_ROLES);
        let reviewer = self.v.people.draw(&mut self.rng);
        let rrole = *self.rng.pick(REVIEWER_ROLES);
        let approver = self.v.approvers.draw(&mut self.rng);
        let date =
            self.end.date() + Duration::days(self.rng.weighted(&[10, 30, 20, 12, 8, 6, 5, 4, 3, 2]) as i64);
        let _ = write!(
            self.out,
            "## Sign-off\n\n**Incident Commander**: {commander}, {role}  \n**Reviewed By**: {reviewer}, {rrole}  \n\
             **Approved By**: {approver}  \n**Date**: {date}\n\n---\n\n**Classification**: {}",
            self.rng.pick(CLASSIFICATIONS)
        );
        match self.rng.below(100) {
            0..80 => self.out.push_str("  \n**Retention**: 7 years (compliance requirement)\n"),
            80..88 => self.out.push_str("  \n**Retention**: 10 years (financial records)\n"),
            88..93 => self.out.push_str("  \n**Retention**: 5 years (internal policy)\n"),
            _ => self.out.push('\n'),
        }
    }

    /// `k` distinct elements of `xs` in their original order.
    fn choose<T: Copy>(&mut self, xs: &[T], k: usize) -> Vec<T> {
        let k = k.min(xs.len());
        let mut picked = vec![false; xs.len()];
        let mut left = k;
        while left > 0 {
            let i = self.rng.below(xs.len() as u64) as usize;
            if !picked[i] {
                picked[i] = true;
                left -= 1;
            }
        }
        xs.iter().zip(picked).filter(|(_, p)| *p).map(|(x, _)| *x).collect()
    }

    fn id_parts(&self) -> (&'a str, &'a str) {
        let plan: &'a Plan = self.plan;
        let mut parts = plan.id.splitn(3, '-').skip(1);
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""))
    }
}

struct CustomerRow {
    /// Empty for the grouped `Others (N accounts)` row.
    name: &'static str,
    users: u64,
    accounts: u64,
    delay: (Option<u64>, u64),
    complaints: u64,
}

fn datetime(out: &mut String, t: NaiveDateTime) {
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
}

fn hms(out: &mut String, t: NaiveDateTime) {
    let _ = write!(out, "{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
}

/// `2 hours 5 minutes 12 seconds`, `44 minutes 35 seconds`, with singulars.
fn duration_text(out: &mut String, secs: i64) {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let unit = |n: i64, one: &str| if n == 1 { one.to_string() } else { format!("{one}s") };
    if h > 0 {
        let _ = write!(out, "{h} {} ", unit(h, "hour"));
    }
    let _ = write!(out, "{m} {} {s} {}", unit(m, "minute"), unit(s, "second"));
}

/// `1,247`.
fn thousands(out: &mut String, n: u64) {
    let s = n.to_string();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
}

/// One kind of failure: the text a postmortem of it would hold. Templates use the slots of
/// [`Writer::expand`].
struct Scenario {
    title: &'static str,
    subject: &'static str,
    plain_cause: &'static str,
    alert: &'static str,
    alert_text: &'static str,
    expr: &'static str,
    effects: &'static [&'static str],
    impact_types: &'static [&'static str],
    steps: &'static [&'static str],
    causes: &'static [&'static str],
    problems: &'static [&'static str],
    code: Option<(&'static str, &'static str, &'static str)>,
    factors: &'static [&'static str],
    immediate: &'static [&'static str],
    short_term: &'static [&'static str],
    long_term: &'static [&'static str],
    healing: &'static str,
}

const SCENARIO_WEIGHTS: [u64; 14] = [14, 10, 5, 6, 8, 12, 8, 9, 7, 6, 5, 4, 4, 2];

static SCENARIOS: [Scenario; 14] = [
    Scenario {
        title: "Database Connection Pool Exhaustion",
        subject: "Brief Service Degradation",
        plain_cause: "a database performance issue",
        alert: "DatabaseConnectionPoolHigh",
        alert_text: "Database connection pool utilization > 95%",
        expr: "db_connection_pool_active{service=\"{svc}\"} / db_connection_pool_max > 0.95",
        effects: &["degraded performance", "slow API responses", "intermittent timeouts"],
        impact_types: &[
            "Slow API responses ({n}-{n} second delays)",
            "Intermittent request timeouts on {svc}",
        ],
        steps: &[
            "Identified: Slow query causing connection leak",
            "Self-healing attempted: Increase pool size",
            "Self-healing result: Partial mitigation, connections still leaking",
            "Manual intervention: Killed long-running queries on {host}",
            "Deployed hotfix: Added query timeout to {svc}",
        ],
        causes: &[
            "Inefficient SQL query introduced in deployment `{ver}` causing database connections to remain open indefinitely.",
            "A new report endpoint in `{svc}` ({ver}) held connections for the whole of a {w} export.",
        ],
        problems: &[
            "Missing index on `(user_id, timestamp)` combined with full table scan on {big} row table caused queries to take {n}+ seconds, exhausting connection pool (max {n}0 connections).",
            "Connections were returned to the pool only on success; every failed {w} request leaked one.",
        ],
        code: Some((
            "Query",
            "sql",
            "SELECT * FROM user_activities \nWHERE timestamp > NOW() - INTERVAL '{n} days' \nORDER BY user_id, timestamp;",
        )),
        factors: &[
            "Code review missed missing index",
            "Load testing didn't include this query pattern",
            "Query timeout not configured (default: unlimited)",
            "Connection pool size not auto-scaling",
            "No per-service connection limits on the shared {svc2} database",
        ],
        immediate: &[
            "Self-healing increased pool size from {n}0 → {n}0 connections",
            "Manually killed {n} long-running queries",
            "Deployed hotfix with query timeout ({n} seconds)",
            "Monitored recovery metrics",
            "Paused the {svc2} batch jobs sharing the database",
        ],
        short_term: &[
            "Added missing index on `user_activities(user_id, timestamp)`",
            "Set global query timeout: {n} seconds",
            "Increased connection pool max to {n}0",
            "Added connection pool auto-scaling",
            "Improved monitoring (added query performance metrics)",
        ],
        long_term: &[
            "Implement automatic slow query detection and termination",
            "Add query performance testing to CI/CD pipeline",
            "Database query review as part of code review checklist",
            "Implement connection pool circuit breaker",
            "Enhanced load testing scenarios",
        ],
        healing: "Increase database connection pool size",
    },
    Scenario {
        title: "Memory Leak in {svc}",
        subject: "Intermittent Errors",
        plain_cause: "a memory problem in one of our services",
        alert: "ContainerOOMKilled",
        alert_text: "Pods of {svc} restarted > 5 times in 10 minutes (OOMKilled)",
        expr: "increase(kube_pod_container_status_restarts_total{container=\"{svc}\"}[10m]) > 5",
        effects: &["intermittent errors", "failed requests", "slow page loads"],
        impact_types: &[
            "Intermittent 502 errors while pods restarted",
            "Failed uploads and retries on {svc}",
        ],
        steps: &[
            "Identified: Heap growth of {n}MB per minute on every replica",
            "Heap dump captured from {host}",
            "Rolled back {svc} to the previous release",
            "Restart loop stopped, memory flat after rollback",
        ],
        causes: &[
            "An unbounded in-memory cache of {w} sessions added in `{ver}` grew until the container hit its memory limit.",
            "A listener registered on every request in `{svc}` ({ver}) was never removed, retaining request buffers.",
        ],
        problems: &[
            "Each replica was OOM-killed every {n} minutes under peak load; restarts overlapped and capacity dropped by {pct}.",
            "Garbage collection pauses reached {ms} before each kill, so health checks failed first.",
        ],
        code: Some((
            "Heap Summary",
            "",
            "num   #instances   #bytes   class name\n  1:   {big}   {big}   byte[]\n  2:   {big}   {big}   java.lang.String",
        )),
        factors: &[
            "No memory limit alerts below the kill threshold",
            "Soak test skipped for this release",
            "Cache had no size bound or eviction policy",
            "Restarts masked the leak for two days before the incident",
        ],
        immediate: &[
            "Rolled back {svc} to the previous release",
            "Scaled {svc} from {n} to {n} replicas",
            "Raised memory limit temporarily to {n}Gi",
            "Captured heap dumps for analysis",
        ],
        short_term: &[
            "Bounded the cache to {big} entries with LRU eviction",
            "Added alert on container memory > 85% of limit",
            "Re-enabled the soak test stage",
            "Fixed listener leak and redeployed",
        ],
        long_term: &[
            "Add memory profiling to the release pipeline",
            "Standard cache library with mandatory bounds",
            "Run 24-hour soak tests for services with caches",
            "Document heap dump procedure in the runbook",
        ],
        healing: "Restart pods exceeding memory threshold",
    },
    Scenario {
        title: "Expired TLS Certificate on {svc}",
        subject: "Connection Errors",
        plain_cause: "an expired security certificate",
        alert: "TLSHandshakeFailures",
        alert_text: "TLS handshake failures > 50/min on {svc}",
        expr: "rate(tls_handshake_errors_total{service=\"{svc}\"}[5m]) > 50",
        effects: &["connection errors", "failed logins", "API failures"],
        impact_types: &["All HTTPS requests to {svc} failed", "Mobile clients could not connect"],
        steps: &[
            "Identified: Certificate for {svc} expired at 00:00 UTC",
            "Issued emergency certificate from internal CA",
            "Deployed new certificate to {region} load balancers",
            "Handshake errors back to baseline",
        ],
        causes: &[
            "The TLS certificate for `{svc}` expired; automatic renewal had been failing silently for {n} days.",
            "A manually installed certificate on the {region} load balancer was not tracked by the renewal job.",
        ],
        problems: &[
            "The renewal job lost permission to write the DNS challenge record after a {w} policy change.",
            "Expiry warnings went to a mailing list that was archived in a reorganisation.",
        ],
        code: None,
        factors: &[
            "Certificate expiry not monitored",
            "Renewal failures only logged, not alerted",
            "Manual certificate outside the inventory",
            "Owner of the certificate left the company",
        ],
        immediate: &[
            "Issued emergency certificate",
            "Deployed certificate to all load balancers",
            "Purged CDN edge configuration",
            "Confirmed handshakes from {region}",
        ],
        short_term: &[
            "Added expiry alert at 30, 14 and 3 days",
            "Fixed renewal job permissions",
            "Inventoried all certificates on load balancers",
        ],
        long_term: &[
            "Move all certificates to automated issuance",
            "Weekly report of certificates expiring within 60 days",
            "Remove manual certificate installation path",
        ],
        healing: "Reload certificate bundle on load balancers",
    },
    Scenario {
        title: "DNS Resolution Failures for {svc}",
        subject: "Service Unavailability",
        plain_cause: "a DNS configuration change",
        alert: "DNSLookupFailures",
        alert_text: "DNS lookup failures > 10% for internal zones",
        expr: "sum(rate(coredns_dns_responses_total{rcode=\"SERVFAIL\"}[5m])) / sum(rate(coredns_dns_responses_total[5m])) > 0.1",
        effects: &["service unavailability", "failed requests", "login failures"],
        impact_types: &[
            "Requests failed with name resolution errors",
            "Outbound webhooks to customers failed",
        ],
        steps: &[
            "Identified: SERVFAIL responses for the internal zone",
            "Reverted the DNS zone change from {n} minutes earlier",
            "Flushed resolver caches in {region}",
            "Resolution success rate back above 99.9%",
        ],
        causes: &[
            "A zone file change removed the delegation for the `{svc}` internal zone.",
            "The resolver fleet in {region} ran out of file descriptors after a TTL change multiplied query volume.",
        ],
        problems: &[
            "Negative caching kept failures alive for {n} minutes after the fix.",
            "The change was applied to all regions at once instead of one region first.",
        ],
        code: Some((
            "Zone Diff",
            "diff",
            "- {svc}.internal.  300  IN  NS  ns1.{region}.internal.\n+ ; delegation removed by {w} cleanup",
        )),
        factors: &[
            "DNS changes not staged by region",
            "No validation of zone delegations in CI",
            "Negative TTL set too high",
            "Resolver capacity not load tested",
        ],
        immediate: &[
            "Reverted the zone change",
            "Flushed resolver caches",
            "Restarted resolvers in {region}",
            "Switched clients to fallback resolvers",
        ],
        short_term: &[
            "Lowered negative TTL to 30 seconds",
            "Added zone validation to the DNS pipeline",
            "Raised resolver file descriptor limits",
        ],
        long_term: &[
            "Roll out DNS changes one region at a time",
            "Synthetic DNS checks for every internal zone",
            "Capacity plan for resolver fleet",
        ],
        healing: "Fail over to secondary resolvers",
    },
    Scenario {
        title: "Disk Full on {host}",
        subject: "Delayed Processing",
        plain_cause: "a storage capacity issue",
        alert: "DiskSpaceCritical",
        alert_text: "Disk usage > 95% on {host}",
        expr: "node_filesystem_avail_bytes{mountpoint=\"/var\"} / node_filesystem_size_bytes < 0.05",
        effects: &["delayed processing", "failed writes", "stale data"],
        impact_types: &["Writes rejected by {svc}", "Reports delayed by up to {n} hours"],
        steps: &[
            "Identified: /var full on {host} due to log growth",
            "Rotated and compressed logs",
            "Moved {n}GB of old snapshots to object storage",
            "Write errors stopped",
        ],
        causes: &[
            "Debug logging enabled during a {w} investigation was never turned off, writing {n}GB per hour.",
            "WAL archiving to object storage stalled, so write-ahead logs accumulated on the local disk of {host}.",
        ],
        problems: &[
            "The disk alert threshold of 95% left less than {n} minutes to react at the growth rate seen.",
            "Log rotation ran daily, not by size.",
        ],
        code: None,
        factors: &[
            "No alert on disk growth rate",
            "Debug logging has no expiry",
            "Log rotation by time only",
            "WAL archiving failures not alerted",
        ],
        immediate: &[
            "Deleted rotated debug logs",
            "Disabled debug logging on {svc}",
            "Expanded volume by {n}0GB",
            "Restarted WAL archiver",
        ],
        short_term: &[
            "Size-based log rotation",
            "Alert on predicted disk full within 4 hours",
            "Debug log flags expire automatically after 24 hours",
        ],
        long_term: &[
            "Ship logs off-host instead of local retention",
            "Capacity dashboards per host class",
            "Quarterly review of disk alerts",
        ],
        healing: "Run log cleanup playbook",
    },
    Scenario {
        title: "Bad Configuration Push to {svc}",
        subject: "Service Disruption",
        plain_cause: "a configuration change",
        alert: "HighErrorRate",
        alert_text: "HTTP 5xx rate > 5% on {svc}",
        expr: "sum(rate(http_requests_total{service=\"{svc}\",code=~\"5..\"}[5m])) / sum(rate(http_requests_total{service=\"{svc}\"}[5m])) > 0.05",
        effects: &["errors on checkout", "failed API calls", "service disruption"],
        impact_types: &["HTTP 500 errors on {n}% of requests", "Feature unavailable for affected accounts"],
        steps: &[
            "Identified: Config change {n} minutes before the alert",
            "Rolled back configuration to previous revision",
            "Error rate dropping",
            "Feature flag `{w}_{w}` disabled",
        ],
        causes: &[
            "A configuration change set the `{svc}` upstream timeout to {n}ms instead of {n} seconds.",
            "A feature flag enabled for all customers instead of {pct} routed traffic to an unfinished {w} code path.",
        ],
        problems: &[
            "The configuration service accepted the value because it only checked the type, not the range.",
            "The flag change bypassed the staged rollout because it was made through the admin API.",
        ],
        code: Some(("Change", "yaml", "upstream:\n  name: {svc2}\n  timeout_ms: {n}\n  retries: {n}")),
        factors: &[
            "Config changes not validated against ranges",
            "No canary for configuration pushes",
            "Admin API bypasses staged rollout",
            "Change made outside business hours without review",
        ],
        immediate: &[
            "Rolled back configuration",
            "Disabled the feature flag",
            "Drained error queue",
            "Notified affected customers",
        ],
        short_term: &[
            "Added range validation for timeout settings",
            "Required review for flag changes above 10%",
            "Added config change annotations to dashboards",
        ],
        long_term: &[
            "Canary all configuration pushes",
            "Single audited path for flag changes",
            "Automatic rollback on error-rate regression",
        ],
        healing: "Automatic rollback of last configuration change",
    },
    Scenario {
        title: "Cache Stampede on {svc}",
        subject: "Slow Responses",
        plain_cause: "a caching issue",
        alert: "LatencyP95High",
        alert_text: "p95 latency > 2s on {svc}",
        expr: "histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{service=\"{svc}\"}[5m])) by (le)) > 2",
        effects: &["slow responses", "timeouts", "degraded performance"],
        impact_types: &["Page loads of {n}+ seconds", "Search results timing out"],
        steps: &[
            "Identified: Cache hit rate dropped from {pct} to {pct}",
            "Redis cluster {host} evicting keys under memory pressure",
            "Enabled request coalescing for hot keys",
            "Cache warmed, hit rate recovering",
        ],
        causes: &[
            "A deploy of `{svc}` ({ver}) changed the cache key format, invalidating every key at once.",
            "Redis maxmemory was reached after a {w} feature stored large values, evicting hot keys.",
        ],
        problems: &[
            "All requests fell through to the database at once; it saturated at {big} qps.",
            "No request coalescing, so each miss for a hot key became {n}0 database queries.",
        ],
        code: None,
        factors: &[
            "Cache key changes not versioned",
            "No request coalescing",
            "Redis memory not alerted",
            "Database not sized for cold cache",
        ],
        immediate: &[
            "Enabled request coalescing",
            "Scaled Redis cluster",
            "Rate limited cache-miss path",
            "Pre-warmed top {big} keys",
        ],
        short_term: &[
            "Versioned cache keys with gradual migration",
            "Alert on Redis memory > 80%",
            "Capped value size at 1MB",
        ],
        long_term: &[
            "Cold-cache load test before releases",
            "Cache library with built-in coalescing",
            "Separate Redis clusters per workload",
        ],
        healing: "Scale cache cluster",
    },
    Scenario {
        title: "Message Queue Backlog in {svc}",
        subject: "Delayed Notifications",
        plain_cause: "a processing backlog",
        alert: "ConsumerLagHigh",
        alert_text: "Kafka consumer lag > 100k messages for {svc}",
        expr: "sum(kafka_consumergroup_lag{consumergroup=\"{svc}\"}) > 100000",
        effects: &["delayed notifications", "delayed order processing", "stale dashboards"],
        impact_types: &["Notifications delayed by up to {n} minutes", "Orders stuck in pending state"],
        steps: &[
            "Identified: Consumers stuck on a poison message in partition {n}",
            "Skipped offset of malformed message",
            "Scaled consumers from {n} to {n}",
            "Lag decreasing at {big} messages per minute",
        ],
        causes: &[
            "A malformed {w} event from `{svc2}` made every consumer of `{svc}` crash and retry the same offset.",
            "A rebalance storm after a {w} deploy kept consumer groups of `{svc}` from making progress.",
        ],
        problems: &[
            "No dead-letter queue, so one bad message blocked the partition for everyone.",
            "Session timeout shorter than the processing time of large batches.",
        ],
        code: None,
        factors: &[
            "No dead-letter queue",
            "Producer schema not validated",
            "Consumer lag alert threshold too high",
            "Batch size tuned for a smaller message size",
        ],
        immediate: &[
            "Skipped the poison message",
            "Scaled consumers",
            "Paused non-critical producers",
            "Replayed skipped events after fix",
        ],
        short_term: &[
            "Added dead-letter topic",
            "Schema validation in producer",
            "Lowered lag alert threshold",
        ],
        long_term: &[
            "Schema registry with compatibility checks",
            "Autoscale consumers on lag",
            "Runbook for poison messages",
        ],
        healing: "Scale consumer group on lag",
    },
    Scenario {
        title: "Database Replication Lag and Failover",
        subject: "Stale Data",
        plain_cause: "a database replication delay",
        alert: "ReplicationLagHigh",
        alert_text: "Replica lag > 30s on {host}",
        expr: "pg_replication_lag_seconds{instance=\"{host}\"} > 30",
        effects: &["stale data", "failed writes", "inconsistent balances"],
        impact_types: &["Reads returned data up to {n} minutes old", "Writes failed during failover"],
        steps: &[
            "Identified: Replica {host} lagging by {n} minutes",
            "Primary failed health checks, automatic failover started",
            "Failover completed to replica in {region}",
            "Replication re-established",
        ],
        causes: &[
            "A bulk {w} backfill generated WAL faster than replicas could apply it.",
            "The primary's disk throughput was throttled after a storage migration in {region}.",
        ],
        problems: &[
            "Read traffic kept going to lagging replicas because routing ignored lag.",
            "The failover promoted a replica {n} seconds behind, losing recent writes that had to be replayed.",
        ],
        code: Some((
            "Replication Status",
            "sql",
            "SELECT client_addr, state, replay_lag\nFROM pg_stat_replication;",
        )),
        factors: &[
            "Backfill not throttled",
            "Read routing unaware of lag",
            "Failover threshold too aggressive",
            "Storage throttling not visible in dashboards",
        ],
        immediate: &[
            "Paused the backfill",
            "Routed reads to primary",
            "Completed failover",
            "Replayed lost writes from the audit log",
        ],
        short_term: &[
            "Throttled backfills to {n}MB/s of WAL",
            "Lag-aware read routing",
            "Alert on storage throttling",
        ],
        long_term: &[
            "Backfill framework with WAL budget",
            "Failover drills every quarter",
            "Document replica promotion criteria",
        ],
        healing: "Automatic failover to healthy replica",
    },
    Scenario {
        title: "Third-Party Payment Provider Outage",
        subject: "Payment Processing Delays",
        plain_cause: "an outage at one of our payment providers",
        alert: "PaymentFailureRate",
        alert_text: "Payment authorization failures > 10%",
        expr: "sum(rate(payment_authorizations_total{result=\"error\"}[5m])) / sum(rate(payment_authorizations_total[5m])) > 0.1",
        effects: &["failed payments", "checkout errors", "delayed payouts"],
        impact_types: &[
            "Card payments declined with provider errors",
            "Checkout unavailable for {n} minutes",
        ],
        steps: &[
            "Identified: Provider returning 503 for authorization requests",
            "Provider status page confirmed incident",
            "Switched traffic to secondary provider",
            "Queued failed payments for retry",
        ],
        causes: &[
            "The primary payment provider had a regional outage in {region}; failover to the secondary was manual.",
            "The provider rotated an API endpoint certificate and our pinned bundle in `{svc}` rejected it.",
        ],
        problems: &[
            "Automatic failover existed but was disabled after a false positive {n} months earlier.",
            "Retries without backoff multiplied load on the provider during recovery.",
        ],
        code: None,
        factors: &[
            "Failover to secondary provider was manual",
            "No backoff on provider retries",
            "Certificate pinning without update process",
            "Provider health not monitored independently",
        ],
        immediate: &[
            "Failed over to secondary provider",
            "Enabled exponential backoff",
            "Retried queued payments",
            "Posted status page update",
        ],
        short_term: &[
            "Re-enabled automatic failover with better thresholds",
            "Synthetic payment checks every minute",
            "Removed certificate pinning",
        ],
        long_term: &[
            "Active-active payment routing",
            "Quarterly provider failover drill",
            "Contract review of provider SLA",
        ],
        healing: "Route payments to secondary provider",
    },
    Scenario {
        title: "Load Balancer Misconfiguration in {region}",
        subject: "Partial Outage",
        plain_cause: "a network configuration change",
        alert: "HealthyHostsLow",
        alert_text: "Healthy hosts < 50% in target group {svc}",
        expr: "min(aws_alb_healthy_host_count{target_group=\"{svc}\"}) < 0.5 * max(aws_alb_target_count{target_group=\"{svc}\"})",
        effects: &["a partial outage", "failed requests", "connection resets"],
        impact_types: &["{pct} of requests in {region} failed", "Websocket connections dropped"],
        steps: &[
            "Identified: Health check path changed to a route requiring auth",
            "Reverted load balancer health check",
            "Targets returning to healthy",
            "Traffic rebalanced across zones",
        ],
        causes: &[
            "A Terraform change moved the health check of `{svc}` to a path that returns 401.",
            "A security group update in {region} blocked health checks from the load balancer subnets.",
        ],
        problems: &[
            "Targets were marked unhealthy one zone at a time, so the failure looked like a capacity issue.",
            "The plan output was {n}00 lines long and the change was missed in review.",
        ],
        code: Some(("Change", "hcl", "health_check {\n  path     = \"/{w}/status\"\n  interval = {n}\n}")),
        factors: &[
            "Large Terraform plans reviewed by eye",
            "Health check path not tested",
            "No policy checks on security groups",
            "Change applied to production first",
        ],
        immediate: &[
            "Reverted health check change",
            "Restored security group rule",
            "Shifted traffic to other region",
            "Monitored target health",
        ],
        short_term: &[
            "Policy check for health check paths",
            "Split Terraform state per service",
            "Alert on healthy host ratio",
        ],
        long_term: &[
            "Apply infrastructure changes to staging first",
            "Automated plan summaries in review",
            "Game day for load balancer failures",
        ],
        healing: "Shift traffic away from unhealthy region",
    },
    Scenario {
        title: "Schema Migration Lock on {svc} Database",
        subject: "Service Unavailability",
        plain_cause: "a database maintenance operation",
        alert: "DatabaseLockWait",
        alert_text: "Lock wait time > 10s on primary database",
        expr: "max(pg_locks_wait_seconds) > 10",
        effects: &["service unavailability", "failed saves", "timeouts"],
        impact_types: &["Writes blocked for {n} minutes", "API requests timed out"],
        steps: &[
            "Identified: ALTER TABLE holding an exclusive lock",
            "Cancelled the migration",
            "Lock queue drained",
            "Migration rescheduled with online tool",
        ],
        causes: &[
            "A schema migration in `{ver}` ran `ALTER TABLE` with a default value on a {big} row table, taking an exclusive lock.",
            "A migration waited for a lock behind a long {w} transaction and queued every other query behind it.",
        ],
        problems: &[
            "The migration tool had no lock timeout, so queries queued behind it for {n} minutes.",
            "Migrations ran automatically at deploy time in peak hours.",
        ],
        code: Some((
            "Migration",
            "sql",
            "ALTER TABLE orders ADD COLUMN {w}_state text NOT NULL DEFAULT 'pending';",
        )),
        factors: &[
            "No lock timeout on migrations",
            "Migrations run during peak hours",
            "Table size not considered in review",
            "Long-running transactions not alerted",
        ],
        immediate: &[
            "Cancelled the migration",
            "Terminated the blocking transaction",
            "Restarted stuck workers",
            "Verified data integrity",
        ],
        short_term: &[
            "Set lock_timeout for migrations",
            "Moved migrations to off-peak window",
            "Alert on transactions older than 10 minutes",
        ],
        long_term: &[
            "Online schema change tool for large tables",
            "Migration linter in CI",
            "Review checklist for destructive migrations",
        ],
        healing: "Cancel queries waiting on locks",
    },
    Scenario {
        title: "Retry Storm After {svc} Deploy",
        subject: "Elevated Error Rates",
        plain_cause: "an overload in one of our internal services",
        alert: "RequestRateAnomaly",
        alert_text: "Request rate to {svc} 5x above baseline",
        expr: "sum(rate(http_requests_total{service=\"{svc}\"}[5m])) > 5 * avg_over_time(sum(rate(http_requests_total{service=\"{svc}\"}[5m]))[1d:5m])",
        effects: &["elevated error rates", "slow responses", "rate limiting"],
        impact_types: &["Requests rejected with 429 errors", "Latency above {n} seconds"],
        steps: &[
            "Identified: Clients retrying immediately on timeout",
            "Enabled load shedding on {svc}",
            "Rolled back client library to previous version",
            "Request rate back to baseline",
        ],
        causes: &[
            "Client library `{ver}` removed jitter from retries; a brief slowdown of `{svc}` made every client retry at once.",
            "The rate limiter in front of `{svc}` was misconfigured per host instead of per cluster after a {w} change.",
        ],
        problems: &[
            "Retries multiplied traffic by {n}x and kept the service from recovering.",
            "Load shedding was not enabled, so the service spent its capacity on requests that would time out.",
        ],
        code: Some((
            "Retry Policy",
            "yaml",
            "retries:\n  max_attempts: {n}\n  backoff: none\n  jitter: false",
        )),
        factors: &[
            "Retry policy changes not reviewed by service owners",
            "No retry budget",
            "Load shedding disabled",
            "Rate limits configured per host",
        ],
        immediate: &[
            "Enabled load shedding",
            "Rolled back client library",
            "Raised rate limit temporarily",
            "Blocked the noisiest client",
        ],
        short_term: &[
            "Restored jitter and exponential backoff",
            "Retry budget of 10% per client",
            "Cluster-wide rate limiting",
        ],
        long_term: &[
            "Shared resilience library with safe defaults",
            "Chaos test for dependency slowdowns",
            "Document retry guidelines",
        ],
        healing: "Enable load shedding at 90% capacity",
    },
    Scenario {
        title: "Expired Service Credentials for {svc}",
        subject: "Sync Failures",
        plain_cause: "an expired credential",
        alert: "AuthFailuresHigh",
        alert_text: "Authentication failures > 100/min from {svc}",
        expr: "rate(auth_failures_total{client=\"{svc}\"}[5m]) > 100",
        effects: &["sync failures", "missing data", "failed exports"],
        impact_types: &["Data sync to {svc2} stopped", "Exports failed with 401 errors"],
        steps: &[
            "Identified: Service account token for {svc} expired",
            "Rotated credential manually",
            "Restarted {svc} to pick up new secret",
            "Backlog of syncs reprocessed",
        ],
        causes: &[
            "The service account token of `{svc}` expired after {n} days; rotation was a manual calendar task.",
            "A secret rotation job updated the vault but `{svc}` cached the old secret until restart.",
        ],
        problems: &[
            "The reminder for manual rotation went to an engineer who had changed teams.",
            "Services read secrets only at start-up, so rotations needed restarts nobody scheduled.",
        ],
        code: None,
        factors: &[
            "Manual credential rotation",
            "Secrets read only at start-up",
            "No alert before credential expiry",
            "Ownership of service accounts unclear",
        ],
        immediate: &[
            "Rotated credential",
            "Restarted affected services",
            "Reprocessed failed syncs",
            "Confirmed data consistency with {svc2}",
        ],
        short_term: &[
            "Automated rotation for service accounts",
            "Alert 14 days before expiry",
            "Hot reload of secrets",
        ],
        long_term: &[
            "Short-lived credentials everywhere",
            "Inventory of service accounts with owners",
            "Quarterly access review",
        ],
        healing: "Reload secrets from vault",
    },
];

const ENVIRONMENTS: &[&str] = &[
    "Production",
    "Production",
    "Production",
    "Production EU",
    "Production US",
    "Production APAC",
    "API Gateway",
    "Customer Portal",
    "Mobile Backend",
    "Internal Tools",
];

const REGIONS: &[&str] =
    &["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"];

const HOST_KINDS: &[&str] =
    &["db-prod", "cache-prod", "kafka-prod", "api-prod", "worker-prod", "lb-prod", "etl-prod"];

const GENERIC_STEPS: &[&str] = &[
    "Escalated to {team} on-call",
    "Status page updated: investigating",
    "Customer notification sent",
    "Checked recent deploys of {svc} and {svc2}",
    "Incident commander assigned",
    "Ruled out {svc2} as the cause",
    "Reviewed dashboards for {region}",
    "Bridge call opened with {n} participants",
    "Correlated errors with {w} traffic spike",
    "Status page updated: identified",
    "Support briefed on customer messaging",
];

const MONITORING: &[&str] = &[
    "Error rate declining",
    "Latency back under {ms}",
    "Queue depth decreasing",
    "Pool utilization declining",
    "Traffic back to normal levels",
];

const GENERIC_FACTORS: &[&str] = &[
    "Runbook for {svc} was out of date",
    "On-call engineer new to the {svc} service",
    "Dashboards did not show per-tenant errors",
    "Alert routed to the wrong team ({team})",
    "Change freeze exception granted without review",
];

const DETECTION_HOW: &[&str] = &[
    "Automated monitoring (Prometheus alert)",
    "Automated monitoring (Prometheus alert)",
    "Automated monitoring (Datadog monitor)",
    "Synthetic check failure",
    "Customer report via support ticket",
    "Engineer noticed during deploy",
    "Anomaly detection on error budget burn",
];

const DETECTION_AFTER: &[&str] = &[
    "first errors",
    "first slow query execution",
    "the deploy completed",
    "error budget burn began",
    "the first customer request failed",
];

const DETECTION_METHOD: &[&str] = &[
    "Effective - caught early before complete outage",
    "Effective - alert fired within SLO",
    "Partially effective - alert fired but was routed to the wrong team",
    "Late - customers noticed before monitoring",
    "Effective - synthetic checks caught it in one region first",
];

const DATA_LOSS: &[&str] = &[
    "- **No Data Loss**: All transactions eventually completed",
    "- **No Data Loss**: Failed requests were retried by clients",
    "- **Data Loss**: None confirmed; {n} records reprocessed",
];

const REPUTATION: &[&str] = &[
    "Low (proactive communication)",
    "Medium (social media mentions)",
    "Low",
    "High (press inquiry)",
    "None",
];

const CHURN: &[&str] =
    &["None identified", "Low", "One account at risk", "Under review by account management"];

const EFFECTIVENESS: &[&str] = &[
    "Prevented complete outage but didn't resolve root cause",
    "Resolved the symptom within minutes",
    "Did not match the failure pattern",
];

const WHY_NOT_HEALED: &[&str] = &[
    "Increasing capacity treated symptom, not cause",
    "Playbook did not cover {w} failures",
    "Self-healing not configured to roll back deployments",
    "Action limited to one region ({region})",
    "Safety limits stopped the playbook after {n} attempts",
];

const HEALING_RECOMMENDATIONS: &[&str] = &[
    "Add playbook: Detect and kill queries > 30 seconds",
    "Add playbook: Auto-rollback recent deployments if error rate spikes",
    "Improve decision tree to identify {w} pattern",
    "Extend playbook to all regions",
    "Add playbook: Restart {svc} on memory threshold",
];

const WENT_WELL: &[&str] = &[
    "Fast detection ({n} seconds)",
    "Quick acknowledgment by on-call",
    "Effective troubleshooting (identified root cause in < {n} minutes)",
    "Proactive customer communication",
    "Self-healing prevented complete outage",
    "Rollback worked as designed",
    "Runbook for {svc} was accurate",
    "Good collaboration with {team}",
    "Clear incident command",
    "Dashboards made the {w} pattern obvious",
];

const TO_IMPROVE: &[&str] = &[
    "Load testing scenarios insufficient",
    "Better change management process",
    "Alert thresholds should be reviewed",
    "Escalation path to {team} unclear",
    "Status page updated too late",
    "Runbook missing steps for {svc}",
    "Staging did not reproduce production {w} volume",
    "Too many people on the bridge call",
];

const ACTIONS: &[&str] = &[
    "Add index review to code review checklist",
    "Update self-healing playbooks",
    "Document database change process",
    "Add alert for {svc} saturation",
    "Update runbook for {svc}",
    "Review on-call escalation for {team}",
    "Add {svc} to synthetic monitoring",
    "Load test {svc} at 3x peak",
    "Write postmortem summary for customers",
    "Audit {w} configuration across regions",
];

const REMARKS: &[&str] = &[
    "Logs from {svc2} showed {w} {w} warnings at the same time.",
    "The {w} dashboard for {svc} lagged behind by {n} minutes.",
    "A similar {w} pattern was seen on {svc2} in {region}.",
    "Engineers noted {w} and {w} retries in the traces.",
    "Traces pointed at the {w} handler of {svc2}.",
    "The {w} migration on {host} was unrelated.",
];

const METRICS: &[(&str, &[&str])] = &[
    (
        "Database",
        &[
            "Connection pool utilization: {pct} (peak)",
            "Active queries: {n}0 concurrent",
            "Longest query time: {n}0 seconds",
            "Query throughput: Dropped from {big} qps → {n}0 qps",
            "Replication lag: {n} seconds",
        ],
    ),
    (
        "Application",
        &[
            "API response time p95: {n}.{n} seconds (normal: {ms})",
            "API error rate: {pct} (normal: 0.2%)",
            "Request queue depth: {big} (normal: < 10)",
            "Pod restarts: {n}",
        ],
    ),
    (
        "Infrastructure",
        &[
            "CPU utilization: Normal (no spike)",
            "Memory utilization: {pct}",
            "Network throughput: Normal",
            "Disk I/O: Elevated",
            "Node count in {region}: {n}",
        ],
    ),
];

const COMMANDER_ROLES: &[&str] =
    &["Senior SRE", "SRE", "Staff Engineer", "Engineering Manager", "SRE Lead", "Principal Engineer"];

const REVIEWER_ROLES: &[&str] =
    &["VP Engineering", "Director of Engineering", "Head of SRE", "Engineering Manager", "CTO"];

const APPROVER_ROLES: &[&str] =
    &["CISO", "CTO", "VP Engineering", "Head of Compliance", "Director of Infrastructure", "COO"];

const CLASSIFICATIONS: &[&str] = &[
    "Internal - Engineering Team",
    "Internal - Engineering Team",
    "Internal - Engineering Team",
    "Internal - Company Wide",
    "Confidential - Security",
    "Confidential - Customer Data",
];

const CUSTOMER_HEAD: &[&str] = &[
    "Global",
    "Health",
    "Retail",
    "Tech",
    "Nova",
    "Blue",
    "Summit",
    "Apex",
    "Iron",
    "Silver",
    "Harbor",
    "Pine",
    "North",
    "Quantum",
    "Metro",
    "Urban",
    "Prime",
    "Atlas",
    "Vertex",
    "Cedar",
    "River",
    "Bright",
    "Union",
    "Pacific",
    "Alpine",
    "Coastal",
    "Stellar",
    "Evergreen",
    "Orbit",
    "Falcon",
    "Granite",
    "Lumen",
    "Crest",
];

const CUSTOMER_TAIL: &[&str] = &[
    "Bank",
    "Tech",
    "Chain",
    "Startup",
    "Mart",
    "Care",
    "Logistics",
    "Media",
    "Air",
    "Energy",
    "Pay",
    "Cloud",
    "Foods",
    "Insure",
    "Freight",
    "Learn",
    "Works",
    "Labs",
    "Health",
    "Travel",
    "Capital",
    "Motors",
];

const CUSTOMER_FORM: &[&str] =
    &["Corp", "Inc", "LLC", "Systems", "Group", "Ltd", "Holdings", "GmbH", "SA", "Partners", "Co"];

const TEAM_AREAS: &[&str] = &[
    "Database",
    "Payments",
    "Search",
    "Identity",
    "Billing",
    "Networking",
    "Storage",
    "Mobile",
    "Web",
    "Data",
    "ML",
    "Observability",
    "Messaging",
    "Edge",
    "CDN",
    "Auth",
    "Checkout",
    "Notifications",
    "Ingestion",
    "Analytics",
    "Compliance",
    "Release",
    "Build",
    "DevEx",
    "Core API",
    "Gateway",
    "Cache",
    "Scheduler",
    "Reporting",
    "Integrations",
    "Onboarding",
    "Fraud",
    "Risk",
    "Ledger",
    "Catalog",
    "Inventory",
    "Shipping",
    "Support Tools",
    "Kubernetes",
    "Frontend",
    "Backend",
    "Growth",
    "Security",
];

const TEAM_KINDS: &[&str] = &["Team", "SRE", "Platform", "Infra", "Squad", "On-call", "Eng", "Ops"];

const FIRST_NAMES: &[&str] = &[
    "Sarah", "David", "Maria", "James", "Priya", "Wei", "Ahmed", "Elena", "Tom", "Aisha", "Lucas", "Mei",
    "Omar", "Sofia", "Daniel", "Yuki", "Fatima", "Noah", "Chloe", "Ravi", "Anna", "Carlos", "Hannah",
    "Kenji", "Leila", "Marco", "Nina", "Oscar", "Paula", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera",
    "Will", "Xin", "Yara", "Zane", "Grace", "Ivan", "Julia", "Kofi", "Lena", "Mateo", "Nora", "Pedro",
    "Sana", "Theo", "Zoe",
];

const LAST_NAMES: &[&str] = &[
    "Mitchell", "Chen", "Garcia", "Smith", "Patel", "Wang", "Hassan", "Petrova", "Brown", "Khan", "Silva",
    "Tanaka", "Ali", "Rossi", "Miller", "Sato", "Ibrahim", "Johnson", "Martin", "Sharma", "Novak", "Lopez",
    "Schmidt", "Kim", "Haddad", "Bianchi", "Okafor", "Larsen", "Costa", "Murphy", "Nguyen", "Fischer",
    "Dubois", "Kowalski", "Reyes", "Yilmaz", "Andersen", "Moreau", "Ito", "Walker", "Young", "Evans", "Park",
    "Singh",
];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "ven", "tor", "nix", "quo", "zel", "bar", "den", "fal", "gri", "hol", "jun",
    "kex", "lum", "mor", "nal", "pra", "rix", "sol", "tam", "ulm", "vor", "wex", "yar", "zon", "cor", "dra",
    "el", "fin",
];

const SERVICE_KINDS: &[&str] =
    &["api", "worker", "gateway", "db", "sync", "scheduler", "proxy", "web", "etl", "cache"];

/// Ordinary words of postmortems, most frequent first; the generated rare terms follow them.
const COMMON_WORDS: &[&str] = &[
    "latency",
    "timeout",
    "retry",
    "cache",
    "deploy",
    "rollback",
    "config",
    "traffic",
    "error",
    "queue",
    "replica",
    "connection",
    "request",
    "memory",
    "disk",
    "network",
    "throughput",
    "alert",
    "dashboard",
    "certificate",
    "database",
    "index",
    "schema",
    "migration",
    "session",
    "token",
    "payload",
    "batch",
    "worker",
    "cluster",
    "partition",
    "shard",
    "failover",
    "upstream",
    "downstream",
    "backlog",
    "spike",
    "saturation",
    "throttle",
    "quota",
    "limit",
    "burst",
    "webhook",
    "callback",
    "export",
    "import",
    "report",
    "invoice",
    "checkout",
    "login",
    "signup",
    "search",
    "upload",
    "download",
    "thumbnail",
    "notification",
    "email",
    "sms",
    "push",
    "ledger",
    "balance",
    "refund",
    "payout",
    "settlement",
    "reconciliation",
    "audit",
    "compliance",
    "tenant",
    "account",
    "region",
    "zone",
    "node",
    "pod",
    "container",
    "kernel",
    "socket",
    "handshake",
    "dns",
    "resolver",
    "proxy",
    "gateway",
    "ingress",
    "egress",
    "firewall",
    "vpn",
    "peering",
    "bandwidth",
    "packet",
    "jitter",
    "heartbeat",
    "lease",
    "lock",
    "deadlock",
    "contention",
    "eviction",
    "compaction",
    "vacuum",
    "snapshot",
    "backup",
    "restore",
    "checksum",
    "corruption",
    "drift",
    "version",
    "release",
    "canary",
    "flag",
    "rollout",
    "staging",
    "production",
    "sandbox",
    "pipeline",
    "build",
    "artifact",
    "registry",
    "image",
    "scheduler",
    "cron",
    "job",
    "consumer",
    "producer",
    "topic",
    "offset",
    "lag",
    "stream",
    "event",
    "metric",
    "trace",
    "span",
    "log",
    "sampling",
    "cardinality",
    "histogram",
    "percentile",
    "budget",
    "slo",
    "sla",
    "escalation",
    "runbook",
    "playbook",
    "pager",
    "oncall",
    "handover",
    "freeze",
    "hotfix",
    "patch",
    "regression",
    "leak",
    "overflow",
    "underflow",
    "exhaustion",
    "starvation",
    "stampede",
    "storm",
    "cascade",
    "outage",
    "degradation",
    "brownout",
    "blackout",
    "incident",
    "mitigation",
    "remediation",
    "workaround",
    "recovery",
    "idempotency",
    "dedup",
    "ordering",
    "consistency",
    "durability",
    "availability",
    "capacity",
    "headroom",
    "autoscaling",
    "provisioning",
    "bootstrap",
    "warmup",
    "cold",
    "hot",
    "stale",
    "fresh",
    "expiry",
    "rotation",
    "secret",
    "vault",
    "credential",
    "permission",
    "role",
    "policy",
    "tls",
    "cipher",
    "hash",
    "signature",
    "serializer",
    "parser",
    "encoder",
    "decoder",
    "protobuf",
    "json",
    "yaml",
    "csv",
    "utf8",
    "timezone",
    "clock",
    "skew",
    "ntp",
    "leap",
    "daylight",
    "midnight",
    "weekend",
    "holiday",
    "peak",
    "baseline",
    "anomaly",
    "threshold",
    "sensor",
    "probe",
    "healthcheck",
    "readiness",
    "liveness",
    "sidecar",
    "mesh",
    "envoy",
    "nginx",
    "haproxy",
    "redis",
    "memcached",
    "postgres",
    "mysql",
    "kafka",
    "rabbitmq",
    "elasticsearch",
    "clickhouse",
    "cassandra",
    "s3",
    "gcs",
    "cdn",
    "edge",
    "origin",
    "browser",
    "mobile",
    "android",
    "ios",
    "sdk",
    "client",
    "server",
    "backend",
    "frontend",
    "monolith",
    "microservice",
    "lambda",
    "function",
    "terraform",
    "helm",
    "kubernetes",
    "docker",
    "ansible",
    "jenkins",
    "github",
    "vendor",
    "provider",
    "partner",
    "integration",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The labelled value after `**label**: ` on the first line that has it.
    fn field<'t>(text: &'t str, label: &str) -> &'t str {
        let key = format!("**{label}**: ");
        let at = text.find(&key).unwrap_or_else(|| panic!("no `{label}`"));
        let rest = &text[at + key.len()..];
        rest[..rest.find('\n').unwrap()].trim_end()
    }

    fn time(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s.trim_end_matches(" UTC"), "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn seconds(text: &str) -> i64 {
        let words: Vec<&str> = text.split(' ').collect();
        words
            .chunks(2)
            .map(|p| {
                let n: i64 = p[0].parse().unwrap();
                match p[1].trim_end_matches('s') {
                    "hour" => n * 3600,
                    "minute" => n * 60,
                    "second" => n,
                    other => panic!("unit `{other}`"),
                }
            })
            .sum()
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = Corpus::new(300, 42);
        let b = Corpus::new(300, 42);
        let c = Corpus::new(300, 43);
        for i in [0, 1, 150, 299] {
            assert_eq!(a.id(i), b.id(i));
            assert_eq!(a.record(i), b.record(i));
        }
        assert_ne!(a.record(150), c.record(150));
    }

    #[test]
    fn ids_are_unique_sorted_by_time_and_numbered_per_year() {
        let c = Corpus::new(20_000, 7);
        let ids: std::collections::BTreeSet<&str> = (0..c.len()).map(|i| c.id(i)).collect();
        assert_eq!(ids.len(), c.len());
        assert!(c.plans.windows(2).all(|w| w[0].start <= w[1].start));
        assert!(c.plans.iter().all(|p| p.id.len() == "INC-2025-00023".len()));
        assert_eq!(c.id(0), "INC-2015-00001");
        let years: std::collections::BTreeSet<i32> = c.plans.iter().map(|p| p.start.year()).collect();
        assert_eq!(years.into_iter().collect::<Vec<_>>(), (2015..=2026).collect::<Vec<_>>());
        assert!(c.plans.iter().all(|p| p.start.date() >= FIRST_DAY && p.start.date() <= LAST_DAY));
    }

    #[test]
    fn records_are_consistent_with_themselves() {
        let c = Corpus::new(400, 3);
        let mut crossing = 0;
        let mut sizes = 0;
        for i in 0..c.len() {
            let text = c.record(i);
            sizes += text.len();
            assert!(text.starts_with(&format!("# Incident Report: {}\n\n## Incident Summary\n\n", c.id(i))));
            assert_eq!(field(&text, "Incident ID"), c.id(i));
            for slot in
                ["{svc}", "{svc2}", "{w}", "{n}", "{big}", "{pct}", "{ms}", "{ver}", "{host}", "{team}"]
            {
                assert!(!text.contains(slot), "{}: unfilled `{slot}`", c.id(i));
            }
            let (start, end) = (time(field(&text, "Start Time")), time(field(&text, "End Time")));
            assert_eq!((end - start).num_seconds(), seconds(field(&text, "Duration")), "{}", c.id(i));
            if start.date() != end.date() {
                crossing += 1;
            }

            // Timeline: first entry at the start, last at the end, times rolling over midnight once at most.
            let times: Vec<&str> = text
                .lines()
                .filter(|l| {
                    l.len() > 14
                        && l.starts_with("**")
                        && l.as_bytes()[4] == b':'
                        && l[10..].starts_with("** - ")
                })
                .map(|l| &l[2..10])
                .collect();
            assert_eq!(times.first().copied(), Some(&field(&text, "Start Time")[11..19]));
            assert_eq!(times.last().copied(), Some(&field(&text, "End Time")[11..19]));
            let rollovers = times.windows(2).filter(|w| w[1] < w[0]).count();
            assert_eq!(rollovers, usize::from(start.date() != end.date()), "{}", c.id(i));

            // Customer users add up to the stated total; accounts too.
            let stated = field(&text, "Users Affected");
            let total: u64 = stated[1..stated.find(' ').unwrap()].replace(',', "").parse().unwrap();
            let accounts: u64 =
                stated.split(" across ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
            let table = text.split("|----------|---------------|-----------|------------|\n").nth(1).unwrap();
            let rows: Vec<Vec<&str>> = table
                .lines()
                .take_while(|l| l.starts_with('|'))
                .map(|l| l.split('|').map(str::trim).filter(|c| !c.is_empty()).collect())
                .collect();
            assert_eq!(rows.iter().map(|r| r[1].parse::<u64>().unwrap()).sum::<u64>(), total);
            let counted: u64 = rows
                .iter()
                .map(|r| match r[0].strip_prefix("Others (") {
                    Some(n) => n.split(' ').next().unwrap().parse::<u64>().unwrap(),
                    None => 1,
                })
                .sum();
            assert_eq!(counted, accounts);

            // Signed off, on or after the end.
            let date = NaiveDate::parse_from_str(field(&text, "Date"), "%Y-%m-%d").unwrap();
            assert!(date >= end.date());
            assert!(!field(&text, "Approved By").is_empty());
            assert!(matches!(field(&text, "Status"), "Resolved" | "Closed"));
        }
        assert!(crossing > 0, "some timelines cross midnight");
        let mean = sizes / c.len();
        assert!((2_000..=6_000).contains(&mean), "mean size {mean}");
    }

    #[test]
    fn customers_follow_a_long_tailed_distribution() {
        let c = Corpus::new(2_000, 11);
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for i in 0..c.len() {
            let text = c.record(i);
            let table = text.split("|----------|---------------|-----------|------------|\n").nth(1).unwrap();
            for l in table.lines().take_while(|l| l.starts_with('|')) {
                let name = l.split('|').nth(1).unwrap().trim();
                if !name.starts_with("Others (") {
                    *counts.entry(name.to_string()).or_default() += 1;
                }
            }
        }
        let mut freq: Vec<usize> = counts.values().copied().collect();
        freq.sort_unstable_by(|a, b| b.cmp(a));
        // The most common customer shows up far more often than the median one, and many are rare.
        assert!(freq[0] > 20 * freq[freq.len() / 2], "{:?}", &freq[..10]);
        assert!(counts.len() > 200, "{} distinct customers", counts.len());
        assert!(freq.iter().filter(|&&f| f <= 3).count() > 50);
    }

    #[test]
    fn optional_sections_are_sometimes_missing() {
        let c = Corpus::new(300, 5);
        let mut with = std::collections::BTreeMap::<&str, usize>::new();
        for i in 0..c.len() {
            let text = c.record(i);
            for h in
                ["## Self-Healing Performance", "## Communication", "## Technical Details", "## References"]
            {
                if text.contains(&format!("\n{h}\n")) {
                    *with.entry(h).or_default() += 1;
                }
            }
        }
        for (h, n) in with {
            assert!(n > 30 && n < 290, "{h}: {n} of 300");
        }
    }

    #[test]
    fn zipf_ranks_are_ordered_by_frequency() {
        let z = Zipf::new(100);
        let mut rng = SplitMix64::new(1);
        let mut counts = [0u32; 100];
        for _ in 0..100_000 {
            counts[z.sample(&mut rng)] += 1;
        }
        // Rank 0 has weight 1, rank 1 one half, rank 9 one tenth: H(100) ≈ 5.19.
        assert!((18_000..21_000).contains(&counts[0]), "{}", counts[0]);
        assert!((9_000..10_500).contains(&counts[1]), "{}", counts[1]);
        assert!((1_700..2_150).contains(&counts[9]), "{}", counts[9]);
    }

    #[test]
    fn writes_one_file_per_record() {
        let dir = tempfile::tempdir().unwrap();
        let c = Corpus::new(50, 9);
        let w = c.write(dir.path()).unwrap();
        assert_eq!(w.records, 50);
        let mut total = 0;
        for i in 0..c.len() {
            let bytes = std::fs::read(dir.path().join(format!("{}.md", c.id(i)))).unwrap();
            assert_eq!(bytes, c.record(i).into_bytes());
            total += bytes.len() as u64;
        }
        assert_eq!(w.bytes, total);
    }
}
