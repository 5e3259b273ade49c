//! The command line: clap options in, a validated [`Config`] and an exit
//! code out.
//!
//! Precedence is flag > `HYTE_*` environment variable > `hyte.toml` >
//! built-in default. Every message goes to stderr prefixed with `hyte: `;
//! the exit codes are those of [`crate::exit`].

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::catalog::{self, Dimension};
use crate::config::{self, Config, ConfigError, Overrides};
use crate::exit;
use crate::i18n::Language;
use crate::ingest::FileReport;
use crate::period::Period;
use crate::validate::Validated;
use crate::{RunError, RunSummary};

/// hyte: children's and young people's wellbeing indicators for a
/// municipality, by child-rights dimension, with trends and the shift from
/// specialist to basic services.
#[derive(Debug, Parser)]
#[command(name = "hyte", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Messages on stderr: text (`hyte: …` lines) or json (one object per
    /// line, for log collectors)
    #[arg(
        long,
        global = true,
        env = "HYTE_LOG_FORMAT",
        value_enum,
        default_value_t
    )]
    pub log_format: crate::log::LogFormat,
    /// Only warnings and errors on stderr (the summary lines go)
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also each stage's wall time on stderr
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the pipeline and write the output folder (with no options: the
    /// bundled samples into out/).
    Run(RunArgs),
    /// Read and check the config, the catalog and every input; write nothing.
    Validate(ValidateArgs),
    /// Download the inputs that have a `url` (Sotkanet, THL cubes, PxWeb)
    /// through the cache into their files.
    Fetch(FetchArgs),
    /// List the indicator catalog by dimension.
    Catalog(CatalogArgs),
    /// The wellbeing plan's four-yearly update: with --draft, write a
    /// starting point for the next plan (plan-draft.toml)
    Plan(PlanArgs),
}

#[derive(Debug, Args)]
pub struct ConfigArg {
    /// Config file [default: ./hyte.toml if present, else the built-in
    /// sample config]
    #[arg(long, env = "HYTE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Output folder [default: `output` in the config, else out]
    #[arg(long, env = "HYTE_OUT", value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Last period to include, e.g. 2025Q3 or 2024; later data is left out
    #[arg(long, env = "HYTE_PERIOD", value_name = "P", value_parser = parse_period)]
    pub period: Option<Period>,
    /// Report language [default: `language` in the config, else fi]
    #[arg(long, env = "HYTE_LANG", value_enum)]
    pub lang: Option<Language>,
    /// CSV style: standard (`,` and `.`) or excel-fi (`;`, decimal comma,
    /// UTF-8 with BOM) [default: `csv` in the config, else standard]
    #[arg(long, env = "HYTE_CSV", value_enum)]
    pub csv: Option<crate::config::CsvStyle>,
    /// Worker threads [default: one per core]
    #[arg(long, env = "HYTE_THREADS", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    pub threads: Option<u16>,
    /// Treat warnings (data the catalog does not know) as rejected input
    #[arg(long, env = "HYTE_DENY_WARNINGS", value_parser = clap::builder::BoolValueParser::new())]
    pub deny_warnings: bool,
    /// Print every unpublished cell and why (never its value) to stdout
    #[arg(long)]
    pub audit_privacy: bool,
    /// Download the inputs with a `url` first (as `hyte fetch`); when a
    /// download fails, run on the files already there and exit 5
    #[arg(long)]
    pub fetch: bool,
    /// Show the running stage on stderr: auto (only on a terminal, never
    /// under cron), always or never
    #[arg(long, env = "HYTE_PROGRESS", value_enum, default_value_t)]
    pub progress: crate::progress::ProgressMode,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Ask the servers even for files fetched within `[fetch]
    /// min_interval`
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Treat warnings (data the catalog does not know) as errors
    #[arg(long, env = "HYTE_DENY_WARNINGS", value_parser = clap::builder::BoolValueParser::new())]
    pub deny_warnings: bool,
    /// Print every unpublished cell and why (never its value) to stdout
    #[arg(long)]
    pub audit_privacy: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Write a draft of the next plan: per dimension the previous plan's
    /// targets with their final status, and the indicators that worsened
    /// or are the worst of the comparison areas, with their latest value
    /// as the baseline
    #[arg(long, required = true)]
    pub draft: bool,
    /// Where to write the draft [default: plan-draft.toml beside the config]
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace an existing draft file
    #[arg(long)]
    pub force: bool,
    /// Last period to include, e.g. 2025Q3 or 2024
    #[arg(long, env = "HYTE_PERIOD", value_name = "P", value_parser = parse_period)]
    pub period: Option<Period>,
    /// Language of the draft's comments and names [default: `language` in
    /// the config, else fi]
    #[arg(long, env = "HYTE_LANG", value_enum)]
    pub lang: Option<Language>,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Language of titles and dimension names
    #[arg(long, env = "HYTE_LANG", value_enum)]
    pub lang: Option<Language>,
}

