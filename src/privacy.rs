//! Privacy: small groups of children are never disclosed, not even by
//! subtraction.
//!
//! In: the validated observations (sorted), the catalog and the config
//! (areas, `min_n`, `min_count`). Out: [`Protected`]: the same rows with
//! every unpublishable value, count and confidence limit set to null, a
//! [`CellStatus`] per row, and an audit of every unpublished cell with its
//! reason but not its value. Guarantees:
//!
//! * primary suppression: a percentage from fewer than `min_n` respondents
//!   (catalog `min_n`, else the config's, default 30) and a count of 1 to
//!   `min_count − 1` cases (catalog `min_n` for counts, else the config's
//!   `min_count`, default 5) are suppressed; a rate whose absolute count is
//!   that small too; the visits and costs of a service whose client count is
//!   suppressed go with it;
//! * secondary suppression: within each line of the hierarchy (a
//!   municipality and its school areas; a year and its quarters; a total and
//!   its sexes), for counts and
//!   for percentages with n (whose counts follow as p·n), a published total
//!   with exactly one unpublished part would give that part away by
//!   subtraction: another part (the smallest published one) is suppressed
//!   too, and this is repeated across the hierarchies until no line with a
//!   published total has exactly one unpublished part; the totals the shift
//!   stage publishes (yearly and city-wide sums of service counts) are made
//!   here first ([`derive_totals`]) and take part in the same lines;
//! * cells that arrived unpublished stay unpublished and are counted;
//! * nothing here ever turns a value into zero. The rules are in
//!   docs/PRIVACY.md.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::catalog::{Catalog, Source};
use crate::config::{Area, AreaKind, Config};
use crate::observation::{Observation, Sex};
use crate::period::Period;

/// Why a cell is (not) shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CellStatus {
    Published,
    /// Arrived without a value (suppressed or missing at the source).
    NotPublished,
    /// Below the minimum n or count.
    SuppressedSmall,
    /// Suppressed so that another suppressed cell cannot be derived.
    SuppressedComplementary,
}

impl CellStatus {
    pub fn key(self) -> &'static str {
        match self {
            CellStatus::Published => "published",
            CellStatus::NotPublished => "not_published",
            CellStatus::SuppressedSmall => "suppressed_small",
            CellStatus::SuppressedComplementary => "suppressed_complementary",
        }
    }

    pub fn is_published(self) -> bool {
        self == CellStatus::Published
    }
}

impl fmt::Display for CellStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One unpublished cell in the audit (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub indicator: String,
    pub area: String,
    pub period: Period,
    pub sex: Sex,
    pub group: String,
    pub status: CellStatus,
    pub reason: String,
}

impl fmt::Display for AuditEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {}: {} ({})",
            self.indicator, self.area, self.period, self.sex, self.group, self.status, self.reason
        )
    }
}

/// The privacy stage's account: a status per observation row (parallel to
/// the protected rows) and the audit of unpublished cells.
#[derive(Debug, Default)]
pub struct Protected {
    pub status: Vec<CellStatus>,
    /// Parallel to the derived totals.
    pub derived_status: Vec<CellStatus>,
    pub audit: Vec<AuditEntry>,
}

impl Protected {
    /// Cells of the observation table with this status.
    pub fn count(&self, status: CellStatus) -> usize {
        self.status.iter().filter(|s| **s == status).count()
    }

    /// Derived totals (yearly and city-wide sums) with this status.
    pub fn derived_count(&self, status: CellStatus) -> usize {
        self.derived_status.iter().filter(|s| **s == status).count()
    }
}

/// What kind of additive quantity a cell carries, for the subtraction lines.
#[derive(Clone, Copy, PartialEq)]
enum Additive {
    /// Counts and euros add up directly.
    Value,
    /// Percentages add up as p·n when n is known.
    PercentWithN,
    No,
}

