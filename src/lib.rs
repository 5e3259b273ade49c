//! hyte: a batch pipeline for municipal children's and families' wellbeing
//! indicators (HYTE work), built for Lohja first.
//!
//! [`run`] reads as the pipeline: config → catalog → ingest → validate →
//! privacy → trends → shift → report, then the output stage writes everything at
//! once. Each stage is a module with a small surface; data flows forward
//! only. `src/main.rs` only parses the command line (see [`cli`]).

pub mod catalog;
pub mod cli;
pub mod columns;
pub mod config;
pub mod i18n;
pub mod ingest;
pub mod observation;
pub mod output;
pub mod period;
pub mod privacy;
pub mod report;
pub mod shift;
pub mod stats;
pub mod table;
pub mod text;
pub mod trends;
pub mod validate;

use std::time::{Instant, SystemTime};

use config::Config;
use ingest::FileReport;
use output::{OutputFile, OutputLock};
use report::ReportInput;
use validate::Validated;

/// Exit codes, documented in the README.
pub mod exit {
    /// Success: every input row was accepted.
    pub const OK: u8 = 0;
    /// Failure: nothing was written (no usable data, output not writable).
    pub const FAILURE: u8 = 1;
    /// Bad usage, config or catalog: fix the command or the files.
    pub const USAGE: u8 = 2;
    /// Success, but some input rows or files were rejected (see manifest.json).
    pub const REJECTED_INPUT: u8 = 3;
    /// Another run holds the lock on the output folder.
    pub const LOCKED: u8 = 4;
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error("no observation could be used: {0}")]
    NoData(String),
    #[error("trends: {0}")]
    Trend(#[from] trends::DuplicatePeriod),
    #[error("building the tables failed: {0}")]
    Table(#[from] polars::error::PolarsError),
}

/// What a finished run did.
#[derive(Debug)]
pub struct RunSummary {
    pub observations: usize,
    pub files: Vec<FileReport>,
    pub validated: Validated,
    pub privacy: privacy::Protected,
    pub written: Vec<String>,
}

impl RunSummary {
    /// Rows rejected by ingest or validation, plus files that failed whole.
    pub fn rejected(&self) -> usize {
        self.files
            .iter()
            .map(|f| f.rejections.len() + usize::from(f.error.is_some()))
            .sum::<usize>()
            + self.validated.rejections.len()
    }
}

/// What the checking stages produced: the catalog, the ingest reports, the
/// validated observations (with unpublishable values already removed) and
/// the privacy account.
pub struct Checked {
    pub catalog: catalog::Catalog,
    pub files: Vec<FileReport>,
    pub validated: Validated,
    /// Yearly and city-wide totals of service counts, protected.
    pub derived: Vec<observation::Observation>,
    pub privacy: privacy::Protected,
}

/// config → catalog → ingest → validate → privacy, writing nothing
/// (`hyte validate`, and the first half of [`run`]).
pub fn check(config: &Config) -> Result<Checked, RunError> {
    let catalog = catalog::load(&config.catalog_dir)?;
    let mut ingested = ingest::ingest(&config.inputs, &catalog.age_groups());
    let files = std::mem::take(&mut ingested.files);
    let mut validated = validate::validate(ingested, &catalog, config);
    let (derived, privacy) = privacy::protect(&mut validated.table, &catalog, config);
    Ok(Checked {
        catalog,
        files,
        validated,
        derived,
        privacy,
    })
}

/// Runs the whole pipeline and writes the output folder.
pub fn run(config: &Config) -> Result<RunSummary, RunError> {
    let started_at = SystemTime::now();
    let timer = Instant::now();
    let lock = OutputLock::acquire(&config.output_dir)?;

    let Checked {
        catalog,
        files,
        validated,
        derived,
        privacy,
    } = check(config)?;
    if validated.table.is_empty() {
        let failed: Vec<String> = files.iter().filter_map(|f| f.error.clone()).collect();
        return Err(RunError::NoData(if failed.is_empty() {
            "every row was rejected or the inputs are empty; see the messages above".into()
        } else {
            failed.join("; ")
        }));
    }

    let trends = trends::compute(&validated.table, &catalog, &config.areas, &config.trends)?;
    // The areas of interest (the configured areas) as rows with their
    // texts: what the shift stage and the reports read. Every other area
    // stays in the table, the trends and the comparisons.
    let configured: Vec<bool> = validated
        .table
        .areas
        .texts()
        .iter()
        .map(|key| config.area(key).is_some())
        .collect();
    let report_rows = validated
        .table
        .rows_where(|row| configured[validated.table.columns.area[row] as usize]);
    let shift = shift::compute(
        &report_rows,
        &derived,
        &validated.population,
        &catalog,
        &config.areas,
        &trends,
        &config.trends,
    );

    let input = ReportInput {
        config,
        catalog: &catalog,
        validated: &validated,
        rows: &report_rows,
        trends: &trends,
        shift: &shift,
        privacy: &privacy,
        files: &files,
    };
    let tables = [
        (
            "observations",
            privacy::with_status(validated.table.to_frame()?, &privacy.status)?,
        ),
        ("trends", trends::trends_frame(&trends)?),
        ("dimensions", trends::dimensions_frame(&trends)?),
        ("shift", shift::shift_frame(&shift)?),
        ("shift_summary", shift::summary_frame(&shift)?),
    ];
    let mut outputs: Vec<OutputFile> = Vec::new();
    for (name, frame) in &tables {
        outputs.extend(report::tables::render(name, frame, config.csv_style)?);
    }
    outputs.push(OutputFile {
        path: "report.md".into(),
        bytes: report::markdown::render(&input).into_bytes(),
    });
    outputs.extend(report::html::render(&input));
    let clock = report::manifest::RunClock {
        started_at,
        duration: timer.elapsed(),
        threads: rayon::current_num_threads(),
    };
    let manifest = report::manifest::render(&input, &outputs, &clock);
    outputs.push(manifest);
    lock.publish(&outputs)?;

    Ok(RunSummary {
        observations: validated.table.len(),
        written: outputs.iter().map(|o| o.path.clone()).collect(),
        files,
        validated,
        privacy,
    })
}