fn parse_period(text: &str) -> Result<Period, String> {
    text.parse()
        .map_err(|e: crate::period::PeriodError| e.to_string())
}

/// An informational message (the summary lines; gone with --quiet).
fn say(message: impl std::fmt::Display) {
    crate::log::info(message)
}

/// A message about something wrong with the inputs or a download.
fn warn(message: impl std::fmt::Display) {
    crate::log::warn(message)
}

/// Why a command failed.
fn error(message: impl std::fmt::Display) {
    crate::log::error(message)
}

/// The most worker threads a run takes: more than any machine hyte runs
/// on has cores, few enough that spawning them is instant.
const MAX_THREADS: i64 = 512;

/// Loads the config the arguments point at.
fn load_config(arg: &ConfigArg, overrides: Overrides) -> Result<Config, ConfigError> {
    match &arg.config {
        Some(path) => config::load(path, overrides),
        None if Path::new("hyte.toml").exists() => config::load(Path::new("hyte.toml"), overrides),
        None => config::built_in(overrides),
    }
}

/// Runs a parsed command line and returns the exit code.
pub fn execute(cli: Cli) -> u8 {
    let verbosity = if cli.quiet {
        crate::log::Verbosity::Quiet
    } else if cli.verbose {
        crate::log::Verbosity::Verbose
    } else {
        crate::log::Verbosity::Normal
    };
    crate::log::init(cli.log_format, verbosity);
    match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => validate(args),
        Command::Fetch(args) => fetch(args),
        Command::Catalog(args) => list_catalog(args),
        Command::Plan(args) => plan_draft(args),
    }
}

fn plan_draft(args: PlanArgs) -> u8 {
    let overrides = Overrides {
        language: args.lang,
        as_of: args.period,
        ..Overrides::default()
    };
    let config = match load_config(&args.config, overrides) {
        Ok(c) => c,
        Err(e) => {
            error(e);
            return exit::USAGE;
        }
    };
    let path = args
        .output
        .unwrap_or_else(|| config.base_dir.join("plan-draft.toml"));
    match crate::plan_draft(&config, &path, args.force) {
        Ok(()) => {
            say(format!(
                "wrote the draft of the next plan to {}: edit it, then point `plan` in the config at it",
                path.display()
            ));
            exit::OK
        }
        Err(e) => fail(e),
    }
}

fn run(args: RunArgs) -> u8 {
    let overrides = Overrides {
        output_dir: args.out,
        language: args.lang,
        csv_style: args.csv,
        as_of: args.period,
        threads: args.threads.map(usize::from),
        deny_warnings: args.deny_warnings,
        progress: args.progress,
        fetch_first: args.fetch,
    };
    let config = match load_config(&args.config, overrides) {
        Ok(c) => c,
        Err(e) => {
            error(e);
            return exit::USAGE;
        }
    };
    if let Some(threads) = config.threads {
        // The one owner of parallelism: rayon's global pool. Fails only if
        // already built, which cannot happen in this process.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
        // The table writers run on polars' own pool: give it the same
        // number, unless the user set it. Nothing has started polars yet.
        if std::env::var_os("POLARS_MAX_THREADS").is_none() {
            std::env::set_var("POLARS_MAX_THREADS", threads.to_string());
        }
    }
    match crate::run(&config) {
        Ok(summary) => {
            report_problems(&summary.files, &summary.validated);
            if args.audit_privacy {
                print_audit(&summary.privacy);
            }
            say(format!(
                "wrote {} files to {} ({}, {} observations)",
                summary.written.len(),
                config.output_dir.join(crate::output::CURRENT).display(),
                summary.run_dir.display(),
                summary.observations
            ));
            let code = finish(&summary);
            if summary.fetch_failures > 0 {
                warn("a download failed (above): the outputs are made from the files downloaded before");
                exit::FETCH_FAILED
            } else {
                code
            }
        }
        Err(e) => fail(e),
    }
}

