//! The wellbeing plan: its goals, their targets, and whether each target
//! is on track (issue 14).
//!
//! In: `plan.toml` (the plan period, goals under the seven dimensions,
//! their actions and targets; format in docs/PLAN.md), the catalog and the
//! configured areas; for [`assess`], the published points of one series.
//! Out: a validated [`Plan`], and per target, area and milestone an
//! [`Assessment`]: a [`PlanStatus`] with the numbers behind it.
//! Guarantees: every problem of the file is reported with file, line and
//! key (an unknown indicator, an area that is not configured, a target
//! period before the baseline, a dimension that is not one of the seven);
//! a status is never given without the data behind it: fewer points than
//! a rule needs give `InsufficientData` with the count, never a guess.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::catalog::Catalog;
use crate::domain::{parse_key, Area, Dimension, Polarity};
use crate::i18n::Localized;
use crate::observation::{Observation, Sex};
use crate::period::Period;
use crate::stats::{self, Projection};
use crate::text::line_of;

/// A plan file problem, located.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{file}: cannot read the plan file: {source}; fix `plan = \"…\"` in the config")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{}", .problems.iter().map(|p| format!("{}:{}: {}", p.file, p.line, p.message)).collect::<Vec<_>>().join("\n"))]
    Invalid { problems: Vec<PlanProblem> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanProblem {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// A children and young people's wellbeing plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub name: Localized,
    /// The years the plan covers, e.g. 2025–2028.
    pub first_year: i32,
    pub last_year: i32,
    /// The council's decision, as the city cites it.
    pub approved: Option<String>,
    pub goals: Vec<Goal>,
}

/// A goal under one of the seven dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: String,
    pub dimension: Dimension,
    pub title: Localized,
    pub actions: Vec<Action>,
    pub targets: Vec<Target>,
}

/// A development measure of a goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// In the plan's own language (the plan is the council's text).
    pub text: String,
    pub responsible: Option<String>,
    pub schedule: Option<String>,
    /// The resource proposal for the budget, in euros.
    pub resources_eur: Option<f64>,
}

/// Which way an indicator should move.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantNames,
)]
#[strum(serialize_all = "snake_case")]
pub enum Heading {
    Increase,
    Decrease,
}

/// What a target asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aim {
    /// Reach this value by the target period.
    Value(f64),
    /// Move this way (a significant trend) by the target period.
    Direction(Heading),
}

/// An indicator a goal is followed with, in some areas.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// A catalog id.
    pub indicator: String,
    pub areas: Vec<String>,
    /// The population group (`8-9`); `all` when not given.
    pub group: String,
    /// The baseline period; the value there is taken from the data unless
    /// `baseline_value` gives it.
    pub baseline: Period,
    pub baseline_value: Option<f64>,
    pub aim: Aim,
    /// The target period.
    pub by: Period,
    /// Intermediate values on the way, in period order.
    pub milestones: Vec<(Period, f64)>,
    /// `plan.toml:31`, for messages.
    pub defined_at: String,
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum PlanStatus {
    Achieved,
    OnTrack,
    /// The projection does not reach the target, but its interval does.
    Uncertain,
    OffTrack,
    InsufficientData,
}

crate::domain::keyed!(Heading, PlanStatus);

/// A status with the numbers behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub status: PlanStatus,
    pub baseline: Option<(Period, f64)>,
    pub latest: Option<(Period, f64)>,
    /// Published points from the baseline period on.
    pub points: usize,
    /// The trend projected to the target period (value targets), or the
    /// slope per year with its interval (direction targets, as value,
    /// lower, upper).
    pub projection: Option<Projection>,
    /// Why, in words a reader can check against the tables.
    pub reason: String,
}

/// Points a projection needs: with fewer the line has no interval.
pub const MIN_POINTS: usize = 3;

