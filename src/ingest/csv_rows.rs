//! Shared reading of the `;`-separated files (Sotkanet CSV, local services
//! and population exports), with the `csv` crate.
//!
//! In: file bytes and the header the format expects. Out: data records,
//! each with its line number, and the column positions.
//! Guarantees: fields are read as Excel writes them (`"Harju; keskusta"`
//! is one field, `""` inside quotes is one `"`); a wrong separator, a
//! missing column or a record with the wrong number of fields is reported
//! with its line (the line where the record starts, so an unbalanced quote
//! that swallows the following lines is found where it begins); blank lines
//! are skipped.

use super::{FileError, Parsed};
use crate::text::{decode_utf8, excerpt};

/// A `;`-separated file with its header checked.
pub struct Table<'a> {
    pub file: &'a str,
    /// Column name -> position in a record.
    columns: Vec<(&'static str, usize)>,
    pub width: usize,
    /// Data records with the line each starts on, or why one is unreadable.
    records: Vec<NumberedRecord>,
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
        let mut records = records(text).into_iter();
        let expected = required.join(";");
        let Some((header_line, header)) = records.next() else {
            return Err(FileError::new(
                file,
                format!("the file is empty: expected a header `{expected}`"),
            ));
        };
        let header = header.map_err(|e| FileError::new(format!("{file}:{header_line}"), e))?;
        let (columns, width) = header_columns(&header, file, header_line, required, optional)?;
        Ok(Table {
            file,
            columns,
            width,
            records: records.collect(),
        })
    }

    /// Calls `row` with the location (`file:line`) and the fields of every
    /// data record. Every record counts as read; one with the wrong number
    /// of fields is rejected here and never reaches `row`.
    pub fn for_each_record<T>(
        &self,
        parsed: &mut Parsed<T>,
        mut row: impl FnMut(&mut Parsed<T>, String, Record<'_>),
    ) {
        for (line_no, record) in &self.records {
            parsed.read += 1;
            let location = format!("{}:{line_no}", self.file);
            let record = match record {
                Ok(r) => r,
                Err(reason) => {
                    parsed.reject(location, "line", reason.clone());
                    continue;
                }
            };
            if let Err(reason) = check_shape(record, self.width) {
                parsed.reject(location, "line", reason);
                continue;
            }
            row(
                parsed,
                location,
                Record {
                    fields: record,
                    columns: &self.columns,
                },
            );
        }
    }

    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|(n, _)| *n == column)
    }
}

/// A record of a `;`-separated file: the line it starts on, and its fields
/// or why it cannot be read.
pub type NumberedRecord = (usize, Result<csv::StringRecord, String>);

/// Every record of `;`-separated text (`"` quoting as Excel writes it)
/// with the line it starts on; blank lines are skipped.
pub fn records(text: &str) -> Vec<NumberedRecord> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let lines = LineIndex::new(text);
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) if r.iter().all(|f| f.trim().is_empty()) => {}
            Ok(r) => out.push((lines.of(r.position()), Ok(r))),
            Err(e) => out.push((
                lines.of(e.position()),
                Err(format!("not readable as CSV: {e}")),
            )),
        }
    }
    out
}

/// Line numbers from the byte offsets the `csv` crate gives: the line a
/// record starts on. (Its own line counter names the line before a record
/// in some cases, so the offset is the reliable place.)
struct LineIndex<'t> {
    /// Byte offset of every line start after the first.
    starts: Vec<u64>,
    bytes: &'t [u8],
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        LineIndex {
            starts: text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i as u64 + 1)
                .collect(),
            bytes: text.as_bytes(),
        }
    }

    /// The 1-based line of the first character of a record at `position`.
    fn of(&self, position: Option<&csv::Position>) -> usize {
        let Some(position) = position else { return 0 };
        let mut byte = position.byte();
        // A record's offset may point at the line break before it.
        while matches!(self.bytes.get(byte as usize), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        1 + self.starts.partition_point(|&start| start <= byte)
    }
}

/// Checks a record's number of fields, and that no field runs over a line
/// break: no source hyte reads has one, so such a field is an unbalanced
/// quote that swallowed the lines after it.
pub fn check_shape(record: &csv::StringRecord, width: usize) -> Result<(), String> {
    check_field_lengths(record.iter())?;
    if let Some(field) = record.iter().find(|f| f.contains('\n')) {
        return Err(format!(
            "a quoted field runs over {} lines (`{}`): an unbalanced quote? Close the quote or remove it",
            field.matches('\n').count() + 1,
            excerpt(field.lines().next().unwrap_or_default())
        ));
    }
    if record.len() != width {
        return Err(shape_error(record.len(), width));
    }
    Ok(())
}