fn fetch(args: FetchArgs) -> u8 {
    let config = match load_config(&args.config, Overrides::default()) {
        Ok(c) => c,
        Err(e) => {
            error(e);
            return exit::USAGE;
        }
    };
    match crate::fetch::fetch(&config, args.force) {
        Ok(report) if report.failed() > 0 => exit::FETCH_FAILED,
        Ok(_) => exit::OK,
        Err(e) => fail(e.into()),
    }
}

fn finish(summary: &RunSummary) -> u8 {
    if summary.rejected() > 0 {
        warn(format!(
            "{} input rows or files were rejected: the outputs leave them out; details in manifest.json",
            summary.rejected()
        ));
        exit::REJECTED_INPUT
    } else {
        exit::OK
    }
}

fn fail(error: RunError) -> u8 {
    if let RunError::NoData(no_data) = &error {
        // The rejections first, as `validate` prints them: they are why.
        report_problems(&no_data.files, &no_data.validated);
        self::error(&error);
        if let Some(report) = &no_data.report {
            self::error(format!(
                "nothing was published ({} is unchanged); the reasons are in {}",
                crate::output::CURRENT,
                report.join("manifest.json").display()
            ));
        }
        return exit::FAILURE;
    }
    self::error(&error);
    match error {
        RunError::Catalog(_) | RunError::Plan(_) | RunError::DraftExists(_) => exit::USAGE,
        RunError::Output(crate::output::OutputError::Locked { .. })
        | RunError::Fetch(crate::fetch::FetchSetupError::CacheLocked { .. }) => exit::LOCKED,
        RunError::Fetch(crate::fetch::FetchSetupError::NothingToFetch) => exit::USAGE,
        _ => {
            self::error("nothing was written");
            exit::FAILURE
        }
    }
}

/// Prints rejections and warnings, at most a screenful; the manifest has all.
fn report_problems(files: &[FileReport], validated: &Validated) {
    const SHOWN: usize = 20;
    let mut lines: Vec<String> = Vec::new();
    for file in files {
        if let Some(error) = &file.error {
            lines.push(format!("error: {error}"));
        }
        lines.extend(file.rejections.iter().map(|r| format!("rejected: {r}")));
    }
    lines.extend(
        validated
            .rejections
            .iter()
            .map(|r| format!("rejected: {r}")),
    );
    for unknown in &validated.unknown_sources {
        lines.push(format!(
            "warning: {} rows of {} (first at {}) match no catalog indicator: add one with `source = …` to indicators/, or remove the data",
            unknown.rows, unknown.source_key, unknown.first_seen
        ));
    }
    lines.extend(
        validated
            .metadata_findings
            .iter()
            .map(|f| format!("warning: {f}")),
    );
    let total = lines.len();
    for line in lines.into_iter().take(SHOWN) {
        if line.starts_with("error:") {
            error(line);
        } else {
            warn(line);
        }
    }
    if total > SHOWN {
        warn(format!(
            "… and {} more (all of them in tables/rejections.csv)",
            total - SHOWN
        ));
    }
}

