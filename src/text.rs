//! Small text helpers shared by the parsers and the error messages.
//!
//! In: raw bytes or strings from input files. Out: decoded text, line
//! numbers from byte offsets, numbers parsed the way Finnish sources write
//! them. Guarantees: a number that is not fully understood is an error,
//! never a zero or a truncated value.

/// Decodes UTF-8, dropping a leading byte-order mark.
pub fn decode_utf8(bytes: &[u8]) -> Result<&str, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    utf8_from_line(bytes, 1).map_err(|line| format!("line {line}: {NOT_UTF8}"))
}

/// What to tell about a file that is not UTF-8.
pub const NOT_UTF8: &str = "the file is not valid UTF-8: save it as UTF-8";

/// Checks that bytes starting on line `first_line` are UTF-8; the error is
/// the line of the first bad byte.
pub fn utf8_from_line(bytes: &[u8], first_line: usize) -> Result<&str, usize> {
    std::str::from_utf8(bytes)
        .map_err(|e| first_line + memchr::memchr_iter(b'\n', &bytes[..e.valid_up_to()]).count())
}

/// 1-based line of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Lines with their 1-based numbers, accepting LF, CRLF or a mix.
pub fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix('\r').unwrap_or(line)))
}

/// Parses a finite number written with a decimal point or a decimal comma
/// (`12.3`, `12,3`, `-4`). Thousands separators are not accepted: they make
/// `1,234` ambiguous.
pub fn parse_number(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let comma = trimmed.contains(',') && !trimmed.contains('.');
    let ok_chars = trimmed
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E' | b','));
    // The common case (a decimal point) parses without a copy: this runs
    // once per number of a national download.
    let parsed = if comma {
        trimmed.replacen(',', ".", 1).parse::<f64>()
    } else {
        trimmed.parse::<f64>()
    };
    match parsed {
        Ok(v) if ok_chars && v.is_finite() => Ok(v),
        _ => Err(format!("'{trimmed}' is not a number")),
    }
}

/// A short printable excerpt of untrusted text for error messages.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    let mut out: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_point_or_comma() {
        assert_eq!(parse_number("12.3"), Ok(12.3));
        assert_eq!(parse_number(" 7,9 "), Ok(7.9));
        assert_eq!(parse_number("-4"), Ok(-4.0));
        for bad in ["", "1,2,3", "abc", "12.3x", "NaN", "inf", "1 000", "0x10"] {
            assert!(parse_number(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn bom_and_line_ends() {
        let text = decode_utf8(b"\xEF\xBB\xBFa;b\r\nc\nd").unwrap();
        let lines: Vec<_> = numbered_lines(text).collect();
        assert_eq!(lines, [(1, "a;b"), (2, "c"), (3, "d")]);
        assert_eq!(line_of("a\nb\nc", 4), 3);
        assert!(decode_utf8(b"ok\n\xff").unwrap_err().contains("line 2"));
    }
}
