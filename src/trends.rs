//! Trends: per-series statistics, computed in parallel.
//!
//! In: the validated observations (sorted), the catalog, the config's areas
//! and [`TrendSettings`]. Out: [`Trends`]: one [`SeriesTrend`] per series
//! (indicator × area × sex × group) and a [`DimensionSummary`] per area and
//! dimension. Guarantees: series are pulled out of the table into plain
//! slices first and only then handed to rayon (no polars inside rayon
//! closures); the result is in series order whatever the thread count, so
//! `--threads 1` and `--threads N` write identical bytes; only published
//! values enter a statistic; degenerate cases give nulls, never NaN; fewer
//! points than a test needs gives `insufficient`, never a guess. Every
//! formula is in `crate::stats` and docs/STATISTICS.md.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::catalog::{Catalog, Dimension, Polarity, Unit};
use crate::domain::{Area, AreaKind};
use crate::observation::Sex;
use crate::period::Period;
use crate::stats::{self, LinearFit};
use crate::table::ObservationTable;

pub use crate::config::TrendSettings;

/// Whether a series got better, worse, neither, or cannot tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Direction {
    Improving,
    Worsening,
    Stable,
    Insufficient,
}

impl Direction {
    pub const ALL: [Direction; 4] = [
        Direction::Improving,
        Direction::Worsening,
        Direction::Stable,
        Direction::Insufficient,
    ];
}

/// The polarity-free movement of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Movement {
    Rising,
    Falling,
    Flat,
    Insufficient,
}

/// Which test decided the direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Basis {
    RecentSlope,
    LatestChange,
    Slope,
}

/// One published (or unpublished) point of a series, as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct Point<'a> {
    pub period: Period,
    pub value: Option<f64>,
    pub n: Option<f64>,
    pub ci_lower: Option<f64>,
    pub ci_upper: Option<f64>,
    pub source: &'a str,
}

/// Which test compared two points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum TestKind {
    /// The pooled two-proportion z-test (percentages with n known).
    TwoProportion,
    /// The z-test from the published confidence limits.
    ConfidenceLimits,
}

/// Where the latest value's confidence interval comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum CiMethod {
    /// The source published it.
    Published,
    /// Wilson's interval from the percentage and its n.
    Wilson,
}

crate::domain::keyed!(Direction, Movement, Basis, TestKind, CiMethod);

/// A latest-change or gap test: its p-value and which test it was.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub p_value: f64,
    pub test: TestKind,
}

/// Statistics of one series (the kernel's output).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeriesStats {
    pub n_points: usize,
    pub first_period: Option<Period>,
    pub last_period: Option<Period>,
    pub latest_value: Option<f64>,
    pub latest_ci: Option<(f64, f64)>,
    /// `published` or `wilson`.
    pub latest_ci_method: Option<CiMethod>,
    pub previous_period: Option<Period>,
    pub previous_value: Option<f64>,
    pub change: Option<f64>,
    pub change_relative: Option<f64>,
    pub change_test: Option<Comparison>,
    pub slope: Option<LinearFit>,
    pub recent_n_points: usize,
    pub recent_slope: Option<LinearFit>,
    pub movement: Option<Movement>,
    pub basis: Option<Basis>,
}

/// Two points of one series share a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("period {period} appears twice in one series, at {first} and at {second}: remove one of the rows")]
pub struct DuplicatePeriod {
    pub period: String,
    pub first: String,
    pub second: String,
}

/// Tests whether two published points differ: the pooled two-proportion
/// z-test when both n are known (percentages), else the z-test from
/// published confidence limits, else nothing.
pub fn compare(a: &Point, b: &Point, is_percent: bool) -> Option<Comparison> {
    let (va, vb) = (a.value?, b.value?);
    if is_percent {
        if let (Some(na), Some(nb)) = (a.n, b.n) {
            return stats::two_proportion_z(va, na, vb, nb).map(|t| Comparison {
                p_value: t.p_value,
                test: TestKind::TwoProportion,
            });
        }
    }
    match (a.ci_lower, a.ci_upper, b.ci_lower, b.ci_upper) {
        (Some(la), Some(ua), Some(lb), Some(ub)) => {
            stats::z_from_intervals(va, (la, ua), vb, (lb, ub)).map(|t| Comparison {
                p_value: t.p_value,
                test: TestKind::ConfidenceLimits,
            })
        }
        _ => None,
    }
}

