//! `incident-archive.yaml`: every key has a default, unknown keys are an error, flags override.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

/// The name looked up in the current folder when `--config` is not given.
pub const DEFAULT_FILE: &str = "incident-archive.yaml";

/// The whole configuration, defaults filled in.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Folder of signed-off records (`records/`).
    pub inbox: PathBuf,
    /// Read `*.md` symbolic links under the inbox (or a folder named on the command line) whose
    /// target is outside it; by default they are refused (`symlink-outside`).
    pub allow_symlinks_outside_inbox: bool,
    /// Archive root (`archive/`).
    pub archive: PathBuf,
    /// Site output folder (`public/`).
    pub output: PathBuf,
    /// Folder whose templates and assets override the embedded defaults.
    pub templates: Option<PathBuf>,
    pub site: SiteConfig,
    pub retention: RetentionConfig,
    /// Where the build date comes from.
    pub build_date: BuildDateSource,
    /// Signed checkpoints of the archive's ledger.
    pub signing: SigningConfig,
    /// Where the archive is kept beyond its folder: `local` (the folder alone) or an S3 bucket
    /// with Object Lock.
    pub storage: StorageConfig,
}

/// `storage:`: the archive's system of record. With `kind: s3` the bucket is the record and the
/// archive folder its working copy and cache. Credentials are never read from here: only from
/// the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    pub kind: StorageKind,
    /// A custom endpoint (`http://127.0.0.1:8333` for SeaweedFS or MinIO); none for AWS.
    pub endpoint: Option<String>,
    pub bucket: Option<String>,
    /// The region; default `AWS_REGION`, else `us-east-1`.
    pub region: Option<String>,
    /// Prepended to every key (`incidents/`).
    pub prefix: String,
    pub lock_mode: LockModeConfig,
    // Credentials, named only to be refused with a clear message.
    #[serde(alias = "access_key", alias = "aws_access_key_id")]
    access_key_id: Option<serde::de::IgnoredAny>,
    #[serde(alias = "secret_key", alias = "aws_secret_access_key")]
    secret_access_key: Option<serde::de::IgnoredAny>,
    #[serde(alias = "aws_session_token")]
    session_token: Option<serde::de::IgnoredAny>,
}

impl StorageConfig {
    /// Refuses credentials in the file, and an S3 store without a bucket.
    fn check(&self) -> Result<(), String> {
        let named = [
            ("access_key_id", self.access_key_id.is_some()),
            ("secret_access_key", self.secret_access_key.is_some()),
            ("session_token", self.session_token.is_some()),
        ];
        if let Some((key, _)) = named.iter().find(|(_, set)| *set) {
            return Err(format!(
                "storage.{key}: credentials are never read from the configuration file; set \
                 `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` in the environment"
            ));
        }
        if self.kind == StorageKind::S3 && self.bucket.as_deref().is_none_or(str::is_empty) {
            return Err("storage.bucket: `kind: s3` needs a bucket".to_string());
        }
        Ok(())
    }
}

/// Where the archive is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    /// The archive folder alone.
    #[default]
    Local,
    /// An S3 bucket with Object Lock (AWS S3, MinIO, SeaweedFS).
    S3,
}

/// The Object Lock mode objects are written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LockModeConfig {
    /// Nobody can shorten a retention or delete a locked version before it expires.
    #[default]
    Compliance,
    /// Users allowed to bypass governance retention can; this tool never does.
    Governance,
}

/// Signed checkpoints: the archive's tree size and Merkle root as a C2SP `tlog-checkpoint`,
/// signed as a C2SP `signed-note` with Ed25519.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SigningConfig {
    /// The private key file (`PRIVATE+KEY+name+keyid+data`, as `incident-archive key generate`
    /// writes it); without one, checkpoints are written unsigned.
    pub key: Option<PathBuf>,
    /// The checkpoint's origin line, which names the log; default: see [`Config::origin`].
    pub origin: Option<String>,
    /// A file outside the archive where `build` keeps the last checkpoint it saw, and refuses to
    /// sign a new one that does not extend it.
    pub keep: Option<PathBuf>,
}

/// Site settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    /// Absolute URL the site is served from, used by the Atom feed; empty for relative links only.
    pub base_url: String,
    /// Offer each record's one-record evidence bundle (`bundles/<stem>.tar.gz`) on its page.
    pub evidence_bundles: bool,
}

/// Retention settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Years kept after sign-off when a record states no `Retention`.
    pub default_years: u32,
}

