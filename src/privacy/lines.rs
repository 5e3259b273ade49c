//! The lines of the hierarchy along which a hidden cell could be derived,
//! and the service links (visits and costs follow their client count).
//!
//! In: the rows under protection (linked rows of the table, then the
//! derived totals), the catalog and the configured areas. Out: [`Line`]s
//! (a total and its parts: each municipality with its school areas, each
//! year with its quarters for counts, each total with its sexes) and
//! [`Link`]s. Guarantees: a cell without a row is a [`Member::Missing`]
//! with one id shared by every line it is in; percentages take part only
//! with their n (weighted lines, whose additive quantity is p·n).

use std::collections::{BTreeMap, HashMap};

use crate::catalog::{Catalog, Measure, Source, Unit};
use crate::config::Config;
use crate::domain::AreaKind;
use crate::observation::{Observation, Sex, TextCellKey};
use crate::period::Period;

/// A member of a line: a row of the table, or a cell with no row (its
/// value is unknown to everyone; `Missing` ids are unique per cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Member {
    Row(usize),
    Missing(usize),
}

/// A total and its parts: total = Σ parts, for counts; Σ p·n for
/// percentages with n.
#[derive(Debug)]
pub struct Line {
    pub name: String,
    pub total: usize,
    pub parts: Vec<Member>,
    /// Percentages: members weigh by their n.
    pub weighted: bool,
}

impl Line {
    pub fn members(&self) -> impl Iterator<Item = Member> + '_ {
        std::iter::once(Member::Row(self.total)).chain(self.parts.iter().copied())
    }
}

/// What kind of additive quantity a cell carries, for the lines.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Additive {
    /// Counts and euros add up directly.
    Value,
    /// Percentages add up as p·n when n is known.
    PercentWithN,
    No,
}

/// A visits or cost row that is hidden whenever the client count of the
/// same service and cell is (visits divided by clients would give the
/// count away, and a service's costs are its volumes times a unit cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub follower: usize,
    pub clients: usize,
}

/// Every link of the rows: each visits or cost row with the client-count
/// row of the same service and cell, where that row exists.
pub fn links(observations: &[Observation], index: &RowIndex, catalog: &Catalog) -> Vec<Link> {
    let clients_of = service_links(catalog);
    observations
        .iter()
        .enumerate()
        .filter_map(|(follower, o)| {
            let clients_id = clients_of.get(o.indicator.as_str())?;
            let key = (
                *clients_id,
                o.area.as_str(),
                o.period,
                o.sex,
                o.group.as_str(),
            );
            index.get(&key).map(|&clients| Link { follower, clients })
        })
        .collect()
}

/// visits or cost indicator id -> the client-count indicator id of the same service.
fn service_links(catalog: &Catalog) -> HashMap<&str, &str> {
    let clients: HashMap<&str, &str> = catalog
        .indicators
        .iter()
        .filter_map(|i| match &i.source {
            Source::Service { service, measure } if *measure == Measure::Clients => {
                Some((service.as_str(), i.id.as_str()))
            }
            _ => None,
        })
        .collect();
    catalog
        .indicators
        .iter()
        .filter_map(|i| match &i.source {
            Source::Service { service, measure } if *measure != Measure::Clients => {
                clients.get(service.as_str()).map(|c| (i.id.as_str(), *c))
            }
            _ => None,
        })
        .collect()
}

/// Row position of each cell key.
pub type RowIndex<'a> = HashMap<TextCellKey<'a>, usize>;

/// Where each cell's row is, by its key.
pub fn row_index(observations: &[Observation]) -> RowIndex<'_> {
    observations
        .iter()
        .enumerate()
        .map(|(i, o)| (o.key(), i))
        .collect()
}

/// The lines along which an unpublished cell could be derived: each
/// municipality with its school areas, each year with its quarters (counts)
/// and each total with its sexes, for every indicator, period and group
/// with an additive quantity.
pub fn lines(
    observations: &[Observation],
    index: &RowIndex,
    catalog: &Catalog,
    config: &Config,
) -> Vec<Line> {
    let children = school_areas(config);
    let mut builder = LineBuilder {
        index,
        missing: HashMap::new(),
    };
    let mut out = Vec::new();
    for (i, o) in observations.iter().enumerate() {
        let kind = additive(o, catalog);
        if kind == Additive::No {
            continue;
        }
        let weighted = kind == Additive::PercentWithN;
        if let Some(parts) = children.get(o.area.as_str()) {
            out.push(builder.school_areas_line(i, o, parts, weighted));
        }
        if let (Period::Year(year), Additive::Value) = (o.period, kind) {
            out.extend(builder.quarters_line(i, o, year, weighted));
        }
        if o.sex == Sex::Total {
            out.push(builder.sexes_line(i, o, weighted));
        }
    }
    out
}

