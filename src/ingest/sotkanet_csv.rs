//! Sotkanet CSV exactly as THL serves it from `/csv`.
//!
//! In: `indicator;region;year;gender;primary value;absolute value`, `;`
//! separated, `.` decimal, CRLF (LF and a BOM are accepted too), an empty
//! field meaning "not published". Out: observations with the source key
//! `sotkanet:ID`, area from the `/regions` dump, period = year,
//! value = primary value, count = absolute value, written straight into
//! the coded columns of the observation table ([`crate::table`]).
//! Guarantees: an empty value stays null; an unknown region id, a bad number
//! or year, a wrong gender or a short line rejects that line only, naming
//! line and field; rows keep their line numbers; the rows and rejections are
//! the same whatever the number of threads. A cell given twice is rejected
//! by the validate stage, which sees every file at once.

use std::collections::HashMap;

use rayon::prelude::*;

use super::csv_rows::{self, header_columns, shape_error};
use super::sotkanet_regions::Regions;
use super::{FileError, Parsed, Rejection};
use crate::catalog::sotkanet_key;
use crate::observation::{Observation, Sex, ALL_GROUPS};
use crate::period::Period;
use crate::table::{Columns, RowNumbers, SourceRef, TableBuilder};
use crate::text::{decode_utf8, excerpt, parse_number};

const COLUMNS: [&str; 6] = [
    "indicator",
    "region",
    "year",
    "gender",
    "primary value",
    "absolute value",
];

/// What reading one file added to the table.
#[derive(Debug, Default)]
pub struct Appended {
    /// Data records looked at.
    pub read: usize,
    /// Rows added to the table.
    pub accepted: usize,
    pub rejections: Vec<Rejection>,
}

/// One data record, before its ids are coded.
struct Record {
    indicator: u32,
    region: u64,
    period: Period,
    sex: Sex,
    value: Option<f64>,
    count: Option<f64>,
}

/// Column positions from the header.
struct Positions([usize; 6]);

/// Reads the file into the table. The national download is one file of
/// some hundreds of megabytes: its lines are parsed in parallel chunks
/// straight into coded columns, and the chunks joined in file order, so the
/// result does not depend on the number of threads. A file with a `"`
/// anywhere (Sotkanet never quotes, but a file saved by Excel may) is read
/// by the `csv` crate instead, one record at a time, since a quoted field
/// may hold a `;` or a line break.
pub fn read(
    bytes: &[u8],
    file: &str,
    regions: &Regions,
    table: &mut TableBuilder,
) -> Result<Appended, FileError> {
    let text = decode_utf8(bytes).map_err(|e| FileError::new(file, e))?;
    // The header is the first line that is not blank.
    let mut header_line = 1;
    let mut body_start = 0;
    let header_text = loop {
        let end = text[body_start..]
            .find('\n')
            .map_or(text.len(), |i| body_start + i);
        let line = &text[body_start..end];
        let next = (end + 1).min(text.len());
        if !line.trim().is_empty() {
            body_start = next;
            break line;
        }
        if end == text.len() {
            return Err(FileError::new(
                file,
                format!(
                    "the file is empty: expected a header `{}`",
                    COLUMNS.join(";")
                ),
            ));
        }
        body_start = next;
        header_line += 1;
    };
    let header = csv_rows::records(header_text)
        .into_iter()
        .next()
        .and_then(|(_, r)| r.ok())
        .unwrap_or_default();
    let (columns, width) = header_columns(&header, file, header_line, &COLUMNS, &[])?;
    let positions = Positions(COLUMNS.map(|name| {
        columns
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, p)| *p)
    }));
    let body = &text[body_start..];
    let first_line = header_line as u32 + 1;

    let chunks: Vec<Chunk> = if body.contains('"') {
        vec![read_quoted(
            body, first_line, width, &positions, regions, file,
        )]
    } else {
        let pieces = split_lines(body, first_line);
        pieces
            .par_iter()
            .map(|&(piece, line)| read_plain(piece, line, width, &positions, regions, file))
            .collect()
    };

    // Code the ids: once per distinct indicator and region, not per row.
    let file_code = table.files.intern(file);
    let group = table.groups.intern(ALL_GROUPS);
    let mut indicator_codes: HashMap<u32, u32> = HashMap::new();
    let mut area_codes: HashMap<u64, u32> = HashMap::new();
    let mut out = Appended::default();
    for chunk in chunks {
        out.read += chunk.read;
        out.rejections.extend(chunk.rejections);
        let mut columns = Columns::with_capacity(chunk.records.len());
        for (record, line) in chunk.records.iter().zip(&chunk.lines) {
            let indicator = *indicator_codes
                .entry(record.indicator)
                .or_insert_with(|| table.indicators.intern(&sotkanet_key(record.indicator)));
            let area = *area_codes.entry(record.region).or_insert_with(|| {
                // Present: the chunk kept only rows whose region is known.
                table
                    .areas
                    .intern(regions.area_key(record.region).unwrap_or_default())
            });
            columns.push(
                indicator,
                area,
                record.period,
                record.sex,
                group,
                RowNumbers {
                    value: record.value,
                    count: record.count,
                    ..RowNumbers::default()
                },
                SourceRef {
                    file: file_code,
                    line: *line,
                },
            );
        }
        out.accepted += columns.len();
        table.append(columns);
    }
    Ok(out)
}

