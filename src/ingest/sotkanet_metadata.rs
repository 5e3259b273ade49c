//! Sotkanet indicator metadata (`/indicators/{id}`): what THL says an
//! indicator is, used to check the catalog and to cite the source.
//!
//! In: the JSON Sotkanet serves at `https://sotkanet.fi/rest/1.1/indicators/{id}`
//! (one object), a JSON array of such objects (one download per indicator,
//! collected), or a collecting script's `{"indicators": {"ID": {…}, …}}`
//! wrapper (the shape of the real 2025 sample in `tests/fixtures/reference/`).
//! Fields read: `id`, `title{fi,sv,en}`, `primaryValueType.code` (`PROS`,
//! `PER1000`, `PER100000`, …), `decimals`, `range{start,end}`,
//! `data-updated`, `organization.title`. Texts may contain HTML; only
//! titles are kept, and they are shown escaped.
//! Out: one [`IndicatorMetadata`] per indicator, and [`check`]: findings
//! where the catalog disagrees with THL (unit, decimals) or a series has
//! ended before the run's latest period.
//! Guarantees: an object without a numeric `id` is rejected with its JSON
//! path; a missing optional field is simply unknown, never a default.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{FileError, Parsed};
use crate::catalog::{Catalog, Source, Unit};
use crate::text::{decode_utf8, excerpt};

/// What Sotkanet says about one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorMetadata {
    pub id: u32,
    /// Title by language (`fi`, `sv`, `en`).
    pub title: BTreeMap<String, String>,
    /// `primaryValueType.code`: `PROS`, `PER1000`, `PER100000`, …
    pub value_type: Option<String>,
    pub decimals: Option<u8>,
    /// First and last year with data.
    pub range: Option<(i32, i32)>,
    /// `data-updated`, as Sotkanet writes it (`2025-04-29`).
    pub data_updated: Option<String>,
    /// The producer's name by language.
    pub organization: BTreeMap<String, String>,
    /// `file#json.path` of the object.
    pub source: String,
}

/// The public page of an indicator's metadata, in a report language.
pub fn public_page(id: u32, language: &str) -> String {
    format!("https://sotkanet.fi/sotkanet/{language}/metadata/indicators/{id}")
}

/// The catalog unit a Sotkanet primary value type corresponds to.
fn unit_of(value_type: &str) -> Option<Unit> {
    match value_type {
        "PROS" => Some(Unit::Percent),
        "PER1000" => Some(Unit::Per1000),
        "PER100000" => Some(Unit::Per100000),
        "LKM" | "HLO" => Some(Unit::Count),
        "EUR" | "EUROA" => Some(Unit::Euro),
        _ => None,
    }
}

/// Reads Sotkanet indicator metadata: one object, a list of them or the
/// `{"indicators": {…}}` wrapper; an object without a numeric id is
/// rejected.
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed<IndicatorMetadata>, FileError> {
    let text = decode_utf8(bytes).map_err(|e| FileError::new(file, e))?;
    let root: Value = serde_json::from_str(text).map_err(|e| {
        FileError::new(
            format!("{file}:{}", e.line()),
            format!("not valid JSON ({e}); download /indicators/{{id}} again"),
        )
    })?;
    let mut parsed = Parsed::default();
    for (path, item) in items_of(&root, file)? {
        parsed.read += 1;
        let location = format!("{file}#{path}");
        let Some(id) = item
            .get("id")
            .and_then(Value::as_u64)
            .and_then(|i| u32::try_from(i).ok())
        else {
            parsed.reject(
                location,
                "id",
                "no numeric indicator id: is this Sotkanet's /indicators/{id}?",
            );
            continue;
        };
        parsed.rows.push(metadata(item, id, location));
    }
    Ok(parsed)
}

/// The indicator objects of the file's three shapes, each with its JSON
/// path; `Err` for any other shape.
fn items_of<'v>(root: &'v Value, file: &str) -> Result<Vec<(String, &'v Value)>, FileError> {
    match root {
        Value::Array(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("$[{i}]"), v))
            .collect()),
        Value::Object(map) if map.contains_key("id") => Ok(vec![("$".into(), root)]),
        Value::Object(map) => match map.get("indicators") {
            Some(Value::Object(inner)) => Ok(inner
                .iter()
                .map(|(k, v)| (format!("$.indicators[\"{}\"]", excerpt(k)), v))
                .collect()),
            _ => Err(FileError::new(
                format!("{file}#$"),
                "expected Sotkanet's /indicators/{id} object (with `id`), a list of them, or `{\"indicators\": {…}}`",
            )),
        },
        _ => Err(FileError::new(
            format!("{file}#$"),
            "expected a JSON object or list of Sotkanet indicator metadata",
        )),
    }
}

/// The metadata of one indicator object whose id has been read.
fn metadata(item: &Value, id: u32, location: String) -> IndicatorMetadata {
    let year = |name: &str| -> Option<i32> {
        item.get("range")?
            .get(name)?
            .as_i64()
            .and_then(|y| i32::try_from(y).ok())
    };
    IndicatorMetadata {
        id,
        title: texts(item.get("title")),
        value_type: item
            .get("primaryValueType")
            .and_then(|t| t.get("code"))
            .and_then(Value::as_str)
            .map(str::to_string),
        decimals: item
            .get("decimals")
            .and_then(Value::as_u64)
            .and_then(|d| u8::try_from(d).ok()),
        range: year("start").zip(year("end")),
        data_updated: item
            .get("data-updated")
            .and_then(Value::as_str)
            .map(str::to_string),
        organization: texts(item.get("organization").and_then(|o| o.get("title"))),
        source: location,
    }
}

