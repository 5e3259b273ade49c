//! Blocks: the independent pieces of secondary suppression.
//!
//! In: the rows under protection (linked table rows, then the derived
//! totals), their statuses after the primary rule, their [`Line`]s and
//! [`Link`]s, the catalog and the config. Out: [`Block`]s, one per group of
//! cells tied together by lines and links, each with what an attacker knows
//! of every cell (its additive quantity, its bounds, its rounding) and what
//! hiding it would cost. Guarantees: no line or link crosses two blocks, so
//! each block is protected on its own (in parallel) and the blocks'
//! patterns together are the pattern of the table; a block is made only
//! where something is hidden (cells of a block with nothing hidden give
//! nothing away); blocks and their nodes are in row order, so the same
//! inputs give the same blocks.

use std::collections::{BTreeMap, HashMap};

use super::lines::{Line, Link, Member};
use crate::catalog::{Catalog, Source, Unit};
use crate::config::Config;
use crate::domain::{AreaKind, CellStatus};
use crate::observation::Observation;

/// What hiding a cell costs the reader: a cell of the table 1, a school
/// area's cell in its indicator's latest year more (that is what a
/// coordinator came for), a derived total (a yearly or city-wide sum the
/// shift tables show) most. Documented in docs/PRIVACY.md.
pub const COST_CELL: f64 = 1.0;
pub const COST_LATEST_SCHOOL_AREA: f64 = 1.5;
pub const COST_DERIVED_TOTAL: f64 = 2.0;
/// Among patterns of equal cost the one that hides the smaller values
/// wins: each node adds at most this share of a cell, scaled by its value
/// and by the number of nodes, so the whole tie-break stays below the
/// smallest difference of two costs (0.5).
const MAGNITUDE_TIE_BREAK: f64 = 0.4;

/// One group of cells tied together by lines and links. Nodes are local
/// ids `0..nodes.len()`.
#[derive(Debug, Clone)]
pub struct Block {
    /// Each node's row (or missing cell) among the rows under protection.
    pub nodes: Vec<Member>,
    pub lines: Vec<BlockLine>,
    /// (follower, clients): the follower is hidden when the clients are.
    pub links: Vec<(usize, usize)>,
    /// Hidden whatever the pattern: small, unpublished at the source, or
    /// with no row at all.
    pub fixed: Vec<bool>,
    /// Published by the source itself (a THL or Sotkanet figure above the
    /// school areas): anyone can look it up, so hiding it would protect
    /// nothing. Never chosen as a complement.
    pub public: Vec<bool>,
    /// Hidden cells whose interval an attacker must not narrow below the
    /// protection level: those hyte hides for their size.
    pub interval: Vec<bool>,
    /// What the attacker knows of a published node: its count, euros or,
    /// for a percentage, its respondents p·n/100. `None` where that cannot
    /// be computed (a percentage without n): an unknown to everyone.
    pub quantity: Vec<Option<f64>>,
    /// The largest value the quantity can take (n for a percentage).
    pub upper: Vec<f64>,
    /// Whole numbers (counts of cases or respondents).
    pub whole: Vec<bool>,
    /// Half a unit of the last digit the source publishes, in the
    /// quantity's unit: how far the lines may be off when the published
    /// figures are rounded.
    pub rounding: Vec<f64>,
    /// What hiding the node costs ([`COST_CELL`] and the others).
    pub weight: Vec<f64>,
    /// The weight plus the magnitude tie-break: the solver's objective.
    pub cost: Vec<f64>,
    /// The node's value as a quantity, for the magnitude hidden (0 where
    /// unknown).
    pub magnitude: Vec<f64>,
    pub kind: Vec<QuantityKind>,
}

/// A line of a block: the index of the [`Line`] (for its name) and its
/// members as nodes, the total first.
#[derive(Debug, Clone)]
pub struct BlockLine {
    pub line: usize,
    pub members: Vec<usize>,
    /// Respondents of a percentage's total that no part holds (e.g. those
    /// who did not report their sex, when the source has no row for them):
    /// the line holds only up to their count.
    pub unaccounted: f64,
}

impl Block {
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// A short description for the manifest: the first node's indicator,
    /// area, period and group.
    pub fn describe(&self, rows: &[Observation]) -> String {
        let first = self.nodes.iter().find_map(|m| match m {
            Member::Row(i) => Some(&rows[*i]),
            Member::Missing(_) => None,
        });
        match first {
            Some(o) => format!(
                "{} {} {} ({} cells, {} lines)",
                o.indicator,
                o.period.year(),
                o.group,
                self.nodes.len(),
                self.lines.len()
            ),
            None => format!("{} cells without rows", self.nodes.len()),
        }
    }
}

