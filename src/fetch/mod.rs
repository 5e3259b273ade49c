//! `hyte fetch`: downloads what the config's inputs name from their
//! sources, through the cache, into the input files.
//!
//! In: the config (its `[fetch]` settings and every `[[input]]` with a
//! `url`) and the catalog (which Sotkanet indicators to ask for). Out: each
//! such input file (and its companion: the Sotkanet regions dump, a THL
//! cube's dimension file) rewritten from freshly cached downloads, and a
//! [`FetchReport`] of what each input got.
//!
//! What is asked of each source (facts: shared DATA-FORMATS §1, §2, §2b):
//! - `sotkanet-csv` / `sotkanet-json`, `url` the REST base
//!   (`https://sotkanet.fi/rest/1.1`): `/csv` or `/json` per catalog
//!   indicator with a Sotkanet id (`indicator=ID`, every year from
//!   `first_year` to this year as repeated `years`, `genders` total,
//!   female and male), joined into one file (the CSV header once); and
//!   `/regions` into the `regions` file.
//! - `sotkanet-metadata`: `/indicators/{id}` per catalog indicator, joined
//!   into one JSON array (the form the reader takes).
//! - `thl-cube`, `url` the fact URL as THL serves it (`…/fact_ktk.json?
//!   row=…&ci&n`): the fact file, and with `dimension_file` the cube's
//!   `fact_ktk.dimensions.json` beside it (JSONP).
//! - `pxweb-population`, `url` the table and `query` a JSON query file:
//!   the query is POSTed (PxWeb API v1); without `query`, a GET (a v2 URL
//!   that carries its selection).
//!
//! Guarantees: an input's files (the data and its companion) are replaced
//! only when every download they are made of succeeded and the cache
//! manifest recording them is saved; all of them are written beside first
//! and then renamed into place one after the other; a failed input keeps
//! its previous files and is reported, the other inputs still update. The
//! cache folder is locked exclusively while fetching; a run reading the
//! inputs holds it shared ([`InputsLock`]), so a fetch never rewrites
//! inputs that a run is reading.

pub mod cache;

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::catalog::{Catalog, Source};

use crate::config::{Config, Format, Input};
use cache::{Cache, Expect, FetchError, Method, Outcome, Request, Settings};

/// The header of Sotkanet's `/csv` download.
pub const SOTKANET_CSV_HEADER: &str = "indicator;region;year;gender;primary value;absolute value";

/// The `[fetch]` settings of the config.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchSettings {
    /// The cache folder (default `cache` beside the config).
    pub cache_dir: PathBuf,
    /// Do not ask a server again within this time (default 7 days).
    pub min_interval: Duration,
    /// Limit of one attempt (default 60 s).
    pub timeout: Duration,
    /// Extra attempts for transient failures (default 3).
    pub retries: u32,
    /// Largest download accepted, in bytes (default 512 MiB).
    pub max_bytes: u64,
    /// First year asked of Sotkanet (default 2000).
    pub first_year: i32,
    /// Who runs this hyte (an e-mail or a web address), sent in the
    /// User-Agent so that a data provider can reach the operator.
    pub contact: Option<String>,
}

impl FetchSettings {
    pub fn new(base: &Path) -> FetchSettings {
        FetchSettings {
            cache_dir: base.join("cache"),
            min_interval: Duration::from_secs(7 * 24 * 3600),
            timeout: Duration::from_secs(60),
            retries: 3,
            max_bytes: 512 << 20,
            first_year: 2000,
            contact: None,
        }
    }

    /// The User-Agent sent with every request.
    pub fn user_agent(&self) -> String {
        let contact = self
            .contact
            .as_deref()
            .map(|c| format!("; contact {c}"))
            .unwrap_or_default();
        format!(
            "hyte/{} (municipal children's wellbeing reports{contact})",
            env!("CARGO_PKG_VERSION")
        )
    }
}

/// Where an input is fetched from (`url`, and `query` for PxWeb).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSource {
    pub url: String,
    /// A PxWeb v1 query (JSON) to POST.
    pub query: Option<PathBuf>,
}

