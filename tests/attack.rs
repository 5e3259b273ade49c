//! The strongest attacker these tests can build, on what hyte publishes.
//!
//! It reads the published tables only (observations and the shift table's
//! sums) and knows the hierarchy: a municipality = the sum of its school
//! areas, a year = the sum of its quarters (counts and euros), a total =
//! its sexes, and each published shift sum = the sum of its level's
//! services (costs weighted by their unit costs); for percentages the
//! additive quantity is p·n/100 (n is published). The yearly and city-wide
//! service totals the shift stage sums are unknowns tied by the same lines.
//! With every line at once it then solves exactly (reduced row echelon form
//! over each connected group of unknowns) and, for every count hyte hid for
//! its size, computes the smallest and largest value the published figures
//! allow (two linear programs, with counts ≥ 0, respondents ≤ n and each
//! line allowed its rounding). Nothing hidden may be determined, and no
//! small count may be narrowed to fewer than the protection level.
//!
//! The other outputs (trends, comparisons, plan follow-up, charts) are
//! computed from the published cells after the privacy stage; the shift
//! shares and rates are ratios of the sums modelled here.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use hyte::catalog::{Catalog, Source};
use hyte::domain::{ServiceLevel, Unit};
use microlp::{ComparisonOp, OptimizationDirection, Problem};

use crate::common::{hyte, read_csv, root, sample_config, stderr_of};

type Key = (String, String, String, String, String);

const CITY: &str = "kunta.444";
const SCHOOL_AREAS: [&str; 6] = [
    "lohja.anttila",
    "lohja.harju",
    "lohja.jarnefelt",
    "lohja.kallhagen",
    "lohja.mantynummi",
    "lohja.nummi_pusula",
];

/// The attacker's unknowns and equations.
#[derive(Default)]
struct System {
    id: HashMap<Key, usize>,
    keys: Vec<Key>,
    /// A published quantity, or None (unknown).
    known: Vec<Option<f64>>,
    upper: Vec<f64>,
    rounding: Vec<f64>,
    whole: Vec<bool>,
    /// Σ coefficient·x = constant ± tolerance.
    lines: Vec<Equation>,
}

struct Equation {
    terms: Vec<(usize, f64)>,
    constant: f64,
    tolerance: f64,
}

impl System {
    fn var(&mut self, key: &Key) -> usize {
        if let Some(&v) = self.id.get(key) {
            return v;
        }
        let v = self.keys.len();
        self.id.insert(key.clone(), v);
        self.keys.push(key.clone());
        self.known.push(None);
        self.upper.push(f64::INFINITY);
        self.rounding.push(0.0);
        self.whole.push(false);
        v
    }

    /// total − Σ parts = 0 on the quantities; a percentage line holds up
    /// to the respondents its parts do not hold.
    fn line(&mut self, total: &Key, parts: &[Key], unaccounted: f64) {
        let mut terms = vec![(self.var(total), 1.0)];
        for p in parts {
            terms.push((self.var(p), -1.0));
        }
        self.lines.push(Equation {
            terms,
            constant: 0.0,
            tolerance: unaccounted,
        });
    }
}

fn key(indicator: &str, area: &str, period: &str, sex: &str, group: &str) -> Key {
    (
        indicator.into(),
        area.into(),
        period.into(),
        sex.into(),
        group.into(),
    )
}

