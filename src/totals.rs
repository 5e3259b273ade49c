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

use std::collections::{BTreeMap, BTreeSet, HashSet};

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
    let mut quarterly = quarterly_rows(observations, catalog);
    // Rows the inputs already have are never derived a second time.
    let existing: HashSet<TextCellKey> = observations.iter().map(Observation::key).collect();
    // City-wide quarters first, so that their years are summed below too.
    let mut city_quarters: Vec<Observation> = Vec::new();
    for city in areas.iter().filter(|a| a.kind == AreaKind::Municipality) {
        city_quarters.extend(city_quarter_totals(city, areas, &quarterly, &existing));
    }
    for o in &city_quarters {
        quarterly
            .entry((&o.indicator, &o.area, o.sex, &o.group))
            .or_default()
            .insert(o.period, o);
    }
    let mut out = year_totals(&quarterly, &existing);
    out.extend(city_quarters);
    crate::observation::sort_rows(&mut out);
    out
}

/// The quarter rows of one series: (indicator, area, sex, group) ->
/// period -> row.
type Quarterly<'a> = BTreeMap<(&'a str, &'a str, Sex, &'a str), BTreeMap<Period, &'a Observation>>;

/// The quarter rows of the service sums, by series.
fn quarterly_rows<'a>(observations: &'a [Observation], catalog: &Catalog) -> Quarterly<'a> {
    let mut quarterly: Quarterly = BTreeMap::new();
    for o in observations
        .iter()
        .filter(|o| o.period.is_quarter() && is_service_sum(catalog, &o.indicator))
    {
        quarterly
            .entry((&o.indicator, &o.area, o.sex, &o.group))
            .or_default()
            .insert(o.period, o);
    }
    quarterly
}

/// One municipality's quarters summed over its school areas, for every
/// (indicator, sex, group) and quarter that each school area reported and
/// the inputs do not already have; none when it has no school areas.
fn city_quarter_totals(
    city: &Area,
    areas: &[Area],
    quarterly: &Quarterly,
    existing: &HashSet<TextCellKey>,
) -> Vec<Observation> {
    let mut out = Vec::new();
    let children: Vec<&str> = areas
        .iter()
        .filter(|a| {
            a.kind == AreaKind::SchoolArea && a.parent.as_deref() == Some(city.key.as_str())
        })
        .map(|a| a.key.as_str())
        .collect();
    if children.is_empty() {
        return out;
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
                out.push(derived_row(
                    parts[0],
                    &city.key,
                    period,
                    sum(&parts),
                    format!("derived: {} = sum of its school areas", city.key),
                ));
            }
        }
    }
    out
}

/// Every series' calendar-year sums of its four quarters, for the years
/// with all four quarters that the inputs do not already have.
fn year_totals(quarterly: &Quarterly, existing: &HashSet<TextCellKey>) -> Vec<Observation> {
    let mut out = Vec::new();
    for ((_, area, _, _), rows) in quarterly {
        let years: BTreeSet<i32> = rows.keys().map(|p| p.year()).collect();
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
    out
}

/// The sum of the parts' values; none when a part has none.
fn sum(parts: &[&Observation]) -> Option<f64> {
    parts.iter().map(|o| o.value).sum()
}

/// A derived total of the template's series (indicator, sex, group) for
/// this area and period; its count is its value.
fn derived_row(
    template: &Observation,
    area: &str,
    period: Period,
    value: Option<f64>,
    source: String,
) -> Observation {
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
}
