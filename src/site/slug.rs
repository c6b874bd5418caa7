//! File names for pages named by record data (incident ids, customers, owners): safe on every
//! file system (Windows included) and never shared by two names, so one page can never
//! overwrite another.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// The longest slug before a disambiguating suffix is added.
const MAX_BASE: usize = 60;

/// Lowercase ASCII letters and digits joined by single `-`: `GlobalBank Corp.` → `globalbank-corp`.
/// Empty when the text has no ASCII letter or digit.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_BASE));
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
            if out.len() >= MAX_BASE {
                break;
            }
        } else {
            dash = true;
        }
    }
    out
}

/// True for an incident id that can be used as a file name as it is: the sign-off gate's safe
/// form `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`.
pub use crate::record::values::is_safe_id;

/// True for a file stem that Windows reserves for a device, in any case and with any extension:
/// `CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`, `LPT0`–`LPT9` (`nul.txt`, `Com1.tar.gz`). A page
/// named so cannot be created, opened or copied there.
pub fn windows_reserved(stem: &str) -> bool {
    let head = stem.split('.').next().unwrap_or(stem).trim_end_matches(' ').to_ascii_lowercase();
    match head.as_bytes() {
        b"con" | b"prn" | b"aux" | b"nul" => true,
        [b'c', b'o', b'm', d] | [b'l', b'p', b't', d] => d.is_ascii_digit(),
        _ => false,
    }
}

/// Stems of `incidents/` that its list pages use: `index`, `undated`, years (any number of
/// digits: a start time in the year 12025 is possible), and their later pages (`2025.p2`).
pub fn reserved_incident_stem(stem: &str) -> bool {
    let head = stem.split(".p").next().unwrap_or(stem);
    let paged = stem.len() == head.len() || stem[head.len() + 2..].bytes().all(|b| b.is_ascii_digit());
    paged
        && (head == "index"
            || head == "undated"
            || (!head.is_empty() && head.bytes().all(|b| b.is_ascii_digit())))
}

/// The file stem of each incident's page under `incidents/`: the id itself when it is of the
/// safe form and no other page's name, else (ids that differ only in case, `index`, `2025`,
/// `undated`, `2025.p2`, `CON`…) the id followed by 8 hex digits of its hash; see [`allocate`].
pub fn incident_stems<'k>(ids: impl IntoIterator<Item = &'k str>) -> BTreeMap<&'k str, String> {
    allocate(ids, |id| if is_safe_id(id) { id.to_string() } else { slugify(id) }, reserved_incident_stem)
}

/// The first `len` hex digits of the SHA-256 of `text`.
fn short_hash(text: &str, len: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    hex::encode(digest)[..len].to_string()
}

