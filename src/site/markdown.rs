//! Record Markdown → HTML that cannot run script: record text is untrusted.
//!
//! Raw HTML (block and inline) is shown as text, links keep only `http`, `https`, `mailto` and
//! `tel` targets (after removing the control characters and whitespace a browser would ignore),
//! images never load (they become links or text), code fence info strings are reduced to a safe
//! class name. Relative links in a record point into the repository it came from, not into the
//! site, so they are shown as text with their target in a tooltip.
//!
//! Characters that are not text (NUL, ESC and the other C0 and C1 controls, bidi embeddings,
//! overrides and isolates, noncharacters: [`crate::text::is_hidden`]) never reach a page raw:
//! in text they show as visible escapes (`\u{1b}`, `\u{202e}`), so that an auditor sees them
//! and they cannot reorder what the page shows around them; in link targets they are
//! percent-encoded.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::text;

/// Where a link from a record may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An absolute `http(s)`, `mailto` or `tel` URL, as the browser will see it.
    External(String),
    /// A path relative to the record's own folder (not resolvable in the site).
    Relative(String),
    /// An active or unknown scheme (`javascript:`, `data:`, `vbscript:`, `file:`, `//host`…).
    Blocked,
}

/// Classifies a link destination the way a browser's URL parser would read it.
///
/// Entity references were already decoded by the Markdown parser; here the ASCII whitespace and
/// control characters that browsers strip are removed first, so `java\tscript:` and
/// ` JaVaScRiPt:` are recognised.
pub fn classify(url: &str) -> Target {
    let cleaned: String = url.chars().filter(|c| !c.is_ascii_control() && *c != ' ').collect();
    let end = cleaned.find([':', '/', '?', '#', '\\']).unwrap_or(cleaned.len());
    if cleaned[end..].starts_with(':') {
        let scheme = &cleaned[..end];
        let valid = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'));
        if valid {
            return match scheme.to_ascii_lowercase().as_str() {
                "http" | "https" | "mailto" | "tel" => Target::External(percent_hidden(cleaned)),
                _ => Target::Blocked,
            };
        }
    }
    if cleaned.starts_with("//") || cleaned.starts_with("\\\\") || cleaned.starts_with("/\\") {
        return Target::Blocked;
    }
    if cleaned.is_empty() { Target::Blocked } else { Target::Relative(cleaned) }
}

