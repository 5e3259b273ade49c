//! hyte: a batch pipeline for municipal children's and families' wellbeing
//! indicators (HYTE work), built for Lohja first.
//!
//! [`run`] reads as the pipeline: config → catalog → ingest (into one
//! columnar table, [`table`]) → validate → totals → privacy → trends →
//! compare → shift → report model → exporters (tables, Markdown, HTML,
//! charts, manifest), streamed into a staging folder that is published at
//! once. Each stage is a module with a small surface; data flows forward
//! only. `src/main.rs` only parses the command line (see [`cli`]).

pub mod catalog;
pub mod child_friendly;
pub mod cli;
pub mod compare;
pub mod config;
pub mod domain;
pub mod export;
pub mod fetch;
pub mod i18n;
pub mod ingest;
pub mod log;
pub mod observation;
pub mod output;
pub mod period;
pub mod plan;
pub mod privacy;
pub mod progress;
pub mod report;
pub mod shift;
pub mod stats;
pub mod table;
pub mod text;
pub mod totals;
pub mod trends;
pub mod validate;

use std::time::{Instant, SystemTime};

use config::Config;
use export::Exporter;
use ingest::FileReport;
use output::OutputLock;
use report::ReportInput;
use validate::Validated;

/// Exit codes, documented in the README.
pub mod exit {
    /// Success: every input row was accepted.
    pub const OK: u8 = 0;
    /// Failure: nothing was published (no usable data: the reasons are in
    /// `failed/`; or the output folder is not writable).
    pub const FAILURE: u8 = 1;
    /// Bad usage, config or catalog: fix the command or the files.
    pub const USAGE: u8 = 2;
    /// Success, but some input rows or files were rejected (see manifest.json).
    pub const REJECTED_INPUT: u8 = 3;
    /// Another run holds the lock on the output folder (or the cache).
    pub const LOCKED: u8 = 4;
    /// A download failed: the input kept its previous file (`hyte fetch`;
    /// `hyte run --fetch` then runs on the previous files).
    pub const FETCH_FAILED: u8 = 5;
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error(transparent)]
    Fetch(#[from] fetch::FetchSetupError),
    #[error("no observation could be used: {}", no_data_reason(.0))]
    NoData(Box<NoData>),
    #[error("trends: {0}")]
    Trend(#[from] trends::DuplicatePeriod),
    #[error(transparent)]
    WriteTable(#[from] export::tables::TableError),
    #[error(transparent)]
    Export(#[from] export::ExportError),
    #[error("{0} exists: pass --force to replace it, or --output to write elsewhere")]
    DraftExists(String),
    #[error("{path}: cannot write the draft: {source}")]
    WriteDraft {
        path: String,
        source: std::io::Error,
    },
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
            let took = self.started.elapsed();
            log::stage(self.running, took.as_secs_f64());
            self.stages.push((self.running, took));
            self.running = "";
        }
    }
}

/// What a finished run did.
#[derive(Debug)]
pub struct RunSummary {
    pub observations: usize,
    pub files: Vec<FileReport>,
    pub validated: Validated,
    pub privacy: privacy::Protected,
    pub written: Vec<String>,
    /// Inputs whose download failed under `run --fetch` (they kept their
    /// previous files, which this run read).
    pub fetch_failures: usize,
    /// The published run folder (`<out>/runs/<id>`, what `current` names).
    pub run_dir: std::path::PathBuf,
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
    /// The wellbeing plan, validated against the catalog and the areas.
    pub plan: Option<plan::Plan>,
    /// The Child Friendly Municipality self-assessments, when configured.
    pub child_friendly: Option<child_friendly::Assessments>,
}

/// config → catalog → ingest → validate → privacy, writing nothing
/// (`hyte validate`, and the first half of [`run`]).
pub fn check(config: &Config, times: &mut StageTimes) -> Result<Checked, RunError> {
    times.stage("catalog");
    let catalog = catalog::load(&config.catalog_dir)?;
    let plan = match &config.plan_file {
        Some(path) => Some(plan::load(path, &catalog, &config.areas)?),
        None => None,
    };
    let child_friendly = match &config.child_friendly_file {
        Some(path) => Some(plan::load_assessments(path)?),
        None => None,
    };
    times.stage("ingest");
    // No fetch rewrites the inputs while they are read.
    let inputs_lock = fetch::InputsLock::shared(config)?;
    let mut ingested = ingest::ingest(
        &config.inputs,
        &catalog.age_groups(),
        config.max_input_bytes,
    );
    drop(inputs_lock);
    let files = std::mem::take(&mut ingested.files);
    times.stage("validate");
    let mut validated = validate::validate(ingested, &catalog, config);
    times.stage("totals");
    let totals = totals::derive(&validated.table, &catalog, &config.areas);
    times.stage("privacy");
    let (derived, privacy) = privacy::protect(&mut validated.table, totals, &catalog, config);
    times.end();
    Ok(Checked {
        catalog,
        plan,
        child_friendly,
        files,
        validated,
        derived,
        privacy,
    })
}

/// What a run that found no usable observation read: the CLI prints its
/// rejections, as `validate` does.
#[derive(Debug)]
pub struct NoData {
    pub files: Vec<FileReport>,
    pub validated: Validated,
    /// `<out>/failed`, where the run left its manifest and rejections
    /// (`None` for `validate` and the plan draft, which write nothing).
    pub report: Option<std::path::PathBuf>,
}

fn no_data_reason(no_data: &NoData) -> String {
    let failed = no_data.files.iter().filter(|f| f.error.is_some()).count();
    let rows: usize = no_data.files.iter().map(|f| f.rows_read).sum();
    if rows == 0 && failed == 0 {
        "the inputs have no data rows; check that the files are the right ones".into()
    } else if rows == 0 {
        format!(
            "{failed} of {} input files could not be read (above)",
            no_data.files.len()
        )
    } else {
        format!("every one of the {rows} rows read was rejected (the first reasons are above)")
    }
}

/// Why a run had no observation to work on.
fn no_data(checked: Checked) -> RunError {
    RunError::NoData(Box::new(NoData {
        files: checked.files,
        validated: checked.validated,
        report: None,
    }))
}

/// Writes an exporter's files into the staging folder.
fn write(staging: &mut output::Staging, files: Vec<export::OutputFile>) -> Result<(), RunError> {
    for file in files {
        staging.write(&file.path, &file.bytes)?;
    }
    Ok(())
}

/// Runs the whole pipeline and writes the output folder with every report
/// format: Markdown, HTML, the chart files and, with a plan, `plan.md` and
/// `plan.html`.
pub fn run(config: &Config) -> Result<RunSummary, RunError> {
    let charts = export::charts::Charts::default();
    run_with(
        config,
        &[
            &export::markdown::Markdown,
            &export::html::Html,
            &charts,
            &export::plan_markdown::PlanMarkdown,
            &export::plan_html::PlanHtml,
        ],
    )
}

/// What the analysing stages computed from the checked data: the inputs
/// of the report model.
pub struct Analysis {
    pub trends: trends::Trends,
    pub comparisons: Vec<compare::GroupComparison>,
    /// The protected rows of the areas of interest.
    pub rows: Vec<observation::Observation>,
    pub shift: shift::Shift,
    /// Every target and milestone of the plan, assessed.
    pub followed: Option<Vec<plan::PlanRow>>,
    pub assessments: Option<Vec<child_friendly::Item>>,
}

impl Analysis {
    /// The report model's input.
    pub fn input<'a>(&'a self, config: &'a Config, checked: &'a Checked) -> ReportInput<'a> {
        ReportInput {
            config,
            catalog: &checked.catalog,
            validated: &checked.validated,
            rows: &self.rows,
            trends: &self.trends,
            comparisons: &self.comparisons,
            shift: &self.shift,
            privacy: &checked.privacy,
            files: &checked.files,
            plan: checked.plan.as_ref().zip(self.followed.as_deref()),
            child_friendly: self.assessments.as_deref(),
            plan_files: checked
                .plan
                .iter()
                .map(|p| &p.fingerprint)
                .chain(checked.child_friendly.iter().map(|a| &a.fingerprint))
                .collect(),
        }
    }
}

