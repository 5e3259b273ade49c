//! Builds the [`ReportModel`] from the run's results.
//!
//! In: [`ReportInput`]. Out: the model. Guarantees: pure (no I/O, no clock,
//! no hash order), so the same results give the same model; every section
//! both reports show is decided here once.

use std::collections::{BTreeMap, BTreeSet};

use super::model::*;
use super::phrases::{self, capitalize, deciding_p, format_p};
use super::words::{html_words, words, Words};
use super::ReportInput;
use crate::catalog::{Dimension, Indicator, Measure, Source};
use crate::i18n::Language;
use crate::observation::{Observation, Sex, ALL_GROUPS};
use crate::period::Period;
use crate::shift::{ShiftRow, ShiftSummary, Volumes};
use crate::trends::{Basis, Direction, Movement, SeriesTrend};

/// Okabe–Ito colours for the school areas, which colour-blind readers can
/// tell apart; greys for the references.
const AREA_COLOURS: [Colour; 7] = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (86, 180, 233),
    (213, 94, 0),
    (240, 228, 66),
];
const REFERENCE_COLOURS: [Colour; 3] = [(0, 0, 0), (100, 100, 100), (160, 160, 160)];

/// The sex-total rows of the areas of interest per (indicator, group,
/// area), in period order: the series the charts, the latest values and
/// the missing periods read.
type Series<'a> = BTreeMap<(&'a str, &'a str, &'a str), Vec<&'a Observation>>;

/// Builds the model of one report.
pub fn build(input: &ReportInput) -> ReportModel {
    let language = input.config.language;
    let w = words(language);
    let mut series: Series = BTreeMap::new();
    for row in input.rows.iter().filter(|r| r.sex == Sex::Total) {
        series
            .entry((&row.indicator, &row.group, &row.area))
            .or_default()
            .push(row);
    }
    let areas = area_legends(input);
    let mut dimensions: Vec<DimensionSection> = Dimension::ALL
        .iter()
        .enumerate()
        .map(|(i, &d)| dimension(input, &w, &series, &areas, i + 1, d))
        .collect();
    unique_stems(dimensions.iter_mut().flat_map(|d| &mut d.charts));
    let plan = super::plan::plan_section(input, &areas);
    ReportModel {
        language,
        latest_period: input.rows.iter().map(|o| o.period).max(),
        changes: changes(input, &w),
        comparisons: comparisons(input),
        overview: overview(input),
        dimensions,
        shift: shift(input, &w, &areas),
        quality: quality(input, &w, &series),
        sources: phrases::sotkanet_sources(input, language)
            .iter()
            .map(|s| CitedSource {
                text: phrases::sotkanet_source_text(s, language),
                url: s.url.clone(),
            })
            .collect(),
        areas,
        words: w,
        html_words: html_words(language),
        plan,
    }
}

/// Gives charts whose file names would collide (groups that differ only in
/// punctuation, "8-9" and "8/9") a numbered name, so that no chart file
/// overwrites another: the second is `STEM_2`, the third `STEM_3`.
pub(super) fn unique_stems<'a>(charts: impl Iterator<Item = &'a mut Chart>) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for chart in charts {
        let count = seen.entry(chart.stem.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            chart.stem = format!("{}_{count}", chart.stem);
        }
    }
}

/// The configured areas with their colours: the Okabe–Ito colour of their
/// place in the config, or the next grey for a reference.
fn area_legends(input: &ReportInput) -> Vec<AreaLegend> {
    let mut references = 0;
    input
        .config
        .areas
        .iter()
        .enumerate()
        .map(|(i, area)| {
            let colour = if area.reference {
                references += 1;
                REFERENCE_COLOURS[(references - 1) % REFERENCE_COLOURS.len()]
            } else {
                AREA_COLOURS[i % AREA_COLOURS.len()]
            };
            AreaLegend::of(area, input.config.language, colour)
        })
        .collect()
}

/// An indicator as the reports name it.
fn label(indicator: &Indicator, language: Language) -> IndicatorLabel {
    IndicatorLabel {
        title: indicator.title.get(language).to_string(),
        sotkanet: phrases::sotkanet_page(indicator, language),
    }
}