/// The root of `x` in the union-find forest `parent`, halving the path on
/// the way.
pub fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Splits the rows under protection into blocks (see the module doc).
/// `originals` rows come from the table; the rest are derived totals.
pub fn blocks(
    rows: &[Observation],
    originals: usize,
    status: &[CellStatus],
    lines: &[Line],
    links: &[Link],
    catalog: &Catalog,
    config: &Config,
) -> Vec<Block> {
    let missing = lines
        .iter()
        .flat_map(|l| l.parts.iter())
        .filter_map(|m| match m {
            Member::Missing(k) => Some(k + 1),
            Member::Row(_) => None,
        })
        .max()
        .unwrap_or(0);
    let id = |m: Member| match m {
        Member::Row(i) => i,
        Member::Missing(k) => rows.len() + k,
    };
    let member = |id: usize| {
        if id < rows.len() {
            Member::Row(id)
        } else {
            Member::Missing(id - rows.len())
        }
    };
    let total = rows.len() + missing;
    let mut parent: Vec<usize> = (0..total).collect();
    let mut tied = vec![false; total];
    let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    for line in lines {
        let first = id(Member::Row(line.total));
        for m in line.members() {
            tied[id(m)] = true;
            join(&mut parent, first, id(m));
        }
    }
    for link in links {
        tied[link.follower] = true;
        tied[link.clients] = true;
        join(&mut parent, link.follower, link.clients);
    }
    // Nodes per root, in id order (rows first, in row order).
    let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for node in (0..total).filter(|&n| tied[n]) {
        let root = find(&mut parent, node);
        by_root.entry(root).or_default().push(node);
    }
    let mut lines_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for (l, line) in lines.iter().enumerate() {
        let root = find(&mut parent, line.total);
        lines_of.entry(root).or_default().push(l);
    }
    let mut links_of: HashMap<usize, Vec<Link>> = HashMap::new();
    for link in links {
        let root = find(&mut parent, link.clients);
        links_of.entry(root).or_default().push(*link);
    }
    let weighted = weighted_rows(rows.len(), lines);
    let latest = latest_years(rows);
    let hidden_at_start = |id: usize| id >= rows.len() || !status[id].is_published();
    by_root
        .into_iter()
        .filter(|(_, nodes)| nodes.iter().any(|&n| hidden_at_start(n)))
        .map(|(root, ids)| {
            let local: HashMap<usize, usize> =
                ids.iter().enumerate().map(|(k, &n)| (n, k)).collect();
            let block_lines = lines_of
                .remove(&root)
                .unwrap_or_default()
                .into_iter()
                .map(|l| BlockLine {
                    line: l,
                    members: lines[l].members().map(|m| local[&id(m)]).collect(),
                    unaccounted: unaccounted(rows, &lines[l]),
                })
                .collect();
            let block_links = links_of
                .remove(&root)
                .unwrap_or_default()
                .into_iter()
                .map(|link| (local[&link.follower], local[&link.clients]))
                .collect();
            let nodes: Vec<Member> = ids.iter().map(|&n| member(n)).collect();
            let facts: Vec<NodeFacts> = ids
                .iter()
                .map(|&n| {
                    node_facts(
                        rows, n, originals, status, &weighted, &latest, catalog, config,
                    )
                })
                .collect();
            let largest = facts
                .iter()
                .map(|f| f.magnitude)
                .fold(0.0_f64, f64::max)
                .max(1.0);
            let share = MAGNITUDE_TIE_BREAK / (nodes.len() as f64 + 1.0);
            Block {
                nodes,
                lines: block_lines,
                links: block_links,
                fixed: facts.iter().map(|f| f.fixed).collect(),
                public: facts.iter().map(|f| f.public).collect(),
                interval: facts.iter().map(|f| f.interval).collect(),
                quantity: facts.iter().map(|f| f.quantity).collect(),
                upper: facts.iter().map(|f| f.upper).collect(),
                whole: facts.iter().map(|f| f.whole).collect(),
                rounding: facts.iter().map(|f| f.rounding).collect(),
                weight: facts.iter().map(|f| f.cost).collect(),
                cost: facts
                    .iter()
                    .map(|f| f.cost + share * f.magnitude / largest)
                    .collect(),
                magnitude: facts.iter().map(|f| f.magnitude).collect(),
                kind: facts.iter().map(|f| f.kind).collect(),
            }
        })
        .collect()
}

