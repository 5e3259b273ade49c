//! Configuration: `hyte.toml` plus command-line flags and `HYTE_*` variables.
//!
//! In: the text of a config file (or the built-in sample config) and the
//! overrides the CLI collected. Out: one validated [`Config`] with absolute
//! or config-relative paths resolved. Guarantees: unknown keys, unknown
//! area kinds, dangling parents and duplicate area keys are errors that name
//! the file and line; precedence is flag > environment > file > default.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::i18n::{Language, Localized};
use crate::observation::Sex;
use crate::period::Period;
use crate::text::line_of;

/// The sample configuration, used when no `hyte.toml` is found.
pub const BUILT_IN: &str = include_str!("../hyte.toml");

/// Default minimum number of respondents behind a published percentage: a
/// percentage from fewer than 30 respondents swings by several points with
/// one answer, and small groups can be recognised (docs/PRIVACY.md).
pub const DEFAULT_MIN_N: f64 = 30.0;

/// Default minimum number of cases in a published count: 1 to 4 cases can
/// identify a family (THL publishes no municipal count below five).
pub const DEFAULT_MIN_COUNT: f64 = 5.0;

/// How the CSV tables are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum CsvStyle {
    /// `,` separator, decimal point, UTF-8 without BOM: for scripts, R,
    /// Python and BI tools.
    #[default]
    Standard,
    /// `;` separator, decimal comma, UTF-8 with BOM: opens correctly in
    /// Excel with Finnish or Swedish regional settings.
    ExcelFi,
}

pub use crate::domain::{Area, AreaKind};

/// Choices a coordinator may tune in `[trends]` of hyte.toml.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendSettings {
    /// Significance level of every test (default 0.05).
    pub alpha: f64,
    /// Length of the recent window in years (default 4): points with
    /// time ≥ latest − `recent_years` are in it.
    pub recent_years: f64,
    /// Points a slope needs before it may decide a direction (default 4,
    /// i.e. at least two degrees of freedom).
    pub min_points: usize,
}

impl Default for TrendSettings {
    fn default() -> Self {
        TrendSettings {
            alpha: 0.05,
            recent_years: 4.0,
            min_points: 4,
        }
    }
}

/// How secondary suppression chooses the cells it hides (`[privacy]
/// method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SuppressionMethod {
    /// The least-cost pattern by integer programming, checked by the
    /// attacker (docs/PRIVACY.md).
    #[default]
    Optimal,
    /// Hyte's earlier rule: the smallest other cell of each exposed line,
    /// checked by the same attacker. Kept for comparison and as the
    /// fallback of a block the solver cannot finish.
    Greedy,
}

/// `[privacy]` of hyte.toml: how secondary suppression works.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrivacySettings {
    pub method: SuppressionMethod,
    /// The narrowest range, in cases (respondents for a percentage), an
    /// attacker may place a cell hidden for its size in (default: the
    /// config's `min_count`); 0 checks exact disclosure only.
    pub protection: f64,
    /// The wall-clock limit per block before it falls back to the greedy
    /// method (default 10 s).
    pub time_limit: std::time::Duration,
}

impl PrivacySettings {
    pub const DEFAULT_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);
}

/// The formats hyte reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    SotkanetCsv,
    SotkanetJson,
    /// Sotkanet `/indicators/{id}` metadata: checks the catalog, cites the
    /// producer and the data date.
    SotkanetMetadata,
    /// A THL open data cube as served: fact_X.json / .js / .csv.
    ThlCube,
    /// Standard JSON-stat whose category keys are codes (hyte's local
    /// school-area format; PxWeb tables other than population).
    Jsonstat,
    ServicesCsv,
    PopulationCsv,
    /// Statistics Finland's StatFin 11re population as JSON-stat 2.
    PxwebPopulation,
    ObservationsParquet,
    ObservationsArrow,
}

impl InputKind {
    pub fn name(self) -> &'static str {
        match self {
            InputKind::SotkanetCsv => "sotkanet-csv",
            InputKind::SotkanetJson => "sotkanet-json",
            InputKind::SotkanetMetadata => "sotkanet-metadata",
            InputKind::ThlCube => "thl-cube",
            InputKind::Jsonstat => "jsonstat",
            InputKind::ServicesCsv => "services-csv",
            InputKind::PopulationCsv => "population-csv",
            InputKind::PxwebPopulation => "pxweb-population",
            InputKind::ObservationsParquet => "observations-parquet",
            InputKind::ObservationsArrow => "observations-arrow",
        }
    }
}

/// Which JSON-stat dimension plays which role. `None` means: guess from the
/// usual names (see `ingest::jsonstat`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionRoles {
    pub area: Option<String>,
    pub period: Option<String>,
    pub sex: Option<String>,
    pub group: Option<String>,
    pub measure: Option<String>,
}