/// What kind of additive quantity a row carries, by its indicator's unit.
pub fn additive(o: &Observation, catalog: &Catalog) -> Additive {
    match catalog.get(&o.indicator).map(|i| i.unit) {
        Some(unit) if unit.is_additive() => Additive::Value,
        Some(Unit::Percent) if o.n.is_some() => Additive::PercentWithN,
        _ => Additive::No,
    }
}

/// Municipality key -> its school areas' keys, in the config's order.
fn school_areas(config: &Config) -> BTreeMap<&str, Vec<&str>> {
    config
        .areas
        .iter()
        .filter(|a| a.kind == AreaKind::SchoolArea)
        .filter_map(|a| a.parent.as_deref().map(|p| (p, a.key.as_str())))
        .fold(BTreeMap::new(), |mut map, (parent, child)| {
            map.entry(parent).or_insert_with(Vec::new).push(child);
            map
        })
}

/// Makes the lines of one row: looks their members up by cell key. Cells
/// with no row get one id each, shared by every line they are in.
struct LineBuilder<'a> {
    index: &'a RowIndex<'a>,
    /// Keyed by owned texts: a missing cell has no row to borrow them from.
    missing: HashMap<(String, String, Period, Sex, String), usize>,
}

impl LineBuilder<'_> {
    /// The member for a cell: its row, or its missing-cell id.
    fn member(
        &mut self,
        indicator: &str,
        area: &str,
        period: Period,
        sex: Sex,
        group: &str,
    ) -> Member {
        match self.index.get(&(indicator, area, period, sex, group)) {
            Some(&i) => Member::Row(i),
            None => {
                let next = self.missing.len();
                Member::Missing(
                    *self
                        .missing
                        .entry((indicator.into(), area.into(), period, sex, group.into()))
                        .or_insert(next),
                )
            }
        }
    }

    /// Row `total` (a municipality) as the sum of its school areas.
    fn school_areas_line(
        &mut self,
        total: usize,
        o: &Observation,
        children: &[&str],
        weighted: bool,
    ) -> Line {
        Line {
            name: format!("{} = sum of its school areas", o.area),
            total,
            parts: children
                .iter()
                .map(|child| self.member(&o.indicator, child, o.period, o.sex, &o.group))
                .collect(),
            weighted,
        }
    }

    /// Row `total` (a year) as the sum of its quarters, when any quarter of
    /// that year has a row.
    fn quarters_line(
        &mut self,
        total: usize,
        o: &Observation,
        year: i32,
        weighted: bool,
    ) -> Option<Line> {
        let has_quarters = (1..=4).any(|q| {
            self.index.contains_key(&(
                o.indicator.as_str(),
                o.area.as_str(),
                Period::Quarter(year, q),
                o.sex,
                o.group.as_str(),
            ))
        });
        has_quarters.then(|| Line {
            name: format!("{year} = sum of its quarters"),
            total,
            parts: (1..=4)
                .map(|q| {
                    self.member(
                        &o.indicator,
                        &o.area,
                        Period::Quarter(year, q),
                        o.sex,
                        &o.group,
                    )
                })
                .collect(),
            weighted,
        })
    }

    /// Row `total` (both sexes) as the sum of its sexes.
    fn sexes_line(&mut self, total: usize, o: &Observation, weighted: bool) -> Line {
        // THL's survey results also publish respondents who did not
        // report their sex: where that cell exists it is a third part
        // of the total (absent, the line stays female + male, as before).
        let not_reported = self.index.contains_key(&(
            o.indicator.as_str(),
            o.area.as_str(),
            o.period,
            Sex::NotReported,
            o.group.as_str(),
        ));
        let mut parts = vec![
            self.member(&o.indicator, &o.area, o.period, Sex::Female, &o.group),
            self.member(&o.indicator, &o.area, o.period, Sex::Male, &o.group),
        ];
        if not_reported {
            parts.push(self.member(&o.indicator, &o.area, o.period, Sex::NotReported, &o.group));
        }
        Line {
            name: if not_reported {
                "total = female + male + not reported".into()
            } else {
                "total = female + male".into()
            },
            total,
            parts,
            weighted,
        }
    }
}
