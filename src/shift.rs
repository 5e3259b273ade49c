//! Shift: is the weight of services moving from specialist to basic care?
//!
//! In: the protected observations (quarterly service counts), the derived
//! totals made and protected by the privacy stage (yearly sums per area,
//! city-wide sums), the population rows, the catalog (each service
//! indicator's `service_level` and optional `unit_cost_eur`), the configured
//! areas, the trends (for Sotkanet-level indicators) and the trend settings.
//! Out: [`Shift`]: per area and period (quarter and calendar year) the
//! basic, intermediate and specialist volumes by clients and visits, rates
//! per 1 000 children aged 0–17 and the basic share; per area a summary with
//! the slope of the basic share per year, its 95 % interval and p-value, a
//! verdict and the services that drove the change. Guarantees: quarterly
//! data are never compared across seasons: the verdict uses the shares of
//! complete calendar years (yearly sums) when there are `min_points` of
//! them, else quarterly shares with a separate level for each quarter of the
//! year (a same-quarter comparison); a sum is shown only when every service
//! the area reports is published for that period and measure; the share is
//! a ratio, so multiplying every volume by a constant changes no share and no
//! verdict; the regression is `stats::least_squares_by_group`, the same
//! statistics code as the trends; too few points gives `insufficient_data`.
//! The method is described in docs/SHIFT.md.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::catalog::{Catalog, Measure, ServiceLevel, Source};
use crate::domain::Area;
use crate::ingest::PopulationRow;
use crate::observation::{Observation, Sex, ALL_GROUPS};
use crate::period::Period;
use crate::stats::{self, LinearFit};
use crate::trends::{Movement, TrendSettings, Trends};

/// The verdict on one area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Verdict {
    TowardBasic,
    TowardSpecialist,
    NoClearShift,
    InsufficientData,
}

/// What a shift summary is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum ShiftBasis {
    /// The municipality's own quarterly client counts.
    Local,
    /// Sotkanet's service indicators (the reference areas).
    Sotkanet,
}

crate::domain::keyed!(Verdict, ShiftBasis);

/// Volumes of one level, by measure.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Volumes {
    pub clients: f64,
    pub visits: f64,
    /// Σ volume × unit cost over the indicators that carry a unit cost.
    pub cost_eur: f64,
}

impl Volumes {
    fn add(&mut self, other: &Volumes) {
        self.clients += other.clients;
        self.visits += other.visits;
        self.cost_eur += other.cost_eur;
    }
}

/// One area in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftRow {
    pub area: String,
    pub period: Period,
    /// Every client count the area reports is published here (for a year:
    /// in all four quarters). Client shares and the verdict use only
    /// complete periods.
    pub complete_clients: bool,
    /// The same for visit counts.
    pub complete_visits: bool,
    pub basic: Volumes,
    pub intermediate: Volumes,
    pub specialist: Volumes,
    pub population_0_17: Option<f64>,
}

/// basic / (basic + specialist); `None` when both are zero.
pub fn share(basic: f64, specialist: f64) -> Option<f64> {
    let total = basic + specialist;
    (total > 0.0).then(|| basic / total)
}

impl ShiftRow {
    pub fn share_clients(&self) -> Option<f64> {
        share(self.basic.clients, self.specialist.clients)
    }
    pub fn share_visits(&self) -> Option<f64> {
        share(self.basic.visits, self.specialist.visits)
    }
    pub fn share_cost(&self) -> Option<f64> {
        share(self.basic.cost_eur, self.specialist.cost_eur)
    }
    /// A client sum, shown only when complete: a sum that misses an
    /// unpublished part would be wrong, and next to the published parts it
    /// would give that part away by subtraction.
    pub fn clients(&self, level: Volumes) -> Option<f64> {
        self.complete_clients.then_some(level.clients)
    }
    /// A visit sum, shown only when complete.
    pub fn visits(&self, level: Volumes) -> Option<f64> {
        self.complete_visits.then_some(level.visits)
    }
    /// A cost-weighted sum, shown only when clients and visits are complete.
    pub fn cost(&self, level: Volumes) -> Option<f64> {
        (self.complete_clients && self.complete_visits).then_some(level.cost_eur)
    }
    /// A volume per 1 000 children aged 0–17.
    pub fn per_1000(&self, volume: f64) -> Option<f64> {
        self.population_0_17
            .filter(|p| *p > 0.0)
            .map(|p| volume / p * 1000.0)
    }
}

