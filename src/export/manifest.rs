//! `manifest.json`: what a run read, what it rejected and what it wrote.
//!
//! In: the ingest reports, the validation result, the catalog (with the
//! fingerprints taken when it was read), the config, the privacy account,
//! the other output files and the run's timing. Out: pretty-printed JSON.
//! Guarantees: every input with its sha256, rows read, accepted and
//! rejected, and every rejection with location, field and reason; the
//! privacy counts (never values); every output file with its sha256. This
//! is the one output that records time.

use serde::Serialize;

use super::{ExportError, Exporter, OutputFile};
use crate::ingest::{FileReport, Rejection};
use crate::output::Written;
use crate::report::model::ReportModel;
use crate::report::ReportInput;
use crate::validate::Validated;

#[derive(Serialize)]
struct Manifest<'a> {
    hyte_version: &'static str,
    config: &'a str,
    started_at: String,
    duration_seconds: f64,
    threads: usize,
    language: &'static str,
    as_of: Option<String>,
    catalog: CatalogEntry,
    /// The plan file and the self-assessment file, when configured.
    plan: Vec<FileHash>,
    inputs: Vec<InputEntry<'a>>,
    validation: ValidationEntry<'a>,
    observations: usize,
    privacy: PrivacyEntry,
    outputs: Vec<OutputEntry<'a>>,
    /// Wall time of each stage, in pipeline order (the outputs' own
    /// writing is the run's duration minus their sum).
    stage_seconds: Vec<StageEntry>,
}

#[derive(Serialize)]
struct PrivacyEntry {
    min_n: f64,
    min_count: f64,
    not_published: usize,
    suppressed_small: usize,
    suppressed_complementary: usize,
    derived_totals_suppressed: usize,
    /// How the complements were chosen and what they cost
    /// (docs/PRIVACY.md).
    secondary: SecondaryEntry,
}

#[derive(Serialize)]
struct SecondaryEntry {
    method: &'static str,
    protection_cases: f64,
    blocks: usize,
    complements: usize,
    complement_cost: f64,
    complement_cases: f64,
    complement_respondents: f64,
    complement_euros: f64,
    blocks_not_proven_optimal: usize,
    blocks_fallen_back: Vec<String>,
    exact_cuts: usize,
    interval_cuts: usize,
    inconsistent_interval_programs: usize,
    exposed_by_the_source: usize,
}

#[derive(Serialize)]
struct CatalogEntry {
    indicators: usize,
    files: Vec<FileHash>,
}

#[derive(Serialize)]
struct FileHash {
    path: String,
    sha256: String,
}

#[derive(Serialize)]
struct InputEntry<'a> {
    path: &'a str,
    kind: &'static str,
    sha256: Option<&'a str>,
    bytes: Option<u64>,
    rows_read: usize,
    rows_accepted: usize,
    rows_rejected: usize,
    error: Option<&'a str>,
    companions: Vec<FileHash>,
    notes: &'a [String],
    rejections: Vec<RejectionEntry>,
}

#[derive(Serialize)]
struct RejectionEntry {
    location: String,
    field: String,
    reason: String,
}

#[derive(Serialize)]
struct ValidationEntry<'a> {
    rows_rejected: usize,
    rejections: Vec<RejectionEntry>,
    unknown_sources: Vec<UnknownEntry<'a>>,
    /// Catalog entries that disagree with Sotkanet's metadata, ended series.
    metadata_findings: Vec<FindingEntry<'a>>,
    rows_outside_configured_areas: usize,
    areas_outside_config: usize,
    rows_after_as_of: usize,
}

#[derive(Serialize)]
struct FindingEntry<'a> {
    indicator: &'a str,
    location: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct UnknownEntry<'a> {
    source_key: &'a str,
    rows: usize,
    first_seen: &'a str,
}

#[derive(Serialize)]
struct OutputEntry<'a> {
    path: &'a str,
    bytes: u64,
    sha256: &'a str,
}