fn group_of(group: &str) -> Option<String> {
    (group != ALL_GROUPS).then(|| group.to_string())
}

/// Per area, the three clearest improving and worsening series.
fn changes(input: &ReportInput, w: &Words) -> Vec<AreaChanges> {
    let pick = |area: &str, wanted: Direction| -> Vec<Change> {
        phrases::clearest(input, area, wanted)
            .into_iter()
            .filter_map(|s| change(input, w, s))
            .take(3)
            .collect()
    };
    input
        .config
        .areas
        .iter()
        .map(|area| AreaChanges {
            area: area.name.get(input.config.language).to_string(),
            improving: pick(&area.key, Direction::Improving),
            worsening: pick(&area.key, Direction::Worsening),
        })
        .collect()
}

/// One significant change in words: what moved, and how surely.
fn change(input: &ReportInput, w: &Words, series: &SeriesTrend) -> Option<Change> {
    let language = input.config.language;
    let indicator = input.catalog.get(&series.indicator)?;
    let stats = &series.stats;
    let value = |v: Option<f64>| {
        v.map(|v| language.number(v, indicator.decimals))
            .unwrap_or_else(|| "–".into())
    };
    let period = |p: Option<Period>| p.map(|p| p.to_string()).unwrap_or_default();
    let movement = match stats.basis {
        Some(Basis::LatestChange) => format!(
            "{} ({}) → {} ({})",
            value(stats.previous_value),
            period(stats.previous_period),
            value(stats.latest_value),
            period(stats.last_period)
        ),
        basis => {
            let fit = if basis == Some(Basis::RecentSlope) {
                stats.recent_slope
            } else {
                stats.slope
            };
            let slope = fit.map(|f| f.slope).unwrap_or_default();
            format!(
                "{} ({}), {}{} {}",
                value(stats.latest_value),
                period(stats.last_period),
                if slope > 0.0 { "+" } else { "" },
                language.number(slope, indicator.decimals + 1),
                w.per_year
            )
        }
    };
    Some(Change {
        indicator: label(indicator, language),
        group: group_of(&series.group),
        movement,
        p: format_p(deciding_p(series), language),
    })
}

/// Each area of interest among all municipalities, leaving out the areas
/// that have no ranked series.
fn comparisons(input: &ReportInput) -> Vec<ComparisonTable> {
    let language = input.config.language;
    phrases::comparison_tables(input)
        .into_iter()
        .map(|(area, rows)| ComparisonTable {
            area: area.name.get(language).to_string(),
            rows: rows
                .into_iter()
                .map(|row| ComparisonRow {
                    indicator: label(row.indicator, language),
                    group: row.group.map(str::to_string),
                    value: row.value,
                    rank: row.rank,
                    percentile: row.percentile,
                    groups: row.groups,
                    gaps: row.gaps,
                })
                .collect(),
        })
        .collect()
}

/// The area × dimension matrix of direction counts.
fn overview(input: &ReportInput) -> Vec<OverviewRow> {
    input
        .config
        .areas
        .iter()
        .map(|area| OverviewRow {
            area: area.name.get(input.config.language).to_string(),
            cells: Dimension::ALL
                .iter()
                .map(|&dimension| {
                    let cell = input
                        .trends
                        .dimensions
                        .iter()
                        .find(|d| d.area == area.key && d.dimension == dimension);
                    match cell.and_then(|d| phrases::direction_counts(d).map(|t| (d, t))) {
                        Some((d, text)) => OverviewCell::Counts {
                            text,
                            tone: match d.score {
                                Some(s) if s > 0.0 => Tone::Good,
                                Some(s) if s < 0.0 => Tone::Bad,
                                _ => Tone::Flat,
                            },
                        },
                        None => OverviewCell::Empty,
                    }
                })
                .collect(),
        })
        .collect()
}