/// The source of the build date shown on the site and used for "overdue" and "expired".
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum BuildDateSource {
    /// `SOURCE_DATE_EPOCH` when set, else today's UTC date.
    #[default]
    Auto,
    /// Always today's UTC date.
    Now,
    /// The latest ledger entry's date, so the same archive always gives the same site.
    Ledger,
    /// A fixed date (`2026-01-31`).
    #[serde(untagged)]
    Fixed(chrono::NaiveDate),
}

impl Default for Config {
    fn default() -> Self {
        Self {
            inbox: "records".into(),
            allow_symlinks_outside_inbox: false,
            archive: "archive".into(),
            output: "public".into(),
            templates: None,
            site: SiteConfig::default(),
            retention: RetentionConfig::default(),
            build_date: BuildDateSource::Auto,
            signing: SigningConfig::default(),
            storage: StorageConfig::default(),
        }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self { title: "Incident archive".into(), base_url: String::new(), evidence_bundles: true }
    }
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self { default_years: 7 }
    }
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Loads `path`, or `incident-archive.yaml` in the current folder when present, else defaults.
    /// Relative paths in a file are taken relative to the file's folder.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(Config::default()),
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|source| ConfigError::Read { path: path.clone(), source })?;
        let mut config =
            Self::from_yaml(&text).map_err(|message| ConfigError::Invalid { path: path.clone(), message })?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            config.rebase(dir);
        }
        Ok(config)
    }

    /// Parses YAML text; an empty document gives the defaults.
    pub fn from_yaml(text: &str) -> Result<Config, String> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Config = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        let max = crate::record::values::MAX_RETENTION_YEARS;
        if config.retention.default_years == 0 || config.retention.default_years > max {
            return Err(format!(
                "retention.default_years: must be from 1 to {max} years, not {}",
                config.retention.default_years
            ));
        }
        config.storage.check()?;
        Ok(config)
    }

    /// The build date: `as_of` when given, else per [`BuildDateSource`]. `latest_entry` is the
    /// date of the archive's latest ledger entry (for `ledger`); `SOURCE_DATE_EPOCH` is read by
    /// `auto`. An unparsable `SOURCE_DATE_EPOCH` is an error, not silently today.
    pub fn build_date(
        &self,
        as_of: Option<NaiveDate>,
        latest_entry: Option<NaiveDate>,
    ) -> Result<NaiveDate, ConfigError> {
        let today = || chrono::Utc::now().date_naive();
        Ok(match (as_of, &self.build_date) {
            (Some(d), _) => d,
            (None, BuildDateSource::Fixed(d)) => *d,
            (None, BuildDateSource::Now) => today(),
            (None, BuildDateSource::Ledger) => latest_entry.unwrap_or_else(today),
            (None, BuildDateSource::Auto) => match std::env::var("SOURCE_DATE_EPOCH") {
                Ok(v) if !v.trim().is_empty() => source_date_epoch(&v)?,
                _ => today(),
            },
        })
    }

    /// The origin line of the archive's checkpoints: `signing.origin` when set, else the site
    /// title as a slug (`Incident archive` → `incident-archive`): lower-case letters and digits,
    /// other runs of characters as one `-`, which is also a valid key name. A checkpoint names
    /// its log by its origin, and consistency holds only between checkpoints of one origin:
    /// set `signing.origin` before renaming the site.
    pub fn origin(&self) -> String {
        if let Some(origin) = &self.signing.origin {
            return origin.clone();
        }
        let mut slug = String::new();
        for c in self.site.title.chars().flat_map(char::to_lowercase) {
            if c.is_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug = slug.trim_end_matches('-');
        if slug.is_empty() { "incident-archive".to_string() } else { slug.to_string() }
    }

    fn rebase(&mut self, dir: &Path) {
        for p in [&mut self.inbox, &mut self.archive, &mut self.output] {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        }
        for t in [&mut self.templates, &mut self.signing.key, &mut self.signing.keep] {
            if let Some(t) = t.as_mut().filter(|t| t.is_relative()) {
                *t = dir.join(&*t);
            }
        }
    }
}