/// Label (or code) -> value maps of a THL cube input, per role: how a cube
/// read without its dimension file, or with categories hyte does not
/// recognise, is turned into areas, sexes, groups and measures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelMaps {
    /// Label, code or derived key (`kunta.444`) -> area key.
    #[serde(default)]
    pub area: BTreeMap<String, String>,
    /// Label or code -> total, female, male or not_reported.
    #[serde(default)]
    pub sex: BTreeMap<String, Sex>,
    /// Label or code -> group (`8-9`).
    #[serde(default)]
    pub group: BTreeMap<String, String>,
    /// Label or code -> the catalog's measure code.
    #[serde(default)]
    pub measure: BTreeMap<String, String>,
}

/// One input file as the config declares it: where it is, where it was
/// declared, and what its format needs, typed per kind (a THL cube has its
/// cube options, a Sotkanet file its regions dump), so no reader has to
/// guess at a companion that config validation already required.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub path: PathBuf,
    /// Where the input is declared, for messages: `hyte.toml:31`.
    pub declared_at: String,
    pub format: Format,
    /// Where `hyte fetch` downloads it from (`url`, `query`); local
    /// inputs have none.
    pub source: Option<crate::fetch::InputSource>,
}

/// An input's format and what reading it takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    /// Sotkanet's CSV download, with the `/regions` dump that turns region
    /// ids into areas.
    SotkanetCsv {
        regions: PathBuf,
    },
    SotkanetJson {
        regions: PathBuf,
    },
    /// Sotkanet `/indicators/{id}` metadata: checks the catalog, cites the
    /// producer and the data date.
    SotkanetMetadata,
    /// A THL open data cube as served (fact_X.json / .js / .csv), with its
    /// `fact_X.dimensions.json` when given.
    ThlCube {
        cube: CubeInput,
        dimension_file: Option<PathBuf>,
    },
    /// Standard JSON-stat whose category keys are codes.
    Jsonstat(CubeInput),
    ServicesCsv,
    PopulationCsv,
    /// Statistics Finland's StatFin 11re population as JSON-stat 2.
    PxwebPopulation(Pxweb),
    ObservationsParquet,
    ObservationsArrow,
}

/// How a cube-shaped input (THL cube, JSON-stat) becomes observations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CubeInput {
    /// The cube's name in source keys (`cube:NAME:measure`).
    pub name: String,
    /// A fixed measure code, when the file has no measure dimension.
    pub measure: Option<String>,
    /// Category code -> area key.
    pub area_map: BTreeMap<String, String>,
    pub dimensions: DimensionRoles,
    /// Label maps per role (THL cubes; always empty for JSON-stat, which
    /// the config does not allow them for).
    pub labels: LabelMaps,
}

/// How a PxWeb population table's codes and dimensions are read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pxweb {
    /// Area code -> area key.
    pub area_map: BTreeMap<String, String>,
    pub dimensions: DimensionRoles,
}

impl Input {
    pub fn new(path: impl Into<PathBuf>, declared_at: impl Into<String>, format: Format) -> Self {
        Input {
            path: path.into(),
            declared_at: declared_at.into(),
            format,
            source: None,
        }
    }

    /// The kind, as the config names it.
    pub fn kind(&self) -> InputKind {
        match self.format {
            Format::SotkanetCsv { .. } => InputKind::SotkanetCsv,
            Format::SotkanetJson { .. } => InputKind::SotkanetJson,
            Format::SotkanetMetadata => InputKind::SotkanetMetadata,
            Format::ThlCube { .. } => InputKind::ThlCube,
            Format::Jsonstat(_) => InputKind::Jsonstat,
            Format::ServicesCsv => InputKind::ServicesCsv,
            Format::PopulationCsv => InputKind::PopulationCsv,
            Format::PxwebPopulation(_) => InputKind::PxwebPopulation,
            Format::ObservationsParquet => InputKind::ObservationsParquet,
            Format::ObservationsArrow => InputKind::ObservationsArrow,
        }
    }
}

/// The validated configuration of one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file, or `built-in` for the bundled defaults.
    pub origin: String,
    /// The folder relative paths in the config are relative to.
    pub base_dir: PathBuf,
    pub catalog_dir: PathBuf,
    /// The wellbeing plan (`plan = "plan.toml"`), when the city follows one.
    pub plan_file: Option<PathBuf>,
    /// The city's UNICEF Child Friendly Municipality self-assessments
    /// (`child_friendly = "…csv"`), shown in the plan follow-up.
    pub child_friendly_file: Option<PathBuf>,
    pub output_dir: PathBuf,
    pub language: Language,
    pub csv_style: CsvStyle,
    pub areas: Vec<Area>,
    pub inputs: Vec<Input>,
    pub min_n: f64,
    pub min_count: f64,
    pub trends: TrendSettings,
    /// `[privacy]`: the method and protection level of secondary
    /// suppression.
    pub privacy: PrivacySettings,
    /// Last period included in the analysis (`--period`); later rows are
    /// kept out of the analysis and counted in the manifest.
    pub as_of: Option<Period>,
    pub threads: Option<usize>,
    pub deny_warnings: bool,
    /// Peer groups of municipalities whose mean an area is compared with
    /// (`[[comparison_group]]`).
    pub comparison_groups: Vec<ComparisonGroup>,
    /// When to draw the stage spinner (command line and environment only).
    pub progress: crate::progress::ProgressMode,
    /// `[fetch]`: the download cache and how servers are asked.
    pub fetch: crate::fetch::FetchSettings,
    /// The largest input file read (`max_input_mb`, default 8192).
    pub max_input_bytes: u64,
    /// `run --fetch`: download the inputs with a `url` before reading them.
    pub fetch_first: bool,
}

