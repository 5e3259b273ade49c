//! Ingest: every input file becomes rows of the observation table.
//!
//! In: the inputs declared in the config. Out: [`Ingested`]: the
//! observation table ([`crate::table`]; indicator = the *source key*, e.g.
//! `sotkanet:191`, resolved to catalog ids by the validate stage; the large
//! Sotkanet CSV is read straight into its columns, the small formats as
//! rows that are coded as they are added), population rows (denominators) and one
//! [`FileReport`] per input with its sha256, rows read and every rejection.
//! Guarantees: a bad row is rejected with its file, line or JSON path, field
//! and reason, and the rest of the file is still read; a file that cannot be
//! read at all is reported as a whole; nothing becomes zero; a UTF-8 BOM and
//! LF, CRLF or mixed line ends are accepted. One file per format lives here.

pub mod child_friendly_csv;
pub mod csv_rows;
pub mod jsonstat;
pub mod observations_file;
pub mod population_csv;
pub mod pxweb_population;
pub mod services_csv;
pub mod sotkanet_csv;
pub mod sotkanet_json;
pub mod sotkanet_metadata;
pub mod sotkanet_regions;
pub mod thl_cube;
pub mod thl_cube_csv;
pub mod thl_dimensions;
pub mod thl_json;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::config::{Format, Input};
use crate::observation::{Observation, TextCellKey};
use crate::table::{ObservationTable, TableBuilder};

/// One rejected row or cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// `file:line` or `file#json.path`.
    pub location: String,
    pub field: String,
    pub reason: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: field '{}': {}",
            crate::text::printable(&self.location),
            crate::text::printable(&self.field),
            crate::text::printable(&self.reason)
        )
    }
}

/// A file that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{}: {}",
    crate::text::printable(location),
    crate::text::printable(reason)
)]
pub struct FileError {
    pub location: String,
    pub reason: String,
}

impl FileError {
    pub fn new(location: impl Into<String>, reason: impl Into<String>) -> Self {
        FileError {
            location: location.into(),
            reason: reason.into(),
        }
    }
}

/// Rows parsed from one file.
#[derive(Debug)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    /// Records looked at (data lines, JSON records or cells).
    pub read: usize,
    pub rejections: Vec<Rejection>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Parsed {
            rows: Vec::new(),
            read: 0,
            rejections: Vec::new(),
        }
    }
}

impl<T> Parsed<T> {
    pub fn reject(&mut self, location: String, field: &str, reason: impl Into<String>) {
        // Bounded here: a file of long bad fields must not fill memory
        // with copies of them.
        self.rejections.push(Rejection {
            location,
            field: field.to_string(),
            reason: crate::text::printable(&reason.into()),
        });
    }
}

/// What a reader that writes straight into the table's columns added.
#[derive(Debug, Default)]
pub struct Appended {
    /// Records looked at.
    pub read: usize,
    /// Rows added to the table.
    pub accepted: usize,
    pub rejections: Vec<Rejection>,
    /// Of the file's bytes as read, when the reader streams the file.
    pub sha256: String,
    pub bytes: u64,
}

/// A population count: the denominator for rates per 1 000.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    pub area: String,
    pub year: i32,
    pub age_group: String,
    pub population: f64,
    pub source: String,
}

/// What was read from one input.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    pub path: String,
    pub kind: &'static str,
    pub sha256: Option<String>,
    pub bytes: Option<u64>,
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rejections: Vec<Rejection>,
    /// Set when the file as a whole could not be used.
    pub error: Option<String>,
    /// Other files this input needed (the Sotkanet regions dump, a THL
    /// cube's dimension file), with sha256.
    pub companions: Vec<(String, String)>,
    /// What a reader wants the reader of the manifest to know about the
    /// file as a whole (a CSV cube without n, which regions dump vintage).
    pub notes: Vec<String>,
}

/// Everything the ingest stage produced.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Every observation of every input, sorted.
    pub table: ObservationTable,
    pub population: Vec<PopulationRow>,
    /// Sotkanet indicator metadata, by Sotkanet id.
    pub metadata: Vec<sotkanet_metadata::IndicatorMetadata>,
    pub files: Vec<FileReport>,
}

impl Ingested {
    pub fn rejected_rows(&self) -> usize {
        self.files.iter().map(|f| f.rejections.len()).sum()
    }

    pub fn failed_files(&self) -> usize {
        self.files.iter().filter(|f| f.error.is_some()).count()
    }
}

