//! The indicator catalog: `indicators/*.toml`.
//!
//! In: the catalog folder. Out: a [`Catalog`] of indicators, each mapped to
//! exactly one of the seven child-rights dimensions and to one source key.
//! Guarantees: every problem in every file is collected and reported with
//! file and line (unknown dimension, polarity, unit or service level,
//! duplicate id or source, missing or empty title, unknown key); a catalog
//! with any error is not used.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::domain::parse_key;
use crate::i18n::Localized;
use crate::text::line_of;

pub use crate::domain::{Dimension, Measure, Polarity, ServiceLevel, Unit};

/// Where an indicator's data come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Sotkanet(u32),
    Cube { cube: String, measure: String },
    Service { service: String, measure: Measure },
}

impl Source {
    /// The key ingest gives rows of this source.
    pub fn key(&self) -> String {
        match self {
            Source::Sotkanet(id) => sotkanet_key(*id),
            Source::Cube { cube, measure } => cube_key(cube, measure),
            Source::Service { service, measure } => service_key(service, *measure),
        }
    }
}

pub fn sotkanet_key(id: u32) -> String {
    format!("sotkanet:{id}")
}
pub fn cube_key(cube: &str, measure: &str) -> String {
    format!("cube:{cube}:{measure}")
}
pub fn service_key(service: &str, measure: Measure) -> String {
    format!("service:{service}:{}", measure.key())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub title: Localized,
    pub dimension: Dimension,
    pub polarity: Polarity,
    pub unit: Unit,
    pub decimals: u8,
    pub source: Source,
    pub service_level: Option<ServiceLevel>,
    pub unit_cost_eur: Option<f64>,
    pub min_n: Option<f64>,
    pub age_group: Option<String>,
    pub note: Option<String>,
    pub provenance: Option<String>,
    /// `file:line` of the entry.
    pub defined_at: String,
}

/// All indicators, in id order.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub indicators: Vec<Indicator>,
    by_id: BTreeMap<String, usize>,
    by_source: BTreeMap<String, usize>,
    /// The catalog files read, in order, each with the sha256 of the bytes
    /// that were parsed (taken when they were read, so the manifest names
    /// exactly the catalog this run used).
    pub files: Vec<(PathBuf, String)>,
}

impl Catalog {
    /// The population age groups the catalog names as denominators, plus
    /// `0-17` (the shift analysis' denominator), sorted.
    pub fn age_groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = self
            .indicators
            .iter()
            .filter_map(|i| i.age_group.clone())
            .chain(std::iter::once("0-17".to_string()))
            .collect();
        groups.sort();
        groups.dedup();
        groups
    }

    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.by_id.get(id).map(|&i| &self.indicators[i])
    }

    /// The indicator for a source key (`sotkanet:191`), if the catalog has one.
    pub fn by_source_key(&self, key: &str) -> Option<&Indicator> {
        self.by_source.get(key).map(|&i| &self.indicators[i])
    }

    pub fn in_dimension(&self, dimension: Dimension) -> impl Iterator<Item = &Indicator> {
        self.indicators
            .iter()
            .filter(move |i| i.dimension == dimension)
    }
}

/// One located catalog problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProblem {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for CatalogProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{dir}: cannot read the catalog folder: {source}; set `catalog = \"…\"` in hyte.toml to the folder of indicator files")]
    Folder { dir: String, source: std::io::Error },
    #[error("{dir}: the catalog folder holds no *.toml file: add indicator files (see indicators/README.md)")]
    Empty { dir: String },
    #[error("the catalog has {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<CatalogProblem>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    indicator: Vec<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Option<Spanned<String>>,
    title: Option<Spanned<RawTitle>>,
    dimension: Option<Spanned<String>>,
    polarity: Option<Spanned<String>>,
    unit: Option<Spanned<String>>,
    decimals: Option<Spanned<i64>>,
    source: Option<Spanned<RawSource>>,
    service_level: Option<Spanned<String>>,
    unit_cost_eur: Option<Spanned<f64>>,
    min_n: Option<Spanned<f64>>,
    age_group: Option<String>,
    note: Option<String>,
    provenance: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTitle {
    fi: Option<String>,
    sv: Option<String>,
    en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    sotkanet: Option<u32>,
    cube: Option<String>,
    service: Option<String>,
    measure: Option<String>,
}

