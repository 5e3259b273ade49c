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
use std::io::Read;

use sha2::{Digest, Sha256};

use rayon::prelude::*;

use super::csv_rows::{self, header_columns, shape_error};
use super::sotkanet_regions::Regions;
use super::{Appended, FileError, Parsed, Rejection};
use crate::catalog::sotkanet_key;
use crate::observation::{Observation, Sex, ALL_GROUPS};
use crate::period::Period;
use crate::table::{Columns, RowNumbers, SourceRef, TableBuilder};
use crate::text::{excerpt, parse_number, utf8_from_line, NOT_UTF8};

const COLUMNS: [&str; 6] = [
    "indicator",
    "region",
    "year",
    "gender",
    "primary value",
    "absolute value",
];

/// Column positions from the header.
struct Positions([usize; 6]);

/// One data record, before its ids are coded.
struct Record {
    indicator: u32,
    region: u32,
    period: Period,
    sex: Sex,
    value: Option<f64>,
    count: Option<f64>,
}

/// Bytes read per block: the national download (some hundreds of
/// megabytes, a couple of gigabytes for every indicator) is never in
/// memory whole.
const BLOCK_BYTES: usize = 64 << 20;

/// Reads the file into the table. The file is read in blocks cut at line
/// ends; the lines of a block are parsed in parallel pieces straight into
/// coded columns and the pieces joined in file order, so the result does
/// not depend on the number of threads or the block size. The sha256 is
/// taken on the way. A block with a `"` anywhere (Sotkanet never quotes,
/// but a file saved by Excel may) is read by the `csv` crate instead, one
/// record at a time, since a quoted field may hold a `;`.
pub fn read(
    reader: impl Read,
    file: &str,
    regions: &Regions,
    table: &mut TableBuilder,
) -> Result<Appended, FileError> {
    read_blocks(reader, BLOCK_BYTES, file, regions, table)
}

/// [`read`] with a given block size (small in tests, so that lines and the
/// header fall across block ends).
fn read_blocks(
    mut reader: impl Read,
    block_bytes: usize,
    file: &str,
    regions: &Regions,
    table: &mut TableBuilder,
) -> Result<Appended, FileError> {
    let mut out = Appended::default();
    let mut hasher = Sha256::new();
    let mut coder = Coder::new(file, table);
    let mut header: Option<(Positions, usize)> = None;
    // The line number of the first line in `pending`.
    let mut line = 1u32;
    let mut pending: Vec<u8> = Vec::new();
    let mut first = true;
    loop {
        let start = pending.len();
        let read = fill_block(&mut reader, &mut pending, block_bytes, file)?;
        out.bytes += read as u64;
        let end_of_file = read < block_bytes;
        // Complete lines only; the rest waits for the next block.
        let Some(cut) = complete_lines(&pending, end_of_file) else {
            hasher.update(&pending[start..]);
            continue;
        };
        let mut block: &[u8] = &pending[..cut];
        if first {
            block = block.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(block);
            first = false;
        }
        let body: &[u8] = if header.is_some() {
            block
        } else {
            after_header(block, file, end_of_file, &mut header, &mut line)?
        };
        if let Some((positions, width)) = &header {
            let pieces = split_lines(body, line);
            // The block's hash is taken while its pieces are parsed.
            let (_, chunks) = rayon::join(
                || hasher.update(&pending[start..]),
                || {
                    pieces
                        .par_iter()
                        .map(|piece| read_piece(piece, *width, positions, regions, file))
                        .collect::<Result<Vec<Chunk>, FileError>>()
                },
            );
            for chunk in chunks? {
                out.read += chunk.read;
                out.rejections.extend(chunk.rejections);
                out.accepted += chunk.columns.len();
                coder.append(chunk.columns, regions, table);
            }
            line += pieces.iter().map(|p| p.newlines).sum::<u32>();
        } else {
            hasher.update(&pending[start..]);
        }
        pending.drain(..cut);
        if end_of_file {
            break;
        }
    }
    out.sha256 = format!("{:x}", hasher.finalize());
    Ok(out)
}