/// A named group of municipalities (e.g. Statistics Finland's municipality
/// size class, or the municipalities of one wellbeing services county):
/// each area of interest is compared with the mean of its members (the
/// area itself left out).
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonGroup {
    pub name: String,
    /// Area keys (`kunta.444`); they need not be declared areas: data of
    /// every municipality is in the table.
    pub members: Vec<String>,
}

impl Config {
    pub fn area(&self, key: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.key == key)
    }
}

/// Values given on the command line or in the environment; they win over
/// the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub output_dir: Option<PathBuf>,
    pub language: Option<Language>,
    pub csv_style: Option<CsvStyle>,
    pub as_of: Option<Period>,
    pub threads: Option<usize>,
    pub deny_warnings: bool,
    pub progress: crate::progress::ProgressMode,
    /// `run --fetch`: download the inputs with a `url` first.
    pub fetch_first: bool,
}

/// A configuration problem, located.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read the config file: {source}; pass an existing file with --config")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    language: Option<Language>,
    csv: Option<CsvStyle>,
    output: Option<String>,
    catalog: Option<String>,
    plan: Option<String>,
    child_friendly: Option<Spanned<String>>,
    min_n: Option<Spanned<f64>>,
    min_count: Option<Spanned<f64>>,
    max_input_mb: Option<Spanned<u64>>,
    trends: Option<Spanned<RawTrends>>,
    privacy: Option<Spanned<RawPrivacy>>,
    #[serde(default, rename = "area")]
    areas: Vec<Spanned<RawArea>>,
    #[serde(default, rename = "input")]
    inputs: Vec<Spanned<RawInput>>,
    #[serde(default, rename = "comparison_group")]
    comparison_groups: Vec<Spanned<RawComparisonGroup>>,
    fetch: Option<Spanned<RawFetch>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFetch {
    cache: Option<String>,
    min_interval: Option<String>,
    timeout: Option<String>,
    retries: Option<u32>,
    max_mb: Option<u64>,
    first_year: Option<i32>,
    contact: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComparisonGroup {
    name: String,
    members: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrivacy {
    method: Option<SuppressionMethod>,
    protection: Option<f64>,
    time_limit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrends {
    alpha: Option<f64>,
    recent_years: Option<f64>,
    min_points: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    key: Spanned<String>,
    name: Localized,
    kind: AreaKind,
    parent: Option<Spanned<String>>,
    #[serde(default)]
    reference: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    kind: InputKind,
    path: String,
    regions: Option<Spanned<String>>,
    dimension_file: Option<Spanned<String>>,
    cube: Option<Spanned<String>>,
    measure: Option<Spanned<String>>,
    area_map: Option<Spanned<BTreeMap<String, String>>>,
    labels: Option<Spanned<LabelMaps>>,
    dimensions: Option<Spanned<DimensionRoles>>,
    url: Option<Spanned<String>>,
    query: Option<Spanned<String>>,
}

/// Loads the config file at `path`; relative paths inside it are relative
/// to the file's folder.
pub fn load(path: &Path, overrides: Overrides) -> Result<Config, ConfigError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        file: file.clone(),
        source,
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&text, &file, base, overrides)
}

/// The bundled sample configuration, relative to the current folder.
pub fn built_in(overrides: Overrides) -> Result<Config, ConfigError> {
    parse(BUILT_IN, "built-in hyte.toml", Path::new(""), overrides)
}

/// Where config text comes from: every message names the file and line.
struct At<'a> {
    text: &'a str,
    file: &'a str,
}

impl At<'_> {
    /// An invalid-config error at a byte offset of the text.
    fn invalid(&self, offset: usize, message: String) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_string(),
            line: line_of(self.text, offset),
            message,
        }
    }

    /// `hyte.toml:31`, for messages about an input.
    fn declared_at(&self, offset: usize) -> String {
        format!("{}:{}", self.file, line_of(self.text, offset))
    }
}

