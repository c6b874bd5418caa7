//! From bytes to text the parser can trust: size cap, empty, binary and UTF-8 checks, byte-order
//! mark and line ends (CRLF and lone CR become LF, so lines and offsets agree everywhere).

use std::borrow::Cow;

/// Records larger than this are rejected (`too-large`) without being parsed.
pub const MAX_RECORD_BYTES: usize = 10 * 1024 * 1024;

/// How many leading bytes are looked at for control characters.
const BINARY_SAMPLE: usize = 8192;

/// Why the bytes cannot be read as a record: the rule, the 1-based line and the message.
pub(crate) type Refusal = (&'static str, usize, String);

/// The record's text, normalized; or why there is none.
pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, Refusal> {
    if bytes.len() > MAX_RECORD_BYTES {
        return Err((
            "too-large",
            1,
            format!("the record is {} bytes; the limit is {MAX_RECORD_BYTES} bytes (10 MiB)", bytes.len()),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(("not-utf8", 1, "the record is UTF-16 text; save it as UTF-8".into()));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(("empty", 1, "the record is empty".into()));
    }
    if bytes.contains(&0) {
        let at = bytes.iter().position(|&b| b == 0).unwrap_or(0);
        let msg = "the record is binary (it contains NUL bytes), not Markdown text";
        return Err(("binary", line_at(bytes, at), msg.into()));
    }
    let sample = &bytes[..bytes.len().min(BINARY_SAMPLE)];
    let controls: usize =
        sample.iter().map(|&b| usize::from(b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))).sum();
    if controls * 20 > sample.len() {
        return Err(("binary", 1, "the record is binary (control bytes), not Markdown text".into()));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        (
            "not-utf8",
            line_at(bytes, at),
            format!("the record is not UTF-8 text (invalid byte at offset {at})"),
        )
    })?;
    if !text.contains('\r') {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('\n') {
            rest = r;
        }
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// The 1-based line of byte `at`.
fn line_at(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_and_bom_are_normalized() {
        assert_eq!(decode(b"a\r\nb\rc\n").unwrap(), "a\nb\nc\n");
        assert_eq!(decode("\u{feff}# x\n".as_bytes()).unwrap(), "# x\n");
        assert!(matches!(decode(b"# x\n").unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn refusals_name_rule_and_line() {
        assert_eq!(decode(b"").unwrap_err().0, "empty");
        assert_eq!(decode(b" \n\t\r\n").unwrap_err().0, "empty");
        assert_eq!(decode(b"\xEF\xBB\xBF\n").unwrap_err().0, "empty");
        let e = decode(b"# a\nb\0").unwrap_err();
        assert_eq!((e.0, e.1), ("binary", 2));
        assert_eq!(decode(b"# a\n\nok \xff").unwrap_err().0, "not-utf8");
        assert_eq!(decode(b"# a\n\nok \xff").unwrap_err().1, 3);
        assert_eq!(decode(b"\xff\xfe#\0").unwrap_err().0, "not-utf8");
        assert_eq!(decode(&[1u8; 64]).unwrap_err().0, "binary");
        let big = vec![b'a'; MAX_RECORD_BYTES + 1];
        assert_eq!(decode(&big).unwrap_err().0, "too-large");
    }
}