/// `url` with its hidden characters (bidi controls, C1, noncharacters) percent-encoded as
/// UTF-8, as a browser would send them: the link goes to the same place, and no raw control
/// reaches the page.
fn percent_hidden(url: String) -> String {
    if !text::has_hidden(&url) {
        return url;
    }
    let mut out = String::with_capacity(url.len() + 16);
    for c in url.chars() {
        if text::is_hidden(c) {
            for b in c.encode_utf8(&mut [0; 4]).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Renders a block of record Markdown (a section body). Headings are pushed down to at least
/// `min_heading` so that record text never outranks the page's own headings.
pub fn render_block(markdown: &str, min_heading: u8) -> String {
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 2);
    let parser = Parser::new_ext(markdown, options());
    pulldown_cmark::html::push_html(&mut out, Sanitize::new(parser, min_heading));
    out
}

/// Renders one line of record text (a timeline entry, an action, a table cell): inline Markdown
/// without the surrounding paragraph.
pub fn render_inline(text: &str) -> String {
    if is_plain(text) {
        return escape(text);
    }
    let html = render_block(text, 3);
    let trimmed = html.trim_end();
    match trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

/// HTML-escapes text for element content and quoted attribute values (also valid XML 1.0);
/// hidden characters become visible escapes ([`text::markup`]).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let _ = escape_into(&mut out, text);
    out
}

/// [`escape`] straight into a writer, without an intermediate string: the hidden characters as
/// visible escapes first ([`text::markup`], which borrows the text when it has none), then
/// `& < > " '` as `&amp; &lt; &gt; &quot; &#39;` by pulldown-cmark's own escaper (the visible
/// escapes hold none of those five).
pub fn escape_into<W: std::fmt::Write + ?Sized>(out: &mut W, text: &str) -> std::fmt::Result {
    pulldown_cmark_escape::escape_html(pulldown_cmark_escape::FmtWriter(out), &text::markup(text))
}

/// A text event with its hidden characters made visible (pulldown-cmark escapes the markup).
fn visible(t: CowStr<'_>) -> CowStr<'_> {
    match text::markup(&t) {
        std::borrow::Cow::Borrowed(_) => t,
        std::borrow::Cow::Owned(s) => CowStr::from(s),
    }
}

/// Text that Markdown would render as itself (escaped): the common case, rendered without a parse.
fn is_plain(text: &str) -> bool {
    let specials =
        |c: char| matches!(c, '`' | '*' | '_' | '[' | ']' | '<' | '&' | '\\' | '~' | '!' | '\n' | '\r');
    let first = text.trim_start().chars().next();
    let block_start = matches!(first, Some('#' | '>' | '-' | '+' | '=' | '|' | '0'..='9'));
    !block_start && !text.contains(specials) && !text.starts_with("    ")
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// The event filter that makes the Markdown safe.
struct Sanitize<'a, I> {
    inner: I,
    min_heading: u8,
    /// What to write when the current link or image ends.
    closers: Vec<&'static str>,
    /// Inside a raw HTML block (shown as a code block).
    in_html_block: bool,
    _marker: std::marker::PhantomData<&'a ()>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Sanitize<'a, I> {
    fn new(inner: I, min_heading: u8) -> Self {
        Self { inner, min_heading, closers: Vec::new(), in_html_block: false, _marker: Default::default() }
    }

    fn open_link(&mut self, dest: &str, title: &str, image: bool) -> Event<'a> {
        let title_attr =
            if title.is_empty() { String::new() } else { format!(" title=\"{}\"", escape(title)) };
        let (open, close) = match classify(dest) {
            Target::External(url) => (
                format!(
                    "<a href=\"{}\"{title_attr} class=\"ext\" rel=\"nofollow noopener noreferrer\">{}",
                    escape(&url),
                    if image { "[image: " } else { "" }
                ),
                if image { "]</a>" } else { "</a>" },
            ),
            Target::Relative(path) => (
                format!(
                    "<span class=\"xref\" title=\"{}\">{}",
                    escape(&path),
                    if image { "[image: " } else { "" }
                ),
                if image { "]</span>" } else { "</span>" },
            ),
            Target::Blocked => (
                format!("<span class=\"link-removed\">{}", if image { "[image: " } else { "" }),
                if image { "]</span>" } else { "</span>" },
            ),
        };
        self.closers.push(close);
        Event::InlineHtml(CowStr::from(open))
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Sanitize<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let event = self.inner.next()?;
        Some(match event {
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(visible(html)),
            Event::Text(t) => Event::Text(visible(t)),
            Event::Code(t) => Event::Code(visible(t)),
            Event::Start(Tag::HtmlBlock) => {
                self.in_html_block = true;
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(CowStr::Borrowed("html"))))
            }
            Event::End(TagEnd::HtmlBlock) => {
                self.in_html_block = false;
                Event::End(TagEnd::CodeBlock)
            }
            Event::Start(Tag::Link { dest_url, title, .. }) => self.open_link(&dest_url, &title, false),
            Event::Start(Tag::Image { dest_url, title, .. }) => self.open_link(&dest_url, &title, true),
            Event::End(TagEnd::Link | TagEnd::Image) => {
                Event::InlineHtml(CowStr::Borrowed(self.closers.pop().unwrap_or("")))
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(CowStr::from(fence_lang(&info)))))
            }
            Event::Start(Tag::Heading { level, id: _, classes: _, attrs: _ }) => Event::Start(Tag::Heading {
                level: shift(level, self.min_heading),
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level, self.min_heading))),
            Event::InlineMath(t) | Event::DisplayMath(t) => Event::Text(visible(t)),
            other => other,
        })
    }
}

/// The first word of a fence's info string, reduced to characters safe in a class name.
fn fence_lang(info: &str) -> String {
    let word = info.split_whitespace().next().unwrap_or("");
    word.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-' | '#'))
        .take(32)
        .collect()
}

fn shift(level: HeadingLevel, min: u8) -> HeadingLevel {
    let n = (level as u8).max(min).min(6);
    HeadingLevel::try_from(n as usize).unwrap_or(HeadingLevel::H6)
}

