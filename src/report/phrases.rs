//! What the Markdown and HTML reports both say, worded once.
//!
//! In: the report input and the language's words. Out: plain text (not yet
//! escaped for Markdown or HTML: each renderer escapes what it writes).
//! Guarantees: the two reports pick, order and format the same things, so
//! they never disagree.

use super::words::Words;
use super::ReportInput;
use crate::i18n::Language;
use crate::observation::Sex;
use crate::privacy::CellStatus;
use crate::shift::{ShiftSummary, Verdict};
use crate::trends::{Basis, DimensionSummary, Direction, SeriesTrend};

/// The p-value of the test that decided a series' direction.
pub(super) fn deciding_p(series: &SeriesTrend) -> f64 {
    let stats = &series.stats;
    match stats.basis {
        Some(Basis::RecentSlope) => stats.recent_slope.and_then(|f| f.p_value),
        Some(Basis::LatestChange) => stats.change_test.map(|c| c.p_value),
        Some(Basis::Slope) => stats.slope.and_then(|f| f.p_value),
        None => None,
    }
    .unwrap_or(1.0)
}

/// The sex-total series of an area that moved in the `wanted` direction,
/// clearest (smallest deciding p-value) first.
pub(super) fn clearest<'a>(
    input: &'a ReportInput,
    area: &str,
    wanted: Direction,
) -> Vec<&'a SeriesTrend> {
    let mut picked: Vec<&SeriesTrend> = input
        .trends
        .series
        .iter()
        .filter(|s| s.area == area && s.sex == Sex::Total && s.direction == Some(wanted))
        .collect();
    picked.sort_by(|a, b| {
        deciding_p(a)
            .total_cmp(&deciding_p(b))
            .then_with(|| a.indicator.cmp(&b.indicator))
    });
    picked
}

/// "↑3 ↓1 →2 ?1" for a cell of the dimension matrix; `None` when empty.
pub(super) fn direction_counts(d: &DimensionSummary) -> Option<String> {
    let parts: Vec<String> = [
        ("↑", d.improving),
        ("↓", d.worsening),
        ("→", d.stable),
        ("?", d.insufficient),
    ]
    .iter()
    .filter(|(_, count)| *count > 0)
    .map(|(arrow, count)| format!("{arrow}{count}"))
    .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A p-value the way a report shows it: "p < 0,001" or "p = 0,031".
pub(super) fn format_p(p: f64, language: Language) -> String {
    if p < 0.001 {
        format!("p < {}", language.number(0.001, 3))
    } else {
        format!("p = {}", language.number(p, 3))
    }
}

pub(crate) fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "92,4 % (2019) → 96,4 % (2024)", or "–".
pub(super) fn share_text(summary: &ShiftSummary, language: Language) -> String {
    let pct = |v: Option<f64>| {
        v.map(|v| format!("{} %", language.number(v * 100.0, 1)))
            .unwrap_or_else(|| "–".into())
    };
    match (summary.first_year, summary.last_year) {
        (Some(first), Some(last)) => format!(
            "{} ({first}) → {} ({last})",
            pct(summary.share_first),
            pct(summary.share_last)
        ),
        _ => "–".into(),
    }
}

/// "+0,86 (+0,53 … +1,20) pp": the share's slope per year with its 95 %
/// interval, in percentage points; "–" without a slope.
pub(super) fn slope_text(summary: &ShiftSummary, language: Language) -> String {
    let pp = |v: f64| {
        format!(
            "{}{}",
            if v > 0.0 { "+" } else { "" },
            language.number(v * 100.0, 2)
        )
    };
    match summary.slope {
        Some(fit) => match (fit.ci_lower, fit.ci_upper) {
            (Some(lo), Some(hi)) => format!("{} ({} … {}) pp", pp(fit.slope), pp(lo), pp(hi)),
            _ => format!("{} pp", pp(fit.slope)),
        },
        None => "–".into(),
    }
}

pub(super) fn verdict_text(words: &Words, verdict: Verdict) -> &'static str {
    words.verdicts[match verdict {
        Verdict::TowardBasic => 0,
        Verdict::TowardSpecialist => 1,
        Verdict::NoClearShift => 2,
        Verdict::InsufficientData => 3,
    }]
}