/// Parses and validates config text.
pub fn parse(
    text: &str,
    file: &str,
    base: &Path,
    overrides: Overrides,
) -> Result<Config, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let at = At { text, file };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        at.invalid(offset, e.message().trim().to_string())
    })?;
    let areas = areas(&raw, &at)?;
    let declared: BTreeSet<&str> = areas.iter().map(|a| a.key.as_str()).collect();
    let inputs = raw
        .inputs
        .iter()
        .map(|raw_input| input(raw_input, &declared, base, &at))
        .collect::<Result<Vec<Input>, ConfigError>>()?;
    if inputs.is_empty() {
        return Err(at.invalid(
            0,
            "no [[input]] is declared: add at least one input file".into(),
        ));
    }
    let threshold = |value: &Option<Spanned<f64>>, name: &str, default: f64| match value {
        Some(m) if !(m.get_ref().is_finite() && *m.get_ref() >= 0.0) => {
            Err(at.invalid(m.span().start, format!("{name} must be a number ≥ 0")))
        }
        Some(m) => Ok(*m.get_ref()),
        None => Ok(default),
    };
    let min_n = threshold(&raw.min_n, "min_n", DEFAULT_MIN_N)?;
    let min_count = threshold(&raw.min_count, "min_count", DEFAULT_MIN_COUNT)?;
    let trends = trend_settings(&raw.trends, &at)?;
    let privacy = privacy_settings(&raw.privacy, min_count, &at)?;
    let comparison_groups = comparison_groups(&raw, &at)?;
    let fetch = fetch_settings(&raw.fetch, base, &at)?;
    let max_input_bytes = match &raw.max_input_mb {
        None => crate::ingest::DEFAULT_MAX_INPUT_BYTES,
        Some(mb) if (1..=1 << 20).contains(mb.get_ref()) => *mb.get_ref() << 20,
        Some(mb) => {
            return Err(at.invalid(
                mb.span().start,
                format!(
                    "max_input_mb = {} must be between 1 and 1048576",
                    mb.get_ref()
                ),
            ))
        }
    };
    if let (Some(file), None) = (&raw.child_friendly, &raw.plan) {
        return Err(at.invalid(
            file.span().start,
            "child_friendly is shown in the plan follow-up (plan.md, plan.html): set `plan = \"plan.toml\"` as well, or remove child_friendly".into(),
        ));
    }
    Ok(Config {
        origin: file.to_string(),
        base_dir: base.to_path_buf(),
        catalog_dir: base.join(raw.catalog.as_deref().unwrap_or("indicators")),
        plan_file: raw.plan.as_deref().map(|p| base.join(p)),
        child_friendly_file: raw.child_friendly.as_ref().map(|p| base.join(p.get_ref())),
        output_dir: overrides
            .output_dir
            .unwrap_or_else(|| base.join(raw.output.as_deref().unwrap_or("out"))),
        language: overrides.language.or(raw.language).unwrap_or_default(),
        csv_style: overrides.csv_style.or(raw.csv).unwrap_or_default(),
        areas,
        inputs,
        min_n,
        min_count,
        trends,
        privacy,
        as_of: overrides.as_of,
        threads: overrides.threads,
        deny_warnings: overrides.deny_warnings,
        fetch_first: overrides.fetch_first,
        comparison_groups,
        progress: overrides.progress,
        fetch,
        max_input_bytes,
    })
}

/// `[privacy]`, checked: a protection level of 0 or more cases, a time
/// limit longer than 0 s.
fn privacy_settings(
    raw: &Option<Spanned<RawPrivacy>>,
    min_count: f64,
    at: &At,
) -> Result<PrivacySettings, ConfigError> {
    let mut settings = PrivacySettings {
        method: SuppressionMethod::default(),
        protection: min_count,
        time_limit: PrivacySettings::DEFAULT_TIME_LIMIT,
    };
    let Some(raw) = raw else {
        return Ok(settings);
    };
    let offset = raw.span().start;
    let r = raw.get_ref();
    if let Some(method) = r.method {
        settings.method = method;
    }
    if let Some(level) = r.protection {
        if !(level.is_finite() && (0.0..=1e6).contains(&level)) {
            return Err(at.invalid(
                offset,
                format!("[privacy] protection = {level} must be a number of cases between 0 and 1000000 (0 checks exact disclosure only; e.g. 5)"),
            ));
        }
        settings.protection = level;
    }
    if let Some(text) = &r.time_limit {
        let limit = humantime::parse_duration(text).map_err(|e| {
            at.invalid(
                offset,
                format!(
                    "[privacy] time_limit = \"{text}\" is not a duration ({e}): write e.g. \"10s\""
                ),
            )
        })?;
        if limit.is_zero() {
            return Err(at.invalid(
                offset,
                "[privacy] time_limit must be longer than 0 s".into(),
            ));
        }
        settings.time_limit = limit;
    }
    Ok(settings)
}