/// Assesses one target in one series: `points` are the published values
/// of the series in period order. The rules are in docs/PLAN.md §3:
///
/// * value target, with "better" the indicator's polarity (for a neutral
///   indicator: the side of the target from the baseline):
///   achieved when the latest value is at or beyond the target; off track
///   when the target period has passed without it, or when even the better
///   end of the projection's 95 % interval at the target period falls
///   short; on track when the projection itself reaches the target;
///   uncertain otherwise;
/// * direction target: on track when the slope's 95 % interval since the
///   baseline lies wholly on the wanted side (achieved once the target
///   period is reached), off track when it lies wholly on the other side,
///   uncertain otherwise;
/// * fewer than [`MIN_POINTS`] points since the baseline (a survey with
///   two rounds) give insufficient data, unless the target is already
///   achieved.
pub fn assess(
    points: &[(Period, f64)],
    target: &Target,
    aim: Aim,
    by: Period,
    polarity: Polarity,
) -> Assessment {
    let since: Vec<(Period, f64)> = points
        .iter()
        .copied()
        .filter(|(p, _)| *p >= target.baseline)
        .collect();
    let baseline = target
        .baseline_value
        .map(|v| (target.baseline, v))
        .or_else(|| since.iter().copied().find(|(p, _)| *p == target.baseline));
    let latest = since.last().copied();
    let mut out = Assessment {
        status: PlanStatus::InsufficientData,
        baseline,
        latest,
        points: since.len(),
        projection: None,
        reason: String::new(),
    };
    let (Some((_, base)), Some((latest_period, latest_value))) = (baseline, latest) else {
        out.reason = match baseline {
            None => format!(
                "no published value at the baseline period {}",
                target.baseline
            ),
            Some(_) => format!(
                "no published value since the baseline period {}",
                target.baseline
            ),
        };
        return out;
    };
    let xy: Vec<(f64, f64)> = since.iter().map(|(p, v)| (p.decimal_time(), *v)).collect();
    match aim {
        Aim::Value(goal) => {
            let better = match polarity {
                Polarity::HigherIsBetter => 1.0,
                Polarity::HigherIsWorse => -1.0,
                Polarity::Neutral if goal >= base => 1.0,
                Polarity::Neutral => -1.0,
            };
            assess_value(
                &mut out,
                &xy,
                goal,
                better,
                (latest_period, latest_value),
                by,
            );
        }
        Aim::Direction(heading) => {
            let better = match heading {
                Heading::Increase => 1.0,
                Heading::Decrease => -1.0,
            };
            assess_direction(&mut out, &xy, better, latest_period, by);
        }
    }
    out
}

/// A value target: achieved, off track, on track or uncertain.
fn assess_value(
    out: &mut Assessment,
    xy: &[(f64, f64)],
    goal: f64,
    better: f64,
    (latest_period, latest_value): (Period, f64),
    by: Period,
) {
    if better * (latest_value - goal) >= 0.0 {
        out.status = PlanStatus::Achieved;
        out.reason = format!("{latest_value} in {latest_period} is at or beyond the target {goal}");
        return;
    }
    if latest_period >= by {
        out.status = PlanStatus::OffTrack;
        out.reason = format!("the target period {by} is reached and {latest_value} ({latest_period}) falls short of {goal}");
        return;
    }
    let Some(p) = stats::projection(xy, by.decimal_time()) else {
        out.reason = format!(
            "{} published points since the baseline: a projection needs {MIN_POINTS}",
            xy.len()
        );
        return;
    };
    out.projection = Some(p);
    let best = if better > 0.0 { p.upper } else { p.lower };
    (out.status, out.reason) = if better * (best - goal) < 0.0 {
        (
            PlanStatus::OffTrack,
            format!(
                "projected to {by}: {:.2} (95 % {:.2} … {:.2}); even the better end misses {goal}",
                p.value, p.lower, p.upper
            ),
        )
    } else if better * (p.value - goal) >= 0.0 {
        (
            PlanStatus::OnTrack,
            format!(
                "projected to {by}: {:.2} (95 % {:.2} … {:.2}), reaching {goal}",
                p.value, p.lower, p.upper
            ),
        )
    } else {
        (
            PlanStatus::Uncertain,
            format!(
                "projected to {by}: {:.2} (95 % {:.2} … {:.2}); only the interval reaches {goal}",
                p.value, p.lower, p.upper
            ),
        )
    };
}

