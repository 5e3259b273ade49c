//! Derived totals: the yearly and city-wide sums of the service counts.
//!
//! In: the validated observation table, the catalog and the configured
//! areas. Out: new observations for every service indicator (a count or
//! euro sum): each area's calendar-year sum of its four quarters, and each
//! municipality's sum over its school areas per quarter and per year.
//! Guarantees: a total with an unpublished part has no value (never a
//! partial sum); a total the inputs already have is never derived again;
//! the totals are not yet protected: the privacy stage judges them with
//! the cells they sum (they share their lines), before the shift stage
//! publishes them.

use std::collections::BTreeMap;

use crate::catalog::{Catalog, Source};
use crate::domain::{Area, AreaKind};
use crate::observation::{Observation, Sex, TextCellKey};
use crate::period::Period;
use crate::table::ObservationTable;

/// The totals of the service counts in the table.
pub fn derive(table: &ObservationTable, catalog: &Catalog, areas: &[Area]) -> Vec<Observation> {
    let service_sums = table.indicators.per_code(|id| is_service_sum(catalog, id));
    let rows = table.rows_where(|row| service_sums[table.columns.indicator[row] as usize]);
    derive_totals(&rows, catalog, areas)
}

/// A service indicator whose cells add up (a count or a euro sum).
fn is_service_sum(catalog: &Catalog, id: &str) -> bool {
    catalog
        .get(id)
        .is_some_and(|i| matches!(i.source, Source::Service { .. }) && i.unit.is_additive())
}

/// Totals that the shift stage publishes, made from the raw rows so that
/// privacy can judge them like any other cell: for every service indicator
/// (a count or euro sum), each area's calendar-year sum of its four
/// quarters, and each municipality's sum over its school areas per quarter
/// and per year. A total with an unpublished part has no value. Rows are
/// sorted; their source says what they sum.
pub fn derive_totals(
    observations: &[Observation],
    catalog: &Catalog,
    areas: &[Area],
) -> Vec<Observation> {
    let is_service_sum = |id: &str| is_service_sum(catalog, id);
    let sum = |parts: &[&Observation]| -> Option<f64> { parts.iter().map(|o| o.value).sum() };
    let derived_row =
        |template: &Observation, area: &str, period: Period, value: Option<f64>, source: String| {
            Observation {
                indicator: template.indicator.clone(),
                area: area.to_string(),
                period,
                sex: template.sex,
                group: template.group.clone(),
                value,
                count: value,
                n: None,
                ci_lower: None,
                ci_upper: None,
                source,
            }
        };
    // (indicator, area, sex, group) -> quarter rows.
    let mut quarterly: BTreeMap<(&str, &str, Sex, &str), BTreeMap<Period, &Observation>> =
        BTreeMap::new();
    for o in observations
        .iter()
        .filter(|o| o.period.is_quarter() && is_service_sum(&o.indicator))
    {
        quarterly
            .entry((&o.indicator, &o.area, o.sex, &o.group))
            .or_default()
            .insert(o.period, o);
    }
    // Rows the inputs already have are never derived a second time.
    let existing: std::collections::HashSet<TextCellKey> =
        observations.iter().map(Observation::key).collect();
    let mut out = Vec::new();
    // City-wide quarters first, so that their years are summed below too.
    let mut city_quarters: Vec<Observation> = Vec::new();
    for city in areas.iter().filter(|a| a.kind == AreaKind::Municipality) {
        let children: Vec<&str> = areas
            .iter()
            .filter(|a| {
                a.kind == AreaKind::SchoolArea && a.parent.as_deref() == Some(city.key.as_str())
            })
            .map(|a| a.key.as_str())
            .collect();
        if children.is_empty() {
            continue;
        }
        let series: BTreeMap<(&str, Sex, &str), BTreeMap<Period, Vec<&Observation>>> = quarterly
            .iter()
            .filter(|((_, area, ..), _)| children.contains(area))
            .fold(
                BTreeMap::new(),
                |mut map, ((indicator, _, sex, group), rows)| {
                    let entry: &mut BTreeMap<Period, Vec<&Observation>> =
                        map.entry((*indicator, *sex, *group)).or_default();
                    for (period, row) in rows {
                        entry.entry(*period).or_default().push(row);
                    }
                    map
                },
            );
        for ((_, _, _), by_period) in series {
            for (period, parts) in by_period {
                // Only a quarter every school area reported has a city total.
                let key = (
                    parts[0].indicator.as_str(),
                    city.key.as_str(),
                    period,
                    parts[0].sex,
                    parts[0].group.as_str(),
                );
                if parts.len() == children.len() && !existing.contains(&key) {
                    city_quarters.push(derived_row(
                        parts[0],
                        &city.key,
                        period,
                        sum(&parts),
                        format!("derived: {} = sum of its school areas", city.key),
                    ));
                }
            }
        }
    }
    for o in &city_quarters {
        quarterly
            .entry((&o.indicator, &o.area, o.sex, &o.group))
            .or_default()
            .insert(o.period, o);
    }
    for ((_, area, _, _), rows) in &quarterly {
        let years: std::collections::BTreeSet<i32> = rows.keys().map(|p| p.year()).collect();
        for year in years {
            let parts: Vec<&Observation> = (1..=4)
                .filter_map(|q| rows.get(&Period::Quarter(year, q)).copied())
                .collect();
            if parts.len() == 4
                && !existing.contains(&(
                    parts[0].indicator.as_str(),
                    *area,
                    Period::Year(year),
                    parts[0].sex,
                    parts[0].group.as_str(),
                ))
            {
                out.push(derived_row(
                    parts[0],
                    area,
                    Period::Year(year),
                    sum(&parts),
                    format!("derived: {year} = sum of {year}Q1–Q4"),
                ));
            }
        }
    }
    out.extend(city_quarters);
    crate::observation::sort_rows(&mut out);
    out
}