/// The per-series kernel. `points` must be sorted by period.
pub fn series_stats(
    points: &[Point],
    is_percent: bool,
    settings: &TrendSettings,
) -> Result<SeriesStats, DuplicatePeriod> {
    check_periods(points)?;
    let published: Vec<&Point> = points.iter().filter(|p| p.value.is_some()).collect();
    let mut out = SeriesStats {
        n_points: published.len(),
        ..SeriesStats::default()
    };
    let (Some(first), Some(latest)) = (published.first(), published.last()) else {
        out.movement = Some(Movement::Insufficient);
        return Ok(out);
    };
    out.first_period = Some(first.period);
    out.last_period = Some(latest.period);
    out.latest_value = latest.value;
    (out.latest_ci, out.latest_ci_method) = latest_interval(latest, is_percent);
    if published.len() >= 2 {
        latest_change(&mut out, published[published.len() - 2], latest, is_percent);
    }
    out.slope = stats::least_squares(&xy(&published));
    let window_start = latest.period.decimal_time() - settings.recent_years;
    let recent: Vec<&Point> = published
        .iter()
        .copied()
        .filter(|p| p.period.decimal_time() >= window_start - 1e-9)
        .collect();
    out.recent_n_points = recent.len();
    out.recent_slope = stats::least_squares(&xy(&recent));
    (out.movement, out.basis) = movement(&out, recent.len(), published.len(), settings);
    Ok(out)
}

/// An error when two neighbouring points (sorted) share a period.
fn check_periods(points: &[Point]) -> Result<(), DuplicatePeriod> {
    for pair in points.windows(2) {
        if pair[0].period.decimal_time() == pair[1].period.decimal_time() {
            return Err(DuplicatePeriod {
                period: pair[1].period.to_string(),
                first: pair[0].source.to_string(),
                second: pair[1].source.to_string(),
            });
        }
    }
    Ok(())
}

/// The latest value's confidence interval and where it comes from: the
/// published limits, else (percentages with n) Wilson's interval.
fn latest_interval(latest: &Point, is_percent: bool) -> (Option<(f64, f64)>, Option<CiMethod>) {
    match (latest.ci_lower, latest.ci_upper) {
        (Some(lo), Some(hi)) => (Some((lo, hi)), Some(CiMethod::Published)),
        _ => {
            if let (true, Some(v), Some(n)) = (is_percent, latest.value, latest.n) {
                let ci = stats::wilson(v, n);
                (ci, ci.map(|_| CiMethod::Wilson))
            } else {
                (None, None)
            }
        }
    }
}

/// The previous point and the change from it to the latest, absolute,
/// relative (none from zero) and tested.
fn latest_change(out: &mut SeriesStats, previous: &Point, latest: &Point, is_percent: bool) {
    out.previous_period = Some(previous.period);
    out.previous_value = previous.value;
    if let (Some(v), Some(p)) = (latest.value, previous.value) {
        out.change = Some(v - p);
        out.change_relative = (p != 0.0).then(|| (v - p) / p);
    }
    out.change_test = compare(previous, latest, is_percent);
}

/// The (decimal time, value) pairs of the published points.
fn xy(points: &[&Point]) -> Vec<(f64, f64)> {
    points
        .iter()
        .filter_map(|p| p.value.map(|v| (p.period.decimal_time(), v)))
        .collect()
}