/// The privacy audit as tab-separated lines: indicator, area, period, sex,
/// group, status, reason. Values are never printed.
fn print_audit(privacy: &crate::privacy::Protected) {
    use crate::privacy::CellStatus;
    println!("indicator\tarea\tperiod\tsex\tgroup\tstatus\treason");
    for entry in &privacy.audit {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            entry.indicator,
            entry.area,
            entry.period,
            entry.sex,
            entry.group,
            entry.status,
            entry.reason
        );
    }
    say(format!(
        "privacy: observation table: {} cells not published at the source, {} suppressed as small, {} suppressed so that no unpublished cell can be derived; derived yearly and city-wide totals: {} without a value, {} suppressed",
        privacy.count(CellStatus::NotPublished),
        privacy.count(CellStatus::SuppressedSmall),
        privacy.count(CellStatus::SuppressedComplementary),
        privacy.derived_count(CellStatus::NotPublished),
        privacy.derived_count(CellStatus::SuppressedSmall) + privacy.derived_count(CellStatus::SuppressedComplementary)
    ));
    let s = &privacy.secondary;
    say(format!(
        "privacy: {} complements chosen by the {} method in {} blocks, cost {:.1}; protection level {} cases; {} blocks fell back to the greedy method",
        s.complements,
        <&str>::from(s.method),
        s.blocks,
        s.cost,
        s.protection,
        s.fallbacks.len()
    ));
    for fallback in &s.fallbacks {
        say(format!("privacy: {fallback}"));
    }
}

fn validate(args: ValidateArgs) -> u8 {
    let overrides = Overrides {
        deny_warnings: args.deny_warnings,
        ..Overrides::default()
    };
    let config = match load_config(&args.config, overrides) {
        Ok(c) => c,
        Err(e) => {
            error(e);
            return exit::USAGE;
        }
    };
    let mut times = crate::StageTimes::new(crate::progress::Progress::new(config.progress));
    match crate::check(&config, &mut times) {
        // No usable observation: the same exit code and messages as `run`.
        Ok(checked) if checked.validated.table.is_empty() => {
            fail(RunError::NoData(Box::new(crate::NoData {
                files: checked.files,
                validated: checked.validated,
                report: None,
            })))
        }
        Ok(crate::Checked {
            catalog,
            files,
            validated,
            privacy,
            ..
        }) => {
            report_problems(&files, &validated);
            if args.audit_privacy {
                print_audit(&privacy);
            }
            let read: usize = files.iter().map(|f| f.rows_read).sum();
            let rejected: usize = files
                .iter()
                .map(|f| f.rejections.len() + usize::from(f.error.is_some()))
                .sum::<usize>()
                + validated.rejections.len();
            say(format!(
                "{}: {} indicators, {} input files, {} rows read, {} observations usable, {} rejected, {} warnings",
                config.origin,
                catalog.indicators.len(),
                files.len(),
                read,
                validated.table.len(),
                rejected,
                validated.warnings()
            ));
            if rejected > 0 {
                exit::REJECTED_INPUT
            } else {
                exit::OK
            }
        }
        Err(e) => fail(e),
    }
}

fn list_catalog(args: CatalogArgs) -> u8 {
    let config = match load_config(
        &args.config,
        Overrides {
            language: args.lang,
            ..Overrides::default()
        },
    ) {
        Ok(c) => c,
        Err(e) => {
            error(e);
            return exit::USAGE;
        }
    };
    let catalog = match catalog::load(&config.catalog_dir) {
        Ok(c) => c,
        Err(e) => return fail(e.into()),
    };
    print!("{}", render_catalog(&catalog, config.language));
    exit::OK
}

/// The catalog as text, by dimension (what `hyte catalog` prints).
pub fn render_catalog(catalog: &catalog::Catalog, language: Language) -> String {
    let mut out = String::new();
    for (number, dimension) in Dimension::ALL.iter().enumerate() {
        let indicators: Vec<_> = catalog.in_dimension(*dimension).collect();
        out.push_str(&format!(
            "{}. {} ({}) — {} indicators\n",
            number + 1,
            dimension.name(language),
            dimension.key(),
            indicators.len()
        ));
        for indicator in indicators {
            let level = indicator
                .service_level
                .map(|l| format!(", {}", l.key()))
                .unwrap_or_default();
            out.push_str(&format!(
                "   {:<40} {} [{}, {}{}] ← {}\n",
                indicator.id,
                indicator.title.get(language),
                indicator.unit.key(),
                indicator.polarity.key(),
                level,
                indicator.source.key()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