/// `[fetch]`, checked: durations in humantime form (`7 days`, `60s`), a
/// size cap of at least 1 MB, a plausible first year.
fn fetch_settings(
    raw: &Option<Spanned<RawFetch>>,
    base: &Path,
    at: &At,
) -> Result<crate::fetch::FetchSettings, ConfigError> {
    let mut settings = crate::fetch::FetchSettings::new(base);
    let Some(raw) = raw else {
        return Ok(settings);
    };
    let offset = raw.span().start;
    let r = raw.get_ref();
    let duration = |text: &Option<String>, key: &str, default: std::time::Duration| {
        match text {
        None => Ok(default),
        Some(t) => humantime::parse_duration(t).map_err(|e| {
            at.invalid(
                offset,
                format!("[fetch] {key} = \"{t}\" is not a duration ({e}): write e.g. \"7 days\" or \"60s\""),
            )
        }),
    }
    };
    if let Some(cache) = &r.cache {
        settings.cache_dir = base.join(cache);
    }
    settings.min_interval = duration(&r.min_interval, "min_interval", settings.min_interval)?;
    settings.timeout = duration(&r.timeout, "timeout", settings.timeout)?;
    if settings.timeout.is_zero() {
        return Err(at.invalid(offset, "[fetch] timeout must be longer than 0 s".into()));
    }
    if let Some(retries) = r.retries {
        if retries > 10 {
            return Err(at.invalid(offset, format!("[fetch] retries = {retries} is more than 10: a batch job should fail rather than hammer a server")));
        }
        settings.retries = retries;
    }
    if let Some(mb) = r.max_mb {
        if !(1..=65_536).contains(&mb) {
            return Err(at.invalid(
                offset,
                format!("[fetch] max_mb = {mb} must be between 1 and 65536"),
            ));
        }
        settings.max_bytes = mb << 20;
    }
    if let Some(year) = r.first_year {
        if !(1900..=2100).contains(&year) {
            return Err(at.invalid(
                offset,
                format!("[fetch] first_year = {year} is not a plausible year"),
            ));
        }
        settings.first_year = year;
    }
    settings.contact = r.contact.clone();
    Ok(settings)
}

/// The `[[area]]`s: valid, unique keys, names in every language, parents
/// that are areas of the file.
fn areas(raw: &RawConfig, at: &At) -> Result<Vec<Area>, ConfigError> {
    let mut areas = Vec::new();
    let mut seen = BTreeSet::new();
    for raw_area in &raw.areas {
        let area = raw_area.get_ref();
        let key = area.key.get_ref();
        if !valid_key(key) {
            return Err(at.invalid(
                area.key.span().start,
                format!("area key '{key}' may contain only a-z, 0-9, '_', '-' and '.'"),
            ));
        }
        if !seen.insert(key.clone()) {
            return Err(at.invalid(
                area.key.span().start,
                format!("area key '{key}' is declared twice: keep one"),
            ));
        }
        if let Some(lang) = area.name.first_empty() {
            return Err(at.invalid(
                raw_area.span().start,
                format!("area '{key}' has an empty name.{lang}: give the name in fi, sv and en"),
            ));
        }
        areas.push(Area {
            key: key.clone(),
            name: area.name.clone(),
            kind: area.kind,
            parent: area.parent.as_ref().map(|p| p.get_ref().clone()),
            reference: area.reference,
        });
    }
    for raw_area in &raw.areas {
        if let Some(parent) = &raw_area.get_ref().parent {
            if !seen.contains(parent.get_ref()) {
                return Err(at.invalid(
                    parent.span().start,
                    format!(
                        "parent '{}' is not an area of this file: declare it with [[area]] or remove the parent",
                        parent.get_ref()
                    ),
                ));
            }
        }
    }
    Ok(areas)
}

/// One `[[input]]`: only the keys its kind takes, the companions it needs,
/// maps that send codes and labels to declared areas; paths relative to the
/// config's folder.
fn input(
    raw_input: &Spanned<RawInput>,
    seen: &BTreeSet<&str>,
    base: &Path,
    at: &At,
) -> Result<Input, ConfigError> {
    let declared_at = at.declared_at(raw_input.span().start);
    let input = raw_input.get_ref();
    check_keys(raw_input, at)?;
    if let Some(map) = &input.area_map {
        if let Some((code, key)) = map
            .get_ref()
            .iter()
            .find(|(_, key)| !seen.contains(key.as_str()))
        {
            return Err(at.invalid(
                map.span().start,
                format!("area_map sends '{code}' to '{key}', which is not a declared area"),
            ));
        }
    }
    if let Some(labels) = &input.labels {
        let labels_ref = labels.get_ref();
        if let Some((label, key)) = labels_ref
            .area
            .iter()
            .find(|(_, key)| !seen.contains(key.as_str()))
        {
            return Err(at.invalid(
                labels.span().start,
                format!("labels.area sends '{label}' to '{key}', which is not a declared area: declare it with [[area]] or fix the key"),
            ));
        }
        if let Some((label, _)) = labels_ref.group.iter().find(|(_, g)| !valid_key(g)) {
            return Err(at.invalid(
                labels.span().start,
                format!("labels.group for '{label}' must be a group key of a-z, 0-9, '_', '-' and '.' (e.g. \"8-9\")"),
            ));
        }
    }
    let source = match &input.url {
        None => None,
        Some(url) => {
            let text = url.get_ref();
            if !(text.starts_with("https://") || text.starts_with("http://")) {
                return Err(at.invalid(
                    url.span().start,
                    format!("url '{text}' must start with https:// (or http://)"),
                ));
            }
            Some(crate::fetch::InputSource {
                url: text.clone(),
                query: input.query.as_ref().map(|q| base.join(q.get_ref())),
            })
        }
    };
    Ok(Input {
        path: base.join(&input.path),
        declared_at,
        format: format(input, base),
        source,
    })
}