/// A `{language: text}` object's texts, trimmed; empty when it is not one.
fn texts(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(lang, t)| Some((lang.clone(), t.as_str()?.trim().to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Where the catalog and Sotkanet's metadata disagree, or a series ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Catalog id of the indicator.
    pub indicator: String,
    /// Where the metadata came from (`file#path`).
    pub location: String,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.indicator, self.message)
    }
}

/// Checks every catalog indicator with a Sotkanet source against its
/// metadata: unit against `primaryValueType`, decimals, and whether the
/// series ended before `latest_year` (the latest year of the run's
/// Sotkanet data).
pub fn check(
    metadata: &[IndicatorMetadata],
    catalog: &Catalog,
    latest_year: Option<i32>,
) -> Vec<Finding> {
    let by_id: BTreeMap<u32, &IndicatorMetadata> = metadata.iter().map(|m| (m.id, m)).collect();
    let mut out = Vec::new();
    for indicator in &catalog.indicators {
        let Source::Sotkanet(id) = indicator.source else {
            continue;
        };
        let Some(meta) = by_id.get(&id) else {
            continue;
        };
        let mut finding = |message: String| {
            out.push(Finding {
                indicator: indicator.id.clone(),
                location: meta.source.clone(),
                message,
            })
        };
        if let Some(value_type) = &meta.value_type {
            match unit_of(value_type) {
                Some(unit) if unit != indicator.unit => finding(format!(
                    "Sotkanet's primary value type of indicator {id} is {value_type} ({}) but the catalog ({}) says unit = \"{}\": fix the catalog entry",
                    unit.key(), indicator.defined_at, indicator.unit.key()
                )),
                Some(_) => {}
                None => finding(format!(
                    "Sotkanet's primary value type of indicator {id} is {} , which hyte does not know: check the catalog's unit = \"{}\" by hand",
                    excerpt(value_type),
                    indicator.unit.key()
                )),
            }
        }
        if let Some(decimals) = meta.decimals {
            if decimals != indicator.decimals {
                finding(format!(
                    "Sotkanet publishes indicator {id} with {decimals} decimals but the catalog ({}) says decimals = {}: fix the catalog entry",
                    indicator.defined_at, indicator.decimals
                ));
            }
        }
        if let (Some((_, end)), Some(latest)) = (meta.range, latest_year) {
            if end < latest {
                finding(format!(
                    "Sotkanet's series of indicator {id} ends in {end}, before {latest}, the latest year of this run's Sotkanet data: the indicator may have been discontinued or renumbered; look for its successor"
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::parse_files;

    const REAL: &str = include_str!("../../tests/fixtures/reference/indicators_metadata_2025.json");

    #[test]
    fn reads_the_real_2025_sample() {
        let parsed = parse(REAL.as_bytes(), "meta.json").unwrap();
        assert!(parsed.rejections.is_empty());
        let ids: Vec<u32> = parsed.rows.iter().map(|m| m.id).collect();
        assert_eq!(ids, vec![186, 322, 5527]);
        let pct = &parsed.rows[2];
        assert_eq!(pct.value_type.as_deref(), Some("PROS"));
        assert_eq!((pct.decimals, pct.range), (Some(1), Some((2020, 2024))));
        assert_eq!(pct.data_updated.as_deref(), Some("2025-05-14"));
        assert_eq!(
            pct.organization.get("en").map(String::as_str),
            Some("Finnish institute for Health and Welfare (THL)")
        );
        assert_eq!(pct.source, "meta.json#$.indicators[\"5527\"]");
        assert_eq!(
            public_page(5527, "fi"),
            "https://sotkanet.fi/sotkanet/fi/metadata/indicators/5527"
        );
    }

    #[test]
    fn one_object_and_a_list_are_read_too() {
        let one = r#"{"id": 191, "primaryValueType": {"code": "PROS"}, "decimals": 1}"#;
        assert_eq!(parse(one.as_bytes(), "m.json").unwrap().rows[0].id, 191);
        let list = r#"[{"id": 191}, {"title": {"fi": "x"}}]"#;
        let parsed = parse(list.as_bytes(), "m.json").unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rejections[0].location, "m.json#$[1]");
    }

    #[test]
    fn flags_a_wrong_unit_wrong_decimals_and_an_ended_series() {
        let catalog = parse_files(&[(
            "s.toml".into(),
            r#"
[[indicator]]
id = "sotkanet.5527"
title = { fi = "A", sv = "A", en = "A" }
dimension = "health"
polarity = "higher_is_worse"
unit = "per_1000"
decimals = 2
source = { sotkanet = 5527 }

[[indicator]]
id = "sotkanet.186"
title = { fi = "B", sv = "B", en = "B" }
dimension = "health"
polarity = "higher_is_worse"
unit = "per_100000"
decimals = 1
source = { sotkanet = 186 }
"#
            .into(),
        )])
        .unwrap();
        let metadata = parse(REAL.as_bytes(), "meta.json").unwrap().rows;
        let findings: Vec<String> = check(&metadata, &catalog, Some(2025))
            .iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(findings.len(), 4, "{findings:#?}");
        assert!(
            findings.iter().any(|f| f.contains("sotkanet.5527")
                && f.contains("PROS (percent)")
                && f.contains("unit = \"per_1000\"")),
            "{findings:#?}"
        );
        assert!(
            findings
                .iter()
                .any(|f| f.contains("sotkanet.5527") && f.contains("1 decimals")),
            "{findings:#?}"
        );
        assert!(
            findings
                .iter()
                .any(|f| f.contains("sotkanet.186") && f.contains("ends in 2024")),
            "{findings:#?}"
        );
        // In 2024 neither series has ended; 186's unit and decimals agree.
        let findings = check(&metadata, &catalog, Some(2024));
        assert_eq!(findings.len(), 2, "{findings:#?}");
    }
}