/// Returns the rows with unpublishable values removed, the derived totals
/// (see [`derive_totals`]) likewise protected, and the account.
pub fn protect(
    observations: Vec<Observation>,
    catalog: &Catalog,
    config: &Config,
) -> (Vec<Observation>, Vec<Observation>, Protected) {
    let originals = observations.len();
    let mut observations = observations;
    let derived = derive_totals(&observations, catalog, &config.areas);
    observations.extend(derived);
    let mut status: Vec<CellStatus> = observations
        .iter()
        .map(|o| {
            if o.value.is_some() {
                CellStatus::Published
            } else {
                CellStatus::NotPublished
            }
        })
        .collect();
    let mut reasons: Vec<String> = observations
        .iter()
        .map(|o| {
            if o.value.is_some() {
                String::new()
            } else {
                "not published at the source".into()
            }
        })
        .collect();

    // Primary suppression.
    for (i, o) in observations.iter().enumerate() {
        let (Some(value), Some(indicator)) = (o.value, catalog.get(&o.indicator)) else {
            continue;
        };
        let reason = match indicator.unit.as_str() {
            "percent" => {
                let min = indicator.min_n.unwrap_or(config.min_n);
                o.n.filter(|n| *n < min)
                    .map(|n| format!("n = {n} respondents < {min}"))
            }
            "count" => {
                let min = indicator.min_n.unwrap_or(config.min_count);
                (value > 0.0 && value < min).then(|| format!("fewer than {min} cases"))
            }
            _ => {
                let min = indicator.min_n.unwrap_or(config.min_count);
                o.count
                    .filter(|c| *c > 0.0 && *c < min)
                    .map(|_| format!("absolute number below {min}"))
            }
        };
        if let Some(reason) = reason {
            status[i] = CellStatus::SuppressedSmall;
            reasons[i] = reason;
        }
    }

    let index: HashMap<(&str, &str, Period, Sex, &str), usize> = observations
        .iter()
        .enumerate()
        .map(|(i, o)| (o.key(), i))
        .collect();

    // Visits and costs follow their service's suppressed client count.
    let clients_of: HashMap<&str, &str> = service_links(catalog);
    for (i, o) in observations.iter().enumerate() {
        if !status[i].is_published() {
            continue;
        }
        let Some(clients_id) = clients_of.get(o.indicator.as_str()) else {
            continue;
        };
        let Some(&j) = index.get(&(
            clients_id,
            o.area.as_str(),
            o.period,
            o.sex,
            o.group.as_str(),
        )) else {
            continue;
        };
        if status[j] == CellStatus::SuppressedSmall {
            status[i] = CellStatus::SuppressedComplementary;
            reasons[i] =
                format!("the client count of the same service ({clients_id}) is suppressed");
        }
    }

    // Secondary suppression in the lines of the hierarchy.
    let lines = lines(&observations, catalog, config);
    loop {
        let mut changed = false;
        for line in &lines {
            let total_published = matches!(line.total, Some(t) if status[t].is_published());
            if !total_published {
                continue;
            }
            let unknown = line
                .parts
                .iter()
                .filter(|p| !p.is_some_and(|i| status[i].is_published()))
                .count();
            if unknown != 1 {
                continue;
            }
            // Suppress the smallest published part (least loss), or the
            // total when no other part is published.
            let victim = line
                .parts
                .iter()
                .flatten()
                .copied()
                .filter(|&i| status[i].is_published())
                .min_by(|&a, &b| {
                    let size = |i: usize| {
                        observations[i].value.unwrap_or(0.0) * observations[i].n.unwrap_or(1.0)
                    };
                    size(a)
                        .total_cmp(&size(b))
                        .then_with(|| observations[a].area.cmp(&observations[b].area))
                })
                .or(line.total);
            if let Some(v) = victim {
                status[v] = CellStatus::SuppressedComplementary;
                reasons[v] = format!(
                    "would reveal a suppressed cell by subtraction ({})",
                    line.name
                );
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    let mut audit = Vec::new();
    let mut protected = observations;
    let derived_status = status.split_off(originals);
    for (i, o) in protected.iter_mut().enumerate() {
        let row_status = if i < originals {
            status[i]
        } else {
            derived_status[i - originals]
        };
        if row_status.is_published() {
            continue;
        }
        o.value = None;
        o.count = None;
        o.ci_lower = None;
        o.ci_upper = None;
        audit.push(AuditEntry {
            indicator: o.indicator.clone(),
            area: o.area.clone(),
            period: o.period,
            sex: o.sex,
            group: o.group.clone(),
            status: row_status,
            reason: if i < originals {
                std::mem::take(&mut reasons[i])
            } else {
                format!("{} ({})", std::mem::take(&mut reasons[i]), o.source)
            },
        });
    }
    let derived = protected.split_off(originals);
    (
        protected,
        derived,
        Protected {
            status,
            derived_status,
            audit,
        },
    )
}

/// Totals that the shift stage publishes, made from the raw rows so that
/// privacy can judge them like any other cell: for every service indicator
/// (a count or euro sum), each area's calendar-year sum of its four
/// quarters, and each municipality's sum over its school areas per quarter
/// and per year. A total with an unpublished part has no value. Rows are
/// sorted; their source says what they sum.
pub fn derive_totals(
    observations: &[Observation],
    catalog: &Catalog,
    areas: &[Area],
) -> Vec<Observation> {
    let is_service_sum = |id: &str| {
        catalog.get(id).is_some_and(|i| {
            matches!(i.source, Source::Service { .. })
                && matches!(i.unit.as_str(), "count" | "euro")
        })
    };
    let sum = |parts: &[&Observation]| -> Option<f64> { parts.iter().map(|o| o.value).sum() };
    let derived_row =
        |template: &Observation, area: &str, period: Period, value: Option<f64>, source: String| {
            Observation {
                indicator: template.indicator.clone(),
                area: area.to_string(),
                period,
                sex: template.sex,
                group: template.group.clone(),
                value,
                count: value,
                n: None,
                ci_lower: None,
                ci_upper: None,
                source,
            }
        };
    // (indicator, area, sex, group) -> quarter rows.
    let mut quarterly: BTreeMap<(&str, &str, Sex, &str), BTreeMap<Period, &Observation>> =
        BTreeMap::new();
    for o in observations
        .iter()
        .filter(|o| o.period.is_quarter() && is_service_sum(&o.indicator))
    {
        quarterly
            .entry((&o.indicator, &o.area, o.sex, &o.group))
            .or_default()
            .insert(o.period, o);
    }
    let mut out = Vec::new();
    // City-wide quarters first, so that their years are summed below too.
    let mut city_quarters: Vec<Observation> = Vec::new();
    for city in areas.iter().filter(|a| a.kind == AreaKind::Municipality) {
        let children: Vec<&str> = areas
            .iter()
            .filter(|a| {
                a.kind == AreaKind::SchoolArea && a.parent.as_deref() == Some(city.key.as_str())
            })
            .map(|a| a.key.as_str())
            .collect();
        if children.is_empty() {
            continue;
        }
        let series: BTreeMap<(&str, Sex, &str), BTreeMap<Period, Vec<&Observation>>> = quarterly
            .iter()
            .filter(|((_, area, ..), _)| children.contains(area))
            .fold(
                BTreeMap::new(),
                |mut map, ((indicator, _, sex, group), rows)| {
                    let entry: &mut BTreeMap<Period, Vec<&Observation>> =
                        map.entry((*indicator, *sex, *group)).or_default();
                    for (period, row) in rows {
                        entry.entry(*period).or_default().push(row);
                    }
                    map
                },
            );
        for ((_, _, _), by_period) in series {
            for (period, parts) in by_period {
                // Only a quarter every school area reported has a city total.
                if parts.len() == children.len()
                    && !observations.iter().any(|o| {
                        o.key()
                            == (
                                parts[0].indicator.as_str(),
                                city.key.as_str(),
                                period,
                                parts[0].sex,
                                parts[0].group.as_str(),
                            )
                    })
                {
                    city_quarters.push(derived_row(
                        parts[0],
                        &city.key,
                        period,
                        sum(&parts),
                        format!("derived: {} = sum of its school areas", city.key),
                    ));
                }
            }
        }
    }
    for o in &city_quarters {
        quarterly
            .entry((&o.indicator, &o.area, o.sex, &o.group))
            .or_default()
            .insert(o.period, o);
    }
    for ((_, area, _, _), rows) in &quarterly {
        let years: std::collections::BTreeSet<i32> = rows.keys().map(|p| p.year()).collect();
        for year in years {
            let parts: Vec<&Observation> = (1..=4)
                .filter_map(|q| rows.get(&Period::Quarter(year, q)).copied())
                .collect();
            if parts.len() == 4 {
                out.push(derived_row(
                    parts[0],
                    area,
                    Period::Year(year),
                    sum(&parts),
                    format!("derived: {year} = sum of {year}Q1–Q4"),
                ));
            }
        }
    }
    out.extend(city_quarters);
    crate::observation::sort_rows(&mut out);
    out
}

/// Adds the `status` column (published, not_published, suppressed_small,
/// suppressed_complementary) to the observation table.
pub fn with_status(
    mut frame: polars::prelude::DataFrame,
    status: &[CellStatus],
) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    let column = crate::columns::text("status", status, |s| Some(s.key().to_string()));
    frame.with_column(column)?;
    Ok(frame)
}

/// visits or cost indicator id -> the client-count indicator id of the same service.
fn service_links(catalog: &Catalog) -> HashMap<&str, &str> {
    let clients: HashMap<&str, &str> = catalog
        .indicators
        .iter()
        .filter_map(|i| match &i.source {
            Source::Service { service, measure } if measure == "clients" => {
                Some((service.as_str(), i.id.as_str()))
            }
            _ => None,
        })
        .collect();
    catalog
        .indicators
        .iter()
        .filter_map(|i| match &i.source {
            Source::Service { service, measure } if measure != "clients" => {
                clients.get(service.as_str()).map(|c| (i.id.as_str(), *c))
            }
            _ => None,
        })
        .collect()
}

/// A total and its parts (row indices; `None` for a part with no row).
#[derive(Debug)]
pub struct Line {
    pub name: String,
    pub total: Option<usize>,
    pub parts: Vec<Option<usize>>,
}

/// The lines along which a suppressed cell could be derived: each
/// municipality with its school areas, and each total with its sexes, for
/// every indicator, period and group with an additive quantity.
pub fn lines(observations: &[Observation], catalog: &Catalog, config: &Config) -> Vec<Line> {
    let additive = |o: &Observation| match catalog.get(&o.indicator).map(|i| i.unit.as_str()) {
        Some("count" | "euro") => Additive::Value,
        Some("percent") if o.n.is_some() => Additive::PercentWithN,
        _ => Additive::No,
    };
    let index: HashMap<(&str, &str, Period, Sex, &str), usize> = observations
        .iter()
        .enumerate()
        .map(|(i, o)| (o.key(), i))
        .collect();
    let children: BTreeMap<&str, Vec<&str>> = config
        .areas
        .iter()
        .filter(|a| a.kind == AreaKind::SchoolArea)
        .filter_map(|a| a.parent.as_deref().map(|p| (p, a.key.as_str())))
        .fold(BTreeMap::new(), |mut map, (parent, child)| {
            map.entry(parent).or_insert_with(Vec::new).push(child);
            map
        });
    let mut out = Vec::new();
    for (i, o) in observations.iter().enumerate() {
        if additive(o) == Additive::No {
            continue;
        }
        let key = |area: &str, sex: Sex| {
            index
                .get(&(o.indicator.as_str(), area, o.period, sex, o.group.as_str()))
                .copied()
        };
        if let Some(parts) = children.get(o.area.as_str()) {
            out.push(Line {
                name: format!("{} = sum of its school areas", o.area),
                total: Some(i),
                parts: parts.iter().map(|child| key(child, o.sex)).collect(),
            });
        }
        if let (Period::Year(year), Additive::Value) = (o.period, additive(o)) {
            let quarters: Vec<Option<usize>> = (1..=4)
                .map(|q| {
                    index
                        .get(&(
                            o.indicator.as_str(),
                            o.area.as_str(),
                            Period::Quarter(year, q),
                            o.sex,
                            o.group.as_str(),
                        ))
                        .copied()
                })
                .collect();
            if quarters.iter().any(Option::is_some) {
                out.push(Line {
                    name: format!("{year} = sum of its quarters"),
                    total: Some(i),
                    parts: quarters,
                });
            }
        }
        if o.sex == Sex::Total {
            out.push(Line {
                name: "total = female + male".into(),
                total: Some(i),
                parts: vec![key(&o.area, Sex::Female), key(&o.area, Sex::Male)],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::parse_files;
    use crate::config::{self, Overrides};

    const CATALOG: &str = r#"
[[indicator]]
id = "clients"
title = { fi = "A", sv = "A", en = "A" }
dimension = "care"
polarity = "neutral"
unit = "count"
decimals = 0
source = { service = "fw", measure = "clients" }

[[indicator]]
id = "visits"
title = { fi = "V", sv = "V", en = "V" }
dimension = "care"
polarity = "neutral"
unit = "count"
decimals = 0
source = { service = "fw", measure = "visits" }

[[indicator]]
id = "survey"
title = { fi = "S", sv = "S", en = "S" }
dimension = "health"
polarity = "higher_is_worse"
unit = "percent"
decimals = 1
source = { cube = "k", measure = "s" }
"#;

    const AREAS: &str = r#"
[[area]]
key = "city"
name = { fi = "C", sv = "C", en = "C" }
kind = "municipality"
[[area]]
key = "a"
name = { fi = "A", sv = "A", en = "A" }
kind = "school_area"
parent = "city"
[[area]]
key = "b"
name = { fi = "B", sv = "B", en = "B" }
kind = "school_area"
parent = "city"
[[area]]
key = "c"
name = { fi = "C", sv = "C", en = "C" }
kind = "school_area"
parent = "city"
[[input]]
kind = "services-csv"
path = "x.csv"
"#;

    fn cell(
        indicator: &str,
        area: &str,
        sex: Sex,
        value: Option<f64>,
        n: Option<f64>,
    ) -> Observation {
        Observation {
            indicator: indicator.into(),
            area: area.into(),
            period: Period::Year(2024),
            sex,
            group: "all".into(),
            value,
            count: None,
            n,
            ci_lower: None,
            ci_upper: None,
            source: format!("t:{area}"),
        }
    }

    struct Run {
        observations: Vec<Observation>,
        status: Vec<CellStatus>,
        audit: Vec<AuditEntry>,
    }

    fn run(rows: Vec<Observation>) -> Run {
        let catalog = parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
        let config = config::parse(
            AREAS,
            "hyte.toml",
            std::path::Path::new(""),
            Overrides::default(),
        )
        .unwrap();
        let (observations, _derived, protected) = protect(rows, &catalog, &config);
        Run {
            observations,
            status: protected.status,
            audit: protected.audit,
        }
    }

    #[test]
    fn small_counts_are_suppressed_and_zero_is_not() {
        let p = run(vec![
            cell("clients", "a", Sex::Total, Some(3.0), None),
            cell("clients", "b", Sex::Total, Some(0.0), None),
            cell("clients", "c", Sex::Total, Some(12.0), None),
            cell("visits", "a", Sex::Total, Some(40.0), None),
        ]);
        let s: Vec<&str> = p.status.iter().map(|s| s.key()).collect();
        assert_eq!(
            s,
            [
                "suppressed_small",
                "published",
                "published",
                "suppressed_complementary"
            ]
        );
        assert_eq!(p.observations[0].value, None);
        assert_eq!(
            p.observations[3].value, None,
            "visits of a suppressed client count go too"
        );
        assert_eq!(p.audit.len(), 2);
        assert!(
            !p.audit[0].to_string().contains('3'),
            "the audit never shows the value"
        );
    }

    #[test]
    fn one_suppressed_part_of_a_published_total_pulls_another() {
        // city = a + b + c; a is small. Without secondary suppression
        // a = 40 − 15 − 21.
        let p = run(vec![
            cell("clients", "a", Sex::Total, Some(4.0), None),
            cell("clients", "b", Sex::Total, Some(15.0), None),
            cell("clients", "c", Sex::Total, Some(21.0), None),
            cell("clients", "city", Sex::Total, Some(40.0), None),
        ]);
        let s: Vec<&str> = p.status.iter().map(|s| s.key()).collect();
        assert_eq!(
            s,
            [
                "suppressed_small",
                "suppressed_complementary",
                "published",
                "published"
            ]
        );
    }

    #[test]
    fn survey_cells_by_respondents_and_across_sexes() {
        // Boys' n < 30: suppressed; girls then follow from the total (p·n).
        let p = run(vec![
            cell("survey", "a", Sex::Female, Some(20.0), Some(40.0)),
            cell("survey", "a", Sex::Male, Some(10.0), Some(25.0)),
            cell("survey", "a", Sex::Total, Some(16.2), Some(65.0)),
        ]);
        let s: Vec<&str> = p.status.iter().map(|s| s.key()).collect();
        assert_eq!(
            s,
            ["suppressed_complementary", "suppressed_small", "published"]
        );
        // n stays: it is not sensitive and it is what THL publishes too.
        assert_eq!(p.observations[1].n, Some(25.0));
    }

    #[test]
    fn a_missing_part_counts_as_unpublished() {
        // c has no row at all: city − a − b would give it.
        let p = run(vec![
            cell("clients", "a", Sex::Total, Some(15.0), None),
            cell("clients", "b", Sex::Total, Some(9.0), None),
            cell("clients", "city", Sex::Total, Some(40.0), None),
        ]);
        let s: Vec<&str> = p.status.iter().map(|s| s.key()).collect();
        assert_eq!(s, ["published", "suppressed_complementary", "published"]);
    }
}
