//! Privacy: small groups of children are never disclosed, not even by
//! subtraction.
//!
//! In: the validated observations (sorted), the derived totals
//! ([`crate::totals`]), the catalog and the config (areas, `min_n`,
//! `min_count`). Out: the totals, protected, and [`Protected`]: the same rows with
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
//!   first ([`crate::totals`]) and take part in the same lines;
//! * cells that arrived unpublished stay unpublished and are counted;
//! * nothing here ever turns a value into zero. The rules are in
//!   docs/PRIVACY.md.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::catalog::{Catalog, Indicator, Measure, Source, Unit};
use crate::config::Config;
use crate::domain::AreaKind;
use crate::observation::{Observation, Sex, TextCellKey};
use crate::period::Period;
use crate::table::ObservationTable;

pub use crate::domain::CellStatus;

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
    /// How many cells of the observation table have each status (the
    /// statuses themselves are the table's `status` column).
    table_counts: std::collections::BTreeMap<CellStatus, usize>,
    /// Parallel to the derived totals.
    pub derived_status: Vec<CellStatus>,
    pub audit: Vec<AuditEntry>,
}

impl Protected {
    /// Cells of the observation table with this status.
    pub fn count(&self, status: CellStatus) -> usize {
        self.table_counts.get(&status).copied().unwrap_or(0)
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

/// The primary rule for one cell: why its value may not be shown, if it
/// may not. Data the catalog does not know gets the respondent and count
/// rules with the config's defaults.
fn primary(
    indicator: Option<&Indicator>,
    value: f64,
    n: Option<f64>,
    count: Option<f64>,
    config: &Config,
) -> Option<String> {
    let unit = indicator.map(|i| i.unit);
    let min_n = indicator.and_then(|i| i.min_n).unwrap_or(config.min_n);
    let min_count = indicator.and_then(|i| i.min_n).unwrap_or(config.min_count);
    // Percentages: `min_n` counts respondents. Counts and rates: it
    // counts cases (the value of a count, the absolute number of a rate).
    let respondents = n
        .filter(|n| *n < min_n && unit != Some(Unit::Count))
        .map(|n| format!("n = {n} respondents < {min_n}"));
    let case_threshold = if unit == Some(Unit::Percent) || indicator.is_none() {
        config.min_count
    } else {
        min_count
    };
    let cases = match unit {
        Some(Unit::Count) => Some(value),
        _ => count,
    }
    .filter(|c| *c > 0.0 && *c < case_threshold)
    .map(|_| format!("fewer than {case_threshold} cases"));
    respondents.or(cases)
}

/// Protects the table in place (every unpublishable value, count and
/// confidence limit becomes null) and returns the derived totals (see
/// [`crate::totals`]), likewise protected, and the account.
///
/// Cells are tied to each other only within one indicator (its lines) and
/// between the indicators of one service (visits and costs follow clients).
/// Indicators that can be in a line (counts, euros, percentages with n) or
/// in a service link are protected together, as rows; every other cell
/// depends on nothing but itself and gets the primary rule straight on the
/// columns. At national scale (Sotkanet rates and percentages without n)
/// that second kind is nearly all of the table.
pub fn protect(
    table: &mut ObservationTable,
    totals: Vec<Observation>,
    catalog: &Catalog,
    config: &Config,
) -> (Vec<Observation>, Protected) {
    let indicators: Vec<Option<&Indicator>> = table.indicators.per_code(|id| catalog.get(id));
    let linked_rows = linked_rows(table, &indicators);
    let mut rows: Vec<Observation> = linked_rows.iter().map(|&row| table.row(row)).collect();
    let originals = rows.len();
    rows.extend(totals);
    let (mut row_status, mut row_reasons) = decide(&rows, catalog, config);
    let derived_status = row_status.split_off(originals);
    let derived_reasons = row_reasons.split_off(originals);
    let mut derived = rows.split_off(originals);

    let (status, reasons) = table_statuses(
        table,
        &indicators,
        &linked_rows,
        &row_status,
        row_reasons,
        config,
    );
    let mut audit = blank_table_cells(table, &status, reasons);
    blank_derived_totals(&mut derived, &derived_status, derived_reasons, &mut audit);
    let mut table_counts = std::collections::BTreeMap::new();
    for s in &status {
        *table_counts.entry(*s).or_insert(0) += 1;
    }
    table.columns.status = status;
    (
        derived,
        Protected {
            table_counts,
            derived_status,
            audit,
        },
    )
}

/// The rows of the indicators that take part in lines or service links.
/// Decided per indicator, so that every row of such an indicator is among
/// the linked rows (a line's members are looked up among them).
fn linked_rows(table: &ObservationTable, indicators: &[Option<&Indicator>]) -> Vec<usize> {
    let mut linked = vec![false; indicators.len()];
    for row in 0..table.len() {
        let code = table.columns.indicator[row] as usize;
        if linked[code] {
            continue;
        }
        linked[code] = indicators[code].is_some_and(|i| {
            matches!(i.source, Source::Service { .. })
                || i.unit.is_additive()
                || (i.unit == Unit::Percent && table.columns.n.get(row).is_some())
        });
    }
    (0..table.len())
        .filter(|&row| linked[table.columns.indicator[row] as usize])
        .collect()
}

/// The status of every table row, and why for the unpublished ones: the
/// linked rows as [`decide`] found them (`linked_status` and
/// `linked_reasons` are parallel to `linked_rows`), the others by the
/// primary rule alone.
fn table_statuses(
    table: &ObservationTable,
    indicators: &[Option<&Indicator>],
    linked_rows: &[usize],
    linked_status: &[CellStatus],
    mut linked_reasons: Vec<String>,
    config: &Config,
) -> (Vec<CellStatus>, Vec<Option<String>>) {
    let mut status = vec![CellStatus::Published; table.len()];
    let mut reasons: Vec<Option<String>> = vec![None; table.len()];
    let mut next_linked = linked_rows.iter().enumerate().peekable();
    for row in 0..table.len() {
        if let Some((k, _)) = next_linked.next_if(|(_, &r)| r == row) {
            status[row] = linked_status[k];
            reasons[row] = Some(std::mem::take(&mut linked_reasons[k]));
            continue;
        }
        let c = &table.columns;
        match c.value.get(row) {
            None => {
                status[row] = CellStatus::NotPublished;
                reasons[row] = Some("not published at the source".into());
            }
            Some(value) => {
                let indicator = indicators[c.indicator[row] as usize];
                if let Some(reason) =
                    primary(indicator, value, c.n.get(row), c.count.get(row), config)
                {
                    status[row] = CellStatus::SuppressedSmall;
                    reasons[row] = Some(reason);
                }
            }
        }
    }
    (status, reasons)
}

/// Nulls the value, count and confidence limits of every unpublished table
/// row and returns their audit entries, in table order.
fn blank_table_cells(
    table: &mut ObservationTable,
    status: &[CellStatus],
    mut reasons: Vec<Option<String>>,
) -> Vec<AuditEntry> {
    let mut audit = Vec::new();
    for (row, row_status) in status.iter().enumerate() {
        if row_status.is_published() {
            continue;
        }
        let c = &mut table.columns;
        c.value.set(row, None);
        c.count.set(row, None);
        c.ci_lower.set(row, None);
        c.ci_upper.set(row, None);
        audit.push(AuditEntry {
            indicator: table.indicator(row).to_string(),
            area: table.area(row).to_string(),
            period: table.columns.period[row],
            sex: table.columns.sex[row],
            group: table.group(row).to_string(),
            status: *row_status,
            reason: reasons[row].take().unwrap_or_default(),
        });
    }
    audit
}

/// Nulls the value, count and confidence limits of every unpublished
/// derived total and adds their audit entries (the reason names what the
/// total sums), in the totals' order.
fn blank_derived_totals(
    derived: &mut [Observation],
    status: &[CellStatus],
    mut reasons: Vec<String>,
    audit: &mut Vec<AuditEntry>,
) {
    for (k, o) in derived.iter_mut().enumerate() {
        if status[k].is_published() {
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
            status: status[k],
            reason: format!("{} ({})", std::mem::take(&mut reasons[k]), o.source),
        });
    }
}

/// The status of every row (and why, for the unpublished ones): the
/// primary rule, then secondary suppression along the lines until nothing
/// changes.
fn decide(
    observations: &[Observation],
    catalog: &Catalog,
    config: &Config,
) -> (Vec<CellStatus>, Vec<String>) {
    let (status, reasons) = primary_statuses(observations, catalog, config);
    let index = row_index(observations);
    let clients_of: HashMap<&str, &str> = service_links(catalog);
    let lines = lines(observations, &index, catalog, config);
    let mut cells = Suppression {
        observations,
        status,
        reasons,
    };
    // Secondary suppression: repeat until nothing changes. The lines taken
    // together are checked only when no single step changed anything.
    loop {
        let followed = cells.follow_client_counts(&index, &clients_of);
        let single = cells.protect_single_unknowns(&lines);
        if followed || single {
            continue;
        }
        if !cells.protect_combined_lines(&lines) {
            break;
        }
    }
    (cells.status, cells.reasons)
}

/// The status every row arrives with (published, or not published at the
/// source) and the primary rule on the published ones, with the reason of
/// each unpublished row (empty for the published).
fn primary_statuses(
    observations: &[Observation],
    catalog: &Catalog,
    config: &Config,
) -> (Vec<CellStatus>, Vec<String>) {
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
    for (i, o) in observations.iter().enumerate() {
        let Some(value) = o.value else { continue };
        if let Some(reason) = primary(catalog.get(&o.indicator), value, o.n, o.count, config) {
            status[i] = CellStatus::SuppressedSmall;
            reasons[i] = reason;
        }
    }
    (status, reasons)
}

/// The rows under secondary suppression: their status and reasons so far.
/// Each step says whether it suppressed anything.
struct Suppression<'a> {
    observations: &'a [Observation],
    status: Vec<CellStatus>,
    reasons: Vec<String>,
}

