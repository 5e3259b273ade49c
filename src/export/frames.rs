//! The tables' frames: every output table's columns, listed once.
//!
//! In: the stages' results (series trends, dimension summaries, group
//! comparisons, shift rows and summaries, the observation table's cell
//! statuses). Out: polars [`DataFrame`]s, in batches where a table can have
//! millions of rows. Guarantees: each table's columns are written in one
//! place, so its column names are read off the frame (`trend_columns()`),
//! never kept as a second list; nulls stay null.

use polars::prelude::*;

use crate::compare::GroupComparison;
use crate::period::Period;
use crate::privacy::CellStatus;
use crate::shift::Shift;
use crate::trends::{SeriesTrend, Trends, REFERENCE_ROLES};

/// The trends table's column names, in order (documented in
/// docs/STATISTICS.md).
pub fn trend_columns() -> PolarsResult<Vec<String>> {
    let frame = series_frame(&[])?;
    Ok(frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect())
}

/// The trends table, one row per series, sorted by indicator, area, sex, group.
pub fn trends_frame(trends: &Trends) -> PolarsResult<DataFrame> {
    series_frame(&trends.series)
}

/// The trends table of some series (a batch of the whole table).
pub fn series_frame(rows: &[SeriesTrend]) -> PolarsResult<DataFrame> {
    let period = |p: Option<Period>| p.map(|p| p.to_string());
    let mut columns = vec![
        text("indicator", rows, |t| Some(t.indicator.clone())),
        text("dimension", rows, |t| Some(t.dimension.key().into())),
        text("area", rows, |t| Some(t.area.clone())),
        text("sex", rows, |t| Some(t.sex.as_str().into())),
        text("group", rows, |t| Some(t.group.clone())),
        text("polarity", rows, |t| Some(t.polarity.key().into())),
        text("unit", rows, |t| Some(t.unit.key().into())),
        whole("n_points", rows, |t| t.stats.n_points as u32),
        text("first_period", rows, |t| period(t.stats.first_period)),
        text("last_period", rows, |t| period(t.stats.last_period)),
        number("latest_value", rows, |t| t.stats.latest_value),
        number("latest_ci_lower", rows, |t| t.stats.latest_ci.map(|c| c.0)),
        number("latest_ci_upper", rows, |t| t.stats.latest_ci.map(|c| c.1)),
        text("latest_ci_method", rows, |t| {
            t.stats.latest_ci_method.map(|m| m.key().into())
        }),
        text("previous_period", rows, |t| period(t.stats.previous_period)),
        number("previous_value", rows, |t| t.stats.previous_value),
        number("change", rows, |t| t.stats.change),
        number("change_relative", rows, |t| t.stats.change_relative),
        number("change_p_value", rows, |t| {
            t.stats.change_test.map(|c| c.p_value)
        }),
        text("change_test", rows, |t| {
            t.stats.change_test.map(|c| c.test.key().into())
        }),
        number("slope_per_year", rows, |t| t.stats.slope.map(|f| f.slope)),
        number("slope_ci_lower", rows, |t| {
            t.stats.slope.and_then(|f| f.ci_lower)
        }),
        number("slope_ci_upper", rows, |t| {
            t.stats.slope.and_then(|f| f.ci_upper)
        }),
        number("slope_p_value", rows, |t| {
            t.stats.slope.and_then(|f| f.p_value)
        }),
        whole("recent_n_points", rows, |t| t.stats.recent_n_points as u32),
        number("recent_slope_per_year", rows, |t| {
            t.stats.recent_slope.map(|f| f.slope)
        }),
        number("recent_slope_ci_lower", rows, |t| {
            t.stats.recent_slope.and_then(|f| f.ci_lower)
        }),
        number("recent_slope_ci_upper", rows, |t| {
            t.stats.recent_slope.and_then(|f| f.ci_upper)
        }),
        number("recent_slope_p_value", rows, |t| {
            t.stats.recent_slope.and_then(|f| f.p_value)
        }),
        text("trend", rows, |t| t.stats.movement.map(|m| m.key().into())),
        text("direction", rows, |t| t.direction.map(|d| d.key().into())),
        text("direction_basis", rows, |t| {
            t.stats.basis.map(|b| b.key().into())
        }),
    ];
    columns.extend(reference_columns(rows));
    DataFrame::new(rows.len(), columns)
}