/// The privacy paragraph with the config's thresholds filled in (the
/// catalog may set others per indicator).
pub(super) fn privacy_text(words: &Words, input: &ReportInput) -> String {
    words
        .privacy
        .replace("{min_n}", &input.config.min_n.to_string())
        .replace(
            "{max_small}",
            &(input.config.min_count - 1.0).max(0.0).to_string(),
        )
}

/// How the complements were chosen and what they cost; the protection
/// level, fallbacks and cells the source itself exposes when there are any.
pub(super) fn privacy_method_text(words: &Words, input: &ReportInput) -> String {
    let s = &input.privacy.secondary;
    let method = match s.method {
        crate::config::SuppressionMethod::Optimal => words.privacy_methods[0],
        crate::config::SuppressionMethod::Greedy => words.privacy_methods[1],
    };
    let mut text = words
        .privacy_method
        .replace("{method}", method)
        .replace("{complements}", &s.complements.to_string())
        .replace("{cost}", &input.config.language.number(s.cost, 1));
    if s.protection > 0.0 {
        text.push(' ');
        text.push_str(&words.privacy_interval.replace(
            "{protection}",
            &input.config.language.number(s.protection, 0),
        ));
    }
    for (n, sentence) in [
        (s.fallbacks.len(), words.privacy_fallbacks),
        (s.source_exposed, words.privacy_source_exposed),
    ] {
        if n > 0 {
            text.push(' ');
            text.push_str(&sentence.replace("{n}", &n.to_string()));
        }
    }
    text
}

/// The privacy counts of the observation table, labelled.
pub(super) fn privacy_counts(words: &Words, input: &ReportInput) -> Vec<(&'static str, usize)> {
    words
        .privacy_counts
        .iter()
        .zip([
            CellStatus::NotPublished,
            CellStatus::SuppressedSmall,
            CellStatus::SuppressedComplementary,
        ])
        .map(|(label, status)| (*label, input.privacy.count(status)))
        .collect()
}

/// A Sotkanet indicator of this run, cited: THL's licence asks reports to
/// name "THL, Sotkanet" and the producer.
pub(super) struct SotkanetSource {
    pub title: String,
    pub id: u32,
    /// The producer (`organization`) from Sotkanet's metadata, when given.
    pub producer: Option<String>,
    /// Sotkanet's `data-updated`, when given.
    pub updated: Option<String>,
    /// The indicator's public metadata page.
    pub url: String,
}

/// The public metadata page of a catalog indicator from Sotkanet.
pub(super) fn sotkanet_page(
    indicator: &crate::catalog::Indicator,
    language: Language,
) -> Option<(u32, String)> {
    match indicator.source {
        crate::catalog::Source::Sotkanet(id) => Some((
            id,
            crate::ingest::sotkanet_metadata::public_page(id, language.code()),
        )),
        _ => None,
    }
}

/// Every Sotkanet indicator with data in this run, in catalog order.
pub(super) fn sotkanet_sources(input: &ReportInput, language: Language) -> Vec<SotkanetSource> {
    let with_data: std::collections::BTreeSet<&str> = input
        .validated
        .table
        .indicators
        .texts()
        .iter()
        .map(String::as_str)
        .collect();
    input
        .catalog
        .indicators
        .iter()
        .filter(|i| with_data.contains(i.id.as_str()))
        .filter_map(|indicator| {
            let (id, url) = sotkanet_page(indicator, language)?;
            let meta = input.validated.metadata.iter().find(|m| m.id == id);
            let localized = |texts: &std::collections::BTreeMap<String, String>| {
                texts
                    .get(language.code())
                    .or_else(|| texts.get("fi"))
                    .filter(|t| !t.is_empty())
                    .cloned()
            };
            Some(SotkanetSource {
                title: indicator.title.get(language).to_string(),
                id,
                producer: meta.and_then(|m| localized(&m.organization)),
                updated: meta.and_then(|m| m.data_updated.clone()),
                url,
            })
        })
        .collect()
}