/// The typed format of a checked input (`check_keys` has made sure that
/// the companions its kind needs are there).
fn format(input: &RawInput, base: &Path) -> Format {
    let regions = || base.join(input.regions.as_ref().map_or("", |r| r.get_ref().as_str()));
    let area_map = || {
        input
            .area_map
            .as_ref()
            .map(|m| m.get_ref().clone())
            .unwrap_or_default()
    };
    let dimensions = || {
        input
            .dimensions
            .as_ref()
            .map(|d| d.get_ref().clone())
            .unwrap_or_default()
    };
    let cube = || CubeInput {
        name: input
            .cube
            .as_ref()
            .map(|c| c.get_ref().clone())
            .unwrap_or_default(),
        measure: input.measure.as_ref().map(|m| m.get_ref().clone()),
        area_map: area_map(),
        dimensions: dimensions(),
        labels: input
            .labels
            .as_ref()
            .map(|l| l.get_ref().clone())
            .unwrap_or_default(),
    };
    match input.kind {
        InputKind::SotkanetCsv => Format::SotkanetCsv { regions: regions() },
        InputKind::SotkanetJson => Format::SotkanetJson { regions: regions() },
        InputKind::SotkanetMetadata => Format::SotkanetMetadata,
        InputKind::ThlCube => Format::ThlCube {
            cube: cube(),
            dimension_file: input
                .dimension_file
                .as_ref()
                .map(|r| base.join(r.get_ref())),
        },
        InputKind::Jsonstat => Format::Jsonstat(cube()),
        InputKind::ServicesCsv => Format::ServicesCsv,
        InputKind::PopulationCsv => Format::PopulationCsv,
        InputKind::PxwebPopulation => Format::PxwebPopulation(Pxweb {
            area_map: area_map(),
            dimensions: dimensions(),
        }),
        InputKind::ObservationsParquet => Format::ObservationsParquet,
        InputKind::ObservationsArrow => Format::ObservationsArrow,
    }
}

/// An input takes only the keys of its kind, and has the companions its
/// kind needs.
fn check_keys(raw_input: &Spanned<RawInput>, at: &At) -> Result<(), ConfigError> {
    let input = raw_input.get_ref();
    let reject_key = |present: bool, key: &str| -> Result<(), ConfigError> {
        if present {
            Err(at.invalid(
                raw_input.span().start,
                format!(
                    "key '{key}' does not apply to an input of kind {}: remove it",
                    input.kind.name()
                ),
            ))
        } else {
            Ok(())
        }
    };
    let is_sotkanet = matches!(input.kind, InputKind::SotkanetCsv | InputKind::SotkanetJson);
    let is_thl = input.kind == InputKind::ThlCube;
    let is_jsonstat = input.kind == InputKind::Jsonstat || is_thl;
    // PxWeb population maps its area codes and may name its dimensions.
    let is_pxweb = input.kind == InputKind::PxwebPopulation;
    let fetchable = is_sotkanet || is_thl || is_pxweb || input.kind == InputKind::SotkanetMetadata;
    if !fetchable && input.url.is_some() {
        return Err(at.invalid(
            raw_input.span().start,
            format!(
                "key 'url' does not apply to an input of kind {}: it is a local file that hyte cannot fetch; remove the url",
                input.kind.name()
            ),
        ));
    }
    reject_key(!is_pxweb && input.query.is_some(), "query")?;
    if input.query.is_some() && input.url.is_none() {
        return Err(at.invalid(
            raw_input.span().start,
            "`query` is the PxWeb query to send to `url`: add `url = \"https://…/11re.px\"` or remove the query".into(),
        ));
    }
    reject_key(!is_sotkanet && input.regions.is_some(), "regions")?;
    reject_key(!is_thl && input.dimension_file.is_some(), "dimension_file")?;
    reject_key(!is_thl && input.labels.is_some(), "labels")?;
    reject_key(!is_jsonstat && input.cube.is_some(), "cube")?;
    reject_key(!is_jsonstat && input.measure.is_some(), "measure")?;
    reject_key(
        !(is_jsonstat || is_pxweb) && input.area_map.is_some(),
        "area_map",
    )?;
    reject_key(
        !(is_jsonstat || is_pxweb) && input.dimensions.is_some(),
        "dimensions",
    )?;
    if is_sotkanet && input.regions.is_none() {
        return Err(at.invalid(
            raw_input.span().start,
            format!(
                "an input of kind {} needs `regions = \"…/regions.json\"` (Sotkanet's /regions dump) to turn region ids into areas",
                input.kind.name()
            ),
        ));
    }
    if is_jsonstat && input.cube.is_none() {
        return Err(at.invalid(
            raw_input.span().start,
            format!("an input of kind {} needs `cube = \"NAME\"`: the catalog maps `{{ cube = NAME, measure = CODE }}` to indicators", input.kind.name()),
        ));
    }
    Ok(())
}