/// A service's contribution to the change of the share, in share points.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    pub service: String,
    pub contribution: f64,
}

/// The verdict on one area.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftSummary {
    pub area: String,
    /// `local` (client-system counts summed per year) or `sotkanet`
    /// (indicator trends of a municipality, region or the country).
    pub basis: ShiftBasis,
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
    /// Complete calendar years (for the first and last shares).
    pub years: usize,
    /// Periods in the share regression (complete quarters, or years).
    pub points: usize,
    pub share_first: Option<f64>,
    pub share_last: Option<f64>,
    pub slope: Option<LinearFit>,
    pub visits_slope: Option<LinearFit>,
    pub verdict: Verdict,
    pub drivers: Vec<Driver>,
    /// Sotkanet basis: the significant movements that decided the verdict.
    pub movements: Vec<(String, Movement)>,
    /// Plain-text list of the drivers for tables and reports.
    pub main_drivers: String,
}

#[derive(Debug, Default)]
pub struct Shift {
    pub rows: Vec<ShiftRow>,
    pub summaries: Vec<ShiftSummary>,
}

/// A service indicator of the catalog.
struct ServiceIndicator {
    service: String,
    measure: Measure,
    level: ServiceLevel,
    unit_cost: Option<f64>,
}

/// Runs the shift stage.
pub fn compute(
    observations: &[Observation],
    derived: &[Observation],
    population: &[PopulationRow],
    catalog: &Catalog,
    areas: &[Area],
    trends: &Trends,
    settings: &TrendSettings,
) -> Shift {
    let services = service_indicators(catalog);
    let configured: BTreeSet<&str> = areas.iter().map(|a| a.key.as_str()).collect();
    let cells = period_cells(observations, derived, &services, &configured);
    let rows = shift_rows(&cells, population);
    let summaries = summaries(&rows, &cells, catalog, areas, trends, settings);
    Shift { rows, summaries }
}

/// The catalog's service indicators with a service level, by id (cost
/// indicators left out: costs are volume × unit cost).
fn service_indicators(catalog: &Catalog) -> HashMap<&str, ServiceIndicator> {
    catalog
        .indicators
        .iter()
        .filter_map(|i| match (&i.source, i.service_level) {
            (Source::Service { service, measure }, Some(level)) if *measure != Measure::CostEur => {
                Some((
                    i.id.as_str(),
                    ServiceIndicator {
                        service: service.clone(),
                        measure: *measure,
                        level,
                        unit_cost: i.unit_cost_eur,
                    },
                ))
            }
            _ => None,
        })
        .collect()
}

/// Per (area, period) of a configured area: volumes by level and service,
/// and which (indicator, measure) pairs are published or not, from the
/// rows of both sexes and all groups. Quarters come from the observations,
/// years and city-wide sums from the derived totals, all after privacy
/// protection.
fn period_cells(
    observations: &[Observation],
    derived: &[Observation],
    services: &HashMap<&str, ServiceIndicator>,
    configured: &BTreeSet<&str>,
) -> BTreeMap<(String, Period), QuarterCell> {
    let mut cells: BTreeMap<(String, Period), QuarterCell> = BTreeMap::new();
    for o in observations
        .iter()
        .filter(|o| o.period.is_quarter())
        .chain(derived)
    {
        let Some(info) = services.get(o.indicator.as_str()) else {
            continue;
        };
        if o.sex != Sex::Total || o.group != ALL_GROUPS || !configured.contains(o.area.as_str()) {
            continue;
        }
        cells
            .entry((o.area.clone(), o.period))
            .or_default()
            .record(o, info);
    }
    cells
}