/// Reads up to `block_bytes` more bytes onto the end of `pending` (fewer
/// only at the end of the file) and returns how many it read.
fn fill_block(
    reader: &mut impl Read,
    pending: &mut Vec<u8>,
    block_bytes: usize,
    file: &str,
) -> Result<usize, FileError> {
    let start = pending.len();
    pending.resize(start + block_bytes, 0);
    let mut filled = start;
    while filled < pending.len() {
        match reader.read(&mut pending[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(FileError::new(
                    file,
                    format!("cannot read the file ({e}); check the path and the disk"),
                ))
            }
        }
    }
    pending.truncate(filled);
    Ok(filled - start)
}

/// Where the complete lines of `pending` end: at its end when the file
/// has ended, else after its last line end; `None` when it has none yet.
fn complete_lines(pending: &[u8], end_of_file: bool) -> Option<usize> {
    if end_of_file {
        return Some(pending.len());
    }
    pending.iter().rposition(|&b| b == b'\n').map(|i| i + 1)
}

/// Looks for the header in a block read before it was found. Found: stores
/// its positions and width in `header`, moves `line` past it and gives the
/// rest of the block. Not yet: moves `line` past the block's (blank) lines
/// and gives nothing. `Err` when the file ends without a header.
fn after_header<'b>(
    block: &'b [u8],
    file: &str,
    end_of_file: bool,
    header: &mut Option<(Positions, usize)>,
    line: &mut u32,
) -> Result<&'b [u8], FileError> {
    let text = utf8(block, file, *line)?;
    match find_header(text, file, *line)? {
        Some((positions, width, header_line, rest)) => {
            *header = Some((positions, width));
            *line = header_line + 1;
            Ok(rest.as_bytes())
        }
        None if end_of_file => Err(FileError::new(
            file,
            format!(
                "the file is empty: expected a header `{}`",
                COLUMNS.join(";")
            ),
        )),
        None => {
            *line += memchr::memchr_iter(b'\n', block).count() as u32;
            Ok(b"")
        }
    }
}

/// Finds the header (the first line that is not blank) in the first text
/// read: its column positions, the number of fields, its line and the text
/// after it. `None` when the text has no complete non-blank line yet.
fn find_header<'t>(
    text: &'t str,
    file: &str,
    first_line: u32,
) -> Result<Option<(Positions, usize, u32, &'t str)>, FileError> {
    let mut at = 0;
    let mut line = first_line;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let header_text = &text[at..end];
        let rest = &text[(end + 1).min(text.len())..];
        if !header_text.trim().is_empty() {
            let header = csv_rows::records(header_text)
                .into_iter()
                .next()
                .and_then(|(_, r)| r.ok())
                .unwrap_or_default();
            let (columns, width) = header_columns(&header, file, line as usize, &COLUMNS, &[])?;
            let positions = Positions(COLUMNS.map(|name| {
                columns
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or(0, |(_, p)| *p)
            }));
            return Ok(Some((positions, width, line, rest)));
        }
        at = end + 1;
        line += 1;
    }
    Ok(None)
}

/// Turns a piece's raw ids into the table's codes: each distinct Sotkanet
/// id and region id is coded once (consecutive rows mostly share the
/// indicator; region ids are small numbers, looked up in a plain vector).
struct Coder {
    file: u32,
    group: u32,
    last_indicator: Option<(u32, u32)>,
    indicators: HashMap<u32, u32>,
    areas: Vec<u32>,
}

impl Coder {
    const UNSET: u32 = u32::MAX;

    fn new(file: &str, table: &mut TableBuilder) -> Coder {
        Coder {
            file: table.files.intern(file),
            group: table.groups.intern(ALL_GROUPS),
            last_indicator: None,
            indicators: HashMap::new(),
            areas: Vec::new(),
        }
    }