/// Reads the file on its own, as rows in table order: for tools and tests
/// that want rows; the pipeline reads into the shared table with [`read`].
pub fn parse(
    bytes: &[u8],
    file: &str,
    regions: &Regions,
) -> Result<Parsed<Observation>, FileError> {
    let mut builder = TableBuilder::default();
    let appended = read(bytes, file, regions, &mut builder)?;
    let table = builder.finish();
    Ok(Parsed {
        rows: (0..table.len()).map(|i| table.row(i)).collect(),
        read: appended.read,
        rejections: appended.rejections,
    })
}

/// The records of one piece of the file.
#[derive(Default)]
struct Chunk {
    records: Vec<Record>,
    lines: Vec<u32>,
    read: usize,
    rejections: Vec<Rejection>,
}

impl Chunk {
    fn take(
        &mut self,
        line: u32,
        fields: &[&str],
        positions: &Positions,
        regions: &Regions,
        file: &str,
    ) {
        self.read += 1;
        match record(fields, positions, regions) {
            Ok(r) => {
                self.records.push(r);
                self.lines.push(line);
            }
            Err((field, reason)) => self.rejections.push(Rejection {
                location: format!("{file}:{line}"),
                field: field.to_string(),
                reason,
            }),
        }
    }

    fn reject_line(&mut self, line: u32, reason: String, file: &str) {
        self.read += 1;
        self.rejections.push(Rejection {
            location: format!("{file}:{line}"),
            field: "line".into(),
            reason,
        });
    }
}

/// Splits text at line ends into pieces of about a megabyte or more (a few
/// per thread), each with the number of its first line.
fn split_lines(body: &str, first_line: u32) -> Vec<(&str, u32)> {
    let target = (body.len() / (rayon::current_num_threads() * 4)).max(1 << 20);
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let end = if start + target >= body.len() {
            body.len()
        } else {
            body[start + target..]
                .find('\n')
                .map_or(body.len(), |i| start + target + i + 1)
        };
        pieces.push(&body[start..end]);
        start = end;
    }
    let newlines: Vec<u32> = pieces
        .par_iter()
        .map(|p| p.bytes().filter(|&b| b == b'\n').count() as u32)
        .collect();
    let mut line = first_line;
    pieces
        .into_iter()
        .zip(newlines)
        .map(|(piece, count)| {
            let here = line;
            line += count;
            (piece, here)
        })
        .collect()
}

/// Lines without any quote: a field is exactly the text between `;`s.
fn read_plain(
    piece: &str,
    first_line: u32,
    width: usize,
    positions: &Positions,
    regions: &Regions,
    file: &str,
) -> Chunk {
    let mut chunk = Chunk::default();
    let mut fields: Vec<&str> = Vec::with_capacity(width);
    for (i, line) in piece.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.split(';').all(|f| f.trim().is_empty()) {
            continue;
        }
        let number = first_line + i as u32;
        fields.clear();
        fields.extend(line.split(';'));
        if fields.len() != width {
            chunk.reject_line(number, shape_error(fields.len(), width), file);
            continue;
        }
        chunk.take(number, &fields, positions, regions, file);
    }
    chunk
}

/// Text with quotes, read by the `csv` crate record by record.
fn read_quoted(
    body: &str,
    first_line: u32,
    width: usize,
    positions: &Positions,
    regions: &Regions,
    file: &str,
) -> Chunk {
    let mut chunk = Chunk::default();
    for (line, record) in csv_rows::records(body) {
        let number = first_line + line as u32 - 1;
        let record = match record.and_then(|r| csv_rows::check_shape(&r, width).map(|()| r)) {
            Ok(r) => r,
            Err(reason) => {
                chunk.reject_line(number, reason, file);
                continue;
            }
        };
        let fields: Vec<&str> = record.iter().collect();
        chunk.take(number, &fields, positions, regions, file);
    }
    chunk
}