/// The attacker's system from the published tables of `dir`.
fn system(dir: &Path, catalog: &Catalog) -> (System, BTreeSet<Key>) {
    let rows = read_csv(&dir.join("current/tables/observations.csv"));
    let mut s = System::default();
    let mut unpublished = BTreeSet::new();
    let mut n_of: HashMap<Key, f64> = HashMap::new();
    let mut weighted: BTreeSet<String> = BTreeSet::new();
    let additive = |r: &BTreeMap<String, String>| -> Option<bool> {
        let unit = catalog.get(&r["indicator"])?.unit;
        match unit {
            Unit::Count | Unit::Euro => Some(false),
            Unit::Percent if !r["n"].is_empty() => Some(true),
            _ => None,
        }
    };
    for r in &rows {
        let Some(is_weighted) = additive(r) else {
            continue;
        };
        let k = key(
            &r["indicator"],
            &r["area"],
            &r["period"],
            &r["sex"],
            &r["group"],
        );
        let v = s.var(&k);
        let value: Option<f64> = r["value"].parse().ok();
        if is_weighted {
            weighted.insert(r["indicator"].clone());
            let n: f64 = r["n"].parse().unwrap();
            n_of.insert(k.clone(), n);
            s.upper[v] = n;
            s.whole[v] = true;
            s.known[v] = value.map(|p| p * n / 100.0);
            s.rounding[v] = if value.is_some() {
                0.05 * n / 100.0
            } else {
                0.0
            };
        } else {
            s.whole[v] = catalog.get(&r["indicator"]).unwrap().unit == Unit::Count;
            s.known[v] = value;
        }
        if r["status"] != "published" {
            unpublished.insert(k);
        }
    }
    let row_keys: Vec<Key> = s.keys.clone();
    // Service indicators: their yearly and city-wide totals are unknowns
    // (the shift table sums them), tied by the same lines.
    let service = |indicator: &str| {
        matches!(
            catalog.get(indicator).map(|i| &i.source),
            Some(Source::Service { .. })
        )
    };
    let mut candidates: BTreeSet<Key> = row_keys.iter().cloned().collect();
    for (i, a, p, x, g) in &row_keys {
        if service(i) && p.contains('Q') {
            let year = p[..4].to_string();
            candidates.insert((i.clone(), a.clone(), year.clone(), x.clone(), g.clone()));
            candidates.insert((i.clone(), CITY.into(), p.clone(), x.clone(), g.clone()));
            candidates.insert((i.clone(), CITY.into(), year, x.clone(), g.clone()));
        }
    }
    for (i, a, p, x, g) in &candidates {
        let unaccounted = |total: &Key, parts: &[Key]| -> f64 {
            if !weighted.contains(i) {
                return 0.0;
            }
            let parts: Option<f64> = parts.iter().map(|k| n_of.get(k).copied()).sum();
            match (n_of.get(total), parts) {
                (Some(t), Some(p)) => (t - p).max(0.0),
                _ => 0.0,
            }
        };
        let total = key(i, a, p, x, g);
        if a == CITY {
            let parts: Vec<Key> = SCHOOL_AREAS.iter().map(|c| key(i, c, p, x, g)).collect();
            let u = unaccounted(&total, &parts);
            s.line(&total, &parts, u);
        }
        if !p.contains('Q') && !weighted.contains(i) {
            let quarters: Vec<Key> = (1..=4)
                .map(|q| key(i, a, &format!("{p}Q{q}"), x, g))
                .collect();
            if quarters.iter().any(|q| candidates.contains(q)) {
                s.line(&total, &quarters, 0.0);
            }
        }
        if x == "total" {
            let mut parts = vec![key(i, a, p, "female", g), key(i, a, p, "male", g)];
            let not_reported = key(i, a, p, "not_reported", g);
            if candidates.contains(&not_reported) {
                parts.push(not_reported);
            }
            if candidates.contains(&parts[0]) || candidates.contains(&parts[1]) {
                let u = unaccounted(&total, &parts);
                s.line(&total, &parts, u);
            }
        }
    }
    shift_lines(dir, catalog, &mut s);
    (s, unpublished)
}