/// A direction target: the slope's interval decides.
fn assess_direction(
    out: &mut Assessment,
    xy: &[(f64, f64)],
    better: f64,
    latest_period: Period,
    by: Period,
) {
    let fit = stats::least_squares(xy).filter(|_| xy.len() >= MIN_POINTS);
    let Some((slope, lower, upper)) = fit.and_then(|f| Some((f.slope, f.ci_lower?, f.ci_upper?)))
    else {
        out.reason = format!(
            "{} published points since the baseline: a trend needs {MIN_POINTS}",
            xy.len()
        );
        return;
    };
    out.projection = Some(Projection {
        value: slope,
        lower,
        upper,
    });
    let interval = format!("slope {slope:.3} per year (95 % {lower:.3} … {upper:.3})");
    let (wanted, unwanted) = if better > 0.0 {
        (lower > 0.0, upper < 0.0)
    } else {
        (upper < 0.0, lower > 0.0)
    };
    (out.status, out.reason) = if wanted && latest_period >= by {
        (
            PlanStatus::Achieved,
            format!("{interval}: the wanted way, and {by} is reached"),
        )
    } else if wanted {
        (
            PlanStatus::OnTrack,
            format!("{interval}: wholly the wanted way"),
        )
    } else if unwanted {
        (
            PlanStatus::OffTrack,
            format!("{interval}: wholly the wrong way"),
        )
    } else {
        (
            PlanStatus::Uncertain,
            format!("{interval}: no clear direction yet"),
        )
    };
}

/// One line of the follow-up: a target (or one of its milestones) in one
/// area, assessed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    pub goal: String,
    pub dimension: Dimension,
    pub indicator: String,
    pub area: String,
    pub group: String,
    /// `None` for the target itself, the milestone's period otherwise.
    pub milestone: Option<Period>,
    pub aim: Aim,
    pub by: Period,
    pub assessment: Assessment,
}

/// Assesses every target and milestone of the plan in each of its areas,
/// on the sex-total series of the protected rows of the areas of interest
/// (`rows`, in table order: each series in period order). Rows follow the
/// plan's order: goals, targets, areas, then the target before its
/// milestones.
pub fn follow(plan: &Plan, rows: &[Observation], catalog: &Catalog) -> Vec<PlanRow> {
    let mut out = Vec::new();
    for goal in &plan.goals {
        for target in &goal.targets {
            let polarity = catalog
                .get(&target.indicator)
                .map_or(Polarity::Neutral, |i| i.polarity);
            for area in &target.areas {
                let points: Vec<(Period, f64)> = rows
                    .iter()
                    .filter(|r| {
                        r.indicator == target.indicator
                            && &r.area == area
                            && r.group == target.group
                            && r.sex == Sex::Total
                    })
                    .filter_map(|r| Some((r.period, r.value?)))
                    .collect();
                let milestones = target
                    .milestones
                    .iter()
                    .map(|(p, v)| (Some(*p), Aim::Value(*v), *p));
                for (milestone, aim, by) in
                    std::iter::once((None, target.aim, target.by)).chain(milestones)
                {
                    out.push(PlanRow {
                        goal: goal.id.clone(),
                        dimension: goal.dimension,
                        indicator: target.indicator.clone(),
                        area: area.clone(),
                        group: target.group.clone(),
                        milestone,
                        aim,
                        by,
                        assessment: assess(&points, target, aim, by, polarity),
                    });
                }
            }
        }
    }
    out
}

// ---- plan.toml -----------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlanFile {
    plan: Spanned<RawPlan>,
    #[serde(default, rename = "goal")]
    goals: Vec<Spanned<RawGoal>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    name: Localized,
    /// "2025-2028".
    period: Spanned<String>,
    approved: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGoal {
    id: Spanned<String>,
    dimension: Spanned<String>,
    title: Localized,
    #[serde(default, rename = "action")]
    actions: Vec<RawAction>,
    #[serde(default, rename = "target")]
    targets: Vec<Spanned<RawTarget>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    text: String,
    responsible: Option<String>,
    schedule: Option<String>,
    resources_eur: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    indicator: Spanned<String>,
    areas: Spanned<Vec<String>>,
    group: Option<String>,
    baseline: Spanned<String>,
    baseline_value: Option<f64>,
    value: Option<f64>,
    direction: Option<Spanned<String>>,
    by: Spanned<String>,
    #[serde(default)]
    milestones: Vec<Spanned<RawMilestone>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMilestone {
    period: String,
    value: f64,
}

/// Reads and validates `plan.toml`.
pub fn load(path: &Path, catalog: &Catalog, areas: &[Area]) -> Result<Plan, PlanError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| PlanError::Read {
        file: file.clone(),
        source,
    })?;
    parse(&text, &file, catalog, areas)
}