/// `[trends]`, checked: alpha in (0, 1), a positive recent window, at
/// least three points for a slope.
fn trend_settings(raw: &Option<Spanned<RawTrends>>, at: &At) -> Result<TrendSettings, ConfigError> {
    let defaults = TrendSettings::default();
    Ok(match raw {
        None => defaults,
        Some(t) => {
            let r = t.get_ref();
            let settings = TrendSettings {
                alpha: r.alpha.unwrap_or(defaults.alpha),
                recent_years: r.recent_years.unwrap_or(defaults.recent_years),
                min_points: r.min_points.unwrap_or(defaults.min_points),
            };
            if !(settings.alpha > 0.0 && settings.alpha < 1.0) {
                return Err(at.invalid(
                    t.span().start,
                    format!(
                        "[trends] alpha = {} must be between 0 and 1 (e.g. 0.05)",
                        settings.alpha
                    ),
                ));
            }
            if !(settings.recent_years > 0.0 && settings.recent_years.is_finite()) {
                return Err(at.invalid(
                    t.span().start,
                    "[trends] recent_years must be a number of years > 0 (e.g. 4)".into(),
                ));
            }
            if settings.min_points < 3 {
                return Err(at.invalid(t.span().start, "[trends] min_points must be at least 3: a slope's test needs one degree of freedom".into()));
            }
            settings
        }
    })
}

