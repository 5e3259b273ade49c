//! Comparisons: where an area stands among all municipalities, and how it
//! compares with its peer groups.
//!
//! In: the protected observation table (every area the inputs have, not
//! only the configured ones), the trends and the config's areas of interest
//! and `[[comparison_group]]`s. Out: a [`Rank`] for every municipality
//! series (stored in its [`SeriesTrend`]) and one [`GroupComparison`] per
//! series of an area of interest and comparison group. Guarantees:
//!
//! * a rank compares the series' latest published value with the published
//!   values of every municipality (area key `kunta.*`) for the same
//!   indicator, sex, group and period; rank 1 is the highest value, ties
//!   share the best rank, `of` is the number of municipalities with a
//!   value; percentile = 100 × (municipalities with a lower value) /
//!   (`of` − 1), so 100 is the highest and 0 the lowest value (none when the
//!   municipality is alone). Whether high is good is the indicator's
//!   polarity: the rank does not judge;
//! * a group mean is the plain mean of the members' published values for
//!   that period, the compared area itself left out; a member without a
//!   published value is left out and the count says how many were used;
//!   unpublished never counts as zero;
//! * the result depends only on the table's contents (sorted), not on the
//!   thread count.

use rayon::prelude::*;

use crate::config::Config;
use crate::observation::Sex;
use crate::period::Period;
use crate::table::ObservationTable;
use crate::trends::{SeriesTrend, Trends};

/// Area keys of municipalities start with this (Sotkanet's KUNTA regions,
/// THL cubes' `kunta` stage).
pub const MUNICIPALITY_PREFIX: &str = "kunta.";

/// Where a municipality's latest value stands among all municipalities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rank {
    pub period: Period,
    /// 1 = the highest value.
    pub rank: u32,
    /// Municipalities with a published value for this period.
    pub of: u32,
    /// Share of the other municipalities with a lower value, in percent.
    pub percentile: Option<f64>,
}

/// An area's latest value against a comparison group's mean.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupComparison {
    pub indicator: String,
    pub area: String,
    pub sex: Sex,
    pub group: String,
    pub period: Period,
    pub value: f64,
    pub comparison_group: String,
    /// Mean of the members' published values (the area itself left out).
    pub group_mean: Option<f64>,
    /// Members whose value entered the mean.
    pub members_with_data: usize,
    /// value − group mean.
    pub gap: Option<f64>,
}

/// One published municipality value, keyed for the rank lookup within
/// one indicator.
type RankKey = (Sex, u32, Period);

/// Adds ranks to the trends and returns the group comparisons.
pub fn compute(
    table: &ObservationTable,
    trends: &mut Trends,
    config: &Config,
) -> Vec<GroupComparison> {
    add_ranks(table, trends);
    group_comparisons(table, trends, config)
}

/// Ranks every municipality series among all municipalities (every other
/// series gets no rank). One indicator at a time (in parallel): its rows
/// are one run of the table, its series one run of the trends (both sorted
/// by indicator), so only one indicator's values are ever collected at
/// once.
fn add_ranks(table: &ObservationTable, trends: &mut Trends) {
    let c = &table.columns;
    let municipal = table
        .areas
        .per_code(|key| key.starts_with(MUNICIPALITY_PREFIX));
    let indicator_rows = table.runs(|row| c.indicator[row]);
    by_indicator(&mut trends.series)
        .into_par_iter()
        .for_each(|series| {
            let Some(indicator) = table.indicators.code(&series[0].indicator) else {
                return;
            };
            let Ok(run) = indicator_rows.binary_search_by(|r| c.indicator[r.start].cmp(&indicator))
            else {
                return;
            };
            let values = municipal_values(table, &municipal, indicator_rows[run].clone());
            for s in series.iter_mut() {
                s.rank = rank(table, &values, s);
            }
        });
}

/// The series split into runs of one indicator each (they are sorted by
/// indicator).
fn by_indicator(series: &mut [SeriesTrend]) -> Vec<&mut [SeriesTrend]> {
    let mut by_indicator: Vec<&mut [SeriesTrend]> = Vec::new();
    let mut rest: &mut [SeriesTrend] = series;
    while !rest.is_empty() {
        let len = rest
            .iter()
            .position(|s| s.indicator != rest[0].indicator)
            .unwrap_or(rest.len());
        let (head, tail) = rest.split_at_mut(len);
        by_indicator.push(head);
        rest = tail;
    }
    by_indicator
}