/// Reads every input; problems are recorded, never fatal here. `age_groups`
/// are the population groups the catalog names (`0-17`): a population
/// table in one-year ages is summed into them.
/// `max_bytes`: the largest input file read (`max_input_mb`).
pub fn ingest(inputs: &[Input], age_groups: &[String], max_bytes: u64) -> Ingested {
    let mut out = Ingested::default();
    let mut table = TableBuilder::default();
    for input in inputs {
        let path = input.path.display().to_string();
        let mut report = FileReport {
            path: path.clone(),
            kind: input.kind().name(),
            sha256: None,
            bytes: None,
            rows_read: 0,
            rows_accepted: 0,
            rejections: Vec::new(),
            error: None,
            companions: Vec::new(),
            notes: input
                .source
                .iter()
                .map(|source| {
                    format!(
                        "the input's source is {} (`hyte fetch`; the cache manifest cache.json has each download's time, validators and sha256)",
                        source.url
                    )
                })
                .collect(),
        };
        match read_input(input, age_groups, &mut report, &mut table, max_bytes) {
            Ok(Rows::Observations(parsed)) => {
                report.rows_read = parsed.read;
                report.rows_accepted = parsed.rows.len();
                report.rejections = parsed.rejections;
                parsed.rows.iter().for_each(|row| table.push(row));
            }
            Ok(Rows::Appended(appended)) => {
                report.rows_read = appended.read;
                report.rows_accepted = appended.accepted;
                report.rejections = appended.rejections;
            }
            Ok(Rows::Population(parsed)) => {
                report.rows_read = parsed.read;
                report.rows_accepted = parsed.rows.len();
                report.rejections = parsed.rejections;
                out.population.extend(parsed.rows);
            }
            Ok(Rows::Metadata(parsed)) => {
                report.rows_read = parsed.read;
                report.rows_accepted = parsed.rows.len();
                report.rejections = parsed.rejections;
                out.metadata.extend(parsed.rows);
            }
            Err(e) => report.error = Some(e.to_string()),
        }
        out.files.push(report);
    }
    out.table = table.finish();
    out
}

enum Rows {
    Observations(Parsed<Observation>),
    /// Read straight into the table's columns.
    Appended(Appended),
    Population(Parsed<PopulationRow>),
    Metadata(Parsed<sotkanet_metadata::IndicatorMetadata>),
}

fn read_input(
    input: &Input,
    age_groups: &[String],
    report: &mut FileReport,
    table: &mut TableBuilder,
    max_bytes: u64,
) -> Result<Rows, FileError> {
    let path = report.path.clone();
    if let Format::SotkanetCsv { regions } = &input.format {
        // Streamed: the national download is read block by block.
        let regions = read_regions(regions, input, report, max_bytes)?;
        let file = open_input(&input.path, &input.declared_at, max_bytes)?;
        let appended = sotkanet_csv::read(file, &path, &regions, table)?;
        report.sha256 = Some(appended.sha256.clone());
        report.bytes = Some(appended.bytes);
        return Ok(Rows::Appended(appended));
    }
    let bytes = match input.format {
        // Binary formats: their bytes are no text to check the encoding of.
        Format::ObservationsParquet | Format::ObservationsArrow => {
            read_binary(&input.path, &input.declared_at, max_bytes)?
        }
        _ => read_file(&input.path, &input.declared_at, max_bytes)?,
    };
    report.sha256 = Some(sha256_hex(&bytes));
    report.bytes = Some(bytes.len() as u64);
    Ok(match &input.format {
        // (A Sotkanet CSV was streamed above.)
        Format::SotkanetCsv { regions } | Format::SotkanetJson { regions } => {
            let regions = read_regions(regions, input, report, max_bytes)?;
            Rows::Observations(sotkanet_json::parse(&bytes, &path, &regions)?)
        }
        Format::SotkanetMetadata => Rows::Metadata(sotkanet_metadata::parse(&bytes, &path)?),
        Format::ThlCube {
            cube,
            dimension_file,
        } => {
            let tree = match dimension_file {
                Some(tree_path) => {
                    let (name, tree_bytes) = read_companion(tree_path, input, report, max_bytes)?;
                    Some(thl_dimensions::parse(&tree_bytes, &name)?)
                }
                None => None,
            };
            let (parsed, shape) = thl_cube::parse(&bytes, &path, cube, tree.as_ref())?;
            if shape == thl_cube::Shape::Csv {
                report.notes.push(thl_cube::CSV_HAS_NO_N.to_string());
            }
            Rows::Observations(parsed)
        }
        Format::Jsonstat(cube) => Rows::Observations(jsonstat::parse(&bytes, &path, cube)?),
        Format::ServicesCsv => Rows::Observations(services_csv::parse(&bytes, &path)?),
        Format::PopulationCsv => Rows::Population(population_csv::parse(&bytes, &path)?),
        Format::PxwebPopulation(pxweb) => {
            Rows::Population(pxweb_population::parse(&bytes, &path, pxweb, age_groups)?)
        }
        Format::ObservationsParquet => {
            Rows::Appended(observations_file::read_parquet(bytes, &path, table)?)
        }
        Format::ObservationsArrow => {
            Rows::Appended(observations_file::read_arrow(bytes, &path, table)?)
        }
    })
}

/// Default of `max_input_mb`: a national Sotkanet download is about
/// 1.7 GB; anything far beyond is not a file hyte should read whole.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 8 << 30;