/// Assigns each key a file stem unique within one folder.
///
/// A key keeps its natural stem (`base(key)`) when no other key has the same stem ignoring
/// case (file systems on laptops often ignore case) and the stem is neither reserved nor a
/// Windows device name ([`windows_reserved`]); otherwise every key sharing that stem gets
/// `stem-<8 hex of the key's SHA-256>` (for a device name, the hex goes before the first dot:
/// `CON-<hex>.txt`). The result depends only on the set of keys, not on their order.
pub fn allocate<'k>(
    keys: impl IntoIterator<Item = &'k str>,
    base: impl Fn(&str) -> String,
    reserved: impl Fn(&str) -> bool,
) -> BTreeMap<&'k str, String> {
    let mut by_stem: BTreeMap<String, Vec<&'k str>> = BTreeMap::new();
    for key in keys {
        by_stem.entry(base(key).to_ascii_lowercase()).or_default().push(key);
    }
    let mut out = BTreeMap::new();
    let mut taken: BTreeMap<String, &'k str> = BTreeMap::new();
    let mut shared = Vec::new();
    // Natural stems first, so that a suffixed slug can never take one.
    for (lower, mut group) in by_stem {
        group.sort_unstable();
        group.dedup();
        if group.len() == 1 && !lower.is_empty() && !reserved(&lower) && !windows_reserved(&lower) {
            taken.insert(lower, group[0]);
            out.insert(group[0], base(group[0]));
        } else {
            shared.extend(group);
        }
    }
    for key in shared {
        let stem = base(key);
        let stem = if stem.is_empty() { "x".to_string() } else { stem };
        // The suffix goes where it makes the name a plain one on Windows too.
        let (head, tail) = match stem.find('.') {
            Some(dot) if windows_reserved(&stem) => stem.split_at(dot),
            _ => (stem.as_str(), ""),
        };
        let mut len = 8;
        let mut slug = format!("{head}-{}{tail}", short_hash(key, len));
        // A suffix that meets another key's slug (a 32-bit collision) grows until unique.
        while taken.contains_key(&slug.to_ascii_lowercase()) && len < 64 {
            len += 8;
            slug = format!("{head}-{}{tail}", short_hash(key, len));
        }
        taken.insert(slug.to_ascii_lowercase(), key);
        out.insert(key, slug);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_keeps_letters_and_digits() {
        assert_eq!(slugify("GlobalBank Corp"), "globalbank-corp");
        assert_eq!(slugify("  --Acme, Inc.-- "), "acme-inc");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("株式会社"), "");
        assert_eq!(slugify(&"a".repeat(300)).len(), MAX_BASE);
    }

    #[test]
    fn safe_ids() {
        assert!(is_safe_id("INC-2025-0023"));
        assert!(is_safe_id("a.b_c-d"));
        assert!(!is_safe_id("../x"));
        assert!(!is_safe_id(".hidden"));
        assert!(!is_safe_id("a/b"));
        assert!(!is_safe_id(""));
        assert!(!is_safe_id(&"a".repeat(65)));
    }

    #[test]
    fn names_differing_by_punctuation_or_case_get_distinct_slugs() {
        let names = ["Acme, Inc.", "Acme Inc", "ACME INC", "GlobalBank Corp", "Index", "!!!", "???"];
        let slugs = allocate(names, slugify, |s| s == "index");
        let unique: std::collections::BTreeSet<String> =
            slugs.values().map(|s| s.to_ascii_lowercase()).collect();
        assert_eq!(unique.len(), names.len(), "{slugs:?}");
        assert_eq!(slugs["GlobalBank Corp"], "globalbank-corp");
        assert!(slugs["Acme Inc"].starts_with("acme-inc-"));
        assert!(slugs["Index"].starts_with("index-"));
        assert!(slugs["!!!"].starts_with("x-"));
        for s in slugs.values() {
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{s}");
        }
    }

    #[test]
    fn windows_device_names_are_recognised_in_any_case_and_with_any_extension() {
        for s in
            ["CON", "con", "Prn", "aux", "NUL", "nul.txt", "COM1", "com9.tar.gz", "LPT0", "lpt3.x", "AUX."]
        {
            assert!(windows_reserved(s), "{s}");
        }
        for s in ["CONS", "icon", "COM", "COM10", "LPTX", "nul-1", "x.con", "null", "com1-a.txt", ""] {
            assert!(!windows_reserved(s), "{s}");
        }
    }

    #[test]
    fn reserved_incident_stems() {
        for s in ["index", "undated", "2025", "2025.p2", "undated.p3", "index.p12", "12025", "0"] {
            assert!(reserved_incident_stem(s), "{s}");
        }
        for s in ["inc-2025", "2025a", "2025.px", "INC-1.p2", "index.html", ""] {
            assert!(!reserved_incident_stem(s), "{s}");
        }
    }

    /// Ids that cannot keep their own name: those that differ only in case, the list pages'
    /// names in any case, and the names Windows reserves. Every page name is distinct ignoring
    /// case, none is a list page's or a device's, and the other ids keep theirs.
    #[test]
    fn incident_pages_never_meet_list_pages_case_twins_or_device_names() {
        let ids = [
            "INC-1",
            "inc-1",
            "index",
            "INDEX",
            "2025",
            "undated",
            "2025.p2",
            "Undated.P3",
            "CON",
            "nul.txt",
            "com1",
            "LPT9.log",
            "aux.b.c",
            "INC-2",
            "con-1",
            "x.con",
            "2025.1",
        ];
        let stems = incident_stems(ids);
        let unique: std::collections::BTreeSet<String> =
            stems.values().map(|s| s.to_ascii_lowercase()).collect();
        assert_eq!(unique.len(), ids.len(), "{stems:?}");
        for (id, stem) in &stems {
            assert!(
                !windows_reserved(stem) && !reserved_incident_stem(&stem.to_ascii_lowercase()),
                "{id} → {stem}"
            );
            assert!(is_safe_id(stem), "{id} → {stem}");
            let kept = ["INC-2", "con-1", "x.con", "2025.1"].contains(id);
            assert_eq!(stem == id, kept, "{id} → {stem}");
        }
        assert!(stems["CON"].starts_with("CON-"), "{stems:?}");
        let nul = &stems["nul.txt"];
        assert!(
            nul.starts_with("nul-") && nul.ends_with(".txt") && nul.len() == "nul-.txt".len() + 8,
            "{nul}"
        );
        assert!(stems["aux.b.c"].starts_with("aux-") && stems["aux.b.c"].ends_with(".b.c"));
    }

    #[test]
    fn device_names_get_plain_slugs_for_customers_and_owners_too() {
        let slugs = allocate(["Con", "COM 1", "Aux Ltd"], slugify, |s| s == "index");
        assert!(slugs["Con"].starts_with("con-"), "{slugs:?}");
        assert_eq!(slugs["COM 1"], "com-1");
        assert_eq!(slugs["Aux Ltd"], "aux-ltd");
    }

    #[test]
    fn allocation_does_not_depend_on_order() {
        let a = allocate(["b", "B", "a"], slugify, |_| false);
        let b = allocate(["a", "B", "b"], slugify, |_| false);
        assert_eq!(a, b);
    }

    #[test]
    fn a_suffixed_slug_never_takes_a_natural_one() {
        let natural = format!("x-y-{}", short_hash("x y", 8));
        let slugs = allocate(["x y", "X-Y", natural.as_str()], slugify, |_| false);
        assert_eq!(slugs[natural.as_str()], natural);
        let unique: std::collections::BTreeSet<&String> = slugs.values().collect();
        assert_eq!(unique.len(), 3, "{slugs:?}");
    }
}