/// The anchor a heading is named by: its text lowercased, letters and digits (in any script)
/// kept, everything else a single `-`: `Root Cause` → `root-cause`, `Customer-Specific Impact`
/// → `customer-specific-impact`, `Übersicht` → `übersicht`, `根本原因` → `根本原因`. Combining
/// accents written apart from their letter are dropped (`Cafe\u{301}` → `cafe`), and so are
/// the characters that are not text ([`text::is_hidden`]). `section` when nothing is left (a
/// heading of punctuation or emoji), at most 64 characters.
pub fn heading_slug(heading: &str) -> String {
    const MAX: usize = 64;
    let mut out = String::with_capacity(heading.len().min(MAX * 4));
    let (mut count, mut dash) = (0, false);
    for c in heading.chars() {
        if matches!(c, '\u{300}'..='\u{36f}') || text::is_hidden(c) {
            continue;
        }
        if !c.is_alphanumeric() {
            dash = true;
            continue;
        }
        if dash && count > 0 {
            if count + 1 >= MAX {
                break;
            }
            out.push('-');
            count += 1;
        }
        dash = false;
        for l in c.to_lowercase() {
            out.push(l);
            count += 1;
        }
        if count >= MAX {
            break;
        }
    }
    if out.is_empty() { "section".to_string() } else { out }
}

/// Hands out the heading anchors of one page: each heading's [`heading_slug`], made unique by
/// a counter (the second `Notes` is `notes-1`, the third `notes-2`), never one of the ids the
/// page gives its own elements. The same headings in the same order give the same anchors, so
/// a link to a section stays valid from one build to the next.
#[derive(Debug, Clone)]
pub struct Anchors {
    used: std::collections::HashSet<String>,
}

impl Anchors {
    /// Anchors for a page whose own elements have the ids `reserved`.
    pub fn new(reserved: &[&str]) -> Anchors {
        Anchors { used: reserved.iter().map(|s| s.to_string()).collect() }
    }

    /// The anchor of the next heading.
    pub fn take(&mut self, heading: &str) -> String {
        let slug = heading_slug(heading);
        let mut id = slug.clone();
        let mut n = 0;
        while self.used.contains(&id) {
            n += 1;
            id = format!("{slug}-{n}");
        }
        self.used.insert(id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_classified_like_a_browser_would() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "//evil.example/x",
            "",
        ] {
            assert_eq!(classify(bad), Target::Blocked, "{bad:?}");
        }
        assert_eq!(classify("https://x.example/a?b#c"), Target::External("https://x.example/a?b#c".into()));
        assert_eq!(classify("mailto:a@b.example"), Target::External("mailto:a@b.example".into()));
        assert_eq!(classify("../timelines/x.json"), Target::Relative("../timelines/x.json".into()));
        // An encoded colon is not a scheme: the browser reads a relative path.
        assert_eq!(classify("javascript%3Aalert(1)"), Target::Relative("javascript%3Aalert(1)".into()));
    }

    #[test]
    fn raw_html_is_text() {
        let html = render_block("<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)> there", 2);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
    }

    #[test]
    fn entity_encoded_javascript_link_is_dropped() {
        let html = render_block("[x](&#106;avascript&#58;alert(1)) [y](JAVASCRIPT:alert(2))", 2);
        assert!(!html.contains("href"), "{html}");
        assert!(html.contains("link-removed"), "{html}");
    }