/// Each published level sum of the shift table as a line over the
/// services the area reports.
fn shift_lines(dir: &Path, catalog: &Catalog, s: &mut System) {
    let reported: BTreeSet<(String, String)> = s
        .keys
        .iter()
        .map(|(i, a, ..)| (a.clone(), i.clone()))
        .collect();
    let level_of = |id: &str| {
        let i = catalog.get(id)?;
        match &i.source {
            Source::Service { measure, .. } => {
                Some((i.service_level?, measure.key(), i.unit_cost_eur))
            }
            _ => None,
        }
    };
    for row in read_csv(&dir.join("current/tables/shift.csv")) {
        for (level, level_key) in [
            (ServiceLevel::Basic, "basic"),
            (ServiceLevel::Intermediate, "intermediate"),
            (ServiceLevel::Specialist, "specialist"),
        ] {
            let services: Vec<(String, &'static str, Option<f64>)> = reported
                .iter()
                .filter(|(a, _)| *a == row["area"])
                .filter_map(|(_, i)| {
                    let (l, measure, cost) = level_of(i)?;
                    (l == level).then(|| (i.clone(), measure, cost))
                })
                .collect();
            for (column, measure) in [("clients", "clients"), ("visits", "visits")] {
                let Ok(sum) = row[&format!("{level_key}_{column}")].parse::<f64>() else {
                    continue;
                };
                let terms = services
                    .iter()
                    .filter(|(_, m, _)| *m == measure)
                    .map(|(i, ..)| {
                        (
                            s.var(&key(i, &row["area"], &row["period"], "total", "all")),
                            1.0,
                        )
                    })
                    .collect();
                s.lines.push(Equation {
                    terms,
                    constant: sum,
                    tolerance: 1e-6,
                });
            }
            let Some(cost) = row
                .get(&format!("{level_key}_cost_eur"))
                .and_then(|c| c.parse::<f64>().ok())
            else {
                continue;
            };
            let terms = services
                .iter()
                .filter(|(_, m, c)| c.is_some() && *m != "cost_eur")
                .map(|(i, _, c)| {
                    (
                        s.var(&key(i, &row["area"], &row["period"], "total", "all")),
                        c.unwrap(),
                    )
                })
                .collect();
            s.lines.push(Equation {
                terms,
                constant: cost,
                tolerance: 1e-3,
            });
        }
    }
}

/// Groups of unknowns joined by the lines, with their lines.
fn groups(s: &System) -> Vec<(Vec<usize>, Vec<usize>)> {
    let n = s.keys.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let unknown = |v: usize| s.known[v].is_none();
    for line in &s.lines {
        let vs: Vec<usize> = line
            .terms
            .iter()
            .map(|t| t.0)
            .filter(|&v| unknown(v))
            .collect();
        for w in vs.windows(2) {
            let (a, b) = (find(&mut parent, w[0]), find(&mut parent, w[1]));
            parent[a] = b;
        }
    }
    let mut out: BTreeMap<usize, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (l, line) in s.lines.iter().enumerate() {
        if let Some(&(v, _)) = line.terms.iter().find(|t| unknown(t.0)) {
            let root = find(&mut parent, v);
            out.entry(root).or_default().1.push(l);
        }
    }
    for v in (0..n).filter(|&v| unknown(v)) {
        let root = find(&mut parent, v);
        if let Some(g) = out.get_mut(&root) {
            g.0.push(v);
        }
    }
    out.into_values().collect()
}

/// The unknowns of a group its lines determine exactly.
fn determined(s: &System, unknowns: &[usize], lines: &[usize]) -> Vec<usize> {
    let column: HashMap<usize, usize> = unknowns.iter().enumerate().map(|(c, &v)| (v, c)).collect();
    let mut m: Vec<Vec<f64>> = lines
        .iter()
        .map(|&l| {
            let mut row = vec![0.0; unknowns.len()];
            for &(v, c) in &s.lines[l].terms {
                if let Some(&k) = column.get(&v) {
                    row[k] += c;
                }
            }
            row
        })
        .collect();
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..unknowns.len() {
        if r == m.len() {
            break;
        }
        let best = (r..m.len())
            .max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
            .unwrap();
        if m[best][c].abs() < 1e-9 {
            continue;
        }
        m.swap(r, best);
        let scale = m[r][c];
        m[r].iter_mut().for_each(|x| *x /= scale);
        let pivot = m[r].clone();
        for (o, row) in m.iter_mut().enumerate() {
            let f = row[c];
            if o != r && f != 0.0 {
                row.iter_mut().zip(&pivot).for_each(|(x, p)| *x -= f * p);
            }
        }
        pivots.push((r, c));
        r += 1;
    }
    pivots
        .into_iter()
        .filter(|&(r, c)| {
            m[r].iter()
                .enumerate()
                .all(|(k, x)| k == c || x.abs() < 1e-9)
        })
        .map(|(_, c)| unknowns[c])
        .collect()
}

/// The attacker's range of `target` within its group.
fn range(s: &System, unknowns: &[usize], lines: &[usize], target: usize) -> (f64, f64) {
    let solve = |direction| {
        let mut p = Problem::new(direction);
        let vars: HashMap<usize, microlp::Variable> = unknowns
            .iter()
            .map(|&v| {
                (
                    v,
                    p.add_var(if v == target { 1.0 } else { 0.0 }, (0.0, s.upper[v])),
                )
            })
            .collect();
        for &l in lines {
            let line = &s.lines[l];
            let mut terms = Vec::new();
            let (mut rhs, mut tolerance) = (line.constant, line.tolerance);
            for &(v, c) in &line.terms {
                match s.known[v] {
                    Some(q) => {
                        rhs -= c * q;
                        tolerance += c.abs() * s.rounding[v];
                    }
                    None => terms.push((vars[&v], c)),
                }
            }
            p.add_constraint(terms.as_slice(), ComparisonOp::Ge, rhs - tolerance - 1e-7);
            p.add_constraint(terms.as_slice(), ComparisonOp::Le, rhs + tolerance + 1e-7);
        }
        match p.solve() {
            Ok(outcome) => outcome.into_solution().unwrap().var_value(vars[&target]),
            Err(microlp::Error::Unbounded) => f64::INFINITY,
            Err(e) => panic!(
                "{:?}: the published figures do not add up: {e:?}",
                s.keys[target]
            ),
        }
    };
    let (low, high) = (
        solve(OptimizationDirection::Minimize),
        solve(OptimizationDirection::Maximize),
    );
    if s.whole[target] {
        ((low - 1e-6).ceil(), (high + 1e-6).floor())
    } else {
        (low, high)
    }
}

/// (cells determined exactly, small counts narrowed with their range,
/// hidden cells, small counts checked).
type Findings = (Vec<Key>, Vec<(Key, f64, f64)>, usize, usize);

/// Runs hyte on the samples with `privacy` as its `[privacy]` table and
/// attacks every output: (cells determined exactly, small counts narrowed
/// below `protection`, hidden cells checked, small counts checked).
fn attack_samples(privacy: &str, protection: f64) -> Findings {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hyte.toml");
    let sample = sample_config(&root().join("indicators"));
    // `[privacy]` last: a table header ends the top-level keys.
    std::fs::write(&config, format!("{sample}\n{privacy}\n")).unwrap();
    let out = hyte()
        .arg("run")
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--audit-privacy")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    // The audit lists every unpublished cell, derived totals included.
    let audit: Vec<(Key, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (key(f[0], f[1], f[2], f[3], f[4]), f[5].to_string())
        })
        .collect();
    let small: BTreeSet<Key> = audit
        .iter()
        .filter(|(_, status)| status == "suppressed_small")
        .map(|(k, _)| k.clone())
        .collect();
    let catalog = hyte::catalog::load(&root().join("indicators")).unwrap();
    let (s, mut unpublished) = system(&dir.path().join("out"), &catalog);
    unpublished.extend(audit.into_iter().map(|(k, _)| k));
    let mut exact = Vec::new();
    let mut narrow = Vec::new();
    let mut checked = 0;
    for (unknowns, lines) in groups(&s) {
        let determined = determined(&s, &unknowns, &lines);
        for &v in &determined {
            if unpublished.contains(&s.keys[v]) {
                exact.push(s.keys[v].clone());
            }
        }
        for &v in &unknowns {
            if small.contains(&s.keys[v]) && !determined.contains(&v) {
                checked += 1;
                let (low, high) = range(&s, &unknowns, &lines, v);
                let need = protection.min(s.upper[v].floor());
                if high - low < need - 1e-9 {
                    narrow.push((s.keys[v].clone(), low, high));
                }
            }
        }
    }
    (exact, narrow, unpublished.len(), checked)
}

