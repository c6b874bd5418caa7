//! The minijinja environment: the templates and assets of `site-templates/` compiled into the
//! binary, a folder that overrides any of them, and the filters templates use.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate};
use minijinja::{Environment, Value};
use sha2::{Digest, Sha256};

use super::SiteError;
use super::markdown;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_templates.rs"));
}

/// The templates the site renders pages from; every other template is a partial (a base, a
/// macro file) that any page may extend, include or import.
pub const PAGE_TEMPLATES: &[&str] = &[
    "index.html",
    "incident.html",
    "incidents.html",
    "year.html",
    "customers.html",
    "customer.html",
    "customer-items.html",
    "owners.html",
    "owner.html",
    "actions.html",
    "retention.html",
    "retention-list.html",
    "checkpoint.html",
    "ledger.html",
    "changes.html",
    "changes.xml",
    "search.html",
    "feed.xml",
];

/// Which site-wide values a page's templates read: a page that does not show the build date
/// or the archive root is not re-rendered when only those change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uses {
    pub build_date: bool,
    pub archive_root: bool,
}

/// The compiled templates and the static assets, ready to render pages from many threads.
pub struct Templates {
    env: Environment<'static>,
    /// `assets/…` files (embedded, then overridden), sorted by path.
    pub assets: Vec<(String, Vec<u8>)>,
    /// SHA-256 over every template's name and source and this program (its version and source
    /// fingerprint): any change re-renders every page.
    pub hash: String,
    uses: BTreeMap<&'static str, Uses>,
}

impl Templates {
    /// The embedded defaults, overridden by the files of `dir` when given.
    pub fn load(dir: Option<&Path>) -> Result<Templates, SiteError> {
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        let mut assets: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (name, bytes) in embedded::EMBEDDED {
            // The default stylesheets ship minified (a browser test compares their rules with
            // the sources'); a folder's own are copied as they are.
            let bytes = if name.ends_with(".css") { minified_css(bytes.to_vec()) } else { bytes.to_vec() };
            add(&mut sources, &mut assets, name, bytes, Path::new("site-templates").join(name))?;
        }
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(SiteError::Invalid(format!(
                    "templates folder `{}` does not exist",
                    dir.display()
                )));
            }
            let mut files = Vec::new();
            walk(dir, dir, &mut files)?;
            for (name, path) in files {
                let bytes =
                    std::fs::read(&path).map_err(|source| SiteError::Io { path: path.clone(), source })?;
                add(&mut sources, &mut assets, &name, bytes, path)?;
            }
        }
        for page in PAGE_TEMPLATES {
            if !sources.contains_key(*page) {
                return Err(SiteError::Template {
                    name: page.to_string(),
                    message: "the page template is missing".into(),
                });
            }
        }

        let mut hasher = Sha256::new();
        hasher.update(super::write::GENERATOR.as_bytes());
        for (name, source) in &sources {
            hasher.update((name.len() as u64).to_le_bytes());
            hasher.update(name.as_bytes());
            hasher.update((source.len() as u64).to_le_bytes());
            hasher.update(source.as_bytes());
        }
        let hash = hex::encode(hasher.finalize());

        let mut env = Environment::new();
        // Block tags leave no blank lines behind them.
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        set_escaping(&mut env);
        add_filters(&mut env);
        for (name, source) in &sources {
            env.add_template_owned(name.clone(), source.clone())
                .map_err(|e| SiteError::Template { name: name.clone(), message: describe(&e) })?;
        }

        // What the partials read counts for every page; a page template's own reads for itself.
        let mut shared = BTreeSet::new();
        for name in sources.keys().filter(|n| !PAGE_TEMPLATES.contains(&n.as_str())) {
            shared.extend(env.get_template(name).map(|t| t.undeclared_variables(false)).unwrap_or_default());
        }
        let mut uses = BTreeMap::new();
        for page in PAGE_TEMPLATES {
            let own = env.get_template(page).map(|t| t.undeclared_variables(false)).unwrap_or_default();
            let reads = |v: &str| shared.contains(v) || own.contains(v);
            uses.insert(*page, Uses { build_date: reads("build_date"), archive_root: reads("archive_root") });
        }
        Ok(Templates { env, assets: assets.into_iter().collect(), hash, uses })
    }

    /// The site-wide values `page` reads.
    pub fn uses(&self, page: &str) -> Uses {
        self.uses.get(page).copied().unwrap_or(Uses { build_date: true, archive_root: true })
    }

    /// Renders `template` with `ctx`.
    pub fn render(&self, template: &str, ctx: Value, page: &str) -> Result<Vec<u8>, SiteError> {
        let tmpl = self
            .env
            .get_template(template)
            .map_err(|e| SiteError::Template { name: template.to_string(), message: describe(&e) })?;
        tmpl.render(ctx)
            .map(String::into_bytes)
            .map_err(|e| SiteError::Render { page: page.to_string(), message: describe(&e) })
    }
}