impl Suppression<'_> {
    /// Suppresses row `i` to protect another cell.
    fn suppress(&mut self, i: usize, reason: String) {
        self.status[i] = CellStatus::SuppressedComplementary;
        self.reasons[i] = reason;
    }

    /// Visits and costs follow their service's unpublished client count.
    fn follow_client_counts(&mut self, index: &RowIndex, clients_of: &HashMap<&str, &str>) -> bool {
        let mut changed = false;
        let observations = self.observations;
        for (i, o) in observations.iter().enumerate() {
            if !self.status[i].is_published() {
                continue;
            }
            let Some(clients_id) = clients_of.get(o.indicator.as_str()) else {
                continue;
            };
            let key = (
                *clients_id,
                o.area.as_str(),
                o.period,
                o.sex,
                o.group.as_str(),
            );
            if index
                .get(&key)
                .is_some_and(|&j| !self.status[j].is_published())
            {
                self.suppress(
                    i,
                    format!("the client count of the same service ({clients_id}) is not published"),
                );
                changed = true;
            }
        }
        changed
    }

    /// A line with exactly one unknown member (its total or one part)
    /// gives that member away by subtraction or addition: its [`victim`]
    /// is suppressed too.
    fn protect_single_unknowns(&mut self, lines: &[Line]) -> bool {
        let mut changed = false;
        for line in lines {
            let unknown = line
                .members()
                .filter(|m| !m.is_published(&self.status))
                .count();
            if unknown == 1 {
                if let Some(v) = victim(line, self.observations, &self.status) {
                    self.suppress(
                        v,
                        format!("would reveal an unpublished cell ({})", line.name),
                    );
                    changed = true;
                }
            }
        }
        changed
    }

    /// Lines combined: an unpublished cell that the published cells
    /// determine through several lines at once ([`determined_cell_lines`]).
    /// The victim of the first of its lines that has one (those containing
    /// the cell come first) is suppressed; failing that, every published
    /// member of the group, rather than leave the cell computable.
    fn protect_combined_lines(&mut self, lines: &[Line]) -> bool {
        let Some(candidates) = determined_cell_lines(lines, self.observations, &self.status) else {
            return false;
        };
        if let Some((line, v)) = candidates
            .iter()
            .find_map(|&l| victim(&lines[l], self.observations, &self.status).map(|v| (l, v)))
        {
            self.suppress(
                v,
                format!(
                    "would reveal an unpublished cell through several lines ({})",
                    lines[line].name
                ),
            );
            return true;
        }
        let mut changed = false;
        for &l in &candidates {
            for m in lines[l].members() {
                if let Member::Row(i) = m {
                    if self.status[i].is_published() {
                        self.suppress(
                            i,
                            format!(
                                "would reveal an unpublished cell through several lines ({})",
                                lines[l].name
                            ),
                        );
                        changed = true;
                    }
                }
            }
        }
        changed
    }
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

