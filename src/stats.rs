//! Statistics: pure functions, each checked against hand or reference values.
//!
//! In: plain numbers. Out: test statistics, p-values, intervals and
//! least-squares fits. Guarantees: no NaN or infinity ever leaves this
//! module: a degenerate case (no variance, n = 0, fewer points than needed)
//! returns `None` or a documented value. Formulas are written next to each
//! function and in docs/STATISTICS.md. The special functions are the
//! `statrs` crate's: the normal tail through its incomplete gamma, Student's
//! t tail and quantile through its incomplete beta and the inverse; the
//! tests below check them against tables and scipy.

use statrs::distribution::{ContinuousCDF, StudentsT};
use statrs::function::beta::checked_beta_reg;
use statrs::function::gamma::gamma_ur;

/// z for a two-sided 95 % interval: Φ⁻¹(0.975).
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Complementary error function, erfc(x) = Q(½, x²) for x ≥ 0 and
/// 2 − Q(½, x²) for x < 0, with statrs' regularized upper incomplete gamma
/// Q (relative error about 1e-14). Not statrs' own `erf::erfc`: in 0.19.1
/// its interval constants are cut to 10 digits, which leaves a relative
/// error of about 1e-10 (statrs pull request 412 restores them).
fn erfc(x: f64) -> f64 {
    let x2 = x * x;
    let q = if x2 == 0.0 {
        1.0
    } else if x2.is_infinite() {
        0.0
    } else {
        // NaN stays NaN: gamma_ur returns NaN for a NaN argument.
        gamma_ur(0.5, x2)
    };
    if x >= 0.0 {
        q
    } else {
        2.0 - q
    }
}

/// Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|) = erfc(|z|/√2).
/// A NaN z gives 1 (no evidence).
pub fn normal_two_sided_p(z: f64) -> f64 {
    let p = erfc(z.abs() / std::f64::consts::SQRT_2);
    if p.is_nan() {
        1.0
    } else {
        p.clamp(0.0, 1.0)
    }
}

/// Two-sided p-value of Student's t with `df` degrees of freedom:
/// P(|T| ≥ |t|) = I_x(df/2, ½) with x = df/(df + t²), statrs' regularized
/// incomplete beta. Where x is near 1 (|t| small against √df) the symmetry
/// I_x(a, b) = 1 − I_{1−x}(b, a) is applied here, with 1 − x = t²/(df + t²)
/// computed directly: statrs would apply the symmetry itself and compute
/// 1 − x, which cancels to a few digits when t is small (p off by about
/// 1e-7 for |t| near 1e-7). An infinite t gives 0; a NaN t, or df ≤ 0 (no
/// degrees of freedom), gives 1 (no evidence); an infinite df is the
/// standard normal.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_infinite() {
        return 0.0;
    }
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return 1.0;
    }
    if df.is_infinite() {
        return normal_two_sided_p(t);
    }
    let (a, b) = (df / 2.0, 0.5);
    let t2 = t * t;
    let x = df / (df + t2);
    // Both arguments lie in [0, 1] for a finite df > 0; an error (none is
    // expected) reads as no evidence.
    let p = if x < (a + 1.0) / (a + b + 2.0) {
        checked_beta_reg(a, b, x).unwrap_or(1.0)
    } else {
        1.0 - checked_beta_reg(b, a, t2 / (df + t2)).unwrap_or(0.0)
    };
    p.clamp(0.0, 1.0)
}

/// The t with P(|T| ≥ t) = `alpha` (e.g. 0.05 gives the 97.5 % quantile),
/// from statrs' inverse cdf: t = −F⁻¹(α/2) (the lower tail, so α/2 is exact
/// and not rounded through 1 − α/2). The 95 % values for 1 to 256 degrees
/// of freedom are computed once (with statrs) and reused: every slope needs
/// one, and statrs' inverse incomplete beta takes about 3 µs against a few
/// ns for the look-up.
/// Outside the domain (α not in (0, 1), df ≤ 0 or NaN) there is no finite
/// quantile: α ≥ 1 gives 0 and anything else `f64::MAX`, an interval that
/// covers every value.
pub fn t_critical(alpha: f64, df: f64) -> f64 {
    static T_95: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    if alpha == 0.05 && df.fract() == 0.0 && (1.0..=256.0).contains(&df) {
        let table =
            T_95.get_or_init(|| (1..=256).map(|d| t_quantile(0.05, f64::from(d))).collect());
        return table[df as usize - 1];
    }
    t_quantile(alpha, df)
}

