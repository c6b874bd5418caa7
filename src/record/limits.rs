//! The limits on a record's structure that keep its parse within a small multiple of its size,
//! checked before anything is built: without them, 10 MiB of one-line list items took 2.5 GB.
//!
//! Markdown is parsed into a tree of a few dozen bytes per element (a line, a list item, an
//! emphasis marker, a bracket, a table cell) before any of it is read, and every element then
//! becomes something in the record's blocks. Bytes alone do not bound that: 10 MiB of `[` or of
//! `- x` lines are millions of elements. So a record may have at most [`MAX_ELEMENTS`] lines and
//! markup characters in all (`too-complex`), counted in one pass over its bytes before it is
//! parsed, and lists and block quotes at most [`MAX_DEPTH`] inside one another (`too-deep`,
//! checked while the blocks are read). Both are far above what people write: the reference
//! record has about 700 elements and a depth of 2.

use super::input::Refusal;

/// At most this many elements per record: lines plus markup characters (see [`count`]).
pub const MAX_ELEMENTS: usize = 100_000;

/// At most this many lists and block quotes inside one another.
pub const MAX_DEPTH: usize = 16;

/// Bytes that are an element wherever they stand: the characters that start inline markup
/// (emphasis, code, links, images, HTML, entities, escapes, table cells, strikethrough) and the
/// newline that ends a line; `>` and `#` open block quotes and headings.
const MARKUP: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = b"\n*_`[]<>!&\\|~#";
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// The elements of `text`: its lines (a last line without a newline counts), its markup
/// characters, and its list markers (`-` or `+`, or a digit then `.` or `)`, before a space, a
/// tab or the end of a line; wherever they stand, so a marker counts however deeply nested).
/// An upper bound on what parsing the text builds, cheap to compute.
pub fn count(text: &str) -> usize {
    elements(text.as_bytes()).last().map_or(0, |(n, _)| n)
}

/// Every element as (count so far, byte offset).
fn elements(b: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let last_line = usize::from(!b.is_empty() && !b.ends_with(b"\n"));
    (0..b.len())
        .filter(move |&i| {
            let c = b[i];
            MARKUP[c as usize] || {
                let before_space = b.get(i + 1).is_none_or(|n| matches!(n, b' ' | b'\t' | b'\n'));
                before_space
                    && (matches!(c, b'-' | b'+')
                        || (matches!(c, b'.' | b')') && i > 0 && b[i - 1].is_ascii_digit()))
            }
        })
        .chain((last_line == 1).then_some(b.len()))
        .enumerate()
        .map(|(n, i)| (n + 1, i))
}

/// Refuses a text of more than [`MAX_ELEMENTS`] elements, pointing at the line where the count
/// passes the limit. Allocates nothing.
pub(crate) fn check_elements(text: &str) -> Result<(), Refusal> {
    let mut past = None;
    let mut total = 0;
    for (n, at) in elements(text.as_bytes()) {
        if n == MAX_ELEMENTS + 1 {
            past = Some(at);
        }
        total = n;
    }
    let Some(at) = past else { return Ok(()) };
    Err((
        "too-complex",
        text.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1,
        format!(
            "the record has {total} elements (lines, markup characters such as `*`, `[`, `|`, `>`, \
             and list markers); the limit is {MAX_ELEMENTS}, passed on this line: split the record, \
             or link long logs and tables instead of pasting them"
        ),
    ))
}

/// Refuses lists and block quotes nested more than [`MAX_DEPTH`] deep.
pub(crate) fn check_depth(depth: usize, line: usize) -> Result<(), Refusal> {
    if depth <= MAX_DEPTH {
        return Ok(());
    }
    Err((
        "too-deep",
        line,
        format!(
            "lists and block quotes are nested more than {MAX_DEPTH} deep here; the limit is {MAX_DEPTH}"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_lines_markup_and_list_markers() {
        assert_eq!(count(""), 0);
        assert_eq!(count("a"), 1);
        assert_eq!(count("a\n"), 1);
        assert_eq!(count("a\nb"), 2);
        assert_eq!(count("**a**\n"), 5);
        assert_eq!(count("- x\n"), 2);
        assert_eq!(count("- - - x\n"), 4);
        assert_eq!(count("1. x\n2) y\n"), 4);
        assert_eq!(count("> > x\n"), 3);
        assert_eq!(count("| a | b |\n"), 4);
        // Not markers: a hyphen inside a word, a dot after a word, a version number.
        assert_eq!(count("well-known. v3.4 ok\n"), 1);
        assert_eq!(count("-\n"), 2);
        assert_eq!(count("a -"), 2);
    }

    #[test]
    fn the_line_where_the_limit_passes_is_named() {
        let text = "x\n".repeat(MAX_ELEMENTS);
        assert!(check_elements(&text).is_ok());
        let text = format!("{text}[y\n");
        let (rule, line, message) = check_elements(&text).unwrap_err();
        assert_eq!((rule, line), ("too-complex", MAX_ELEMENTS + 1));
        assert!(message.starts_with(&format!("the record has {} elements", MAX_ELEMENTS + 2)), "{message}");
    }
}
