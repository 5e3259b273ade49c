//! The attacker: what the published cells of a block reveal about the
//! hidden ones.
//!
//! In: a [`Block`] and a pattern (which nodes are hidden), and the
//! protection level. Out: every hidden cell that the published cells
//! determine exactly, and every cell hidden for its size (or at the source)
//! whose attacker's interval is narrower than the protection level; each
//! with the published members of its lines, one of which must be hidden
//! too to take the exposure away (a cut for [`super::optimal`]).
//!
//! Guarantees and method:
//! * exact determinacy: per connected group of unknowns the lines'
//!   equations (total − Σ parts = 0 on the additive quantities) are brought
//!   to reduced row echelon form; an unknown is determined when its pivot
//!   row has no other non-zero entry (pivots below 1e-9 count as zero; the
//!   coefficients are ±1). Rounding of the published figures is ignored
//!   here, which only makes the check stricter;
//! * intervals: for each protected cell two linear programs (microlp) give
//!   the attacker's smallest and largest value of its quantity, with every
//!   unknown between 0 and its upper bound (n for a percentage) and each
//!   line allowed to be off by the rounding of its published members and
//!   by the respondents its parts do not hold (a total's n minus its
//!   parts' n: those who did not report their sex, say); the
//!   bounds of a count are then rounded inward to whole cases. This is the
//!   linear relaxation τ-Argus audits with too: an attacker who also uses
//!   integrality can in rare non-tabular structures narrow further;
//! * the requirement is the protection level, but never more than the
//!   cell's own a-priori range (a percentage of 3 respondents cannot be
//!   hidden in a range of 5).

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::block::{find, Block};

/// What the attacker learns of one hidden cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Exposure {
    /// Its value exactly.
    Exact,
    /// That it lies in `low..=high`, a range narrower than the protection
    /// level.
    Narrow { low: f64, high: f64 },
}

/// A hidden node the published cells expose, and the published members of
/// the lines of its group that hyte may hide: as long as all of them stay
/// published, it stays exposed. An empty support means the source's own
/// publications expose it (nothing hyte hides can change that).
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub node: usize,
    pub exposure: Exposure,
    pub support: Vec<usize>,
}

/// The attack on one pattern.
#[derive(Debug, Default)]
pub struct Attack {
    pub violations: Vec<Violation>,
    /// Interval programs without a solution: the published figures of the
    /// group's lines do not add up even allowing for rounding (the source's
    /// sums are not the sums of its parts). Such cells are protected by the
    /// exact check alone; the count goes to the manifest.
    pub inconsistent: usize,
}

/// Attacks the pattern `hidden` of the block (see the module doc).
/// `protection` 0 checks exact determinacy only.
pub fn attack(block: &Block, hidden: &[bool], protection: f64) -> Attack {
    let unknown: Vec<bool> = (0..block.len())
        .map(|n| hidden[n] || block.quantity[n].is_none())
        .collect();
    let mut result = Attack::default();
    for group in groups(block, &unknown) {
        let determined = determined(block, &unknown, &group);
        let support = support(block, &unknown, &group);
        for &node in &determined {
            if hidden[node] {
                result.violations.push(Violation {
                    node,
                    exposure: Exposure::Exact,
                    support: support.clone(),
                });
            }
        }
        if protection <= 0.0 {
            continue;
        }
        for &node in &group.unknowns {
            if !block.interval[node] || !hidden[node] || determined.contains(&node) {
                continue;
            }
            match interval(block, &unknown, &group, node) {
                Some((low, high)) => {
                    let a_priori = if block.whole[node] {
                        block.upper[node].floor()
                    } else {
                        block.upper[node]
                    };
                    let need = protection.min(a_priori);
                    if high - low < need - 1e-9 {
                        result.violations.push(Violation {
                            node,
                            exposure: Exposure::Narrow { low, high },
                            support: support.clone(),
                        });
                    }
                }
                None => result.inconsistent += 1,
            }
        }
    }
    result.violations.sort_by_key(|v| v.node);
    result
}

/// A connected group of unknowns and the lines that hold them.
#[derive(Debug)]
pub struct Group {
    /// Nodes, ascending.
    pub unknowns: Vec<usize>,
    /// Indices into the block's lines, ascending.
    pub lines: Vec<usize>,
}