/// The longest field hyte accepts in a CSV row. Every field of the
/// sources it reads is a code, a number, a date or a short label (THL's
/// longest group labels are under 200 bytes); a longer one is a broken or
/// hostile file, and refusing it keeps a row's cost bounded.
pub const MAX_FIELD_BYTES: usize = 4096;

/// Refuses a row with a field longer than [`MAX_FIELD_BYTES`].
pub fn check_field_lengths<'f>(fields: impl Iterator<Item = &'f str>) -> Result<(), String> {
    for (index, field) in fields.enumerate() {
        if field.len() > MAX_FIELD_BYTES {
            return Err(format!(
                "field {} is {} bytes long, more than the {MAX_FIELD_BYTES} any source has (`{}`): the file is broken; download it again",
                index + 1,
                field.len(),
                excerpt(field)
            ));
        }
    }
    Ok(())
}

/// Each expected column's name and position in a record.
pub type ColumnPositions = Vec<(&'static str, usize)>;

/// Checks a header record: every `required` column present (`optional`
/// ones may be missing), column order free. Returns each column's position
/// and the number of fields a record must have.
pub fn header_columns(
    header: &csv::StringRecord,
    file: &str,
    header_line: usize,
    required: &[&'static str],
    optional: &[&'static str],
) -> Result<(ColumnPositions, usize), FileError> {
    let expected = required.join(";");
    let names: Vec<&str> = header.iter().map(str::trim).collect();
    let header_text = names.join(";");
    if names.len() == 1 && required.len() > 1 {
        let guess = [',', '\t', '|']
            .into_iter()
            .find(|c| names[0].contains(*c))
            .map(|c| format!(" (it looks separated by {c:?})"))
            .unwrap_or_default();
        return Err(FileError::new(
            format!("{file}:{header_line}"),
            format!(
                "the header is not separated by ';'{guess}: expected `{expected}`; save the file with ';' as separator"
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
                        "the header has no column '{name}': found `{}`, expected `{expected}`",
                        excerpt(&header_text)
                    ),
                ))
            }
        }
    }
    Ok((columns, names.len()))
}

/// Why a record with `found` fields does not fit a header of `width`.
pub fn shape_error(found: usize, width: usize) -> String {
    format!(
        "expected {width} fields separated by ';', found {found}{}",
        if found < width {
            " (truncated line?)"
        } else {
            " (a ';' inside a field that is not quoted?)"
        }
    )
}

pub struct Record<'t> {
    fields: &'t csv::StringRecord,
    columns: &'t [(&'static str, usize)],
}

impl<'t> Record<'t> {
    /// The trimmed text of a column (empty when the column is absent).
    pub fn get(&self, column: &str) -> &'t str {
        self.columns
            .iter()
            .find(|(n, _)| *n == column)
            .and_then(|(_, pos)| self.fields.get(*pos))
            .map_or("", str::trim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<(String, String, String)>, Vec<String>) {
        let table = Table::read(text.as_bytes(), "s.csv", &["area", "name"], &[]).unwrap();
        let mut parsed: Parsed<()> = Parsed::default();
        let mut rows = Vec::new();
        table.for_each_record(&mut parsed, |_, location, record| {
            rows.push((
                location,
                record.get("area").to_string(),
                record.get("name").to_string(),
            ));
        });
        (
            rows,
            parsed.rejections.iter().map(|r| r.to_string()).collect(),
        )
    }

    #[test]
    fn excel_quoting_is_read_whole() {
        let (rows, rejected) = read("area;name\r\nlohja.harju;\"Harju; keskusta\"\r\nlohja.anttila;\"Sanottu \"\"Anttila\"\"\"\r\n");
        assert!(rejected.is_empty(), "{rejected:?}");
        assert_eq!(
            rows,
            [
                (
                    "s.csv:2".into(),
                    "lohja.harju".into(),
                    "Harju; keskusta".into()
                ),
                (
                    "s.csv:3".into(),
                    "lohja.anttila".into(),
                    "Sanottu \"Anttila\"".into()
                ),
            ]
        );
    }

    #[test]
    fn unbalanced_quote_is_rejected_where_it_starts() {
        let (rows, rejected) =
            read("area;name\nlohja.harju;\"Harju\nlohja.anttila;Anttila\n\nlohja.jarnefelt;J\n");
        assert!(rows.is_empty(), "{rows:?}");
        assert_eq!(rejected.len(), 1, "{rejected:?}");
        assert!(
            rejected[0].starts_with("s.csv:2: field 'line'"),
            "{rejected:?}"
        );
        let (rows, rejected) = read("area;name\nlohja.harju;H;x\n\nlohja.anttila;A\n");
        assert_eq!(
            rows,
            [("s.csv:4".into(), "lohja.anttila".into(), "A".into())]
        );
        assert!(
            rejected[0].contains("s.csv:2") && rejected[0].contains("found 3"),
            "{rejected:?}"
        );
    }
}
