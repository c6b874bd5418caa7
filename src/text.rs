//! Record text is untrusted, and so are the characters in it that are not text: controls that
//! drive a terminal (ESC, C1), characters XML forbids (NUL and most C0), and the bidi controls
//! that reorder what surrounds them (Trojan Source). This module says which they are and how each
//! output format shows them; `site` (HTML, the Atom feed), `index` (the browser's search data)
//! and `commands` (the terminal) apply it.
//!
//! | output | what happens to them |
//! | --- | --- |
//! | HTML pages, `feed.xml` | shown as visible escapes ([`markup`]: `\u{1b}`, `\u{202e}`) |
//! | JSON (`incidents.json`, search shards, `--json`) | exact, written as `\uXXXX` escapes ([`json`]) |
//! | terminal | visible escapes (`commands::term`), newlines too in one-line values |
//!
//! The hidden characters ([`is_hidden`]) are the C0 controls other than tab, line feed and
//! carriage return, DEL, the C1 controls, the bidi embeddings, overrides and isolates
//! (U+202A–U+202E, U+2066–U+2069) and the Unicode noncharacters (U+FDD0–U+FDEF and every
//! U+xFFFE, U+xFFFF). The bidi *marks* (U+200E, U+200F, U+061C) are kept: writers of right-to-left
//! text need them, and they cannot reorder letters, only the punctuation beside them.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for a bidi embedding, override or isolate control (U+202A–U+202E, U+2066–U+2069): the
/// characters that can make text display in another order than it is stored.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// True for a character that no output shows as it is (see the module docs).
pub fn is_hidden(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        '\0'..='\u{1F}' | '\u{7F}'..='\u{9F}' => true,
        '\u{FDD0}'..='\u{FDEF}' => true,
        c => is_bidi_control(c) || (c as u32 & 0xFFFE) == 0xFFFE,
    }
}

/// Appends the visible escape of `c`: `\u{1b}`, `\u{202e}`.
pub fn push_escape(out: &mut String, c: char) {
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// `s` with every character for which `escape` holds replaced by its visible escape; borrowed
/// when there is none.
pub fn escape_where(s: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = s.find(&escape) else { return Cow::Borrowed(s) };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if escape(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for HTML and XML: the hidden characters as visible escapes. Markup characters are left
/// to the caller's escaping.
pub fn markup(s: &str) -> Cow<'_, str> {
    escape_where(s, is_hidden)
}

/// True when `s` has a character [`markup`] would escape.
pub fn has_hidden(s: &str) -> bool {
    s.contains(is_hidden)
}

/// Serialized JSON with the hidden characters, DEL and the line and paragraph separators that
/// serde leaves raw written as `\uXXXX` escapes: the same data once parsed, and bytes that neither
/// a terminal nor a `<script>` (before ES2019) misreads. Only strings can hold them, so the
/// escape always lands inside a string.
pub fn json(s: &str) -> Cow<'_, str> {
    let raw = |c: char| is_hidden(c) || matches!(c, '\u{2028}' | '\u{2029}');
    let Some(first) = s.find(raw) else { return Cow::Borrowed(s) };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if raw(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// serde_json's compact output with [`json`]'s escapes, for JSON written as it is serialized
/// (`serde_json::Serializer::with_formatter(writer, JsonEscapes)`): the same bytes as [`json`] of
/// `serde_json::to_string`, without the whole text in memory.
pub struct JsonEscapes;

impl serde_json::ser::Formatter for JsonEscapes {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        writer.write_all(json(fragment).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_written_as_serialized_is_the_escaped_text() {
        let value = serde_json::json!({
            "plain": "a \"quoted\" é",
            "hidden\u{202e}key": ["\u{1b}[2J", "\u{85}", "\u{7f}", "line\u{2028}sep", "\u{fffe}", "\n\t"],
            "n": 12,
        });
        let whole = serde_json::to_string(&value).unwrap();
        let mut streamed = Vec::new();
        serde::Serialize::serialize(
            &value,
            &mut serde_json::Serializer::with_formatter(&mut streamed, JsonEscapes),
        )
        .unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), json(&whole));
        assert!(json(&whole).contains("\\u202e") && json(&whole).contains("\\u2028"));
    }

    #[test]
    fn hidden_characters() {
        for c in ['\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{fffe}'] {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in ['\t', '\n', '\r', ' ', 'a', 'é', '\u{200e}', '\u{200f}', '\u{61c}', '\u{2028}', '\u{fffd}']
        {
            assert!(!is_hidden(c), "{c:?}");
        }
        assert!(is_hidden('\u{1fffe}') && is_hidden('\u{10ffff}') && is_hidden('\u{fdd0}'));
    }

    #[test]
    fn markup_shows_controls_as_escapes() {
        assert!(matches!(markup("plain <b> é"), Cow::Borrowed(_)));
        assert_eq!(markup("a\0b\u{1b}[31mc\u{202e}d\te\n"), "a\\u{0}b\\u{1b}[31mc\\u{202e}d\te\n");
    }

    #[test]
    fn json_keeps_the_data_and_escapes_the_bytes() {
        let value = "t\u{0}\u{1b}\u{7f}\u{85}\u{202e}\u{2028}\u{1fffe} é \u{200f}";
        let text = serde_json::to_string(&value).unwrap();
        let safe = json(&text);
        assert!(!safe.contains(|c: char| c.is_control() || is_hidden(c) || c == '\u{2028}'), "{safe}");
        assert!(safe.contains("\\u202e") && safe.contains("\\u2028") && safe.contains("é"), "{safe}");
        assert_eq!(serde_json::from_str::<String>(&safe).unwrap(), value);
    }
}
