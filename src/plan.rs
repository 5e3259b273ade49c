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
use crate::shift::Shift;
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
    #[error("{location}: {reason}; fix the file or `child_friendly = \"…\"` in the config")]
    AssessmentFile { location: String, reason: String },
    #[error("{}", .rejections.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("\n"))]
    Assessment {
        rejections: Vec<crate::ingest::Rejection>,
    },
}

/// Reads the city's Child Friendly Municipality self-assessments; any bad
/// row refuses the file (it is short and written by hand: a partly read
/// assessment would show wrong changes).
pub fn load_assessments(path: &Path) -> Result<crate::child_friendly::Assessments, PlanError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| PlanError::AssessmentFile {
        location: file.clone(),
        reason: format!("cannot read the self-assessment file: {e}"),
    })?;
    let parsed = crate::ingest::child_friendly_csv::parse(&bytes, &file).map_err(|e| {
        PlanError::AssessmentFile {
            location: e.location,
            reason: e.reason,
        }
    })?;
    if !parsed.rejections.is_empty() {
        return Err(PlanError::Assessment {
            rejections: parsed.rejections,
        });
    }
    Ok(crate::child_friendly::Assessments {
        fingerprint: (file, crate::ingest::sha256_hex(&bytes)),
        levels: parsed.rows,
    })
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
    /// The file and the sha256 of the bytes read (for the manifest).
    pub fingerprint: (String, String),
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

/// A share of the shift analysis a target can follow: the column of
/// `tables/shift.*` of the same name, in complete calendar years.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantNames,
)]
#[strum(serialize_all = "snake_case")]
pub enum ShiftShare {
    /// Basic services' share of clients, basic / (basic + specialist): the
    /// development programme's 2030 goal.
    BasicShareClients,
    BasicShareVisits,
    BasicShareCost,
}

/// What a target follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A catalog indicator in one population group (`all` when the
    /// indicator has none).
    Indicator { id: String, group: String },
    /// A share of the shift analysis (basic care and prevention against
    /// specialist care).
    Shift(ShiftShare),
}

impl Subject {
    /// The id in `tables/plan_status.*`: the catalog id, or
    /// `shift.basic_share_clients`.
    pub fn key(&self) -> String {
        match self {
            Subject::Indicator { id, .. } => id.clone(),
            Subject::Shift(share) => format!("shift.{}", share.key()),
        }
    }

    pub fn group(&self) -> &str {
        match self {
            Subject::Indicator { group, .. } => group,
            Subject::Shift(_) => crate::observation::ALL_GROUPS,
        }
    }

    /// The range a value can take: a percentage lies in 0–100, a share in
    /// 0–1, a rate or count is never negative. A projection's interval is
    /// cut to it (a line extended far enough passes any bound).
    pub fn range(&self, catalog: &Catalog) -> (f64, f64) {
        match self {
            Subject::Indicator { id, .. } => match catalog.get(id).map(|i| i.unit) {
                Some(crate::domain::Unit::Percent) => (0.0, 100.0),
                Some(crate::domain::Unit::Index) | None => (f64::NEG_INFINITY, f64::INFINITY),
                Some(_) => (0.0, f64::INFINITY),
            },
            Subject::Shift(_) => (0.0, 1.0),
        }
    }

    /// Which way is better: the catalog's polarity, and for the shift
    /// shares a rise (the emphasis moves to basic care).
    pub fn polarity(&self, catalog: &Catalog) -> Polarity {
        match self {
            Subject::Indicator { id, .. } => {
                catalog.get(id).map_or(Polarity::Neutral, |i| i.polarity)
            }
            Subject::Shift(_) => Polarity::HigherIsBetter,
        }
    }
}

/// What a goal is followed with, in some areas.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub subject: Subject,
    pub areas: Vec<String>,
    /// The baseline period; the value there is taken from the data unless
    /// `baseline_value` gives it.
    pub baseline: Period,
    pub baseline_value: Option<f64>,
    pub aim: Aim,
    /// The target period: a year or a quarter, as the baseline.
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

