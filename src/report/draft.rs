//! The four-yearly update: a starting point for the next wellbeing plan
//! (`hyte plan --draft`).
//!
//! In: the run's results ([`ReportInput`]: trends with ranks, the areas of
//! interest's rows, the plan and its follow-up). Out: a [`Draft`]: the next
//! plan period and, per dimension, the previous plan's targets with their
//! final status, and the indicators to consider: the city's own series
//! (school areas and the municipality, sex total) that worsened, that are
//! the worst of the school areas, or that are in the worst quarter of all
//! municipalities, each with its latest value as the proposed baseline.
//! Guarantees: pure and deterministic (dimension, indicator, group, area
//! order); only judged indicators (polarity not neutral) are proposed; a
//! proposal names the numbers that put it there, which are those of
//! `tables/trends.*`.

use std::collections::BTreeMap;

use super::plan::Reasons;
use super::ReportInput;
use crate::domain::{AreaKind, Dimension, Polarity};
use crate::observation::Sex;
use crate::period::Period;
use crate::plan::{Aim, PlanStatus, Subject};
use crate::trends::{Direction, SeriesTrend};

/// The next plan's skeleton.
pub struct Draft {
    pub first_year: i32,
    pub last_year: i32,
    /// The previous plan's name, when there is one.
    pub previous_plan: Option<String>,
    /// Dimensions in the seven's order; those with nothing to say left out.
    pub dimensions: Vec<DraftDimension>,
}

pub struct DraftDimension {
    pub dimension: Dimension,
    pub previous: Vec<PreviousTarget>,
    pub proposals: Vec<Proposal>,
}

/// A target of the previous plan with its final status.
pub struct PreviousTarget {
    pub goal: String,
    pub subject: String,
    pub area: String,
    /// "1,2 (2028)", "decrease (2027)".
    pub aim: String,
    pub status: PlanStatus,
    /// The status in the report's language.
    pub status_text: &'static str,
    /// The reason in the report's language, with its numbers.
    pub reason: String,
}

/// Why an indicator is proposed.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// The trends stage judged the series worsening.
    Worsening,
    /// The worst latest value of the school areas that published one for
    /// the same period (at least three).
    WorstSchoolArea { of: usize, period: Period },
    /// In the worst quarter of all municipalities (rank among `of`).
    WorstQuarter { rank: u32, of: u32, period: Period },
}

/// An indicator to consider in one area, with the proposed baseline.
pub struct Proposal {
    pub indicator: String,
    pub group: String,
    pub area: String,
    pub polarity: Polarity,
    pub why: Vec<Why>,
    /// The latest published value: the proposed baseline.
    pub baseline: (Period, f64),
}

/// Fewest school areas with a value for "the worst of them" to mean
/// anything.
const MIN_SCHOOL_AREAS: usize = 3;