/// The movement and the test that decided it: the recent slope when the
/// window has enough points; else the whole series' slope when it has
/// enough; else the latest change when it can be tested (n or limits
/// known); else insufficient. `recent` and `published` count the points
/// behind the two slopes.
fn movement(
    out: &SeriesStats,
    recent: usize,
    published: usize,
    settings: &TrendSettings,
) -> (Option<Movement>, Option<Basis>) {
    let decide = |significant: bool, sign: f64| {
        if !significant || sign == 0.0 {
            Movement::Flat
        } else if sign > 0.0 {
            Movement::Rising
        } else {
            Movement::Falling
        }
    };
    let slope_decision = |fit: &Option<LinearFit>, points: usize| {
        fit.filter(|_| points >= settings.min_points)
            .and_then(|f| f.p_value.map(|p| decide(p < settings.alpha, f.slope)))
    };
    if let Some(m) = slope_decision(&out.recent_slope, recent) {
        (Some(m), Some(Basis::RecentSlope))
    } else if let Some(m) = slope_decision(&out.slope, published) {
        (Some(m), Some(Basis::Slope))
    } else if let (Some(test), Some(change)) = (out.change_test, out.change) {
        (
            Some(decide(test.p_value < settings.alpha, change)),
            Some(Basis::LatestChange),
        )
    } else {
        (Some(Movement::Insufficient), None)
    }
}

/// The direction of a movement for a polarity; `None` for a neutral
/// indicator, which has no good direction.
pub fn direction(movement: Movement, polarity: Polarity) -> Option<Direction> {
    match (movement, polarity) {
        (_, Polarity::Neutral) => None,
        (Movement::Insufficient, _) => Some(Direction::Insufficient),
        (Movement::Flat, _) => Some(Direction::Stable),
        (Movement::Rising, Polarity::HigherIsBetter)
        | (Movement::Falling, Polarity::HigherIsWorse) => Some(Direction::Improving),
        _ => Some(Direction::Worsening),
    }
}

/// Reference roles, in column order.
pub const REFERENCE_ROLES: [&str; 3] = ["municipality", "region", "country"];

/// The gap to one reference area in the latest period both published.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub reference: String,
    pub period: Period,
    pub gap: f64,
    pub test: Option<Comparison>,
}

/// Everything computed for one series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesTrend {
    pub indicator: String,
    pub dimension: Dimension,
    pub polarity: Polarity,
    pub unit: Unit,
    pub area: String,
    pub sex: Sex,
    pub group: String,
    pub stats: SeriesStats,
    pub direction: Option<Direction>,
    /// One per [`REFERENCE_ROLES`] entry.
    pub gaps: [Option<Gap>; 3],
    /// Among all municipalities (municipality series only; filled in by
    /// [`crate::compare`]).
    pub rank: Option<crate::compare::Rank>,
}

/// Counts of directions in one area and dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionSummary {
    pub area: String,
    pub dimension: Dimension,
    pub improving: usize,
    pub worsening: usize,
    pub stable: usize,
    pub insufficient: usize,
    /// (improving − worsening)/(improving + worsening + stable), in −1..1;
    /// `None` when no series could be judged.
    pub score: Option<f64>,
}

#[derive(Debug, Default)]
pub struct Trends {
    pub series: Vec<SeriesTrend>,
    pub dimensions: Vec<DimensionSummary>,
    /// Series of indicators the catalog does not know (no polarity): left out.
    pub skipped_unknown: usize,
}

/// Finds the reference area of each role among the configured areas.
pub fn reference_areas(areas: &[Area]) -> [Option<&str>; 3] {
    let first = |kinds: &[AreaKind]| {
        areas
            .iter()
            .find(|a| a.reference && kinds.contains(&a.kind))
            .map(|a| a.key.as_str())
    };
    [
        first(&[AreaKind::Municipality]),
        first(&[AreaKind::Region, AreaKind::WellbeingCounty]),
        first(&[AreaKind::Country]),
    ]
}