crate::domain::keyed!(Heading, PlanStatus, ShiftShare);

impl PlanStatus {
    pub const ALL: [PlanStatus; 5] = [
        PlanStatus::Achieved,
        PlanStatus::OnTrack,
        PlanStatus::Uncertain,
        PlanStatus::OffTrack,
        PlanStatus::InsufficientData,
    ];
}

/// Why a target has its status: the rule that decided it and its numbers.
/// The words are the report's ([`crate::report::plan::reason_text`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The series has no row of the target's group in any area; the data
    /// has these groups for the indicator.
    UnknownGroup { available: Vec<String> },
    /// A value target needs a value at its baseline period.
    NoBaseline { baseline: Period },
    /// Nothing published from the baseline to the target period.
    NoPoints { baseline: Period, by: Period },
    /// Fewer points than a projection or a slope needs.
    TooFewPoints { points: usize, needed: usize },
    /// The value at `at` is at or beyond the target (achieved).
    Reached { at: (Period, f64), goal: f64 },
    /// The target period is reached and the value there falls short.
    Missed { at: (Period, f64), goal: f64 },
    /// A value target projected to its period; the status says which end
    /// of the interval reaches the target.
    Projected { goal: f64 },
    /// A direction target's slope and its interval; `reached` when the
    /// target period is reached.
    Slope { reached: bool },
}

/// A status with the numbers behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub status: PlanStatus,
    pub baseline: Option<(Period, f64)>,
    /// The last published value up to the target period.
    pub latest: Option<(Period, f64)>,
    /// Published points from the baseline to the target period.
    pub points: usize,
    /// The trend from the baseline projected to the target period, and its
    /// slope per year, with (1 − α) intervals.
    pub projection: Option<Projection>,
    pub reason: Reason,
}

/// Points a projection needs at the least: with fewer the line has no
/// interval. `[trends] min_points` may ask for more.
pub const MIN_POINTS: usize = 3;

/// How a target is assessed: the run's `[trends]` settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// The intervals are (1 − α).
    pub alpha: f64,
    /// Points from the baseline on that a projection or slope needs
    /// (at least [`MIN_POINTS`]).
    pub min_points: usize,
}

impl Rules {
    pub fn new(settings: &crate::config::TrendSettings) -> Rules {
        Rules {
            alpha: settings.alpha,
            min_points: settings.min_points.max(MIN_POINTS),
        }
    }
}

/// Assesses one target in one series: `points` are the published values
/// of the series in period order. The rules are in docs/PLAN.md §3:
///
/// * only the points from the baseline to the target period (or the
///   milestone's) count: a later value does not decide an earlier goal;
/// * value target, with "better" the indicator's polarity (for a neutral
///   indicator: the side of the target from the baseline):
///   achieved when the last value is at or beyond the target; off track
///   when the target period is reached without it, or when even the better
///   end of the projection's (1 − α) interval at the target period falls
///   short; on track when the projection itself reaches the target;
///   uncertain otherwise;
/// * direction target: on track when the slope's (1 − α) interval since
///   the baseline lies wholly on the wanted side (achieved once the
///   target period is reached), off track when it lies wholly on the other
///   side, uncertain otherwise; it needs no baseline value;
/// * fewer than `rules.min_points` points (a survey with two rounds) give
///   insufficient data, unless a value target is already achieved or
///   missed at its period.
pub fn assess(
    points: &[(Period, f64)],
    target: &Target,
    aim: Aim,
    by: Period,
    polarity: Polarity,
    rules: Rules,
) -> Assessment {
    let since: Vec<(Period, f64)> = points
        .iter()
        .copied()
        .filter(|(p, _)| *p >= target.baseline && *p <= by)
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
        reason: Reason::NoPoints {
            baseline: target.baseline,
            by,
        },
    };
    let Some(latest) = latest else {
        return out;
    };
    let xy: Vec<(f64, f64)> = since.iter().map(|(p, v)| (p.decimal_time(), *v)).collect();
    if xy.len() >= rules.min_points {
        out.projection = stats::projection(&xy, by.decimal_time(), rules.alpha);
    }
    let too_few = Reason::TooFewPoints {
        points: xy.len(),
        needed: rules.min_points,
    };
    (out.status, out.reason) = match aim {
        Aim::Value(goal) => {
            let Some((_, base)) = baseline else {
                out.reason = Reason::NoBaseline {
                    baseline: target.baseline,
                };
                return out;
            };
            let better = match polarity {
                Polarity::HigherIsBetter => 1.0,
                Polarity::HigherIsWorse => -1.0,
                Polarity::Neutral if goal >= base => 1.0,
                Polarity::Neutral => -1.0,
            };
            assess_value(out.projection, goal, better, latest, by)
                .unwrap_or((PlanStatus::InsufficientData, too_few))
        }
        Aim::Direction(heading) => {
            let better = match heading {
                Heading::Increase => 1.0,
                Heading::Decrease => -1.0,
            };
            match out.projection {
                Some(p) => assess_direction(p, better, latest.0 >= by),
                None => (PlanStatus::InsufficientData, too_few),
            }
        }
    };
    out
}