    #[test]
    fn link_titles_are_escaped() {
        let html = render_block(r#"[x](https://a.example "a\" onmouseover=\"alert(1)")"#, 2);
        assert!(html.contains(r#"title="a&quot; onmouseover=&quot;alert(1)""#), "{html}");
        assert!(html.contains(r#"rel="nofollow noopener noreferrer""#), "{html}");
    }

    #[test]
    fn images_never_load() {
        let html = render_block("![alt](https://x.example/i.png) ![a2](data:image/png;base64,AA)", 2);
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("[image: alt]"), "{html}");
        assert!(!html.contains("data:"), "{html}");
    }

    #[test]
    fn fence_info_is_sanitised() {
        let html = render_block("```\"><script>alert(1)</script>\ncode\n```\n", 2);
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("class=\"language-scriptalert1script\""), "{html}");
    }

    #[test]
    fn headings_are_pushed_down() {
        assert!(render_block("# Top\n## Two", 3).contains("<h3>Top</h3>\n<h3>Two</h3>"));
    }

    #[test]
    fn controls_and_bidi_overrides_show_as_escapes() {
        let hostile =
            "a\0b \u{1b}[31mred\u{1b}[0m \u{85} \u{7f} \u{202e}gnp.exe\u{202c} \u{2066}x\u{2069} \u{fffe}";
        let want = "a\\u{0}b \\u{1b}[31mred\\u{1b}[0m \\u{85} \\u{7f} \\u{202e}gnp.exe\\u{202c} \\u{2066}x\\u{2069} \\u{fffe}";
        assert_eq!(escape(hostile), want);
        assert_eq!(render_inline(hostile), want, "the plain fast path");
        for md in [
            format!("*{hostile}*"),
            format!("`{hostile}`"),
            format!("```\n{hostile}\n```"),
            format!("<b>{hostile}</b>"),
            format!("# {hostile}"),
            format!("| a |\n|---|\n| {hostile} |"),
            format!("[{hostile}](https://x.example/ \"{hostile}\")"),
            format!("![{hostile}](rel/{hostile})"),
        ] {
            let html = render_block(&md, 2);
            assert!(!html.contains(|c: char| text::is_hidden(c)), "{md:?} → {html:?}");
            assert!(html.contains("\\u{202e}gnp.exe") && html.contains("\\u{1b}[31m"), "{md:?} → {html:?}");
        }
        // Text that needs none is not copied, and right-to-left marks stay.
        assert_eq!(escape("שלום \u{200f}(1)"), "שלום \u{200f}(1)");
    }

    /// Every character, alone and between others, escapes as the pages have always had it: the
    /// five markup characters as entities (`'` as `&#39;`), the hidden ones as visible escapes,
    /// all else as itself.
    #[test]
    fn escape_gives_the_same_bytes_for_every_character() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let want = match c {
                '&' => "&amp;".to_string(),
                '<' => "&lt;".to_string(),
                '>' => "&gt;".to_string(),
                '"' => "&quot;".to_string(),
                '\'' => "&#39;".to_string(),
                c if text::is_hidden(c) => format!("\\u{{{:x}}}", c as u32),
                c => c.to_string(),
            };
            assert_eq!(escape(&format!("a{c}b")), format!("a{want}b"), "U+{:04X}", c as u32);
        }
        assert_eq!(
            escape("<a href=\"x\" title='\u{1b}&\u{202e}'>"),
            "&lt;a href=&quot;x&quot; title=&#39;\\u{1b}&amp;\\u{202e}&#39;&gt;"
        );
    }

    #[test]
    fn link_targets_percent_encode_hidden_characters() {
        let html = render_block("[x](https://x.example/a\u{202e}b?\u{85})", 2);
        assert!(html.contains("href=\"https://x.example/a%E2%80%AEb?%C2%85\""), "{html}");
    }

    #[test]
    fn inline_text_has_no_paragraph() {
        assert_eq!(render_inline("plain text"), "plain text");
        assert_eq!(render_inline("a `v3.4.7` b"), "a <code>v3.4.7</code> b");
        assert_eq!(render_inline("x > 95% & <b>"), "x &gt; 95% &amp; &lt;b&gt;");
        assert_eq!(render_inline("\"quoted\" 'text'"), "&quot;quoted&quot; &#39;text&#39;");
    }

    #[test]
    fn headings_slug_like_docs_sites() {
        assert_eq!(heading_slug("Root Cause"), "root-cause");
        assert_eq!(heading_slug("Customer-Specific Impact"), "customer-specific-impact");
        assert_eq!(heading_slug("  5 Whys: (analysis) — v2 "), "5-whys-analysis-v2");
        assert_eq!(heading_slug("Übersicht der Maßnahmen"), "übersicht-der-maßnahmen");
        assert_eq!(heading_slug("Cafe\u{301} Outage"), "cafe-outage");
        assert_eq!(heading_slug("根本原因"), "根本原因");
        assert_eq!(heading_slug("Ошибка БД"), "ошибка-бд");
        assert_eq!(heading_slug("a\u{202e}b\u{0}c"), "abc");
        for nothing in ["", "!!!", "🔥🔥", "\u{202e}"] {
            assert_eq!(heading_slug(nothing), "section", "{nothing:?}");
        }
        assert!(heading_slug(&"x ".repeat(100)).chars().count() <= 64);
        assert!(!heading_slug(&"x ".repeat(100)).ends_with('-'));
    }

    #[test]
    fn anchors_are_unique_and_never_a_reserved_id() {
        let mut a = Anchors::new(&["main", "toc"]);
        let got: Vec<String> =
            ["Notes", "Notes", "Notes 1", "Main", "TOC", "Notes"].map(|h| a.take(h)).into();
        assert_eq!(got, ["notes", "notes-1", "notes-1-1", "main-1", "toc-1", "notes-2"]);
        // The same headings give the same anchors.
        let mut b = Anchors::new(&["main", "toc"]);
        let again: Vec<String> =
            ["Notes", "Notes", "Notes 1", "Main", "TOC", "Notes"].map(|h| b.take(h)).into();
        assert_eq!(got, again);
    }
}