/// A cited Sotkanet source as one line of plain text, without the link.
pub(super) fn sotkanet_source_text(source: &SotkanetSource, language: Language) -> String {
    let (producer, updated) = match language {
        Language::Fi => ("tuottaja", "tiedot päivitetty"),
        Language::Sv => ("producent", "uppgifterna uppdaterade"),
        Language::En => ("producer", "data updated"),
    };
    let mut text = format!("{} (THL, Sotkanet {}", source.title, source.id);
    if let Some(p) = &source.producer {
        text.push_str(&format!("; {producer}: {p}"));
    }
    if let Some(u) = &source.updated {
        text.push_str(&format!("; {updated} {u}"));
    }
    text.push(')');
    text
}

/// One indicator of an area among all municipalities, as text: what the
/// Markdown and HTML reports show in their comparison tables.
pub(super) struct ComparisonRow<'a> {
    pub(super) indicator: &'a crate::catalog::Indicator,
    /// The population group, unless it is "all".
    pub(super) group: Option<&'a str>,
    /// "8,3 (2025)".
    pub(super) value: String,
    /// "70/293".
    pub(super) rank: String,
    pub(super) percentile: String,
    /// Per comparison group, `;`-separated: "name: mean (n = members with
    /// data)", the mean "–" when no member has a value. Not escaped.
    pub(super) groups: String,
    /// Per comparison group, `;`-separated: the gap to its mean (or "–").
    pub(super) gaps: String,
}

/// Each area of interest with its comparison rows, leaving out the areas
/// that have none: the comparison sections of both reports.
pub(super) fn comparison_tables<'a>(
    input: &'a ReportInput,
) -> Vec<(&'a crate::domain::Area, Vec<ComparisonRow<'a>>)> {
    input
        .config
        .areas
        .iter()
        .map(|area| (area, comparison_rows(input, &area.key)))
        .filter(|(_, rows)| !rows.is_empty())
        .collect()
}

/// The sex-total series of an area with a rank among more than one
/// municipality (a rank among one says nothing), in trends order.
fn comparison_rows<'a>(input: &'a ReportInput, area: &str) -> Vec<ComparisonRow<'a>> {
    let language = input.config.language;
    let dash = || "–".to_string();
    input
        .trends
        .series
        .iter()
        .filter(|s| s.area == area && s.sex == Sex::Total)
        .filter_map(|series| {
            let rank = series.rank.filter(|r| r.of > 1)?;
            let indicator = input.catalog.get(&series.indicator)?;
            let number = |v: f64| language.number(v, indicator.decimals);
            let comparisons: Vec<&crate::compare::GroupComparison> = input
                .comparisons
                .iter()
                .filter(|c| {
                    c.indicator == series.indicator
                        && c.area == series.area
                        && c.sex == series.sex
                        && c.group == series.group
                })
                .collect();
            Some(ComparisonRow {
                indicator,
                group: (series.group != crate::observation::ALL_GROUPS)
                    .then_some(series.group.as_str()),
                value: series
                    .stats
                    .latest_value
                    .map(|v| format!("{} ({})", number(v), rank.period))
                    .unwrap_or_else(dash),
                rank: format!("{}/{}", rank.rank, rank.of),
                percentile: rank
                    .percentile
                    .map(|p| language.number(p, 0))
                    .unwrap_or_else(dash),
                groups: comparisons
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {} (n = {})",
                            c.comparison_group,
                            c.group_mean.map(number).unwrap_or_else(dash),
                            c.members_with_data
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                gaps: comparisons
                    .iter()
                    .map(|c| c.gap.map(number).unwrap_or_else(dash))
                    .collect::<Vec<_>>()
                    .join("; "),
            })
        })
        .collect()
}