/// trends → compare → shift → plan, on the checked data.
pub fn analyse(
    config: &Config,
    checked: &Checked,
    times: &mut StageTimes,
) -> Result<Analysis, RunError> {
    let Checked {
        catalog,
        validated,
        derived,
        plan,
        child_friendly,
        ..
    } = checked;
    times.stage("trends");
    let mut trends = trends::compute(&validated.table, catalog, &config.areas, &config.trends)?;
    times.stage("compare");
    let comparisons = compare::compute(&validated.table, &mut trends, config);
    times.stage("shift");
    let rows = areas_of_interest(&validated.table, config);
    let shift = shift::compute(
        &rows,
        derived,
        &validated.population,
        catalog,
        &config.areas,
        &trends,
        &config.trends,
    );
    times.stage("plan");
    let followed = plan.as_ref().map(|p| {
        let data = plan::PlanData {
            rows: &rows,
            derived,
            shift: &shift,
        };
        plan::follow(p, &data, catalog, plan::Rules::new(&config.trends))
    });
    let assessments = child_friendly
        .as_ref()
        .map(|a| child_friendly::items(&a.levels));
    Ok(Analysis {
        trends,
        comparisons,
        rows,
        shift,
        followed,
        assessments,
    })
}

/// check → analyse, failing when no observation is left: what a run and
/// the plan draft both start with.
fn check_and_analyse(config: &Config) -> Result<(Checked, Analysis, StageTimes), RunError> {
    let mut times = StageTimes::new(progress::Progress::new(config.progress));
    let checked = check(config, &mut times)?;
    if checked.validated.table.is_empty() {
        return Err(no_data(checked));
    }
    let analysis = analyse(config, &checked, &mut times)?;
    Ok((checked, analysis, times))
}