/// Parses plan text, collecting every problem.
pub fn parse(text: &str, file: &str, catalog: &Catalog, areas: &[Area]) -> Result<Plan, PlanError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut problems = Vec::new();
    let mut fail = |offset: usize, message: String| {
        problems.push(PlanProblem {
            file: file.to_string(),
            line: line_of(text, offset),
            message,
        })
    };
    let raw: RawPlanFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            fail(
                e.span().map_or(0, |s| s.start),
                e.message().trim().to_string(),
            );
            return Err(PlanError::Invalid { problems });
        }
    };
    let (first_year, last_year) =
        plan_period(&raw.plan.get_ref().period, &mut fail).unwrap_or((0, 0));
    let mut goals = Vec::new();
    for raw_goal in &raw.goals {
        if let Some(goal) = goal(raw_goal, file, text, catalog, areas, &mut fail) {
            if goals.iter().any(|g: &Goal| g.id == goal.id) {
                fail(
                    raw_goal.get_ref().id.span().start,
                    format!(
                        "goal id '{}' is used twice: give each goal its own id",
                        goal.id
                    ),
                );
            }
            goals.push(goal);
        }
    }
    if raw.goals.is_empty() {
        fail(
            raw.plan.span().start,
            "the plan has no [[goal]]: add at least one".into(),
        );
    }
    if !problems.is_empty() {
        return Err(PlanError::Invalid { problems });
    }
    let plan = raw.plan.into_inner();
    Ok(Plan {
        name: plan.name,
        first_year,
        last_year,
        approved: plan.approved,
        goals,
    })
}

/// "2025-2028": the first and last year, the last not before the first.
fn plan_period(
    period: &Spanned<String>,
    fail: &mut impl FnMut(usize, String),
) -> Option<(i32, i32)> {
    let years = period
        .get_ref()
        .split_once(['-', '–'])
        .and_then(|(a, b)| Some((a.trim().parse::<i32>().ok()?, b.trim().parse::<i32>().ok()?)));
    match years {
        Some((first, last)) if first <= last => Some((first, last)),
        _ => {
            fail(
                period.span().start,
                format!(
                    "plan period '{}' must be two years, first to last, like \"2025-2028\"",
                    period.get_ref()
                ),
            );
            None
        }
    }
}

/// One goal with its actions and targets.
fn goal(
    raw: &Spanned<RawGoal>,
    file: &str,
    text: &str,
    catalog: &Catalog,
    areas: &[Area],
    fail: &mut impl FnMut(usize, String),
) -> Option<Goal> {
    let g = raw.get_ref();
    let dimension = match parse_key::<Dimension>(g.dimension.get_ref()) {
        Ok(d) => Some(d),
        Err(allowed) => {
            fail(
                g.dimension.span().start,
                format!(
                    "dimension '{}' of goal '{}' is not one of the seven: {allowed}",
                    g.dimension.get_ref(),
                    g.id.get_ref()
                ),
            );
            None
        }
    };
    let targets: Vec<Option<Target>> = g
        .targets
        .iter()
        .map(|t| target(t, file, text, catalog, areas, fail))
        .collect();
    Some(Goal {
        id: g.id.get_ref().clone(),
        dimension: dimension?,
        title: g.title.clone(),
        actions: g
            .actions
            .iter()
            .map(|a| Action {
                text: a.text.clone(),
                responsible: a.responsible.clone(),
                schedule: a.schedule.clone(),
                resources_eur: a.resources_eur,
            })
            .collect(),
        targets: targets.into_iter().collect::<Option<Vec<Target>>>()?,
    })
}