    fn append(&mut self, mut columns: Columns, regions: &Regions, table: &mut TableBuilder) {
        for id in columns.indicator.iter_mut() {
            let code = match self.last_indicator {
                Some((last, code)) if last == *id => code,
                _ => {
                    let code = *self
                        .indicators
                        .entry(*id)
                        .or_insert_with(|| table.indicators.intern(&sotkanet_key(*id)));
                    self.last_indicator = Some((*id, code));
                    code
                }
            };
            *id = code;
        }
        for id in columns.area.iter_mut() {
            let slot = *id as usize;
            if slot >= self.areas.len() {
                self.areas.resize(slot + 1, Self::UNSET);
            }
            if self.areas[slot] == Self::UNSET {
                // Present: the piece kept only rows whose region is known.
                self.areas[slot] = table
                    .areas
                    .intern(regions.area_key(u64::from(*id)).unwrap_or_default());
            }
            *id = self.areas[slot];
        }
        columns.group.iter_mut().for_each(|g| *g = self.group);
        columns.source.iter_mut().for_each(|s| s.file = self.file);
        table.append(columns);
    }
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

/// The rows of one piece of the file, with raw Sotkanet indicator and
/// region ids in the code columns (see [`Coder`]).
#[derive(Default)]
struct Chunk {
    columns: Columns,
    read: usize,
    rejections: Vec<Rejection>,
    /// The region id of the last accepted row.
    last_region: Option<u64>,
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
        match record(fields, positions, regions, &mut self.last_region) {
            Ok(r) => self.columns.push(
                r.indicator,
                r.region,
                r.period,
                r.sex,
                0,
                RowNumbers {
                    value: r.value,
                    count: r.count,
                    ..RowNumbers::default()
                },
                SourceRef { file: 0, line },
            ),
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

/// A piece of a block: whole lines, with the number of the first.
struct Piece<'b> {
    bytes: &'b [u8],
    line: u32,
    newlines: u32,
}

/// Splits bytes at line ends into pieces of about a megabyte or more (a
/// few per thread), each with the number of its first line.
fn split_lines(body: &[u8], first_line: u32) -> Vec<Piece<'_>> {
    let target = (body.len() / (rayon::current_num_threads() * 4)).max(1 << 20);
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let end = if start + target >= body.len() {
            body.len()
        } else {
            memchr::memchr(b'\n', &body[start + target..])
                .map_or(body.len(), |i| start + target + i + 1)
        };
        pieces.push(&body[start..end]);
        start = end;
    }
    let newlines: Vec<u32> = pieces
        .par_iter()
        .map(|p| memchr::memchr_iter(b'\n', p).count() as u32)
        .collect();
    let mut line = first_line;
    pieces
        .into_iter()
        .zip(newlines)
        .map(|(bytes, newlines)| {
            let piece = Piece {
                bytes,
                line,
                newlines,
            };
            line += newlines;
            piece
        })
        .collect()
}

/// Checks that bytes are UTF-8; the error names the line.
fn utf8<'b>(bytes: &'b [u8], file: &str, first_line: u32) -> Result<&'b str, FileError> {
    utf8_from_line(bytes, first_line as usize)
        .map_err(|at| FileError::new(format!("{file}:{at}"), NOT_UTF8))
}