/// One row per (area, period) cell: its volumes, whether its client and
/// visit sums are complete (every service the area reports at all is
/// published there for that measure) and the area's population aged 0–17
/// in that year.
fn shift_rows(
    cells: &BTreeMap<(String, Period), QuarterCell>,
    population: &[PopulationRow],
) -> Vec<ShiftRow> {
    let population_0_17: HashMap<(&str, i32), f64> = population
        .iter()
        .filter(|p| p.age_group == "0-17")
        .map(|p| ((p.area.as_str(), p.year), p.population))
        .collect();
    // Which services each area reports at all: a period is complete for a
    // measure when each of them is published there.
    let mut reported: BTreeMap<&str, BTreeSet<(String, Measure)>> = BTreeMap::new();
    for ((area, _), cell) in cells {
        let set = reported.entry(area.as_str()).or_default();
        set.extend(cell.published.iter().cloned());
        set.extend(cell.missing.iter().cloned());
    }
    let complete = |area: &str, cell: &QuarterCell, measure: Measure| {
        reported[area]
            .iter()
            .filter(|(_, m)| *m == measure)
            .all(|key| cell.published.contains(key))
    };
    cells
        .iter()
        .map(|((area, period), cell)| {
            let flags = (
                complete(area, cell, Measure::Clients),
                complete(area, cell, Measure::Visits),
            );
            cell.row(
                area,
                *period,
                flags,
                population_0_17
                    .get(&(area.as_str(), period.year()))
                    .copied(),
            )
        })
        .collect()
}

/// The summaries: a local one for every area with rows, in the order of
/// `areas`, then a Sotkanet one for every reference area that has Sotkanet
/// service indicators.
fn summaries(
    rows: &[ShiftRow],
    cells: &BTreeMap<(String, Period), QuarterCell>,
    catalog: &Catalog,
    areas: &[Area],
    trends: &Trends,
    settings: &TrendSettings,
) -> Vec<ShiftSummary> {
    let mut summaries: Vec<ShiftSummary> = Vec::new();
    for area in areas {
        let area_rows: Vec<&ShiftRow> = rows.iter().filter(|r| r.area == area.key).collect();
        if area_rows.is_empty() {
            continue;
        }
        let cell_of = |r: &ShiftRow| -> QuarterCell { cells[&(r.area.clone(), r.period)].clone() };
        summaries.push(local_summary(&area.key, &area_rows, &cell_of, settings));
    }
    for area in areas.iter().filter(|a| a.reference) {
        if let Some(summary) = sotkanet_summary(&area.key, catalog, trends) {
            summaries.push(summary);
        }
    }
    summaries
}

/// Sums of one area and period. `published` and `missing` hold
/// (indicator, measure) pairs.
#[derive(Debug, Default, Clone)]
struct QuarterCell {
    basic: Volumes,
    intermediate: Volumes,
    specialist: Volumes,
    by_service: BTreeMap<(String, ServiceLevel), Volumes>,
    published: BTreeSet<(String, Measure)>,
    missing: BTreeSet<(String, Measure)>,
}

impl QuarterCell {
    fn level_mut(&mut self, level: ServiceLevel) -> &mut Volumes {
        match level {
            ServiceLevel::Basic => &mut self.basic,
            ServiceLevel::Intermediate => &mut self.intermediate,
            ServiceLevel::Specialist => &mut self.specialist,
        }
    }

    /// Adds one service row: a published value to its level and service
    /// (with its cost where the indicator has a unit cost) and its
    /// (indicator, measure) to `published`; an unpublished one to `missing`.
    fn record(&mut self, o: &Observation, info: &ServiceIndicator) {
        let key = (o.indicator.clone(), info.measure);
        match o.value {
            Some(v) => {
                let mut volumes = Volumes::default();
                match info.measure {
                    Measure::Clients => volumes.clients = v,
                    Measure::Visits => volumes.visits = v,
                    // Costs are volume × unit cost, not a measure of their own.
                    Measure::CostEur => return,
                }
                volumes.cost_eur = info.unit_cost.map_or(0.0, |c| c * v);
                self.level_mut(info.level).add(&volumes);
                self.by_service
                    .entry((info.service.clone(), info.level))
                    .or_default()
                    .add(&volumes);
                self.published.insert(key);
            }
            None => {
                self.missing.insert(key);
            }
        }
    }