/// Runs the trend stage on the table. The table is sorted series-major
/// (indicator, area, sex, group, then period), so each series is one run
/// of rows, already in period order: nothing is sorted or hashed here.
pub fn compute(
    table: &ObservationTable,
    catalog: &Catalog,
    areas: &[Area],
    settings: &TrendSettings,
) -> Result<Trends, DuplicatePeriod> {
    let c = &table.columns;
    let series_key = |row: usize| (c.indicator[row], c.area[row], c.sex[row], c.group[row]);
    let indicators = table.indicators.per_code(|id| catalog.get(id));
    let mut runs = table.runs(series_key);
    let before = runs.len();
    runs.retain(|run| indicators[c.indicator[run.start] as usize].is_some());
    let skipped_unknown = before - runs.len();
    let references = reference_areas(areas).map(|r| r.and_then(|key| table.areas.code(key)));
    // The points of a series, as plain data pulled out of the columns.
    let points_of = |run: &std::ops::Range<usize>| -> Vec<Point<'static>> {
        run.clone()
            .map(|row| Point {
                period: c.period[row],
                value: c.value.get(row),
                n: c.n.get(row),
                ci_lower: c.ci_lower.get(row),
                ci_upper: c.ci_upper.get(row),
                source: "",
            })
            .collect()
    };
    let find = |key: (u32, u32, Sex, u32)| {
        runs.binary_search_by(|run| series_key(run.start).cmp(&key))
            .ok()
            .map(|i| &runs[i])
    };

    let computed: Vec<SeriesTrend> = runs
        .par_iter()
        .map(|run| {
            let (indicator_code, area, sex, group) = series_key(run.start);
            // Present by the retain above.
            let indicator = indicators[indicator_code as usize].expect("known indicator");
            let is_percent = indicator.unit == Unit::Percent;
            let points = points_of(run);
            let stats = series_stats(&points, is_percent, settings)
                .map_err(|e| with_sources(e, table, run))?;
            let gaps = references.map(|reference| {
                let reference = reference.filter(|r| *r != area)?;
                let other = points_of(find((indicator_code, reference, sex, group))?);
                latest_common_gap(&points, &other, is_percent).map(|(period, gap, test)| Gap {
                    reference: table.areas.text(reference).to_string(),
                    period,
                    gap,
                    test,
                })
            });
            let direction = stats
                .movement
                .and_then(|m| direction(m, indicator.polarity));
            Ok(SeriesTrend {
                indicator: indicator.id.clone(),
                dimension: indicator.dimension,
                polarity: indicator.polarity,
                unit: indicator.unit,
                area: table.areas.text(area).to_string(),
                sex,
                group: table.groups.text(group).to_string(),
                stats,
                direction,
                gaps,
                rank: None,
            })
        })
        .collect::<Result<_, DuplicatePeriod>>()?;

    let dimensions = summarize(&computed, areas);
    Ok(Trends {
        series: computed,
        dimensions,
        skipped_unknown,
    })
}

/// The kernel reports a duplicate period without sources (the points are
/// plain data): name the rows of the series that share that time.
fn with_sources(
    mut error: DuplicatePeriod,
    table: &ObservationTable,
    run: &std::ops::Range<usize>,
) -> DuplicatePeriod {
    let time = error
        .period
        .parse::<Period>()
        .map(Period::decimal_time)
        .ok();
    let mut rows = run
        .clone()
        .filter(|&row| Some(table.columns.period[row].decimal_time()) == time);
    if let (Some(first), Some(second)) = (rows.next(), rows.next()) {
        error.first = table.source(first);
        error.second = table.source(second);
    }
    error
}

/// The gap area − reference in the latest period where both published.
/// Both series are in period order.
fn latest_common_gap(
    points: &[Point],
    reference: &[Point],
    is_percent: bool,
) -> Option<(Period, f64, Option<Comparison>)> {
    points.iter().rev().find_map(|p| {
        let value = p.value?;
        let other = reference
            .binary_search_by(|r| r.period.cmp(&p.period))
            .ok()
            .map(|i| &reference[i])?;
        let gap = value - other.value?;
        Some((p.period, gap, compare(other, p, is_percent)))
    })
}