/// A member of a line: a row of the table, or a cell with no row (its
/// value is unknown to everyone; `Missing` ids are unique per cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Member {
    Row(usize),
    Missing(usize),
}

impl Member {
    fn is_published(self, status: &[CellStatus]) -> bool {
        matches!(self, Member::Row(i) if status[i].is_published())
    }
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
    fn members(&self) -> impl Iterator<Item = Member> + '_ {
        std::iter::once(Member::Row(self.total)).chain(self.parts.iter().copied())
    }
}

/// The published member to suppress so that a line keeps two unknowns: the
/// smallest non-zero published part (least information lost; a zero next to
/// a small suppressed count would pin it exactly); else the total; else any
/// published part. Parts go before totals so that the totals people use
/// most (the city, the year) stay published.
fn victim(line: &Line, observations: &[Observation], status: &[CellStatus]) -> Option<usize> {
    let published = |i: usize| status[i].is_published();
    let size = |i: usize| observations[i].value.unwrap_or(0.0) * observations[i].n.unwrap_or(1.0);
    let rows: Vec<usize> = line
        .parts
        .iter()
        .filter_map(|m| match m {
            Member::Row(i) if published(*i) => Some(*i),
            _ => None,
        })
        .collect();
    let smallest = |candidates: &mut dyn Iterator<Item = usize>| {
        candidates.min_by(|&a, &b| {
            size(a)
                .total_cmp(&size(b))
                .then_with(|| observations[a].area.cmp(&observations[b].area))
                .then_with(|| observations[a].period.cmp(&observations[b].period))
        })
    };
    smallest(&mut rows.iter().copied().filter(|&i| size(i) > 0.0))
        .or_else(|| published(line.total).then_some(line.total))
        .or_else(|| smallest(&mut rows.iter().copied()))
}