/// The `[[comparison_group]]`s: named once each, two or more distinct
/// members given as area keys.
fn comparison_groups(raw: &RawConfig, at: &At) -> Result<Vec<ComparisonGroup>, ConfigError> {
    let mut comparison_groups: Vec<ComparisonGroup> = Vec::new();
    for raw_group in &raw.comparison_groups {
        let group = raw_group.get_ref();
        if group.name.trim().is_empty() {
            return Err(at.invalid(
                raw_group.span().start,
                "a [[comparison_group]] needs a name (e.g. \"Kunnat 30 000–50 000 asukasta\")"
                    .into(),
            ));
        }
        if comparison_groups.iter().any(|g| g.name == group.name) {
            return Err(at.invalid(
                raw_group.span().start,
                format!(
                    "comparison group '{}' is declared twice: keep one",
                    group.name
                ),
            ));
        }
        if group.members.len() < 2 {
            return Err(at.invalid(
                raw_group.span().start,
                format!(
                    "comparison group '{}' needs at least two members (area keys like \"kunta.444\")",
                    group.name
                ),
            ));
        }
        let mut members: Vec<String> = Vec::new();
        for member in &group.members {
            let key = member.get_ref();
            if !valid_key(key) {
                return Err(at.invalid(
                    member.span().start,
                    format!("'{key}' is not an area key: write keys like \"kunta.444\""),
                ));
            }
            if members.contains(key) {
                return Err(at.invalid(
                    member.span().start,
                    format!(
                        "'{key}' is listed twice in comparison group '{}'",
                        group.name
                    ),
                ));
            }
            members.push(key.clone());
        }
        comparison_groups.push(ComparisonGroup {
            name: group.name.clone(),
            members,
        });
    }
    Ok(comparison_groups)
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Config, ConfigError> {
        parse(text, "hyte.toml", Path::new("base"), Overrides::default())
    }

    const MINIMAL: &str = r#"
[[area]]
key = "kunta.444"
name = { fi = "Lohja", sv = "Lojo", en = "Lohja" }
kind = "municipality"

[[input]]
kind = "services-csv"
path = "s.csv"
"#;

    #[test]
    fn built_in_config_is_valid() {
        let config = built_in(Overrides::default()).unwrap();
        assert!(config.areas.len() >= 9);
        assert!(!config.inputs.is_empty());
    }

    #[test]
    fn defaults_and_relative_paths() {
        let config = parse_text(MINIMAL).unwrap();
        assert_eq!(config.language, Language::Fi);
        assert_eq!(config.output_dir, Path::new("base/out"));
        assert_eq!(config.inputs[0].path, Path::new("base/s.csv"));
        assert_eq!(config.inputs[0].declared_at, "hyte.toml:7");
        assert_eq!(config.min_n, DEFAULT_MIN_N);
    }

    #[test]
    fn flags_win_over_the_file() {
        let text = format!("language = \"sv\"\noutput = \"x\"\n{MINIMAL}");
        let overrides = Overrides {
            output_dir: Some("elsewhere".into()),
            language: Some(Language::En),
            ..Overrides::default()
        };
        let config = parse(&text, "hyte.toml", Path::new(""), overrides).unwrap();
        assert_eq!(config.language, Language::En);
        assert_eq!(config.output_dir, Path::new("elsewhere"));
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let text = MINIMAL.replace("path = \"s.csv\"", "path = \"s.csv\"\ncolour = \"red\"");
        let err = parse_text(&text).unwrap_err().to_string();
        assert!(err.starts_with("hyte.toml:10:"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn thl_cube_with_dimension_file_and_label_maps() {
        let text = MINIMAL.replace(
            "kind = \"services-csv\"\npath = \"s.csv\"",
            "kind = \"thl-cube\"\npath = \"fact_ktk.json\"\ndimension_file = \"fact_ktk.dimensions.json\"\ncube = \"ktk\"\nlabels = { area = { \"Lohja\" = \"kunta.444\" }, sex = { \"Muu\" = \"not_reported\" }, group = { \"8. ja 9. lk\" = \"8-9\" } }",
        );
        let config = parse_text(&text).unwrap();
        let input = &config.inputs[0];
        assert_eq!(input.kind(), InputKind::ThlCube);
        let Format::ThlCube {
            cube,
            dimension_file,
        } = &input.format
        else {
            panic!("not a THL cube: {:?}", input.format);
        };
        assert_eq!(cube.name, "ktk");
        assert_eq!(
            dimension_file.as_deref(),
            Some(Path::new("base/fact_ktk.dimensions.json"))
        );
        assert_eq!(cube.labels.sex.get("Muu"), Some(&Sex::NotReported));
        assert_eq!(cube.labels.group.get("8. ja 9. lk").unwrap(), "8-9");

        // An undeclared area, a bad sex, a key for another kind: each named.
        let err = parse_text(&text.replace("\"kunta.444\" }", "\"kunta.999\" }"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("labels.area sends 'Lohja' to 'kunta.999'"),
            "{err}"
        );
        let err = parse_text(&text.replace("\"not_reported\"", "\"other\""))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("hyte.toml:") && err.contains("other"),
            "{err}"
        );
        let err = parse_text(&MINIMAL.replace(
            "path = \"s.csv\"",
            "path = \"s.csv\"\ndimension_file = \"d.json\"",
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("key 'dimension_file' does not apply to an input of kind services-csv"),
            "{err}"
        );
    }

    #[test]
    fn dangling_parent_and_duplicate_key() {
        let text = MINIMAL.replace(
            "kind = \"municipality\"",
            "kind = \"municipality\"\nparent = \"maa.358\"",
        );
        let err = parse_text(&text).unwrap_err().to_string();
        assert!(
            err.contains("hyte.toml:6:") && err.contains("maa.358"),
            "{err}"
        );

        let area = "[[area]]\nkey = \"kunta.444\"\nname = { fi = \"L\", sv = \"L\", en = \"L\" }\nkind = \"municipality\"\n";
        let err = parse_text(&format!("{area}{MINIMAL}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("declared twice"), "{err}");
    }

    #[test]
    fn sotkanet_input_needs_regions() {
        let text = MINIMAL.replace("services-csv", "sotkanet-csv");
        let err = parse_text(&text).unwrap_err().to_string();
        assert!(err.contains("regions"), "{err}");
        let text = MINIMAL.replace("path = \"s.csv\"", "path = \"s.csv\"\nregions = \"r.json\"");
        let err = parse_text(&text).unwrap_err().to_string();
        assert!(err.contains("does not apply"), "{err}");
    }

    #[test]
    fn trend_settings_have_defaults_and_are_checked() {
        assert_eq!(
            parse_text(MINIMAL).unwrap().trends,
            TrendSettings::default()
        );
        let text = format!("[trends]\nalpha = 0.1\nrecent_years = 6\n{MINIMAL}");
        let trends = parse_text(&text).unwrap().trends;
        assert_eq!(
            (trends.alpha, trends.recent_years, trends.min_points),
            (0.1, 6.0, 4)
        );
        let err = parse_text(&format!("[trends]\nalpha = 5\n{MINIMAL}"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("hyte.toml:1:") && err.contains("alpha"),
            "{err}"
        );
    }

    #[test]
    fn unknown_area_kind_is_located() {
        let text = MINIMAL.replace("\"municipality\"", "\"village\"");
        let err = parse_text(&text).unwrap_err().to_string();
        assert!(
            err.starts_with("hyte.toml:5:") && err.contains("village"),
            "{err}"
        );
    }
}