/// A value target: achieved, off track, on track or uncertain; `None`
/// when it needs a projection and there is none.
fn assess_value(
    projection: Option<Projection>,
    goal: f64,
    better: f64,
    latest: (Period, f64),
    by: Period,
) -> Option<(PlanStatus, Reason)> {
    if better * (latest.1 - goal) >= 0.0 {
        return Some((PlanStatus::Achieved, Reason::Reached { at: latest, goal }));
    }
    if latest.0 >= by {
        return Some((PlanStatus::OffTrack, Reason::Missed { at: latest, goal }));
    }
    let p = projection?;
    let best = if better > 0.0 { p.upper } else { p.lower };
    let status = if better * (best - goal) < 0.0 {
        PlanStatus::OffTrack
    } else if better * (p.value - goal) >= 0.0 {
        PlanStatus::OnTrack
    } else {
        PlanStatus::Uncertain
    };
    Some((status, Reason::Projected { goal }))
}

/// A direction target: the slope's interval decides.
fn assess_direction(p: Projection, better: f64, reached: bool) -> (PlanStatus, Reason) {
    let (wanted, unwanted) = if better > 0.0 {
        (p.slope_lower > 0.0, p.slope_upper < 0.0)
    } else {
        (p.slope_upper < 0.0, p.slope_lower > 0.0)
    };
    let status = match (wanted, unwanted) {
        (true, _) if reached => PlanStatus::Achieved,
        (true, _) => PlanStatus::OnTrack,
        (_, true) => PlanStatus::OffTrack,
        _ => PlanStatus::Uncertain,
    };
    (status, Reason::Slope { reached })
}

/// One point of a followed series: unpublished periods are kept (value
/// `None`) so that a chart shows the gap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesPoint {
    pub period: Period,
    pub value: Option<f64>,
    pub ci: Option<(f64, f64)>,
}

/// One line of the follow-up: a target (or one of its milestones) in one
/// area, assessed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    pub goal: String,
    pub dimension: Dimension,
    pub subject: Subject,
    pub area: String,
    /// `None` for the target itself, the milestone's period otherwise.
    pub milestone: Option<Period>,
    pub aim: Aim,
    pub by: Period,
    pub assessment: Assessment,
    /// The series the target was assessed on, every period of it.
    pub series: Vec<SeriesPoint>,
}

/// What the plan is followed on: the run's protected data.
pub struct PlanData<'a> {
    /// The protected rows of the areas of interest, each series in period
    /// order.
    pub rows: &'a [Observation],
    /// The derived (yearly and city-wide) totals of service counts.
    pub derived: &'a [Observation],
    pub shift: &'a Shift,
}