/// Every published municipality value among these rows (one indicator's),
/// sorted by key then value: one (sex, group, period) is one sorted slice.
fn municipal_values(
    table: &ObservationTable,
    municipal: &[bool],
    rows: std::ops::Range<usize>,
) -> Vec<(RankKey, f64)> {
    let c = &table.columns;
    let mut values: Vec<(RankKey, f64)> = rows
        .filter(|&row| municipal[c.area[row] as usize])
        .filter_map(|row| Some(((c.sex[row], c.group[row], c.period[row]), c.value.get(row)?)))
        .collect();
    values.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    values
}

/// A municipality series' rank: its latest published value among the
/// `values` of its indicator for the same sex, group and period. None for
/// a series that is not a municipality's or has no published value.
fn rank(table: &ObservationTable, values: &[(RankKey, f64)], s: &SeriesTrend) -> Option<Rank> {
    if !s.area.starts_with(MUNICIPALITY_PREFIX) {
        return None;
    }
    let (Some(group), Some(period), Some(value)) = (
        table.groups.code(&s.group),
        s.stats.last_period,
        s.stats.latest_value,
    ) else {
        return None;
    };
    let key = (s.sex, group, period);
    let start = values.partition_point(|(k, _)| *k < key);
    let end = values.partition_point(|(k, _)| *k <= key);
    let slice = &values[start..end];
    let below = slice.partition_point(|(_, v)| *v < value);
    let above = slice.len() - slice.partition_point(|(_, v)| *v <= value);
    let of = slice.len();
    Some(Rank {
        period,
        rank: 1 + above as u32,
        of: of as u32,
        percentile: (of > 1).then(|| 100.0 * below as f64 / (of - 1) as f64),
    })
}

/// A comparison group's members: key, and area code when in the data.
type Members<'k> = Vec<(&'k str, Option<u32>)>;

/// Peer groups: for the series of the areas of interest only, one
/// comparison per series (with a published latest value) and comparison
/// group, in series order, then the config's group order.
fn group_comparisons(
    table: &ObservationTable,
    trends: &Trends,
    config: &Config,
) -> Vec<GroupComparison> {
    let mut out = Vec::new();
    if config.comparison_groups.is_empty() {
        return out;
    }
    // Each group's name and members.
    let groups: Vec<(&str, Members)> = config
        .comparison_groups
        .iter()
        .map(|g| {
            (
                g.name.as_str(),
                g.members
                    .iter()
                    .map(|m| (m.as_str(), table.areas.code(m)))
                    .collect(),
            )
        })
        .collect();
    for s in &trends.series {
        if config.area(&s.area).is_none() {
            continue;
        }
        let codes = table
            .indicators
            .code(&s.indicator)
            .zip(table.groups.code(&s.group));
        let (Some(codes), Some(period), Some(value)) =
            (codes, s.stats.last_period, s.stats.latest_value)
        else {
            continue;
        };
        for (name, members) in &groups {
            out.push(compare_with_group(
                table,
                s,
                codes,
                (period, value),
                name,
                members,
            ));
        }
    }
    out
}

/// One series' latest value (`latest`: its period and value) against the
/// mean of a group's members' published values for that period, the
/// series' own area left out. `codes` are the series' indicator and group
/// codes in the table.
fn compare_with_group(
    table: &ObservationTable,
    s: &SeriesTrend,
    (indicator, group): (u32, u32),
    (period, value): (Period, f64),
    name: &str,
    members: &Members,
) -> GroupComparison {
    let member_values: Vec<f64> = members
        .iter()
        .filter(|(key, _)| *key != s.area)
        .filter_map(|(_, code)| {
            let row = table.find((indicator, (*code)?, period, s.sex, group))?;
            table.columns.value.get(row)
        })
        .collect();
    let mean = (!member_values.is_empty())
        .then(|| member_values.iter().sum::<f64>() / member_values.len() as f64);
    GroupComparison {
        indicator: s.indicator.clone(),
        area: s.area.clone(),
        sex: s.sex,
        group: s.group.clone(),
        period,
        value,
        comparison_group: name.to_string(),
        group_mean: mean,
        members_with_data: member_values.len(),
        gap: mean.map(|m| value - m),
    }
}
