//! Validate: observations checked against the catalog and the config.
//!
//! In: what ingest read, the catalog and the config. Out: [`Validated`]:
//! observations whose `indicator` is a catalog id (or, for data the catalog
//! does not know, the source key, with a warning), sorted by the table's
//! total order, plus every rejection and warning. Guarantees: data of an
//! unknown indicator is never silently dropped (kept and warned about, or
//! rejected and counted under `--deny-warnings`); the same cell from two
//! files is rejected naming both sources; impossible values (a percentage
//! over 100, confidence limits that do not bracket the value, a negative n)
//! are rejected with the row's location; where Sotkanet's indicator
//! metadata is an input, a catalog unit or decimals that disagree with it,
//! and a series that ended before the latest year of the run's Sotkanet
//! data, are warnings.

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::ingest::sotkanet_metadata::{self, Finding, IndicatorMetadata};
use crate::ingest::{Ingested, PopulationRow, Rejection};
use crate::observation::{sort_rows, Observation};
use crate::period::Period;

/// Data whose source the catalog does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSource {
    pub source_key: String,
    pub rows: usize,
    /// The first place it was seen.
    pub first_seen: String,
}

#[derive(Debug, Default)]
pub struct Validated {
    pub observations: Vec<Observation>,
    pub population: Vec<PopulationRow>,
    pub rejections: Vec<Rejection>,
    pub unknown_sources: Vec<UnknownSource>,
    /// Sotkanet indicator metadata read from `sotkanet-metadata` inputs.
    pub metadata: Vec<IndicatorMetadata>,
    /// Where the catalog disagrees with that metadata, or a series ended.
    pub metadata_findings: Vec<Finding>,
    /// Rows whose area is not declared in the config: kept in the table,
    /// left out of area reports. Area key -> rows.
    pub outside_areas: BTreeMap<String, usize>,
    /// Rows later than `--period`, left out of this run.
    pub after_as_of: usize,
}

impl Validated {
    pub fn warnings(&self) -> usize {
        self.unknown_sources.len() + self.metadata_findings.len()
    }
}

/// The end of a period in decimal years: a year ends at Y + 1.
fn period_end(period: Period) -> f64 {
    match period {
        Period::Year(y) => f64::from(y) + 1.0,
        Period::Quarter(..) => period.decimal_time() + 0.25,
    }
}

pub fn validate(ingested: Ingested, catalog: &Catalog, config: &Config) -> Validated {
    let mut out = Validated {
        population: ingested.population,
        metadata: ingested.metadata,
        ..Validated::default()
    };
    let mut unknown: BTreeMap<String, UnknownSource> = BTreeMap::new();
    let mut rows = Vec::with_capacity(ingested.observations.len());
    for mut row in ingested.observations {
        if let Some(as_of) = config.as_of {
            if period_end(row.period) > period_end(as_of) {
                out.after_as_of += 1;
                continue;
            }
        }
        let indicator = catalog
            .get(&row.indicator)
            .or_else(|| catalog.by_source_key(&row.indicator));
        match indicator {
            Some(indicator) => {
                if let Err((field, reason)) = check_values(&row, &indicator.unit) {
                    out.rejections.push(Rejection {
                        location: row.source.clone(),
                        field: field.into(),
                        reason,
                    });
                    continue;
                }
                row.indicator = indicator.id.clone();
            }
            None => {
                let entry = unknown
                    .entry(row.indicator.clone())
                    .or_insert_with(|| UnknownSource {
                        source_key: row.indicator.clone(),
                        rows: 0,
                        first_seen: row.source.clone(),
                    });
                entry.rows += 1;
                if config.deny_warnings {
                    out.rejections.push(Rejection {
                        location: row.source.clone(),
                        field: "indicator".into(),
                        reason: format!(
                            "source {} is not in the catalog (rejected under --deny-warnings): add an indicator with this source to indicators/",
                            row.indicator
                        ),
                    });
                    continue;
                }
            }
        }
        if config.area(&row.area).is_none() {
            *out.outside_areas.entry(row.area.clone()).or_default() += 1;
        }
        rows.push(row);
    }
    sort_rows(&mut rows);
    // Rows are sorted by key, then source: the first of equal keys is kept
    // and each later one rejected naming it.
    let mut kept: Vec<Observation> = Vec::with_capacity(rows.len());
    for row in rows {
        match kept.last() {
            Some(previous) if previous.key() == row.key() => out.rejections.push(Rejection {
                location: row.source.clone(),
                field: "row".into(),
                reason: format!(
                    "{} {} {} {} {} is also given by {}: two sources for one cell; remove one input or one row",
                    row.indicator, row.area, row.period, row.sex, row.group, previous.source
                ),
            }),
            _ => kept.push(row),
        }
    }
    out.observations = kept;
    out.unknown_sources = unknown.into_values().collect();
    // A series has ended when other Sotkanet series of this run go on past
    // it: local and survey data are often a year ahead of Sotkanet's.
    let latest_sotkanet_year = out
        .observations
        .iter()
        .filter(|o| {
            catalog
                .get(&o.indicator)
                .is_some_and(|i| matches!(i.source, crate::catalog::Source::Sotkanet(_)))
        })
        .map(|o| o.period.year())
        .max();
    out.metadata_findings = sotkanet_metadata::check(&out.metadata, catalog, latest_sotkanet_year);
    if config.deny_warnings {
        // Under --deny-warnings a finding fails the run like rejected input.
        out.rejections
            .extend(out.metadata_findings.iter().map(|f| Rejection {
                location: f.location.clone(),
                field: "catalog".into(),
                reason: format!(
                    "{}: {} (rejected under --deny-warnings)",
                    f.indicator, f.message
                ),
            }));
    }
    out
}

/// Checks values that cannot be right whatever the source.
fn check_values(row: &Observation, unit: &str) -> Result<(), (&'static str, String)> {
    if unit == "percent" {
        for (field, value) in [
            ("value", row.value),
            ("ci_lower", row.ci_lower),
            ("ci_upper", row.ci_upper),
        ] {
            if let Some(v) = value {
                if !(0.0..=100.0).contains(&v) {
                    return Err((field, format!("{v} is not a percentage between 0 and 100")));
                }
            }
        }
    }
    if let (Some(lower), Some(upper)) = (row.ci_lower, row.ci_upper) {
        if lower > upper {
            return Err((
                "ci_lower",
                format!("lower limit {lower} is above upper limit {upper}"),
            ));
        }
    }
    if let Some(v) = row.value {
        if row.ci_lower.is_some_and(|l| l > v) || row.ci_upper.is_some_and(|u| u < v) {
            return Err(("value", format!("{v} lies outside its confidence limits")));
        }
    }
    for (field, value) in [("n", row.n), ("count", row.count)] {
        if value.is_some_and(|v| v < 0.0) {
            return Err((field, format!("{} is negative", value.unwrap_or_default())));
        }
    }
    Ok(())
}