    fn row(
        &self,
        area: &str,
        period: Period,
        complete: (bool, bool),
        population_0_17: Option<f64>,
    ) -> ShiftRow {
        ShiftRow {
            area: area.to_string(),
            period,
            complete_clients: complete.0,
            complete_visits: complete.1,
            basic: self.basic,
            intermediate: self.intermediate,
            specialist: self.specialist,
            population_0_17,
        }
    }
}

/// The points of a share regression: the yearly shares of complete years
/// (yearly sums: no season can masquerade as a shift) when there are at
/// least `min_points` of them; otherwise the quarterly shares of complete
/// quarters with the quarter of the year as a group (a same-quarter
/// comparison).
fn share_points(
    rows: &[&ShiftRow],
    share: fn(&ShiftRow) -> Option<f64>,
    complete: fn(&ShiftRow) -> bool,
    min_points: usize,
) -> Vec<(f64, f64, u8)> {
    let complete_years = rows
        .iter()
        .filter(|r| !r.period.is_quarter() && complete(r) && share(r).is_some())
        .count();
    let quarterly = complete_years < min_points;
    rows.iter()
        .filter(|r| r.period.is_quarter() == quarterly && complete(r))
        .filter_map(|r| {
            let group = match r.period {
                Period::Quarter(_, q) => q,
                Period::Year(_) => 0,
            };
            share(r).map(|s| (r.period.decimal_time(), s, group))
        })
        .collect()
}

/// The verdict for an area from its client shares: the slope of the share
/// per year over the points [`share_points`] chooses (complete years, or
/// complete quarters grouped by quarter of the year), tested at `alpha`.
/// Needs `min_points` points and two degrees of freedom. First and last
/// shares and the drivers compare complete calendar years (yearly sums).
fn local_summary(
    area: &str,
    rows: &[&ShiftRow],
    cell_of: &dyn Fn(&ShiftRow) -> QuarterCell,
    settings: &TrendSettings,
) -> ShiftSummary {
    let points = share_points(
        rows,
        ShiftRow::share_clients,
        |r| r.complete_clients,
        settings.min_points,
    );
    let visit_points = share_points(
        rows,
        ShiftRow::share_visits,
        |r| r.complete_visits,
        settings.min_points,
    );
    let slope = stats::least_squares_by_group(&points);
    let groups = points.iter().map(|p| p.2).collect::<BTreeSet<u8>>().len();
    let enough = points.len() >= settings.min_points && points.len() >= groups + 3;
    let verdict = match slope {
        Some(fit) if enough => match fit.p_value {
            Some(p) if p < settings.alpha && fit.slope > 0.0 => Verdict::TowardBasic,
            Some(p) if p < settings.alpha && fit.slope < 0.0 => Verdict::TowardSpecialist,
            _ => Verdict::NoClearShift,
        },
        _ => Verdict::InsufficientData,
    };
    let complete_years: Vec<&&ShiftRow> = rows
        .iter()
        .filter(|r| !r.period.is_quarter() && r.complete_clients && r.share_clients().is_some())
        .collect();
    let (first, last) = (complete_years.first(), complete_years.last());
    let drivers = match (first, last) {
        (Some(a), Some(b)) if a.period != b.period => drivers(&cell_of(a), &cell_of(b)),
        _ => Vec::new(),
    };
    ShiftSummary {
        area: area.to_string(),
        basis: ShiftBasis::Local,
        first_year: first.map(|r| r.period.year()),
        last_year: last.map(|r| r.period.year()),
        years: complete_years.len(),
        points: points.len(),
        share_first: first.and_then(|r| r.share_clients()),
        share_last: last.and_then(|r| r.share_clients()),
        slope,
        visits_slope: stats::least_squares_by_group(&visit_points),
        verdict,
        main_drivers: describe(&drivers),
        drivers,
        movements: Vec::new(),
    }
}