/// Reads every `*.toml` in `dir` (in name order).
pub fn load(dir: &Path) -> Result<Catalog, CatalogError> {
    let folder_error = |source| CatalogError::Folder {
        dir: dir.display().to_string(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(folder_error)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CatalogError::Empty {
            dir: dir.display().to_string(),
        });
    }
    let mut sources = Vec::new();
    let mut fingerprints = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(folder_error)?;
        fingerprints.push((path.clone(), crate::ingest::sha256_hex(text.as_bytes())));
        sources.push((path.display().to_string(), text));
    }
    let mut catalog = parse_files(&sources)?;
    catalog.files = fingerprints;
    Ok(catalog)
}

/// Parses catalog files given as (name, text), collecting every problem.
pub fn parse_files(files: &[(String, String)]) -> Result<Catalog, CatalogError> {
    let mut problems = Vec::new();
    let mut indicators: Vec<Indicator> = Vec::new();
    for (file, text) in files {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        match toml::from_str::<RawFile>(text) {
            Ok(raw) => {
                for entry in raw.indicator {
                    let mut problem = |offset: usize, message: String| {
                        problems.push(CatalogProblem {
                            file: file.clone(),
                            line: line_of(text, offset),
                            message,
                        })
                    };
                    if let Some(indicator) = check_indicator(&entry, file, text, &mut problem) {
                        indicators.push(indicator);
                    }
                }
            }
            Err(e) => problems.push(CatalogProblem {
                file: file.clone(),
                line: line_of(text, e.span().map_or(0, |s| s.start)),
                message: e.message().trim().to_string(),
            }),
        }
    }

    indicators.sort_by(|a, b| a.id.cmp(&b.id));
    let mut by_id = BTreeMap::new();
    let mut by_source: BTreeMap<String, usize> = BTreeMap::new();
    for (index, indicator) in indicators.iter().enumerate() {
        if let Some(&first) = by_id.get(&indicator.id) {
            let first: &Indicator = &indicators[first];
            problems.push(located(
                &indicator.defined_at,
                format!(
                    "id '{}' is already defined at {}: ids must be unique",
                    indicator.id, first.defined_at
                ),
            ));
            continue;
        }
        by_id.insert(indicator.id.clone(), index);
        let key = indicator.source.key();
        if let Some(&first) = by_source.get(&key) {
            let first = &indicators[first];
            problems.push(located(
                &indicator.defined_at,
                format!(
                    "source {key} is already mapped to '{}' at {}: each source belongs to one indicator",
                    first.id, first.defined_at
                ),
            ));
            continue;
        }
        by_source.insert(key, index);
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Err(CatalogError::Invalid(problems));
    }
    Ok(Catalog {
        indicators,
        by_id,
        by_source,
        files: Vec::new(),
    })
}

fn located(defined_at: &str, message: String) -> CatalogProblem {
    let (file, line) = defined_at.rsplit_once(':').unwrap_or((defined_at, "0"));
    CatalogProblem {
        file: file.to_string(),
        line: line.parse().unwrap_or(0),
        message,
    }
}

fn check_indicator(
    entry: &Spanned<RawIndicator>,
    file: &str,
    text: &str,
    problem: &mut dyn FnMut(usize, String),
) -> Option<Indicator> {
    let start = entry.span().start;
    let raw = entry.get_ref();
    let Some(id) = &raw.id else {
        problem(start, "an [[indicator]] has no id: add `id = \"…\"`".into());
        return None;
    };
    let id_text = id.get_ref();
    let mut ok = true;
    let mut fail = |offset: usize, message: String| {
        ok = false;
        problem(offset, message);
    };
    if id_text.is_empty()
        || !id_text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.'))
    {
        fail(
            id.span().start,
            format!("id '{id_text}' may contain only a-z, 0-9, '_' and '.'"),
        );
    }
    let title = title(&raw.title, id_text, start, &mut fail);
    let dimension: Option<Dimension> =
        required(&raw.dimension, "dimension", id_text, start, &mut fail);
    let polarity: Option<Polarity> = required(&raw.polarity, "polarity", id_text, start, &mut fail);
    let unit: Option<Unit> = required(&raw.unit, "unit", id_text, start, &mut fail);
    let service_level: Option<ServiceLevel> = raw.service_level.as_ref().and_then(|_| {
        required(
            &raw.service_level,
            "service_level",
            id_text,
            start,
            &mut fail,
        )
    });
    let decimals = decimals(&raw.decimals, id_text, start, &mut fail);
    let mut non_negative = |field: &Option<Spanned<f64>>, name: &str| -> Option<f64> {
        let v = field.as_ref()?;
        if v.get_ref().is_finite() && *v.get_ref() >= 0.0 {
            Some(*v.get_ref())
        } else {
            fail(
                v.span().start,
                format!("{name} for '{id_text}' must be a number ≥ 0"),
            );
            None
        }
    };
    let unit_cost_eur = non_negative(&raw.unit_cost_eur, "unit_cost_eur");
    let min_n = non_negative(&raw.min_n, "min_n");
    let source = source(&raw.source, id_text, start, &mut fail);
    if !ok {
        return None;
    }
    Some(Indicator {
        id: id_text.clone(),
        title: title?,
        dimension: dimension?,
        polarity: polarity?,
        unit: unit?,
        decimals: decimals?,
        source: source?,
        service_level,
        unit_cost_eur,
        min_n,
        age_group: raw.age_group.clone(),
        note: raw.note.clone(),
        provenance: raw.provenance.clone(),
        defined_at: format!("{file}:{}", line_of(text, start)),
    })
}

