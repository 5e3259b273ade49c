//! The JSON that THL's cube server writes by hand, read as it is.
//!
//! In: the text of a THL fact or dimension file. Out: the JSON value.
//! Guarantees: a JSONP wrapper (`thl.pivot.fromJsonStat( … );`,
//! `thl.pivot.loadDimensions( … );`) is removed; valid JSON is parsed as is;
//! only when that fails, the two faults THL's hand-written exporters can
//! produce are repaired and the text parsed again: a control character
//! (tab, …) inside a string, and a backslash that starts no JSON escape (the
//! exporters escape `"` and line breaks but not `\`). When the repaired text
//! fails too, the error of the original text is returned, so its line
//! number points into the file as downloaded.
//!
//! Written by hand because no JSON crate accepts exactly these faults and
//! nothing more.

use std::borrow::Cow;

use serde_json::Value;

/// The text inside `callback( … );`, or the whole text when it is not
/// wrapped that way.
pub fn strip_jsonp<'t>(text: &'t str, callback: &str) -> &'t str {
    let trimmed = text.trim();
    trimmed
        .strip_prefix(callback)
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix('('))
        .and_then(|rest| {
            let rest = rest.trim_end();
            let rest = rest.strip_suffix(';').unwrap_or(rest).trim_end();
            rest.strip_suffix(')').map(str::trim)
        })
        .unwrap_or(text)
}

/// Parses JSON, repairing THL's unescaped control characters and stray
/// backslashes inside strings when the text is not valid as it is.
pub fn parse_lenient(text: &str) -> serde_json::Result<Value> {
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(original) => match repair(text) {
            Cow::Owned(repaired) => serde_json::from_str(&repaired).map_err(|_| original),
            Cow::Borrowed(_) => Err(original),
        },
    }
}

/// Escapes control characters and lone backslashes inside JSON strings.
fn repair(text: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut changed = false;
    let mut in_string = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !in_string {
            in_string = c == '"';
            out.push(c);
            continue;
        }
        match c {
            '"' => {
                in_string = false;
                out.push(c);
            }
            '\\' => match chars.peek() {
                Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u') => {
                    out.push(c);
                    out.push(chars.next().unwrap_or_default());
                }
                _ => {
                    changed = true;
                    out.push_str("\\\\");
                }
            },
            c if u32::from(c) < 0x20 => {
                changed = true;
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonp_wrappers_are_removed() {
        assert_eq!(
            strip_jsonp(
                "thl.pivot.fromJsonStat(\n{\"a\":1}\n);\n",
                "thl.pivot.fromJsonStat"
            ),
            "{\"a\":1}"
        );
        assert_eq!(
            strip_jsonp(" {\"a\":1} ", "thl.pivot.fromJsonStat"),
            " {\"a\":1} "
        );
        // A wrapper that is not closed is left as it is: the JSON error says so.
        assert_eq!(strip_jsonp("cb({\"a\":1}", "cb"), "cb({\"a\":1}");
    }

    #[test]
    fn repairs_only_thl_faults() {
        let value = parse_lenient("{\"label\": \"a\tb \\d \\\" c\"}").unwrap();
        assert_eq!(value["label"], "a\tb \\d \" c");
        // Valid JSON is untouched; real errors keep their original line.
        let err = parse_lenient("{\n\"a\": 1,\n}").unwrap_err();
        assert_eq!(err.line(), 3);
    }
}