#[derive(Serialize)]
struct StageEntry {
    stage: &'static str,
    seconds: f64,
}

/// Timing of a run, measured by the caller.
pub struct RunClock {
    pub started_at: std::time::SystemTime,
    pub duration: std::time::Duration,
    pub threads: usize,
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

/// Rejections listed per input in the manifest: the first few, so that a
/// file of two million bad rows does not make a manifest of hundreds of
/// megabytes. `rows_rejected` keeps the count; `tables/rejections.*` has
/// every one.
pub const MANIFEST_REJECTIONS: usize = 50;

fn rejections(list: &[Rejection]) -> Vec<RejectionEntry> {
    use crate::text::printable;
    list.iter()
        .take(MANIFEST_REJECTIONS)
        .map(|r| RejectionEntry {
            location: printable(&r.location),
            field: printable(&r.field),
            reason: printable(&r.reason),
        })
        .collect()
}

/// `manifest.json` of a run that stopped for lack of usable data: what it
/// read and rejected, so that an unattended run leaves its reasons behind
/// (in `failed/`, beside the untouched `current`).
#[derive(Serialize)]
struct FailureManifest<'a> {
    hyte_version: &'static str,
    config: &'a str,
    started_at: String,
    status: &'static str,
    error: String,
    inputs: Vec<InputEntry<'a>>,
    validation: ValidationEntry<'a>,
    outputs: Vec<OutputEntry<'a>>,
}

/// The failure manifest's bytes.
pub fn failure(
    config: &crate::config::Config,
    files: &[FileReport],
    validated: &Validated,
    error: &str,
    started_at: std::time::SystemTime,
    outputs: &[Written],
) -> Result<OutputFile, ExportError> {
    let manifest = FailureManifest {
        hyte_version: env!("CARGO_PKG_VERSION"),
        config: &config.origin,
        started_at: humantime::format_rfc3339_seconds(started_at).to_string(),
        status: "failed",
        error: crate::text::printable(error),
        inputs: files.iter().map(input_entry).collect(),
        validation: validation_entry(validated),
        outputs: outputs
            .iter()
            .map(|o| OutputEntry {
                path: &o.path,
                bytes: o.bytes,
                sha256: &o.sha256,
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| ExportError::Render {
        output: "manifest.json",
        cause: e.to_string(),
    })?;
    bytes.push(b'\n');
    Ok(OutputFile {
        path: "manifest.json".into(),
        bytes,
    })
}

/// `manifest.json` of a run: what the run read and did, and the files the
/// other exporters wrote (with their hashes), so it is rendered last.
pub struct ManifestExporter<'a> {
    pub input: &'a ReportInput<'a>,
    pub outputs: &'a [Written],
    pub clock: &'a RunClock,
}

impl Exporter for ManifestExporter<'_> {
    fn render(&self, _model: &ReportModel) -> Result<Vec<OutputFile>, ExportError> {
        let manifest = manifest(self.input, self.outputs, self.clock);
        let mut bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| ExportError::Render {
            output: "manifest.json",
            cause: e.to_string(),
        })?;
        bytes.push(b'\n');
        Ok(vec![OutputFile {
            path: "manifest.json".into(),
            bytes,
        }])
    }
}