#[test]
fn an_exact_attacker_on_every_output_recovers_nothing_and_narrows_nothing() {
    // The default: interval protection at min_count (5 cases).
    let (exact, narrow, hidden, checked) = attack_samples("", 5.0);
    assert!(
        hidden > 500 && checked > 100,
        "{hidden} hidden, {checked} checked"
    );
    assert!(
        exact.is_empty(),
        "determined exactly: {:?}",
        &exact[..exact.len().min(5)]
    );
    assert!(
        narrow.is_empty(),
        "narrowed: {:?}",
        &narrow[..narrow.len().min(5)]
    );
    // Interval protection off: still nothing exact (but ranges may be
    // narrow; that is what the protection level is for).
    let (exact, narrow, ..) = attack_samples("[privacy]\nprotection = 0", 5.0);
    assert!(
        exact.is_empty(),
        "determined exactly: {:?}",
        &exact[..exact.len().min(5)]
    );
    assert!(
        !narrow.is_empty(),
        "without interval protection some small counts are narrow"
    );
}

/// The attacker itself on a hand-made system: t0 = x + y, t1 = y + z,
/// t2 = x + z with the t published gives x, y and z exactly; x + y + z = 6
/// with x, y in 0..=∞ and z = 5 gives x in 0..=1.
#[test]
fn the_attacker_solves_a_triangle_and_bounds_a_pair() {
    let mut s = System::default();
    let k = |name: &str| key(name, "a", "2024", "total", "all");
    for (name, value) in [("t0", Some(10.0)), ("t1", Some(12.0)), ("t2", Some(14.0))] {
        let v = s.var(&k(name));
        s.known[v] = value;
    }
    s.line(&k("t0"), &[k("x"), k("y")], 0.0);
    s.line(&k("t1"), &[k("y"), k("z")], 0.0);
    s.line(&k("t2"), &[k("x"), k("z")], 0.0);
    let (unknowns, lines) = groups(&s).remove(0);
    assert_eq!(determined(&s, &unknowns, &lines).len(), 3);

    let mut s = System::default();
    let total = s.var(&k("t"));
    s.known[total] = Some(6.0);
    let z = s.var(&k("z"));
    s.known[z] = Some(5.0);
    s.line(&k("t"), &[k("x"), k("y"), k("z")], 0.0);
    let x = s.id[&k("x")];
    s.whole[x] = true;
    let (unknowns, lines) = groups(&s).remove(0);
    assert!(determined(&s, &unknowns, &lines).is_empty());
    assert_eq!(range(&s, &unknowns, &lines, x), (0.0, 1.0));
}