/// An indicator's title in fi, sv and en, or the problem.
fn title(
    raw: &Option<Spanned<RawTitle>>,
    id_text: &str,
    start: usize,
    fail: &mut impl FnMut(usize, String),
) -> Option<Localized> {
    match raw {
        None => {
            fail(start, format!("indicator '{id_text}' has no title: add `title = {{ fi = \"…\", sv = \"…\", en = \"…\" }}`"));
            None
        }
        Some(t) => {
            let get = |lang: &str, value: &Option<String>| {
                value
                    .clone()
                    .filter(|v| !v.trim().is_empty())
                    .ok_or(lang.to_string())
            };
            let r = t.get_ref();
            match (get("fi", &r.fi), get("sv", &r.sv), get("en", &r.en)) {
                (Ok(fi), Ok(sv), Ok(en)) => Some(Localized { fi, sv, en }),
                (a, b, c) => {
                    let missing: Vec<String> =
                        [a.err(), b.err(), c.err()].into_iter().flatten().collect();
                    fail(
                        t.span().start,
                        format!(
                        "indicator '{id_text}' has no title in {}: every title needs fi, sv and en",
                        missing.join(", ")
                    ),
                    );
                    None
                }
            }
        }
    }
}

/// Decimals 0 to 4, or the problem.
fn decimals(
    raw: &Option<Spanned<i64>>,
    id_text: &str,
    start: usize,
    fail: &mut impl FnMut(usize, String),
) -> Option<u8> {
    match raw {
        None => {
            fail(
                start,
                format!("indicator '{id_text}' has no decimals: add `decimals = 1` (0 to 4)"),
            );
            None
        }
        Some(d) if !(0..=4).contains(d.get_ref()) => {
            fail(
                d.span().start,
                format!(
                    "decimals {} for '{id_text}' is out of range: use 0 to 4",
                    d.get_ref()
                ),
            );
            None
        }
        Some(d) => u8::try_from(*d.get_ref()).ok(),
    }
}

/// Exactly one source: a Sotkanet id, a cube measure or a service measure.
fn source(
    raw: &Option<Spanned<RawSource>>,
    id_text: &str,
    start: usize,
    fail: &mut impl FnMut(usize, String),
) -> Option<Source> {
    match raw {
        None => {
            fail(start, format!("indicator '{id_text}' has no source: add `source = {{ sotkanet = ID }}`, `{{ cube = \"…\", measure = \"…\" }}` or `{{ service = \"…\", measure = \"…\" }}`"));
            None
        }
        Some(s) => {
            let r = s.get_ref();
            match (r.sotkanet, &r.cube, &r.service, &r.measure) {
                (Some(id), None, None, None) => Some(Source::Sotkanet(id)),
                (None, Some(cube), None, Some(measure)) => Some(Source::Cube {
                    cube: cube.clone(),
                    measure: measure.clone(),
                }),
                (None, None, Some(service), Some(measure)) => match parse_key::<Measure>(measure) {
                    Ok(measure) => Some(Source::Service {
                        service: service.clone(),
                        measure,
                    }),
                    Err(allowed) => {
                        fail(
                            s.span().start,
                            format!(
                                "service measure '{measure}' for '{id_text}' is unknown: {allowed}"
                            ),
                        );
                        None
                    }
                },
                _ => {
                    fail(s.span().start, format!("source of '{id_text}' must be exactly one of {{ sotkanet = ID }}, {{ cube = \"…\", measure = \"…\" }}, {{ service = \"…\", measure = \"…\" }}"));
                    None
                }
            }
        }
    }
}

