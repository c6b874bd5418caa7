//! What a printed page carries in its margins: the record's id and hash (incident pages), the
//! build date and the page numbers, by `@page` margin boxes in `assets/site.css` that read CSS
//! custom properties. The values come in small generated stylesheets, linked with
//! `media="print"`, because the CSP allows no inline style and a margin box cannot read the
//! page's elements: `build.css` (the build date: one file rewritten when the date changes, so
//! that the pages themselves need not be) and `print/<page-stem>.css` per record (its id and
//! hash, stable until the record changes).

use crate::site::SiteError;
use crate::site::render::Renderer;

/// The stylesheet with the build date.
pub(super) const BUILD_CSS: &str = "build.css";

/// A CSS string literal of `s`: every character but plain ASCII letters, digits and a few
/// safe marks written as a hex escape, so that no value can end the string or the rule.
pub(super) fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | ' ' | '+' | '/') {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:x} ", c as u32));
        }
    }
    out.push('"');
    out
}

/// `incidents/<stem>.html` → `print/<stem>.css`.
pub(super) fn print_css_path(page: &str) -> String {
    let stem = page.strip_prefix("incidents/").unwrap_or(page);
    format!("print/{}.css", stem.strip_suffix(".html").unwrap_or(stem))
}

impl<'r, 'a: 'r> Renderer<'r, 'a> {
    /// `build.css`.
    pub(super) fn render_build_css(&self) -> Result<(), SiteError> {
        let css = format!(
            "/* The build date, for the margins of printed pages (see site.css, @page). */\n:root {{ --build-date: {}; }}\n",
            css_string(&self.build_date)
        );
        self.bytes(BUILD_CSS, css.into_bytes())
    }

    /// `print/<stem>.css` of record `rec`.
    pub(super) fn render_print_css(&self, rec: usize) -> Result<(), SiteError> {
        let r = self.data.record(rec);
        let css = format!(
            "/* The record's id and hash, for the margins of its printed page (see site.css, @page). */\n:root {{ --record-id: {}; --record-sha256: {}; }}\n",
            css_string(&r.id),
            css_string(&format!("SHA-256 {}", r.object))
        );
        self.bytes(&print_css_path(&self.data.paths[rec]), css.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_strings_cannot_end_the_string() {
        assert_eq!(css_string("INC-2025-0001"), "\"INC-2025-0001\"");
        assert_eq!(css_string("a\"b\\c\n}"), "\"a\\22 b\\5c c\\a \\7d \"");
        assert_eq!(print_css_path("incidents/INC-1.html"), "print/INC-1.css");
    }
}