/// Why `hyte fetch` could not start.
#[derive(Debug, thiserror::Error)]
pub enum FetchSetupError {
    #[error("no [[input]] has a `url`: add `url = …` to the inputs hyte should download (docs/CONFIG.md)")]
    NothingToFetch,
    #[error("{dir}: another hyte is fetching into this cache folder, or reading the inputs it writes; wait for it to finish")]
    CacheLocked { dir: String },
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error(transparent)]
    Cache(#[from] FetchError),
}

/// The download cache's lock while inputs are read: shared, so that runs
/// and validations read side by side, but never while a fetch rewrites the
/// inputs (it holds the lock exclusively). Only taken when an input has a
/// `url` and the cache folder exists.
pub struct InputsLock {
    _handle: Option<File>,
}

impl InputsLock {
    pub fn shared(config: &Config) -> Result<InputsLock, FetchSetupError> {
        let dir = &config.fetch.cache_dir;
        if !config.inputs.iter().any(|i| i.source.is_some()) || !dir.is_dir() {
            return Ok(InputsLock { _handle: None });
        }
        let handle = File::open(dir).map_err(|source| FetchError::Cache {
            path: dir.clone(),
            source,
        })?;
        match handle.try_lock_shared() {
            Ok(()) => Ok(InputsLock {
                _handle: Some(handle),
            }),
            Err(std::fs::TryLockError::WouldBlock) => Err(FetchSetupError::CacheLocked {
                dir: dir.display().to_string(),
            }),
            Err(std::fs::TryLockError::Error(source)) => Err(FetchError::Cache {
                path: dir.clone(),
                source,
            }
            .into()),
        }
    }
}

/// What one input got.
#[derive(Debug)]
pub struct InputFetch {
    /// The input file (as the config names it, resolved).
    pub path: PathBuf,
    pub declared_at: String,
    /// Downloads per outcome: downloaded, not modified, fresh.
    pub downloaded: usize,
    pub not_modified: usize,
    pub fresh: usize,
    /// The first failure; the input file was then left as it was.
    pub error: Option<String>,
}

/// What `hyte fetch` did, input by input.
#[derive(Debug, Default)]
pub struct FetchReport {
    pub inputs: Vec<InputFetch>,
}

impl FetchReport {
    pub fn failed(&self) -> usize {
        self.inputs.iter().filter(|i| i.error.is_some()).count()
    }
}

/// A file an input is made of: the requests, joined how, into which file.
struct Target {
    path: PathBuf,
    requests: Vec<Request>,
    join: Join,
}

/// How the downloads of one file are put together.
#[derive(Clone, Copy)]
enum Join {
    /// One download, copied as it is.
    Copy,
    /// CSV files with the same header: the header once, then every row.
    CsvRows,
    /// JSON arrays: one array of every element.
    JsonArrays,
    /// JSON objects: one array of them.
    JsonObjects,
}

/// A short, stable name for a URL in a cache key.
fn url_tag(url: &str) -> String {
    format!("{:x}", Sha256::digest(url.as_bytes()))[..12].to_string()
}

/// The last path segment of a URL, without its query.
fn file_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path)
}

/// The Sotkanet data URL of one indicator.
fn sotkanet_data_url(
    base: &str,
    format: &str,
    id: u32,
    years: std::ops::RangeInclusive<i32>,
) -> String {
    let mut url = format!("{}/{format}?indicator={id}", base.trim_end_matches('/'));
    for year in years {
        url.push_str(&format!("&years={year}"));
    }
    url.push_str("&genders=total&genders=female&genders=male");
    url
}

