//! hyte: a batch pipeline for municipal children's and families' wellbeing
//! indicators (HYTE work), built for Lohja first.
//!
//! [`run`] reads as the pipeline: config → catalog → ingest (into one
//! columnar table, [`table`]) → validate → privacy → trends → compare →
//! shift → tables and reports, streamed into a staging folder that is
//! published at once. Each stage is a module with a small surface; data flows forward
//! only. `src/main.rs` only parses the command line (see [`cli`]).

pub mod catalog;
pub mod cli;
pub mod columns;
pub mod compare;
pub mod config;
pub mod domain;
pub mod i18n;
pub mod ingest;
pub mod observation;
pub mod output;
pub mod period;
pub mod privacy;
pub mod progress;
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
use output::OutputLock;
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
    #[error(transparent)]
    WriteTable(#[from] report::tables::TableError),
}

/// The rows of the areas of interest (the configured areas) with their
/// texts: what the shift stage and the reports read. Every other area stays
/// in the table, the trends and the comparisons.
fn areas_of_interest(
    table: &table::ObservationTable,
    config: &Config,
) -> Vec<observation::Observation> {
    let configured = table.areas.per_code(|key| config.area(key).is_some());
    table.rows_where(|row| configured[table.columns.area[row] as usize])
}

/// Every table, streamed into the staging folder in CSV, Parquet and Arrow.
fn write_tables(
    staging: &mut output::Staging,
    config: &Config,
    table: &table::ObservationTable,
    privacy: &privacy::Protected,
    trends: &trends::Trends,
    comparisons: &[compare::GroupComparison],
    shift: &shift::Shift,
) -> Result<(), RunError> {
    // Sources are written relative to the config's folder: the tables do
    // not carry this machine's folder names, and they are shorter.
    let file_names: Vec<String> = table
        .files
        .texts()
        .iter()
        .map(|name| {
            std::path::Path::new(name)
                .strip_prefix(&config.base_dir)
                .map_or_else(|_| name.clone(), |p| p.display().to_string())
        })
        .collect();
    let batches = (0..table.len()).step_by(OUTPUT_BATCH_ROWS).map(|start| {
        let rows = start..(start + OUTPUT_BATCH_ROWS).min(table.len());
        privacy::with_status(
            table.frame_with_files(rows.clone(), &file_names)?,
            &privacy.status[rows],
        )
    });
    let empty = privacy::with_status(table.frame(0..0)?, &[])?;
    report::tables::write_batches(staging, "observations", config.csv_style, &empty, batches)?;
    // The trends table has a row per series: a national run has millions.
    let series_batches = trends
        .series
        .chunks(OUTPUT_BATCH_ROWS / 4)
        .map(trends::series_frame);
    let empty = trends::series_frame(&[])?;
    report::tables::write_batches(staging, "trends", config.csv_style, &empty, series_batches)?;
    let small_tables = [
        ("dimensions", trends::dimensions_frame(trends)?),
        ("comparisons", compare::comparisons_frame(comparisons)?),
        ("shift", shift::shift_frame(shift)?),
        ("shift_summary", shift::summary_frame(shift)?),
    ];
    for (name, frame) in small_tables {
        report::tables::write_batches(
            staging,
            name,
            config.csv_style,
            &frame.clear(),
            std::iter::once(Ok(frame)),
        )?;
    }
    Ok(())
}

/// Wall time of each pipeline stage, in order: written to `manifest.json`
/// (`stage_seconds`) so that users and the benchmark see where time goes.
/// The same stages drive the progress spinner on a terminal.
#[derive(Debug, Clone)]
pub struct StageTimes {
    pub stages: Vec<(&'static str, std::time::Duration)>,
    running: &'static str,
    started: Instant,
    progress: progress::Progress,
}

impl StageTimes {
    pub fn new(progress: progress::Progress) -> StageTimes {
        StageTimes {
            stages: Vec::new(),
            running: "",
            started: Instant::now(),
            progress,
        }
    }

    /// Ends the running stage (if any) and starts `stage`.
    pub fn stage(&mut self, stage: &'static str) {
        self.end();
        self.running = stage;
        self.started = Instant::now();
        self.progress.stage(stage);
    }

    /// Ends the running stage.
    pub fn end(&mut self) {
        if !self.running.is_empty() {
            self.stages.push((self.running, self.started.elapsed()));
            self.running = "";
        }
    }
}

/// Rows of the observation table per output batch: small enough that a
/// batch's text columns stay some tens of megabytes, large enough that the
/// Parquet row groups compress well.
const OUTPUT_BATCH_ROWS: usize = 500_000;

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
    pub times: StageTimes,
}

/// config → catalog → ingest → validate → privacy, writing nothing
/// (`hyte validate`, and the first half of [`run`]).
pub fn check(config: &Config) -> Result<Checked, RunError> {
    let mut times = StageTimes::new(progress::Progress::new(config.progress));
    times.stage("catalog");
    let catalog = catalog::load(&config.catalog_dir)?;
    times.stage("ingest");
    let mut ingested = ingest::ingest(&config.inputs, &catalog.age_groups());
    let files = std::mem::take(&mut ingested.files);
    times.stage("validate");
    let mut validated = validate::validate(ingested, &catalog, config);
    times.stage("privacy");
    let (derived, privacy) = privacy::protect(&mut validated.table, &catalog, config);
    times.end();
    Ok(Checked {
        times,
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
        mut times,
    } = check(config)?;
    if validated.table.is_empty() {
        let failed: Vec<String> = files.iter().filter_map(|f| f.error.clone()).collect();
        return Err(RunError::NoData(if failed.is_empty() {
            "every row was rejected or the inputs are empty; see the messages above".into()
        } else {
            failed.join("; ")
        }));
    }

    times.stage("trends");
    let mut trends = trends::compute(&validated.table, &catalog, &config.areas, &config.trends)?;
    times.stage("compare");
    let comparisons = compare::compute(&validated.table, &mut trends, config);
    times.stage("shift");
    let report_rows = areas_of_interest(&validated.table, config);
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
        comparisons: &comparisons,
        shift: &shift,
        privacy: &privacy,
        files: &files,
    };
    // Every output streams into the staging folder; nothing is visible
    // until all of it is written.
    times.stage("tables");
    let mut staging = lock.staging()?;
    write_tables(
        &mut staging,
        config,
        &validated.table,
        &privacy,
        &trends,
        &comparisons,
        &shift,
    )?;
    times.stage("reports");
    staging.write("report.md", report::markdown::render(&input).as_bytes())?;
    for file in report::html::render(&input) {
        staging.write(&file.path, &file.bytes)?;
    }
    times.end();
    let clock = report::manifest::RunClock {
        started_at,
        duration: timer.elapsed(),
        threads: rayon::current_num_threads(),
        stages: times.stages.clone(),
    };
    let manifest = report::manifest::render(&input, staging.written(), &clock);
    staging.write(&manifest.path, &manifest.bytes)?;
    let written = staging.publish()?;

    Ok(RunSummary {
        observations: validated.table.len(),
        written: written.into_iter().map(|o| o.path).collect(),
        files,
        validated,
        privacy,
    })
}