/// The trends table's comparison columns: the gap to each reference role
/// (municipality, region, country) with its test, then the rank among
/// municipalities.
fn reference_columns(rows: &[SeriesTrend]) -> Vec<Column> {
    let mut columns = Vec::new();
    for (i, role) in REFERENCE_ROLES.iter().enumerate() {
        let gap = |t: &SeriesTrend| t.gaps[i].clone();
        columns.push(text(&format!("gap_{role}_area"), rows, |t| {
            gap(t).map(|g| g.reference)
        }));
        columns.push(text(&format!("gap_{role}_period"), rows, |t| {
            gap(t).map(|g| g.period.to_string())
        }));
        columns.push(number(&format!("gap_{role}"), rows, |t| {
            gap(t).map(|g| g.gap)
        }));
        columns.push(number(&format!("gap_{role}_p_value"), rows, |t| {
            gap(t).and_then(|g| g.test).map(|c| c.p_value)
        }));
    }
    columns.push(text("rank_period", rows, |t| {
        t.rank.map(|r| r.period.to_string())
    }));
    columns.push(whole_or_null("rank", rows, |t| t.rank.map(|r| r.rank)));
    columns.push(whole_or_null("rank_of", rows, |t| t.rank.map(|r| r.of)));
    columns.push(number("percentile", rows, |t| {
        t.rank.and_then(|r| r.percentile)
    }));
    columns
}

/// The dimension summary table, per configured area (config order) and
/// dimension (plan order).
pub fn dimensions_frame(trends: &Trends) -> PolarsResult<DataFrame> {
    let rows = &trends.dimensions;
    DataFrame::new(
        rows.len(),
        vec![
            text("area", rows, |d| Some(d.area.clone())),
            text("dimension", rows, |d| Some(d.dimension.key().into())),
            whole("improving", rows, |d| d.improving as u32),
            whole("worsening", rows, |d| d.worsening as u32),
            whole("stable", rows, |d| d.stable as u32),
            whole("insufficient", rows, |d| d.insufficient as u32),
            number("score", rows, |d| d.score),
        ],
    )
}

/// The comparisons table: one row per series of an area of interest and
/// comparison group, in trends order, then config order of the groups.
pub fn comparisons_frame(rows: &[GroupComparison]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        rows.len(),
        vec![
            text("indicator", rows, |r| Some(r.indicator.clone())),
            text("area", rows, |r| Some(r.area.clone())),
            text("sex", rows, |r| Some(r.sex.as_str().into())),
            text("group", rows, |r| Some(r.group.clone())),
            text("period", rows, |r| Some(r.period.to_string())),
            number("value", rows, |r| Some(r.value)),
            text("comparison_group", rows, |r| {
                Some(r.comparison_group.clone())
            }),
            number("group_mean", rows, |r| r.group_mean),
            whole("members_with_data", rows, |r| r.members_with_data as u32),
            number("gap", rows, |r| r.gap),
        ],
    )
}

/// The shift table: per area and period (quarters, then complete and
/// incomplete years), sorted by area and period.
pub fn shift_frame(shift: &Shift) -> PolarsResult<DataFrame> {
    let rows = &shift.rows;
    DataFrame::new(
        rows.len(),
        vec![
            text("area", rows, |r| Some(r.area.clone())),
            text("period", rows, |r| Some(r.period.to_string())),
            text("period_type", rows, |r| {
                Some(
                    if r.period.is_quarter() {
                        "quarter"
                    } else {
                        "year"
                    }
                    .into(),
                )
            }),
            flag("complete_clients", rows, |r| r.complete_clients),
            flag("complete_visits", rows, |r| r.complete_visits),
            number("basic_clients", rows, |r| r.clients(r.basic)),
            number("intermediate_clients", rows, |r| r.clients(r.intermediate)),
            number("specialist_clients", rows, |r| r.clients(r.specialist)),
            number("basic_visits", rows, |r| r.visits(r.basic)),
            number("intermediate_visits", rows, |r| r.visits(r.intermediate)),
            number("specialist_visits", rows, |r| r.visits(r.specialist)),
            number("basic_cost_eur", rows, |r| r.cost(r.basic)),
            number("specialist_cost_eur", rows, |r| r.cost(r.specialist)),
            number("population_0_17", rows, |r| r.population_0_17),
            number("basic_clients_per_1000", rows, |r| {
                r.clients(r.basic).and_then(|v| r.per_1000(v))
            }),
            number("specialist_clients_per_1000", rows, |r| {
                r.clients(r.specialist).and_then(|v| r.per_1000(v))
            }),
            number("basic_visits_per_1000", rows, |r| {
                r.visits(r.basic).and_then(|v| r.per_1000(v))
            }),
            number("specialist_visits_per_1000", rows, |r| {
                r.visits(r.specialist).and_then(|v| r.per_1000(v))
            }),
            number("basic_share_clients", rows, |r| {
                r.complete_clients.then(|| r.share_clients()).flatten()
            }),
            number("basic_share_visits", rows, |r| {
                r.complete_visits.then(|| r.share_visits()).flatten()
            }),
            number("basic_share_cost", rows, |r| {
                (r.complete_clients && r.complete_visits)
                    .then(|| r.share_cost())
                    .flatten()
            }),
        ],
    )
}

