//! The plan follow-up section of the report model.
//!
//! In: the plan and its assessed rows ([`crate::plan::follow`]), the
//! catalog and the config. Out: a [`PlanSection`] in the report's
//! language. Guarantees: pure; every status shown comes with its baseline,
//! latest value and projection, the numbers of `tables/plan_status.*`.

use super::model::{
    AreaLegend, Chart, ChartKey, ChartLine, Mark, MarkShape, PlanDimension, PlanGoal, PlanLine,
    PlanSection,
};
use super::words::{plan_words, PlanWords};
use super::ReportInput;
use crate::domain::Dimension;
use crate::i18n::Language;
use crate::observation::Sex;
use crate::period::Period;
use crate::plan::{Aim, Goal, Heading, Plan, PlanRow, PlanStatus, Target};

const STATUSES: [PlanStatus; 5] = [
    PlanStatus::Achieved,
    PlanStatus::OnTrack,
    PlanStatus::Uncertain,
    PlanStatus::OffTrack,
    PlanStatus::InsufficientData,
];

fn status_text(words: &PlanWords, status: PlanStatus) -> &'static str {
    words.statuses[STATUSES.iter().position(|s| *s == status).unwrap_or(4)]
}

/// The follow-up of the plan, when there is one.
pub(super) fn plan_section(input: &ReportInput, legends: &[AreaLegend]) -> Option<PlanSection> {
    let (plan, rows) = input.plan?;
    let language = input.config.language;
    let words = plan_words(language);
    let targets: Vec<&PlanRow> = rows.iter().filter(|r| r.milestone.is_none()).collect();
    let summary = STATUSES
        .iter()
        .map(|&s| {
            (
                status_text(&words, s),
                targets.iter().filter(|r| r.assessment.status == s).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let off_track = targets
        .iter()
        .filter(|r| r.assessment.status == PlanStatus::OffTrack)
        .map(|r| {
            format!(
                "{}: {}",
                indicator_title(input, r),
                area_name(input, &r.area)
            )
        })
        .collect();
    let dimensions = Dimension::ALL
        .iter()
        .filter(|&&d| plan.goals.iter().any(|g| g.dimension == d))
        .map(|&d| PlanDimension {
            name: crate::report::phrases::capitalize(d.name(language)),
            goals: goals(input, plan, rows, d, &words, legends),
        })
        .collect();
    Some(PlanSection {
        name: plan.name.get(language).to_string(),
        period: format!("{}–{}", plan.first_year, plan.last_year),
        approved: plan.approved.clone(),
        summary,
        targets: targets.len(),
        off_track,
        dimensions,
        words,
    })
}

/// The goals of one dimension with their actions and assessed lines.
fn goals(
    input: &ReportInput,
    plan: &Plan,
    rows: &[PlanRow],
    dimension: Dimension,
    words: &PlanWords,
    legends: &[AreaLegend],
) -> Vec<PlanGoal> {
    let language = input.config.language;
    plan.goals
        .iter()
        .filter(|g| g.dimension == dimension)
        .map(|goal| PlanGoal {
            title: goal.title.get(language).to_string(),
            charts: goal
                .targets
                .iter()
                .filter_map(|t| target_chart(input, goal, t, rows, legends))
                .collect(),
            actions: goal
                .actions
                .iter()
                .map(|a| {
                    let mut details = Vec::new();
                    if let Some(r) = &a.responsible {
                        details.push(format!("{}: {r}", words.responsible));
                    }
                    if let Some(s) = &a.schedule {
                        details.push(format!("{}: {s}", words.schedule));
                    }
                    if let Some(eur) = a.resources_eur {
                        details.push(format!(
                            "{}: {} €",
                            words.resources,
                            language.number(eur, 0)
                        ));
                    }
                    if details.is_empty() {
                        a.text.clone()
                    } else {
                        format!("{} ({})", a.text, details.join("; "))
                    }
                })
                .collect(),
            lines: rows
                .iter()
                .filter(|r| r.goal == goal.id)
                .map(|r| line(input, r, words))
                .collect(),
        })
        .collect()
}

fn indicator_title(input: &ReportInput, row: &PlanRow) -> String {
    let title = input
        .catalog
        .get(&row.indicator)
        .map_or(row.indicator.clone(), |i| {
            i.title.get(input.config.language).to_string()
        });
    if row.group == crate::observation::ALL_GROUPS {
        title
    } else {
        format!("{title} ({})", row.group)
    }
}

fn area_name(input: &ReportInput, key: &str) -> String {
    input.config.area(key).map_or(key.to_string(), |a| {
        a.name.get(input.config.language).to_string()
    })
}

/// One assessed target or milestone in words and numbers.
fn line(input: &ReportInput, row: &PlanRow, words: &PlanWords) -> PlanLine {
    let language: Language = input.config.language;
    let decimals = input.catalog.get(&row.indicator).map_or(1, |i| i.decimals);
    let number = |v: f64| language.number(v, decimals);
    let at = |point: Option<(crate::period::Period, f64)>| {
        point.map_or("–".to_string(), |(p, v)| format!("{} ({p})", number(v)))
    };
    let target = match (row.aim, row.milestone) {
        (Aim::Value(v), Some(p)) => format!("{} {} ({p})", words.milestone, number(v)),
        (Aim::Value(v), None) => format!("{} ({})", number(v), row.by),
        (Aim::Direction(h), _) => format!(
            "{} {} {}",
            match h {
                Heading::Decrease => words.decrease,
                Heading::Increase => words.increase,
            },
            row.by,
            words.by
        ),
    };
    let projection = row.assessment.projection.map_or("–".to_string(), |p| {
        let digits = decimals + 1;
        let text = format!(
            "{} ({} … {})",
            language.number(p.value, digits),
            language.number(p.lower, digits),
            language.number(p.upper, digits)
        );
        match row.aim {
            Aim::Direction(_) => format!(
                "{text} / {}",
                crate::report::words::words(language).per_year
            ),
            Aim::Value(_) => text,
        }
    });
    PlanLine {
        indicator: indicator_title(input, row),
        area: area_name(input, &row.area),
        target,
        baseline: at(row.assessment.baseline),
        latest: at(row.assessment.latest),
        projection,
        status: row.assessment.status,
        status_text: status_text(words, row.assessment.status),
    }
}

/// The chart of one target: its series in each of its areas (every
/// published period, gaps where none), each area's baseline as a ring in
/// its colour, the target as a black cross at the target period and the
/// milestones as black triangles. `None` when no area has a point.
fn target_chart(
    input: &ReportInput,
    goal: &Goal,
    target: &Target,
    rows: &[PlanRow],
    legends: &[AreaLegend],
) -> Option<Chart> {
    let language = input.config.language;
    let series = |area: &str| -> Vec<&crate::observation::Observation> {
        input
            .rows
            .iter()
            .filter(|r| {
                r.indicator == target.indicator
                    && r.area == area
                    && r.group == target.group
                    && r.sex == Sex::Total
            })
            .collect()
    };
    let legend = |area: &str| {
        input
            .config
            .areas
            .iter()
            .position(|a| a.key == area)
            .and_then(|i| legends.get(i))
    };
    let mut periods: Vec<Period> = target
        .areas
        .iter()
        .flat_map(|a| series(a))
        .map(|r| r.period)
        .collect();
    periods.sort();
    periods.dedup();
    let mut lines = Vec::new();
    let mut marks = Vec::new();
    for area in &target.areas {
        let Some(legend) = legend(area) else { continue };
        let runs = super::runs(&series(area), &periods);
        if runs.is_empty() {
            continue;
        }
        lines.push(ChartLine {
            label: legend.name.clone(),
            colour: legend.colour,
            offset: 0.0,
            runs,
        });
        let baseline = rows
            .iter()
            .find(|r| {
                r.goal == goal.id
                    && r.indicator == target.indicator
                    && &r.area == area
                    && r.milestone.is_none()
            })
            .and_then(|r| r.assessment.baseline);
        if let Some((period, value)) = baseline {
            marks.push(Mark {
                x: period.decimal_time(),
                y: value,
                shape: MarkShape::Ring,
                colour: legend.colour,
            });
        }
    }
    if lines.is_empty() {
        return None;
    }
    let black = (0, 0, 0);
    if let Aim::Value(value) = target.aim {
        marks.push(Mark {
            x: target.by.decimal_time(),
            y: value,
            shape: MarkShape::Cross,
            colour: black,
        });
    }
    for (period, value) in &target.milestones {
        marks.push(Mark {
            x: period.decimal_time(),
            y: *value,
            shape: MarkShape::Triangle,
            colour: black,
        });
    }
    let indicator = input.catalog.get(&target.indicator);
    let title = indicator.map_or(target.indicator.clone(), |i| {
        i.title.get(language).to_string()
    });
    let title = if target.group == crate::observation::ALL_GROUPS {
        title
    } else {
        format!("{title} ({})", target.group)
    };
    let names: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
    Some(Chart {
        stem: format!("plan/{}_{}", goal.id, target.indicator),
        alt: format!(
            "{}: {title}. {}",
            super::words::html_words(language).chart_alt,
            names.join(", ")
        ),
        title,
        decimals: indicator.map_or(1, |i| i.decimals),
        lines,
        key: ChartKey::Indicator(None),
        marks,
    })
}
