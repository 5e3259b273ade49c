//! The greedy secondary suppression of one block: hyte's earlier method,
//! kept for comparison (`[privacy] method = "greedy"`) and as the fallback
//! of a block the solver cannot finish in time.
//!
//! In: a [`Block`] and its rows, the protection level. Out: a pattern
//! (which cells to hide). Method: repeat until nothing changes: visits and
//! costs follow their client count; a line with exactly one hidden member
//! gives it away, so its [`victim`] is hidden too; when no single line
//! exposes anything, the attacker ([`super::attack`]) looks at the lines
//! together (and at intervals) and the victim of the first line of an
//! exposed cell is hidden, failing that every published member of its
//! group's lines. Guarantees: the result is never exposed (the loop ends
//! only when the attack finds nothing; hiding more never exposes more), and
//! it is deterministic; it is not the least-cost pattern.

use super::attack::{attack, Attack};
use super::block::Block;
use super::lines::Member;
use crate::observation::Observation;

/// The greedy pattern of the block (see the module doc), with the last
/// attack on it (whose exposures, if any, only the source's own figures
/// cause).
pub fn solve(block: &Block, rows: &[Observation], protection: f64) -> (Vec<bool>, Attack) {
    let mut hidden = block.fixed.clone();
    loop {
        let mut changed = false;
        for &(follower, clients) in &block.links {
            if hidden[clients] && !hidden[follower] {
                hidden[follower] = true;
                changed = true;
            }
        }
        for line in 0..block.lines.len() {
            let members = &block.lines[line].members;
            if members.iter().filter(|&&m| hidden[m]).count() == 1 {
                if let Some(v) = victim(block, line, rows, &hidden) {
                    hidden[v] = true;
                    changed = true;
                }
            }
        }
        if changed {
            continue;
        }
        let found = attack(block, &hidden, protection);
        // Cells only the source's own figures expose: nothing to hide.
        let Some(exposed) = found.violations.iter().find(|v| !v.support.is_empty()) else {
            return (hidden, found);
        };
        // The lines of the exposed cell first, then the others that touch
        // its group (through a published member of its lines).
        let touches = |line: usize| {
            block.lines[line]
                .members
                .iter()
                .any(|m| *m == exposed.node || exposed.support.binary_search(m).is_ok())
        };
        let containing = |line: usize| block.lines[line].members.contains(&exposed.node);
        let mut order: Vec<usize> = (0..block.lines.len()).filter(|&l| touches(l)).collect();
        order.sort_by_key(|&l| !containing(l));
        match order.iter().find_map(|&l| victim(block, l, rows, &hidden)) {
            Some(v) => hidden[v] = true,
            None => {
                for &m in &exposed.support {
                    hidden[m] = true;
                }
            }
        }
    }
}

/// The published member of a line to hide: the smallest non-zero published
/// part (least information lost; a zero next to a small hidden count would
/// pin it); else the total; else any published part. Parts go before
/// totals so that the totals people use most (the city, the year) stay
/// published. Ties go to the first area, then the first period.
fn victim(block: &Block, line: usize, rows: &[Observation], hidden: &[bool]) -> Option<usize> {
    let members = &block.lines[line].members;
    let row = |n: usize| match block.nodes[n] {
        Member::Row(i) => Some(&rows[i]),
        Member::Missing(_) => None,
    };
    let parts: Vec<usize> = members[1..]
        .iter()
        .copied()
        .filter(|&m| !hidden[m] && !block.public[m] && row(m).is_some())
        .collect();
    let smallest = |candidates: &mut dyn Iterator<Item = usize>| {
        candidates.min_by(|&a, &b| {
            let key = |n: usize| row(n).map(|r| (&r.area, r.period));
            block.magnitude[a]
                .total_cmp(&block.magnitude[b])
                .then_with(|| key(a).cmp(&key(b)))
        })
    };
    let total = members[0];
    smallest(&mut parts.iter().copied().filter(|&m| block.magnitude[m] > 0.0))
        .or_else(|| (!hidden[total] && !block.public[total]).then_some(total))
        .or_else(|| smallest(&mut parts.iter().copied()))
}