fn t_quantile(alpha: f64, df: f64) -> f64 {
    if alpha >= 1.0 {
        return 0.0;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) if alpha > 0.0 => {
            let t = -dist.inverse_cdf(alpha / 2.0);
            if t.is_finite() {
                t.max(0.0)
            } else {
                f64::MAX
            }
        }
        _ => f64::MAX,
    }
}

/// A test statistic and its two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Test {
    pub z: f64,
    pub p_value: f64,
}

/// Pooled two-proportion z-test of p₂ − p₁, percentages in 0..=100.
///
/// x_i = p_i·n_i, p̂ = (x₁ + x₂)/(n₁ + n₂), se = √(p̂(1 − p̂)(1/n₁ + 1/n₂)),
/// z = (p₂ − p₁)/se. When se = 0 (both 0 % or both 100 %) the proportions
/// are equal: z = 0, p = 1. Any n ≤ 0 gives `None`.
pub fn two_proportion_z(p1: f64, n1: f64, p2: f64, n2: f64) -> Option<Test> {
    if n1 <= 0.0 || n2 <= 0.0 || !(0.0..=100.0).contains(&p1) || !(0.0..=100.0).contains(&p2) {
        return None;
    }
    let (q1, q2) = (p1 / 100.0, p2 / 100.0);
    let pooled = (q1 * n1 + q2 * n2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se <= 0.0 {
        return Some(Test {
            z: 0.0,
            p_value: 1.0,
        });
    }
    let z = (q2 - q1) / se;
    Some(Test {
        z,
        p_value: normal_two_sided_p(z),
    })
}

/// z-test of v₂ − v₁ from published 95 % confidence limits: each standard
/// error is (upper − lower)/(2·1.96), z = (v₂ − v₁)/√(se₁² + se₂²). Limits
/// that are not wider than zero give `None`.
pub fn z_from_intervals(v1: f64, ci1: (f64, f64), v2: f64, ci2: (f64, f64)) -> Option<Test> {
    let se1 = (ci1.1 - ci1.0) / (2.0 * Z_95);
    let se2 = (ci2.1 - ci2.0) / (2.0 * Z_95);
    let se = (se1 * se1 + se2 * se2).sqrt();
    if se.is_nan() || se <= 0.0 || se.is_infinite() {
        return None;
    }
    let z = (v2 - v1) / se;
    Some(Test {
        z,
        p_value: normal_two_sided_p(z),
    })
}

/// Wilson score 95 % interval for a percentage p from n respondents:
/// centre = (q + z²/2n)/(1 + z²/n), half = z√(q(1−q)/n + z²/4n²)/(1 + z²/n),
/// q = p/100; returned in percent. n ≤ 0 gives `None`.
pub fn wilson(p: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 || !(0.0..=100.0).contains(&p) {
        return None;
    }
    let q = p / 100.0;
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / n;
    let centre = (q + z2 / (2.0 * n)) / denominator;
    let half = Z_95 * (q * (1.0 - q) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    Some((
        ((centre - half) * 100.0).max(0.0),
        ((centre + half) * 100.0).min(100.0),
    ))
}

/// An ordinary least-squares line y = a + b·x.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearFit {
    pub points: usize,
    pub slope: f64,
    /// t-based 95 % interval and two-sided p-value (H₀: slope = 0), with
    /// n − 2 degrees of freedom; `None` with fewer than 3 points.
    pub ci_lower: Option<f64>,
    pub ci_upper: Option<f64>,
    pub p_value: Option<f64>,
}

/// Unweighted least squares of y on x.
///
/// b = Σ(x − x̄)(y − ȳ)/Σ(x − x̄)², s² = Σ(y − a − bx)²/(n − 2),
/// se(b) = √(s²/Σ(x − x̄)²), t = b/se(b) on n − 2 df, interval
/// b ± t₀.₉₇₅·se(b). Fewer than 2 points or all x equal gives `None`; with
/// 2 points the slope has no interval. A perfect fit (se = 0) has the
/// interval [b, b] and p = 0 (or 1 when b = 0). Data are shifted by the
/// first point before summing, so a constant series has a slope of exactly 0.
pub fn least_squares(points: &[(f64, f64)]) -> Option<LinearFit> {
    let n = points.len();
    if n < 2 {
        return None;
    }
    let (x0, y0) = points[0];
    let nf = n as f64;
    let mean_x = points.iter().map(|(x, _)| x - x0).sum::<f64>() / nf;
    let mean_y = points.iter().map(|(_, y)| y - y0).sum::<f64>() / nf;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (x, y) in points {
        let dx = x - x0 - mean_x;
        sxx += dx * dx;
        sxy += dx * (y - y0 - mean_y);
    }
    if sxx.is_nan() || sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let rss: f64 = points
        .iter()
        .map(|(x, y)| {
            let residual = (y - y0) - intercept - slope * (x - x0);
            residual * residual
        })
        .sum();
    Some(fit(n, slope, sxx, rss, nf - 2.0))
}

/// A fitted slope with its t-based 95 % interval and two-sided p-value on
/// `df` degrees of freedom (none when df < 1); a perfect fit (se = 0) has
/// the interval [b, b] and p = 0, or 1 when b = 0.
fn fit(points: usize, slope: f64, sxx: f64, rss: f64, df: f64) -> LinearFit {
    let mut fit = LinearFit {
        points,
        slope,
        ci_lower: None,
        ci_upper: None,
        p_value: None,
    };
    if df >= 1.0 {
        let se = (rss / df / sxx).sqrt();
        if se > 0.0 && se.is_finite() {
            let half = t_critical(0.05, df) * se;
            fit.ci_lower = Some(slope - half);
            fit.ci_upper = Some(slope + half);
            fit.p_value = Some(t_two_sided_p(slope / se, df));
        } else {
            fit.ci_lower = Some(slope);
            fit.ci_upper = Some(slope);
            fit.p_value = Some(if slope == 0.0 { 1.0 } else { 0.0 });
        }
    }
    fit
}

/// Least squares of y on x with a separate intercept per group (e.g. the
/// quarter of the year, so that each quarter is compared with the same
/// quarter of other years), by the Frisch–Waugh–Lovell theorem: x and y are
/// centred within each group, then b = Σx̃ỹ/Σx̃², RSS = Σ(ỹ − b·x̃)²,
/// df = n − 1 − (number of groups), se(b) = √(RSS/df/Σx̃²). With one group
/// this is [`least_squares`]. `None` when x does not vary within groups;
/// no interval or p-value when df < 1.
pub fn least_squares_by_group(points: &[(f64, f64, u8)]) -> Option<LinearFit> {
    let mut groups: Vec<u8> = points.iter().map(|p| p.2).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut centred = Vec::with_capacity(points.len());
    for group in &groups {
        let members: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.2 == *group)
            .map(|p| (p.0, p.1))
            .collect();
        let (x0, y0) = members[0];
        let count = members.len() as f64;
        let mean_x = members.iter().map(|(x, _)| x - x0).sum::<f64>() / count;
        let mean_y = members.iter().map(|(_, y)| y - y0).sum::<f64>() / count;
        centred.extend(
            members
                .iter()
                .map(|(x, y)| (x - x0 - mean_x, y - y0 - mean_y)),
        );
    }
    let sxx: f64 = centred.iter().map(|(x, _)| x * x).sum();
    if sxx.is_nan() || sxx <= 0.0 {
        return None;
    }
    let slope = centred.iter().map(|(x, y)| x * y).sum::<f64>() / sxx;
    let rss: f64 = centred.iter().map(|(x, y)| (y - slope * x).powi(2)).sum();
    let df = points.len() as f64 - 1.0 - groups.len() as f64;
    Some(fit(points.len(), slope, sxx, rss, df))
}