/// A line as an equation on its unknowns: (unknown id, coefficient) per
/// unpublished member.
type Equation = Vec<(usize, f64)>;

/// Finds an unpublished row whose value the published cells determine
/// through the lines taken together, and returns the lines of its group:
/// those that contain it first, then the others.
/// Per connected group of unknowns, the lines' coefficients on the unknowns
/// are brought to reduced row echelon form; an unknown is determined when
/// its pivot row has no other non-zero entry.
fn determined_cell_lines(
    lines: &[Line],
    observations: &[Observation],
    status: &[CellStatus],
) -> Option<Vec<usize>> {
    let unknown_ids = unknown_ids(lines, status);
    let equations: Vec<Equation> = lines
        .iter()
        .map(|line| equation(line, observations, status, &unknown_ids))
        .collect();
    let components = components(&equations, unknown_ids.len());
    let member_of: BTreeMap<usize, Member> = unknown_ids.iter().map(|(m, id)| (*id, *m)).collect();
    components
        .values()
        .find_map(|line_indices| determined_in_group(line_indices, &equations, &member_of))
}

/// The unknowns of the lines (their unpublished members, rows or missing
/// cells), numbered in the order they are first met.
fn unknown_ids(lines: &[Line], status: &[CellStatus]) -> BTreeMap<Member, usize> {
    let mut unknown_ids: BTreeMap<Member, usize> = BTreeMap::new();
    for line in lines {
        for m in line.members() {
            if !m.is_published(status) {
                let next = unknown_ids.len();
                unknown_ids.entry(m).or_insert(next);
            }
        }
    }
    unknown_ids
}