fn add(
    sources: &mut BTreeMap<String, String>,
    assets: &mut BTreeMap<String, Vec<u8>>,
    name: &str,
    bytes: Vec<u8>,
    path: PathBuf,
) -> Result<(), SiteError> {
    if name.starts_with("assets/") {
        assets.insert(name.to_string(), bytes);
        return Ok(());
    }
    let source = String::from_utf8(bytes).map_err(|_| SiteError::Template {
        name: name.to_string(),
        message: format!("`{}` is not UTF-8 text", path.display()),
    })?;
    sources.insert(name.to_string(), source);
    Ok(())
}

/// A default stylesheet without its comments and needless spaces (`minifier`): every page
/// loads `site.css`, and the search page's stylesheets count in a first query's bytes (about
/// 2.2 KB less). One that is not UTF-8 or that the minifier cannot read is shipped as it is.
fn minified_css(bytes: Vec<u8>) -> Vec<u8> {
    match std::str::from_utf8(&bytes).ok().and_then(|css| minifier::css::minify(css).ok()) {
        Some(min) => min.to_string().into_bytes(),
        None => bytes,
    }
}

/// Every file below `dir` as `(relative path with '/', path)`, skipping dotfiles and README.md.
fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<(), SiteError> {
    let io = |source| SiteError::Io { path: dir.to_path_buf(), source };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out)?;
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let rel: Vec<String> =
            rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let rel = rel.join("/");
        if rel != "README.md" {
            out.push((rel, path));
        }
    }
    Ok(())
}

/// A minijinja error with its template position and cause, on one line each.
fn describe(e: &minijinja::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!("\ncaused by: {s}"));
        source = s.source();
    }
    msg
}

/// HTML escaping of `& < > " '` only: minijinja's default also escapes `/`, which would turn
/// every link into `..&#x2f;customers&#x2f;…`: valid, but unreadable in the source auditors may
/// look at.
fn set_escaping(env: &mut Environment<'static>) {
    env.set_formatter(|out, state, value| {
        if *state.auto_escape() != minijinja::AutoEscape::Html || value.is_safe() {
            return minijinja::escape_formatter(out, state, value);
        }
        use minijinja::value::ValueKind;
        let written = match value.kind() {
            ValueKind::String => markdown::escape_into(out, value.as_str().unwrap_or_default()),
            ValueKind::Undefined => Ok(()),
            ValueKind::Number | ValueKind::Bool | ValueKind::None => {
                std::fmt::Write::write_fmt(out, format_args!("{value}"))
            }
            _ => markdown::escape_into(out, &value.to_string()),
        };
        written.map_err(minijinja::Error::from)
    });
}

