//! Minimum-loss secondary suppression of one block.
//!
//! In: a [`Block`] (its cells, lines, links and costs), the protection
//! level and a time limit. Out: the pattern (which cells to hide) of least
//! cost that the attacker ([`super::attack`]) cannot break, or why it could
//! not be found (then the caller falls back to the greedy method).
//!
//! Method (the τ-Argus / sdcTable scheme: optimise, then audit): a mixed
//! integer program with a binary y per cell that may be chosen (hidden
//! cells are fixed at 1) minimises Σ cost·y subject to
//! * every line: each hidden member has another hidden member in the same
//!   line (Σ others ≥ y), so no line has exactly one unknown;
//! * every link: visits and costs are hidden with their client count;
//! * every cut so far.
//!
//! The solution is attacked; each exposed cell adds a cut "one of the
//! published members of its group's lines is hidden too, or the cell
//! itself is published" (valid: as long as they all stay published, the
//! cell stays exposed, whatever else changes), and the program is solved
//! again. A pattern the attacker cannot break ends the loop.
//!
//! Guarantees: the result is never exposed (the last attack found
//! nothing); the program is solved by microlp with a node limit, which is
//! deterministic, so the same block gives the same pattern at any thread
//! count; only the wall-clock time limit (a safety net for a pathological
//! block) depends on the machine, and when it fires the caller says so.

use std::time::{Duration, Instant};

use microlp::{ComparisonOp, OptimizationDirection, Problem, SolutionStatus, SolveOptions};

use super::attack::{attack, Exposure};
use super::block::Block;

/// Rounds of solve-and-attack before a block gives up.
pub const MAX_ROUNDS: usize = 200;
/// Branch-and-bound nodes per solve; a best pattern found by then is used
/// (it is safe, only perhaps not the cheapest).
pub const NODE_LIMIT: u64 = 20_000;

/// A block's pattern and how it was found.
#[derive(Debug)]
pub struct Outcome {
    pub hidden: Vec<bool>,
    /// Solve-and-attack rounds (1: the first pattern held).
    pub rounds: usize,
    /// Cuts added by the attacks: exact and interval exposures.
    pub exact_cuts: usize,
    pub interval_cuts: usize,
    /// Every solve proved its pattern the cheapest.
    pub proven_optimal: bool,
    /// Interval programs whose lines did not add up (see [`super::attack`]).
    pub inconsistent: usize,
    /// Hidden cells that the source's own figures expose (no cut possible).
    pub source_exposed: usize,
}

/// Why a block was not solved here.
#[derive(Debug, Clone, PartialEq)]
pub enum Fallback {
    TimeLimit(Duration),
    Rounds(usize),
    Solver(String),
}

impl std::fmt::Display for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fallback::TimeLimit(limit) => write!(
                f,
                "the time limit of {} s per block was reached",
                limit.as_secs_f64()
            ),
            Fallback::Rounds(n) => write!(f, "no safe pattern after {n} rounds"),
            Fallback::Solver(message) => write!(f, "the solver failed: {message}"),
        }
    }
}

/// "One of `support` is hidden, or `guarded` is published": the cut an
/// exposure adds. `guarded` is `None` for a cell hidden whatever the
/// pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cut {
    guarded: Option<usize>,
    support: Vec<usize>,
}

