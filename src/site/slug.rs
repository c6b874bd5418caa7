//! File names for pages named by record data (incident ids, customers, owners): safe on every
//! file system and never shared by two names, so one page can never overwrite another.

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

/// The first `len` hex digits of the SHA-256 of `text`.
fn short_hash(text: &str, len: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    hex::encode(digest)[..len].to_string()
}

/// Assigns each key a file stem unique within one folder.
///
/// A key keeps its natural stem (`base(key)`) when no other key has the same stem ignoring
/// case (file systems on laptops often ignore case) and the stem is not reserved; otherwise
/// every key sharing that stem gets `stem-<8 hex of the key's SHA-256>`. The result depends
/// only on the set of keys, not on their order.
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
        if group.len() == 1 && !lower.is_empty() && !reserved(&lower) {
            taken.insert(lower, group[0]);
            out.insert(group[0], base(group[0]));
        } else {
            shared.extend(group);
        }
    }
    for key in shared {
        let stem = base(key);
        let stem = if stem.is_empty() { "x".to_string() } else { stem };
        let mut len = 8;
        let mut slug = format!("{stem}-{}", short_hash(key, len));
        // A suffix that meets another key's slug (a 32-bit collision) grows until unique.
        while taken.contains_key(&slug.to_ascii_lowercase()) && len < 64 {
            len += 8;
            slug = format!("{stem}-{}", short_hash(key, len));
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