fn add_filters(env: &mut Environment<'static>) {
    env.add_filter("markdown", |md: Option<String>, min_heading: Option<u8>| {
        Value::from_safe_string(markdown::render_block(md.as_deref().unwrap_or(""), min_heading.unwrap_or(3)))
    });
    env.add_filter("inline", |text: Option<String>| {
        Value::from_safe_string(markdown::render_inline(text.as_deref().unwrap_or("")))
    });
    env.add_filter("datetime", |v: Option<String>| {
        format_datetime(v.as_deref().unwrap_or(""), Stamp::DateTime)
    });
    env.add_filter("time", |v: Option<String>| format_datetime(v.as_deref().unwrap_or(""), Stamp::Time));
    env.add_filter("date", |v: Option<String>| format_datetime(v.as_deref().unwrap_or(""), Stamp::Date));
    env.add_filter("duration", |secs: Option<i64>| {
        Value::from_safe_string(secs.map(duration_html).unwrap_or_default())
    });
    env.add_filter("num", |n: Option<i64>| n.map(format_number).unwrap_or_default());
}

/// How a timestamp is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// `2025-01-14 14:23:47 UTC`
    DateTime,
    /// `2025-01-14`
    Date,
    /// `14:23:47`
    Time,
}

/// Reformats an RFC 3339 timestamp (or passes a plain date through); other text is kept.
pub fn format_datetime(v: &str, how: Stamp) -> String {
    // The common case, what chrono writes for whole seconds in UTC: `2025-01-14T14:23:47Z`.
    let b = v.as_bytes();
    if b.len() == 20 && b[10] == b'T' && b[19] == b'Z' && v.is_ascii() {
        return match how {
            Stamp::DateTime => format!("{} {} UTC", &v[..10], &v[11..19]),
            Stamp::Date => v[..10].to_string(),
            Stamp::Time => v[11..19].to_string(),
        };
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        let t = t.to_utc();
        return match how {
            Stamp::DateTime => t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            Stamp::Date => t.format("%Y-%m-%d").to_string(),
            Stamp::Time => t.format("%H:%M:%S").to_string(),
        };
    }
    if how == Stamp::Date
        && let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d")
    {
        return d.to_string();
    }
    v.to_string()
}

/// A duration for people, in its two largest units (the rest is cut, not rounded, so that a
/// duration never reads longer than it was): `2675` → `44 min 35 s`, `12540` → `3 h 29 min`,
/// `90061` → `1 d 1 h`, `45` → `45 s`.
pub fn format_duration(secs: i64) -> String {
    if secs < 0 {
        return format!("−{}", format_duration(-secs));
    }
    let parts =
        [(secs / 86400, "d"), (secs % 86400 / 3600, "h"), (secs % 3600 / 60, "min"), (secs % 60, "s")];
    let Some(first) = parts.iter().position(|(n, _)| *n > 0) else { return "0 s".into() };
    let text: Vec<String> =
        parts[first..].iter().take(2).filter(|(n, _)| *n > 0).map(|(n, u)| format!("{n} {u}")).collect();
    text.join(" ")
}

/// The `duration` filter's markup: the duration for people in a `<data>` element whose
/// `value` is the exact number of seconds, also shown on hover (`title`).
pub fn duration_html(secs: i64) -> String {
    format!("<data value=\"{secs}\" title=\"{} s\">{}</data>", format_number(secs), format_duration(secs))
}