/// The least-cost pattern of the block that the attacker cannot break.
pub fn solve(block: &Block, protection: f64, limit: Duration) -> Result<Outcome, Fallback> {
    let started = Instant::now();
    let mut cuts: Vec<Cut> = Vec::new();
    let mut outcome = Outcome {
        hidden: Vec::new(),
        rounds: 0,
        exact_cuts: 0,
        interval_cuts: 0,
        proven_optimal: true,
        inconsistent: 0,
        source_exposed: 0,
    };
    for round in 1..=MAX_ROUNDS {
        let remaining = limit.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            return Err(Fallback::TimeLimit(limit));
        }
        let (hidden, optimal) = pattern(block, &cuts, remaining, limit)?;
        outcome.proven_optimal &= optimal;
        let found = attack(block, &hidden, protection);
        let (open, by_source): (Vec<_>, Vec<_>) = found
            .violations
            .into_iter()
            .partition(|v| !v.support.is_empty());
        if open.is_empty() {
            outcome.hidden = hidden;
            outcome.rounds = round;
            outcome.inconsistent = found.inconsistent;
            outcome.source_exposed = by_source.len();
            return Ok(outcome);
        }
        let before = cuts.len();
        for v in open {
            // A narrow range widens only by hiding a cell at least as
            // large as what the range lacks (in one line, hiding d widens
            // it by at most d): ask for one of those first. Should that
            // guess ever be wrong, the program may become infeasible and
            // the block falls back to the greedy pattern; the attack
            // checks every pattern either way, so safety never rests on it.
            let support = match v.exposure {
                Exposure::Narrow { low, high } => {
                    let lacking = protection - (high - low);
                    let large: Vec<usize> = v
                        .support
                        .iter()
                        .copied()
                        .filter(|&d| block.quantity[d].is_some_and(|q| q >= lacking))
                        .collect();
                    if large.is_empty() {
                        v.support
                    } else {
                        large
                    }
                }
                Exposure::Exact => v.support,
            };
            let cut = Cut {
                guarded: (!block.fixed[v.node]).then_some(v.node),
                support,
            };
            if !cuts.contains(&cut) {
                match v.exposure {
                    Exposure::Exact => outcome.exact_cuts += 1,
                    Exposure::Narrow { .. } => outcome.interval_cuts += 1,
                }
                cuts.push(cut);
            }
        }
        if cuts.len() == before {
            return Err(Fallback::Solver("an attack repeated a cut".into()));
        }
    }
    Err(Fallback::Rounds(MAX_ROUNDS))
}

/// Solves the program with the cuts so far: the pattern, and whether it
/// was proved the cheapest.
fn pattern(
    block: &Block,
    cuts: &[Cut],
    remaining: Duration,
    limit: Duration,
) -> Result<(Vec<bool>, bool), Fallback> {
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    let vars: Vec<Option<microlp::Variable>> = (0..block.len())
        .map(|n| {
            (!block.fixed[n] && !block.public[n]).then(|| problem.add_binary_var(block.cost[n]))
        })
        .collect();
    // Σ coefficient·y ≥ rhs, with the fixed cells (y = 1) moved to the
    // right and the source's own figures (y = 0) left out; a constraint no
    // choice can break is left out too, and so is one no choice can meet
    // (a line of the source's own figures only: it exposes its hidden
    // member whatever hyte does, and the attack counts that).
    let mut constrain = |terms: &mut dyn Iterator<Item = (usize, f64)>, rhs: f64| {
        let mut expr = Vec::new();
        let mut rhs = rhs;
        let (mut lowest, mut highest) = (0.0, 0.0);
        for (node, c) in terms {
            match vars[node] {
                Some(v) => {
                    expr.push((v, c));
                    lowest += c.min(0.0);
                    highest += c.max(0.0);
                }
                None if block.fixed[node] => rhs -= c,
                None => {}
            }
        }
        if lowest >= rhs - 1e-9 || highest < rhs - 1e-9 {
            return Ok(());
        }
        problem.add_constraint(expr, ComparisonOp::Ge, rhs);
        Ok(())
    };
    for line in &block.lines {
        for &m in &line.members {
            let mut terms = line
                .members
                .iter()
                .map(|&d| (d, if d == m { -1.0 } else { 1.0 }));
            constrain(&mut terms, 0.0)?;
        }
    }
    for &(follower, clients) in &block.links {
        constrain(&mut [(follower, 1.0), (clients, -1.0)].into_iter(), 0.0)?;
    }
    for cut in cuts {
        let mut terms = cut
            .support
            .iter()
            .map(|&d| (d, 1.0))
            .chain(cut.guarded.map(|g| (g, -1.0)));
        constrain(&mut terms, if cut.guarded.is_some() { 0.0 } else { 1.0 })?;
    }
    let mut options = SolveOptions::default();
    options.time_limit = Some(remaining);
    options.node_limit = Some(NODE_LIMIT);
    let outcome = problem
        .solve_with(options)
        .map_err(|e| Fallback::Solver(format!("{e:?}")))?;
    let solution =
        outcome
            .into_solution()
            .map_err(|interrupted| match interrupted.termination_reason() {
                microlp::TerminationReason::TimeLimit => Fallback::TimeLimit(limit),
                reason => Fallback::Solver(format!("no pattern found ({reason:?})")),
            })?;
    let hidden = vars
        .iter()
        .zip(&block.fixed)
        .map(|(v, &fixed)| v.map_or(fixed, |v| solution.var_value(v) > 0.5))
        .collect();
    Ok((hidden, solution.status() == SolutionStatus::Optimal))
}