/// One line as an equation on the unknowns: the total's coefficient is
/// positive, the parts' negative; in a weighted line a row weighs by its n.
fn equation(
    line: &Line,
    observations: &[Observation],
    status: &[CellStatus],
    unknown_ids: &BTreeMap<Member, usize>,
) -> Equation {
    let coefficient = |m: Member| match (line.weighted, m) {
        (true, Member::Row(i)) => observations[i].n.unwrap_or(1.0),
        _ => 1.0,
    };
    line.members()
        .enumerate()
        .filter(|(_, m)| !m.is_published(status))
        .map(|(k, m)| {
            (
                unknown_ids[&m],
                if k == 0 {
                    coefficient(m)
                } else {
                    -coefficient(m)
                },
            )
        })
        .collect()
}

/// The root of `x` in the union-find forest `parent`, halving the path on
/// the way.
fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The equations (by index) joined into connected groups: two unknowns are
/// connected when one equation has both. Keyed by the group's root;
/// equations without unknowns are in no group.
fn components(equations: &[Equation], unknowns: usize) -> BTreeMap<usize, Vec<usize>> {
    let mut parent: Vec<usize> = (0..unknowns).collect();
    for eq in equations {
        for pair in eq.windows(2) {
            let (a, b) = (find(&mut parent, pair[0].0), find(&mut parent, pair[1].0));
            parent[a] = b;
        }
    }
    let mut components: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (line_index, eq) in equations.iter().enumerate() {
        if let Some((first, _)) = eq.first() {
            let root = find(&mut parent, *first);
            components.entry(root).or_default().push(line_index);
        }
    }
    components
}

/// Within one connected group of lines: the first unknown row that the
/// group's equations determine (by reduced row echelon form), as the
/// group's lines, those that contain it first.
fn determined_in_group(
    line_indices: &[usize],
    equations: &[Equation],
    member_of: &BTreeMap<usize, Member>,
) -> Option<Vec<usize>> {
    let mut columns: Vec<usize> = line_indices
        .iter()
        .flat_map(|&l| equations[l].iter().map(|(v, _)| *v))
        .collect();
    columns.sort_unstable();
    columns.dedup();
    let column_of: HashMap<usize, usize> =
        columns.iter().enumerate().map(|(c, v)| (*v, c)).collect();
    let mut matrix: Vec<Vec<f64>> = line_indices
        .iter()
        .map(|&l| {
            let mut row = vec![0.0; columns.len()];
            for (v, coefficient) in &equations[l] {
                row[column_of[v]] += coefficient;
            }
            row
        })
        .collect();
    for (pivot_row, pivot_column) in reduce(&mut matrix) {
        let alone = matrix[pivot_row]
            .iter()
            .enumerate()
            .all(|(c, x)| c == pivot_column || x.abs() < 1e-9);
        if let (true, Member::Row(_)) = (alone, member_of[&columns[pivot_column]]) {
            let variable = columns[pivot_column];
            let (containing, others): (Vec<usize>, Vec<usize>) = line_indices
                .iter()
                .partition(|&&l| equations[l].iter().any(|(v, _)| *v == variable));
            return Some(containing.into_iter().chain(others).collect());
        }
    }
    None
}

/// Reduced row echelon form with partial pivoting; returns the pivots as
/// (row, column). Entries below 1e-9 in absolute value count as zero (the
/// coefficients are 1 or a number of respondents).
fn reduce(matrix: &mut [Vec<f64>]) -> Vec<(usize, usize)> {
    let columns = matrix.first().map_or(0, Vec::len);
    let mut pivots = Vec::new();
    let mut row = 0;
    for column in 0..columns {
        if row == matrix.len() {
            break;
        }
        let best = (row..matrix.len())
            .max_by(|&a, &b| matrix[a][column].abs().total_cmp(&matrix[b][column].abs()))
            .unwrap_or(row);
        if matrix[best][column].abs() < 1e-9 {
            continue;
        }
        matrix.swap(row, best);
        let scale = matrix[row][column];
        for x in matrix[row].iter_mut() {
            *x /= scale;
        }
        let pivot = matrix[row].clone();
        for (other, values) in matrix.iter_mut().enumerate() {
            let factor = values[column];
            if other != row && factor != 0.0 {
                for (x, p) in values.iter_mut().zip(&pivot) {
                    *x -= factor * p;
                }
            }
        }
        pivots.push((row, column));
        row += 1;
    }
    pivots
}