fn manifest<'a>(input: &'a ReportInput, outputs: &'a [Written], clock: &RunClock) -> Manifest<'a> {
    let catalog_files = input
        .catalog
        .files
        .iter()
        .map(|(path, sha256)| FileHash {
            path: path.display().to_string(),
            sha256: sha256.clone(),
        })
        .collect();
    Manifest {
        hyte_version: env!("CARGO_PKG_VERSION"),
        config: &input.config.origin,
        started_at: humantime::format_rfc3339_seconds(clock.started_at).to_string(),
        duration_seconds: (clock.duration.as_secs_f64() * 1000.0).round() / 1000.0,
        threads: clock.threads,
        language: input.config.language.code(),
        as_of: input.config.as_of.map(|p| p.to_string()),
        catalog: CatalogEntry {
            indicators: input.catalog.indicators.len(),
            files: catalog_files,
        },
        plan: input
            .plan_files
            .iter()
            .map(|(path, sha256)| FileHash {
                path: path.clone(),
                sha256: sha256.clone(),
            })
            .collect(),
        inputs: input.files.iter().map(input_entry).collect(),
        validation: validation_entry(input.validated),
        observations: input.validated.table.len(),
        privacy: privacy_entry(input),
        outputs: outputs
            .iter()
            .map(|o| OutputEntry {
                path: &o.path,
                bytes: o.bytes,
                sha256: &o.sha256,
            })
            .collect(),
        stage_seconds: clock
            .stages
            .iter()
            .map(|(stage, time)| StageEntry {
                stage,
                seconds: (time.as_secs_f64() * 1000.0).round() / 1000.0,
            })
            .collect(),
    }
}

/// An input file's entry: its hash, counts, rejections and notes.
fn input_entry(f: &FileReport) -> InputEntry<'_> {
    InputEntry {
        path: &f.path,
        kind: f.kind,
        sha256: f.sha256.as_deref(),
        bytes: f.bytes,
        rows_read: f.rows_read,
        rows_accepted: f.rows_accepted,
        rows_rejected: f.rejections.len(),
        error: f.error.as_deref(),
        companions: f
            .companions
            .iter()
            .map(|(path, sha256)| FileHash {
                path: path.clone(),
                sha256: sha256.clone(),
            })
            .collect(),
        notes: &f.notes,
        rejections: rejections(&f.rejections),
    }
}

/// What the validation stage rejected, could not place or found.
fn validation_entry(validated: &Validated) -> ValidationEntry<'_> {
    ValidationEntry {
        rows_rejected: validated.rejections.len(),
        rejections: rejections(&validated.rejections),
        unknown_sources: validated
            .unknown_sources
            .iter()
            .map(|u| UnknownEntry {
                source_key: &u.source_key,
                rows: u.rows,
                first_seen: &u.first_seen,
            })
            .collect(),
        metadata_findings: validated
            .metadata_findings
            .iter()
            .map(|f| FindingEntry {
                indicator: &f.indicator,
                location: &f.location,
                message: &f.message,
            })
            .collect(),
        rows_outside_configured_areas: validated.outside_areas.values().sum(),
        areas_outside_config: validated.outside_areas.len(),
        rows_after_as_of: validated.after_as_of,
    }
}

/// The privacy thresholds and counts (never values).
fn privacy_entry(input: &ReportInput) -> PrivacyEntry {
    use crate::privacy::CellStatus;
    let p = input.privacy;
    PrivacyEntry {
        min_n: input.config.min_n,
        min_count: input.config.min_count,
        not_published: p.count(CellStatus::NotPublished),
        suppressed_small: p.count(CellStatus::SuppressedSmall),
        suppressed_complementary: p.count(CellStatus::SuppressedComplementary),
        derived_totals_suppressed: p.derived_count(CellStatus::SuppressedSmall)
            + p.derived_count(CellStatus::SuppressedComplementary),
        secondary: {
            let s = &p.secondary;
            SecondaryEntry {
                method: s.method.into(),
                protection_cases: s.protection,
                blocks: s.blocks,
                complements: s.complements,
                // Rounded so that float summation noise never shows.
                complement_cost: (s.cost * 10.0).round() / 10.0,
                complement_cases: (s.magnitude.cases * 10.0).round() / 10.0,
                complement_respondents: (s.magnitude.respondents * 10.0).round() / 10.0,
                complement_euros: (s.magnitude.euros * 10.0).round() / 10.0,
                blocks_not_proven_optimal: s.not_proven_optimal,
                blocks_fallen_back: s.fallbacks.clone(),
                exact_cuts: s.exact_cuts,
                interval_cuts: s.interval_cuts,
                inconsistent_interval_programs: s.inconsistent,
                exposed_by_the_source: s.source_exposed,
            }
        },
    }
}