impl PlanData<'_> {
    /// The sex-total series of a subject in an area, in periods of the
    /// target's kind (years for a yearly target, quarters for a quarterly
    /// one). Shift shares are the complete periods of the shift table (an
    /// incomplete year or quarter is a gap).
    pub fn series(&self, subject: &Subject, area: &str, quarterly: bool) -> Vec<SeriesPoint> {
        let mut out: Vec<SeriesPoint> = match subject {
            Subject::Indicator { id, group } => self
                .rows
                .iter()
                .chain(self.derived)
                .filter(|r| {
                    &r.indicator == id
                        && r.area == area
                        && &r.group == group
                        && r.sex == Sex::Total
                        && r.period.is_quarter() == quarterly
                })
                .map(|r| SeriesPoint {
                    period: r.period,
                    value: r.value,
                    ci: r.ci_lower.zip(r.ci_upper),
                })
                .collect(),
            Subject::Shift(share) => self
                .shift
                .rows
                .iter()
                .filter(|r| r.area == area && r.period.is_quarter() == quarterly)
                .map(|r| SeriesPoint {
                    period: r.period,
                    value: match share {
                        ShiftShare::BasicShareClients => {
                            r.complete_clients.then(|| r.share_clients()).flatten()
                        }
                        ShiftShare::BasicShareVisits => {
                            r.complete_visits.then(|| r.share_visits()).flatten()
                        }
                        ShiftShare::BasicShareCost => (r.complete_clients && r.complete_visits)
                            .then(|| r.share_cost())
                            .flatten(),
                    },
                    ci: None,
                })
                .collect(),
        };
        out.sort_by_key(|p| p.period);
        out
    }

    /// The groups the data has for an indicator, when the target's group
    /// is not among them.
    fn missing_group(&self, subject: &Subject) -> Option<Vec<String>> {
        let Subject::Indicator { id, group } = subject else {
            return None;
        };
        let groups: std::collections::BTreeSet<&str> = self
            .rows
            .iter()
            .filter(|r| &r.indicator == id)
            .map(|r| r.group.as_str())
            .collect();
        (!groups.is_empty() && !groups.contains(group.as_str()))
            .then(|| groups.into_iter().map(String::from).collect())
    }
}