// A required vocabulary field: its value parsed, or an error at its line
// that lists the allowed keys.
fn required<T: std::str::FromStr + strum::VariantNames>(
    field: &Option<Spanned<String>>,
    name: &str,
    id: &str,
    start: usize,
    fail: &mut impl FnMut(usize, String),
) -> Option<T> {
    match field {
        None => {
            fail(
                start,
                format!(
                    "indicator '{id}' has no {name}: add `{name} = \"…\"` (one of {})",
                    T::VARIANTS.join(", ")
                ),
            );
            None
        }
        Some(v) => match parse_key::<T>(v.get_ref()) {
            Ok(value) => Some(value),
            Err(allowed) => {
                fail(
                    v.span().start,
                    format!("unknown {name} '{}' for '{id}': {allowed}", v.get_ref()),
                );
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[indicator]]
id = "sotkanet.191"
title = { fi = "Sijoitetut", sv = "Placerade", en = "Placed" }
dimension = "care"
polarity = "higher_is_worse"
unit = "percent"
decimals = 1
source = { sotkanet = 191 }
service_level = "specialist"
"#;

    fn parse_one(text: &str) -> Result<Catalog, CatalogError> {
        parse_files(&[("indicators/a.toml".into(), text.into())])
    }

    fn problems(text: &str) -> Vec<String> {
        match parse_one(text) {
            Err(CatalogError::Invalid(p)) => p.iter().map(|p| p.to_string()).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn good_entry_parses_and_maps_its_source() {
        let catalog = parse_one(GOOD).unwrap();
        let indicator = catalog.by_source_key("sotkanet:191").unwrap();
        assert_eq!(indicator.id, "sotkanet.191");
        assert_eq!(indicator.dimension, Dimension::Care);
        assert_eq!(indicator.service_level, Some(ServiceLevel::Specialist));
        assert_eq!(indicator.defined_at, "indicators/a.toml:2");
    }

    #[test]
    fn unknown_dimension_names_file_line_and_choices() {
        let p = problems(&GOOD.replace("\"care\"", "\"wellbeing\""));
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("indicators/a.toml:5: unknown dimension 'wellbeing'"),
            "{}",
            p[0]
        );
        assert!(p[0].contains("equality, care, participation"), "{}", p[0]);
    }

    #[test]
    fn unknown_polarity_and_missing_title() {
        let text = GOOD.replace("higher_is_worse", "up").replace(
            "title = { fi = \"Sijoitetut\", sv = \"Placerade\", en = \"Placed\" }\n",
            "",
        );
        let p = problems(&text);
        assert!(p.iter().any(|m| m.contains("no title")), "{p:?}");
        assert!(
            p.iter().any(|m| m.contains("unknown polarity 'up'")),
            "{p:?}"
        );
    }

    #[test]
    fn empty_title_language_is_missing() {
        let p = problems(&GOOD.replace("sv = \"Placerade\"", "sv = \"\""));
        assert!(p[0].contains("no title in sv"), "{p:?}");
    }

    #[test]
    fn duplicate_id_names_both_places() {
        let other = GOOD.replace("sotkanet = 191", "sotkanet = 192");
        let err = parse_files(&[
            ("indicators/a.toml".into(), GOOD.into()),
            ("indicators/b.toml".into(), other),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(
                "indicators/b.toml:2: id 'sotkanet.191' is already defined at indicators/a.toml:2"
            ),
            "{err}"
        );
    }

    #[test]
    fn duplicate_source_is_an_error() {
        let other = GOOD.replace("sotkanet.191", "sotkanet.191b");
        let err = parse_one(&format!("{GOOD}{other}"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("source sotkanet:191 is already mapped"),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_is_located() {
        let p = problems(&GOOD.replace("decimals = 1", "decimals = 1\ncolour = \"red\""));
        assert!(p[0].starts_with("indicators/a.toml:"), "{p:?}");
        assert!(p[0].contains("colour"), "{p:?}");
    }

    #[test]
    fn ambiguous_source_is_rejected() {
        let p = problems(&GOOD.replace("{ sotkanet = 191 }", "{ sotkanet = 191, cube = \"ktk\" }"));
        assert!(p[0].contains("exactly one of"), "{p:?}");
    }
}