/// Builds the draft.
pub fn build(input: &ReportInput) -> Draft {
    let (first_year, last_year) = match input.plan {
        Some((plan, _)) => (plan.last_year + 1, plan.last_year + 4),
        None => {
            let latest = input.rows.iter().map(|r| r.period.year()).max();
            let year = latest.unwrap_or(2025);
            (year + 1, year + 4)
        }
    };
    let language = input.config.language;
    let reasons = Reasons::new(input, language);
    let words = super::words::plan_words(language);
    let mut previous: Vec<(Dimension, PreviousTarget)> = input
        .plan
        .map(|(_, rows)| {
            rows.iter()
                .filter(|r| r.milestone.is_none())
                .map(|r| {
                    (
                        r.dimension,
                        PreviousTarget {
                            goal: r.goal.clone(),
                            subject: match &r.subject {
                                Subject::Indicator { group, .. }
                                    if group != crate::observation::ALL_GROUPS =>
                                {
                                    format!("{} ({group})", r.subject.key())
                                }
                                _ => r.subject.key(),
                            },
                            area: r.area.clone(),
                            aim: match r.aim {
                                Aim::Value(v) => format!(
                                    "{} ({})",
                                    language.number(v, super::plan::decimals(input, &r.subject)),
                                    r.by
                                ),
                                Aim::Direction(h) => format!("{} ({})", h.key(), r.by),
                            },
                            status: r.assessment.status,
                            status_text: super::plan::status_text(&words, r.assessment.status),
                            reason: reasons.text(r),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut proposals = proposals(input);
    let mut dimensions = Vec::new();
    for &dimension in Dimension::ALL {
        let previous = take_dimension(&mut previous, dimension);
        let proposals = take_dimension(&mut proposals, dimension);
        if !previous.is_empty() || !proposals.is_empty() {
            dimensions.push(DraftDimension {
                dimension,
                previous,
                proposals,
            });
        }
    }
    Draft {
        first_year,
        last_year,
        previous_plan: input
            .plan
            .map(|(plan, _)| plan.name.get(language).to_string()),
        dimensions,
    }
}

/// Moves the items of one dimension out of `items`, in their order.
fn take_dimension<T>(items: &mut Vec<(Dimension, T)>, dimension: Dimension) -> Vec<T> {
    let (mine, rest) = std::mem::take(items)
        .into_iter()
        .partition(|(d, _)| *d == dimension);
    *items = rest;
    mine.into_iter().map(|(_, item)| item).collect()
}

/// (indicator, group, period).
type SeriesKey<'a> = (&'a str, &'a str, Period);

/// Every series of the city's own areas that worsened, is the worst of
/// the school areas or is in the worst quarter of the municipalities.
fn proposals(input: &ReportInput) -> Vec<(Dimension, Proposal)> {
    let kind = |area: &str| input.config.area(area).map(|a| a.kind);
    let own: Vec<&SeriesTrend> = input
        .trends
        .series
        .iter()
        .filter(|s| {
            s.sex == Sex::Total
                && s.polarity != Polarity::Neutral
                && matches!(
                    kind(&s.area),
                    Some(AreaKind::SchoolArea | AreaKind::Municipality)
                )
        })
        .collect();
    // The school areas' latest values per (indicator, group, period).
    let mut school_values: BTreeMap<SeriesKey, Vec<(&str, f64)>> = BTreeMap::new();
    for s in own
        .iter()
        .filter(|s| kind(&s.area) == Some(AreaKind::SchoolArea))
    {
        if let (Some(period), Some(value)) = (s.stats.last_period, s.stats.latest_value) {
            school_values
                .entry((&s.indicator, &s.group, period))
                .or_default()
                .push((&s.area, value));
        }
    }
    let mut out = Vec::new();
    for s in own {
        let (Some(period), Some(value)) = (s.stats.last_period, s.stats.latest_value) else {
            continue;
        };
        let school_areas = school_values
            .get(&(s.indicator.as_str(), s.group.as_str(), period))
            .map_or(&[][..], Vec::as_slice);
        let why = judge(s, (period, value), school_areas);
        if !why.is_empty() {
            out.push((
                s.dimension,
                Proposal {
                    indicator: s.indicator.clone(),
                    group: s.group.clone(),
                    area: s.area.clone(),
                    polarity: s.polarity,
                    why,
                    baseline: (period, value),
                },
            ));
        }
    }
    // The trends come in table order (indicator, area, …): order by
    // dimension, indicator, group, then the config's area order.
    let position = |area: &str| input.config.areas.iter().position(|a| a.key == area);
    out.sort_by(|(da, a), (db, b)| {
        (da, &a.indicator, &a.group, position(&a.area)).cmp(&(
            db,
            &b.indicator,
            &b.group,
            position(&b.area),
        ))
    });
    out
}

/// Why a series with its latest value `(period, value)` is proposed: worsening; the worst of
/// `school_areas` (the school areas' latest values for the same indicator,
/// group and period, this one among them) when there are at least
/// [`MIN_SCHOOL_AREAS`]; in the worst quarter of the municipalities by
/// its rank in the same period. Empty: not proposed.
fn judge(
    s: &SeriesTrend,
    (period, value): (Period, f64),
    school_areas: &[(&str, f64)],
) -> Vec<Why> {
    let worse = |a: f64, b: f64| match s.polarity {
        Polarity::HigherIsWorse => a > b,
        _ => a < b,
    };
    let mut why = Vec::new();
    if s.direction == Some(Direction::Worsening) {
        why.push(Why::Worsening);
    }
    let listed = school_areas.iter().any(|(a, _)| *a == s.area);
    let worst = school_areas
        .iter()
        .all(|(area, v)| *area == s.area || !worse(*v, value));
    if school_areas.len() >= MIN_SCHOOL_AREAS && listed && worst {
        why.push(Why::WorstSchoolArea {
            of: school_areas.len(),
            period,
        });
    }
    if let Some(rank) = s.rank.filter(|r| r.period == period) {
        let quarter = rank.percentile.is_some_and(|p| match s.polarity {
            Polarity::HigherIsWorse => p >= 75.0,
            _ => p <= 25.0,
        });
        if quarter {
            why.push(Why::WorstQuarter {
                rank: rank.rank,
                of: rank.of,
                period,
            });
        }
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Rank;
    use crate::domain::Unit;
    use crate::trends::SeriesStats;

    /// [`judge`] at the series' own latest value.
    fn judged(s: &SeriesTrend, school_areas: &[(&str, f64)]) -> Vec<Why> {
        let latest = (s.stats.last_period.unwrap(), s.stats.latest_value.unwrap());
        judge(s, latest, school_areas)
    }

    fn series(area: &str, polarity: Polarity, value: f64) -> SeriesTrend {
        SeriesTrend {
            indicator: "x".into(),
            dimension: Dimension::Health,
            polarity,
            unit: Unit::Percent,
            area: area.into(),
            sex: Sex::Total,
            group: "8-9".into(),
            stats: SeriesStats {
                last_period: Some(Period::Year(2025)),
                latest_value: Some(value),
                ..SeriesStats::default()
            },
            direction: Some(Direction::Stable),
            gaps: [None, None, None],
            rank: None,
        }
    }

    #[test]
    fn the_worst_school_area_the_worst_quarter_and_worsening_are_proposed() {
        let year = Period::Year(2025);
        let values = [("a", 10.0), ("b", 12.0), ("c", 11.0)];
        // Higher is worse: b (12.0) is the worst of three.
        let b = series("b", Polarity::HigherIsWorse, 12.0);
        assert_eq!(
            judged(&b, &values),
            vec![Why::WorstSchoolArea {
                of: 3,
                period: year
            }]
        );
        assert!(judged(&series("c", Polarity::HigherIsWorse, 11.0), &values).is_empty());
        // Higher is better: a (10.0) is the worst; two areas are too few.
        assert_eq!(
            judged(&series("a", Polarity::HigherIsBetter, 10.0), &values).len(),
            1
        );
        assert!(judged(&series("a", Polarity::HigherIsBetter, 10.0), &values[..2]).is_empty());
        // Worsening, and in the worst quarter of 40 municipalities.
        let mut city = series("kunta.444", Polarity::HigherIsWorse, 9.0);
        city.direction = Some(Direction::Worsening);
        city.rank = Some(Rank {
            period: year,
            rank: 5,
            of: 40,
            percentile: Some(89.7),
        });
        assert_eq!(
            judged(&city, &[]),
            vec![
                Why::Worsening,
                Why::WorstQuarter {
                    rank: 5,
                    of: 40,
                    period: year
                }
            ]
        );
        // The same rank where higher is better is the best quarter.
        city.polarity = Polarity::HigherIsBetter;
        city.direction = Some(Direction::Improving);
        assert!(judged(&city, &[]).is_empty());
        // A rank of an older period does not count.
        city.polarity = Polarity::HigherIsWorse;
        city.rank = city.rank.map(|r| Rank {
            period: Period::Year(2023),
            ..r
        });
        assert!(judged(&city, &[]).is_empty());
    }
}