/// What one node brings to its block.
struct NodeFacts {
    fixed: bool,
    public: bool,
    interval: bool,
    quantity: Option<f64>,
    upper: f64,
    whole: bool,
    rounding: f64,
    cost: f64,
    magnitude: f64,
    kind: QuantityKind,
}

/// n of the total minus the parts' n, for a weighted line whose members
/// all have rows and n; 0 otherwise.
fn unaccounted(rows: &[Observation], line: &Line) -> f64 {
    if !line.weighted {
        return 0.0;
    }
    let n = |m: &Member| match m {
        Member::Row(i) => rows[*i].n,
        Member::Missing(_) => None,
    };
    let parts: Option<f64> = line.parts.iter().map(n).sum();
    match (rows[line.total].n, parts) {
        (Some(total), Some(parts)) => (total - parts).max(0.0),
        _ => 0.0,
    }
}

/// Which unit a node's quantity is in, for the magnitude hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityKind {
    Cases,
    Respondents,
    Euros,
}

/// Rows in weighted lines (percentages with n, whose quantity is p·n/100).
fn weighted_rows(rows: usize, lines: &[Line]) -> Vec<bool> {
    let mut weighted = vec![false; rows];
    for line in lines.iter().filter(|l| l.weighted) {
        for m in line.members() {
            if let Member::Row(i) = m {
                weighted[i] = true;
            }
        }
    }
    weighted
}

/// Each indicator's latest year among the rows.
fn latest_years(rows: &[Observation]) -> HashMap<&str, i32> {
    let mut latest: HashMap<&str, i32> = HashMap::new();
    for o in rows {
        let year = latest.entry(o.indicator.as_str()).or_insert(i32::MIN);
        *year = (*year).max(o.period.year());
    }
    latest
}

#[allow(clippy::too_many_arguments)]
fn node_facts(
    rows: &[Observation],
    id: usize,
    originals: usize,
    status: &[CellStatus],
    weighted: &[bool],
    latest: &HashMap<&str, i32>,
    catalog: &Catalog,
    config: &Config,
) -> NodeFacts {
    let Some(o) = rows.get(id) else {
        // A cell with no row: unknown to everyone, never chosen.
        return NodeFacts {
            fixed: true,
            public: false,
            interval: false,
            quantity: None,
            upper: f64::INFINITY,
            whole: false,
            rounding: 0.0,
            cost: 0.0,
            magnitude: 0.0,
            kind: QuantityKind::Cases,
        };
    };
    let indicator = catalog.get(&o.indicator);
    let decimals = indicator.map_or(0, |i| i.decimals);
    let half_unit = 0.5 * 10f64.powi(-i32::from(decimals));
    let (quantity, upper, whole, rounding) = if weighted[id] {
        match o.n {
            Some(n) => (
                o.value.map(|p| p * n / 100.0),
                n,
                true,
                half_unit * n / 100.0,
            ),
            None => (None, f64::INFINITY, false, 0.0),
        }
    } else {
        let count = indicator.is_some_and(|i| i.unit == Unit::Count);
        (
            o.value,
            f64::INFINITY,
            count,
            if count { 0.0 } else { half_unit },
        )
    };
    let derived = id >= originals;
    let school_area = config
        .area(&o.area)
        .is_some_and(|a| a.kind == AreaKind::SchoolArea);
    let cost = if derived {
        COST_DERIVED_TOTAL
    } else if school_area && latest.get(o.indicator.as_str()) == Some(&o.period.year()) {
        COST_LATEST_SCHOOL_AREA
    } else {
        COST_CELL
    };
    let fixed = !status[id].is_published();
    // THL's cubes and Sotkanet publish every area above the school areas;
    // school-area results and the local client systems are hyte's own.
    let public_source = indicator.is_some_and(|i| !matches!(i.source, Source::Service { .. }));
    NodeFacts {
        fixed,
        public: !fixed && !derived && public_source && !school_area,
        // Only hyte's own primary suppressions: a cell hidden at the source
        // is protected from exact disclosure, but why and how widely the
        // source meant to hide it is not known (and hyte's own output read
        // back in, all of it "not published", must give the same pattern).
        interval: status[id] == CellStatus::SuppressedSmall,
        quantity,
        upper,
        whole,
        rounding,
        cost,
        magnitude: quantity.unwrap_or(0.0).abs(),
        kind: if weighted[id] {
            QuantityKind::Respondents
        } else if indicator.is_some_and(|i| i.unit == Unit::Euro) {
            QuantityKind::Euros
        } else {
            QuantityKind::Cases
        },
    }
}
