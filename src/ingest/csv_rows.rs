//! Shared reading of the `;`-separated files (Sotkanet CSV, local services
//! and population exports).
//!
//! In: file bytes and the header the format expects. Out: data lines split
//! into fields, each with its line number, and the column positions.
//! Guarantees: a wrong separator, a missing column or a line with the wrong
//! number of fields is reported with the line; blank lines are skipped.

use super::{FileError, Parsed};
use crate::text::{decode_utf8, excerpt, numbered_lines};

/// A `;`-separated file with its header checked.
pub struct Table<'a> {
    pub file: &'a str,
    /// Column name -> position in a line.
    columns: Vec<(&'static str, usize)>,
    pub width: usize,
    pub lines: Vec<(usize, &'a str)>,
}

impl<'a> Table<'a> {
    /// Decodes the text and checks that every `required` column is present
    /// (`optional` ones may be missing). Column order is free.
    pub fn read(
        bytes: &'a [u8],
        file: &'a str,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<Table<'a>, FileError> {
        let text = decode_utf8(bytes).map_err(|e| FileError::new(file, e))?;
        let mut lines = numbered_lines(text).filter(|(_, l)| !l.trim().is_empty());
        let Some((header_line, header)) = lines.next() else {
            return Err(FileError::new(
                file,
                format!(
                    "the file is empty: expected a header `{}`",
                    required.join(";")
                ),
            ));
        };
        let names: Vec<&str> = header.split(';').map(str::trim).collect();
        if names.len() == 1 && required.len() > 1 {
            let guess = [',', '\t', '|']
                .into_iter()
                .find(|c| header.contains(*c))
                .map(|c| format!(" (it looks separated by {c:?})"))
                .unwrap_or_default();
            return Err(FileError::new(
                format!("{file}:{header_line}"),
                format!(
                    "the header is not separated by ';'{guess}: expected `{}`; save the file with ';' as separator",
                    required.join(";")
                ),
            ));
        }
        let mut columns = Vec::new();
        for &name in required.iter().chain(optional) {
            match names.iter().position(|n| *n == name) {
                Some(pos) => columns.push((name, pos)),
                None if optional.contains(&name) => {}
                None => {
                    return Err(FileError::new(
                        format!("{file}:{header_line}"),
                        format!(
                            "the header has no column '{name}': found `{}`, expected `{}`",
                            excerpt(header),
                            required.join(";")
                        ),
                    ))
                }
            }
        }
        Ok(Table {
            file,
            columns,
            width: names.len(),
            lines: lines.collect(),
        })
    }

    /// Calls `row` with the location (`file:line`) and the fields of every
    /// data line. Every line counts as read; a line with the wrong number of
    /// fields is rejected here and never reaches `row`.
    pub fn for_each_record<T>(
        &self,
        parsed: &mut Parsed<T>,
        mut row: impl FnMut(&mut Parsed<T>, String, Record<'_, 'a>),
    ) {
        for &(line_no, line) in &self.lines {
            parsed.read += 1;
            let location = format!("{}:{line_no}", self.file);
            match self.split(line) {
                Ok(record) => row(parsed, location, record),
                Err(reason) => parsed.reject(location, "line", reason),
            }
        }
    }

    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|(n, _)| *n == column)
    }

    /// Splits a data line; `Err` says how many fields it had.
    pub fn split<'t>(&'t self, line: &'a str) -> Result<Record<'t, 'a>, String> {
        let fields: Vec<&str> = line.split(';').collect();
        if fields.len() != self.width {
            return Err(format!(
                "expected {} fields separated by ';', found {}{}",
                self.width,
                fields.len(),
                if fields.len() < self.width {
                    " (truncated line?)"
                } else {
                    ""
                }
            ));
        }
        Ok(Record {
            fields,
            columns: &self.columns,
        })
    }
}

pub struct Record<'t, 'a> {
    fields: Vec<&'a str>,
    columns: &'t [(&'static str, usize)],
}

impl<'a> Record<'_, 'a> {
    /// The trimmed text of a column (empty when the column is absent).
    pub fn get(&self, column: &str) -> &'a str {
        self.columns
            .iter()
            .find(|(n, _)| *n == column)
            .map_or("", |(_, pos)| self.fields[*pos].trim())
    }
}