/// The shift summary: one row per area and basis.
pub fn summary_frame(shift: &Shift) -> PolarsResult<DataFrame> {
    let rows = &shift.summaries;
    DataFrame::new(
        rows.len(),
        vec![
            text("area", rows, |s| Some(s.area.clone())),
            text("basis", rows, |s| Some(s.basis.key().into())),
            text("first_year", rows, |s| s.first_year.map(|y| y.to_string())),
            text("last_year", rows, |s| s.last_year.map(|y| y.to_string())),
            whole("complete_years", rows, |s| s.years as u32),
            whole("regression_points", rows, |s| s.points as u32),
            number("share_first", rows, |s| s.share_first),
            number("share_last", rows, |s| s.share_last),
            number("share_slope_per_year", rows, |s| s.slope.map(|f| f.slope)),
            number("share_slope_ci_lower", rows, |s| {
                s.slope.and_then(|f| f.ci_lower)
            }),
            number("share_slope_ci_upper", rows, |s| {
                s.slope.and_then(|f| f.ci_upper)
            }),
            number("share_slope_p_value", rows, |s| {
                s.slope.and_then(|f| f.p_value)
            }),
            number("visits_share_slope_per_year", rows, |s| {
                s.visits_slope.map(|f| f.slope)
            }),
            number("visits_share_slope_p_value", rows, |s| {
                s.visits_slope.and_then(|f| f.p_value)
            }),
            text("verdict", rows, |s| Some(s.verdict.key().into())),
            text("main_drivers", rows, |s| Some(s.main_drivers.clone())),
        ],
    )
}

/// Adds the `status` column to the observation table: `published`,
/// `not_published` (at the source) or `suppressed` (by hyte). The table does
/// not say which suppressed cells were small and which were suppressed to
/// protect them: that would narrow down the small ones. The audit does.
pub fn with_status(mut frame: DataFrame, status: &[CellStatus]) -> PolarsResult<DataFrame> {
    const TEXTS: [&str; 3] = ["published", "not_published", "suppressed"];
    let codes: Vec<u32> = status
        .iter()
        .map(|s| match s {
            CellStatus::Published => 0,
            CellStatus::NotPublished => 1,
            CellStatus::SuppressedSmall | CellStatus::SuppressedComplementary => 2,
        })
        .collect();
    let column = crate::table::enum_column("status", &codes, &TEXTS)?;
    frame.with_column(column)?;
    Ok(frame)
}

// Column builders: one column type per kind (text, f64 number, u32
// count, bool flag), so every table uses the same Arrow types.

pub fn text<T>(name: &str, rows: &[T], f: impl Fn(&T) -> Option<String>) -> Column {
    Column::new(
        name.into(),
        rows.iter().map(f).collect::<Vec<Option<String>>>(),
    )
}

pub fn number<T>(name: &str, rows: &[T], f: impl Fn(&T) -> Option<f64>) -> Column {
    Column::new(
        name.into(),
        rows.iter().map(f).collect::<Vec<Option<f64>>>(),
    )
}

pub fn whole<T>(name: &str, rows: &[T], f: impl Fn(&T) -> u32) -> Column {
    Column::new(name.into(), rows.iter().map(f).collect::<Vec<u32>>())
}

/// A whole-number column with nulls.
pub fn whole_or_null<T>(name: &str, rows: &[T], f: impl Fn(&T) -> Option<u32>) -> Column {
    Column::new(
        name.into(),
        rows.iter().map(f).collect::<Vec<Option<u32>>>(),
    )
}

pub fn flag<T>(name: &str, rows: &[T], f: impl Fn(&T) -> bool) -> Column {
    Column::new(name.into(), rows.iter().map(f).collect::<Vec<bool>>())
}