/// Nothing to publish, but an unattended run must leave its reasons:
/// `failed/` gets the manifest and every rejection (`tables/rejections.*`);
/// `current` stays as it was. Returns the `failed/` folder.
fn publish_failure(
    lock: &OutputLock,
    config: &Config,
    no_data: &NoData,
    started_at: SystemTime,
) -> Result<std::path::PathBuf, RunError> {
    let mut staging = lock.staging()?;
    let frame =
        export::frames::rejections_frame(&no_data.files, &no_data.validated).map_err(|source| {
            export::tables::TableError::Polars {
                table: "rejections".into(),
                source,
            }
        })?;
    export::tables::write_batches(
        &mut staging,
        "rejections",
        config.csv_style,
        &frame.clear(),
        std::iter::once(Ok(frame)),
    )?;
    let outputs = staging.written().to_vec();
    let manifest = export::manifest::failure(
        config,
        &no_data.files,
        &no_data.validated,
        &format!("no observation could be used: {}", no_data_reason(no_data)),
        started_at,
        &outputs,
    )?;
    staging.write(&manifest.path, &manifest.bytes)?;
    Ok(staging.publish_failed()?)
}

/// Runs the whole pipeline with the given report exporters (the tables and
/// `manifest.json` are always written). Any exporter's failure fails the
/// run, and nothing is published.
pub fn run_with(config: &Config, reports: &[&dyn Exporter]) -> Result<RunSummary, RunError> {
    let started_at = SystemTime::now();
    let timer = Instant::now();
    let lock = OutputLock::acquire(&config.output_dir)?;
    // `run --fetch`: downloads under the output lock, so that a run that
    // cannot write leaves the inputs alone too.
    let fetch_failures = if config.fetch_first {
        fetch::fetch(config, false)?.failed()
    } else {
        0
    };

    let (checked, analysis, mut times) = match check_and_analyse(config) {
        Err(RunError::NoData(mut no_data)) => {
            no_data.report = Some(publish_failure(&lock, config, &no_data, started_at)?);
            return Err(RunError::NoData(no_data));
        }
        other => other?,
    };

    times.stage("report model");
    let input = analysis.input(config, &checked);
    let model = report::build(&input);

    // Every output streams into the staging folder; nothing is visible
    // until all of it is written.
    times.stage("tables");
    let mut staging = lock.staging()?;
    export::tables::write_all(&mut staging, &input)?;
    times.stage("reports");
    for exporter in reports {
        write(&mut staging, exporter.render(&model)?)?;
    }
    times.end();
    // The manifest comes last: it lists every other output with its hash.
    let clock = export::manifest::RunClock {
        started_at,
        duration: timer.elapsed(),
        threads: rayon::current_num_threads(),
        stages: times.stages.clone(),
    };
    let outputs = staging.written().to_vec();
    let manifest = export::manifest::ManifestExporter {
        input: &input,
        outputs: &outputs,
        clock: &clock,
    };
    write(&mut staging, manifest.render(&model)?)?;
    let published = staging.publish()?;

    let Checked {
        files,
        validated,
        privacy,
        ..
    } = checked;
    Ok(RunSummary {
        observations: validated.table.len(),
        written: published.written.into_iter().map(|o| o.path).collect(),
        fetch_failures,
        run_dir: published.run_dir,
        files,
        validated,
        privacy,
    })
}

/// `hyte plan --draft`: checks and analyses like a run, then writes the
/// next plan's starting point to `path` (never over an existing file
/// unless `overwrite`). Writes no output folder.
pub fn plan_draft(
    config: &Config,
    path: &std::path::Path,
    overwrite: bool,
) -> Result<(), RunError> {
    if path.exists() && !overwrite {
        return Err(RunError::DraftExists(path.display().to_string()));
    }
    let (checked, analysis, mut times) = check_and_analyse(config)?;
    times.stage("draft");
    let input = analysis.input(config, &checked);
    let draft = report::draft::build(&input);
    let text = export::plan_draft::render(&draft, config, &checked.catalog);
    times.end();
    // Written beside and renamed into place: a failed write never leaves
    // half a draft.
    let partial = path.with_extension("toml.partial");
    std::fs::write(&partial, text)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|source| RunError::WriteDraft {
            path: path.display().to_string(),
            source,
        })
}