/// The files one input is made of.
fn targets(
    input: &Input,
    source: &InputSource,
    catalog: &Catalog,
    settings: &FetchSettings,
    this_year: i32,
) -> Result<Vec<Target>, String> {
    let ids: Vec<u32> = catalog
        .indicators
        .iter()
        .filter_map(|i| match i.source {
            Source::Sotkanet(id) => Some(id),
            _ => None,
        })
        .collect();
    let base = source.url.trim_end_matches('/');
    let years = settings.first_year..=this_year;
    let sotkanet = |format: &str, expect: Expect, join: Join| Target {
        path: input.path.clone(),
        requests: ids
            .iter()
            .map(|id| Request {
                key: format!("sotkanet/{format}/{id}.{format}"),
                url: sotkanet_data_url(base, format, *id, years.clone()),
                method: Method::Get,
                expect: expect.clone(),
            })
            .collect(),
        join,
    };
    let regions = |path: &Path| Target {
        path: path.to_path_buf(),
        requests: vec![Request {
            key: "sotkanet/regions.json".into(),
            url: format!("{base}/regions"),
            method: Method::Get,
            expect: Expect::Json,
        }],
        join: Join::Copy,
    };
    let no_ids = || {
        format!(
            "{}: the catalog has no indicator with a Sotkanet id to fetch",
            input.declared_at
        )
    };
    Ok(match &input.format {
        Format::SotkanetCsv { regions: file } => {
            if ids.is_empty() {
                return Err(no_ids());
            }
            let csv = Expect::Csv {
                header_starts_with: SOTKANET_CSV_HEADER.into(),
            };
            vec![sotkanet("csv", csv, Join::CsvRows), regions(file)]
        }
        Format::SotkanetJson { regions: file } => {
            if ids.is_empty() {
                return Err(no_ids());
            }
            vec![
                sotkanet("json", Expect::Json, Join::JsonArrays),
                regions(file),
            ]
        }
        Format::SotkanetMetadata => {
            if ids.is_empty() {
                return Err(no_ids());
            }
            vec![Target {
                path: input.path.clone(),
                requests: ids
                    .iter()
                    .map(|id| Request {
                        key: format!("sotkanet/indicators/{id}.json"),
                        url: format!("{base}/indicators/{id}"),
                        method: Method::Get,
                        expect: Expect::Json,
                    })
                    .collect(),
                join: Join::JsonObjects,
            }]
        }
        Format::ThlCube { dimension_file, .. } => {
            let name = file_name(&source.url);
            let expect = if name.ends_with(".js") {
                Expect::JsonP
            } else if name.ends_with(".csv") {
                Expect::Csv {
                    header_starts_with: String::new(),
                }
            } else {
                Expect::Json
            };
            let tag = url_tag(&source.url);
            let mut targets = vec![Target {
                path: input.path.clone(),
                requests: vec![Request {
                    key: format!("thl/{tag}-{}", safe_name(name)),
                    url: source.url.clone(),
                    method: Method::Get,
                    expect,
                }],
                join: Join::Copy,
            }];
            if let Some(file) = dimension_file {
                // fact_ktk.json?row=… → fact_ktk.dimensions.json beside it.
                let fact = source.url.split(['?', '#']).next().unwrap_or(&source.url);
                let (folder, leaf) = fact.rsplit_once('/').unwrap_or(("", fact));
                let stem = leaf.split('.').next().unwrap_or(leaf);
                let url = format!("{folder}/{stem}.dimensions.json");
                targets.push(Target {
                    path: file.clone(),
                    requests: vec![Request {
                        key: format!(
                            "thl/{}-{}",
                            url_tag(&url),
                            safe_name(&format!("{stem}.dimensions.json"))
                        ),
                        url,
                        method: Method::Get,
                        expect: Expect::JsonP,
                    }],
                    join: Join::Copy,
                });
            }
            targets
        }
        Format::PxwebPopulation(_) => {
            let method = match &source.query {
                Some(query) => Method::Post {
                    body: fs::read(query).map_err(|e| {
                        format!(
                            "{}: cannot read the PxWeb query {}: {e}",
                            input.declared_at,
                            query.display()
                        )
                    })?,
                    content_type: "application/json",
                },
                None => Method::Get,
            };
            vec![Target {
                path: input.path.clone(),
                requests: vec![Request {
                    key: format!(
                        "pxweb/{}-{}.json",
                        url_tag(&source.url),
                        safe_name(file_name(&source.url))
                    ),
                    url: source.url.clone(),
                    method,
                    expect: Expect::Json,
                }],
                join: Join::Copy,
            }]
        }
        _ => {
            return Err(format!(
                "{}: an input of kind {} is a local file; hyte cannot fetch it",
                input.declared_at,
                input.kind().name()
            ))
        }
    })
}

/// A file name made of safe characters only (for cache keys).
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