/// One dimension: the latest values and a chart per indicator and group.
fn dimension(
    input: &ReportInput,
    w: &Words,
    series: &Series,
    areas: &[AreaLegend],
    number: usize,
    dimension: Dimension,
) -> DimensionSection {
    let language = input.config.language;
    let mut latest = Vec::new();
    let mut charts = Vec::new();
    for indicator in input.catalog.in_dimension(dimension) {
        let groups: BTreeSet<&str> = series
            .keys()
            .filter(|(id, ..)| *id == indicator.id)
            .map(|(_, group, _)| *group)
            .collect();
        for group in groups {
            latest.push(latest_row(input, w, series, indicator, group));
            charts.extend(indicator_chart(input, series, areas, indicator, group));
        }
    }
    DimensionSection {
        number,
        key: dimension.key(),
        name: capitalize(dimension.name(language)),
        latest,
        charts,
    }
}

/// An indicator's latest published value per configured area.
fn latest_row(
    input: &ReportInput,
    w: &Words,
    series: &Series,
    indicator: &Indicator,
    group: &str,
) -> LatestRow {
    let language = input.config.language;
    let cells = input
        .config
        .areas
        .iter()
        .map(|area| {
            let Some(rows) = series.get(&(indicator.id.as_str(), group, area.key.as_str())) else {
                return LatestCell::NoData;
            };
            let Some(at) = rows.iter().rposition(|r| r.value.is_some()) else {
                return LatestCell::Unpublished;
            };
            LatestCell::Value {
                value: language.number(rows[at].value.unwrap_or_default(), indicator.decimals),
                period: rows[at].period,
                later_unpublished: at + 1 < rows.len(),
            }
        })
        .collect();
    LatestRow {
        indicator: indicator.title.get(language).to_string(),
        group: if group == ALL_GROUPS {
            w.all_groups.to_string()
        } else {
            group.to_string()
        },
        cells,
    }
}

/// Splits a series into runs of published points; an unpublished period
/// ends a run, so the line shows a gap. `periods` are all periods of the
/// chart: a period the area has no row for (a round it missed) is a gap too.
pub fn runs(rows: &[&Observation], periods: &[Period]) -> Vec<Vec<ChartPoint>> {
    split_runs(periods.iter().map(|period| {
        rows.iter().find(|r| r.period == *period).and_then(|row| {
            row.value
                .map(|v| (period.decimal_time(), v, row.ci_lower.zip(row.ci_upper)))
        })
    }))
}

/// [`runs`] for a plan target's series.
pub fn point_runs(series: &[crate::plan::SeriesPoint], periods: &[Period]) -> Vec<Vec<ChartPoint>> {
    split_runs(periods.iter().map(|period| {
        series
            .iter()
            .find(|p| p.period == *period)
            .and_then(|p| p.value.map(|v| (period.decimal_time(), v, p.ci)))
    }))
}