/// Opens an input for reading after checking what it is: a regular file
/// (a named pipe would block forever, a device such as /dev/zero never
/// ends), at most `max_bytes` long, and not in an encoding a UTF-8 reader
/// would misread (UTF-16, UTF-32).
pub fn open_input(
    path: &Path,
    declared_at: &str,
    max_bytes: u64,
) -> Result<std::fs::File, FileError> {
    let file = open_regular(path, declared_at, max_bytes)?;
    let mut start = [0u8; 512];
    let n = std::os::unix::fs::FileExt::read_at(&file, &mut start, 0)
        .map_err(|e| cannot_read(path, declared_at, e))?;
    if let Some(encoding) = crate::text::other_encoding(&start[..n]) {
        return Err(FileError::new(
            path.display().to_string(),
            format!("the file is {encoding}, not UTF-8: save it as UTF-8 (in Excel: Save As → CSV UTF-8)"),
        ));
    }
    Ok(file)
}

/// [`open_input`] without the encoding check (Parquet, Arrow: binary).
fn open_regular(
    path: &Path,
    declared_at: &str,
    max_bytes: u64,
) -> Result<std::fs::File, FileError> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let shown = path.display().to_string();
    // O_NONBLOCK: opening a named pipe must not wait for a writer.
    let file = std::fs::File::options()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(|e| cannot_read(path, declared_at, e))?;
    let meta = file
        .metadata()
        .map_err(|e| cannot_read(path, declared_at, e))?;
    let kind = meta.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a folder"
        } else if kind.is_fifo() {
            "a named pipe"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        };
        return Err(FileError::new(
            shown,
            format!("is {what}: hyte reads only regular files; save the data to a file and point the input declared at {declared_at} at it"),
        ));
    }
    if meta.len() > max_bytes {
        return Err(FileError::new(
            shown,
            format!(
                "is {} bytes, more than max_input_mb = {} allows: check that it is the right file, or raise max_input_mb in the config",
                meta.len(),
                max_bytes >> 20
            ),
        ));
    }
    Ok(file)
}

fn read_file(path: &Path, declared_at: &str, max_bytes: u64) -> Result<Vec<u8>, FileError> {
    let file = open_input(path, declared_at, max_bytes)?;
    read_to_cap(file, path, declared_at, max_bytes)
}

fn read_binary(path: &Path, declared_at: &str, max_bytes: u64) -> Result<Vec<u8>, FileError> {
    let file = open_regular(path, declared_at, max_bytes)?;
    read_to_cap(file, path, declared_at, max_bytes)
}

fn read_to_cap(
    file: std::fs::File,
    path: &Path,
    declared_at: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, FileError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    // `take`: a file that grows while it is read still stops at the cap.
    file.take(max_bytes)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(path, declared_at, e))?;
    Ok(bytes)
}

fn cannot_read(path: &Path, declared_at: &str, e: std::io::Error) -> FileError {
    FileError::new(
        path.display().to_string(),
        format!("cannot read the file ({e}); fix the path of the input declared at {declared_at}"),
    )
}

/// A file an input needs besides its own (the regions dump, a dimension
/// tree): read, and recorded in the report with its hash.
fn read_companion(
    path: &Path,
    input: &Input,
    report: &mut FileReport,
    max_bytes: u64,
) -> Result<(String, Vec<u8>), FileError> {
    let bytes = read_file(path, &input.declared_at, max_bytes)?;
    let name = path.display().to_string();
    report.companions.push((name.clone(), sha256_hex(&bytes)));
    Ok((name, bytes))
}

/// The Sotkanet `/regions` dump of a Sotkanet input, recorded as a
/// companion with its hash.
fn read_regions(
    path: &Path,
    input: &Input,
    report: &mut FileReport,
    max_bytes: u64,
) -> Result<sotkanet_regions::Regions, FileError> {
    let (name, bytes) = read_companion(path, input, report, max_bytes)?;
    let regions = sotkanet_regions::parse(&bytes, &name)?;
    report.notes.push(regions.describe());
    Ok(regions)
}

/// A file's sha256 as lowercase hex, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Finds duplicate cells inside one file: the later row is rejected and
/// names the earlier one.
pub fn reject_duplicates(parsed: &mut Parsed<Observation>) {
    use std::collections::hash_map::Entry;
    // First, borrowing the rows: which row repeats an earlier cell, and
    // where that cell was first seen.
    let mut first_seen: HashMap<TextCellKey, &str> = HashMap::new();
    let duplicate_of: Vec<Option<String>> = parsed
        .rows
        .iter()
        .map(|row| match first_seen.entry(row.key()) {
            Entry::Occupied(first) => Some(first.get().to_string()),
            Entry::Vacant(slot) => {
                slot.insert(&row.source);
                None
            }
        })
        .collect();
    let rows = std::mem::take(&mut parsed.rows);
    for (row, first) in rows.into_iter().zip(duplicate_of) {
        match first {
            Some(first) => parsed.rejections.push(Rejection {
                location: row.source,
                field: "row".into(),
                reason: format!(
                    "duplicate of {first} (same indicator, area, period, sex and group): remove one of them"
                ),
            }),
            None => parsed.rows.push(row),
        }
    }
}