fn record(
    fields: &[&str],
    positions: &Positions,
    regions: &Regions,
) -> Result<Record, (&'static str, String)> {
    let [indicator, region, year, gender, primary, absolute] =
        positions.0.map(|p| fields[p].trim());
    let indicator: u32 = indicator.parse().map_err(|_| {
        (
            "indicator",
            format!(
                "'{}' is not a Sotkanet indicator id (a whole number)",
                excerpt(indicator)
            ),
        )
    })?;
    let region_id: u64 = region.parse().map_err(|_| {
        (
            "region",
            format!("'{}' is not a Sotkanet region id", excerpt(region)),
        )
    })?;
    if regions.area_key(region_id).is_none() {
        return Err(("region", regions.unknown(region_id)));
    }
    let period = match year.parse::<Period>() {
        Ok(p @ Period::Year(_)) => p,
        _ => return Err(("year", format!("'{}' is not a year", excerpt(year)))),
    };
    let sex = gender.parse().map_err(|e: String| ("gender", e))?;
    let number = |column: &'static str, text: &str| -> Result<Option<f64>, (&str, String)> {
        match text {
            "" => Ok(None),
            text => parse_number(text).map(Some).map_err(|e| (column, e)),
        }
    };
    Ok(Record {
        indicator,
        region: region_id,
        period,
        sex,
        value: number("primary value", primary)?,
        count: number("absolute value", absolute)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::sotkanet_regions;

    fn regions() -> Regions {
        sotkanet_regions::parse(
            br#"[{"id":202,"code":"444","category":"KUNTA"},{"id":658,"code":"358","category":"MAA"}]"#,
            "regions.json",
        )
        .unwrap()
    }

    const HEADER: &str = "indicator;region;year;gender;primary value;absolute value\r\n";

    #[test]
    fn reads_values_and_keeps_empty_as_null() {
        let text = format!("{HEADER}127;202;2009;total;46963;\r\n191;658;2020;female;;12\r\n");
        let parsed = parse(text.as_bytes(), "s.csv", &regions()).unwrap();
        assert!(parsed.rejections.is_empty(), "{:?}", parsed.rejections);
        assert_eq!(parsed.read, 2);
        let first = &parsed.rows[0];
        assert_eq!(
            (first.indicator.as_str(), first.area.as_str()),
            ("sotkanet:127", "kunta.444")
        );
        assert_eq!((first.value, first.count), (Some(46963.0), None));
        assert_eq!(first.source, "s.csv:2");
        assert_eq!(
            (parsed.rows[1].value, parsed.rows[1].count),
            (None, Some(12.0))
        );
    }

    #[test]
    fn bad_rows_are_rejected_with_line_and_field() {
        let text = format!(
            "{HEADER}127;999;2009;total;1;\n127;202;20x9;total;1;\n127;202;2009;both;1;\n127;202;2009;total;1.2.3;\n127;202;2009\n"
        );
        let parsed = parse(text.as_bytes(), "s.csv", &regions()).unwrap();
        let got: Vec<String> = parsed.rejections.iter().map(|r| r.to_string()).collect();
        assert_eq!(parsed.rows.len(), 0);
        assert!(
            got[0].starts_with("s.csv:2: field 'region': region id 999 is not in regions.json"),
            "{got:?}"
        );
        assert!(got[1].starts_with("s.csv:3: field 'year'"), "{got:?}");
        assert!(got[2].starts_with("s.csv:4: field 'gender'"), "{got:?}");
        assert!(
            got[3].starts_with("s.csv:5: field 'primary value': '1.2.3' is not a number"),
            "{got:?}"
        );
        assert!(
            got[4].contains("s.csv:6: field 'line': expected 6 fields")
                && got[4].contains("truncated"),
            "{got:?}"
        );
    }

    #[test]
    fn wrong_separator_is_a_file_error() {
        let text =
            "indicator,region,year,gender,primary value,absolute value\n127,202,2009,total,1,\n";
        let err = parse(text.as_bytes(), "s.csv", &regions()).unwrap_err();
        assert_eq!(err.location, "s.csv:1");
        assert!(err.reason.contains("looks separated by ','"), "{err}");
    }

    #[test]
    fn chunks_give_the_same_rows_and_rejections_as_one_pass() {
        // Larger than one piece, with quotes in one copy so that it takes
        // the record-by-record path: both must agree.
        let mut plain = String::from(HEADER);
        for i in 0..60_000 {
            let region = if i % 997 == 0 { 999 } else { 202 };
            plain.push_str(&format!(
                "{};{region};{};total;{}.5;\r\n",
                i / 20,
                2000 + i % 20,
                i % 90
            ));
        }
        let quoted = plain.replacen("\r\n1;202;", "\r\n\"1\";202;", 1);
        assert_ne!(quoted, plain);
        let a = parse(plain.as_bytes(), "s.csv", &regions()).unwrap();
        let b = parse(quoted.as_bytes(), "s.csv", &regions()).unwrap();
        assert_eq!(a.read, 60_000);
        assert_eq!(a.rows, b.rows);
        assert_eq!(a.rejections, b.rejections);
        assert_eq!(a.rejections.len(), 61);
        assert_eq!(a.rejections[1].location, "s.csv:999");
    }

    #[test]
    fn bom_and_mixed_line_ends() {
        let text = format!("\u{feff}{HEADER}127;202;2009;total;1;\n127;658;2009;total;2;\r\n");
        let parsed = parse(text.as_bytes(), "s.csv", &regions()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert!(parsed.rejections.is_empty());
    }
}