/// The groups of unknowns: two are in one group when a line holds both.
/// Lines without unknowns are in no group. Ordered by their first unknown.
pub fn groups(block: &Block, unknown: &[bool]) -> Vec<Group> {
    let mut parent: Vec<usize> = (0..block.len()).collect();
    for line in &block.lines {
        let mut first = None;
        for &m in line.members.iter().filter(|&&m| unknown[m]) {
            match first {
                None => first = Some(m),
                Some(f) => {
                    let (a, b) = (find(&mut parent, f), find(&mut parent, m));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
            }
        }
    }
    let mut by_root: std::collections::BTreeMap<usize, Group> = Default::default();
    for (l, line) in block.lines.iter().enumerate() {
        if let Some(&m) = line.members.iter().find(|&&m| unknown[m]) {
            let root = find(&mut parent, m);
            by_root
                .entry(root)
                .or_insert_with(|| Group {
                    unknowns: Vec::new(),
                    lines: Vec::new(),
                })
                .lines
                .push(l);
        }
    }
    for node in (0..block.len()).filter(|&n| unknown[n]) {
        let root = find(&mut parent, node);
        if let Some(group) = by_root.get_mut(&root) {
            group.unknowns.push(node);
        }
    }
    by_root.into_values().collect()
}

/// The coefficient of a line's member: +1 for the total (first), −1 for a
/// part.
fn coefficient(position: usize) -> f64 {
    if position == 0 {
        1.0
    } else {
        -1.0
    }
}

/// The unknowns of the group that its lines determine exactly.
pub fn determined(block: &Block, unknown: &[bool], group: &Group) -> Vec<usize> {
    let column: std::collections::HashMap<usize, usize> = group
        .unknowns
        .iter()
        .enumerate()
        .map(|(c, &n)| (n, c))
        .collect();
    let mut matrix: Vec<Vec<f64>> = group
        .lines
        .iter()
        .map(|&l| {
            let mut row = vec![0.0; group.unknowns.len()];
            for (position, &m) in block.lines[l].members.iter().enumerate() {
                if unknown[m] {
                    row[column[&m]] += coefficient(position);
                }
            }
            row
        })
        .collect();
    let mut out = Vec::new();
    for (pivot_row, pivot_column) in reduce(&mut matrix) {
        let alone = matrix[pivot_row]
            .iter()
            .enumerate()
            .all(|(c, x)| c == pivot_column || x.abs() < 1e-9);
        if alone {
            out.push(group.unknowns[pivot_column]);
        }
    }
    out.sort_unstable();
    out
}

/// The published members (with a known quantity) of the group's lines
/// that hyte may hide (not figures the source publishes itself),
/// ascending: hiding one of them is the only way to tell the attacker less
/// about the group. Empty when only the source's own figures expose it.
fn support(block: &Block, unknown: &[bool], group: &Group) -> Vec<usize> {
    let mut out: Vec<usize> = group
        .lines
        .iter()
        .flat_map(|&l| block.lines[l].members.iter().copied())
        .filter(|&m| !unknown[m] && !block.public[m])
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The attacker's smallest and largest value of `node`'s quantity, rounded
/// inward to whole numbers for counts; `None` when the lines cannot all
/// hold (inconsistent published figures).
fn interval(block: &Block, unknown: &[bool], group: &Group, node: usize) -> Option<(f64, f64)> {
    let low = extreme(block, unknown, group, node, OptimizationDirection::Minimize)?;
    let high = extreme(block, unknown, group, node, OptimizationDirection::Maximize)?;
    Some(if block.whole[node] {
        ((low - 1e-6).ceil(), (high + 1e-6).floor())
    } else {
        (low, high)
    })
}

/// One linear program: the minimum or maximum of `node`'s quantity.
fn extreme(
    block: &Block,
    unknown: &[bool],
    group: &Group,
    node: usize,
    direction: OptimizationDirection,
) -> Option<f64> {
    let mut problem = Problem::new(direction);
    let vars: std::collections::HashMap<usize, microlp::Variable> = group
        .unknowns
        .iter()
        .map(|&n| {
            let objective = if n == node { 1.0 } else { 0.0 };
            (n, problem.add_var(objective, (0.0, block.upper[n])))
        })
        .collect();
    for &l in &group.lines {
        let mut terms = Vec::new();
        let mut rhs = 0.0;
        let mut tolerance = block.lines[l].unaccounted;
        for (position, &m) in block.lines[l].members.iter().enumerate() {
            let c = coefficient(position);
            if unknown[m] {
                terms.push((vars[&m], c));
            } else {
                rhs -= c * block.quantity[m].unwrap_or(0.0);
                tolerance += block.rounding[m];
            }
        }
        if tolerance > 0.0 {
            problem.add_constraint(terms.as_slice(), ComparisonOp::Ge, rhs - tolerance);
            problem.add_constraint(terms.as_slice(), ComparisonOp::Le, rhs + tolerance);
        } else {
            problem.add_constraint(terms.as_slice(), ComparisonOp::Eq, rhs);
        }
    }
    match problem.solve() {
        Ok(outcome) => match outcome.into_solution() {
            Ok(solution) => Some(solution.var_value(vars[&node])),
            Err(_) => None,
        },
        Err(microlp::Error::Unbounded) => Some(match direction {
            OptimizationDirection::Maximize => f64::INFINITY,
            OptimizationDirection::Minimize => f64::NEG_INFINITY,
        }),
        Err(_) => None,
    }
}

/// Reduced row echelon form with partial pivoting; returns the pivots as
/// (row, column). Entries below 1e-9 in absolute value count as zero.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::block::{BlockLine, QuantityKind};
    use crate::privacy::lines::Member;

    /// A block of counts: `values[i]` for node i, `lines` as (total,
    /// parts); every node may be hidden, none is public.
    fn counts(values: &[f64], lines: &[(usize, &[usize])]) -> Block {
        let n = values.len();
        Block {
            nodes: (0..n).map(Member::Row).collect(),
            lines: lines
                .iter()
                .enumerate()
                .map(|(l, (total, parts))| BlockLine {
                    line: l,
                    members: std::iter::once(*total)
                        .chain(parts.iter().copied())
                        .collect(),
                    unaccounted: 0.0,
                })
                .collect(),
            links: Vec::new(),
            fixed: vec![false; n],
            public: vec![false; n],
            interval: vec![true; n],
            quantity: values.iter().map(|v| Some(*v)).collect(),
            upper: vec![f64::INFINITY; n],
            whole: vec![true; n],
            rounding: vec![0.0; n],
            weight: vec![1.0; n],
            cost: vec![1.0; n],
            magnitude: values.to_vec(),
            kind: vec![QuantityKind::Cases; n],
        }
    }

    fn hide(n: usize, hidden: &[usize]) -> Vec<bool> {
        (0..n).map(|i| hidden.contains(&i)).collect()
    }

    #[test]
    fn the_exact_check_sees_through_combined_lines() {
        // Nodes 0..3 published totals, 3..6 hidden x, y, z. A triangle:
        // t0 = x + y, t1 = y + z, t2 = x + z. Every line has two unknowns,
        // yet x = (t0 − t1 + t2)/2.
        let triangle = counts(
            &[10.0, 12.0, 14.0, 6.0, 4.0, 8.0],
            &[(0, &[3, 4]), (1, &[4, 5]), (2, &[3, 5])],
        );
        let found = attack(&triangle, &hide(6, &[3, 4, 5]), 0.0);
        let exact: Vec<usize> = found.violations.iter().map(|v| v.node).collect();
        assert_eq!(exact, [3, 4, 5]);
        assert_eq!(found.violations[0].support, [0, 1, 2]);
        // A 2 × 2 rectangle (t0 = x + y, t1 = z + w, t2 = x + z) leaves one
        // degree of freedom: nothing determined.
        let rectangle = counts(
            &[10.0, 12.0, 14.0, 6.0, 4.0, 8.0, 4.0],
            &[(0, &[3, 4]), (1, &[5, 6]), (2, &[3, 5])],
        );
        assert!(attack(&rectangle, &hide(7, &[3, 4, 5, 6]), 0.0)
            .violations
            .is_empty());
    }

    #[test]
    fn intervals_by_hand() {
        // t = a + b + c with t = 33, c = 30 published: a + b = 3, so a and
        // b each lie in 0..=3: a range of 3 cases.
        let b = counts(&[33.0, 1.0, 2.0, 30.0], &[(0, &[1, 2, 3])]);
        let found = attack(&b, &hide(4, &[1, 2]), 5.0);
        assert_eq!(found.violations.len(), 2);
        assert_eq!(
            found.violations[0].exposure,
            Exposure::Narrow {
                low: 0.0,
                high: 3.0
            }
        );
        // Three cases of protection are met, four are not.
        assert!(attack(&b, &hide(4, &[1, 2]), 3.0).violations.is_empty());
        assert_eq!(attack(&b, &hide(4, &[1, 2]), 4.0).violations.len(), 2);
        // Hiding c as well: a + b + c = 33, each in 0..=33.
        assert!(attack(&b, &hide(4, &[1, 2, 3]), 5.0).violations.is_empty());
    }

    #[test]
    fn a_percentage_is_bounded_by_its_respondents_and_rounding() {
        // Respondents: total 10 of n 40 = girls (n 21) + boys (n 19), both
        // hidden. Girls lie in 0..=10 (not 0..=21): the total caps them.
        let mut b = counts(&[10.0, 4.0, 6.0], &[(0, &[1, 2])]);
        b.upper = vec![40.0, 21.0, 19.0];
        let found = attack(&b, &hide(3, &[1, 2]), 11.0);
        assert_eq!(
            found.violations[0].exposure,
            Exposure::Narrow {
                low: 0.0,
                high: 10.0
            }
        );
        // The need never exceeds the cell's own range: with a total of 25,
        // boys lie in 4..=19 and girls in 6..=21, 15 wide each.
        b.quantity[0] = Some(25.0);
        assert!(!attack(&b, &hide(3, &[1, 2]), 16.0).violations.is_empty());
        assert!(attack(&b, &hide(3, &[1, 2]), 15.0).violations.is_empty());
    }

    #[test]
    fn figures_the_source_publishes_are_no_support() {
        // t = a + b, t public, b published and hideable, a hidden.
        let mut b = counts(&[10.0, 3.0, 7.0], &[(0, &[1, 2])]);
        b.public[0] = true;
        let found = attack(&b, &hide(3, &[1]), 0.0);
        assert_eq!(found.violations[0].support, [2]);
        // With b public too, only the source's own figures expose a.
        b.public[2] = true;
        assert!(attack(&b, &hide(3, &[1]), 0.0).violations[0]
            .support
            .is_empty());
    }
}