/// Contribution of each service to the change of the client share between
/// two years, by the first-order expansion at the midpoint: for a basic
/// service ∂S/∂B·ΔB = S̄p/(B̄ + S̄p)²·ΔB, for a specialist one
/// −B̄/(B̄ + S̄p)²·ΔSp, where bars are the means of the two years. The
/// contributions add up to the change of the share up to second-order terms.
fn drivers(first: &QuarterCell, last: &QuarterCell) -> Vec<Driver> {
    let b = (first.basic.clients + last.basic.clients) / 2.0;
    let s = (first.specialist.clients + last.specialist.clients) / 2.0;
    let total = b + s;
    if total <= 0.0 {
        return Vec::new();
    }
    let keys: BTreeSet<&(String, ServiceLevel)> = first
        .by_service
        .keys()
        .chain(last.by_service.keys())
        .collect();
    let mut out: Vec<Driver> = keys
        .into_iter()
        .filter_map(|key| {
            let before = first.by_service.get(key).map_or(0.0, |v| v.clients);
            let after = last.by_service.get(key).map_or(0.0, |v| v.clients);
            let weight = match key.1 {
                ServiceLevel::Basic => s / (total * total),
                ServiceLevel::Specialist => -b / (total * total),
                ServiceLevel::Intermediate => return None,
            };
            let contribution = weight * (after - before);
            (contribution != 0.0).then(|| Driver {
                service: key.0.clone(),
                contribution,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.contribution
            .abs()
            .total_cmp(&a.contribution.abs())
            .then_with(|| a.service.cmp(&b.service))
    });
    out
}

/// "family_work +2.1 pp; child_welfare_placements +1.0 pp" (top three).
fn describe(drivers: &[Driver]) -> String {
    drivers
        .iter()
        .take(3)
        .map(|d| format!("{} {:+.1} pp", d.service, d.contribution * 100.0))
        .collect::<Vec<_>>()
        .join("; ")
}

/// For a municipality, region or the country with Sotkanet indicators: the
/// verdict from the significant movements of its basic and specialist
/// indicators in the trend engine. Toward basic when some basic indicator
/// rises or some specialist one falls and nothing moves the other way;
/// toward specialist in the mirror case; no clear shift when nothing moved
/// or the signs conflict; insufficient when no indicator could be judged.
fn sotkanet_summary(area: &str, catalog: &Catalog, trends: &Trends) -> Option<ShiftSummary> {
    let mut toward_basic: Vec<(String, Movement)> = Vec::new();
    let mut toward_specialist: Vec<(String, Movement)> = Vec::new();
    let mut judged = 0;
    let mut seen = 0;
    for series in trends
        .series
        .iter()
        .filter(|s| s.area == area && s.sex == Sex::Total)
    {
        let Some(indicator) = catalog.get(&series.indicator) else {
            continue;
        };
        let (Source::Sotkanet(_), Some(level)) = (&indicator.source, indicator.service_level)
        else {
            continue;
        };
        if level == ServiceLevel::Intermediate {
            continue;
        }
        seen += 1;
        let movement = series.stats.movement.unwrap_or(Movement::Insufficient);
        if movement != Movement::Insufficient {
            judged += 1;
        }
        let label = (indicator.id.clone(), movement);
        match (level, movement) {
            (ServiceLevel::Basic, Movement::Rising)
            | (ServiceLevel::Specialist, Movement::Falling) => toward_basic.push(label),
            (ServiceLevel::Basic, Movement::Falling)
            | (ServiceLevel::Specialist, Movement::Rising) => toward_specialist.push(label),
            _ => {}
        }
    }
    if seen == 0 {
        return None;
    }
    let verdict = match (
        judged,
        toward_basic.is_empty(),
        toward_specialist.is_empty(),
    ) {
        (0, _, _) => Verdict::InsufficientData,
        (_, false, true) => Verdict::TowardBasic,
        (_, true, false) => Verdict::TowardSpecialist,
        _ => Verdict::NoClearShift,
    };
    let mut movements = toward_basic;
    movements.extend(toward_specialist);
    let drivers_text: Vec<String> = movements
        .iter()
        .map(|(id, m)| format!("{id} {}", m.key()))
        .collect();
    Some(ShiftSummary {
        area: area.to_string(),
        basis: ShiftBasis::Sotkanet,
        first_year: None,
        last_year: None,
        years: 0,
        points: 0,
        share_first: None,
        share_last: None,
        slope: None,
        visits_slope: None,
        verdict,
        drivers: Vec::new(),
        movements,
        main_drivers: drivers_text.join("; "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::parse_files;
    use crate::domain::AreaKind;
    use crate::i18n::Localized;
    use crate::totals::derive_totals;

    const CATALOG: &str = r#"
[[indicator]]
id = "basic_clients"
title = { fi = "Perus", sv = "Bas", en = "Basic" }
dimension = "care"
polarity = "neutral"
unit = "count"
decimals = 0
source = { service = "family_work", measure = "clients" }
service_level = "basic"

[[indicator]]
id = "specialist_clients"
title = { fi = "Erityis", sv = "Special", en = "Specialist" }
dimension = "care"
polarity = "neutral"
unit = "count"
decimals = 0
source = { service = "placements", measure = "clients" }
service_level = "specialist"
"#;

    fn area(key: &str) -> Area {
        Area {
            key: key.into(),
            name: Localized {
                fi: key.into(),
                sv: key.into(),
                en: key.into(),
            },
            kind: AreaKind::SchoolArea,
            parent: None,
            reference: false,
        }
    }

    /// Quarterly rows 2019Q1..2024Q4 for one area: basic and specialist
    /// clients from the given functions of (year offset, quarter).
    fn series(
        area: &str,
        quarters: usize,
        basic: impl Fn(f64, u8) -> f64,
        specialist: impl Fn(f64, u8) -> f64,
    ) -> Vec<Observation> {
        let mut out = Vec::new();
        for i in 0..quarters {
            let (year, q) = (2019 + (i / 4) as i32, (i % 4 + 1) as u8);
            let t = i as f64 / 4.0;
            for (indicator, value) in [
                ("basic_clients", basic(t, q)),
                ("specialist_clients", specialist(t, q)),
            ] {
                out.push(Observation {
                    indicator: indicator.into(),
                    area: area.into(),
                    period: Period::Quarter(year, q),
                    sex: Sex::Total,
                    group: ALL_GROUPS.into(),
                    value: Some(value),
                    count: Some(value),
                    n: None,
                    ci_lower: None,
                    ci_upper: None,
                    source: format!("s.csv:{i}"),
                });
            }
        }
        out
    }

    fn verdicts(observations: &[Observation], areas: &[Area]) -> Vec<(String, Verdict)> {
        let catalog = parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
        let shift = compute(
            observations,
            &derive_totals(observations, &catalog, areas),
            &[],
            &catalog,
            areas,
            &Trends::default(),
            &TrendSettings::default(),
        );
        shift
            .summaries
            .iter()
            .map(|s| (s.area.clone(), s.verdict))
            .collect()
    }

    /// A small deterministic wobble so that fits are not perfect.
    fn wobble(t: f64) -> f64 {
        ((t * 7.3).sin() * 1.5).round()
    }

    fn hand_made() -> (Vec<Observation>, Vec<Area>) {
        let mut obs = Vec::new();
        // Basic rises and specialist falls.
        obs.extend(series(
            "a.toward",
            24,
            |t, _| 60.0 + 4.0 * t + wobble(t),
            |t, _| 20.0 - 2.0 * t + wobble(t + 1.0),
        ));
        // Flat, with noise.
        obs.extend(series("b.flat", 24, |t, _| 60.0 + wobble(t), |_, _| 20.0));
        // Reversed: specialist rises.
        obs.extend(series(
            "c.reversed",
            24,
            |t, _| 60.0 - 2.0 * t + wobble(t),
            |t, _| 20.0 + 3.0 * t,
        ));
        // Too few periods: three quarters.
        obs.extend(series("d.short", 3, |t, _| 60.0 + t, |_, _| 20.0));
        // A strong summer dip in basic services but no trend.
        obs.extend(series(
            "e.summer",
            24,
            |t, q| if q == 3 { 30.0 } else { 60.0 } + wobble(t),
            |_, _| 20.0,
        ));
        let areas = ["a.toward", "b.flat", "c.reversed", "d.short", "e.summer"]
            .map(area)
            .to_vec();
        (obs, areas)
    }

    #[test]
    fn verdicts_on_hand_made_areas() {
        let (obs, areas) = hand_made();
        assert_eq!(
            verdicts(&obs, &areas),
            [
                ("a.toward".to_string(), Verdict::TowardBasic),
                ("b.flat".to_string(), Verdict::NoClearShift),
                ("c.reversed".to_string(), Verdict::TowardSpecialist),
                ("d.short".to_string(), Verdict::InsufficientData),
                ("e.summer".to_string(), Verdict::NoClearShift),
            ]
        );
    }

    #[test]
    fn scaling_every_volume_changes_no_share_and_no_verdict() {
        let (obs, areas) = hand_made();
        let catalog = parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
        let run = |factor: f64| {
            let scaled: Vec<Observation> = obs
                .iter()
                .cloned()
                .map(|mut o| {
                    o.value = o.value.map(|v| v * factor);
                    o
                })
                .collect();
            compute(
                &scaled,
                &derive_totals(&scaled, &catalog, &areas),
                &[],
                &catalog,
                &areas,
                &Trends::default(),
                &TrendSettings::default(),
            )
        };
        let (one, many) = (run(1.0), run(37.5));
        for (a, b) in one.rows.iter().zip(&many.rows) {
            let (x, y) = (a.share_clients().unwrap(), b.share_clients().unwrap());
            assert!((x - y).abs() < 1e-12, "{} {}: {x} vs {y}", a.area, a.period);
        }
        let verdicts = |s: &Shift| s.summaries.iter().map(|s| s.verdict).collect::<Vec<_>>();
        assert_eq!(verdicts(&one), verdicts(&many));
    }

    #[test]
    fn a_missing_quarter_makes_the_year_incomplete_not_smaller() {
        let (mut obs, areas) = hand_made();
        let target = obs
            .iter_mut()
            .find(|o| {
                o.area == "a.toward"
                    && o.period == Period::Quarter(2020, 2)
                    && o.indicator == "basic_clients"
            })
            .unwrap();
        target.value = None;
        let catalog = parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
        let shift = compute(
            &obs,
            &derive_totals(&obs, &catalog, &areas),
            &[],
            &catalog,
            &areas,
            &Trends::default(),
            &TrendSettings::default(),
        );
        let year = shift
            .rows
            .iter()
            .find(|r| r.area == "a.toward" && r.period == Period::Year(2020))
            .unwrap();
        assert!(!year.complete_clients);
        let quarter = shift
            .rows
            .iter()
            .find(|r| r.area == "a.toward" && r.period == Period::Quarter(2020, 2))
            .unwrap();
        assert!(!quarter.complete_clients);
        let summary = shift
            .summaries
            .iter()
            .find(|s| s.area == "a.toward")
            .unwrap();
        // Five complete years remain, enough for the yearly regression.
        assert_eq!((summary.years, summary.points), (5, 5));
    }

    #[test]
    fn drivers_add_up_to_the_change() {
        let (obs, areas) = hand_made();
        let catalog = parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
        let shift = compute(
            &obs,
            &derive_totals(&obs, &catalog, &areas),
            &[],
            &catalog,
            &areas,
            &Trends::default(),
            &TrendSettings::default(),
        );
        let s = shift
            .summaries
            .iter()
            .find(|s| s.area == "a.toward")
            .unwrap();
        let change = s.share_last.unwrap() - s.share_first.unwrap();
        let total: f64 = s.drivers.iter().map(|d| d.contribution).sum();
        assert!(
            (change - total).abs() < 0.01 * change.abs().max(0.01),
            "{change} vs {total}"
        );
        assert_eq!(s.drivers[0].service, "placements");
        assert!(
            s.main_drivers.starts_with("placements +"),
            "{}",
            s.main_drivers
        );
    }
}