/// Row position of each cell key.
pub type RowIndex<'a> = HashMap<TextCellKey<'a>, usize>;

/// Where each cell's row is, by its key.
fn row_index(observations: &[Observation]) -> RowIndex<'_> {
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
fn additive(o: &Observation, catalog: &Catalog) -> Additive {
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

    /// Protects the rows as a table and gives the result back in the
    /// order the rows were given.
    fn run(rows: Vec<Observation>) -> Run {
        let catalog = parse_files(&[("c.toml".into(), CATALOG.into())]).unwrap();
        let config = config::parse(
            AREAS,
            "hyte.toml",
            std::path::Path::new(""),
            Overrides::default(),
        )
        .unwrap();
        let mut builder = crate::table::TableBuilder::default();
        rows.iter().for_each(|r| builder.push(r));
        let mut table = builder.finish();
        let totals = crate::totals::derive(&table, &catalog, &config.areas);
        let (_derived, protected) = protect(&mut table, totals, &catalog, &config);
        let position: HashMap<_, usize> = (0..table.len())
            .map(|i| {
                let r = table.row(i);
                ((r.indicator, r.area, r.period, r.sex, r.group), i)
            })
            .collect();
        let order: Vec<usize> = rows
            .iter()
            .map(|r| {
                position[&(
                    r.indicator.clone(),
                    r.area.clone(),
                    r.period,
                    r.sex,
                    r.group.clone(),
                )]
            })
            .collect();
        Run {
            observations: order.iter().map(|&i| table.row(i)).collect(),
            status: order.iter().map(|&i| table.columns.status[i]).collect(),
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

    fn line(total: usize, parts: &[usize]) -> Line {
        Line {
            name: "t".into(),
            total,
            parts: parts.iter().map(|&i| Member::Row(i)).collect(),
            weighted: false,
        }
    }

    #[test]
    fn the_exact_check_sees_through_combined_lines() {
        // Rows 0..3 published totals, rows 3..6 unpublished x, y, z.
        let rows: Vec<Observation> = (0..6)
            .map(|i| cell("clients", &format!("r{i}"), Sex::Total, Some(10.0), None))
            .collect();
        let mut status = vec![CellStatus::Published; 3];
        status.extend([CellStatus::SuppressedSmall; 3]);
        // A triangle: t0 = x + y, t1 = y + z, t2 = x + z. Every line has two
        // unknowns, yet x = (t0 − t1 + t2)/2.
        let triangle = [line(0, &[3, 4]), line(1, &[4, 5]), line(2, &[3, 5])];
        assert!(determined_cell_lines(&triangle, &rows, &status).is_some());
        // A 2 × 2 rectangle (t0 = x + y, t1 = z + w, t2 = x + z, with w a
        // fourth unknown) leaves one degree of freedom: nothing determined.
        let mut rows4 = rows.clone();
        rows4.push(cell("clients", "r6", Sex::Total, Some(10.0), None));
        let mut status4 = status.clone();
        status4.push(CellStatus::SuppressedSmall);
        let rectangle = [line(0, &[3, 4]), line(1, &[5, 6]), line(2, &[3, 5])];
        assert_eq!(determined_cell_lines(&rectangle, &rows4, &status4), None);
    }

    #[test]
    fn a_hidden_total_is_not_given_away_by_addition() {
        // The city total arrived unpublished; publishing all three parts
        // would add up to it.
        let p = run(vec![
            cell("clients", "a", Sex::Total, Some(15.0), None),
            cell("clients", "b", Sex::Total, Some(9.0), None),
            cell("clients", "c", Sex::Total, Some(21.0), None),
            cell("clients", "city", Sex::Total, None, None),
        ]);
        let s: Vec<&str> = p.status.iter().map(|s| s.key()).collect();
        assert_eq!(
            s,
            [
                "published",
                "suppressed_complementary",
                "published",
                "not_published"
            ]
        );
    }
}
