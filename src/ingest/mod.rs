//! Ingest: every input file becomes rows of the observation table.
//!
//! In: the inputs declared in the config. Out: [`Ingested`]: observations
//! (indicator = the *source key*, e.g. `sotkanet:191`, resolved to catalog
//! ids by the validate stage), population rows (denominators) and one
//! [`FileReport`] per input with its sha256, rows read and every rejection.
//! Guarantees: a bad row is rejected with its file, line or JSON path, field
//! and reason, and the rest of the file is still read; a file that cannot be
//! read at all is reported as a whole; nothing becomes zero; a UTF-8 BOM and
//! LF, CRLF or mixed line ends are accepted. One file per format lives here.

pub mod csv_rows;
pub mod jsonstat;
pub mod observations_file;
pub mod population_csv;
pub mod services_csv;
pub mod sotkanet_csv;
pub mod sotkanet_json;
pub mod sotkanet_regions;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::config::{Input, InputKind};
use crate::observation::Observation;

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
            self.location, self.field, self.reason
        )
    }
}

/// A file that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {reason}")]
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
        self.rejections.push(Rejection {
            location,
            field: field.to_string(),
            reason: reason.into(),
        });
    }
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
    /// Other files this input needed (the Sotkanet regions dump), with sha256.
    pub companions: Vec<(String, String)>,
}

/// Everything the ingest stage produced.
#[derive(Debug, Default)]
pub struct Ingested {
    pub observations: Vec<Observation>,
    pub population: Vec<PopulationRow>,
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

/// Reads every input; problems are recorded, never fatal here.
pub fn ingest(inputs: &[Input]) -> Ingested {
    let mut out = Ingested::default();
    for input in inputs {
        let path = input.path.display().to_string();
        let mut report = FileReport {
            path: path.clone(),
            kind: input.kind.name(),
            sha256: None,
            bytes: None,
            rows_read: 0,
            rows_accepted: 0,
            rejections: Vec::new(),
            error: None,
            companions: Vec::new(),
        };
        match read_input(input, &mut report) {
            Ok(Rows::Observations(parsed)) => {
                report.rows_read = parsed.read;
                report.rows_accepted = parsed.rows.len();
                report.rejections = parsed.rejections;
                out.observations.extend(parsed.rows);
            }
            Ok(Rows::Population(parsed)) => {
                report.rows_read = parsed.read;
                report.rows_accepted = parsed.rows.len();
                report.rejections = parsed.rejections;
                out.population.extend(parsed.rows);
            }
            Err(e) => report.error = Some(e.to_string()),
        }
        out.files.push(report);
    }
    out
}

enum Rows {
    Observations(Parsed<Observation>),
    Population(Parsed<PopulationRow>),
}

fn read_input(input: &Input, report: &mut FileReport) -> Result<Rows, FileError> {
    let path = report.path.clone();
    let bytes = read_file(&input.path, &input.declared_at)?;
    report.sha256 = Some(sha256_hex(&bytes));
    report.bytes = Some(bytes.len() as u64);
    Ok(match input.kind {
        InputKind::SotkanetCsv | InputKind::SotkanetJson => {
            // Config validation guarantees a regions file for Sotkanet inputs.
            let regions_path = input.regions.as_deref().unwrap_or(Path::new(""));
            let regions_bytes = read_file(regions_path, &input.declared_at)?;
            report.companions.push((
                regions_path.display().to_string(),
                sha256_hex(&regions_bytes),
            ));
            let regions =
                sotkanet_regions::parse(&regions_bytes, &regions_path.display().to_string())?;
            if input.kind == InputKind::SotkanetCsv {
                Rows::Observations(sotkanet_csv::parse(&bytes, &path, &regions)?)
            } else {
                Rows::Observations(sotkanet_json::parse(&bytes, &path, &regions)?)
            }
        }
        InputKind::Jsonstat => Rows::Observations(jsonstat::parse(&bytes, &path, input)?),
        InputKind::ServicesCsv => Rows::Observations(services_csv::parse(&bytes, &path)?),
        InputKind::PopulationCsv => Rows::Population(population_csv::parse(&bytes, &path)?),
        InputKind::ObservationsParquet => {
            Rows::Observations(observations_file::parse_parquet(bytes, &path)?)
        }
        InputKind::ObservationsArrow => {
            Rows::Observations(observations_file::parse_arrow(bytes, &path)?)
        }
    })
}

fn read_file(path: &Path, declared_at: &str) -> Result<Vec<u8>, FileError> {
    std::fs::read(path).map_err(|e| {
        FileError::new(
            path.display().to_string(),
            format!(
                "cannot read the file ({e}); fix the path of the input declared at {declared_at}"
            ),
        )
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Finds duplicate cells inside one file: the later row is rejected and
/// names the earlier one.
pub fn reject_duplicates(parsed: &mut Parsed<Observation>) {
    let mut first_seen: HashMap<
        (
            String,
            String,
            crate::period::Period,
            crate::observation::Sex,
            String,
        ),
        String,
    > = HashMap::new();
    let mut kept = Vec::with_capacity(parsed.rows.len());
    for row in std::mem::take(&mut parsed.rows) {
        let key = (
            row.indicator.clone(),
            row.area.clone(),
            row.period,
            row.sex,
            row.group.clone(),
        );
        match first_seen.get(&key) {
            Some(first) => parsed.rejections.push(Rejection {
                location: row.source.clone(),
                field: "row".into(),
                reason: format!(
                    "duplicate of {first} (same indicator, area, period, sex and group): remove one of them"
                ),
            }),
            None => {
                first_seen.insert(key, row.source.clone());
                kept.push(row);
            }
        }
    }
    parsed.rows = kept;
}
