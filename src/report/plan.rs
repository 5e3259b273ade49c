//! The plan follow-up section of the report model.
//!
//! In: the plan and its assessed rows ([`crate::plan::follow`]), the
//! catalog and the config. Out: a [`PlanSection`] in the report's
//! language, and [`Reasons`]: each status's reason in words (the tables'
//! `reason` column is the English one). Guarantees: pure; every status
//! shown comes with its baseline, latest value, projection and reason, the
//! numbers of `tables/plan_status.*`; a missed milestone is listed with
//! the targets off track.

use super::model::{
    AreaLegend, AssessmentLine, Chart, ChartKey, ChartLine, Mark, MarkShape, PlanDimension,
    PlanGoal, PlanLine, PlanSection, Tone,
};
use super::words::{plan_words, PlanWords};
use super::ReportInput;
use crate::domain::Dimension;
use crate::i18n::Language;
use crate::period::Period;
use crate::plan::{
    Aim, Goal, Heading, Plan, PlanRow, PlanStatus, Reason, ShiftShare, Subject, Target,
};

pub(crate) fn status_text(words: &PlanWords, status: PlanStatus) -> &'static str {
    let index = PlanStatus::ALL.iter().position(|s| *s == status);
    words.statuses[index.unwrap_or(PlanStatus::ALL.len() - 1)]
}

/// Decimals of a subject's values: the catalog's, or three for a share
/// (0.928, as `tables/shift.*` has it).
pub(crate) fn decimals(input: &ReportInput, subject: &Subject) -> u8 {
    match subject {
        Subject::Indicator { id, .. } => input.catalog.get(id).map_or(1, |i| i.decimals),
        Subject::Shift(_) => 3,
    }
}

/// A subject's title in the report's language, with the group when it is
/// not "all".
fn subject_title(input: &ReportInput, subject: &Subject) -> String {
    let language = input.config.language;
    match subject {
        Subject::Indicator { id, group } => {
            let title = input
                .catalog
                .get(id)
                .map_or(id.clone(), |i| i.title.get(language).to_string());
            if group == crate::observation::ALL_GROUPS {
                title
            } else {
                format!("{title} ({group})")
            }
        }
        Subject::Shift(share) => {
            let words = plan_words(language);
            match share {
                ShiftShare::BasicShareClients => words.share_clients,
                ShiftShare::BasicShareVisits => words.share_visits,
                ShiftShare::BasicShareCost => words.share_cost,
            }
            .to_string()
        }
    }
}