/// Counts directions per configured area and dimension, over the sex-total
/// series of indicators with a polarity.
fn summarize(series: &[SeriesTrend], areas: &[Area]) -> Vec<DimensionSummary> {
    let area_index: HashMap<&str, usize> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.key.as_str(), i))
        .collect();
    let mut counts = vec![[0usize; 4]; areas.len() * Dimension::ALL.len()];
    for s in series.iter().filter(|s| s.sex == Sex::Total) {
        let (Some(&area), Some(direction)) = (area_index.get(s.area.as_str()), s.direction) else {
            continue;
        };
        counts[area * Dimension::ALL.len() + s.dimension as usize][direction as usize] += 1;
    }
    let mut out = Vec::with_capacity(counts.len());
    for (a, area) in areas.iter().enumerate() {
        for &dimension in Dimension::ALL {
            let [improving, worsening, stable, insufficient] =
                counts[a * Dimension::ALL.len() + dimension as usize];
            let judged = improving + worsening + stable;
            out.push(DimensionSummary {
                area: area.key.clone(),
                dimension,
                improving,
                worsening,
                stable,
                insufficient,
                score: (judged > 0).then(|| (improving as f64 - worsening as f64) / judged as f64),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(period: &str, value: Option<f64>, n: Option<f64>) -> Point<'static> {
        Point {
            period: period.parse().unwrap(),
            value,
            n,
            ci_lower: None,
            ci_upper: None,
            source: "t.csv:1",
        }
    }

    fn settings() -> TrendSettings {
        TrendSettings::default()
    }

    #[test]
    fn single_point_is_insufficient() {
        let s = series_stats(&[point("2023", Some(12.0), Some(100.0))], true, &settings()).unwrap();
        assert_eq!(s.n_points, 1);
        assert_eq!(s.latest_value, Some(12.0));
        assert_eq!((s.previous_value, s.change, s.slope), (None, None, None));
        assert_eq!(s.movement, Some(Movement::Insufficient));
        // The Wilson interval fills in for unpublished limits.
        assert_eq!(s.latest_ci_method, Some(CiMethod::Wilson));
    }

    #[test]
    fn two_points_use_the_change_test() {
        // 10 % of 400 → 15 % of 400: z = 2.138, p = 0.0325 < 0.05 → rising.
        let points = [
            point("2021", Some(10.0), Some(400.0)),
            point("2023", Some(15.0), Some(400.0)),
        ];
        let s = series_stats(&points, true, &settings()).unwrap();
        assert_eq!(s.change, Some(5.0));
        assert_eq!(s.change_relative, Some(0.5));
        let test = s.change_test.unwrap();
        assert_eq!(test.test, TestKind::TwoProportion);
        assert!((test.p_value - 0.032_509_444_645_719_5).abs() < 1e-9);
        assert_eq!(
            (s.movement, s.basis),
            (Some(Movement::Rising), Some(Basis::LatestChange))
        );
        assert_eq!(
            direction(Movement::Rising, Polarity::HigherIsWorse),
            Some(Direction::Worsening)
        );
        assert_eq!(direction(Movement::Rising, Polarity::Neutral), None);
        // Without n or limits two points cannot be tested: insufficient.
        let bare = [
            point("2021", Some(10.0), None),
            point("2023", Some(15.0), None),
        ];
        assert_eq!(
            series_stats(&bare, true, &settings()).unwrap().movement,
            Some(Movement::Insufficient)
        );
    }

    #[test]
    fn all_null_series_is_insufficient_and_empty() {
        let points = [
            point("2021", None, Some(20.0)),
            point("2023", None, Some(22.0)),
        ];
        let s = series_stats(&points, true, &settings()).unwrap();
        assert_eq!(s.n_points, 0);
        assert_eq!(
            (s.first_period, s.latest_value, s.slope),
            (None, None, None)
        );
        assert_eq!(s.movement, Some(Movement::Insufficient));
    }

    #[test]
    fn gaps_are_gaps_not_zeros() {
        // 2015 and 2019 missing rounds, 2017 suppressed: the slope uses
        // 2013, 2021, 2023, 2025 only (y = 2x − 4026 exactly: slope 2).
        let points = [
            point("2013", Some(0.0), None),
            point("2017", None, Some(12.0)),
            point("2021", Some(16.0), None),
            point("2023", Some(20.0), None),
            point("2025", Some(24.0), None),
        ];
        let s = series_stats(&points, false, &settings()).unwrap();
        assert_eq!(s.n_points, 4);
        assert_eq!(s.slope.unwrap().slope, 2.0);
        assert_eq!(s.previous_period, Some(Period::Year(2023)));
        // Window 2021..2025 holds 3 points < 4: the whole slope decides.
        assert_eq!(s.recent_n_points, 3);
        assert_eq!(s.basis, Some(Basis::Slope));
    }

    #[test]
    fn quarters_use_decimal_time() {
        // 17 quarters 2021Q3..2025Q3 rising by 1 per quarter = 4 per year.
        let periods: Vec<String> = (0..17)
            .map(|i| {
                let q = 2 + i; // quarter index from 2021Q1 = 0
                format!("{}Q{}", 2021 + q / 4, q % 4 + 1)
            })
            .collect();
        let points: Vec<Point> = periods
            .iter()
            .enumerate()
            .map(|(i, p)| point(p, Some(i as f64), None))
            .collect();
        let s = series_stats(&points, false, &settings()).unwrap();
        assert!((s.slope.unwrap().slope - 4.0).abs() < 1e-9);
        assert_eq!(s.recent_n_points, 17);
        assert_eq!(
            (s.movement, s.basis),
            (Some(Movement::Rising), Some(Basis::RecentSlope))
        );
    }

    #[test]
    fn duplicate_periods_name_both_sources() {
        let mut a = point("2023", Some(1.0), None);
        a.source = "a.csv:2";
        let mut b = point("2023", Some(2.0), None);
        b.source = "b.csv:7";
        let err = series_stats(&[a, b], false, &settings()).unwrap_err();
        assert_eq!(err.to_string(), "period 2023 appears twice in one series, at a.csv:2 and at b.csv:7: remove one of the rows");
    }

    #[test]
    fn zero_and_hundred_percent_and_n_zero() {
        let points = [
            point("2021", Some(0.0), Some(50.0)),
            point("2023", Some(0.0), Some(60.0)),
        ];
        let s = series_stats(&points, true, &settings()).unwrap();
        assert_eq!(s.change_test.unwrap().p_value, 1.0);
        assert_eq!(s.movement, Some(Movement::Flat));
        let points = [
            point("2021", Some(100.0), Some(50.0)),
            point("2023", Some(100.0), Some(60.0)),
        ];
        assert_eq!(
            series_stats(&points, true, &settings())
                .unwrap()
                .change_test
                .unwrap()
                .p_value,
            1.0
        );
        let points = [
            point("2021", Some(10.0), Some(0.0)),
            point("2023", Some(12.0), Some(60.0)),
        ];
        let s = series_stats(&points, true, &settings()).unwrap();
        assert_eq!(s.change_test, None);
        assert_eq!(s.movement, Some(Movement::Insufficient));
        // 0 % keeps a defined Wilson interval; n = 0 gives none.
        let s = series_stats(&[point("2021", Some(0.0), Some(0.0))], true, &settings()).unwrap();
        assert_eq!(s.latest_ci, None);
    }

    #[test]
    fn published_limits_are_used_for_the_change() {
        let mut a = point("2021", Some(10.0), None);
        (a.ci_lower, a.ci_upper) = (Some(8.04), Some(11.96));
        let mut b = point("2023", Some(14.0), None);
        (b.ci_lower, b.ci_upper) = (Some(12.04), Some(15.96));
        let s = series_stats(&[a, b], true, &settings()).unwrap();
        let test = s.change_test.unwrap();
        assert_eq!(test.test, TestKind::ConfidenceLimits);
        assert!((test.p_value - stats::normal_two_sided_p(2.828_375_151_734_036)).abs() < 1e-9);
        assert_eq!(s.latest_ci_method, Some(CiMethod::Published));
    }
}