/// Parses `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) into a date.
pub fn source_date_epoch(value: &str) -> Result<NaiveDate, ConfigError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| t.date_naive())
        .ok_or_else(|| ConfigError::Invalid {
            path: "SOURCE_DATE_EPOCH".into(),
            message: format!("`{value}` is not a number of seconds since 1970-01-01"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(Config::from_yaml("").unwrap(), Config::default());
        assert_eq!(Config::default().retention.default_years, 7);
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_yaml("inbox: in\nsite:\n  titel: x\n").unwrap_err();
        assert!(err.contains("titel"), "{err}");
    }

    #[test]
    fn keys_are_read() {
        let c = Config::from_yaml(
            "inbox: in\narchive: arch\noutput: out\ntemplates: tpl\nsite:\n  title: T\n  base_url: https://x/\nretention:\n  default_years: 10\nbuild_date: 2026-01-31\n",
        )
        .unwrap();
        assert_eq!(c.inbox, PathBuf::from("in"));
        assert_eq!(c.templates, Some(PathBuf::from("tpl")));
        assert_eq!(c.site.title, "T");
        assert_eq!(c.retention.default_years, 10);
        assert_eq!(
            c.build_date,
            BuildDateSource::Fixed(chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap())
        );
        assert_eq!(Config::from_yaml("build_date: ledger").unwrap().build_date, BuildDateSource::Ledger);
        assert!(!c.allow_symlinks_outside_inbox);
        assert!(
            Config::from_yaml("allow_symlinks_outside_inbox: true").unwrap().allow_symlinks_outside_inbox
        );
    }

    #[test]
    fn signing_keys_are_read_and_the_origin_defaults_to_the_title() {
        let c = Config::from_yaml("signing:\n  key: keys/archive.key\n  keep: /var/lib/ia/last\n").unwrap();
        assert_eq!(c.signing.key, Some(PathBuf::from("keys/archive.key")));
        assert_eq!(c.signing.keep, Some(PathBuf::from("/var/lib/ia/last")));
        assert_eq!(c.origin(), "incident-archive");
        let c = Config::from_yaml("site:\n  title: \"ACME  Corp. — Postmortems!\"\n").unwrap();
        assert_eq!(c.origin(), "acme-corp-postmortems");
        assert_eq!(Config::from_yaml("site:\n  title: \"???\"\n").unwrap().origin(), "incident-archive");
        let c = Config::from_yaml("signing:\n  origin: archive.example.com/incidents\n").unwrap();
        assert_eq!(c.origin(), "archive.example.com/incidents");
        assert!(Config::from_yaml("signing:\n  kee: x\n").unwrap_err().contains("kee"));
    }

    #[test]
    fn storage_is_local_by_default_and_never_holds_credentials() {
        assert_eq!(Config::default().storage.kind, StorageKind::Local);
        let c = Config::from_yaml(
            "storage:\n  kind: s3\n  endpoint: http://127.0.0.1:8333\n  bucket: records\n  prefix: inc/\n  lock_mode: governance\n",
        )
        .unwrap();
        assert_eq!(c.storage.kind, StorageKind::S3);
        assert_eq!(c.storage.bucket.as_deref(), Some("records"));
        assert_eq!(c.storage.endpoint.as_deref(), Some("http://127.0.0.1:8333"));
        assert_eq!(c.storage.prefix, "inc/");
        assert_eq!(c.storage.lock_mode, LockModeConfig::Governance);
        assert_eq!(
            Config::from_yaml("storage:\n  kind: s3\n  bucket: b\n").unwrap().storage.lock_mode,
            LockModeConfig::Compliance
        );
        for key in ["access_key_id", "secret_access_key", "aws_secret_access_key", "session_token"] {
            let err = Config::from_yaml(&format!("storage:\n  kind: s3\n  bucket: b\n  {key}: AKIA123\n"))
                .unwrap_err();
            assert!(err.contains("credentials are never read from the configuration file"), "{key}: {err}");
            assert!(!err.contains("AKIA123"), "the value is not echoed: {err}");
        }
        assert!(Config::from_yaml("storage:\n  kind: s3\n").unwrap_err().contains("needs a bucket"));
        assert!(Config::from_yaml("storage:\n  kind: gcs\n").is_err());
    }

    #[test]
    fn retention_years_are_bounded() {
        assert_eq!(
            Config::from_yaml("retention:\n  default_years: 100\n").unwrap().retention.default_years,
            100
        );
        for years in [0, 101, 7975] {
            let err = Config::from_yaml(&format!("retention:\n  default_years: {years}\n")).unwrap_err();
            assert_eq!(err, format!("retention.default_years: must be from 1 to 100 years, not {years}"));
        }
    }

    #[test]
    fn build_date_sources() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut c = Config::default();
        assert_eq!(c.build_date(Some(d("2026-01-02")), None).unwrap(), d("2026-01-02"));
        c.build_date = BuildDateSource::Ledger;
        assert_eq!(c.build_date(None, Some(d("2025-05-05"))).unwrap(), d("2025-05-05"));
        c.build_date = BuildDateSource::Fixed(d("2024-02-29"));
        assert_eq!(c.build_date(None, None).unwrap(), d("2024-02-29"));
        assert_eq!(source_date_epoch("1700000000").unwrap(), d("2023-11-14"));
        assert!(source_date_epoch("yesterday").is_err());
    }
}