/// The follow-up of the plan, when there is one.
pub(super) fn plan_section(input: &ReportInput, legends: &[AreaLegend]) -> Option<PlanSection> {
    let (plan, rows) = input.plan?;
    let language = input.config.language;
    let words = plan_words(language);
    let reasons = Reasons::new(input, language);
    let targets: Vec<&PlanRow> = rows.iter().filter(|r| r.milestone.is_none()).collect();
    let summary = PlanStatus::ALL
        .iter()
        .map(|&s| {
            (
                status_text(&words, s),
                targets.iter().filter(|r| r.assessment.status == s).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    // Targets and milestones off track: a missed milestone is news for the
    // council even while the final target can still be reached.
    let off_track = rows
        .iter()
        .filter(|r| r.assessment.status == PlanStatus::OffTrack)
        .map(|r| {
            let what = subject_title(input, &r.subject);
            let area = area_name(input, &r.area);
            match r.milestone {
                Some(p) => format!("{what}: {area} ({} {p})", words.milestone),
                None => format!("{what}: {area}"),
            }
        })
        .collect();
    let assessed = input.child_friendly.unwrap_or_default();
    let mut dimensions: Vec<PlanDimension> = Dimension::ALL
        .iter()
        .filter(|&&d| {
            plan.goals.iter().any(|g| g.dimension == d)
                || assessed.iter().any(|i| i.current.dimension == d)
        })
        .map(|&d| PlanDimension {
            name: crate::report::phrases::capitalize(d.name(language)),
            goals: goals(input, plan, rows, d, &words, &reasons, legends),
            assessment: assessment_lines(assessed, d),
        })
        .collect();
    super::build::unique_stems(
        dimensions
            .iter_mut()
            .flat_map(|d| &mut d.goals)
            .flat_map(|g| &mut g.charts),
    );
    let level = language.number((1.0 - input.config.trends.alpha) * 100.0, 0);
    Some(PlanSection {
        name: plan.name.get(language).to_string(),
        period: format!("{}–{}", plan.first_year, plan.last_year),
        approved: plan.approved.clone(),
        summary,
        lead: words
            .targets
            .replace("{followed}", &targets.len().to_string())
            .replace(
                "{goals}",
                &plan
                    .goals
                    .iter()
                    .map(|g| g.targets.len())
                    .sum::<usize>()
                    .to_string(),
            ),
        off_track,
        dimensions,
        rules: words.rules.replace("{level}", &level),
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
    reasons: &Reasons,
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
                            language.grouped(eur, 0)
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
                .map(|r| line(input, r, words, reasons))
                .collect(),
        })
        .collect()
}

/// The latest assessment of each Child Friendly Municipality indicator
/// filed under `dimension`, with its change since the previous one.
fn assessment_lines(
    items: &[crate::child_friendly::Item],
    dimension: Dimension,
) -> Vec<AssessmentLine> {
    let of_dimension: Vec<&crate::child_friendly::Item> = items
        .iter()
        .filter(|i| i.current.dimension == dimension)
        .collect();
    // Items come in indicator and year order: the last of each indicator
    // is its latest assessment.
    of_dimension
        .iter()
        .enumerate()
        .filter(|(k, i)| {
            of_dimension
                .get(k + 1)
                .is_none_or(|next| next.current.item != i.current.item)
        })
        .map(|(_, i)| {
            let c = &i.current;
            let change = i.change();
            AssessmentLine {
                item: if c.text.is_empty() {
                    c.item.clone()
                } else {
                    format!("{}: {}", c.item, c.text)
                },
                theme: c.theme.clone(),
                level: format!("{} / {} ({})", c.level, c.scale, c.year),
                previous: i.previous.map_or("–".to_string(), |(year, level)| {
                    format!("{level} / {} ({year})", c.scale)
                }),
                change: match change {
                    None => "–".to_string(),
                    Some(0) => "0".to_string(),
                    Some(d) if d > 0 => format!("+{d}"),
                    Some(d) => format!("−{}", d.abs()),
                },
                tone: match change {
                    Some(d) if d > 0 => Tone::Good,
                    Some(d) if d < 0 => Tone::Bad,
                    _ => Tone::Flat,
                },
            }
        })
        .collect()
}

fn area_name(input: &ReportInput, key: &str) -> String {
    input.config.area(key).map_or(key.to_string(), |a| {
        a.name.get(input.config.language).to_string()
    })
}

/// One assessed target or milestone in words and numbers.
fn line(input: &ReportInput, row: &PlanRow, words: &PlanWords, reasons: &Reasons) -> PlanLine {
    let language: Language = input.config.language;
    let decimals = decimals(input, &row.subject);
    let number = |v: f64| language.number(v, decimals);
    let at = |point: Option<(Period, f64)>| {
        point.map_or("–".to_string(), |(p, v)| format!("{} ({p})", number(v)))
    };
    let target = match (row.aim, row.milestone) {
        (Aim::Value(v), Some(p)) => format!("{} {} ({p})", words.milestone, number(v)),
        (Aim::Value(v), None) => format!("{} ({})", number(v), row.by),
        (Aim::Direction(h), _) => match h {
            Heading::Decrease => words.decrease,
            Heading::Increase => words.increase,
        }
        .replace("{by}", &row.by.to_string()),
    };
    let projection = row.assessment.projection.map_or("–".to_string(), |p| {
        let digits = decimals + 1;
        let (value, lower, upper) = match row.aim {
            Aim::Value(_) => (p.value, p.lower, p.upper),
            Aim::Direction(_) => (p.slope, p.slope_lower, p.slope_upper),
        };
        let text = format!(
            "{} ({} … {})",
            language.number(value, digits),
            language.number(lower, digits),
            language.number(upper, digits)
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
        indicator: subject_title(input, &row.subject),
        area: area_name(input, &row.area),
        target,
        baseline: at(row.assessment.baseline),
        latest: at(row.assessment.latest),
        projection,
        status: row.assessment.status,
        status_text: status_text(words, row.assessment.status),
        reason: reasons.text(row),
    }
}

/// Each status's reason in words, with the numbers a reader can find in
/// `tables/plan_status.*`.
pub struct Reasons<'a> {
    input: &'a ReportInput<'a>,
    language: Language,
    /// "95": the intervals' level in per cent.
    level: String,
}

impl<'a> Reasons<'a> {
    pub fn new(input: &'a ReportInput<'a>, language: Language) -> Reasons<'a> {
        let level = language.number((1.0 - input.config.trends.alpha) * 100.0, 0);
        Reasons {
            input,
            language,
            level,
        }
    }

    /// The reason of one row.
    pub fn text(&self, row: &PlanRow) -> String {
        let language = self.language;
        let decimals = decimals(self.input, &row.subject);
        let n = |v: f64| language.number(v, decimals);
        let n2 = |v: f64| language.number(v, decimals + 1);
        let level = &self.level;
        let by = row.by;
        let status = row.assessment.status;
        let interval = |value: f64, lower: f64, upper: f64| {
            format!("{} ({level} %: {} … {})", n2(value), n2(lower), n2(upper))
        };
        use Language::{En, Fi, Sv};
        match &row.assessment.reason {
            Reason::UnknownGroup { available } => {
                let group = row.subject.group();
                let list = available.join(", ");
                match language {
                    Fi => format!("aineistossa ei ole tälle indikaattorille ryhmää '{group}' (ryhmät: {list}): korjaa suunnitelman `group`"),
                    Sv => format!("data har ingen grupp '{group}' för indikatorn (grupper: {list}): rätta `group` i planen"),
                    En => format!("the data has no group '{group}' for this indicator (it has {list}): fix `group` in the plan"),
                }
            }
            Reason::NoBaseline { baseline } => match language {
                Fi => format!("lähtötasokaudelta {baseline} ei ole julkaistua arvoa: anna `baseline_value` tai toinen lähtötaso"),
                Sv => format!("inget publicerat värde för utgångsperioden {baseline}: ange `baseline_value` eller en annan utgångsperiod"),
                En => format!("no published value at the baseline period {baseline}: give `baseline_value` or another baseline"),
            },
            Reason::NoPoints { baseline, by } => match language {
                Fi => format!("ei julkaistuja arvoja kausilta {baseline}–{by}"),
                Sv => format!("inga publicerade värden för perioderna {baseline}–{by}"),
                En => format!("no published value from {baseline} to {by}"),
            },
            Reason::TooFewPoints { points, needed } => match language {
                Fi => format!("lähtötasosta alkaen {points} julkaistua arvoa: ennuste tarvitsee {needed}"),
                Sv => format!("{points} publicerade värden sedan utgångsläget: en prognos kräver {needed}"),
                En => format!("{points} published points from the baseline: a projection needs {needed}"),
            },
            Reason::Reached { at: (p, v), goal } => match language {
                Fi => format!("{} ({p}) saavuttaa tavoitteen {}", n(*v), n(*goal)),
                Sv => format!("{} ({p}) når målet {}", n(*v), n(*goal)),
                En => format!("{} in {p} is at or beyond the target {}", n(*v), n(*goal)),
            },
            Reason::Missed { at: (p, v), goal } => match language {
                Fi => format!("tavoitekausi {by} on käsillä, ja {} ({p}) jää tavoitteesta {}", n(*v), n(*goal)),
                Sv => format!("målperioden {by} är nådd och {} ({p}) når inte målet {}", n(*v), n(*goal)),
                En => format!("the target period {by} is reached and {} ({p}) falls short of {}", n(*v), n(*goal)),
            },
            Reason::Projected { goal } => {
                let Some(p) = row.assessment.projection else {
                    return String::new();
                };
                let head = interval(p.value, p.lower, p.upper);
                let goal = n(*goal);
                match (language, status) {
                    (Fi, PlanStatus::OnTrack) => format!("ennuste {by}: {head}, saavuttaa tavoitteen {goal}"),
                    (Fi, PlanStatus::Uncertain) => format!("ennuste {by}: {head}; vain luottamusväli ulottuu tavoitteeseen {goal}"),
                    (Fi, _) => format!("ennuste {by}: {head}; luottamusvälin parempikin pää jää tavoitteesta {goal}"),
                    (Sv, PlanStatus::OnTrack) => format!("prognos {by}: {head}, når målet {goal}"),
                    (Sv, PlanStatus::Uncertain) => format!("prognos {by}: {head}; bara intervallet når målet {goal}"),
                    (Sv, _) => format!("prognos {by}: {head}; även intervallets bättre ände missar målet {goal}"),
                    (En, PlanStatus::OnTrack) => format!("projected to {by}: {head}, reaching {goal}"),
                    (En, PlanStatus::Uncertain) => format!("projected to {by}: {head}; only the interval reaches {goal}"),
                    (En, _) => format!("projected to {by}: {head}; even the better end misses {goal}"),
                }
            }
            Reason::Slope { .. } => {
                let Some(p) = row.assessment.projection else {
                    return String::new();
                };
                let slope = interval(p.slope, p.slope_lower, p.slope_upper);
                match (language, status) {
                    (Fi, PlanStatus::Achieved) => format!("muutos {slope} vuodessa: toivottuun suuntaan, ja {by} on saavutettu"),
                    (Fi, PlanStatus::OnTrack) => format!("muutos {slope} vuodessa: kokonaan toivottuun suuntaan"),
                    (Fi, PlanStatus::OffTrack) => format!("muutos {slope} vuodessa: kokonaan väärään suuntaan"),
                    (Fi, _) => format!("muutos {slope} vuodessa: suunta ei vielä ole selvä"),
                    (Sv, PlanStatus::Achieved) => format!("förändring {slope} per år: i önskad riktning, och {by} är nådd"),
                    (Sv, PlanStatus::OnTrack) => format!("förändring {slope} per år: helt i önskad riktning"),
                    (Sv, PlanStatus::OffTrack) => format!("förändring {slope} per år: helt i fel riktning"),
                    (Sv, _) => format!("förändring {slope} per år: ingen tydlig riktning ännu"),
                    (En, PlanStatus::Achieved) => format!("slope {slope} per year: the wanted way, and {by} is reached"),
                    (En, PlanStatus::OnTrack) => format!("slope {slope} per year: wholly the wanted way"),
                    (En, PlanStatus::OffTrack) => format!("slope {slope} per year: wholly the wrong way"),
                    (En, _) => format!("slope {slope} per year: no clear direction yet"),
                }
            }
        }
    }
}

/// The chart of one target: its series in each of its areas (every
/// period the assessment saw, gaps where unpublished), each area's
/// baseline as a ring in its colour, the target as a black cross at the
/// target period and the milestones as black triangles. `None` when no
/// area has a point.
fn target_chart(
    input: &ReportInput,
    goal: &Goal,
    target: &Target,
    rows: &[PlanRow],
    legends: &[AreaLegend],
) -> Option<Chart> {
    let language = input.config.language;
    let legend = |area: &str| {
        input
            .config
            .areas
            .iter()
            .position(|a| a.key == area)
            .and_then(|i| legends.get(i))
    };
    // The target's own row in each area (milestones share its series).
    let assessed: Vec<&PlanRow> = target
        .areas
        .iter()
        .filter_map(|area| {
            rows.iter().find(|r| {
                r.goal == goal.id
                    && r.subject == target.subject
                    && &r.area == area
                    && r.milestone.is_none()
            })
        })
        .collect();
    let mut periods: Vec<Period> = assessed
        .iter()
        .flat_map(|r| r.series.iter().map(|p| p.period))
        .collect();
    periods.sort();
    periods.dedup();
    let mut lines = Vec::new();
    let mut marks = Vec::new();
    for row in &assessed {
        let Some(legend) = legend(&row.area) else {
            continue;
        };
        let runs = super::build::point_runs(&row.series, &periods);
        if runs.is_empty() {
            continue;
        }
        lines.push(ChartLine {
            label: legend.name.clone(),
            colour: legend.colour,
            offset: 0.0,
            runs,
        });
        if let Some((period, value)) = row.assessment.baseline {
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
    let title = subject_title(input, &target.subject);
    let names: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
    Some(Chart {
        stem: format!("plan/{}_{}", goal.id, target.subject.key()),
        alt: format!(
            "{}: {title}. {}",
            super::words::html_words(language).chart_alt,
            names.join(", ")
        ),
        title,
        decimals: decimals(input, &target.subject),
        lines,
        key: ChartKey::Indicator(None),
        marks,
    })
}
