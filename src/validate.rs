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

use crate::catalog::{Catalog, Indicator, Source, Unit};
use crate::config::Config;
use crate::ingest::sotkanet_metadata::{self, Finding, IndicatorMetadata};
use crate::ingest::{Ingested, PopulationRow, Rejection};
use crate::period::Period;
use crate::table::{ObservationTable, RowNumbers, SourceRef};

/// The largest count or n accepted.
const MAX_COUNT: f64 = 1e9;

/// Data whose source the catalog does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSource {
    pub source_key: String,
    pub rows: usize,
    /// The first place it was seen (in table order).
    pub first_seen: String,
}

#[derive(Debug, Default)]
pub struct Validated {
    /// The accepted observations, sorted; indicators are catalog ids.
    pub table: ObservationTable,
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

/// Checks every row. Work that depends only on a key (which catalog entry
/// a source key is, whether an area is configured) is done once per
/// distinct key, not once per row.
pub fn validate(ingested: Ingested, catalog: &Catalog, config: &Config) -> Validated {
    let mut out = Validated {
        population: ingested.population,
        metadata: ingested.metadata,
        ..Validated::default()
    };
    let mut table = ingested.table;
    let known = table
        .indicators
        .per_code(|key| catalog.get(key).or_else(|| catalog.by_source_key(key)));
    let keep = screen_rows(&table, &known, config, &mut out);
    table.retain(&keep);
    let ids: Vec<String> = table
        .indicators
        .texts()
        .iter()
        .zip(&known)
        .map(|(key, indicator)| indicator.map_or_else(|| key.clone(), |i| i.id.clone()))
        .collect();
    table.rename_indicators(&ids);
    let keep = reject_duplicates(&table, &mut out.rejections);
    table.retain(&keep);

    let latest_sotkanet_year = latest_sotkanet_year(&table, catalog);
    out.table = table;
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

/// The first pass over the rows (indicators still source keys): which rows
/// to keep. Rows after `--period` are counted and dropped; rows of a known
/// indicator with impossible values are rejected; data the catalog does
/// not know is counted per source key, and rejected under
/// `--deny-warnings`; kept rows of an area the config does not declare
/// are counted. Fills `out`'s counts, rejections, unknown sources and
/// outside areas.
fn screen_rows(
    table: &ObservationTable,
    known: &[Option<&Indicator>],
    config: &Config,
    out: &mut Validated,
) -> Vec<bool> {
    let configured = table.areas.per_code(|key| config.area(key).is_some());
    let mut unknown: BTreeMap<u32, (usize, SourceRef)> = BTreeMap::new();
    let mut outside: BTreeMap<u32, usize> = BTreeMap::new();
    let mut keep = vec![true; table.len()];
    let as_of_end = config.as_of.map(period_end);
    for (row, keep) in keep.iter_mut().enumerate() {
        if as_of_end.is_some_and(|end| period_end(table.columns.period[row]) > end) {
            out.after_as_of += 1;
            *keep = false;
            continue;
        }
        let code = table.columns.indicator[row];
        let rejection =
            match known[code as usize] {
                Some(indicator) => check_values(&table.numbers(row), indicator.unit).err().map(
                    |(field, reason)| Rejection {
                        location: table.source(row),
                        field: field.into(),
                        reason,
                    },
                ),
                None => {
                    // The first place: the lowest line of the first file (rows
                    // are in table order, not file order).
                    let here = table.columns.source[row];
                    let entry = unknown.entry(code).or_insert((0, here));
                    entry.0 += 1;
                    entry.1 = entry.1.min(here);
                    config
                        .deny_warnings
                        .then(|| unknown_source_rejection(table, row, code))
                }
            };
        if let Some(rejection) = rejection {
            out.rejections.push(rejection);
            *keep = false;
            continue;
        }
        let area = table.columns.area[row];
        if !configured[area as usize] {
            *outside.entry(area).or_default() += 1;
        }
    }
    out.outside_areas = outside
        .into_iter()
        .map(|(code, rows)| (table.areas.text(code).to_string(), rows))
        .collect();
    out.unknown_sources = unknown
        .into_iter()
        .map(|(code, (rows, first))| UnknownSource {
            source_key: table.indicators.text(code).to_string(),
            rows,
            first_seen: table.source_text(first),
        })
        .collect();
    keep
}

/// The rejection of a row whose source key (indicator code `code`) the
/// catalog does not know, under `--deny-warnings`.
fn unknown_source_rejection(table: &ObservationTable, row: usize, code: u32) -> Rejection {
    Rejection {
        location: table.source(row),
        field: "indicator".into(),
        reason: format!(
            "source {} is not in the catalog (rejected under --deny-warnings): add an indicator with this source to indicators/",
            table.indicators.text(code)
        ),
    }
}

/// Which rows to keep of the same cell given twice. Rows are sorted by
/// key, then source: the first of equal keys is kept and each later one
/// rejected naming it (as a duplicate within one file, or as a second
/// source for the cell).
fn reject_duplicates(table: &ObservationTable, rejections: &mut Vec<Rejection>) -> Vec<bool> {
    let mut keep = vec![true; table.len()];
    for run in table.runs(|row| table.key(row)) {
        let first = run.start;
        for row in run.skip(1) {
            keep[row] = false;
            let (here, there) = (table.columns.source[row], table.columns.source[first]);
            let reason = if here.file == there.file {
                format!(
                    "duplicate of {} (same indicator, area, period, sex and group): remove one of them",
                    table.source(first)
                )
            } else {
                format!(
                    "{} {} {} {} {} is also given by {}: two sources for one cell; remove one input or one row",
                    table.indicator(row),
                    table.area(row),
                    table.columns.period[row],
                    table.columns.sex[row],
                    table.group(row),
                    table.source(first)
                )
            };
            rejections.push(Rejection {
                location: table.source(row),
                field: "row".into(),
                reason,
            });
        }
    }
    keep
}

/// The latest year of the table's Sotkanet data. A series has ended when
/// other Sotkanet series of this run go on past it: local and survey data
/// are often a year ahead of Sotkanet's.
fn latest_sotkanet_year(table: &ObservationTable, catalog: &Catalog) -> Option<i32> {
    let is_sotkanet = table.indicators.per_code(|id| {
        catalog
            .get(id)
            .is_some_and(|i| matches!(i.source, Source::Sotkanet(_)))
    });
    (0..table.len())
        .filter(|&row| is_sotkanet[table.columns.indicator[row] as usize])
        .map(|row| table.columns.period[row].year())
        .max()
}

/// Checks values that cannot be right whatever the source.
fn check_values(row: &RowNumbers, unit: Unit) -> Result<(), (&'static str, String)> {
    if unit == Unit::Percent {
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
        // A count or n beyond any population (Finland has 5.6 million
        // people) is a broken file; past 2^53 it would not even be exact.
        if value.is_some_and(|v| v > MAX_COUNT) {
            return Err((
                field,
                format!(
                    "{} is more than {MAX_COUNT:.0}, beyond any population: check the file",
                    value.unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}