/// Assesses every target and milestone of the plan in each of its areas.
/// Rows follow the plan's order: goals, targets, areas, then the target
/// before its milestones.
pub fn follow(plan: &Plan, data: &PlanData, catalog: &Catalog, rules: Rules) -> Vec<PlanRow> {
    let mut out = Vec::new();
    for goal in &plan.goals {
        for target in &goal.targets {
            let polarity = target.subject.polarity(catalog);
            let missing_group = data.missing_group(&target.subject);
            for area in &target.areas {
                let series = data.series(&target.subject, area, target.by.is_quarter());
                let points: Vec<(Period, f64)> = series
                    .iter()
                    .filter_map(|p| Some((p.period, p.value?)))
                    .collect();
                let milestones = target
                    .milestones
                    .iter()
                    .map(|(p, v)| (Some(*p), Aim::Value(*v), *p));
                for (milestone, aim, by) in
                    std::iter::once((None, target.aim, target.by)).chain(milestones)
                {
                    let mut assessment = assess(&points, target, aim, by, polarity, rules);
                    let (low, high) = target.subject.range(catalog);
                    if let Some(p) = &mut assessment.projection {
                        p.value = p.value.clamp(low, high);
                        p.lower = p.lower.clamp(low, high);
                        p.upper = p.upper.clamp(low, high);
                    }
                    if let Some(available) = &missing_group {
                        assessment.reason = Reason::UnknownGroup {
                            available: available.clone(),
                        };
                    }
                    out.push(PlanRow {
                        goal: goal.id.clone(),
                        dimension: goal.dimension,
                        subject: target.subject.clone(),
                        area: area.clone(),
                        milestone,
                        aim,
                        by,
                        assessment,
                        series: series.clone(),
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
    indicator: Option<Spanned<String>>,
    shift: Option<Spanned<String>>,
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
    let mut plan = parse(&text, &file, catalog, areas)?;
    plan.fingerprint = (file, crate::ingest::sha256_hex(text.as_bytes()));
    Ok(plan)
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
        fingerprint: (file.to_string(), String::new()),
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

/// One target: a known indicator or a shift share, configured areas, a
/// baseline before the target period (both years or both quarters), a
/// value or a direction, milestones between.
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
    let subject = subject(raw, catalog, &mut problem);
    let name = subject.as_ref().map_or_else(
        || {
            t.indicator
                .as_ref()
                .map_or("?".into(), |i| i.get_ref().clone())
        },
        Subject::key,
    );
    if t.areas.get_ref().is_empty() {
        problem(
            t.areas.span().start,
            format!("the target for '{name}' has no areas: name at least one configured area"),
        );
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
        (Some(_), Some(_)) => {
            problem(
                raw.span().start,
                format!("the target for '{name}' has both `value` and `direction`: keep one"),
            );
            None
        }
        (None, None) => {
            problem(raw.span().start, format!("the target for '{name}' needs `value = …` or `direction = \"increase\"` / \"decrease\""));
            None
        }
    };
    if let (Some(b), Some(y)) = (baseline, by) {
        if b.is_quarter() != y.is_quarter() {
            problem(
                t.by.span().start,
                format!("the baseline {b} and the target period {y} must both be years or both quarters: a target compares like with like"),
            );
        } else if y <= b {
            problem(
                t.by.span().start,
                format!("target period {y} is not after the baseline {b}: a target looks forward"),
            );
        }
    }
    let mut milestones = Vec::new();
    for m in &t.milestones {
        match m.get_ref().period.parse::<Period>() {
            Ok(p) => {
                let (Some(b), Some(y)) = (baseline, by) else {
                    // The baseline or target period is already reported.
                    continue;
                };
                if p.is_quarter() != y.is_quarter() || p <= b || p >= y {
                    problem(
                        m.span().start,
                        format!("milestone {p} must fall between the baseline {b} and the target period {y}, in the same kind of period"),
                    );
                } else {
                    milestones.push((p, m.get_ref().value));
                }
            }
            Err(e) => problem(m.span().start, format!("milestone period: {e}")),
        }
    }
    milestones.sort_by_key(|(p, _)| *p);
    if let Some(subject) = &subject {
        let (low, high) = subject.range(catalog);
        let values = t.value.iter().chain(milestones.iter().map(|(_, v)| v));
        if let Some(v) = values.copied().find(|v| !(low..=high).contains(v)) {
            problem(
                raw.span().start,
                format!(
                    "target value {v} for '{}' lies outside the values it can take ({}): {}",
                    subject.key(),
                    if high.is_finite() {
                        format!("{low} … {high}")
                    } else {
                        format!("{low} or more")
                    },
                    match subject {
                        Subject::Shift(_) => "a share is written as a fraction, 0.95 for 95 %",
                        Subject::Indicator { .. } => "check the value and the indicator's unit",
                    }
                ),
            );
        }
    }
    if !ok {
        return None;
    }
    Some(Target {
        subject: subject?,
        areas: t.areas.get_ref().clone(),
        baseline: baseline?,
        baseline_value: t.baseline_value,
        aim: aim?,
        by: by?,
        milestones,
        defined_at: format!("{file}:{}", line_of(text, raw.span().start)),
    })
}

/// `indicator = "…"` (with an optional `group`) or `shift = "…"`, exactly
/// one.
fn subject(
    raw: &Spanned<RawTarget>,
    catalog: &Catalog,
    problem: &mut impl FnMut(usize, String),
) -> Option<Subject> {
    let t = raw.get_ref();
    match (&t.indicator, &t.shift) {
        (Some(indicator), None) => {
            let id = indicator.get_ref();
            if catalog.get(id).is_none() {
                problem(indicator.span().start, format!("indicator '{id}' is not in the catalog: use a catalog id (`hyte catalog` lists them)"));
                return None;
            }
            Some(Subject::Indicator {
                id: id.clone(),
                group: t
                    .group
                    .clone()
                    .unwrap_or_else(|| crate::observation::ALL_GROUPS.to_string()),
            })
        }
        (None, Some(shift)) => {
            if t.group.is_some() {
                problem(shift.span().start, "a shift target has no `group`: the shift analysis covers all children aged 0–17; remove `group`".into());
            }
            match parse_key::<ShiftShare>(shift.get_ref()) {
                Ok(share) => Some(Subject::Shift(share)),
                Err(allowed) => {
                    problem(
                        shift.span().start,
                        format!("shift '{}': {allowed}", shift.get_ref()),
                    );
                    None
                }
            }
        }
        (Some(_), Some(_)) => {
            problem(raw.span().start, "a target follows either `indicator = \"…\"` or `shift = \"basic_share_clients\"`, not both".into());
            None
        }
        (None, None) => {
            problem(raw.span().start, "a target needs `indicator = \"…\"` (a catalog id) or `shift = \"basic_share_clients\"`".into());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(baseline: &str, aim: Aim, by: &str) -> Target {
        Target {
            subject: Subject::Indicator {
                id: "x".into(),
                group: "all".into(),
            },
            areas: vec!["a".into()],
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
        assess(&series(points), &t, aim, t.by, polarity, RULES)
    }

    const RULES: Rules = Rules {
        alpha: 0.05,
        min_points: MIN_POINTS,
    };

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
        assert_eq!(a.status, PlanStatus::Achieved, "{:?}", a.reason);
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
        assert_eq!(on.status, PlanStatus::OnTrack, "{:?}", on.reason);
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
        assert_eq!(off.status, PlanStatus::OffTrack, "{:?}", off.reason);
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
        assert_eq!(a.status, PlanStatus::Uncertain, "{:?}", a.reason);
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
        assert_eq!(b.status, PlanStatus::OffTrack, "{:?}", b.reason);
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
        assert_eq!(
            none.reason,
            Reason::NoPoints {
                baseline: "2019".parse().unwrap(),
                by: "2029".parse().unwrap()
            }
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
        assert_eq!(
            two.reason,
            Reason::TooFewPoints {
                points: 2,
                needed: 3
            }
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
        assert_eq!(a.status, PlanStatus::OffTrack, "{:?}", a.reason);
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
        assert_eq!(a.status, PlanStatus::OnTrack, "{:?}", a.reason);
        let up = status(
            &noisy,
            "2019",
            Aim::Direction(Heading::Increase),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(up.status, PlanStatus::OffTrack, "{:?}", up.reason);
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

    #[test]
    fn a_target_is_judged_at_its_period_not_by_later_values() {
        // The milestone 2021 asked for 10.5: 11.0 then misses it, though
        // 2023 and 2025 are lower.
        let a = status(
            &FALLING,
            "2019",
            Aim::Value(10.5),
            "2021",
            Polarity::HigherIsWorse,
        );
        assert_eq!(a.status, PlanStatus::OffTrack, "{:?}", a.reason);
        assert_eq!(a.latest, Some(("2021".parse().unwrap(), 11.0)));
        assert_eq!(a.points, 2);
        assert_eq!(
            a.reason,
            Reason::Missed {
                at: ("2021".parse().unwrap(), 11.0),
                goal: 10.5
            }
        );
    }

    #[test]
    fn a_direction_target_needs_no_baseline_value() {
        // No point at the baseline period 2018: the slope since 2018 still
        // decides.
        let a = status(
            &[("2019", 12.0), ("2021", 11.1), ("2023", 9.9), ("2025", 9.1)],
            "2018",
            Aim::Direction(Heading::Decrease),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(a.status, PlanStatus::OnTrack, "{:?}", a.reason);
        assert_eq!(a.baseline, None);
        // A value target does need it.
        let b = status(
            &FALLING,
            "2018",
            Aim::Value(5.0),
            "2029",
            Polarity::HigherIsWorse,
        );
        assert_eq!(
            (b.status, b.reason),
            (
                PlanStatus::InsufficientData,
                Reason::NoBaseline {
                    baseline: "2018".parse().unwrap()
                }
            )
        );
    }

    #[test]
    fn the_trend_settings_set_the_interval_and_the_points_needed() {
        let noisy = [
            ("2019", 12.0),
            ("2021", 10.4),
            ("2023", 10.4),
            ("2025", 8.8),
        ];
        let t = target("2019", Aim::Value(6.5), "2029");
        let points = series(&noisy);
        let at = |alpha: f64, min_points: usize| {
            assess(
                &points,
                &t,
                t.aim,
                t.by,
                Polarity::HigherIsWorse,
                Rules { alpha, min_points },
            )
        };
        let p95 = at(0.05, 3).projection.unwrap();
        let p80 = at(0.20, 3).projection.unwrap();
        assert!(p80.lower > p95.lower && p80.upper < p95.upper);
        assert_eq!((p80.value, p80.slope), (p95.value, p95.slope));
        let strict = at(0.05, 5);
        assert_eq!(strict.status, PlanStatus::InsufficientData);
        assert_eq!(
            strict.reason,
            Reason::TooFewPoints {
                points: 4,
                needed: 5
            }
        );
        assert_eq!(
            Rules::new(&crate::config::TrendSettings::default()).min_points,
            4
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
        assert_eq!(
            t.subject,
            Subject::Indicator {
                id: "ktk.bullied_weekly".into(),
                group: "8-9".into()
            }
        );
        let shift = parse_plan(
            &PLAN
                .replace(
                    "indicator = \"ktk.bullied_weekly\"",
                    "shift = \"basic_share_clients\"",
                )
                .replace("group = \"8-9\"\n", "")
                .replace("value = 5.0", "value = 0.95")
                .replace("value = 6.0", "value = 0.9"),
        )
        .unwrap();
        let t = &shift.goals[0].targets[0];
        assert_eq!(t.subject, Subject::Shift(ShiftShare::BasicShareClients));
        assert_eq!(t.subject.key(), "shift.basic_share_clients");
        assert_eq!(t.subject.group(), "all");
    }

    #[test]
    fn a_bad_target_period_is_reported_once() {
        let error = parse_plan(&PLAN.replace("by = \"2027\"", "by = \"soon\""))
            .unwrap_err()
            .to_string();
        assert_eq!(error.lines().count(), 1, "{error}");
        assert!(
            error.starts_with("plan.toml:22: by 'soon' is not a period"),
            "{error}"
        );
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
                "plan.toml:16: the target for 'ktk.bullied_weekly' has both `value` and `direction`",
            ),
            (
                "value = 5.0",
                "",
                "plan.toml:16: the target for 'ktk.bullied_weekly' needs `value = …` or `direction",
            ),
            (
                "[\"kunta.444\"]",
                "[]",
                "plan.toml:18: the target for 'ktk.bullied_weekly' has no areas",
            ),
            (
                "by = \"2027\"",
                "by = \"2027Q4\"",
                "plan.toml:22: the baseline 2023 and the target period 2027Q4 must both be years",
            ),
            (
                "indicator = \"ktk.bullied_weekly\"",
                "shift = \"basic_share_clients\"",
                "plan.toml:17: a shift target has no `group`",
            ),
            (
                "indicator = \"ktk.bullied_weekly\"",
                "shift = \"specialist_share\"",
                "shift 'specialist_share': use one of basic_share_clients, basic_share_visits, basic_share_cost",
            ),
            (
                "indicator = \"ktk.bullied_weekly\"",
                "",
                "plan.toml:16: a target needs `indicator = \"…\"` (a catalog id) or `shift",
            ),
            (
                "value = 5.0",
                "value = 105.0",
                "plan.toml:16: target value 105 for 'ktk.bullied_weekly' lies outside the values it can take (0 … 100)",
            ),
            (
                "{ period = \"2025\", value = 6.0 }",
                "{ period = \"2028\", value = 6.0 }",
                "plan.toml:23: milestone 2028 must fall between the baseline 2023 and the target period 2027",
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