/// The least-squares line's value at `x` with its interval, and the
/// line's slope with its interval: where a series is heading (the
/// wellbeing plan projects each indicator to its target period).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
    /// Per unit of x (per year).
    pub slope: f64,
    pub slope_lower: f64,
    pub slope_upper: f64,
}

/// Projects the least-squares line through `points` to `x`:
/// ŷ = ȳ + b(x − x̄), with the t-based (1 − α) interval of the line's mean
/// there, ŷ ± t(1 − α/2, n − 2) · s · √(1/n + (x − x̄)²/Sxx),
/// s² = RSS/(n − 2); and the slope b ± t(1 − α/2, n − 2) · s/√Sxx.
/// `None` with fewer than three points (no interval) or when x does not
/// vary.
pub fn projection(points: &[(f64, f64)], x: f64, alpha: f64) -> Option<Projection> {
    let n = points.len();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let mean_x = points.iter().map(|(px, _)| px).sum::<f64>() / nf;
    let mean_y = points.iter().map(|(_, py)| py).sum::<f64>() / nf;
    let sxx: f64 = points.iter().map(|(px, _)| (px - mean_x).powi(2)).sum();
    if sxx.is_nan() || sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = points
        .iter()
        .map(|(px, py)| (px - mean_x) * (py - mean_y))
        .sum();
    let slope = sxy / sxx;
    let rss: f64 = points
        .iter()
        .map(|(px, py)| (py - mean_y - slope * (px - mean_x)).powi(2))
        .sum();
    let df = nf - 2.0;
    let value = mean_y + slope * (x - mean_x);
    let s = (rss / df).sqrt();
    let t = t_critical(alpha, df);
    let half = t * s * (1.0 / nf + (x - mean_x).powi(2) / sxx).sqrt();
    let slope_half = t * s / sxx.sqrt();
    (value.is_finite() && half.is_finite() && slope_half.is_finite()).then_some(Projection {
        value,
        lower: value - half,
        upper: value + half,
        slope,
        slope_lower: slope - slope_half,
        slope_upper: slope + slope_half,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::function::gamma::ln_gamma;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    macro_rules! assert_close {
        ($a:expr, $b:expr, $tol:expr) => {
            assert!(
                close($a, $b, $tol),
                "{} = {} but expected {}",
                stringify!($a),
                $a,
                $b
            )
        };
    }

    /// By hand: (0,1) (1,3) (2,2) (3,5): x̄ = 1.5, Sxx = 5, b = 1.1,
    /// ŷ(5) = 2.75 + 1.1 · 3.5 = 6.6; RSS = 2.7, s = √1.35;
    /// se = s · √(1/4 + 3.5²/5) = 1.909188; t(0.975, 2) = 4.302653;
    /// the slope's se = s/√5 = 0.519615, so 1.1 ± 2.235724.
    /// At α = 0.10: t(0.95, 2) = 2.919986.
    #[test]
    fn projection_hand_checked() {
        let points = [(0.0, 1.0), (1.0, 3.0), (2.0, 2.0), (3.0, 5.0)];
        let p = projection(&points, 5.0, 0.05).unwrap();
        assert!((p.value - 6.6).abs() < 1e-12);
        let half = 4.302653 * 1.35_f64.sqrt() * (0.25_f64 + 12.25 / 5.0).sqrt();
        assert!((p.upper - (6.6 + half)).abs() < 1e-5, "{p:?}");
        assert!((p.lower - (6.6 - half)).abs() < 1e-5, "{p:?}");
        assert!((p.slope - 1.1).abs() < 1e-12);
        assert!((p.slope_upper - (1.1 + 2.235724)).abs() < 1e-5, "{p:?}");
        assert!((p.slope_lower - (1.1 - 2.235724)).abs() < 1e-5, "{p:?}");
        // The slope's interval is least_squares' interval.
        let fit = least_squares(&points).unwrap();
        assert!((fit.ci_lower.unwrap() - p.slope_lower).abs() < 1e-12);
        let p10 = projection(&points, 5.0, 0.10).unwrap();
        let half10 = 2.919986 * 1.35_f64.sqrt() * (0.25_f64 + 12.25 / 5.0).sqrt();
        assert!((p10.upper - (6.6 + half10)).abs() < 1e-5, "{p10:?}");
        assert_eq!(projection(&points[..2], 5.0, 0.05), None);
        assert_eq!(
            projection(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)], 5.0, 0.05),
            None
        );
        // A perfect line: no interval width.
        let line = projection(&[(0.0, 0.0), (1.0, 2.0), (2.0, 4.0)], 3.0, 0.05).unwrap();
        assert_eq!((line.value, line.lower, line.upper), (6.0, 6.0, 6.0));
        assert_eq!((line.slope_lower, line.slope_upper), (2.0, 2.0));
    }

    #[test]
    fn special_functions_match_tables() {
        // ln Γ: Γ(5) = 24, Γ(½) = √π.
        assert_close!(ln_gamma(5.0), 24f64.ln(), 1e-14);
        assert_close!(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln(), 1e-14);
        // erfc(1) = 0.157299207050285 (Abramowitz & Stegun table 7.1).
        assert_close!(erfc(1.0), 0.157_299_207_050_285, 1e-12);
        assert_close!(erfc(-1.0), 2.0 - 0.157_299_207_050_285, 1e-12);
        // P(|Z| ≥ 1.96) = 0.0499957902964 (standard normal table).
        assert_close!(normal_two_sided_p(1.96), 0.049_995_790_296_4, 1e-9);
        assert_close!(normal_two_sided_p(0.0), 1.0, 1e-15);
    }

    #[test]
    fn student_t_matches_tables() {
        // Critical values t₀.₉₇₅: df 1 → 12.7062, df 3 → 3.18245, df 10 → 2.22814.
        assert_close!(t_critical(0.05, 1.0), 12.706_204_736_174_7, 1e-9);
        assert_close!(t_critical(0.05, 3.0), 3.182_446_305_284_263, 1e-9);
        assert_close!(t_critical(0.05, 10.0), 2.228_138_851_986_274, 1e-9);
        // df = 1 is Cauchy: P(|T| ≥ 1) = 0.5 exactly.
        assert_close!(t_two_sided_p(1.0, 1.0), 0.5, 1e-12);
        // df = 2 has a closed form: p = 1 − t/√(t² + 2); t = 2 → 0.18350341907.
        assert_close!(t_two_sided_p(2.0, 2.0), 1.0 - 2.0 / 6f64.sqrt(), 1e-12);
    }

    #[test]
    fn student_t_quantile_off_the_table_and_at_the_edges() {
        // Outside the cached 95 % table, closed forms: df = 1 (Cauchy)
        // t = tan(π(1 − α)/2); df = 2, t = √(2c²/(1 − c²)) with c = 1 − α.
        assert_close!(
            t_critical(0.10, 1.0),
            (0.45 * std::f64::consts::PI).tan(),
            1e-12
        );
        assert_close!(
            t_critical(0.01, 2.0),
            (2.0 * 0.99f64.powi(2) / (1.0 - 0.99f64.powi(2))).sqrt(),
            1e-12
        );
        assert_eq!(t_critical(0.05, 10.0), t_quantile(0.05, 10.0));
        // A small t keeps its digits (p near 1): df = 2, p = 1 − t/√(t² + 2).
        // Taking 1 − x for x = 2/(2 + t²) would give exactly 1 here.
        assert_close!(
            t_two_sided_p(1e-7, 2.0),
            1.0 - 1e-7 / (2.0 + 1e-14f64).sqrt(),
            1e-15
        );
        // No NaN or infinity leaves: no degrees of freedom, a NaN or an
        // infinite statistic, α outside (0, 1).
        assert_eq!(t_two_sided_p(2.0, 0.0), 1.0);
        assert_eq!(t_two_sided_p(f64::NAN, 3.0), 1.0);
        assert_eq!(t_two_sided_p(f64::INFINITY, 3.0), 0.0);
        assert_eq!(t_two_sided_p(0.0, 3.0), 1.0);
        assert_eq!(t_critical(0.05, 0.0), f64::MAX);
        assert_eq!(t_critical(0.0, 5.0), f64::MAX);
        assert_eq!(t_critical(1.0, 5.0), 0.0);
        assert_eq!(normal_two_sided_p(f64::NAN), 1.0);
        assert_eq!(normal_two_sided_p(f64::NEG_INFINITY), 0.0);
        assert_eq!(normal_two_sided_p(1e300), 0.0);
        assert_eq!(erfc(f64::NEG_INFINITY), 2.0);
    }

    #[test]
    fn two_proportion_test_by_hand() {
        // 10 % of 400 vs 15 % of 400: pooled 0.125,
        // se = √(0.125·0.875·(2/400)) = 0.0233854, z = 0.05/0.0233854 = 2.138090,
        // p = 2·(1 − Φ(z)) = 0.0325094 (scipy.stats.norm.sf agrees).
        let test = two_proportion_z(10.0, 400.0, 15.0, 400.0).unwrap();
        assert_close!(test.z, 2.138_089_935_299_395, 1e-12);
        assert_close!(test.p_value, 0.032_509_444_645_719_5, 1e-9);
        // Degenerate: 0 % and 0 %, 100 % and 100 %: equal, p = 1.
        assert_eq!(
            two_proportion_z(0.0, 50.0, 0.0, 80.0),
            Some(Test {
                z: 0.0,
                p_value: 1.0
            })
        );
        assert_eq!(
            two_proportion_z(100.0, 50.0, 100.0, 80.0),
            Some(Test {
                z: 0.0,
                p_value: 1.0
            })
        );
        // 0 % vs 100 %: pooled is in between, a defined, large z.
        assert!(two_proportion_z(0.0, 10.0, 100.0, 10.0).unwrap().p_value < 1e-4);
        // n = 0 gives no test.
        assert_eq!(two_proportion_z(10.0, 0.0, 12.0, 100.0), None);
    }

    #[test]
    fn interval_test_by_hand() {
        // se₁ = se₂ = 3.92/3.919928 = 1.0000184, z = 4/√2.0000735 = 2.828375.
        let test = z_from_intervals(10.0, (8.04, 11.96), 14.0, (12.04, 15.96)).unwrap();
        assert_close!(
            test.z,
            4.0 / (2.0 * (3.92 / (2.0 * Z_95)).powi(2)).sqrt(),
            1e-12
        );
        assert_close!(test.z, 2.828_375, 1e-6);
        assert_eq!(z_from_intervals(1.0, (1.0, 1.0), 2.0, (2.0, 2.0)), None);
    }

    #[test]
    fn wilson_by_hand() {
        // p = 20 %, n = 100: centre = (0.2 + 0.0192073)/1.0384146 = 0.2110981,
        // half = 1.96·√(0.0016 + 0.0000960)/1.0384146 = 0.0777311 → 13.3367 .. 28.8829.
        let (lo, hi) = wilson(20.0, 100.0).unwrap();
        assert_close!(lo, 13.336_693_333_103_25, 1e-9);
        assert_close!(hi, 28.882_916_559_315_89, 1e-9);
        // 0 % keeps a non-degenerate upper limit: z²/(n + z²) = 3.8415/13.8415 = 27.75 %.
        let (lo, hi) = wilson(0.0, 10.0).unwrap();
        assert_eq!(lo, 0.0);
        assert_close!(hi, 27.753_279_986_288_92, 1e-9);
        assert_eq!(wilson(50.0, 0.0), None);
    }

    #[test]
    fn least_squares_by_hand() {
        // x = 2017, 2019, 2021, 2023, 2025 (irregular rounds in general; here
        // every 2 years), y = 10, 11, 13, 12, 15: x̄ = 2021, ȳ = 12.2,
        // Sxx = 40, Sxy = (−4)(−2.2) + (−2)(−1.2) + 0 + 2(−0.2) + 4(2.8) = 22,
        // b = 0.55, a = 12.2 − 0.55·x̄; residuals −0.0, −0.1, 0.8, −1.3, 0.6
        // (fitted 10.0, 11.1, 12.2, 13.3, 14.4): RSS = 2.7, s² = 0.9,
        // se = √(0.9/40) = 0.15, t = 3.666667, df = 3, p = 0.0350815,
        // interval 0.55 ± 3.1824463·0.15 = 0.0726331 .. 1.0273669
        // (scipy.stats.linregress 1.17 agrees).
        let points = [
            (2017.0, 10.0),
            (2019.0, 11.0),
            (2021.0, 13.0),
            (2023.0, 12.0),
            (2025.0, 15.0),
        ];
        let fit = least_squares(&points).unwrap();
        assert_close!(fit.slope, 0.55, 1e-12);
        assert_close!(fit.p_value.unwrap(), 0.035_081_514_715_481_9, 1e-9);
        assert_close!(fit.ci_lower.unwrap(), 0.072_633_054_207_443_81, 1e-9);
        assert_close!(fit.ci_upper.unwrap(), 1.027_366_945_792_556_3, 1e-9);
    }

    #[test]
    fn least_squares_irregular_quarters() {
        // Quarters as decimal years with a gap: 2020.0, 2020.25, 2021.0
        // (2020Q1, 2020Q2, 2021Q1), y = 1, 2, 4. x̄ = 2020.416667,
        // Sxx = 0.541667, Sxy = 1.583333, b = 2.923077.
        let fit = least_squares(&[(2020.0, 1.0), (2020.25, 2.0), (2021.0, 4.0)]).unwrap();
        assert_close!(fit.slope, 1.583_333_333_333 / 0.541_666_666_667, 1e-9);
    }

    #[test]
    fn group_intercepts_remove_a_seasonal_dip() {
        // Two years of quarters, a summer (Q3) dip of −10 and a trend of
        // +2 per year: y = 2·t + (−10 if Q3), t in decimal years.
        let points: Vec<(f64, f64, u8)> = (0..8)
            .map(|i| {
                let q = (i % 4 + 1) as u8;
                let t = 2020.0 + i as f64 / 4.0;
                let dip = if q == 3 { -10.0 } else { 0.0 };
                (t, 2.0 * (t - 2020.0) + dip, q)
            })
            .collect();
        let fit = least_squares_by_group(&points).unwrap();
        assert_close!(fit.slope, 2.0, 1e-12);
        // Perfect fit with df = 8 − 1 − 4 = 3.
        assert_eq!(fit.p_value, Some(0.0));
        // Plain least squares is pulled by where the dips fall.
        assert!(
            (least_squares(&points.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>())
                .unwrap()
                .slope
                - 2.0)
                .abs()
                > 0.1
        );
        // One group is plain least squares (the hand-checked example above).
        let rounds = [
            (2017.0, 10.0, 0),
            (2019.0, 11.0, 0),
            (2021.0, 13.0, 0),
            (2023.0, 12.0, 0),
            (2025.0, 15.0, 0),
        ];
        let fit = least_squares_by_group(&rounds).unwrap();
        assert_close!(fit.slope, 0.55, 1e-12);
        assert_close!(fit.p_value.unwrap(), 0.035_081_514_715_481_9, 1e-9);
    }

    #[test]
    fn degenerate_fits() {
        assert_eq!(least_squares(&[]), None);
        assert_eq!(least_squares(&[(2020.0, 1.0)]), None);
        assert_eq!(least_squares(&[(2020.0, 1.0), (2020.0, 2.0)]), None);
        let two = least_squares(&[(2020.0, 1.0), (2022.0, 2.0)]).unwrap();
        assert_eq!((two.slope, two.p_value, two.ci_lower), (0.5, None, None));
        let flat = least_squares(&[(2019.0, 0.1), (2020.0, 0.1), (2021.0, 0.1)]).unwrap();
        assert_eq!((flat.slope, flat.p_value), (0.0, Some(1.0)));
        let perfect = least_squares(&[(2019.0, 1.0), (2020.0, 2.0), (2021.0, 3.0)]).unwrap();
        assert_eq!(
            (perfect.slope, perfect.p_value, perfect.ci_lower),
            (1.0, Some(0.0), Some(1.0))
        );
    }
}