/// Consecutive `Some` points as runs; a `None` is a gap. Empty runs are
/// dropped.
fn split_runs(points: impl Iterator<Item = Option<ChartPoint>>) -> Vec<Vec<ChartPoint>> {
    let mut out: Vec<Vec<ChartPoint>> = vec![Vec::new()];
    for point in points {
        match point {
            Some(point) => out.last_mut().expect("one run").push(point),
            None => out.push(Vec::new()),
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// The chart of one indicator and group: one line per configured area.
fn indicator_chart<'a>(
    input: &'a ReportInput,
    series: &Series<'a>,
    areas: &[AreaLegend],
    indicator: &Indicator,
    group: &str,
) -> Option<Chart> {
    let language = input.config.language;
    let h = html_words(language);
    let of_area = |key: &'a str| series.get(&(indicator.id.as_str(), group, key));
    // Every period any area has for this indicator and group.
    let periods: Vec<Period> = input
        .config
        .areas
        .iter()
        .filter_map(|a| of_area(&a.key))
        .flatten()
        .map(|r| r.period)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let count = input.config.areas.len() as f64;
    let lines: Vec<ChartLine> = input
        .config
        .areas
        .iter()
        .zip(areas)
        .enumerate()
        .filter_map(|(i, (area, legend))| {
            let rows = of_area(&area.key)?;
            let runs = runs(rows, &periods);
            let yearly = rows.iter().all(|r| !r.period.is_quarter());
            (!runs.is_empty()).then(|| ChartLine {
                label: legend.name.clone(),
                colour: legend.colour,
                offset: if yearly {
                    (i as f64 - (count - 1.0) / 2.0) * 0.04
                } else {
                    0.0
                },
                runs,
            })
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    let group_text = group_of(group)
        .map(|g| format!(" ({g})"))
        .unwrap_or_default();
    let title = format!("{}{group_text}", indicator.title.get(language));
    let names: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
    let suffix = group_of(group)
        .map(|g| format!("_{}", g.replace(|c: char| !c.is_ascii_alphanumeric(), "-")))
        .unwrap_or_default();
    Some(Chart {
        stem: format!("charts/{}{suffix}", indicator.id),
        alt: format!("{}: {}. {}", h.chart_alt, title, names.join(", ")),
        title,
        decimals: indicator.decimals,
        lines,
        key: ChartKey::Indicator(phrases::sotkanet_page(indicator, language)),
        marks: Vec::new(),
    })
}

/// The shift section: a verdict per area, the yearly basic share and the
/// volumes per level.
fn shift(input: &ReportInput, w: &Words, areas: &[AreaLegend]) -> ShiftSection {
    let language = input.config.language;
    let rows = input
        .shift
        .summaries
        .iter()
        .map(|summary| ShiftLine {
            area: input
                .config
                .area(&summary.area)
                .map(|a| a.name.get(language).to_string())
                .unwrap_or_else(|| summary.area.clone()),
            basis: summary.basis,
            basis_text: match summary.basis {
                crate::shift::ShiftBasis::Local => w.local,
                crate::shift::ShiftBasis::Sotkanet => w.sotkanet,
            },
            share: phrases::share_text(summary, language),
            slope: phrases::slope_text(summary, language),
            verdict: summary.verdict,
            verdict_text: phrases::verdict_text(w, summary.verdict),
            drivers: drivers(summary, input, language),
        })
        .collect();
    ShiftSection {
        rows,
        share_chart: share_chart(input, areas),
        volume_charts: input
            .config
            .areas
            .iter()
            .filter_map(|area| volume_chart(input, area))
            .collect(),
    }
}

/// A shift row's yearly rows of one area (complete years only count).
fn yearly_rows<'a>(input: &'a ReportInput, area: &str) -> Vec<&'a ShiftRow> {
    input
        .shift
        .rows
        .iter()
        .filter(|r| r.area == area && !r.period.is_quarter())
        .collect()
}

/// Basic services' share of clients per complete year, one line per area;
/// a year without a complete share is a gap.
fn share_chart(input: &ReportInput, areas: &[AreaLegend]) -> Option<Chart> {
    let h = html_words(input.config.language);
    let lines: Vec<ChartLine> = input
        .config
        .areas
        .iter()
        .zip(areas)
        .filter_map(|(area, legend)| {
            let runs = split_runs(yearly_rows(input, &area.key).into_iter().map(|row| {
                row.share_clients()
                    .filter(|_| row.complete_clients)
                    .map(|share| (row.period.decimal_time(), share * 100.0, None))
            }));
            (!runs.is_empty()).then(|| ChartLine {
                label: legend.name.clone(),
                colour: legend.colour,
                offset: 0.0,
                runs,
            })
        })
        .collect();
    (!lines.is_empty()).then(|| Chart {
        stem: "charts/shift_basic_share".into(),
        title: format!("{} (%)", h.share_chart),
        alt: format!("{}: {} ({}, %)", h.chart_alt, h.share_chart, h.year),
        decimals: 1,
        lines,
        key: ChartKey::AreaLegend,
        marks: Vec::new(),
    })
}

/// Basic and specialist volumes of one area: client-quarters per 1 000
/// children aged 0–17 in complete years.
fn volume_chart(input: &ReportInput, area: &crate::domain::Area) -> Option<Chart> {
    let h = html_words(input.config.language);
    let rows = yearly_rows(input, &area.key);
    let line = |label: &str, colour: Colour, level: fn(&ShiftRow) -> Volumes| ChartLine {
        label: label.to_string(),
        colour,
        offset: 0.0,
        runs: split_runs(rows.iter().map(|row| {
            row.clients(level(row))
                .and_then(|v| row.per_1000(v))
                .map(|rate| (row.period.decimal_time(), rate, None))
        })),
    };
    let lines: Vec<ChartLine> = [
        line(h.basic, BASIC_COLOUR, |r| r.basic),
        line(h.specialist, SPECIALIST_COLOUR, |r| r.specialist),
    ]
    .into_iter()
    .filter(|l| !l.runs.is_empty())
    .collect();
    if lines.is_empty() {
        return None;
    }
    let title = format!(
        "{}: {}",
        area.name.get(input.config.language),
        h.volume_chart
    );
    Some(Chart {
        stem: format!("charts/shift_volumes_{}", area.key),
        alt: format!("{}: {} ({}, {})", h.chart_alt, title, h.basic, h.specialist),
        title,
        decimals: 1,
        lines,
        key: ChartKey::Levels,
        marks: Vec::new(),
    })
}

/// The drivers of a shift verdict: service titles with their contribution
/// in percentage points, or the Sotkanet indicators that moved (↑ rising,
/// ↓ falling).
fn drivers(summary: &ShiftSummary, input: &ReportInput, language: Language) -> Vec<String> {
    let catalog = input.catalog;
    let service_title = |service: &str| {
        catalog
            .indicators
            .iter()
            .find(|i| {
                matches!(&i.source, Source::Service { service: s, measure }
                    if s == service && *measure == Measure::Clients)
            })
            .map(|i| i.title.get(language).to_string())
            .unwrap_or_else(|| service.to_string())
    };
    let contributions = summary.drivers.iter().take(3).map(|d| {
        let pp = d.contribution * 100.0;
        format!(
            "{} {}{} pp",
            service_title(&d.service),
            if pp > 0.0 { "+" } else { "" },
            language.number(pp, 1)
        )
    });
    let movements = summary.movements.iter().map(|(id, movement)| {
        let title = catalog
            .get(id)
            .map(|i| i.title.get(language).to_string())
            .unwrap_or_else(|| id.clone());
        let arrow = match movement {
            Movement::Rising => "↑",
            Movement::Falling => "↓",
            _ => "→",
        };
        format!("{title} {arrow}")
    });
    contributions.chain(movements).collect()
}

/// Files, rejections, missing periods and the privacy account.
fn quality(input: &ReportInput, w: &Words, series: &Series) -> Quality {
    let rejections: Vec<String> = input
        .files
        .iter()
        .flat_map(|f| &f.rejections)
        .chain(&input.validated.rejections)
        .map(ToString::to_string)
        .collect();
    let outside: usize = input.validated.outside_areas.values().sum();
    Quality {
        files: input
            .files
            .iter()
            .map(|f| FileLine {
                path: f.path.clone(),
                read_and_rejected: f
                    .error
                    .is_none()
                    .then_some((f.rows_read, f.rejections.len())),
            })
            .collect(),
        validation_rejected: input.validated.rejections.len(),
        file_errors: input.files.iter().filter_map(|f| f.error.clone()).collect(),
        more_rejections: rejections.len().saturating_sub(REJECTIONS_SHOWN),
        rejections: rejections.into_iter().take(REJECTIONS_SHOWN).collect(),
        missing: missing_periods(input, series),
        privacy_text: phrases::privacy_text(w, input),
        privacy_method: phrases::privacy_method_text(w, input),
        privacy_counts: phrases::privacy_counts(w, input),
        unknown_sources: input
            .validated
            .unknown_sources
            .iter()
            .map(|u| UnknownSource {
                key: u.source_key.clone(),
                rows: u.rows,
                first_seen: u.first_seen.clone(),
            })
            .collect(),
        outside: (!input.validated.outside_areas.is_empty())
            .then_some((outside, input.validated.outside_areas.len())),
    }
}

/// Per indicator, the area-periods (sex total) without a published value
/// among the periods the indicator has in the areas where it has data.
fn missing_periods(input: &ReportInput, series: &Series) -> Vec<MissingLine> {
    let language = input.config.language;
    input
        .catalog
        .indicators
        .iter()
        .filter_map(|indicator| {
            let mut periods = BTreeSet::new();
            let mut published = BTreeSet::new();
            let mut areas_with_data = BTreeSet::new();
            for ((id, group, area), rows) in series {
                if *id != indicator.id || input.config.area(area).is_none() {
                    continue;
                }
                areas_with_data.insert(*area);
                for row in rows {
                    periods.insert((*group, row.period));
                    if row.value.is_some() {
                        published.insert((*group, *area, row.period));
                    }
                }
            }
            let expected = periods.len() * areas_with_data.len();
            let missing = expected.saturating_sub(published.len());
            (missing > 0).then(|| MissingLine {
                indicator: label(indicator, language),
                missing,
                expected,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_chart_names_are_numbered() {
        let chart = |stem: &str| Chart {
            stem: stem.into(),
            title: String::new(),
            alt: String::new(),
            decimals: 1,
            lines: Vec::new(),
            key: ChartKey::Levels,
            marks: Vec::new(),
        };
        let mut charts = [
            chart("charts/x_8-9"),
            chart("charts/x_8-9"),
            chart("charts/y"),
            chart("charts/x_8-9"),
        ];
        unique_stems(charts.iter_mut());
        let stems: Vec<&str> = charts.iter().map(|c| c.stem.as_str()).collect();
        assert_eq!(
            stems,
            [
                "charts/x_8-9",
                "charts/x_8-9_2",
                "charts/y",
                "charts/x_8-9_3"
            ]
        );
    }

    #[test]
    fn unpublished_points_split_the_line() {
        let row = |period: &str, value: Option<f64>| Observation {
            indicator: "x".into(),
            area: "a".into(),
            period: period.parse().unwrap(),
            sex: Sex::Total,
            group: "all".into(),
            value,
            count: None,
            n: None,
            ci_lower: None,
            ci_upper: None,
            source: "t".into(),
        };
        let rows = [
            row("2019", Some(1.0)),
            row("2021", None),
            row("2023", Some(3.0)),
            row("2025", Some(4.0)),
        ];
        let refs: Vec<&Observation> = rows.iter().collect();
        let periods: Vec<Period> = ["2017", "2019", "2021", "2023", "2025"]
            .map(|p| p.parse().unwrap())
            .to_vec();
        let runs = runs(&refs, &periods);
        // 2017 has no row and 2021 is unpublished: both are gaps.
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].len(), 1);
        assert_eq!(runs[1].len(), 2);
    }

    /// A small run by hand: two areas, two survey indicators.
    mod model {
        use super::super::*;
        use crate::catalog::parse_files;
        use crate::config::{self, Overrides};
        use crate::stats::LinearFit;
        use crate::trends::{DimensionSummary, SeriesStats, Trends};

        const CONFIG: &str = r#"
language = "en"
[[area]]
key = "a"
name = { fi = "A", sv = "A", en = "Area A" }
kind = "school_area"
[[area]]
key = "b"
name = { fi = "B", sv = "B", en = "Area B" }
kind = "school_area"
[[input]]
kind = "services-csv"
path = "x.csv"
"#;

        const CATALOG: &str = r#"
[[indicator]]
id = "bullied"
title = { fi = "K", sv = "M", en = "Bullied" }
dimension = "safety"
polarity = "higher_is_worse"
unit = "percent"
decimals = 1
source = { cube = "k", measure = "bullied" }

[[indicator]]
id = "hobby"
title = { fi = "H", sv = "H", en = "Has a hobby" }
dimension = "leisure"
polarity = "higher_is_better"
unit = "percent"
decimals = 1
source = { sotkanet = 5527 }
"#;

        fn row(indicator: &str, area: &str, period: &str, value: Option<f64>) -> Observation {
            Observation {
                indicator: indicator.into(),
                area: area.into(),
                period: period.parse().unwrap(),
                sex: Sex::Total,
                group: "8-9".into(),
                value,
                count: None,
                n: None,
                ci_lower: None,
                ci_upper: None,
                source: "t.csv:1".into(),
            }
        }

        fn series(indicator: &str, direction: Direction, p: f64) -> SeriesTrend {
            let catalog = parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
            let i = catalog.get(indicator).unwrap();
            SeriesTrend {
                indicator: indicator.into(),
                dimension: i.dimension,
                polarity: i.polarity,
                unit: i.unit,
                area: "a".into(),
                sex: Sex::Total,
                group: "8-9".into(),
                stats: SeriesStats {
                    latest_value: Some(12.0),
                    last_period: Some("2023".parse().unwrap()),
                    slope: Some(LinearFit {
                        points: 4,
                        slope: -1.25,
                        ci_lower: None,
                        ci_upper: None,
                        p_value: Some(p),
                    }),
                    basis: Some(Basis::Slope),
                    ..SeriesStats::default()
                },
                direction: Some(direction),
                gaps: [None, None, None],
                rank: None,
            }
        }

        #[test]
        fn one_model_says_what_both_reports_show() {
            let config = config::parse(
                CONFIG,
                "hyte.toml",
                std::path::Path::new(""),
                Overrides::default(),
            )
            .unwrap();
            let catalog = parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
            let rows = [
                row("bullied", "a", "2019", Some(14.0)),
                row("bullied", "a", "2021", None),
                row("bullied", "a", "2023", Some(12.0)),
                row("bullied", "a", "2025", None),
                row("bullied", "b", "2023", None),
            ];
            let trends = Trends {
                series: vec![
                    series("hobby", Direction::Improving, 0.04),
                    series("bullied", Direction::Improving, 0.001),
                ],
                dimensions: vec![DimensionSummary {
                    area: "a".into(),
                    dimension: Dimension::Safety,
                    improving: 1,
                    worsening: 0,
                    stable: 2,
                    insufficient: 0,
                    score: Some(0.25),
                }],
                ..Trends::default()
            };
            let validated = crate::validate::Validated::default();
            let input = ReportInput {
                config: &config,
                catalog: &catalog,
                validated: &validated,
                rows: &rows,
                trends: &trends,
                comparisons: &[],
                shift: &crate::shift::Shift::default(),
                privacy: &crate::privacy::Protected::default(),
                files: &[],
                plan: None,
                child_friendly: None,
                plan_files: Vec::new(),
            };
            let model = build(&input);

            // The clearest change first; the Sotkanet one links its page.
            let changes = &model.changes[0];
            assert_eq!(changes.area, "Area A");
            let titles: Vec<&str> = changes
                .improving
                .iter()
                .map(|c| c.indicator.title.as_str())
                .collect();
            assert_eq!(titles, ["Bullied", "Has a hobby"]);
            assert_eq!(changes.improving[0].movement, "12.0 (2023), -1.25 per year");
            assert_eq!(changes.improving[0].p, "p = 0.001");
            assert_eq!(changes.improving[0].group.as_deref(), Some("8-9"));
            assert_eq!(
                changes.improving[1].indicator.sotkanet.as_ref().unwrap().0,
                5527
            );
            assert!(model.changes[1].improving.is_empty());

            // The safety row: area A's latest published value, with a star
            // for the unpublished 2025; area B has rows but none published.
            let safety = &model.dimensions[4];
            assert_eq!(
                (safety.number, safety.key, safety.name.as_str()),
                (5, "safety", "Safety")
            );
            let latest = &safety.latest[0];
            assert!(matches!(
                &latest.cells[0],
                LatestCell::Value { value, period, later_unpublished: true }
                    if value == "12.0" && period.to_string() == "2023"
            ));
            assert!(matches!(latest.cells[1], LatestCell::Unpublished));

            // One chart, area A's line broken at 2021 and ending at 2025;
            // area B has no published point and no line.
            let chart = &safety.charts[0];
            assert_eq!(chart.stem, "charts/bullied_8-9");
            assert_eq!(chart.title, "Bullied (8-9)");
            assert_eq!(chart.lines.len(), 1);
            let runs: Vec<usize> = chart.lines[0].runs.iter().map(Vec::len).collect();
            assert_eq!(runs, [1, 1]);

            // Overview: safety leans good in A, nothing judged in B.
            assert!(matches!(
                &model.overview[0].cells[4],
                OverviewCell::Counts { text, tone: Tone::Good } if text == "↑1 →2"
            ));
            assert!(matches!(model.overview[1].cells[4], OverviewCell::Empty));

            // Missing periods: 4 periods × 2 areas with data, 2 published.
            let missing = &model.quality.missing[0];
            assert_eq!((missing.missing, missing.expected), (6, 8));
            // Leisure has no rows: no latest values and no chart.
            assert!(model.dimensions[6].latest.is_empty() && model.dimensions[6].charts.is_empty());
        }
    }
}