/// The plan's follow-up: one row per target (and milestone) and area, with
/// the numbers its status rests on (docs/PLAN.md).
/// `plan_status`: a row per target or milestone and area; `reason` is the
/// English reason ([`crate::report::plan::Reasons`]).
pub fn plan_frame(
    rows: &[crate::plan::PlanRow],
    reason: impl Fn(&crate::plan::PlanRow) -> String,
) -> PolarsResult<DataFrame> {
    use crate::plan::Aim;
    let period = |p: Option<Period>| p.map(|p| p.to_string());
    DataFrame::new(
        rows.len(),
        vec![
            text("goal", rows, |r| Some(r.goal.clone())),
            text("dimension", rows, |r| Some(r.dimension.key().into())),
            text("indicator", rows, |r| Some(r.subject.key())),
            text("area", rows, |r| Some(r.area.clone())),
            text("group", rows, |r| Some(r.subject.group().to_string())),
            text("milestone", rows, |r| period(r.milestone)),
            number("target_value", rows, |r| match r.aim {
                Aim::Value(v) => Some(v),
                Aim::Direction(_) => None,
            }),
            text("target_direction", rows, |r| match r.aim {
                Aim::Value(_) => None,
                Aim::Direction(h) => Some(h.key().into()),
            }),
            text("by", rows, |r| Some(r.by.to_string())),
            text("baseline_period", rows, |r| {
                period(r.assessment.baseline.map(|b| b.0))
            }),
            number("baseline_value", rows, |r| {
                r.assessment.baseline.map(|b| b.1)
            }),
            text("latest_period", rows, |r| {
                period(r.assessment.latest.map(|l| l.0))
            }),
            number("latest_value", rows, |r| r.assessment.latest.map(|l| l.1)),
            whole("points", rows, |r| r.assessment.points as u32),
            // The line from the baseline projected to the target period,
            // and its slope per year: each with its (1 − α) interval.
            number("projection", rows, |r| {
                r.assessment.projection.map(|p| p.value)
            }),
            number("projection_lower", rows, |r| {
                r.assessment.projection.map(|p| p.lower)
            }),
            number("projection_upper", rows, |r| {
                r.assessment.projection.map(|p| p.upper)
            }),
            number("slope_per_year", rows, |r| {
                r.assessment.projection.map(|p| p.slope)
            }),
            number("slope_lower", rows, |r| {
                r.assessment.projection.map(|p| p.slope_lower)
            }),
            number("slope_upper", rows, |r| {
                r.assessment.projection.map(|p| p.slope_upper)
            }),
            text("status", rows, |r| Some(r.assessment.status.key().into())),
            text("reason", rows, |r| Some(reason(r))),
        ],
    )
}

/// `child_friendly`: a row per Child Friendly Municipality indicator and
/// assessment, with the previous assessment of the same indicator and the
/// change in levels.
pub fn child_friendly_frame(items: &[crate::child_friendly::Item]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        items.len(),
        vec![
            Column::new(
                "year".into(),
                items.iter().map(|i| i.current.year).collect::<Vec<i32>>(),
            ),
            text("item", items, |i| Some(i.current.item.clone())),
            text("theme", items, |i| Some(i.current.theme.clone())),
            text("dimension", items, |i| {
                Some(i.current.dimension.key().into())
            }),
            whole("level", items, |i| u32::from(i.current.level)),
            whole("scale", items, |i| u32::from(i.current.scale)),
            Column::new(
                "previous_year".into(),
                items
                    .iter()
                    .map(|i| i.previous.map(|p| p.0))
                    .collect::<Vec<Option<i32>>>(),
            ),
            whole_or_null("previous_level", items, |i| {
                i.previous.map(|p| u32::from(p.1))
            }),
            Column::new(
                "change".into(),
                items
                    .iter()
                    .map(|i| i.change())
                    .collect::<Vec<Option<i32>>>(),
            ),
            text("text", items, |i| Some(i.current.text.clone())),
        ],
    )
}

/// Every rejected row or file of a run (`tables/rejections.*`): the input,
/// the stage that rejected it, where, which field and why (the reason cut
/// to a printable length, see [`crate::text::printable`]).
pub fn rejections_frame(
    files: &[crate::ingest::FileReport],
    validated: &crate::validate::Validated,
) -> PolarsResult<DataFrame> {
    use crate::text::printable;
    struct Line<'a> {
        input: &'a str,
        stage: &'static str,
        location: String,
        field: String,
        reason: String,
    }
    let mut lines: Vec<Line> = Vec::new();
    for file in files {
        if let Some(error) = &file.error {
            lines.push(Line {
                input: &file.path,
                stage: "ingest",
                location: printable(&file.path),
                field: "file".into(),
                reason: printable(error),
            });
        }
        lines.extend(file.rejections.iter().map(|r| Line {
            input: &file.path,
            stage: "ingest",
            location: printable(&r.location),
            field: printable(&r.field),
            reason: printable(&r.reason),
        }));
    }
    lines.extend(validated.rejections.iter().map(|r| {
        Line {
            input: r
                .location
                .rsplit_once(':')
                .map_or(r.location.as_str(), |(file, _)| file),
            stage: "validate",
            location: printable(&r.location),
            field: printable(&r.field),
            reason: printable(&r.reason),
        }
    }));
    DataFrame::new(
        lines.len(),
        vec![
            text("input", &lines, |l| Some(printable(l.input))),
            text("stage", &lines, |l| Some(l.stage.to_string())),
            text("location", &lines, |l| Some(l.location.clone())),
            text("field", &lines, |l| Some(l.field.clone())),
            text("reason", &lines, |l| Some(l.reason.clone())),
        ],
    )
}