/// `1247` → `1,247`.
pub fn format_number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format_duration(2675), "44 min 35 s");
        assert_eq!(format_duration(3600), "1 h");
        assert_eq!(format_duration(90061), "1 d 1 h");
        assert_eq!(format_duration(12540), "3 h 29 min");
        assert_eq!(format_duration(12599), "3 h 29 min");
        assert_eq!(format_duration(45), "45 s");
        assert_eq!(format_duration(86400 + 59), "1 d");
        assert_eq!(format_duration(0), "0 s");
        assert_eq!(duration_html(12540), "<data value=\"12540\" title=\"12,540 s\">3 h 29 min</data>");
        assert_eq!(format_number(1247), "1,247");
        assert_eq!(format_number(1_000_000), "1,000,000");
        assert_eq!(format_number(-12), "-12");
        assert_eq!(format_datetime("2025-01-14T14:23:47Z", Stamp::DateTime), "2025-01-14 14:23:47 UTC");
        assert_eq!(
            format_datetime("2025-01-14T14:23:47.5+01:00", Stamp::DateTime),
            "2025-01-14 13:23:47 UTC"
        );
        assert_eq!(format_datetime("2025-01-14T14:23:47Z", Stamp::Time), "14:23:47");
        assert_eq!(format_datetime("2025-01-14T14:23:47Z", Stamp::Date), "2025-01-14");
        assert_eq!(format_datetime("2025-01-14", Stamp::Date), "2025-01-14");
        assert_eq!(format_datetime("soon", Stamp::Date), "soon");
    }

    #[test]
    fn embedded_templates_compile_and_pages_declare_their_reads() {
        let t = Templates::load(None).unwrap();
        assert!(t.assets.iter().any(|(p, _)| p == "assets/site.css"));
        assert!(t.uses("index.html").build_date, "the home page shows the build date");
        assert!(!t.uses("incident.html").build_date, "incident pages must not change every day");
        assert!(!t.uses("incident.html").archive_root, "incident pages must not change on every ingest");
    }

    /// A browser test checks that Chromium reads the same rules from each minified stylesheet as
    /// from its source; here, that they are minified, and that a stylesheet the minifier cannot
    /// read ships unchanged.
    #[test]
    fn stylesheets_ship_minified() {
        let t = Templates::load(None).unwrap();
        for (name, source) in embedded::EMBEDDED.iter().filter(|(n, _)| n.ends_with(".css")) {
            let shipped = &t.assets.iter().find(|(p, _)| p == name).unwrap().1;
            let text = std::str::from_utf8(shipped).unwrap();
            assert!(
                shipped.len() * 10 < source.len() * 9,
                "{name}: {} of {} bytes",
                shipped.len(),
                source.len()
            );
            assert!(!text.contains("/*") && !text.contains("\n  "), "{name}: {text}");
        }
        assert_eq!(minified_css(b"a { color: \xff }".to_vec()), b"a { color: \xff }");
    }

    #[test]
    fn the_feed_is_xml_whatever_the_record_text() {
        let t = Templates::load(None).unwrap();
        let hostile = "a\0b\u{1b}[31m\u{7}\u{b}\u{c}\u{85}\u{202e}\u{fffe}\u{ffff} <&> \"'";
        let entry = minijinja::context! {
            id => "X-1", title => hostile, path => "incidents/X-1.html", severity => hostile,
            status => hostile, customer_impact => hostile, summary => hostile,
        };
        let ctx = minijinja::context! {
            site => minijinja::context! { title => hostile, base_url => "" },
            feed_id => "urn:x", updated => "2026-01-01T00:00:00Z", entries => vec![entry],
        };
        let xml = String::from_utf8(t.render("feed.xml", ctx, "feed.xml").unwrap()).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        let title = doc.descendants().find(|n| n.has_tag_name("title")).and_then(|n| n.text()).unwrap();
        assert_eq!(title, "a\\u{0}b\\u{1b}[31m\\u{7}\\u{b}\\u{c}\\u{85}\\u{202e}\\u{fffe}\\u{ffff} <&> \"'");
    }

    #[test]
    fn a_folder_overrides_a_template_and_adds_an_asset() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("search.html"), "{{ build_date }} custom").unwrap();
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("assets/logo.svg"), "<svg/>").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        assert!(t.uses("search.html").build_date);
        assert!(t.assets.iter().any(|(p, _)| p == "assets/logo.svg"));
        let out = t
            .render("search.html", minijinja::context! { build_date => "2026-01-01" }, "search.html")
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "2026-01-01 custom");
        assert_ne!(t.hash, Templates::load(None).unwrap().hash);
    }

    #[test]
    fn a_broken_template_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("incident.html"), "{% if %}").unwrap();
        let Err(SiteError::Template { name, message }) = Templates::load(Some(dir.path())) else {
            panic!("expected a template error")
        };
        assert_eq!(name, "incident.html");
        assert!(message.contains("incident.html:1"), "{message}");
    }
}