/// One target: a known indicator, configured areas, a baseline before the
/// target period, a value or a direction (not both), milestones between.
fn target(
    raw: &Spanned<RawTarget>,
    file: &str,
    text: &str,
    catalog: &Catalog,
    areas: &[Area],
    fail: &mut impl FnMut(usize, String),
) -> Option<Target> {
    let t = raw.get_ref();
    let mut ok = true;
    let mut problem = |offset: usize, message: String| {
        ok = false;
        fail(offset, message);
    };
    let indicator = t.indicator.get_ref();
    if catalog.get(indicator).is_none() {
        problem(t.indicator.span().start, format!("indicator '{indicator}' is not in the catalog: use a catalog id (`hyte catalog` lists them)"));
    }
    for area in t.areas.get_ref() {
        if !areas.iter().any(|a| &a.key == area) {
            problem(t.areas.span().start, format!("area '{area}' is not configured: declare it with [[area]] in hyte.toml or remove it from the target"));
        }
    }
    let mut period = |field: &Spanned<String>, name: &str| -> Option<Period> {
        field
            .get_ref()
            .parse::<Period>()
            .map_err(|e| {
                problem(
                    field.span().start,
                    format!(
                        "{name} '{}' is not a period ({e}): write \"2023\" or \"2025Q3\"",
                        field.get_ref()
                    ),
                )
            })
            .ok()
    };
    let baseline = period(&t.baseline, "baseline");
    let by = period(&t.by, "by");
    let aim = match (t.value, &t.direction) {
        (Some(v), None) => Some(Aim::Value(v)),
        (None, Some(d)) => match parse_key::<Heading>(d.get_ref()) {
            Ok(h) => Some(Aim::Direction(h)),
            Err(allowed) => {
                problem(
                    d.span().start,
                    format!("direction '{}': {allowed}", d.get_ref()),
                );
                None
            }
        },
        _ => {
            problem(raw.span().start, format!("the target for '{indicator}' needs either `value = …` or `direction = \"increase\"` / \"decrease\", not both"));
            None
        }
    };
    if let (Some(b), Some(y)) = (baseline, by) {
        if y <= b {
            problem(
                t.by.span().start,
                format!("target period {y} is not after the baseline {b}: a target looks forward"),
            );
        }
    }
    let mut milestones = Vec::new();
    for m in &t.milestones {
        match m.get_ref().period.parse::<Period>() {
            Ok(p) if baseline.is_some_and(|b| p > b) && by.is_some_and(|y| p < y) => {
                milestones.push((p, m.get_ref().value));
            }
            Ok(p) => problem(
                m.span().start,
                format!("milestone {p} must fall between the baseline and the target period"),
            ),
            Err(e) => problem(m.span().start, format!("milestone period: {e}")),
        }
    }
    milestones.sort_by_key(|(p, _)| *p);
    if !ok {
        return None;
    }
    Some(Target {
        indicator: indicator.clone(),
        areas: t.areas.get_ref().clone(),
        group: t
            .group
            .clone()
            .unwrap_or_else(|| crate::observation::ALL_GROUPS.to_string()),
        baseline: baseline?,
        baseline_value: t.baseline_value,
        aim: aim?,
        by: by?,
        milestones,
        defined_at: format!("{file}:{}", line_of(text, raw.span().start)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(baseline: &str, aim: Aim, by: &str) -> Target {
        Target {
            indicator: "x".into(),
            areas: vec!["a".into()],
            group: "all".into(),
            baseline: baseline.parse().unwrap(),
            baseline_value: None,
            aim,
            by: by.parse().unwrap(),
            milestones: Vec::new(),
            defined_at: "plan.toml:1".into(),
        }
    }

    fn series(points: &[(&str, f64)]) -> Vec<(Period, f64)> {
        points
            .iter()
            .map(|(p, v)| (p.parse().unwrap(), *v))
            .collect()
    }

    fn status(
        points: &[(&str, f64)],
        baseline: &str,
        aim: Aim,
        by: &str,
        polarity: Polarity,
    ) -> Assessment {
        let t = target(baseline, aim, by);
        assess(&series(points), &t, aim, t.by, polarity)
    }

    const FALLING: [(&str, f64); 4] = [
        ("2019", 12.0),
        ("2021", 11.0),
        ("2023", 10.0),
        ("2025", 9.0),
    ];

    #[test]
    fn reached_early_is_achieved() {
        let a = status(
            &FALLING,
            "2019",
            Aim::Value(9.5),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(a.status, PlanStatus::Achieved, "{}", a.reason);
        assert_eq!(a.baseline, Some(("2019".parse().unwrap(), 12.0)));
        assert_eq!(a.points, 4);
    }

    #[test]
    fn a_falling_line_reaching_a_lower_target_is_on_track_and_polarity_decides() {
        // A perfect line: 12 − 0.5 (t − 2019), 7.0 in 2029.
        let on = status(
            &FALLING,
            "2019",
            Aim::Value(7.5),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(on.status, PlanStatus::OnTrack, "{}", on.reason);
        assert!((on.projection.unwrap().value - 7.0).abs() < 1e-9);
        // The same numbers where higher is better and the target is above:
        // the interval (no width on a perfect line) misses it.
        let off = status(
            &FALLING,
            "2019",
            Aim::Value(13.0),
            "2029",
            Polarity::HigherIsBetter,
        );
        assert_eq!(off.status, PlanStatus::OffTrack, "{}", off.reason);
    }

    #[test]
    fn a_noisy_line_short_of_the_target_is_uncertain_then_off_track() {
        // Falling by about 0.5 a year with noise: projected 2029 ≈ 7.1.
        let noisy = [
            ("2019", 12.0),
            ("2021", 10.4),
            ("2023", 10.4),
            ("2025", 8.8),
        ];
        let a = status(
            &noisy,
            "2019",
            Aim::Value(6.5),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(a.status, PlanStatus::Uncertain, "{}", a.reason);
        let p = a.projection.unwrap();
        assert!(p.value > 6.5 && p.lower < 6.5, "{p:?}");
        // Far below anything the interval reaches: off track.
        let b = status(
            &noisy,
            "2019",
            Aim::Value(-20.0),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(b.status, PlanStatus::OffTrack, "{}", b.reason);
    }

    #[test]
    fn no_data_one_point_and_two_rounds_are_insufficient() {
        let none = status(
            &[],
            "2019",
            Aim::Value(5.0),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(none.status, PlanStatus::InsufficientData);
        assert!(
            none.reason.contains("baseline period 2019"),
            "{}",
            none.reason
        );
        let one = status(
            &[("2019", 12.0)],
            "2019",
            Aim::Value(5.0),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(one.status, PlanStatus::InsufficientData);
        let two = status(
            &[("2021", 12.0), ("2023", 11.0)],
            "2021",
            Aim::Value(5.0),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(two.status, PlanStatus::InsufficientData);
        assert!(
            two.reason.starts_with("2 published points"),
            "{}",
            two.reason
        );
        // Points before the baseline do not count.
        let before = status(
            &FALLING,
            "2023",
            Aim::Value(5.0),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(
            (before.status, before.points),
            (PlanStatus::InsufficientData, 2)
        );
    }

    #[test]
    fn a_passed_target_period_without_the_target_is_off_track() {
        let a = status(
            &FALLING,
            "2019",
            Aim::Value(8.0),
            "2025",
            Polarity::HigherIsWorse,
        );
        assert_eq!(a.status, PlanStatus::OffTrack, "{}", a.reason);
    }

    #[test]
    fn neutral_indicators_take_the_side_of_the_target() {
        // Baseline 12: a target of 8 wants lower values, one of 14 higher.
        let down = status(&FALLING, "2019", Aim::Value(9.0), "2029", Polarity::Neutral);
        assert_eq!(down.status, PlanStatus::Achieved);
        let up = status(
            &FALLING,
            "2019",
            Aim::Value(14.0),
            "2029",
            Polarity::Neutral,
        );
        assert_eq!(up.status, PlanStatus::OffTrack);
    }

    #[test]
    fn direction_targets_follow_the_slope_interval() {
        let down = Aim::Direction(Heading::Decrease);
        let noisy = [("2019", 12.0), ("2021", 11.1), ("2023", 9.9), ("2025", 9.1)];
        let a = status(&noisy, "2019", down, "2029", Polarity::HigherIsWorse);
        assert_eq!(a.status, PlanStatus::OnTrack, "{}", a.reason);
        let up = status(
            &noisy,
            "2019",
            Aim::Direction(Heading::Increase),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(up.status, PlanStatus::OffTrack, "{}", up.reason);
        let flat = [
            ("2019", 10.0),
            ("2021", 11.0),
            ("2023", 9.0),
            ("2025", 10.5),
        ];
        assert_eq!(
            status(&flat, "2019", down, "2029", Polarity::HigherIsWorse).status,
            PlanStatus::Uncertain
        );
        // The target period reached while falling: achieved.
        assert_eq!(
            status(&noisy, "2019", down, "2025", Polarity::HigherIsWorse).status,
            PlanStatus::Achieved
        );
        assert_eq!(
            status(&noisy[..2], "2019", down, "2029", Polarity::HigherIsWorse).status,
            PlanStatus::InsufficientData
        );
    }

    const CATALOG: &str = r#"
[[indicator]]
id = "ktk.bullied_weekly"
title = { fi = "K", sv = "M", en = "Bullied" }
dimension = "safety"
polarity = "higher_is_worse"
unit = "percent"
decimals = 1
source = { cube = "ktk", measure = "bullied_weekly" }
"#;

    fn areas() -> Vec<Area> {
        vec![Area {
            key: "kunta.444".into(),
            name: Localized {
                fi: "Lohja".into(),
                sv: "Lojo".into(),
                en: "Lohja".into(),
            },
            kind: crate::domain::AreaKind::Municipality,
            parent: None,
            reference: false,
        }]
    }

    const PLAN: &str = r#"
[plan]
name = { fi = "Hyvinvointisuunnitelma", sv = "Välfärdsplan", en = "Wellbeing plan" }
period = "2025-2028"

[[goal]]
id = "safe-school"
dimension = "safety"
title = { fi = "Turvallinen koulu", sv = "Trygg skola", en = "A safe school" }

[[goal.action]]
text = "Kiusaamisen vastainen ohjelma kaikkiin kouluihin"
responsible = "Perusopetus"
resources_eur = 20000

[[goal.target]]
indicator = "ktk.bullied_weekly"
areas = ["kunta.444"]
group = "8-9"
baseline = "2023"
value = 5.0
by = "2027"
milestones = [{ period = "2025", value = 6.0 }]
"#;

    fn parse_plan(text: &str) -> Result<Plan, PlanError> {
        let catalog = crate::catalog::parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
        parse(text, "plan.toml", &catalog, &areas())
    }

    #[test]
    fn the_example_plan_parses() {
        let plan = parse_plan(PLAN).unwrap();
        assert_eq!((plan.first_year, plan.last_year), (2025, 2028));
        let goal = &plan.goals[0];
        assert_eq!(goal.dimension, Dimension::Safety);
        assert_eq!(goal.actions[0].resources_eur, Some(20000.0));
        let t = &goal.targets[0];
        assert_eq!(t.aim, Aim::Value(5.0));
        assert_eq!(t.milestones, vec![("2025".parse().unwrap(), 6.0)]);
        assert_eq!(t.defined_at, "plan.toml:16");
    }

    #[test]
    fn each_plan_error_names_its_line_and_the_fix() {
        let cases = [
            (
                "\"ktk.bullied_weekly\"",
                "\"ktk.nope\"",
                "plan.toml:17: indicator 'ktk.nope' is not in the catalog",
            ),
            (
                "[\"kunta.444\"]",
                "[\"kunta.999\"]",
                "plan.toml:18: area 'kunta.999' is not configured",
            ),
            (
                "by = \"2027\"",
                "by = \"2021\"",
                "plan.toml:22: target period 2021 is not after the baseline 2023",
            ),
            (
                "dimension = \"safety\"",
                "dimension = \"security\"",
                "plan.toml:8: dimension 'security' of goal 'safe-school' is not one of the seven",
            ),
            (
                "value = 5.0",
                "value = 5.0\ndirection = \"decrease\"",
                "either `value = …` or `direction",
            ),
            (
                "period = \"2025-2028\"",
                "period = \"2028-2025\"",
                "plan.toml:4: plan period '2028-2025'",
            ),
        ];
        for (from, to, expected) in cases {
            let error = parse_plan(&PLAN.replace(from, to)).unwrap_err().to_string();
            assert!(error.contains(expected), "{from} → {to}: {error}");
        }
    }
}