/// `target.partial`: where a file is written before it replaces `target`.
fn partial_of(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Joins cached downloads into `target` (through `target.partial` and a
/// rename, so a failure leaves the previous file).
#[cfg(test)]
fn assemble(target: &Path, parts: &[PathBuf], join: Join) -> std::io::Result<()> {
    write_partial(target, parts, join)?;
    fs::rename(partial_of(target), target)
}

/// Joins cached downloads into `target.partial`, synced; removed again on
/// failure.
fn write_partial(target: &Path, parts: &[PathBuf], join: Join) -> std::io::Result<()> {
    if let Some(parent) = target.parent() {
        if !parent.as_os_str().is_empty() {
            fs::create_dir_all(parent)?;
        }
    }
    let partial = partial_of(target);
    let result = (|| {
        let mut out = std::io::BufWriter::new(File::create(&partial)?);
        match join {
            Join::Copy => {
                let mut part = File::open(&parts[0])?;
                std::io::copy(&mut part, &mut out)?;
            }
            Join::CsvRows => {
                for (i, part) in parts.iter().enumerate() {
                    let mut lines = BufReader::new(File::open(part)?).split(b'\n');
                    let header = lines.next().transpose()?.unwrap_or_default();
                    if i == 0 {
                        out.write_all(&header)?;
                        out.write_all(b"\n")?;
                    }
                    for line in lines {
                        let line = line?;
                        if line.iter().all(|b| b.is_ascii_whitespace()) {
                            continue;
                        }
                        out.write_all(&line)?;
                        out.write_all(b"\n")?;
                    }
                }
            }
            Join::JsonArrays | Join::JsonObjects => {
                out.write_all(b"[")?;
                let mut first = true;
                for part in parts {
                    let text = fs::read_to_string(part)?;
                    let text = text.trim();
                    let inner = match join {
                        Join::JsonArrays => text
                            .strip_prefix('[')
                            .and_then(|t| t.strip_suffix(']'))
                            .ok_or_else(|| {
                                std::io::Error::new(
                                    std::io::ErrorKind::InvalidData,
                                    format!("{}: not a JSON array", part.display()),
                                )
                            })?
                            .trim(),
                        _ => text,
                    };
                    if inner.is_empty() {
                        continue;
                    }
                    if !first {
                        out.write_all(b",\n")?;
                    }
                    first = false;
                    out.write_all(inner.as_bytes())?;
                }
                out.write_all(b"]\n")?;
            }
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&partial);
    }
    result
}

/// The current calendar year (UTC).
fn this_year() -> i32 {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    now[..4].parse().unwrap_or(2026)
}

/// Fetches every input with a `url` (`force`: ask the servers even within
/// `min_interval`). Each input's outcome is logged as it ends (`fetched …`
/// or `fetch failed, … kept as it was: …`).
pub fn fetch(config: &Config, force: bool) -> Result<FetchReport, FetchSetupError> {
    let catalog = &crate::catalog::load(&config.catalog_dir)?;
    let fetched: Vec<(&Input, &InputSource)> = config
        .inputs
        .iter()
        .filter_map(|i| i.source.as_ref().map(|s| (i, s)))
        .collect();
    if fetched.is_empty() {
        return Err(FetchSetupError::NothingToFetch);
    }
    let settings = &config.fetch;
    fs::create_dir_all(&settings.cache_dir).map_err(|source| FetchError::Cache {
        path: settings.cache_dir.clone(),
        source,
    })?;
    let _lock = crate::output::lock_folder(&settings.cache_dir).map_err(|e| match e {
        crate::output::OutputError::Locked { dir } => FetchSetupError::CacheLocked { dir },
        other => FetchSetupError::Cache(FetchError::Cache {
            path: settings.cache_dir.clone(),
            source: std::io::Error::other(other.to_string()),
        }),
    })?;
    let mut cache = Cache::open(Settings {
        cache_dir: settings.cache_dir.clone(),
        min_interval: settings.min_interval,
        timeout: settings.timeout,
        retries: settings.retries,
        backoff: Duration::from_secs(2),
        max_bytes: settings.max_bytes,
        user_agent: settings.user_agent(),
    })?;
    let year = this_year();
    let mut report = FetchReport::default();
    for (input, source) in fetched {
        let mut line = InputFetch {
            path: input.path.clone(),
            declared_at: input.declared_at.clone(),
            downloaded: 0,
            not_modified: 0,
            fresh: 0,
            error: None,
        };
        match targets(input, source, catalog, settings, year) {
            Err(e) => line.error = Some(e),
            Ok(targets) => {
                // Every download first; the files are rewritten only when
                // all of this input's downloads are good.
                let mut ready: Vec<(PathBuf, Vec<PathBuf>, Join)> = Vec::new();
                'targets: for target in &targets {
                    let mut parts = Vec::new();
                    for request in &target.requests {
                        match cache.fetch(request, force) {
                            Ok(fetched) => {
                                match fetched.outcome {
                                    Outcome::Downloaded => line.downloaded += 1,
                                    Outcome::NotModified => line.not_modified += 1,
                                    Outcome::Fresh => line.fresh += 1,
                                }
                                parts.push(fetched.path);
                            }
                            Err(e) => {
                                line.error = Some(e.to_string());
                                break 'targets;
                            }
                        }
                    }
                    ready.push((target.path.clone(), parts, target.join));
                }
                if line.error.is_none() {
                    line.error = replace_files(&mut cache, &ready).err();
                }
            }
        }
        match &line.error {
            Some(failure) => crate::log::error(format!(
                "fetch failed, {} kept as it was: {failure}",
                line.path.display()
            )),
            None => crate::log::info(format!(
                "fetched {}: {} downloaded, {} unchanged on the server, {} fresh in the cache",
                line.path.display(),
                line.downloaded,
                line.not_modified,
                line.fresh
            )),
        }
        report.inputs.push(line);
    }
    cache.save()?;
    Ok(report)
}

/// Replaces an input's files from their downloads: the cache manifest is
/// saved first (the files must never be newer than its record of them),
/// every file is written beside its target, and only then are they renamed
/// into place.
fn replace_files(cache: &mut Cache, ready: &[(PathBuf, Vec<PathBuf>, Join)]) -> Result<(), String> {
    cache.save().map_err(|e| e.to_string())?;
    for (index, (path, parts, join)) in ready.iter().enumerate() {
        if let Err(e) = write_partial(path, parts, *join) {
            for (written, _, _) in &ready[..index] {
                let _ = fs::remove_file(partial_of(written));
            }
            return Err(format!("{}: cannot write: {e}", path.display()));
        }
    }
    for (index, (path, _, _)) in ready.iter().enumerate() {
        if let Err(e) = fs::rename(partial_of(path), path) {
            let replaced: Vec<String> = ready[..index]
                .iter()
                .map(|(p, _, _)| p.display().to_string())
                .collect();
            for (left, _, _) in &ready[index..] {
                let _ = fs::remove_file(partial_of(left));
            }
            return Err(format!(
                "{}: cannot replace: {e}{}",
                path.display(),
                if replaced.is_empty() {
                    String::new()
                } else {
                    format!(" (already replaced: {}; fetch again)", replaced.join(", "))
                }
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sotkanet_urls_repeat_years_and_genders() {
        assert_eq!(
            sotkanet_data_url("https://sotkanet.fi/rest/1.1/", "csv", 191, 2022..=2023),
            "https://sotkanet.fi/rest/1.1/csv?indicator=191&years=2022&years=2023&genders=total&genders=female&genders=male"
        );
    }

    #[test]
    fn names_in_cache_keys_are_safe() {
        assert_eq!(
            file_name("https://x/a/fact_ktk.json?row=1&ci"),
            "fact_ktk.json"
        );
        assert_eq!(safe_name("../fact ktk.json"), "_fact_ktk.json");
        assert_eq!(safe_name("..."), "file");
    }

    #[test]
    fn csv_rows_keep_one_header_and_json_arrays_join() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        fs::write(&a, "h;x\r\n1;2\r\n").unwrap();
        fs::write(&b, "h;x\r\n3;4\r\n\r\n").unwrap();
        let out = dir.path().join("sub/out.csv");
        assemble(&out, &[a, b], Join::CsvRows).unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), "h;x\r\n1;2\r\n3;4\r\n");

        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        fs::write(&a, "[{\"a\":1}]").unwrap();
        fs::write(&b, " [ ] ").unwrap();
        let out = dir.path().join("out.json");
        assemble(&out, &[a.clone(), b], Join::JsonArrays).unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), "[{\"a\":1}]\n");
        assemble(&out, &[a.clone(), a], Join::JsonObjects).unwrap();
        assert_eq!(
            fs::read_to_string(&out).unwrap(),
            "[[{\"a\":1}],\n[{\"a\":1}]]\n"
        );
        assert!(!dir.path().join("out.json.partial").exists());
    }
}
