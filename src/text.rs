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
        // `+ 0.0` turns -0 into 0: "-0" is written as 0 in every output.
        Ok(v) if ok_chars && v.is_finite() => Ok(v + 0.0),
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

/// The longest message text hyte echoes (a rejection's reason, a file
/// error): a longer one keeps its start and its end (where the suggested
/// fix is) and says how much was cut, so that a 5 MB field never reaches a
/// terminal or the manifest whole.
pub const MAX_MESSAGE: usize = 300;

/// Untrusted text made fit to print: control characters (ESC, NUL, line
/// breaks, …) escaped as `\u{1b}`, and text longer than [`MAX_MESSAGE`]
/// cut in the middle with the number of bytes left out.
pub fn printable(text: &str) -> String {
    let escaped = escape_controls(text);
    if escaped.len() <= MAX_MESSAGE {
        return escaped.into_owned();
    }
    let head_end = floor_char_boundary(&escaped, 200);
    let tail_start = ceil_char_boundary(&escaped, escaped.len() - 80);
    format!(
        "{}… [{} bytes left out] …{}",
        &escaped[..head_end],
        tail_start - head_end,
        &escaped[tail_start..]
    )
}

/// Control characters (ESC, NUL, line breaks, …) escaped as `\u{1b}`, so
/// that text from a file cannot move a terminal's cursor or hide itself.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Names an encoding that is not UTF-8 from a file's first bytes: UTF-16
/// or UTF-32 with a byte-order mark, or UTF-16 without one (every other
/// byte zero), which a UTF-8 reader would otherwise report as text such as
/// "i n d i c a t o r".
pub fn other_encoding(start: &[u8]) -> Option<&'static str> {
    if start.starts_with(b"\xFF\xFE\x00\x00") || start.starts_with(b"\x00\x00\xFE\xFF") {
        return Some("UTF-32");
    }
    if start.starts_with(b"\xFF\xFE") {
        return Some("UTF-16 (little-endian, with a byte-order mark)");
    }
    if start.starts_with(b"\xFE\xFF") {
        return Some("UTF-16 (big-endian, with a byte-order mark)");
    }
    let sample = &start[..start.len().min(512) & !1];
    if sample.len() >= 8 {
        let pairs = sample.len() / 2;
        let zero_odd = sample.chunks(2).filter(|p| p[1] == 0 && p[0] != 0).count();
        let zero_even = sample.chunks(2).filter(|p| p[0] == 0 && p[1] != 0).count();
        if zero_odd * 10 >= pairs * 9 {
            return Some("UTF-16 (little-endian, without a byte-order mark)");
        }
        if zero_even * 10 >= pairs * 9 {
            return Some("UTF-16 (big-endian, without a byte-order mark)");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_printable_and_bounded() {
        assert_eq!(printable("plain 'x'"), "plain 'x'");
        assert_eq!(printable("a\u{1b}[31mb\0c"), "a\\u{1b}[31mb\\u{0}c");
        let field = "x".repeat(5 << 20);
        let shown = printable(&format!("'{field}' is not a number: fix it"));
        assert!(shown.len() < 400, "{}", shown.len());
        assert!(shown.ends_with("is not a number: fix it"), "{shown}");
        assert!(shown.contains("5242626 bytes left out"), "{shown}");
        // Cut on character boundaries.
        let wide = printable(&"ä".repeat(400));
        assert!(wide.contains("bytes left out"));
    }

    #[test]
    fn other_encodings_are_named() {
        let utf16: Vec<u8> = "indicator;region"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(
            other_encoding(&utf16),
            Some("UTF-16 (little-endian, without a byte-order mark)")
        );
        let mut bom = vec![0xFF, 0xFE];
        bom.extend(&utf16);
        assert_eq!(
            other_encoding(&bom),
            Some("UTF-16 (little-endian, with a byte-order mark)")
        );
        assert_eq!(other_encoding(b"indicator;region;year"), None);
        assert_eq!(other_encoding("\u{feff}ä;ö".as_bytes()), None);
    }

    #[test]
    fn numbers_with_point_or_comma() {
        assert_eq!(parse_number("12.3"), Ok(12.3));
        assert_eq!(parse_number(" 7,9 "), Ok(7.9));
        assert_eq!(parse_number("-4"), Ok(-4.0));
        assert!(parse_number("-0").unwrap().is_sign_positive());
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