/// Reads one piece: plain lines split at `;`, or, when the piece has a
/// quote, record by record with the `csv` crate.
fn read_piece(
    piece: &Piece,
    width: usize,
    positions: &Positions,
    regions: &Regions,
    file: &str,
) -> Result<Chunk, FileError> {
    let text = utf8(piece.bytes, file, piece.line)?;
    Ok(if memchr::memchr(b'"', piece.bytes).is_some() {
        read_quoted(text, piece.line, width, positions, regions, file)
    } else {
        read_plain(text, piece.line, width, positions, regions, file)
    })
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
    let mut fields: Vec<&str> = Vec::with_capacity(width + 1);
    let bytes = piece.as_bytes();
    let mut start = 0;
    let mut number = first_line;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let mut line = &piece[start..end];
        line = line.strip_suffix('\r').unwrap_or(line);
        fields.clear();
        let mut from = 0;
        for at in memchr::memchr_iter(b';', line.as_bytes()) {
            fields.push(&line[from..at]);
            from = at + 1;
        }
        fields.push(&line[from..]);
        // A blank line (or one of blank fields) is skipped, not wrong.
        let blank = fields.iter().all(|f| f.trim().is_empty());
        if !blank && fields.len() != width {
            chunk.reject_line(number, shape_error(fields.len(), width), file);
        } else if let Err(reason) = csv_rows::check_field_lengths(fields.iter().copied()) {
            chunk.reject_line(number, reason, file);
        } else if !blank {
            chunk.take(number, &fields, positions, regions, file);
        }
        start = end + 1;
        number += 1;
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

/// A year written as four digits, the common case, without the general
/// period parser (which gives the same answer, and the error otherwise).
fn year_of(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    if bytes.len() != 4 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let year = bytes.iter().fold(0i32, |y, b| y * 10 + i32::from(b - b'0'));
    (1900..=2200).contains(&year).then_some(year)
}

/// A field without surrounding white space. Sotkanet's fields have none:
/// the full (Unicode) trim runs only when an end is not plain ASCII.
fn tidy(field: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    let bytes = field.as_bytes();
    if plain(bytes.first()) && plain(bytes.last()) {
        field
    } else {
        field.trim()
    }
}

fn record(
    fields: &[&str],
    positions: &Positions,
    regions: &Regions,
    last_region: &mut Option<u64>,
) -> Result<Record, (&'static str, String)> {
    let [indicator, region, year, gender, primary, absolute] = positions.0.map(|p| tidy(fields[p]));
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
    // The download is sorted by region within an indicator: a region is
    // looked up once per run of its rows.
    let known = *last_region == Some(region_id) || regions.area_key(region_id).is_some();
    let region = u32::try_from(region_id)
        .ok()
        .filter(|_| known)
        .ok_or_else(|| ("region", regions.unknown(region_id)))?;
    *last_region = Some(region_id);
    let period = match year_of(year)
        .map(Period::Year)
        .or_else(|| year.parse::<Period>().ok())
    {
        Some(p @ Period::Year(_)) => p,
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
        region,
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
    fn block_size_changes_nothing() {
        let mut text = format!("\u{feff}\r\n{HEADER}");
        for i in 0..500 {
            let region = if i % 97 == 0 { 999 } else { 202 };
            let value = if i % 13 == 0 {
                String::new()
            } else {
                format!("{}.25", i % 70)
            };
            text.push_str(&format!(
                "{};{region};{};male;{value};\r\n",
                i / 25,
                2000 + i % 25
            ));
            if i % 50 == 0 {
                text.push_str("\r\n");
            }
        }
        text.push_str("1;202;2001;total;1.5;");
        let read_with = |block: usize| {
            let mut builder = TableBuilder::default();
            let appended =
                read_blocks(text.as_bytes(), block, "s.csv", &regions(), &mut builder).unwrap();
            let table = builder.finish();
            let rows: Vec<Observation> = (0..table.len()).map(|i| table.row(i)).collect();
            (
                rows,
                appended.rejections,
                appended.read,
                appended.sha256,
                appended.bytes,
            )
        };
        let whole = read_with(BLOCK_BYTES);
        assert_eq!(whole.2, 501);
        assert_eq!(
            whole.1[0].location, "s.csv:3",
            "header on line 2, first row on 3"
        );
        assert_eq!(whole.4, text.len() as u64);
        assert_eq!(whole.3, crate::ingest::sha256_hex(text.as_bytes()));
        for block in [7, 64, 1000] {
            assert_eq!(read_with(block), whole, "block of {block} bytes");
        }
    }

    #[test]
    fn bom_and_mixed_line_ends() {
        let text = format!("\u{feff}{HEADER}127;202;2009;total;1;\n127;658;2009;total;2;\r\n");
        let parsed = parse(text.as_bytes(), "s.csv", &regions()).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert!(parsed.rejections.is_empty());
    }
}
